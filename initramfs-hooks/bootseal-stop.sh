#!/bin/sh
# bootseal-stop.sh: run bootseal-loader and act on its exit status, for
# every initramfs flavour (sourced by the dracut hook, the systemd unit's
# wrapper and the initramfs-tools script). Plain POSIX sh, shell builtins
# only: the initramfs may have neither grep nor tail.
#
#   bootseal_run NEWROOT
#
# The caller sources bootseal-exit-codes.sh first: the loader's exit codes
# as BS_EXIT_NAME=CODE, generated from kernel-loader/exit_codes.hpp at
# build time (docs/LOADER.md lists them). BS_EXIT_OK (installed) and
# BS_EXIT_CONTINUE (no policy, but the configuration lets the boot
# continue: the loader logged why) continue. Anything else stops the boot
# before init: one console line says why, then the machine powers off,
# unless /etc/bootseal/initramfs.conf in the initramfs says
# `emergency-shell = yes`, where the caller's emergency shell is offered
# instead. Without the fragment nothing continues: the boot stops.

bootseal_console() {
	echo "$*" >/dev/console 2>/dev/null || echo "$*" >&2
	echo "<2>$*" >/dev/kmsg 2>/dev/null || :
}

bootseal_emergency_allowed() {
	[ -r /etc/bootseal/initramfs.conf ] || return 1
	while IFS= read -r line || [ -n "$line" ]; do
		# Blanks around the key, the '=' and the value do not matter.
		while :; do
			case $line in
			*[[:space:]]*) line=${line%%[[:space:]]*}${line#*[[:space:]]} ;;
			*) break ;;
			esac
		done
		[ "$line" = emergency-shell=yes ] && return 0
	done </etc/bootseal/initramfs.conf
	return 1
}

# Prints the loader's output to stderr, and on a stop its last line to the
# console; returns the loader's status.
bootseal_run() {
	newroot=$1
	if [ -z "${BS_EXIT_OK-}" ] || [ -z "${BS_EXIT_CONTINUE-}" ] || [ -z "${BS_EXIT_ALREADY-}" ]; then
		bootseal_console "bootseal: boot stopped: bootseal-exit-codes.sh is missing from the initramfs"
		return 125
	fi
	out=/run/bootseal-loader.out
	mkdir -p /run
	bootseal-loader --root "$newroot" >"$out" 2>&1
	rc=$?
	last=
	while IFS= read -r line || [ -n "$line" ]; do
		echo "$line" >&2
		case $line in *[![:space:]]*) last=$line ;; esac
	done <"$out"
	case $rc in
	"$BS_EXIT_OK" | "$BS_EXIT_CONTINUE") return $rc ;;
	esac
	bootseal_console "bootseal: boot stopped: bootseal-loader exited with status $rc: ${last#bootseal: }"
	return $rc
}

# Stops the boot: the emergency shell where allowed, else power off.
# $1: the caller's emergency shell command ("" for none); $2: NEWROOT.
# When the shell ends, the boot continues only if the loader now succeeds
# (or finds an enforcer installed from the shell, BS_EXIT_ALREADY);
# otherwise the machine powers off.
bootseal_stop() {
	if [ -n "$1" ] && bootseal_emergency_allowed; then
		bootseal_console "bootseal: initramfs.conf allows the emergency shell; the boot continues only once bootseal-loader succeeds"
		$1
		bootseal_console "bootseal: the emergency shell ended; running bootseal-loader again"
		bootseal_run "$2"
		case $? in
		"$BS_EXIT_OK" | "$BS_EXIT_CONTINUE" | "$BS_EXIT_ALREADY") return 0 ;;
		esac
	fi
	bootseal_console "bootseal: powering off: the boot cannot continue without its policy"
	sync
	poweroff -f 2>/dev/null || echo o >/proc/sysrq-trigger
	while :; do sleep 3600; done
}

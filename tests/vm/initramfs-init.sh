#!/bin/sh
# /init of the test initramfs built by tests/vm/lib.sh (vm_build_initramfs).
# Runs under busybox sh as PID 1 of Debian's stock kernel in QEMU.
#
#  1. mounts /dev (devtmpfs), /proc, /sys, securityfs, bpffs, /run;
#  2. loads the kernel modules listed in /etc/vm-initramfs.conf, in the order
#     computed at image build time from the kernel's modules.dep;
#  3. finds the root partition (root= on the kernel command line:
#     PARTLABEL=NAME, LABEL=, UUID= or a /dev path; default PARTLABEL=root)
#     and mounts it read-write on /newroot, as rootfstype= says (default
#     ext4). With vm.overlayroot on the command line the root partition is
#     mounted read-only on /lower instead and /newroot is an overlay of it
#     with a tmpfs upper layer (as live and read-only-root systems boot).
#     With vm.fat=DIR a FAT filesystem on a loop device (a file in /run)
#     is mounted on /newroot/DIR, holding EFI/file (as an initramfs that
#     mounts the EFI system partition before init would);
#  4. runs the hook command from the configuration, if any (the policy
#     loader: `bootseal-loader --root /newroot`). Its exit status decides:
#     a status listed in HOOK_CONTINUE (default "0") continues the boot,
#     any other stops it before init: the console shows one line
#       bootseal: boot stopped: HOOK exited with status N: LAST OUTPUT LINE
#     and the machine powers off;
#  5. moves /dev, /proc, /sys (with bpffs and securityfs under it) and /run
#     into the new root and switch_roots to /sbin/init.
# Any other failure prints `initramfs: boot stopped: ...` and powers off.

PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH

mount -t devtmpfs -o mode=0755,nosuid devtmpfs /dev
exec </dev/console >/dev/console 2>&1
mount -t proc -o nosuid,nodev,noexec proc /proc
mount -t sysfs -o nosuid,nodev,noexec sysfs /sys
mount -t securityfs -o nosuid,nodev,noexec securityfs /sys/kernel/security
mount -t bpf -o mode=0700 bpffs /sys/fs/bpf
mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /run

stop() {
	echo "$*"
	sync
	poweroff -f
	while :; do sleep 60; done
}

MODULES=
HOOK=
HOOK_CONTINUE=0
ROOT_WAIT=30
. /etc/vm-initramfs.conf

for ko in $MODULES; do
	# A module the CPU cannot use (crc32c-intel without SSE4.2 under TCG)
	# fails to load; its generic fallback is in the list too.
	insmod "/lib/modules/$ko" 2>/dev/null ||
		echo "initramfs: insmod $ko failed (continuing)"
done

root=PARTLABEL=root
rootfstype=ext4
overlayroot=
fatdir=
for arg in $(cat /proc/cmdline); do
	case $arg in
	root=*) root=${arg#root=} ;;
	rootfstype=*) rootfstype=${arg#rootfstype=} ;;
	vm.overlayroot) overlayroot=1 ;;
	vm.fat=/*) fatdir=${arg#vm.fat=} ;;
	esac
done

# Print the device node of a partition whose GPT partition name is $1.
find_partlabel() {
	for ue in /sys/class/block/*/uevent; do
		if grep -qx "PARTNAME=$1" "$ue"; then
			sed -n 's/^DEVNAME=//p' "$ue"
			return 0
		fi
	done
	return 1
}

find_root() {
	case $1 in
	PARTLABEL=*) d=$(find_partlabel "${1#PARTLABEL=}") && echo "/dev/$d" ;;
	LABEL=* | UUID=*) findfs "$1" 2>/dev/null ;;
	/dev/*) [ -b "$1" ] && echo "$1" ;;
	*) return 1 ;;
	esac
}

dev=
tries=$((ROOT_WAIT * 10))
while [ $tries -gt 0 ]; do
	dev=$(find_root "$root") && [ -b "$dev" ] && break
	dev=
	tries=$((tries - 1))
	usleep 100000
done
[ -n "$dev" ] || stop "initramfs: boot stopped: root device $root not found within ${ROOT_WAIT}s"

mkdir -p /newroot
if [ -n "$overlayroot" ]; then
	mkdir -p /lower /overlay
	mount -t "$rootfstype" -o ro "$dev" /lower ||
		stop "initramfs: boot stopped: cannot mount root $root ($dev) as $rootfstype"
	mount -t tmpfs -o mode=0755 tmpfs /overlay && mkdir -p /overlay/upper /overlay/work &&
		mount -t overlay -o lowerdir=/lower,upperdir=/overlay/upper,workdir=/overlay/work overlay /newroot ||
		stop "initramfs: boot stopped: cannot mount an overlay of root $root ($dev) on /newroot"
	echo "initramfs: root $root ($dev) mounted on /lower, an overlay of it on /newroot"
else
	mount -t "$rootfstype" -o rw "$dev" /newroot ||
		stop "initramfs: boot stopped: cannot mount root $root ($dev) as $rootfstype"
	echo "initramfs: root $root ($dev) mounted on /newroot"
fi

if [ -n "$fatdir" ]; then
	{ dd if=/dev/zero of=/run/vm-fat.img bs=1M count=8 2>/dev/null &&
		mkdosfs /run/vm-fat.img >/dev/null && mkdir -p "/newroot$fatdir" &&
		mount -t vfat -o loop /run/vm-fat.img "/newroot$fatdir" &&
		mkdir "/newroot$fatdir/EFI" && echo "fat content" >"/newroot$fatdir/EFI/file"; } ||
		stop "initramfs: boot stopped: cannot mount a FAT filesystem on /newroot$fatdir"
	echo "initramfs: a FAT filesystem mounted on /newroot$fatdir"
fi

if [ -n "$HOOK" ]; then
	echo "initramfs: running hook: $HOOK"
	# The hook's output goes to the console and is kept for the stop line.
	# busybox ash has pipefail (POSIX sh does not): $? is the hook's status.
	# shellcheck disable=SC3040
	set -o pipefail
	# shellcheck disable=SC2086 # HOOK is a command line, split on purpose
	$HOOK 2>&1 | tee /run/vm-hook.log
	rc=$?
	# shellcheck disable=SC3040
	set +o pipefail
	case " $HOOK_CONTINUE " in
	*" $rc "*)
		echo "initramfs: hook exited with status $rc, continuing"
		;;
	*)
		last=$(grep -v '^[[:space:]]*$' /run/vm-hook.log | tail -n 1)
		stop "bootseal: boot stopped: ${HOOK%% *} exited with status $rc${last:+: $last}"
		;;
	esac
fi

[ -x /newroot/sbin/init ] || [ -L /newroot/sbin/init ] ||
	stop "initramfs: boot stopped: /sbin/init missing on root $root"
for m in dev proc sys run; do
	[ -d "/newroot/$m" ] || stop "initramfs: boot stopped: /$m missing on root $root"
	mount --move "/$m" "/newroot/$m" ||
		stop "initramfs: boot stopped: cannot move /$m into the new root"
done
exec switch_root /newroot /sbin/init

# shellcheck shell=bash
# tests/vm/lib.sh: build and boot QEMU test machines with Debian's stock kernel.
#
# Bash library, sourced by tests/vm/run-scenario.sh before a scenario
# (tests/vm/scenarios/NAME.sh) runs. Scenarios run under `set -eu`: call the
# builders as `x=$(vm_build_... )` so that a failure ends the scenario.
# Everything the host side does is unprivileged in the sense of "touches no
# kernel state": no loop devices, no mounts, no BPF. BPF programs are only
# ever loaded inside the guest.
#
# Environment (run-scenario.sh sets all of it):
#   VM_SOURCE_ROOT  the source tree
#   VM_BUILDDIR     the meson build dir (absolute)
#   VM_CACHE_DIR    images shared between scenarios, named by content hash
#                   (default $VM_BUILDDIR/tests/vm/cache); images unused
#                   for two days are removed by run-scenario.sh
#   VM_WORK         this scenario's scratch dir, emptied before it runs
#   KVER VM_VMLINUZ VM_KMOD_ROOT VM_MODULES_DIR   set by vm_fetch_kernel
#   BOOTSEAL_VM_CACHE      where the kernel package is unpacked
#                          (default /var/cache/bootseal-vm)
#   BOOTSEAL_VM_KERNEL_SUITE  boot linux-image-amd64 of this Debian suite
#                          (e.g. bookworm-backports) instead of the host's
#                          sources' (fetch-kernel.sh)
#   BOOTSEAL_VM_REQUIRED=1 (or CI set): a missing prerequisite fails the
#                          test instead of skipping it
#   VM_SMP, VM_MEM         guest CPUs (default 1) and MiB (default 1024)
#
# Functions (options in any order; paths absolute or relative to $PWD):
#
#   vm_skip REASON
#       Exit 77 (meson: skipped) with REASON, or 1 when BOOTSEAL_VM_REQUIRED.
#   vm_check_host
#       vm_skip unless qemu-system-x86_64, a static busybox, cpio, gzip,
#       mkfs.ext4, sfdisk, modprobe and the apt tools are present.
#   vm_fetch_kernel
#       Runs fetch-kernel.sh; exports KVER, VM_VMLINUZ, VM_KMOD_ROOT,
#       VM_MODULES_DIR. Skips when the kernel package cannot be had.
#
#   vm_build_initramfs [--hook 'CMD ARGS...'] [--hook-continue 'N...']
#                      [--file SRC:DEST]... [--dir SRC:DEST]...
#                      [--modules 'NAME...']
#       Prints the path of a gzip'ed newc initramfs: a static busybox, the
#       modules virtio_pci virtio_blk ext4 (and NAMEs) with their
#       dependencies in modules.dep order, /init = tests/vm/initramfs-init.sh.
#       --hook: the command /init runs once the root is mounted on /newroot,
#         e.g. '/usr/sbin/bootseal-loader --root /newroot'; install the
#         program itself with --file.
#       --hook-continue: the hook exit statuses that let the boot continue
#         (default '0'). Any other status stops the boot before init with
#         the console line
#           bootseal: boot stopped: PROGRAM exited with status N: LAST LINE
#         and powers off (LAST LINE: the hook's last line of output).
#       --file SRC:DEST copies a file (mode kept), --dir SRC:DEST a tree
#         (e.g. a config dir to /etc/bootseal); repeatable.
#
#   vm_build_disk --init FILE [--file SRC:DEST]... [--dir SRC:DEST]...
#                 [--machine-id ID] [--root-size MIB]
#                 [--bootseal-size MIB] [--bootseal-content FILE]
#                 [--bootseal-type GUID] [--root-fs ext4|ext4-casefold|btrfs]
#       Prints the path of a raw GPT disk image: partition 1 "bootseal"
#       (raw, type GUID from --bootseal-type, else $BOOTSEAL_PART_TYPE,
#       else kPartitionTypeGuid from lib/probe's device_probe.hpp, else the
#       GUID in docs/FORMAT.md; --bootseal-size 0 leaves
#       it out; default 8 MiB; --bootseal-content is written at its start),
#       partition 2 "root": ext4 (default 64 MiB; ext4-casefold: one whose
#       directories may be made to ignore case, chattr +F; btrfs) with a
#       static busybox and its applet links, /sbin/init = FILE,
#       /lib/vm-test.sh (guest-lib.sh) and the extra files.
#
#   vm_part_offset DISK NAME
#       Prints "OFFSET SIZE" in bytes of the GPT partition named NAME, for
#       writing into a copy of a disk (dd conv=notrunc).
#   vm_copy FILE
#       Copies FILE into $VM_WORK and prints the copy's path (for
#       vm_boot --writable or for corrupting a shared image).
#
#   vm_boot --initrd FILE --disk FILE --log FILE [--kernel FILE]
#           [--append 'ARGS'] [--timeout SEC] [--until REGEX] [--writable]
#           [--qemu-arg ARG]...
#       Boots qemu-system-x86_64 -machine q35 -accel tcg with the console
#       (ttyS0) captured to LOG (carriage returns removed), the kernel command
#       line "console=ttyS0 panic=-1 root=PARTLABEL=root rw ARGS" (the root=
#       part left out when ARGS has its own root=). The disk is opened with
#       snapshot=on, so shared images stay unchanged, unless --writable
#       (refused for images in $VM_CACHE_DIR: use vm_copy). The exact qemu
#       command is written to LOG.cmd. Returns 0 once QEMU exits by itself
#       (guest powered off, or rebooted/panicked: -no-reboot); on timeout
#       (default 300 s) prints the log tail and returns 1. --until: for a
#       guest that never powers off (it waits at a shell), end QEMU 2 s after
#       a console line matches the extended REGEX and return 0; the timeout
#       still bounds the wait. A QEMU killed from the host on purpose (a
#       power cut: the caller creates LOG.power-cut first, then sends
#       SIGKILL) returns 0 too, and says so.
#
#   vm_expect LOG REGEX [WHAT]      a line matching REGEX (grep -E) exists
#   vm_expect_not LOG REGEX [WHAT]  no line matches REGEX
#       On failure print WHAT, the pattern and the log's last 40 lines, and
#       exit 1 (they end the scenario).
#   vm_expect_order LOG REGEX1 REGEX2 [WHAT]
#       a line matching REGEX1 comes before a line matching REGEX2.
#   vm_log_tail LOG [N]             print the last N (40) lines of LOG

VM_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

_vm_say() { printf '%s\n' "$*" >&2; }
_vm_die() { _vm_say "error: $*"; exit 1; }

vm_skip() {
	if [ "${BOOTSEAL_VM_REQUIRED:-}" = 1 ] || [ -n "${CI:-}" ]; then
		_vm_say "error: QEMU boot test required here but cannot run: $*"
		exit 1
	fi
	_vm_say "SKIP: $*"
	exit 77
}

vm_check_host() {
	local t
	for t in qemu-system-x86_64 busybox cpio gzip mkfs.ext4 sfdisk modprobe \
		apt-get apt-cache dpkg-deb depmod sha256sum timeout; do
		command -v "$t" >/dev/null 2>&1 ||
			vm_skip "$t not found (Debian packages: qemu-system-x86 busybox-static cpio e2fsprogs fdisk kmod)"
	done
	if ldd "$(command -v busybox)" >/dev/null 2>&1; then
		vm_skip "busybox at $(command -v busybox) is dynamically linked; install busybox-static"
	fi
}

vm_fetch_kernel() {
	local out rc=0
	out=$("$VM_LIB_DIR/fetch-kernel.sh") || rc=$?
	[ $rc -eq 77 ] && vm_skip "Debian's kernel package${BOOTSEAL_VM_KERNEL_SUITE:+ from $BOOTSEAL_VM_KERNEL_SUITE} cannot be had (see fetch-kernel messages above)"
	[ $rc -eq 0 ] || _vm_die "fetch-kernel.sh failed with status $rc"
	eval "$out"
	export KVER VM_VMLINUZ VM_KMOD_ROOT VM_MODULES_DIR
}

_vm_cache_dir() {
	local d=${VM_CACHE_DIR:-${VM_BUILDDIR:?VM_BUILDDIR not set}/tests/vm/cache}
	mkdir -p "$d/tmp"
	printf '%s\n' "$d"
}

# _vm_copy_in STAGE SPEC KIND: copy SRC of "SRC:DEST" into STAGE/DEST.
_vm_copy_in() {
	local stage=$1 spec=$2 kind=$3 src dest
	case $spec in *:*) ;; *) _vm_die "--$kind wants SRC:DEST, got '$spec'" ;; esac
	src=${spec%%:*}
	dest=${spec#*:}
	dest=/${dest#/}
	case $kind in
	file)
		[ -f "$src" ] || _vm_die "--file $spec: $src is not a file"
		mkdir -p "$stage$(dirname "$dest")"
		rm -f "$stage$dest"
		cp -p "$src" "$stage$dest"
		;;
	dir)
		[ -d "$src" ] || _vm_die "--dir $spec: $src is not a directory"
		mkdir -p "$stage$dest"
		cp -a "$src/." "$stage$dest/"
		;;
	esac
}

# _vm_install_busybox STAGE: static busybox at /bin/busybox and its applet
# links. The tree is made once per busybox binary and kept as a tar in the
# cache: ~270 links cost more than a second to make one by one.
_vm_install_busybox() {
	local stage=$1 bb cache sum skel tmp applet
	bb=$(command -v busybox)
	cache=$(_vm_cache_dir)
	sum=$(sha256sum <"$bb" | cut -c1-16)
	skel=$cache/busybox-$sum.tar
	if [ ! -f "$skel" ]; then
		tmp=$(mktemp -d "$cache/tmp/busybox.XXXXXX")
		mkdir -p "$tmp/bin"
		cp "$bb" "$tmp/bin/busybox"
		chmod 0755 "$tmp/bin/busybox"
		for applet in $("$bb" --list-full); do
			[ "$applet" = bin/busybox ] && continue
			mkdir -p "$tmp/${applet%/*}"
			ln -sf /bin/busybox "$tmp/$applet"
		done
		tar -C "$tmp" -cf "$skel.$$" . && mv -f "$skel.$$" "$skel"
		rm -rf "$tmp"
	fi
	tar -C "$stage" -xf "$skel"
	chmod 0755 "$stage"
}

# _vm_normalize STAGE: fixed owner and times, so equal contents give equal
# archives and hashes.
_vm_normalize() {
	chown -hR 0:0 "$1" 2>/dev/null || :
	find "$1" -exec touch -h -d "@${SOURCE_DATE_EPOCH:-0}" {} +
}

vm_build_initramfs() {
	local hook='' cont=0 mods='virtio_pci virtio_blk ext4 crc32c_generic'
	local -a files=() dirs=()
	while [ $# -gt 0 ]; do
		case $1 in
		--hook) hook=$2; shift 2 ;;
		--hook-continue) cont=$2; shift 2 ;;
		--file) files+=("$2"); shift 2 ;;
		--dir) dirs+=("$2"); shift 2 ;;
		--modules) mods="$mods $2"; shift 2 ;;
		*) _vm_die "vm_build_initramfs: unknown option '$1'" ;;
		esac
	done
	: "${KVER:?vm_fetch_kernel first}"
	local cache stage spec m line ko rel order='' hash out
	cache=$(_vm_cache_dir)
	stage=$(mktemp -d "$cache/tmp/initramfs.XXXXXX")
	mkdir -p "$stage"/{dev,proc,sys,run,newroot,etc,tmp,lib/modules}
	_vm_install_busybox "$stage"
	cp "$VM_LIB_DIR/initramfs-init.sh" "$stage/init"
	chmod 0755 "$stage/init"

	# Modules and their dependencies, in the order modprobe would load them.
	for m in $mods; do
		while read -r line; do
			case $line in
			insmod\ *) ko=${line#insmod }; ko=${ko%% *} ;;
			builtin\ *) continue ;;
			*) _vm_die "modprobe --show-depends $m: unexpected line '$line'" ;;
			esac
			rel=${ko#"$VM_MODULES_DIR"/}
			case " $order " in *" ${rel%.ko*}.ko "*) continue ;; esac
			mkdir -p "$stage/lib/modules/$(dirname "$rel")"
			case $ko in
			*.ko.xz) xz -dc "$ko" >"$stage/lib/modules/${rel%.xz}" ;;
			*.ko.zst) zstd -qdc "$ko" >"$stage/lib/modules/${rel%.zst}" ;;
			*.ko.gz) gzip -dc "$ko" >"$stage/lib/modules/${rel%.gz}" ;;
			*) cp "$ko" "$stage/lib/modules/$rel" ;;
			esac
			order="$order ${rel%.ko*}.ko"
		done < <(modprobe -d "$VM_KMOD_ROOT" -S "$KVER" --show-depends "$m" ||
			echo "error module $m not found in $VM_MODULES_DIR")
	done

	for spec in "${files[@]}"; do _vm_copy_in "$stage" "$spec" file; done
	for spec in "${dirs[@]}"; do _vm_copy_in "$stage" "$spec" dir; done
	{
		printf '# written by tests/vm/lib.sh vm_build_initramfs\n'
		printf 'MODULES=%q\n' "${order# }"
		printf 'HOOK=%q\n' "$hook"
		printf 'HOOK_CONTINUE=%q\n' "$cont"
	} >"$stage/etc/vm-initramfs.conf"
	_vm_normalize "$stage"

	(cd "$stage" && find . -print0 | LC_ALL=C sort -z |
		cpio --null --create --format=newc --reproducible --owner=0:0 --quiet) \
		>"$stage.cpio" || _vm_die "cpio failed for $stage"
	hash=$( { cat "$stage.cpio"; echo gzip-n9; } | sha256sum | cut -c1-16)
	out=$cache/initramfs-$hash.cpio.gz
	if [ ! -f "$out" ]; then
		gzip -n -9 <"$stage.cpio" >"$out.tmp.$$" && mv -f "$out.tmp.$$" "$out"
		_vm_say "vm_build_initramfs: built $out ($(du -k "$out" | cut -f1) KiB)"
	else
		touch "$out"
		_vm_say "vm_build_initramfs: reusing $out"
	fi
	rm -rf "$stage" "$stage.cpio"
	printf '%s\n' "$out"
}

# The bootseal partition type GUID: $BOOTSEAL_PART_TYPE, else the constant
# kPartitionTypeGuid of lib/probe/include/bootseal/device_probe.hpp, else the
# first GUID on a line of docs/FORMAT.md that speaks of the type.
_vm_bootseal_type() {
	local top=${VM_SOURCE_ROOT:-$VM_LIB_DIR/../..} g=''
	local hdr=$top/lib/probe/include/bootseal/device_probe.hpp
	local fmt=$top/docs/FORMAT.md
	local re='[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}'
	if [ -n "${BOOTSEAL_PART_TYPE:-}" ]; then
		printf '%s\n' "$BOOTSEAL_PART_TYPE"
		return
	fi
	if [ -f "$hdr" ]; then
		g=$(grep 'kPartitionTypeGuid *=' "$hdr" | grep -oE "$re" | head -n 1)
	fi
	if [ -z "$g" ] && [ -f "$fmt" ]; then
		g=$(grep -i 'type' "$fmt" | grep -i 'guid' | grep -oE "$re" | head -n 1)
	fi
	[ -n "$g" ] || _vm_die "no bootseal partition type GUID: pass --bootseal-type or set BOOTSEAL_PART_TYPE (neither $hdr nor $fmt names one)"
	printf '%s\n' "$g"
}

vm_build_disk() {
	local init='' mid='' root_mib=64 bs_mib=8 bs_content='' bs_type='' root_fs=ext4
	local -a files=() dirs=()
	while [ $# -gt 0 ]; do
		case $1 in
		--init) init=$2; shift 2 ;;
		--file) files+=("$2"); shift 2 ;;
		--dir) dirs+=("$2"); shift 2 ;;
		--machine-id) mid=$2; shift 2 ;;
		--root-size) root_mib=$2; shift 2 ;;
		--root-fs) root_fs=$2; shift 2 ;;
		--bootseal-size) bs_mib=$2; shift 2 ;;
		--bootseal-content) bs_content=$2; shift 2 ;;
		--bootseal-type) bs_type=$2; shift 2 ;;
		*) _vm_die "vm_build_disk: unknown option '$1'" ;;
		esac
	done
	[ -n "$init" ] || _vm_die "vm_build_disk: --init FILE is required"
	[ -f "$init" ] || _vm_die "vm_build_disk: --init $init is not a file"
	if [ "$bs_mib" -gt 0 ] && [ -z "$bs_type" ]; then
		bs_type=$(_vm_bootseal_type)
	fi
	if [ -n "$bs_content" ]; then
		[ -f "$bs_content" ] || _vm_die "--bootseal-content $bs_content is not a file"
		[ "$bs_mib" -gt 0 ] || _vm_die "--bootseal-content needs --bootseal-size > 0"
		[ "$(stat -c %s "$bs_content")" -le $((bs_mib << 20)) ] ||
			_vm_die "--bootseal-content $bs_content is larger than the ${bs_mib} MiB partition"
	fi

	local cache stage spec d hash out tmp layout
	cache=$(_vm_cache_dir)
	stage=$(mktemp -d "$cache/tmp/rootfs.XXXXXX")
	mkdir -p "$stage"/{dev,proc,sys,run,tmp,etc,root,lib,sbin}
	chmod 1777 "$stage/tmp"
	_vm_install_busybox "$stage"
	rm -f "$stage/sbin/init"
	cp "$init" "$stage/sbin/init"
	chmod 0755 "$stage/sbin/init"
	cp "$VM_LIB_DIR/guest-lib.sh" "$stage/lib/vm-test.sh"
	[ -z "$mid" ] || printf '%s\n' "$mid" >"$stage/etc/machine-id"
	for spec in "${files[@]}"; do _vm_copy_in "$stage" "$spec" file; done
	for spec in "${dirs[@]}"; do _vm_copy_in "$stage" "$spec" dir; done
	_vm_normalize "$stage"

	# Partition layout, all in MiB: 1 (GPT) | bootseal | root | 1 (backup GPT).
	local bs_start=1 root_start=$((1 + bs_mib)) total=$((2 + bs_mib + root_mib))
	layout="label: gpt
label-id: 8E5EA1ED-0000-4000-8000-000000000000
unit: sectors
"
	if [ "$bs_mib" -gt 0 ]; then
		layout+="start=$((bs_start * 2048)), size=$((bs_mib * 2048)), type=$bs_type, name=bootseal, uuid=8E5EA1ED-0000-4000-8000-000000000001
"
	fi
	layout+="start=$((root_start * 2048)), size=$((root_mib * 2048)), type=0FC63DAF-8483-4772-8E79-3D7D8477E4E4, name=root, uuid=8E5EA1ED-0000-4000-8000-000000000002
"
	hash=$( {
		tar --sort=name --numeric-owner -C "$stage" -cf - .
		printf '%s\n' "$layout" "$root_mib" "$root_fs"
		[ -z "$bs_content" ] || cat "$bs_content"
		cat "$VM_LIB_DIR/lib.sh"
	} | sha256sum | cut -c1-16)
	out=$cache/disk-$hash.img
	if [ -f "$out" ]; then
		touch "$out"
		_vm_say "vm_build_disk: reusing $out"
		rm -rf "$stage"
		printf '%s\n' "$out"
		return 0
	fi

	tmp=$stage.img
	rm -f "$tmp" "$stage.root"
	truncate -s "${total}M" "$tmp"
	printf '%s' "$layout" | sfdisk --quiet --no-reread --no-tell-kernel "$tmp" >/dev/null ||
		_vm_die "sfdisk could not partition $tmp"
	case $root_fs in
	ext4 | ext4-casefold)
		local features=()
		[ "$root_fs" = ext4 ] || features=(-O casefold -E encoding=utf8)
		E2FSPROGS_FAKE_TIME=${SOURCE_DATE_EPOCH:-1} mkfs.ext4 -q -F -L root "${features[@]}" \
			-U 8e5ea1ed-0000-4000-8000-0000000000ef -E root_owner=0:0 \
			-d "$stage" "$stage.root" "${root_mib}M" >&2 ||
			_vm_die "mkfs.ext4 -d $stage failed (root too small? --root-size)"
		;;
	btrfs)
		# A random UUID: mkfs.btrfs refuses a fixed one once this
		# machine's blkid cache has seen it on another image.
		truncate -s "${root_mib}M" "$stage.root"
		mkfs.btrfs -q -f -L root \
			--rootdir "$stage" "$stage.root" >&2 ||
			_vm_die "mkfs.btrfs --rootdir $stage failed (root too small? --root-size; btrfs needs about 120 MiB)"
		;;
	*) _vm_die "vm_build_disk: --root-fs $root_fs: expected ext4, ext4-casefold or btrfs" ;;
	esac
	dd if="$stage.root" of="$tmp" bs=1M seek="$root_start" conv=notrunc,sparse status=none
	if [ -n "$bs_content" ]; then
		dd if="$bs_content" of="$tmp" bs=1M seek="$bs_start" conv=notrunc status=none
	fi
	mv -f "$tmp" "$out"
	rm -rf "$stage" "$stage.root"
	_vm_say "vm_build_disk: built $out"
	printf '%s\n' "$out"
}

vm_part_offset() {
	local disk=$1 name=$2 line start size
	line=$(sfdisk --dump "$disk" | grep -E "name=\"?$name\"?(,|\$)") ||
		_vm_die "no partition named $name on $disk"
	start=$(printf '%s\n' "$line" | sed -n 's/.*start= *\([0-9]*\).*/\1/p')
	size=$(printf '%s\n' "$line" | sed -n 's/.*size= *\([0-9]*\).*/\1/p')
	printf '%s %s\n' $((start * 512)) $((size * 512))
}

vm_copy() {
	local dest
	mkdir -p "${VM_WORK:?}"
	dest=$VM_WORK/$(basename "$1")
	cp --sparse=always "$1" "$dest"
	printf '%s\n' "$dest"
}

vm_boot() {
	local kernel=${VM_VMLINUZ:-} initrd='' disk='' log='' append='' timeout=300
	local snap=,snapshot=on until=''
	local -a extra=()
	while [ $# -gt 0 ]; do
		case $1 in
		--kernel) kernel=$2; shift 2 ;;
		--initrd) initrd=$2; shift 2 ;;
		--disk) disk=$2; shift 2 ;;
		--log) log=$2; shift 2 ;;
		--append) append=$2; shift 2 ;;
		--timeout) timeout=$2; shift 2 ;;
		--until) until=$2; shift 2 ;;
		--writable) snap=; shift ;;
		--qemu-arg) extra+=("$2"); shift 2 ;;
		*) _vm_die "vm_boot: unknown option '$1'" ;;
		esac
	done
	[ -f "$kernel" ] || _vm_die "vm_boot: kernel '$kernel' not found"
	[ -f "$initrd" ] || _vm_die "vm_boot: --initrd '$initrd' not found"
	[ -f "$disk" ] || _vm_die "vm_boot: --disk '$disk' not found"
	[ -n "$log" ] || _vm_die "vm_boot: --log FILE is required"
	if [ -z "$snap" ]; then
		case $(readlink -f "$disk") in
		"$(readlink -f "$(_vm_cache_dir)")"/*)
			_vm_die "vm_boot --writable: $disk is a shared image; boot a vm_copy of it" ;;
		esac
	fi
	# dracut and initramfs-tools images need root=; the busybox one defaults
	# to the same partition.
	local root=' root=PARTLABEL=root rw'
	case " $append " in *" root="*) root= ;; esac
	mkdir -p "$(dirname "$log")"
	rm -f "$log" "$log.raw" "$log.power-cut"
	local -a cmd=(qemu-system-x86_64 -machine q35 -accel tcg
		-smp "${VM_SMP:-1}" -m "${VM_MEM:-1024}" -nographic -no-reboot -nic none
		-monitor none -serial "file:$log.raw"
		-kernel "$kernel" -initrd "$initrd"
		-drive "file=$disk,if=virtio,format=raw$snap"
		-append "console=ttyS0 panic=-1$root${append:+ $append}"
		"${extra[@]}")
	printf '%q ' "${cmd[@]}" >"$log.cmd"
	printf '\n' >>"$log.cmd"

	local t0 ms rc=0 qpid seen=''
	t0=${EPOCHREALTIME/./}
	if [ -z "$until" ]; then
		timeout --kill-after=10 "$timeout" "${cmd[@]}" </dev/null >"$log.qemu" 2>&1 || rc=$?
	else
		# A guest that waits for input (an emergency shell) never powers
		# off: end it once the console shows the line, however slow the
		# boot was, and let it print for 2 more seconds.
		timeout --kill-after=10 "$timeout" "${cmd[@]}" </dev/null >"$log.qemu" 2>&1 &
		qpid=$!
		while kill -0 "$qpid" 2>/dev/null; do
			if tr -d '\r' 2>/dev/null <"$log.raw" | grep -Eq -- "$until"; then
				seen=1
				sleep 2
				kill "$qpid" 2>/dev/null || :
				break
			fi
			sleep 1
		done
		wait "$qpid" || rc=$?
		[ -z "$seen" ] || rc=0
	fi
	tr -d '\r' <"$log.raw" >"$log" 2>/dev/null || :
	rm -f "$log.raw"
	ms=$(((${EPOCHREALTIME/./} - t0) / 1000))
	_vm_say "vm_boot: QEMU ran $((ms / 1000)).$(printf '%03d' $((ms % 1000))) s, status $rc${seen:+ (ended at the console line /$until/)}; console log $log"
	if [ -e "$log.power-cut" ] && [ $rc -eq 137 ]; then
		_vm_say "vm_boot: QEMU was killed from the host on purpose (a power cut: $(cat "$log.power-cut"))"
		return 0
	fi
	if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		_vm_say "vm_boot: FAIL: the guest did not power off within ${timeout} s"
		vm_log_tail "$log"
		return 1
	fi
	if [ $rc -ne 0 ]; then
		_vm_say "vm_boot: FAIL: qemu-system-x86_64 exited with status $rc:"
		cat "$log.qemu" >&2
		vm_log_tail "$log"
		return 1
	fi
	return 0
}

# vm_tpm_args DIR: starts a software TPM (swtpm) whose state is kept in DIR,
# and prints vm_boot's arguments, one a line, for a TPM TIS device on it.
# swtpm serves one QEMU connection and exits with it; vm_tpm_stop DIR ends
# one that is left (a boot that never started).
vm_tpm_args() {
	local dir=$1
	mkdir -p "$dir"
	rm -f "$dir/sock"
	swtpm socket --tpm2 --tpmstate dir="$dir" --ctrl type=unixio,path="$dir/sock" \
		--pid file="$dir/pid" --log file="$dir/swtpm.log" --daemon ||
		_vm_die "swtpm did not start"
	printf '%s\n' --qemu-arg -chardev --qemu-arg "socket,id=chrtpm,path=$dir/sock" \
		--qemu-arg -tpmdev --qemu-arg emulator,id=tpm0,chardev=chrtpm \
		--qemu-arg -device --qemu-arg tpm-tis,tpmdev=tpm0
}
vm_tpm_stop() {
	[ -f "$1/pid" ] && kill "$(cat "$1/pid")" 2>/dev/null
	rm -f "$1/pid"
}

# vm_tcti_device: the TSS's device TCTI library, which the TSS loads with
# dlopen() (ldd does not list it).
vm_tcti_device() {
	local tcti
	tcti=$(ldconfig -p | sed -n 's/^[[:space:]]*libtss2-tcti-device\.so\.0 .*=> //p' | head -n 1)
	[ -n "$tcti" ] || _vm_die "libtss2-tcti-device.so.0 is not installed (libtss2-dev)"
	printf '%s\n' "$tcti"
}

vm_log_tail() {
	local n=${2:-40}
	_vm_say "---- last $n lines of $1 ----"
	tail -n "$n" "$1" >&2 2>/dev/null || _vm_say "(no log)"
	_vm_say "---- end of $1 ----"
}

vm_expect() {
	local log=$1 re=$2 what=${3:-$2}
	if grep -qE -- "$re" "$log"; then
		_vm_say "ok: $what"
		return 0
	fi
	_vm_say "FAIL: $what"
	_vm_say "  expected a console line matching: $re"
	vm_log_tail "$log"
	exit 1
}

vm_expect_not() {
	local log=$1 re=$2 what=${3:-"no line matches $2"} hit
	if ! hit=$(grep -nE -- "$re" "$log"); then
		_vm_say "ok: $what"
		return 0
	fi
	_vm_say "FAIL: $what"
	_vm_say "  expected no console line matching: $re"
	_vm_say "  found: $(printf '%s\n' "$hit" | head -n 3)"
	vm_log_tail "$log"
	exit 1
}

vm_expect_order() {
	local log=$1 re1=$2 re2=$3 what=${4:-"'$2' before '$3'"} n1 n2
	n1=$(grep -nE -- "$re1" "$log" | head -n 1 | cut -d: -f1)
	n2=$(grep -nE -- "$re2" "$log" | tail -n 1 | cut -d: -f1)
	if [ -n "$n1" ] && [ -n "$n2" ] && [ "$n1" -lt "$n2" ]; then
		_vm_say "ok: $what"
		return 0
	fi
	_vm_say "FAIL: $what"
	_vm_say "  expected a line matching '$re1' (line ${n1:-none}) before one matching '$re2' (line ${n2:-none})"
	vm_log_tail "$log"
	exit 1
}

# shellcheck shell=bash
# tests/vm/dracut-lib.sh: the initramfs images a user's machine would have,
# built by the real dracut (and mkinitramfs) from bootseal's installed
# hooks, for the dracut-* and initramfs-tools-* scenarios. Source it after
# enforcer-lib.sh.
#
#   dr_stage                 `meson install --destdir` of this build into
#                            $VM_WORK/stage (once per scenario); prints it
#   dr_keys                  the signing key pair every dracut scenario
#                            shares (kept in $VM_CACHE_DIR, so that equal
#                            configurations give one initramfs per run),
#                            copied to $VM_WORK/keys for enf_seal
#   dr_etc [LINE...]         $VM_WORK/etc-bootseal: what /etc/bootseal holds
#                            on the machine (trusted.d/vm.pem, the shared
#                            key; loader.conf = the LINEs, default
#                            DR_LOADER_CONF); prints its path
#   dr_policy NAME GEN [LINE...]
#                            seal policy NAME, generation GEN, mode enforce,
#                            denying exec of /opt/denied/busybox and writes
#                            to /etc/protected (and the LINEs); prints the
#                            blob's path
#   dr_partition OUT BLOB... an 8 MiB bootseal partition image, formatted,
#                            each BLOB installed in turn with `bootseal install`
#   dr_init                  $VM_WORK/init: the boot script under test
#                            (init ran; exec-denied, exec-allowed,
#                            write-denied); prints its path
#   dr_disk [vm_build_disk OPTIONS]
#                            a disk with dr_init as /sbin/init and the
#                            files the policies name (enf_guest_tree)
#   dr_initramfs ETC_DIR [systemd [INCLUDE_DIR]]
#                            print the path of a dracut initramfs (classic:
#                            modules base rootfs-block kernel-modules
#                            bootseal; with `systemd`, a systemd initrd;
#                            INCLUDE_DIR's files added at / with --include)
#                            for the cached Debian kernel, with ETC_DIR as
#                            /etc/bootseal. Built with the installed module
#                            from dr_stage and the loader of this build;
#                            cached by content in $VM_CACHE_DIR (one build
#                            at a time), so scenarios with the same
#                            configuration share one image.
#   it_initramfs ETC_DIR     the same with initramfs-tools' mkinitramfs,
#                            from the installed hooks and scripts
#   dr_corrupt_slot IMG PART_OFFSET SLOT
#                            flip one payload bit of slot A or B of the
#                            bootseal partition at PART_OFFSET in IMG
#
# Every dracut scenario boots an initramfs configured like a careful
# user's: the policy from the bootseal partition or the running kernel's
# image, enforce mode, rollback floor 2.
DR_LOADER_CONF=("mode = enforce" "floor = 2")

dr_stage() {
	local stage=$VM_WORK/stage
	if [ ! -d "$stage/usr/lib/dracut/modules.d/90bootseal" ]; then
		DESTDIR=$stage meson install -C "$VM_BUILDDIR" --no-rebuild --quiet >/dev/null ||
			_vm_die "meson install into $stage failed"
	fi
	printf '%s\n' "$stage"
}

dr_keys() {
	local d
	d=$(_vm_cache_dir)/dracut-keys
	(
		flock 9
		if [ ! -f "$d/vm.pub.pem" ]; then
			rm -rf "$d.tmp"
			mkdir -p "$d.tmp"
			"$ENF_SIGN" keygen "$d.tmp/vm.pem" "$d.tmp/vm.pub.pem" >/dev/null || exit 1
			mv "$d.tmp" "$d"
		fi
		touch "$d/vm.pem" "$d/vm.pub.pem"
	) 9>"$d.lock" || _vm_die "cannot make the shared signing key in $d"
	mkdir -p "$VM_WORK/keys"
	cp "$d/vm.pem" "$d/vm.pub.pem" "$VM_WORK/keys/"
}

dr_etc() {
	local etc=$VM_WORK/etc-bootseal line
	[ $# -gt 0 ] || set -- "${DR_LOADER_CONF[@]}"
	dr_keys
	rm -rf "$etc"
	mkdir -p "$etc/trusted.d"
	cp "$VM_WORK/keys/vm.pub.pem" "$etc/trusted.d/vm.pem"
	for line in "$@"; do printf '%s\n' "$line"; done >"$etc/loader.conf"
	printf '%s\n' "$etc"
}

dr_policy() {
	local name=$1 gen=$2 line src=$VM_WORK/$1-g$2.policy
	shift 2
	dr_keys
	{
		printf 'policy "%s"\ngeneration %s\nmode enforce\n' "$name" "$gen"
		printf 'deny exec path /opt/denied/busybox\ndeny write path /etc/protected\n'
		for line in "$@"; do printf '%s\n' "$line"; done
	} >"$src"
	enf_seal "$src" "${src%.policy}.sealed"
	printf '%s\n' "${src%.policy}.sealed"
}

dr_partition() {
	local out=$1 blob
	shift
	rm -f "$out"
	truncate -s 8M "$out"
	"$ENF_TOOL" format "$out" >&2
	for blob in "$@"; do
		"$ENF_TOOL" install --trust "$VM_WORK/keys/vm.pub.pem" --device "$out" "$blob" >&2
	done
}

dr_init() {
	cat >"$VM_WORK/init" <<'EOF_INIT'
#!/bin/sh
. /lib/vm-test.sh
say "init ran"
try exec-denied /opt/denied/busybox true
try exec-allowed /opt/ok/busybox true
try write-denied sh -c 'echo x >>/etc/protected'
finish
EOF_INIT
	printf '%s\n' "$VM_WORK/init"
}

dr_disk() {
	[ -f "$VM_WORK/init" ] || dr_init >/dev/null
	[ -f "$VM_WORK/tree/opt/denied/busybox" ] || enf_guest_tree "$VM_WORK/tree"
	# systemd's switch-root wants an OS tree: a root with os-release.
	[ -f "$VM_WORK/tree/etc/os-release" ] ||
		printf 'ID=bootseal-test\nNAME="bootseal test root"\n' >"$VM_WORK/tree/etc/os-release"
	vm_build_disk --init "$VM_WORK/init" --dir "$VM_WORK/tree:/" "$@"
}

dr_corrupt_slot() {
	local img=$1 off=$2 slot=$3 soff pos b
	soff=$("$ENF_TOOL" slots --json --trust "$VM_WORK/keys/vm.pub.pem" --partition 1 "$img" |
		python3 -c 'import json,sys; print([s for s in json.load(sys.stdin)["slots"] if s["slot"]==sys.argv[1]][0]["offset"])' "$slot")
	# 4096: the slot header; 64: well inside the sealed blob.
	pos=$((off + soff + 4096 + 64))
	b=$(od -An -tu1 -j "$pos" -N1 "$img" | tr -d ' ')
	# shellcheck disable=SC2059
	printf "$(printf '\\%03o' $((b ^ 1)))" | dd of="$img" bs=1 seek="$pos" conv=notrunc status=none
}

# _dr_cached KIND ETC_DIR EXTRA: the cache path for an image of KIND built
# from the installed hooks, ETC_DIR and the loader.
_dr_cached() {
	local kind=$1 etc=$2 extra=$3 include=${4-} stage hash
	stage=$(dr_stage)
	hash=$( {
		echo "$KVER $kind $extra"
		tar -C "$stage" -cf - --sort=name --mtime=@0 --owner=0 --group=0 \
			usr/lib/dracut usr/share/initramfs-tools
		tar -C "$etc" -cf - --sort=name --mtime=@0 --owner=0 --group=0 .
		[ -z "$include" ] || tar -C "$include" -cf - --sort=name --mtime=@0 --owner=0 --group=0 .
		cat "$ENF_LOADER"
	} | sha256sum | cut -c1-16)
	printf '%s\n' "$(_vm_cache_dir)/$kind-$hash.img"
}

dr_initramfs() {
	local etc=$1 flavour=${2:-classic} include=${3-} stage out base mods
	local -a inc=()
	command -v dracut >/dev/null || vm_skip "dracut is not installed (dracut-core)"
	stage=$(dr_stage)
	out=$(_dr_cached dracut "$etc" "$flavour" "$include")
	[ -z "$include" ] || inc=(--include "$include" /)
	mods="base rootfs-block kernel-modules bootseal"
	[ "$flavour" = systemd ] && mods="systemd systemd-initrd $mods"
	(
		flock 9
		[ -f "$out" ] && exit 0
		# dracut reads its modules from dracutbasedir: Debian's own, plus
		# the module and its configuration snippet exactly as `meson
		# install` put them.
		base=$VM_WORK/dracut-base
		rm -rf "$base"
		cp -a /usr/lib/dracut "$base"
		cp -a "$stage/usr/lib/dracut/modules.d/90bootseal" "$base/modules.d/"
		mkdir -p "$VM_WORK/dracut-confdir"
		cp "$stage/usr/lib/dracut/dracut.conf.d/90-bootseal.conf" "$VM_WORK/dracut-confdir/"
		# No --modules bootseal: the installed snippet must bring it in.
		mods=${mods% bootseal}
		# The module copies ETC_DIR itself, as it copies /etc/bootseal.
		BOOTSEAL_LOADER=$ENF_LOADER BOOTSEAL_ETC=$etc dracutbasedir=$base \
			dracut --force --quiet --no-hostonly --no-early-microcode \
			--conf /dev/null --confdir "$VM_WORK/dracut-confdir" \
			--modules "$mods" "${inc[@]}" \
			--add-drivers "virtio_blk virtio_pci ext4" \
			--kver "$KVER" --kmoddir "$VM_MODULES_DIR" \
			--compress gzip "$out.tmp" >&2 || exit 1
		mv "$out.tmp" "$out"
	) 9>"$out.lock" || _vm_die "dracut failed"
	touch "$out"
	printf '%s\n' "$out"
}

it_initramfs() {
	local etc=$1 stage out conf
	command -v mkinitramfs >/dev/null || vm_skip "mkinitramfs is not installed (initramfs-tools-core)"
	stage=$(dr_stage)
	out=$(_dr_cached initramfs-tools "$etc" "")
	conf=$VM_WORK/initramfs-tools
	(
		flock 9
		[ -f "$out" ] && exit 0
		# A configuration directory of its own: only the modules the guest
		# needs, and bootseal's hook and scripts as `meson install` put them
		# (mkinitramfs also runs those in /usr/share/initramfs-tools).
		rm -rf "$conf"
		mkdir -p "$conf/hooks" "$conf/scripts/init-bottom" "$conf/conf.d"
		printf 'MODULES=list\nBUSYBOX=auto\nCOMPRESS=gzip\nRUNSIZE=10%%\n' >"$conf/initramfs.conf"
		printf 'virtio_pci\nvirtio_blk\next4\ncrc32c_generic\n' >"$conf/modules"
		local it=$stage/usr/share/initramfs-tools
		cp "$it/hooks/bootseal" "$conf/hooks/"
		cp "$it/scripts/init-bottom/bootseal" "$conf/scripts/init-bottom/"
		cp "$it/scripts/bootseal-stop.sh" "$it/scripts/bootseal-exit-codes.sh" "$conf/scripts/"
		# mkinitramfs wants the kernel where an installed one would be:
		# /lib/modules/KVER and /boot/config-KVER. Both are removed again
		# (only if this run made them).
		local made_dir='' made_mod='' made_cfg='' rc=0
		it_cleanup() {
			[ -z "$made_mod" ] || rm -f "/lib/modules/$KVER"
			[ -z "$made_dir" ] || rmdir /lib/modules
			[ -z "$made_cfg" ] || rm -f "/boot/config-$KVER"
			made_mod='' made_dir='' made_cfg=''
		}
		trap it_cleanup EXIT
		trap 'exit 1' INT TERM
		if [ ! -d /lib/modules ]; then
			mkdir /lib/modules && made_dir=1
		fi
		if [ ! -e "/lib/modules/$KVER" ]; then
			ln -s "$VM_MODULES_DIR" "/lib/modules/$KVER" && made_mod=1
		fi
		if [ ! -e "/boot/config-$KVER" ]; then
			cp "$VM_KMOD_ROOT/boot/config-$KVER" "/boot/config-$KVER" && made_cfg=1
		fi
		BOOTSEAL_LOADER=$ENF_LOADER BOOTSEAL_ETC=$etc \
			mkinitramfs -d "$conf" -o "$out.tmp" "$KVER" >&2 || rc=$?
		it_cleanup
		[ $rc -eq 0 ] || exit 1
		# mkinitramfs only warns when it finds no modules.
		lsinitramfs "$out.tmp" | grep -q '/virtio_blk\.ko' ||
			{ echo "mkinitramfs left out virtio_blk" >&2; exit 1; }
		mv "$out.tmp" "$out"
	) 9>"$out.lock" || _vm_die "mkinitramfs failed"
	touch "$out"
	printf '%s\n' "$out"
}

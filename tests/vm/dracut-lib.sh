# shellcheck shell=bash
# tests/vm/dracut-lib.sh: the initramfs images a user's machine would have,
# built by the real dracut (and mkinitramfs) from bootseal's installed
# hooks, for the dracut-* and initramfs-tools-* scenarios. Source it after
# enforcer-lib.sh.
#
#   dr_stage                 `meson install --destdir` of this build into
#                            $VM_WORK/stage (once per scenario); prints it
#   dr_keys                  the signing key pair every dracut scenario
#                            shares (kept machine-wide in
#                            $DR_BASE_CACHE/dracut-keys, so that equal
#                            configurations give one base image for every
#                            run and checkout), copied to $VM_WORK/keys for
#                            enf_seal. A test key: nothing outside the QEMU
#                            guests trusts it.
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
#                            from dr_stage and the loader of this build
#                            (see "Image cache" below), so scenarios with
#                            the same configuration share one image.
#   it_initramfs ETC_DIR     the same with initramfs-tools' mkinitramfs,
#                            from the installed hooks and scripts
#   dr_corrupt_slot IMG PART_OFFSET SLOT
#                            flip one payload bit of slot A or B of the
#                            bootseal partition at PART_OFFSET in IMG
#
# Image cache. dracut and mkinitramfs take 20-80 s per image, so an image
# is built in two parts:
#   base   what dracut/mkinitramfs make, kept machine-wide in
#          DR_BASE_CACHE=${BOOTSEAL_VM_CACHE:-/var/cache/bootseal-vm}/initramfs
#          as KIND-KEY.img. KEY hashes the kernel (KVER and its unpacked
#          tree), the kind and flavour, the installed dracut module and
#          initramfs-tools hook and scripts, ETC_DIR, INCLUDE_DIR, and what
#          the loader brings along, not its bytes: its DT_NEEDED names, the
#          sha256 of the libraries ldd resolves for it, and the versions of
#          dracut, initramfs-tools, busybox, kmod, udev, systemd, libc6 and
#          the other packages most of the image comes from. Other host
#          files the tools copy are not in KEY: after an unusual change to
#          the host, `rm -rf $DR_BASE_CACHE/*.img`.
#   final  base + a gzip member holding a newc archive with this build's
#          loader at /usr/sbin/bootseal-loader (root, 0755; stripped with
#          `strip -g -p` for dracut, as dracut strips),
#          kept per build in $VM_CACHE_DIR as KIND-KEY-LOADERSUM.img. The
#          kernel unpacks the concatenated archives in order and the later
#          loader replaces the base's (init/initramfs.c); lsinitrd and
#          lsinitramfs list the base part only.
# So a fresh checkout (CI) only appends its loader to bases an earlier run
# made. Each base and final image is made under a flock of its own
# (KEY.lock), written to a temporary name and renamed: parallel scenarios
# and two checkouts build each image once. mkinitramfs, which needs the
# kernel in /lib/modules and /boot, runs once at a time machine-wide.
# Bases are touched when used; those (and locks) unused for DR_BASE_DAYS
# (7) days are removed by the next image request.
#
# Every dracut scenario boots an initramfs configured like a careful
# user's: the policy from the bootseal partition or the running kernel's
# image, enforce mode, rollback floor 2.
DR_LOADER_CONF=("mode = enforce" "floor = 2")

# The machine-wide cache of base images (see the header).
DR_BASE_CACHE=${BOOTSEAL_VM_CACHE:-/var/cache/bootseal-vm}/initramfs
# Where the hooks put the loader in both kinds of image (module-setup.sh:
# inst_binary ... /usr/sbin/bootseal-loader; hooks/bootseal: copy_exec ...
# /usr/sbin/bootseal-loader). The overlay replaces exactly this file.
DR_LOADER_PATH=usr/sbin/bootseal-loader
# Base images (and their locks) unused for this many days are removed.
DR_BASE_DAYS=7

dr_stage() {
	local stage=$VM_WORK/stage
	if [ ! -d "$stage/usr/lib/dracut/modules.d/90bootseal" ]; then
		DESTDIR=$stage meson install -C "$VM_BUILDDIR" --no-rebuild --quiet >/dev/null ||
			_vm_die "meson install into $stage failed"
	fi
	printf '%s\n' "$stage"
}

dr_keys() {
	local d=$DR_BASE_CACHE/dracut-keys
	mkdir -p "$DR_BASE_CACHE" || _vm_die "cannot make $DR_BASE_CACHE (BOOTSEAL_VM_CACHE)"
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

# _dr_base_key KIND ETC_DIR EXTRA [INCLUDE_DIR]: the hash a base image is
# named by: what goes into the image apart from the loader's bytes.
_dr_base_key() {
	local kind=$1 etc=$2 extra=$3 include=${4-} stage
	stage=$(dr_stage)
	{
		echo "base-1 $KVER $VM_MODULES_DIR $kind $extra"
		tar -C "$stage" -cf - --sort=name --mtime=@0 --owner=0 --group=0 \
			usr/lib/dracut usr/share/initramfs-tools
		tar -C "$etc" -cf - --sort=name --mtime=@0 --owner=0 --group=0 .
		[ -z "$include" ] || tar -C "$include" -cf - --sort=name --mtime=@0 --owner=0 --group=0 .
		# What the loader brings along: the libraries dracut's inst_binary
		# and initramfs-tools' copy_exec copy (ldd, as both resolve them),
		# by name and content, so that a new dependency or an updated
		# library gives a new base.
		LC_ALL=C readelf -d "$ENF_LOADER" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'
		ldd "$ENF_LOADER" | sed -n 's/.* => \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) .*/\1/p' |
			LC_ALL=C sort -u | xargs -r sha256sum
		# The tools that build the image and the packages most of its files
		# come from (not every file: see the header).
		dpkg-query -W -f '${Package} ${Version}\n' dracut dracut-core initramfs-tools \
			initramfs-tools-core busybox busybox-static klibc-utils kmod udev systemd \
			libc6 bash coreutils util-linux libtss2-tcti-device0 2>/dev/null
	} | sha256sum | cut -c1-16
}

# _dr_expire: remove base images and locks no build used for DR_BASE_DAYS.
_dr_expire() {
	find "$DR_BASE_CACHE" -maxdepth 1 -type f \( -name '*.img' -o -name '*.lock' \) \
		-mtime +$((DR_BASE_DAYS - 1)) -delete 2>/dev/null || :
}

# _dr_overlay KIND BASE OUT: OUT = BASE followed by a gzip member holding a
# newc archive with this build's loader at DR_LOADER_PATH (root:root, 0755).
# The kernel unpacks concatenated archives in order, each part compressed
# or not (init/initramfs.c: unpack_to_rootfs), and a regular file replaces
# the earlier one of the same name (do_name: clean_path, then open with
# O_TRUNC). The overlay is compressed, not a plain cpio: the kernel takes
# both, but Debian's unmkinitramfs (lsinitramfs) cannot read a compressed
# archive followed by an uncompressed one, while gzip reads the two members
# as one stream (lsinitrd and lsinitramfs then list the base's archive).
# dracut strips what it installs (strip -g -p, or eu-strip when present):
# the dracut overlay's loader is stripped the same way, so each kind
# carries the bytes its tool would have put there.
_dr_overlay() {
	local kind=$1 base=$2 out=$3 dir strip
	dir=$(mktemp -d "$(_vm_cache_dir)/tmp/overlay.XXXXXX")
	mkdir -p "$dir/${DR_LOADER_PATH%/*}"
	cp "$ENF_LOADER" "$dir/$DR_LOADER_PATH"
	if [ "$kind" = dracut ]; then
		strip=$(command -v eu-strip || command -v strip) ||
			{ rm -rf "$dir"; _vm_die "no strip: dracut would have stripped the loader"; }
		"$strip" -g -p "$dir/$DR_LOADER_PATH" || { rm -rf "$dir"; _vm_die "$strip failed"; }
	fi
	chmod 0755 "$dir/$DR_LOADER_PATH"
	touch -d @0 "$dir/$DR_LOADER_PATH"
	# Both kinds are a single gzip stream at the end (dracut --compress
	# gzip, mkinitramfs COMPRESS=gzip; an early microcode cpio comes
	# first): one more member continues it.
	{
		cat "$base"
		printf '%s\n' "$DR_LOADER_PATH" |
			(cd "$dir" && cpio -o -H newc --reproducible --owner=0:0 --quiet) | gzip -n -1
	} >"$out.tmp.$$" || { rm -rf "$dir" "$out.tmp.$$"; _vm_die "making the loader overlay failed"; }
	rm -rf "$dir"
	mv -f "$out.tmp.$$" "$out"
}

# _dr_image KIND BASE_KEY BUILDER [ARGS...]: the path of the image of KIND
# for this build: the base DR_BASE_CACHE/KIND-BASE_KEY.img (made by
# `BUILDER OUT ARGS...` under the key's lock when missing) with this
# build's loader appended, kept in $VM_CACHE_DIR.
# dr_base KIND KEY BUILDER [ARGS...]: the path of DR_BASE_CACHE/KIND-KEY.img,
# made by `BUILDER OUT ARGS...` under the key's lock when missing.
dr_base() {
	local kind=$1 key=$2 builder=$3 base t0
	shift 3
	mkdir -p "$DR_BASE_CACHE" || _vm_die "cannot make $DR_BASE_CACHE (BOOTSEAL_VM_CACHE)"
	_dr_expire
	base=$DR_BASE_CACHE/$kind-$key.img
	(
		flock 9
		if [ -f "$base" ]; then
			_vm_say "${VM_WORK##*/}: $kind base image $key reused"
			exit 0
		fi
		t0=$(date +%s%N)
		"$builder" "$base.tmp.$$" "$@" || { rm -f "$base.tmp.$$"; exit 1; }
		# dracut writes 0600; other checkouts may run as other users.
		chmod 0644 "$base.tmp.$$"
		mv -f "$base.tmp.$$" "$base"
		_vm_say "${VM_WORK##*/}: $kind base image $key built in $((($(date +%s%N) - t0) / 1000000)) ms"
	) 9>"$base.lock" || _vm_die "$kind failed"
	touch "$base"
	printf '%s\n' "$base"
}

_dr_image() {
	local kind=$1 key=$2 builder=$3 base out lsum
	shift 3
	base=$(dr_base "$kind" "$key" "$builder" "$@")
	lsum=$(sha256sum <"$ENF_LOADER" | cut -c1-16)
	out=$(_vm_cache_dir)/$kind-$key-$lsum.img
	(
		flock 9
		[ -f "$out" ] || _dr_overlay "$kind" "$base" "$out"
	) 9>"$out.lock" || _vm_die "the $kind image with this build's loader failed"
	touch "$out"
	printf '%s\n' "$out"
}

dr_initramfs() {
	local etc=$1 flavour=${2:-classic} include=${3-} key
	command -v dracut >/dev/null || vm_skip "dracut is not installed (dracut-core)"
	key=$(_dr_base_key dracut "$etc" "$flavour" "$include") || _vm_die "cannot hash the dracut image's inputs"
	_dr_image dracut "$key" _dr_build_dracut "$etc" "$flavour" "$include"
}

# _dr_build_dracut OUT ETC_DIR FLAVOUR INCLUDE_DIR: run dracut.
_dr_build_dracut() {
	local out=$1 etc=$2 flavour=$3 include=$4 stage base mods
	local -a inc=()
	stage=$(dr_stage)
	[ -z "$include" ] || inc=(--include "$include" /)
	mods="base rootfs-block kernel-modules bootseal"
	[ "$flavour" = systemd ] && mods="systemd systemd-initrd $mods"
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
		--compress gzip "$out" >&2
}

it_initramfs() {
	local etc=$1 key
	command -v mkinitramfs >/dev/null || vm_skip "mkinitramfs is not installed (initramfs-tools-core)"
	key=$(_dr_base_key initramfs-tools "$etc" "") || _vm_die "cannot hash the initramfs-tools image's inputs"
	_dr_image initramfs-tools "$key" _dr_build_itools "$etc"
}

# _dr_build_itools OUT ETC_DIR: run mkinitramfs. It needs the kernel in
# /lib/modules and /boot, which every checkout on the machine shares: one
# mkinitramfs at a time machine-wide.
_dr_build_itools() {
	local out=$1 etc=$2 stage conf
	stage=$(dr_stage)
	conf=$VM_WORK/initramfs-tools
	(
		flock 8
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
			mkinitramfs -d "$conf" -o "$out" "$KVER" >&2 || rc=$?
		it_cleanup
		[ $rc -eq 0 ] || exit 1
		# mkinitramfs only warns when it finds no modules.
		lsinitramfs "$out" | grep -q '/virtio_blk\.ko' ||
			{ echo "mkinitramfs left out virtio_blk" >&2; exit 1; }
	) 8>"$DR_BASE_CACHE/mkinitramfs.lock"
}

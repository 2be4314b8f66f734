# shellcheck shell=bash
# tests/vm/dracut-lib.sh: initramfs images built by the real dracut from
# bootseal's installed dracut module, for the dracut-* scenarios. Source it
# after enforcer-lib.sh.
#
#   dr_stage                 `meson install --destdir` of this build into
#                            $VM_WORK/stage (once per scenario); prints it
#   dr_initramfs ETC_DIR     print the path of a dracut initramfs (classic,
#                            non-systemd: modules base rootfs-block
#                            kernel-modules bootseal) for the cached Debian
#                            kernel, with ETC_DIR as /etc/bootseal. Built with
#                            the installed module from dr_stage and the loader
#                            of this build; cached by content in
#                            $VM_CACHE_DIR, so scenarios with the same
#                            configuration share one image.

dr_stage() {
	local stage=$VM_WORK/stage
	if [ ! -d "$stage/usr/lib/dracut/modules.d/90bootseal" ]; then
		DESTDIR=$stage meson install -C "$VM_BUILDDIR" --no-rebuild --quiet >/dev/null ||
			_vm_die "meson install into $stage failed"
	fi
	printf '%s\n' "$stage"
}

dr_initramfs() {
	local etc=$1 stage hash out base
	stage=$(dr_stage)
	command -v dracut >/dev/null || vm_skip "dracut is not installed (dracut-core)"
	hash=$( {
		echo "$KVER"
		tar -C "$stage/usr/lib/dracut" -cf - --sort=name --mtime=@0 --owner=0 --group=0 modules.d/90bootseal
		tar -C "$etc" -cf - --sort=name --mtime=@0 --owner=0 --group=0 .
		cat "$ENF_LOADER"
	} | sha256sum | cut -c1-16)
	out=$(_vm_cache_dir)/dracut-$hash.img
	if [ ! -f "$out" ]; then
		# dracut reads its modules from dracutbasedir: Debian's own, plus
		# the module exactly as `meson install` put it.
		base=$VM_WORK/dracut-base
		rm -rf "$base"
		cp -a /usr/lib/dracut "$base"
		cp -a "$stage/usr/lib/dracut/modules.d/90bootseal" "$base/modules.d/"
		mkdir -p "$VM_WORK/dracut-confdir"
		BOOTSEAL_LOADER=$ENF_LOADER dracutbasedir=$base \
			dracut --force --quiet --no-hostonly --no-early-microcode \
			--conf /dev/null --confdir "$VM_WORK/dracut-confdir" \
			--modules "base rootfs-block kernel-modules bootseal" \
			--add-drivers "virtio_blk virtio_pci ext4" \
			--include "$etc" /etc/bootseal \
			--kver "$KVER" --kmoddir "$VM_MODULES_DIR" \
			--compress gzip "$out.tmp" >&2 || _vm_die "dracut failed"
		mv "$out.tmp" "$out"
	fi
	touch "$out"
	printf '%s\n' "$out"
}

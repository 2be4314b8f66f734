# debian-upgrade: the Debian 12 system of debian-dracut with initramfs-tools
# in dracut's place, and a kernel upgraded under a sealed policy the way
# docs/INSTALL.md, section 10, tells a user to:
#
#   1. the root's own update-initramfs (not dracut) regenerates the
#      initramfs with the loader, the key and loader.conf;
#   2. boot 1, under the maintenance generation (2): debian-server.policy in
#      permissive mode. apt-get installs a kernel package (Debian's cloud
#      flavour of the same ABI, copied in over ssh); its maintainer scripts
#      write /usr (mkdir, depmod), run update-initramfs, and the new
#      initramfs carries the loader; the audit log holds the writes the
#      locked policy refuses. The locked generation (3) goes into the
#      partition with `bootseal install`;
#      Then, still in the maintenance window, `apt-get remove bootseal`: the
#      package's trigger regenerates the initramfs without the loader, and
#      the units and programs are gone; `apt-get install` of the package
#      again, and its trigger puts the loader back (loader.conf and the key
#      outlived the removal);
#   3. boot 2, of the new kernel and the initramfs the guest made: the locked
#      generation is in force, /usr is closed to dpkg too, and `bootseal
#      mark-good` raises the floor past the maintenance generation.
#
# (Until 2026-12 a boot of the initramfs without the loader came between
# them. It showed a system with no enforcer, which the initramfs' contents
# already show, and cost 4 to 7 minutes of the CI run.)
#
# Shares debian-dracut's cached packages; its root (initramfs-tools) and the
# kernel package are cached beside them (debian-lib.sh).
. "$VM_SOURCE_ROOT/tests/vm/enforcer-lib.sh"
. "$VM_SOURCE_ROOT/tests/vm/debian-lib.sh"

[ "$(id -u)" -eq 0 ] || vm_skip "debian-upgrade needs root on the host (a chroot with apt and update-initramfs)"
for t in ssh ssh-keygen unshare apt-get; do
	command -v "$t" >/dev/null || vm_skip "$t not found (openssh-client, util-linux, apt)"
done

t_all=$(_deb_now)
roottar=$(deb_root "$DEB_ROOT_INCLUDE_ITOOLS")
debs=$(deb_packages)
_vm_say "debian-upgrade: packages and root ready in $(_deb_secs "$t_all") s"

# --- the root: unpack, install the package, configure (INSTALL.md 2, 4, 7) --
t=$(_deb_now)
root=$VM_WORK/root
mkdir -p "$root"
tar -C "$root" --numeric-owner --xattrs --xattrs-include='*' -xpf "$roottar"
[ -x "$root/usr/sbin/update-initramfs" ] || _vm_die "the root has no update-initramfs"
[ ! -e "$root/usr/bin/dracut" ] || _vm_die "the root has dracut: not the initramfs-tools root"
deb_configure "$root" debian-upgrade
mkdir -p "$root/root/debs"
cp "$debs"/bootseal_*.deb "$root/root/debs/"
# The package's trigger runs update-initramfs now; with no loader.conf yet
# its hook leaves the loader out (opt-in).
deb_chroot "$root" apt-get install -y -q --no-install-recommends \
	"/root/debs/$(cd "$debs" && echo bootseal_*.deb)" >"$VM_WORK/apt.log" 2>&1 ||
	{ tail -n 30 "$VM_WORK/apt.log" >&2; _vm_die "apt-get install of the bootseal package failed"; }
rm -rf "$root/root/debs"

kver=$(find "$root/usr/lib/modules" -mindepth 1 -maxdepth 1 -printf '%f\n' | head -n 1)
case $kver in *-amd64) ;; *) _vm_die "unexpected kernel $kver in the root" ;; esac
newk=${kver%-amd64}-cloud-amd64
kdeb=$(deb_download "linux-image-$newk")

deb_ssh_key "$root"

mkdir -p "$VM_WORK/keys"
"$ENF_SIGN" keygen "$VM_WORK/keys/site.pem" "$VM_WORK/keys/site.pub.pem" >/dev/null
install -D -m 0644 "$VM_WORK/keys/site.pub.pem" "$root/etc/bootseal/trusted.d/site.pem"
# No `mode` line: the policy's own mode decides, so that a permissive
# generation can open a maintenance window (INSTALL.md section 10).
printf 'source = partitions\nfloor = 1\non-failure = stop\n' >"$root/etc/bootseal/loader.conf"

t=$(_deb_now)
deb_chroot "$root" update-initramfs -u -k "$kver" >"$VM_WORK/update-initramfs.log" 2>&1 ||
	{ tail -n 30 "$VM_WORK/update-initramfs.log" >&2; _vm_die "update-initramfs in the root failed"; }
_vm_say "debian-upgrade: update-initramfs -u -k $kver in the root: $(_deb_secs "$t") s"
deb_chroot "$root" lsinitramfs "/boot/initrd.img-$kver" >"$VM_WORK/lsinitramfs.txt" 2>&1 || :
for f in usr/sbin/bootseal-loader etc/bootseal/trusted.d/site.pem etc/bootseal/loader.conf scripts/init-bottom/bootseal; do
	grep -qx "$f" "$VM_WORK/lsinitramfs.txt" || _vm_die "the initramfs update-initramfs made lacks $f"
done
kernel=$VM_WORK/vmlinuz
initrd=$VM_WORK/initrd.img
cp "$root/boot/vmlinuz-$kver" "$kernel"
cp "$root/boot/initrd.img-$kver" "$initrd"

# --- two generations of debian-server.policy (INSTALL.md section 10) -------
policy=$VM_SOURCE_ROOT/examples/debian-server.policy
grep -qx 'deny write subtree /usr' "$policy" || _vm_die "$policy has no line 'deny write subtree /usr'"
grep -qx 'mode enforce' "$policy" || _vm_die "$policy has no line 'mode enforce'"
sed -e 's/^generation 1$/generation 2/' -e 's/^mode enforce$/mode permissive/' \
	"$policy" >"$VM_WORK/maintenance.policy"
sed -e 's/^generation 1$/generation 3/' "$policy" >"$VM_WORK/locked.policy"
for p in maintenance locked; do
	"$ENF_SIGN" check "$VM_WORK/$p.policy" >/dev/null
	"$ENF_SIGN" seal --key "$VM_WORK/keys/site.pem" --output "$VM_WORK/$p.sealed" "$VM_WORK/$p.policy" >/dev/null
done
truncate -s 8M "$VM_WORK/part.img"
"$ENF_TOOL" format "$VM_WORK/part.img" >&2
"$ENF_TOOL" install --trust "$VM_WORK/keys/site.pub.pem" --device "$VM_WORK/part.img" "$VM_WORK/maintenance.sealed" >&2

disk=$VM_WORK/disk.img
deb_mkdisk "$disk" "$root" 2048
dd if="$VM_WORK/part.img" of="$disk" bs=1M seek=1 conv=notrunc status=none
rm -rf "$root"
_vm_say "debian-upgrade: ready to boot $(_deb_secs "$t_all") s after the start"

# --- boot 1: the maintenance generation, the upgrade ------------------------
log1=$VM_WORK/console-1.log
t=$(_deb_now)
deb_boot "$kernel" "$initrd" "$disk" "$log1" --writable --timeout 1200
deb_running
deb_check "boot 1: the maintenance generation is in force, permissive" \
	deb_ssh 'bootseal status | grep -q "generation 2" && bootseal status | grep -q "^mode: *permissive"'
deb_ssh 'cat >/root/kernel.deb' <"$kdeb"
# The new kernel's initramfs holds the drivers deb_configure listed
# (MODULES=list): under TCG, a MODULES=most image takes minutes.
t_up=$(_deb_now)
deb_check "boot 1: apt-get installs linux-image-$newk" \
	deb_ssh "apt-get install -y -q --no-install-recommends /root/kernel.deb >/root/apt.log 2>&1 || { tail -n 30 /root/apt.log; false; }"
_vm_say "debian-upgrade: the kernel package's installation took $(_deb_secs "$t_up") s"
deb_check "boot 1: its postinst ran update-initramfs, and the new initramfs carries the loader and the key" \
	deb_ssh "lsinitramfs /boot/initrd.img-$newk | grep -qx usr/sbin/bootseal-loader &&
		lsinitramfs /boot/initrd.img-$newk | grep -qx etc/bootseal/trusted.d/site.pem"
deb_check "boot 1: depmod wrote the new kernel's module index" \
	deb_ssh "[ -s /usr/lib/modules/$newk/modules.dep.bin ]"
deb_check "boot 1: the audit log holds the maintainer scripts' writes to /usr that the locked policy refuses" \
	deb_ssh 'bootseal audit | grep -qE "allowed write .* \((mkdir|depmod|dpkg), subject [0-9]+\): deny"'
deb_ssh 'cat >/root/locked.sealed' <"$VM_WORK/locked.sealed"
deb_check "boot 1: bootseal install puts the locked generation into the partition" \
	deb_ssh 'bootseal install --device /dev/disk/by-partlabel/bootseal /root/locked.sealed'
# The package's removal (INSTALL.md section 2), in the maintenance window:
# the trigger regenerates the newest kernel's initramfs without the loader.
deb_check "boot 1: apt-get remove bootseal removes the loader and the units" \
	deb_ssh "apt-get remove -y -q bootseal >/root/remove.log 2>&1 || { tail -n 30 /root/remove.log; false; }
		[ ! -e /usr/sbin/bootseal-loader ] && [ ! -e /usr/sbin/bootseal ] &&
		[ ! -e /lib/systemd/system/bootseal-seal.service ] && [ -s /etc/bootseal/loader.conf ]"
deb_check "boot 1: its trigger regenerated the initramfs without the loader" \
	deb_ssh "lsinitramfs /boot/initrd.img-$newk >/root/lsinitramfs.txt &&
		grep -qE '^(usr/)?lib/modules/$newk/modules.dep\$' /root/lsinitramfs.txt &&
		! grep -q bootseal /root/lsinitramfs.txt"
# The package again (INSTALL.md section 2): loader.conf and the key outlived
# the removal, and the trigger puts them and the loader back.
deb_ssh 'cat >/root/bootseal.deb' <"$(ls "$debs"/bootseal_*.deb)"
deb_check "boot 1: apt-get installs the package again" \
	deb_ssh "apt-get install -y -q --no-install-recommends /root/bootseal.deb >/root/apt2.log 2>&1 || { tail -n 30 /root/apt2.log; false; }"
deb_check "boot 1: its trigger put the loader, the key and loader.conf back into the initramfs" \
	deb_ssh "lsinitramfs /boot/initrd.img-$newk >/root/lsinitramfs.txt &&
		grep -qx usr/sbin/bootseal-loader /root/lsinitramfs.txt &&
		grep -qx etc/bootseal/trusted.d/site.pem /root/lsinitramfs.txt &&
		grep -qx etc/bootseal/loader.conf /root/lsinitramfs.txt"
deb_ssh "cat /boot/vmlinuz-$newk" >"$VM_WORK/vmlinuz-2" || :
deb_ssh "cat /boot/initrd.img-$newk" >"$VM_WORK/initrd-2.img" || :
deb_poweroff
_vm_say "debian-upgrade: boot 1 took $(_deb_secs "$t") s"
[ -s "$VM_WORK/vmlinuz-2" ] && [ -s "$VM_WORK/initrd-2.img" ] ||
	_vm_die "could not copy the new kernel and initramfs out of the guest"
vm_expect "$log1" "bootseal: policy 'debian-server' generation 2 in force, permissive mode" \
	"boot 1: the loader of the initramfs update-initramfs made put the policy in force"

# --- boot 2: the new kernel, the locked generation --------------------------
log2=$VM_WORK/console-2.log
t=$(_deb_now)
deb_boot "$VM_WORK/vmlinuz-2" "$VM_WORK/initrd-2.img" "$disk" "$log2" --writable --timeout 900
deb_running
deb_check "boot 2: the new kernel runs" deb_ssh "[ \"\$(uname -r)\" = $newk ]"
deb_check "boot 2: the locked generation is in force" \
	deb_ssh 'bootseal status | grep -q "generation 3"'
deb_check "boot 2: dpkg cannot write /usr any more" \
	deb_ssh '! dpkg -i /root/kernel.deb >/dev/null 2>&1 && bootseal audit | grep -q "denied write .*(dpkg"'
deb_check "boot 2: nor remove the package" \
	deb_ssh '! apt-get remove -y -q bootseal >/dev/null 2>&1; [ -x /usr/sbin/bootseal-loader ] && [ -x /usr/sbin/bootseal ]'
deb_check "boot 2: root cannot write /etc/shadow" deb_ssh '! sh -c "echo x >>/etc/shadow" 2>/dev/null'
deb_check "boot 2: root cannot load a module with modprobe" deb_ssh '! modprobe dummy'
deb_check "boot 2: bootseal mark-good raises the floor past the maintenance generation" \
	deb_ssh 'bootseal mark-good /dev/disk/by-partlabel/bootseal >/dev/null &&
		bootseal slots /dev/disk/by-partlabel/bootseal | grep -q "rollback floor 3"'
deb_poweroff
_vm_say "debian-upgrade: boot 2 took $(_deb_secs "$t") s; the whole scenario $(_deb_secs "$t_all") s"
vm_expect "$log2" "bootseal: policy 'debian-server' generation 3 in force, enforce mode" \
	"boot 2: the loader of the initramfs the guest made put the locked generation in force"
[ "$DEB_FAIL" -eq 0 ] || _vm_die "some checks failed (above)"

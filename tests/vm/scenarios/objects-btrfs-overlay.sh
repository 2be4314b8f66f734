# objects-btrfs-overlay: roots whose files the enforcer cannot identify.
# On btrfs, stat reports a subvolume's anonymous device; on overlayfs a
# file's real filesystem's: neither is the superblock device the enforcer
# reads, so a path rule there would never match, and a program there would
# never be known as the subject a rule names. Four boots of the busybox
# initramfs:
#   1. a btrfs root (mkfs.btrfs --rootdir) with an enforce policy holding
#      an exception (`except /usr/lib/writer/busybox`, a program on that
#      root) and `deny write path /etc/protected`: the loader names both
#      rules and the filesystem, installs nothing, and the boot stops before
#      init (the first such rule is on the stop line);
#   2. its twin: the same root with a policy of rules that hold there
#      (module-load any, mount fstype). It is in force: a module load and a
#      ramfs mount are refused, a tmpfs mount and a write on the root work;
#   3. and 4. the same two policies on an overlay root (lower: the ext4
#      root partition, read-only; upper: a tmpfs), as live and read-only
#      root systems boot;
#   5. a FAT filesystem the initramfs mounts on /boot/efi before the
#      loader runs. FAT numbers an inode when the kernel reads it, so a
#      file dropped from the cache and read again has another number; only
#      its root directory keeps one. An enforce policy with `deny write
#      subtree /boot/efi` (the root: held) is in force: writing a file
#      there is refused, and still refused once the kernel has dropped the
#      file from its cache and given it another number; a write on the
#      root filesystem works. In the same guest the loader (--dry-run)
#      checks a policy with `deny write path /boot/efi/EFI/file`, `deny
#      write subtree /boot/efi/EFI` (not the root) and `deny write path
#      /boot/efi/later` (a name in the root, which FAT looks up ignoring
#      case): it names the three rules and the filesystem, not the subtree
#      rule on the root, and exits 7, as an enforce-mode boot would stop.
#      A second FAT filesystem, an ESP-like disk the fstab mounts on
#      /boot/esp by its serial (UUID=XXXX-XXXX) after the loader, under
#      `deny write subtree /boot/esp`: FAT keeps no UUID in its superblock,
#      so the loader places it by its device. Mounted there (as systemd
#      would), a write in it is refused; mounted a second time elsewhere,
#      a write through that mount is refused too (twins: it is read there;
#      a FAT filesystem made in the guest, which the fstab does not name,
#      is written, but refused the ESP's place).
#   6. a root whose ext4 lets a directory ignore case in its names
#      (casefold, chattr +F on an empty directory). The enforcer compares
#      names byte for byte: in such a directory "SECRET" is the entry the
#      names map knows as "secret" without matching it. An enforce policy
#      with `deny write path /srv/names/secret` (a name with no file, in an
#      empty directory) is in force: making /srv/names ignore case is
#      refused, and so is creating the name; its twin /srv/free, which
#      holds no protected name, is made to ignore case ("MiXeD" is then
#      read as "mixed"). In the same guest the loader (--dry-run) checks a
#      policy with `deny write path /srv/free/later` (now in a directory
#      that ignores case) and `deny write path /proc/sys/kernel/hostname`
#      (proc numbers an inode each time it makes one: not a filesystem
#      known to keep its numbers): it names both and exits 7; a rule on
#      a plain directory of the same root is not named.
#      A second casefold-capable ext4 (an empty root) the fstab mounts on
#      /srv/place by its UUID, under `deny write path /srv/place/secret`:
#      once mounted there, making its root ignore case is refused, through
#      the place, through a detached copy of the mount (open_tree), and
#      through a second mount elsewhere. A third one goes on /srv/later,
#      an fstab mount point (`LABEL=absent`) no device had at boot, under
#      `deny write path /srv/later/secret`: it is not placed, but making
#      its root ignore case is refused all the same, through its mount
#      point, a detached copy and a second mount (the root of a filesystem
#      that can ignore case keeps its flags); a directory below that root
#      is made to ignore case (twin). Another such mount point,
#      /srv/later2, takes only a whole filesystem whose root does not
#      ignore case: a bind of a directory below that filesystem's root
#      (mount(2) and open_tree) is refused there, and so is a fourth
#      casefold-capable ext4 whose root was made to ignore case offline
#      (debugfs), which mounts elsewhere (twins), and a FAT filesystem
#      and a tmpfs (not of the ext4 its fstab line names; each mounts
#      elsewhere). /srv/later3, whose line names an xfs no device had at
#      boot, takes no ASCII-CI xfs (below) and takes a plain one (twin).
#      An xfs line by a UUID no device has at boot leaves its names
#      in force, takes no ext4 given that UUID (a loop device over a
#      file; it mounts elsewhere), and that place takes no tmpfs, not even by a mount(2)
#      whose system call number has bit 32 set (the kernel runs the low
#      32 bits) or by the 32-bit entry (int $0x80); the twins mount
#      elsewhere those ways.
#      An xfs made with ASCII case-insensitive names (mkfs.xfs -n
#      version=ci), mounted on /srv/xci: the loader's check names
#      `deny write path /srv/xci/later` too; and, from the superblock of
#      the same device, which an fstab line mounts on /srv/xcil later (by
#      its UUID), `deny write path /srv/xcil/later`.
#      An fstab line of type `auto` whose device holds an ext4 when the
#      loader runs, with `deny write path /srv/lauto/secret`: the ext4
#      stands for the line (before, a name there stopped the install as
#      one on a filesystem of unknown type); it is mounted and written
#      there, its protected name is held. Around it, as root would try:
#      a tmpfs mounted there first (refused; the ext4 then mounts), the
#      protected name through a second mount of the ext4 elsewhere
#      (refused; another file there is written), and a raw write of its
#      device (refused; a raw read of it is not).
. "$VM_SOURCE_ROOT/tests/vm/enforcer-lib.sh"

cat >"$VM_WORK/refused.policy" <<'POLICY'
policy "vm-unidentifiable"
generation 1
mode enforce
deny module-load any
deny mount fstype ramfs except /usr/lib/writer/busybox
deny write path /etc/protected
POLICY
cat >"$VM_WORK/held.policy" <<'POLICY'
policy "vm-fs-rules"
generation 1
mode enforce
deny module-load any
deny mount fstype ramfs
POLICY
enf_seal "$VM_WORK/refused.policy" "$VM_WORK/refused.sealed"
enf_seal "$VM_WORK/held.policy" "$VM_WORK/held.sealed"

cat >"$VM_WORK/init" <<'EOF'
#!/bin/sh
. /lib/vm-test.sh
say "init ran"
say "root fs $(awk '$2 == "/" { t = $3 } END { print t }' /proc/mounts)"
try insmod insmod /lib/extra/dummy.ko
try mount-ramfs mount -t ramfs none /mnt/free
try mount-tmpfs mount -t tmpfs none /mnt/free2
try root-write sh -c 'echo written >/root/new && grep -q written /root/new'
finish
EOF

enf_guest_tree "$VM_WORK/tree"
btrfs_disk=$(vm_build_disk --init "$VM_WORK/init" --dir "$VM_WORK/tree:/" --root-fs btrfs --root-size 160)
ext4_disk=$(vm_build_disk --init "$VM_WORK/init" --dir "$VM_WORK/tree:/")

perm='Operation not permitted'
note="whose files the enforcer cannot identify \\(stat's device is not the filesystem's\\)"

# boot NAME SEALED FS DISK APPEND [VM_BOOT ARGS...]: one boot of DISK under
# the policy SEALED, its console in $VM_WORK/NAME.log.
boot() {
	local name=$1 sealed=$2 fs=$3 disk=$4 append=$5 initrd
	shift 5
	ENF_INITRAMFS_MODULES=$fs
	initrd=$(enf_initramfs "$sealed")
	vm_boot --initrd "$initrd" --disk "$disk" --log "$VM_WORK/$name.log" --timeout 300 --append "$append" "$@"
}

# refused LOG FS-WORDS: the loader names the rule and the filesystem and the
# boot stops.
refused() {
	local log=$1 fs=$2
	vm_expect "$log" "bootseal: rule 3 \\(deny write path /etc/protected\\): /etc/protected is on $fs filesystem, $note: the rule cannot be enforced" \
		"$fs root: the loader names the path rule and the filesystem"
	vm_expect "$log" "bootseal: boot stopped: /usr/sbin/bootseal-loader exited with status 7: bootseal: rule 2 \\(deny mount fstype ramfs except /usr/lib/writer/busybox\\): /usr/lib/writer/busybox is on $fs filesystem, $note; enforce mode does not install a policy with a rule it cannot enforce" \
		"$fs root: the loader names the exception's program and the filesystem, and the boot stops"
	vm_expect_not "$log" '^TEST: init ran' "$fs root: init never ran"
	vm_expect_not "$log" "in force, enforce mode" "$fs root: no policy is in force"
}

# held LOG FS-WORDS FSTYPE: the twin policy is in force on that root.
held() {
	local log=$1 fs=$2 type=$3
	vm_expect "$log" "bootseal: policy 'vm-fs-rules' generation 1 in force, enforce mode" "$fs root: the twin policy is in force"
	vm_expect "$log" "^TEST: root fs $type\$" "the root is $type"
	vm_expect "$log" "^TEST: insmod out=.*$perm" "$fs root: a module load is refused"
	# busybox mount says EPERM so.
	vm_expect "$log" "^TEST: mount-ramfs out=mount: permission denied" "$fs root: a ramfs mount is refused"
	vm_expect "$log" '^TEST: mount-tmpfs rc=0' "$fs root: a tmpfs mount works"
	vm_expect "$log" '^TEST: root-write rc=0' "$fs root: the root is written"
	vm_expect "$log" '^TEST: init done' "$fs root: init ran to its end"
}

boot btrfs-refused "$VM_WORK/refused.sealed" btrfs "$btrfs_disk" rootfstype=btrfs
refused "$VM_WORK/btrfs-refused.log" "a btrfs"
boot btrfs-held "$VM_WORK/held.sealed" btrfs "$btrfs_disk" rootfstype=btrfs
held "$VM_WORK/btrfs-held.log" "a btrfs" btrfs

boot overlay-refused "$VM_WORK/refused.sealed" overlay "$ext4_disk" vm.overlayroot
refused "$VM_WORK/overlay-refused.log" "an overlay"
boot overlay-held "$VM_WORK/held.sealed" overlay "$ext4_disk" vm.overlayroot
held "$VM_WORK/overlay-held.log" "an overlay" overlay
vm_expect "$VM_WORK/overlay-held.log" "mounted on /lower, an overlay of it on /newroot" "the root is an overlay"

# check_tree TREE SEALED: the loader and bootseal in TREE, with a config
# in /etc/bs-check that checks SEALED, for the guest's own
# `bootseal-loader --root / --config /etc/bs-check/loader.conf --dry-run`.
check_tree() {
	local t=$1 sealed=$2
	mkdir -p "$t/usr/sbin" "$t/etc/bs-check/trusted.d"
	enf_copy_program "$ENF_LOADER" "$t/usr/sbin/bootseal-loader"
	enf_copy_program "$ENF_TOOL" "$t/usr/sbin/bootseal"
	cp "$VM_WORK/keys/vm.pub.pem" "$t/etc/bs-check/trusted.d/vm.pem"
	cp "$sealed" "$t/etc/bs-check/policy.sealed"
	printf '%s\n' "source = file /etc/bs-check/policy.sealed" "trust = /etc/bs-check/trusted.d" \
		>"$t/etc/bs-check/loader.conf"
}

# 5. FAT: whose inode numbers are not kept.
cat >"$VM_WORK/fat-held.policy" <<'POLICY'
policy "vm-fat-root"
generation 1
mode enforce
deny write subtree /boot/efi
deny write subtree /boot/esp
POLICY
cat >"$VM_WORK/fat-refused.policy" <<'POLICY'
policy "vm-fat-files"
generation 1
mode enforce
deny write path /boot/efi/EFI/file
deny write subtree /boot/efi/EFI
deny write path /boot/efi/later
deny write subtree /boot/efi
POLICY
enf_seal "$VM_WORK/fat-held.policy" "$VM_WORK/fat-held.sealed"
enf_seal "$VM_WORK/fat-refused.policy" "$VM_WORK/fat-refused.sealed"

cat >"$VM_WORK/fat-init" <<'EOF'
#!/bin/sh
. /lib/vm-test.sh
say "init ran"
say "efi fs $(awk '$2 == "/boot/efi" { t = $3 } END { print t }' /proc/mounts)"
before=$(stat -c %i /boot/efi/EFI/file)
try fat-write sh -c 'echo more >>/boot/efi/EFI/file'
# The file's inode leaves the cache: read again, it is numbered anew.
sync
echo 3 >/proc/sys/vm/drop_caches
after=$(stat -c %i /boot/efi/EFI/file)
if [ "$before" != "$after" ]; then say "fat inode renumbered"; else say "fat inode kept $before"; fi
try fat-write-again sh -c 'echo more >>/boot/efi/EFI/file'
try fat-create sh -c 'echo new >/boot/efi/EFI/new'
try fat-read grep -q 'fat content' /boot/efi/EFI/file
try root-write sh -c 'echo written >/root/new && grep -q written /root/new'
# The ESP, mounted from the fstab as systemd would, then a second time;
# first another FAT filesystem (on a loop device) on the ESP's place.
mkdir -p /mnt/esp2 /mnt/other
dd if=/dev/zero of=/tmp/other.img bs=1M count=8 2>/dev/null && mkdosfs /tmp/other.img >/dev/null
try other-on-esp mount -t vfat -o loop /tmp/other.img /boot/esp
try esp-mount mount -t vfat /dev/vdb /boot/esp
try esp-write sh -c 'echo new >/boot/esp/new'
try esp-mount-again mount -t vfat /dev/vdb /mnt/esp2
try esp-write-again sh -c 'echo new >/mnt/esp2/new'
try esp-read-again ls /mnt/esp2
try other-fat sh -c 'mount -t vfat -o loop /tmp/other.img /mnt/other && echo new >/mnt/other/new'
bootseal audit | grep 'not placed there' | sed 's/^/TEST: audit: /'
/usr/sbin/bootseal-loader --root / --config /etc/bs-check/loader.conf --dry-run >/tmp/check.log 2>&1
say "check rc=$?"
grep 'bootseal: rule' /tmp/check.log | while read -r line; do say "check: $line"; done
finish
EOF

mkdir -p "$VM_WORK/fat-tree/boot/esp" "$VM_WORK/fat-tree/etc"
rm -f "$VM_WORK/esp.img"
truncate -s 8M "$VM_WORK/esp.img"
busybox mkdosfs -n ESP "$VM_WORK/esp.img" >/dev/null || _vm_die "cannot make the ESP's FAT filesystem"
esp_serial=$(blkid -p -o value -s UUID "$VM_WORK/esp.img") || _vm_die "blkid cannot read the ESP's serial"
printf '%s\n' '/dev/vda2 / ext4 defaults 0 1' "UUID=$esp_serial /boot/esp vfat defaults 0 0" \
	>"$VM_WORK/fat-tree/etc/fstab"
check_tree "$VM_WORK/fat-tree" "$VM_WORK/fat-refused.sealed"
mapfile -t loader_libs < <(enf_lib_files "$ENF_LOADER" "$ENF_TOOL")
fat_disk=$(vm_build_disk --init "$VM_WORK/fat-init" --dir "$VM_WORK/fat-tree:/" "${loader_libs[@]}" --root-size 96)
boot fat-held "$VM_WORK/fat-held.sealed" "loop vfat nls_cp437 nls_ascii nls_utf8" "$fat_disk" vm.fat=/boot/efi \
	--qemu-arg -drive --qemu-arg "file=$VM_WORK/esp.img,if=virtio,format=raw,snapshot=on"
log=$VM_WORK/fat-held.log
vm_expect "$log" "a FAT filesystem mounted on /newroot/boot/efi" "the initramfs mounts a FAT filesystem on /boot/efi"
vm_expect "$log" "bootseal: policy 'vm-fat-root' generation 1 in force, enforce mode" \
	"a subtree rule on the FAT filesystem's root is held"
vm_expect "$log" '^TEST: efi fs vfat$' "/boot/efi is FAT"
vm_expect "$log" "^TEST: fat-write out=.*$perm" "writing a file on the FAT filesystem is refused"
vm_expect "$log" '^TEST: fat inode renumbered$' "the file has another inode number once the kernel read it again"
vm_expect "$log" "^TEST: fat-write-again out=.*$perm" "with its new number, writing it is still refused"
vm_expect "$log" "^TEST: fat-create out=.*$perm" "creating a file there is refused"
vm_expect "$log" '^TEST: fat-read rc=0' "reading it works"
vm_expect "$log" "bootseal: fill: .* 1 later filesystems placed" "the ESP the fstab names is placed (by its device)"
vm_expect "$log" '^TEST: other-on-esp out=.*permission denied' "another FAT filesystem is refused the ESP's place"
vm_expect "$log" "^TEST: audit: .*a mount on a filesystem.s place of what is not placed there" "the audit says the refusal is the place's"
vm_expect "$log" '^TEST: esp-mount rc=0' "the ESP is mounted on its place"
vm_expect "$log" "^TEST: esp-write out=.*$perm" "writing in the ESP on its place is refused"
vm_expect "$log" '^TEST: esp-mount-again rc=0' "the ESP is mounted a second time elsewhere"
vm_expect "$log" "^TEST: esp-write-again out=.*$perm" "writing in it through the second mount is refused"
vm_expect "$log" '^TEST: esp-read-again rc=0' "it is read through the second mount"
vm_expect "$log" '^TEST: other-fat rc=0' "a FAT filesystem the fstab does not name is written"
vm_expect "$log" '^TEST: root-write rc=0' "a write on the root filesystem works"
fatnote="is on a FAT filesystem, whose inode numbers change when the kernel drops a file from its cache and whose names ignore case, so the enforcer cannot identify its files \\(a subtree rule on its mount point can be enforced\\)"
vm_expect "$log" "^TEST: check: bootseal: rule 1 \\(deny write path /boot/efi/EFI/file\\): /boot/efi/EFI/file $fatnote: the rule cannot be enforced" \
	"the loader names a path rule on a FAT file and the filesystem"
vm_expect "$log" "^TEST: check: bootseal: rule 2 \\(deny write subtree /boot/efi/EFI\\): /boot/efi/EFI $fatnote: the rule cannot be enforced" \
	"the loader names a subtree rule below the FAT root and the filesystem"
vm_expect "$log" "^TEST: check: bootseal: rule 3 \\(deny write path /boot/efi/later\\): /boot/efi/later $fatnote: the rule cannot be enforced" \
	"the loader names a name with no file in the FAT root (FAT's lookups ignore case)"
vm_expect_not "$log" "^TEST: check: bootseal: rule 4 " "the subtree rule on the FAT root is not named"
vm_expect "$log" '^TEST: check rc=7$' "enforce mode would install nothing (status 7)"
vm_expect "$log" '^TEST: init done' "FAT: init ran to its end"

# 6. casefold: a directory whose names ignore case.
cat >"$VM_WORK/cf-held.policy" <<'POLICY'
policy "vm-casefold"
generation 1
mode enforce
deny write path /srv/names/secret
deny write path /srv/place/secret
deny write path /srv/later/secret
deny write path /srv/later2/secret
deny write path /srv/later3/secret
deny write path /srv/xabs/secret
deny write path /srv/lauto/secret
POLICY
cat >"$VM_WORK/cf-check.policy" <<'POLICY'
policy "vm-casefold-check"
generation 1
mode enforce
deny write path /srv/free/later
deny write path /proc/sys/kernel/hostname
deny write path /srv/plain/later
deny write path /srv/xci/later
deny write path /srv/xcil/later
POLICY
enf_seal "$VM_WORK/cf-held.policy" "$VM_WORK/cf-held.sealed"
enf_seal "$VM_WORK/cf-check.policy" "$VM_WORK/cf-check.sealed"

cat >"$VM_WORK/cf-init" <<'EOF'
#!/bin/sh
. /lib/vm-test.sh
say "init ran"
mount -t proc proc /proc 2>/dev/null
try cf-names bs-probe casefold /srv/names
try cf-create sh -c 'echo x >/srv/names/secret'
try cf-free bs-probe casefold /srv/free
try cf-free-works sh -c 'echo x >/srv/free/MiXeD && cat /srv/free/mixed'
mkdir -p /mnt/place2 /mnt/other
try cf-place-mount mount -t ext4 /dev/vdb /srv/place
try cf-place bs-probe casefold /srv/place
try cf-place-clone bs-probe casefold-clone /srv/place
try cf-place-again sh -c 'mount -t ext4 /dev/vdb /mnt/place2 && bs-probe casefold /mnt/place2'
try cf-later-mount mount -t ext4 /dev/vdc /srv/later
try cf-later bs-probe casefold /srv/later
try cf-later-clone bs-probe casefold-clone /srv/later
try cf-later-again sh -c 'mount -t ext4 /dev/vdc /mnt/other && bs-probe casefold /mnt/other'
try cf-later-sub sh -c 'mkdir /mnt/other/sub && bs-probe casefold /mnt/other/sub && echo x >/mnt/other/sub/MiXeD && cat /mnt/other/sub/mixed'
mkdir -p /mnt/other/sub2 /mnt/bound /mnt/cased
try cf-bind-sub mount --bind /mnt/other/sub2 /srv/later2
try cf-tree-sub bs-probe tree-mount /mnt/other/sub2 /srv/later2
try cf-bind-free mount --bind /mnt/other/sub2 /mnt/bound
try cf-cased-root mount -t ext4 /dev/vde /srv/later2
try cf-cased-free sh -c 'mount -t ext4 /dev/vde /mnt/cased && echo x >/mnt/cased/MiXeD && cat /mnt/cased/mixed'
try xci-mount mount -t xfs /dev/vdd /srv/xci
mkdir -p /mnt/fat
try fat-names mount -t vfat /dev/vdf /srv/later2
try fat-free mount -t vfat /dev/vdf /mnt/fat
try tmpfs-names mount -t tmpfs tmpfs /srv/later2
say "kallsyms: $(grep -c ' xfs_vn_ci_lookup' /proc/kallsyms)"
try xci-names mount -t xfs /dev/vdd /srv/later3
try xfs-names sh -c 'mount -t xfs /dev/vdg /srv/later3 && echo x >/srv/later3/other && cat /srv/later3/other'
try xfs-names-secret sh -c 'echo x >/srv/later3/secret'
mkdir -p /mnt/hifree
try hi-place bs-probe mount-hi tmpfs /srv/xabs
try hi-free bs-probe mount-hi tmpfs /mnt/hifree
mkdir -p /mnt/int80free /mnt/u3
try copy-place mount -t ext4 -o loop /root/u3.img /srv/xabs
try copy-free mount -t ext4 -o loop /root/u3.img /mnt/u3
try int80-place bs-probe mount-int80 tmpfs /srv/xabs
try int80-free bs-probe mount-int80 tmpfs /mnt/int80free
try auto-tmpfs mount -t tmpfs tmpfs /srv/lauto
try auto-mount sh -c 'mount -t ext4 /dev/vdh /srv/lauto && echo x >/srv/lauto/other && cat /srv/lauto/other'
try auto-secret sh -c 'echo x >/srv/lauto/secret'
mkdir -p /mnt/lauto2
try auto-second sh -c 'mount -t ext4 /dev/vdh /mnt/lauto2 && echo y >/mnt/lauto2/other2'
try auto-second-secret sh -c 'echo x >/mnt/lauto2/secret'
try auto-raw-write dd if=/dev/zero of=/dev/vdh bs=512 count=1 seek=2000 conv=notrunc
try auto-raw-read dd if=/dev/vdh of=/dev/null bs=512 count=1
bootseal audit | grep 'a directory above a protected name' | sed 's/^/TEST: audit: /'
/usr/sbin/bootseal-loader --root / --config /etc/bs-check/loader.conf --dry-run >/tmp/check.log 2>&1
say "check rc=$?"
grep 'bootseal: rule' /tmp/check.log | while read -r line; do say "check: $line"; done
finish
EOF

rm -rf "$VM_WORK/cf-tree"
enf_guest_tree "$VM_WORK/cf-tree"
mkdir -p "$VM_WORK/cf-tree/srv/names" "$VM_WORK/cf-tree/srv/free" "$VM_WORK/cf-tree/srv/plain" \
	"$VM_WORK/cf-tree/srv/place" "$VM_WORK/cf-tree/srv/xci" "$VM_WORK/cf-tree/srv/later" "$VM_WORK/cf-tree/srv/xcil" \
	"$VM_WORK/cf-tree/srv/later2" "$VM_WORK/cf-tree/srv/later3" "$VM_WORK/cf-tree/srv/xabs" \
	"$VM_WORK/cf-tree/srv/lauto"
# An ext4 given the UUID of the xfs line no device has, as a file (no
# device the loader could find), for a loop mount after boot.
mkdir -p "$VM_WORK/cf-tree/root"
truncate -s 4M "$VM_WORK/cf-tree/root/u3.img"
mkfs.ext4 -q -F -U c0ffee00-0000-4000-8000-00000000cf03 "$VM_WORK/cf-tree/root/u3.img" >&2 ||
	_vm_die "cannot make the ext4 copy of the xfs place's UUID"
check_tree "$VM_WORK/cf-tree" "$VM_WORK/cf-check.sealed"
# The placed filesystem (a fixed UUID in the fstab) and its unnamed twin.
place_uuid=c0ffee00-0000-4000-8000-00000000cf01
for img in cf-place cf-other cf-cased cf-auto; do
	rm -f "$VM_WORK/$img.img"
	truncate -s 16M "$VM_WORK/$img.img"
done
mkfs.ext4 -q -F -O casefold -E encoding=utf8 -U "$place_uuid" "$VM_WORK/cf-place.img" >&2 ||
	_vm_die "cannot make the placed casefold-capable ext4"
mkfs.ext4 -q -F -O casefold -E encoding=utf8 "$VM_WORK/cf-other.img" >&2 ||
	_vm_die "cannot make the other casefold-capable ext4"
mkfs.ext4 -q -F -O casefold -E encoding=utf8 "$VM_WORK/cf-cased.img" >&2 ||
	_vm_die "cannot make the casefold-capable ext4 whose root ignores case"
mkfs.ext4 -q -F "$VM_WORK/cf-auto.img" >&2 || _vm_die "cannot make the ext4 of the auto line"
rm -f "$VM_WORK/xci.img" "$VM_WORK/xplain.img"
truncate -s 300M "$VM_WORK/xci.img"
truncate -s 300M "$VM_WORK/xplain.img"
mkfs.xfs -q -f "$VM_WORK/xplain.img" >&2 || _vm_die "cannot make a plain xfs"
rm -f "$VM_WORK/cf-fat.img"
truncate -s 16M "$VM_WORK/cf-fat.img"
busybox mkdosfs "$VM_WORK/cf-fat.img" >/dev/null || _vm_die "cannot make a FAT filesystem"
xci_uuid=c0ffee00-0000-4000-8000-00000000cf02
mkfs.xfs -q -f -n version=ci -m uuid="$xci_uuid" "$VM_WORK/xci.img" >&2 || _vm_die "cannot make an ASCII-CI xfs"
# An empty root, as casefold needs: without lost+found.
for img in cf-place cf-other cf-cased; do
	debugfs -w -R 'rmdir lost+found' "$VM_WORK/$img.img" >/dev/null 2>&1 ||
		_vm_die "debugfs cannot remove lost+found from $img.img"
done
# EXT4_CASEFOLD_FL added to that root's flags, as chattr +F would add it.
root_flags=$(debugfs -R 'stat <2>' "$VM_WORK/cf-cased.img" 2>/dev/null | sed -n 's/.*Flags: \(0x[0-9a-f]*\).*/\1/p')
[ -n "$root_flags" ] || _vm_die "debugfs cannot read the flags of the root of cf-cased.img"
debugfs -w -R "set_inode_field <2> flags $(printf '0x%x' $((root_flags | 0x40000000)))" "$VM_WORK/cf-cased.img" \
	>/dev/null 2>&1 || _vm_die "debugfs cannot set casefold on the root of cf-cased.img"
printf '%s\n' '/dev/vda2 / ext4 defaults 0 1' "UUID=$place_uuid /srv/place ext4 defaults 0 2" \
	'LABEL=absent /srv/later ext4 defaults 0 2' "UUID=$xci_uuid /srv/xcil xfs defaults 0 2" \
	'LABEL=absent2 /srv/later2 ext4 defaults 0 2' 'UUID=c0ffee00-0000-4000-8000-00000000cf03 /srv/xabs xfs defaults 0 2' \
	'LABEL=absent3 /srv/later3 xfs defaults 0 2' '/dev/vdh /srv/lauto auto defaults 0 2' \
	>"$VM_WORK/cf-tree/etc/fstab"
cf_disk=$(vm_build_disk --init "$VM_WORK/cf-init" --dir "$VM_WORK/cf-tree:/" "${loader_libs[@]}" --root-size 96 \
	--root-fs ext4-casefold)
boot cf-held "$VM_WORK/cf-held.sealed" "xfs vfat nls_cp437 nls_ascii nls_utf8 loop" "$cf_disk" "" \
	--qemu-arg -drive --qemu-arg "file=$VM_WORK/cf-place.img,if=virtio,format=raw,snapshot=on" \
	--qemu-arg -drive --qemu-arg "file=$VM_WORK/cf-other.img,if=virtio,format=raw,snapshot=on" \
	--qemu-arg -drive --qemu-arg "file=$VM_WORK/xci.img,if=virtio,format=raw,snapshot=on" \
	--qemu-arg -drive --qemu-arg "file=$VM_WORK/cf-cased.img,if=virtio,format=raw,snapshot=on" \
	--qemu-arg -drive --qemu-arg "file=$VM_WORK/cf-fat.img,if=virtio,format=raw,snapshot=on" \
	--qemu-arg -drive --qemu-arg "file=$VM_WORK/xplain.img,if=virtio,format=raw,snapshot=on" \
	--qemu-arg -drive --qemu-arg "file=$VM_WORK/cf-auto.img,if=virtio,format=raw,snapshot=on"
log=$VM_WORK/cf-held.log
vm_expect "$log" "bootseal: policy 'vm-casefold' generation 1 in force, enforce mode" \
	"a name in a directory that does not ignore case is held"
vm_expect "$log" "^TEST: cf-names out=.*FS_IOC_SETFLAGS: $perm" \
	"making the directory of a protected name ignore case is refused"
vm_expect "$log" "^TEST: audit: .*a directory above a protected name" "the audit says the refusal is the name's"
vm_expect "$log" "^TEST: cf-create out=.*$perm" "creating the protected name is refused"
vm_expect "$log" '^TEST: cf-free rc=0' "a directory that holds no protected name is made to ignore case"
vm_expect "$log" '^TEST: cf-free-works rc=0' "its names then ignore case (the filesystem allows it)"
vm_expect "$log" "bootseal: fill: .* 3 later filesystems placed" \
	"the fstab's casefold-capable ext4 is placed, and so are the xfs line's UUID no device has and the auto line's ext4"
vm_expect "$log" '^TEST: cf-place-mount rc=0' "it is mounted on its place"
vm_expect "$log" "^TEST: cf-place out=.*FS_IOC_SETFLAGS: $perm" "making its root ignore case on its place is refused"
vm_expect "$log" "^TEST: cf-place-clone out=.*FS_IOC_SETFLAGS: $perm" \
	"and through a detached copy of its mount, which climbs to no place"
vm_expect "$log" "^TEST: cf-place-again out=.*FS_IOC_SETFLAGS: $perm" "and through a second mount of it elsewhere"
vm_expect "$log" '^TEST: cf-later-mount rc=0' "a casefold-capable ext4 is mounted on a mount point of names no device had at boot"
vm_expect "$log" "^TEST: cf-later out=.*FS_IOC_SETFLAGS: $perm" "making its root ignore case there is refused"
vm_expect "$log" "^TEST: cf-later-clone out=.*FS_IOC_SETFLAGS: $perm" \
	"and through a detached copy of its mount (it has no place)"
vm_expect "$log" "^TEST: cf-later-again out=.*FS_IOC_SETFLAGS: $perm" "and through a second mount of it elsewhere"
vm_expect "$log" '^TEST: cf-later-sub rc=0' "a directory below its root is made to ignore case, and its names then do"
vm_expect "$log" "^TEST: cf-bind-sub out=mount: permission denied" \
	"a directory below a filesystem's root is not bound on a mount point of names (mount(2))"
vm_expect "$log" "^TEST: cf-tree-sub out=.*move_mount: $perm" "nor attached there as a detached copy (open_tree)"
vm_expect "$log" '^TEST: cf-bind-free rc=0' "it is bound elsewhere"
vm_expect "$log" "^TEST: cf-cased-root out=mount: permission denied" "a filesystem whose root ignores case is not mounted on a mount point of names"
vm_expect "$log" '^TEST: cf-cased-free rc=0' "it mounts elsewhere, and its names ignore case there"
vm_expect "$log" "^TEST: check: bootseal: rule 1 \\(deny write path /srv/free/later\\): /srv/free/later: /srv/free ignores case in its names \\(casefold\\), which the enforcer compares byte for byte: the rule cannot be enforced" \
	"the loader names a name in a directory that ignores case"
vm_expect "$log" "^TEST: check: bootseal: rule 2 \\(deny write path /proc/sys/kernel/hostname\\): /proc/sys/kernel/hostname is on a filesystem of type proc, which the enforcer does not know to keep a file's inode number" \
	"the loader names a file on a filesystem not known to keep its numbers"
vm_expect "$log" '^TEST: xci-mount rc=0' "an ASCII-CI xfs is mounted"
vm_expect "$log" '^TEST: kallsyms: 1$' "the kernel names xfs_vn_ci_lookup, by which the enforcer knows such an xfs"
vm_expect "$log" "^TEST: xci-names out=mount: permission denied" \
	"but not on a mount point of names whose line names an xfs (its lookup is xfs_vn_ci_lookup)"
vm_expect "$log" '^TEST: xfs-names rc=0' "a plain xfs is mounted there, and its files are written"
vm_expect "$log" "^TEST: xfs-names-secret out=.*$perm" "its protected name is held there"
vm_expect "$log" "^TEST: fat-names out=mount: permission denied" \
	"nor is a FAT filesystem mounted where the line names an ext4"
vm_expect "$log" "^TEST: tmpfs-names out=mount: permission denied" \
	"nor a tmpfs: only the type the fstab line names is mounted on a mount point of names"
vm_expect "$log" '^TEST: fat-free rc=0' "which mounts elsewhere"
vm_expect "$log" "^TEST: hi-place out=.*mount: $perm" \
	"a place takes no tmpfs by a mount(2) whose system call number has bit 32 set"
vm_expect "$log" '^TEST: hi-free rc=0' "such a mount(2) mounts a tmpfs elsewhere"
vm_expect "$log" "^TEST: copy-place out=mount: permission denied" \
	"an ext4 with the UUID of that xfs line, from a loop device, is not placed there (its names' line says xfs)"
vm_expect "$log" '^TEST: copy-free rc=0' "it mounts elsewhere"
vm_expect "$log" "^TEST: int80-place out=.*mount: $perm" \
	"nor by the 32-bit entry (int \$0x80, whose mount is 21, x86-64's access)"
vm_expect "$log" '^TEST: int80-free rc=0' "which mounts a tmpfs elsewhere"
vm_expect "$log" '^TEST: auto-mount rc=0' \
	"a name in the mount point of an auto line whose device holds an ext4 is installed; the ext4 is mounted and written there"
vm_expect "$log" "^TEST: auto-secret out=.*$perm" "its protected name is held there"
vm_expect "$log" "^TEST: auto-tmpfs out=mount: permission denied" "a tmpfs is not mounted on that place first"
vm_expect "$log" '^TEST: auto-second rc=0' "the ext4 is mounted a second time elsewhere, and written there"
vm_expect "$log" "^TEST: auto-second-secret out=.*$perm" "its protected name is held through that mount too"
vm_expect "$log" '^TEST: auto-raw-write rc=1' "its device is not written raw"
vm_expect "$log" '^TEST: auto-raw-read rc=0' "it is read raw (the place denies writes only)"
vm_expect "$log" "^TEST: check: bootseal: rule 4 \\(deny write path /srv/xci/later\\): /srv/xci/later: /srv/xci ignores case in its names \\(an xfs made with ASCII case-insensitive names\\)" \
	"the loader names a name on an xfs whose names ignore case"
vm_expect "$log" "^TEST: check: bootseal: rule 5 \\(deny write path /srv/xcil/later\\): /srv/xcil/later is on the xfs the fstab mounts there, made with ASCII case-insensitive names \\(mkfs.xfs -n version=ci\\)" \
	"the loader reads the superblock of an xfs the fstab mounts later and names a name on it"
vm_expect_not "$log" "^TEST: check: bootseal: rule 3 " "a name in a plain directory is not named"
vm_expect "$log" '^TEST: check rc=7$' "enforce mode would install nothing (status 7)"
vm_expect "$log" '^TEST: init done' "casefold: init ran to its end"

# objects-places: the rules of a filesystem's place follow the filesystem
# (issue #12). /boot and /home are ext4 filesystems of their own on disks
# the loader finds by the fstab's LABEL= and UUID=, mounted after it; the
# policy denies writes in /boot's subtree and to the name /home/keep.conf.
# The loader records where the fstab puts each filesystem, by its UUID.
# Refused, each beside its twin:
#   - on their places, as before: rm in /boot, the protected name written;
#     now also what only inode hooks see there: utimes and an ACL in /boot,
#     utimes of the name (twins: both on another file of /home);
#   - through a detached copy of each mount (open_tree OPEN_TREE_CLONE,
#     which no hook decides): unlink, create, write in a subdirectory,
#     chown and utimes in /boot, the protected name written (twins: /boot
#     read through it, a new file created in /home's copy);
#   - through a second mount of each device elsewhere: rm and a write in
#     /boot's, the protected name in /home's (twin: another file created);
#   - through a bind mount of /boot/grub elsewhere: write and create;
#   - a raw write of either device (found by label and UUID, not mounted
#     when the loader ran; twin: a raw read of /boot's);
#   - a new UUID for /home (EXT4_IOC_SETFSUUID) and a new label for /boot
#     (FS_IOC_SETFSLABEL), which would take them from their places (twin:
#     the root filesystem, which has no place, takes a new label).
# A filesystem for /boot/efi without a UUID (an ext4 made with -U clear;
# a FAT ESP is placed by its device, objects-btrfs-overlay): not placed,
# its device guarded.
# Decoys, as root would leave for the next boot: a second disk labelled
# like /boot and a third with /home's UUID. The loader warns that two
# devices answer each spec, places and guards every one (raw writes of
# both decoys refused; a write in the /boot decoy mounted elsewhere
# refused; twin: a scratch disk with neither is written raw).
# A second boot: a device given /boot's label and /home's UUID would let
# root choose which place /home's filesystem has; the loader names both
# fstab lines and installs nothing (the boot stops).
# Before /boot and /home are mounted, their places take no other mount: a
# tmpfs, a bind, a detached tree, the /boot decoy on /home (by mount(2)
# and by fsmount and move_mount); twins: /boot mounted with fsmount and
# move_mount, /home with mount(2).
# md, before /boot is mounted: an array told to take its device by number
# (ADD_NEW_DISK, as mdadm --build does; md/new_dev in sysfs), or btrfs by
# path (BTRFS_IOC_ADD_DEV), would write it past the guard: refused, also
# to the program the array's device rule names (ADD_NEW_DISK and
# HOT_ADD_DISK: the member is guarded); twins: that program gives the
# array the scratch disk; another md attribute is written. A bitmap file
# (SET_BITMAP_FILE), whose blocks md writes past the filesystem, is
# refused to all (twin: the ioctl without a file reaches md).
# device-mapper's control node (tables name devices by number) is
# refused to all but the program a device rule names (DM_VERSION).
# The loader warns that the fsck of /boot (pass 2) will be refused, with
# the device rule that would let e2fsck check it; not for /home, whose
# device such a rule names (and that checker writes /home's device, not
# /boot's).
# The loader warns, naming the fstab line, for a filesystem it cannot
# identify (a label no device has); a tmpfs in the fstab is left alone.
. "$VM_SOURCE_ROOT/tests/vm/enforcer-lib.sh"
. "$VM_SOURCE_ROOT/tests/vm/dracut-lib.sh"
. "$VM_SOURCE_ROOT/tests/vm/attack-lib.sh"

command -v mkfs.ext4 >/dev/null || vm_skip "mkfs.ext4 not found (e2fsprogs)"
tree=$VM_WORK/tree
enf_guest_tree "$tree"
atk_programs "$tree"
mkdir -p "$tree/boot" "$tree/home" "$tree/srv" "$tree/tmp" "$tree/mnt" "$tree/var/later"

# The filesystems mounted later, each a whole virtio disk.
home_uuid=5e1f0c4a-2b7d-4c11-9a3e-0d6f2b8c7a91
mkdir -p "$VM_WORK/bootfs/grub" "$VM_WORK/homefs"
echo image >"$VM_WORK/bootfs/vmlinuz"
echo 'set timeout=1' >"$VM_WORK/bootfs/grub/grub.cfg"
echo kept >"$VM_WORK/homefs/keep.conf"
rm -f "$VM_WORK/boot.img" "$VM_WORK/home.img" "$VM_WORK/decoy-boot.img" "$VM_WORK/decoy-home.img" \
	"$VM_WORK/scratch.img"
mkfs.ext4 -q -F -L lateboot -d "$VM_WORK/bootfs" "$VM_WORK/boot.img" 8M ||
	_vm_die "cannot make the /boot filesystem"
mkfs.ext4 -q -F -U "$home_uuid" -O metadata_csum_seed -d "$VM_WORK/homefs" "$VM_WORK/home.img" 8M ||
	_vm_die "cannot make the /home filesystem"
mkdir -p "$VM_WORK/decoyfs" && echo decoy >"$VM_WORK/decoyfs/vmlinuz"
mkfs.ext4 -q -F -L lateboot -d "$VM_WORK/decoyfs" "$VM_WORK/decoy-boot.img" 8M ||
	_vm_die "cannot make the /boot decoy"
mkfs.ext4 -q -F -U "$home_uuid" -d "$VM_WORK/decoyfs" "$VM_WORK/decoy-home.img" 8M ||
	_vm_die "cannot make the /home decoy"
truncate -s 8M "$VM_WORK/scratch.img"
# A filesystem below /boot with no UUID the enforcer could key a place by:
# not placed, its device guarded all the same.
rm -f "$VM_WORK/nouuid.img"
mkfs.ext4 -q -F -L espish -U clear "$VM_WORK/nouuid.img" 8M || _vm_die "cannot make the filesystem without a UUID"
rm -f "$VM_WORK/decoy-both.img"
mkfs.ext4 -q -F -L lateboot -U "$home_uuid" -d "$VM_WORK/decoyfs" "$VM_WORK/decoy-both.img" 8M ||
	_vm_die "cannot make the decoy with /boot's label and /home's UUID"
printf '%s\n' '/dev/vda2 / ext4 defaults 0 1' 'LABEL=lateboot /boot ext4 defaults 0 2' \
	"UUID=$home_uuid /home ext4 defaults 0 2" 'tmpfs /srv tmpfs defaults 0 0' \
	'LABEL=nosuch /var/later ext4 defaults 0 2' 'LABEL=espish /boot/efi ext4 defaults 0 2' >"$tree/etc/fstab"

# md's and device-mapper's modules, uncompressed for busybox's insmod; the
# array's and device-mapper control's nodes for the device rules; a copy
# of bs-attack those rules name (static: a named subject maps no code from
# files any process may write).
mkdir -p "$tree/dev"
enf_modules "$tree/lib/md" md-mod raid1 dm-mod
rm -f "$tree/dev/md9" && mknod "$tree/dev/md9" b 9 9
mkdir -p "$tree/dev/mapper" && rm -f "$tree/dev/mapper/control" && mknod "$tree/dev/mapper/control" c 10 236
gcc -O2 -Wall -Werror -static -o "$tree/opt/tools/bs-mdadm" "$VM_SOURCE_ROOT/tests/vm/programs/bs-attack.c" 2>/dev/null ||
	_vm_die "cannot build bs-mdadm"
# A checker a device rule lets write /home's device (so the loader's fsck
# warning is given for /boot's alone): the same program, write-protected.
mkdir -p "$tree/usr/sbin" && cp "$tree/opt/tools/bs-mdadm" "$tree/usr/sbin/e2fsck"
blob=$(dr_policy vm-objects-places 3 \
	'deny write subtree /boot' \
	'deny write path /home/keep.conf' \
	'deny write subtree /var/later' \
	"allow write device /dev/disk/by-uuid/$home_uuid by /usr/sbin/e2fsck" \
	'allow write device /dev/md9 by /opt/tools/bs-mdadm' \
	'allow write device /dev/mapper/control by /opt/tools/bs-mdadm' \
	'deny write path /opt/tools/bs-mdadm' \
	'deny write path /usr/sbin/e2fsck')
dr_partition "$VM_WORK/part.img" "$blob"

cat >"$VM_WORK/init" <<'EOF_INIT'
#!/bin/sh
. /lib/vm-test.sh
say "init ran"
T=/opt/tools/bs-attack
mkdir -p /tmp && mount -t tmpfs none /tmp
# md, while /boot is not mounted yet.
try md-modules sh -c 'insmod /lib/md/md-mod.ko && insmod /lib/md/raid1.ko'
[ -b /dev/md9 ] || mknod /dev/md9 b 9 9
: </dev/md9
try md-new-dev-boot sh -c 'echo 254:16 >/sys/block/md9/md/new_dev'
try md-safe-mode sh -c 'echo 0.5 >/sys/block/md9/md/safe_mode_delay'
try md-add-boot $T md-add /dev/md9 /dev/vdb
# The program the array's rule names gives it no guarded member either.
try md-add-boot-tool /opt/tools/bs-mdadm md-add /dev/md9 /dev/vdb
try md-hot-add-boot-tool /opt/tools/bs-mdadm md-hot-add /dev/md9 /dev/vdb
try md-hot-add-scratch-tool /opt/tools/bs-mdadm md-hot-add /dev/md9 /dev/vdf
try md-add-scratch /opt/tools/bs-mdadm md-add /dev/md9 /dev/vdf
# A bitmap file md would write past its filesystem: refused to all.
try md-bitmap-file /opt/tools/bs-mdadm md-bitmap /dev/md9 /tmp/bitmap
try md-bitmap-none /opt/tools/bs-mdadm md-bitmap /dev/md9 -
# device-mapper's control node: only for the program a rule names.
try dm-modules insmod /lib/md/dm-mod.ko
mkdir -p /dev/mapper && { [ -c /dev/mapper/control ] || mknod /dev/mapper/control c 10 236; }
try dm-control $T dm-version /dev/mapper/control
say "dm-control-tool $(/opt/tools/bs-mdadm dm-version /dev/mapper/control 2>&1)"
# btrfs, given a device by path, opens it past file_open too (the hook
# refuses before the filesystem, here ext4, would answer ENOTTY).
try btrfs-add-boot $T btrfs-add /etc/fstab /dev/vdb
# On a place's mount point, only a filesystem placed there.
try place-tmpfs mount -t tmpfs none /boot
try place-bind mount --bind /tmp /boot
try place-tree $T tree-attach /tmp /boot
try place-other mount -t ext4 /dev/vdd /home
try place-other-fsmount $T fsmount ext4 /dev/vdd /home
# The filesystems placed there: /boot with the new mount API, /home with mount(2).
try mount-boot $T fsmount ext4 /dev/vdb /boot
try mount-home mount -t ext4 /dev/vdc /home
# On their places.
try rm-boot rm /boot/vmlinuz
try write-name $T write /home/keep.conf evil
try create-home $T create /home/other.conf fine
# What only the inode hooks see (no path hook has utimes or ACLs).
try utimes-boot touch /boot/vmlinuz
try setacl-boot $T setacl /boot/vmlinuz
try utimes-name touch /home/keep.conf
try utimes-home touch /home/other.conf
try setacl-home $T setacl /home/other.conf
# Detached copies, attached nowhere.
try tree-unlink-boot $T tree unlink /boot vmlinuz
try tree-create-boot $T tree create /boot initrd.img evil
try tree-write-grub $T tree write /boot grub/grub.cfg evil
try tree-chown-boot $T tree chown /boot vmlinuz
try tree-utimes-boot $T tree utimes /boot vmlinuz
try tree-read-boot $T tree read /boot vmlinuz
try tree-write-name $T tree write /home keep.conf evil
try tree-create-home $T tree create /home tree.conf fine
# The same devices mounted a second time, elsewhere.
mkdir -p /mnt/b /mnt/h /mnt/g
try mount-second-boot mount -t ext4 /dev/vdb /mnt/b
try rm-second-boot rm /mnt/b/vmlinuz
try write-second-grub $T write /mnt/b/grub/grub.cfg evil
try mount-second-home mount -t ext4 /dev/vdc /mnt/h
try write-second-name $T write /mnt/h/keep.conf evil
try create-second-home $T create /mnt/h/second.conf fine
# A directory of /boot bound elsewhere.
try bind-grub mount --bind /boot/grub /mnt/g
try write-bind-grub $T write /mnt/g/grub.cfg evil
try create-bind-grub $T create /mnt/g/new.cfg evil
try create-tmp $T create /tmp/free.conf fine
# Their devices, not mounted when the loader ran, are guarded all the same.
try raw-write-boot dd if=/dev/zero of=/dev/vdb bs=512 count=1 seek=2000 conv=notrunc
try raw-write-home dd if=/dev/zero of=/dev/vdc bs=512 count=1 seek=2000 conv=notrunc
try raw-read-boot dd if=/dev/vdb of=/dev/null bs=512 count=1
# The checker the device rule names writes /home's device (by the link
# the rule names: the decoy has the UUID too), not /boot's.
try fsck-home /usr/sbin/e2fsck pwrite /dev/disk/by-uuid/5e1f0c4a-2b7d-4c11-9a3e-0d6f2b8c7a91 0 checked
try fsck-boot /usr/sbin/e2fsck pwrite /dev/vdb 0 checked
# A new UUID would take /home away from its place's rules.
try setfsuuid-home $T setfsuuid /home/other.conf
# Nor a new label for /boot (the loader finds it by its label).
try setfslabel-boot $T setfslabel /boot/vmlinuz otherboot
try setfslabel-root $T setfslabel /etc/fstab newroot
# The decoys are placed and guarded as well; a disk of no place is not.
try raw-write-decoy-boot dd if=/dev/zero of=/dev/vdd bs=512 count=1 seek=2000 conv=notrunc
try raw-write-decoy-home dd if=/dev/zero of=/dev/vde bs=512 count=1 seek=2000 conv=notrunc
try raw-write-scratch dd if=/dev/zero of=/dev/vdf bs=512 count=1 seek=2000 conv=notrunc
try raw-write-nouuid dd if=/dev/zero of=/dev/vdg bs=512 count=1 seek=2000 conv=notrunc
mkdir -p /mnt/d
try mount-decoy-boot mount -t ext4 /dev/vdd /mnt/d
try write-decoy-boot $T create /mnt/d/initrd.img evil
say "boot: $(ls /boot | tr '\n' ' ')"
say "grub.cfg: $(cat /boot/grub/grub.cfg)"
say "keep.conf: $(cat /home/keep.conf)"
say "home: $(ls /home | tr '\n' ' ')"
bootseal audit | grep -E 'deny rule [34]|fstab places|md or btrfs|not placed there' | sed 's/^/TEST: audit: /'
finish
EOF_INIT
disk=$(atk_disk)
initrd=$(dr_initramfs "$(dr_etc)")

log=$VM_WORK/console.log
vm_boot --initrd "$initrd" --disk "$disk" --log "$log" --timeout 500 \
	--qemu-arg -drive --qemu-arg "file=$VM_WORK/boot.img,if=virtio,format=raw,snapshot=on" \
	--qemu-arg -drive --qemu-arg "file=$VM_WORK/home.img,if=virtio,format=raw,snapshot=on" \
	--qemu-arg -drive --qemu-arg "file=$VM_WORK/decoy-boot.img,if=virtio,format=raw,snapshot=on" \
	--qemu-arg -drive --qemu-arg "file=$VM_WORK/decoy-home.img,if=virtio,format=raw,snapshot=on" \
	--qemu-arg -drive --qemu-arg "file=$VM_WORK/scratch.img,if=virtio,format=raw,snapshot=on" \
	--qemu-arg -drive --qemu-arg "file=$VM_WORK/nouuid.img,if=virtio,format=raw,snapshot=on"
vm_expect "$log" "bootseal: policy 'vm-objects-places' generation 3 in force, enforce mode" "the policy is in force"
vm_expect "$log" 'bootseal: fill: .* 3 later filesystems placed,' "the loader placed /boot and its decoy (by their label) and /home (by its UUID)"
vm_expect "$log" 'bootseal: /sysroot/etc/fstab line 2 \(LABEL=lateboot on /boot\): 2 devices have LABEL=lateboot \(/dev/vdb, /dev/vdd\); whichever is mounted there, each is placed and its device guarded' \
	"it says two devices have /boot's label"
vm_expect "$log" 'bootseal: /sysroot/etc/fstab line 3 \(UUID=[0-9a-f-]* on /home\): 2 devices have UUID=[0-9a-f-]* \(/dev/vdc, /dev/vde\);' \
	"and two have /home's UUID"
vm_expect "$log" 'bootseal: /sysroot/etc/fstab line 5 \(LABEL=nosuch on /var/later\): LABEL=nosuch: no device has it; the rules of its place hold for it only where it is mounted there' \
	"it names the fstab line of a filesystem it cannot identify"
vm_expect "$log" 'bootseal: guarding block device 254:16 against raw writes' "its device (vdb, found by the label) is guarded against raw writes"
vm_expect "$log" 'bootseal: guarding block device 254:32 against raw writes' "so is /home's (vdc, by the UUID)"
vm_expect "$log" 'bootseal: guarding block device 254:48 against raw writes' "so is the /boot decoy (vdd)"
vm_expect "$log" 'bootseal: guarding block device 254:64 against raw writes' "and the /home decoy (vde)"
vm_expect_not "$log" 'bootseal: guarding block device 254:80 ' "not the scratch disk (vdf)"
vm_expect "$log" 'bootseal: /sysroot/etc/fstab line 6 \(LABEL=espish on /boot/efi\): LABEL=espish: the filesystem on /dev/vdg has no UUID; that device has no place' \
	"a filesystem below /boot without a UUID is not placed"
vm_expect "$log" 'bootseal: guarding block device 254:96 against raw writes' "but its device (vdg) is guarded"
vm_expect "$log" '^TEST: md-modules rc=0$' "md's modules are loaded"
vm_expect "$log" '^TEST: md-new-dev-boot out=.*new_dev: Operation not permitted$' "md/new_dev naming /boot's device is refused"
vm_expect "$log" '^TEST: md-safe-mode rc=0$' "another md attribute is written"
vm_expect "$log" '^TEST: md-add-boot out=ADD_NEW_DISK: Operation not permitted$' "an array is not given /boot's device by number"
vm_expect "$log" '^TEST: btrfs-add-boot out=BTRFS_IOC_ADD_DEV: Operation not permitted$' "btrfs is not given a device by path"
vm_expect "$log" '^TEST: md-add-boot-tool out=ADD_NEW_DISK: Operation not permitted$' "nor does the program the array's rule names give it /boot's device"
vm_expect "$log" '^TEST: md-hot-add-boot-tool out=HOT_ADD_DISK: Operation not permitted$' "not by HOT_ADD_DISK either"
vm_expect "$log" '^TEST: md-hot-add-scratch-tool out=HOT_ADD_DISK: No such device$' "which passes the scratch disk on to md (no array is running to take it)"
vm_expect "$log" '^TEST: md-add-scratch rc=0$' "a program a device rule lets write the array gives it the scratch disk (and stops it)"
vm_expect "$log" '^TEST: md-bitmap-file out=SET_BITMAP_FILE: Operation not permitted$' "an md bitmap file is refused, even to that program"
vm_expect "$log" '^TEST: md-bitmap-none out=SET_BITMAP_FILE: No such file or directory$' "SET_BITMAP_FILE without a file goes on to md (no bitmap to remove)"
vm_expect "$log" '^TEST: dm-modules rc=0$' "device-mapper's module is loaded"
vm_expect "$log" '^TEST: dm-control out=open: Operation not permitted$' "device-mapper's control node is refused"
vm_expect "$log" '^TEST: dm-control-tool dm 4\.[0-9]+\.[0-9]+$' "to all but the program a device rule names (DM_VERSION answered)"
vm_expect "$log" '^TEST: audit: .*a device taken into md or btrfs past its node' "the audit says why"
vm_expect "$log" '^TEST: place-tmpfs rc=1$' "a tmpfs is not mounted on /boot's place"
vm_expect "$log" '^TEST: place-bind rc=1$' "nor a bind mount"
vm_expect "$log" '^TEST: place-tree out=move_mount: Operation not permitted$' "nor a detached tree (move_mount)"
vm_expect "$log" '^TEST: place-other rc=1$' "the /boot decoy is not mounted on /home's place"
vm_expect "$log" '^TEST: place-other-fsmount out=move_mount: Operation not permitted$' "nor with the new mount API"
vm_expect "$log" '^TEST: audit: .*a mount on a filesystem.s place of what is not placed there' "the audit says why"
vm_expect "$log" '^TEST: mount-boot rc=0$' "/boot is mounted on its place (fsmount, move_mount)"
vm_expect "$log" '^TEST: mount-home rc=0$' "and /home (mount(2))"
vm_expect "$log" '^TEST: rm-boot rc=1$' "on its place, rm in /boot is refused"
vm_expect "$log" '^TEST: write-name rc=1$' "so is a write of /home/keep.conf"
vm_expect "$log" '^TEST: create-home rc=0$' "another file is created in /home"
vm_expect "$log" '^TEST: utimes-boot rc=1$' "utimes in /boot is refused (an inode hook alone sees it)"
vm_expect "$log" '^TEST: setacl-boot rc=1$' "so is an ACL"
vm_expect "$log" '^TEST: utimes-name rc=1$' "and utimes of the protected name"
vm_expect "$log" '^TEST: utimes-home rc=0$' "utimes of another file in /home works"
vm_expect "$log" '^TEST: setacl-home rc=0$' "and so does its ACL"
vm_expect "$log" '^TEST: tree-unlink-boot rc=1$' "through a detached copy of /boot: unlink refused"
vm_expect "$log" '^TEST: tree-create-boot rc=1$' "create refused"
vm_expect "$log" '^TEST: tree-write-grub rc=1$' "a write in a subdirectory refused"
vm_expect "$log" '^TEST: tree-chown-boot rc=1$' "chown refused"
vm_expect "$log" '^TEST: tree-utimes-boot rc=1$' "utimes refused"
vm_expect "$log" '^TEST: tree-read-boot rc=0$' "a read through it works"
vm_expect "$log" '^TEST: tree-write-name rc=1$' "through a detached copy of /home, the protected name is refused"
vm_expect "$log" '^TEST: tree-create-home rc=0$' "another file is created through it"
vm_expect "$log" '^TEST: mount-second-boot rc=0$' "/boot's device is mounted a second time"
vm_expect "$log" '^TEST: rm-second-boot rc=1$' "rm through it refused"
vm_expect "$log" '^TEST: write-second-grub rc=1$' "a write in a subdirectory refused"
vm_expect "$log" '^TEST: mount-second-home rc=0$' "/home's device is mounted a second time"
vm_expect "$log" '^TEST: write-second-name rc=1$' "the protected name through it refused"
vm_expect "$log" '^TEST: create-second-home rc=0$' "another file created through it"
vm_expect "$log" '^TEST: bind-grub rc=0$' "/boot/grub is bound elsewhere"
vm_expect "$log" '^TEST: write-bind-grub rc=1$' "a write through the bind refused"
vm_expect "$log" '^TEST: create-bind-grub rc=1$' "and a new file"
vm_expect "$log" '^TEST: create-tmp rc=0$' "a file elsewhere is created"
vm_expect "$log" '^TEST: raw-write-boot rc=1$' "a raw write of /boot's device is refused"
vm_expect "$log" '^TEST: raw-write-home rc=1$' "and of /home's"
vm_expect "$log" '^TEST: raw-read-boot rc=0$' "a raw read of /boot's device works (no read rule)"
vm_expect "$log" '^TEST: fsck-home rc=0$' "the checker a device rule names writes /home's device"
vm_expect "$log" '^TEST: fsck-boot out=open: Operation not permitted$' "but not /boot's, which no rule lets it write"
vm_expect "$log" '^TEST: setfsuuid-home out=EXT4_IOC_SETFSUUID: Operation not permitted$' "a new UUID for /home is refused"
vm_expect "$log" 'TEST: audit: .*a new UUID or label for a filesystem the fstab places' "the audit says why"
vm_expect "$log" '^TEST: setfslabel-boot out=FS_IOC_SETFSLABEL: Operation not permitted$' "so is a new label for /boot"
vm_expect "$log" '^TEST: setfslabel-root rc=0$' "the root filesystem, which has no place, takes a new label"
vm_expect "$log" '^TEST: raw-write-decoy-boot rc=1$' "a raw write of the /boot decoy is refused"
vm_expect "$log" '^TEST: raw-write-decoy-home rc=1$' "and of the /home decoy"
vm_expect "$log" '^TEST: raw-write-scratch rc=0$' "a disk of no place is written raw"
vm_expect "$log" '^TEST: raw-write-nouuid rc=1$' "the device of the filesystem without a UUID is not"
vm_expect "$log" '^TEST: mount-decoy-boot rc=0$' "the /boot decoy is mounted elsewhere"
vm_expect "$log" '^TEST: write-decoy-boot rc=1$' "a file created in it is refused: it holds /boot's place"
vm_expect "$log" 'bootseal: /sysroot/etc/fstab line 2 \(LABEL=lateboot on /boot\): its device is guarded against raw writes, so the boot.s fsck \(pass 2\) cannot check it; to let it, add `allow write device /dev/disk/by-uuid/[0-9a-f-]{36} by /usr/sbin/e2fsck`' \
	"the loader says fsck of /boot would be refused, and the rule that lets it"
vm_expect_not "$log" 'fstab line 3 .*cannot check it' "not for /home, whose device a rule lets e2fsck write"
vm_expect "$log" '^TEST: boot: grub lost\+found vmlinuz $' "/boot holds what it held"
vm_expect "$log" '^TEST: grub.cfg: set timeout=1$' "grub.cfg is unchanged"
vm_expect "$log" '^TEST: keep.conf: kept$' "keep.conf is unchanged"
vm_expect "$log" '^TEST: home: keep.conf lost\+found other.conf second.conf tree.conf $' "the twins' files are in /home"
vm_expect "$log" '^TEST: audit: .*deny rule 3' "the audit names the /boot rule"
vm_expect "$log" '^TEST: audit: .*deny rule 4' "and the name's rule"
vm_expect "$log" '^TEST: init done$' "init ran to its end"

log=$VM_WORK/console-both.log
vm_boot --initrd "$initrd" --disk "$disk" --log "$log" --timeout 400 \
	--qemu-arg -drive --qemu-arg "file=$VM_WORK/boot.img,if=virtio,format=raw,snapshot=on" \
	--qemu-arg -drive --qemu-arg "file=$VM_WORK/home.img,if=virtio,format=raw,snapshot=on" \
	--qemu-arg -drive --qemu-arg "file=$VM_WORK/decoy-both.img,if=virtio,format=raw,snapshot=on"
vm_expect "$log" "bootseal: /sysroot/etc/fstab line 3 \\(UUID=$home_uuid on /home\\): UUID $home_uuid is also found for line 2 \\(LABEL=lateboot on /boot\\): one filesystem cannot have two places" \
	"next boot: a device with /boot's label and /home's UUID is named with both fstab lines"
vm_expect "$log" '^bootseal: boot stopped: bootseal-loader exited with status 7' "the loader installs nothing and the boot stops"
vm_expect_not "$log" '^TEST: init ran' "init never ran"

# objects-readguard: a policy that guards devices for read alone (issue
# #12). /srv/data is an ext4 filesystem of its own, found by its label and
# mounted after the loader; the policy denies reading the subtree of /srv
# and denies no write anywhere, so its device is guarded for read only. md and
# device-mapper take devices by number, past the open of a node, and then
# serve their blocks: while anything is guarded, for read as for write,
# refused (each with the audit's reason):
#   - an md array given the data disk by number (ADD_NEW_DISK, as mdadm
#     --build does, the member's node never opened; HOT_ADD_DISK;
#     md/new_dev in sysfs);
#   - device-mapper's control node (DM_VERSION, what dmsetup asks first);
#   - the data disk opened write-only (a loop device set up with direct I/O
#     on that descriptor would read the disk through it), as well as for
#     reading.
# Twins: another md attribute is written; the scratch disk is read and
# written raw; the data filesystem, mounted on its place, keeps its file
# from a reader, and a file elsewhere is read.
# The place (/srv/data, marked for its place alone: the rule is on /srv)
# takes only its own filesystem: not a copy of its UUID on a loop device,
# nor a tmpfs; the data filesystem is unmounted from it and mounted again
# (and still keeps its file).
. "$VM_SOURCE_ROOT/tests/vm/enforcer-lib.sh"
. "$VM_SOURCE_ROOT/tests/vm/dracut-lib.sh"
. "$VM_SOURCE_ROOT/tests/vm/attack-lib.sh"

command -v mkfs.ext4 >/dev/null || vm_skip "mkfs.ext4 not found (e2fsprogs)"
tree=$VM_WORK/tree
enf_guest_tree "$tree"
atk_programs "$tree"
mkdir -p "$tree/srv/data" "$tree/tmp"

data_uuid=7c2d9e1a-4b3f-4e8d-9a61-2f0b5c8d1e47
mkdir -p "$VM_WORK/datafs" && echo confidential >"$VM_WORK/datafs/secret"
rm -f "$VM_WORK/data.img" "$VM_WORK/scratch.img" "$tree/root/forged.img"
mkfs.ext4 -q -F -L latedata -U "$data_uuid" -d "$VM_WORK/datafs" "$VM_WORK/data.img" 8M ||
	_vm_die "cannot make the /srv/data filesystem"
# The same UUID in an image file on the root filesystem, for a loop device.
mkdir -p "$tree/root" && mkfs.ext4 -q -F -U "$data_uuid" "$tree/root/forged.img" 4M ||
	_vm_die "cannot make the forged image"
truncate -s 8M "$VM_WORK/scratch.img"
printf '%s\n' '/dev/vda2 / ext4 defaults 0 1' 'LABEL=latedata /srv/data ext4 defaults 0 2' >"$tree/etc/fstab"

enf_modules "$tree/lib/md" md-mod raid1 dm-mod loop

# No write rule at all (dr_policy's base rules deny writes).
dr_keys
src=$VM_WORK/readguard.policy
printf '%s\n' 'policy "vm-readguard"' 'generation 2' 'mode enforce' 'deny read subtree /srv' >"$src"
enf_seal "$src" "$VM_WORK/readguard.sealed"
dr_partition "$VM_WORK/part.img" "$VM_WORK/readguard.sealed"

cat >"$VM_WORK/init" <<'EOF_INIT'
#!/bin/sh
. /lib/vm-test.sh
say "init ran"
T=/opt/tools/bs-attack
mkdir -p /tmp && mount -t tmpfs none /tmp
try md-modules sh -c 'insmod /lib/md/md-mod.ko && insmod /lib/md/raid1.ko && insmod /lib/md/dm-mod.ko'
[ -b /dev/md9 ] || mknod /dev/md9 b 9 9
: </dev/md9
try md-new-dev-data sh -c 'echo 254:16 >/sys/block/md9/md/new_dev'
try md-safe-mode sh -c 'echo 0.5 >/sys/block/md9/md/safe_mode_delay'
try md-add-data $T md-add /dev/md9 /dev/vdb
try md-hot-add-data $T md-hot-add /dev/md9 /dev/vdb
mkdir -p /dev/mapper && { [ -c /dev/mapper/control ] || mknod /dev/mapper/control c 10 236; }
try dm-control $T dm-version /dev/mapper/control
try raw-read-data dd if=/dev/vdb of=/dev/null bs=512 count=1
try raw-write-data dd if=/dev/zero of=/dev/vdb bs=512 count=1 seek=16383 conv=notrunc
try raw-read-scratch dd if=/dev/vdc of=/dev/null bs=512 count=1
try raw-write-scratch dd if=/dev/zero of=/dev/vdc bs=512 count=1 seek=1 conv=notrunc
try loop-module insmod /lib/md/loop.ko
try place-forged sh -c 'losetup /dev/loop0 /root/forged.img && mount -t ext4 /dev/loop0 /srv/data'
losetup -d /dev/loop0 2>/dev/null
try mount-data mount -t ext4 /dev/vdb /srv/data
try read-data cat /srv/data/secret
try read-other cat /etc/fstab
try umount-data umount /srv/data
try place-tmpfs mount -t tmpfs none /srv/data
try remount-data mount -t ext4 /dev/vdb /srv/data
try reread-data cat /srv/data/secret
bootseal audit | grep -E 'md or btrfs|device-mapper control|not placed there' | sed 's/^/TEST: audit: /'
finish
EOF_INIT
disk=$(atk_disk)
initrd=$(dr_initramfs "$(dr_etc)")

log=$VM_WORK/console.log
vm_boot --initrd "$initrd" --disk "$disk" --log "$log" --timeout 400 \
	--qemu-arg -drive --qemu-arg "file=$VM_WORK/data.img,if=virtio,format=raw,snapshot=on" \
	--qemu-arg -drive --qemu-arg "file=$VM_WORK/scratch.img,if=virtio,format=raw,snapshot=on"
vm_expect "$log" "bootseal: policy 'vm-readguard' generation 2 in force, enforce mode" "the policy is in force"
vm_expect "$log" 'bootseal: guarding block device 254:16 against raw reads$' "the data disk (vdb, found by its label) is guarded against raw reads alone"
vm_expect_not "$log" 'against raw (reads and )?writes' "no device is guarded against writes"
vm_expect "$log" '^TEST: md-modules rc=0$' "md's and device-mapper's modules are loaded"
vm_expect "$log" '^TEST: md-new-dev-data out=.*new_dev: Operation not permitted$' "md/new_dev naming the data disk is refused"
vm_expect "$log" '^TEST: md-safe-mode rc=0$' "another md attribute is written"
vm_expect "$log" '^TEST: md-add-data out=ADD_NEW_DISK: Operation not permitted$' "an array is not given the data disk by number"
vm_expect "$log" '^TEST: md-hot-add-data out=HOT_ADD_DISK: Operation not permitted$' "nor by HOT_ADD_DISK"
vm_expect "$log" '^TEST: dm-control out=open: Operation not permitted$' "device-mapper's control node is refused"
vm_expect "$log" '^TEST: raw-read-data rc=1$' "a raw read of the data disk is refused"
vm_expect "$log" '^TEST: raw-write-data rc=1$' "so is a write-only open of it (loop's direct I/O would read through it)"
vm_expect "$log" '^TEST: raw-read-scratch rc=0$' "a disk of no place is read raw"
vm_expect "$log" '^TEST: raw-write-scratch rc=0$' "and written raw"
vm_expect "$log" '^TEST: mount-data rc=0$' "the data filesystem is mounted on its place"
vm_expect "$log" '^TEST: read-data rc=1$' "its file is not read there"
vm_expect "$log" '^TEST: read-other rc=0$' "a file elsewhere is read"
vm_expect "$log" '^TEST: loop-module rc=0$' "the loop module is loaded"
vm_expect "$log" '^TEST: place-forged rc=1$' "a loop device with the data filesystem's UUID is not mounted on its place"
vm_expect "$log" '^TEST: umount-data rc=0$' "the data filesystem is unmounted from its place"
vm_expect "$log" '^TEST: place-tmpfs rc=1$' "a tmpfs is not mounted there"
vm_expect "$log" '^TEST: remount-data rc=0$' "the data filesystem is mounted there again"
vm_expect "$log" '^TEST: reread-data rc=1$' "and still keeps its file"
vm_expect "$log" '^TEST: audit: .*not placed there' "the audit names the place refusals"
vm_expect "$log" '^TEST: audit: .*a device taken into md or btrfs past its node' "the audit names the md refusals"
vm_expect "$log" '^TEST: audit: .*device-mapper control' "and device-mapper's"
vm_expect "$log" '^TEST: init done$' "init ran to its end"

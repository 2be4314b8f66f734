# attack-blockdev-scsi: root in the guest goes beneath a filesystem on a
# SCSI disk through a SCSI generic node made after the loader. The dracut
# boot's root disk is target 0 of a virtio-scsi host; target 1 holds no
# protected filesystem, and the virtio disk is a scratch disk. sg is a
# module that the initramfs does not load: the guest loads it after
# switch_root, so /dev/sgN of the root disk appears after the loader ran
# (the scenario checks that the loader saw no SCSI generic node). The
# policy protects files for read and write, and lets one write-protected
# program (/usr/lib/sgtool/bs-probe) read and write through target 1's bsg node,
# which exists when the loader runs. (ahci is kept out of the initramfs
# so that virtio-scsi is SCSI host 0 and that node is /dev/bsg/0:0:1:0.)
# Refused: opening the root disk's sg node for writing, for reading, SCSI
# READ(10) and WRITE(10) through it (SG_IO), a WRITE(10) through a fresh
# mknod of another minor of major 21, a WRITE(10) through the root disk's
# bsg node, writes to the root partition, a WRITE(10) through the root
# disk's other partition (sd sends it to the whole disk); and, the price of guarding the
# whole major, opening target 1's sg node and, for root, its bsg node.
# Twins: target 1's block device stays writable and reads back what it
# wrote; the root disk's other partition is read; the program named in the `device` rules writes target 1 through
# its bsg node and reads it back; the scratch disk stays writable.
. "$VM_SOURCE_ROOT/tests/vm/enforcer-lib.sh"
. "$VM_SOURCE_ROOT/tests/vm/dracut-lib.sh"
. "$VM_SOURCE_ROOT/tests/vm/attack-lib.sh"

extra=("deny read path /etc/secret"
	"deny write subtree /usr/lib/sgtool"
	"allow read device /dev/bsg/0:0:1:0 by /usr/lib/sgtool/bs-probe"
	"allow write device /dev/bsg/0:0:1:0 by /usr/lib/sgtool/bs-probe")
blob=$(dr_policy vm-blockdev-scsi 2 "${extra[@]}")
dr_partition "$VM_WORK/part.img" "$blob"

cat >"$VM_WORK/init" <<'EOF_INIT'
#!/bin/sh
. /lib/vm-test.sh
say "init ran"
# Whether sg was there when the loader ran (nothing in the root loads it).
if [ -d /sys/module/sg ]; then say "sg loaded before init"; else say "sg not loaded before init"; fi
mm=$(awk '$5 == "/" { print $3; exit }' /proc/self/mountinfo)
part=$(readlink -f "/sys/dev/block/$mm")
disk=${part%/*}
say "root partition ${part##*/} on disk ${disk##*/} driver $(basename "$(readlink "$disk/device/driver")")"
try sg-load bs-probe finit-module /lib/extra/sg.ko
rootsg=$(ls "$disk/device/scsi_generic" | head -n 1)
rootbsg=$(basename "$(readlink -f "$disk/device")")
for b in /sys/block/sd*; do
	[ "$(basename "$(readlink -f "$b/device")")" = 0:0:1:0 ] && other=${b##*/}
done
othersg=$(ls "/sys/block/$other/device/scsi_generic" | head -n 1)
say "nodes root $rootsg bsg $rootbsg other $other $othersg"
say "root sg node $(cat "/sys/class/scsi_generic/$rootsg/dev")"
try sg-open-write bs-probe open "/dev/$rootsg" w
try sg-open-read bs-probe open "/dev/$rootsg" r
try sg-io-read bs-probe sg-io "/dev/$rootsg" read 0
try sg-io-write bs-probe sg-io "/dev/$rootsg" write 40000
mknod /tmp/sg c 21 200
try sg-mknod-io-write bs-probe sg-io /tmp/sg write 40000
try bsg-io-write bs-probe sg-io "/dev/bsg/$rootbsg" write 40000
try part-write dd if=/dev/zero of="/dev/${part##*/}" bs=512 count=1 conv=notrunc
# The disk's other partition (the policy's, no filesystem) is no guarded
# device, but sd passes SG_IO on it to the whole disk.
sib=$(ls "$disk" | grep -E "^${disk##*/}[0-9]+\$" | grep -vx "${part##*/}" | head -n 1)
say "sibling partition $sib"
try sib-sg-io-write bs-probe sg-io "/dev/$sib" write 40000
try sib-read dd if="/dev/$sib" of=/dev/null bs=512 count=1
try secret-read cat /etc/secret
try other-sg-open bs-probe open "/dev/$othersg" r
try other-bsg-io-write bs-probe sg-io /dev/bsg/0:0:1:0 write 8

try other-blk-write sh -c "printf bootseal | dd of=/dev/$other bs=512 seek=8 conv=notrunc,sync"
say "other-readback $(dd if="/dev/$other" bs=512 skip=8 count=1 2>/dev/null | head -c 8)"
try tool-bsg-io-write /usr/lib/sgtool/bs-probe sg-io /dev/bsg/0:0:1:0 write 16
say "tool-readback $(dd if="/dev/$other" bs=512 skip=16 count=1 2>/dev/null | head -c 8)"
say "tool-bsg-io-read $(/usr/lib/sgtool/bs-probe sg-io /dev/bsg/0:0:1:0 read 16)"
try scratch-write dd if=/dev/zero of=/dev/vda bs=512 count=1 seek=1 conv=notrunc
finish
EOF_INIT
enf_guest_tree "$VM_WORK/tree"
mkdir -p "$VM_WORK/tree/usr/lib/sgtool"
cp "$VM_WORK/tree/usr/bin/bs-probe" "$VM_WORK/tree/usr/lib/sgtool/bs-probe"
ko=$(find "$VM_MODULES_DIR" -name 'sg.ko*' | head -n 1)
[ -n "$ko" ] || _vm_die "the kernel has no sg module"
case $ko in
*.xz) xz -dc "$ko" >"$VM_WORK/tree/lib/extra/sg.ko" ;;
*.zst) zstd -qdc "$ko" >"$VM_WORK/tree/lib/extra/sg.ko" ;;
*) cp "$ko" "$VM_WORK/tree/lib/extra/sg.ko" ;;
esac
disk=$(atk_disk)
initrd=$(dr_initramfs "$(dr_etc)")
for f in other scratch; do
	rm -f "$VM_WORK/$f.img"
	truncate -s 16M "$VM_WORK/$f.img"
done

log=$VM_WORK/console.log
vm_boot --initrd "$initrd" --disk "$VM_WORK/scratch.img" --log "$log" --timeout 400 \
	--append "rd.driver.blacklist=ahci" \
	--qemu-arg -device --qemu-arg "virtio-scsi-pci,id=scsi0" \
	--qemu-arg -drive --qemu-arg "if=none,id=rootd,file=$disk,format=raw,snapshot=on" \
	--qemu-arg -device --qemu-arg "scsi-hd,drive=rootd,bus=scsi0.0,scsi-id=0,lun=0" \
	--qemu-arg -drive --qemu-arg "if=none,id=otherd,file=$VM_WORK/other.img,format=raw" \
	--qemu-arg -device --qemu-arg "scsi-hd,drive=otherd,bus=scsi0.0,scsi-id=1,lun=0"
vm_expect "$log" "bootseal: policy 'vm-blockdev-scsi' generation 2 in force, enforce mode" "the policy is in force"
vm_expect "$log" '^TEST: root partition sd[a-z]+2 on disk sd[a-z]+ driver sd$' "root is partition 2 of a SCSI disk"
vm_expect "$log" '^TEST: sg not loaded before init$' "sg was not loaded when the loader ran"
if grep -q 'bootseal: guarding char device 21:' "$log"; then
	_vm_die "the loader found a SCSI generic node: the scenario does not test nodes made later"
fi
vm_expect "$log" '^TEST: sg-load rc=0$' "sg loads after switch_root"
vm_expect "$log" '^TEST: root sg node 21:[0-9]+$' "the root disk has a SCSI generic node now"
vm_expect "$log" "bootseal: guarding character major 21 \\(SCSI generic\\) against raw reads and writes" \
	"the loader guards the SCSI generic major"
vm_expect "$log" "bootseal: guarding character major [0-9]+ \\(bsg\\) against raw reads and writes" \
	"and the bsg major"
perm='Operation not permitted'
for t in sg-open-write sg-open-read sg-io-read sg-io-write sg-mknod-io-write bsg-io-write other-sg-open \
	other-bsg-io-write; do
	vm_expect "$log" "^TEST: $t out=error: open: $perm" "$t: refused by the enforcer at the open"
done
vm_expect "$log" "^TEST: part-write out=.*$perm" "a raw write to the root partition is refused"
vm_expect "$log" '^TEST: sibling partition sd[a-z]+[0-9]+$' "the root disk has another partition"
vm_expect "$log" "^TEST: sib-sg-io-write out=error: SG_IO write: $perm" \
	"a SCSI WRITE(10) through it, which goes to the whole disk, is refused"
vm_expect "$log" '^TEST: sib-read rc=0$' "the partition itself is read"
vm_expect "$log" "^TEST: secret-read rc=[1-9]" "reading /etc/secret is refused"
for t in other-blk-write tool-bsg-io-write scratch-write; do
	vm_expect "$log" "^TEST: $t rc=0\$" "$t: works"
done
vm_expect "$log" '^TEST: other-readback bootseal$' "target 1's block device reads back what it wrote"
vm_expect "$log" '^TEST: tool-readback bootseal$' "the named program's SCSI write reached target 1"
vm_expect "$log" '^TEST: tool-bsg-io-read ok bootseal$' "the named program reads target 1 through its bsg node"
vm_expect "$log" '^TEST: init done$' "init ran to its end"

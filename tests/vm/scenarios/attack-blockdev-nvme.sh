# attack-blockdev-nvme: root in the guest goes beneath a filesystem on
# NVMe. The dracut boot's root disk is namespace 1 of an emulated NVMe
# controller (serial bsroot); namespace 2 of that controller and a second
# controller (serial bsother) hold no protected filesystem, and the virtio
# disk is a scratch disk. The policy protects files for read and write.
# Refused: opening the root namespace's generic node /dev/ngXn1 (for
# writing, for reading, for ioctls only, and a fresh mknod of it), NVMe
# read and write commands through it (NVME_IOCTL_IO_CMD), an admin
# command through the root controller's node, a pass-through read on the
# root disk's block device, writes to the root partition, an NVMe write
# through the policy partition (it reaches the whole namespace); and, the price
# of guarding the whole nvme-generic major (generic nodes made after the
# loader, by a controller reset), namespace 2's and the other controller's
# generic nodes. Twins: the other controller's block device writes what it
# then reads, its controller node answers Identify, the subject named in
# `allow write device` writes the root partition, `bootseal install`
# writes the policy partition on the same NVMe disk, the scratch disk
# stays writable.
# A second boot, with a policy that protects files for read only: the
# generic node still refuses an open for writing (any descriptor of it
# reads), and so does the disk's block device (a loop device with direct
# I/O reads through a write-only descriptor), so neither a read command
# nor a plain raw write gets a descriptor; the other controller's disk is
# written.
. "$VM_SOURCE_ROOT/tests/vm/enforcer-lib.sh"
. "$VM_SOURCE_ROOT/tests/vm/dracut-lib.sh"
. "$VM_SOURCE_ROOT/tests/vm/attack-lib.sh"

extra=("deny read path /etc/secret"
	"allow write device /dev/disk/by-partlabel/root by /usr/lib/writer/busybox"
	"allow read device /dev/disk/by-partlabel/root by /usr/lib/writer/busybox"
	"deny write subtree /usr/lib/writer")
blob=$(dr_policy vm-blockdev-nvme 2 "${extra[@]}")
next=$(dr_policy vm-blockdev-nvme 3 "${extra[@]}")
dr_partition "$VM_WORK/part.img" "$blob"

cat >"$VM_WORK/init" <<'EOF_INIT'
#!/bin/sh
. /lib/vm-test.sh
say "init ran"
# The root filesystem's partition, its disk and the disk's directory.
mm=$(awk '$5 == "/" { print $3; exit }' /proc/self/mountinfo)
part=$(readlink -f "/sys/dev/block/$mm")
disk=${part%/*}
ctrl=${disk%/*}
say "root partition ${part##*/} on disk ${disk##*/} under ${ctrl##*/} serial $(cat "$ctrl/serial" 2>/dev/null)"
# generic node beside disk DIR, with its namespace number.
ng_of() {
	for g in "${1%/*}"/ng*n"${1##*n}"; do [ -e "$g/dev" ] && echo "${g##*/}"; done
}
rootng=$(ng_of "$disk")
ns2=$(ls -d "$ctrl"/nvme*n2 | head -n 1)
ns2ng=$(ng_of "$ns2")
for c in /sys/class/nvme/nvme*; do
	case $(cat "$c/serial") in bsother*) other=$(readlink -f "$c") ;; esac
done
otherdisk=$(ls -d "$other"/nvme*n1 | head -n 1)
otherng=$(ng_of "$otherdisk")
say "nodes root $rootng ns2 $ns2ng other ${other##*/} $otherng"
m=$(cat "/sys/class/nvme-generic/$rootng/dev")
say "root generic node $m"
rootpart=/dev/${part##*/}
policypart=/dev/${disk##*/}p1

try ng-open-write bs-probe open "/dev/$rootng" w
try ng-open-read bs-probe open "/dev/$rootng" r
try ng-open-ioctl bs-probe open "/dev/$rootng" none
try ng-io-read bs-probe nvme-io "/dev/$rootng" read 0
try ng-io-write bs-probe nvme-io "/dev/$rootng" write 40000
mknod /tmp/ng c "${m%:*}" "${m#*:}"
try ng-mknod-io-write bs-probe nvme-io /tmp/ng write 40000
try ctrl-identify bs-probe nvme-identify "/dev/${ctrl##*/}"
try blk-io-read bs-probe nvme-io "/dev/${disk##*/}" read 0
try blk-wronly-io-read bs-probe nvme-io "/dev/${disk##*/}" read 0 w
try blk-wronly-io-write bs-probe nvme-io "/dev/${disk##*/}" write 40000 w
try disk-write dd if=/dev/zero of="/dev/${disk##*/}" bs=512 count=1 seek=40001 conv=notrunc
try part-write dd if=/dev/zero of="$rootpart" bs=512 count=1 conv=notrunc
try secret-read cat /etc/secret
# The policy partition is no guarded device; an NVMe command on it goes to
# the namespace.
try sib-io-write bs-probe nvme-io "$policypart" write 40000

try ns2-io-write bs-probe nvme-io "/dev/$ns2ng" write 8
say "ns2-readback $(bs-probe nvme-io "/dev/$ns2ng" read 8)"
try ns2-open-write bs-probe open "/dev/$ns2ng" w
try other-io-write bs-probe nvme-io "/dev/$otherng" write 8
try other-blk-write sh -c "printf bootseal | dd of=/dev/${otherdisk##*/} bs=512 seek=8 conv=notrunc,sync"
say "other-readback $(dd if="/dev/${otherdisk##*/}" bs=512 skip=8 count=1 2>/dev/null | head -c 8)"
say "other-identify $(bs-probe nvme-identify "/dev/${other##*/}")"
try writer-part-write /usr/lib/writer/busybox dd if=/dev/zero of="$rootpart" bs=512 count=1 conv=notrunc
try policy-install bootseal install --trust /etc/bootseal/trusted.d/vm.pem --device "$policypart" /root/next.sealed
try scratch-write dd if=/dev/zero of=/dev/vda bs=512 count=1 seek=1 conv=notrunc
finish
EOF_INIT
enf_guest_tree "$VM_WORK/tree"
mkdir -p "$VM_WORK/tree/etc/bootseal/trusted.d" "$VM_WORK/tree/root"
cp "$VM_WORK/keys/vm.pub.pem" "$VM_WORK/tree/etc/bootseal/trusted.d/vm.pem"
cp "$next" "$VM_WORK/tree/root/next.sealed"
disk=$(atk_disk)
initrd=$(dr_initramfs "$(dr_etc)")

# Namespace 2, the other controller's namespace and the virtio scratch
# disk: no filesystem of the guest's, nothing to guard.
for f in ns2 other scratch; do
	rm -f "$VM_WORK/$f.img"
	truncate -s 16M "$VM_WORK/$f.img"
done

log=$VM_WORK/console.log
vm_boot --initrd "$initrd" --disk "$VM_WORK/scratch.img" --log "$log" --timeout 400 \
	--qemu-arg -drive --qemu-arg "if=none,id=rootns,file=$disk,format=raw,snapshot=on" \
	--qemu-arg -drive --qemu-arg "if=none,id=ns2,file=$VM_WORK/ns2.img,format=raw" \
	--qemu-arg -drive --qemu-arg "if=none,id=otherns,file=$VM_WORK/other.img,format=raw" \
	--qemu-arg -device --qemu-arg "nvme,id=nvroot,serial=bsroot" \
	--qemu-arg -device --qemu-arg "nvme-ns,drive=rootns,bus=nvroot,nsid=1" \
	--qemu-arg -device --qemu-arg "nvme-ns,drive=ns2,bus=nvroot,nsid=2" \
	--qemu-arg -device --qemu-arg "nvme,id=nvother,serial=bsother,drive=otherns"
vm_expect "$log" "bootseal: policy 'vm-blockdev-nvme' generation 2 in force, enforce mode" "the policy is in force"
vm_expect "$log" '^TEST: root partition nvme[0-9]+n1p2 on disk nvme[0-9]+n1 under nvme[0-9]+ serial bsroot' \
	"root is partition 2 of namespace 1 of the NVMe controller bsroot"
ng=$(sed -n 's/^TEST: root generic node \([0-9]*:[0-9]*\)$/\1/p' "$log")
[ -n "$ng" ] || _vm_die "the guest did not print the root namespace's generic node"
vm_expect "$log" "bootseal: guarding char device $ng against raw reads and writes" "the loader guards the root namespace's generic node"
vm_expect "$log" "bootseal: guarding block device 259:[0-9]+ against raw reads and writes" "and the NVMe disk and partition"
vm_expect "$log" "bootseal: guarding character major [0-9]+ \\(NVMe generic\\) against raw reads and writes" \
	"and the whole NVMe generic major, for nodes made later"
perm='Operation not permitted'
for t in ng-open-write ng-open-read ng-open-ioctl ng-io-read ng-io-write ng-mknod-io-write ctrl-identify blk-io-read \
	ns2-io-write ns2-open-write other-io-write; do
	vm_expect "$log" "^TEST: $t out=error: open: $perm" "$t: refused by the enforcer at the open"
done
vm_expect "$log" "^TEST: part-write out=.*$perm" "a raw write to the root partition is refused"
vm_expect "$log" "^TEST: sib-io-write out=error: NVME_IOCTL_IO_CMD write: $perm" \
	"an NVMe write through the policy partition, which goes to the whole namespace, is refused"
vm_expect "$log" "^TEST: secret-read rc=[1-9]" "reading /etc/secret is refused"
for t in other-blk-write writer-part-write policy-install scratch-write; do
	vm_expect "$log" "^TEST: $t rc=0\$" "$t: works"
done
vm_expect "$log" '^TEST: other-readback bootseal$' "the other controller's block device reads back what it wrote"
vm_expect "$log" '^TEST: other-identify ok bsother' "the other controller's node answers Identify"
for t in blk-wronly-io-read blk-wronly-io-write; do
	vm_expect "$log" "^TEST: $t out=error: open: $perm" "$t: the disk cannot be opened for writing"
done
vm_expect "$log" "^TEST: disk-write out=.*$perm" "a raw write to the NVMe disk is refused"
vm_expect "$log" '^TEST: init done$' "init ran to its end"

# Boot 2: only reads protected (/etc/secret), on a copy of the disk whose
# bootseal partition holds that policy.
src=$VM_WORK/vm-blockdev-nvme-read.policy
printf '%s\n' 'policy "vm-blockdev-nvme-read"' 'generation 2' 'mode enforce' 'deny read path /etc/secret' >"$src"
enf_seal "$src" "${src%.policy}.sealed"
dr_partition "$VM_WORK/part-read.img" "${src%.policy}.sealed"
disk2=$(vm_copy "$disk")
read -r off _ < <(vm_part_offset "$disk2" bootseal)
dd if="$VM_WORK/part-read.img" of="$disk2" bs=1M seek=$((off / 1048576)) conv=notrunc status=none
log2=$VM_WORK/console-read.log
vm_boot --initrd "$initrd" --disk "$VM_WORK/scratch.img" --log "$log2" --timeout 400 \
	--qemu-arg -drive --qemu-arg "if=none,id=rootns,file=$disk2,format=raw,snapshot=on" \
	--qemu-arg -drive --qemu-arg "if=none,id=ns2,file=$VM_WORK/ns2.img,format=raw" \
	--qemu-arg -drive --qemu-arg "if=none,id=otherns,file=$VM_WORK/other.img,format=raw" \
	--qemu-arg -device --qemu-arg "nvme,id=nvroot,serial=bsroot" \
	--qemu-arg -device --qemu-arg "nvme-ns,drive=rootns,bus=nvroot,nsid=1" \
	--qemu-arg -device --qemu-arg "nvme-ns,drive=ns2,bus=nvroot,nsid=2" \
	--qemu-arg -device --qemu-arg "nvme,id=nvother,serial=bsother,drive=otherns"
vm_expect "$log2" "bootseal: policy 'vm-blockdev-nvme-read' generation 2 in force, enforce mode" "the read-only policy is in force"
ng=$(sed -n 's/^TEST: root generic node \([0-9]*:[0-9]*\)$/\1/p' "$log2")
vm_expect "$log2" "bootseal: guarding char device $ng against raw reads\$" "the generic node is guarded for read only"
for t in ng-open-write ng-open-ioctl ng-io-write; do
	vm_expect "$log2" "^TEST: $t out=error: open: $perm" "$t: a read guard refuses every open of the generic node"
done
for t in blk-wronly-io-read blk-wronly-io-write; do
	vm_expect "$log2" "^TEST: $t out=error: open: $perm" \
		"$t: the disk is not opened write-only either (any descriptor of it reads)"
done
vm_expect "$log2" "^TEST: disk-write out=.*$perm" "so a plain raw write is refused too"
vm_expect "$log2" "^TEST: other-blk-write rc=0\$" "the other controller's disk is written (nothing of it is guarded)"
for t in ns2-io-write other-io-write; do
	vm_expect "$log2" "^TEST: $t out=error: open: $perm" "$t: the read guard on the NVMe generic major refuses it"
done
vm_expect "$log2" "^TEST: secret-read rc=[1-9]" "reading /etc/secret is refused"
vm_expect "$log2" '^TEST: init done$' "init ran to its end"

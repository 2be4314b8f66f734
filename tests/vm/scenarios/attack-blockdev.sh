# attack-blockdev: root in the guest goes beneath the filesystem. On a
# dracut boot with a policy from the bootseal partition, writes to the root
# partition and to the whole disk are refused (also through a fresh mknod'ed
# node and an O_PATH reopen), and so are reads, since the policy has read
# rules there. Twins: the subject named in `allow write device ... by`
# (and for read: any descriptor of a device guarded for read reads it)
# writes the partition, the one named for read reads it, `bootseal install`
# writes the policy partition (no filesystem), and a scratch disk stays
# writable. Mount: `mount -t ext2` of an ext4 volume under `deny mount
# fstype ext4` is refused, a tmpfs mount works. Without a `lockdown`
# statement, lockdown stays `none` (status says so, /dev/port is writable).
# An `audit` rule for any process on the guarded disk logs but lifts no
# guard (its reads stay refused), nor does one a program excepted from a
# stronger rule falls to (the partition under another name; the program
# may read it, so only the write is in question); on the scratch disk it
# logs the writes.
. "$VM_SOURCE_ROOT/tests/vm/enforcer-lib.sh"
. "$VM_SOURCE_ROOT/tests/vm/dracut-lib.sh"
. "$VM_SOURCE_ROOT/tests/vm/attack-lib.sh"

extra=("deny read path /etc/secret"
	"allow write device /dev/disk/by-partlabel/root by /usr/lib/writer/busybox"
	"allow read device /dev/disk/by-partlabel/root by /usr/lib/writer/busybox"
	"allow read device /dev/vda2 by /usr/lib/reader/busybox"
	"deny mount fstype ext4"
	"audit read device /dev/vda"
	"audit write device /dev/vdb"
	"deny write device /dev/vda2 except /opt/ok/busybox"
	"audit write device /dev/disk/by-partlabel/root"
	"allow read device /dev/vda2 by /opt/ok/busybox"
	"deny write subtree /opt/ok"
	"deny write subtree /usr/lib/writer"
	"deny write subtree /usr/lib/reader")
blob=$(dr_policy vm-blockdev 2 "${extra[@]}")
next=$(dr_policy vm-blockdev 3 "${extra[@]}")
dr_partition "$VM_WORK/part.img" "$blob"

cat >"$VM_WORK/init" <<'EOF_INIT'
#!/bin/sh
. /lib/vm-test.sh
say "init ran"
mm=$(cat /sys/class/block/vda2/dev)
say "root partition $mm"
try part-write dd if=/dev/zero of=/dev/vda2 bs=512 count=1 conv=notrunc
try disk-write dd if=/dev/zero of=/dev/vda bs=512 count=1 seek=18432 conv=notrunc
mknod /tmp/rootdev b "${mm%:*}" "${mm#*:}"
try mknod-write dd if=/dev/zero of=/tmp/rootdev bs=512 count=1 conv=notrunc
try reopen-write bs-probe reopen-write /dev/vda2
try part-read dd if=/dev/vda2 of=/dev/null bs=512 count=1
try disk-read dd if=/dev/vda of=/dev/null bs=512 count=1
try mknod-read dd if=/tmp/rootdev of=/dev/null bs=512 count=1
try writer-part-write /usr/lib/writer/busybox dd if=/dev/zero of=/dev/vda2 bs=512 count=1 conv=notrunc
try writer-disk-write /usr/lib/writer/busybox dd if=/dev/zero of=/dev/vda bs=512 count=1 seek=18432 conv=notrunc
try reader-part-read /usr/lib/reader/busybox dd if=/dev/vda2 of=/dev/null bs=512 count=1
try excepted-part-write /opt/ok/busybox dd if=/dev/zero of=/dev/vda2 bs=512 count=1 conv=notrunc
try scratch-write dd if=/dev/zero of=/dev/vdb bs=512 count=1 seek=1 conv=notrunc
try policy-install bootseal install --trust /etc/bootseal/trusted.d/vm.pem --device /dev/vda1 /root/next.sealed
try write-denied sh -c 'echo x >>/etc/protected'
try secret-read cat /etc/secret
try mount-ext2 mount -t ext2 /dev/vdb /mnt/free
try mount-ext4 mount -t ext4 /dev/vdb /mnt/free
try mount-tmpfs mount -t tmpfs none /mnt/free2
bootseal status 2>&1 | grep '^lockdown' | sed 's/^/TEST: status: /'
try port-write dd if=/dev/zero of=/dev/port bs=1 seek=128 count=1 conv=notrunc
sm=$(cat /sys/class/block/vdb/dev)
dm=$(cat /sys/class/block/vda/dev)
bootseal audit --json >/tmp/audit.json
say "scratch writes audited: $(grep '"operation":"write"' /tmp/audit.json | grep '"policy_action":"audit"' | grep -c "\"dev\":\"$sm\"")"
say "disk reads refused: $(grep '"operation":"read"' /tmp/audit.json | grep '"decision":"denied"' | grep -c "\"dev\":\"$dm\"")"
finish
EOF_INIT
enf_guest_tree "$VM_WORK/tree"
mkdir -p "$VM_WORK/tree/etc/bootseal/trusted.d" "$VM_WORK/tree/root"
cp "$VM_WORK/keys/vm.pub.pem" "$VM_WORK/tree/etc/bootseal/trusted.d/vm.pem"
cp "$next" "$VM_WORK/tree/root/next.sealed"
disk=$(atk_disk)
initrd=$(dr_initramfs "$(dr_etc)")

# The scratch disk: an ext4 volume that backs no mounted filesystem.
scratch=$VM_WORK/scratch.img
rm -f "$scratch"
truncate -s 16M "$scratch"
mkfs.ext4 -q -F "$scratch" >&2 || _vm_die "mkfs.ext4 $scratch failed"

log=$VM_WORK/console.log
vm_boot --initrd "$initrd" --disk "$disk" --log "$log" --timeout 400 \
	--qemu-arg -drive --qemu-arg "file=$scratch,if=virtio,format=raw"
vm_expect "$log" "bootseal: policy 'vm-blockdev' generation 2 in force, enforce mode" "the policy is in force"
vm_expect "$log" "bootseal: guarding block device [0-9]+:2 against raw reads and writes" "the loader guards the root partition"
vm_expect "$log" "bootseal: guarding block device [0-9]+:0 against raw reads and writes" "and the disk under it"
perm='Operation not permitted'
for t in part-write disk-write mknod-write part-read disk-read mknod-read; do
	vm_expect "$log" "^TEST: $t out=.*$perm" "$t: refused by the enforcer"
done
vm_expect "$log" "^TEST: reopen-write out=error: reopen for writing: $perm" "reopen-write: an O_PATH reopen for writing is refused"
vm_expect "$log" "^TEST: writer-disk-write out=.*$perm" "the subject allowed the partition is still refused the whole disk"
vm_expect "$log" "^TEST: excepted-part-write out=.*$perm" "a program excepted from the deny falls to an audit rule for any process, which lifts no guard"
for t in writer-part-write reader-part-read scratch-write policy-install mount-tmpfs port-write; do
	vm_expect "$log" "^TEST: $t rc=0\$" "$t: works"
done
vm_expect "$log" "^TEST: write-denied rc=[1-9]" "writing /etc/protected is still refused"
vm_expect "$log" "^TEST: secret-read rc=[1-9]" "reading /etc/secret is refused"
# busybox mount says EPERM as "permission denied (are you root?)"; it is root.
vm_expect "$log" "^TEST: mount-ext2 out=mount: permission denied" "mount -t ext2 of an ext4 volume is refused under deny mount fstype ext4"
vm_expect "$log" "^TEST: mount-ext4 out=mount: permission denied" "mount -t ext4 is refused"
vm_expect "$log" '^TEST: status: lockdown: +none \(the policy asks for none\)' "without a lockdown statement, lockdown stays none"
vm_expect "$log" '^TEST: scratch writes audited: [1-9]' "the audit rule on the scratch disk logs its writes"
vm_expect "$log" '^TEST: disk reads refused: [1-9]' "the audit rule on the guarded disk lifts no guard: its reads are refused and logged"
vm_expect "$log" '^TEST: init done$' "init ran to its end"

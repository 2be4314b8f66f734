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
#      root systems boot.
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

# boot NAME SEALED FS DISK APPEND: one boot of DISK under the policy SEALED,
# its console in $VM_WORK/NAME.log.
boot() {
	local name=$1 sealed=$2 fs=$3 disk=$4 append=$5 initrd
	ENF_INITRAMFS_MODULES=$fs
	initrd=$(enf_initramfs "$sealed")
	vm_boot --initrd "$initrd" --disk "$disk" --log "$VM_WORK/$name.log" --timeout 300 --append "$append"
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

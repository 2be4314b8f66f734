# enforcer-sources: the policy comes from the bootseal partition, found by
# scanning the disks in the guest (source = partitions), and is in force for
# init. A tampered partition in enforce mode stops the boot before init
# with the loader's reason; a rolled-back policy is refused by the floor;
# a permissive configuration without a valid policy lets the boot go on.
. "$VM_SOURCE_ROOT/tests/vm/enforcer-lib.sh"

cat >"$VM_WORK/vm.policy" <<'POLICY'
policy "vm-partition"
generation 4
mode enforce
deny exec path /opt/denied/busybox
POLICY
enf_seal "$VM_WORK/vm.policy" "$VM_WORK/vm.sealed"

# The partition content, made by bootseal itself on an image file.
truncate -s 8M "$VM_WORK/part.img"
"$ENF_TOOL" format "$VM_WORK/part.img" >/dev/null
"$ENF_TOOL" install --trust "$VM_WORK/keys/vm.pub.pem" --device "$VM_WORK/part.img" "$VM_WORK/vm.sealed" >/dev/null

cat >"$VM_WORK/init" <<'EOF'
#!/bin/sh
. /lib/vm-test.sh
say "init ran"
try exec-denied /opt/denied/busybox true
try exec-allowed /opt/ok/busybox true
finish
EOF
enf_guest_tree "$VM_WORK/tree"
disk=$(vm_build_disk --init "$VM_WORK/init" --dir "$VM_WORK/tree:/" --bootseal-content "$VM_WORK/part.img")

# 1. From the partition, in force.
initrd=$(enf_initramfs "" "source = partitions")
vm_boot --initrd "$initrd" --disk "$disk" --log "$VM_WORK/partition.log" --timeout 240
log=$VM_WORK/partition.log
vm_expect "$log" "bootseal: source .*vda1.*: generation 4" "the loader found the partition by scanning"
vm_expect "$log" "bootseal: policy 'vm-partition' generation 4 in force, enforce mode" "and installed its policy"
vm_expect "$log" '^TEST: exec-denied rc=[1-9]' "the policy denies"
vm_expect "$log" '^TEST: exec-allowed rc=0$' "and allows"

# 2. The same disk with one byte of the signed policy changed (its name,
# inside the payload of the serving slot).
bad=$(vm_copy "$disk")
read -r off _ < <(vm_part_offset "$bad" bootseal)
pos=$(LC_ALL=C grep -obUaF vm-partition "$VM_WORK/part.img" | head -n 1 | cut -d: -f1)
[ -n "$pos" ] || _vm_die "cannot find the policy in the partition image"
printf 'w' | dd of="$bad" bs=1 seek=$((off + pos)) conv=notrunc status=none
vm_boot --initrd "$initrd" --disk "$bad" --log "$VM_WORK/tampered.log" --timeout 240
log=$VM_WORK/tampered.log
vm_expect "$log" '^bootseal: boot stopped: /usr/sbin/bootseal-loader exited with status 4: bootseal: no valid policy found' \
	"a tampered policy stops the boot with the loader's reason"
vm_expect_not "$log" '^TEST: init ran' "init never ran"

# 3. A floor above the policy's generation refuses it.
sed -i '/^floor/d' "$VM_WORK/initramfs-etc/loader.conf"
echo "floor = 5" >>"$VM_WORK/initramfs-etc/loader.conf"
initrd=$(enf_initramfs_again)
vm_boot --initrd "$initrd" --disk "$disk" --log "$VM_WORK/rollback.log" --timeout 240
log=$VM_WORK/rollback.log
vm_expect "$log" 'exited with status 4: bootseal: no valid policy found \(floor 5' "a policy below the floor stops the boot"
vm_expect_not "$log" '^TEST: init ran' "init never ran"

# 4. Permissive configuration: the same refusal lets the boot continue.
echo "mode = permissive" >>"$VM_WORK/initramfs-etc/loader.conf"
initrd=$(enf_initramfs_again)
vm_boot --initrd "$initrd" --disk "$disk" --log "$VM_WORK/permissive.log" --timeout 240
log=$VM_WORK/permissive.log
vm_expect "$log" 'bootseal: continuing the boot without a policy \(permissive mode\)' "the loader says it continues"
vm_expect "$log" '^initramfs: hook exited with status 1, continuing' "with exit status 1"
vm_expect "$log" '^TEST: exec-denied rc=0$' "nothing is enforced"

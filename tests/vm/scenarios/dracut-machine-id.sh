# dracut-machine-id (boot scenario 8): a valid policy bound to another
# machine-id than the new root's /etc/machine-id is refused: the boot stops.
# Its twin: the same disk with a policy bound to another machine and to
# this one is installed, and init runs under it.
. "$VM_SOURCE_ROOT/tests/vm/enforcer-lib.sh"
. "$VM_SOURCE_ROOT/tests/vm/dracut-lib.sh"

this=0123456789abcdef0123456789abcdef
other=ffffffffffffffffffffffffffffffff
initrd=$(dr_initramfs "$(dr_etc)")

dr_partition "$VM_WORK/part.img" "$(dr_policy vm-bound 2 "machine $other")"
disk=$(dr_disk --machine-id "$this" --bootseal-content "$VM_WORK/part.img")
log=$VM_WORK/console.log
vm_boot --initrd "$initrd" --disk "$disk" --log "$log" --timeout 400
vm_expect "$log" "^bootseal: boot stopped: bootseal-loader exited with status 5: the policy is not for this machine \\(machine-id $this" \
	"a policy for another machine stops the boot, naming this machine's id"
vm_expect_not "$log" '^TEST: init ran' "init never ran"

# The twin: bound to both machines, so also to this one.
dr_partition "$VM_WORK/part-both.img" "$(dr_policy vm-bound-here 2 "machine $other" "machine $this")"
disk=$(dr_disk --machine-id "$this" --bootseal-content "$VM_WORK/part-both.img")
log=$VM_WORK/console-here.log
vm_boot --initrd "$initrd" --disk "$disk" --log "$log" --timeout 400
vm_expect "$log" "bootseal: policy 'vm-bound-here' generation 2 in force, enforce mode" \
	"a policy that lists this machine among others is installed"
vm_expect_order "$log" "bootseal: policy 'vm-bound-here' generation 2 in force" '^TEST: init ran' "before init ran"
vm_expect "$log" '^TEST: exec-denied rc=[1-9]' "and enforced: exec of a denied binary is refused"
vm_expect "$log" '^TEST: exec-allowed rc=0$' "another binary runs"

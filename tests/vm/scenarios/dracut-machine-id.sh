# dracut-machine-id (boot scenario 8): a valid policy bound to another
# machine-id than the new root's /etc/machine-id is refused: the boot stops.
. "$VM_SOURCE_ROOT/tests/vm/enforcer-lib.sh"
. "$VM_SOURCE_ROOT/tests/vm/dracut-lib.sh"

dr_partition "$VM_WORK/part.img" "$(dr_policy vm-bound 2 "machine ffffffffffffffffffffffffffffffff")"
disk=$(dr_disk --machine-id 0123456789abcdef0123456789abcdef --bootseal-content "$VM_WORK/part.img")
initrd=$(dr_initramfs "$(dr_etc)")

log=$VM_WORK/console.log
vm_boot --initrd "$initrd" --disk "$disk" --log "$log" --timeout 400
vm_expect "$log" '^bootseal: boot stopped: bootseal-loader exited with status 5: the policy is not for this machine \(machine-id 0123456789abcdef0123456789abcdef' \
	"a policy for another machine stops the boot, naming this machine's id"
vm_expect_not "$log" '^TEST: init ran' "init never ran"

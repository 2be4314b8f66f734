# dracut-slots (boot scenario 4): the two slots under a dracut initramfs.
# Slot A holds generation 2, slot B generation 3: B serves. B corrupt (one
# payload bit): A serves, so an update gone wrong never leaves the machine
# without a policy.
. "$VM_SOURCE_ROOT/tests/vm/enforcer-lib.sh"
. "$VM_SOURCE_ROOT/tests/vm/dracut-lib.sh"

dr_partition "$VM_WORK/part.img" "$(dr_policy vm-slots 2)" "$(dr_policy vm-slots 3)"
disk=$(dr_disk --bootseal-content "$VM_WORK/part.img")
read -r off _ < <(vm_part_offset "$disk" bootseal)
initrd=$(dr_initramfs "$(dr_etc)")

log=$VM_WORK/both.log
vm_boot --initrd "$initrd" --disk "$disk" --log "$log" --timeout 400
vm_expect "$log" "bootseal: source /dev/vda1 .*: generation 3 in slot B, verified" "slot B (generation 3) serves"
vm_expect "$log" "bootseal: policy 'vm-slots' generation 3 in force" "and is in force"
vm_expect "$log" '^TEST: exec-denied rc=[1-9]' "and denies"

broken=$(vm_copy "$disk")
dr_corrupt_slot "$broken" "$off" B
log=$VM_WORK/b-corrupt.log
vm_boot --initrd "$initrd" --disk "$broken" --log "$log" --timeout 400
vm_expect "$log" "slot B .*corrupt" "slot B is reported corrupt"
vm_expect "$log" "bootseal: source /dev/vda1 .*: generation 2 in slot A, verified" "slot A (generation 2) serves instead"
vm_expect "$log" "bootseal: policy 'vm-slots' generation 2 in force" "and is in force"
vm_expect "$log" '^TEST: exec-denied rc=[1-9]' "and denies"

# dracut-cmdline-weaken (boot scenario 7): `bootseal.mode=permissive` on the
# kernel command line does not weaken an enforcing initramfs configuration
# (loader.conf: mode = enforce, no cmdline-may-weaken). A valid policy stays
# enforced; a tampered one still stops the boot.
. "$VM_SOURCE_ROOT/tests/vm/enforcer-lib.sh"
. "$VM_SOURCE_ROOT/tests/vm/dracut-lib.sh"

dr_partition "$VM_WORK/part.img" "$(dr_policy vm-cmdline 2)"
disk=$(dr_disk --bootseal-content "$VM_WORK/part.img")
read -r off _ < <(vm_part_offset "$disk" bootseal)
initrd=$(dr_initramfs "$(dr_etc)")

log=$VM_WORK/valid.log
vm_boot --initrd "$initrd" --disk "$disk" --log "$log" --timeout 400 --append "bootseal.mode=permissive"
vm_expect "$log" 'bootseal.mode=permissive.*ignored|ignor.*bootseal.mode=permissive' "the loader says it ignores the weakening option"
vm_expect "$log" "bootseal: policy 'vm-cmdline' generation 2 in force, enforce mode" "the policy is in force in enforce mode"
vm_expect "$log" '^TEST: exec-denied rc=[1-9]' "and denies"

bad=$(vm_copy "$disk")
dr_corrupt_slot "$bad" "$off" A
log=$VM_WORK/tampered.log
vm_boot --initrd "$initrd" --disk "$bad" --log "$log" --timeout 400 --append "bootseal.mode=permissive"
vm_expect "$log" 'bootseal.mode=permissive.*ignored|ignor.*bootseal.mode=permissive' "the option is ignored again"
vm_expect "$log" '^bootseal: boot stopped: bootseal-loader exited with status 4: ' "and the tampered slot still stops the boot"
vm_expect_not "$log" '^TEST: init ran' "init never ran"

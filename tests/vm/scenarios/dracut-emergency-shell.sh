# dracut-emergency-shell: where /etc/bootseal/initramfs.conf says
# `emergency-shell = yes`, a boot stopped by a tampered slot offers dracut's
# emergency shell instead of powering off, and init does not run. Nobody
# types into the guest's console here, so the shell waits: the boot ends
# once the console shows dracut's shell starting (however slow the boot).
. "$VM_SOURCE_ROOT/tests/vm/enforcer-lib.sh"
. "$VM_SOURCE_ROOT/tests/vm/dracut-lib.sh"

dr_partition "$VM_WORK/part.img" "$(dr_policy vm-shell 2)"
disk=$(dr_disk --bootseal-content "$VM_WORK/part.img")
read -r off _ < <(vm_part_offset "$disk" bootseal)
bad=$(vm_copy "$disk")
dr_corrupt_slot "$bad" "$off" A
etc=$(dr_etc)
printf 'emergency-shell = yes\n' >"$etc/initramfs.conf"
initrd=$(dr_initramfs "$etc")

log=$VM_WORK/console.log
vm_boot --initrd "$initrd" --disk "$bad" --log "$log" --timeout 400 --until 'Dropping to debug shell|^bootseal: powering off' ||
	_vm_die "the boot reached neither dracut's emergency shell nor a power-off"
vm_expect "$log" '^bootseal: boot stopped: bootseal-loader exited with status 4: ' "the tampered slot stops the boot"
vm_expect "$log" '^bootseal: initramfs.conf allows the emergency shell' "the configuration's emergency shell is offered"
vm_expect "$log" "no policy installed; when this shell exits, bootseal-loader runs again" "the shell says what happens next"
vm_expect "$log" "Dropping to debug shell" "dracut's emergency shell starts"
vm_expect_not "$log" '^bootseal: powering off' "instead of powering off"
vm_expect_not "$log" '^TEST: init ran' "init never ran"

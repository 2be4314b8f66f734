# dracut-no-policy (boot scenario 6): no bootseal partition and a kernel
# image without a trailer: in enforce mode (the initramfs' configuration)
# the boot stops before init.
. "$VM_SOURCE_ROOT/tests/vm/enforcer-lib.sh"
. "$VM_SOURCE_ROOT/tests/vm/dracut-lib.sh"

mkdir -p "$VM_WORK/tree/boot"
cp "$VM_VMLINUZ" "$VM_WORK/tree/boot/vmlinuz-$KVER"
disk=$(dr_disk --bootseal-size 0 --root-size 96)
initrd=$(dr_initramfs "$(dr_etc)")

log=$VM_WORK/console.log
vm_boot --initrd "$initrd" --disk "$disk" --log "$log" --timeout 400
vm_expect "$log" 'bootseal: source .*vmlinuz.*: ' "the loader looked at the running kernel's image"
vm_expect "$log" '^bootseal: boot stopped: bootseal-loader exited with status 4: no valid policy found' \
	"the boot stops with one line saying why"
vm_expect_not "$log" '^TEST: init ran' "init never ran"

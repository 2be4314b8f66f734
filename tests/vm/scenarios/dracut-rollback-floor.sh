# dracut-rollback-floor (boot scenario 5): the partition holds a valid,
# well-signed policy of generation 1, older than the floor the initramfs
# was generated with (floor = 2 in loader.conf): refused, the boot stops.
. "$VM_SOURCE_ROOT/tests/vm/enforcer-lib.sh"
. "$VM_SOURCE_ROOT/tests/vm/dracut-lib.sh"

dr_partition "$VM_WORK/part.img" "$(dr_policy vm-old 1)"
disk=$(dr_disk --bootseal-content "$VM_WORK/part.img")
initrd=$(dr_initramfs "$(dr_etc)")

log=$VM_WORK/console.log
vm_boot --initrd "$initrd" --disk "$disk" --log "$log" --timeout 400
vm_expect "$log" "generation 1 in slot A is below the floor 2" "the loader says generation 1 is below the floor"
vm_expect "$log" '^bootseal: boot stopped: bootseal-loader exited with status 4: no valid policy found \(floor 2' \
	"the boot stops, naming the floor"
vm_expect_not "$log" '^TEST: init ran' "init never ran"

# dracut-systemd: scenario 1 and a tampered slot with a systemd initrd
# (dracut's systemd and systemd-initrd modules), where bootseal-load.service
# runs the loader once /sysroot is mounted and before
# initrd-switch-root.target: the policy is in force from /sbin/init's first
# line, and a tampered slot stops the boot before init with the same
# console line as the classic hook. A command line naming the switch-root
# target directly (rd.systemd.unit=initrd-switch-root.target, which skips
# initrd.target) does not skip the loader.
. "$VM_SOURCE_ROOT/tests/vm/enforcer-lib.sh"
. "$VM_SOURCE_ROOT/tests/vm/dracut-lib.sh"

dr_partition "$VM_WORK/part.img" "$(dr_policy vm-systemd 2)"
disk=$(dr_disk --bootseal-content "$VM_WORK/part.img")
read -r off _ < <(vm_part_offset "$disk" bootseal)
initrd=$(dr_initramfs "$(dr_etc)" systemd)
lsinitrd "$initrd" | grep -q 'initrd.target.requires/bootseal-load.service' ||
	_vm_die "the systemd initrd does not require bootseal-load.service"
lsinitrd "$initrd" | grep -q 'initrd-switch-root.service.requires/bootseal-load.service' ||
	_vm_die "initrd-switch-root.service does not require bootseal-load.service"

log=$VM_WORK/console.log
vm_boot --initrd "$initrd" --disk "$disk" --log "$log" --timeout 240
vm_expect "$log" "bootseal: policy 'vm-systemd' generation 2 in force, enforce mode" "bootseal-load.service installed the policy"
vm_expect_order "$log" "bootseal: policy 'vm-systemd' generation 2 in force" '^TEST: init ran' "before init ran"
vm_expect "$log" '^TEST: exec-denied rc=[1-9]' "exec of a denied binary is refused"
vm_expect "$log" '^TEST: exec-allowed rc=0$' "another binary runs"

bad=$(vm_copy "$disk")
dr_corrupt_slot "$bad" "$off" A
log=$VM_WORK/tampered.log
vm_boot --initrd "$initrd" --disk "$bad" --log "$log" --timeout 240
vm_expect "$log" 'bootseal: boot stopped: bootseal-loader exited with status 4: no valid policy found' \
	"a tampered slot stops the boot with one line saying why"
vm_expect_not "$log" '^TEST: init ran' "init never ran"

# Root could write this into the boot loader's configuration for the next
# boot: initrd-switch-root.service requires the loader too (the lsinitrd
# check above is what shows that). In this guest the named target alone
# never mounts the root, so this boot stops either way; what it asserts is
# only that init never runs without the policy in force first.
log=$VM_WORK/unit.log
vm_boot --initrd "$initrd" --disk "$disk" --log "$log" --timeout 240 \
	--append 'rd.systemd.unit=initrd-switch-root.target' || :
if grep -q '^TEST: init ran' "$log"; then
	vm_expect_order "$log" "bootseal: policy 'vm-systemd' generation 2 in force" '^TEST: init ran' \
		"rd.systemd.unit=initrd-switch-root.target: the loader still ran before init"
	vm_expect "$log" '^TEST: exec-denied rc=[1-9]' "and the policy holds"
else
	_vm_say "ok: rd.systemd.unit=initrd-switch-root.target: init did not run unconfined (the boot stopped)"
fi

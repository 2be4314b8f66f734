# dracut-tampered (boot scenario 3): the only policy in the partition is
# tampered with (one byte of its payload). With the enforcing initramfs the
# boot stops before init with one console line saying why; with an
# initramfs configured `mode = permissive`, init runs and the loader's
# warning is on the console.
. "$VM_SOURCE_ROOT/tests/vm/enforcer-lib.sh"
. "$VM_SOURCE_ROOT/tests/vm/dracut-lib.sh"

blob=$(dr_policy vm-tampered 2)
dr_partition "$VM_WORK/part.img" "$blob"
pos=$(LC_ALL=C grep -obUaF vm-tampered "$VM_WORK/part.img" | head -n 1 | cut -d: -f1)
[ -n "$pos" ] || _vm_die "cannot find the policy in the partition image"
printf 'W' | dd of="$VM_WORK/part.img" bs=1 seek="$pos" conv=notrunc status=none
disk=$(dr_disk --bootseal-content "$VM_WORK/part.img")

# Enforce.
initrd=$(dr_initramfs "$(dr_etc)")
log=$VM_WORK/enforce.log
vm_boot --initrd "$initrd" --disk "$disk" --log "$log" --timeout 400
vm_expect "$log" "slot A .*: corrupt: payload SHA-256 mismatch" "the loader names the tampered slot"
vm_expect "$log" '^bootseal: boot stopped: bootseal-loader exited with status 4: no valid policy found' \
	"one console line: the boot stopped, and why"
vm_expect "$log" '^bootseal: powering off' "the machine powers off (no emergency shell configured)"
vm_expect_not "$log" '^TEST: init ran' "init never ran"

# Permissive.
initrd=$(dr_initramfs "$(dr_etc "mode = permissive" "floor = 2")")
log=$VM_WORK/permissive.log
vm_boot --initrd "$initrd" --disk "$disk" --log "$log" --timeout 400
vm_expect "$log" "bootseal: continuing the boot without a policy \\(permissive mode\\)" "the loader warns"
vm_expect_not "$log" '^bootseal: boot stopped' "the boot does not stop"
vm_expect "$log" '^TEST: init ran' "init runs"
vm_expect "$log" '^TEST: exec-denied rc=0$' "with no policy in force"

# dracut-mark-good (boot scenario 9): slot A holds generation 2, slot B
# generation 3. After a good boot with generation 3, the boot script runs
# `bootseal mark-good` in the guest, which raises the partition's floor to
# 3; on the next boot, with slot B corrupt, the older generation in slot A
# is no longer a fallback: refused, the boot stops.
. "$VM_SOURCE_ROOT/tests/vm/enforcer-lib.sh"
. "$VM_SOURCE_ROOT/tests/vm/dracut-lib.sh"

dr_partition "$VM_WORK/part.img" "$(dr_policy vm-mark 2)" "$(dr_policy vm-mark 3)"
cat >"$VM_WORK/init" <<'EOF_INIT'
#!/bin/sh
. /lib/vm-test.sh
say "init ran"
try exec-denied /opt/denied/busybox true
try mark-good bootseal mark-good /dev/vda1
bootseal slots /dev/vda1 2>&1 | sed 's/^/TEST: slots: /'
finish
EOF_INIT
enf_guest_tree "$VM_WORK/tree"
mkdir -p "$VM_WORK/tree/etc/bootseal/trusted.d" "$VM_WORK/tree/usr/sbin"
cp "$VM_WORK/keys/vm.pub.pem" "$VM_WORK/tree/etc/bootseal/trusted.d/vm.pem"
enf_copy_program "$ENF_TOOL" "$VM_WORK/tree/usr/sbin/bootseal"
mapfile -t libs < <(enf_lib_files "$ENF_TOOL")
disk=$(dr_disk --root-size 96 --bootseal-content "$VM_WORK/part.img" "${libs[@]}")
read -r off _ < <(vm_part_offset "$disk" bootseal)
initrd=$(dr_initramfs "$(dr_etc)")

# The good boot, on a writable copy: mark-good writes the partition.
disk=$(vm_copy "$disk")
log=$VM_WORK/good.log
vm_boot --initrd "$initrd" --disk "$disk" --log "$log" --timeout 400 --writable
vm_expect "$log" "bootseal: policy 'vm-mark' generation 3 in force" "generation 3 is in force"
vm_expect "$log" '^TEST: exec-denied rc=[1-9]' "and denies"
vm_expect "$log" '^TEST: mark-good rc=0$' "bootseal mark-good ran in the guest"
vm_expect "$log" '^TEST: slots: .*rollback floor 3$' "bootseal slots in the guest shows floor 3"
floor=$("$ENF_TOOL" slots --json --trust "$VM_WORK/keys/vm.pub.pem" --partition 1 "$disk" |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["floor"])')
[ "$floor" = 3 ] || _vm_die "the partition's floor is $floor after mark-good, not 3"
_vm_say "ok: the partition's floor on the disk is 3"

# Slot B corrupt: generation 2 in slot A is below the raised floor.
dr_corrupt_slot "$disk" "$off" B
log=$VM_WORK/after-mark-good.log
vm_boot --initrd "$initrd" --disk "$disk" --log "$log" --timeout 400
vm_expect "$log" "slot A .*generation 2.*floor 3|floor 3.*slot A" "slot A is refused: below the partition's floor 3"
vm_expect "$log" '^bootseal: boot stopped: bootseal-loader exited with status 4: ' "the boot stops"
vm_expect_not "$log" '^TEST: init ran' "init never ran"

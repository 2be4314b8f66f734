# dracut-slots: the two slots and the rollback floor, with a dracut-built
# initramfs. Slot A holds generation 1, slot B generation 2: B serves. B
# corrupt: A serves (an update never leaves the machine without a policy).
# After `bootseal mark-good` (the admin's blessing of a good boot) the floor
# is 2, and with B corrupt the older A is refused: the boot stops.
. "$VM_SOURCE_ROOT/tests/vm/enforcer-lib.sh"
. "$VM_SOURCE_ROOT/tests/vm/dracut-lib.sh"

for g in 1 2; do
	cat >"$VM_WORK/gen$g.policy" <<POLICY
policy "vm-slots"
generation $g
mode enforce
deny exec path /opt/denied/busybox
POLICY
	enf_seal "$VM_WORK/gen$g.policy" "$VM_WORK/gen$g.sealed"
done
trust=$VM_WORK/keys/vm.pub.pem
truncate -s 8M "$VM_WORK/part.img"
"$ENF_TOOL" format "$VM_WORK/part.img" >/dev/null
"$ENF_TOOL" install --trust "$trust" --device "$VM_WORK/part.img" "$VM_WORK/gen1.sealed" >/dev/null
"$ENF_TOOL" install --trust "$trust" --device "$VM_WORK/part.img" "$VM_WORK/gen2.sealed" >/dev/null

cat >"$VM_WORK/init" <<'EOF_INIT'
#!/bin/sh
. /lib/vm-test.sh
say "init ran"
try exec-denied /opt/denied/busybox true
finish
EOF_INIT
enf_guest_tree "$VM_WORK/tree"
disk=$(vm_build_disk --init "$VM_WORK/init" --dir "$VM_WORK/tree:/" --bootseal-content "$VM_WORK/part.img")
read -r off _ < <(vm_part_offset "$disk" bootseal)
# Slot B's offset in the partition, as `bootseal slots` reports it.
slot_b=$("$ENF_TOOL" slots --json --trust "$trust" "$VM_WORK/part.img" |
	python3 -c 'import json,sys; print([s for s in json.load(sys.stdin)["slots"] if s["slot"]=="B"][0]["offset"])')

etc=$VM_WORK/etc-bootseal
mkdir -p "$etc/trusted.d"
cp "$trust" "$etc/trusted.d/vm.pem"
printf 'source = partitions\n' >"$etc/loader.conf"
initrd=$(dr_initramfs "$etc")

# 1. Both good: the newer slot B serves.
log=$VM_WORK/both.log
vm_boot --initrd "$initrd" --disk "$disk" --log "$log" --timeout 400
vm_expect "$log" "bootseal: source .*vda1.*: generation 2 in slot B, verified" "slot B (generation 2) serves"
vm_expect "$log" '^TEST: exec-denied rc=[1-9]' "and is in force"

# 2. Slot B corrupt (a byte of its payload): slot A serves.
corrupt_b() {
	local img=$1 pos=$((off + slot_b + 4096 + 64)) b
	b=$(od -An -tu1 -j "$pos" -N1 "$img" | tr -d ' ')
	# shellcheck disable=SC2059
	printf "$(printf '\\%03o' $((b ^ 1)))" | dd of="$img" bs=1 seek="$pos" conv=notrunc status=none
}
broken=$(vm_copy "$disk")
corrupt_b "$broken"
log=$VM_WORK/b-corrupt.log
vm_boot --initrd "$initrd" --disk "$broken" --log "$log" --timeout 400
vm_expect "$log" "slot B .*corrupt" "slot B is reported corrupt"
vm_expect "$log" "bootseal: source .*vda1.*: generation 1 in slot A, verified" "slot A (generation 1) serves instead"
vm_expect "$log" '^TEST: exec-denied rc=[1-9]' "and is in force"

# 3. mark-good after the good boot raises the floor to 2; then the older
# slot is no longer a fallback.
blessed=$(vm_copy "$disk")
"$ENF_TOOL" mark-good --trust "$trust" "$blessed" >&2
corrupt_b "$blessed"
log=$VM_WORK/after-mark-good.log
vm_boot --initrd "$initrd" --disk "$blessed" --log "$log" --timeout 400
vm_expect "$log" '^bootseal: boot stopped: bootseal-loader exited with status 4: ' "generation 1 is refused below the floor"
vm_expect_not "$log" '^TEST: init ran' "init never ran"

# initramfs-tools-partition (boot scenario 10): scenario 1 with an
# initramfs built by initramfs-tools' mkinitramfs (Debian's and Ubuntu's
# default) from bootseal's installed hook and init-bottom script: the
# partition's policy is in force from /sbin/init's first line. Then a
# tampered slot stops the boot with the same console line as under dracut.
. "$VM_SOURCE_ROOT/tests/vm/enforcer-lib.sh"
. "$VM_SOURCE_ROOT/tests/vm/dracut-lib.sh"

dr_partition "$VM_WORK/part.img" "$(dr_policy vm-itools 2)"
disk=$(dr_disk --bootseal-content "$VM_WORK/part.img")
read -r off _ < <(vm_part_offset "$disk" bootseal)
initrd=$(it_initramfs "$(dr_etc)")
# What the hook and mkinitramfs put in the image: the init-bottom script
# and the two files it sources.
lsinitramfs "$initrd" >"$VM_WORK/lsinitramfs.txt"
for f in scripts/init-bottom/bootseal scripts/bootseal-stop.sh scripts/bootseal-exit-codes.sh usr/sbin/bootseal-loader; do
	grep -qx "$f" "$VM_WORK/lsinitramfs.txt" || _vm_die "lsinitramfs: $f is not in $initrd"
done
_vm_say "ok: lsinitramfs lists the init-bottom script, bootseal-stop.sh, the exit codes and the loader"

log=$VM_WORK/console.log
vm_boot --initrd "$initrd" --disk "$disk" --log "$log" --timeout 400 --append "root=/dev/vda2 rw"
vm_expect "$log" "bootseal: source /dev/vda1 .*: generation 2 in slot A, verified" "the loader takes the policy from the partition"
vm_expect "$log" "bootseal: policy 'vm-itools' generation 2 in force, enforce mode" "the init-bottom script installed the policy"
vm_expect_order "$log" "bootseal: policy 'vm-itools' generation 2 in force" '^TEST: init ran' "before init ran"
vm_expect "$log" '^TEST: exec-denied rc=[1-9]' "exec of a denied binary is refused"
vm_expect "$log" '^TEST: exec-allowed rc=0$' "another binary runs"
vm_expect "$log" '^TEST: write-denied rc=[1-9]' "writing a protected file is refused"

bad=$(vm_copy "$disk")
dr_corrupt_slot "$bad" "$off" A
log=$VM_WORK/tampered.log
vm_boot --initrd "$initrd" --disk "$bad" --log "$log" --timeout 400 --append "root=/dev/vda2 rw"
vm_expect "$log" '^bootseal: boot stopped: bootseal-loader exited with status 4: no valid policy found' \
	"a tampered slot stops the boot with one line saying why"
vm_expect_not "$log" '^TEST: init ran' "init never ran"

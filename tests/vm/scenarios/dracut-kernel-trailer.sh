# dracut-kernel-trailer: no policy partition; the policy is appended to the
# very kernel image QEMU boots (`bootseal append`). That image still boots,
# and the loader in the dracut initramfs finds the policy in the trailer of
# the running kernel's image under the new root (/boot/vmlinuz-$(uname -r))
# and puts it in force.
. "$VM_SOURCE_ROOT/tests/vm/enforcer-lib.sh"
. "$VM_SOURCE_ROOT/tests/vm/dracut-lib.sh"

cat >"$VM_WORK/vm.policy" <<'POLICY'
policy "vm-trailer"
generation 1
mode enforce
deny exec path /opt/denied/busybox
POLICY
enf_seal "$VM_WORK/vm.policy" "$VM_WORK/vm.sealed"

kernel=$VM_WORK/vmlinuz-$KVER
cp "$VM_VMLINUZ" "$kernel"
"$ENF_TOOL" append --trust "$VM_WORK/keys/vm.pub.pem" --kernel "$kernel" "$VM_WORK/vm.sealed" >&2
cmp -s "$kernel" "$VM_VMLINUZ" && _vm_die "append left the image unchanged"

cat >"$VM_WORK/init" <<'EOF_INIT'
#!/bin/sh
. /lib/vm-test.sh
say "init ran"
try exec-denied /opt/denied/busybox true
try exec-allowed /opt/ok/busybox true
finish
EOF_INIT
enf_guest_tree "$VM_WORK/tree"
mkdir -p "$VM_WORK/tree/boot"
cp "$kernel" "$VM_WORK/tree/boot/vmlinuz-$KVER"
disk=$(vm_build_disk --init "$VM_WORK/init" --dir "$VM_WORK/tree:/" --bootseal-size 0 --root-size 96)

etc=$VM_WORK/etc-bootseal
mkdir -p "$etc/trusted.d"
cp "$VM_WORK/keys/vm.pub.pem" "$etc/trusted.d/vm.pem"
printf 'source = kernel\n' >"$etc/loader.conf"
initrd=$(dr_initramfs "$etc")

log=$VM_WORK/console.log
vm_boot --kernel "$kernel" --initrd "$initrd" --disk "$disk" --log "$log" --timeout 400
vm_expect "$log" "Linux version $KVER" "the kernel image with the trailer boots"
vm_expect "$log" "bootseal: policy 'vm-trailer' generation 1 from .*vmlinuz" "the loader takes the policy from the kernel image's trailer"
vm_expect_order "$log" "bootseal: policy 'vm-trailer' generation 1 in force" '^TEST: init ran' "before init runs"
vm_expect "$log" '^TEST: exec-denied rc=[1-9]' "the policy denies"
vm_expect "$log" '^TEST: exec-allowed rc=0$' "and allows"

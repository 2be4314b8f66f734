# dracut-kernel-trailer (boot scenario 2): no policy partition; the policy
# is appended to the very kernel image QEMU boots, by the kernel
# postinst.d hook as a kernel package's installation would run it
# (/etc/bootseal/kernel.sealed appended to the new image). That image still
# boots, and the loader in the dracut initramfs finds the policy in the
# trailer of the running kernel's image under the new root
# (/boot/vmlinuz-$(uname -r)) and puts it in force.
. "$VM_SOURCE_ROOT/tests/vm/enforcer-lib.sh"
. "$VM_SOURCE_ROOT/tests/vm/dracut-lib.sh"

etc=$(dr_etc)
blob=$(dr_policy vm-trailer 2)

# The hook, as installed, against a copy of the kernel image: first with
# no kernel.sealed (nothing to do, the image unchanged), then with it.
stage=$(dr_stage)
hook=$stage/etc/kernel/postinst.d/bootseal
[ -x "$hook" ] || _vm_die "meson install did not install $hook"
kernel=$VM_WORK/vmlinuz-$KVER
cp "$VM_VMLINUZ" "$kernel"
hook_env=$VM_WORK/hook-etc
cp -a "$etc" "$hook_env"
PATH=$VM_BUILDDIR/tools:$PATH BOOTSEAL_ETC=$hook_env "$hook" "$KVER" "$kernel" >&2
cmp -s "$kernel" "$VM_VMLINUZ" || _vm_die "the hook changed the image without $hook_env/kernel.sealed"
cp "$blob" "$hook_env/kernel.sealed"
PATH=$VM_BUILDDIR/tools:$PATH BOOTSEAL_ETC=$hook_env "$hook" "$KVER" "$kernel" >&2
cmp -s "$kernel" "$VM_VMLINUZ" && _vm_die "the hook left the image unchanged"
"$ENF_TOOL" inspect --trust "$VM_WORK/keys/vm.pub.pem" "$kernel" | grep -q "bootseal trailer" ||
	_vm_die "the image carries no bootseal trailer after the hook"

mkdir -p "$VM_WORK/tree/boot"
cp "$kernel" "$VM_WORK/tree/boot/vmlinuz-$KVER"
disk=$(dr_disk --bootseal-size 0 --root-size 96)
initrd=$(dr_initramfs "$etc")

log=$VM_WORK/console.log
vm_boot --kernel "$kernel" --initrd "$initrd" --disk "$disk" --log "$log" --timeout 400
vm_expect "$log" "Linux version $KVER" "the kernel image with the trailer boots"
vm_expect "$log" "bootseal: policy 'vm-trailer' generation 2 from .*vmlinuz" "the loader takes the policy from the kernel image's trailer"
vm_expect_order "$log" "bootseal: policy 'vm-trailer' generation 2 in force" '^TEST: init ran' "before init runs"
vm_expect "$log" '^TEST: exec-denied rc=[1-9]' "the policy denies"
vm_expect "$log" '^TEST: exec-allowed rc=0$' "and allows"

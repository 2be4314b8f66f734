# enforcer-no-bpf-lsm: a kernel booted with an lsm= list that lacks bpf
# cannot run the enforcer. In enforce mode bootseal-loader says exactly
# that and how to fix it, and the boot stops before init. (6.12 enables
# ima and evm whatever lsm= says; they are in the list the loader names.)
. "$VM_SOURCE_ROOT/tests/vm/enforcer-lib.sh"

cat >"$VM_WORK/vm.policy" <<'POLICY'
policy "vm-no-bpf"
generation 1
mode enforce
deny exec path /opt/denied/busybox
POLICY
enf_seal "$VM_WORK/vm.policy" "$VM_WORK/vm.sealed"

cat >"$VM_WORK/init" <<'EOF'
#!/bin/sh
. /lib/vm-test.sh
say "init ran"
finish
EOF

enf_guest_tree "$VM_WORK/tree"
initrd=$(enf_initramfs "$VM_WORK/vm.sealed")
disk=$(vm_build_disk --init "$VM_WORK/init" --dir "$VM_WORK/tree:/")
lsms=lockdown,capability,landlock,yama,apparmor
vm_boot --initrd "$initrd" --disk "$disk" --log "$VM_WORK/console.log" --timeout 240 --append "lsm=$lsms"

log=$VM_WORK/console.log
# The active list is lsm= as given, plus the LSMs a kernel enables whatever
# lsm= says (6.12 appends ima,evm; 6.1 none): the loader names that list
# and adds bpf to it.
vm_expect "$log" "bootseal: boot stopped: /usr/sbin/bootseal-loader exited with status 6: bootseal: the kernel's active LSMs are '($lsms(,[a-z]+)*)': bpf is not among them\\. Add lsm=\\1,bpf to the kernel command line\\." \
	"the loader names the active LSMs and the fix, and the boot stops"
vm_expect_not "$log" '^TEST: init ran' "init never ran"

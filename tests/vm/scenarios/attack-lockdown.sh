# attack-lockdown: a policy with `lockdown integrity`, from the bootseal
# partition on a dracut boot. The loader raises the kernel lockdown after
# attaching the enforcer; root in the guest then cannot write /dev/port,
# open /dev/mem or kexec_load an unsigned image, and a partition-table ioctl
# on a read-only fd of the guarded disk is refused, and so is a
# self-encrypting-drive command (IOC_OPAL_SAVE). `bootseal status` says
# integrity. Twins: the policy's rules are enforced as before, an allowed
# program runs, and the same ioctl on a scratch disk goes through. (The
# scenario attack-blockdev is the twin without the statement: lockdown
# stays none there and /dev/port is writable.) A second boot with
# lockdown=confidentiality on the kernel command line: the verifier refuses
# the enforcer, the loader says why, and the boot stops before init.
. "$VM_SOURCE_ROOT/tests/vm/enforcer-lib.sh"
. "$VM_SOURCE_ROOT/tests/vm/dracut-lib.sh"
. "$VM_SOURCE_ROOT/tests/vm/attack-lib.sh"

blob=$(dr_policy vm-lockdown 2 "lockdown integrity")
dr_partition "$VM_WORK/part.img" "$blob"

cat >"$VM_WORK/init" <<'EOF_INIT'
#!/bin/sh
. /lib/vm-test.sh
say "init ran"
bootseal status 2>&1 | grep '^lockdown' | sed 's/^/TEST: status: /'
say "securityfs: $(cat /sys/kernel/security/lockdown)"
try port-write dd if=/dev/zero of=/dev/port bs=1 seek=128 count=1 conv=notrunc
try mem-read dd if=/dev/mem of=/dev/null bs=1 count=1
try kexec-load bs-probe kexec-load
try lower-lockdown sh -c 'echo none >/sys/kernel/security/lockdown'
try blkrrpart-root bs-probe blkrrpart /dev/vda
try blkrrpart-scratch bs-probe blkrrpart /dev/vdb
try blkrrpart-compat-root bs-probe blkrrpart-compat /dev/vda
try blkrrpart-compat-scratch bs-probe blkrrpart-compat /dev/vdb
try opal-root bs-probe opal-save /dev/vda
try opal-scratch bs-probe opal-save /dev/vdb
try exec-denied /opt/denied/busybox true
try exec-allowed /opt/ok/busybox true
try write-denied sh -c 'echo x >>/etc/protected'
say "lockdown after: $(cat /sys/kernel/security/lockdown)"
finish
EOF_INIT
enf_guest_tree "$VM_WORK/tree"
disk=$(atk_disk)
initrd=$(dr_initramfs "$(dr_etc)")
scratch=$VM_WORK/scratch.img
rm -f "$scratch"
truncate -s 16M "$scratch"

log=$VM_WORK/console.log
vm_boot --initrd "$initrd" --disk "$disk" --log "$log" --timeout 400 \
	--qemu-arg -drive --qemu-arg "file=$scratch,if=virtio,format=raw"
vm_expect "$log" "bootseal: policy 'vm-lockdown' generation 2 in force, enforce mode" "the policy is in force"
vm_expect "$log" "bootseal: kernel lockdown: integrity" "the loader raised the lockdown"
vm_expect_order "$log" "bootseal: kernel lockdown: integrity" '^TEST: init ran' "before init ran"
vm_expect "$log" '^TEST: status: lockdown: +integrity \(the policy asks for integrity\)' "bootseal status shows integrity"
perm='Operation not permitted'
vm_expect "$log" "^TEST: port-write out=.*$perm" "writing /dev/port is refused"
vm_expect "$log" "^TEST: mem-read out=.*$perm" "opening /dev/mem is refused"
vm_expect "$log" "^TEST: kexec-load out=error: kexec_load: $perm" "an unsigned kexec_load is refused"
vm_expect "$log" "^TEST: lower-lockdown rc=[1-9]" "lockdown cannot be lowered"
vm_expect "$log" "^TEST: blkrrpart-root out=error: ioctl BLKRRPART: $perm" "BLKRRPART on a read-only fd of the guarded disk is refused"
vm_expect "$log" '^TEST: blkrrpart-scratch rc=0$' "BLKRRPART on the scratch disk goes through"
vm_expect "$log" "^TEST: blkrrpart-compat-root out=error: ioctl BLKRRPART \\(32-bit\\): $perm" \
	"and through the 32-bit system call (file_ioctl_compat)"
vm_expect "$log" '^TEST: blkrrpart-compat-scratch rc=0$' "the 32-bit BLKRRPART on the scratch disk goes through"
vm_expect "$log" "^TEST: opal-root out=error: ioctl IOC_OPAL_SAVE: $perm" \
	"a self-encrypting-drive command on a read-only fd of the guarded disk is refused"
vm_expect "$log" '^TEST: opal-scratch out=error: ioctl IOC_OPAL_SAVE: ' "on the scratch disk it reaches the driver"
vm_expect_not "$log" "^TEST: opal-scratch out=.*$perm" "(which has no such drive: not the enforcer's refusal)"
vm_expect "$log" '^TEST: exec-denied rc=[1-9]' "the policy's exec rule holds"
vm_expect "$log" '^TEST: exec-allowed rc=0$' "an allowed program runs"
vm_expect "$log" '^TEST: write-denied rc=[1-9]' "the policy's write rule holds"
vm_expect "$log" '^TEST: lockdown after: none \[integrity\] confidentiality$' "lockdown is still integrity at the end"
vm_expect "$log" '^TEST: init done$' "init ran to its end"

log=$VM_WORK/confidentiality.log
vm_boot --initrd "$initrd" --disk "$disk" --log "$log" --timeout 400 --append lockdown=confidentiality
vm_expect "$log" "the kernel refused the enforcer programs: .*already locked down to confidentiality" \
	"a kernel locked down to confidentiality from its command line: the loader says why it cannot load"
vm_expect "$log" '^bootseal: boot stopped: bootseal-loader exited with status' "the boot stops"
vm_expect_not "$log" '^TEST: init ran' "init never ran"

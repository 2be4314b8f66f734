# dracut-systemd-onfailure: in a systemd initrd, bootseal-load.service
# failing in a way its script never decides (here an ExecStartPre= that
# fails, as a crash or a timeout would) follows initramfs.conf like every
# other failure: without `emergency-shell = yes` the machine powers off
# before init (its OnFailure= is bootseal-failed.service, not
# emergency.target); with it, the emergency shell is offered. A good policy
# on the same disk shows that the loader never ran: the unit failed first.
. "$VM_SOURCE_ROOT/tests/vm/enforcer-lib.sh"
. "$VM_SOURCE_ROOT/tests/vm/dracut-lib.sh"

dr_partition "$VM_WORK/part.img" "$(dr_policy vm-onfailure 2)"
disk=$(dr_disk --bootseal-content "$VM_WORK/part.img")
inc=$VM_WORK/include
mkdir -p "$inc/etc/systemd/system/bootseal-load.service.d"
printf '[Service]\nExecStartPre=/bin/false\n' >"$inc/etc/systemd/system/bootseal-load.service.d/fail.conf"

initrd=$(dr_initramfs "$(dr_etc)" systemd "$inc")
lsinitrd "$initrd" | grep -q 'bootseal-failed.service' || _vm_die "the systemd initrd has no bootseal-failed.service"
log=$VM_WORK/stop.log
vm_boot --initrd "$initrd" --disk "$disk" --log "$log" --timeout 300
vm_expect "$log" '^bootseal: boot stopped: bootseal-load.service failed$' "the unit's failure stops the boot"
vm_expect "$log" '^bootseal: powering off' "the machine powers off (no emergency shell: initramfs.conf does not allow it)"
vm_expect_not "$log" 'initramfs.conf allows the emergency shell' "no emergency shell is offered"
vm_expect_not "$log" "bootseal: policy 'vm-onfailure' generation 2 in force" "the loader never ran"
vm_expect_not "$log" '^TEST: init ran' "init never ran"

etc=$(dr_etc)
printf 'emergency-shell = yes\n' >"$etc/initramfs.conf"
initrd=$(dr_initramfs "$etc" systemd "$inc")
log=$VM_WORK/shell.log
# The shell waits for input: the boot ends once systemd has reported the
# failed-unit script done (it said which way it went just before), rather
# than at the timeout.
vm_boot --initrd "$initrd" --disk "$disk" --log "$log" --timeout 200 \
	--until "status bootseal-failed.service|^bootseal: powering off" ||
	_vm_die "the boot reached neither the end of bootseal-failed.service nor a power-off"
vm_expect "$log" '^bootseal: bootseal-load.service failed; initramfs.conf allows the emergency shell$' \
	"twin: where initramfs.conf allows it, the emergency shell is offered"
vm_expect_not "$log" '^bootseal: powering off' "instead of powering off"
vm_expect_not "$log" '^TEST: init ran' "init never ran"

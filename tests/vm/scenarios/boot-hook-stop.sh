# boot-hook-stop: the initramfs' failure convention that the loader relies
# on. A hook that exits with a status not in --hook-continue stops the boot
# before init with one console line naming the program, its status and its
# last output line, and the machine powers off; a status listed in
# --hook-continue lets the boot go on.

cat >"$VM_WORK/hook.sh" <<'HOOK'
#!/bin/sh
echo "hook: checking $2"
echo "hook: no acceptable policy found"
exit 3
HOOK
chmod 0755 "$VM_WORK/hook.sh"

cat >"$VM_WORK/init" <<'INIT'
#!/bin/sh
. /lib/vm-test.sh
say "init pid $$"
finish
INIT

disk=$(vm_build_disk --init "$VM_WORK/init")
log=$VM_WORK/stop.log

# Status 3 is not allowed to continue: the boot stops before init.
initrd=$(vm_build_initramfs --file "$VM_WORK/hook.sh:/usr/sbin/stop-hook" \
	--hook '/usr/sbin/stop-hook --root /newroot')
vm_boot --initrd "$initrd" --disk "$disk" --log "$log" --timeout 240
vm_expect "$log" '^hook: checking /newroot$' "the hook ran with its arguments"
vm_expect "$log" '^bootseal: boot stopped: /usr/sbin/stop-hook exited with status 3: hook: no acceptable policy found$' \
	"one line says the boot stopped, naming the hook, its status and its last message"
vm_expect "$log" 'reboot: Power down' "the machine powered off"
vm_expect_not "$log" '^TEST: init pid' "init never ran"
vm_expect_not "$log" 'Kernel panic' "the stop is a power-off, not a panic"

# The same hook with status 3 declared a continue status: init runs.
log=$VM_WORK/continue.log
initrd=$(vm_build_initramfs --file "$VM_WORK/hook.sh:/usr/sbin/stop-hook" \
	--hook '/usr/sbin/stop-hook --root /newroot' --hook-continue '0 3')
vm_boot --initrd "$initrd" --disk "$disk" --log "$log" --timeout 240
vm_expect "$log" '^initramfs: hook exited with status 3, continuing$' "status 3 continues when allowed"
vm_expect "$log" '^TEST: init pid 1$' "init ran"
vm_expect_not "$log" 'boot stopped' "no stop line"

#!/bin/sh
# Run by bootseal-failed.service, bootseal-load.service's OnFailure= unit,
# when that unit failed in a way its script did not decide (a crash, a
# timeout, a failed ExecStartPre=): the same rule as every other failure.
# The emergency shell only where /etc/bootseal/initramfs.conf allows it,
# else power off before init.
. /lib/bootseal-stop.sh
if bootseal_emergency_allowed; then
	bootseal_console "bootseal: bootseal-load.service failed; initramfs.conf allows the emergency shell"
	exec systemctl --no-block isolate emergency.target
fi
bootseal_console "bootseal: boot stopped: bootseal-load.service failed"
bootseal_stop "" /sysroot

#!/bin/sh
# Run by bootseal-load.service in a systemd initrd, with the real root on
# /sysroot. A failure in enforce mode powers the machine off before
# initrd-switch-root.target (or, where initramfs.conf allows it, leaves the
# unit failed so that its OnFailure= emergency target starts).
. /lib/bootseal-exit-codes.sh
. /lib/bootseal-stop.sh
bootseal_run /sysroot
case $? in
"$BS_EXIT_OK" | "$BS_EXIT_CONTINUE") exit 0 ;;
esac
if bootseal_emergency_allowed; then
	exit 1
fi
bootseal_stop "" /sysroot

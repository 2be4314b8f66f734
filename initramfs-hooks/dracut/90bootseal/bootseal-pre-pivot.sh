#!/bin/sh
# dracut pre-pivot hook (classic, non-systemd initrd): the real root is
# mounted on $NEWROOT; install the policy before switch_root. In enforce
# mode a failure stops the boot here, before init (bootseal-stop.sh).
type warn >/dev/null 2>&1 || . /lib/dracut-lib.sh
. /lib/bootseal-exit-codes.sh
. /lib/bootseal-stop.sh

bootseal_shell() {
	emergency_shell -n bootseal "bootseal: no policy installed; when this shell exits, bootseal-loader runs again"
}

bootseal_run "$NEWROOT"
case $? in
"$BS_EXIT_OK") ;;
"$BS_EXIT_CONTINUE") warn "bootseal: no policy installed; the configuration lets the boot continue" ;;
*) bootseal_stop bootseal_shell "$NEWROOT" ;;
esac

# Helpers for a scenario's /sbin/init in the guest (busybox sh).
# vm_build_disk installs this file as /lib/vm-test.sh on every root disk;
# an init script uses it with `. /lib/vm-test.sh`.
#
#   say MESSAGE...     print "TEST: MESSAGE" on the console
#   try NAME CMD...    run CMD, print "TEST: NAME rc=N" (N its exit status)
#                      and, on failure, its first output line as
#                      "TEST: NAME out=LINE"
#   finish             print "TEST: init done", sync, power off (ends the boot)
#
# The host side asserts on these lines with vm_expect / vm_expect_not.

PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH

say() {
	echo "TEST: $*"
}

try() {
	_name=$1
	shift
	_out=$("$@" 2>&1)
	_rc=$?
	echo "TEST: $_name rc=$_rc"
	if [ $_rc -ne 0 ] && [ -n "$_out" ]; then
		echo "TEST: $_name out=$(echo "$_out" | head -n 1)"
	fi
	return 0
}

finish() {
	echo "TEST: init done"
	sync
	poweroff -f
	while :; do sleep 60; done
}

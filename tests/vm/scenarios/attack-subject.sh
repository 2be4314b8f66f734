# attack-subject: a root shell tries to borrow a named subject's privilege
# (a dynamically linked program allowed to write /etc/protected) on a
# dracut boot with the policy from the partition. Refused: LD_PRELOAD,
# LD_LIBRARY_PATH (a copied libc), LD_AUDIT, /etc/ld.so.preload and a
# dlopen from a second thread of a library in /tmp, and a dlopen after the
# subject opened /etc/protected (the enforcer refuses to map the library
# into the subject process, so its constructor never runs, neither with a
# new open nor through the subject's descriptor); ptrace attach, process_vm_writev and /proc/PID/mem
# writes into a running subject and into PID 1; PTRACE_TRACEME by a
# subject; exec of the subject under a tracer, sharing its root and working
# directory with the caller (CLONE_FS), or under a seccomp filter whose
# listener the caller holds (refused: enforce mode); a second copy of the
# program, named as a subject but left writable by the policy, gets no
# subject; a library buried deeper than the subtree walk follows is not
# trusted; the subject's write-protected library cannot be opened for
# writing through a file handle (open_by_handle_at after the dentry cache
# is dropped: a dentry with no parents). Twins that keep
# working: the subject writes (before and after, and with a dlopen of a
# write-protected library), PID 1 executing the subject's program (its
# fs_struct is shared with kernel threads only; refused under another root,
# and once PID 1 made a process with CLONE_FS), ptrace and memory writes into a plain process,
# `ps` and /proc/PID/status of the subject, exec of the subject untraced
# and under a seccomp filter without a listener, a file handle opened for
# reading.
. "$VM_SOURCE_ROOT/tests/vm/enforcer-lib.sh"
. "$VM_SOURCE_ROOT/tests/vm/dracut-lib.sh"
. "$VM_SOURCE_ROOT/tests/vm/attack-lib.sh"

enf_guest_tree "$VM_WORK/tree"
atk_programs "$VM_WORK/tree"
mkdir -p "$VM_WORK/tree/usr/lib/subj" "$VM_WORK/tree/usr/lib/open"
cp "$VM_WORK/tree/opt/tools/bs-attack" "$VM_WORK/tree/usr/lib/subj/bs-attack"
cp "$VM_WORK/tree/opt/tools/bs-attack" "$VM_WORK/tree/usr/lib/open/bs-attack"
cp "$VM_WORK/tree/opt/evil/libevil.so" "$VM_WORK/tree/usr/lib/subj/libgood.so"
: >"$VM_WORK/tree/etc/protected"

# The subject's code: its executable, ld.so and libc (write-protected
# below), a library of its own (write-protected with it). The copy in
# /usr/lib/open is named too, but any process may rewrite it.
blob=$(dr_policy vm-attack-subject 2 \
	'allow write path /etc/protected by /usr/lib/subj/bs-attack' \
	'allow write path /etc/protected by /usr/lib/open/bs-attack' \
	'deny write subtree /lib' \
	'deny write subtree /lib64' \
	'deny write subtree /usr/lib/subj')
dr_partition "$VM_WORK/part.img" "$blob"

cat >"$VM_WORK/init" <<'EOF_INIT'
#!/bin/sh
. /lib/vm-test.sh
say "init ran"
S=/usr/lib/subj/bs-attack
T=/opt/tools/bs-attack
F=/etc/protected
export BS_EVIL_FILE=$F
try subject-write $S write $F first
try plain-write $T write $F plain
cp /opt/evil/libevil.so /tmp/libevil.so
try preload-write env LD_PRELOAD=/tmp/libevil.so $S write $F preload
mkdir -p /tmp/lib
cp /lib/x86_64-linux-gnu/libc.so.6 /tmp/lib/libc.so.6
try libpath-write env LD_LIBRARY_PATH=/tmp/lib $S write $F libpath
try audit-write env LD_AUDIT=/tmp/libevil.so $S write $F audit
echo /tmp/libevil.so >/etc/ld.so.preload
try ldsopreload-write $S write $F ldsopreload
rm -f /etc/ld.so.preload
try thread-dlopen-write $S dlopen-write /tmp/libevil.so $F dlopen
try trusted-dlopen-write env -u BS_EVIL_FILE $S dlopen-write /usr/lib/subj/libgood.so $F trusted-dlopen
try fd-dlopen env -u BS_EVIL_FILE $S fd-dlopen /tmp/libevil.so $F
deep=/tmp/deep
for i in $(seq 70); do deep=$deep/d; done
mkdir -p $deep && cp /tmp/libevil.so $deep/libevil.so
try deep-preload-write env LD_PRELOAD=$deep/libevil.so $S write $F deep
try handle-write-protected $T handle-write /usr/lib/subj/libgood.so x
: >/opt/handle-twin
try handle-write-plain $T handle-write /opt/handle-twin x
try handle-read-plain $T handle-read /opt/handle-twin
: >/tmp/hb
try handle-bind-write $T handle-bind-write /usr/lib/subj/libgood.so /tmp/hb x
$S sleep &
SP=$!
$T sleep &
TP=$!
sleep 1
try attach-subject $T attach $SP
try vmwrite-subject $T vmwrite $SP
try memwrite-subject $T memwrite $SP
try attach-pid1 $T attach 1
try vmwrite-pid1 $T vmwrite 1
try memwrite-pid1 $T memwrite 1
try attach-plain $T attach $TP
try vmwrite-plain $T vmwrite $TP
try memwrite-plain $T memwrite $TP
try status-subject grep -q '^Name:' /proc/$SP/status
try maps-subject grep -q bs-attack /proc/$SP/maps
try ps-subject sh -c "ps | grep -v grep | grep -q usr/lib/subj/bs-attack"
try traceme-subject $S traceme
try traced-exec-write $T traced-exec $S write $F traced
try untraced-exec-write $T exec $S write $F untraced
try clonefs-exec-write $T clonefs-exec $S write $F clonefs
try notif-exec-write $T notif-exec $S write $F notif
try filter-exec-write $T filter-exec $S write $F filter
try unprotected-subject-write /usr/lib/open/bs-attack write $F unprotected
try subject-write-again $S write $F last
kill $SP $TP
# PID 1 itself runs the subject's program (as a systemd PID 1 named in a
# policy does): its fs_struct is shared with the kernel threads only, so
# the exec keeps the subject. Then the same after PID 1 made a process
# sharing its root and working directory: refused (lib/pid1-*.sh).
exec $T exec-or /lib/pid1-b.sh $S write-then $F pid1 /lib/pid1-b.sh
EOF_INIT
mkdir -p "$VM_WORK/tree/lib"
cat >"$VM_WORK/tree/lib/pid1-b.sh" <<'EOF_B'
. /lib/vm-test.sh
say "pid1-exec pid=$$ error=${BS_EXEC_ERROR:-none} write rc=${BS_WRITE_RC:-none}"
unset BS_EXEC_ERROR BS_WRITE_RC
# PID 1 in the root it booted into moves mounts in the pins' namespace
# (systemd does at its start and at shutdown): PID 1 itself, by
# bs-attack, as the same root (chroot to /).
mkdir -p /mnt/a /mnt/b && mount -t tmpfs scratch /mnt/a
exec /opt/tools/bs-attack chroot-move-or /lib/pid1-t.sh / /mnt/a /mnt/b
EOF_B
cat >"$VM_WORK/tree/lib/pid1-t.sh" <<'EOF_T'
. /lib/vm-test.sh
say "pid1 move in its root pid=$$ rc=${BS_MOVE_RC:-none}"
unset BS_MOVE_RC
# As systemd-shutdown switches to /run/initramfs: PID 1 under another
# root (a bind mount of / here). The program it runs there is root's: it
# may not move mounts (it could take the pins' bpffs away), nor execute
# the subject's program as the subject.
mkdir -p /mnt/r && mount --bind / /mnt/r
say "bind / on /mnt/r rc=$?"
mkdir -p /mnt/r/mnt/c /mnt/r/mnt/d && mount -t tmpfs scratch /mnt/r/mnt/c
exec /opt/tools/bs-attack chroot-move-or /lib/pid1-m.sh /mnt/r /mnt/c /mnt/d
EOF_T
cat >"$VM_WORK/tree/lib/pid1-m.sh" <<'EOF_M'
. /lib/vm-test.sh
say "pid1 move under another root pid=$$ rc=${BS_MOVE_RC:-none}"
unset BS_MOVE_RC
# Back in the root it booted into (bs-attack kept a descriptor of it), as
# root's program in a shutdown initramfs could chroot to /oldroot: PID 1
# left that root once, and gets no exemption back.
exec /opt/tools/bs-attack chroot-move-or /lib/pid1-n.sh / /mnt/b /mnt/a
EOF_M
cat >"$VM_WORK/tree/lib/pid1-n.sh" <<'EOF_N'
. /lib/vm-test.sh
say "pid1 move back in its root pid=$$ rc=${BS_MOVE_RC:-none}"
unset BS_MOVE_RC
exec /opt/tools/bs-attack chroot-exec-or /lib/pid1-r.sh /mnt/r \
	/usr/lib/subj/bs-attack write-then /etc/protected pid1-chroot /lib/pid1-r.sh
EOF_N
cat >"$VM_WORK/tree/lib/pid1-r.sh" <<'EOF_R'
. /lib/vm-test.sh
say "pid1-chroot-exec pid=$$ error=${BS_EXEC_ERROR:-none} write rc=${BS_WRITE_RC:-none}"
unset BS_EXEC_ERROR BS_WRITE_RC
exec /opt/tools/bs-attack clonefs-exec-or /lib/pid1-c.sh \
	/usr/lib/subj/bs-attack write-then /etc/protected pid1-clonefs /lib/pid1-c.sh
EOF_R
cat >"$VM_WORK/tree/lib/pid1-c.sh" <<'EOF_C'
. /lib/vm-test.sh
say "pid1-clonefs-exec pid=$$ error=${BS_EXEC_ERROR:-none} write rc=${BS_WRITE_RC:-none}"
say "protected: $(tr '\n' ' ' </etc/protected)"
bootseal audit | grep -E 'subject lost|untrusted code|self-protection attach|steered exec|without its parents|mount over the pins' | sed 's/^/TEST: audit: /'
finish
EOF_C
disk=$(atk_disk)
initrd=$(dr_initramfs "$(dr_etc)")

log=$VM_WORK/console.log
vm_boot --initrd "$initrd" --disk "$disk" --log "$log" --timeout 500
vm_expect "$log" "bootseal: policy 'vm-attack-subject' generation 2 in force, enforce mode" "the policy is in force"
vm_expect "$log" '^TEST: subject-write rc=0$' "the subject writes /etc/protected"
vm_expect "$log" '^TEST: plain-write rc=1$' "a plain program cannot"
# ld.so and dlopen cannot map the library from /tmp into the subject: an
# LD_PRELOAD, LD_AUDIT or ld.so.preload library is skipped (ld.so says so
# and goes on), a libc from LD_LIBRARY_PATH stops the program, a dlopen
# fails; the subject's own code runs on and writes.
for r in preload audit ldsopreload thread-dlopen; do
	vm_expect "$log" "^TEST: $r-write rc=0\$" "$r: the subject runs without the library from /tmp"
done
vm_expect "$log" '^TEST: libpath-write rc=[1-9]' "libpath: a libc from /tmp is not mapped, the program stops"
vm_expect "$log" '^TEST: fd-dlopen rc=1$' "a dlopen after the subject opened the file fails"
vm_expect "$log" '^TEST: trusted-dlopen-write rc=0$' "a dlopen of a write-protected library works"
vm_expect_not "$log" 'evil-ctor:' "no constructor of the library from /tmp ran"
for t in subject pid1; do
	vm_expect "$log" "^TEST: attach-$t rc=1\$" "ptrace attach to the $t is refused"
	vm_expect "$log" "^TEST: vmwrite-$t rc=1\$" "process_vm_writev into the $t is refused"
	vm_expect "$log" "^TEST: memwrite-$t rc=1\$" "a /proc/PID/mem write into the $t is refused"
done
vm_expect "$log" '^TEST: attach-plain rc=0$' "ptrace attach to a plain process works"
vm_expect "$log" '^TEST: vmwrite-plain rc=0$' "process_vm_writev into a plain process works"
vm_expect "$log" '^TEST: memwrite-plain rc=0$' "a /proc/PID/mem write into a plain process works"
vm_expect "$log" '^TEST: status-subject rc=0$' "/proc/PID/status of the subject reads"
vm_expect "$log" '^TEST: maps-subject rc=0$' "/proc/PID/maps of the subject reads (a PTRACE_MODE_READ access)"
vm_expect "$log" '^TEST: ps-subject rc=0$' "ps lists the subject"
vm_expect "$log" '^TEST: traceme-subject rc=1$' "PTRACE_TRACEME by the subject is refused"
vm_expect "$log" '^TEST: traced-exec-write rc=1$' "the subject's exec under a tracer is refused"
vm_expect "$log" '^TEST: traced-exec-write out=execv: Operation not permitted$' "(by the enforcer, at exec)"
vm_expect "$log" '^TEST: untraced-exec-write rc=0$' "the same exec untraced keeps it"
vm_expect "$log" '^TEST: clonefs-exec-write rc=1$' "the subject's exec sharing its root and cwd (CLONE_FS) is refused"
vm_expect "$log" '^TEST: clonefs-exec-write out=execv: Operation not permitted$' "(by the enforcer, at exec)"
vm_expect "$log" '^TEST: notif-exec-write rc=1$' \
	"the subject's exec under a seccomp filter whose listener another process holds is refused"
vm_expect "$log" '^TEST: filter-exec-write rc=0$' "under a seccomp filter without a listener it keeps it"
vm_expect "$log" '^TEST: unprotected-subject-write rc=1$' "a named program the policy leaves writable gets no subject"
vm_expect "$log" '^TEST: subject-write-again rc=0$' "the subject still writes afterwards"
vm_expect "$log" '^TEST: pid1-exec pid=1 error=none write rc=0$' \
	"PID 1 executing the subject's program holds the subject (shares its fs with kernel threads only)"
vm_expect "$log" '^TEST: pid1 move in its root pid=1 rc=0$' "PID 1 in the root it booted into moves a mount in the pins' namespace"
vm_expect "$log" '^TEST: bind / on /mnt/r rc=0$' "(a bind mount of / to chroot into)"
vm_expect "$log" '^TEST: pid1 move under another root pid=1 rc=Operation not permitted$' \
	"PID 1 under another root may not (the program a shutdown initramfs gives it)"
vm_expect "$log" '^TEST: audit: .* denied self-protection mount over the pins by pid 1 ' "and the audit names PID 1's refused move"
vm_expect "$log" '^TEST: pid1 move back in its root pid=1 rc=Operation not permitted$' \
	"nor back in the root it booted into, once it left it (chroot to a descriptor kept from before)"
vm_expect "$log" '^TEST: pid1-chroot-exec pid=1 error=Operation not permitted write rc=none$' \
	"PID 1 under another root than the one it booted into: its exec of the subject is refused"
vm_expect "$log" "^TEST: audit: .* denied self-protection steered exec of a subject by pid 1 .*: deny \\(PID 1 executed it under another root than the one it booted into\\)\$" \
	"(logged, and why)"
vm_expect "$log" '^TEST: pid1-clonefs-exec pid=1 error=Operation not permitted write rc=none$' \
	"once PID 1 made a process sharing its root and cwd, its exec of the subject is refused"
vm_expect "$log" "^TEST: audit: .* denied self-protection steered exec of a subject by pid 1 .*: deny \\(executed sharing its root and working directory\\)\$" \
	"(logged for pid 1)"
vm_expect "$log" '^TEST: protected: first preload audit ldsopreload dlopen trusted-dlopen deep untraced filter last pid1 $' \
	"/etc/protected holds only the subject's own writes"
vm_expect "$log" '^TEST: audit: .* denied self-protection untrusted code in a subject process by pid [0-9]+ \(bs-attack, subject 1\): deny \(mapped code the policy does not trust\)$' \
	"bootseal audit names the subject process refused the foreign code, and why"
for why in 'executed while traced' 'executed sharing its root and working directory' \
	'executed under a seccomp listener'; do
	vm_expect "$log" "^TEST: audit: .* denied self-protection steered exec of a subject by pid [0-9]+ .*: deny \\($why\\)\$" \
		"and the refused exec: $why"
done
vm_expect "$log" "^TEST: audit: .* allowed self-protection subject lost by pid [0-9]+ .*: audit \\(executed a program any process may write\\)\$" \
	"and the exec of the program any process may write"
vm_expect "$log" '^TEST: deep-preload-write rc=0$' "a library buried 70 levels deep is not trusted: the subject runs without it"
vm_expect "$log" '^TEST: handle-write-protected out=open_by_handle_at for writing: Operation not permitted$' \
	"the write-protected library cannot be opened for writing through a file handle"
vm_expect "$log" '^TEST: audit: .* denied write dev .* by pid [0-9]+ \(bs-attack, subject 0\): deny \(reached without its parents\)$' \
	"(refused as a file reached without its parents)"
# Fail closed: with subtree rules for write, no file is opened for writing
# by a handle before something connects it to its directory; reading
# (no subtree rules here) still works.
vm_expect "$log" '^TEST: handle-write-plain out=open_by_handle_at for writing: Operation not permitted$' \
	"an unprotected file reached without its parents is refused writing too (fail closed)"
vm_expect "$log" '^TEST: handle-read-plain rc=0$' "twin: a file handle still opens a file for reading"
vm_expect "$log" '^TEST: handle-bind-write out=open the bind mount for writing: Operation not permitted$' \
	"nor through a bind mount of an O_PATH handle (a mount root with no parents)"
vm_expect "$log" '^TEST: audit: .* denied self-protection attach to a subject process or PID 1 by pid [0-9]+ \(bs-attack, subject 0\)' \
	"the refused attaches are logged"
vm_expect "$log" '^TEST: init done$' "init ran to its end"

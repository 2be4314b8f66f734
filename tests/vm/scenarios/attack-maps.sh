# attack-maps: the enforcer's maps against a root shell, on the dracut path
# (the loader mounts bpffs itself; the policy comes from the partition).
# Each route beside its legitimate twin:
#  - a socket filter given a read-only fd to a pinned policy map (rules,
#    subjects, info) cannot write it: refused at load ("write into map
#    forbidden", BPF_F_RDONLY_PROG), and the denied binary stays denied;
#    twin: the same programs against a map of their own load, run, write;
#  - by id, the policy maps give read-only fds only, and the maps the
#    enforcer writes (stats, audit log, task storage, .bss) no fd at all, so
#    they cannot be written, frozen or drained; twin: `bootseal status` and
#    `bootseal audit` read them through the pinned iterators, show the
#    denials, and a second reader sees the same events;
#  - the iterator links cannot be detached, updated or unpinned;
#  - no program of the enforcer gives an fd by id, which an extension
#    program replacing one of its functions is attached through, and
#    extension programs are refused at load; twin: a socket filter of
#    the test's own is opened by id;
#  - the pins' mounts cannot be unmounted, remounted read-only, mounted
#    over, moved or pivoted from, here or from a namespace that propagates
#    here; twin: a private namespace mounts, moves and pivots as it likes,
#    remounts read-only and unmounts its copy of the bpffs mount, and
#    unmounts its / lazily;
#  - nor taken by an unmount the kernel passes on to them: a lazy unmount
#    of a tmpfs holding `mount --rbind /sys`, or of / in a namespace whose
#    /sys is a peer (mountinfo shows the copies are); twins: the same
#    after --make-rslave; a /sys copy is refused /sys's peer group
#    (MOVE_MOUNT_SET_GROUP), twin: it joins a group of its own;
#  - /proc/sysrq-trigger under `deny capability CAP_SYS_BOOT by SUBJECT`:
#    refused to the subject (through any procfs mount), allowed to others;
#  - loader exit status 8 (an enforcer is already installed) only for
#    bootseal's own enforcer with the verified policy: a fake pin directory
#    (an unrelated map, or a copy of the real `info`) is refused.
. "$VM_SOURCE_ROOT/tests/vm/enforcer-lib.sh"
. "$VM_SOURCE_ROOT/tests/vm/dracut-lib.sh"

blob=$(dr_policy vm-maps 2 'deny capability CAP_SYS_BOOT by /usr/lib/writer/busybox' \
	'deny write subtree /usr/lib/writer')
dr_partition "$VM_WORK/part.img" "$blob"
etc=$(dr_etc)
initrd=$(dr_initramfs "$etc")

cat >"$VM_WORK/init" <<'EOF_INIT'
#!/bin/sh
. /lib/vm-test.sh
P=/sys/fs/bpf/bootseal
out() { sed "s/^/TEST: $1 /"; }
say "init ran"
say "pins: $(ls $P | tr '\n' ' ')"
try exec-denied-before /opt/denied/busybox true

# Program-side writes through read-only fds to the policy maps.
for m in rules subjects info; do bs-bpf-attack prog-write $P/$m | out $m; done
try exec-denied-after /opt/denied/busybox true
bs-bpf-attack own-map | out own

# Every map by id.
bs-bpf-attack map-ids | out id

# The iterators' links and an LSM link.
for l in stats audit link_bprm_check; do
	bs-bpf-attack link-detach $P/$l | out $l
	bs-bpf-attack link-update $P/$l | out $l
done
try unpin-audit rm -f $P/audit

# /proc/sysrq-trigger: `h` only prints the help, should it get through.
try sysrq-subject /usr/lib/writer/busybox sh -c 'echo h >/proc/sysrq-trigger'
mkdir -p /tmp/proc2 && mount -t proc proc /tmp/proc2
try sysrq-subject-proc2 /usr/lib/writer/busybox sh -c 'echo h >/tmp/proc2/sysrq-trigger'
try sysrq-other sh -c 'echo h >/proc/sysrq-trigger'
try subject-other-proc-write /usr/lib/writer/busybox sh -c 'echo 0 >/proc/sys/kernel/printk_ratelimit'

# Loader exit status 8.
loader() {
	name=$1
	shift
	bootseal-loader --root / "$@" >/tmp/loader.out 2>&1
	say "$name rc=$? last=$(tail -n 1 /tmp/loader.out)"
}
loader loader-again
for f in fake1 fake2; do mkdir -p /tmp/$f && mount -t bpf bpf /tmp/$f && mkdir /tmp/$f/bootseal; done
bs-bpf-attack pin-map /tmp/fake1/bootseal/info | out fake1
bs-bpf-attack fake-info $P/info /tmp/fake2/bootseal | out fake2
loader loader-fake-unrelated --config /etc/bootseal/fake1.conf
loader loader-fake-copy --config /etc/bootseal/fake2.conf

# Programs that run in any task's context (probes, tracepoints, perf).
for t in socket_filter kprobe tracepoint perf_event raw_tracepoint ext; do bs-bpf-attack prog-type $t | out ptype; done
# The enforcer's programs by id: an fd to one is what an extension
# program needs to replace one of its functions (decide() and the other
# global ones, and static ones the verifier finds replaceable).
bs-bpf-attack prog-ids | out pids

mkdir -p /tmp/lazy && mount -t tmpfs t /tmp/lazy
# The pins' mounts: a lazy unmount of a mount above the bpffs, or hiding
# the pins under another mount or name.
try umount-lazy-root umount -l /
try umount-lazy-sysfs-parent umount -l /sys
try pin-dir-rename mv $P /sys/fs/bpf/hidden
try pin-dir-rmdir rmdir $P
try mount-over-bpffs mount -t tmpfs t /sys/fs/bpf
try mount-over-pins mount -t tmpfs t $P
# ... or under a mount on a directory they are reached through, or moving
# their mounts away, or pivoting the root from under them.
mkdir -p /mnt/mv1 /mnt/mv2 /mnt/nr
try mount-over-sysfs-fs mount -t tmpfs t /sys/fs
try mount-over-sys mount -t tmpfs t /sys
try bind-over-sys mount --bind /tmp /sys
try move-bpffs mount --move /sys/fs/bpf /mnt/mv1
try move-sys mount --move /sys /mnt/mv1
try move-mount-bpffs bs-probe move-mount /sys/fs/bpf /mnt/mv1
try move-mount-over-sys bs-probe move-mount /tmp/lazy /sys
mount -t tmpfs t /mnt/nr && mkdir -p /mnt/nr/old
try pivot-root pivot_root /mnt/nr /mnt/nr/old
# ... or from another mount namespace whose /sys propagates to this one.
mount --make-shared /sys
try peer-ns-mount-over-sysfs-fs bs-probe unshare-exec mount -t tmpfs t /sys/fs
# Twins: a private namespace mounts and moves as it likes; move_mount of
# an unrelated mount works here too.
try private-ns-mounts unshare -m sh -c 'mount -t tmpfs t /sys/fs && mount -t tmpfs t /mnt/mv1 && mount --move /mnt/mv1 /mnt/mv2 && pivot_root /mnt/nr /mnt/nr/old'
try move-mount-other bs-probe move-mount /mnt/nr /mnt/mv2
# The bpffs mount itself: not remounted read-only nor unmounted here; a
# private namespace's copy is (systemd's sandboxes remount their copy of
# every mount read-only and unmount what they hide).
try remount-bind-bpffs mount -o remount,bind,ro /sys/fs/bpf
try umount-bpffs umount /sys/fs/bpf
try private-ns-bpffs unshare -m --propagation private sh -c 'mount -o remount,bind,ro /sys/fs/bpf && umount /sys/fs/bpf'
# ... but not where /sys is a peer of this namespace's (shared above): the
# unmount would propagate to the pins' bpffs here.
try peer-ns-umount-bpffs bs-probe unshare-exec umount /sys/fs/bpf
# Twin: a private namespace unmounts its / lazily.
try private-ns-lazy-root unshare -m --propagation private sh -c 'umount -l /'
# Unmounts of other mounts that the kernel passes on to the pins' bpffs
# (through a peer of /sys, with no sb_umount for the bpffs): /sys's peer
# group as mountinfo shows it, for a copy to be compared with.
grp() { awk -v m="$1" '$5 == m { for (i = 7; $i != "-"; i++) if ($i ~ /^(shared|master):/) printf "%s ", $i }' /proc/self/mountinfo; }
say "group /sys: $(grp /sys)"
# A tmpfs holding `mount --rbind /sys` (a peer, and a copy of the bpffs on
# the same place), unmounted lazily.
mkdir -p /tmp/rb && mount -t tmpfs t /tmp/rb && mkdir /tmp/rb/sys && mount --rbind /sys /tmp/rb/sys
say "group /tmp/rb/sys: $(grp /tmp/rb/sys)"
[ "$(grp /tmp/rb/sys)" = "$(grp /sys)" ] && say "rbind-sys is a peer of /sys"
try rbind-sys-lazy umount -l /tmp/rb
try pins-after-rbind-sys test -e $P/info
# Twin: made a slave first (as chroot guides say to), it propagates nothing
# back and unmounts.
mkdir -p /tmp/rs && mount -t tmpfs t /tmp/rs && mkdir /tmp/rs/sys && mount --rbind /sys /tmp/rs/sys &&
	mount --make-rslave /tmp/rs/sys
say "group /tmp/rs/sys: $(grp /tmp/rs/sys)"
try rbind-slave-lazy umount -l /tmp/rs
# A namespace whose /sys is a peer of this one's, its / unmounted lazily;
# twin: the same namespace made a slave first.
try peer-ns-lazy-root bs-probe unshare-exec sh -c 'umount -l /'
try slave-ns-lazy-root bs-probe unshare-exec sh -c 'mount --make-rslave / && umount -l /'
# A tmpfs on fs/bpf of a private copy of /sys that then joins /sys's peer
# group (move_mount with MOVE_MOUNT_SET_GROUP) would pass its unmount on:
# the join is refused, and the tmpfs on the copy, still private, unmounts.
mkdir -p /tmp/sg1 /tmp/sg2 /tmp/sg3 /tmp/sg4
mount --bind /sys /tmp/sg1
mount --bind /sys /tmp/sg2 && mount --make-private /tmp/sg2 && mount -t tmpfs t /tmp/sg2/fs/bpf
try set-group bs-probe set-group /tmp/sg1 /tmp/sg2
say "group /tmp/sg2: $(grp /tmp/sg2)"
[ "$(grp /tmp/sg2)" = "$(grp /sys)" ] && say "set-group made a peer of /sys"
try set-group-umount umount /tmp/sg2/fs/bpf
try pins-after-set-group test -e $P/info
# Twin: a copy joins a group of its own (one that does not reach /sys).
mount --bind /sys /tmp/sg3 && mount --make-private /tmp/sg3 && mount --make-shared /tmp/sg3
mount --bind /sys /tmp/sg4 && mount --make-private /tmp/sg4
try set-group-own bs-probe set-group /tmp/sg3 /tmp/sg4
[ -n "$(grp /tmp/sg4)" ] && [ "$(grp /tmp/sg4)" = "$(grp /tmp/sg3)" ] && [ "$(grp /tmp/sg4)" != "$(grp /sys)" ] &&
	say "set-group-own made a peer of its own group"
# From a private namespace where /sys is no mountpoint once moved away,
# removing or renaming the directory would detach the host's /sys and the
# bpffs on it, in every namespace.
try rmdir-sys-private unshare -m sh -c 'mount --move /sys /mnt/mv1 && rmdir /sys'
try rename-sys-private unshare -m sh -c 'mount --move /sys /mnt/mv1 && mv /sys /sys.old'
try pins-still-there test -e $P/info
try umount-lazy-other umount -l /tmp/lazy

# The readers, last: they show what happened above.
bootseal status | out status:
bootseal audit | out audit:
say "audit reads: $(bootseal audit --json | wc -l) $(bootseal audit --json | wc -l)"
last=$(bootseal audit --json | tail -n 1 | sed 's/.*"seq":\([0-9]*\).*/\1/')
say "audit after $last: $(bootseal audit --after "$last" | wc -l)"
try exec-denied-end /opt/denied/busybox true
try exec-allowed-end /opt/ok/busybox true
finish
EOF_INIT

enf_guest_tree "$VM_WORK/tree"
t=$VM_WORK/tree
mkdir -p "$t/usr/sbin" "$t/etc/bootseal"
gcc -static -O2 -I"$VM_SOURCE_ROOT/enforcer" -o "$t/usr/bin/bs-bpf-attack" "$VM_SOURCE_ROOT/tests/vm/bs-bpf-attack.c" ||
	_vm_die "cannot build bs-bpf-attack"
enf_copy_program "$ENF_TOOL" "$t/usr/sbin/bootseal"
enf_copy_program "$ENF_LOADER" "$t/usr/sbin/bootseal-loader"
cp -r "$etc/." "$t/etc/bootseal/"
for f in fake1 fake2; do
	{ cat "$etc/loader.conf"; echo "pin-dir = /tmp/$f/bootseal"; } >"$t/etc/bootseal/$f.conf"
done
mapfile -t libs < <(enf_lib_files "$ENF_TOOL" "$ENF_LOADER")
disk=$(dr_disk --bootseal-content "$VM_WORK/part.img" "${libs[@]}" --root-size 96)

log=$VM_WORK/console.log
vm_boot --initrd "$initrd" --disk "$disk" --log "$log" --timeout 400
vm_expect "$log" "bootseal: policy 'vm-maps' generation 2 in force, enforce mode" "dracut's hook installed the policy"
vm_expect "$log" '^TEST: pins: .*audit .*info .*link_bprm_check .*rules .*stats .*subjects' \
	"the pins: policy maps, iterators, links"
vm_expect_not "$log" '^TEST: pins: .*(events|task_subject|trusted|bss)' "no state map is pinned"
vm_expect "$log" '^TEST: exec-denied-before rc=[1-9]' "the denied binary is denied"

for m in rules subjects info; do
	vm_expect "$log" "^TEST: $m open ok\$" "a read-only fd to the pinned $m map is had"
	vm_expect "$log" "^TEST: $m prog-store error: Permission denied: write into map forbidden" \
		"a program storing into $m through that fd is refused at load"
	vm_expect "$log" "^TEST: $m prog-update error: Permission denied: write into map forbidden" \
		"a program calling map_update_elem on $m is refused at load"
done
vm_expect_not "$log" '^TEST: (rules|subjects|info) prog-(store|update) ok' "no write program ran"
vm_expect "$log" '^TEST: exec-denied-after rc=[1-9]' "the denied binary stays denied"
vm_expect "$log" '^TEST: own own-store ok$' "twin: a socket filter storing into its own map loads and runs"
vm_expect "$log" '^TEST: own own-update ok$' "twin: and one updating it"
vm_expect "$log" '^TEST: own own-value 0$' "twin: the value changed"

for m in rules subjects fsnames protected_ids info filter; do
	vm_expect "$log" "^TEST: id ro $m\$" "by id, $m gives a read-only fd"
	vm_expect "$log" "^TEST: id rw-refused $m: Operation not permitted\$" "but no writable one"
done
vm_expect "$log" '^TEST: id ro bootseal.rodata$' "the settings map gives a read-only fd"
vm_expect_not "$log" '^TEST: id rw ' "no map of the enforcer gives a writable fd"
vm_expect_not "$log" '^TEST: id ro (stats|audit_log|task_subject|trusted|bootseal.bss)$' \
	"no fd at all to counters, audit log, task storage, .bss"
n=$(grep -c '^TEST: id refused [0-9]*: Operation not permitted$' "$log")
[ "$n" = 6 ] ||
	_vm_die "$n maps refused every fd by id, expected 6 (stats, audit_log, task_subject, trusted, pending_mount, .bss)"
_vm_say "ok: the 6 state maps refuse every fd by id"

for l in stats audit link_bprm_check; do
	vm_expect "$log" "^TEST: $l link-detach error: Operation not permitted\$" "the $l link cannot be detached"
	vm_expect "$log" "^TEST: $l link-update error: Operation not permitted\$" "the $l link cannot be given another program"
done
vm_expect "$log" '^TEST: unpin-audit rc=[1-9]' "the audit iterator cannot be unpinned"

vm_expect "$log" '^TEST: sysrq-subject rc=[1-9]' "the subject denied CAP_SYS_BOOT cannot write /proc/sysrq-trigger"
vm_expect "$log" '^TEST: sysrq-subject-proc2 rc=[1-9]' "nor through another procfs mount"
vm_expect "$log" '^TEST: sysrq-other rc=0$' "twin: a process without the rule writes it"
vm_expect "$log" '^TEST: subject-other-proc-write rc=0$' "twin: the subject writes another procfs file"

vm_expect "$log" '^TEST: loader-again rc=8 last=.*an enforcer is already installed .*bootseal.s, in force, with this policy' \
	"the loader run again accepts bootseal's own enforcer (status 8)"
vm_expect "$log" '^TEST: fake1 pin ok$' "an unrelated map is pinned in a fake pin directory"
vm_expect "$log" '^TEST: loader-fake-unrelated rc=7 last=.*is not bootseal.s info map' "which the loader refuses"
vm_expect "$log" '^TEST: fake2 pin ok$' "a copy of the real info is pinned in a fake pin directory"
vm_expect "$log" '^TEST: loader-fake-copy rc=7 last=.*a writable fd to /tmp/fake2/bootseal/info was granted' \
	"which the loader refuses: no enforcer guards it"

vm_expect "$log" '^TEST: ptype socket_filter ok$' "twin: a socket filter program still loads"
for t in kprobe tracepoint perf_event raw_tracepoint; do
	vm_expect "$log" "^TEST: ptype $t error: Operation not permitted" "a $t program (bpf_probe_write_user, bpf_send_signal) is refused"
done
vm_expect "$log" '^TEST: ptype ext error: Operation not permitted' \
	"an extension program is refused by the enforcer (the kernel's own check would say EINVAL)"
vm_expect "$log" '^TEST: pids prog attack_own$' "twin: a program of its own gives an fd by id"
loaded=$(grep -oE 'bootseal: load: [0-9]+ programs verified and loaded' "$log" | head -n 1 | grep -oE '[0-9]+ programs' | cut -d' ' -f1)
refused=$(grep -cE '^TEST: pids refused [0-9]+: Operation not permitted$' "$log")
if [ -n "$loaded" ] && [ "$refused" -eq "$loaded" ]; then
	_vm_say "ok: each of the enforcer's $loaded programs gives no fd by id"
else
	_vm_say "FAIL: $refused programs refused an fd by id; the loader loaded ${loaded:-an unknown number of} programs"
	exit 1
fi
vm_expect_not "$log" '^TEST: pids prog bs_' "no program of the enforcer was opened"
for r in umount-lazy-root umount-lazy-sysfs-parent pin-dir-rename pin-dir-rmdir mount-over-bpffs mount-over-pins \
	mount-over-sysfs-fs mount-over-sys bind-over-sys move-bpffs move-sys move-mount-bpffs move-mount-over-sys \
	pivot-root peer-ns-mount-over-sysfs-fs remount-bind-bpffs umount-bpffs peer-ns-umount-bpffs; do
	vm_expect "$log" "^TEST: $r rc=[1-9]" "$r is refused"
done
for r in move-mount-bpffs move-mount-over-sys; do
	vm_expect "$log" "^TEST: $r out=error: move_mount: Operation not permitted" "$r: by the enforcer"
done
vm_expect "$log" '^TEST: private-ns-mounts rc=0$' "twin: a private mount namespace mounts over /sys/fs, moves and pivots"
vm_expect "$log" '^TEST: move-mount-other rc=0$' "twin: move_mount of an unrelated mount works"
vm_expect "$log" '^TEST: private-ns-bpffs rc=0$' "twin: a private namespace remounts its copy of the bpffs read-only and unmounts it"
vm_expect "$log" '^TEST: private-ns-lazy-root rc=0$' "twin: a private namespace unmounts its / lazily"
vm_expect "$log" '^TEST: group /sys: shared:[0-9]+ $' "/sys is shared"
vm_expect "$log" '^TEST: rbind-sys is a peer of /sys$' "a recursive bind of /sys is a peer of /sys"
vm_expect "$log" '^TEST: rbind-sys-lazy out=.*Operation not permitted' \
	"a lazy unmount of a tmpfs holding a recursive bind of /sys (which would pass on to the pins' bpffs) is refused"
vm_expect "$log" '^TEST: pins-after-rbind-sys rc=0$' "the pins are still there"
vm_expect "$log" '^TEST: group /tmp/rs/sys: shared:[0-9]+ master:[0-9]+ $|^TEST: group /tmp/rs/sys: master:[0-9]+ $' \
	"twin: the bind made a slave receives from /sys"
vm_expect "$log" '^TEST: rbind-slave-lazy rc=0$' "twin: and its tmpfs unmounts lazily"
vm_expect "$log" '^TEST: peer-ns-lazy-root out=.*Operation not permitted' \
	"a lazy unmount of / in a namespace whose /sys is a peer of the pins' /sys is refused"
vm_expect "$log" '^TEST: slave-ns-lazy-root rc=0$' "twin: the same namespace made a slave unmounts its / lazily"
vm_expect "$log" '^TEST: set-group out=error: move_mount MOVE_MOUNT_SET_GROUP: Operation not permitted' \
	"a private copy of /sys is refused /sys's peer group (MOVE_MOUNT_SET_GROUP)"
vm_expect_not "$log" '^TEST: set-group made a peer of /sys$' "so it stays private"
vm_expect "$log" '^TEST: set-group-umount rc=0$' "and the tmpfs on its fs/bpf unmounts"
vm_expect "$log" '^TEST: pins-after-set-group rc=0$' "the pins are still there"
vm_expect "$log" '^TEST: set-group-own rc=0$' "twin: a copy joins another copy's group of its own"
vm_expect "$log" '^TEST: set-group-own made a peer of its own group$' "which mountinfo shows"
for r in rmdir-sys-private rename-sys-private; do
	vm_expect "$log" "^TEST: $r out=.*Operation not permitted" "$r: refused by the enforcer (not EBUSY: /sys is no mountpoint there)"
done
vm_expect "$log" '^TEST: pins-still-there rc=0$' "the pins are still where readers look"
vm_expect "$log" '^TEST: audit: .* denied self-protection mount over the pins by pid' "the refused mounts are logged" 
vm_expect "$log" '^TEST: umount-lazy-other rc=0$' "twin: a lazy unmount of an unrelated tmpfs works"

vm_expect "$log" '^TEST: status: policy: +vm-maps \(generation 2\)$' "bootseal status reads the policy"
vm_expect "$log" '^TEST: status: denied: +[1-9]' "and counts the denials"
vm_expect "$log" '^TEST: status: self-protection refusals: +[1-9]' "and the self-protection refusals"
vm_expect "$log" '^TEST: status: audit events: [1-9][0-9]* written, 0 overwritten \(the log holds 4096\)$' "and the audit log"
vm_expect "$log" '^TEST: audit: .* denied exec dev .* by pid .*: deny rule 1$' "bootseal audit shows the exec denial"
vm_expect "$log" '^TEST: audit: .* denied self-protection state map fd by pid .*\(bs-bpf-attack' \
	"and the refused fds to state maps"
vm_expect "$log" '^TEST: audit: .* denied capability CAP_SYS_BOOT by pid .*subject 1\): deny rule 3$' \
	"and the sysrq denial as CAP_SYS_BOOT"
vm_expect "$log" '^TEST: audit reads: ([1-9][0-9]*) \1$' "reading consumes nothing: two readers see the same events"
vm_expect "$log" '^TEST: audit after [1-9][0-9]*: 0$' "--after the last sequence number shows nothing"
vm_expect "$log" '^TEST: exec-denied-end rc=[1-9]' "the policy still denies"
vm_expect "$log" '^TEST: exec-allowed-end rc=0$' "and still allows"
vm_expect "$log" '^TEST: init done$' "init ran to its end"
vm_expect_not "$log" 'Kernel panic|BUG:' "no panic"

# enforcer-self-protection: once installed, nothing in the guest, root
# included, can remove or change the enforcer: no unpin (rm, mv), no unmount
# of its bpffs (plain or lazy, nor a lazy unmount of /sys above it), no
# writable map fd (from a pin or by id), so no map update, delete or freeze,
# no link detach (from a pin or by id), no program fd by id, and no new LSM
# program, and no new entry in the pin directory (a pin named as a hook's
# link would stand for that hook in `bootseal status`). Afterwards the
# policy still holds. The policy decides no capability, module load or
# executable memory: the loader leaves out the programs that only decide
# those, `bootseal status` lists the others, and a capability works.
# A second boot, under a policy with `allow bpf-load lsm by
# /usr/bin/bs-bpf-attack`. What the grant does depends on the kernel's
# verifier. Debian 12's 6.1 lets an LSM program return a positive value,
# with which a granted program would skip the enforcer: the loader finds the
# grants unbounded and the enforcer holds them void, so the subject is
# refused its BPF LSM program, with an audit line naming its subject. From
# 6.12 (bookworm-backports, Debian 13) the verifier bounds LSM return values
# to 0 or an error: the loader says nothing of grants and the subject loads
# and attaches its program. On both, the subject is refused a kprobe (no
# grant reaches other types), with an audit line naming its subject, and
# the same binary copied to /tmp (not the subject) is refused. In the
# first boot, without the statement, the subject is refused, and the
# loader says nothing of grants.
. "$VM_SOURCE_ROOT/tests/vm/enforcer-lib.sh"

cat >"$VM_WORK/vm.policy" <<'POLICY'
policy "vm-self"
generation 2
mode enforce
deny exec path /opt/denied/busybox
deny write path /usr/bin/bs-bpf-attack
allow exec path /opt/ok/busybox by /usr/bin/bs-bpf-attack
POLICY
enf_seal "$VM_WORK/vm.policy" "$VM_WORK/vm.sealed"

cat >"$VM_WORK/init" <<'EOF'
#!/bin/sh
. /lib/vm-test.sh
P=/sys/fs/bpf/bootseal
say "pins before: $(ls $P | wc -l)"
bootseal status | sed -n 's/^hooks: */TEST: hooks: /p'
try unpin-rm rm -f $P/link_bprm_check
try unpin-mv mv $P/link_bprm_check /sys/fs/bpf/moved
try unpin-rmdir-all rm -rf $P
try umount-bpffs umount /sys/fs/bpf
try umount-bpffs-lazy umount -l /sys/fs/bpf
try umount-sys-lazy umount -l /sys
K=$(printf '00 %.0s' $(seq 1 24))
V=$(printf '00 %.0s' $(seq 1 8))
try map-update-pinned bpftool map update pinned $P/rules key hex $K value hex $V
try map-delete-pinned bpftool map delete pinned $P/rules key hex $K
try map-freeze-pinned bpftool map freeze pinned $P/info
try link-detach-pinned bpftool link detach pinned $P/link_bprm_check
try prog-load-lsm bpftool prog load /lib/extra/bootseal.o /sys/fs/bpf/evil type lsm
try pin-add-map bpftool map create $P/link_capable type array key 4 value 4 entries 1 name forged
try pin-add-outside bpftool map create /sys/fs/bpf/mine type array key 4 value 4 entries 1 name mine
try pin-add-real-link bpftool link pin pinned $P/link_file_open $P/link_kernel_read_file
try pin-add-hardlink ln $P/link_file_open $P/link_kernel_load_data
try pin-add-symlink ln -s /sys/fs/bpf/mine $P/link_vm_enough_memory
try pin-add-dir mkdir $P/more
try pin-add-move mv /sys/fs/bpf/mine $P/link_capable
rm -f /sys/fs/bpf/mine  # the id loops below must find the enforcer's maps alone
bs-bpf-attack lsm-load | sed 's/^/TEST: subject-nogrant /'
denied_ids=0 other_ids=0
for i in $(seq 1 60); do
	out=$(bpftool map update id $i key hex $K value hex $V 2>&1)
	case $out in *"Operation not permitted"*) denied_ids=$((denied_ids + 1)) ;; "") other_ids=$((other_ids + 1)) ;; esac
done
say "map ids refused: $denied_ids updated: $other_ids"
denied_links=0 detached=0
for i in $(seq 1 60); do
	out=$(bpftool link detach id $i 2>&1) && detached=$((detached + 1))
	case $out in *"Operation not permitted"*) denied_links=$((denied_links + 1)) ;; esac
done
say "link ids refused: $denied_links detached: $detached"
denied_progs=0 progs=0
for i in $(seq 1 80); do
	out=$(bpftool prog show id $i 2>&1) && progs=$((progs + 1))
	case $out in *"Operation not permitted"*) denied_progs=$((denied_progs + 1)) ;; esac
done
say "prog ids refused: $denied_progs shown: $progs"
say "pins after: $(ls $P | wc -l)"
try still-enforced /opt/denied/busybox true
try still-allowed /opt/ok/busybox true
try cap-free /opt/ok/busybox hostname bs-self
bootseal status | sed -n 's/^hooks: */TEST: hooks after: /p'
bootseal audit | grep 'new entry in the pin directory' | sed 's/^/TEST: audit: /'
finish
EOF

enf_guest_tree "$VM_WORK/tree"
cp "$VM_BUILDDIR/enforcer/bootseal.o" "$VM_WORK/tree/lib/extra/bootseal.o"
mkdir -p "$VM_WORK/tree/usr/sbin"
cp "$(command -v bpftool)" "$VM_WORK/tree/usr/sbin/bpftool"
mkdir -p "$VM_WORK/tree/usr/bin"
gcc -static -O2 -I"$VM_SOURCE_ROOT/enforcer" -o "$VM_WORK/tree/usr/bin/bs-bpf-attack" \
	"$VM_SOURCE_ROOT/tests/vm/bs-bpf-attack.c" || _vm_die "cannot build bs-bpf-attack"
enf_copy_program "$ENF_TOOL" "$VM_WORK/tree/usr/sbin/bootseal"
mapfile -t libs < <(enf_lib_files "$(command -v bpftool)" "$ENF_TOOL")
initrd=$(enf_initramfs "$VM_WORK/vm.sealed")
disk=$(vm_build_disk --init "$VM_WORK/init" --dir "$VM_WORK/tree:/" "${libs[@]}" --root-size 96)
vm_boot --initrd "$initrd" --disk "$disk" --log "$VM_WORK/console.log" --timeout 280

log=$VM_WORK/console.log
vm_expect "$log" "bootseal: policy 'vm-self' generation 2 in force" "the loader installed the policy"
vm_expect_not "$log" "grants void" "a policy without a bpf-load grant: the loader probes nothing and says nothing of grants"
vm_expect "$log" '^TEST: pins before: [1-9][0-9]*$' "the enforcer is pinned"
vm_expect "$log" 'bootseal: hooks: 4 programs left out, the policy has no use for them: vm_enough_memory \(no memory rule\); capable \(no capability rule or default\); kernel_read_file kernel_load_data \(no module-load or kexec rule or default\) \(' \
	"the loader leaves out the programs of the operations the policy does not decide"
hooks=$(sed -n 's/^TEST: hooks: //p' "$log")
[ -n "$hooks" ] || _vm_die "bootseal status listed no hooks"
for h in capable kernel_load_data kernel_read_file vm_enough_memory; do
	case " ${hooks#*(} " in *" $h "* | *" $h)"*) _vm_die "$h is attached, the policy has no use for it: $hooks" ;; esac
done
for h in file_open bpf bpf_map bpf_prog inode_unlink inode_rename inode_rmdir inode_create inode_mkdir inode_mknod \
	inode_symlink inode_link sb_mount sb_umount move_mount ptrace_access_check task_prctl bprm_check mmap_file shm_shmat \
	path_unlink path_rename; do
	case " ${hooks#*(} " in *" $h "* | *" $h)"*) ;; *) _vm_die "$h is not attached: $hooks" ;; esac
done
echo "ok - status lists the hooks this policy needs, those of self-protection among them: $hooks"
refused() { vm_expect "$log" "^TEST: $1 rc=[1-9]" "$2 is refused"; }
refused unpin-rm "removing a link pin"
vm_expect "$log" "^TEST: unpin-rm out=.*Operation not permitted" "the unpin is refused with EPERM"
refused unpin-mv "moving a link pin out of the pin directory"
refused unpin-rmdir-all "removing the pin directory"
refused umount-bpffs "unmounting the bpffs"
refused umount-bpffs-lazy "lazily unmounting the bpffs"
refused umount-sys-lazy "lazily unmounting /sys with the bpffs under it"
refused map-update-pinned "a map update through the pin"
vm_expect "$log" "^TEST: map-update-pinned out=.*Operation not permitted" "refused with EPERM"
refused map-delete-pinned "a map delete through the pin"
refused map-freeze-pinned "a freeze of a policy map through its pin"
refused link-detach-pinned "detaching a link through its pin"
vm_expect "$log" "^TEST: link-detach-pinned out=.*Operation not permitted" "refused with EPERM"
refused prog-load-lsm "loading another LSM program"
# Each under its own name (one refusal cannot hide behind another's
# EEXIST), each refused by the enforcer (EPERM), each audited but the move
# (an unpin: a rename in the pin directory).
for t in pin-add-map pin-add-real-link pin-add-hardlink pin-add-symlink pin-add-dir pin-add-move; do
	vm_expect "$log" "^TEST: $t out=.*(Operation not permitted|EPERM)" "$t is refused with EPERM"
done
vm_expect "$log" '^TEST: pin-add-outside rc=0$' "while a map pinned elsewhere in the bpffs is not refused"
n=$(grep -c '^TEST: audit: .* denied self-protection new entry in the pin directory by pid' "$log")
[ "$n" = 5 ] || _vm_die "$n audit events for a new entry in the pin directory, expected 5 (two bpftool pins, ln, ln -s, mkdir)"
vm_expect "$log" '^TEST: audit: .* denied self-protection new entry in the pin directory by pid .*\(bpftool, ' \
	"the refused pin is an audit event naming the route"
vm_expect "$log" "^TEST: hooks after: $(printf '%s' "$hooks" | sed 's/[][().*^$]/\\&/g')\$" \
	"status lists the same hooks after the attempts"
vm_expect "$log" '^TEST: subject-nogrant lsm-load error: Operation not permitted$' \
	"without a bpf-load statement, a subject is refused a BPF LSM program load too"
vm_expect "$log" '^TEST: map ids refused: [1-9][0-9]* updated: 0$' "no map of the enforcer can be had by id"
vm_expect "$log" '^TEST: link ids refused: [1-9][0-9]* detached: 0$' "no link of the enforcer can be detached by id"
vm_expect "$log" '^TEST: prog ids refused: [1-9][0-9]* shown: 0$' "no program of the enforcer can be had by id"
pins=$(sed -n 's/^TEST: pins before: //p' "$log")
vm_expect "$log" "^TEST: pins after: $pins\$" "every pin is still there"
vm_expect "$log" '^TEST: still-enforced rc=[1-9]' "the policy still denies"
vm_expect "$log" '^TEST: still-allowed rc=0$' "and still allows"
vm_expect "$log" '^TEST: cap-free rc=0$' "a capability the policy does not decide works (sethostname)"
vm_expect "$log" '^TEST: init done$' "init ran to its end"
vm_expect_not "$log" 'boot stopped|Kernel panic|BUG:' "no stop, no panic"

# Second boot: the grant.
cat >"$VM_WORK/grant.policy" <<'POLICY'
policy "vm-self-bpf-load"
generation 3
mode enforce
lockdown integrity
deny exec path /opt/denied/busybox
deny write path /usr/bin/bs-bpf-attack
allow bpf-load lsm by /usr/bin/bs-bpf-attack
POLICY
enf_seal "$VM_WORK/grant.policy" "$VM_WORK/grant.sealed"

cat >"$VM_WORK/init2" <<'EOF'
#!/bin/sh
. /lib/vm-test.sh
out() { sed "s/^/TEST: $1 /"; }
say "init ran"
bs-bpf-attack lsm-load | out grant-subject
bs-bpf-attack prog-type kprobe | out grant-subject
cp /usr/bin/bs-bpf-attack /tmp/bs-copy
/tmp/bs-copy lsm-load | out grant-copy
try still-enforced /opt/denied/busybox true
try still-allowed /opt/ok/busybox true
bootseal audit | out audit:
finish
EOF
initrd2=$(enf_initramfs "$VM_WORK/grant.sealed")
disk2=$(vm_build_disk --init "$VM_WORK/init2" --dir "$VM_WORK/tree:/" "${libs[@]}" --root-size 96)
log2=$VM_WORK/console-grant.log
vm_boot --initrd "$initrd2" --disk "$disk2" --log "$log2" --timeout 280
vm_expect "$log2" "bootseal: policy 'vm-self-bpf-load' generation 3 in force" "the loader installed the schema-3 policy"
# The verifier bounds LSM programs' return values from 6.12 on.
IFS=.- read -r kmajor kminor _ <<<"$KVER"
if [ "$kmajor" -gt 6 ] || { [ "$kmajor" -eq 6 ] && [ "$kminor" -ge 12 ]; }; then
	vm_expect_not "$log2" 'grants void' \
		"the loader finds this kernel's LSM return values bounded ($KVER): the grants hold"
	vm_expect "$log2" '^TEST: grant-subject lsm-load ok$' "so the granted subject loads its BPF LSM program"
	vm_expect "$log2" '^TEST: grant-subject lsm-attach ok$' "and attaches it"
else
	vm_expect "$log2" 'bootseal: bpf-load grants void: this kernel lets a BPF LSM program return a positive value' \
		"the loader finds this kernel's LSM return values unbounded ($KVER), and says the grants are void"
	vm_expect "$log2" '^TEST: grant-subject lsm-load error: Operation not permitted$' \
		"so the granted subject is refused its BPF LSM program"
	vm_expect "$log2" '^TEST: audit: .* denied self-protection LSM/tracing/probe program load \(program type lsm, attach lsm_mac\) by pid .*\(bs-bpf-attack, subject [1-9][0-9]*\)' \
		"with an audit line naming its subject"
fi
vm_expect "$log2" '^TEST: grant-subject kprobe error: Operation not permitted' "the granted subject is refused a kprobe (no grant reaches other types)"
vm_expect "$log2" '^TEST: grant-copy lsm-load error: Operation not permitted$' \
	"the same binary at another path (not the subject) is refused"
vm_expect "$log2" '^TEST: audit: .* denied self-protection LSM/tracing/probe program load \(program type lsm, attach lsm_mac\) by pid .*\(bs-copy, subject 0\)' \
	"the refused load is an audit event naming the route and the program's type"
vm_expect "$log2" '^TEST: audit: .* denied self-protection LSM/tracing/probe program load \(program type kprobe\) by pid .*\(bs-bpf-attack, subject [1-9][0-9]*\)' \
	"the subject's refused kprobe names its subject and the type"
vm_expect "$log2" '^TEST: still-enforced rc=[1-9]' "the policy still denies"
vm_expect "$log2" '^TEST: still-allowed rc=0$' "and still allows"
vm_expect "$log2" '^TEST: init done$' "init ran to its end"
vm_expect_not "$log2" 'boot stopped|Kernel panic|BUG:' "no stop, no panic"

# enforcer-permissive: the same kind of policy in permissive mode allows
# what it would deny and logs it: `bootseal audit` shows each would-be
# denial and each audit rule hit, `bootseal status` shows the policy, the
# mode, the hooks and the counters; reading the audit log consumes nothing. Self-protection holds in both modes.
. "$VM_SOURCE_ROOT/tests/vm/enforcer-lib.sh"

cat >"$VM_WORK/vm.policy" <<'POLICY'
policy "vm-permissive"
generation 5
mode permissive
default module-load deny
deny exec path /opt/denied/busybox
audit exec subtree /opt/ok
deny write path /etc/protected
deny capability CAP_SYS_TIME
POLICY
enf_seal "$VM_WORK/vm.policy" "$VM_WORK/vm.sealed"

cat >"$VM_WORK/init" <<'EOF'
#!/bin/sh
. /lib/vm-test.sh
try exec-would-deny /opt/denied/busybox true
try exec-audited /opt/ok/busybox true
try write-would-deny sh -c 'echo x >> /etc/protected'
try cap-would-deny adjtimex -o 5
try module-would-deny bs-probe init-module /lib/extra/dummy.ko
try unpin-still-refused rm -f /sys/fs/bpf/bootseal/link_bprm_check
bootseal status | sed 's/^/TEST: status: /'
bootseal status --json > /tmp/status.json
say "status json mode: $(grep '"mode"' /tmp/status.json)"
bootseal audit | sed 's/^/TEST: audit: /'
bootseal audit --json > /tmp/audit.json
say "audit reread: $(wc -l < /tmp/audit.json) $(bootseal audit | wc -l)"
finish
EOF

enf_guest_tree "$VM_WORK/tree"
mkdir -p "$VM_WORK/tree/usr/sbin"
enf_copy_program "$ENF_TOOL" "$VM_WORK/tree/usr/sbin/bootseal"
mapfile -t libs < <(enf_lib_files "$ENF_TOOL")
initrd=$(enf_initramfs "$VM_WORK/vm.sealed")
disk=$(vm_build_disk --init "$VM_WORK/init" --dir "$VM_WORK/tree:/" "${libs[@]}" --root-size 96)
vm_boot --initrd "$initrd" --disk "$disk" --log "$VM_WORK/console.log" --timeout 280

log=$VM_WORK/console.log
vm_expect "$log" "bootseal: policy 'vm-permissive' generation 5 in force, permissive mode" "installed in permissive mode"
vm_expect "$log" '^TEST: exec-would-deny rc=0$' "a denied exec runs"
vm_expect "$log" '^TEST: exec-audited rc=0$' "an audited exec runs"
vm_expect "$log" '^TEST: write-would-deny rc=0$' "a denied write happens"
vm_expect "$log" '^TEST: cap-would-deny rc=0$' "a denied capability is granted"
vm_expect "$log" '^TEST: module-would-deny rc=0$' "a module loads despite the default deny"
vm_expect "$log" '^TEST: unpin-still-refused rc=[1-9]' "self-protection holds in permissive mode"
vm_expect "$log" '^TEST: status: policy: +vm-permissive \(generation 5\)$' "status names the policy"
vm_expect "$log" '^TEST: status: mode: +permissive$' "status shows the mode"
# Every program of the enforcer object this policy needs is attached and
# listed, by the name of its link pin: the skeleton the loader was built
# with names them (the readers' iterators, bs_iter_*, are pinned as stats
# and audit, not hooks). The policy decides exec, write, capability and
# module-load, but has no memory rule and no subject: the two programs
# that only decide executable memory (and a subject's) are left out, and
# the loader says so.
# inode_setattr has two programs, one per form of the hook (the idmap in
# front from 6.12 on, not in 6.1): the loader attaches the one this kernel
# has, so exactly one of them is listed. inode_set_acl and inode_remove_acl
# came in 6.2: on an older kernel the loader leaves them out (ACLs are
# xattrs there, decided by inode_setxattr and inode_removexattr).
vm_expect "$log" 'bootseal: hooks: 2 programs left out, the policy has no use for them: vm_enough_memory \(no memory rule\); shm_shmat \(no memory rule, no subject\) \(' \
	"the loader leaves out the programs of operations the policy does not decide, and says why"
absent='inode_setattr_idmap shm_shmat vm_enough_memory'
kmaj=${KVER%%.*}; kmin=${KVER#*.}; kmin=${kmin%%[!0-9]*}
if [ "$kmaj" -lt 6 ] || { [ "$kmaj" -eq 6 ] && [ "$kmin" -lt 2 ]; }; then
	absent="$absent inode_set_acl inode_remove_acl"
fi
mapfile -t progs < <(sed -n 's/^[[:space:]]*s->progs\[[0-9]*\]\.name = "bs_\([a-z0-9_]*\)";$/\1/p' \
	"$VM_BUILDDIR/enforcer/bootseal.skel.h" | grep -v '^iter_' | grep -vxF -f <(printf '%s\n' $absent) | LC_ALL=C sort)
[ "${#progs[@]}" -gt 0 ] || _vm_die "no program names in $VM_BUILDDIR/enforcer/bootseal.skel.h"
hooks_re=$(printf '%s\n' "${progs[*]}" | sed 's/ inode_setattr / inode_setattr(_idmap)? /')
case $hooks_re in *'inode_setattr(_idmap)?'*) ;; *) _vm_die "no inode_setattr program in the skeleton" ;; esac
vm_expect "$log" "^TEST: status: hooks: +${#progs[@]} \\($hooks_re\\)\$" "status lists the ${#progs[@]} attached hooks by name"
vm_expect "$log" '^TEST: status: denied: +[4-9]' "status counts the would-be denials"
vm_expect "$log" '^TEST: status: self-protection refusals: +[1-9]' "and the self-protection refusal"
vm_expect "$log" '^TEST: status: audit events: [0-9]+ written, 0 overwritten \(the log holds 4096\)$' "no event was overwritten"
vm_expect "$log" '^TEST: status json mode: +"mode": "permissive",?$' "status --json"
vm_expect "$log" '^TEST: audit: \[ *[0-9.]+\] allowed exec dev [0-9]+:[0-9]+ ino [0-9]+ by pid [0-9]+ \(init, subject 0\): deny rule 1$' \
	"the would-be exec denial is logged as allowed, with its rule"
vm_expect "$log" '^TEST: audit: .* allowed exec .*: audit rule 2$' "the audit rule hit is logged"
vm_expect "$log" '^TEST: audit: .* allowed write .*: deny rule 3$' "the would-be write denial is logged"
vm_expect "$log" '^TEST: audit: .* allowed capability CAP_SYS_TIME by pid .*: deny rule 4$' "the capability is logged"
vm_expect "$log" '^TEST: audit: .* allowed module-load - by pid .*\(bs-probe.*: deny default$' "the module load is logged"
vm_expect "$log" '^TEST: audit: .* denied self-protection unpin by pid .*\(rm, ' "the refused unpin is logged"
n=$(grep -c '^TEST: audit: .* allowed exec .*: deny rule 1$' "$log")
[ "$n" = 1 ] || _vm_die "one exec gave $n events, expected 1 (the kernel mapping the new program is not a second exec)"
vm_expect "$log" '^TEST: audit reread: ([1-9][0-9]*) \1$' "reading consumes nothing: a second reader sees the same events"
vm_expect "$log" '^TEST: init done$' "init ran to its end"
vm_expect_not "$log" 'boot stopped|Kernel panic|BUG:' "no stop, no panic"

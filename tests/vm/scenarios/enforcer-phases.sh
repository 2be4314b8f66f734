# enforcer-phases: a policy with boot phases (docs/POLICY.md, "Boot
# phases"). Boot 1: during the boot phase a module loads and a write to
# /etc/protected (a `phase boot` path allow beside an unphased subtree deny)
# goes through; a copy of the seal-by program under another name, and
# foreign code preloaded into the real one, cannot seal; the real program
# seals; after the seal the same module load and write are refused, the
# phase stays running whatever runs the program again, and status and audit
# say when and why. Boot 2: a policy that names no seal-by program: the
# program seals nothing (exit 3, and says why), `bootseal measure-seal
# --wait` waits, and the enforcer seals by itself at the seal-after deadline.
# Boot 3: the seal-by program the policy names is not there: bootseal-seal
# fails (5) and says why, and the phase stays boot.
# Boots 1 and 2 have a TPM (swtpm; loader.conf tpm = auto): `bootseal
# measure-seal` refuses before the seal and extends nothing; after it, it
# extends PCR 12 once with the seal's digest for its reason (trigger, then
# deadline), and the PCR equals what the host computes from the blob.
. "$VM_SOURCE_ROOT/tests/vm/enforcer-lib.sh"

command -v swtpm >/dev/null || vm_skip "swtpm is not installed (swtpm, swtpm-tools)"
tcti=$(vm_tcti_device)
ENF_INITRAMFS_FILES=(--file "$tcti:$tcti")
# PCR 12 after the loader's record for BLOB and the seal's for REASON.
expected_pcr() {
	python3 -c 'import hashlib,sys
d=hashlib.sha256(open(sys.argv[1],"rb").read()).digest()
p=hashlib.sha256(bytes(32)+d).digest()
print(hashlib.sha256(p+hashlib.sha256(sys.argv[2].encode()).digest()).hexdigest())' "$1" "bootseal: sealed $2"
}

ENF_SEAL=$VM_BUILDDIR/tools/bootseal-seal
[ -x "$ENF_SEAL" ] || _vm_die "bootseal-seal not built ($ENF_SEAL)"

policy() {  # policy GENERATION SEAL_AFTER [SEAL_BY]
	cat <<POLICY
policy "vm-phases"
generation $1
mode enforce
${3:+seal-by $3}
seal-after $2
# The code: write-protected, so the seal-by program keeps its subject.
deny write subtree /usr
deny write subtree /lib
deny write subtree /lib64
# /etc: closed, but during the boot phase one file stays writable.
deny write subtree /etc
phase boot allow write path /etc/protected
# Modules load while the machine boots, never after.
phase running default module-load deny
POLICY
}
policy 1 600s /usr/lib/bootseal/bootseal-seal >"$VM_WORK/trigger.policy"
# Boot 2's policy names no seal-by program: its deadline alone seals.
policy 2 40s >"$VM_WORK/deadline.policy"
enf_seal "$VM_WORK/trigger.policy" "$VM_WORK/trigger.sealed"
enf_seal "$VM_WORK/deadline.policy" "$VM_WORK/deadline.sealed"

# Foreign code for the seal-by program's process: its constructor asks for
# the seal and exits before the program's own main could run.
cat >"$VM_WORK/preload.c" <<EOF
#include <sys/prctl.h>
#include <unistd.h>
__attribute__((constructor)) static void seal_early(void)
{
	prctl($(sed -n 's/^#define BS_PRCTL_SEAL \(0x[0-9a-f]*\).*/\1/p' "$VM_SOURCE_ROOT/enforcer/bootseal.h"), 0, 0, 0, 0);
	_exit(42);
}
EOF
gcc -shared -fPIC -O2 -o "$VM_WORK/preload.so" "$VM_WORK/preload.c" || _vm_die "cannot build preload.so"

cat >"$VM_WORK/init-trigger" <<'EOF'
#!/bin/sh
. /lib/vm-test.sh
seal=/usr/lib/bootseal/bootseal-seal
bootseal status | grep '^phase:' | sed 's/^/TEST: before: /'
try boot-write sh -c 'echo boot >> /etc/protected'
try boot-write-other sh -c 'echo boot >> /etc/secret'
try boot-module bs-probe init-module /lib/extra/dummy.ko
try measure-early bootseal measure-seal
say "pcr12-boot $(tr A-F a-f </sys/class/tpm/tpm0/pcr-sha256/12)"
cp "$seal" /tmp/bootseal-seal
try copy-seal /tmp/bootseal-seal
try preload-seal env LD_PRELOAD=/opt/preload.so "$seal" --help
try direct-write-seal sh -c "echo x >> $seal"
bootseal status | grep '^phase:' | sed 's/^/TEST: after-attacks: /'
try boot-write-again sh -c 'echo again >> /etc/protected'
try seal "$seal"
"$seal" | sed 's/^/TEST: seal says: /'
try sealed-write sh -c 'echo late >> /etc/protected'
try sealed-module bs-probe init-module /lib/extra/dummy.ko
try seal-again "$seal"
try copy-after /tmp/bootseal-seal
try measure sh -c 'bootseal measure-seal >/tmp/measure.out'
sed 's/^/TEST: measure says: /' /tmp/measure.out
try measure-again sh -c 'bootseal measure-seal >/tmp/measure.out'
sed 's/^/TEST: measure-again says: /' /tmp/measure.out
say "pcr12 $(tr A-F a-f </sys/class/tpm/tpm0/pcr-sha256/12)"
bootseal status | grep -E '^(seal|measured):' | sed 's/^/TEST: status: /'
bootseal status | grep -E '^(phase|running defaults):' | sed 's/^/TEST: status: /'
bootseal status --json | tr -d ' \n' | sed 's/^/TEST: json: /'
echo
bootseal audit | grep -E 'seal|untrusted' | sed 's/^/TEST: audit: /'
finish
EOF

cat >"$VM_WORK/init-deadline" <<'EOF'
#!/bin/sh
. /lib/vm-test.sh
bootseal status | grep '^phase:' | sed 's/^/TEST: before: /'
try boot-write sh -c 'echo boot >> /etc/protected'
try seal-none /usr/lib/bootseal/bootseal-seal
# measure-seal --wait returns past the deadline (40 s after the kernel
# started), which seals by itself.
try measure-wait sh -c 'bootseal measure-seal --wait >/tmp/measure.out'
say "uptime $(cut -d. -f1 /proc/uptime)"
try late-write sh -c 'echo late >> /etc/protected'
try late-module bs-probe init-module /lib/extra/dummy.ko
sed 's/^/TEST: measure says: /' /tmp/measure.out
say "pcr12 $(tr A-F a-f </sys/class/tpm/tpm0/pcr-sha256/12)"
bootseal status | grep '^phase:' | sed 's/^/TEST: status: /'
bootseal audit | grep -E 'seal' | sed 's/^/TEST: audit: /'
finish
EOF

tree=$VM_WORK/tree
enf_guest_tree "$tree"
mkdir -p "$tree/usr/sbin" "$tree/usr/lib/bootseal"
enf_copy_program "$ENF_TOOL" "$tree/usr/sbin/bootseal"
enf_copy_program "$ENF_SEAL" "$tree/usr/lib/bootseal/bootseal-seal"
cp "$VM_WORK/preload.so" "$tree/opt/preload.so"
mapfile -t libs < <(enf_lib_files "$ENF_TOOL" "$ENF_SEAL")

# --- boot 1: the seal-by program seals ------------------------------------
trap 'vm_tpm_stop "$VM_WORK/tpm1"; vm_tpm_stop "$VM_WORK/tpm2"' EXIT
initrd=$(enf_initramfs "$VM_WORK/trigger.sealed" "tpm = auto")
disk=$(vm_build_disk --init "$VM_WORK/init-trigger" --dir "$tree:/" "${libs[@]}" --file "$tcti:$tcti" --root-size 96)
log=$VM_WORK/console-trigger.log
mapfile -t q < <(vm_tpm_args "$VM_WORK/tpm1")
vm_boot --initrd "$initrd" --disk "$disk" --log "$log" --timeout 280 "${q[@]}"
vm_expect "$log" "bootseal: policy 'vm-phases' generation 1 in force, enforce mode" "the phased policy is installed"
vm_expect "$log" '^TEST: before: phase: +boot until the seal-by program seals or the deadline, 600 s after boot$' \
	"status: the boot phase, until the program or the deadline"
vm_expect "$log" '^TEST: boot-write rc=0$' "during boot, the phase boot allow beats the subtree deny"
vm_expect "$log" '^TEST: boot-write-other rc=[1-9]' "the unphased subtree deny holds during boot too"
vm_expect "$log" '^TEST: boot-module rc=0$' "during boot, a module loads"
vm_expect "$log" '^TEST: copy-seal rc=1$' "a copy of the seal-by program under another name is refused"
vm_expect "$log" '^TEST: copy-seal out=bootseal-seal: refused' "and says so"
vm_expect "$log" '^TEST: preload-seal rc=0$' "the real program with a preload runs its own code (--help) ..."
vm_expect_not "$log" '^TEST: preload-seal rc=42$' "... and the preloaded constructor never ran"
vm_expect "$log" '^TEST: direct-write-seal rc=[1-9]' "the seal-by program cannot be rewritten"
vm_expect "$log" '^TEST: after-attacks: phase: +boot ' "none of them sealed"
vm_expect "$log" '^TEST: boot-write-again rc=0$' "the boot phase still holds"
vm_expect "$log" '^TEST: seal rc=0$' "the seal-by program seals"
vm_expect "$log" '^TEST: seal says: bootseal-seal: sealed [0-9.]+ s after boot by bootseal-seal \(pid [0-9]+\)$' \
	"and says when and by whom (a second run reports the first seal)"
vm_expect "$log" '^TEST: sealed-write rc=[1-9]' "after the seal the write is refused"
vm_expect "$log" '^TEST: sealed-write out=.*Operation not permitted' "by the policy"
vm_expect "$log" '^TEST: sealed-module out=error: .*Operation not permitted' "and the module load too"
vm_expect "$log" '^TEST: seal-again rc=0$' "running the program again changes nothing"
vm_expect "$log" '^TEST: copy-after rc=0$' "after the seal the copy's prctl changes nothing: the phase is over for everyone"
vm_expect "$log" '^TEST: status: phase: +running, sealed [0-9.]+ s after boot by bootseal-seal \(pid [0-9]+, subject [1-9][0-9]*\)$' \
	"status: running, sealed by the program"
vm_expect "$log" '^TEST: status: running defaults: module-load=deny$' "status: the running phase's defaults"
vm_expect "$log" '^TEST: json: .*"phase":\{"phase":"running",.*"sealed":\{.*"reason":"trigger"' "status --json: the phase and why"
blob_pcr=$(python3 -c 'import hashlib,sys; d=hashlib.sha256(open(sys.argv[1],"rb").read()).digest(); print(hashlib.sha256(bytes(32)+d).hexdigest())' "$VM_WORK/trigger.sealed")
vm_expect "$log" "bootseal: TPM: PCR 12 extended with the policy's SHA-256" "the loader measures the policy"
vm_expect "$log" '^TEST: measure-early rc=3$' "measure-seal refuses before the seal ..."
vm_expect "$log" '^TEST: measure-early out=.*the boot phase is not over' "... saying why"
vm_expect "$log" "^TEST: pcr12-boot $blob_pcr\$" "and PCR 12 holds the policy's record alone"
vm_expect "$log" '^TEST: measure rc=0$' "after the seal, measure-seal runs"
vm_expect "$log" '^TEST: measure says: PCR 12 extended with the seal.s digest [0-9a-f]{64} \(sealed by the seal-by program\)$' \
	"and extends PCR 12 for the seal by the program"
vm_expect "$log" '^TEST: measure-again says: the seal is already measured into PCR 12 \(trigger\): nothing to do$' \
	"a second run extends nothing"
vm_expect "$log" "^TEST: pcr12 $(expected_pcr "$VM_WORK/trigger.sealed" "by trigger")\$" \
	"PCR 12 = the policy's record, then the seal's (by trigger), as the host computes them"
vm_expect "$log" '^TEST: status: seal: +measured, sealed by the seal-by program \(bootseal measure-seal\)$' "status shows the seal's record"
vm_expect "$log" '^TEST: status: measured: +policy sha256 [0-9a-f]{64} \(2 records; the log replays to the PCR: yes\)$' \
	"and that the log replays to the PCR"
vm_expect "$log" '^TEST: audit: .* denied self-protection seal by another program than seal-by by pid [0-9]+ \(bootseal-seal, subject 0\)' \
	"audit: the copy's attempt"
vm_expect "$log" '^TEST: audit: .* denied self-protection untrusted code in a subject process by pid [0-9]+ \(bootseal-seal, subject [1-9]' \
	"audit: the preloaded library was refused to the program's process"
vm_expect "$log" '^TEST: audit: .* allowed self-protection boot phase sealed by pid [0-9]+ \(bootseal-seal, subject [1-9][0-9]*\): allow \(by the seal-by program\)$' \
	"audit: the seal, by the program"
n=$(grep -c '^TEST: audit: .* boot phase sealed' "$log")
[ "$n" = 1 ] || _vm_die "the audit log shows $n seals, expected exactly 1"
_vm_say "ok: exactly one seal event"
vm_expect "$log" '^TEST: init done$' "init ran to its end"
vm_expect_not "$log" 'boot stopped|Kernel panic|BUG:' "no stop, no panic"

# --- boot 2: nothing seals; the deadline does -------------------------------
initrd=$(enf_initramfs "$VM_WORK/deadline.sealed" "tpm = auto")
disk=$(vm_build_disk --init "$VM_WORK/init-deadline" --dir "$tree:/" "${libs[@]}" --file "$tcti:$tcti" --root-size 96)
log=$VM_WORK/console-deadline.log
mapfile -t q < <(vm_tpm_args "$VM_WORK/tpm2")
vm_boot --initrd "$initrd" --disk "$disk" --log "$log" --timeout 280 "${q[@]}"
vm_expect "$log" '^TEST: before: phase: +boot until .*, 40 s after boot$' "boot 2 starts in the boot phase"
vm_expect "$log" '^TEST: boot-write rc=0$' "and the boot-phase write goes through"
vm_expect "$log" '^TEST: seal-none rc=3$' "under a policy without seal-by, bootseal-seal seals nothing (exit 3) ..."
vm_expect "$log" '^TEST: seal-none out=bootseal-seal: the policy in force names no seal-by program' "... and says why"
vm_expect "$log" '^TEST: measure-wait rc=0$' "measure-seal --wait waits for the seal ..."
vm_expect "$log" '^TEST: uptime (4[0-9]|[5-9][0-9])$' "... which comes at the deadline, 40 s after boot"
vm_expect "$log" '^TEST: late-write rc=[1-9]' "past the deadline the write is refused"
vm_expect "$log" '^TEST: late-module out=error: .*Operation not permitted' "and a module load"
vm_expect "$log" '^TEST: status: phase: +running, sealed 40 s after boot at the seal-after deadline$' \
	"status: sealed at the deadline"
vm_expect "$log" '^TEST: audit: .* allowed self-protection boot phase sealed .*\(at the seal-after deadline\)$' \
	"audit: the deadline seal"
vm_expect "$log" '^TEST: measure says: PCR 12 extended .* \(sealed at the seal-after deadline\)$' "measure-seal measures the deadline seal"
vm_expect "$log" "^TEST: pcr12 $(expected_pcr "$VM_WORK/deadline.sealed" "at deadline")\$" \
	"PCR 12 = the policy's record, then the seal's (at deadline)"
vm_expect "$log" '^TEST: init done$' "init ran to its end"
vm_expect_not "$log" 'boot stopped|Kernel panic|BUG:' "no stop, no panic"

# --- boot 3: the seal-by program named is not there -------------------------
# A root that lost the program (deleted, moved): the loader says so, the
# enforcer answers ESRCH to everyone, and bootseal-seal fails loudly (5),
# unlike a policy that names none (boot 2, exit 3).
policy 3 600s /usr/lib/bootseal/gone >"$VM_WORK/gone.policy"
enf_seal "$VM_WORK/gone.policy" "$VM_WORK/gone.sealed"
cat >"$VM_WORK/init-gone" <<'EOF'
#!/bin/sh
. /lib/vm-test.sh
try seal-gone /usr/lib/bootseal/bootseal-seal
bootseal status | grep '^phase:' | sed 's/^/TEST: status: /'
finish
EOF
initrd=$(enf_initramfs "$VM_WORK/gone.sealed")
disk=$(vm_build_disk --init "$VM_WORK/init-gone" --dir "$tree:/" "${libs[@]}" --root-size 96)
log=$VM_WORK/console-gone.log
vm_boot --initrd "$initrd" --disk "$disk" --log "$log" --timeout 280
vm_expect "$log" 'seal-by /usr/lib/bootseal/gone: .*\(only the seal-after deadline can end the boot phase\)' \
	"the loader says the seal-by program does not resolve"
vm_expect "$log" '^TEST: seal-gone rc=5$' "bootseal-seal fails with 5 ..."
vm_expect "$log" '^TEST: seal-gone out=bootseal-seal: the seal-by program the policy names did not resolve' "... saying why"
vm_expect "$log" '^TEST: status: phase: +boot ' "and the phase is still boot, until the deadline"
vm_expect "$log" '^TEST: init done$' "init ran to its end"
vm_expect_not "$log" 'boot stopped|Kernel panic|BUG:' "no stop, no panic"

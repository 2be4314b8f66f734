#!/bin/sh
# bootseal update on image files, as a policy package's maintainer scripts
# run it: the store is the one loader.conf names (a partition image, a
# kernel image's trailer, a root file), --check writes nothing, a rerun
# with the same blob is a no-op, and every refusal (older generation,
# loader.conf's floor, the partition's floor, an untrusted key, no
# loader.conf) leaves the store byte for byte as it was.
# Also mark-good --booted's refusal where no enforcer is pinned.
#
#   update.sh BOOTSEAL BOOTSEAL_SIGN SOURCE_ROOT
set -u
abs() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
BOOTSEAL=$(abs "$1") SIGN=$(abs "$2") SRC=$(abs "$3")
failures=0
bad() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}
ok() { echo "ok: $*"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1

# run RC CMD...: expect exit status RC; output in out, err.
run() {
	want=$1
	shift
	"$@" >out 2>err
	rc=$?
	[ "$rc" -eq "$want" ] || bad "$* exited $rc, not $want: $(cat out err)"
}
has() { grep -q -- "$2" "$1" || bad "$1 lacks '$2': $(cat "$1")"; }
sum() { sha256sum "$1" | cut -d' ' -f1; }
unchanged() { [ "$(sum "$1")" = "$2" ] || bad "$3: $1 changed"; }

"$SIGN" keygen site.key site.pem >/dev/null || exit 1
"$SIGN" keygen rogue.key rogue.pem >/dev/null || exit 1
for g in 1 2 3 4; do
	sed "s/^generation .*/generation $g/" "$SRC/examples/audit-only.policy" >"p$g.policy"
	"$SIGN" seal -k site.key -o "g$g.sealed" "p$g.policy" >/dev/null || exit 1
done
"$SIGN" seal -k rogue.key -o rogue.sealed p4.policy >/dev/null || exit 1
mkdir -p etc/trusted.d
cp site.pem etc/trusted.d/site.pem

# --- the partition store ----------------------------------------------------
truncate -s 8M part.img
"$BOOTSEAL" format part.img >/dev/null || exit 1
printf 'source = device %s\ntrust = %s\nfloor = 1\n' "$tmp/part.img" "$tmp/etc/trusted.d" >etc/loader.conf
C="--config $tmp/etc/loader.conf"

s0=$(sum part.img)
run 0 "$BOOTSEAL" update $C --check g1.sealed
has out "can be installed into slot A (checked; nothing written)"
unchanged part.img "$s0" "update --check"
run 0 "$BOOTSEAL" update $C g1.sealed
has out "installed policy .* generation 1 into slot A"
run 0 "$BOOTSEAL" update $C - <g2.sealed
has out "generation 2 into slot B; it serves from the next boot"
has out "slot A keeps the previous policy as the fallback"
"$BOOTSEAL" slots part.img >slots 2>&1
has slots "generation 2"
ok "update installs into the slot that does not serve, from a file and from standard input"

s2=$(sum part.img)
run 0 "$BOOTSEAL" update $C g2.sealed
has out "already serves this policy"
unchanged part.img "$s2" "a rerun with the same blob"
ok "a rerun with the blob already serving writes nothing and succeeds"

run 3 "$BOOTSEAL" update $C --check g1.sealed
has err "refused: generation 1 is older than the policy slot B serves (generation 2)"
has err "nothing was written"
run 3 "$BOOTSEAL" update $C g1.sealed
unchanged part.img "$s2" "an older generation"
ok "an older generation than the one serving is refused, by --check too, and nothing is written"

run 4 "$BOOTSEAL" update $C rogue.sealed
has err "rogue.sealed (policy .* generation 4, key [0-9a-f]*): does not verify against this machine's trust store"
run 4 "$BOOTSEAL" update $C --check rogue.sealed
unchanged part.img "$s2" "an untrusted key"
ok "a blob signed by a key the machine does not trust is refused (exit 4), nothing written"

"$BOOTSEAL" mark-good --trust site.pem part.img >/dev/null || bad "mark-good part.img"
# Floor 2 in the partition, generation 2 serving: 1 stays refused (the
# serving generation is never below the floor, so that check comes first).
"$BOOTSEAL" slots part.img >slots 2>&1
has slots "floor 2"
run 3 "$BOOTSEAL" update $C g1.sealed
has err "generation 1 is older than the policy slot B serves"
ok "after mark-good the older generation stays refused"

printf 'source = device %s\ntrust = %s\nfloor = 4\n' "$tmp/part.img" "$tmp/etc/trusted.d" >etc/loader.conf
s3=$(sum part.img)
run 3 "$BOOTSEAL" update $C g3.sealed
has err "generation 3 is below the floor 4 in $tmp/etc/loader.conf"
unchanged part.img "$s3" "loader.conf's floor"
ok "loader.conf's floor (the initramfs') refuses what the loader would refuse"

run 0 "$BOOTSEAL" update $C g4.sealed
has out "generation 4 into slot A"
run 1 "$BOOTSEAL" update --config "$tmp/none/loader.conf" g4.sealed
has err "$tmp/none/loader.conf: does not exist: this machine does not boot with bootseal's loader"
ok "without loader.conf there is no store, and update says so (exit 1)"

# --- another policy, another blob of one generation, loader.conf's policy ----
printf 'source = device %s\ntrust = %s\n' "$tmp/part.img" "$tmp/etc/trusted.d" >etc/loader.conf
sed -e 's/^generation .*/generation 9/' -e 's/^policy .*/policy "db-server"/' "$SRC/examples/audit-only.policy" >db.policy
"$SIGN" seal -k site.key -o db9.sealed db.policy >/dev/null || exit 1
sed -e 's/^generation .*/generation 4/' -e 's/^description .*/description "another blob of generation 4"/' \
	"$SRC/examples/audit-only.policy" >p4b.policy
"$SIGN" seal -k site.key -o g4b.sealed p4b.policy >/dev/null || exit 1
s4=$(sum part.img)
run 3 "$BOOTSEAL" update $C db9.sealed
has err "it holds policy \"workstation-trial\" (the policy slot A serves), and \"db-server\" is another policy"
unchanged part.img "$s4" "a policy of another name"
run 3 "$BOOTSEAL" update $C g4b.sealed
has err "generation 4 is already there (the policy slot A serves) with other contents; seal a higher generation"
unchanged part.img "$s4" "another blob of the generation the store holds"
ok "another policy (signed by the same key) and another blob of the serving generation are refused"
printf 'source = device %s\ntrust = %s\npolicy = workstation-trial\n' "$tmp/part.img" "$tmp/etc/trusted.d" \
	>etc/loader.conf
run 3 "$BOOTSEAL" update $C --rename db9.sealed
has err "policy \"db-server\" is not \"workstation-trial\", the policy $tmp/etc/loader.conf names for this machine"
unchanged part.img "$s4" "loader.conf's policy"
printf 'source = device %s\ntrust = %s\n' "$tmp/part.img" "$tmp/etc/trusted.d" >etc/loader.conf
run 0 "$BOOTSEAL" update $C --rename db9.sealed
has out "installed policy \"db-server\" generation 9"
ok "loader.conf's policy refuses any other name, even with --rename; without it --rename switches"

# --- the trailer store --------------------------------------------------------
head -c 300000 /dev/urandom >vmlinuz
cp vmlinuz vmlinuz.orig
printf 'source = kernel-image %s\ntrust = %s\n' "$tmp/vmlinuz" "$tmp/etc/trusted.d" >etc/loader.conf
run 0 "$BOOTSEAL" update $C --check g2.sealed
cmp -s vmlinuz vmlinuz.orig || bad "update --check changed the kernel image"
[ ! -e etc/kernel.sealed ] || bad "update --check wrote kernel.sealed"
run 0 "$BOOTSEAL" update $C g2.sealed
cmp -s etc/kernel.sealed g2.sealed || bad "kernel.sealed is not the blob installed"
"$BOOTSEAL" strip --kernel vmlinuz >/dev/null 2>&1 && cmp -s vmlinuz vmlinuz.orig ||
	bad "the image does not carry the blob as its trailer (strip does not restore it)"
run 0 "$BOOTSEAL" update $C g2.sealed # strip took it off: the rerun puts it back
has out "appended policy"
run 0 "$BOOTSEAL" update $C g2.sealed
has out "already carries this policy"
st=$(sum vmlinuz)
run 3 "$BOOTSEAL" update $C g1.sealed
has err "generation 1 is older than the policy"
unchanged vmlinuz "$st" "an older generation (trailer)"
run 0 "$BOOTSEAL" update $C g3.sealed
has out "replaced its trailer with policy"
cmp -s etc/kernel.sealed g3.sealed || bad "kernel.sealed was not replaced"
ok "the trailer store: kernel.sealed and the image's trailer, replaced, never rolled back"

# --- a root file, and the initramfs' file --------------------------------------
printf 'source = root-file %s\ntrust = %s\n' "$tmp/policy.bin" "$tmp/etc/trusted.d" >etc/loader.conf
run 0 "$BOOTSEAL" update $C g2.sealed
cmp -s policy.bin g2.sealed || bad "root-file: the file is not the blob"
run 3 "$BOOTSEAL" update $C g1.sealed
cmp -s policy.bin g2.sealed || bad "root-file: an older generation changed the file"
printf 'source = file /run/elsewhere.sealed\ntrust = %s\n' "$tmp/etc/trusted.d" >etc/loader.conf
run 1 "$BOOTSEAL" update $C g2.sealed
has err "the initramfs hooks carry /etc/bootseal/policy.sealed only"
printf 'source = file /etc/bootseal/policy.sealed\ntrust = %s\n' "$tmp/etc/trusted.d" >etc/loader.conf
run 0 "$BOOTSEAL" update $C g2.sealed
cmp -s etc/policy.sealed g2.sealed || bad "file: policy.sealed beside loader.conf is not the blob"
has out "the initramfs carries $tmp/etc/policy.sealed: regenerate the initramfs"
ok "root-file and file stores: written whole, never rolled back; the initramfs' file asks for a regeneration"

# --- mark-good --booted without an enforcer -----------------------------------
printf 'source = device %s\ntrust = %s\npin-dir = %s\n' "$tmp/part.img" "$tmp/etc/trusted.d" "$tmp/nopins" \
	>etc/loader.conf
sp=$(sum part.img)
run 3 "$BOOTSEAL" mark-good --booted $C
has err "no policy is in force"
unchanged part.img "$sp" "mark-good --booted without an enforcer"
run 2 "$BOOTSEAL" mark-good --booted $C part.img
ok "mark-good --booted refuses (exit 3) where no policy is in force, and takes no DEVICE"

[ "$failures" -eq 0 ] || { echo "$failures checks failed" >&2; exit 1; }
echo "all checks passed"

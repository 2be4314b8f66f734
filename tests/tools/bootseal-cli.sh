#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The bootseal command line end to end on image files: every subcommand,
# its documented exit codes, and that refusals leave files byte-for-byte
# unchanged. Usage: bootseal-cli.sh BOOTSEAL BOOTSEAL_SIGN SOURCE_ROOT
set -eu

BOOTSEAL=$(realpath "$1")
SIGN=$(realpath "$2")
SRC=$(realpath "$3")
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cd "$W"
failures=0

# expect CODE CMD...: runs CMD, checks its exit code, keeps its output in out/err.
expect() {
	want=$1
	shift
	set +e
	"$@" >out 2>err
	got=$?
	set -e
	if [ "$got" != "$want" ]; then
		echo "FAIL: exit $got, expected $want: $*" >&2
		sed 's/^/  stdout: /' out >&2
		sed 's/^/  stderr: /' err >&2
		failures=$((failures + 1))
	fi
}

# has FILE TEXT: FILE contains TEXT.
has() {
	if ! grep -qF -- "$2" "$1"; then
		echo "FAIL: $1 lacks '$2'" >&2
		sed 's/^/  /' "$1" >&2
		failures=$((failures + 1))
	fi
}

same() {
	if ! cmp -s "$1" "$2"; then
		echo "FAIL: $1 and $2 differ" >&2
		failures=$((failures + 1))
	fi
}

policy() { # GENERATION: a policy source
	sed "s/^generation .*/generation $1/" "$SRC/examples/appliance-lockdown.policy" >"p$1.policy"
	"$SIGN" seal -k k.key -o "g$1.sealed" "p$1.policy" >/dev/null
}

"$SIGN" keygen k.key k.pem >/dev/null
"$SIGN" keygen other.key other.pem >/dev/null
mkdir trusted.d
cp k.pem trusted.d/
for g in 1 2 3; do policy $g; done
"$SIGN" seal -k other.key -o rogue.sealed p3.policy >/dev/null

expect 0 "$BOOTSEAL" --help
for c in format install slots mark-good append strip inspect; do has out "$c"; done
expect 2 "$BOOTSEAL" install g1.sealed

# format: refuses a device holding something, unless --force.
truncate -s 2M swap.img
mkswap swap.img >/dev/null 2>&1
cp swap.img swap.orig
expect 3 "$BOOTSEAL" format swap.img
has err "swap.img holds a swap signature"
has err "without --force"
same swap.img swap.orig
expect 0 "$BOOTSEAL" format --force swap.img
has out "erased the swap signature"
expect 5 "$BOOTSEAL" inspect swap.img
has out "bootseal partition"
truncate -s 64K small.img
expect 1 "$BOOTSEAL" format small.img
has err "needs at least 139264"

truncate -s 1M part.img
expect 0 "$BOOTSEAL" format part.img
expect 3 "$BOOTSEAL" format part.img
has err "already a bootseal partition"
expect 5 "$BOOTSEAL" slots --trust k.pem part.img
has out "no slot serves a policy"

# install, slots, mark-good and the refusals.
expect 0 "$BOOTSEAL" install --trust k.pem --device part.img g1.sealed
has out "into slot A at offset 8192"
expect 0 "$BOOTSEAL" install --trust trusted.d --device part.img g2.sealed
has out "into slot B"
has out "slot A keeps the previous policy"
expect 0 "$BOOTSEAL" slots --trust k.pem part.img
has out "slot B (offset 528384): ok, generation 2"
has out "<- serves"
has out "deny exec fstype tmpfs"
expect 0 "$BOOTSEAL" slots --json --trust k.pem part.img
python3 - <<'PY' || failures=$((failures + 1))
import json
d = json.load(open("out"))
a, b = d["slots"]
assert d["serving"] == "B" and d["trust"] == "k.pem", d
assert [c["in_use"] for c in d["header_copies"]].count(True) == 1, d["header_copies"]
assert a["slot"] == "A" and a["state"] == "obsolete" and a["policy"]["generation"] == 1, a
assert b["slot"] == "B" and b["state"] == "ok" and b["offset"] == 528384 and b["generation"] == 2, b
assert b["signature"]["verified"] and b["signature"]["verification"] == "ok", b["signature"]
assert b["signature"]["alg"] == "EdDSA" and b["signature"]["cose_alg"] == -8, b["signature"]
p = b["policy"]
assert p["generation"] == 2 and "deny exec fstype tmpfs" in p["rules"], p
assert p["rule_count"] == len(p["rules"]) and p["defaults"]["module-load"] == "deny", p
PY
expect 0 "$BOOTSEAL" slots part.img   # no trust store: unverified
has out "NOT verified"
cp part.img part.before
expect 4 "$BOOTSEAL" install --trust k.pem --device part.img rogue.sealed
has err "rogue.sealed: does not verify"
expect 3 "$BOOTSEAL" install --trust k.pem --device part.img g1.sealed
has err "generation 1 is older than slot B (generation 2)"
same part.img part.before
expect 1 "$BOOTSEAL" install --device part.img g3.sealed
has err "no trust store: /etc/bootseal/trusted.d does not exist"
expect 0 "$BOOTSEAL" mark-good --trust k.pem part.img
has out "rollback floor raised from 0 to 2"
# The initramfs' own floor needs a regeneration to follow.
has out "set 'floor = 2' there and regenerate the initramfs"
expect 0 "$BOOTSEAL" mark-good --trust k.pem part.img
has out "already at 2"
expect 0 "$BOOTSEAL" slots --trust k.pem part.img
has out "generation 1 is below the rollback floor 2"

# A corrupted serving slot: the other one serves, the error names slot and offset.
sh "$SRC/tests/generators/slot-b-payload.sh" part.img
expect 5 "$BOOTSEAL" slots --trust k.pem part.img
has out "slot B (offset 528384): corrupt"
has out "payload SHA-256 mismatch"
expect 0 "$BOOTSEAL" install --trust k.pem --device part.img g3.sealed
has out "into slot B"
sh "$SRC/tests/generators/both-header-copies.sh" part.img
expect 6 "$BOOTSEAL" slots --trust k.pem part.img
has err "no valid partition header (copy 1 at offset 0"

# A GPT disk image: the bootseal partition is found by type GUID.
truncate -s 8M disk.img
printf 'label: gpt\nsize=1MiB, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name=root\nsize=1MiB, type=88cebc2f-48d2-42ac-ab2d-9d3701d4f5bc, name=policy\n' |
	sfdisk --quiet --no-reread --no-tell-kernel disk.img >/dev/null
expect 3 "$BOOTSEAL" format disk.img
has err "holds a gpt partition table with 2 partitions"
expect 0 "$BOOTSEAL" format --partition 2 disk.img
has out "disk.img partition 2: formatted"
expect 0 "$BOOTSEAL" install --trust k.pem --device disk.img g2.sealed
has out "disk.img partition 2: installed"
expect 0 "$BOOTSEAL" inspect --trust k.pem disk.img
has out "partition 2, offset 2097152, bootseal type GUID: generation 2 in slot A, verified"
has out "serves: "
expect 0 "$BOOTSEAL" inspect --json --trust k.pem disk.img
python3 - <<'PY' || failures=$((failures + 1))
import json
d = json.load(open("out"))
s = d["serving"]
assert d["kind"] == "disk" and s["slot"] == "A", d
assert s["source"]["kind"] == "partition" and s["source"]["offset"] == 2097152, s["source"]
assert s["signature"]["verified"] and s["policy"]["generation"] == 2, s
assert [e["usable"] for e in d["examined"]] == [True], d["examined"]
PY
cp disk.img wiped.img
expect 0 "$BOOTSEAL" format --force wiped.img   # the whole disk: every signature erased first
has out "erased the gpt signature"
expect 5 "$BOOTSEAL" inspect wiped.img
has out "wiped.img: bootseal partition"
if blkid -p wiped.img >/dev/null 2>&1; then
	echo "FAIL: libblkid still finds a signature on wiped.img" >&2
	failures=$((failures + 1))
fi

# Kernel trailer: append, no stacking, replace, strip to the exact bytes.
head -c 300000 /dev/urandom >vmlinuz
cp vmlinuz vmlinuz.orig
expect 0 "$BOOTSEAL" append --trust k.pem --kernel vmlinuz g2.sealed
has out "appended g2.sealed"
# Signed by a key the initramfs' trust store (absent here) lacks; later
# kernels need the blob kept for the postinst.d hook.
has out "note: the key that signed g2.sealed is not in /etc/bootseal/trusted.d"
has out "copy g2.sealed there, and the kernel postinst.d hook appends it"
cp vmlinuz vmlinuz.one
expect 3 "$BOOTSEAL" append --trust k.pem --kernel vmlinuz g3.sealed
has err "already carries a bootseal trailer"
same vmlinuz vmlinuz.one
expect 3 "$BOOTSEAL" append --trust k.pem --replace --kernel vmlinuz g1.sealed
has err "not rolling back"
expect 4 "$BOOTSEAL" append --trust k.pem --kernel vmlinuz rogue.sealed
expect 0 "$BOOTSEAL" append --trust k.pem --replace --kernel vmlinuz g3.sealed
has out "replaced the trailer"
expect 0 "$BOOTSEAL" inspect --trust k.pem vmlinuz
has out "kernel image of 300000 bytes with a bootseal trailer"
has out "generation 3"
expect 0 "$BOOTSEAL" strip --kernel vmlinuz
same vmlinuz vmlinuz.orig
expect 3 "$BOOTSEAL" strip --kernel vmlinuz
has err "carries no bootseal trailer"
"$BOOTSEAL" append --trust k.pem --kernel vmlinuz g2.sealed >/dev/null
sh "$SRC/tests/generators/trailer-version.sh" vmlinuz
cp vmlinuz vmlinuz.bad
expect 6 "$BOOTSEAL" strip --kernel vmlinuz
has err "footer is corrupt"
expect 6 "$BOOTSEAL" inspect vmlinuz
same vmlinuz vmlinuz.bad

# inspect: a blob, an untrusted blob, something else.
expect 0 "$BOOTSEAL" inspect --trust k.pem g3.sealed
has out "verified"
has out "default module-load deny"
expect 4 "$BOOTSEAL" inspect --trust k.pem rogue.sealed
has out "DOES NOT VERIFY"
expect 0 "$BOOTSEAL" inspect --json rogue.sealed
python3 - <<'PY' || failures=$((failures + 1))
import json
d = json.load(open("out"))
b = d["blob"]
assert d["kind"] == "blob" and d["trust"] is None and b["status"] == "ok", d
assert not b["signature"]["verified"] and b["signature"]["verification"] == "not-checked", b["signature"]
assert b["policy"]["generation"] == 3, b["policy"]
PY
expect 4 "$BOOTSEAL" inspect --json --trust k.pem rogue.sealed
python3 - <<'PY' || failures=$((failures + 1))
import json
s = json.load(open("out"))["blob"]["signature"]
assert not s["verified"] and s["verification"] == "no trusted key has this kid", s
PY

# One JSON schema (docs/JSON.md): the blob, signature and policy objects of
# the same blob are identical from bootseal-sign inspect, bootseal inspect
# (blob and kernel trailer) and bootseal slots.
expect 0 "$SIGN" inspect --json --trust k.pem g3.sealed
mv out sign.json
expect 0 "$BOOTSEAL" inspect --json --trust k.pem g3.sealed
mv out blob.json
"$BOOTSEAL" append --trust k.pem --kernel vmlinuz.orig g3.sealed >/dev/null
expect 0 "$BOOTSEAL" inspect --json --trust k.pem vmlinuz.orig
mv out trailer.json
"$BOOTSEAL" strip --kernel vmlinuz.orig >/dev/null
truncate -s 1M same.img
"$BOOTSEAL" format same.img >/dev/null
"$BOOTSEAL" install --trust k.pem --device same.img g3.sealed >/dev/null
expect 0 "$BOOTSEAL" slots --json --trust k.pem same.img
mv out slots.json
python3 - <<'PY' || failures=$((failures + 1))
import json
sign = json.load(open("sign.json"))
blob = json.load(open("blob.json"))["blob"]
trailer = json.load(open("trailer.json"))["trailer"]["blob"]
slot = json.load(open("slots.json"))["slots"][0]
assert sign["file"] == "g3.sealed", sign
del sign["file"]
assert sign == blob, (sign, blob)
assert trailer == blob, (trailer, blob)
assert slot["policy"] == blob["policy"] and slot["signature"] == blob["signature"], (slot, blob)
assert slot["payload_sha256"] == blob["sha256"] and slot["payload_length"] == blob["size"], (slot, blob)
p = blob["policy"]
assert p["name"] == "appliance-lockdown" and p["generation"] == 3 and p["mode"] == "enforce", p
assert isinstance(p["rules"], list) and p["rule_count"] == len(p["rules"]) > 0, p
PY
expect 5 "$BOOTSEAL" inspect vmlinuz.orig
has err "holds no sealed blob"
expect 1 "$BOOTSEAL" inspect nonexistent
has err "nonexistent: No such file or directory"

if [ "$failures" -ne 0 ]; then
	echo "$failures failures" >&2
	exit 1
fi
echo "all bootseal command-line checks passed"

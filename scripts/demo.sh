#!/bin/sh
# The main job on a fresh Debian 12 machine: installs the dependencies,
# builds bootseal, generates a demo signing key, seals the example policy
# and shows what the sealed blob holds and that it verifies.
#
# Usage: scripts/demo.sh [WORK_DIR]   (default: build/demo)
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build="$top/build"
work=${1:-"$build/demo"}

"$top/scripts/install-deps.sh"
[ -f "$build/build.ninja" ] || meson setup "$build" "$top"
ninja -C "$build" signer/bootseal-sign

sign="$build/signer/bootseal-sign"
policy="$top/examples/appliance-lockdown.policy"
mkdir -p "$work"

step() { printf '\n==> %s\n' "$*"; }

step "demo signing key (Ed25519)"
if [ ! -f "$work/demo-key.pem" ]; then
	"$sign" keygen "$work/demo-key.pem" "$work/demo-pub.pem"
else
	echo "reusing $work/demo-key.pem"
fi

step "check the example policy: $policy"
"$sign" check "$policy"

step "seal it"
"$sign" seal --key "$work/demo-key.pem" -o "$work/appliance-lockdown.sealed" "$policy"

step "what the sealed blob holds"
"$sign" inspect --trust "$work/demo-pub.pem" "$work/appliance-lockdown.sealed"

step "verify against the trusted key"
"$sign" verify --trust "$work/demo-pub.pem" "$work/appliance-lockdown.sealed"

step "a blob with one flipped bit is refused"
cp "$work/appliance-lockdown.sealed" "$work/tampered.sealed"
size=$(stat -c %s "$work/tampered.sealed")
# Flip the lowest bit of a byte inside the payload (the middle of the blob).
off=$((size / 2))
byte=$(od -An -tu1 -j "$off" -N1 "$work/tampered.sealed" | tr -d ' ')
printf "$(printf '\\%03o' $((byte ^ 1)))" | dd of="$work/tampered.sealed" bs=1 seek="$off" conv=notrunc 2>/dev/null
if "$sign" verify --trust "$work/demo-pub.pem" "$work/tampered.sealed"; then
	echo "demo: the tampered blob verified: this is a bug" >&2
	exit 1
fi
echo "refused, as it must be"
echo
echo "Sealed blob: $work/appliance-lockdown.sealed"

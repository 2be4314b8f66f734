#!/bin/sh
# The main job on a fresh Debian 12 machine: installs the dependencies,
# builds bootseal, generates a demo signing key, seals the example policy
# and shows what the sealed blob holds and that it verifies; then builds a
# disk image with the policy partition and a dracut initramfs for Debian's
# stock kernel, boots it in QEMU and shows the boot script being refused
# what the policy denies, and `bootseal status` inside the guest.
#
# With --debian: the same for a real Debian 12 system with systemd
# (examples/debian-server-phases.policy; the QEMU scenario debian-dracut): the
# project's .deb installed with apt in a Debian root, its own dracut, then
# checks over ssh; it ends with the commands to boot it and log in by hand.
# Needs root (the root is prepared in a chroot).
#
# Usage: scripts/demo.sh [--debian] [WORK_DIR]   (default: build/demo,
#        build/demo-debian)
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build="$top/build"
debian=
if [ "${1-}" = --debian ]; then
	debian=1
	shift
fi
case ${1-} in
-h | --help)
	sed -n '2,/^set -eu/p' "$0" | sed -e '/^set -eu/d' -e 's/^# \{0,1\}//'
	exit 0
	;;
-*)
	echo "demo: unknown option $1 (usage: scripts/demo.sh [--debian] [WORK_DIR])" >&2
	exit 2
	;;
esac
if [ -n "$debian" ]; then
	work=${1:-"$build/demo-debian"}
else
	work=${1:-"$build/demo"}
fi

"$top/scripts/install-deps.sh"
[ -f "$build/build.ninja" ] || meson setup "$build" "$top"
ninja -C "$build"

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

if [ -n "$debian" ]; then
	policy="$top/examples/debian-server-phases.policy"
	step "check the policy: $policy"
	"$sign" check "$policy"
	step "boot a Debian 12 root with systemd under it (first run: builds the packages and the root, 15-25 minutes; then about 3)"
	# The QEMU scenario debian-dracut is this demo, sealing with the key above.
	BOOTSEAL_DEMO_KEYS=$work "$top/tests/vm/run-scenario.sh" debian-dracut "$build" 2>"$work/boot.err" || {
		tail -n 60 "$work/boot.err" >&2
		exit 1
	}
	vmwork="$build/tests/vm/work/debian-dracut"
	step "what the machine did (checks over ssh as root)"
	grep -E '^(ok|FAIL): |debian-dracut: (systemctl|ssh answers)' "$work/boot.err" | sed 's/^/  /'
	step "bootseal status in the guest"
	sed 's/^/  /' "$vmwork/status.txt"
	for f in vmlinuz initrd.img console.log; do cp "$vmwork/$f" "$work/$f"; done
	cp --sparse=always "$vmwork/disk.img" "$work/disk.img"
	install -m 0600 "$vmwork/ssh/id" "$work/ssh-key"
	step "the images"
	echo "kernel:      $work/vmlinuz"
	echo "initramfs:   $work/initrd.img (the root's own dracut, with the bootseal module)"
	echo "disk:        $work/disk.img (GPT: bootseal partition, Debian root)"
	echo "console log: $work/console.log"
	echo
	echo "Boot it by hand (Ctrl-a x quits; root's password: bootseal-vm):"
	echo "  qemu-system-x86_64 -machine q35 -accel tcg -smp 2 -m 2048 -nographic \\"
	echo "    -kernel $work/vmlinuz -initrd $work/initrd.img \\"
	echo "    -drive file=$work/disk.img,if=virtio,format=raw \\"
	echo "    -nic user,model=virtio-net-pci,hostfwd=tcp:127.0.0.1:2222-:22 \\"
	echo "    -append 'console=ttyS0 root=PARTLABEL=root rw'"
	echo "and log in from another terminal once it is up (about a minute):"
	echo "  ssh -i $work/ssh-key -p 2222 -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null root@127.0.0.1"
	exit 0
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
step "boot it: policy partition + dracut initramfs + Debian's kernel in QEMU (about a minute)"
# The QEMU scenario of the test suite that is this demo (tests/vm/scenarios/demo-appliance.sh),
# sealing with the demo key made above.
BOOTSEAL_DEMO_KEYS=$work "$top/tests/vm/run-scenario.sh" demo-appliance "$build" 2>"$work/boot.err" || {
	cat "$work/boot.err" >&2
	exit 1
}
vmwork="$build/tests/vm/work/demo-appliance"
console="$vmwork/console.log"

step "the console: the loader in the initramfs, then the boot script (/sbin/init) under policy"
grep -E 'bootseal: (loader|policy|source /dev/vda|compiled|attach)' "$console" | sed 's/^\[ *[0-9.]*\] //'
echo
# Each boot-script step as "name: exit status" (non-zero: refused by the policy).
sed -n 's/^TEST: \([a-z-]*\) rc=\([0-9]*\)$/\1 \2/p' "$console" | while read -r name rc; do
	if [ "$rc" -eq 0 ]; then verdict=allowed; else verdict="REFUSED (exit $rc)"; fi
	printf '  %-24s %s\n' "$name" "$verdict"
done
echo
sed -n '/^TEST: bootseal status/,/^TEST: init done/p' "$console" | grep -v '^TEST: init done' | sed 's/^TEST: //'

# Keep the images beside the demo's key and blob: the test suite's copies
# are a cache it may replace.
{ read -r initrd; read -r disk; } <"$vmwork/images"
kernel=$(sed -n 's/.* -kernel \([^ ]*\) .*/\1/p' "$console.cmd")
cp "$kernel" "$work/vmlinuz"
cp "$initrd" "$work/initramfs.img"
cp --sparse=always "$disk" "$work/disk.img"
cp "$console" "$work/console.log"
kernel=$work/vmlinuz initrd=$work/initramfs.img disk=$work/disk.img console=$work/console.log
step "the images"
echo "sealed blob: $work/appliance-lockdown.sealed"
echo "kernel:      $kernel"
echo "initramfs:   $initrd (dracut, with the 90bootseal module)"
echo "disk:        $disk (GPT: bootseal partition, root)"
echo "console log: $console"
echo
echo "Boot them again by hand (Ctrl-a x quits):"
echo "  qemu-system-x86_64 -machine q35 -accel tcg -m 1024 -nographic -no-reboot \\"
echo "    -kernel $kernel -initrd $initrd \\"
echo "    -drive file=$disk,if=virtio,format=raw,snapshot=on \\"
echo "    -append 'console=ttyS0 panic=-1 root=PARTLABEL=root rw'"

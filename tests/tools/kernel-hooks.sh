#!/bin/sh
# The kernel hooks as a kernel package and kernel-install run them, on
# image files: /etc/kernel/postinst.d/bootseal (KVER IMAGE) and
# /usr/lib/kernel/install.d/95-bootseal.install (add|remove KVER ENTRY_DIR
# IMAGE). Each appends /etc/bootseal/kernel.sealed (BOOTSEAL_ETC here) to
# the new image, does nothing without it, never rolls a trailer back, and
# leaves kernel installation alone once the package is removed (the hook is
# a configuration file and stays; the tool is gone).
#
#   kernel-hooks.sh BOOTSEAL BOOTSEAL_SIGN SOURCE_ROOT
set -u
# meson passes the programs relative to the build directory.
abs() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
BOOTSEAL=$(abs "$1") SIGN=$(abs "$2") SRC=$(abs "$3")
POSTINST=$SRC/initramfs-hooks/kernel/postinst.d-bootseal
PLUGIN=$SRC/initramfs-hooks/kernel/kernel-install-bootseal.install
failures=0
bad() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}
ok() { echo "ok: $*"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1

# A PATH with the bootseal tool, and one without it (the package removed).
mkdir tool empty
ln -s "$BOOTSEAL" tool/bootseal
WITH=$tmp/tool:/usr/bin:/bin
WITHOUT=$tmp/empty

# run RC PATH CMD...: run CMD with BOOTSEAL_ETC=etc and PATH, expect RC.
run() {
	want=$1 path=$2
	shift 2
	PATH=$path BOOTSEAL_ETC=$tmp/etc "$@" >out 2>err
	rc=$?
	[ "$rc" -eq "$want" ] || bad "$* exited $rc, not $want: $(cat err)"
}
has() { grep -q -- "$2" "$1" || bad "$1 lacks '$2': $(cat "$1")"; }
trailer_gen() { "$BOOTSEAL" inspect --trust k.pem "$1" 2>/dev/null | sed -n 's/.*generation \([0-9][0-9]*\).*/\1/p' | head -n1; }

"$SIGN" keygen k.key k.pem >/dev/null || exit 1
for g in 2 3; do
	sed "s/^generation .*/generation $g/" "$SRC/examples/appliance-lockdown.policy" >"p$g.policy"
	"$SIGN" seal -k k.key -o "g$g.sealed" "p$g.policy" >/dev/null || exit 1
done
mkdir -p etc/trusted.d
cp k.pem etc/trusted.d/site.pem
head -c 300000 /dev/urandom >vmlinuz.orig

# postinst.d: nothing to do without kernel.sealed.
cp vmlinuz.orig vmlinuz
run 0 "$WITH" sh "$POSTINST" 6.1.0-99-amd64 "$tmp/vmlinuz"
cmp -s vmlinuz vmlinuz.orig && ok "postinst.d: no kernel.sealed, image unchanged" ||
	bad "postinst.d changed the image without kernel.sealed"
# With it, the new image gets the trailer.
cp g3.sealed etc/kernel.sealed
run 0 "$WITH" sh "$POSTINST" 6.1.0-99-amd64 "$tmp/vmlinuz"
[ "$(trailer_gen vmlinuz)" = 3 ] && ok "postinst.d: appended generation 3" ||
	bad "postinst.d: no generation 3 trailer on the image"
# Never backwards: an older kernel.sealed fails the installation, loudly.
cp g2.sealed etc/kernel.sealed
cp vmlinuz vmlinuz.g3
run 3 "$WITH" sh "$POSTINST" 6.1.0-99-amd64 "$tmp/vmlinuz"
has err "not rolling back"
cmp -s vmlinuz vmlinuz.g3 && ok "postinst.d: an older kernel.sealed is refused, the image unchanged" ||
	bad "postinst.d changed the image with an older blob"
# The package removed: the hook stays (a configuration file) and says so,
# but a kernel's installation goes on.
cp vmlinuz.orig vmlinuz
run 0 "$WITHOUT" /bin/sh "$POSTINST" 6.1.0-99-amd64 "$tmp/vmlinuz"
has err "the bootseal tool is not installed"
cmp -s vmlinuz vmlinuz.orig && ok "postinst.d: without the tool, exit 0 and the image unchanged" ||
	bad "postinst.d without the tool changed the image"

# kernel-install: a BLS entry with its copy of the image; both copies get it.
cp g3.sealed etc/kernel.sealed
mkdir -p esp/entry
cp vmlinuz.orig vmlinuz
cp vmlinuz.orig esp/entry/linux
run 0 "$WITH" env KERNEL_INSTALL_ENTRY_DIR_ABS="$tmp/esp/entry" sh "$PLUGIN" add 6.1.0-99-amd64 "$tmp/esp/entry" "$tmp/vmlinuz"
if [ "$(trailer_gen vmlinuz)" = 3 ] && [ "$(trailer_gen esp/entry/linux)" = 3 ]; then
	ok "kernel-install add: the image and the entry's copy carry generation 3"
else
	bad "kernel-install add: image '$(trailer_gen vmlinuz)', entry copy '$(trailer_gen esp/entry/linux)'"
fi
# Run twice (kernel-install add again, a reinstall): the same trailer, once.
cp vmlinuz vmlinuz.once
run 0 "$WITH" sh "$PLUGIN" add 6.1.0-99-amd64 "$tmp/esp/entry" "$tmp/vmlinuz"
cmp -s vmlinuz vmlinuz.once && ok "kernel-install add twice: the image is the same" ||
	bad "kernel-install add twice changed the image"
# Layout "other": no entry copy, the image alone.
cp vmlinuz.orig vmlinuz
run 0 "$WITH" sh "$PLUGIN" add 6.1.0-99-amd64 "$tmp/no-such-entry" "$tmp/vmlinuz"
[ "$(trailer_gen vmlinuz)" = 3 ] && ok "kernel-install add without an entry copy: the image carries it" ||
	bad "kernel-install add without an entry copy: no trailer"
# No image at all: fail, naming what is missing.
run 1 "$WITH" sh "$PLUGIN" add 6.1.0-99-amd64 "$tmp/no-such-entry" "$tmp/no-such-image"
has err "no kernel image to append"
# remove, no kernel.sealed, no tool: nothing happens.
cp vmlinuz.orig vmlinuz
run 0 "$WITH" sh "$PLUGIN" remove 6.1.0-99-amd64 "$tmp/esp/entry"
run 0 "$WITHOUT" /bin/sh "$PLUGIN" add 6.1.0-99-amd64 "$tmp/no-such-entry" "$tmp/vmlinuz"
rm etc/kernel.sealed
run 0 "$WITH" sh "$PLUGIN" add 6.1.0-99-amd64 "$tmp/no-such-entry" "$tmp/vmlinuz"
cmp -s vmlinuz vmlinuz.orig && ok "kernel-install: remove, no kernel.sealed, no tool: image unchanged" ||
	bad "kernel-install changed the image where it had nothing to do"

[ "$failures" -eq 0 ] || { echo "$failures failure(s)" >&2; exit 1; }

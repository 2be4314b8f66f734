#!/bin/sh
# fetch-kernel.sh: get Debian's stock kernel for the QEMU boot tests.
#
# Usage: tests/vm/fetch-kernel.sh [CACHE_DIR]
#
# Downloads linux-image-amd64 and the versioned image package it depends on
# (resolved with apt-cache) with `apt-get download`, unpacks them with
# `dpkg-deb -x` into CACHE_DIR/kernel/PACKAGE_VERSION/root and runs
# `depmod -b` on the unpacked tree. CACHE_DIR defaults to
# ${BOOTSEAL_VM_CACHE:-/var/cache/bootseal-vm}; it lies outside the source
# tree on purpose (the unpacked kernel is about 400 MB).
#
# Idempotent: an unpacked tree is reused when its stamp file is present. When
# apt-cache cannot resolve the package (no package lists, no network) the
# last fetched kernel is reused if there is one.
#
# On success prints shell assignments on stdout, for `eval "$(...)"`:
#   KVER=6.1.0-NN-amd64
#   VM_VMLINUZ=CACHE_DIR/kernel/.../root/boot/vmlinuz-KVER
#   VM_KMOD_ROOT=CACHE_DIR/kernel/.../root   (for modprobe -d / depmod -b)
#   VM_MODULES_DIR=VM_KMOD_ROOT/lib/modules/KVER
# Progress and errors go to stderr.
#
# Exit codes: 0 done; 1 failed after the package was found (unpack, depmod);
# 77 the kernel package cannot be had here (the test suite's "skip").

set -eu

cache=${1:-${BOOTSEAL_VM_CACHE:-/var/cache/bootseal-vm}}
kdir=$cache/kernel
meta=linux-image-amd64

say() { printf 'fetch-kernel: %s\n' "$*" >&2; }
unavailable() { say "$*"; exit 77; }

print_env() {
	# $1: the unpacked package dir
	. "$1/kernel.env"
	printf "KVER='%s'\nVM_VMLINUZ='%s'\nVM_KMOD_ROOT='%s'\nVM_MODULES_DIR='%s'\n" \
		"$KVER" "$1/root/boot/vmlinuz-$KVER" "$1/root" "$1/root/lib/modules/$KVER"
}

for tool in apt-get apt-cache dpkg-deb depmod; do
	command -v "$tool" >/dev/null 2>&1 ||
		unavailable "$tool not found: this needs a Debian system (apt, dpkg, kmod)"
done

mkdir -p "$kdir"

# The versioned image package linux-image-amd64 depends on, and its version.
pkg=$(apt-cache depends "$meta" 2>/dev/null |
	sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n1) || pkg=
ver=
if [ -n "$pkg" ]; then
	ver=$(apt-cache policy "$pkg" 2>/dev/null | sed -n 's/^ *Candidate: //p')
	[ "$ver" = "(none)" ] && ver=
fi

if [ -z "$pkg" ] || [ -z "$ver" ]; then
	if [ -f "$kdir/current" ] && [ -f "$(cat "$kdir/current")/.complete" ]; then
		say "apt-cache cannot resolve $meta; reusing $(cat "$kdir/current")"
		print_env "$(cat "$kdir/current")"
		exit 0
	fi
	unavailable "apt-cache cannot resolve $meta to a versioned linux-image package (run apt-get update?)"
fi

dest=$kdir/${pkg}_$ver
if [ -f "$dest/.complete" ]; then
	say "reusing $dest"
	printf '%s\n' "$dest" >"$kdir/current"
	print_env "$dest"
	exit 0
fi

say "fetching $meta -> $pkg $ver into $dest"
rm -rf "$dest"
mkdir -p "$dest/debs" "$dest/root"
# apt-get download writes into the working directory. It runs as the _apt
# user when it can; the directory must be writable by it, else apt falls back
# to an unsandboxed download and says so.
chmod 0755 "$dest/debs"
chown _apt "$dest/debs" 2>/dev/null || :
(cd "$dest/debs" && apt-get download -q "$meta" "$pkg=$ver" >&2) ||
	unavailable "apt-get download $meta $pkg=$ver failed (no access to the package archive?)"

for deb in "$dest"/debs/*.deb; do
	say "unpacking $(basename "$deb")"
	dpkg-deb -x "$deb" "$dest/root"
done

kver=${pkg#linux-image-}
[ -d "$dest/root/lib/modules/$kver" ] || {
	say "$pkg has no lib/modules/$kver: unexpected package layout"
	exit 1
}
[ -f "$dest/root/boot/vmlinuz-$kver" ] || {
	say "$pkg has no boot/vmlinuz-$kver: unexpected package layout"
	exit 1
}
say "depmod -b $dest/root $kver"
depmod -b "$dest/root" "$kver"
# The .deb files are not needed any more; the unpacked tree is the cache.
rm -rf "$dest/debs"

printf "KVER='%s'\nPACKAGE='%s'\nVERSION='%s'\n" "$kver" "$pkg" "$ver" >"$dest/kernel.env"
touch "$dest/.complete"
printf '%s\n' "$dest" >"$kdir/current"
print_env "$dest"

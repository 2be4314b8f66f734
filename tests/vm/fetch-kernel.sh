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
# BOOTSEAL_VM_KERNEL_SUITE=SUITE (e.g. bookworm-backports) takes
# linux-image-amd64 from SUITE instead of from the host's apt sources. SUITE
# is looked up in the archive the host's sources list for SUITE's base
# release (bookworm for bookworm-backports; the host's release when SUITE
# has no '-'), with an apt state of its own in CACHE_DIR/apt-SUITE
# (sources.list, lists, cache; `apt-get update` of it when its lists are
# missing or a day old). The host's apt state is not touched, and the last
# fetched kernel of SUITE is recorded in CACHE_DIR/kernel/current-SUITE, so
# the default kernel's `current` stays as it is.
#
# Idempotent: an unpacked tree is reused when its stamp file is present.
# Safe to run in parallel: runs take turns (flock on CACHE_DIR/kernel/.lock).
# When apt-cache cannot resolve the package (no package lists, no network)
# the last fetched kernel (of SUITE) is reused if there is one.
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
suite=${BOOTSEAL_VM_KERNEL_SUITE:-}
current=$kdir/current

say() { printf 'fetch-kernel: %s\n' "$*" >&2; }
unavailable() { say "$*"; exit 77; }

print_env() {
	# $1: the unpacked package dir
	. "$1/kernel.env"
	printf "KVER='%s'\nVM_VMLINUZ='%s'\nVM_KMOD_ROOT='%s'\nVM_MODULES_DIR='%s'\n" \
		"$KVER" "$1/root/boot/vmlinuz-$KVER" "$1/root" "$1/root/lib/modules/$KVER"
}

for tool in apt-get apt-cache dpkg-deb depmod flock; do
	command -v "$tool" >/dev/null 2>&1 ||
		unavailable "$tool not found: this needs a Debian system (apt, dpkg, kmod, util-linux)"
done

mkdir -p "$kdir"
# One run at a time on a machine. Scenarios start in parallel, and on a
# new machine the first of them all find the cache empty: without the
# lock each fetched into the same directory and removed what the others
# were unpacking. The others now wait here, then reuse what the first
# unpacked.
exec 9>"$kdir/.lock"
flock 9

# apt options for SUITE: a sources.list of its own and no other, its own
# lists and cache. Empty for the host's sources.
set --
if [ -n "$suite" ]; then
	case $suite in
	*[!A-Za-z0-9.-]* | -* | '') unavailable "BOOTSEAL_VM_KERNEL_SUITE='$suite' is not a suite name" ;;
	esac
	current=$kdir/current-$suite
	adir=$cache/apt-$suite
	mkdir -p "$adir/lists/partial" "$adir/cache/archives/partial" "$adir/sources.list.d"
	set -- -o "Dir::Etc::SourceList=$adir/sources.list" \
		-o "Dir::Etc::SourceParts=$adir/sources.list.d" \
		-o "Dir::State::Lists=$adir/lists" -o "Dir::Cache=$adir/cache"
	# The archive: the host's source of SUITE's base release.
	base=${suite%%-*}
	if [ "$base" = "$suite" ] && [ -r /etc/os-release ]; then
		base=$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-}")
	fi
	# shellcheck disable=SC2016 # $(RELEASE) is apt's placeholder, not the shell's
	uri=$(apt-get indextargets --format '$(RELEASE) $(REPO_URI)' 2>/dev/null |
		awk -v r="$base" '$1 == r { print $2; exit }') || uri=
	if [ -n "$uri" ]; then
		keyring=
		[ -f /usr/share/keyrings/debian-archive-keyring.gpg ] &&
			keyring=' [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg]'
		printf 'deb%s %s %s main\n' "$keyring" "$uri" "$suite" >"$adir/sources.list.new"
		if ! cmp -s "$adir/sources.list.new" "$adir/sources.list"; then
			mv -f "$adir/sources.list.new" "$adir/sources.list"
			rm -f "$adir/updated"
		else
			rm -f "$adir/sources.list.new"
		fi
	elif [ ! -f "$adir/sources.list" ]; then
		say "the host's apt sources list no archive for release '$base' (apt-get indextargets)"
	fi
	if [ -f "$adir/sources.list" ] &&
		{ [ ! -f "$adir/updated" ] || [ -n "$(find "$adir/updated" -mmin +1440)" ]; }; then
		say "apt-get update for $suite ($adir)"
		if apt-get "$@" -q update >&2; then
			touch "$adir/updated"
		else
			say "apt-get update for $suite failed; using the lists there are"
		fi
	fi
fi

# The versioned image package linux-image-amd64 depends on, and its version.
pkg=$(apt-cache "$@" depends "$meta" 2>/dev/null |
	sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n1) || pkg=
ver=
if [ -n "$pkg" ]; then
	ver=$(apt-cache "$@" policy "$pkg" 2>/dev/null | sed -n 's/^ *Candidate: //p')
	[ "$ver" = "(none)" ] && ver=
fi

if [ -z "$pkg" ] || [ -z "$ver" ]; then
	if [ -f "$current" ] && [ -f "$(cat "$current")/.complete" ]; then
		say "apt-cache cannot resolve $meta${suite:+ in $suite}; reusing $(cat "$current")"
		print_env "$(cat "$current")"
		exit 0
	fi
	unavailable "apt-cache cannot resolve $meta${suite:+ in $suite} to a versioned linux-image package (run apt-get update?)"
fi

dest=$kdir/${pkg}_$ver
if [ -f "$dest/.complete" ]; then
	say "reusing $dest"
	printf '%s\n' "$dest" >"$current"
	print_env "$dest"
	exit 0
fi

say "fetching $meta${suite:+ ($suite)} -> $pkg $ver into $dest"
rm -rf "$dest"
mkdir -p "$dest/debs" "$dest/root"
# apt-get download writes into the working directory. It runs as the _apt
# user when it can; the directory must be writable by it, else apt falls back
# to an unsandboxed download and says so.
chmod 0755 "$dest/debs"
chown _apt "$dest/debs" 2>/dev/null || :
(cd "$dest/debs" && apt-get "$@" download -q "$meta" "$pkg=$ver" >&2) ||
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
printf '%s\n' "$dest" >"$current"
print_env "$dest"

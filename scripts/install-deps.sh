#!/bin/sh
# Installs what bootseal needs to build, test and boot its QEMU demo on
# Debian 12, from Debian's own packages. Safe to run again.
set -eu

PACKAGES="
  meson ninja-build pkg-config g++ python3
  libssl-dev libcbor-dev libblkid-dev libcli11-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang llvm lld libbpf-dev bpftool libelf-dev zlib1g-dev libzstd-dev
  libclang-rt-14-dev clang-tidy cppcheck
  libtss2-dev swtpm swtpm-tools
  gdisk fdisk util-linux e2fsprogs btrfs-progs xfsprogs cpio gzip xz-utils zstd
  busybox-static qemu-system-x86 dracut-core initramfs-tools-core kmod
  debhelper lintian mmdebstrap openssh-client help2man dpkg-dev apt-utils shellcheck gnupg
  ca-certificates ccache apparmor
"

if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
else
	SUDO=
fi

missing=
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done

if [ -n "$missing" ]; then
	echo "install-deps: installing:$missing"
	$SUDO apt-get update -qq
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
fi

#!/bin/bash
# run-scenario.sh: run one QEMU boot scenario of the meson suite `vm`.
#
# Usage: tests/vm/run-scenario.sh NAME BUILDDIR
#
# Prepares the environment lib.sh documents (VM_SOURCE_ROOT, VM_BUILDDIR,
# VM_CACHE_DIR, VM_WORK=BUILDDIR/tests/vm/work/NAME, or NAME-SUITE with
# BOOTSEAL_VM_KERNEL_SUITE set, so that one scenario can run on two kernels
# at once), checks the host tools,
# fetches Debian's kernel (cached), then sources tests/vm/scenarios/NAME.sh
# under `set -eu`. A scenario builds its images with vm_build_initramfs and
# vm_build_disk, boots with vm_boot and asserts with vm_expect*.
#
# Exit status: 0 passed, 1 failed, 77 skipped (qemu, busybox-static or the
# kernel package missing; with BOOTSEAL_VM_REQUIRED=1 or CI set that is a
# failure instead).

set -eu

if [ $# -ne 2 ]; then
	echo "usage: $0 NAME BUILDDIR" >&2
	exit 2
fi
name=$1

VM_SOURCE_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VM_BUILDDIR=$(cd "$2" && pwd)
VM_CACHE_DIR=${VM_CACHE_DIR:-$VM_BUILDDIR/tests/vm/cache}
VM_WORK=$VM_BUILDDIR/tests/vm/work/$name${BOOTSEAL_VM_KERNEL_SUITE:+-$BOOTSEAL_VM_KERNEL_SUITE}
export VM_SOURCE_ROOT VM_BUILDDIR VM_CACHE_DIR VM_WORK

# shellcheck source=tests/vm/lib.sh
. "$VM_SOURCE_ROOT/tests/vm/lib.sh"

scenario=$VM_SOURCE_ROOT/tests/vm/scenarios/$name.sh
[ -f "$scenario" ] || _vm_die "no scenario $name ($scenario missing)"

rm -rf "$VM_WORK"
mkdir -p "$VM_WORK" "$VM_CACHE_DIR"
# Images are touched when reused: what no scenario used for two days is stale.
find "$VM_CACHE_DIR" -maxdepth 2 -type f -mtime +1 -delete 2>/dev/null || :

vm_check_host
vm_fetch_kernel
_vm_say "scenario $name: kernel $KVER, work dir $VM_WORK"

cd "$VM_WORK"
# shellcheck source=/dev/null
. "$scenario"
_vm_say "scenario $name: passed"

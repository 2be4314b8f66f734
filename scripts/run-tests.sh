#!/bin/sh
# Runs every bootseal test on a fresh Debian 12 machine: installs the
# dependencies, builds with warnings as errors, runs all meson test suites
# (unit tests, the QEMU boot scenarios) and prints one summary line
# "N passed, N failed[, N skipped]" counting individual test cases.
#
# Usage: scripts/run-tests.sh [BUILD_DIR]   (default: build)
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-"$top/build"}

"$top/scripts/install-deps.sh"

if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" "$top" -Dwerror=true -Dtests=enabled -Dbenchmarks=enabled
else
	meson configure "$build" -Dwerror=true >/dev/null
fi
ninja -C "$build"

# Results of an earlier run must not be counted as this run's.
find "$build" -name '*.xml' -path '*tests*' -delete

set +e
meson test -C "$build" --num-processes 2 --print-errorlogs
rc=$?
set -e

python3 "$top/scripts/summarize-tests.py" "$build" || rc=1
exit $rc

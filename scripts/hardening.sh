#!/bin/sh
# The hardening run (docs/HARDENING.md), in two parts (below):
#
#   1. ASAN_DIR: g++ with -Db_sanitize=address,undefined; the unit, cli and tools
#      suites run there, and suite 'static' (clang-tidy and cppcheck, clean).
#   2. FUZZ_DIR: clang with -Dfuzz=enabled and the same sanitizers; every
#      fuzz-* target runs from its generated seeds for BOOTSEAL_FUZZ_SECONDS
#      (default 30) and fails on a crash; its corpus is kept in the cache
#      below, so each run goes on from what the earlier ones found.
#
# Caches outside the checkout, in $BOOTSEAL_CI_CACHE (default
# /var/cache/bootseal-ci, used when it can be made and written): ccache/
# (compiled units, keyed by ccache on their inputs), clang-tidy/ (clean
# verdicts, tests/static/tidy-cache.py), fuzz-corpus/TARGET. Removing the
# directory only costs time.
#
# Each step is a meson test, so scripts/summarize-tests.py counts them with
# the rest. Stale results are removed first: a build that fails leaves no
# test log, and the summary counts that as a failure.
#
# Two parts, so that scripts/run-tests.sh can run the first beside the QEMU
# scenarios at the lowest CPU priority (it only compiles and analyses, so
# nothing in it waits on a clock) and the second once they are done:
#   --part build   both builds and suite 'static' (meson-logs/staticlog.json)
#   --part run     the sanitizer suites and the fuzz targets (testlog.json)
#   (default: both, one after the other)
#
# Usage: scripts/hardening.sh [--part build|run] [ASAN_DIR] [FUZZ_DIR]
#        (default: build-asan and build-fuzz beside the sources)
set -eu

part=all
if [ "${1-}" = --part ]; then
	part=${2-}
	shift 2 || { echo "hardening.sh: --part needs build or run" >&2; exit 2; }
fi
case $part in
build | run | all) ;;
*) echo "hardening.sh: unknown part '$part' (build, run)" >&2; exit 2 ;;
esac
top=$(cd "$(dirname "$0")/.." && pwd)
asan=${1:-"$top/build-asan"}
fuzz=${2:-"$top/build-fuzz"}
rc=0
. "$top/scripts/ci-cache.sh"

fresh() {  # drop the results of an earlier run: $1 the build, $2 the log
	rm -f "$1/meson-logs/$2.json"
	[ "$2" = staticlog ] || find "$1" -name '*.xml' -path '*tests*' -delete 2>/dev/null || true
}

step() { echo "hardening: $* ($(date +%H:%M:%S))"; }

build_asan() {
	step "sanitizer build in $asan"
	# -O0 (buildtype debug): with ASan, g++ compiles the CLI11-based programs
	# about four times faster than at -O2, and the tests stay fast.
	if [ ! -f "$asan/build.ninja" ]; then
		meson setup "$asan" "$top" -Dwerror=true -Db_sanitize=address,undefined -Dbuildtype=debug \
			-Dtests=enabled -Dbenchmarks=disabled -Dstatic_analysis=enabled
	fi
	ninja -C "$asan" -j2
}

build_fuzz() {
	step "fuzz build in $fuzz"
	if [ ! -f "$fuzz/build.ninja" ]; then
		# meson adds ccache by itself only when CC and CXX are not given.
		cc=clang cxx=clang++
		if [ -n "${CCACHE_DIR-}" ] && command -v ccache >/dev/null; then
			cc="ccache clang" cxx="ccache clang++"
		fi
		CC=$cc CXX=$cxx meson setup "$fuzz" "$top" -Dwerror=true -Dfuzz=enabled \
			-Db_sanitize=address,undefined -Db_lundef=false -Dtests=disabled -Dbenchmarks=disabled
	fi
	ninja -C "$fuzz" -j2
}

if [ "$part" != run ]; then
	fresh "$asan" staticlog
	if build_asan; then
		step "static suite (clang-tidy, cppcheck)"
		# No time limit: at the lowest priority beside the QEMU scenarios a
		# cold clang-tidy run gets a sliver of the CPU until they end.
		meson test -C "$asan" --suite static --logbase staticlog --timeout-multiplier 0 \
			--num-processes 2 --print-errorlogs || rc=1
	else
		rc=1
	fi
	build_fuzz || rc=1
fi

if [ "$part" != build ]; then
	# Up to date after --part build: ninja then has nothing to do.
	fresh "$asan" testlog
	if build_asan; then
		step "unit, cli and tools suites under ASan+UBSan"
		meson test -C "$asan" --suite unit --suite cli --suite tools --num-processes 2 --print-errorlogs || rc=1
	else
		rc=1
	fi
	fresh "$fuzz" testlog
	if build_fuzz; then
		step "fuzz-* targets, ${BOOTSEAL_FUZZ_SECONDS:-30} s each"
		meson test -C "$fuzz" --suite fuzz --num-processes 2 --print-errorlogs || rc=1
	else
		rc=1
	fi
fi

step "done ($part)"
exit $rc

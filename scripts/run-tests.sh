#!/bin/sh
# Runs every bootseal test on a fresh Debian 12 machine: installs the
# dependencies, builds with warnings as errors, runs all meson test suites
# (unit tests, the QEMU boot scenarios), the benchmarks once in their quick
# mode (`meson test --benchmark`: a check that they still run, not a
# measurement; BENCHMARKS.md), then the hardening run
# (scripts/hardening.sh: the unit tests under ASan+UBSan, clang-tidy,
# cppcheck, every fuzz target for a bounded time; docs/HARDENING.md) and
# prints one summary line "N passed, N failed, N skipped" counting the
# individual test cases of all of them.
#
# Usage: scripts/run-tests.sh [BUILD_DIR]   (default: build; the hardening
#        run uses BUILD_DIR-asan and BUILD_DIR-fuzz)
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-"$top/build"}

"$top/scripts/install-deps.sh"
# Caches outside the checkout (ccache, clang-tidy verdicts, fuzz corpora).
. "$top/scripts/ci-cache.sh"

if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" "$top" -Dwerror=true -Dtests=enabled -Dbenchmarks=enabled
else
	meson configure "$build" -Dwerror=true >/dev/null
fi
ninja -C "$build"

# Results of an earlier run must not be counted as this run's.
find "$build" -name '*.xml' -path '*tests*' -delete
rm -f "$build/meson-logs/benchmarklog.json"

set +e
# The hardening run's builds and static analysis only compile and read
# sources: they run beside the suites at the lowest CPU priority and take
# whatever CPU time the QEMU scenarios leave. (Measured on 2 cores: very
# little while two guests run; they ended 2 minutes after the suites.) Its
# sanitizer suites and fuzz targets, which watch clocks, run after the
# suites, beside the quick benchmarks only (one guest, one core).
# meson starts each test in a session of its own, and where the kernel
# groups the CPU by session (sched_autogroup) a process's nice value only
# counts inside its group: the hardening run gets a session whose group is
# niced too (/proc/self/autogroup), else it would take a whole group's
# share from the scenarios.
setsid --wait sh -c 'echo 19 >/proc/self/autogroup 2>/dev/null; exec nice -n 19 "$@"' hardening \
	"$top/scripts/hardening.sh" --part build "$build-asan" "$build-fuzz" \
	>"$build/meson-logs/hardening-build.txt" 2>&1 &
hardening_build=$!
# vm-debian13 (Debian 13 guests, tests/vm/README.md) is opt-in: its first
# run builds a trixie chroot and root, longer than a CI run may grow.
meson test -C "$build" --num-processes 2 --print-errorlogs --no-suite vm-debian13
rc=$?
# The benchmarks in their quick mode: the guest benchmark boots each of its
# configurations once (scripts/bench-guest.sh), the Google Benchmark
# programs run each case for a moment. Their figures are printed, not
# judged, so they run beside the rest of the hardening run.
BOOTSEAL_BENCH_QUICK=1 BENCHMARK_MIN_TIME=0.01 \
	meson test -C "$build" --benchmark --logbase benchmarklog --num-processes 1 --print-errorlogs \
	>"$build/meson-logs/benchmark-run.txt" 2>&1 &
bench=$!
wait "$hardening_build" || rc=1
cat "$build/meson-logs/hardening-build.txt"
"$top/scripts/hardening.sh" --part run "$build-asan" "$build-fuzz" || rc=1
wait "$bench" || rc=1
cat "$build/meson-logs/benchmark-run.txt"
set -e

python3 "$top/scripts/summarize-tests.py" "$build" "$build-asan" "$build-fuzz" || rc=1
exit $rc

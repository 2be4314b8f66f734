#!/bin/sh
# Runs one libFuzzer target from its seeds for a bounded time.
#
#   run-fuzzer.sh TARGET SEEDS CORPUS [SECONDS]
#
# New inputs go to CORPUS (created, kept between runs); SEEDS is only read.
# SECONDS defaults to $BOOTSEAL_FUZZ_SECONDS, else 50; 0 runs until stopped.
# Crash, leak and timeout inputs are written to CORPUS/../artifacts/ and
# the exit status is non-zero. The last line of libFuzzer's log (runs,
# exec/s, coverage) is repeated at the end for the test log.
set -eu

target=$1
seeds=$2
corpus=$3
seconds=${4:-${BOOTSEAL_FUZZ_SECONDS:-50}}
artifacts=$(dirname "$corpus")/../artifacts/$(basename "$target")/

mkdir -p "$corpus" "$artifacts"
log=$(mktemp)
trap 'rm -f "$log"' EXIT

set +e
# -error_exitcode: libFuzzer's default, 77, is meson's "skipped".
"$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -error_exitcode=1 \
	-artifact_prefix="$artifacts" "$corpus" "$seeds" 2>"$log"
rc=$?
set -e

cat "$log" >&2
echo "$(basename "$target"): $(grep -E '^#[0-9]+' "$log" | tail -n 1)"
grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$log" || true
if [ "$rc" -ne 0 ]; then
	echo "$(basename "$target"): FAILED (exit $rc); reproducer in $artifacts" >&2
fi
exit "$rc"

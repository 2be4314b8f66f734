#!/bin/sh
# Runs one libFuzzer target from its seeds for a bounded time.
#
#   run-fuzzer.sh TARGET SEEDS CORPUS [SECONDS]
#
# New inputs go to CORPUS (created, kept between runs); SEEDS is only read.
# With BOOTSEAL_FUZZ_CORPUS=DIR the corpus is DIR/TARGET instead, outside
# the build directory, so that runs in fresh build directories (CI) go on
# from what earlier runs found; past 4000 inputs it is first merged down
# to the ones that add coverage (-merge=1).
# SECONDS defaults to $BOOTSEAL_FUZZ_SECONDS, else 30; 0 runs until stopped.
# Crash, leak and timeout inputs are written to CORPUS/../artifacts/ and
# the exit status is non-zero. The last line of libFuzzer's log (runs,
# exec/s, coverage) is repeated at the end for the test log.
set -eu

target=$1
seeds=$2
corpus=$3
seconds=${4:-${BOOTSEAL_FUZZ_SECONDS:-30}}
artifacts=$(dirname "$corpus")/../artifacts/$(basename "$target")/
if [ -n "${BOOTSEAL_FUZZ_CORPUS-}" ]; then
	corpus=$BOOTSEAL_FUZZ_CORPUS/$(basename "$target")
fi

mkdir -p "$corpus" "$artifacts"
log=$(mktemp)
trap 'rm -f "$log"' EXIT

if [ "$(find "$corpus" -type f | wc -l)" -gt 4000 ]; then
	rm -rf "$corpus.merged"
	mkdir "$corpus.merged"
	if "$target" -merge=1 -timeout=10 -rss_limit_mb=2048 "$corpus.merged" "$corpus" >"$log" 2>&1; then
		rm -rf "$corpus"
		mv "$corpus.merged" "$corpus"
		echo "$(basename "$target"): corpus merged down to $(find "$corpus" -type f | wc -l) inputs"
	else
		rm -rf "$corpus.merged"
	fi
fi

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

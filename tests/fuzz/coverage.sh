#!/bin/sh
# Line and branch coverage each fuzz-* target reaches over a corpus, with
# llvm-cov. COV_DIR is a build configured for coverage (docs/HARDENING.md):
#
#   CC=clang CXX=clang++ meson setup COV_DIR -Dfuzz=enabled -Db_sanitize=address \
#     -Db_lundef=false -Dtests=disabled -Dbenchmarks=disabled \
#     -Dcpp_args='-fprofile-instr-generate -fcoverage-mapping' \
#     -Dcpp_link_args='-fprofile-instr-generate -fcoverage-mapping'
#
#   tests/fuzz/coverage.sh COV_DIR CORPUS_ROOT
#
# CORPUS_ROOT/NAME/ holds the inputs of fuzz-NAME (e.g. a fuzz build's
# tests/fuzz/corpus after a run); each target also reads its seeds. Every
# input is run once (-runs=0). Prints one table row per target for the
# source file of the parser it is meant to cover: functions run, lines and
# branches covered (the file's writing or signing code counts as not run).
set -eu

cov=$1
corpus_root=$2
top=$(cd "$(dirname "$0")/../.." && pwd)

ninja -C "$cov" -j2 tests/fuzz/seeds.stamp $(for n in policy-language document-cbor cose partition trailer loader-config cmdline; do
	echo "tests/fuzz/fuzz-$n"; done) >/dev/null

echo "| target | parser source | inputs | functions run | lines covered | branches covered |"
echo "| --- | --- | --- | --- | --- | --- |"
for entry in policy_language:lib/policy/src/language.cpp document_cbor:lib/policy/src/document_cbor.cpp \
	cose:lib/policy/src/cose.cpp partition:lib/storage/src/partition.cpp \
	trailer:lib/storage/src/trailer.cpp loader_config:kernel-loader/src/config.cpp \
	cmdline:lib/probe/src/cmdline.cpp; do
	name=${entry%%:*}
	src=${entry#*:}
	exe="$cov/tests/fuzz/fuzz-$(echo "$name" | tr _ -)"
	work=$(mktemp -d)
	mkdir -p "$corpus_root/$name"
	LLVM_PROFILE_FILE="$work/%p.profraw" "$exe" -runs=0 "$corpus_root/$name" "$cov/tests/fuzz/seeds/$name" \
		>"$work/log" 2>&1
	llvm-profdata merge -sparse -o "$work/merged.profdata" "$work"/*.profraw
	inputs=$(ls "$corpus_root/$name" "$cov/tests/fuzz/seeds/$name" | grep -vc -e '^$' -e ':$')
	# The parser source's row: regions, missed, cover, functions, missed,
	# executed, lines, missed, cover, branches, missed, cover.
	row=$(llvm-cov report "$exe" -instr-profile="$work/merged.profdata" | grep "^$src ")
	echo "| fuzz-$(echo "$name" | tr _ -) | $src | $inputs |" \
		"$(echo "$row" | awk '{print $5 - $6 " of " $5}') |" \
		"$(echo "$row" | awk '{print $10 " (" $8 - $9 " of " $8 ")"}') |" \
		"$(echo "$row" | awk '{print $13 " (" $11 - $12 " of " $11 ")"}') |"
	rm -rf "$work"
done

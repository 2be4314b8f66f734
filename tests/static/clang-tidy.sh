#!/bin/sh
# clang-tidy over the project's C++ sources with the checks of .clang-tidy
# (every finding is an error), using the build's compile_commands.json.
#
#   clang-tidy.sh SOURCE_ROOT BUILD_DIR [JOBS]
set -eu
top=$1
build=$2
jobs=${3:-2}
. "$top/tests/static/scope.sh"

files=
for d in $tidy_dirs; do
	for f in $(find "$top/$d" -name '*.cpp' | sort); do
		case " $static_excluded " in *" ${f#"$top"/} "*) continue ;; esac
		files="$files $f"
	done
done

# run-clang-tidy reads the list as regular expressions; the paths are plain.
# shellcheck disable=SC2086
run-clang-tidy -quiet -p "$build" -j "$jobs" $files >"$build/clang-tidy.log" 2>&1 && rc=0 || rc=$?
grep -E '(warning|error): .*\[[a-z0-9.,-]+\]$' "$build/clang-tidy.log" | sort -u >&2 || true
count=$(echo $files | wc -w)
echo "clang-tidy: $count files, exit $rc (full log: $build/clang-tidy.log)"
exit "$rc"

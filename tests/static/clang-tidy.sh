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

# Files whose verdict is known clean for their exact inputs are skipped:
# $BOOTSEAL_CI_CACHE/clang-tidy (default /var/cache/bootseal-ci) holds one
# empty file per clean key (tidy-cache.py: configuration, clang-tidy's
# version, compile command, preprocessed text). A finding marks nothing.
# An empty BOOTSEAL_CI_CACHE (scripts/ci-cache.sh) means no cache.
base=${BOOTSEAL_CI_CACHE-/var/cache/bootseal-ci}
cache=$base/clang-tidy
keys=
if [ -n "$base" ] && mkdir -p "$cache" 2>/dev/null && [ -w "$cache" ]; then
	# shellcheck disable=SC2086
	keys=$("$top/tests/static/tidy-cache.py" "$build" $files) || keys=
	find "$cache" -type f -mtime +30 -delete 2>/dev/null || :
elif [ -z "$base" ]; then
	echo "clang-tidy: no cache (BOOTSEAL_CI_CACHE is empty), checking every file"
else
	echo "clang-tidy: cannot write the cache $cache, checking every file"
fi
todo=
cached=0
if [ -n "$keys" ]; then
	while read -r key f; do
		if [ "$key" != - ] && [ -f "$cache/$key" ]; then
			touch "$cache/$key"
			cached=$((cached + 1))
		else
			todo="$todo $f"
		fi
	done <<EOF
$keys
EOF
else
	todo=$files
fi

# run-clang-tidy reads the list as regular expressions; the paths are plain.
rc=0
: >"$build/clang-tidy.log"
if [ -n "$todo" ]; then
	# shellcheck disable=SC2086
	run-clang-tidy -quiet -p "$build" -j "$jobs" $todo >"$build/clang-tidy.log" 2>&1 || rc=$?
fi
# run-clang-tidy colours its output: strip the escapes before matching.
esc=$(printf '\033')
findings=$(sed "s/$esc\[[0-9;]*m//g" "$build/clang-tidy.log" |
	grep -E '(warning|error): .*\[[a-z0-9.,-]+\]$' | sort -u || true)
[ -z "$findings" ] || echo "$findings" >&2
if [ "$rc" -eq 0 ] && [ -z "$findings" ] && [ -n "$keys" ]; then
	echo "$keys" | while read -r key f; do
		case " $todo " in *" $f "*) [ "$key" = - ] || : >"$cache/$key" ;; esac
	done
fi
count=$(echo $files | wc -w)
checked=$(echo $todo | wc -w)
unkeyed=$(printf '%s\n' "$keys" | grep -c '^- ' || :)
echo "clang-tidy: $count files: $checked given to run-clang-tidy ($unkeyed of them without a key: no compile command in this build, which run-clang-tidy skips, or one that does not preprocess), $cached clean before with the same inputs (cache $cache); exit $rc (full log: $build/clang-tidy.log)"
exit "$rc"

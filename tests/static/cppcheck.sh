#!/bin/sh
# cppcheck over the project's C++ sources: warning, performance and
# portability checks; any finding fails. Suppressions are inline
# (// cppcheck-suppress ID) with the reason beside them.
#
#   cppcheck.sh SOURCE_ROOT BUILD_DIR
set -eu
top=$1
build=$2
. "$top/tests/static/scope.sh"
cd "$top"

excludes=
for f in $static_excluded; do excludes="$excludes -i$f"; done

# LIBBPF_OPTS is libbpf's designated-initializer macro (tools/enforcer_read.cpp);
# the unit tests are built with BOOTSEAL_SOURCE_ROOT.
# shellcheck disable=SC2086
cppcheck --quiet --std=c++20 --language=c++ --library=googletest \
	--enable=warning,performance,portability --inline-suppr --error-exitcode=1 \
	--template='{file}:{line}: {severity}: {message} [{id}]' \
	'-DLIBBPF_OPTS(TYPE,NAME,...)=struct TYPE NAME = {__VA_ARGS__}' "-DBOOTSEAL_SOURCE_ROOT=\"$top\"" \
	-I lib/core/include -I lib/policy/include -I lib/storage/include -I lib/probe/include -I lib/view/include -I lib/tpm/include -I kernel-loader/include -I kernel-loader -I enforcer -I tools \
	--cppcheck-build-dir="$(mkdir -p "$build/cppcheck" && echo "$build/cppcheck")" \
	$excludes $static_dirs
echo "cppcheck: clean over $static_dirs"

# Sourced by run-tests.sh and hardening.sh (which set $top, the source
# root): where heavy results are kept
# between runs on one machine, outside the checkout. Each is keyed on its
# inputs, so a fresh checkout (CI) reuses what has not changed:
#   $BOOTSEAL_CI_CACHE/ccache        compiled units (ccache, when installed;
#                                    meson picks it up at setup)
#   $BOOTSEAL_CI_CACHE/clang-tidy    clean verdicts (tests/static/clang-tidy.sh)
#   $BOOTSEAL_CI_CACHE/fuzz-corpus   each fuzz target's corpus
# BOOTSEAL_CI_CACHE defaults to /var/cache/bootseal-ci; when it cannot be
# made or written, it is set empty and nothing is cached. `rm -rf` of it only costs time.
BOOTSEAL_CI_CACHE=${BOOTSEAL_CI_CACHE:-/var/cache/bootseal-ci}
if mkdir -p "$BOOTSEAL_CI_CACHE" 2>/dev/null && [ -w "$BOOTSEAL_CI_CACHE" ]; then
	export BOOTSEAL_CI_CACHE
	export CCACHE_DIR="${CCACHE_DIR:-$BOOTSEAL_CI_CACHE/ccache}"
	export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-3G}"
	# Checkouts in other directories share the cache: paths under the
	# source root are hashed relative to it, and the working directory
	# (which -g records) is left out of the key.
	export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$top}"
	export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
	export BOOTSEAL_FUZZ_CORPUS="${BOOTSEAL_FUZZ_CORPUS:-$BOOTSEAL_CI_CACHE/fuzz-corpus}"
else
	echo "ci-cache: cannot write $BOOTSEAL_CI_CACHE: building and checking everything from scratch" >&2
	BOOTSEAL_CI_CACHE=  # empty: no cache (clang-tidy.sh)
	export BOOTSEAL_CI_CACHE
fi

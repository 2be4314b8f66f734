#!/bin/sh
# Exit codes as a user and the initramfs hooks see them: each program's
# --help lists its codes; the loader's shell fragment (generated at build
# time, installed for dracut and initramfs-tools) gives the same numbers
# the loader's --help shows; the hooks compare names, never numbers; and
# without the fragment bootseal-stop.sh stops the boot rather than guess.
#
#   test-exit-codes.sh LOADER BOOTSEAL BOOTSEAL_SIGN DRACUT_FRAGMENT ITOOLS_FRAGMENT SOURCE_ROOT
set -u
loader=$1 tool=$2 sign=$3 frag=$4 frag2=$5 src=$6
failures=0
bad() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}
ok() { echo "ok: $*"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 1. Every program's --help ends with its table: "  CODE  TEXT" lines from 0 up.
for prog in "$loader" "$tool" "$sign"; do
	"$prog" --help >"$tmp/help" 2>&1 || bad "$prog --help failed"
	sed -n '/^Exit codes:$/,$p' "$tmp/help" | sed -n 's/^  \([0-9][0-9]*\)  .*/\1/p' >"$tmp/codes"
	n=$(wc -l <"$tmp/codes")
	if [ "$n" -lt 7 ] || [ "$(seq 0 $((n - 1)))" != "$(cat "$tmp/codes")" ]; then
		bad "${prog##*/} --help does not list its exit codes 0..N: $(tr '\n' ' ' <"$tmp/codes")"
	else
		ok "${prog##*/} --help lists exit codes 0..$((n - 1))"
	fi
done

# 2. The fragment: plain sh, the same for both initramfs flavours.
sh -n "$frag" || bad "$frag is not valid sh"
cmp -s "$frag" "$frag2" || bad "$frag and $frag2 differ"
# shellcheck disable=SC1090
vars=$(sh -c '. "$1"; set' sh "$frag" | sed -n 's/^\(BS_EXIT_[A-Z0-9_]*\)=.\{0,1\}\([0-9][0-9]*\).\{0,1\}$/\1 \2/p' | sort -k2n)
[ -n "$vars" ] || bad "$frag sets no BS_EXIT_* variable"
# 3. ... and it says what the loader's --help says: for each code, the comment
# above its variable is the text --help prints.
"$loader" --help | sed -n 's/^  \([0-9][0-9]*\)  \(.*\)/\1 \2/p' >"$tmp/loader-help"
[ "$(wc -l <"$tmp/loader-help")" = "$(printf '%s\n' "$vars" | wc -l)" ] ||
	bad "the loader's --help lists $(wc -l <"$tmp/loader-help") codes, the fragment $(printf '%s\n' "$vars" | wc -l)"
while read -r code text; do
	name=$(printf '%s\n' "$vars" | awk -v c="$code" '$2 == c { print $1 }')
	comment=$(grep -B1 "^$name=$code\$" "$frag" | sed -n 's/^# //p')
	[ -n "$name" ] && [ "$comment" = "$text" ] || bad "code $code: --help says '$text', the fragment '$name' / '$comment'"
done <"$tmp/loader-help"
for want in BS_EXIT_OK=0 BS_EXIT_CONTINUE=1 BS_EXIT_NO_POLICY=4 BS_EXIT_MACHINE=5 BS_EXIT_ALREADY=8; do
	grep -qx "$want" "$frag" || bad "$frag lacks $want (docs/LOADER.md)"
done
ok "the fragment gives the loader's documented codes, with its --help texts"

# 4. The hooks name the codes: no case pattern or test compares a status with a number.
hooks="$src/initramfs-hooks/bootseal-stop.sh $src/initramfs-hooks/dracut/90bootseal/bootseal-pre-pivot.sh
$src/initramfs-hooks/dracut/90bootseal/bootseal-load.sh $src/initramfs-hooks/initramfs-tools/scripts/init-bottom/bootseal"
# shellcheck disable=SC2086
if grep -nE '^[[:space:]]*[0-9]+([[:space:]]*\|[[:space:]]*[0-9]+)*[[:space:]]*\)|\$(\?|rc)[" ]*(-eq|-ne|=|!=)[[:space:]]*[0-9]' $hooks; then
	bad "a hook compares the loader's status with a number (use the BS_EXIT_* names)"
else
	ok "the hooks compare the loader's status by name"
fi
# shellcheck disable=SC2086
for h in $hooks; do
	case $h in */bootseal-stop.sh) continue ;; esac
	grep -q 'bootseal-exit-codes\.sh' "$h" || bad "$h does not source bootseal-exit-codes.sh"
done

# 5. Without the fragment, bootseal_run stops before running anything.
out=$(sh -c '. "$1"; bootseal_console() { echo "$*"; }; PATH=/nonexistent; bootseal_run /newroot; echo "rc=$?"' \
	sh "$src/initramfs-hooks/bootseal-stop.sh" 2>&1)
case $out in
*"boot stopped: bootseal-exit-codes.sh is missing from the initramfs"*rc=125) ok "without the fragment the boot stops" ;;
*) bad "without the fragment: $out" ;;
esac

[ "$failures" -eq 0 ] || { echo "$failures failure(s)" >&2; exit 1; }

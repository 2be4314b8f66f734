#!/bin/bash
# scripts/bench-guest-report.sh: the tables of scripts/bench-guest.sh, from
# the console logs it leaves in its work directory.
#
# Usage: scripts/bench-guest-report.sh WORKDIR 'SIZES' PASSES DRACUT(0|1)
#
# Reads WORKDIR/boot-CONFIG-PASS.log (CONFIG: none, a policy size, dracut-
# without, dracut-with) and prints, per configuration, the median over the
# passes of each figure (with two passes: their mean).
set -eu
[ $# -eq 4 ] || { echo "usage: $0 WORKDIR 'SIZES' PASSES DRACUT" >&2; exit 2; }
work=$1 sizes=$2 passes=$3 dracut=$4

# One "CONFIG METRIC VALUE" line per figure found in the logs.
extract() {
	local c=$1 p log
	for p in $(seq 1 "$passes"); do
		log=$work/boot-$c-$p.log
		[ -f "$log" ] || continue
		awk -v c="$c" '
		function num(s) { gsub(/[^0-9.]/, "", s); return s }
		# "(12.3 ms)" or "(12.3 ms in all)" at the end of a loader line
		function paren_ms(line,   m) {
			if (match(line, /\(([0-9.]+) ms( in all)?\)$/)) {
				m = substr(line, RSTART + 1); sub(/ ms.*/, "", m); return m
			}
			return ""
		}
		{ sub(/^\[ *[0-9.]+\] /, "") }
		/^BENCH now=init / { split($3, a, "="); print c, "boot_to_init_ms", a[2] }
		/^BENCH host qemu_wall_ms=/ { split($3, a, "="); print c, "qemu_wall_ms", a[2] }
		/^BENCH op=[a-z]+ median_ns_per_op=/ {
			split($2, o, "="); split($3, a, "="); print c, "op_" o[2], a[2] }
		/^BENCH floor step=/ {
			split($3, s, "="); split($4, a, "=")
			floor[s[2]] = a[2]   # the last run (the second, warm) wins
		}
		/^BENCH floor hooks=/ { split($4, a, "="); floor_total = a[2] }
		/^BENCH run=\/usr\/sbin\/bs-bench-floor / {
			split($4, a, "="); floor_wall = a[2]; floor_walls += a[2]; split($5, r, "="); floor_rss = r[2] }
		/^BENCH run=\/usr\/sbin\/bootseal-loader / {
			split($4, a, "="); print c, "loader_wall_ms", a[2]
			split($5, r, "="); print c, "loader_maxrss_kb", r[2] }
		/^BENCH map=/ {
			split($2, m, "="); split($7, v, "="); split($4, e, "=")
			print c, "memlock_" m[2], v[2]; print c, "entries_" m[2], e[2] }
		/^BENCH meminfo=before-loader / { split($3, a, "="); mf0 = a[2]; split($5, v, "="); vm0 = v[2]; split($4, s, "="); sl0 = s[2] }
		/^BENCH meminfo=after-loader / { split($3, a, "="); mf1 = a[2]; split($5, v, "="); vm1 = v[2]; split($4, s, "="); sl1 = s[2]
			print c, "memfree_drop_kb", mf0 - mf1; print c, "vmalloc_growth_kb", vm1 - vm0; print c, "slab_growth_kb", sl1 - sl0 }
		/^bootseal: trust store / { print c, "ph_trust", paren_ms($0) }
		/^bootseal: policy .* from .*signed by key/ { print c, "ph_discover_verify_decode", paren_ms($0) }
		/^bootseal: compiled / { print c, "ph_compile", paren_ms($0) }
		/^BENCH warm-compile: / { print c, "ph_compile_warm", paren_ms($0) }
		/^bootseal: load: / { print c, "ph_load", paren_ms($0) }
		/^bootseal: fill: / { print c, "ph_fill_freeze", paren_ms($0) }
		/^bootseal: attach: / { print c, "ph_attach", paren_ms($0) }
		/^bootseal: pin: / { print c, "ph_pin", paren_ms($0) }
		/^bootseal: policy .* in force/ { print c, "ph_all", paren_ms($0) }
		END {
			for (k in floor) print c, "floor_" k, floor[k]
			if (floor_total != "") print c, "floor_total", floor_total
			if (floor_wall != "") { print c, "floor_wall_ms", floor_wall; print c, "floor_maxrss_kb", floor_rss }
			print c, "floor_walls_ms", floor_walls + 0
		}' "$log"
	done
}

configs="none $sizes"
[ "$dracut" = 1 ] && configs="$configs dracut-without dracut-with"
data=$(for c in $configs; do extract "$c"; done)

# med CONFIG METRIC: median over the passes, "-" when absent.
med() {
	printf '%s\n' "$data" | awk -v c="$1" -v m="$2" '
		$1 == c && $2 == m && $3 != "" { v[n++] = $3 + 0 }
		END {
			if (!n) { print "-"; exit }
			for (i = 0; i < n; i++) for (j = i + 1; j < n; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
			x = n % 2 ? v[int(n / 2)] : (v[n / 2 - 1] + v[n / 2]) / 2
			if (x == int(x)) printf "%d\n", x; else printf "%.1f\n", x
		}'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2fx\n", a / b }'; }
sub_() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-") print "-"; else { x = a - b; if (x == int(x)) printf "%d\n", x; else printf "%.1f\n", x } }'; }
name() { case $1 in 0) echo empty ;; none) echo none ;; *) echo "$1" ;; esac; }

echo
echo "== Loader phases, ms (console lines of bootseal-loader; median of $passes boots)"
printf '| rules | trust store | discover+verify+decode | (verify_sealed) | (bare signature) | compile | (compile, warm) | BPF load | fill+freeze | attach | pin | loader, in all | floor | in all / floor | to attached / floor | loader process, exec to exit |\n'
printf '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n'
for n in $sizes; do
	all=$(med "$n" ph_all) pin=$(med "$n" ph_pin) fl=$(med "$n" floor_total)
	printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$(name "$n")" \
		"$(med "$n" ph_trust)" "$(med "$n" ph_discover_verify_decode)" "$(med "$n" floor_verify_sealed)" \
		"$(med "$n" floor_signature)" "$(med "$n" ph_compile)" "$(med "$n" ph_compile_warm)" "$(med "$n" ph_load)" \
		"$(med "$n" ph_fill_freeze)" "$(med "$n" ph_attach)" "$pin" "$all" "$fl" "$(ratio "$all" "$fl")" \
		"$(ratio "$(sub_ "$all" "$pin")" "$fl")" "$(med "$n" loader_wall_ms)"
done
echo
echo "== Floor steps, ms (bs-bench-floor, second run in the same boot)"
printf '| rules | key | read | envelope | signature | BPF load (empty maps) | freeze | attach | total |\n'
printf '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n'
for n in $sizes; do
	printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$(name "$n")" "$(med "$n" floor_key)" \
		"$(med "$n" floor_read)" "$(med "$n" floor_envelope)" "$(med "$n" floor_signature)" \
		"$(med "$n" floor_load)" "$(med "$n" floor_freeze)" "$(med "$n" floor_attach)" "$(med "$n" floor_total)"
done

echo
echo "== Enforcer microbenchmark, ns per operation (median of rounds, then of $passes boots)"
printf '| policy | exec | open+close | stat | mmap PROT_EXEC | exec / none | open / none | stat / none | mmap / none |\n'
printf '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n'
for c in none $sizes; do
	row="| $(name "$c") "
	for o in exec open stat mmapx; do row="$row| $(med "$c" "op_$o") "; done
	for o in exec open stat mmapx; do row="$row| $(ratio "$(med "$c" "op_$o")" "$(med none "op_$o")") "; done
	echo "$row|"
done
big=$(for n in $sizes; do echo "$n"; done | sort -n | tail -n 1)
case " $sizes " in *" 10 "*)
	row="| $big rules / 10 rules "
	for o in exec open stat mmapx; do row="$row| $(ratio "$(med "$big" "op_$o")" "$(med 10 "op_$o")") "; done
	echo
	echo "| flatness | exec | open+close | stat | mmap PROT_EXEC |"
	echo "| --- | ---: | ---: | ---: | ---: |"
	echo "$row|"
	;;
esac

echo
echo "== Memory"
echo "(VmallocUsed growth over the loader: the preallocated hash maps and the JITed programs; the"
echo " maps' share is the growth beyond that of the smallest policy. Slab growth is mostly the"
echo " dentries and inodes the compile step looked up. fdinfo memlock on 6.1 counts key + value only.)"
# The smallest policy with rules: the same kinds of rules, so the same programs.
small=$(for n in $sizes; do [ "$n" -gt 0 ] && echo "$n"; done | sort -n | head -n 1)
printf '| rules | loader peak RSS | floor peak RSS | rules map: entries, fdinfo memlock | VmallocUsed growth | beyond the %s-rule policy | Slab growth |\n' "$(name "$small")"
printf '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n'
for n in $sizes; do
	printf '| %s | %s kB | %s kB | %s, %s B | %s kB | %s kB | %s kB |\n' "$(name "$n")" \
		"$(med "$n" loader_maxrss_kb)" "$(med "$n" floor_maxrss_kb)" "$(med "$n" entries_rules)" \
		"$(med "$n" memlock_rules)" "$(med "$n" vmalloc_growth_kb)" \
		"$(sub_ "$(med "$n" vmalloc_growth_kb)" "$(med "$small" vmalloc_growth_kb)")" "$(med "$n" slab_growth_kb)"
done

echo
echo "== Boot to init (CLOCK_BOOTTIME at /sbin/init's first line) and QEMU wall time, ms"
echo "(busybox: the policy boots also run the floor twice before the loader; the last column leaves those runs out)"
printf '| initramfs | policy | boot to init | / without | QEMU start to power-off | boot to init without the floor runs | / without |\n'
printf '| --- | --- | ---: | ---: | ---: | ---: | ---: |\n'
for c in none $sizes; do
	b=$(sub_ "$(med "$c" boot_to_init_ms)" "$(med "$c" floor_walls_ms)")
	printf '| busybox | %s | %s | %s | %s | %s | %s |\n' "$(name "$c")" "$(med "$c" boot_to_init_ms)" \
		"$(ratio "$(med "$c" boot_to_init_ms)" "$(med none boot_to_init_ms)")" "$(med "$c" qemu_wall_ms)" \
		"$b" "$(ratio "$b" "$(med none boot_to_init_ms)")"
done
if [ "$dracut" = 1 ]; then
	for c in dracut-without dracut-with; do
		printf '| dracut | %s | %s | %s | %s | | |\n' "$([ "$c" = dracut-with ] && echo "10000, bootseal module" || echo "none, no bootseal module")" \
			"$(med "$c" boot_to_init_ms)" "$(ratio "$(med "$c" boot_to_init_ms)" "$(med dracut-without boot_to_init_ms)")" \
			"$(med "$c" qemu_wall_ms)"
	done
fi

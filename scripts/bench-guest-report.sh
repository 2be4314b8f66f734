#!/bin/bash
# scripts/bench-guest-report.sh: the tables of scripts/bench-guest.sh, from
# the console logs it leaves in its work directory.
#
# Usage: scripts/bench-guest-report.sh [--json FILE] WORKDIR 'SIZES' PASSES DRACUT(0|1)
#
# Reads WORKDIR/boot-CONFIG-PASS.log (CONFIG: none, a policy size, dracut-
# without, dracut-with) and prints, per configuration, the median over the
# passes of each figure (with two passes: their mean). Ratios of two
# figures of the same boot (the hooks' on/off, the loader against its
# floor, verify against the bare signature check) are taken in each boot
# first and given as min / median / max over the boots. With --json the
# summary also goes to FILE.
set -eu
json=
if [ "${1:-}" = --json ]; then json=$2; shift 2; fi
[ $# -eq 4 ] || { echo "usage: $0 [--json FILE] WORKDIR 'SIZES' PASSES DRACUT" >&2; exit 2; }
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
		/^BENCH hooks op=[a-z-]+ off_ns=/ {
			split($3, o, "="); split($4, a, "="); split($5, b, "="); split($6, h, "="); split($7, r, "=")
			print c, "hk_off_" o[2], a[2]; print c, "hk_on_" o[2], b[2]; print c, "hk_hook_" o[2], h[2]
			print c, "hk_runs_" o[2], r[2]
			if (a[2] > 0) { print c, "hk_onoff_" o[2], b[2] / a[2]; print c, "hk_hookoff_" o[2], h[2] / a[2] }
			for (i = 8; i <= NF; i++) {
				split($i, l, "=")
				if (l[1] == "landlock_ns") k = "landlock"; else if (l[1] == "apparmor_ns") k = "apparmor"; else continue
				print c, "hk_" k "_" o[2], l[2]
				if (a[2] > 0) print c, "hk_" k "off_" o[2], l[2] / a[2]
			}
		}
		/^BENCH hooks op=[a-z-]+ prog=/ {
			split($3, o, "="); split($4, p, "="); split($6, t, "=")
			print c, "hkprog_" o[2] "/" p[2], t[2]
		}
		/^bootseal: policy .* in force/ { loader_all = paren_ms($0) }
		END {
			if (loader_all != "" && floor_total > 0) print c, "loader_floor", loader_all / floor_total
			if (floor["signature_warm"] > 0 && floor["verify_sealed_warm"] != "")
				print c, "verify_signature", floor["verify_sealed_warm"] / floor["signature_warm"]
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
# spread CONFIG METRIC [SCALE]: "min / median / max" over the boots (each
# value times SCALE), "-" when absent.
spread() {
	printf '%s\n' "$data" | awk -v c="$1" -v m="$2" -v k="${3:-1}" '
		$1 == c && $2 == m && $3 != "" { v[n++] = $3 * k }
		END {
			if (!n) { print "-"; exit }
			for (i = 0; i < n; i++) for (j = i + 1; j < n; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
			x = n % 2 ? v[int(n / 2)] : (v[n / 2 - 1] + v[n / 2]) / 2
			printf "%.2f / %.2f / %.2f\n", v[0], x, v[n - 1]
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
echo "== Floor steps, ms (bs-bench-floor, second run in the same boot: the loader's install() of the"
echo "   same entries on inodes that do not exist; signature and verify_sealed warm are not in the floor)"
printf '| rules | key | read | envelope | signature | BPF load | fill + freeze | attach | pin | total | signature, warm | verify_sealed, warm |\n'
printf '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n'
for n in $sizes; do
	printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$(name "$n")" "$(med "$n" floor_key)" \
		"$(med "$n" floor_read)" "$(med "$n" floor_envelope)" "$(med "$n" floor_signature)" \
		"$(med "$n" floor_load)" "$(med "$n" floor_fill)" "$(med "$n" floor_attach)" "$(med "$n" floor_pin)" \
		"$(med "$n" floor_total)" "$(med "$n" floor_signature_warm)" "$(med "$n" floor_verify_sealed_warm)"
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
echo "== Hooks in the same boot (bs-bench-hooks, in the initramfs): ns per operation without the enforcer"
echo "   (off) and with it (on); the hooks' own time per operation from bpf_stats (run_time_ns / its"
echo "   operations); the ratios taken in each boot, min / median / max over $passes boots"
printf '| rules | workload | off | on | on / off | hooks | hooks / off | hook runs per op |\n'
printf '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n'
hk_ops="exec open stat mmapx open-match open-subject open-many"
for n in $sizes; do
	for o in $hk_ops; do
		[ "$(med "$n" "hk_off_$o")" = - ] && continue
		printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$(name "$n")" "$o" "$(med "$n" "hk_off_$o")" \
			"$(med "$n" "hk_on_$o")" "$(spread "$n" "hk_onoff_$o")" "$(med "$n" "hk_hook_$o")" \
			"$(spread "$n" "hk_hookoff_$o")" "$(med "$n" "hk_runs_$o")"
	done
done
echo
echo "== Anchors in the same boot (bs-bench-hooks, no enforcer): each workload's child under a Landlock"
echo "   domain that handles every file system right of ABI 1 and allows them all beneath /, and in the"
echo "   AppArmor profile bs-bench (every file access allowed), beside bootseal's on / off; the ratios"
echo "   taken in each boot, min / median / max over $passes boots"
printf '| rules | workload | off | Landlock | Landlock / off | AppArmor | AppArmor / off | bootseal on / off |\n'
printf '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n'
for n in $sizes; do
	for o in exec open stat mmapx open-many; do
		[ "$(med "$n" "hk_landlock_$o")" = - ] && [ "$(med "$n" "hk_apparmor_$o")" = - ] && continue
		printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$(name "$n")" "$o" "$(med "$n" "hk_off_$o")" \
			"$(med "$n" "hk_landlock_$o")" "$(spread "$n" "hk_landlockoff_$o")" \
			"$(med "$n" "hk_apparmor_$o")" "$(spread "$n" "hk_apparmoroff_$o")" "$(spread "$n" "hk_onoff_$o")"
	done
done
echo
echo "== Each program's time per run (ns, bpf_stats), by workload (median of the boots)"
printf '| rules | workload | program | ns per run |\n'
printf '| ---: | --- | --- | ---: |\n'
for n in $sizes; do
	printf '%s\n' "$data" | awk -v c="$n" '$1 == c && $2 ~ /^hkprog_/ { sub(/^hkprog_/, "", $2); print $2 }' | sort -u |
		while IFS= read -r k; do
			printf '| %s | %s | %s | %s |\n' "$(name "$n")" "${k%%/*}" "${k#*/}" "$(med "$n" "hkprog_$k")"
		done
done
echo
echo "== Paired ratios of the loader's side, per boot: min / median / max over $passes boots"
printf '| rules | loader / floor | verify_sealed / bare signature (both warm) |\n'
printf '| ---: | ---: | ---: |\n'
for n in $sizes; do
	printf '| %s | %s | %s |\n' "$(name "$n")" "$(spread "$n" loader_floor)" "$(spread "$n" verify_signature)"
done

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

[ -n "$json" ] || exit 0
# The summary as JSON: per configuration and figure, min / median / max
# over the boots and their number.
printf '%s\n' "$data" | python3 -c '
import json, statistics, sys
out = {"passes": int(sys.argv[2]), "configurations": {}}
for line in sys.stdin:
    f = line.split()
    if len(f) != 3:
        continue
    try:
        v = float(f[2])
    except ValueError:
        continue
    out["configurations"].setdefault(f[0], {}).setdefault(f[1], []).append(v)
for c, figs in out["configurations"].items():
    for k, vs in figs.items():
        figs[k] = {"min": min(vs), "median": statistics.median(vs), "max": max(vs), "n": len(vs)}
# The figures the targets name (BENCHMARKS.md), per policy size: the hooks
# per operation against the system call without the enforcer, measured in
# the same boot; the loader against its floor; verify_sealed against the
# bare signature check (both warm).
names = {
    "open_added": "hk_hookoff_open", "exec_added": "hk_hookoff_exec", "mmap_exec_added": "hk_hookoff_mmapx",
    "open_match_added": "hk_hookoff_open-match", "open_subject_added": "hk_hookoff_open-subject",
    "open_many_added": "hk_hookoff_open-many", "open_hook_ns": "hk_hook_open", "exec_hook_ns": "hk_hook_exec",
    "mmap_exec_hook_ns": "hk_hook_mmapx", "open_on_off": "hk_onoff_open", "exec_on_off": "hk_onoff_exec",
    "mmap_exec_on_off": "hk_onoff_mmapx", "loader_over_floor": "loader_floor",
    "landlock_open_over_off": "hk_landlockoff_open", "landlock_exec_over_off": "hk_landlockoff_exec",
    "landlock_mmap_exec_over_off": "hk_landlockoff_mmapx", "landlock_open_many_over_off": "hk_landlockoff_open-many",
    "apparmor_open_over_off": "hk_apparmoroff_open", "apparmor_exec_over_off": "hk_apparmoroff_exec",
    "apparmor_mmap_exec_over_off": "hk_apparmoroff_mmapx", "apparmor_open_many_over_off": "hk_apparmoroff_open-many",
    "verify_decode_over_signature": "verify_signature",
}
targets = {}
for t, m in names.items():
    for c, figs in out["configurations"].items():
        if m in figs:
            targets.setdefault(t, {})[c] = figs[m]
sizes = sorted(int(c) for c in out["configurations"] if c.isdigit())
if 10 in sizes and sizes[-1] > 10:
    big = str(sizes[-1])
    for op in ("open", "exec", "mmapx"):
        a = out["configurations"][big].get("hk_hook_" + op)
        b = out["configurations"]["10"].get("hk_hook_" + op)
        if a and b and b["median"] > 0:
            targets["flatness_%s_%s_over_10" % (op, big)] = a["median"] / b["median"]
out["targets"] = targets
with open(sys.argv[1], "w") as f:
    json.dump(out, f, indent=1, sort_keys=True)
    f.write("\n")
' "$json" "$passes"
echo "(summary written to $json)"

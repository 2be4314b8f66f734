#!/bin/bash
# scripts/bench-guest.sh: the loader, the enforcer and the boot, measured in
# QEMU guests (Debian's stock kernel, TCG, no KVM) against their floors.
# BENCHMARKS.md, "Loader and enforcer (guest)", records its figures.
#
# Usage: scripts/bench-guest.sh BUILD_DIR [--passes N] [--rounds N]
#            [--exec-n N] [--file-n N] [--sizes 'N...'] [--cpus N]
#            [--no-dracut] [--json FILE]
#
#   --passes N   boots per configuration, interleaved (default 10)
#   --rounds N   rounds of the microbenchmarks in each boot (default 5)
#   --exec-n N   execs per round (default 300)
#   --file-n N   open/close, stat and mmap per round (default 20000)
#   --sizes      policy sizes in rules (default '0 10 100 10000 100000';
#                0 is the empty policy)
#   --cpus N     vCPUs of each guest (default 2)
#   --no-dracut  leave out the whole-boot comparison with dracut images
#   --json FILE  also write the summary (every figure the targets of
#                BENCHMARKS.md name, as min/median/max over the boots) to
#                FILE as JSON
#
# With BOOTSEAL_BENCH_QUICK=1 in the environment the defaults become one
# pass, one round, 10 execs, 100 file operations and sizes '0 10': every
# configuration boots once and every figure is printed, in a few minutes.
# That proves the benchmark still runs (scripts/run-tests.sh does so); its
# figures are not measurements.
#
# What it does (tests/vm/lib.sh builds and boots the machines; every BPF
# program is loaded inside the guests, never on this machine):
#
# 1. One root disk for every boot: the benchmark programs (bench/guest/),
#    and for the largest policy the files it names: /srv/bench/gG/rJ, ten
#    rules per directory gG (five `deny exec path`, two `deny write path`,
#    one `deny read path ... except` a subject, one `audit read path`, one
#    `deny exec subtree` of the directory itself). A policy of N rules is
#    the first N of them, so every size has the same kinds of rules and the
#    hooks do the same lookups. Its bootseal partition holds the 10k-rule
#    policy (for the dracut boots).
# 2. For each size a busybox initramfs whose hook (bench-hook.sh) runs
#    bs-bench-floor twice (the floor, in the same boot, before the loader:
#    the key, the bare signature check, the same BPF object loaded with
#    empty maps, frozen, attached; then detached) and then bootseal-loader
#    under `bs-bench-ops run` (wall time, peak RSS); /proc/meminfo around
#    it, and last `bootseal-loader --dry-run` for the compile step with
#    the root's inodes cached. The loader's own per-phase log lines come
#    from the console.
#    Before the loader, bs-bench-hooks (bench/guest/) measures the hooks
#    in the same boot: the microbenchmark's workloads run from the
#    initramfs on the root's files without the enforcer ("off"), then
#    each under a Landlock domain that handles every file system right
#    and allows them all beneath / (an anchor, "landlock"), then each in
#    an AppArmor profile that allows every file access, loaded with
#    apparmor_parser first (the other anchor, "apparmor"), then
#    with the policy installed by the loader's own compile and install
#    code ("on"), then once more with kernel.bpf_stats_enabled for each
#    program's run count and run time; then it detaches. Each boot gives
#    its own on/off and hook/off ratios: paired, not a ratio of medians.
#    The "none" configuration has no hook at all.
# 3. The guest's /sbin/init prints the time since the kernel started
#    (boot to init), the pinned maps' fdinfo (kernel memory of the maps)
#    and runs the microbenchmark `bs-bench-ops ops` (exec of a small
#    static program, open+close, stat, mmap PROT_EXEC), checks that the
#    policy is in force (a read it denies), and powers off.
# 4. Two dracut images (base rootfs-block kernel-modules, with and without
#    the bootseal module, whose loader reads the 10k-rule policy from the
#    disk's bootseal partition): boot to init, as a ratio.
#
# Prints the figures as tables at the end; console logs and the parsed
# figures (results.txt) stay in BUILD_DIR/bench/guest/work/.
# Exit status: 0 measured, 1 a boot or a check failed, 77 QEMU, busybox-static
# or the kernel package cannot be had (as in the vm test suite).

set -eu

usage() {
	sed -n '6,27p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

[ $# -ge 1 ] || usage
build=$1
shift
passes=10 rounds=5 exec_n=300 file_n=20000 sizes='0 10 100 10000 100000' dracut=1 cpus=2 json=
if [ "${BOOTSEAL_BENCH_QUICK:-0}" = 1 ]; then
	passes=1 rounds=1 exec_n=10 file_n=100 sizes='0 10'
fi
while [ $# -gt 0 ]; do
	case $1 in
	--passes) passes=$2; shift 2 ;;
	--rounds) rounds=$2; shift 2 ;;
	--exec-n) exec_n=$2; shift 2 ;;
	--file-n) file_n=$2; shift 2 ;;
	--sizes) sizes=$2; shift 2 ;;
	--cpus) cpus=$2; shift 2 ;;
	--json) json=$2; shift 2 ;;
	--no-dracut) dracut=0; shift ;;
	-h | --help) usage ;;
	*) echo "bench-guest.sh: unknown option '$1'" >&2; usage ;;
	esac
done

VM_SOURCE_ROOT=$(cd "$(dirname "$0")/.." && pwd)
VM_BUILDDIR=$(cd "$build" && pwd)
VM_CACHE_DIR=${VM_CACHE_DIR:-$VM_BUILDDIR/tests/vm/cache}
VM_WORK=$VM_BUILDDIR/bench/guest/work
export VM_SOURCE_ROOT VM_BUILDDIR VM_CACHE_DIR VM_WORK
# shellcheck source=tests/vm/lib.sh
. "$VM_SOURCE_ROOT/tests/vm/lib.sh"
# shellcheck source=tests/vm/enforcer-lib.sh
. "$VM_SOURCE_ROOT/tests/vm/enforcer-lib.sh"
# shellcheck source=tests/vm/dracut-lib.sh
. "$VM_SOURCE_ROOT/tests/vm/dracut-lib.sh"

OPS=$VM_BUILDDIR/bench/guest/bs-bench-ops
TRUE_BIN=$VM_BUILDDIR/bench/guest/bs-true
FLOOR=$VM_BUILDDIR/bench/guest/bs-bench-floor
HOOKS=$VM_BUILDDIR/bench/guest/bs-bench-hooks
for f in "$ENF_LOADER" "$ENF_SIGN" "$ENF_TOOL" "$OPS" "$TRUE_BIN" "$FLOOR" "$HOOKS"; do
	[ -x "$f" ] || _vm_die "$f is not built: run ninja -C $VM_BUILDDIR first"
done

rm -rf "$VM_WORK"
mkdir -p "$VM_WORK" "$VM_CACHE_DIR"
vm_check_host
vm_fetch_kernel
results=$VM_WORK/results.txt
: >"$results"
note() { printf '%s\n' "$*" | tee -a "$results" >&2; }
now_ms() { echo $((${EPOCHREALTIME/./} / 1000)); }

max=0
for n in $sizes; do [ "$n" -gt "$max" ] && max=$n; done
[ "$max" -ge 10000 ] || max=10000 # the dracut boots use the 10k policy

# --- policies ------------------------------------------------------------------
# rules N: the first N rules of the generated policy, on stdout.
rules() {
	awk -v n="$1" 'BEGIN {
		for (i = 0; i < n; i++) {
			g = int(i / 10); j = i % 10; d = "/srv/bench/g" g
			if (j < 5) print "deny exec path " d "/r" j
			else if (j < 7) print "deny write path " d "/r" j
			else if (j == 7) print "deny read path " d "/r7 except /usr/lib/bench/reader"
			else if (j == 8) print "audit read path " d "/r8"
			else print "deny exec subtree " d
		}
	}'
}
policy() {
	printf 'policy "bench-%s"\ngeneration 1\nmode enforce\n' "$1"
	printf 'description "generated by scripts/bench-guest.sh: %s rules"\n' "$1"
	rules "$1"
}
# The dracut scenarios' shared test key: the dracut image's trust store
# holds it, and with it the image's base is reused across runs.
dr_keys
# 10000 too: the bootseal partition holds it whatever sizes are measured.
for n in $sizes $max 10000; do
	[ -f "$VM_WORK/p$n.sealed" ] && continue
	policy "$n" >"$VM_WORK/p$n.policy"
	enf_seal "$VM_WORK/p$n.policy" "$VM_WORK/p$n.sealed"
done

# --- the root disk ---------------------------------------------------------------
tree=$VM_WORK/tree
mkdir -p "$tree/usr/bin" "$tree/usr/lib/bench" "$tree/usr/share/bench" "$tree/srv/bench"
cp "$OPS" "$tree/usr/bin/bs-bench-ops"
cp "$TRUE_BIN" "$tree/usr/bin/bs-true"
# The subject of the policies' `except` (a static bs-bench-ops: the
# hooks benchmark runs workloads as the subject through it).
cp "$OPS" "$tree/usr/lib/bench/reader"
head -c 4096 /dev/zero >"$tree/usr/share/bench/data"
t0=$(now_ms)
(
	cd "$tree/srv/bench"
	awk -v n="$max" 'BEGIN { for (g = 0; g < n / 10; g++) print "g" g }' | xargs mkdir
	awk -v n="$max" 'BEGIN { for (g = 0; g < n / 10; g++) for (j = 0; j < 9; j++) print "g" g "/r" j }' |
		xargs touch
)
note "tree: $((max / 10)) directories, $((max * 9 / 10)) files made in $(($(now_ms) - t0)) ms"

cat >"$VM_WORK/init" <<'EOF_INIT'
#!/bin/sh
/usr/bin/bs-bench-ops now init
. /lib/vm-test.sh
# bench.ops=ROUNDS,EXEC_N,FILE_N on the kernel command line; 0: no microbenchmark.
ops=0
for a in $(cat /proc/cmdline); do
	case $a in bench.ops=*) ops=$(echo "${a#bench.ops=}" | tr , ' ') ;; esac
done
if [ -d /sys/fs/bpf/bootseal ]; then
	bs-bench-ops maps /sys/fs/bpf/bootseal rules subjects info
fi
try read-denied cat /srv/bench/g0/r7
try read-allowed cat /usr/share/bench/data
if [ "$ops" != 0 ]; then
	bs-bench-ops ops $ops /usr/bin/bs-true /usr/share/bench/data
fi
finish
EOF_INIT

# The bootseal partition: the 10k-rule policy, for the dracut boots.
truncate -s 8M "$VM_WORK/part.img"
"$ENF_TOOL" format "$VM_WORK/part.img" >/dev/null
"$ENF_TOOL" install --trust "$VM_WORK/keys/vm.pub.pem" --device "$VM_WORK/part.img" "$VM_WORK/p10000.sealed" >/dev/null

# 100k files need inodes: mkfs.ext4 gives a root under 512 MiB one inode per
# 4 KiB. The image is sparse.
root_mib=$(((max / 1000 + 1) * 4 + 64))
[ "$root_mib" -lt 512 ] || root_mib=511
t0=$(now_ms)
disk=$(vm_build_disk --init "$VM_WORK/init" --dir "$tree:/" --root-size "$root_mib" \
	--bootseal-content "$VM_WORK/part.img")
note "disk: ${root_mib} MiB ext4 root with $((max * 11 / 10)) bench files and directories, built (or reused) in $(($(now_ms) - t0)) ms"
rm -rf "$tree"

# --- initramfs images -------------------------------------------------------------
cat >"$VM_WORK/bench-hook.sh" <<'EOF_HOOK'
#!/bin/sh
# bench-hook.sh (scripts/bench-guest.sh): the floor twice, the hooks, then
# the loader.
O=/usr/sbin/bs-bench-ops
$O meminfo before-floor
$O run /usr/sbin/bs-bench-floor /etc/bootseal/trusted.d/vm.pem /etc/bootseal/policy.sealed
$O run /usr/sbin/bs-bench-floor /etc/bootseal/trusted.d/vm.pem /etc/bootseal/policy.sealed
# The AppArmor anchor's profile (securityfs is mounted by the initramfs'
# init where it can be).
[ -d /sys/kernel/security/apparmor ] || mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
/usr/sbin/apparmor_parser -K -r /etc/bs-bench.apparmor && echo "BENCH apparmor profile loaded"
# The hooks in this boot, without and with the enforcer (then detached).
ops=$(sed -n 's/.*bench\.ops=\([0-9]*\),\([0-9]*\),\([0-9]*\).*/\1 \2 \3/p' /proc/cmdline)
if [ -n "$ops" ]; then
	/usr/sbin/bs-bench-hooks /newroot /etc/bootseal/trusted.d/vm.pem /etc/bootseal/policy.sealed $O $ops ||
		echo "BENCH hooks failed"
	# Its compile read the root's inodes: the loader's is measured cold.
	sync
	echo 3 >/proc/sys/vm/drop_caches
fi
$O meminfo before-loader
$O run /usr/sbin/bootseal-loader --root /newroot
rc=$?
$O meminfo after-loader
# The compile step again, with the root's inodes now in the cache.
/usr/sbin/bootseal-loader --root /newroot --dry-run 2>&1 >/dev/null |
	grep 'bootseal: compiled' | sed 's/^bootseal: compiled/BENCH warm-compile:/'
exit $rc
EOF_HOOK
chmod 0755 "$VM_WORK/bench-hook.sh"

declare -A initrd
initrd[none]=$(vm_build_initramfs)
# /usr/sbin is not on every user's PATH.
aa_parser=$(PATH="$PATH:/usr/sbin:/sbin" command -v apparmor_parser) ||
	_vm_die "apparmor_parser is missing (package apparmor): run scripts/install-deps.sh"
mapfile -t libs < <(enf_lib_files "$ENF_LOADER" "$FLOOR" "$HOOKS" "$aa_parser")
# Every file access allowed: each open, exec and executable mapping of a
# task in it is matched against the profile, none refused.
cat >"$VM_WORK/bs-bench.apparmor" <<'EOF_PROFILE'
profile bs-bench flags=(attach_disconnected) {
  /{,**} rwlkmix,
  capability,
}
EOF_PROFILE
: >"$VM_WORK/apparmor-parser.conf"  # apparmor_parser warns when it has none
strip -o "$VM_WORK/bs-bench-floor" "$FLOOR"
strip -o "$VM_WORK/bs-bench-hooks" "$HOOKS"
for n in $sizes; do
	etc=$VM_WORK/etc-$n
	mkdir -p "$etc/trusted.d"
	cp "$VM_WORK/keys/vm.pub.pem" "$etc/trusted.d/vm.pem"
	cp "$VM_WORK/p$n.sealed" "$etc/policy.sealed"
	printf 'source = file /etc/bootseal/policy.sealed\ntrust = /etc/bootseal/trusted.d\n' >"$etc/loader.conf"
	initrd[$n]=$(vm_build_initramfs --file "$ENF_LOADER:/usr/sbin/bootseal-loader" \
		--file "$VM_WORK/bs-bench-floor:/usr/sbin/bs-bench-floor" --file "$OPS:/usr/sbin/bs-bench-ops" \
		--file "$VM_WORK/bs-bench-hooks:/usr/sbin/bs-bench-hooks" \
		--file "$VM_WORK/bench-hook.sh:/usr/sbin/bench-hook.sh" "${libs[@]}" \
		--file "$aa_parser:/usr/sbin/apparmor_parser" --file "$VM_WORK/bs-bench.apparmor:/etc/bs-bench.apparmor" \
		--file "$VM_WORK/apparmor-parser.conf:/etc/apparmor/parser.conf" \
		--dir "$etc:/etc/bootseal" --hook /usr/sbin/bench-hook.sh)
done

# --- boots --------------------------------------------------------------------------
boot() { # boot NAME INITRD LOG [APPEND]
	local t0 t1
	t0=$(now_ms)
	vm_boot --initrd "$2" --disk "$disk" --log "$3" --timeout 1500 --append "${4:-}" ||
		_vm_die "boot $1 failed (log $3)"
	t1=$(now_ms)
	echo "BENCH host qemu_wall_ms=$((t1 - t0))" >>"$3"
	vm_expect "$3" '^TEST: init done$' "boot $1 reached the end of init"
}
export VM_SMP=$cpus
configs="none $sizes"
for p in $(seq 1 "$passes"); do
	for c in $configs; do
		log=$VM_WORK/boot-$c-$p.log
		_vm_say "bench-guest: pass $p, configuration $c"
		boot "$c" "${initrd[$c]}" "$log" "bench.ops=$rounds,$exec_n,$file_n"
		if [ "$c" = none ] || [ "$c" = 0 ]; then
			vm_expect "$log" '^TEST: read-denied rc=0$' "no policy denies the read ($c)"
		else
			vm_expect "$log" "bootseal: policy 'bench-$c' generation 1 in force" "the $c-rule policy is in force"
			vm_expect "$log" '^TEST: read-denied rc=[1-9]' "the $c-rule policy denies the read"
		fi
		vm_expect "$log" '^BENCH op=mmapx median_ns_per_op=' "the microbenchmark ran ($c)"
		if [ "$c" != none ]; then
			vm_expect "$log" '^BENCH floor hooks=[0-9]* total_ms=' "the floor installed the enforcer ($c)"
			vm_expect "$log" '^BENCH hooks done$' "the hooks were measured and detached ($c)"
			vm_expect "$log" '^BENCH hooks op=open off_ns=.* landlock_ns=[0-9]' "and the Landlock anchor beside them ($c)"
			vm_expect "$log" '^BENCH hooks op=open off_ns=.* apparmor_ns=[0-9]' "and the AppArmor anchor ($c)"
		fi
	done
done

if [ "$dracut" = 1 ]; then
	etc=$VM_WORK/etc-dracut
	mkdir -p "$etc/trusted.d"
	cp "$VM_WORK/keys/vm.pub.pem" "$etc/trusted.d/vm.pem"
	printf 'source = partitions\n' >"$etc/loader.conf"
	t0=$(now_ms)
	dr_with=$(dr_initramfs "$etc")
	note "dracut image with bootseal: $(($(now_ms) - t0)) ms"
	# The same dracut command as dr_initramfs, without the bootseal module.
	# Nothing of this tree goes into it: it is a base image kept
	# machine-wide (tests/vm/dracut-lib.sh, dr_base), keyed on the kernel
	# and the packages that build it.
	key=$({
		echo "nobootseal-1 $KVER $VM_MODULES_DIR"
		dpkg-query -W -f '${Package} ${Version}\n' dracut dracut-core kmod udev systemd \
			libc6 bash coreutils util-linux 2>/dev/null
	} | sha256sum | cut -c1-16)
	dracut_without() {
		# An empty configuration directory of its own: dr_initramfs put
		# bootseal's snippet (add_dracutmodules+=" bootseal ") into
		# $VM_WORK/dracut-confdir, and Debian's dracut has no such module.
		rm -rf "$VM_WORK/dracut-confdir-none"
		mkdir -p "$VM_WORK/dracut-confdir-none"
		dracut --force --quiet --no-hostonly --no-early-microcode \
			--conf /dev/null --confdir "$VM_WORK/dracut-confdir-none" \
			--modules "base rootfs-block kernel-modules" \
			--add-drivers "virtio_blk virtio_pci ext4" \
			--kver "$KVER" --kmoddir "$VM_MODULES_DIR" \
			--compress gzip "$1" >&2
	}
	t0=$(now_ms)
	dr_without=$(dr_base dracut-nobootseal "$key" dracut_without)
	note "dracut image without bootseal: $(($(now_ms) - t0)) ms"
	for p in $(seq 1 "$passes"); do
		for c in dracut-without dracut-with; do
			log=$VM_WORK/boot-$c-$p.log
			img=$dr_without
			[ "$c" = dracut-with ] && img=$dr_with
			_vm_say "bench-guest: pass $p, $c"
			boot "$c" "$img" "$log" "bench.ops=0"
			if [ "$c" = dracut-with ]; then
				vm_expect "$log" "bootseal: policy 'bench-10000' generation 1 in force" "dracut's hook installed the 10k policy"
			fi
		done
	done
fi

# --- figures ------------------------------------------------------------------------
"$VM_SOURCE_ROOT/scripts/bench-guest-report.sh" ${json:+--json "$json"} "$VM_WORK" "$sizes" "$passes" "$dracut" |
	tee -a "$results"
_vm_say "bench-guest: logs and results in $VM_WORK"

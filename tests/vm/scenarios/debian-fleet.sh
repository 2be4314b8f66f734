# debian-fleet: policies delivered to a fleet through apt (issue #17), on
# the Debian 12 machine of debian-dracut (same cached root and packages,
# dracut, loader.conf `source = partitions`, `floor = 1`,
# `on-failure = stop`, generation 1 of examples/debian-server.policy in the
# bootseal partition). The host plays the signing host: `bootseal-sign
# package` turns generations 1, 2 and 3 of the policy (site key) and a
# policy signed by a key no machine trusts (bootseal-policy-rogue) and
# another class's policy (bootseal-policy-debian-db, site key) into
# packages, and apt-ftparchive and gpg make a signed apt repository of them,
# handed to the guests as a read-only second disk: the guests' only apt
# source is `file:`, no network is involved. Four boots:
#
#   A1  generation 1 in force, bootseal-mark-good.service marked it
#       (status --json assessment). apt-get installs generation 2: it goes
#       into the other slot, serves from the next boot, the floor stays, the
#       initramfs is untouched. The rogue package, the other class's
#       (loader.conf: `policy = debian-server`) and a downgrade to
#       generation 1 are refused by their own preinst, the partition is
#       byte-identical, dpkg keeps version 2. A failing health check
#       (RequiredBy=boot-complete.target) is installed.
#   A2  generation 2 in force; the health check failed, so mark-good did
#       not run: the floor stays 1. Generation 3 is unpacked (preinst ran,
#       postinst not), then the power is cut (QEMU killed).
#   A3  the machine boots, policed by generation 2, and mark-good raises
#       the floor to 2; `dpkg --configure -a` installs generation 3, which
#       serves from the next boot: the blob the signing host sealed.
#   B   a copy of A's disk from before A1: `apt-get install` of the
#       newest package ends on generation 3, the same blob as A's.
#
# (A fifth boot, of generation 3, ran until 2026-12: A2 already boots a
# generation the package installed, and A3 shows mark-good raising the
# floor; it cost 4 minutes of the CI run.)
#
# Needs root on the host (a chroot with apt and dracut), apt-utils and gpg.
. "$VM_SOURCE_ROOT/tests/vm/enforcer-lib.sh"
. "$VM_SOURCE_ROOT/tests/vm/debian-lib.sh"

[ "$(id -u)" -eq 0 ] || vm_skip "debian-fleet needs root on the host (a chroot with apt and dracut)"
for t in ssh ssh-keygen unshare apt-ftparchive gpg python3; do
	command -v "$t" >/dev/null || vm_skip "$t not found (openssh-client, util-linux, apt-utils, gnupg, python3)"
done

t_all=$(_deb_now)
roottar=$(deb_root)
debs=$(deb_packages)
_vm_say "debian-fleet: packages and root ready in $(_deb_secs "$t_all") s"

# --- machine A's root: debian-dracut's, bootseal installed by apt ----------
t=$(_deb_now)
root=$VM_WORK/root
deb_machine "$roottar" "$debs" "$root" debian-fleet
[ -f "$root/usr/lib/systemd/system/bootseal-mark-good.service" ] ||
	_vm_die "the bootseal package has no bootseal-mark-good.service (the fleet contract's unit)"
# The fleet's repository is the machines' only apt source: no archive, no
# network.
rm -f "$root"/etc/apt/sources.list "$root"/etc/apt/sources.list.d/*

mkdir -p "$VM_WORK/keys"
"$ENF_SIGN" keygen "$VM_WORK/keys/site.pem" "$VM_WORK/keys/site.pub.pem" >/dev/null
"$ENF_SIGN" keygen "$VM_WORK/keys/rogue.pem" "$VM_WORK/keys/rogue.pub.pem" >/dev/null
install -D -m 0644 "$VM_WORK/keys/site.pub.pem" "$root/etc/bootseal/trusted.d/site.pem"
# `policy =`: the machine takes debian-server only (docs/FLEET.md).
printf 'source = partitions\npolicy = debian-server\nmode = enforce\nfloor = 1\non-failure = stop\n' >"$root/etc/bootseal/loader.conf"
deb_initramfs "$root"
kernel=$VM_WORK/vmlinuz
initrd=$VM_WORK/initrd.img

# --- the signing host: generations 1-3, a rogue, the repository -----------
policy=$VM_SOURCE_ROOT/examples/debian-server.policy
grep -qx 'generation 1' "$policy" || _vm_die "$policy has no line 'generation 1'"
mkdir -p "$VM_WORK/pkgs"
for g in 1 2 3; do
	sed "s/^generation 1\$/generation $g/" "$policy" >"$VM_WORK/gen$g.policy"
	"$ENF_SIGN" seal --key "$VM_WORK/keys/site.pem" --output "$VM_WORK/gen$g.sealed" "$VM_WORK/gen$g.policy" >/dev/null
	"$ENF_SIGN" package --output "$VM_WORK/pkgs" "$VM_WORK/gen$g.sealed" >&2 ||
		_vm_die "bootseal-sign package of generation $g failed"
done
# The rogue: a newer generation of the same policy, signed by a key the
# machines do not trust.
sed 's/^generation 1$/generation 4/' "$policy" >"$VM_WORK/rogue.policy"
"$ENF_SIGN" seal --key "$VM_WORK/keys/rogue.pem" --output "$VM_WORK/rogue.sealed" "$VM_WORK/rogue.policy" >/dev/null
"$ENF_SIGN" package --output "$VM_WORK/pkgs" --name bootseal-policy-rogue "$VM_WORK/rogue.sealed" >&2 ||
	_vm_die "bootseal-sign package of the rogue policy failed"
# Another class's policy, signed by the site key: valid, but not this
# machine's.
sed -e 's/^generation 1$/generation 5/' -e 's/^policy "debian-server"$/policy "debian-db"/' \
	"$policy" >"$VM_WORK/other.policy"
grep -qx 'policy "debian-db"' "$VM_WORK/other.policy" || _vm_die "could not rename the policy in $VM_WORK/other.policy"
"$ENF_SIGN" seal --key "$VM_WORK/keys/site.pem" --output "$VM_WORK/other.sealed" "$VM_WORK/other.policy" >/dev/null
"$ENF_SIGN" package --output "$VM_WORK/pkgs" "$VM_WORK/other.sealed" >&2 ||
	_vm_die "bootseal-sign package of the other class's policy failed"
[ -f "$VM_WORK/pkgs/bootseal-policy-debian-db_5_all.deb" ] || _vm_die "no bootseal-policy-debian-db_5_all.deb"
rogue_kid=$("$ENF_TOOL" inspect "$VM_WORK/rogue.sealed" | sed -n 's/.*kid \([0-9a-f]\{16,\}\).*/\1/p' | head -n 1)
[ -n "$rogue_kid" ] || _vm_die "no kid in bootseal inspect of the rogue blob"
for g in 1 2 3; do
	sha[g]=$(sha256sum <"$VM_WORK/gen$g.sealed" | cut -d' ' -f1)
	[ -f "$VM_WORK/pkgs/bootseal-policy-debian-server_${g}_all.deb" ] ||
		_vm_die "bootseal-sign package wrote no bootseal-policy-debian-server_${g}_all.deb"
done
[ -f "$VM_WORK/pkgs/bootseal-policy-rogue_4_all.deb" ] || _vm_die "no bootseal-policy-rogue_4_all.deb"
deb_apt_repo "$VM_WORK/repo" "$VM_WORK/repo-key" "$VM_WORK/pkgs"/*.deb
deb_repo_disk "$VM_WORK/repo.img" "$VM_WORK/repo"

# --- the disk: generation 1 in the bootseal partition ----------------------
truncate -s 8M "$VM_WORK/part.img"
"$ENF_TOOL" format "$VM_WORK/part.img" >&2
"$ENF_TOOL" install --trust "$VM_WORK/keys/site.pub.pem" --device "$VM_WORK/part.img" "$VM_WORK/gen1.sealed" >&2
disk=$VM_WORK/disk-a.img
deb_mkdisk "$disk" "$root" 2048
dd if="$VM_WORK/part.img" of="$disk" bs=1M seek=1 conv=notrunc status=none
rm -rf "$root"
# Machine B: A's disk as it is now, before A's first boot.
cp --sparse=always "$disk" "$VM_WORK/disk-b.img"
_vm_say "debian-fleet: ready to boot $(_deb_secs "$t_all") s after the start (machine preparation $(_deb_secs "$t") s)"

# --- helpers -----------------------------------------------------------------
part=/dev/disk/by-partlabel/bootseal
pkg=bootseal-policy-debian-server

fl_eq() { # fl_eq GOT WANT
	[ "$1" = "$2" ] && return 0
	_vm_say "  got '$1', expected '$2'"
	return 1
}
fl_ne() { # fl_ne GOT UNWANTED
	[ "$1" != "$2" ] && return 0
	_vm_say "  got '$1'"
	return 1
}
# fl_json FILE a.b.c: that member of FILE's JSON (strings bare, others as JSON).
fl_json() {
	python3 - "$1" "$2" <<'EOF'
import json, sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2].split('.'):
    v = v.get(k) if isinstance(v, dict) else None
print(v if isinstance(v, str) else json.dumps(v))
EOF
}
# fl_status NAME: `bootseal status --json` into $VM_WORK/NAME-status.json;
# also the guest's boot id into NAME-boot-id.
fl_status() {
	deb_ssh bootseal status --json >"$VM_WORK/$1-status.json" || :
	deb_ssh cat /proc/sys/kernel/random/boot_id >"$VM_WORK/$1-boot-id" || :
}
fl_in_force() { # fl_in_force NAME GEN: the status says generation GEN of debian-server
	fl_eq "$(fl_json "$VM_WORK/$1-status.json" policy) $(fl_json "$VM_WORK/$1-status.json" generation)" \
		"debian-server $2"
}
# fl_marked NAME GEN: the assessment says this boot was marked good with GEN
fl_marked() {
	local f=$VM_WORK/$1-status.json
	fl_eq "$(fl_json "$f" assessment.marked_good_this_boot) $(fl_json "$f" assessment.generation) $(fl_json "$f" assessment.policy)" \
		"true $2 debian-server" &&
		fl_eq "$(fl_json "$f" assessment.boot_id | tr -d -)" "$(tr -d '\n-' <"$VM_WORK/$1-boot-id")"
}
fl_slots() { deb_ssh "bootseal slots $part" >"$VM_WORK/$1-slots.txt" 2>&1 || :; }
# The partition's rollback floor (first line of `bootseal slots`).
fl_floor() { sed -n '1s/.*rollback floor \([0-9]*\)$/\1/p' "$VM_WORK/$1-slots.txt"; }
# "SLOT GENERATION" of the slot that serves, and of the other valid slot.
fl_serving() { sed -n 's/^  slot \([AB]\) (offset [0-9]*): ok, generation \([0-9]*\),.*<- serves$/\1 \2/p' "$VM_WORK/$1-slots.txt"; }
fl_other() { grep -v '<- serves$' "$VM_WORK/$1-slots.txt" | sed -n 's/^  slot \([AB]\) (offset [0-9]*): [^,]*, generation \([0-9]*\),.*/\1 \2/p'; }
# The SHA-256 of the blob the partition serves (slot header: 4096 bytes).
fl_serving_sha() {
	deb_ssh "set -- \$(bootseal slots $part | sed -n 's/^  slot [AB] (offset \\([0-9]*\\)): ok, generation [0-9]*, sequence [0-9]*, \\([0-9]*\\) bytes .*<- serves\$/\\1 \\2/p')
		[ \$# -eq 2 ] && dd if=$part iflag=skip_bytes,count_bytes skip=\$((\$1 + 4096)) count=\$2 status=none | sha256sum | cut -d' ' -f1"
}
fl_part_sha() { deb_ssh "sha256sum <$part | cut -d' ' -f1"; }
fl_dpkg() { deb_ssh "dpkg-query -W -f='\${Version} \${db:Status-Status}' $1 2>/dev/null || echo not-known"; }
fl_unit_ran() { # the unit's main process started this boot and succeeded
	deb_ssh "[ \"\$(systemctl show -P ExecMainStartTimestampMonotonic $1)\" != 0 ] &&
		[ \"\$(systemctl show -P Result $1)\" = success ]"
}
fl_unit_not_run() { fl_eq "$(deb_ssh systemctl show -P ExecMainStartTimestampMonotonic "$1")" 0; }
# fl_add_source: the repository disk mounted on /srv/fleet-repo (fstab), its
# key, the source, apt-get update. The keyring comes from the host (the
# machine's configuration management), not from the medium.
fl_add_source() {
	deb_ssh 'install -d -m 0755 /etc/apt/keyrings && cat >/etc/apt/keyrings/fleet.gpg' <"$VM_WORK/repo-key/fleet.gpg"
	deb_ssh 'set -e
		mkdir -p /srv/fleet-repo
		echo "LABEL=fleet-repo /srv/fleet-repo ext4 ro,nofail 0 0" >>/etc/fstab
		systemctl daemon-reload
		mount /srv/fleet-repo
		echo "deb [signed-by=/etc/apt/keyrings/fleet.gpg] file:/srv/fleet-repo bookworm main" >/etc/apt/sources.list.d/fleet.list
		apt-get update >/root/apt-update.log 2>&1 || { cat /root/apt-update.log; exit 1; }
		! grep -E "^(W|E):" /root/apt-update.log'
}
fl_boot() { # fl_boot LOG DISK
	deb_boot "$kernel" "$initrd" "$2" "$1" --ro-disk "$VM_WORK/repo.img" --writable --timeout 900
}
declare -A boot_secs=()

# --- A1: generation 1 in force; generation 2 installed; refusals ------------
log=$VM_WORK/console-a1.log
t=$(_deb_now)
fl_boot "$log" "$disk"
deb_running
fl_status a1
fl_slots a1-before
deb_check "A1: generation 1 of debian-server is in force" fl_in_force a1 1
deb_check "A1: bootseal-mark-good.service ran this boot and succeeded" fl_unit_ran bootseal-mark-good.service
deb_check "A1: status --json: assessment marked this boot good, generation 1" fl_marked a1 1
deb_check "A1: mark-good raised the partition's floor to 1" fl_eq "$(fl_floor a1-before)" 1
deb_check "A1: the fleet repository disk is mounted, its signed source added, apt-get update verifies it" fl_add_source
ird_sha=$(deb_ssh "sha256sum </boot/initrd.img-$DEB_KVER | cut -d' ' -f1")
deb_check "A1: apt-get install $pkg=2 succeeds" \
	deb_ssh "apt-get install -y -q $pkg=2 >/root/apt-2.log 2>&1 || { tail -n 20 /root/apt-2.log; false; }"
fl_slots a1-gen2
deb_check "A1: generation 2 is in the other slot and serves from the next boot (slot A keeps generation 1)" \
	fl_eq "$(fl_serving a1-gen2) / $(fl_other a1-gen2)" "B 2 / A 1"
deb_check "A1: the floor is still 1 (nothing marks generation 2 before it booted)" fl_eq "$(fl_floor a1-gen2)" 1
deb_check "A1: the slot holds the package's blob (SHA-256 of generation 2)" fl_eq "$(fl_serving_sha)" "${sha[2]}"
deb_check "A1: the initramfs is byte-identical (a partition store needs no regeneration)" \
	fl_eq "$(deb_ssh "sha256sum </boot/initrd.img-$DEB_KVER | cut -d' ' -f1")" "$ird_sha"
fl_status a1-after
deb_check "A1: generation 1 is still the one in force" fl_in_force a1-after 1
deb_check "A1: dpkg has $pkg 2 installed" fl_eq "$(fl_dpkg $pkg)" "2 installed"

# The negative twins: a key the machine does not trust, and a downgrade.
psha=$(fl_part_sha)
deb_ssh "apt-get install -y -q bootseal-policy-rogue >/root/apt-rogue.log 2>&1; echo \$? >/root/apt-rogue.rc" || :
deb_ssh cat /root/apt-rogue.log >"$VM_WORK/apt-rogue.log" || :
grep -E '^bootseal|refus|rogue.*(pre-installation|preinst)' "$VM_WORK/apt-rogue.log" >&2 || :
deb_check "A1: apt-get install bootseal-policy-rogue fails" fl_ne "$(deb_ssh cat /root/apt-rogue.rc)" 0
deb_check "A1: its preinst names the refusal: the blob does not verify, signed by kid $rogue_kid" \
	grep -qE "^bootseal.*${rogue_kid:0:16}.*does not verify" "$VM_WORK/apt-rogue.log"
deb_check "A1: dpkg does not have bootseal-policy-rogue installed" \
	fl_ne "$(fl_dpkg bootseal-policy-rogue | cut -d' ' -f2)" installed
deb_check "A1: the bootseal partition is byte-identical after the rogue package" fl_eq "$(fl_part_sha)" "$psha"
deb_ssh "apt-get install -y -q bootseal-policy-debian-db >/root/apt-other.log 2>&1; echo \$? >/root/apt-other.rc" || :
deb_ssh cat /root/apt-other.log >"$VM_WORK/apt-other.log" || :
grep -E '^bootseal|(pre-installation|preinst)' "$VM_WORK/apt-other.log" >&2 || :
deb_check "A1: apt-get install bootseal-policy-debian-db (another class's policy, the site key's signature) fails" \
	fl_ne "$(deb_ssh cat /root/apt-other.rc)" 0
deb_check "A1: its preinst names the refusal: loader.conf names debian-server for this machine" \
	grep -qE '^bootseal.*refused: policy "debian-db" is not "debian-server"' "$VM_WORK/apt-other.log"
deb_check "A1: dpkg does not have bootseal-policy-debian-db installed" \
	fl_ne "$(fl_dpkg bootseal-policy-debian-db | cut -d' ' -f2)" installed
deb_check "A1: the bootseal partition is byte-identical after the other class's package" fl_eq "$(fl_part_sha)" "$psha"
deb_ssh "apt-get install -y -q --allow-downgrades $pkg=1 >/root/apt-down.log 2>&1; echo \$? >/root/apt-down.rc" || :
deb_ssh cat /root/apt-down.log >"$VM_WORK/apt-down.log" || :
grep -E '^bootseal|refus|(pre-installation|preinst)' "$VM_WORK/apt-down.log" >&2 || :
deb_check "A1: apt-get install --allow-downgrades $pkg=1 fails" fl_ne "$(deb_ssh cat /root/apt-down.rc)" 0
deb_check "A1: its preinst names the refusal: generation 1 is below what the store serves" \
	grep -qE '^bootseal.*refused.*generation 1([^0-9]|$)' "$VM_WORK/apt-down.log"
deb_check "A1: dpkg still has $pkg 2 installed" fl_eq "$(fl_dpkg $pkg)" "2 installed"
deb_check "A1: the bootseal partition is byte-identical after the downgrade attempt" fl_eq "$(fl_part_sha)" "$psha"

# A health check that fails: boot-complete.target is not reached next boot.
deb_check "A1: a failing health check is installed before boot-complete.target" deb_ssh 'set -e
	printf "%s\n" "[Unit]" "Description=fleet test: a health check that fails" "Before=boot-complete.target" \
		"[Service]" "Type=oneshot" "ExecStart=/bin/false" \
		"[Install]" "RequiredBy=boot-complete.target" >/etc/systemd/system/fleet-health.service
	systemctl enable --quiet fleet-health.service'
deb_poweroff
boot_secs[A1]=$(_deb_secs "$t")
_vm_say "debian-fleet: boot A1 took ${boot_secs[A1]} s"
vm_expect "$log" "bootseal: policy 'debian-server' generation 1 in force, enforce mode" "A1: the loader put generation 1 in force"

# --- A2: generation 2 in force, not marked; generation 3 unpacked; power cut -
log=$VM_WORK/console-a2.log
t=$(_deb_now)
fl_boot "$log" "$disk"
state=$(deb_ssh systemctl is-system-running --wait 2>&1) || :
deb_check "A2: the system is degraded: the health check failed" \
	deb_ssh "[ '$state' = degraded ] && systemctl is-failed --quiet fleet-health.service"
fl_status a2
fl_slots a2
deb_check "A2: generation 2 of debian-server is in force" fl_in_force a2 2
deb_check "A2: bootseal-mark-good.service did not run (boot-complete.target was not reached)" \
	fl_unit_not_run bootseal-mark-good.service
deb_check "A2: status --json: the assessment is not of this boot (A1's, generation 1)" \
	fl_eq "$(fl_json "$VM_WORK/a2-status.json" assessment.marked_good_this_boot) $(fl_json "$VM_WORK/a2-status.json" assessment.generation)" "false 1"
deb_check "A2: the floor is still 1: generation 1 in slot A stays the fallback" \
	fl_eq "$(fl_floor a2) / $(fl_other a2)" "1 / A 1"
deb_check "A2: the health check is removed" deb_ssh 'set -e
	systemctl disable --quiet fleet-health.service
	rm /etc/systemd/system/fleet-health.service
	systemctl daemon-reload
	systemctl reset-failed'
deb_check "A2: apt-get download $pkg=3 from the repository (mounted at boot by fstab)" \
	deb_ssh "cd /root && apt-get download -q $pkg=3 >/root/apt-dl.log 2>&1 || { cat /root/apt-dl.log; false; }"
psha=$(fl_part_sha)
deb_check "A2: dpkg --unpack of generation 3 succeeds (its preinst's check passes)" \
	deb_ssh "dpkg --unpack /root/${pkg}_3_all.deb >/root/dpkg-unpack.log 2>&1 || { cat /root/dpkg-unpack.log; false; }"
deb_check "A2: dpkg has $pkg 3 unpacked, not configured" fl_eq "$(fl_dpkg $pkg)" "3 unpacked"
deb_check "A2: the unpack wrote nothing to the bootseal partition (the preinst only checks)" \
	fl_eq "$(fl_part_sha)" "$psha"
t_cut=$(_deb_now)
deb_power_cut
boot_secs[A2]=$(_deb_secs "$t")
_vm_say "debian-fleet: boot A2 took ${boot_secs[A2]} s (ended by the power cut)"
vm_expect "$log" "bootseal: policy 'debian-server' generation 2 in force, enforce mode" "A2: the loader put generation 2 in force"

# --- A3: after the power cut: policed, marked good, the install finished -----
log=$VM_WORK/console-a3.log
t=$(_deb_now)
fl_boot "$log" "$disk"
deb_running
fl_status a3
fl_slots a3
deb_check "A3: after the power cut generation 2 is in force" fl_in_force a3 2
deb_check "A3: the machine is policed: root cannot write /etc/shadow" deb_ssh '! sh -c "echo x >>/etc/shadow" 2>/dev/null'
deb_check "A3: bootseal-mark-good.service ran this boot: assessment this boot, generation 2" fl_marked a3 2
deb_check "A3: mark-good raised the floor to 2" fl_eq "$(fl_floor a3)" 2
deb_check "A3: dpkg's records survived the power cut: $pkg 3 is unpacked" fl_eq "$(fl_dpkg $pkg)" "3 unpacked"
ird_sha=$(deb_ssh "sha256sum </boot/initrd.img-$DEB_KVER | cut -d' ' -f1")
deb_check "A3: dpkg --configure -a finishes the install" \
	deb_ssh "dpkg --configure -a >/root/dpkg-configure.log 2>&1 || { cat /root/dpkg-configure.log; false; }"
deb_check "A3: dpkg has $pkg 3 installed" fl_eq "$(fl_dpkg $pkg)" "3 installed"
fl_slots a3-gen3
deb_check "A3: generation 3 is in slot A and serves from the next boot (slot B keeps generation 2)" \
	fl_eq "$(fl_serving a3-gen3) / $(fl_other a3-gen3)" "A 3 / B 2"
deb_check "A3: the initramfs is byte-identical" \
	fl_eq "$(deb_ssh "sha256sum </boot/initrd.img-$DEB_KVER | cut -d' ' -f1")" "$ird_sha"
a_sha=$(fl_serving_sha)
_vm_say "debian-fleet: machine A serves a blob with SHA-256 $a_sha"
deb_check "A3: the blob that serves next is generation 3 as the signing host sealed it" fl_eq "$a_sha" "${sha[3]}"
deb_poweroff
boot_secs[A3]=$(_deb_secs "$t")
_vm_say "debian-fleet: boot A3 took ${boot_secs[A3]} s ($(_deb_secs "$t_cut") s from the power cut to A3's power-off)"
vm_expect "$log" "bootseal: policy 'debian-server' generation 2 in force, enforce mode" "A3: the loader put generation 2 in force after the power cut"

# --- B: another machine, from the same repository ------------------------------
log=$VM_WORK/console-b.log
t=$(_deb_now)
fl_boot "$log" "$VM_WORK/disk-b.img"
deb_running
fl_status b
deb_check "B: generation 1 of debian-server is in force" fl_in_force b 1
deb_check "B: the fleet source added, apt-get update verifies it" fl_add_source
deb_check "B: apt-get install $pkg (no version) succeeds" \
	deb_ssh "apt-get install -y -q $pkg >/root/apt.log 2>&1 || { tail -n 20 /root/apt.log; false; }"
deb_check "B: dpkg has the newest, $pkg 3, installed" fl_eq "$(fl_dpkg $pkg)" "3 installed"
fl_slots b
deb_check "B: generation 3 serves from the next boot" fl_eq "$(fl_serving b | cut -d' ' -f2)" 3
deb_check "B: the same blob as machine A's (SHA-256)" fl_eq "$(fl_serving_sha)" "${sha[3]}"
deb_poweroff
boot_secs[B]=$(_deb_secs "$t")
_vm_say "debian-fleet: boot B took ${boot_secs[B]} s"
vm_expect "$log" "bootseal: policy 'debian-server' generation 1 in force, enforce mode" "B: the loader put generation 1 in force"

_vm_say "debian-fleet: boots A1 ${boot_secs[A1]} s, A2 ${boot_secs[A2]} s, A3 ${boot_secs[A3]} s, B ${boot_secs[B]} s; the whole scenario $(_deb_secs "$t_all") s"
[ "$DEB_FAIL" -eq 0 ] || _vm_die "some checks failed (above)"

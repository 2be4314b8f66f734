#!/bin/sh
# bootseal-sign end to end, as a user runs it: keygen, check, seal, verify,
# inspect, and the documented exit codes for each way a blob is refused.
# Usage: test-bootseal-sign.sh BOOTSEAL_SIGN SOURCE_ROOT
set -u
sign=$1
src=$2
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
failures=0

check() { # NAME EXPECTED_RC CMD...
	name=$1 want=$2
	shift 2
	"$@" >"$t/out" 2>"$t/err"
	got=$?
	if [ "$got" -ne "$want" ]; then
		echo "FAIL $name: exit $got, expected $want"
		sed 's/^/  stdout: /' "$t/out"
		sed 's/^/  stderr: /' "$t/err"
		failures=$((failures + 1))
	else
		echo "ok   $name"
	fi
}
contains() { # NAME FILE PATTERN
	if grep -q -- "$3" "$2"; then echo "ok   $1"; else
		echo "FAIL $1: '$3' not in output:"; sed 's/^/  /' "$2"; failures=$((failures + 1)); fi
}

policy="$src/examples/appliance-lockdown.policy"

check keygen 0 "$sign" keygen "$t/k.pem" "$t/p.pem"
mode=$(stat -c %a "$t/k.pem")
[ "$mode" = 600 ] && echo "ok   private key mode 0600" || { echo "FAIL private key mode $mode"; failures=$((failures + 1)); }
check keygen-refuses-overwrite 1 "$sign" keygen "$t/k.pem" "$t/p2.pem"
contains keygen-overwrite-names-file "$t/err" "$t/k.pem"
check keygen-es256 0 "$sign" keygen --alg es256 "$t/k256.pem" "$t/p256.pem"
check keygen-bad-alg 2 "$sign" keygen --alg dsa "$t/x.pem" "$t/y.pem"

check check-example 0 "$sign" check "$policy"
[ ! -s "$t/err" ] && echo "ok   the example draws no warning" || { echo "FAIL warnings for the example:"; sed 's/^/  /' "$t/err"; failures=$((failures + 1)); }
printf 'policy "x"\ngeneration 1\nmode enforce\ndeny write path /etc/shadow\nallow write path /etc/shadow by /usr/bin/passwd\n' >"$t/open.policy"
check check-unprotected-subject 0 "$sign" check "$t/open.policy"
contains check-warns-unprotected-subject "$t/err" "open.policy:5: warning: /usr/bin/passwd is named as a subject but any process may write it"
printf 'policy "x"\ngeneration 1\nmode enforce\ndeny capability CAP_SYS_MODULES\n' >"$t/bad.policy"
check check-bad-capability 3 "$sign" check "$t/bad.policy"
contains check-error-names-line "$t/err" "bad.policy:4:"

check seal 0 "$sign" seal --key "$t/k.pem" -o "$t/a.sealed" "$policy"
cp "$t/out" "$t/seal.out"
contains seal-prints-kid "$t/out" "kid:"
contains seal-prints-generation "$t/out" "generation: 3"
check seal-deterministic 0 "$sign" seal --key "$t/k.pem" -o "$t/b.sealed" "$policy"
cmp -s "$t/a.sealed" "$t/b.sealed" && echo "ok   ed25519 seal is byte-identical" || { echo "FAIL two seals differ"; failures=$((failures + 1)); }
check seal-bad-policy 3 "$sign" seal --key "$t/k.pem" -o "$t/c.sealed" "$t/bad.policy"
[ ! -e "$t/c.sealed" ] && echo "ok   no output for a bad policy" || { echo "FAIL output written for a bad policy"; failures=$((failures + 1)); }
check seal-missing-key 1 "$sign" seal --key "$t/nokey.pem" -o "$t/c.sealed" "$policy"

check verify 0 "$sign" verify --trust "$t/p.pem" "$t/a.sealed"
mkdir "$t/trusted.d" && cp "$t/p.pem" "$t/p256.pem" "$t/trusted.d/"
check verify-trust-dir 0 "$sign" verify --trust "$t/trusted.d" "$t/a.sealed"
cp "$t/k.pem" "$t/trusted.d/"
check trust-dir-with-private-key-refused 1 "$sign" verify --trust "$t/trusted.d" "$t/a.sealed"
check verify-untrusted 5 "$sign" verify --trust "$t/p256.pem" "$t/a.sealed"
head -c 200 "$t/a.sealed" >"$t/trunc.sealed"
check verify-truncated 4 "$sign" verify --trust "$t/p.pem" "$t/trunc.sealed"
cp "$t/a.sealed" "$t/flip.sealed"
size=$(stat -c %s "$t/flip.sealed")
off=$((size - 10)) # inside the signature
byte=$(od -An -tu1 -j "$off" -N1 "$t/flip.sealed" | tr -d ' ')
printf "$(printf '\\%03o' $((byte ^ 128)))" | dd of="$t/flip.sealed" bs=1 seek="$off" conv=notrunc 2>/dev/null
check verify-bad-signature 6 "$sign" verify --trust "$t/p.pem" "$t/flip.sealed"
contains verify-names-file "$t/err" "flip.sealed"

check inspect 0 "$sign" inspect "$t/a.sealed"
contains inspect-says-unchecked "$t/out" "not checked"
contains inspect-shows-rules "$t/out" "deny exec fstype tmpfs"
check inspect-json 0 "$sign" inspect --json --trust "$t/p.pem" "$t/a.sealed"
kid=$(sed -n 's/^kid: *//p' "$t/seal.out")
sha=$(sha256sum "$t/a.sealed" | cut -d' ' -f1)
python3 - "$t/out" "$t/a.sealed" "$kid" "$sha" <<'PY' \
	&& echo "ok   inspect --json fields" || { echo "FAIL inspect --json fields"; failures=$((failures + 1)); }
import json, os, sys
out, blob, kid, sha = sys.argv[1:]
d = json.load(open(out))
assert d["file"] == blob and d["size"] == os.path.getsize(blob) and d["sha256"] == sha, d
assert d["status"] == "ok", d
s = d["signature"]
assert s == {"alg": "EdDSA", "cose_alg": -8, "kid": kid, "verification": "ok", "verified": True}, s
p = d["policy"]
assert p["generation"] == 3 and p["mode"] == "enforce" and "deny exec fstype tmpfs" in p["rules"], p
assert p["rule_count"] == len(p["rules"]) and p["text"].startswith('policy "'), p
assert set(p) == {"name", "generation", "mode", "description", "machines", "defaults", "rules", "rule_count", "phases", "text"}, p
assert p["phases"] is None, p
PY
check inspect-json-unchecked 0 "$sign" inspect --json "$t/a.sealed"
python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["signature"]; assert s["verification"]=="not-checked" and not s["verified"], s' "$t/out" \
	&& echo "ok   inspect --json without --trust" || { echo "FAIL inspect --json without --trust"; failures=$((failures + 1)); }
check inspect-untrusted 5 "$sign" inspect --trust "$t/p256.pem" "$t/a.sealed"
check no-subcommand 2 "$sign"

# Executable memory: a schema-2 policy seals and shows its rules; the
# object with another operation is refused naming the line.
printf 'policy "m"\ngeneration 1\nmode enforce\ndeny exec memory except /usr/bin/node\nallow exec memory by /opt/jit\n' >"$t/mem.policy"
check seal-memory 0 "$sign" seal --key "$t/k.pem" -o "$t/mem.sealed" "$t/mem.policy"
check inspect-memory 0 "$sign" inspect "$t/mem.sealed"
contains inspect-shows-memory "$t/out" "deny exec memory except /usr/bin/node"
contains inspect-shows-memory-subject "$t/out" "allow exec memory by /opt/jit"
printf 'policy "m"\ngeneration 1\nmode enforce\ndeny write memory\n' >"$t/badmem.policy"
check check-memory-with-write 3 "$sign" check "$t/badmem.policy"
contains check-memory-names-line "$t/err" "badmem.policy:4:12: error: object 'memory' is not valid for operation write"

# bpf-load: a schema-3 policy seals, check counts the grants and inspect
# shows them; default and deny forms are refused naming the line.
printf 'policy "g"\ngeneration 1\nmode enforce\nlockdown integrity\ndeny write subtree /usr\nallow bpf-load lsm by /usr/lib/systemd/systemd\n' >"$t/grant.policy"
check check-grant 0 "$sign" check "$t/grant.policy"
contains check-grant-summary "$t/out" "1 rules, 1 bpf-load lsm grants"
check seal-grant 0 "$sign" seal --key "$t/k.pem" -o "$t/grant.sealed" "$t/grant.policy"
check inspect-grant 0 "$sign" inspect "$t/grant.sealed"
contains inspect-shows-grant "$t/out" "allow bpf-load lsm by /usr/lib/systemd/systemd"
printf 'policy "g"\ngeneration 1\nmode enforce\ndefault bpf-load deny\n' >"$t/badgrant.policy"
check check-default-bpf-load 3 "$sign" check "$t/badgrant.policy"
contains check-default-bpf-load-names-line "$t/err" "badgrant.policy:4:9: error: 'default bpf-load' is not allowed"
printf 'policy "g"\ngeneration 1\nmode enforce\nallow bpf-load lsm\n' >"$t/nosubject.policy"
check check-bpf-load-without-subject 3 "$sign" check "$t/nosubject.policy"
contains check-bpf-load-names-line "$t/err" "nosubject.policy:4:19: error: 'allow bpf-load lsm' names no subject"

# Boot phases: the Debian example seals (schema 4), inspect shows the phase
# lines and the JSON its phases; a phase rule without seal-after is refused
# with its line, and a writable seal-by program draws a warning.
check check-phases 0 "$sign" check "$src/examples/debian-server-phases.policy"
contains check-phases-summary "$t/out" "boot phase until seal-after 600s or seal-by /usr/lib/bootseal/bootseal-seal"
check check-phases-canonical 0 "$sign" check --canonical "$src/examples/debian-server-phases.policy"
cp "$t/out" "$t/phases-canonical.policy"
check check-phases-canonical-again 0 "$sign" check --canonical "$t/phases-canonical.policy"
cmp -s "$t/out" "$t/phases-canonical.policy" && echo "ok   phased canonical text is a fixed point" ||
	{ echo "FAIL phased canonical text is not a fixed point"; failures=$((failures + 1)); }
check seal-phases 0 "$sign" seal --key "$t/k.pem" -o "$t/phases.sealed" "$src/examples/debian-server-phases.policy"
check inspect-phases 0 "$sign" inspect "$t/phases.sealed"
contains inspect-shows-seal-after "$t/out" "seal-after 600s"
contains inspect-shows-phase-rule "$t/out" "phase boot allow module-load subtree /usr/lib/modules by /usr/bin/udevadm"
check inspect-phases-json 0 "$sign" inspect --json "$t/phases.sealed"
python3 - "$t/out" <<'PY' && echo "ok   inspect --json phases" || { echo "FAIL inspect --json phases"; failures=$((failures + 1)); }
import json, sys
p = json.load(open(sys.argv[1]))["policy"]
assert p["phases"] == {"seal_after_seconds": 600, "seal_by": "/usr/lib/bootseal/bootseal-seal",
                       "running_defaults": {}}, p["phases"]
PY
printf 'policy "p"\ngeneration 1\nmode enforce\nphase running deny write subtree /etc\n' >"$t/nodeadline.policy"
check check-phase-without-deadline 3 "$sign" check "$t/nodeadline.policy"
contains check-phase-without-deadline-says-why "$t/err" "nodeadline.policy:5:1: error: a policy with phases ('phase' on line 4) has no 'seal-after' statement"
printf 'policy "p"\ngeneration 1\nmode enforce\nseal-after 5m\nseal-by /usr/lib/bootseal/bootseal-seal\n' >"$t/writable.policy"
check check-writable-seal-by 0 "$sign" check "$t/writable.policy"
contains check-writable-seal-by-warns "$t/err" "writable.policy:5: warning: /usr/lib/bootseal/bootseal-seal is the seal-by program but any process may write it"
printf 'policy "p"\ngeneration 1\nmode enforce\nseal-after 5m\nphase boot deny write subtree /usr\nphase running deny write subtree /usr\n' >"$t/twice.policy"
check check-rule-in-both-phases 0 "$sign" check "$t/twice.policy"
contains check-rule-in-both-phases-warns "$t/err" "twice.policy:5: warning: this rule and the one on line 6 differ only in their phase"

# package: a Debian package that installs the blob with `bootseal update`,
# read back with dpkg's own tools; its scripts run against a stand-in
# `bootseal` that records what it was asked. Each refusal leaves no file.
unset DEBFULLNAME DEBEMAIL SOURCE_DATE_EPOCH
fails() { echo "FAIL $*"; failures=$((failures + 1)); }
gen=$(sed -n 's/^generation: *//p' "$t/seal.out")
pkg=bootseal-policy-appliance-lockdown
deb="$t/pkg/${pkg}_${gen}_all.deb"
mkdir "$t/pkg" "$t/pkg2" "$t/rej"
check package 0 env SOURCE_DATE_EPOCH=1700000000 "$sign" package --trust "$t/p.pem" --output "$t/pkg" "$t/a.sealed"
[ -f "$deb" ] && echo "ok   package file named PACKAGE_GENERATION_all.deb" || fails "no $deb: $(ls "$t/pkg")"
contains package-prints-path "$t/out" "$deb"
contains package-prints-kid "$t/out" "kid:        $kid"
contains package-prints-sha256 "$t/out" "sha256:     $sha"
contains package-says-verified "$t/out" "signature:  verified against $t/p.pem"
check package-unverified 0 env SOURCE_DATE_EPOCH=1700000000 "$sign" package -o "$t/pkg2" "$t/a.sealed"
contains package-says-not-verified "$t/out" "not checked (no --trust given)"
cmp -s "$deb" "$t/pkg2/${deb##*/}" && echo "ok   the same blob and SOURCE_DATE_EPOCH make the same .deb" ||
	fails "two packages of one blob and one SOURCE_DATE_EPOCH differ"
check package-same-file-again 0 env SOURCE_DATE_EPOCH=1700000000 "$sign" package -o "$t/pkg" "$t/a.sealed"
contains package-same-file-unchanged "$t/out" "unchanged"
cp "$deb" "$t/deb.before"
check package-refuses-other-contents 3 env SOURCE_DATE_EPOCH=1700000001 "$sign" package -o "$t/pkg" "$t/a.sealed"
contains package-refusal-names-file "$t/err" "$deb: exists with other contents"
cmp -s "$deb" "$t/deb.before" && [ "$(ls -A "$t/pkg")" = "${deb##*/}" ] &&
	echo "ok   the refused package left the file and the directory as they were" || fails "refusal changed $t/pkg: $(ls -A "$t/pkg")"
check package-force 0 env SOURCE_DATE_EPOCH=1700000001 "$sign" package --force -o "$t/pkg" "$t/a.sealed"
cmp -s "$deb" "$t/deb.before" && fails "--force did not replace $deb" || echo "ok   --force replaces the file"
check package-force-back 0 env SOURCE_DATE_EPOCH=1700000000 "$sign" package --force -o "$t/pkg" "$t/a.sealed"
cmp -s "$deb" "$t/deb.before" || fails "the package made again differs"

check package-truncated 4 "$sign" package -o "$t/rej" "$t/trunc.sealed"
check package-bad-signature 6 "$sign" package --trust "$t/p.pem" -o "$t/rej" "$t/flip.sealed"
check package-untrusted 5 "$sign" package --trust "$t/p256.pem" -o "$t/rej" "$t/a.sealed"
check package-bad-name 2 "$sign" package --name Bad_Name -o "$t/rej" "$t/a.sealed"
contains package-bad-name-says-why "$t/err" "--name: package name 'Bad_Name': must start with a lower-case letter or a digit"
check package-name-leading-dash 2 "$sign" package --name=-x -o "$t/rej" "$t/a.sealed"
check package-bad-epoch 2 env SOURCE_DATE_EPOCH=yesterday "$sign" package -o "$t/rej" "$t/a.sealed"
contains package-bad-epoch-says-why "$t/err" "SOURCE_DATE_EPOCH='yesterday': not a decimal number"
check package-bad-maintainer 2 "$sign" package --maintainer nobody -o "$t/rej" "$t/a.sealed"
check package-missing-blob 1 "$sign" package -o "$t/rej" "$t/none.sealed"
check package-missing-dir 1 "$sign" package -o "$t/nodir" "$t/a.sealed"
[ -z "$(ls -A "$t/rej")" ] && [ ! -e "$t/nodir" ] && echo "ok   no refused package left a file" ||
	fails "refused packages left: $(ls -A "$t/rej")"
check package-name-and-maintainer 0 env DEBFULLNAME="Policy Team" DEBEMAIL=policy@example.org \
	"$sign" package --name site-lockdown -o "$t/pkg2" "$t/a.sealed"
[ -f "$t/pkg2/site-lockdown_${gen}_all.deb" ] && echo "ok   --name names the package" || fails "--name: $(ls "$t/pkg2")"
check package-help 0 "$sign" package --help
contains package-help-names-epoch "$t/out" "SOURCE_DATE_EPOCH"

if command -v dpkg-deb >/dev/null; then
	check dpkg-deb-info 0 dpkg-deb --info "$deb"
	contains dpkg-deb-info-package "$t/out" "^ Package: $pkg\$"
	contains dpkg-deb-info-pre-depends "$t/out" "^ Pre-Depends: bootseal (>= 0.2.0)\$"
	contains dpkg-deb-info-arch "$t/out" "^ Architecture: all\$"
	contains dpkg-deb-info-kid "$t/out" "^   $kid\$"
	contains dpkg-deb-info-sha256 "$t/out" "^   $sha\$"
	[ "$(dpkg-deb --field "$deb" Version)" = "$gen" ] && echo "ok   Version is the generation" ||
		fails "Version '$(dpkg-deb --field "$deb" Version)', generation $gen"
	[ "$(dpkg-deb --field "$t/pkg2/site-lockdown_${gen}_all.deb" Package)" = site-lockdown ] &&
		[ "$(dpkg-deb --field "$t/pkg2/site-lockdown_${gen}_all.deb" Maintainer)" = "Policy Team <policy@example.org>" ] &&
		echo "ok   --name and DEBFULLNAME/DEBEMAIL fill Package and Maintainer" || fails "Package/Maintainer of --name"
	check dpkg-deb-contents 0 dpkg-deb --contents "$deb"
	awk '{ print $1, $2, $NF }' "$t/out" >"$t/listing"
	cat >"$t/want-listing" <<-EOF
		drwxr-xr-x root/root ./
		drwxr-xr-x root/root ./var/
		drwxr-xr-x root/root ./var/lib/
		drwxr-xr-x root/root ./var/lib/bootseal/
		drwxr-xr-x root/root ./var/lib/bootseal/packages/
		-rw-r--r-- root/root ./var/lib/bootseal/packages/$pkg.sealed
	EOF
	cmp -s "$t/listing" "$t/want-listing" && echo "ok   data: the blob under /var/lib/bootseal/packages, nothing else" ||
		{ fails "dpkg-deb --contents:"; diff "$t/want-listing" "$t/listing"; }
	contains dpkg-deb-contents-date "$t/out" " 2023-11-14 "
	check dpkg-deb-extract 0 dpkg-deb -x "$deb" "$t/x"
	cmp -s "$t/x/var/lib/bootseal/packages/$pkg.sealed" "$t/a.sealed" && echo "ok   the package carries the blob as sealed" ||
		fails "extracted blob differs"
	check dpkg-deb-control 0 dpkg-deb --control "$deb" "$t/c"
	[ "$(ls "$t/c" | tr '\n' ' ')" = "control md5sums postinst preinst " ] && echo "ok   control: no prerm, no postrm" ||
		fails "control members: $(ls "$t/c")"
	[ "$(stat -c %a "$t/c/preinst" "$t/c/postinst" | tr '\n' ' ')" = "755 755 " ] && echo "ok   scripts are 0755" ||
		fails "script modes $(stat -c %a "$t/c/preinst" "$t/c/postinst")"
	(cd "$t/x" && md5sum --quiet -c "$t/c/md5sums") && echo "ok   md5sums match" || fails "md5sums"
	for s in preinst postinst; do
		sh -n "$t/c/$s" && echo "ok   $s: sh -n" || fails "$s: sh -n"
		if command -v shellcheck >/dev/null; then
			shellcheck "$t/c/$s" && echo "ok   $s: shellcheck" || fails "$s: shellcheck"
		fi
	done
	sed -n "/<<'BOOTSEAL_BLOB'/,/^BOOTSEAL_BLOB\$/p" "$t/c/preinst" | sed '1d;$d' | base64 -d >"$t/embedded"
	cmp -s "$t/embedded" "$t/a.sealed" && echo "ok   the preinst's base64 is the sealed blob" ||
		fails "the preinst's embedded blob differs"

	# The scripts against a stand-in bootseal: what it is asked, and its status passed on.
	mkdir "$t/bin"
	cat >"$t/bin/bootseal" <<-'EOF'
		#!/bin/sh
		echo "$*" >>"$STUB_LOG"
		if [ "$1 $2" = "update --check" ]; then cat >"$STUB_LOG.stdin"; fi
		[ "$STUB_RC" -eq 0 ] || echo "bootseal: /dev/vda1: refused: generation 2 is below the partition's rollback floor 3; nothing was written" >&2
		exit "$STUB_RC"
	EOF
	chmod +x "$t/bin/bootseal"
	run_script() { # NAME RC STUB_RC SCRIPT ARGS...
		n=$1 want=$2 stub=$3 script=$4
		shift 4
		rm -f "$t/stub.log" "$t/stub.log.stdin"
		check "$n" "$want" env PATH="$t/bin:$PATH" STUB_LOG="$t/stub.log" STUB_RC="$stub" sh "$t/c/$script" "$@"
	}
	run_script preinst-install 0 0 preinst install
	[ "$(cat "$t/stub.log")" = "update --check -" ] && cmp -s "$t/stub.log.stdin" "$t/a.sealed" &&
		echo "ok   preinst install: bootseal update --check - reads the blob" || fails "preinst install asked: $(cat "$t/stub.log")"
	run_script preinst-upgrade 0 0 preinst upgrade 2
	[ "$(cat "$t/stub.log")" = "update --check -" ] || fails "preinst upgrade asked: $(cat "$t/stub.log")"
	run_script preinst-refused 3 3 preinst install
	contains preinst-refused-passes-the-reason "$t/err" "bootseal: /dev/vda1: refused: generation 2"
	contains preinst-refused-one-line "$t/err" "^$pkg: refused by this machine: see the message above; nothing was changed\$"
	run_script preinst-untrusted 4 4 preinst upgrade 2
	run_script preinst-abort-upgrade 0 3 preinst abort-upgrade 4
	[ ! -e "$t/stub.log" ] && echo "ok   preinst abort-upgrade does nothing" || fails "preinst abort-upgrade ran bootseal"
	run_script postinst-configure 0 0 postinst configure 2
	[ "$(cat "$t/stub.log")" = "update --trigger /var/lib/bootseal/packages/$pkg.sealed" ] &&
		echo "ok   postinst configure: bootseal update --trigger" || fails "postinst configure asked: $(cat "$t/stub.log")"
	run_script postinst-configure-fails 1 1 postinst configure
	run_script postinst-abort-remove 0 1 postinst abort-remove
	[ ! -e "$t/stub.log" ] && echo "ok   postinst abort-remove does nothing" || fails "postinst abort-remove ran bootseal"
else
	echo "skip dpkg-deb is not installed: the package is not read back (install dpkg)"
fi

if command -v apt-ftparchive >/dev/null; then
	(cd "$t/pkg" && apt-ftparchive packages .) >"$t/Packages" 2>"$t/err" && echo "ok   apt-ftparchive packages" ||
		fails "apt-ftparchive: $(cat "$t/err")"
	contains apt-ftparchive-package "$t/Packages" "^Package: $pkg\$"
	contains apt-ftparchive-version "$t/Packages" "^Version: $gen\$"
	contains apt-ftparchive-pre-depends "$t/Packages" "^Pre-Depends: bootseal (>= 0.2.0)\$"
else
	echo "skip apt-ftparchive is not installed: the package is not indexed (install apt-utils)"
fi

echo "$failures failures"
[ "$failures" -eq 0 ]

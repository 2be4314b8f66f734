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

echo "$failures failures"
[ "$failures" -eq 0 ]

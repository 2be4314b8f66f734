#!/bin/sh
# bpf-exits.sh: the enforcer object has no negation (BPF_NEG).
#
# Usage: tests/enforcer/bpf-exits.sh OBJDUMP BOOTSEAL_BPF_O
#
# From 6.12 the verifier bounds what a BPF LSM program returns to
# [-MAX_ERRNO, 0] at every exit, and it does not track the range of a
# negation: `deny ? -EPERM : 0` compiled to -deny (EPERM is 1) made 6.12
# refuse 28 of the programs, while 6.1, which checks no return range, loaded
# them. CI boots 6.1 only, so this reads the compiled object instead: a
# negation anywhere is reported (enforcer/bootseal.bpf.c, eperm();
# docs/ENFORCER.md, "Kernels"). Exit 0 none, 1 found, 77 no objdump.
set -eu
objdump=$1
obj=$2
command -v "$objdump" >/dev/null 2>&1 || { echo "SKIP: no $objdump"; exit 77; }
out=$("$objdump" -d --no-show-raw-insn "$obj" | awk '
	/^Disassembly of section/ { sec = $4 }
	/^[0-9a-f]+ <[^>]*>:$/ && $2 !~ /^<LBB/ { fn = $2 }
	/[[:space:]][rw][0-9]+ = -[rw][0-9]+$/ { sub(/^[[:space:]]+/, ""); print sec, fn, $0 }')
if [ -n "$out" ]; then
	echo "negations in $obj (the 6.12 verifier cannot bound a return value computed so):"
	printf '%s\n' "$out"
	exit 1
fi
n=$("$objdump" -d --no-show-raw-insn "$obj" | grep -c 'exit$' || :)
echo "no negation in $obj ($n exits)"

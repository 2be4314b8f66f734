#!/usr/bin/env python3
# bpf-stack.py: the enforcer's deepest call chain fits the verifier's
# 512-byte stack.
#
# Usage: tests/enforcer/bpf-stack.py OBJDUMP BOOTSEAL_BPF_O
#
# The verifier adds up the stack frames along every call chain of a program
# (a bpf_loop callback counts as called from the function that passes it),
# each frame rounded up to 32 bytes, and refuses the program when a chain
# passes 512 bytes. Refused programs stop an enforce-mode boot, and the
# frames are clang's choice: a new local, or another clang, can push a chain
# over without a line of the chain changing. This reads the compiled object:
# a frame is the deepest r10 offset its function uses, directly or through a
# register copied from r10 and moved by constants (a pointer spilled to the
# stack and read back is not followed: the VM scenarios, which load the
# object, remain the proof). It prints the
# deepest chains and fails when one passes 512 bytes, or when a function
# reads as no instructions or a call or callback address cannot be placed
# (docs/ENFORCER.md, "Kernels"). Exit 0 fits, 1 does not, 77 no objdump.
import re
import shutil
import subprocess
import sys

LIMIT = 512


def run(objdump, *args):
    return subprocess.run([objdump, *args], capture_output=True, text=True, check=True).stdout


def main():
    objdump, obj = sys.argv[1], sys.argv[2]
    if not shutil.which(objdump):
        print(f"SKIP: no {objdump}")
        return 77
    # Functions: (name, section, first instruction, instruction count).
    funcs = []
    for line in run(objdump, "-t", obj).splitlines():
        m = re.match(r"^([0-9a-f]+)\s+\S+\s+F\s+(\S+)\s+([0-9a-f]+)\s+(\S+)$", line)
        if m:
            funcs.append((m.group(4), m.group(2), int(m.group(1), 16) // 8, int(m.group(3), 16) // 8))
    # Instructions per section: index -> [bytes, text, relocation].
    insns, sec, last = {}, None, None
    for line in run(objdump, "-d", "-r", obj).splitlines():
        m = re.match(r"^Disassembly of section (\S+):", line)
        if m:
            sec = m.group(1)
            insns[sec] = {}
            continue
        m = re.match(r"^\s+([0-9]+):\s+((?:[0-9a-f]{2}\s){8})\s*(.*)$", line)
        if m and sec:
            idx = int(m.group(1))
            insns[sec][idx] = [bytes.fromhex(re.sub(r"\s", "", m.group(2))), m.group(3), None]
            last = (sec, idx)
            continue
        m = re.match(r"^\s+[0-9a-f]+:\s+(R_BPF_\S+)\s+(\S+)", line)
        if m and last:
            insns[last[0]][last[1]][2] = (m.group(1), m.group(2))

    def func_at(section, idx):
        for name, fsec, start, count in funcs:
            if fsec == section and start <= idx < start + count:
                return name
        return None

    names = {f[0] for f in funcs}
    frames, calls, unresolved = {}, {}, []
    for name, fsec, start, count in funcs:
        if not any(i in insns.get(fsec, {}) for i in range(start, start + count)):
            print(f"{name}: no instruction of it could be read from the disassembly")
            unresolved.append(name)
        depth, callees, stack = 0, set(), {}  # stack: register -> its offset from r10
        for i in range(start, start + count):
            if i not in insns.get(fsec, {}):
                continue
            raw, text, reloc = insns[fsec][i]
            for m in re.finditer(r"r10 - (0x[0-9a-f]+|\d+)\)", text):
                depth = max(depth, int(m.group(1), 0))
            # Stack pointers in registers: copies of r10 and of each other,
            # moved by constants. An access through one counts at its
            # offset (read before the instruction changes the register).
            for reg, off in stack.items():
                for m in re.finditer(r"\(r" + reg + r" ([+-]) (0x[0-9a-f]+|\d+)\)", text):
                    at = off + (int(m.group(2), 0) if m.group(1) == "+" else -int(m.group(2), 0))
                    depth = max(depth, -at)
            copy = re.match(r"^r(\d+) = r(\d+)$", text)
            move = re.match(r"^r(\d+) ([+-])= (-?(?:0x[0-9a-f]+|\d+))$", text)
            written = re.match(r"^[rw](\d+) ", text)
            if copy and (copy.group(2) == "10" or copy.group(2) in stack):
                stack[copy.group(1)] = 0 if copy.group(2) == "10" else stack[copy.group(2)]
            elif move and move.group(1) in stack:
                step = int(move.group(3), 0)
                stack[move.group(1)] += step if move.group(2) == "+" else -step
            elif written:
                stack.pop(written.group(1), None)
            elif text.startswith("call"):
                for r in ("0", "1", "2", "3", "4", "5"):
                    stack.pop(r, None)
            for off in stack.values():
                depth = max(depth, -off)
            imm = int.from_bytes(raw[4:8], "little", signed=True)
            call = raw[0] == 0x85 and (raw[1] >> 4) == 1      # BPF_PSEUDO_CALL
            address = raw[0] == 0x18 and (raw[1] >> 4) == 4   # BPF_PSEUDO_FUNC (a callback)
            if not call and not address:
                continue
            if reloc and reloc[1] in names:
                callee = reloc[1]  # a global function, by its symbol
            elif reloc and reloc[1] == ".text":
                callee = func_at(".text", imm + 1 if call else imm // 8)
            elif not reloc and call:
                callee = func_at(fsec, i + imm + 1)  # a call within the section
            else:
                callee = None
            if not callee:
                print(f"{name}: instruction {i} calls or takes the address of code this check cannot find")
                unresolved.append(name)
                continue
            callees.add(callee)
        frames[name], calls[name] = depth, callees

    def rounded(n):
        return (max(n, 1) + 31) // 32 * 32

    def deepest(name, seen):
        best = (0, [])
        for c in calls[name]:
            if c not in seen:
                got = deepest(c, seen | {name})
                if got[0] > best[0]:
                    best = got
        return rounded(frames[name]) + best[0], [f"{name} {frames[name]}"] + best[1]

    chains = sorted(((*deepest(n, frozenset()), s) for n, s, _, _ in funcs if s != ".text"), reverse=True)
    if not chains:
        print(f"no programs found in {obj}")
        return 1
    for total, chain, section in chains[:5]:
        print(f"{total:4d} bytes  {section}: {' -> '.join(chain)}")
    if unresolved:
        print("the disassembly was not understood; the frame sums above may be short")
        return 1
    over = [c for c in chains if c[0] > LIMIT]
    if over:
        print(f"{len(over)} program(s) pass the verifier's {LIMIT}-byte stack; the deepest is shown first")
        return 1
    print(f"every program fits the verifier's {LIMIT}-byte stack ({LIMIT - chains[0][0]} bytes spare)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

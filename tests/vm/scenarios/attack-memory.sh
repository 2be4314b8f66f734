# attack-memory: under `deny exec memory`, on a dracut boot with the policy
# from the partition, a root shell's program cannot run code no file
# backs: anonymous RWX mappings, mprotect of written memory to RX, a
# private or shared RWX file mapping, a shared RWX mapping of /dev/zero, patching its own code through /proc/self/mem,
# a memfd mapped executable or executed, SysV shm attached SHM_EXEC, ptrace
# attach (POKETEXT) and process_vm_writev into another process; and the
# routes no mmap hook sees: heap growth through brk() after
# personality(READ_IMPLIES_EXEC) (the brk fails), SysV shm attached under
# READ_IMPLIES_EXEC without SHM_EXEC, a static program linked with
# `-z execstack` (the exec's stack is executable: the process is killed
# before its code runs), and dlopen of an exec-stack library (glibc's
# mprotect of the stack is refused). The same for a 32-bit (ia32)
# program: brk after personality(READ_IMPLIES_EXEC), `-z execstack`, and no
# PT_GNU_STACK at all (READ_IMPLIES_EXEC from exec). The twin:
# the program the policy names in `allow exec memory by` does all of it,
# and programs that need no executable memory (a dynamic `true`, the
# busybox shell) run normally.
. "$VM_SOURCE_ROOT/tests/vm/enforcer-lib.sh"
. "$VM_SOURCE_ROOT/tests/vm/dracut-lib.sh"
. "$VM_SOURCE_ROOT/tests/vm/attack-lib.sh"

enf_guest_tree "$VM_WORK/tree"
atk_programs "$VM_WORK/tree"
mkdir -p "$VM_WORK/tree/usr/lib/jit"
cp "$VM_WORK/tree/opt/tools/bs-attack" "$VM_WORK/tree/usr/lib/jit/bs-attack"
# PT_GNU_STACK RWX: a static program and a library that ask for an
# executable stack.
gcc -O2 -Wall -Werror -static -z execstack -o "$VM_WORK/tree/opt/tools/bs-execstack" \
	"$VM_SOURCE_ROOT/tests/vm/programs/bs-execstack.c" || _vm_die "cannot build bs-execstack"
gcc -O2 -Wall -Werror -shared -fPIC -z execstack -o "$VM_WORK/tree/usr/lib/jit/libexecstack.so" \
	"$VM_SOURCE_ROOT/tests/vm/programs/bs-execstack-lib.c" || _vm_die "cannot build bs-execstack-lib"
for f in opt/tools/bs-execstack usr/lib/jit/libexecstack.so; do
	readelf -lW "$VM_WORK/tree/$f" | grep -qE 'GNU_STACK .* RWE ' ||
		_vm_die "$f does not ask for an executable stack"
done
cp "$VM_WORK/tree/opt/tools/bs-execstack" "$VM_WORK/tree/usr/lib/jit/bs-execstack"
# The 32-bit program: no 32-bit C library needed. -legacy has no
# PT_GNU_STACK (patched to PT_NULL), which an ia32 exec reads as
# READ_IMPLIES_EXEC.
m32="-m32 -nostdlib -static -no-pie -fno-pie -ffreestanding -fno-stack-protector -O1 -Wall -Werror"
src32=$VM_SOURCE_ROOT/tests/vm/programs/bs-mem32.c
# shellcheck disable=SC2086
gcc $m32 -Wl,-z,noexecstack -o "$VM_WORK/tree/opt/tools/bs-mem32" "$src32" &&
	gcc $m32 -Wl,-z,execstack -o "$VM_WORK/tree/opt/tools/bs-mem32-xstack" "$src32" ||
	_vm_die "cannot build bs-mem32 (gcc -m32)"
cp "$VM_WORK/tree/opt/tools/bs-mem32" "$VM_WORK/tree/opt/tools/bs-mem32-legacy"
python3 - "$VM_WORK/tree/opt/tools/bs-mem32-legacy" <<'EOF_PY' || _vm_die "cannot patch bs-mem32-legacy"
import struct, sys
path = sys.argv[1]
b = bytearray(open(path, "rb").read())
assert b[:4] == b"\x7fELF" and b[4] == 1, "not a 32-bit ELF file"
phoff = struct.unpack_from("<I", b, 28)[0]
phentsize, phnum = struct.unpack_from("<HH", b, 42)
stacks = [phoff + i * phentsize for i in range(phnum)
          if struct.unpack_from("<I", b, phoff + i * phentsize)[0] == 0x6474E551]
assert len(stacks) == 1, "expected one PT_GNU_STACK"
struct.pack_into("<I", b, stacks[0], 0)
open(path, "wb").write(b)
EOF_PY
readelf -lW "$VM_WORK/tree/opt/tools/bs-mem32-legacy" | grep -q GNU_STACK && _vm_die "bs-mem32-legacy still has PT_GNU_STACK"
for f in bs-mem32 bs-mem32-xstack bs-mem32-legacy; do
	cp "$VM_WORK/tree/opt/tools/$f" "$VM_WORK/tree/usr/lib/jit/$f"
done

# The JIT is dynamically linked: it holds its subject only while ld.so,
# libc and its own directory are write-protected (docs/POLICY.md,
# "Subject integrity").
blob=$(dr_policy vm-attack-memory 2 \
	'deny exec memory' \
	'allow exec memory by /usr/lib/jit/bs-attack' \
	'allow exec memory by /usr/lib/jit/bs-execstack' \
	'allow exec memory by /usr/lib/jit/bs-mem32' \
	'allow exec memory by /usr/lib/jit/bs-mem32-xstack' \
	'allow exec memory by /usr/lib/jit/bs-mem32-legacy' \
	'deny write subtree /lib' \
	'deny write subtree /lib64' \
	'deny write subtree /usr/lib/jit')
dr_partition "$VM_WORK/part.img" "$blob"

# The signer names the feature and the schema it needs.
"$ENF_SIGN" inspect "$blob" >"$VM_WORK/inspect.txt" 2>&1 || true
grep -q 'deny exec memory$' "$VM_WORK/inspect.txt" ||
	{ cat "$VM_WORK/inspect.txt" >&2; _vm_die "bootseal-sign inspect does not show 'deny exec memory'"; }
grep -q 'allow exec memory by /usr/lib/jit/bs-attack$' "$VM_WORK/inspect.txt" ||
	_vm_die "bootseal-sign inspect does not show the exception"
_vm_say "ok: bootseal-sign inspect shows the memory rules"

cat >"$VM_WORK/init" <<'EOF_INIT'
#!/bin/sh
. /lib/vm-test.sh
say "init ran"
J=/usr/lib/jit/bs-attack
T=/opt/tools/bs-attack
for who in plain jit; do
	P=$T
	[ $who = jit ] && P=$J
	try $who-anon-rwx $P anon-rwx
	try $who-anon-rx-uffd $P anon-rx-uffd
	try $who-mprotect-rx $P mprotect-rx
	try $who-file-rwx $P file-rwx /tmp/code-$who
	try $who-shared-rwx $P shared-rwx /tmp/shared-$who
	# A node of /dev/zero where exec is not refused by the mount (/dev
	# is noexec here).
	mknod /tmp/zero-$who c 1 5
	try $who-devzero-rwx $P devzero-rwx /tmp/zero-$who
	try $who-procmem $P procmem
	try $who-memfd-mmap $P memfd-mmap
	try $who-memfd-exec $P memfd-exec /opt/ok/busybox true
	try $who-shm-exec $P shm-exec
	try $who-brk-exec $P brk-exec
	try $who-shm-rie $P shm-rie
	try $who-dlopen-execstack $P dlopen /usr/lib/jit/libexecstack.so
	$T sleep &
	TP=$!
	sleep 1
	try $who-attach $P attach $TP
	try $who-vmwrite $P vmwrite $TP
	kill $TP
done
try dynamic-true /opt/ok/true
try plain-execstack /opt/tools/bs-execstack
try jit-execstack /usr/lib/jit/bs-execstack
for who in plain jit; do
	D=/opt/tools
	[ $who = jit ] && D=/usr/lib/jit
	try $who-32-run $D/bs-mem32
	try $who-32-brk $D/bs-mem32 brk
	try $who-32-xstack $D/bs-mem32-xstack stack
	try $who-32-legacy $D/bs-mem32-legacy stack
done
# prctl(PR_SET_MM_EXE_FILE) would make any file "the program exec mapped".
try setexe $T setexe /opt/ok/true
echo >/tmp/plain
try plain-write $T write /tmp/plain ok
try shell sh -c 'echo ok >/tmp/shell'
bootseal audit | grep -E 'memory \(' | sed 's/^/TEST: audit: /'
finish
EOF_INIT
disk=$(atk_disk)
initrd=$(dr_initramfs "$(dr_etc)")

log=$VM_WORK/console.log
vm_boot --initrd "$initrd" --disk "$disk" --log "$log" --timeout 500
vm_expect "$log" "bootseal: policy 'vm-attack-memory' generation 2 in force, enforce mode" "the policy is in force"
for r in anon-rwx anon-rx-uffd mprotect-rx file-rwx shared-rwx devzero-rwx procmem memfd-mmap memfd-exec shm-exec attach vmwrite \
	brk-exec shm-rie dlopen-execstack; do
	vm_expect "$log" "^TEST: plain-$r rc=1\$" "$r: refused to a program without exec memory"
	vm_expect "$log" "^TEST: jit-$r rc=0\$" "$r: works for the program allowed exec memory"
done
vm_expect "$log" '^TEST: plain-anon-rwx out=mmap rwx: Operation not permitted' "the refusal is the enforcer's EPERM"
vm_expect "$log" '^TEST: plain-anon-rx-uffd out=mmap rx: Operation not permitted' \
	"an anonymous RX mapping (never writable, filled by userfaultfd) is refused at mmap"
vm_expect "$log" '^TEST: dynamic-true rc=0$' "a dynamically linked program runs"
vm_expect "$log" '^TEST: plain-brk-exec out=brk: Cannot allocate memory' \
	"brk under READ_IMPLIES_EXEC fails (ENOMEM), no executable heap"
vm_expect "$log" '^TEST: plain-shm-rie out=shmat: Operation not permitted' \
	"shmat under READ_IMPLIES_EXEC is refused"
vm_expect "$log" '^TEST: plain-dlopen-execstack out=dlopen: .*cannot enable executable stack.*Operation not permitted' \
	"glibc's mprotect of the stack for an exec-stack library is refused"
# Past exec's point of no return a failed mapping is a SIGSEGV (128 + 11).
vm_expect "$log" '^TEST: plain-execstack rc=139$' "the exec-stack program is killed at exec"
vm_expect "$log" '^TEST: jit-execstack rc=0$' "the exec-stack program allowed exec memory runs code on its stack"
vm_expect "$log" '^TEST: plain-32-run rc=0$' "a 32-bit program that needs no executable memory runs"
vm_expect "$log" '^TEST: plain-32-brk rc=1$' "32-bit: brk under READ_IMPLIES_EXEC does not grow the heap"
vm_expect "$log" '^TEST: plain-32-brk out=brk: the heap did not grow$' "(the program says so)"
vm_expect "$log" '^TEST: plain-32-xstack rc=139$' "32-bit: the -z execstack program is killed at exec"
vm_expect "$log" '^TEST: plain-32-legacy rc=139$' "32-bit: the program without PT_GNU_STACK (READ_IMPLIES_EXEC) is killed at exec"
for r in run brk xstack legacy; do
	vm_expect "$log" "^TEST: jit-32-$r rc=0\$" "32-bit $r: works for the program allowed exec memory"
done
vm_expect "$log" '^TEST: setexe out=prctl PR_SET_MM_EXE_FILE: Operation not permitted' "PR_SET_MM_EXE_FILE is refused"
vm_expect "$log" '^TEST: plain-write rc=0$' "the program without exec memory runs normally"
vm_expect "$log" '^TEST: shell rc=0$' "the shell runs"
for m in 'anonymous' 'writable file mapping' 'shared memory' '/proc/PID/mem write' 'ptrace attach' 'executable heap'; do
	vm_expect "$log" "^TEST: audit: .* denied exec memory \\($m\\) by pid [0-9]+ \\(bs-attack, subject 0\\): deny rule 3\$" \
		"bootseal audit shows the refused route: memory ($m)"
done
vm_expect "$log" "^TEST: audit: .* denied exec memory \\(executable stack\\) by pid [0-9]+ \\(bs-execstack, subject 0\\): deny rule 3\$" \
	"bootseal audit shows the refused route: memory (executable stack)"
vm_expect "$log" '^TEST: init done$' "init ran to its end"

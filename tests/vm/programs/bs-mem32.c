// SPDX-License-Identifier: GPL-2.0-only
/*
 * bs-mem32: attack-memory's routes for a 32-bit (ia32) process. Built with
 * `gcc -m32 -nostdlib -static -ffreestanding` (no 32-bit C library needed:
 * it makes its system calls with int $0x80), in three variants that differ
 * only in PT_GNU_STACK: non-executable, executable (`-z execstack`), and
 * none at all, which the kernel reads as READ_IMPLIES_EXEC for an ia32
 * program (every readable mapping executable, the stack included).
 *
 *   bs-mem32            exit 0 (the program ran)
 *   bs-mem32 stack      run code written into a buffer on the stack;
 *                       exit 0 when it ran (killed when the stack is not
 *                       executable)
 *   bs-mem32 brk        personality(READ_IMPLIES_EXEC), grow the heap with
 *                       brk, write code to the new page, run it; exit 0
 *                       when it ran, 1 when brk refused to grow the heap
 */

/* i386 system call numbers. */
#define NR_EXIT 1
#define NR_WRITE 4
#define NR_BRK 45
#define NR_PERSONALITY 136
#define READ_IMPLIES_EXEC 0x0400000

static long sys3(long nr, long a, long b, long c)
{
	long r;

	__asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
	return r;
}

static void say(const char *s)
{
	long n = 0;

	while (s[n])
		n++;
	sys3(NR_WRITE, 1, (long)s, n);
}

static __attribute__((noreturn)) void leave(int code)
{
	for (;;)
		sys3(NR_EXIT, code, 0, 0);
}

/* mov eax, 42; ret */
static const unsigned char code[] = { 0xb8, 0x2a, 0x00, 0x00, 0x00, 0xc3 };

static int run_at(unsigned char *p)
{
	int (*fn)(void);
	int i;

	for (i = 0; i < (int)sizeof(code); i++)
		p[i] = code[i];
	__asm__ volatile("" : : "r"(p) : "memory");
	fn = (int (*)(void))(void *)p;
	return fn();
}

static int streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

__attribute__((used)) static void cmain(long *sp)
{
	long argc = sp[0];
	char **argv = (char **)(sp + 1);

	if (argc < 2)
		leave(0);
	if (streq(argv[1], "stack")) {
		unsigned char buf[64];

		if (run_at(buf) != 42)
			leave(1);
		say("code on the stack ran\n");
		leave(0);
	}
	if (streq(argv[1], "brk")) {
		long cur, grown;

		sys3(NR_PERSONALITY, READ_IMPLIES_EXEC, 0, 0);
		cur = sys3(NR_BRK, 0, 0, 0);
		grown = sys3(NR_BRK, cur + 4096, 0, 0);
		if (grown < cur + 4096) {
			say("brk: the heap did not grow\n");
			leave(1);
		}
		if (run_at((unsigned char *)cur) != 42)
			leave(1);
		say("code on the heap ran\n");
		leave(0);
	}
	say("usage: bs-mem32 [stack|brk]\n");
	leave(2);
}

/* The entry point: the stack pointer points at argc. */
__asm__(".globl _start\n"
	"_start:\n"
	"	mov %esp, %eax\n"
	"	and $-16, %esp\n"
	"	sub $12, %esp\n"
	"	push %eax\n"
	"	call cmain\n");

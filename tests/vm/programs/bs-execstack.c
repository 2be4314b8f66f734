// SPDX-License-Identifier: GPL-2.0-only
/*
 * bs-execstack: the guest-side program of attack-memory's exec-stack route.
 * Linked statically with `-z execstack` (PT_GNU_STACK RWX), so that exec
 * itself gives it an executable stack; it writes code into a buffer on its
 * stack and runs it. Exits 0 when the code ran, 1 otherwise; killed when
 * the stack is not executable.
 */
#include <stdio.h>
#include <string.h>

/* mov eax, 42; ret */
static const unsigned char code[] = { 0xb8, 0x2a, 0x00, 0x00, 0x00, 0xc3 };

int main(void)
{
	unsigned char buf[64];
	int (*fn)(void);
	int v;

	memcpy(buf, code, sizeof(code));
	__asm__ volatile("" : : "r"(buf) : "memory");
	fn = (int (*)(void))(void *)buf;
	v = fn();
	printf("code on the stack returned %d\n", v);
	return v == 42 ? 0 : 1;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * bs-execstack-lib: a shared library linked with `-z execstack`: loading it
 * makes glibc's ld.so mprotect the process's stacks PROT_EXEC.
 */
int bs_execstack_lib(void)
{
	return 42;
}

// SPDX-License-Identifier: GPL-2.0-only
// bs-true: the small static program bs-bench-ops execs (glibc, linked
// statically: its start-up is that of any static program).
int main(void)
{
	return 0;
}

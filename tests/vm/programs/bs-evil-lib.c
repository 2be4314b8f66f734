// SPDX-License-Identifier: GPL-2.0-only
/*
 * A library an attacker puts in /tmp and has a subject load (LD_PRELOAD,
 * LD_LIBRARY_PATH, LD_AUDIT, /etc/ld.so.preload, dlopen). Its constructor
 * tries the subject's privilege at once: it appends "ctor" to the file
 * named by BS_EVIL_FILE, and "fdctor" to the descriptor BS_EVIL_FD that
 * the subject opened before it loaded the library.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

unsigned int la_version(unsigned int v) { return v; }

__attribute__((constructor)) static void grab(void)
{
	const char *f = getenv("BS_EVIL_FILE");
	const char *inherited = getenv("BS_EVIL_FD");
	int fd;

	if (inherited && write(atoi(inherited), "fdctor\n", 7) == 7)
		write(2, "evil-ctor: wrote through the subject's descriptor\n", 51);

	if (!f)
		return;
	fd = open(f, O_WRONLY | O_APPEND);
	if (fd >= 0) {
		if (write(fd, "ctor\n", 5) == 5)
			write(2, "evil-ctor: wrote\n", 17);
		close(fd);
	} else {
		write(2, "evil-ctor: refused\n", 19);
	}
}

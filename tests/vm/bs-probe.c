// SPDX-License-Identifier: GPL-2.0-only
// bs-probe: the system calls the enforcer scenarios need and busybox lacks.
// Built statically on the host by tests/vm/enforcer-lib.sh, run in the guest.
//
//   bs-probe mmap-exec FILE      map FILE readable and executable
//   bs-probe mprotect-exec FILE  map FILE readable, then add PROT_EXEC
//   bs-probe init-module FILE    init_module(2) from the file's bytes
//   bs-probe finit-module FILE   finit_module(2) on the file
//   bs-probe kexec-load          kexec_load(2) with no segments
//   bs-probe poweroff            sync, reboot(2) RB_POWER_OFF
//   bs-probe reopen-write DEV    open DEV with O_PATH, then reopen it for
//                                writing through /proc/self/fd/N
//   bs-probe blkrrpart DEV       ioctl BLKRRPART on DEV opened read-only
//   bs-probe blkrrpart-compat DEV  the same through the 32-bit system call
//                                (int $0x80, which the kernel handles as a
//                                32-bit task's compat_sys_ioctl)
//   bs-probe move-mount FROM TO  move_mount(2) the mount at FROM to TO
//   bs-probe mount-hi TYPE DIR   mount(2) a TYPE filesystem on DIR by a system
//                                call number with bit 32 set (the kernel
//                                runs the low 32 bits)
//   bs-probe mount-int80 TYPE DIR
//                                the same by the 32-bit entry (int $0x80,
//                                ia32 mount is 21, x86-64's access(2))
//   bs-probe tree-mount SRC DST  attach a detached copy of SRC's mount tree
//                                (open_tree OPEN_TREE_CLONE) on DST
//   bs-probe set-group FROM TO   move_mount(2) with MOVE_MOUNT_SET_GROUP: the
//                                private mount at TO joins the peer group
//                                of the shared mount at FROM
//   bs-probe unshare-exec PROG ARG...
//                                run PROG in a new mount namespace whose
//                                mounts keep their propagation (a shared
//                                mount's copy is its peer), as unshare(1)
//                                --propagation unchanged means to
//   bs-probe opal-save DEV       ioctl IOC_OPAL_SAVE (a self-encrypting drive
//                                command) on DEV opened read-only
//   bs-probe casefold DIR        add casefold to DIR's attribute flags
//                                (FS_IOC_GETFLAGS, then FS_IOC_SETFLAGS
//                                with FS_CASEFOLD_FL: chattr +F)
//   bs-probe casefold-clone DIR  the same on the root of a detached copy
//                                of the mount at DIR (open_tree with
//                                OPEN_TREE_CLONE), which is mounted nowhere
//   bs-probe open DEV r|w|rw|none  open DEV read-only, write-only, read-write
//                                or with O_ACCMODE 3 (ioctls only)
//   bs-probe nvme-io DEV read|write LBA [r|w]
//                                open DEV read-only (w: write-only) and send
//                                one NVMe read
//                                or write command for logical block LBA
//                                (512 bytes; a write stores "bootseal"
//                                repeated) with NVME_IOCTL_IO_CMD: on a
//                                generic node (/dev/ngXnY) or a namespace's
//                                block device; a read prints "ok" and the
//                                block's first 8 bytes
//   bs-probe nvme-identify DEV   Identify Controller (admin command) through
//                                DEV opened read-only; prints "ok" and the
//                                serial number
//   bs-probe sg-io DEV read|write LBA
//                                open DEV read-only and send one SCSI
//                                READ(10) or WRITE(10) for logical block LBA
//                                (512 bytes; a write stores "bootseal"
//                                repeated) with SG_IO: the sg_io_hdr on a
//                                SCSI generic node (/dev/sgN, major 21) or a
//                                block device (/dev/sda1), the sg_io_v4 on
//                                any other (/dev/bsg/H:C:T:L);
//                                a read prints "ok" and the block's first
//                                8 bytes
//
// Prints "ok" and exits 0, or "error: MESSAGE" and exits 1.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fs.h>
#include <linux/bsg.h>
#include <linux/sed-opal.h>
#include <linux/nvme_ioctl.h>
#include <scsi/sg.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static int fail(const char *what)
{
	printf("error: %s: %s\n", what, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bs-probe mmap-exec|mprotect-exec|init-module|finit-module FILE | kexec-load | poweroff\n");
		return 2;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "poweroff")) {
		sync();
		if (reboot(RB_POWER_OFF) != 0)
			return fail("reboot");
		return 0;
	}
	if (!strcmp(cmd, "kexec-load")) {
		if (syscall(SYS_kexec_load, 0UL, 0UL, NULL, 0UL) != 0)
			return fail("kexec_load");
		puts("ok");
		return 0;
	}
	if (argc < 3) {
		fprintf(stderr, "bs-probe %s: FILE missing\n", cmd);
		return 2;
	}
	if (!strcmp(cmd, "unshare-exec")) {
		if (unshare(CLONE_NEWNS) != 0)
			return fail("unshare");
		execvp(argv[2], argv + 2);
		return fail("execvp");
	}
	if (!strcmp(cmd, "move-mount") && argc == 4) {
		if (syscall(SYS_move_mount, AT_FDCWD, argv[2], AT_FDCWD, argv[3], 0) != 0)
			return fail("move_mount");
		puts("ok");
		return 0;
	}
	if (!strcmp(cmd, "mount-hi") && argc == 4) {
		/* mount -t tmpfs none DIR (argv[3] the mount point, argv[2]
		 * the type), by a system call number with bit 32 set: the
		 * kernel runs the low 32 bits. */
		if (syscall((long)((1UL << 32) | SYS_mount), "none", argv[3], argv[2], 0UL, NULL) != 0)
			return fail("mount");
		puts("ok");
		return 0;
	}
	if (!strcmp(cmd, "mount-int80") && argc == 4) {
		/* The ia32 mount(2) from this 64-bit process: its arguments
		 * are 32-bit pointers, copied into a page below 4 GiB. */
		char *low = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
		long ret;

		if (low == MAP_FAILED)
			return fail("mmap MAP_32BIT");
		if (8 + strlen(argv[2]) + 1 + strlen(argv[3]) + 1 > 4096)
			return fail("arguments");
		strcpy(low, "none");
		strcpy(low + 8, argv[2]);
		strcpy(low + 8 + strlen(argv[2]) + 1, argv[3]);
		__asm__ volatile("int $0x80"
				 : "=a"(ret)
				 : "a"(21L), "b"(low), "c"(low + 8 + strlen(argv[2]) + 1), "d"(low + 8), "S"(0L), "D"(0L)
				 : "memory");
		if (ret != 0) {
			errno = (int)-ret;
			return fail("mount");
		}
		puts("ok");
		return 0;
	}
	if (!strcmp(cmd, "tree-mount") && argc == 4) {
		/* A bind mount the new way (util-linux 2.39 and later): a
		 * detached copy of SRC's mount tree, attached on DST. */
		int tree = (int)syscall(SYS_open_tree, AT_FDCWD, argv[2], 1 /* OPEN_TREE_CLONE */ | O_CLOEXEC);

		if (tree < 0)
			return fail("open_tree");
		if (syscall(SYS_move_mount, tree, "", AT_FDCWD, argv[3], 4 /* MOVE_MOUNT_F_EMPTY_PATH */) != 0)
			return fail("move_mount");
		puts("ok");
		return 0;
	}
	if (!strcmp(cmd, "set-group") && argc == 4) {
#ifndef MOVE_MOUNT_SET_GROUP
#define MOVE_MOUNT_SET_GROUP 0x00000100
#endif
		if (syscall(SYS_move_mount, AT_FDCWD, argv[2], AT_FDCWD, argv[3], MOVE_MOUNT_SET_GROUP) != 0)
			return fail("move_mount MOVE_MOUNT_SET_GROUP");
		puts("ok");
		return 0;
	}
	if (!strcmp(cmd, "reopen-write")) {
		char proc[64];
		int p = open(argv[2], O_PATH | O_CLOEXEC);
		if (p < 0)
			return fail("open O_PATH");
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", p);
		if (open(proc, O_WRONLY | O_CLOEXEC) < 0)
			return fail("reopen for writing");
		puts("ok");
		return 0;
	}
	if ((!strcmp(cmd, "casefold") || !strcmp(cmd, "casefold-clone")) && argc == 3) {
		int dfd;
		unsigned int flags = 0;

		if (!strcmp(cmd, "casefold-clone")) {
			int tree = (int)syscall(SYS_open_tree, AT_FDCWD, argv[2], 1 /* OPEN_TREE_CLONE */ | O_CLOEXEC);

			if (tree < 0)
				return fail("open_tree");
			dfd = openat(tree, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		} else {
			dfd = open(argv[2], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		}
		if (dfd < 0)
			return fail("open");
		if (ioctl(dfd, FS_IOC_GETFLAGS, &flags) != 0)
			return fail("ioctl FS_IOC_GETFLAGS");
		flags |= FS_CASEFOLD_FL;
		if (ioctl(dfd, FS_IOC_SETFLAGS, &flags) != 0)
			return fail("ioctl FS_IOC_SETFLAGS");
		puts("ok");
		return 0;
	}
	if (!strcmp(cmd, "open")) {
		const char *m = argc > 3 ? argv[3] : "";
		int flags = !strcmp(m, "r") ? O_RDONLY : !strcmp(m, "w") ? O_WRONLY : !strcmp(m, "rw") ? O_RDWR
			  : !strcmp(m, "none") ? 3 : -1;
		if (flags < 0) {
			fprintf(stderr, "bs-probe open: mode r|w|rw|none\n");
			return 2;
		}
		if (open(argv[2], flags | O_CLOEXEC) < 0)
			return fail("open");
		puts("ok");
		return 0;
	}
	if (!strcmp(cmd, "nvme-io") || !strcmp(cmd, "nvme-identify")) {
		static unsigned char buf[4096] __attribute__((aligned(4096)));
		struct nvme_passthru_cmd c;
		int write = argc > 3 && !strcmp(argv[3], "write");
		unsigned long long lba = argc > 4 ? strtoull(argv[4], NULL, 0) : 0;
		int wronly = argc > 5 && !strcmp(argv[5], "w");
		int fd = open(argv[2], (wronly ? O_WRONLY : O_RDONLY) | O_CLOEXEC);
		if (fd < 0)
			return fail("open");
		memset(&c, 0, sizeof(c));
		c.addr = (unsigned long)buf;
		if (!strcmp(cmd, "nvme-identify")) {
			c.opcode = 0x06; /* Identify */
			c.cdw10 = 1;     /* CNS 1: the controller */
			c.data_len = 4096;
			int r = ioctl(fd, NVME_IOCTL_ADMIN_CMD, &c);
			if (r < 0)
				return fail("NVME_IOCTL_ADMIN_CMD identify");
			if (r > 0)
				return printf("error: identify: NVMe status 0x%x\n", r), 1;
			printf("ok %.20s\n", (const char *)buf + 4);
			return 0;
		}
		int ns = ioctl(fd, NVME_IOCTL_ID);
		if (ns <= 0)
			return fail("NVME_IOCTL_ID");
		if (write)
			for (size_t i = 0; i < 512; i++)
				buf[i] = (unsigned char)"bootseal"[i % 8];
		c.opcode = write ? 0x01 : 0x02; /* Write, Read */
		c.nsid = (unsigned)ns;
		c.data_len = 512;
		c.cdw10 = (unsigned)lba;
		c.cdw11 = (unsigned)(lba >> 32);
		c.cdw12 = 0; /* one block */
		int r = ioctl(fd, NVME_IOCTL_IO_CMD, &c);
		if (r < 0)
			return fail(write ? "NVME_IOCTL_IO_CMD write" : "NVME_IOCTL_IO_CMD read");
		if (r > 0)
			return printf("error: %s: NVMe status 0x%x\n", write ? "write" : "read", r), 1;
		if (write)
			puts("ok");
		else
			printf("ok %.8s\n", (const char *)buf);
		return 0;
	}
	if (!strcmp(cmd, "sg-io")) {
		static unsigned char buf[512];
		unsigned char cdb[10] = { 0 }, sense[32];
		struct stat sst;
		int write = argc > 3 && !strcmp(argv[3], "write");
		unsigned long lba = argc > 4 ? strtoul(argv[4], NULL, 0) : 0;
		int fd = open(argv[2], O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return fail("open");
		if (fstat(fd, &sst) != 0)
			return fail("fstat");
		if (write)
			for (size_t i = 0; i < sizeof(buf); i++)
				buf[i] = (unsigned char)"bootseal"[i % 8];
		cdb[0] = write ? 0x2a : 0x28; /* WRITE(10), READ(10) */
		cdb[2] = (unsigned char)(lba >> 24);
		cdb[3] = (unsigned char)(lba >> 16);
		cdb[4] = (unsigned char)(lba >> 8);
		cdb[5] = (unsigned char)lba;
		cdb[8] = 1; /* one block */
		unsigned status;
		if (major(sst.st_rdev) == 21 || S_ISBLK(sst.st_mode)) {
			struct sg_io_hdr h;
			memset(&h, 0, sizeof(h));
			h.interface_id = 'S';
			h.dxfer_direction = write ? SG_DXFER_TO_DEV : SG_DXFER_FROM_DEV;
			h.cmd_len = sizeof(cdb);
			h.cmdp = cdb;
			h.dxfer_len = sizeof(buf);
			h.dxferp = buf;
			h.mx_sb_len = sizeof(sense);
			h.sbp = sense;
			h.timeout = 20000;
			if (ioctl(fd, SG_IO, &h) != 0)
				return fail(write ? "SG_IO write" : "SG_IO read");
			status = h.status | h.host_status << 8 | h.driver_status << 16;
		} else {
			struct sg_io_v4 h;
			memset(&h, 0, sizeof(h));
			h.guard = 'Q';
			h.protocol = BSG_PROTOCOL_SCSI;
			h.subprotocol = BSG_SUB_PROTOCOL_SCSI_CMD;
			h.request_len = sizeof(cdb);
			h.request = (unsigned long)cdb;
			if (write) {
				h.dout_xfer_len = sizeof(buf);
				h.dout_xferp = (unsigned long)buf;
			} else {
				h.din_xfer_len = sizeof(buf);
				h.din_xferp = (unsigned long)buf;
			}
			h.max_response_len = sizeof(sense);
			h.response = (unsigned long)sense;
			h.timeout = 20000;
			if (ioctl(fd, SG_IO, &h) != 0)
				return fail(write ? "SG_IO write" : "SG_IO read");
			status = h.device_status | h.transport_status << 8 | h.driver_status << 16;
		}
		if (status)
			return printf("error: %s: SCSI status 0x%x\n", write ? "write" : "read", status), 1;
		if (write)
			puts("ok");
		else
			printf("ok %.8s\n", (const char *)buf);
		return 0;
	}
	int fd = open(argv[2], O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail("open");
	struct stat st;
	if (fstat(fd, &st) != 0)
		return fail("fstat");
	size_t len = st.st_size > 0 ? (size_t)st.st_size : 4096;
	if (!strcmp(cmd, "mmap-exec")) {
		if (mmap(NULL, len, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0) == MAP_FAILED)
			return fail("mmap PROT_EXEC");
	} else if (!strcmp(cmd, "mprotect-exec")) {
		void *p = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
		if (p == MAP_FAILED)
			return fail("mmap PROT_READ");
		if (mprotect(p, len, PROT_READ | PROT_EXEC) != 0)
			return fail("mprotect PROT_EXEC");
	} else if (!strcmp(cmd, "init-module")) {
		void *p = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
		if (p == MAP_FAILED)
			return fail("mmap");
		if (syscall(SYS_init_module, p, len, "") != 0)
			return fail("init_module");
	} else if (!strcmp(cmd, "opal-save")) {
		struct opal_lock_unlock lk;

		memset(&lk, 0, sizeof(lk));
		if (ioctl(fd, IOC_OPAL_SAVE, &lk) != 0)
			return fail("ioctl IOC_OPAL_SAVE");
	} else if (!strcmp(cmd, "blkrrpart")) {
		if (ioctl(fd, BLKRRPART) != 0)
			return fail("ioctl BLKRRPART");
	} else if (!strcmp(cmd, "blkrrpart-compat")) {
		long r;
		/* i386 ioctl is system call 54; int $0x80 clears r8-r11. */
		__asm__ volatile("int $0x80"
				 : "=a"(r)
				 : "a"(54L), "b"((long)fd), "c"((long)BLKRRPART), "d"(0L)
				 : "memory", "r8", "r9", "r10", "r11");
		if (r < 0) {
			errno = (int)-r;
			return fail("ioctl BLKRRPART (32-bit)");
		}
	} else if (!strcmp(cmd, "finit-module")) {
		if (syscall(SYS_finit_module, fd, "", 0) != 0)
			return fail("finit_module");
	} else {
		fprintf(stderr, "bs-probe: unknown command %s\n", cmd);
		return 2;
	}
	puts("ok");
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * bs-attack: the guest-side program of the attack-subject and attack-memory
 * scenarios. Dynamically linked and not position independent (so that two
 * copies have `target` at the same address), it is copied into the guest
 * once as a subject the policy names and once as a plain program. Each
 * command exits 0 when the operation worked, 1 when it was refused, and
 * prints what failed.
 *
 *   write FILE TEXT          append TEXT and a newline to FILE
 *   btrfs-add FILE DEV       BTRFS_IOC_ADD_DEV of DEV on FILE's filesystem
 *                            (what `btrfs device add` does)
 *   pwrite FILE OFFSET TEXT  open FILE write-only and write TEXT at OFFSET
 *                            (a raw write of a device, as a checker's)
 *   create FILE TEXT         create FILE (it must not exist) holding TEXT
 *   replace FILE TEXT        replace FILE atomically, as passwd, dpkg and
 *                            `sed -i` do: write FILE+, close, rename it
 *                            over FILE
 *   replace-linked FILE TEXT OTHER
 *                            the same, with a hard link OTHER to FILE+
 *                            made before the rename
 *   replace-open FILE TEXT   the same, FILE+ still open for writing
 *                            during the rename
 *   link OLD NEW             a hard link NEW to OLD
 *   rename OLD NEW           rename(2)
 *   setacl FILE              set FILE's POSIX access ACL (setxattr of
 *                            system.posix_acl_access) to user rw, group r,
 *                            other rw: a write of FILE's metadata that also
 *                            changes its mode bits
 *   setflags FILE            make FILE immutable with FS_IOC_SETFLAGS (what
 *                            chattr +i does), then clear the flag again
 *   fssetxattr FILE          the same with FS_IOC_FSSETXATTR
 *   tmpfile-link DIR NAME TEXT
 *                            write TEXT to an O_TMPFILE file in DIR, then
 *                            give it the name NAME (linkat AT_EMPTY_PATH)
 *   hold FILE                open FILE for appending, then wait
 *   bind-private SRC DST     mount(2) SRC on DST with MS_BIND | MS_PRIVATE
 *                            (the kernel makes that a bind mount)
 *   exchange A B             renameat2(RENAME_EXCHANGE) of A and B
 *   fd-dlopen LIB FILE       open FILE for appending, then dlopen LIB,
 *                            telling it the descriptor (BS_EVIL_FD)
 *   dlopen-write LIB FILE TEXT
 *                            dlopen LIB in a second thread, then write
 *   sleep                    wait (a target for the attaches)
 *   attach PID               PTRACE_ATTACH, then detach
 *   vmwrite PID              process_vm_writev into PID's `target`
 *   memwrite PID             write PID's `target` through /proc/PID/mem
 *   traceme                  PTRACE_TRACEME
 *   traced-exec PROG ARG...  run PROG traced (PTRACE_TRACEME in the child)
 *   exec PROG ARG...         run PROG untraced, the twin of traced-exec
 *   clonefs-exec PROG ARG... run PROG in a child that shares this process's
 *                            root and working directory (clone CLONE_FS)
 *   notif-exec PROG ARG...   run PROG in a child under a seccomp filter
 *                            whose user-notification listener this
 *                            process holds (for acct(2), which PROG never
 *                            calls)
 *   filter-exec PROG ARG...  the same filter without a listener (acct(2)
 *                            fails with EPERM), the twin of notif-exec
 *   handle-write FILE TEXT   append TEXT to FILE opened by file handle:
 *                            name_to_handle_at, drop the dentry cache,
 *                            open_by_handle_at (a dentry with no parents)
 *   handle-read FILE         the same, opened for reading, and read
 *   handle-bind-write FILE DIR TEXT
 *                            the same handle opened O_PATH, bind-mounted
 *                            on DIR (a mount whose root has no parents),
 *                            DIR opened for appending TEXT
 *   mount-under PARENT NAME SRC
 *                            bind-mount SRC on the directory NAME of
 *                            PARENT's filesystem itself, under whatever is
 *                            mounted on it: its inode from readdir (which
 *                            does not cross mounts), opened O_PATH by an
 *                            ext4 file handle (inode, any generation), and
 *                            the mount made through /proc/self/fd
 *   tree OP DIR NAME [TEXT]  OP on the entry NAME of a detached copy of
 *                            the mount at DIR (open_tree OPEN_TREE_CLONE,
 *                            never attached anywhere): unlink, create TEXT,
 *                            write TEXT (append), read, chown (to 1:1),
 *                            utimes (to now)
 *   setfsuuid FILE           give FILE's ext4 filesystem a new UUID
 *                            (EXT4_IOC_SETFSUUID)
 *   setfslabel FILE LABEL    give FILE's filesystem the label LABEL
 *                            (FS_IOC_SETFSLABEL, what e2label does mounted)
 *   md-add MD DEV            make MD a one-disk RAID1 array without a
 *                            superblock and give it DEV by number
 *                            (SET_ARRAY_INFO, ADD_NEW_DISK: what mdadm
 *                            --build does; DEV's size from sysfs, its
 *                            node never opened), print "added", stop MD
 *   dm-version NODE          open NODE (device-mapper control) and ask
 *                            DM_VERSION, as dmsetup and lvm do first
 *   fsmount TYPE SOURCE DIR  mount SOURCE as TYPE on DIR with the new mount
 *                            API (fsopen, fsconfig, fsmount, move_mount)
 *   tree-attach SRC DIR      attach a detached copy of the mount at SRC
 *                            (open_tree OPEN_TREE_CLONE) on DIR (move_mount)
 *   md-bitmap MD FILE        give the array MD the bitmap file FILE
 *                            (created, opened read-write; "-" for none:
 *                            fd -1) with SET_BITMAP_FILE
 *   md-hot-add MD DEV        give the array MD the device DEV by number
 *                            (HOT_ADD_DISK), print "added"
 *   anon-rwx                 run code from an anonymous RWX mapping
 *   mprotect-rx              write code to RW memory, mprotect it RX, run it
 *   anon-rx-uffd             map anonymous memory RX (never writable), fill
 *                            it with userfaultfd (UFFDIO_COPY), run it
 *   file-rwx FILE            run code from a private RWX mapping of FILE
 *   shared-rwx FILE          run code from a shared RWX mapping of FILE
 *   devzero-rwx NODE         run code from a shared RWX mapping of NODE, a
 *                            node of /dev/zero (1:5)
 *   setexe FILE              prctl(PR_SET_MM, PR_SET_MM_EXE_FILE) to FILE
 *   procmem                  patch own code through /proc/self/mem, run it
 *   memfd-mmap               run code from an executable memfd mapping
 *   memfd-exec PROG ARG...   copy PROG into a memfd and fexecve it
 *   shm-exec                 attach SysV shm with SHM_EXEC
 *   brk-exec                 personality(READ_IMPLIES_EXEC), grow the heap
 *                            with brk, write code to the new page, run it
 *   shm-rie                  personality(READ_IMPLIES_EXEC), attach SysV
 *                            shm read-write (no SHM_EXEC), run code from it
 *   dlopen LIB               dlopen LIB (one marked exec-stack makes glibc
 *                            mprotect the stacks PROT_EXEC)
 *   chroot-move-or SCRIPT DIR FROM TO
 *                            as PID 1: mount --move FROM TO under the root
 *                            DIR, then back to the old root and on in
 *                            SCRIPT (BS_MOVE_RC: 0 or the error)
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/shm.h>
#include <libgen.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <linux/btrfs.h>
#include <linux/dm-ioctl.h>
#include <linux/filter.h>
#include <linux/fs.h>
#include <linux/major.h>
#include <linux/raid/md_p.h>
#include <linux/raid/md_u.h>
#include <linux/seccomp.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>

volatile uint64_t target = 0x1111;

/* mov eax, 42; ret */
static const unsigned char code[] = { 0xb8, 0x2a, 0x00, 0x00, 0x00, 0xc3 };

static int fail(const char *what)
{
	printf("%s: %s\n", what, strerror(errno));
	return 1;
}

static int run(void *p)
{
	int (*fn)(void) = (int (*)(void))p;
	int v = fn();

	printf("code returned %d\n", v);
	return v == 42 ? 0 : 1;
}

/* Writes TEXT and a newline to FILE opened with `flags` (for writing). */
static int write_line(const char *file, int flags, const char *text)
{
	int fd = open(file, O_WRONLY | flags, 0644);

	if (fd < 0)
		return fail("open");
	if (dprintf(fd, "%s\n", text) < 0)
		return fail("write");
	close(fd);
	return 0;
}

static int do_write(const char *file, const char *text)
{
	return write_line(file, O_APPEND, text);
}

/* Writes TEXT to FILE+ and renames it over FILE; with `other`, first
 * links FILE+ to it; with `keep_open`, renames while FILE+ is open. */
static int do_replace(const char *file, const char *text, const char *other, int keep_open)
{
	char tmp[4096];
	int fd, rc;

	snprintf(tmp, sizeof(tmp), "%s+", file);
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0)
		return fail("open");
	if (dprintf(fd, "%s\n", text) < 0)
		return fail("write");
	if (!keep_open)
		close(fd);
	if (other && link(tmp, other))
		return fail("link");
	rc = rename(tmp, file);
	if (rc)
		fail("rename");
	if (keep_open)
		close(fd);
	unlink(tmp);
	if (other)
		unlink(other);
	return rc ? 1 : 0;
}

static int do_create(const char *file, const char *text)
{
	return write_line(file, O_CREAT | O_EXCL, text);
}

static void *opener(void *lib)
{
	if (!dlopen(lib, RTLD_NOW))
		printf("dlopen: %s\n", dlerror());
	return 0;
}

__attribute__((noinline)) int patchme(void)
{
	__asm__ volatile("" ::: "memory");
	return 7;
}

/* Waits for a child (continuing it while it stops for a tracer) and gives
 * its exit status, 1 when it did not exit. */
static int wait_child(pid_t c)
{
	int status = 0;

	for (;;) {
		if (waitpid(c, &status, 0) < 0)
			return fail("waitpid");
		if (WIFSTOPPED(status)) {
			ptrace(PTRACE_CONT, c, 0, 0);
			continue;
		}
		return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
	}
}

/* A seccomp filter that answers acct(2) with a user notification (listener)
 * or EPERM, and lets every other call through. Returns the listener's
 * descriptor, 0 without a listener, -1 on failure. */
static int acct_filter(int listener)
{
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_acct, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, listener ? SECCOMP_RET_USER_NOTIF : SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(insns) / sizeof(insns[0]), .filter = insns };

	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
			    listener ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0, &prog);
}

/* Runs argv[0] in a child under acct_filter(); with a listener, the child
 * hands the listener to this process (SCM_RIGHTS), which holds it while
 * the program runs. */
static int filtered_exec(char **argv, int listener)
{
	char data = 0, ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			    .msg_controllen = sizeof(ctl) };
	struct cmsghdr *c;
	int sv[2], fd = -1;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		return fail("socketpair");
	pid = fork();
	if (pid == 0) {
		int l = acct_filter(listener);

		if (l < 0)
			_exit(fail("seccomp"));
		if (listener) {
			memset(ctl, 0, sizeof(ctl));
			c = CMSG_FIRSTHDR(&m);
			c->cmsg_level = SOL_SOCKET;
			c->cmsg_type = SCM_RIGHTS;
			c->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(c), &l, sizeof(int));
			if (sendmsg(sv[1], &m, 0) != 1)
				_exit(fail("sendmsg"));
			close(l);
		}
		execv(argv[0], argv);
		_exit(fail("execv"));
	}
	if (listener) {
		if (recvmsg(sv[0], &m, 0) != 1 || !(c = CMSG_FIRSTHDR(&m)) || c->cmsg_type != SCM_RIGHTS)
			return fail("recvmsg");
		memcpy(&fd, CMSG_DATA(c), sizeof(int));
		printf("holding the seccomp listener of pid %d\n", (int)pid);
		fflush(stdout);
	}
	return wait_child(pid);
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	long pid = argc > 2 ? strtol(argv[2], 0, 10) : 0;

	setvbuf(stdout, 0, _IONBF, 0);
	if (!strcmp(cmd, "write") && argc == 4)
		return do_write(argv[2], argv[3]);
	if ((!strcmp(cmd, "setflags") || !strcmp(cmd, "fssetxattr")) && argc == 3) {
		/* <linux/fs.h>'s values (that header clashes with <sys/mount.h>). */
		const unsigned long getflags = 0x80086601, setflags = 0x40086602, immutable = 0x10;
		const unsigned long fsgetxattr = 0x801c581f, fssetxattr = 0x401c5820, xflag_immutable = 0x8;
		struct {
			uint32_t xflags, extsize, nextents, projid, cowextsize;
			unsigned char pad[8];
		} fsx;
		long flags = 0;
		int fd = open(argv[2], O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			return fail("open");
		if (!strcmp(cmd, "setflags")) {
			if (ioctl(fd, getflags, &flags) != 0)
				return fail("FS_IOC_GETFLAGS");
			flags |= immutable;
			if (ioctl(fd, setflags, &flags) != 0)
				return fail("FS_IOC_SETFLAGS");
			flags &= ~immutable;
			ioctl(fd, setflags, &flags);
		} else {
			if (ioctl(fd, fsgetxattr, &fsx) != 0)
				return fail("FS_IOC_FSGETXATTR");
			fsx.xflags |= xflag_immutable;
			if (ioctl(fd, fssetxattr, &fsx) != 0)
				return fail("FS_IOC_FSSETXATTR");
			fsx.xflags &= ~xflag_immutable;
			ioctl(fd, fssetxattr, &fsx);
		}
		return 0;
	}
	if (!strcmp(cmd, "setacl") && argc == 3) {
		/* The xattr form of a POSIX ACL: a version, then (tag, perm,
		 * id) entries, little-endian: USER_OBJ rw, GROUP_OBJ r, OTHER rw. */
		static const uint8_t acl[] = {
			2, 0, 0, 0,
			0x01, 0, 6, 0, 0xff, 0xff, 0xff, 0xff,
			0x04, 0, 4, 0, 0xff, 0xff, 0xff, 0xff,
			0x20, 0, 6, 0, 0xff, 0xff, 0xff, 0xff,
		};

		if (setxattr(argv[2], "system.posix_acl_access", acl, sizeof(acl), 0) != 0)
			return fail("setxattr system.posix_acl_access");
		return 0;
	}
	if (!strcmp(cmd, "create") && argc == 4)
		return do_create(argv[2], argv[3]);
	if (!strcmp(cmd, "replace") && argc == 4)
		return do_replace(argv[2], argv[3], 0, 0);
	if (!strcmp(cmd, "replace-linked") && argc == 5)
		return do_replace(argv[2], argv[3], argv[4], 0);
	if (!strcmp(cmd, "replace-open") && argc == 4)
		return do_replace(argv[2], argv[3], 0, 1);
	if (!strcmp(cmd, "tmpfile-link") && argc == 5) {
		int fd = open(argv[2], O_TMPFILE | O_WRONLY, 0644);

		if (fd < 0)
			return fail("open O_TMPFILE");
		if (dprintf(fd, "%s\n", argv[4]) < 0)
			return fail("write");
		return linkat(fd, "", AT_FDCWD, argv[3], AT_EMPTY_PATH) ? fail("linkat") : 0;
	}
	if (!strcmp(cmd, "bind-private") && argc == 4)
		return mount(argv[2], argv[3], 0, MS_BIND | MS_PRIVATE, 0) ? fail("mount") : 0;
	if (!strcmp(cmd, "rename") && argc == 4)
		return rename(argv[2], argv[3]) ? fail("rename") : 0;
	if (!strcmp(cmd, "hold") && argc == 3) {
		if (open(argv[2], O_WRONLY | O_APPEND) < 0)
			return fail("open");
		for (;;)
			pause();
	}
	if (!strcmp(cmd, "link") && argc == 4)
		return link(argv[2], argv[3]) ? fail("link") : 0;
	if (!strcmp(cmd, "exchange") && argc == 4)
		return syscall(SYS_renameat2, AT_FDCWD, argv[2], AT_FDCWD, argv[3], 2 /* RENAME_EXCHANGE */)
			       ? fail("renameat2")
			       : 0;
	if (!strcmp(cmd, "dlopen-write") && argc == 5) {
		pthread_t t;

		pthread_create(&t, 0, opener, argv[2]);
		pthread_join(t, 0);
		return do_write(argv[3], argv[4]);
	}
	if (!strcmp(cmd, "fd-dlopen") && argc == 4) {
		char num[16];
		int fd = open(argv[3], O_WRONLY | O_APPEND);

		if (fd < 0)
			return fail("open");
		snprintf(num, sizeof(num), "%d", fd);
		setenv("BS_EVIL_FD", num, 1);
		if (!dlopen(argv[2], RTLD_NOW)) {
			printf("dlopen: %s\n", dlerror());
			return 1;
		}
		return 0;
	}
	if (!strcmp(cmd, "sleep")) {
		for (;;)
			pause();
	}
	if (!strcmp(cmd, "attach")) {
		if (ptrace(PTRACE_ATTACH, pid, 0, 0) != 0)
			return fail("ptrace attach");
		waitpid(pid, 0, 0);
		ptrace(PTRACE_DETACH, pid, 0, 0);
		return 0;
	}
	if (!strcmp(cmd, "vmwrite")) {
		uint64_t v = 0x2222;
		struct iovec local = { &v, sizeof(v) }, remote = { (void *)&target, sizeof(v) };

		if (process_vm_writev(pid, &local, 1, &remote, 1, 0) != sizeof(v))
			return fail("process_vm_writev");
		return 0;
	}
	if (!strcmp(cmd, "memwrite")) {
		char path[64];
		uint64_t v = 0x3333;
		int fd;

		snprintf(path, sizeof(path), "/proc/%ld/mem", pid);
		fd = open(path, O_RDWR);
		if (fd < 0)
			return fail("open mem");
		if (pwrite(fd, &v, sizeof(v), (off_t)(uintptr_t)&target) != sizeof(v))
			return fail("pwrite mem");
		return 0;
	}
	if (!strcmp(cmd, "traceme")) {
		if (ptrace(PTRACE_TRACEME, 0, 0, 0) != 0)
			return fail("ptrace traceme");
		return 0;
	}
	if ((!strcmp(cmd, "traced-exec") || !strcmp(cmd, "exec")) && argc > 2) {
		int traced = !strcmp(cmd, "traced-exec");
		pid_t c = fork();

		if (c == 0) {
			if (traced && ptrace(PTRACE_TRACEME, 0, 0, 0) != 0)
				_exit(fail("ptrace traceme"));
			execv(argv[2], argv + 2);
			_exit(fail("execv"));
		}
		return wait_child(c);
	}
	if (!strcmp(cmd, "clonefs-exec") && argc > 2) {
		/* fork() with the root and working directory shared. */
		pid_t c = (pid_t)syscall(SYS_clone, CLONE_FS | SIGCHLD, 0, 0, 0, 0);

		if (c < 0)
			return fail("clone");
		if (c == 0) {
			execv(argv[2], argv + 2);
			_exit(fail("execv"));
		}
		return wait_child(c);
	}
	if (!strcmp(cmd, "write-then") && argc == 5) {
		/* PID 1's turn as the subject: write, then go on in SCRIPT
		 * with the result in BS_WRITE_RC. */
		char rc[16];

		snprintf(rc, sizeof(rc), "%d", do_write(argv[2], argv[3]));
		setenv("BS_WRITE_RC", rc, 1);
		execl("/bin/sh", "sh", argv[4], (char *)0);
		return fail("execl");
	}
	if (!strcmp(cmd, "chroot-move-or") && argc == 6) {
		/* Run as PID 1: chroot to DIR, mount --move FROM TO there,
		 * return to the old root and go on in SCRIPT with the move's
		 * result in BS_MOVE_RC (0 or the errno's text). */
		int top = open("/", O_RDONLY | O_DIRECTORY);
		const char *rc = "0";

		if (top < 0 || chroot(argv[3]) || chdir("/"))
			return fail("chroot");
		if (mount(argv[4], argv[5], NULL, MS_MOVE, NULL))
			rc = strerror(errno);
		if (fchdir(top) || chroot(".") || chdir("/"))
			return fail("back to the old root");
		setenv("BS_MOVE_RC", rc, 1);
		execl("/bin/sh", "sh", argv[2], (char *)0);
		return fail("execl");
	}
	if (!strcmp(cmd, "chroot-exec-or") && argc > 4) {
		/* Run as PID 1: chroot to DIR, execv PROG ARG... there; when
		 * the exec fails, return to the old root and go on in SCRIPT
		 * with its error in BS_EXEC_ERROR. */
		int top = open("/", O_RDONLY | O_DIRECTORY);
		int e;

		if (top < 0 || chroot(argv[3]) || chdir("/"))
			return fail("chroot");
		execv(argv[4], argv + 4);
		e = errno;
		if (fchdir(top) || chroot(".") || chdir("/"))
			return fail("back to the old root");
		setenv("BS_EXEC_ERROR", strerror(e), 1);
		execl("/bin/sh", "sh", argv[2], (char *)0);
		return fail("execl");
	}
	if ((!strcmp(cmd, "exec-or") || !strcmp(cmd, "clonefs-exec-or")) && argc > 3) {
		/* Run as PID 1: execv PROG ARG... in this process (with
		 * clonefs-, after making a process that shares its root and
		 * working directory and waits); when the exec fails, go on in
		 * SCRIPT with its error in BS_EXEC_ERROR. */
		pid_t c = 0;
		int e;

		if (!strcmp(cmd, "clonefs-exec-or")) {
			c = (pid_t)syscall(SYS_clone, CLONE_FS | SIGCHLD, 0, 0, 0, 0);
			if (c < 0)
				return fail("clone");
			if (c == 0)
				for (;;)
					pause();
		}
		execv(argv[3], argv + 3);
		e = errno;
		if (c > 0) {
			kill(c, SIGKILL);
			waitpid(c, 0, 0);
		}
		setenv("BS_EXEC_ERROR", strerror(e), 1);
		execl("/bin/sh", "sh", argv[2], (char *)0);
		return fail("execl");
	}
	if (!strcmp(cmd, "setfsuuid") && argc == 3) {
		struct {
			uint32_t len, flags;
			uint8_t uuid[16];
		} u = {16, 0, {0x0b, 0x5e, 0xa1, 0x00, 0x11, 0x22, 0x43, 0x33, 0x84, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa}};
		int fd = open(argv[2], O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			return fail("open");
		if (ioctl(fd, 0x4008662c /* EXT4_IOC_SETFSUUID */, &u) != 0)
			return fail("EXT4_IOC_SETFSUUID");
		return 0;
	}
	if (!strcmp(cmd, "setfslabel") && argc == 4) {
		char label[256] = {0};
		int fd = open(argv[2], O_RDONLY | O_CLOEXEC);

		strncpy(label, argv[3], sizeof(label) - 1);
		if (fd < 0)
			return fail("open");
		if (ioctl(fd, 0x41009432 /* FS_IOC_SETFSLABEL */, label) != 0)
			return fail("FS_IOC_SETFSLABEL");
		return 0;
	}
	if (!strcmp(cmd, "btrfs-add") && argc == 4) {
		struct btrfs_ioctl_vol_args args = {0};
		int fd = open(argv[2], O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			return fail("open");
		strncpy(args.name, argv[3], sizeof(args.name) - 1);
		if (ioctl(fd, BTRFS_IOC_ADD_DEV, &args) != 0)
			return fail("BTRFS_IOC_ADD_DEV");
		return 0;
	}
	if (!strcmp(cmd, "pwrite") && argc == 5) {
		int fd = open(argv[2], O_WRONLY | O_CLOEXEC);
		size_t n = strlen(argv[4]);

		if (fd < 0)
			return fail("open");
		if (pwrite(fd, argv[4], n, strtoll(argv[3], 0, 10)) != (ssize_t)n)
			return fail("pwrite");
		return close(fd) == 0 ? 0 : fail("close");
	}
	if (!strcmp(cmd, "md-add") && argc == 4) {
		mdu_array_info_t a = {0};
		mdu_disk_info_t d = {0};
		unsigned long long bytes = 0;
		struct stat st;
		int fd;

		char sys[64];
		FILE *f;

		if (stat(argv[3], &st) != 0 || !S_ISBLK(st.st_mode))
			return fail("stat");
		/* The size from sysfs: the member's node is never opened. */
		snprintf(sys, sizeof(sys), "/sys/dev/block/%u:%u/size", major(st.st_rdev), minor(st.st_rdev));
		f = fopen(sys, "re");
		if (!f || fscanf(f, "%llu", &bytes) != 1)
			return fail("member size");
		fclose(f);
		bytes *= 512;
		fd = open(argv[2], O_RDWR | O_CLOEXEC);
		if (fd < 0)
			return fail("open");
		a.level = 1;
		a.raid_disks = a.nr_disks = a.active_disks = a.working_disks = 1;
		a.not_persistent = 1;
		a.state = 1 << MD_SB_CLEAN;
		a.size = (int)(bytes / 1024);
		if (ioctl(fd, SET_ARRAY_INFO, &a) != 0)
			return fail("SET_ARRAY_INFO");
		d.state = (1 << MD_DISK_SYNC) | (1 << MD_DISK_ACTIVE);
		d.major = (int)major(st.st_rdev);
		d.minor = (int)minor(st.st_rdev);
		if (ioctl(fd, ADD_NEW_DISK, &d) != 0) {
			int e = errno;

			ioctl(fd, STOP_ARRAY, 0);
			errno = e;
			return fail("ADD_NEW_DISK");
		}
		printf("added\n");
		if (ioctl(fd, STOP_ARRAY, 0) != 0)
			return fail("STOP_ARRAY");
		return 0;
	}
	if (!strcmp(cmd, "dm-version") && argc == 3) {
		struct dm_ioctl dm = {0};
		int fd = open(argv[2], O_RDWR | O_CLOEXEC);

		if (fd < 0)
			return fail("open");
		dm.version[0] = DM_VERSION_MAJOR;
		dm.data_size = sizeof(dm);
		if (ioctl(fd, DM_VERSION, &dm) != 0)
			return fail("DM_VERSION");
		printf("dm %u.%u.%u\n", dm.version[0], dm.version[1], dm.version[2]);
		return 0;
	}
	if (!strcmp(cmd, "md-bitmap") && argc == 4) {
		int fd = open(argv[2], O_RDWR | O_CLOEXEC), bm = -1;

		if (fd < 0)
			return fail("open");
		if (strcmp(argv[3], "-") && (bm = open(argv[3], O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0)
			return fail("bitmap");
		if (ioctl(fd, SET_BITMAP_FILE, bm) != 0)
			return fail("SET_BITMAP_FILE");
		printf("bitmap set\n");
		return 0;
	}
	if (!strcmp(cmd, "md-hot-add") && argc == 4) {
		struct stat st;
		int fd;

		if (stat(argv[3], &st) != 0 || !S_ISBLK(st.st_mode))
			return fail("stat");
		fd = open(argv[2], O_RDWR | O_CLOEXEC);
		if (fd < 0)
			return fail("open");
		/* md decodes the argument with new_decode_dev. */
		if (ioctl(fd, HOT_ADD_DISK, (unsigned long)((minor(st.st_rdev) & 0xff) | (major(st.st_rdev) << 8) |
							   ((minor(st.st_rdev) & ~0xffu) << 12))) != 0)
			return fail("HOT_ADD_DISK");
		printf("added\n");
		return 0;
	}
#ifndef SYS_open_tree
#define SYS_open_tree 428
#endif
#ifndef SYS_move_mount
#define SYS_move_mount 429
#endif
	if (!strcmp(cmd, "fsmount") && argc == 5) {
		int fs = (int)syscall(430 /* fsopen */, argv[2], 1 /* FSOPEN_CLOEXEC */), mnt;

		if (fs < 0)
			return fail("fsopen");
		if (syscall(431 /* fsconfig */, fs, 1 /* FSCONFIG_SET_STRING */, "source", argv[3], 0) != 0)
			return fail("fsconfig source");
		if (syscall(431, fs, 6 /* FSCONFIG_CMD_CREATE */, NULL, NULL, 0) != 0)
			return fail("fsconfig create");
		mnt = (int)syscall(432 /* fsmount */, fs, 1 /* FSMOUNT_CLOEXEC */, 0);
		if (mnt < 0)
			return fail("fsmount");
		if (syscall(SYS_move_mount, mnt, "", AT_FDCWD, argv[4], 4 /* MOVE_MOUNT_F_EMPTY_PATH */) != 0)
			return fail("move_mount");
		return 0;
	}
	if (!strcmp(cmd, "tree-attach") && argc == 4) {
		int tree = (int)syscall(SYS_open_tree, AT_FDCWD, argv[2], 1 /* OPEN_TREE_CLONE */ | O_CLOEXEC);

		if (tree < 0)
			return fail("open_tree");
		if (syscall(SYS_move_mount, tree, "", AT_FDCWD, argv[3], 4 /* MOVE_MOUNT_F_EMPTY_PATH */) != 0)
			return fail("move_mount");
		return 0;
	}
	if (!strcmp(cmd, "tree") && (argc == 5 || argc == 6)) {
		const char *op = argv[2], *name = argv[4], *text = argc == 6 ? argv[5] : "";
		int tree = (int)syscall(SYS_open_tree, AT_FDCWD, argv[3], 1 /* OPEN_TREE_CLONE */ | O_CLOEXEC);
		char buf[64];
		int fd;

		if (tree < 0)
			return fail("open_tree");
		if (!strcmp(op, "unlink"))
			return unlinkat(tree, name, 0) == 0 ? 0 : fail("unlinkat");
		if (!strcmp(op, "chown"))
			return fchownat(tree, name, 1, 1, 0) == 0 ? 0 : fail("fchownat");
		if (!strcmp(op, "utimes"))
			return utimensat(tree, name, 0, 0) == 0 ? 0 : fail("utimensat");
		if (!strcmp(op, "read")) {
			fd = openat(tree, name, O_RDONLY | O_CLOEXEC);
			if (fd < 0 || read(fd, buf, sizeof(buf)) < 0)
				return fail("read");
			return 0;
		}
		if (!strcmp(op, "create") || !strcmp(op, "write")) {
			int create = !strcmp(op, "create");

			fd = openat(tree, name, O_WRONLY | O_CLOEXEC | (create ? O_CREAT | O_EXCL : O_APPEND), 0644);
			if (fd < 0)
				return fail(create ? "openat O_CREAT" : "openat O_APPEND");
			if (write(fd, text, strlen(text)) != (ssize_t)strlen(text) || write(fd, "\n", 1) != 1)
				return fail("write");
			return close(fd) == 0 ? 0 : fail("close");
		}
		fprintf(stderr, "tree: unknown operation %s\n", op);
		return 2;
	}
	if (!strcmp(cmd, "mount-under") && argc == 5) {
		struct file_handle *fh = malloc(sizeof(*fh) + 8);
		struct dirent *e;
		uint32_t ino = 0, gen = 0;
		char target[64];
		DIR *d = opendir(argv[2]);
		int pfd, fd;

		if (!fh || !d)
			return fail("opendir");
		while ((e = readdir(d)))
			if (!strcmp(e->d_name, argv[3]))
				ino = (uint32_t)e->d_ino;
		closedir(d);
		if (!ino)
			return fail("readdir: no such entry");
		fh->handle_bytes = 8;
		fh->handle_type = 1; /* FILEID_INO32_GEN */
		memcpy(fh->f_handle, &ino, 4);
		memcpy(fh->f_handle + 4, &gen, 4);
		pfd = open(argv[2], O_RDONLY | O_DIRECTORY);
		if (pfd < 0)
			return fail("open");
		fd = open_by_handle_at(pfd, fh, O_PATH | O_DIRECTORY);
		if (fd < 0)
			return fail("open_by_handle_at");
		snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
		if (mount(argv[4], target, 0, MS_BIND, 0) != 0)
			return fail("mount under");
		printf("mounted %s under the mounts on %s/%s\n", argv[4], argv[2], argv[3]);
		return 0;
	}
	if ((!strcmp(cmd, "handle-write") && argc == 4) || (!strcmp(cmd, "handle-read") && argc == 3) ||
	    (!strcmp(cmd, "handle-bind-write") && argc == 5)) {
		int writing = !strcmp(cmd, "handle-write"), bind = !strcmp(cmd, "handle-bind-write");
		struct file_handle *fh = malloc(sizeof(*fh) + MAX_HANDLE_SZ);
		char dir[4096];
		int mnt_id, mfd, fd, dc;

		if (!fh)
			return fail("malloc");
		fh->handle_bytes = MAX_HANDLE_SZ;
		if (name_to_handle_at(AT_FDCWD, argv[2], fh, &mnt_id, 0) != 0)
			return fail("name_to_handle_at");
		snprintf(dir, sizeof(dir), "%s", argv[2]);
		mfd = open(dirname(dir), O_RDONLY | O_DIRECTORY);
		if (mfd < 0)
			return fail("open the directory");
		dc = open("/proc/sys/vm/drop_caches", O_WRONLY);
		if (dc < 0 || write(dc, "2", 1) != 1)
			return fail("drop_caches");
		close(dc);
		if (bind) {
			char src[64];

			fd = open_by_handle_at(mfd, fh, O_PATH);
			if (fd < 0)
				return fail("open_by_handle_at O_PATH");
			snprintf(src, sizeof(src), "/proc/self/fd/%d", fd);
			if (mount(src, argv[3], NULL, MS_BIND, NULL) != 0)
				return fail("bind mount of the handle");
			fd = open(argv[3], O_WRONLY | O_APPEND);
			if (fd < 0)
				return fail("open the bind mount for writing");
			if (write(fd, argv[4], strlen(argv[4])) < 0 || write(fd, "\n", 1) != 1)
				return fail("write");
			return 0;
		}
		fd = open_by_handle_at(mfd, fh, writing ? O_WRONLY | O_APPEND : O_RDONLY);
		if (fd < 0)
			return fail(writing ? "open_by_handle_at for writing" : "open_by_handle_at for reading");
		if (!writing) {
			char buf[64];

			return read(fd, buf, sizeof(buf)) < 0 ? fail("read") : 0;
		}
		if (write(fd, argv[3], strlen(argv[3])) < 0 || write(fd, "\n", 1) != 1)
			return fail("write");
		return 0;
	}
	if ((!strcmp(cmd, "notif-exec") || !strcmp(cmd, "filter-exec")) && argc > 2)
		return filtered_exec(argv + 2, !strcmp(cmd, "notif-exec"));
	if (!strcmp(cmd, "anon-rwx")) {
		void *p = mmap(0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			return fail("mmap rwx");
		memcpy(p, code, sizeof(code));
		return run(p);
	}
	if (!strcmp(cmd, "anon-rx-uffd")) {
		void *p = mmap(0, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		struct uffdio_api api = {.api = UFFD_API};
		struct uffdio_register reg = {.mode = UFFDIO_REGISTER_MODE_MISSING};
		struct uffdio_copy copy = {0};
		static unsigned char page[4096] __attribute__((aligned(4096)));
		int uffd;

		if (p == MAP_FAILED)
			return fail("mmap rx");
		uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC);
		if (uffd < 0 || ioctl(uffd, UFFDIO_API, &api) != 0)
			return fail("userfaultfd");
		reg.range.start = (unsigned long)p;
		reg.range.len = 4096;
		if (ioctl(uffd, UFFDIO_REGISTER, &reg) != 0)
			return fail("UFFDIO_REGISTER");
		memcpy(page, code, sizeof(code));
		copy.dst = (unsigned long)p;
		copy.src = (unsigned long)page;
		copy.len = 4096;
		if (ioctl(uffd, UFFDIO_COPY, &copy) != 0)
			return fail("UFFDIO_COPY");
		return run(p);
	}
	if (!strcmp(cmd, "mprotect-rx")) {
		void *p = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			return fail("mmap rw");
		memcpy(p, code, sizeof(code));
		if (mprotect(p, 4096, PROT_READ | PROT_EXEC) != 0)
			return fail("mprotect rx");
		return run(p);
	}
	if (!strcmp(cmd, "file-rwx") && argc == 3) {
		int fd = open(argv[2], O_RDWR | O_CREAT | O_TRUNC, 0600);
		void *p;

		if (fd < 0 || ftruncate(fd, 4096) != 0)
			return fail("file");
		p = mmap(0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE, fd, 0);
		if (p == MAP_FAILED)
			return fail("mmap file rwx");
		memcpy(p, code, sizeof(code));
		return run(p);
	}
	if ((!strcmp(cmd, "shared-rwx") || !strcmp(cmd, "devzero-rwx")) && argc == 3) {
		int shared = !strcmp(cmd, "shared-rwx");
		int fd = shared ? open(argv[2], O_RDWR | O_CREAT | O_TRUNC, 0600) : open(argv[2], O_RDWR);
		void *p;

		if (fd < 0 || (shared && ftruncate(fd, 4096) != 0))
			return fail("file");
		p = mmap(0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			return fail(shared ? "mmap shared rwx" : "mmap /dev/zero rwx");
		memcpy(p, code, sizeof(code));
		return run(p);
	}
	if (!strcmp(cmd, "setexe") && argc == 3) {
		int fd = open(argv[2], O_RDONLY);

		if (fd < 0)
			return fail("open");
		if (prctl(PR_SET_MM, PR_SET_MM_EXE_FILE, fd, 0, 0) != 0)
			return fail("prctl PR_SET_MM_EXE_FILE");
		return 0;
	}
	if (!strcmp(cmd, "procmem")) {
		int fd = open("/proc/self/mem", O_RDWR);

		if (fd < 0)
			return fail("open /proc/self/mem");
		if (pwrite(fd, code, sizeof(code), (off_t)(uintptr_t)patchme) != sizeof(code))
			return fail("pwrite /proc/self/mem");
		return run((void *)patchme);
	}
	if (!strcmp(cmd, "memfd-mmap")) {
		int fd = memfd_create("jit", 0);
		void *p;

		if (fd < 0 || write(fd, code, sizeof(code)) != sizeof(code) || ftruncate(fd, 4096) != 0)
			return fail("memfd");
		p = mmap(0, 4096, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			return fail("mmap memfd");
		return run(p);
	}
	if (!strcmp(cmd, "memfd-exec") && argc > 2) {
		int in = open(argv[2], O_RDONLY), fd = memfd_create("prog", 0);
		char buf[65536];
		ssize_t n;

		if (in < 0 || fd < 0)
			return fail("memfd");
		while ((n = read(in, buf, sizeof(buf))) > 0)
			if (write(fd, buf, (size_t)n) != n)
				return fail("memfd write");
		fexecve(fd, argv + 2, (char *[]){ 0 });
		return fail("fexecve");
	}
	if (!strcmp(cmd, "shm-exec")) {
		int id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
		void *p;

		if (id < 0)
			return fail("shmget");
		p = shmat(id, 0, SHM_EXEC);
		shmctl(id, IPC_RMID, 0);
		if (p == (void *)-1)
			return fail("shmat SHM_EXEC");
		return 0;
	}
	if (!strcmp(cmd, "brk-exec")) {
		uintptr_t old, page;

		/* No allocation after the personality change: stdio would. */
		setvbuf(stdout, 0, _IONBF, 0);
		if (personality(PER_LINUX | READ_IMPLIES_EXEC) < 0)
			return fail("personality");
		old = (uintptr_t)sbrk(0);
		/* The first whole page past the old break: a vma of its own,
		 * with the flags brk gives it now. */
		page = (old + 4095) & ~(uintptr_t)4095;
		if (brk((void *)(page + 4096)) != 0)
			return fail("brk");
		memcpy((void *)page, code, sizeof(code));
		return run((void *)page);
	}
	if (!strcmp(cmd, "shm-rie")) {
		int id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
		void *p;

		setvbuf(stdout, 0, _IONBF, 0);
		if (id < 0)
			return fail("shmget");
		if (personality(PER_LINUX | READ_IMPLIES_EXEC) < 0)
			return fail("personality");
		p = shmat(id, 0, 0);
		shmctl(id, IPC_RMID, 0);
		if (p == (void *)-1)
			return fail("shmat");
		memcpy(p, code, sizeof(code));
		return run(p);
	}
	if (!strcmp(cmd, "dlopen") && argc == 3) {
		if (!dlopen(argv[2], RTLD_NOW)) {
			printf("dlopen: %s\n", dlerror());
			return 1;
		}
		puts("loaded");
		return 0;
	}
	fprintf(stderr, "usage: bs-attack COMMAND ARG... (see the source)\n");
	return 2;
}

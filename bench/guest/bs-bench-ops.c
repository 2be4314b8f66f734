// SPDX-License-Identifier: GPL-2.0-only
// bs-bench-ops: the guest side of scripts/bench-guest.sh. Static C, no
// libbpf: it runs on the guest root, which has no C library.
//
//   bs-bench-ops ops ROUNDS EXEC_N FILE_N BIN FILE
//       The enforcer microbenchmark. Per round, times with CLOCK_MONOTONIC:
//         exec   vfork + execve(BIN) + waitpid, EXEC_N times (BIN: a small
//                static program that exits 0)
//         open   open(FILE, O_RDONLY) + close, FILE_N times
//         stat   stat(FILE), FILE_N times (no hook of the enforcer: a control)
//         mmapx  mmap(BIN, PROT_READ|PROT_EXEC, MAP_PRIVATE) + munmap of its
//                first page, FILE_N times (the fd opened once)
//       Prints one line per operation and round
//         BENCH op=NAME round=K n=N ns_per_op=X
//       and after the last round the median of the rounds
//         BENCH op=NAME median_ns_per_op=X
//   bs-bench-ops op NAME N BIN FILE [landlock|apparmor]
//       One batch of one operation, after a short warm-up, for
//       bs-bench-hooks: NAME is exec, open, stat or mmapx as above, or
//       openmany (open+close of FILE/gI/r6 for I = 0..N-1, one file each:
//       N distinct inodes; FILE is a directory, no warm-up). Prints
//         BENCH one op=NAME warm=W n=N ns_per_op=X
//       (W: the operations of the warm-up, done first, not timed)
//       With `landlock`, the process first puts itself under a Landlock
//       domain that handles every file system right of Landlock's ABI 1
//       and allows them all beneath / (the anchor BENCHMARKS.md compares
//       with: every open and exec checked, none refused); exits 3 with
//         BENCH one op=NAME landlock=unavailable error="..."
//       where the kernel has no Landlock. With `apparmor`, it first
//       changes to the AppArmor profile bs-bench (loaded by the guest's
//       bench-hook.sh: every file access allowed, so every open, exec and
//       executable mapping is matched against it, none refused); exits 3
//       with landlock replaced by apparmor where it cannot.
//   bs-bench-ops run CMD ARGS...
//       Runs CMD, waits for it with wait4 and prints
//         BENCH run=CMD status=S wall_ms=X maxrss_kb=K
//       (wall time from fork to exit; peak RSS of CMD). Exits with CMD's status.
//   bs-bench-ops maps PINDIR NAME...
//       Opens each pinned map PINDIR/NAME read-only (BPF_OBJ_GET with
//       BPF_F_RDONLY, which the enforcer allows) and prints its
//       /proc/self/fdinfo: BENCH map=NAME type=T max_entries=N key=K value=V memlock=B
//   bs-bench-ops now LABEL
//       Prints BENCH now=LABEL boottime_ms=X (CLOCK_BOOTTIME: since the kernel started).
//   bs-bench-ops meminfo LABEL
//       Prints BENCH meminfo=LABEL with MemFree, Slab, VmallocUsed, Percpu in kB.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/landlock.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ns(clockid_t clk)
{
	struct timespec ts;
	clock_gettime(clk, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int die(const char *what)
{
	printf("BENCH error=\"%s: %s\"\n", what, strerror(errno));
	fflush(stdout);
	return 1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

enum { OP_EXEC, OP_OPEN, OP_STAT, OP_MMAPX, OP_COUNT, OP_OPENMANY = OP_COUNT, OP_ALL };
static const char *const op_names[OP_ALL] = {"exec", "open", "stat", "mmapx", "openmany"};

// vfork + execve(bin) + waitpid; 0 when bin exited 0. A function of its
// own: nothing of the caller's frame lives across vfork.
static __attribute__((noinline)) int exec_once(const char *bin)
{
	char *const argv[] = {(char *)bin, NULL};
	char *const envp[] = {NULL};
	pid_t pid = vfork();
	if (pid == 0) {
		execve(bin, argv, envp);
		_exit(127);
	}
	int status = 0;
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

// One timed batch of operation `op`; returns ns per operation, < 0 on error.
static double run_op(int op, long n, const char *bin, const char *file)
{
	struct stat st;
	int fd = -1;
	if (op == OP_MMAPX) {
		fd = open(bin, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return die("open for mmap"), -1;
	}
	int64_t t0 = now_ns(CLOCK_MONOTONIC);
	for (long i = 0; i < n; ++i) {
		switch (op) {
		case OP_EXEC:
			if (exec_once(bin) != 0)
				return die("exec"), -1;
			break;
		case OP_OPEN: {
			int f = open(file, O_RDONLY | O_CLOEXEC);
			if (f < 0)
				return die("open"), -1;
			close(f);
			break;
		}
		case OP_OPENMANY: {
			char path[4096];
			snprintf(path, sizeof(path), "%s/g%ld/r6", file, i);
			int f = open(path, O_RDONLY | O_CLOEXEC);
			if (f < 0)
				return die(path), -1;
			close(f);
			break;
		}
		case OP_STAT:
			if (stat(file, &st) != 0)
				return die("stat"), -1;
			break;
		case OP_MMAPX: {
			void *p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
			if (p == MAP_FAILED)
				return die("mmap PROT_EXEC"), -1;
			munmap(p, 4096);
			break;
		}
		}
	}
	int64_t t1 = now_ns(CLOCK_MONOTONIC);
	if (fd >= 0)
		close(fd);
	return (double)(t1 - t0) / (double)n;
}

static int cmd_ops(int argc, char **argv)
{
	if (argc != 7) {
		fprintf(stderr, "usage: bs-bench-ops ops ROUNDS EXEC_N FILE_N BIN FILE\n");
		return 2;
	}
	int rounds = atoi(argv[2]);
	long exec_n = atol(argv[3]), file_n = atol(argv[4]);
	const char *bin = argv[5], *file = argv[6];
	if (rounds < 1 || rounds > 99 || exec_n < 1 || file_n < 1) {
		fprintf(stderr, "bs-bench-ops ops: ROUNDS 1..99, counts >= 1\n");
		return 2;
	}
	double res[OP_COUNT][99];
	// Warm-up: caches, the dentry of FILE, the page cache of BIN.
	for (int op = 0; op < OP_COUNT; ++op)
		if (run_op(op, op == OP_EXEC ? 10 : 100, bin, file) < 0)
			return 1;
	for (int r = 0; r < rounds; ++r)
		for (int op = 0; op < OP_COUNT; ++op) {
			long n = op == OP_EXEC ? exec_n : file_n;
			double ns = run_op(op, n, bin, file);
			if (ns < 0)
				return 1;
			res[op][r] = ns;
			printf("BENCH op=%s round=%d n=%ld ns_per_op=%.0f\n", op_names[op], r + 1, n, ns);
			fflush(stdout);
		}
	for (int op = 0; op < OP_COUNT; ++op)
		printf("BENCH op=%s median_ns_per_op=%.0f\n", op_names[op], median(res[op], rounds));
	return 0;
}

// Every file system right of Landlock's ABI 1 (Linux 5.13): the same set
// on every kernel the benchmark boots.
#define BS_LANDLOCK_FS_V1                                                                                 \
	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE |         \
	 LANDLOCK_ACCESS_FS_READ_DIR | LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |      \
	 LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |          \
	 LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK |       \
	 LANDLOCK_ACCESS_FS_MAKE_SYM)

// Puts this process under a Landlock domain handling BS_LANDLOCK_FS_V1,
// all of it allowed beneath /. 0, or -1 with errno and *what.
static int landlock_everything(const char **what)
{
	struct landlock_ruleset_attr ra;
	memset(&ra, 0, sizeof(ra));
	ra.handled_access_fs = BS_LANDLOCK_FS_V1;
	*what = "landlock_create_ruleset";
	int rs = (int)syscall(SYS_landlock_create_ruleset, &ra, sizeof(ra), 0);
	if (rs < 0)
		return -1;
	struct landlock_path_beneath_attr pb;
	memset(&pb, 0, sizeof(pb));
	pb.allowed_access = BS_LANDLOCK_FS_V1;
	*what = "open /";
	pb.parent_fd = open("/", O_PATH | O_CLOEXEC);
	if (pb.parent_fd < 0)
		return -1;
	*what = "landlock_add_rule";
	if (syscall(SYS_landlock_add_rule, rs, LANDLOCK_RULE_PATH_BENEATH, &pb, 0) != 0)
		return -1;
	close(pb.parent_fd);
	*what = "PR_SET_NO_NEW_PRIVS";
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return -1;
	*what = "landlock_restrict_self";
	if (syscall(SYS_landlock_restrict_self, rs, 0) != 0)
		return -1;
	close(rs);
	return 0;
}

// Changes this task to the AppArmor profile `name` at once (what
// aa_change_profile does). 0, or -1 with errno and *what.
static int apparmor_change(const char *name, const char **what)
{
	char cmd[128];
	const int len = snprintf(cmd, sizeof(cmd), "changeprofile %s", name);
	// /proc/self/attr/apparmor/ from Linux 5.8; /proc/self/attr/ before.
	*what = "/proc/self/attr/apparmor/current";
	int fd = open(*what, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		*what = "/proc/self/attr/current";
		fd = open(*what, O_WRONLY | O_CLOEXEC);
	}
	if (fd < 0)
		return -1;
	const ssize_t w = write(fd, cmd, (size_t)len);
	const int e = errno;
	close(fd);
	errno = e;
	if (w != len)
		return -1;
	// In force: the task's label reads back as the profile.
	char label[128] = "";
	fd = open(*what, O_RDONLY | O_CLOEXEC);
	const ssize_t r = fd < 0 ? -1 : read(fd, label, sizeof(label) - 1);
	if (fd >= 0)
		close(fd);
	if (r <= 0 || strncmp(label, name, strlen(name)) != 0 || label[strlen(name)] != ' ') {
		*what = "the task's label after changeprofile";
		errno = EPROTO;
		return -1;
	}
	return 0;
}

static int cmd_op(int argc, char **argv)
{
	int op = -1;
	const int landlock = argc == 7 && !strcmp(argv[6], "landlock");
	const int apparmor = argc == 7 && !strcmp(argv[6], "apparmor");
	if (argc == 6 || landlock || apparmor)
		for (int i = 0; i < OP_ALL; ++i)
			if (!strcmp(argv[2], op_names[i]))
				op = i;
	long n = op >= 0 ? atol(argv[3]) : 0;
	if (op < 0 || n < 1) {
		fprintf(stderr, "usage: bs-bench-ops op exec|open|stat|mmapx|openmany N BIN FILE [landlock|apparmor]\n");
		return 2;
	}
	if (landlock) {
		const char *what = "";
		if (landlock_everything(&what) != 0) {
			printf("BENCH one op=%s landlock=unavailable error=\"%s: %s\"\n", op_names[op], what,
			       strerror(errno));
			return 3;
		}
	}
	if (apparmor) {
		const char *what = "";
		if (apparmor_change("bs-bench", &what) != 0) {
			printf("BENCH one op=%s apparmor=unavailable error=\"%s: %s\"\n", op_names[op], what,
			       strerror(errno));
			return 3;
		}
	}
	long warm = op == OP_OPENMANY ? 0 : op == OP_EXEC ? 5 : 50;
	if (warm && run_op(op, warm, argv[4], argv[5]) < 0)
		return 1;
	double ns = run_op(op, n, argv[4], argv[5]);
	if (ns < 0)
		return 1;
	printf("BENCH one op=%s warm=%ld n=%ld ns_per_op=%.1f\n", op_names[op], warm, n, ns);
	return 0;
}

static int cmd_run(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: bs-bench-ops run CMD ARGS...\n");
		return 2;
	}
	fflush(stdout);
	int64_t t0 = now_ns(CLOCK_MONOTONIC);
	pid_t pid = fork();
	if (pid < 0)
		return die("fork");
	if (pid == 0) {
		execv(argv[2], argv + 2);
		fprintf(stderr, "bs-bench-ops run: cannot execute %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	int status = 0;
	struct rusage ru;
	memset(&ru, 0, sizeof(ru));
	if (wait4(pid, &status, 0, &ru) != pid)
		return die("wait4");
	int64_t t1 = now_ns(CLOCK_MONOTONIC);
	int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	printf("BENCH run=%s status=%d wall_ms=%.1f maxrss_kb=%ld\n", argv[2], rc, (double)(t1 - t0) / 1e6,
	       ru.ru_maxrss);
	return rc;
}

static int cmd_maps(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: bs-bench-ops maps PINDIR NAME...\n");
		return 2;
	}
	int rc = 0;
	for (int i = 3; i < argc; ++i) {
		char path[512], fdinfo[64], line[256];
		snprintf(path, sizeof(path), "%s/%s", argv[2], argv[i]);
		union bpf_attr attr;
		memset(&attr, 0, sizeof(attr));
		attr.pathname = (uint64_t)(uintptr_t)path;
		attr.file_flags = BPF_F_RDONLY;
		int fd = (int)syscall(SYS_bpf, BPF_OBJ_GET, &attr, sizeof(attr));
		if (fd < 0) {
			printf("BENCH map=%s error=\"%s\"\n", argv[i], strerror(errno));
			rc = 1;
			continue;
		}
		snprintf(fdinfo, sizeof(fdinfo), "/proc/self/fdinfo/%d", fd);
		FILE *f = fopen(fdinfo, "r");
		long type = -1, max = -1, key = -1, value = -1, memlock = -1;
		while (f && fgets(line, sizeof(line), f)) {
			sscanf(line, "map_type: %ld", &type);
			sscanf(line, "max_entries: %ld", &max);
			sscanf(line, "key_size: %ld", &key);
			sscanf(line, "value_size: %ld", &value);
			sscanf(line, "memlock: %ld", &memlock);
		}
		if (f)
			fclose(f);
		close(fd);
		printf("BENCH map=%s type=%ld max_entries=%ld key=%ld value=%ld memlock=%ld\n", argv[i], type, max,
		       key, value, memlock);
	}
	return rc;
}

static int cmd_meminfo(const char *label)
{
	FILE *f = fopen("/proc/meminfo", "r");
	if (!f)
		return die("/proc/meminfo");
	char line[256], name[64];
	long v, memfree = -1, slab = -1, vmalloc = -1, percpu = -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63[^:]: %ld", name, &v) != 2)
			continue;
		if (!strcmp(name, "MemFree"))
			memfree = v;
		else if (!strcmp(name, "Slab"))
			slab = v;
		else if (!strcmp(name, "VmallocUsed"))
			vmalloc = v;
		else if (!strcmp(name, "Percpu"))
			percpu = v;
	}
	fclose(f);
	printf("BENCH meminfo=%s memfree_kb=%ld slab_kb=%ld vmalloc_kb=%ld percpu_kb=%ld\n", label, memfree, slab,
	       vmalloc, percpu);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "ops"))
		return cmd_ops(argc, argv);
	if (argc >= 2 && !strcmp(argv[1], "op"))
		return cmd_op(argc, argv);
	if (argc >= 2 && !strcmp(argv[1], "run"))
		return cmd_run(argc, argv);
	if (argc >= 2 && !strcmp(argv[1], "maps"))
		return cmd_maps(argc, argv);
	if (argc == 3 && !strcmp(argv[1], "now")) {
		printf("BENCH now=%s boottime_ms=%.1f\n", argv[2], (double)now_ns(CLOCK_BOOTTIME) / 1e6);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "meminfo"))
		return cmd_meminfo(argv[2]);
	fprintf(stderr, "usage: bs-bench-ops ops|op|run|maps|now|meminfo ... (see the source's header)\n");
	return 2;
}

// SPDX-License-Identifier: GPL-2.0-only
// bs-bpf-attack: the bpf(2) routes around the enforcer's maps, tried the
// way a root shell would, with raw system calls. Built statically on the
// host by the attack-maps scenario, run in the guest.
//
//   bs-bpf-attack prog-write PIN      with a read-only fd to the pinned hash
//                                     map PIN, load socket filters that
//                                     write its first entry (a store through
//                                     a lookup, and map_update_elem), and
//                                     run them with BPF_PROG_TEST_RUN
//   bs-bpf-attack own-map             the same against a map of its own:
//                                     loads, runs, and the value changes
//   bs-bpf-attack map-ids             every map by id, read-only: prints
//                                     (but its own, bs_attack_own) "ro NAME"
//                                     or "refused ID: ERROR",
//                                     then a writable fd: "rw NAME" or
//                                     "rw-refused NAME: ERROR"
//   bs-bpf-attack prog-ids            load a socket filter of its own
//                                     (attack_own), then every program by
//                                     id: "refused ID:
//                                     ERROR", or "prog NAME" for one it got
//                                     an fd to (an extension program
//                                     replacing one of a program's
//                                     functions is attached through such
//                                     an fd)
//   bs-bpf-attack link-detach PIN     BPF_LINK_DETACH of a pinned link
//   bs-bpf-attack link-update PIN     BPF_LINK_UPDATE of a pinned link to
//                                     a program of its own
//   bs-bpf-attack fake-info REAL DIR  pin in DIR a copy of the pinned
//                                     bs_info REAL (an array map made
//                                     BPF_F_RDONLY_PROG, its hook count 0)
//   bs-bpf-attack pin-map PATH        pin an unrelated map at PATH
//   bs-bpf-attack prog-type TYPE      load "r0 = 0; exit" as a program of
//                                     TYPE (socket_filter, kprobe,
//                                     tracepoint, perf_event,
//                                     raw_tracepoint, ext: with no target,
//                                     which the kernel's own check refuses
//                                     with EINVAL after the LSM's): "TYPE ok" or
//                                     "TYPE error: MESSAGE"
//   bs-bpf-attack lsm-load            load "r0 = 0; exit" as a BPF LSM
//                                     program on file_open (its BTF id read
//                                     from /sys/kernel/btf/vmlinux) and
//                                     attach it: "lsm-load ok" or
//                                     "lsm-load error: MESSAGE", then
//                                     "lsm-attach ok" or its error. The
//                                     program allows everything; it is
//                                     detached when the process exits
//
// Each attempt prints one line: "NAME ok" or "NAME error: MESSAGE".
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/btf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bootseal.h"

static long sys_bpf(int cmd, union bpf_attr *a)
{
	return syscall(SYS_bpf, cmd, a, sizeof(*a));
}

static char vlog[65536];

#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
#define MOV64_REG(d, s) INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define MOV64_IMM(d, i) INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define ADD64_IMM(d, i) INSN(BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, i)
#define ST_MEM(sz, d, o, i) INSN(BPF_ST | BPF_MEM | (sz), d, 0, o, i)
#define CALL(f) INSN(BPF_JMP | BPF_CALL, 0, 0, 0, f)
#define JEQ_IMM(d, i, o) INSN(BPF_JMP | BPF_JEQ | BPF_K, d, 0, o, i)
#define EXIT() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

static int n;
static struct bpf_insn prog[256];

// The two halves of a 64-bit load of a map (the loader's map fd).
static void ld_map_fd(int reg, int fd)
{
	prog[n++] = INSN(BPF_LD | BPF_DW | BPF_IMM, reg, BPF_PSEUDO_MAP_FD, 0, fd);
	prog[n++] = INSN(0, 0, 0, 0, 0);
}

// Put `len` bytes of `bytes` on the stack at r10 - off (off multiple of 4).
static void stack_bytes(const unsigned char *bytes, unsigned len, int off)
{
	for (unsigned i = 0; i < len; i += 4) {
		int32_t w = 0;
		memcpy(&w, bytes + i, len - i < 4 ? len - i : 4);
		prog[n++] = ST_MEM(BPF_W, BPF_REG_10, -off + (int)i, w);
	}
}

static int load_as(const char *what, uint32_t type)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = type;
	a.insns = (uint64_t)(uintptr_t)prog;
	a.insn_cnt = (uint32_t)n;
	a.license = (uint64_t)(uintptr_t)"GPL";
	a.log_buf = (uint64_t)(uintptr_t)vlog;
	a.log_size = sizeof(vlog);
	a.log_level = 1;
	vlog[0] = 0;
	int fd = (int)sys_bpf(BPF_PROG_LOAD, &a);
	if (fd < 0) {
		int e = errno;
		// The verifier's reason: its last line before the statistics.
		char *last = vlog, *line = vlog, *p;
		for (p = vlog; *p; p++) {
			if (*p != '\n')
				continue;
			*p = 0;
			if (*line && strncmp(line, "processed ", 10) != 0)
				last = line;
			line = p + 1;
		}
		printf("%s error: %s%s%s\n", what, strerror(e), *last ? ": " : "", last);
	}
	return fd;
}

static int load(const char *what) { return load_as(what, BPF_PROG_TYPE_SOCKET_FILTER); }

static int test_run(int pfd)
{
	unsigned char pkt[64] = { 0 };
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.test.prog_fd = (uint32_t)pfd;
	a.test.data_in = (uint64_t)(uintptr_t)pkt;
	a.test.data_size_in = sizeof(pkt);
	a.test.repeat = 1;
	return (int)sys_bpf(BPF_PROG_TEST_RUN, &a);
}

// Load the program in prog[] as socket filter `what` and run it once:
// prints "WHAT ok" or the error; 1 when it ran.
static int load_and_run(const char *what)
{
	int p = load(what), ran = 0;

	if (p < 0)
		return 0;
	if (test_run(p) == 0) {
		printf("%s ok\n", what);
		ran = 1;
	} else {
		printf("%s error: test run: %s\n", what, strerror(errno));
	}
	close(p);
	return ran;
}

static int obj_get(const char *path, uint32_t flags)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.pathname = (uint64_t)(uintptr_t)path;
	a.file_flags = flags;
	return (int)sys_bpf(BPF_OBJ_GET, &a);
}

static int map_info(int fd, struct bpf_map_info *info)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	memset(info, 0, sizeof(*info));
	a.info.bpf_fd = (uint32_t)fd;
	a.info.info_len = sizeof(*info);
	a.info.info = (uint64_t)(uintptr_t)info;
	return (int)sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a);
}

/* This program's own maps are named so that map-ids can tell them from the
 * enforcer's: one freed a moment ago stays listed until the RCU grace
 * period of the program that used it ends. */
static const char kOwnMapName[] = "bs_attack_own";

static int map_create(uint32_t type, uint32_t ksz, uint32_t vsz, uint32_t max, uint32_t flags,
		      const char *name)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = type;
	a.key_size = ksz;
	a.value_size = vsz;
	a.max_entries = max;
	a.map_flags = flags;
	if (name)
		strncpy(a.map_name, name, sizeof(a.map_name) - 1);
	return (int)sys_bpf(BPF_MAP_CREATE, &a);
}

static int elem(int cmd, int fd, const void *key, void *value, uint64_t flags)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.key = (uint64_t)(uintptr_t)key;
	a.value = (uint64_t)(uintptr_t)value;
	a.flags = flags;
	return (int)sys_bpf(cmd, &a);
}

// Two socket filters against map `mfd` with key `key`: a store of zeros
// through the value bpf_map_lookup_elem returns, and bpf_map_update_elem
// with a zero value. Returns the number that loaded and ran.
static int write_programs(int mfd, const unsigned char *key, unsigned ksz, unsigned vsz, const char *tag)
{
	int ran = 0;
	char what[64];
	unsigned koff = (ksz + 7) & ~7u, voff = koff + ((vsz + 7) & ~7u);

	// 1: *(u32 *)lookup(key) = 0 (action ALLOW, for a rules entry).
	n = 0;
	stack_bytes(key, ksz, (int)koff);
	ld_map_fd(BPF_REG_1, mfd);
	prog[n++] = MOV64_REG(BPF_REG_2, BPF_REG_10);
	prog[n++] = ADD64_IMM(BPF_REG_2, -(int)koff);
	prog[n++] = CALL(BPF_FUNC_map_lookup_elem);
	prog[n++] = JEQ_IMM(BPF_REG_0, 0, 1);
	prog[n++] = ST_MEM(BPF_W, BPF_REG_0, 0, 0);
	prog[n++] = MOV64_IMM(BPF_REG_0, 0);
	prog[n++] = EXIT();
	snprintf(what, sizeof(what), "%s-store", tag);
	ran += load_and_run(what);

	// 2: bpf_map_update_elem(map, key, zeros, BPF_ANY).
	if (voff <= 256) {
		unsigned char zero[256] = { 0 };
		n = 0;
		stack_bytes(key, ksz, (int)koff);
		stack_bytes(zero, vsz, (int)voff);
		ld_map_fd(BPF_REG_1, mfd);
		prog[n++] = MOV64_REG(BPF_REG_2, BPF_REG_10);
		prog[n++] = ADD64_IMM(BPF_REG_2, -(int)koff);
		prog[n++] = MOV64_REG(BPF_REG_3, BPF_REG_10);
		prog[n++] = ADD64_IMM(BPF_REG_3, -(int)voff);
		prog[n++] = MOV64_IMM(BPF_REG_4, 0);
		prog[n++] = CALL(BPF_FUNC_map_update_elem);
		prog[n++] = MOV64_IMM(BPF_REG_0, 0);
		prog[n++] = EXIT();
		snprintf(what, sizeof(what), "%s-update", tag);
		ran += load_and_run(what);
	}
	return ran;
}

static int cmd_prog_write(const char *pin)
{
	int fd = obj_get(pin, BPF_F_RDONLY);
	if (fd < 0) {
		printf("open error: %s\n", strerror(errno));
		return 1;
	}
	printf("open ok\n");
	struct bpf_map_info info;
	if (map_info(fd, &info) != 0 || info.key_size > 128 || info.value_size > 256) {
		printf("info error: %s\n", strerror(errno));
		return 1;
	}
	unsigned char key[128] = { 0 };
	if (elem(BPF_MAP_GET_NEXT_KEY, fd, NULL, key, 0) != 0) {
		printf("first-key error: %s\n", strerror(errno));
		return 1;
	}
	return write_programs(fd, key, info.key_size, info.value_size, "prog") ? 0 : 1;
}

static int cmd_own_map(void)
{
	int fd = map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 1, 0, kOwnMapName);
	if (fd < 0) {
		printf("own-create error: %s\n", strerror(errno));
		return 1;
	}
	uint32_t k = 0;
	uint64_t v = 42;
	elem(BPF_MAP_UPDATE_ELEM, fd, &k, &v, BPF_ANY);
	int ran = write_programs(fd, (const unsigned char *)&k, 4, 8, "own");
	v = 42;
	elem(BPF_MAP_LOOKUP_ELEM, fd, &k, &v, 0);
	printf("own-value %llu\n", (unsigned long long)v);
	return ran == 2 && v == 0 ? 0 : 1;
}

static int cmd_map_ids(void)
{
	uint32_t id = 0;
	for (;;) {
		union bpf_attr a;
		memset(&a, 0, sizeof(a));
		a.start_id = id;
		if (sys_bpf(BPF_MAP_GET_NEXT_ID, &a) != 0)
			break;
		id = a.next_id;
		memset(&a, 0, sizeof(a));
		a.map_id = id;
		a.open_flags = BPF_F_RDONLY;
		int fd = (int)sys_bpf(BPF_MAP_GET_FD_BY_ID, &a);
		if (fd < 0) {
			printf("refused %u: %s\n", id, strerror(errno));
			continue;
		}
		struct bpf_map_info info;
		map_info(fd, &info);
		close(fd);
		if (!strcmp(info.name, kOwnMapName))
			continue; /* this program's own, from an earlier command */
		printf("map %u type %u key %u value %u entries %u flags 0x%x name '%s'\n", id, info.type,
		       info.key_size, info.value_size, info.max_entries, info.map_flags, info.name);
		printf("ro %s\n", info.name);
		a.open_flags = 0;
		fd = (int)sys_bpf(BPF_MAP_GET_FD_BY_ID, &a);
		if (fd < 0) {
			printf("rw-refused %s: %s\n", info.name, strerror(errno));
			continue;
		}
		printf("rw %s\n", info.name);
		close(fd);
	}
	return 0;
}

static int cmd_prog_ids(void)
{
	uint32_t id = 0;
	/* A program of its own first, named attack_own: found by id, the twin. */
	n = 0;
	prog[n++] = MOV64_IMM(BPF_REG_0, 0);
	prog[n++] = EXIT();
	union bpf_attr own;
	memset(&own, 0, sizeof(own));
	own.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	own.insns = (uint64_t)(uintptr_t)prog;
	own.insn_cnt = (uint32_t)n;
	own.license = (uint64_t)(uintptr_t)"GPL";
	strncpy(own.prog_name, "attack_own", sizeof(own.prog_name) - 1);
	int own_fd = (int)sys_bpf(BPF_PROG_LOAD, &own);
	if (own_fd < 0)
		printf("own error: %s\n", strerror(errno));
	for (;;) {
		union bpf_attr a;
		memset(&a, 0, sizeof(a));
		a.start_id = id;
		if (sys_bpf(BPF_PROG_GET_NEXT_ID, &a) != 0)
			break;
		id = a.next_id;
		memset(&a, 0, sizeof(a));
		a.prog_id = id;
		int fd = (int)sys_bpf(BPF_PROG_GET_FD_BY_ID, &a);
		if (fd < 0) {
			printf("refused %u: %s\n", id, strerror(errno));
			continue;
		}
		struct bpf_prog_info info;
		memset(&info, 0, sizeof(info));
		memset(&a, 0, sizeof(a));
		a.info.bpf_fd = (uint32_t)fd;
		a.info.info_len = sizeof(info);
		a.info.info = (uint64_t)(uintptr_t)&info;
		if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a) == 0)
			printf("prog %s\n", info.name);
		close(fd);
	}
	if (own_fd >= 0)
		close(own_fd);
	return 0;
}

// "r0 = 0; exit" loaded as a program of `type`.
static int empty_prog(const char *what, uint32_t type)
{
	n = 0;
	prog[n++] = MOV64_IMM(BPF_REG_0, 0);
	prog[n++] = EXIT();
	return load_as(what, type);
}

static int cmd_link(const char *pin, int update)
{
	int fd = obj_get(pin, 0);
	if (fd < 0) {
		printf("open error: %s\n", strerror(errno));
		return 1;
	}
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	const char *what = update ? "link-update" : "link-detach";
	long rc;
	if (update) {
		a.link_update.link_fd = (uint32_t)fd;
		a.link_update.new_prog_fd = (uint32_t)empty_prog("own-prog", BPF_PROG_TYPE_SOCKET_FILTER);
		rc = sys_bpf(BPF_LINK_UPDATE, &a);
	} else {
		a.link_detach.link_fd = (uint32_t)fd;
		rc = sys_bpf(BPF_LINK_DETACH, &a);
	}
	if (rc != 0) {
		printf("%s error: %s\n", what, strerror(errno));
		return 1;
	}
	printf("%s ok\n", what);
	return 0;
}

static int pin(int fd, const char *path)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.pathname = (uint64_t)(uintptr_t)path;
	a.bpf_fd = (uint32_t)fd;
	if (sys_bpf(BPF_OBJ_PIN, &a) != 0) {
		printf("pin error: %s\n", strerror(errno));
		return 1;
	}
	printf("pin ok\n");
	return 0;
}

static int cmd_fake_info(const char *real, const char *dir)
{
	int fd = obj_get(real, BPF_F_RDONLY);
	struct bs_info info;
	uint32_t k = 0;
	if (fd < 0 || elem(BPF_MAP_LOOKUP_ELEM, fd, &k, &info, 0) != 0) {
		printf("read error: %s\n", strerror(errno));
		return 1;
	}
	info.hooks = 0;
	int f = map_create(BPF_MAP_TYPE_ARRAY, 4, sizeof(info), 1, BPF_F_RDONLY_PROG, NULL);
	if (f < 0 || elem(BPF_MAP_UPDATE_ELEM, f, &k, &info, BPF_ANY) != 0) {
		printf("fake error: %s\n", strerror(errno));
		return 1;
	}
	char path[512];
	snprintf(path, sizeof(path), "%s/info", dir);
	return pin(f, path);
}

static int cmd_prog_type(const char *name)
{
	static const struct {
		const char *name;
		uint32_t type;
	} types[] = {
		{"socket_filter", BPF_PROG_TYPE_SOCKET_FILTER}, {"kprobe", BPF_PROG_TYPE_KPROBE},
		{"tracepoint", BPF_PROG_TYPE_TRACEPOINT},       {"perf_event", BPF_PROG_TYPE_PERF_EVENT},
		{"raw_tracepoint", BPF_PROG_TYPE_RAW_TRACEPOINT}, {"ext", BPF_PROG_TYPE_EXT},
	};
	for (unsigned i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (strcmp(types[i].name, name))
			continue;
		int fd = empty_prog(name, types[i].type);
		if (fd < 0)
			return 1;
		printf("%s ok\n", name);
		close(fd);
		return 0;
	}
	fprintf(stderr, "unknown program type %s\n", name);
	return 2;
}

// The BTF id of the function `name` (kind FUNC) in the kernel's BTF, 0
// when it is not found.
static uint32_t btf_func_id(const char *name)
{
	FILE *f = fopen("/sys/kernel/btf/vmlinux", "rb");
	static unsigned char buf[64 << 20];
	size_t len;
	struct btf_header h;
	uint32_t id = 0;

	if (!f)
		return 0;
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (len < sizeof(h))
		return 0;
	memcpy(&h, buf, sizeof(h));
	if (h.magic != BTF_MAGIC || (size_t)h.hdr_len + h.str_off + h.str_len > len ||
	    (size_t)h.hdr_len + h.type_off + h.type_len > len)
		return 0;
	const unsigned char *types = buf + h.hdr_len + h.type_off, *end = types + h.type_len;
	const char *strs = (const char *)buf + h.hdr_len + h.str_off;
	for (const unsigned char *p = types; p + sizeof(struct btf_type) <= end;) {
		struct btf_type t;
		memcpy(&t, p, sizeof(t));
		id++;
		unsigned kind = BTF_INFO_KIND(t.info), vlen = BTF_INFO_VLEN(t.info);
		size_t extra;
		switch (kind) {
		case BTF_KIND_INT: case BTF_KIND_VAR: case BTF_KIND_DECL_TAG: extra = 4; break;
		case BTF_KIND_ARRAY: extra = sizeof(struct btf_array); break;
		case BTF_KIND_STRUCT: case BTF_KIND_UNION: extra = vlen * sizeof(struct btf_member); break;
		case BTF_KIND_ENUM: extra = vlen * sizeof(struct btf_enum); break;
		case BTF_KIND_FUNC_PROTO: extra = vlen * sizeof(struct btf_param); break;
		case BTF_KIND_DATASEC: extra = vlen * sizeof(struct btf_var_secinfo); break;
		case 19: /* BTF_KIND_ENUM64 */ extra = vlen * 12; break;
		default: extra = 0; break; /* PTR, FWD, TYPEDEF, VOLATILE, CONST, RESTRICT, FUNC, FLOAT, TYPE_TAG */
		}
		if (kind == BTF_KIND_FUNC && t.name_off < h.str_len && !strcmp(strs + t.name_off, name))
			return id;
		p += sizeof(t) + extra;
	}
	return 0;
}

static int cmd_lsm_load(void)
{
	uint32_t btf_id = btf_func_id("bpf_lsm_file_open");
	union bpf_attr a;

	if (!btf_id) {
		printf("lsm-load error: no BTF id for bpf_lsm_file_open\n");
		return 1;
	}
	n = 0;
	prog[n++] = MOV64_IMM(BPF_REG_0, 0);
	prog[n++] = EXIT();
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_LSM;
	a.expected_attach_type = BPF_LSM_MAC;
	a.attach_btf_id = btf_id;
	a.insns = (uint64_t)(uintptr_t)prog;
	a.insn_cnt = (uint32_t)n;
	a.license = (uint64_t)(uintptr_t)"GPL";
	int fd = (int)sys_bpf(BPF_PROG_LOAD, &a);
	if (fd < 0) {
		printf("lsm-load error: %s\n", strerror(errno));
		return 1;
	}
	printf("lsm-load ok\n");
	memset(&a, 0, sizeof(a));
	a.raw_tracepoint.prog_fd = (uint32_t)fd;
	int link = (int)sys_bpf(BPF_RAW_TRACEPOINT_OPEN, &a);
	if (link < 0) {
		printf("lsm-attach error: %s\n", strerror(errno));
		return 1;
	}
	printf("lsm-attach ok\n");
	close(link);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "prog-write"))
		return cmd_prog_write(argv[2]);
	if (argc == 2 && !strcmp(argv[1], "own-map"))
		return cmd_own_map();
	if (argc == 2 && !strcmp(argv[1], "map-ids"))
		return cmd_map_ids();
	if (argc == 2 && !strcmp(argv[1], "prog-ids"))
		return cmd_prog_ids();
	if (argc == 3 && !strcmp(argv[1], "link-detach"))
		return cmd_link(argv[2], 0);
	if (argc == 3 && !strcmp(argv[1], "link-update"))
		return cmd_link(argv[2], 1);
	if (argc == 4 && !strcmp(argv[1], "fake-info"))
		return cmd_fake_info(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "prog-type"))
		return cmd_prog_type(argv[2]);
	if (argc == 2 && !strcmp(argv[1], "lsm-load"))
		return cmd_lsm_load();
	if (argc == 3 && !strcmp(argv[1], "pin-map")) {
		int fd = map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 1, 0, kOwnMapName);
		return fd < 0 ? 1 : pin(fd, argv[2]);
	}
	fprintf(stderr, "usage: see the comment at the top of bs-bpf-attack.c\n");
	return 2;
}

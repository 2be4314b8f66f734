// SPDX-License-Identifier: GPL-2.0-only
/*
 * bootseal enforcer: BPF LSM programs that decide the operations of the
 * policy language from maps the loader fills and freezes, and refuse the
 * routes that would remove or change them. docs/ENFORCER.md describes the
 * maps and the order in which a decision looks at them.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "kernel.h"
#include "bootseal.h"

char LICENSE[] SEC("license") = "GPL";

/* ---- maps ------------------------------------------------------------ */

/*
 * Two kinds of maps (docs/ENFORCER.md, "Self-protection"):
 *  - policy maps (rules, subjects, fsnames, names, ancestors, places,
 *    filter, rawdevs, protected_ids, info): created
 *    BPF_F_RDONLY_PROG, so that no program, ours or another's, can write
 *    them; filled by the loader through the syscall, then frozen. Anyone
 *    may hold a read-only fd.
 *  - state maps the enforcer writes (stats, audit_log, task_subject,
 *    trusted, .bss): no fd of any kind for any task but the loader's, so
 *    no other program can be given them. They are read through the pinned
 *    iterators below (`stats`, `audit`), with open() and read().
 */

/* The compiled policy (frozen). max_entries is set by the loader. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_RDONLY_PROG);
	__uint(max_entries, 1);
	__type(key, struct bs_rule_key);
	__type(value, struct bs_rule_val);
} rules SEC(".maps");

/* Executables named by the policy -> subject id (frozen). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_RDONLY_PROG);
	__uint(max_entries, 1);
	__type(key, struct bs_inode_key);
	__type(value, __u32);
} subjects SEC(".maps");

/* Filesystem type names -> superblock magic, for sb_mount (frozen). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_RDONLY_PROG);
	__uint(max_entries, 64);
	__type(key, struct bs_fsname);
	__type(value, __u64);
} fsnames SEC(".maps");

/* Protected names: (directory, entry) -> name id, for BS_KIND_NAME rule
 * keys (filled by the loader, then frozen). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_RDONLY_PROG);
	__uint(max_entries, 1);
	__type(key, struct bs_name_key);
	__type(value, __u32);
} names SEC(".maps");

/* Directories above protected names and the directories subtree rules
 * name: never renamed or removed (filled by the loader, then frozen). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_RDONLY_PROG);
	__uint(max_entries, 1);
	__type(key, struct bs_inode_key);
	__type(value, __u8);
} ancestors SEC(".maps");

/* Which inodes rule entries or protected names may be about: one bit per
 * hash (bootseal.h, BS_FILTER_MIX), a clear bit meaning none (filled by
 * the loader, then frozen). max_entries is set by the loader. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_RDONLY_PROG);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} filter SEC(".maps");

/* Where the fstab places the filesystems mounted after the loader, by
 * their UUIDs: each level of a place's directories (filled by the loader,
 * then frozen). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_RDONLY_PROG);
	__uint(max_entries, 1);
	__type(key, struct bs_place_key);
	__type(value, struct bs_place_dir);
} places SEC(".maps");

/* The enforcer's own maps, programs and links (frozen): about 15 maps and
 * two entries per program. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_RDONLY_PROG);
	__uint(max_entries, 256);
	__type(key, struct bs_obj_id);
	__type(value, __u8);
} protected_ids SEC(".maps");

/* What `bootseal status` shows (frozen). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_RDONLY_PROG);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bs_info);
} info SEC(".maps");

/* Counters (state: read through the `stats` iterator). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bs_stats);
} stats SEC(".maps");

/* The audit log, circular (state: read through the `audit` iterator).
 * max_entries is set by the loader, and copied into bs_log_entries. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct bs_record);
} audit_log SEC(".maps");

/* Devices under protected filesystems -> the operations opening them is
 * refused for without a device rule (frozen). max_entries set by the loader. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_RDONLY_PROG);
	__uint(max_entries, 1);
	__type(key, struct bs_rawdev_key);
	__type(value, struct bs_rawdev);
} rawdevs SEC(".maps");

/* A new mount between sb_mount and sb_kern_mount: its mount point, for the
 * decision on the new superblock's type. */
struct bs_pending_mount {
	__u64 dentry;  /* struct dentry * of the mount point */
	__u64 mnt;     /* struct vfsmount * it is seen through */
	__u64 place;   /* struct dentry * of a place's mount point (BS_ANCESTOR_PLACE) */
	__u64 names;   /* struct dentry * of a directory of names it may hold (BS_ANCESTOR_PARENT) */
};

/* What check_mount_on_ancestor found a mount is attached on: its caller
 * checks what is mounted there. */
#define BS_MOUNT_ON_PLACE 1  /* a place's mount point: only its filesystem */
#define BS_MOUNT_ON_NAMES 2  /* the empty directory of protected names: a whole
			      * filesystem whose root does not ignore case */

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct bs_pending_mount);
} pending_mount SEC(".maps");

/* The subject each process runs as, on its thread group leader: set at
 * exec, inherited at fork, dropped when foreign code is mapped. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct bs_task);
} task_subject SEC(".maps");

/* The loader's own task while it installs: the only task the
 * self-protection lets through. Gone with the task when the loader exits. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u32);
} trusted SEC(".maps");

/* ---- settings (read-only after load) --------------------------------- */

const volatile __u32 bs_mode = BS_MODE_ENFORCE;
const volatile __u8 bs_defaults[BS_OP_SLOTS] = {};
/* Per operation, bit (1 << BS_KIND_*) set when some rule has that kind. */
const volatile __u8 bs_kinds[BS_OP_SLOTS] = {};
/* The bpffs directory holding the pins, and its filesystem. */
const volatile __u32 bs_pin_dev = 0;
const volatile __u64 bs_pin_ino = 0;
/* The initramfs the loader ran from (its tmpfs/ramfs root), 0 for none.
 * Its files are the boot chain itself, outside the policy until PID 1
 * executes a file from elsewhere (the real init, after switch_root). */
const volatile __u32 bs_initramfs_dev = 0;
/* CLOCK_BOOTTIME (ns) just before the loader loaded the enforcer: tasks
 * started later get their subject entry from the hooks. */
const volatile __u64 bs_loaded_at = 0;
/* audit_log's max_entries. */
const volatile __u32 bs_log_entries = 1;

/* Union of the operations any `rawdevs` entry guards. */
const volatile __u32 bs_rawdev_ops = 0;
/* Boot phases: the seal-after deadline (CLOCK_BOOTTIME, ns), 0 for a
 * policy without phases (then nothing below about phases runs); the
 * seal-by program's subject, 0 for none; the running phase's defaults. */
const volatile __u64 bs_seal_after_ns = 0;
const volatile __u32 bs_seal_subject = 0;
/* 1 when the policy names a seal-by program, resolved or not. */
const volatile __u8 bs_seal_by_named = 0;
const volatile __u8 bs_run_defaults[BS_OP_SLOTS] = {};

/* Whether `allow bpf-load lsm` grants hold: the loader sets it only where
 * the kernel bounds LSM programs' return values (0 or an error); where a
 * program may return a positive value, a granted one could skip this
 * enforcer, and the grants are void. */
const volatile __u8 bs_lsm_grants = 0;

/* `filter` holds 1 << (64 - bs_filter_shift) bits. */
const volatile __u32 bs_filter_shift = BS_FILTER_MAX_SHIFT;

/* Whether the `names`, `ancestors` and `places` maps have entries. */
const volatile __u8 bs_has_names = 0;
const volatile __u8 bs_has_ancestors = 0;
const volatile __u8 bs_has_places = 0;

/* Set once PID 1 has left the initramfs. */
__u32 bs_boot_done = 0;

/* Set once a process (not a thread, not a kernel thread) shares PID 1's
 * root and working directory: PID 1 made it with CLONE_FS, or a task
 * sharing PID 1's fs_struct did. Until then the only other users of PID
 * 1's fs_struct are kernel threads: the kernel starts PID 1 and kthreadd
 * with CLONE_FS so that they follow its switch_root. */
__u32 bs_pid1_fs_shared = 0;

/* PID 1's fs_struct and root (struct path: mount, dentry) as it left the
 * initramfs (or at its first exec after the enforcer was loaded, with no
 * initramfs), 0 before. */
__u64 bs_pid1_fs = 0;
__u64 bs_pid1_root_mnt = 0;
__u64 bs_pid1_root_dentry = 0;

/* Set once PID 1, its root recorded, has changed its root to another
 * (chroot, pivot_root) or executed under another: from then on PID 1 never
 * counts as in the root it booted into, not even back in it (through a
 * descriptor kept from before, or the old root still mounted under the
 * new one). Never cleared. */
__u32 bs_pid1_left_root = 0;

/* The mount (struct mount *) the pins' bpffs is seen through, recorded
 * when the loader opens the pin directory once attached. A lazy unmount of
 * it or of any mount above it would drop the pins and so the enforcer. */
__u64 bs_pin_mnt = 0;

/* ---- helpers --------------------------------------------------------- */

/* Whether the current task is PID 1 (any of its threads). */
static __always_inline int current_is_pid1(void)
{
	return (bpf_get_current_pid_tgid() >> 32) == 1;
}

static __always_inline struct bs_stats *counters(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&stats, &zero);
}

static __always_inline void count(__u64 *counter)
{
	__sync_fetch_and_add(counter, 1);
}

/* One audit record: the next sequence number picks the slot; seq is 0
 * while the slot is written, so that a reader skips a half-written one. */
static __always_inline void emit(__u8 op, __u32 subject, __u32 dev, __u64 id,
				 __s32 rule, __u8 action, __u8 denied)
{
	struct bs_stats *s = counters();
	struct bs_record *r;
	struct bs_event *e;
	__u64 pid_tgid, seq;
	__u32 slot;

	if (!s || !bs_log_entries)
		return;
	seq = __sync_fetch_and_add(&s->events, 1) + 1;
	slot = (__u32)((seq - 1) % bs_log_entries);
	r = bpf_map_lookup_elem(&audit_log, &slot);
	if (!r)
		return;
	if (r->seq)
		count(&s->overwritten);
	r->seq = 0;
	e = &r->event;
	pid_tgid = bpf_get_current_pid_tgid();
	e->time_ns = bpf_ktime_get_boot_ns();
	e->pid = pid_tgid >> 32;
	e->tid = (__u32)pid_tgid;
	e->subject = subject;
	e->dev = dev;
	e->id = id;
	e->rule = rule;
	e->op = op;
	e->action = action;
	e->denied = denied;
	e->pad = 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	asm volatile("" ::: "memory");
	r->seq = seq;
}

static __always_inline int is_trusted(void)
{
	return bpf_task_storage_get(&trusted, bpf_get_current_task_btf(), 0, 0) != 0;
}

static __always_inline __u32 subject_of_inode(struct inode *inode)
{
	struct bs_inode_key k = {};
	__u32 *id;

	if (!inode)
		return BS_SUBJECT_ANY;
	k.dev = BPF_CORE_READ(inode, i_sb, s_dev);
	k.ino = BPF_CORE_READ(inode, i_ino);
	id = bpf_map_lookup_elem(&subjects, &k);
	return id ? *id : BS_SUBJECT_ANY;
}

/* The subject of a task's process: cached in the task storage of its
 * thread group leader (all threads share it), looked up from the
 * executable for processes that started before the enforcer. */
static __always_inline __u32 subject_of_task(struct task_struct *task)
{
	struct task_struct *leader = task->group_leader;
	struct bs_task *t;
	__u32 id;

	t = bpf_task_storage_get(&task_subject, leader, 0, 0);
	if (t)
		return t->subject;
	/* Every process created since the enforcer was loaded got an entry
	 * from task_alloc or exec; one without (an allocation that failed)
	 * holds no subject. */
	if (BPF_CORE_READ(leader, start_boottime) >= bs_loaded_at)
		return BS_SUBJECT_ANY;
	id = subject_of_inode(BPF_CORE_READ(task, mm, exe_file, f_inode));
	t = bpf_task_storage_get(&task_subject, leader, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (t)
		t->subject = id;
	return id;
}

static __always_inline __u32 current_subject(void)
{
	return subject_of_task(bpf_get_current_task_btf());
}

/* A refused route around the enforcer: always refused, in both modes. The
 * event names the process's subject (a subject refused a load beyond its
 * grant shows as itself). */
static __always_inline int self_deny_detail(__u64 route, __u32 detail)
{
	struct bs_stats *s = counters();

	if (s)
		count(&s->self_denied);
	emit(BS_OP_SELF, current_subject(), detail, route, BS_RULE_DEFAULT, BS_ACT_DENY, 1);
	return -EPERM;
}

static __always_inline int self_deny(__u64 route)
{
	return self_deny_detail(route, 0);
}

/* ---- boot phases ------------------------------------------------------ */

/* Ends the boot phase, once: the first caller's compare-and-swap wins and
 * records why, when and who; every later call changes nothing. Nothing
 * clears `sealed`: no program but these writes `stats`, and no process
 * but the loader holds an fd to it (BS_OBJ_STATE). */
static __noinline int seal_phase(__u64 reason)
{
	struct bs_stats *s = counters();
	__u32 subject = 0;

	if (!s)
		return 0;
	if (__sync_val_compare_and_swap(&s->sealed, 0, reason) != 0)
		return 0;
	if (reason == BS_SEAL_TRIGGER) {
		subject = current_subject();
		s->sealed_ns = bpf_ktime_get_boot_ns();
		s->sealed_pid = bpf_get_current_pid_tgid() >> 32;
		s->sealed_subject = subject;
		bpf_get_current_comm(s->sealed_comm, sizeof(s->sealed_comm));
	} else {
		s->sealed_ns = bs_seal_after_ns;
	}
	emit(BS_OP_SELF, subject, 0, BS_SELF_SEALED,
	     reason == BS_SEAL_TRIGGER ? BS_RULE_SEAL_TRIGGER : BS_RULE_SEAL_DEADLINE, BS_ACT_ALLOW, 0);
	return 0;
}

/* 1 in the running phase, 0 in the boot phase. The deadline needs no
 * timer: every decision asks, and the first one past the deadline seals,
 * so no decision after the deadline is made under boot rules and no
 * process can cancel or delay it (CLOCK_BOOTTIME cannot be set, and time
 * namespaces do not move the kernel's clock). Only called when the policy
 * has phases (bs_seal_after_ns != 0). */
static __noinline int phase_running(void)
{
	struct bs_stats *s = counters();

	if (!s)
		return 1;
	if (s->sealed)
		return 1;
	if (bpf_ktime_get_boot_ns() < bs_seal_after_ns)
		return 0;
	seal_phase(BS_SEAL_DEADLINE);
	return 1;
}

/* Which phase a decision is made in: the one in force (PHASE_NOW), or, for
 * the checks that must hold in both (a subject's code is write-protected),
 * one named. */
#define PHASE_NOW 0
#define PHASE_BOOT 1
#define PHASE_RUNNING 2

/* 1 when a decision asked in `phase` uses the running phase's rules. */
static __always_inline int running_for(__u8 phase)
{
	if (!bs_seal_after_ns)
		return 0;
	if (phase == PHASE_NOW)
		return phase_running();
	return phase == PHASE_RUNNING;
}

/* The default of `op` in a phase. */
static __always_inline __u8 default_in(__u8 op, int running)
{
	if (op >= BS_OP_SLOTS)
		return BS_ACT_ALLOW;
	return running ? bs_run_defaults[op] : bs_defaults[op];
}

/* An entry's action and rule in the phase in force; 0 when the entry has
 * none in it (BS_ACT_NONE). */
static __always_inline int in_phase(const struct bs_rule_val *v, int running, struct bs_rule_val *out)
{
	__u8 action = running ? v->run_action : v->action;

	if (action == BS_ACT_NONE)
		return 0;
	out->action = action;
	out->rule = running ? v->run_rule : v->rule;
	return 1;
}

/* One level of precedence: a rule naming the subject, else the rule for
 * any subject unless the subject is exempt from it. Returns 1 when the
 * level decides. With phases, an entry with no rule in the phase asked
 * (running or not) is as if absent. */
static __always_inline int level_in(struct bs_rule_key *k, __u32 subject, int running, struct bs_rule_val *out)
{
	struct bs_rule_val *v;

	if (subject != BS_SUBJECT_ANY) {
		k->subject = subject;
		v = bpf_map_lookup_elem(&rules, k);
		if (v) {
			if ((running ? v->run_action : v->action) == BS_ACT_EXEMPT)
				return 0;
			if (in_phase(v, running, out))
				return 1;
		}
	}
	k->subject = BS_SUBJECT_ANY;
	v = bpf_map_lookup_elem(&rules, k);
	if (v && in_phase(v, running, out))
		return 1;
	return 0;
}

/* The same in the phase in force. */
static __always_inline int level(struct bs_rule_key *k, __u32 subject, struct bs_rule_val *out)
{
	return level_in(k, subject, running_for(PHASE_NOW), out);
}

/* 0 when no `path` or `subtree` entry names the inode (dev, ino) and it
 * holds no protected name: its lookups would find nothing. 1 when they
 * might, and when the word is not there (fail safe). An array lookup,
 * which the verifier inlines: no helper call, no hash of the key. */
static __always_inline int may_be_named(__u32 dev, __u64 ino)
{
	__u64 bit = BS_FILTER_MIX(dev, ino) >> (bs_filter_shift & 63);
	__u32 word = bit >> 6;
	__u64 *w = bpf_map_lookup_elem(&filter, &word);

	return !w || ((*w >> (bit & 63)) & 1);
}

struct walk {
	__u64 dentry;   /* struct dentry *: the level being looked at */
	__u64 mnt;      /* struct vfsmount * it is seen through, 0 when unknown */
	__u32 subject;
	__u8 op;
	__u8 found;     /* a subtree rule decided: val holds it */
	__u8 top;       /* the walk reached the root */
	__u8 disconnected; /* it stopped at a disconnected dentry */
	__u8 running;   /* decide with the running phase's rules */
	__u8 pad[3];
	struct bs_rule_val val;
};

/* ---- places of filesystems mounted later --------------------------- */

/* The key of the place of the filesystem `root` is the root of, at level
 * 0: 1 when its superblock has a UUID (s_uuid not all zeros), or is FAT
 * or exFAT, keyed by its device (BS_PLACE_DEV_TAG). */
static __always_inline int place_key_of(struct dentry *root, struct bs_place_key *k)
{
	struct super_block *sb = BPF_CORE_READ(root, d_sb);
	__u64 half[2] = {};
	unsigned long magic;

	if (!sb)
		return 0;
	magic = BPF_CORE_READ(sb, s_magic);
	if (magic == BS_FAT_MAGIC || magic == BS_EXFAT_MAGIC) {
		__u32 dev = BPF_CORE_READ(sb, s_dev);

		__builtin_memcpy(k->uuid, BS_PLACE_DEV_TAG, BS_PLACE_DEV_TAG_LEN);
		__builtin_memcpy(k->uuid + BS_PLACE_DEV_TAG_LEN, &dev, sizeof(dev));
		k->level = 0;
		return 1;
	}
	if (bpf_core_read(half, sizeof(half), &sb->s_uuid))
		return 0;
	{
		/* A UUID made to look like a FAT place's key (mkfs.ext4 -U). */
		const char tag[] = BS_PLACE_DEV_TAG;
		const __u8 *b = (const __u8 *)half;
		int i, same = 1;

#pragma unroll
		for (i = 0; i < BS_PLACE_DEV_TAG_LEN; i++)
			if (b[i] != (__u8)tag[i])
				same = 0;
		if (same)
			return 0;
	}
	if (!(half[0] | half[1]))
		return 0;
	__builtin_memcpy(k->uuid, half, sizeof(k->uuid));
	k->level = 0;
	return 1;
}

/* Whether the filesystem whose root is `root`, seen through `mnt`, is
 * mounted on its place: the mount's root is the filesystem's, and it is
 * mounted on the directory the place's level 0 names. Without a mount
 * (the inode hooks) that cannot be told: no. */
static __always_inline int on_place(struct dentry *root, __u64 mnt, const struct bs_place_dir *p)
{
	struct vfsmount *vm = (struct vfsmount *)mnt;
	struct mount *m, *pm;
	struct inode *mp;

	if (!vm || !(p->flags & BS_PLACE_MOUNT_POINT) || BPF_CORE_READ(vm, mnt_root) != root)
		return 0;
	m = (struct mount *)((__u64)vm - bpf_core_field_offset(struct mount, mnt));
	pm = BPF_CORE_READ(m, mnt_parent);
	if (!pm || pm == m)
		return 0;
	mp = BPF_CORE_READ(m, mnt_mountpoint, d_inode);
	return mp && BPF_CORE_READ(mp, i_sb, s_dev) == p->dev && BPF_CORE_READ(mp, i_ino) == p->ino;
}

/* At the root of a filesystem the fstab places (a separate /boot) seen
 * anywhere but on its place (a detached open_tree copy, a bind mount of
 * one of its directories, a second mount of its device, or by an inode
 * hook, which has no mount): the subtree rules of the place's directories,
 * nearest first, as the walk would meet them from the place. Only a
 * denial counts (a mount elsewhere borrows no allow); an allow or audit
 * there ends the search as it would end the walk. 1 and w->val when a
 * denial decides. Global, as decide(): checked once, not at every state
 * the walk's callback is checked in. */
__noinline int place_denies(struct walk *w, __u64 root)
{
	struct bs_place_key pk = {};
	struct bs_rule_key k = {};
	struct bs_place_dir *p;
	struct bs_rule_val v = {};
	__u32 i;

	if (!w || !place_key_of((struct dentry *)root, &pk))
		return 0;
	k.kind = BS_KIND_SUBTREE;
	k.op = w->op;
	for (i = 0; i < BS_PLACE_DEPTH; i++) {
		pk.level = i;
		p = bpf_map_lookup_elem(&places, &pk);
		if (!p)
			return 0;
		if (i == 0 && on_place((struct dentry *)root, w->mnt, p))
			return 0;
		k.dev = p->dev;
		k.id = p->ino;
		if (level_in(&k, w->subject, w->running, &v)) {
			if (v.action != BS_ACT_DENY)
				return 0;
			w->val = v;
			return 1;
		}
	}
	return 0;
}

/* One step of the subtree walk: look the directory up, then go to its
 * parent, crossing from a mount's root to its mount point. */
static long walk_step(__u32 i, void *ctx)
{
	struct walk *w = ctx;
	struct dentry *d = (struct dentry *)w->dentry;
	struct inode *inode = BPF_CORE_READ(d, d_inode);
	struct dentry *parent;
	struct bs_rule_key k = {};

	if (inode) {
		k.kind = BS_KIND_SUBTREE;
		k.op = w->op;
		k.dev = BPF_CORE_READ(inode, i_sb, s_dev);
		k.id = BPF_CORE_READ(inode, i_ino);
		if (may_be_named(k.dev, k.id) && level_in(&k, w->subject, w->running, &w->val)) {
			w->found = 1;
			return 1;
		}
	}
	parent = BPF_CORE_READ(d, d_parent);
	if (parent && parent != d) {
		w->dentry = (__u64)parent;
		return 0;
	}
	/* A file handle's dentry (open_by_handle_at) with no parents yet:
	 * not the top, which subtrees hold it is unknown; also when it is
	 * the root of a mount (a bind mount of an O_PATH handle). */
	if (BPF_CORE_READ(d, d_flags) & DCACHE_DISCONNECTED) {
		w->disconnected = 1;
		return 1;
	}
	/* The root of a filesystem the fstab places, seen elsewhere. */
	if (bs_has_places && place_denies(w, (__u64)d)) {
		w->found = 1;
		return 1;
	}
	/* The root of a filesystem. If it is the root of the mount it is seen
	 * through, continue at the mount point in the parent mount. A bind
	 * mount of a subdirectory got here through the real parents. */
	if (w->mnt) {
		struct vfsmount *vm = (struct vfsmount *)w->mnt;
		struct mount *m, *pm;

		if (BPF_CORE_READ(vm, mnt_root) == d) {
			m = (struct mount *)((__u64)vm - bpf_core_field_offset(struct mount, mnt));
			pm = BPF_CORE_READ(m, mnt_parent);
			if (pm && pm != m) {
				w->dentry = (__u64)BPF_CORE_READ(m, mnt_mountpoint);
				w->mnt = (__u64)pm + bpf_core_field_offset(struct mount, mnt);
				return 0;
			}
		}
	}
	w->top = 1;
	return 1;
}

#define BS_S_IFMT 0170000
#define BS_S_IFREG 0100000

/* ---- names ---------------------------------------------------------- */

/* How many mounts stacked on one place a name lookup climbs through. */
#define BS_MAX_STACKED 8

struct climb {
	__u64 dentry;
	__u64 mnt;
	__u8 done;      /* the climb reached a place nothing is mounted on */
};

/* From the root of a mount to the place it is mounted on, while `mnt`
 * is known: a file or directory mounted on a name stands at that name. */
static long climb_step(__u32 i, void *ctx)
{
	struct climb *c = ctx;
	struct vfsmount *vm = (struct vfsmount *)c->mnt;
	struct mount *m, *pm;

	if (!vm || BPF_CORE_READ(vm, mnt_root) != (struct dentry *)c->dentry) {
		c->done = 1;
		return 1;
	}
	m = (struct mount *)((__u64)vm - bpf_core_field_offset(struct mount, mnt));
	pm = BPF_CORE_READ(m, mnt_parent);
	if (!pm || pm == m) {
		c->done = 1;
		return 1;
	}
	c->dentry = (__u64)BPF_CORE_READ(m, mnt_mountpoint);
	c->mnt = (__u64)pm + bpf_core_field_offset(struct mount, mnt);
	return 0;
}

/* How many mounts on one mount mounted_on() looks through before it gives
 * up (and says yes). */
#define BS_MAX_CHILDREN 4096

struct children {
	__u64 head;     /* &parent->mnt_mounts */
	__u64 pos;      /* the list entry to look at next */
	__u64 dentry;   /* the place asked about */
	__u8 found;     /* a mount is on the place, or the walk could not tell */
	__u8 done;
};

static long children_step(__u32 i, void *ctx)
{
	struct children *c = ctx;
	struct list_head *pos = (struct list_head *)c->pos;
	struct mount *m;

	if (!c->pos) {  /* a read failed: a list changing under the walk */
		c->found = 1;
		c->done = 1;
		return 1;
	}
	if (c->pos == c->head) {
		c->done = 1;
		return 1;
	}
	m = (struct mount *)(c->pos - bpf_core_field_offset(struct mount, mnt_child));
	if ((__u64)BPF_CORE_READ(m, mnt_mountpoint) == c->dentry) {
		c->found = 1;
		c->done = 1;
		return 1;
	}
	c->pos = (__u64)BPF_CORE_READ(pos, next);
	return 0;
}

/* Whether a mount is on DENTRY in VM's mount (one of its children is
 * mounted there), as the kernel's own list of those children says; yes
 * when the list is longer than the walk goes, or changes under it (the
 * hook holds none of the kernel's mount locks). A path that stops on a
 * dentry without crossing the mounts on it (a file handle, a /proc magic
 * link, ".") shows nothing of them by itself. */
static __noinline int mounted_on(__u64 vm, __u64 dentry)
{
	struct children c = {};
	struct mount *m;
	__u64 event;

	if (!vm || !dentry)
		return 1;
	m = (struct mount *)(vm - bpf_core_field_offset(struct mount, mnt));
	/* A mount moved during the walk (list_del_init, then added at the
	 * tail) would end it early: its namespace's event count changes. */
	event = BPF_CORE_READ(m, mnt_ns, event);
	c.head = (__u64)m + bpf_core_field_offset(struct mount, mnt_mounts);
	c.pos = (__u64)BPF_CORE_READ(m, mnt_mounts.next);
	c.dentry = dentry;
	bpf_loop(BS_MAX_CHILDREN, children_step, &c, 0);
	return c.found || !c.done || BPF_CORE_READ(m, mnt_ns, event) != event;
}

/* The `names` entry for `len` bytes at `name` in directory (dev, dir):
 * 1 and *id when there is one. */
static __always_inline int name_lookup(__u32 dev, __u64 dir, __u32 len, const unsigned char *name, __u32 *id)
{
	struct bs_name_key k = {};
	__u32 *v;

	k.dev = dev;
	k.dir = dir;
	k.len = len;
	if (bpf_probe_read_kernel(k.name, ((len - 1) & (BS_ENTRY_NAME_MAX - 1)) + 1, name))
		return 0;
	v = bpf_map_lookup_elem(&names, &k);
	if (!v)
		return 0;
	*id = *v;
	return 1;
}

/* A name lookup. Without `mnt`: 1 and *id when `dentry` is an entry the
 * policy protects in its own directory, 0 when it is not, -1 when it has
 * no parents to tell (a disconnected dentry). With `mnt`: the same through
 * the mounts stacked where the dentry is seen, a dentry that is the root
 * of a mount standing for its mount point, for the object (a file
 * mounted on a name) and for its directory (the entries of a filesystem
 * mounted on an empty directory are that directory's entries, so names
 * the loader recorded on an empty mount point hold for the filesystem
 * mounted there later): 2 and *id when that finds a protected name, 0
 * when it does not or when no mount was crossed (the lookup without a
 * mount said it all), -1 when more mounts are stacked than it climbs. */
static __noinline int name_id(__u64 dentry, __u64 mnt, __u32 *id)
{
	struct bs_name_key k = {};
	struct climb c = {};
	struct dentry *d, *parent;
	struct inode *dir;
	const unsigned char *name;
	__u32 len, *v;
	int climbed = 0;

	if (!dentry)
		return 0;
	d = (struct dentry *)dentry;
	if (mnt) {
		c.dentry = dentry;
		c.mnt = mnt;
		bpf_loop(BS_MAX_STACKED, climb_step, &c, 0);
		if (!c.done)
			return -1;
		d = (struct dentry *)c.dentry;
		climbed = c.dentry != dentry;
	}
	parent = BPF_CORE_READ(d, d_parent);
	if (!parent || parent == d) {
		if (mnt)
			return 0;
		return (BPF_CORE_READ(d, d_flags) & DCACHE_DISCONNECTED) ? -1 : 0;
	}
	len = BPF_CORE_READ(d, d_name.len);
	if (len == 0 || len > BS_ENTRY_NAME_MAX)
		return 0;
	name = BPF_CORE_READ(d, d_name.name);
	if (mnt) {
		c.dentry = (__u64)parent;
		c.done = 0;
		bpf_loop(BS_MAX_STACKED, climb_step, &c, 0);
		if (!c.done)
			return -1;
		climbed |= c.dentry != (__u64)parent;
		if (!climbed)
			return 0;
		parent = (struct dentry *)c.dentry;
	}
	dir = BPF_CORE_READ(parent, d_inode);
	if (!dir)
		return 0;
	/* name_lookup()'s work, written out: its inlined form takes this
	 * frame over the verifier's stack limit on the deepest chains. Keep
	 * the key's layout and the length mask the same as there, in
	 * name_id_direct() and in place_name(): a difference would make one
	 * hook miss names. */
	k.dev = BPF_CORE_READ(dir, i_sb, s_dev);
	k.dir = BPF_CORE_READ(dir, i_ino);
	k.len = len;
	if (bpf_probe_read_kernel(k.name, ((len - 1) & (BS_ENTRY_NAME_MAX - 1)) + 1, name))
		return 0;
	v = bpf_map_lookup_elem(&names, &k);
	if (!v)
		return 0;
	*id = *v;
	return mnt ? 2 : 1;
}

/* name_id(dentry, 0) for a dentry whose type the verifier knows (a hook's
 * argument, or a field loaded from one): plain loads, no helper call but
 * the name's copy. */
static __noinline int name_id_direct(struct dentry *d, __u32 *id)
{
	struct dentry *parent = d->d_parent;
	struct inode *dir;
	__u32 len;

	if (!parent || parent == d)
		return (d->d_flags & DCACHE_DISCONNECTED) ? -1 : 0;
	len = d->d_name.len;
	if (len == 0 || len > BS_ENTRY_NAME_MAX)
		return 0;
	dir = parent->d_inode;
	/* A directory that holds no protected name: no copy, no lookup. */
	if (!dir || !may_be_named(dir->i_sb->s_dev, dir->i_ino))
		return 0;
	return name_lookup(dir->i_sb->s_dev, dir->i_ino, len, d->d_name.name, id);
}

/* A name in the root directory of a filesystem the fstab places, seen
 * anywhere but on its place (place_denies()): the name recorded on the
 * place's mount point, when the policy protects one there. Only a denial
 * counts. 1 and *out when it decides. `op_running`: the operation, and
 * the phase (1: running) in bit 8. Global, as decide(). */
__noinline int place_name(__u64 dentry, __u64 mnt, __u32 subject, __u32 op_running, struct bs_rule_val *out)
{
	struct dentry *d = (struct dentry *)dentry, *dir;
	/* One key at a time: the frame stays small enough for the deepest
	 * chain of calls (sb_mount, decide, here). */
	union {
		struct bs_place_key place;
		struct bs_name_key name;
		struct {
			struct bs_rule_key k;
			struct bs_rule_val v;
		} rule;
	} key = {};
	struct bs_place_dir *p;
	const unsigned char *name;
	__u32 *id, len, dev, name_id;
	__u64 ino;

	if (!d || !out)
		return 0;
	dir = BPF_CORE_READ(d, d_parent);
	if (!dir || dir == d || BPF_CORE_READ(dir, d_parent) != dir)
		return 0;
	if (!place_key_of(dir, &key.place))
		return 0;
	p = bpf_map_lookup_elem(&places, &key.place);
	if (!p || !(p->flags & BS_PLACE_MOUNT_POINT) || on_place(dir, mnt, p))
		return 0;
	dev = p->dev;
	ino = p->ino;
	len = BPF_CORE_READ(d, d_name.len);
	if (len == 0 || len > BS_ENTRY_NAME_MAX)
		return 0;
	name = BPF_CORE_READ(d, d_name.name);
	/* name_lookup()'s work, with the union's key (same layout and mask:
	 * see name_id()). */
	__builtin_memset(&key, 0, sizeof(key));
	key.name.dev = dev;
	key.name.dir = ino;
	key.name.len = len;
	if (bpf_probe_read_kernel(key.name.name, ((len - 1) & (BS_ENTRY_NAME_MAX - 1)) + 1, name))
		return 0;
	id = bpf_map_lookup_elem(&names, &key.name);
	if (!id)
		return 0;
	name_id = *id;
	__builtin_memset(&key, 0, sizeof(key));
	key.rule.k.kind = BS_KIND_NAME;
	key.rule.k.op = op_running & 0xff;
	key.rule.k.id = name_id;
	if (level_in(&key.rule.k, subject, (op_running >> 8) & 1, &key.rule.v) && key.rule.v.action == BS_ACT_DENY) {
		*out = key.rule.v;
		return 1;
	}
	return 0;
}

/* Whether a name lookup through `mnt` could climb to another place: the
 * dentry, or its directory, is the root of the mount it is seen through.
 * When neither is, name_id() with the mount finds what it finds without
 * it (the common case: no bpf_loop, no second read of the name). */
static __always_inline int near_mount_root(__u64 dentry, __u64 mnt)
{
	__u64 root = (__u64)BPF_CORE_READ((struct vfsmount *)mnt, mnt_root);

	return root == dentry || root == (__u64)BPF_CORE_READ((struct dentry *)dentry, d_parent);
}

/* What a decision is about. */
struct query {
	__u64 inode;    /* struct inode *: the object (path level), 0 for an entry about to exist */
	__u64 name;     /* struct dentry *: the object's name (its own dentry, or the negative
			 * dentry of an entry about to exist), seen through `mnt`; 0 for none */
	__u64 start;    /* struct dentry *: where the subtree walk starts (the object's, or the
			 * parent directory of an entry about to exist), 0 for none */
	__u64 mnt;      /* struct vfsmount * `start` is seen through, 0 when the hook has none */
	__u64 magic;    /* superblock magic for the fstype level, 0 for none */
	__u32 subject;
	__u8 op;
	__u8 phase;     /* PHASE_NOW, or the phase to decide in */
	__u8 walked;    /* levels of the subtree walk taken already (check_file's
			 * skip_clear_levels()): `start` is that many above the
			 * object's dentry */
	__u8 pad;
};

/* What a caller that holds pointers of known type (check_file) read and
 * looked up itself, with plain loads instead of decide()'s helper calls.
 * Apart from the query, so that the other callers' frames do not grow. */
struct known {
	__u64 ino;        /* the inode's number and device */
	__u32 dev;
	__u32 name_id;    /* name_id(name, 0)'s result and id, when have_name */
	__s8 name_found;
	__u8 near_root;   /* near_mount_root(name, mnt), when have_name */
	__u8 have_name;
	__u8 path_clear;  /* the filter says no entry names the inode */
};

/* The kinds decide() looks up besides path and name. check_file() decides
 * by the default alone when the filter clears the path and the name and
 * the operation has none of these: a level added to decide() that looks
 * at anything else (not gated by one of these kinds) must be added there
 * too, or files the filter clears would skip it. */
#define BS_DECIDE_OTHER_KINDS ((1 << BS_KIND_SUBTREE) | (1 << BS_KIND_FSTYPE) | (1 << BS_KIND_ANY))

/* The decision for one query. Precedence: path, subtree deeper first,
 * fstype, any, the operation's default.
 * Global: the verifier checks it once per program, on its own (its
 * pointers are to memory of the callers' frames, which each caller
 * zeroes), not again at each of some forty call sites with that caller's
 * state. From 6.7 the verifier follows a bpf_loop callback until its
 * states repeat, and with places in the policy each hook's check of a
 * static decide() took about 290,000 instructions on 6.12 (3 to 14 s
 * under TCG; a minute and a half of every load). */
__noinline int decide(const struct query *q, const struct known *kn, struct bs_rule_val *out)
{
	struct inode *inode;
	__u64 mnt;
	__u32 subject;
	__u8 op;
	struct bs_rule_key k = {};
	__u8 kinds;
	int running;

	if (!q || !out)
		return 0;
	inode = (struct inode *)q->inode;
	mnt = q->mnt;
	subject = q->subject;
	op = q->op;
	if (op >= BS_OP_COUNT)
		return 0;
	/* One phase for the whole decision, read once. */
	running = running_for(q->phase);
	kinds = bs_kinds[op];
	out->action = default_in(op, running);
	out->rule = BS_RULE_DEFAULT;
	k.op = op;

	if (inode && (kinds & (1 << BS_KIND_PATH)) && !(kn && kn->path_clear)) {
		k.kind = BS_KIND_PATH;
		if (kn) {
			k.dev = kn->dev;
			k.id = kn->ino;
		} else {
			k.dev = BPF_CORE_READ(inode, i_sb, s_dev);
			k.id = BPF_CORE_READ(inode, i_ino);
		}
		if (level_in(&k, subject, running, out))
			return 1;
	}
	if (q->name && (kinds & (1 << BS_KIND_NAME))) {
		__u32 id = 0;
		int found;

		if (kn && kn->have_name) {
			found = kn->name_found;
			id = kn->name_id;
		} else {
			found = name_id(q->name, 0, &id);
		}

		if (found < 0) {
			/* No parents: whether it stands at a protected name
			 * is unknown. Fail closed. */
			out->action = BS_ACT_DENY;
			out->rule = BS_RULE_DISCONNECTED;
			return 1;
		}
		k.kind = BS_KIND_NAME;
		k.dev = 0;
		if (found) {
			k.id = id;
			if (level_in(&k, subject, running, out))
				return 1;
		}
		if (mnt && (kn && kn->have_name ? kn->near_root : near_mount_root(q->name, mnt))) {
			struct bs_rule_val v = *out;

			found = name_id(q->name, mnt, &id);
			if (found < 0) {
				out->action = BS_ACT_DENY;
				out->rule = BS_RULE_TOO_DEEP;
				return 1;
			}
			/* Through a mount only a denial counts: whoever
			 * mounts on a name lends it no allow. */
			k.id = id;
			if (found && level_in(&k, subject, running, &v) && v.action == BS_ACT_DENY) {
				*out = v;
				return 1;
			}
		}
		if (bs_has_places && place_name(q->name, mnt, subject, op | (__u32)running << 8, out))
			return 1;
	}
	if (q->start && (kinds & (1 << BS_KIND_SUBTREE))) {
		struct walk w = {};

		w.dentry = q->start;
		w.mnt = mnt;
		w.subject = subject;
		w.op = op;
		w.running = running;
		/* The levels taken already count against the depth: deep
		 * paths fail closed at the same depth however they started. */
		bpf_loop(BS_MAX_DEPTH - q->walked, walk_step, &w, 0);
		if (w.found) {
			*out = w.val;
			return 1;
		}
		if (!w.top) {
			/* Deeper than the walk follows, or not connected to
			 * the root: fail closed. */
			out->action = BS_ACT_DENY;
			out->rule = w.disconnected ? BS_RULE_DISCONNECTED : BS_RULE_TOO_DEEP;
			return 1;
		}
	}
	if (q->magic && (kinds & (1 << BS_KIND_FSTYPE))) {
		k.kind = BS_KIND_FSTYPE;
		k.dev = 0;
		k.id = q->magic;
		if (level_in(&k, subject, running, out))
			return 1;
	}
	if (kinds & (1 << BS_KIND_ANY)) {
		k.kind = BS_KIND_ANY;
		k.dev = 0;
		k.id = 0;
		if (level_in(&k, subject, running, out))
			return 1;
	}
	return 0;
}

static __always_inline void ask_in(__u8 op, __u64 inode, __u64 name, __u64 start, __u64 mnt,
				   __u64 magic, __u32 subject, __u8 phase, struct bs_rule_val *out)
{
	struct query q = {};

	q.op = op;
	q.phase = phase;
	q.inode = inode;
	q.name = name;
	q.start = start;
	q.mnt = mnt;
	q.magic = magic;
	q.subject = subject;
	__builtin_memset(out, 0, sizeof(*out));
	decide(&q, 0, out);
}

static __always_inline void ask(__u8 op, __u64 inode, __u64 name, __u64 start, __u64 mnt,
				__u64 magic, __u32 subject, struct bs_rule_val *out)
{
	ask_in(op, inode, name, start, mnt, magic, subject, PHASE_NOW, out);
}

/* -EPERM, hidden from the compiler. Since 6.12 the verifier bounds what a
 * BPF LSM program returns to 0 or an error and checks every exit, and it
 * does not follow a negation: for `deny ? -EPERM : 0` the compiler emits
 * -deny (EPERM is 1), which the verifier sees as any value. Not knowing
 * the constant, the compiler keeps the branch, and each exit returns 0 or
 * -EPERM as written. */
static __always_inline int eperm(void)
{
	int err = -EPERM;

	asm volatile("" : "+r"(err));
	return err;
}

/* Counts, logs and turns a decision into the hook's return value. */
static __always_inline int verdict(__u8 op, __u32 subject, __u32 dev, __u64 id,
				   struct bs_rule_val *v, int log)
{
	struct bs_stats *s;
	int deny;

	if (v->action != BS_ACT_DENY && v->action != BS_ACT_AUDIT)
		return 0;
	deny = v->action == BS_ACT_DENY && bs_mode == BS_MODE_ENFORCE;
	s = counters();
	if (s) {
		if (v->action == BS_ACT_DENY)
			count(&s->denied);
		else
			count(&s->audited);
	}
	if (log)
		emit(op, subject, dev, id, v->rule, v->action, deny);
	return deny ? eperm() : 0;
}

/* Whether an operation can be decided by anything but "allow". */
static __always_inline int relevant(__u8 op)
{
	return BS_OP_RELEVANT(bs_kinds, bs_defaults, bs_run_defaults, bs_seal_after_ns, op);
}

/* Whether an object on device `dev` is part of the initramfs still in use. */
static __always_inline int initramfs_object(__u32 dev)
{
	return bs_initramfs_dev && dev == bs_initramfs_dev && !bs_boot_done;
}

_Static_assert(BS_MAX_DEPTH <= 255, "query.walked holds a walk's levels");

/* How many levels skip_clear_levels() takes at most. The verifier follows
 * a bounded loop one iteration at a time, at every call site of
 * check_file(): at 64 levels that made loading the enforcer take 2.3 to
 * 3.7 times as long under TCG. 8 covers the files below /usr/lib/... that
 * programs map; a deeper file's walk goes on in the bpf_loop. */
#define BS_PLAIN_WALK 8
_Static_assert(BS_PLAIN_WALK <= BS_MAX_DEPTH, "the plain-load levels count against the walk's");

/* The start of a file's subtree walk: from its dentry up, the levels
 * walk_step() would only pass through, the filter clearing them (no entry
 * names the inode), taken with plain loads instead of a bpf_loop callback's
 * helper calls. It stops where walk_step() has more to do: a level the
 * filter does not clear, and the root of the filesystem, where the walk
 * crosses to the parent mount, meets a place, or stops (a disconnected
 * dentry, the top). Each level is keyed as walk_step() keys it.
 * `*walked`: the levels taken, at most BS_PLAIN_WALK. `d`: a dentry loaded
 * from a file (f_path.dentry), never an inode hook's own dentry argument:
 * 6.12 holds an argument's d_inode trusted and non-NULL, loads through it
 * without a fault handler and drops the test below, and a negative
 * dentry would oops the kernel. */
static __noinline struct dentry *skip_clear_levels(struct dentry *d, __u8 *walked)
{
	struct dentry *parent;
	struct inode *inode;
	__u32 i;

#pragma clang loop unroll(disable)
	for (i = 0; i < BS_PLAIN_WALK; i++) {
		inode = d->d_inode;
		if (inode && may_be_named(inode->i_sb->s_dev, inode->i_ino))
			break;
		parent = d->d_parent;
		if (!parent || parent == d)
			break;
		d = parent;
	}
	*walked = i;
	return d;
}

/* Decide `op` on a file the hook holds open. `file` must be a pointer the
 * verifier knows the type of (a hook's argument, or a field loaded from
 * one): its fields are read with plain loads, not bpf_probe_read_kernel
 * calls (the hot path of every open, exec and executable mapping). It
 * must not be NULL: on 6.12 a hook's argument (and its f_inode) is a
 * trusted pointer, loaded through without a fault handler and any test
 * for NULL dropped, so a NULL one would oops the kernel. A caller whose
 * file may be NULL proves it is not at run time first (mmap_file, with
 * bpf_get_func_arg); only 6.1 reads a NULL one as zeros. */
static __always_inline int check_file(__u8 op, struct file *file)
{
	struct bs_rule_val v = {};
	struct query q = {};
	struct known kn = {};
	struct inode *inode;
	struct super_block *sb;
	struct dentry *dentry;
	__u8 kinds;

	if (!relevant(op))
		return 0;
	inode = file->f_inode;
	sb = inode->i_sb;
	kn.dev = sb->s_dev;
	if (initramfs_object(kn.dev))
		return 0;
	kinds = bs_kinds[op];
	dentry = file->f_path.dentry;
	kn.ino = inode->i_ino;
	kn.path_clear = !may_be_named(kn.dev, kn.ino);
	if ((kinds & (1 << BS_KIND_NAME)) && dentry) {
		/* The name level, looked up here, where the types are known. */
		struct dentry *root = file->f_path.mnt->mnt_root;
		__u32 id = 0;

		kn.name_found = name_id_direct(dentry, &id);
		kn.name_id = id;
		kn.near_root = root == dentry || root == dentry->d_parent;
		kn.have_name = 1;
	}
	/* Nothing names the file or its entry, and decide() would look at
	 * nothing else (no other kind it consults, no places, no lookup
	 * through the mount): the operation's default decides, and the
	 * process's subject is needed only to log it. */
	if (kn.path_clear && !(kinds & BS_DECIDE_OTHER_KINDS) && !bs_has_places &&
	    (!kn.have_name || (kn.name_found == 0 && !kn.near_root))) {
		v.action = default_in(op, running_for(PHASE_NOW));
		if (v.action == BS_ACT_ALLOW)
			return 0;
		v.rule = BS_RULE_DEFAULT;
		return verdict(op, current_subject(), kn.dev, kn.ino, &v, 1);
	}
	q.subject = current_subject();
	q.op = op;
	q.phase = PHASE_NOW;
	q.inode = (__u64)inode;
	q.name = (__u64)dentry;
	q.start = (__u64)dentry;
	if ((kinds & (1 << BS_KIND_SUBTREE)) && dentry)
		q.start = (__u64)skip_clear_levels(dentry, &q.walked);
	q.mnt = (__u64)file->f_path.mnt;
	q.magic = sb->s_magic;
	decide(&q, &kn, &v);
	return verdict(op, q.subject, kn.dev, kn.ino, &v, 1);
}

/* Decide `op` on a dentry an inode hook holds (no mount: the subtree walk
 * stops at the root of the dentry's filesystem). A negative dentry is an
 * entry about to be created: only its directories are looked at. */
static __always_inline int check_dentry(__u8 op, struct dentry *dentry)
{
	struct bs_rule_val v;
	struct inode *inode;
	__u32 subject;

	if (!relevant(op))
		return 0;
	if (initramfs_object(BPF_CORE_READ(dentry, d_sb, s_dev)))
		return 0;
	subject = current_subject();
	inode = BPF_CORE_READ(dentry, d_inode);
	ask(op, (__u64)inode, (__u64)dentry, (__u64)dentry, 0, BPF_CORE_READ(dentry, d_sb, s_magic), subject,
	    &v);
	return verdict(op, subject, BPF_CORE_READ(dentry, d_sb, s_dev),
		       inode ? BPF_CORE_READ(inode, i_ino) : 0, &v, 1);
}

/* Moving or linking `src` to the place of `dst` must not take it out of
 * a rule that denies the mover exec, read or write: refused when such a
 * decision at the old place is not also a denial at the new one. Decided
 * in the inode hooks, within the one filesystem both ends are on. */
static __always_inline int check_escape(struct dentry *src, struct dentry *dst)
{
	struct inode *inode = BPF_CORE_READ(src, d_inode);
	__u64 magic = BPF_CORE_READ(src, d_sb, s_magic);
	__u64 dst_dir = (__u64)BPF_CORE_READ(dst, d_parent);
	struct bs_rule_val before, after;
	__u32 subject;
	__u8 op;

	if (!inode)
		return 0;
	subject = current_subject();
	for (op = BS_OP_EXEC; op <= BS_OP_WRITE; op++) {
		if (!relevant(op))
			continue;
		ask(op, (__u64)inode, (__u64)src, (__u64)src, 0, magic, subject, &before);
		if (before.action != BS_ACT_DENY)
			continue;
		ask(op, (__u64)inode, (__u64)dst, dst_dir, 0, magic, subject, &after);
		if (after.action == BS_ACT_DENY)
			continue;
		return verdict(BS_OP_WRITE, subject, BPF_CORE_READ(src, d_sb, s_dev),
			       BPF_CORE_READ(inode, i_ino), &before, 1);
	}
	return 0;
}

/* A refusal no rule of the policy makes (rule BS_RULE_*), decided as a
 * write of `d`: counted, logged, and in permissive mode let through. */
static __always_inline int refuse_write(struct dentry *d, __s32 rule)
{
	struct bs_rule_val v = {};
	struct inode *inode = BPF_CORE_READ(d, d_inode);

	v.action = BS_ACT_DENY;
	v.rule = rule;
	return verdict(BS_OP_WRITE, current_subject(), BPF_CORE_READ(d, d_sb, s_dev),
		       inode ? BPF_CORE_READ(inode, i_ino) : 0, &v, 1);
}

/* The BS_ANCESTOR_* bits of the inode at `d`, 0 for none (and for the
 * initramfs' files while it runs the boot): a directory protected names
 * hang from, a symlink the loader followed to reach one, or the directory
 * a subtree rule names. Renaming or removing it would give those names
 * other files. */
static __always_inline __u8 ancestor_bits(struct dentry *d)
{
	struct inode *inode = BPF_CORE_READ(d, d_inode);
	struct bs_inode_key k = {};
	__u8 *bits;

	if (!bs_has_ancestors || !inode || initramfs_object(BPF_CORE_READ(inode, i_sb, s_dev)))
		return 0;
	k.dev = BPF_CORE_READ(inode, i_sb, s_dev);
	k.ino = BPF_CORE_READ(inode, i_ino);
	bits = bpf_map_lookup_elem(&ancestors, &k);
	return bits ? *bits : 0;
}

/* Renaming or removing `d`: refused when it is an ancestor (above). */
static __always_inline int check_ancestor(struct dentry *d)
{
	if (!ancestor_bits(d))
		return 0;
	return refuse_write(d, BS_RULE_ANCESTOR);
}

struct inode___alias {
	unsigned short i_mode;
	unsigned int i_nlink;
	struct {
		int counter;
	} i_writecount;
} __attribute__((preserve_access_index));

/* How many descriptors of the renaming process are looked at for its own
 * writers of a file (beyond: the writers count as someone else's). */
#define BS_MAX_FD_SCAN 4096
#define BS_MAX_OWN_WRITERS 4

struct file___count {
	struct {
		long counter;
	} f_count;
} __attribute__((preserve_access_index));

/* The walk's state. The files are kept in order of discovery: seen[j] is
 * 0 past the last one (a file pointer never is). No separate count is
 * carried from one step to the next: since 6.7 the verifier checks a
 * bpf_loop callback as a loop, until its states repeat, and forgets a
 * count that changes between steps (widening) while the slots stay as
 * they were; comparing what it then believes about those slots after the
 * loop made each step's state new again, and it gave up ("The sequence of
 * 8193 jumps is too complex"). Whether a slot is taken is read from the
 * slot itself. On 6.1, which checks the callback once with the caller's
 * state, the empty slots are a 0 it knows: it hard-wires `!seen[j]` to
 * true, every file goes to slot 0, and only the last one is counted (a
 * process holding two open files of the inode for writing counts as
 * another writer: refused). Starting the slots as a value the verifier
 * cannot know fixes 6.1 and makes 6.12 give up on the loop ("8193 jumps
 * is too complex"). */
struct own_writers {
	__u64 inode;
	__u64 fds;      /* struct file ** */
	__u32 max;
	__u32 pad;
	__u64 seen[BS_MAX_OWN_WRITERS];  /* distinct open files of `inode` for writing */
	long refs[BS_MAX_OWN_WRITERS];   /* each one's f_count */
	long slots[BS_MAX_OWN_WRITERS];  /* how many descriptors of the table hold it */
	__u8 overflow;
};

static long own_writer_step(__u32 i, void *ctx)
{
	struct own_writers *w = ctx;
	struct file *file = 0, **fds = (struct file **)w->fds;
	__u32 j;

	if (i >= w->max)
		return 1;
	if (bpf_probe_read_kernel(&file, sizeof(file), &fds[i]) || !file)
		return 0;
	if ((__u64)BPF_CORE_READ(file, f_inode) != w->inode || !(BPF_CORE_READ(file, f_mode) & FMODE_WRITE))
		return 0;
	for (j = 0; j < BS_MAX_OWN_WRITERS; j++) {
		if (w->seen[j] == (__u64)file) {
			w->slots[j]++;
			return 0;
		}
		if (!w->seen[j]) {
			w->seen[j] = (__u64)file;
			w->refs[j] = BPF_CORE_READ((struct file___count *)file, f_count.counter);
			w->slots[j] = 1;
			return 0;
		}
	}
	w->overflow = 1;
	return 1;
}

/* Whether anything but the current process's own descriptors holds the
 * file `inode` open for writing (`writecount`: its i_writecount): another
 * process (also one sharing an open file with this one, after a fork or
 * over a socket: its reference count is more than this table's
 * descriptors), or a shared writable mapping (it holds a reference too). */
static __noinline int others_write(struct inode *inode, int writecount)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct own_writers w = {};
	int n = 0;
	__u32 j;

	if (writecount <= 0)
		return 0;
	/* Without the reference count (renamed in later kernels) a shared
	 * open file cannot be told from an own one: fail closed. */
	if (!fdt || !bpf_core_field_exists(((struct file___count *)0)->f_count))
		return 1;
	w.inode = (__u64)inode;
	w.fds = (__u64)BPF_CORE_READ(fdt, fd);
	w.max = BPF_CORE_READ(fdt, max_fds);
	if (w.max > BS_MAX_FD_SCAN)
		w.max = BS_MAX_FD_SCAN;
	bpf_loop(BS_MAX_FD_SCAN, own_writer_step, &w, 0);
	if (w.overflow)
		return 1;
	for (j = 0; j < BS_MAX_OWN_WRITERS; j++) {
		if (!w.seen[j])
			break;
		if (w.refs[j] != w.slots[j])
			return 1;
		n++;
	}
	return writecount > n;
}

/* The protected name `d` stands at, in its own directory or through the
 * mounts stacked where it is seen through `mnt`: 1 and *id, 0 for none,
 * -1 when that cannot be told. */
static __always_inline int name_at(struct dentry *d, __u64 mnt, __u32 *id)
{
	int found;

	if (!bs_has_names)
		return 0;
	found = name_id((__u64)d, 0, id);
	if (found || !mnt)
		return found;
	found = name_id((__u64)d, mnt, id);
	return found > 0 ? 1 : found;
}

/* Whether `dst` stands (or may stand) at a protected name. */
static __always_inline int at_protected_name(struct dentry *dst, __u64 mnt)
{
	__u32 id;

	return name_at(dst, mnt, &id) != 0;
}

/* Placing `src` at the name `dst` by a rename: refused when `dst` is a
 * protected name and the file stays reachable elsewhere, through another
 * hard link or a descriptor open for writing that is not the renaming
 * process's own (systemd renames its temporary file before it closes it):
 * whoever holds those would change what is at the name after it is
 * placed. A directory moves whole. */
static __always_inline int check_alias_rename(struct dentry *src, struct dentry *dst, __u64 mnt)
{
	struct inode___alias *inode = (void *)BPF_CORE_READ(src, d_inode);
	__u16 type;

	if (!inode)
		return 0;
	type = BPF_CORE_READ(inode, i_mode) & BS_S_IFMT;
	if (type == BS_S_IFDIR || !at_protected_name(dst, mnt))
		return 0;
	/* Only a regular file: a symlink placed at the name would send
	 * its readers and writers to a file anyone may write, a device or a
	 * fifo to something else again. */
	if (type == BS_S_IFREG && BPF_CORE_READ(inode, i_nlink) <= 1 &&
	    !others_write((struct inode *)inode, BPF_CORE_READ(inode, i_writecount.counter)))
		return 0;
	return refuse_write(dst, BS_RULE_ALIASED);
}

/* A hard link at a protected name leaves the file a second name, except
 * for a file that had none (O_TMPFILE, linked in with linkat): that one is
 * placed like a rename. */
static __always_inline int check_alias_link(struct dentry *src, struct dentry *dst, __u64 mnt)
{
	struct inode___alias *inode = (void *)BPF_CORE_READ(src, d_inode);

	if (!at_protected_name(dst, mnt))
		return 0;
	if (inode && (BPF_CORE_READ(inode, i_mode) & BS_S_IFMT) == BS_S_IFREG && BPF_CORE_READ(inode, i_nlink) == 0 &&
	    !others_write((struct inode *)inode, BPF_CORE_READ(inode, i_writecount.counter)))
		return 0;
	return refuse_write(dst, BS_RULE_ALIASED);
}

static __always_inline int in_pin_dir(struct inode *dir)
{
	return bs_pin_ino && dir && BPF_CORE_READ(dir, i_sb, s_dev) == bs_pin_dev &&
	       BPF_CORE_READ(dir, i_ino) == bs_pin_ino;
}

/* The pin directory itself. */
static __always_inline int is_pin_dir(struct inode *inode)
{
	return bs_pin_ino && inode && BPF_CORE_READ(inode, i_sb, s_dev) == bs_pin_dev &&
	       BPF_CORE_READ(inode, i_ino) == bs_pin_ino;
}

static __always_inline struct mount *real_mount_of(struct vfsmount *vm)
{
	return (struct mount *)((__u64)vm - bpf_core_field_offset(struct mount, mnt));
}

/* Whether `vm` is the pins' mount or one above it (its parent, the
 * parent's parent, ... up to the namespace's root). */
static __always_inline int holds_pins(struct vfsmount *vm)
{
	struct mount *target = real_mount_of(vm);
	struct mount *m = (struct mount *)bs_pin_mnt, *p;
	int i;

	if (!m)
		return 0;
	for (i = 0; i < BS_MAX_DEPTH; i++) {
		if (m == target)
			return 1;
		p = BPF_CORE_READ(m, mnt_parent);
		if (!p || p == m)
			return 0;
		m = p;
	}
	return 1; /* deeper than followed: fail closed */
}

/* How many mounts above the pins' bpffs on_pin_path follows. */
#define BS_MAX_PIN_MOUNTS 8

/* Whether a mount made on t also appears on p: t is p, or propagation
 * copies it there (p is a peer of t's shared group, or a slave below it).
 * A chain of masters longer than followed counts as yes. */
static __always_inline int propagates_to(struct mount *t, struct mount *p)
{
	int g, i;

	if (t == p)
		return 1;
	g = BPF_CORE_READ(t, mnt_group_id);
	if (!g)
		return 0;
	for (i = 0; i < BS_MAX_PIN_MOUNTS && p; i++) {
		if (BPF_CORE_READ(p, mnt_group_id) == g)
			return 1;
		p = BPF_CORE_READ(p, mnt_master);
	}
	return p != 0;
}

/* Whether `target` is a dentry the pins are reached through: the
 * mountpoint of the pins' bpffs or of a mount above it, or a directory
 * above such a mountpoint in its filesystem (/sys/fs/bpf, /sys/fs, /sys,
 * /). With a mount `t`, only on a mount that t's mounts reach (t itself, or
 * a peer or slave of it in another namespace); with none, whatever mount
 * the dentry is seen through. */
static __always_inline int on_pin_chain(struct mount *t, struct dentry *target)
{
	struct mount *m = (struct mount *)bs_pin_mnt, *p;
	struct dentry *d, *pd;
	int i, j;

	if (!m || !target)
		return 0;
	for (i = 0; i < BS_MAX_PIN_MOUNTS; i++) {
		p = BPF_CORE_READ(m, mnt_parent);
		if (!p || p == m)
			return 0;
		if (!t || propagates_to(t, p)) {
			d = BPF_CORE_READ(m, mnt_mountpoint);
			for (j = 0; j < BS_MAX_DEPTH && d; j++) {
				if (d == target)
					return 1;
				pd = BPF_CORE_READ(d, d_parent);
				if (pd == d)
					break;
				d = pd;
			}
		}
		m = p;
	}
	return 1; /* deeper than followed: fail closed */
}

/* Whether a mount placed at (vm, target) would hide the pins' bpffs from
 * every path lookup in the pins' namespace (on_pin_chain with its mount). */
static __always_inline int on_pin_path(struct vfsmount *vm, struct dentry *target)
{
	return on_pin_chain(real_mount_of(vm), target);
}

/* Whether a dentry is one the pins are reached through, whatever mount it
 * is seen through. Removing or renaming one from a namespace where it is
 * no mountpoint would detach the mounts on it in every namespace
 * (detach_mounts, with no sb_umount), the bpffs with them, and the pins
 * would go. */
struct inode___mode {
	unsigned short i_mode;
} __attribute__((preserve_access_index));

static __always_inline int pin_path_dentry(struct dentry *target)
{
	struct inode___mode *inode;

	if (!bs_pin_mnt || !target)
		return 0;
	/* Those are directories: an unlink or a file's rename costs one read. */
	inode = (void *)BPF_CORE_READ(target, d_inode);
	if (!inode || (BPF_CORE_READ(inode, i_mode) & 0170000) != 0040000)
		return 0;
	return on_pin_chain(0, target);
}

/* Whether the current task is in the mount namespace the pins are
 * mounted in (a task in another one cannot move or pivot those mounts). */
static __always_inline int in_pin_ns(void)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct mount *m = (struct mount *)bs_pin_mnt;

	return m && BPF_CORE_READ(task, nsproxy, mnt_ns) == BPF_CORE_READ(m, mnt_ns);
}

/* Whether the current task is in another mount namespace than the pins',
 * once that is known, and neither VM (a mount of its namespace) nor its
 * parent is shared, so that a change to it reaches no other mount: a
 * private copy, such as systemd's sandboxes make (they remount their copy
 * of every mount read-only and drop the ones they hide). An unmount
 * propagates through the parent's peers and slaves: the bpffs under a
 * /sys that is a peer of the pins' namespace's /sys takes the pins' bpffs
 * with it. */
static __always_inline int private_copy(struct vfsmount *vm)
{
	struct mount *m = real_mount_of(vm);

	return bs_pin_mnt && !in_pin_ns() && !BPF_CORE_READ(m, mnt_group_id) &&
	       !BPF_CORE_READ(m, mnt_parent, mnt_group_id);
}

/* How many steps reaches_pins() takes through the mounts that propagate
 * to the pins' parent and their children before it gives up (and says
 * yes). Only root in the initial user namespace makes those mounts: a
 * copy in another user namespace is a slave, and propagates nothing back. */
#define BS_MAX_PROPAGATION_STEPS 65536

/* The walk's state. Every field the steps branch on holds a value read
 * from the kernel when the walk starts: 6.1 checks a bpf_loop callback
 * once, with the caller's state at the call, and a field it then knows
 * (a 0 from an initializer) makes it hard-wire the branches on that field
 * at load, for every later step too. */
struct propagation {
	__u64 pins;     /* the pins' bpffs mount */
	__u64 place;    /* the dentry it is mounted on */
	__u64 target;   /* the mount being unmounted */
	__u64 first;    /* the mount the walk entered the current peer ring at */
	__u64 q;        /* the mount whose children are looked through */
	__u64 head;     /* &q->mnt_mounts */
	__u64 pos;      /* the child list entry to look at next */
	__u64 parent;   /* the pins' parent, where the walk starts (again) */
	__u8 reaches;   /* the unmount would reach the pins, or the walk could not tell */
	__u8 done;
};

static __always_inline int under_target(struct mount *x, __u64 target)
{
	struct mount *p;
	int i;

	for (i = 0; i < BS_MAX_DEPTH; i++) {
		if ((__u64)x == target)
			return 1;
		p = BPF_CORE_READ(x, mnt_parent);
		if (!p || p == x)
			return 0;
		x = p;
	}
	return 1; /* deeper than followed: fail closed */
}

/* Looks through q's children from its first one. */
static __always_inline void enter(struct propagation *w, struct mount *q)
{
	w->q = (__u64)q;
	w->head = (__u64)q + bpf_core_field_offset(struct mount, mnt_mounts);
	w->pos = (__u64)BPF_CORE_READ(q, mnt_mounts.next);
}

/* From the pins' parent again: a mount left the list being walked
 * (list_del_init leaves its entry pointing at itself), as a new namespace's
 * copy of /sys does when systemd or unshare(1) makes it a slave right
 * after the copy. No count of restarts is kept (from 6.7 the verifier
 * would have to follow it through the loop); the step limit ends a walk
 * that keeps starting again. */
static __always_inline long restart(struct propagation *w)
{
	w->first = w->parent;
	enter(w, (struct mount *)w->parent);
	return 0;
}

static long propagation_step(__u32 i, void *ctx)
{
	struct propagation *w = ctx;
	struct mount *q = (struct mount *)w->q, *first = (struct mount *)w->first, *x, *next;
	struct list_head *pos = (struct list_head *)w->pos;
	__u64 share;

	/* (w's fields are read into locals before BPF_CORE_READ: inside
	 * it, w->first would be a relocation against this struct.) */

	if (!w->pos)    /* a read failed: a list changing under the walk */
		goto unsure;
	if (w->pos == w->head) {
		/* q's children are seen: its next peer, then the group it is a
		 * slave of (a mount made there propagates here, and so does an
		 * unmount). A chain of masters ends: a slave's master is never
		 * below it. */
		share = (__u64)BPF_CORE_READ(q, mnt_share.next);
		if (!share)
			goto unsure;
		next = (struct mount *)(share - bpf_core_field_offset(struct mount, mnt_share));
		if (next == q && w->q != w->first)
			return restart(w);
		if ((__u64)next == w->first) {
			next = BPF_CORE_READ(first, mnt_master);
			if (!next) {
				w->done = 1;
				return 1;
			}
			w->first = (__u64)next;
		}
		enter(w, next);
		return 0;
	}
	x = (struct mount *)(w->pos - bpf_core_field_offset(struct mount, mnt_child));
	if ((__u64)BPF_CORE_READ(x, mnt_mountpoint) == w->place && (__u64)x != w->pins &&
	    under_target(x, w->target)) {
		w->reaches = 1;
		w->done = 1;
		return 1;
	}
	w->pos = (__u64)BPF_CORE_READ(pos, next);
	if (w->pos == (__u64)pos)
		return restart(w);
	return 0;
unsure:
	w->reaches = 1;
	w->done = 1;
	return 1;
}

/* Whether unmounting VM (and, lazily, the mounts below it) would take the
 * pins' bpffs along without an sb_umount of its own. The kernel passes an
 * unmount on: for every mount it takes, every mount that receives
 * propagation from that mount's parent (its peers, and their slaves) loses
 * its child on the same dentry, when that child has no mounts of its own.
 * The pins' bpffs has none; it goes when the unmount takes a mount on its
 * place (/sys/fs/bpf's dentry) whose parent propagates to the pins' parent:
 * a peer of /sys, or a mount of a group /sys is a slave of. Those are
 * looked through here, the children on that place among their children,
 * and whether VM is one of those or above one (a tmpfs holding
 * `mount --rbind /sys`, a namespace's / unmounted lazily, a tmpfs on
 * fs/bpf of a /sys copy that joined /sys's peer group with
 * MOVE_MOUNT_SET_GROUP). Yes when the walk is longer than it goes or a
 * list changes under it (the hook holds none of the kernel's mount locks). */
static __noinline int reaches_pins(struct vfsmount *vm)
{
	struct propagation w = {};
	struct mount *pins = (struct mount *)bs_pin_mnt, *parent;

	if (!pins || !vm)
		return 0;
	parent = BPF_CORE_READ(pins, mnt_parent);
	if (!parent || parent == pins)
		return 0;
	w.pins = (__u64)pins;
	w.place = (__u64)BPF_CORE_READ(pins, mnt_mountpoint);
	w.target = (__u64)real_mount_of(vm);
	w.first = (__u64)parent;
	w.parent = (__u64)parent;
	enter(&w, parent);
	bpf_loop(BS_MAX_PROPAGATION_STEPS, propagation_step, &w, 0);
	return w.reaches || !w.done;
}

/* Whether the root (mount, dentry) is the one PID 1 booted into, as
 * recorded. */
static __always_inline int is_booted_root(struct vfsmount *mnt, struct dentry *dentry)
{
	return (__u64)mnt == bs_pid1_root_mnt && (__u64)dentry == bs_pid1_root_dentry;
}

/* Whether TASK (PID 1) still has the root it booted into, or none is
 * recorded yet. Under another root (systemd-shutdown's switch to
 * /run/initramfs, which root fills; a soft-reboot's next root) PID 1 runs
 * what that root holds. */
static __always_inline int pid1_in_booted_root(struct task_struct *task)
{
	if (!bs_pid1_root_mnt)
		return 1;
	return !bs_pid1_left_root &&
	       is_booted_root(BPF_CORE_READ(task, fs, root.mnt), BPF_CORE_READ(task, fs, root.dentry));
}

/* Who may still move mounts around the pins: the loader; the initramfs
 * until PID 1 leaves it (its scripts move /sys, /proc, /dev and the new
 * root into place); PID 1 itself (switch_root, systemd's own mounts) while
 * it has the root it booted into: not the program a shutdown initramfs or
 * another root gives it, which could move the pins' bpffs away and, with
 * the last reference to it, the enforcer. */
static __always_inline int may_move_pin_mounts(void)
{
	return is_trusted() ||
	       (current_is_pid1() &&
		pid1_in_booted_root(bpf_get_current_task_btf())) ||
	       (bs_initramfs_dev && !bs_boot_done);
}

static __always_inline int protected_id(__u32 type, __u32 id)
{
	struct bs_obj_id k = { .type = type, .id = id };

	return bpf_map_lookup_elem(&protected_ids, &k) != 0;
}

/* The private data of a file descriptor of the current task (a bpf_link or
 * bpf_map for BPF fds), 0 if none. */
static __always_inline void *fd_private(__u32 fd)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds, *file = 0;

	if (!fdt || fd >= BPF_CORE_READ(fdt, max_fds))
		return 0;
	fds = BPF_CORE_READ(fdt, fd);
	if (bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]) || !file)
		return 0;
	return BPF_CORE_READ(file, private_data);
}

static __always_inline __u32 link_id_of_fd(__u32 fd)
{
	struct bpf_link *link = fd_private(fd);

	return link ? BPF_CORE_READ(link, id) : 0;
}

static __always_inline __u32 map_id_of_fd(__u32 fd)
{
	struct bpf_map *map = fd_private(fd);

	return map ? BPF_CORE_READ(map, id) : 0;
}

/* The number of the system call the current task is in, as the kernel
 * runs it: the low 32 bits of x86-64's orig_ax (do_syscall_64 takes an
 * int, a 32-bit task's number is an unsigned int), so 1 << 32 | 165 is
 * mount(2) too. x32 calls carry __X32_SYSCALL_BIT (bit 30), ia32 ones
 * their own numbers. */
static __always_inline unsigned long current_syscall(void)
{
	return (__u32)BPF_CORE_READ((struct pt_regs___bs *)bpf_task_pt_regs(bpf_get_current_task_btf()), orig_ax);
}

/* x86's thread_info status: TS_COMPAT while the task runs a system call
 * by the 32-bit entry (int $0x80, sysenter, a 32-bit syscall), whose
 * numbers are ia32's (21 is mount there, access(2) in x86-64's table);
 * cleared on every return to user space. */
#define BS_TS_COMPAT 0x0002
struct thread_info___bs {
	__u32 status;
} __attribute__((preserve_access_index));
struct task_struct___ti {
	struct thread_info___bs thread_info;
} __attribute__((preserve_access_index));

/* Whether the current system call came by the 32-bit entry. A kernel
 * without the field (no such entry): no. */
static __always_inline int bs_compat_syscall(void)
{
	struct task_struct___ti *t = (struct task_struct___ti *)bpf_get_current_task_btf();

	if (!bpf_core_field_exists(t->thread_info.status))
		return 0;
	return (BPF_CORE_READ(t, thread_info.status) & BS_TS_COMPAT) != 0;
}

/* The fields of struct inode a device check reads (a CO-RE flavour of it). */
struct inode___dev {
	unsigned short i_mode;
	unsigned int i_rdev;
} __attribute__((preserve_access_index));

#define BS_S_IFBLK 0060000
#define BS_S_IFCHR 0020000

/* The device an open node stands for, 0 when the file is not a device
 * node. `file`: of a type the verifier knows, not NULL (a hook's argument,
 * or loaded from one): plain loads. */
static __always_inline __u32 device_of(struct file *file, __u32 *type)
{
	struct inode___dev *d = (void *)file->f_inode;
	unsigned short mode = d->i_mode & BS_S_IFMT;

	if (mode == BS_S_IFBLK)
		*type = BS_DEVICE_BLOCK;
	else if (mode == BS_S_IFCHR)
		*type = BS_DEVICE_CHAR;
	else
		return 0;
	return d->i_rdev;
}

/* ---- subject integrity and executable memory: helpers --------------- */

/* The decision on executable memory no file backs, for `subject`: only
 * `memory` rules decide it, and without one it is allowed. */
static __always_inline int memory_exec(__u32 subject, __u64 route)
{
	struct bs_rule_key k = {};
	struct bs_rule_val v = { .action = BS_ACT_ALLOW, .rule = BS_RULE_DEFAULT };

	if (!(bs_kinds[BS_OP_EXEC] & (1 << BS_KIND_MEMORY)))
		return 0;
	k.kind = BS_KIND_MEMORY;
	k.op = BS_OP_EXEC;
	level(&k, subject, &v);
	return verdict(BS_OP_EXEC, subject, 0, route, &v, 1);
}

/* Whether a memory rule names `subject` and lets it have executable memory
 * (allow, audit, or an exception from a rule for any subject). */
static __always_inline int memory_trusted(__u32 subject)
{
	struct bs_rule_key k = {};
	struct bs_rule_val *v, d;

	k.kind = BS_KIND_MEMORY;
	k.op = BS_OP_EXEC;
	k.subject = subject;
	v = bpf_map_lookup_elem(&rules, &k);
	/* With phases, in both: executable memory made in the boot phase
	 * stays with the subject, which keeps its subject, after the seal. */
	if (!v || !in_phase(v, 0, &d) || d.action == BS_ACT_DENY)
		return 0;
	if (bs_seal_after_ns && (!in_phase(v, 1, &d) || d.action == BS_ACT_DENY))
		return 0;
	return 1;
}

/* A file on the kernel's internal shared-memory mount: memfd_create, SysV
 * shm, shared anonymous memory (tmpfs or hugetlbfs, never in a namespace).
 * `file`, as for check_file(): of a type the verifier knows, not NULL
 * (plain loads, on the path of every executable mapping). */
static __always_inline int shmem_internal(struct file *file)
{
	unsigned long magic;

	if (!(file->f_path.mnt->mnt_flags & MNT_INTERNAL))
		return 0;
	magic = file->f_inode->i_sb->s_magic;
	return magic == TMPFS_MAGIC || magic == HUGETLBFS_MAGIC;
}

/* A device node (/dev/zero, a frame buffer, ...): what it maps is no file
 * on a filesystem. `file` as for shmem_internal(). */
static __always_inline int device_file(struct file *file)
{
	__u32 type;

	return device_of(file, &type) != 0;
}

/* Whether the current task is inside execve (bprm_execve sets in_execve
 * before the binary handler runs and clears it after). A kernel without
 * the field answers "maybe": the callers then decide at every call,
 * slower and stricter, never weaker. */
static __always_inline int in_execve(void)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	if (!bpf_core_field_exists(task->in_execve))
		return 1;
	return BPF_CORE_READ_BITFIELD_PROBED(task, in_execve);
}

/* READ_IMPLIES_EXEC: every readable private mapping the task makes is
 * executable, brk's heap included. */
static __always_inline int read_implies_exec(void)
{
	struct task_struct *task = bpf_get_current_task_btf();

	return (task->personality & READ_IMPLIES_EXEC) != 0;
}

/* bpf_find_vma callback: the flags of the vma found. */
static long vma_flags_of(struct task_struct *task, struct vm_area_struct *vma, void *ctx)
{
	*(__u64 *)ctx = BPF_CORE_READ(vma, vm_flags);
	return 0;
}

/* exec memory: what an exec set up before its binary handler maps the
 * program: an executable stack (setup_arg_pages gives the stack VM_EXEC
 * for an ELF whose PT_GNU_STACK asks for RWX, or under READ_IMPLIES_EXEC),
 * or READ_IMPLIES_EXEC itself (a 32-bit ELF without PT_GNU_STACK), whose
 * heap would be executable. No hook decides either where it happens; the
 * binary handler's mmap_file calls (the program's segments, its
 * interpreter) come after, within the same execve, before any of the
 * program's code runs. Refused, the mapping fails and the kernel kills
 * the process (the exec is past its point of no return). */
static __always_inline int exec_memory_setup(void)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 flags = 0;
	long err;

	if (!(bs_kinds[BS_OP_EXEC] & (1 << BS_KIND_MEMORY)))
		return 0;
	err = bpf_find_vma(task, BPF_CORE_READ(task, mm, start_stack), vma_flags_of, &flags, 0);
	/* -EBUSY: the mm's lock was taken; the new mm is this task's alone
	 * during an exec, so that is not expected: fail closed. */
	if (err == -EBUSY || (flags & VM_EXEC) || read_implies_exec())
		return memory_exec(current_subject(), BS_MEM_STACK);
	return 0;
}

/* The current process runs foreign code from now on: it becomes subject 0,
 * and so does the parent whose memory it shares (vfork). */
static __always_inline void lose_subject(__u32 subject, __s32 why)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct task_struct *leader = task->group_leader;
	struct bs_task *t, *p;

	t = bpf_task_storage_get(&task_subject, leader, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (t) {
		t->subject = BS_SUBJECT_ANY;
		if (t->flags & BS_TASK_SHARED_VM) {
			p = bpf_task_storage_get(&task_subject, leader->real_parent->group_leader, 0,
						 BPF_LOCAL_STORAGE_GET_F_CREATE);
			if (p)
				p->subject = BS_SUBJECT_ANY;
		}
	}
	emit(BS_OP_SELF, subject, 0, BS_SELF_SUBJECT_LOST, why, BS_ACT_AUDIT, 0);
}

/* Whether a write decision for a process with no subject makes a file
 * write-protected: deny by a rule or by the default. A walk that failed
 * closed (too deep, disconnected) says nothing about the file: a file
 * buried or reached that way is not trusted for it. */
static __always_inline int write_protected(const struct bs_rule_val *v)
{
	return v->action == BS_ACT_DENY && v->rule >= BS_RULE_DEFAULT;
}

/* Whether `file` is write-protected, as the code of a subject: with boot
 * phases, in both phases. A subject keeps its subject across the seal, so
 * code writable in either phase is not its own: written before the seal,
 * or rewritten after it under a process that got its subject before. */
static __always_inline int code_write_protected(struct file *file)
{
	struct inode *inode = BPF_CORE_READ(file, f_inode);
	__u64 dentry = (__u64)BPF_CORE_READ(file, f_path.dentry);
	unsigned long magic = BPF_CORE_READ(inode, i_sb, s_magic);
	struct bs_rule_val v;

	if (!bs_seal_after_ns) {
		ask(BS_OP_WRITE, (__u64)inode, dentry, dentry, 0, magic, BS_SUBJECT_ANY, &v);
		return write_protected(&v);
	}
	ask_in(BS_OP_WRITE, (__u64)inode, dentry, dentry, 0, magic, BS_SUBJECT_ANY, PHASE_BOOT, &v);
	if (!write_protected(&v))
		return 0;
	ask_in(BS_OP_WRITE, (__u64)inode, dentry, dentry, 0, magic, BS_SUBJECT_ANY, PHASE_RUNNING, &v);
	return write_protected(&v);
}

/* Code a subject may map executable: its own executable, files no
 * process but a named subject may write (the write decision for any process
 * is deny, looked up without crossing into the mount a file is seen
 * through, so a mount over a protected directory lends its files no
 * trust). Executable memory (`memory`: shared, a device, or a mapping
 * writable and executable at once) only when a memory rule trusts the
 * subject with it. Anything else is refused to the subject process in
 * enforce mode (its code never runs, and what the process opened as the
 * subject stays out of reach of that code); in permissive mode the process
 * runs on as subject 0. */
static __always_inline int subject_code_check(struct file *file, __u32 subject, int memory)
{
	struct inode *inode;

	if (subject == BS_SUBJECT_ANY)
		return 0;
	inode = BPF_CORE_READ(file, f_inode);
	if (memory || shmem_internal(file)) {
		/* Executable memory (shared, a device, writable and
		 * executable): the subject's own code made it, if a memory
		 * rule lets the subject have it. */
		if (memory_trusted(subject))
			return 0;
	} else {
		if (subject_of_inode(inode) == subject)
			return 0;
		if (code_write_protected(file))
			return 0;
	}
	if (bs_mode == BS_MODE_ENFORCE) {
		struct bs_stats *s = counters();

		if (s)
			__sync_fetch_and_add(&s->self_denied, 1);
		emit(BS_OP_SELF, subject, BPF_CORE_READ(inode, i_sb, s_dev), BS_SELF_UNTRUSTED_CODE,
		     BS_RULE_UNTRUSTED_CODE, BS_ACT_DENY, 1);
		return -EPERM;
	}
	lose_subject(subject, BS_RULE_UNTRUSTED_CODE);
	return 0;
}

/* Whether a dentry's name is exactly `want` (a NUL-terminated literal of
 * `len` bytes, NUL included; one byte more is read, so that a longer name
 * does not match). */
#define DENTRY_NAME_IS(d, want)                                                              \
	({                                                                                   \
		char _n[sizeof(want) + 1] = {};                                              \
		int _i, _eq = bpf_probe_read_kernel_str(_n, sizeof(_n),                      \
						    BPF_CORE_READ(d, d_name.name)) == sizeof(want); \
		for (_i = 0; _eq && _i < (int)sizeof(want); _i++)                            \
			_eq = _n[_i] == (want)[_i];                                          \
		_eq;                                                                         \
	})

/* procfs has no files a process can create, so a name on a proc superblock
 * is enough: /proc/PID/mem (and /proc/PID/task/TID/mem) ... */
static __always_inline int proc_name_is_mem(struct dentry *d)
{
	return DENTRY_NAME_IS(d, "mem");
}

/* ... and the sysrq trigger, directly under a procfs root. */
static __always_inline int proc_name_is_sysrq(struct dentry *d)
{
	return DENTRY_NAME_IS(d, "sysrq-trigger");
}

/* ---- exec ------------------------------------------------------------ */

/* How many seccomp filters of a task's chain the listener check follows;
 * a longer chain counts as one with a listener (fail closed). */
#define BS_MAX_SECCOMP 64

/* Whether a seccomp filter the task runs under has an open user-notification
 * listener: whoever holds it answers the task's system calls for it (fakes
 * their results, installs descriptors in the task with
 * SECCOMP_IOCTL_NOTIF_ADDFD). */
static __always_inline int seccomp_listener(struct task_struct *task)
{
	struct seccomp_filter *f = BPF_CORE_READ(task, seccomp.filter);
	int i;

	for (i = 0; i < BS_MAX_SECCOMP && f; i++) {
		if (BPF_CORE_READ(f, notif))
			return 1;
		f = BPF_CORE_READ(f, prev);
	}
	return f != NULL;
}

/* How another process steers the exec of a subject's program from its
 * start (a BS_RULE_* naming it), or 0: a tracer; a process sharing the
 * task's root and working directory (clone with CLONE_FS: it chroots or
 * chdirs the subject under its own files); the holder of a seccomp
 * listener. All three are stable from bprm_check_security to the commit:
 * cred_guard_mutex keeps tracers and seccomp TSYNC out, fs->in_exec keeps
 * CLONE_FS out. */
static __always_inline __s32 subject_exec_steered(struct linux_binprm *bprm,
						   struct task_struct *task)
{
	if (task->ptrace)
		return BS_RULE_TRACED_EXEC;
	/* Every exec of PID 1 is LSM_UNSAFE_SHARE: it shares init_fs with the
	 * kernel threads. They steer nothing; a process sharing it would
	 * (bs_pid1_fs_shared). PID 1 under another root than the one it
	 * booted into (systemd-shutdown's switch to /run/initramfs, which
	 * root fills) runs what that root holds: steered too. */
	if (BPF_CORE_READ(bprm, unsafe) & LSM_UNSAFE_SHARE) {
		if (!current_is_pid1() || bs_pid1_fs_shared)
			return BS_RULE_SHARED_FS;
		if (!pid1_in_booted_root(task))
			return BS_RULE_PID1_ROOT;
	}
	if (seccomp_listener(task))
		return BS_RULE_SECCOMP_LISTENER;
	return 0;
}

/* Why an exec of a subject's program does not give the process that
 * subject (a BS_RULE_* for the `subject lost` event), or 0 when it does:
 * it is steered (above; refused already in enforce mode), or the program
 * is not the subject's own code because any process may rewrite it (its
 * write decision for a process with no subject must be a deny, asked
 * without a mount like the code it maps). */
static __always_inline __s32 subject_exec_unsafe(struct linux_binprm *bprm,
						  struct task_struct *task)
{
	struct file *file = BPF_CORE_READ(bprm, file);
	__s32 why = subject_exec_steered(bprm, task);

	if (why)
		return why;
	if (!code_write_protected(file))
		return BS_RULE_UNPROTECTED_SUBJECT;
	return 0;
}

/* exec: each file execve runs, the script and its interpreter alike.
 * Subject integrity: in enforce mode an exec of a subject's program that
 * another process steers is refused (it would run the program as subject
 * 0, out of reach of the subject's own denials); the task's entry is made
 * here, where an allocation failure can still fail the exec, so that the
 * commit always records what the task runs. */
SEC("lsm/bprm_check_security")
int BPF_PROG(bs_bprm_check, struct linux_binprm *bprm, int ret)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct file *file = bprm->file;  /* a typed load: check_file reads it directly */
	__u32 subject;
	__s32 why;

	if (ret)
		return ret;
	if (!bpf_task_storage_get(&task_subject, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE))
		return -ENOMEM;
	/* A memfd run with execveat: code no file on a filesystem backs. */
	if (file && shmem_internal(file)) {
		ret = memory_exec(current_subject(), BS_MEM_SHMEM);
		if (ret)
			return ret;
	}
	ret = check_file(BS_OP_EXEC, file);
	if (ret || bs_mode != BS_MODE_ENFORCE || !file)
		return ret;
	subject = subject_of_inode(BPF_CORE_READ(file, f_inode));
	if (subject == BS_SUBJECT_ANY)
		return 0;
	why = subject_exec_steered(bprm, task);
	if (!why)
		return 0;
	{
		struct bs_stats *s = counters();

		if (s)
			__sync_fetch_and_add(&s->self_denied, 1);
	}
	emit(BS_OP_SELF, subject, 0, BS_SELF_STEERED_EXEC, why, BS_ACT_DENY, 1);
	return -EPERM;
}

/* The task now runs the new executable: remember its subject (de_thread
 * made the task its thread group's leader), unless the exec was unsafe
 * for it (subject_exec_unsafe): then it runs as subject 0. PID 1 running a
 * file from outside the initramfs ends the initramfs' exemption. */
SEC("lsm/bprm_committed_creds")
int BPF_PROG(bs_bprm_committed, struct linux_binprm *bprm)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bs_task *t;
	__u32 subject;

	if (bs_initramfs_dev && !bs_boot_done && current_is_pid1() &&
	    BPF_CORE_READ(bprm, file, f_inode, i_sb, s_dev) != bs_initramfs_dev)
		bs_boot_done = 1;
	if (!bs_pid1_root_mnt && (bs_boot_done || !bs_initramfs_dev) &&
	    current_is_pid1()) {
		bs_pid1_fs = (__u64)BPF_CORE_READ(task, fs);
		bs_pid1_root_dentry = (__u64)BPF_CORE_READ(task, fs, root.dentry);
		bs_pid1_root_mnt = (__u64)BPF_CORE_READ(task, fs, root.mnt);
	} else if (current_is_pid1() && !pid1_in_booted_root(task)) {
		bs_pid1_left_root = 1;
	}

	subject = subject_of_inode(BPF_CORE_READ(bprm, file, f_inode));
	if (subject != BS_SUBJECT_ANY) {
		__s32 why = subject_exec_unsafe(bprm, task);

		if (why) {
			emit(BS_OP_SELF, subject, 0, BS_SELF_SUBJECT_LOST, why, BS_ACT_AUDIT, 0);
			subject = BS_SUBJECT_ANY;
		}
	}
	t = bpf_task_storage_get(&task_subject, task->group_leader, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (t) {
		t->subject = subject;
		t->flags = 0;
	}
	return 0;
}

/* A new process runs what its parent runs; a new thread shares its
 * leader's entry. */
SEC("lsm/task_alloc")
int BPF_PROG(bs_task_alloc, struct task_struct *task, unsigned long clone_flags, int ret)
{
	struct bs_task *t;
	__u32 subject;

	if (ret)
		return ret;
	subject = current_subject();
	if (clone_flags & CLONE_THREAD)
		return 0;
	if ((clone_flags & CLONE_FS) && !(BPF_CORE_READ(task, flags) & PF_KTHREAD) &&
	    (current_is_pid1() ||
	     (bs_pid1_fs && (__u64)BPF_CORE_READ(bpf_get_current_task_btf(), fs) == bs_pid1_fs)))
		bs_pid1_fs_shared = 1;
	t = bpf_task_storage_get(&task_subject, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (t) {
		t->subject = subject;
		t->flags = (clone_flags & CLONE_VM) ? BS_TASK_SHARED_VM : 0;
	}
	return 0;
}

/* exec: mapping a file executable (how ld.so runs a program); exec
 * memory: an anonymous, shared-memory or private writable executable
 * mapping; subject integrity: a subject process mapping code the policy
 * does not trust for it loses its subject before that code runs. */
SEC("lsm/mmap_file")
int BPF_PROG(bs_mmap_file, struct file *file, unsigned long reqprot, unsigned long prot,
	     unsigned long flags, int ret)
{
	__u64 file_arg = 0;
	__u32 subject;
	int exe, memory = 0;

	if (ret)
		return ret;
	/* During an exec: the stack it set up (whatever this mapping's prot,
	 * a program with no executable segment included). */
	if (in_execve()) {
		ret = exec_memory_setup();
		if (ret)
			return ret;
	}
	/* prot, not reqprot: READ_IMPLIES_EXEC already added PROT_EXEC. */
	if (!(prot & PROT_EXEC))
		return 0;
	subject = current_subject();
	/* Whether a file backs the mapping (NULL for every anonymous one),
	 * asked of the raw argument: the verifier of later kernels (Debian's
	 * 6.12) holds an LSM hook's pointer arguments non-NULL, drops
	 * `if (!file)` as dead code, and loads through `file` without a
	 * fault handler. */
	if (bpf_get_func_arg(ctx, 0, &file_arg) || !file_arg)
		return memory_exec(subject, BS_MEM_ANON);
	/* The program the task runs, mapped by exec itself: bprm_check
	 * decided it already, a memfd run with execveat included (the
	 * kernel keeps it from being written while it is the executable). */
	exe = file->f_inode == bpf_get_current_task_btf()->mm->exe_file->f_inode;
	if (prot & PROT_WRITE) {
		/* Writable and executable at once, private or shared: a JIT
		 * buffer whatever file lends it its pages. */
		memory = 1;
		ret = memory_exec(subject, BS_MEM_WRITABLE);
		if (ret)
			return ret;
	} else if (!exe && (shmem_internal(file) || device_file(file))) {
		/* /dev/zero mapped shared becomes shared anonymous memory
		 * only after this hook: any device mapped executable is
		 * memory no file on a filesystem backs. */
		memory = 1;
		ret = memory_exec(subject, BS_MEM_SHMEM);
		if (ret)
			return ret;
	}
	ret = subject_code_check(file, subject, memory);
	if (ret)
		return ret;
	if (exe)
		return 0;
	return check_file(BS_OP_EXEC, file);
}

/* exec: making a file mapping executable later; exec memory: making
 * anonymous, shared or written private memory executable. */
SEC("lsm/file_mprotect")
int BPF_PROG(bs_file_mprotect, struct vm_area_struct *vma, unsigned long reqprot,
	     unsigned long prot, int ret)
{
	struct file *file;
	__u32 subject;
	int memory = 0;

	if (ret)
		return ret;
	if (!(prot & PROT_EXEC))
		return 0;
	subject = current_subject();
	file = vma->vm_file;  /* a typed load: check_file reads it directly */
	if (!file)
		return memory_exec(subject, BS_MEM_ANON);
	if (shmem_internal(file) || device_file(file)) {
		memory = 1;
		ret = memory_exec(subject, BS_MEM_SHMEM);
		if (ret)
			return ret;
	} else if (prot & PROT_WRITE) {
		memory = 1;
		ret = memory_exec(subject, BS_MEM_WRITABLE);
		if (ret)
			return ret;
	} else if (!(BPF_CORE_READ(vma, vm_flags) & VM_SHARED) && BPF_CORE_READ(vma, anon_vma)) {
		memory = 1;
		ret = memory_exec(subject, BS_MEM_WRITTEN);
		if (ret)
			return ret;
	}
	ret = subject_code_check(file, subject, memory);
	if (ret)
		return ret;
	return check_file(BS_OP_EXEC, file);
}

/* ---- read / write ---------------------------------------------------- */

/* read, write: opening a file (an open for exec is decided as exec). One
 * part of the file_open program (the last section). */
static __always_inline int file_rules_open(struct file *file, unsigned int fmode)
{
	int ret;

	if (fmode & FMODE_WRITE) {
		ret = check_file(BS_OP_WRITE, file);
		if (ret)
			return ret;
	}
	if ((fmode & FMODE_READ) && !(fmode & FMODE_EXEC))
		return check_file(BS_OP_READ, file);
	return 0;
}

/* write: truncate, chmod, chown, utimes. Later kernels (Debian's 6.12,
 * not 6.1) pass the mount's idmap first: one program for each form of the
 * hook, and the loader loads the one the running kernel's BTF declares
 * (kernel-loader/src/install.cpp, lsm_hook_args): read through the other,
 * `dentry` and `ret` would be the wrong arguments. */
SEC("lsm/inode_setattr")
int BPF_PROG(bs_inode_setattr, struct dentry *dentry, struct iattr *attr, int ret)
{
	if (ret)
		return ret;
	return check_dentry(BS_OP_WRITE, dentry);
}

SEC("lsm/inode_setattr")
int BPF_PROG(bs_inode_setattr_idmap, struct mnt_idmap *idmap, struct dentry *dentry,
	     struct iattr *attr, int ret)
{
	if (ret)
		return ret;
	return check_dentry(BS_OP_WRITE, dentry);
}

/* write: setting an extended attribute. */
SEC("lsm/inode_setxattr")
int BPF_PROG(bs_inode_setxattr, struct user_namespace *ns, struct dentry *dentry,
	     const char *name, const void *value, __u64 size, int flags, int ret)
{
	if (ret)
		return ret;
	return check_dentry(BS_OP_WRITE, dentry);
}

/* write: setting or removing a POSIX ACL. From 6.2 setxattr(2) and
 * removexattr(2) of system.posix_acl_* reach these instead of
 * inode_setxattr and inode_removexattr; the loader loads them where the
 * kernel has them. The first argument (the mount's idmap, or its user
 * namespace in 6.2) is not read. */
SEC("lsm/inode_set_acl")
int BPF_PROG(bs_inode_set_acl, void *idmap, struct dentry *dentry, const char *acl_name,
	     void *kacl, int ret)
{
	if (ret)
		return ret;
	return check_dentry(BS_OP_WRITE, dentry);
}

SEC("lsm/inode_remove_acl")
int BPF_PROG(bs_inode_remove_acl, void *idmap, struct dentry *dentry, const char *acl_name, int ret)
{
	if (ret)
		return ret;
	return check_dentry(BS_OP_WRITE, dentry);
}

/* write: removing an extended attribute. */
SEC("lsm/inode_removexattr")
int BPF_PROG(bs_inode_removexattr, struct user_namespace *ns, struct dentry *dentry,
	     const char *name, int ret)
{
	if (ret)
		return ret;
	return check_dentry(BS_OP_WRITE, dentry);
}

/* A new entry `dentry` in `dir`: a write, and never an entry of the pin
 * directory but the loader's (a pin there would stand for a hook in
 * `bootseal status`, or a directory or link hide among the pins). These
 * programs are loaded for every policy (contract::kHookNeeds) for the
 * guard; the write decision passes at once without write rules. */
static __always_inline int check_new_entry(struct inode *dir, struct dentry *dentry)
{
	if (in_pin_dir(dir) && !is_trusted())
		return self_deny(BS_SELF_PIN_ADD);
	return check_dentry(BS_OP_WRITE, dentry);
}

/* write: creating a file in a directory; never in the pin directory. */
SEC("lsm/inode_create")
int BPF_PROG(bs_inode_create, struct inode *dir, struct dentry *dentry, __u16 mode, int ret)
{
	if (ret)
		return ret;
	return check_new_entry(dir, dentry);
}

/* write: creating a directory; never in the pin directory. */
SEC("lsm/inode_mkdir")
int BPF_PROG(bs_inode_mkdir, struct inode *dir, struct dentry *dentry, __u16 mode, int ret)
{
	if (ret)
		return ret;
	return check_new_entry(dir, dentry);
}

/* write: creating a device node, fifo or socket; never in the pin
 * directory. */
SEC("lsm/inode_mknod")
int BPF_PROG(bs_inode_mknod, struct inode *dir, struct dentry *dentry, __u16 mode,
	     __u32 dev, int ret)
{
	if (ret)
		return ret;
	return check_new_entry(dir, dentry);
}

/* write: creating a symbolic link; never in the pin directory. */
SEC("lsm/inode_symlink")
int BPF_PROG(bs_inode_symlink, struct inode *dir, struct dentry *dentry, const char *old_name,
	     int ret)
{
	if (ret)
		return ret;
	return check_new_entry(dir, dentry);
}

/* Removing a name from dir: a write of the object, and never of a pin or
 * of a directory protected names hang from. */
static __always_inline int check_remove(struct inode *dir, struct dentry *dentry)
{
	int ret;

	if ((in_pin_dir(dir) || is_pin_dir(BPF_CORE_READ(dentry, d_inode))) && !is_trusted())
		return self_deny(BS_SELF_UNPIN);
	if (pin_path_dentry(dentry) && !may_move_pin_mounts())
		return self_deny(BS_SELF_PIN_MOUNT);
	ret = check_ancestor(dentry);
	if (ret)
		return ret;
	return check_dentry(BS_OP_WRITE, dentry);
}

/* write: removing a name; also guards the pins. */
SEC("lsm/inode_unlink")
int BPF_PROG(bs_inode_unlink, struct inode *dir, struct dentry *dentry, int ret)
{
	if (ret)
		return ret;
	return check_remove(dir, dentry);
}

/* write: removing a directory; also guards the pin directory's entries. */
SEC("lsm/inode_rmdir")
int BPF_PROG(bs_inode_rmdir, struct inode *dir, struct dentry *dentry, int ret)
{
	if (ret)
		return ret;
	return check_remove(dir, dentry);
}

/* write: renaming, at both ends; also guards the pins. */
SEC("lsm/inode_rename")
int BPF_PROG(bs_inode_rename, struct inode *old_dir, struct dentry *old_dentry,
	     struct inode *new_dir, struct dentry *new_dentry, int ret)
{
	if (ret)
		return ret;
	if ((in_pin_dir(old_dir) || in_pin_dir(new_dir) || is_pin_dir(BPF_CORE_READ(old_dentry, d_inode))) &&
	    !is_trusted())
		return self_deny(BS_SELF_UNPIN);
	if ((pin_path_dentry(old_dentry) || pin_path_dentry(new_dentry)) && !may_move_pin_mounts())
		return self_deny(BS_SELF_PIN_MOUNT);
	ret = check_ancestor(old_dentry);
	if (ret)
		return ret;
	ret = check_ancestor(new_dentry);
	if (ret)
		return ret;
	ret = check_dentry(BS_OP_WRITE, old_dentry);
	if (ret)
		return ret;
	ret = check_dentry(BS_OP_WRITE, new_dentry);
	if (ret)
		return ret;
	ret = check_alias_rename(old_dentry, new_dentry, 0);
	if (ret)
		return ret;
	return check_escape(old_dentry, new_dentry);
}

/* write: a new hard link (the new name's directory), which must not carry
 * the file out of a rule that denies it. */
SEC("lsm/inode_link")
int BPF_PROG(bs_inode_link, struct dentry *old_dentry, struct inode *dir,
	     struct dentry *new_dentry, int ret)
{
	if (ret)
		return ret;
	ret = check_new_entry(dir, new_dentry);
	if (ret)
		return ret;
	ret = check_alias_link(old_dentry, new_dentry, 0);
	if (ret)
		return ret;
	return check_escape(old_dentry, new_dentry);
}

/* ---- path hooks -------------------------------------------------------- */

/* The same decisions as the inode hooks above, for the system calls that
 * name their objects by path: these hooks know the mount, so the subtree
 * walk continues from a filesystem's root to its mount point, and a name
 * is found through a mount stacked on it (a separate /boot mounted on the
 * directory a rule names; a bind mount over a protected name). The inode
 * hooks still run after them, for callers inside the kernel (nfsd,
 * overlayfs). */

/* Decide `op` on the entry `dentry` of the directory `dir`. */
static __always_inline int check_entry(__u8 op, const struct path *dir, struct dentry *dentry)
{
	struct bs_rule_val v;
	struct inode *inode;
	__u32 subject;

	if (!relevant(op))
		return 0;
	if (initramfs_object(BPF_CORE_READ(dentry, d_sb, s_dev)))
		return 0;
	subject = current_subject();
	inode = BPF_CORE_READ(dentry, d_inode);
	ask(op, (__u64)inode, (__u64)dentry, (__u64)dentry, (__u64)BPF_CORE_READ(dir, mnt),
	    BPF_CORE_READ(dentry, d_sb, s_magic), subject, &v);
	return verdict(op, subject, BPF_CORE_READ(dentry, d_sb, s_dev),
		       inode ? BPF_CORE_READ(inode, i_ino) : 0, &v, 1);
}

SEC("lsm/path_unlink")
int BPF_PROG(bs_path_unlink, const struct path *dir, struct dentry *dentry, int ret)
{
	if (ret)
		return ret;
	return check_entry(BS_OP_WRITE, dir, dentry);
}

SEC("lsm/path_rmdir")
int BPF_PROG(bs_path_rmdir, const struct path *dir, struct dentry *dentry, int ret)
{
	if (ret)
		return ret;
	return check_entry(BS_OP_WRITE, dir, dentry);
}

SEC("lsm/path_mkdir")
int BPF_PROG(bs_path_mkdir, const struct path *dir, struct dentry *dentry, __u16 mode, int ret)
{
	if (ret)
		return ret;
	return check_entry(BS_OP_WRITE, dir, dentry);
}

/* Also an open with O_CREAT that creates the file. */
SEC("lsm/path_mknod")
int BPF_PROG(bs_path_mknod, const struct path *dir, struct dentry *dentry, __u16 mode,
	     unsigned int dev, int ret)
{
	if (ret)
		return ret;
	return check_entry(BS_OP_WRITE, dir, dentry);
}

SEC("lsm/path_symlink")
int BPF_PROG(bs_path_symlink, const struct path *dir, struct dentry *dentry, const char *old_name,
	     int ret)
{
	if (ret)
		return ret;
	return check_entry(BS_OP_WRITE, dir, dentry);
}

SEC("lsm/path_link")
int BPF_PROG(bs_path_link, struct dentry *old_dentry, const struct path *new_dir,
	     struct dentry *new_dentry, int ret)
{
	__u64 mnt;

	if (ret)
		return ret;
	ret = check_entry(BS_OP_WRITE, new_dir, new_dentry);
	if (ret)
		return ret;
	/* Whether the link carries the file out of a rule is left to
	 * inode_link: link(2) keeps both names in one mount, so the walks
	 * from both ends cross the same mounts. */
	mnt = (__u64)BPF_CORE_READ(new_dir, mnt);
	return check_alias_link(old_dentry, new_dentry, mnt);
}

/* Both ends; with RENAME_EXCHANGE each file lands at the other's name. */
SEC("lsm/path_rename")
int BPF_PROG(bs_path_rename, const struct path *old_dir, struct dentry *old_dentry,
	     const struct path *new_dir, struct dentry *new_dentry, unsigned int flags, int ret)
{
	__u64 mnt;

	if (ret)
		return ret;
	ret = check_entry(BS_OP_WRITE, old_dir, old_dentry);
	if (ret)
		return ret;
	ret = check_entry(BS_OP_WRITE, new_dir, new_dentry);
	if (ret)
		return ret;
	/* Whether the rename carries a file out of a rule is left to
	 * inode_rename (called both ways for RENAME_EXCHANGE): rename(2)
	 * keeps both names in one mount, so the walks from both ends cross
	 * the same mounts. */
	mnt = (__u64)BPF_CORE_READ(new_dir, mnt);
	ret = check_alias_rename(old_dentry, new_dentry, mnt);
	if (ret || !(flags & RENAME_EXCHANGE))
		return ret;
	return check_alias_rename(new_dentry, old_dentry, mnt);
}

/* write: truncate(2) by path. */
SEC("lsm/path_truncate")
int BPF_PROG(bs_path_truncate, const struct path *path, int ret)
{
	if (ret)
		return ret;
	return check_entry(BS_OP_WRITE, path, BPF_CORE_READ(path, dentry));
}

/* write: chmod. */
SEC("lsm/path_chmod")
int BPF_PROG(bs_path_chmod, const struct path *path, __u16 mode, int ret)
{
	if (ret)
		return ret;
	return check_entry(BS_OP_WRITE, path, BPF_CORE_READ(path, dentry));
}

/* write: chown, with the mount (inode_setattr sees it without one). The
 * owner and group are kuid_t and kgid_t, structs passed by value: one
 * argument slot each, not read. */
SEC("lsm/path_chown")
int BPF_PROG(bs_path_chown, const struct path *path, __u64 uid, __u64 gid, int ret)
{
	if (ret)
		return ret;
	return check_entry(BS_OP_WRITE, path, BPF_CORE_READ(path, dentry));
}

/* ---- capability ------------------------------------------------------ */

/* The decision on capability `cap` for the current task, counted and
 * (when `log`) logged. */
static __always_inline int check_capability(int cap, int log)
{
	struct bs_rule_key k = {};
	struct bs_rule_val v;
	__u32 subject;

	int running = running_for(PHASE_NOW);  /* one phase for the decision */

	subject = current_subject();
	v.action = default_in(BS_OP_CAPABILITY, running);
	v.rule = BS_RULE_DEFAULT;
	k.op = BS_OP_CAPABILITY;
	k.kind = BS_KIND_CAPABILITY;
	k.id = (__u32)cap;
	if (!level_in(&k, subject, running, &v)) {
		k.kind = BS_KIND_ANY;
		k.id = 0;
		level_in(&k, subject, running, &v);
	}
	return verdict(BS_OP_CAPABILITY, subject, 0, (__u32)cap, &v, log);
}

/* capability: every capable() check. */
SEC("lsm/capable")
int BPF_PROG(bs_capable, const struct cred *cred, struct user_namespace *ns, int cap,
	     unsigned int opts, int ret)
{
	if (ret)
		return ret;
	if (!relevant(BS_OP_CAPABILITY))
		return 0;
	/* Probing checks (CAP_OPT_NOAUDIT) are decided but not logged. */
	return check_capability(cap, !(opts & CAP_OPT_NOAUDIT));
}

/* ---- module-load, kexec ---------------------------------------------- */

/* module-load (finit_module), kexec (kexec_file_load): the file read. */
SEC("lsm/kernel_read_file")
int BPF_PROG(bs_kernel_read_file, struct file *file, int id, int contents, int ret)
{
	if (ret)
		return ret;
	if (!file)
		return 0;
	if (id == READING_MODULE)
		return check_file(BS_OP_MODULE_LOAD, file);
	if (id == READING_KEXEC_IMAGE || id == READING_KEXEC_INITRAMFS)
		return check_file(BS_OP_KEXEC, file);
	return 0;
}

/* module-load (init_module), kexec (kexec_load): data with no file, so
 * only rules for any object and the default apply. */
SEC("lsm/kernel_load_data")
int BPF_PROG(bs_kernel_load_data, int id, int contents, int ret)
{
	struct bs_rule_val v;
	__u32 subject;
	__u8 op;

	if (ret)
		return ret;
	if (id == LOADING_MODULE)
		op = BS_OP_MODULE_LOAD;
	else if (id == LOADING_KEXEC_IMAGE || id == LOADING_KEXEC_INITRAMFS)
		op = BS_OP_KEXEC;
	else
		return 0;
	if (!relevant(op))
		return 0;
	subject = current_subject();
	ask(op, 0, 0, 0, 0, 0, subject, &v);
	return verdict(op, subject, 0, 0, &v, 1);
}

/* ---- mount ----------------------------------------------------------- */

/* Whether mount(2) with `flags` attaches a mount: the kernel's order in
 * path_mount() is remount, bind, propagation change, move, new mount, so
 * MS_BIND wins over the propagation flags (MS_BIND | MS_PRIVATE is a bind
 * mount). */
static __always_inline int mount_attaches(unsigned long flags)
{
	if (flags & MS_REMOUNT)
		return 0;
	return (flags & MS_BIND) || !(flags & (MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE));
}

/* While the initramfs still runs the boot (before PID 1 executes from the
 * real root): its own mount moves are not the policy's business. */
static __always_inline int booting(void)
{
	return bs_initramfs_dev && !bs_boot_done;
}


/* Whether a mount change on or of `vm` reaches the system: made in the
 * pins' mount namespace, or on a shared mount, which propagates to its
 * peers, the system's among them (in a namespace of its own a mount on a
 * private or slave mount only hides names from that namespace). */
static __always_inline int reaches_system(struct vfsmount *vm)
{
	struct mount *m = real_mount_of(vm);

	return in_pin_ns() || BPF_CORE_READ(m, mnt_group_id) != 0;
}

/* DCACHE_MOUNTED as the running kernel numbers it: from Linux 6.15 its
 * enum dentry_flags (bit 15), before that kernel.h's bit 16. */
enum dentry_flags___bs { DCACHE_MOUNTED___bs = 0 };

static __always_inline __u32 dcache_mounted(void)
{
	if (bpf_core_enum_value_exists(enum dentry_flags___bs, DCACHE_MOUNTED___bs))
		return bpf_core_enum_value(enum dentry_flags___bs, DCACHE_MOUNTED___bs);
	return DCACHE_MOUNTED;
}

/* Mounting where protected names or a subtree's files are, once PID 1
 * runs from the real root (the initramfs moves its mounts before). Refused
 * where it reaches the system:
 * - on a directory above deeper names, on one that holds protected files
 *   or names, on a non-empty directory of a subtree rule, on a symlink's
 *   place (BS_ANCESTOR_DIR, _SYMLINK): those names would stand for other
 *   files;
 * - on top of a mount already there: a directory of names with no file
 *   yet or an empty subtree directory takes one filesystem (the separate
 *   /boot or /srv the system mounts), which then stays: another one
 *   stacked on it would swap its files.
 * The place is each level of the mounts stacked there. */
static __always_inline int check_mount_on_ancestor(const struct path *path, int *place)
{
	struct climb c = {};
	struct dentry *top, *bottom;
	struct bs_rule_val v;
	struct inode *inode;
	__u32 subject;
	__u8 bits;

	if (booting() || !reaches_system(BPF_CORE_READ(path, mnt)))
		return 0;
	top = BPF_CORE_READ(path, dentry);
	c.dentry = (__u64)top;
	c.mnt = (__u64)BPF_CORE_READ(path, mnt);
	bpf_loop(BS_MAX_STACKED, climb_step, &c, 0);
	bottom = (struct dentry *)c.dentry;
	if (!c.done)
		return refuse_write(top, BS_RULE_ANCESTOR);
	bits = ancestor_bits(top) | ancestor_bits(bottom);
	if (bits) {
		/* Something already mounted there, here or in any other
		 * namespace (a mount tucked under it through a peer would
		 * come to light when it goes). DCACHE_MOUNTED says so for
		 * every mount of the dentry's filesystem, a private
		 * namespace's too: systemd's sandboxes (ProtectHome= puts a
		 * mount on /home) start before the system mounts its separate
		 * /home. On the system's own root mount (while PID 1 has not
		 * left it), the kernel's list of the mounts on it tells whether
		 * one is on the place itself; the climb cannot, as a path may
		 * stop on the place under a mount (a file handle, a /proc
		 * magic link, "."). When none is, the flag comes from another
		 * mount of the filesystem, which a mount here does not reach. */
		if ((bits & (BS_ANCESTOR_DIR | BS_ANCESTOR_SYMLINK)) || bottom != top)
			return refuse_write(top, BS_RULE_ANCESTOR);
		if ((BPF_CORE_READ(bottom, d_flags) & dcache_mounted()) &&
		    (!bs_pid1_root_mnt || bs_pid1_left_root || (__u64)BPF_CORE_READ(path, mnt) != bs_pid1_root_mnt ||
		     mounted_on((__u64)BPF_CORE_READ(path, mnt), (__u64)bottom)))
			return refuse_write(top, BS_RULE_ANCESTOR);
		/* A place's mount point, or the directory of protected names
		 * (an fstab mount point no filesystem was placed on): the
		 * caller checks what is mounted. */
		if (bits & BS_ANCESTOR_PLACE)
			*place = BS_MOUNT_ON_PLACE;
		else if (bits & BS_ANCESTOR_PARENT)
			*place = BS_MOUNT_ON_NAMES;
		return 0;
	}
	/* Anywhere else, mounting on a directory is a write of it: inside a
	 * write-protected subtree it would lend the subtree's rules (its
	 * allows too) to files placed before the mount. */
	if (!relevant(BS_OP_WRITE))
		return 0;
	subject = current_subject();
	inode = BPF_CORE_READ(top, d_inode);
	ask(BS_OP_WRITE, (__u64)inode, (__u64)top, (__u64)top, (__u64)BPF_CORE_READ(path, mnt),
	    BPF_CORE_READ(top, d_sb, s_magic), subject, &v);
	return verdict(BS_OP_WRITE, subject, BPF_CORE_READ(top, d_sb, s_dev),
		       inode ? BPF_CORE_READ(inode, i_ino) : 0, &v, 1);
}

struct block_device___sb {
	__u32 bd_dev;
} __attribute__((preserve_access_index));
struct super_block___bdev {
	struct block_device___sb *s_bdev;
} __attribute__((preserve_access_index));

/* include/linux/fs.h's S_CASEFOLD (an inode flag, no BTF), from 5.2. */
#define BS_S_CASEFOLD (1 << 15)
struct inode___flags {
	unsigned int i_flags;
} __attribute__((preserve_access_index));

/* XFS_SB_MAGIC */
#define BS_XFS_MAGIC 0x58465342

#define BS_ECRYPTFS_MAGIC 0xf15f  /* ECRYPTFS_SUPER_MAGIC */

struct super_block___enc {
	void *s_encoding;
} __attribute__((preserve_access_index));

/* Whether `sb` can make a directory ignore case (s_encoding: an ext4 or
 * f2fs made with casefold, a tmpfs mounted with it). Without
 * CONFIG_UNICODE the field is gone, and no directory ignores case. */
static __always_inline int sb_has_encoding(struct super_block *sb)
{
	struct super_block___enc *e = (struct super_block___enc *)sb;

	return bpf_core_field_exists(((struct super_block___enc *)0)->s_encoding) && BPF_CORE_READ(e, s_encoding);
}

/* Whether the root directory of `sb` ignores case in its names
 * (casefold, set before the mount): names compared byte for byte would
 * not hold there. */
static __always_inline int root_ignores_case(struct super_block *sb)
{
	struct dentry *root = BPF_CORE_READ(sb, s_root);
	struct inode___flags *inode = (struct inode___flags *)BPF_CORE_READ(root, d_inode);

	return inode && (BPF_CORE_READ(inode, i_flags) & BS_S_CASEFOLD);
}

struct inode_operations___lookup {
	void *lookup;
} __attribute__((preserve_access_index));
struct inode___iop {
	const struct inode_operations___lookup *i_op;
} __attribute__((preserve_access_index));

/* The function an xfs whose names are compared byte for byte looks names
 * up with (xfs_dir_inode_operations). One made with ASCII case-insensitive
 * names uses xfs_vn_ci_lookup instead (xfs_dir_ci_inode_operations); it
 * has no flag and no dentry operations that say so, and its superblock's
 * bit is in the module's own struct xfs_mount. */
static const char bs_ps_fmt[] = "%ps";
static const char bs_xfs_lookup[] = "xfs_vn_lookup";

/* Whether `sb` is an xfs whose names may not be compared byte for byte:
 * its root directory's lookup, by name (kallsyms, %ps), is not
 * xfs_vn_lookup. Anything else counts (xfs_vn_ci_lookup; an address,
 * without kallsyms; the symbol before it, where a stripped module lost
 * its local symbols). Out of line: its buffer stays out of the callers'
 * frames. */
static __noinline int xfs_ignores_case(struct super_block *sb)
{
	struct dentry *root = BPF_CORE_READ(sb, s_root);
	struct inode___iop *inode;
	char name[sizeof(bs_xfs_lookup) + 12] = {};
	__u64 arg;

	if (!sb || BPF_CORE_READ(sb, s_magic) != BS_XFS_MAGIC || !root)
		return 0;
	inode = (struct inode___iop *)BPF_CORE_READ(root, d_inode);
	if (!inode)
		return 0;
	arg = (__u64)BPF_CORE_READ(inode, i_op, lookup);
	if (bpf_snprintf(name, sizeof(name), bs_ps_fmt, &arg, sizeof(arg)) < 0)
		return 1;  /* not known: fail closed */
	/* A module's symbol prints as "xfs_vn_lookup [xfs]", one a clang
	 * LTO build renamed as "xfs_vn_lookup.llvm.123". */
	if (bpf_strncmp(name, sizeof(bs_xfs_lookup) - 1, bs_xfs_lookup))
		return 1;
	return !(name[sizeof(bs_xfs_lookup) - 1] == 0 || name[sizeof(bs_xfs_lookup) - 1] == ' ' ||
		 name[sizeof(bs_xfs_lookup) - 1] == '.');
}

/* Whether the lookups of `sb` compare names by a rule of their own (its
 * root dentry has DCACHE_OP_HASH or DCACHE_OP_COMPARE from the
 * superblock's s_d_op) while it has no s_encoding: FAT, ntfs3 or jfs set
 * to ignore case, CIFS with nocase, ... (not xfs: xfs_ignores_case). A
 * filesystem with s_encoding (ext4, f2fs, tmpfs with casefold) compares
 * so only in casefolded directories (root_ignores_case, flags_kept). */
static __always_inline int names_compared_own_way(struct super_block *sb)
{
	struct dentry *root = BPF_CORE_READ(sb, s_root);

	return root && (BPF_CORE_READ(root, d_flags) & (DCACHE_OP_HASH | DCACHE_OP_COMPARE)) && !sb_has_encoding(sb);
}

/* Whether a filesystem on a directory of protected names would look its
 * names up other than byte for byte (BS_MOUNT_ON_NAMES): its root ignores
 * case, its root dentry compares names its own way, or it is an ASCII
 * case-insensitive xfs. */
static __always_inline int names_ignore_case(struct super_block *sb)
{
	return root_ignores_case(sb) || names_compared_own_way(sb) || xfs_ignores_case(sb);
}

/* The address `p` holds, as a number: a global function takes no
 * pointer the verifier tracks (a hook's argument), only scalars. */
static __always_inline __u64 addr_of(const void *p)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), &p);
	return v;
}

/* Whether `sb` may be mounted on the directory of protected names `mp`:
 * of the type its fstab line names (the BS_NAMES_FS_* code the loader
 * keeps in its `ancestors` entry), or of any type whose files the
 * enforcer identifies when no one type is known (never FUSE, NFS, CIFS,
 * 9p, eCryptfs, overlayfs: another program or filesystem decides their
 * lookups); and looking names up byte for byte.
 * Global, as bs_placed_on: the verifier checks it once, on its own, and
 * its callers go on from one unknown answer instead of one state for each
 * way through it (6.12's walk of sb_kern_mount and move_mount would
 * otherwise take minutes). Its arguments are addresses, read with probes
 * (a global function takes scalars only: addr_of). */
__noinline int bs_names_take(__u64 sb_addr, __u64 mp_addr)
{
	struct super_block *sb = (struct super_block *)sb_addr;
	struct dentry *mp = (struct dentry *)mp_addr;
	__u64 magic = BPF_CORE_READ(sb, s_magic);
	__u32 code = (ancestor_bits(mp) & BS_ANCESTOR_FS_MASK) >> BS_ANCESTOR_FS_SHIFT;

	if (code && code != BS_NAMES_FS_KEPT ? magic != BS_NAMES_FS_MAGIC(code) : !BS_KEEPS_INODE_NUMBERS(magic))
		return 0;
	return !names_ignore_case(sb);
}

/* Whether the filesystem of `sb` is placed on the directory `mp`: its
 * UUID's (FAT's, exFAT's: its device key's) level 0 in `places` is that
 * directory, the mount point itself;
 * and when the loader found the filesystem's devices, it is on a guarded
 * block device (a UUID is easily copied: mkfs -U on a loop device, an
 * overlay's or an erofs image's UUID, which have none of those devices).
 * Not when its root ignores case in its names (casefold). Global (see
 * bs_names_take). */
__noinline int bs_placed_on(__u64 sb_addr, __u64 mp_addr)
{
	struct super_block *sb = (struct super_block *)sb_addr;
	struct dentry *mp = (struct dentry *)mp_addr;
	struct bs_rawdev_key gk = { .type = BS_DEVICE_BLOCK };
	struct bs_place_key pk = {};
	struct bs_place_dir *pd;
	struct dentry *root = BPF_CORE_READ(sb, s_root);
	struct inode *inode = BPF_CORE_READ(mp, d_inode);

	if (!root || !inode || !place_key_of(root, &pk))
		return 0;
	/* The place's names, compared byte for byte, would not hold there
	 * (FAT, placed by its device, compares names its own way: its
	 * names are refused by the loader, its place holds subtree rules). */
	if (root_ignores_case(sb) || xfs_ignores_case(sb))
		return 0;
	pd = bpf_map_lookup_elem(&places, &pk);
	if (!pd || !(pd->flags & BS_PLACE_MOUNT_POINT) || pd->dev != BPF_CORE_READ(mp, d_sb, s_dev) ||
	    pd->ino != BPF_CORE_READ(inode, i_ino))
		return 0;
	/* With no device to check (none found, or none guarded): FAT or
	 * exFAT, placed by their device; else a type whose files the
	 * enforcer identifies, looking names up byte for byte (not an
	 * overlay given the UUID by its trusted.overlay.uuid), and, where
	 * the place's mount point holds protected names, of the type its
	 * fstab line names (as bs_names_take). */
	if (!(pd->flags & BS_PLACE_DEVICES)) {
		__u64 magic = BPF_CORE_READ(sb, s_magic);
		__u32 code = (ancestor_bits(mp) & BS_ANCESTOR_FS_MASK) >> BS_ANCESTOR_FS_SHIFT;

		if (magic == BS_FAT_MAGIC || magic == BS_EXFAT_MAGIC)
			return 1;
		if (code && code != BS_NAMES_FS_KEPT && magic != BS_NAMES_FS_MAGIC(code))
			return 0;
		return BS_KEEPS_INODE_NUMBERS(magic) && !names_compared_own_way(sb);
	}
	gk.dev = BPF_CORE_READ((struct super_block___bdev *)sb, s_bdev, bd_dev);
	return gk.dev && bpf_map_lookup_elem(&rawdevs, &gk);
}

/* Whether `m` has mounts on it: a tree moved onto a place would bring
 * them along (open_tree with AT_RECURSIVE). */
static __always_inline int has_submounts(struct mount *m)
{
	__u64 head = (__u64)m + bpf_core_field_offset(struct mount, mnt_mounts);

	return (__u64)BPF_CORE_READ(m, mnt_mounts.next) != head;
}

/* Whether the current system call is fsconfig(2): sb_kern_mount runs for
 * mount(2)'s new mounts and for fsconfig's FSCONFIG_CMD_CREATE, whose
 * superblock is judged when move_mount attaches it; a mount point a
 * failed mount(2) left behind must not judge it. The same number in
 * every system call table (x32's with its bit). Anything else is judged
 * as mount(2): a caller not foreseen here meets the check, not a pass. */
static __always_inline int in_fsconfig_syscall(void)
{
	return (current_syscall() & ~(unsigned long)NR_X32_BIT) == NR_FSCONFIG;
}

/* Unmounting or moving away the filesystem mounted where protected names
 * or a subtree's files are: the place would be free for another one. */
static __always_inline int check_unmount_ancestor(struct vfsmount *vm)
{
	struct mount *m = real_mount_of(vm);
	struct dentry *root = BPF_CORE_READ(vm, mnt_root);

	struct mount *parent = BPF_CORE_READ(m, mnt_parent);

	if (!bs_has_ancestors || booting())
		return 0;
	/* A detached tree (open_tree with OPEN_TREE_CLONE) is mounted nowhere. */
	if (parent == m)
		return 0;
	/* Its root counts when it is a whole filesystem (one mounted before
	 * the loader ran, whose root the loader saw at the place). A place's
	 * mount point (BS_ANCESTOR_PLACE) takes back its own filesystem
	 * alone: that bit does not keep it mounted. */
	if (!(ancestor_bits(BPF_CORE_READ(m, mnt_mountpoint)) & ~BS_ANCESTOR_PLACE) &&
	    (root != BPF_CORE_READ(vm, mnt_sb, s_root) || !(ancestor_bits(root) & ~BS_ANCESTOR_PLACE)))
		return 0;
	/* An unmount propagates through the parent's peers. */
	if (!reaches_system(vm) && !BPF_CORE_READ(parent, mnt_group_id))
		return 0;
	return refuse_write(root, BS_RULE_ANCESTOR);
}

/* Mounting on a protected name puts another file at it: decided as a
 * write of that name (by its name rules only: a subtree rule follows the
 * mount, the walk crosses it). */
static __always_inline int check_mount_on_name(const struct path *path)
{
	struct dentry *d = BPF_CORE_READ(path, dentry);
	struct bs_rule_key k = {};
	struct bs_rule_val v;
	__u32 id = 0, subject;
	int found;

	if (!(bs_kinds[BS_OP_WRITE] & (1 << BS_KIND_NAME)))
		return 0;
	found = name_at(d, (__u64)BPF_CORE_READ(path, mnt), &id);
	if (found < 0)
		return refuse_write(d, BS_RULE_TOO_DEEP);
	if (!found)
		return 0;
	subject = current_subject();
	k.kind = BS_KIND_NAME;
	k.op = BS_OP_WRITE;
	k.id = id;
	if (!level(&k, subject, &v))
		return 0;
	return verdict(BS_OP_WRITE, subject, BPF_CORE_READ(d, d_sb, s_dev),
		       BPF_CORE_READ(d, d_inode, i_ino), &v, 1);
}

/* Keeps the mount point of a new mount for sb_kern_mount, or forgets an
 * earlier one (path 0) that a failed mount left behind. */
static __always_inline void remember_mount(const struct path *path)
{
	struct bs_pending_mount *p;

	if (!(bs_kinds[BS_OP_MOUNT] & (1 << BS_KIND_FSTYPE)))
		return;
	p = bpf_task_storage_get(&pending_mount, bpf_get_current_task_btf(), 0,
				 path ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
	if (!p)
		return;
	p->dentry = path ? (__u64)BPF_CORE_READ(path, dentry) : 0;
	p->mnt = path ? (__u64)BPF_CORE_READ(path, mnt) : 0;
}

/* A mount(2) that attaches a mount on a place's mount point or on the
 * directory of protected names (`place`, BS_MOUNT_ON_*, from
 * check_mount_on_ancestor): a bind or a move is refused (the hook has its
 * source as a string only: a bound directory of another filesystem may
 * be made to ignore case there, it is no filesystem's root); a new
 * mount's superblock is judged by sb_kern_mount, which is given the mount
 * point here. Any other mount forgets a mount point an earlier, failed
 * one left. */
static __always_inline int remember_place(const struct path *path, unsigned long flags, int place)
{
	struct dentry *d = BPF_CORE_READ(path, dentry);
	int rule = place == BS_MOUNT_ON_NAMES ? BS_RULE_ANCESTOR : BS_RULE_PLACE_MOUNT;
	struct bs_pending_mount *p;

	if (!bs_has_places && !bs_has_ancestors)
		return 0;
	if (place && (flags & (MS_BIND | MS_MOVE)))
		return refuse_write(d, rule);
	p = bpf_task_storage_get(&pending_mount, bpf_get_current_task_btf(), 0,
				 place ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
	if (!p)
		return place ? refuse_write(d, rule) : 0;
	p->place = place == BS_MOUNT_ON_PLACE ? (__u64)d : 0;
	p->names = place == BS_MOUNT_ON_NAMES ? (__u64)d : 0;
	return 0;
}

/* mount: the mount point by path and subtree, the new filesystem's type by
 * name (bind, move, remount and propagation changes have no new type). */
/* The superblock magic of a filesystem type by its name (`fsnames`), 0
 * for a name the table does not know. Out of line: its buffer would
 * otherwise sit in sb_mount's frame, under the deepest call chain. */
static __noinline __u64 fsname_magic(const char *type)
{
	struct bs_fsname name = {};
	__u64 *m;

	if (bpf_probe_read_kernel_str(name.name, sizeof(name.name), type) <= 0)
		return 0;
	m = bpf_map_lookup_elem(&fsnames, &name);
	return m ? *m : 0;
}

SEC("lsm/sb_mount")
int BPF_PROG(bs_sb_mount, const char *dev_name, const struct path *path, const char *type,
	     unsigned long flags, void *data, int ret)
{
	struct bs_rule_val v;
	struct dentry *dentry;
	struct inode *inode;
	__u64 magic = 0;
	__u32 subject;

	if (ret)
		return ret;
	/* Nothing is mounted over the pins' bpffs or inside it: that would
	 * hide the enforcer from its readers and the unpin guards. Changing
	 * the flags of a private copy of its mount (MS_REMOUNT | MS_BIND:
	 * read-only, nosuid; never propagated, and the superblock stays as
	 * it is) changes nothing the pins' namespace sees. */
	if (bs_pin_ino && BPF_CORE_READ(path, dentry, d_sb, s_dev) == bs_pin_dev && !is_trusted() &&
	    !((flags & (MS_REMOUNT | MS_BIND)) == (MS_REMOUNT | MS_BIND) && private_copy(BPF_CORE_READ(path, mnt))))
		return self_deny(BS_SELF_PIN_MOUNT);
	/* Nor over a directory the pins are reached through; and no mount of
	 * the pins' namespace is moved (mount(2) names the mount to move by a
	 * path string this hook cannot resolve: it could be /sys). */
	if (bs_pin_ino && !may_move_pin_mounts()) {
		if ((flags & MS_MOVE) && in_pin_ns())
			return self_deny(BS_SELF_PIN_MOUNT);
		if (mount_attaches(flags) && on_pin_path(BPF_CORE_READ(path, mnt), BPF_CORE_READ(path, dentry)))
			return self_deny(BS_SELF_PIN_MOUNT);
	}
	if (mount_attaches(flags)) {
		int place = 0;

		ret = check_mount_on_name(path);
		if (ret)
			return ret;
		ret = check_mount_on_ancestor(path, &place);
		if (ret)
			return ret;
		ret = remember_place(path, flags, place);
		if (ret)
			return ret;
	}
	if (!relevant(BS_OP_MOUNT))
		return 0;
	if (type && !(flags & (MS_REMOUNT | MS_BIND | MS_MOVE | MS_SHARED | MS_PRIVATE |
				MS_SLAVE | MS_UNBINDABLE))) {
		magic = fsname_magic(type);
		/* A name the table does not know (fuse.sshfs, a long name):
		 * sb_kern_mount decides again on the superblock's magic. */
		remember_mount(magic ? 0 : path);
	}
	subject = current_subject();
	dentry = BPF_CORE_READ(path, dentry);
	inode = BPF_CORE_READ(dentry, d_inode);
	ask(BS_OP_MOUNT, (__u64)inode, (__u64)dentry, (__u64)dentry, (__u64)BPF_CORE_READ(path, mnt), magic,
	    subject, &v);
	return verdict(BS_OP_MOUNT, subject, BPF_CORE_READ(dentry, d_sb, s_dev),
		       inode ? BPF_CORE_READ(inode, i_ino) : 0, &v, 1);
}

/* move_mount with MOVE_MOUNT_SET_GROUP puts TO (a private mount) in
 * FROM's peer group; the hook cannot tell it from a move of the same
 * shape (both paths the roots of their mounts, of one superblock). A
 * mount that joins a group whose mounts propagate to the pins' parent
 * (/sys's, or one it is a slave of) passes its unmounts on to the pins'
 * bpffs: a tmpfs put on its fs/bpf while it was private would take the
 * bpffs along when unmounted (reaches_pins() sees that, but the join can
 * race the unmount's check). Refused; a group of its own is not. */
static __always_inline int joins_pin_parent(const struct path *from, const struct path *to)
{
	struct mount *pins = (struct mount *)bs_pin_mnt, *parent;
	struct vfsmount *fm = BPF_CORE_READ(from, mnt), *tm = BPF_CORE_READ(to, mnt);
	struct super_block *sb;

	if (!pins || !fm || !tm)
		return 0;
	if (BPF_CORE_READ(from, dentry) != BPF_CORE_READ(fm, mnt_root) ||
	    BPF_CORE_READ(to, dentry) != BPF_CORE_READ(tm, mnt_root))
		return 0;
	parent = BPF_CORE_READ(pins, mnt_parent);
	if (!parent || parent == pins)
		return 0;
	sb = BPF_CORE_READ(fm, mnt_sb);
	if (sb != BPF_CORE_READ(tm, mnt_sb) || sb != BPF_CORE_READ(parent, mnt.mnt_sb))
		return 0;
	return propagates_to(real_mount_of(fm), parent);
}

/* mount: attaching a filesystem made with fsopen/fsmount (move_mount). */
SEC("lsm/move_mount")
int BPF_PROG(bs_move_mount, const struct path *from_path, const struct path *to_path, int ret)
{
	struct bs_rule_val v;
	struct dentry *dentry;
	struct inode *inode;
	__u32 subject;
	int place = 0;

	if (ret)
		return ret;
	/* Nothing is mounted over the pins' bpffs or inside it: that would
	 * hide the enforcer from its readers and the unpin guards. */
	if (bs_pin_ino && BPF_CORE_READ(to_path, dentry, d_sb, s_dev) == bs_pin_dev && !is_trusted())
		return self_deny(BS_SELF_PIN_MOUNT);
	/* Nor over a directory the pins are reached through, and neither the
	 * bpffs nor a mount above it is moved away. */
	if (bs_pin_ino && !may_move_pin_mounts() &&
	    (holds_pins(BPF_CORE_READ(from_path, mnt)) ||
	     on_pin_path(BPF_CORE_READ(to_path, mnt), BPF_CORE_READ(to_path, dentry)) ||
	     joins_pin_parent(from_path, to_path)))
		return self_deny(BS_SELF_PIN_MOUNT);
	ret = check_mount_on_name(to_path);
	if (ret)
		return ret;
	ret = check_mount_on_ancestor(to_path, &place);
	if (ret)
		return ret;
	/* On a place's mount point, only the whole of a filesystem placed
	 * there (fsmount's new mount, or an attached one moved there); on the
	 * directory of protected names, only the whole of a filesystem of the
	 * type its fstab line names whose root does not ignore case (its
	 * root's flags then stay, flags_kept). */
	if (place) {
		struct vfsmount *fm = BPF_CORE_READ(from_path, mnt);
		struct super_block *sb = BPF_CORE_READ(fm, mnt_sb);
		int rule = place == BS_MOUNT_ON_NAMES ? BS_RULE_ANCESTOR : BS_RULE_PLACE_MOUNT;

		if (BPF_CORE_READ(from_path, dentry) != BPF_CORE_READ(fm, mnt_root) ||
		    BPF_CORE_READ(fm, mnt_root) != BPF_CORE_READ(sb, s_root) || has_submounts(real_mount_of(fm)))
			return refuse_write(BPF_CORE_READ(to_path, dentry), rule);
		__u64 mp = (__u64)BPF_CORE_READ(to_path, dentry);

		if (place == BS_MOUNT_ON_NAMES ? !bs_names_take((__u64)sb, mp) : !bs_placed_on((__u64)sb, mp))
			return refuse_write(BPF_CORE_READ(to_path, dentry), rule);
	}
	/* A mount moved away from such a place (a detached tree made by
	 * open_tree without OPEN_TREE_CLONE has no mount point yet). */
	if (BPF_CORE_READ(from_path, dentry) == BPF_CORE_READ(from_path, mnt, mnt_root)) {
		ret = check_unmount_ancestor(BPF_CORE_READ(from_path, mnt));
		if (ret)
			return ret;
	}
	if (!relevant(BS_OP_MOUNT))
		return 0;
	subject = current_subject();
	dentry = BPF_CORE_READ(to_path, dentry);
	inode = BPF_CORE_READ(dentry, d_inode);
	ask(BS_OP_MOUNT, (__u64)inode, (__u64)dentry, (__u64)dentry, (__u64)BPF_CORE_READ(to_path, mnt),
	    BPF_CORE_READ(from_path, mnt, mnt_sb, s_magic), subject, &v);
	return verdict(BS_OP_MOUNT, subject, BPF_CORE_READ(dentry, d_sb, s_dev),
		       inode ? BPF_CORE_READ(inode, i_ino) : 0, &v, 1);
}

/* ---- sysrq ----------------------------------------------------------- */

/* capability CAP_SYS_BOOT: opening /proc/sysrq-trigger for writing, which
 * reboots (b), powers off (o) or crashes (c) the machine with no capability
 * check of its own. Found by what it is, not by path: the entry named
 * "sysrq-trigger" directly under the root of a procfs, whatever the mount. */
static __always_inline int sysrq_open(struct file *file, unsigned int fmode)
{
	struct dentry *d;

	if (!(fmode & FMODE_WRITE) || !relevant(BS_OP_CAPABILITY))
		return 0;
	d = BPF_CORE_READ(file, f_path.dentry);
	if (BPF_CORE_READ(d, d_sb, s_magic) != PROC_SUPER_MAGIC ||
	    BPF_CORE_READ(d, d_parent) != BPF_CORE_READ(d, d_sb, s_root) || !proc_name_is_sysrq(d))
		return 0;
	return check_capability(CAP_SYS_BOOT, 1);
}

/* ---- self-protection ------------------------------------------------- */

/* pivot_root in the pins' namespace moves the root of every process there
 * away from the mounts the pins hang from. */
SEC("lsm/sb_pivotroot")
int BPF_PROG(bs_sb_pivotroot, const struct path *old_path, const struct path *new_path, int ret)
{
	if (ret)
		return ret;
	if (bs_pin_ino && !may_move_pin_mounts() && in_pin_ns())
		return self_deny(BS_SELF_PIN_MOUNT);
	/* PID 1 leaves the root it booted into (systemd-shutdown's switch
	 * to /run/initramfs). */
	if (current_is_pid1() && bs_pid1_root_mnt)
		bs_pid1_left_root = 1;
	return 0;
}

/* chroot: PID 1 taking another root than the one it booted into leaves it
 * for good (bs_pid1_left_root); a chroot to that same root does not. */
SEC("lsm/path_chroot")
int BPF_PROG(bs_path_chroot, const struct path *path, int ret)
{
	if (ret)
		return ret;
	if (current_is_pid1() && bs_pid1_root_mnt &&
	    !is_booted_root(BPF_CORE_READ(path, mnt), BPF_CORE_READ(path, dentry)))
		bs_pid1_left_root = 1;
	return 0;
}

/* Unmounting the bpffs that holds the pins, or lazily unmounting a mount
 * above it or a sysfs (which takes the bpffs mounted below it along), or
 * any unmount the kernel would pass on to the pins' bpffs (reaches_pins). */
SEC("lsm/sb_umount")
int BPF_PROG(bs_sb_umount, struct vfsmount *mnt, int flags, int ret)
{
	struct super_block *sb;

	if (ret)
		return ret;
	ret = check_unmount_ancestor(mnt);
	if (ret)
		return ret;
	if (!bs_pin_ino || is_trusted())
		return 0;
	sb = BPF_CORE_READ(mnt, mnt_sb);
	/* A private copy's unmount takes nothing from the pins' namespace
	 * by itself (the kernel unmounts only mounts of the caller's
	 * namespace, and only shared ones pass it on); what lies below it is
	 * for reaches_pins. */
	if ((BPF_CORE_READ(sb, s_dev) == bs_pin_dev ||
	     ((flags & MNT_DETACH) && (holds_pins(mnt) || BPF_CORE_READ(sb, s_magic) == SYSFS_MAGIC))) &&
	    !private_copy(mnt))
		return self_deny(BS_SELF_UMOUNT);
	if (reaches_pins(mnt))
		return self_deny(BS_SELF_UMOUNT);
	return 0;
}

/* Whether the current process may load a BPF LSM program: the grants
 * hold on this kernel (bs_lsm_grants), and its subject holds an `allow
 * bpf-load lsm by SUBJECT` grant. A process that lost its
 * subject (subject integrity, docs/POLICY.md) holds none. */
static __always_inline int lsm_load_granted(void)
{
	struct bs_rule_key k = {};
	struct bs_rule_val *v;

	if (!bs_lsm_grants)
		return 0;
	k.subject = subject_of_task(bpf_get_current_task_btf());
	if (k.subject == BS_SUBJECT_ANY)
		return 0;
	k.kind = BS_KIND_ANY;
	k.op = BS_OP_SELF;
	k.id = BS_BPF_LOAD_LSM;
	v = bpf_map_lookup_elem(&rules, &k);
	/* A grant holds in both phases: the loader writes both halves, and a
	 * grant needs both (reading one half would make the phase matter). */
	return v && v->action == BS_ACT_ALLOW && v->run_action == BS_ACT_ALLOW;
}

/* bpf(2): detaching a link, fds to programs or links by id, freezing the
 * audit ring buffer, and loading programs that could hook the kernel (LSM,
 * tracing, extension): LSM programs also for the subjects the policy grants
 * them to, the others for the loader only. */
SEC("lsm/bpf")
int BPF_PROG(bs_bpf, int cmd, union bpf_attr *attr, unsigned int size, int ret)
{
	__u32 t, a;

	if (ret)
		return ret;
	switch (cmd) {
	case BPF_PROG_LOAD:
		t = BPF_CORE_READ(attr, prog_type);
		/* Programs that hook the kernel, or that run in any task's
		 * context with bpf_probe_write_user and bpf_send_signal
		 * (kprobes, uprobes, tracepoints, perf events). */
		if (t != BPF_PROG_TYPE_LSM && t != BPF_PROG_TYPE_TRACING && t != BPF_PROG_TYPE_EXT &&
		    t != BPF_PROG_TYPE_KPROBE && t != BPF_PROG_TYPE_TRACEPOINT && t != BPF_PROG_TYPE_PERF_EVENT &&
		    t != BPF_PROG_TYPE_RAW_TRACEPOINT && t != BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE)
			return 0;
		if (is_trusted())
			return 0;
		/* Only LSM, and only the plain (BPF_LSM_MAC) attach type:
		 * where the kernel bounds its return values its verdicts
		 * combine with the enforcer's (any deny wins), so it can add
		 * denials, never lift them. A cgroup LSM program
		 * (BPF_LSM_CGROUP) may return 1 and set any return value with
		 * bpf_set_retval(), which would skip this program. */
		a = BPF_CORE_READ(attr, expected_attach_type);
		if (t == BPF_PROG_TYPE_LSM && a == BPF_LSM_MAC && lsm_load_granted())
			return 0;
		return self_deny_detail(BS_SELF_PROG_LOAD, BS_PROG_LOAD_DETAIL_OF(t, a));
	case BPF_LINK_DETACH:
		if (!protected_id(BS_OBJ_LINK, link_id_of_fd(BPF_CORE_READ(attr, link_detach.link_fd))))
			return 0;
		break;
	case BPF_LINK_UPDATE:
		if (!protected_id(BS_OBJ_LINK, link_id_of_fd(BPF_CORE_READ(attr, link_update.link_fd))))
			return 0;
		break;
	case BPF_MAP_FREEZE: {
		/* No fd to a state map can be had, and the policy maps are
		 * frozen already: refused all the same, should an fd exist. */
		__u32 id = map_id_of_fd(BPF_CORE_READ(attr, map_fd));

		if (!protected_id(BS_OBJ_MAP, id) && !protected_id(BS_OBJ_STATE, id))
			return 0;
		if (is_trusted())
			return 0;
		return self_deny(BS_SELF_MAP_FD);
	}
	case BPF_PROG_GET_FD_BY_ID:
		if (!protected_id(BS_OBJ_PROG, BPF_CORE_READ(attr, prog_id)))
			return 0;
		if (is_trusted())
			return 0;
		return self_deny(BS_SELF_PROG_FD);
	case BPF_LINK_GET_FD_BY_ID:
		if (!protected_id(BS_OBJ_LINK, BPF_CORE_READ(attr, link_id)))
			return 0;
		if (is_trusted())
			return 0;
		return self_deny(BS_SELF_LINK_FD);
	default:
		return 0;
	}
	if (is_trusted())
		return 0;
	return self_deny(BS_SELF_LINK_DETACH);
}

/* Any new fd to one of the maps (by id or from a pin): a policy map only
 * read-only (a program given it cannot write it: BPF_F_RDONLY_PROG), a
 * state map not at all. */
SEC("lsm/bpf_map")
int BPF_PROG(bs_bpf_map, struct bpf_map *map, unsigned int fmode, int ret)
{
	__u32 id;

	if (ret)
		return ret;
	id = BPF_CORE_READ(map, id);
	if (protected_id(BS_OBJ_STATE, id)) {
		if (is_trusted())
			return 0;
		return self_deny(BS_SELF_STATE_FD);
	}
	if (!(fmode & FMODE_WRITE))
		return 0;
	if (!protected_id(BS_OBJ_MAP, id))
		return 0;
	if (is_trusted())
		return 0;
	return self_deny(BS_SELF_MAP_FD);
}

/* Any new fd to one of the programs (by id or from a pin). */
SEC("lsm/bpf_prog")
int BPF_PROG(bs_bpf_prog, struct bpf_prog *prog, int ret)
{
	if (ret)
		return ret;
	if (!protected_id(BS_OBJ_PROG, BPF_CORE_READ(prog, aux, id)))
		return 0;
	if (is_trusted())
		return 0;
	return self_deny(BS_SELF_PROG_FD);
}

/* prctl(PR_SET_MM, PR_SET_MM_EXE_FILE or PR_SET_MM_MAP): replacing the
 * file a process says it runs would make any file "the program exec
 * mapped", which mmap_file leaves to bprm_check. */
SEC("lsm/task_prctl")
int BPF_PROG(bs_task_prctl, int option, unsigned long arg2, unsigned long arg3, unsigned long arg4,
	     unsigned long arg5, int ret)
{
	if (ret)
		return ret;
	if (option == BS_PRCTL_SEAL) {
		/* Only the seal-by program, while it holds its subject (it
		 * runs its own code: docs/ENFORCER.md, "Subjects"), ends the
		 * boot phase. 0 lets prctl go on to EINVAL, an option it does
		 * not know: the caller reads the phase from the status. */
		if (!bs_seal_after_ns)
			return 0;
		/* After the seal, or past the deadline (this call is a
		 * decision like any other: it records the deadline's seal),
		 * the phase is over and the call changes nothing: refused to
		 * nobody. bootseal measure-seal calls it to have a deadline
		 * that no decision has met yet recorded. */
		if (phase_running())
			return 0;
		/* No seal-by program: only the deadline seals, and nobody is
		 * refused anything. ENOENT when the policy names none, ESRCH
		 * when the one it names did not resolve at install (deleted
		 * or moved: a fault to report, not a policy choice). */
		if (!bs_seal_subject)
			return bs_seal_by_named ? -ESRCH : -ENOENT;
		if (current_subject() != bs_seal_subject)
			return self_deny(BS_SELF_SEAL);
		seal_phase(BS_SEAL_TRIGGER);
		return 0;
	}
	if (option != PR_SET_MM || (arg2 != PR_SET_MM_EXE_FILE && arg2 != PR_SET_MM_MAP))
		return 0;
	if (is_trusted())
		return 0;
	return self_deny(BS_SELF_SET_EXE);
}

/* ---- readers' iterators ---------------------------------------------- */

/* Loaded and attached by the loader to `stats` and `audit_log`, pinned as
 * `stats` and `audit`: a reader open()s and read()s the pin, and needs no
 * fd to a state map. Raw records, in the layout of bootseal.h. */

/* stats: the one bs_stats. */
SEC("iter/bpf_map_elem")
int bs_iter_stats(struct bpf_iter__bpf_map_elem *ctx)
{
	struct bs_stats *v = ctx->value;

	if (!v)
		return 0;
	bpf_seq_write(ctx->meta->seq, v, sizeof(*v));
	return 0;
}

/* audit: every written record, in slot order (readers sort by seq). */
SEC("iter/bpf_map_elem")
int bs_iter_audit(struct bpf_iter__bpf_map_elem *ctx)
{
	struct bs_record *r = ctx->value;

	if (!r || !r->seq)
		return 0;
	bpf_seq_write(ctx->meta->seq, r, sizeof(*r));
	return 0;
}

/* ---- subject integrity and executable memory ------------------------ */

/* Attaching to a process (ptrace attach/seize, /proc/PID/mem, process_vm_
 * readv/writev, pidfd_getfd): never to a process holding a named subject
 * or to PID 1; and not at all for a process denied executable memory,
 * since a tracer writes code (POKETEXT). Reading (ps, /proc/PID/status)
 * is not an attach. A thread group's access to itself never gets here. */
SEC("lsm/ptrace_access_check")
int BPF_PROG(bs_ptrace_access_check, struct task_struct *child, unsigned int mode, int ret)
{
	__u32 subject;

	if (ret)
		return ret;
	subject = subject_of_task(child);
	if (!(mode & PTRACE_MODE_ATTACH)) {
		/* A read access reopens the process's descriptors
		 * (/proc/PID/fd) and mappings (/proc/PID/map_files): for a
		 * subject trusted with executable memory, a memfd it runs code
		 * from, reopened for writing. */
		if (subject != BS_SUBJECT_ANY && memory_trusted(subject))
			/* Probes that ask not to be audited (ps reading
			 * /proc/PID/stat) are refused without a record, so
			 * that a running top does not flood the log. */
			return (mode & PTRACE_MODE_NOAUDIT) ? -EPERM : self_deny(BS_SELF_PTRACE);
		return 0;
	}
	if (child->tgid == 1 || subject != BS_SUBJECT_ANY)
		return self_deny(BS_SELF_PTRACE);
	return memory_exec(current_subject(), BS_MEM_PTRACE);
}

/* PTRACE_TRACEME: a subject process (or PID 1) never offers itself to its
 * parent; a parent denied executable memory cannot become a tracer. */
SEC("lsm/ptrace_traceme")
int BPF_PROG(bs_ptrace_traceme, struct task_struct *parent, int ret)
{
	if (ret)
		return ret;
	if (current_is_pid1() || current_subject() != BS_SUBJECT_ANY)
		return self_deny(BS_SELF_TRACEME);
	return memory_exec(subject_of_task(parent), BS_MEM_PTRACE);
}

/* exec memory: attaching SysV shared memory executable (SHM_EXEC, or any
 * attach under READ_IMPLIES_EXEC, which do_mmap turns executable), which
 * maps without mmap_file. */
SEC("lsm/shm_shmat")
int BPF_PROG(bs_shm_shmat, struct kern_ipc_perm *perm, char *shmaddr, int shmflg, int ret)
{
	__u32 subject;

	if (ret)
		return ret;
	if (!(shmflg & SHM_EXEC) && !read_implies_exec())
		return 0;
	subject = current_subject();
	ret = memory_exec(subject, BS_MEM_SHMEM);
	if (ret)
		return ret;
	if (subject != BS_SUBJECT_ANY && !memory_trusted(subject)) {
		if (bs_mode == BS_MODE_ENFORCE)
			return self_deny(BS_SELF_UNTRUSTED_CODE);
		lose_subject(subject, BS_RULE_UNTRUSTED_CODE);
	}
	return 0;
}

/* exec memory: opening a /proc/PID/mem for writing patches code, one's
 * own included (another process's also needs an attach, above). */
static __always_inline int proc_mem_open(struct file *file, unsigned int fmode)
{
	struct dentry *d;

	if (!(fmode & FMODE_WRITE))
		return 0;
	d = BPF_CORE_READ(file, f_path.dentry);
	if (BPF_CORE_READ(d, d_sb, s_magic) != PROC_SUPER_MAGIC || !proc_name_is_mem(d))
		return 0;
	return memory_exec(current_subject(), BS_MEM_PROC_MEM);
}

/* ---- mount by superblock --------------------------------------------- */

/* mount: a new mount(2) on a place's mount point takes only a filesystem
 * placed there (remember_place). And one whose type name sb_mount could not
 * map to a magic (not in `fsnames`) is decided again here, on the new
 * superblock's magic, with the mount point sb_mount saw: the same
 * precedence, path > subtree > fstype > any. With no remembered mount
 * point (fsmount, the kernel's own mounts) there is nothing to do:
 * move_mount decides those. */
SEC("lsm/sb_kern_mount")
int BPF_PROG(bs_sb_kern_mount, struct super_block *sb, int ret)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bs_pending_mount *p;
	struct bs_rule_val v;
	struct dentry *dentry;
	struct inode *inode;
	__u64 mnt;
	__u32 subject;

	if (ret)
		return ret;
	p = bpf_task_storage_get(&pending_mount, task, 0, 0);
	if (!p)
		return 0;
	/* What sb_mount kept is for its own mount(2) alone. */
	if (in_fsconfig_syscall()) {
		p->place = 0;
		p->names = 0;
		p->dentry = 0;
		p->mnt = 0;
		return 0;
	}
	/* A new filesystem on a place's mount point: one placed there. */
	if (p->place) {
		dentry = (struct dentry *)p->place;
		p->place = 0;
		if (!bs_placed_on(addr_of(sb), (__u64)dentry))
			return refuse_write(dentry, BS_RULE_PLACE_MOUNT);
	}
	/* A new filesystem on the directory of protected names: of the type
	 * its fstab line names, not one whose root ignores case. */
	if (p->names) {
		dentry = (struct dentry *)p->names;
		p->names = 0;
		if (!bs_names_take(addr_of(sb), (__u64)dentry))
			return refuse_write(dentry, BS_RULE_ANCESTOR);
	}
	if (!p->dentry)
		return 0;
	dentry = (struct dentry *)p->dentry;
	mnt = p->mnt;
	p->dentry = 0;
	p->mnt = 0;
	subject = current_subject();
	inode = BPF_CORE_READ(dentry, d_inode);
	ask(BS_OP_MOUNT, (__u64)inode, (__u64)dentry, (__u64)dentry, mnt, BPF_CORE_READ(sb, s_magic), subject, &v);
	return verdict(BS_OP_MOUNT, subject, BPF_CORE_READ(dentry, d_sb, s_dev),
		       inode ? BPF_CORE_READ(inode, i_ino) : 0, &v, 1);
}

/* ---- raw block devices ------------------------------------------------ */

/* The device-mapper control device (misc 10:236). */
#define BS_DM_CONTROL ((10 << 20) | 236)

/* ioctls that write a block device, or change its partitions, without the
 * file being open for writing: SCSI and NVMe pass-through, BLKPG, BLKRRPART. */
static __always_inline int writing_ioctl(unsigned int cmd)
{
	switch (cmd) {
	case 0x2285:      /* SG_IO */
	case 0x0001:      /* SCSI_IOCTL_SEND_COMMAND */
	case 0x1269:      /* BLKPG */
	case 0x125f:      /* BLKRRPART */
	case 0xc0484e41:  /* NVME_IOCTL_ADMIN_CMD */
	case 0x40304e42:  /* NVME_IOCTL_SUBMIT_IO */
	case 0xc0484e43:  /* NVME_IOCTL_IO_CMD */
	case 0xc0484e47:  /* NVME_IOCTL_ADMIN64_CMD */
	case 0xc0484e48:  /* NVME_IOCTL_IO64_CMD */
	case 0xc0484e49:  /* NVME_IOCTL_IO64_CMD_VEC */
	case 0x402c4e42:  /* NVME_IOCTL_SUBMIT_IO32 (accepted from 64-bit tasks too) */
	case 0x5393:      /* CDROM_SEND_PACKET: any SCSI command, through sd too */
	case 0x031d:      /* HDIO_DRIVE_TASKFILE */
	case 0x031e:      /* HDIO_DRIVE_TASK: raw ATA commands (libata) */
	case 0x031f:      /* HDIO_DRIVE_CMD */
		return 1;
	}
	/* Self-encrypting drive commands (IOC_OPAL_*, type 'p'): lock or erase
	 * ranges, revert the drive, write the shadow MBR it shows in place of
	 * its first blocks. */
	return ((cmd >> 8) & 0xff) == 'p';
}

/* A block device file's device (CO-RE flavours): the file's mapping's
 * host is the device's inode, inside struct bdev_inode (6.1 and 6.12). */
struct gendisk___bs;
struct block_device___bs {
	__u32 bd_dev;
	struct gendisk___bs *bd_disk;
} __attribute__((preserve_access_index));
struct gendisk___bs {
	struct block_device___bs *part0;
	char disk_name[32];
} __attribute__((preserve_access_index));
struct bdev_inode___bs {
	struct block_device___bs bdev;
	struct inode vfs_inode;
} __attribute__((preserve_access_index));
struct address_space___bs {
	struct inode *host;
} __attribute__((preserve_access_index));
struct file___mapping {
	struct address_space___bs *f_mapping;
} __attribute__((preserve_access_index));

/* The gendisk of a block device file, 0 when unknown. */
static __always_inline struct gendisk___bs *disk_of(struct file *file)
{
	struct inode *host = BPF_CORE_READ((struct file___mapping *)file, f_mapping, host);
	struct block_device___bs *bdev;

	if (!host || !bpf_core_field_exists(((struct bdev_inode___bs *)0)->vfs_inode))
		return 0;
	bdev = (void *)((char *)host - bpf_core_field_offset(struct bdev_inode___bs, vfs_inode));
	return BPF_CORE_READ(bdev, bd_disk);
}

/* md ioctls that make an array take a member by its device number, which
 * the kernel then opens with no file_open: ADD_NEW_DISK, HOT_ADD_DISK,
 * RAID_AUTORUN (the members the partition scan found). */
#define BS_MD_ADD_NEW_DISK 0x40140921
#define BS_MD_HOT_ADD_DISK 0x928
#define BS_MD_RAID_AUTORUN 0x914
static __always_inline int md_member_ioctl(unsigned int cmd)
{
	return cmd == BS_MD_ADD_NEW_DISK || cmd == BS_MD_HOT_ADD_DISK || cmd == BS_MD_RAID_AUTORUN;
}

/* Whether opening device `rdev` for `op` is refused without a device rule:
 * its own entry, else for a character device its major's. */
static __always_inline int guarded(__u32 rdev, __u32 type, __u8 op)
{
	struct bs_rawdev_key gk = { .dev = rdev, .type = type };
	struct bs_rawdev *g;

	/* device-mapper control, for write whatever the guard is for: a
	 * table over a device guarded for read alone reads it too. */
	if (type == BS_DEVICE_CHAR && rdev == BS_DM_CONTROL && op == BS_OP_WRITE)
		return bs_rawdev_ops != 0;
	if (!(bs_rawdev_ops & (1 << op)))
		return 0;
	g = bpf_map_lookup_elem(&rawdevs, &gk);
	if (g && (g->ops & (1 << op)))
		return 1;
	/* A pass-through node made after the loader: its driver's whole major. */
	if (type != BS_DEVICE_CHAR)
		return 0;
	gk.dev = rdev | BS_RAWDEV_ANY_MINOR;
	g = bpf_map_lookup_elem(&rawdevs, &gk);
	return g && (g->ops & (1 << op));
}

/* Whether the entry level_in() decided by at `k`, in phase `running`,
 * carries a rule for any process: the entry for any subject, or a
 * subject's entry marked from_any for that phase. The caller passes the
 * phase level_in() used: read twice, a seal between the reads would pair
 * one phase's action with the other's mark. */
static __always_inline int rule_for_any(struct bs_rule_key *k, int running)
{
	struct bs_rule_val *e;

	if (k->subject == BS_SUBJECT_ANY)
		return 1;
	e = bpf_map_lookup_elem(&rules, k);
	return e && (e->from_any & (running ? BS_FROM_ANY_RUN : BS_FROM_ANY_BOOT));
}

/* The decision on opening (or pass-through writing) device `rdev` for `op`:
 * a device rule for it decides; else a guarded device is refused. `forced`,
 * when not 0, guards the device whatever the map says, and is the rule a
 * refusal names. An `audit` rule for any process logs but does not lift a
 * guard (it would let every process beneath the file rules, as an `allow`
 * without `by`, which the language refuses, would): on a guarded device
 * it decides only for a subject it names, not for one excepted from a
 * stronger rule who falls to it (from_any). Returns the hook's value, 0
 * for devices nothing says anything about. */
static __always_inline int check_device(__u8 op, __u32 rdev, __u32 type, __s32 forced)
{
	struct bs_rule_key k = {};
	struct bs_rule_val v;
	__u32 subject;
	int guard, running;

	if (op >= BS_OP_COUNT)
		return 0;
	guard = forced || guarded(rdev, type, op);
	if (!guard && !(bs_kinds[op] & (1 << BS_KIND_DEVICE)))
		return 0;
	subject = current_subject();
	if (bs_kinds[op] & (1 << BS_KIND_DEVICE)) {
		k.kind = BS_KIND_DEVICE;
		k.op = op;
		k.dev = rdev;
		k.id = type;
		running = running_for(PHASE_NOW);
		if (level_in(&k, subject, running, &v) &&
		    !(guard && v.action == BS_ACT_AUDIT && rule_for_any(&k, running)))
			return verdict(op, subject, rdev, type, &v, 1);
	}
	if (!guard)
		return 0;
	v.action = BS_ACT_DENY;
	v.rule = forced ? forced : type == BS_DEVICE_CHAR && rdev == BS_DM_CONTROL ? BS_RULE_DM_CONTROL : BS_RULE_RAW_DEVICE;
	return verdict(op, subject, rdev, type, &v, 1);
}

/* read, write: opening a device node, whichever node of the device it is
 * (a fresh mknod, a /proc/self/fd reopen, a loop or swap setup all open
 * the device through here). The file rules on the node apply as well. */
static __always_inline int rawdev_open(struct file *file, unsigned int fmode)
{
	__u32 rdev, type = 0;
	int ret;

	rdev = device_of(file, &type);
	if (!rdev)
		return 0;
	/* A guarded character device (SCSI generic, NVMe generic or
	 * controller node, device-mapper control) reads and writes through
	 * ioctls on any fd, read-only, write-only or ioctl-only (O_ACCMODE 3):
	 * every open of it is a write and a read, for what it is guarded for.
	 * A block device is written only through a writable descriptor (a
	 * loop device on a read-only one is read-only; pass-through ioctls are
	 * rawdev_ioctl's). */
	if ((fmode & FMODE_WRITE) || (type == BS_DEVICE_CHAR && guarded(rdev, type, BS_OP_WRITE))) {
		ret = check_device(BS_OP_WRITE, rdev, type, 0);
		if (ret)
			return ret;
	}
	/* A device guarded for read is read through any descriptor, a block
	 * device's too: a loop device set up with direct I/O on a write-only
	 * (or O_ACCMODE 3) descriptor reads the device through it. */
	if ((fmode & FMODE_READ) || guarded(rdev, type, BS_OP_READ))
		return check_device(BS_OP_READ, rdev, type, 0);
	return 0;
}

/* The device an md ioctl gives an array, in the kernel's numbering: the
 * argument itself for HOT_ADD_DISK (new_encode_dev's form), the major and
 * minor of the caller's mdu_disk_info_t for ADD_NEW_DISK (read here, before
 * md copies it: a thread sharing the caller's memory could change it
 * between the two, which a named subject's process does not have, see
 * "Subjects"). 0 for none (RAID_AUTORUN), BS_MD_UNREADABLE when it cannot
 * be read. 64 bits wide, so that the verifier follows the test for 0 into
 * a return (6.12 checks an LSM program's return range). */
#define BS_MD_UNREADABLE (1ULL << 32)
static __always_inline __u64 md_member_dev(unsigned int cmd, unsigned long arg)
{
	__s32 mm[2];
	__u32 e = (__u32)arg;

	if (cmd == BS_MD_HOT_ADD_DISK)
		return ((e & 0xfff00) >> 8) << 20 | ((e & 0xff) | ((e >> 12) & 0xfff00));
	if (cmd != BS_MD_ADD_NEW_DISK)
		return 0;
	/* struct mdu_disk_info_s { int number, major, minor, raid_disk, state; } */
	if (bpf_probe_read_user(mm, sizeof(mm), (void *)(arg + 4)))
		return BS_MD_UNREADABLE;
	if (mm[0] < 0 || mm[0] >= 4096 || mm[1] < 0 || mm[1] >= (1 << 20))
		return BS_MD_UNREADABLE;
	return (__u64)((__u32)mm[0] << 20 | (__u32)mm[1]);
}

/* A new md member: a write of the array, refused without a device rule
 * that lets the subject write the array's device; and, when the member is
 * a guarded device, a write and a read of the member for what it is
 * guarded for (the array serves its blocks), refused without a device rule
 * for the member. An argument that cannot be read fails closed. */
static __always_inline int md_member_check(__u32 array, unsigned int cmd, unsigned long arg)
{
	__u64 member;
	int ret;

	ret = check_device(BS_OP_WRITE, array, BS_DEVICE_BLOCK, BS_RULE_STACK_MEMBER);
	if (ret)
		return ret;
	member = md_member_dev(cmd, arg);
	if (!member)
		return 0;
	if (member == BS_MD_UNREADABLE) {
		struct bs_rule_val v = {};

		v.action = BS_ACT_DENY;
		v.rule = BS_RULE_STACK_MEMBER;
		return verdict(BS_OP_WRITE, current_subject(), array, BS_DEVICE_BLOCK, &v, 1);
	}
	if (guarded((__u32)member, BS_DEVICE_BLOCK, BS_OP_WRITE)) {
		ret = check_device(BS_OP_WRITE, (__u32)member, BS_DEVICE_BLOCK, BS_RULE_STACK_MEMBER);
		if (ret)
			return ret;
	}
	if (guarded((__u32)member, BS_DEVICE_BLOCK, BS_OP_READ))
		return check_device(BS_OP_READ, (__u32)member, BS_DEVICE_BLOCK, BS_RULE_STACK_MEMBER);
	return 0;
}

/* A pass-through command goes to the whole disk: sent on a partition (sd
 * passes SG_IO on to the disk for CAP_SYS_RAWIO, NVMe for anyone), it is
 * a write and a read of the disk as well; sent on a device-mapper device,
 * whose single-target tables pass it to the device below, it is refused
 * while anything is guarded, but to a program a device rule lets write
 * that dm device. An unknown disk fails closed. */
static __always_inline int passthrough_reach(struct file *file, __u32 rdev)
{
	struct gendisk___bs *disk;
	__u32 whole;
	char name[4] = {};
	int ret;

	if (!bs_rawdev_ops)
		return 0;
	disk = disk_of(file);
	if (!disk)
		return check_device(BS_OP_WRITE, rdev, BS_DEVICE_BLOCK, BS_RULE_RAW_DEVICE);
	bpf_probe_read_kernel(name, 3, &disk->disk_name);
	if (name[0] == 'd' && name[1] == 'm' && name[2] == '-')
		return check_device(BS_OP_WRITE, rdev, BS_DEVICE_BLOCK, BS_RULE_RAW_DEVICE);
	whole = BPF_CORE_READ(disk, part0, bd_dev);
	if (!whole || whole == rdev)
		return 0;
	ret = check_device(BS_OP_WRITE, whole, BS_DEVICE_BLOCK, 0);
	if (ret)
		return ret;
	return check_device(BS_OP_READ, whole, BS_DEVICE_BLOCK, 0);
}

/* write: pass-through and partition-table ioctls on a block device, whatever
 * its open mode; read as well for pass-through commands, which read the
 * disk as well as write it (a descriptor opened only for writing must not
 * read a device guarded for read). */
static __always_inline int rawdev_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	__u32 rdev, type = 0;
	int ret, member;

	if (!bs_rawdev_ops)
		return 0;
	/* btrfs adding a device, or replacing one, by its path, while
	 * anything is guarded for write: refused on any file of a btrfs,
	 * without exception (no device rule can name the device). */
	if ((bs_rawdev_ops & (1 << BS_OP_WRITE)) && (cmd == 0x5000940a /* BTRFS_IOC_ADD_DEV */ ||
						      cmd == 0xca289435 /* BTRFS_IOC_DEV_REPLACE */))
		return refuse_write(BPF_CORE_READ(file, f_path.dentry), BS_RULE_STACK_MEMBER);
	/* md's SET_BITMAP_FILE with a file: md maps the file's blocks once
	 * and then writes them on the filesystem's device directly, past the
	 * filesystem (truncate the file, and its blocks become other files'):
	 * refused while anything is guarded for write, without exception. */
	if ((bs_rawdev_ops & (1 << BS_OP_WRITE)) && cmd == 0x4004092b /* SET_BITMAP_FILE */ && (int)arg >= 0)
		return refuse_write(BPF_CORE_READ(file, f_path.dentry), BS_RULE_STACK_MEMBER);
	/* A new md member while anything is guarded, for read or for write
	 * (the array serves the member's blocks): md_member_check. */
	member = md_member_ioctl(cmd);
	if (!member && !writing_ioctl(cmd))
		return 0;
	rdev = device_of(file, &type);
	if (!rdev || type != BS_DEVICE_BLOCK)
		return 0;
	if (member)
		return md_member_check(rdev, cmd, arg);
	ret = check_device(BS_OP_WRITE, rdev, type, 0);
	if (ret || cmd == 0x1269 /* BLKPG */ || cmd == 0x125f /* BLKRRPART */)
		return ret;
	ret = check_device(BS_OP_READ, rdev, type, 0);
	if (ret)
		return ret;
	return passthrough_reach(file, rdev);
}

/* write: changing a file's attribute flags (chattr: immutable, append-only,
 * ...) through the descriptor, whatever it was opened for. The flags of a
 * directory protected names hang from (ancestor_bits) are not changed by
 * anyone: one of them, casefold (chattr +F on an empty directory, on an
 * ext4, f2fs or tmpfs that allows it), makes the directory's lookups
 * ignore case, and "SHADOW" would then be the entry the names map knows
 * as "shadow" without matching it. The new flags are in the caller's
 * memory, which it may change after a look here, so none are let through.
 * A directory mounted on through more stacked mounts than the climb
 * follows is refused too, and so is the root of a placed filesystem, and
 * of any filesystem that can ignore case. */
/* Whether the directory `dentry` (in mount `mnt`) keeps its attribute
 * flags (above); a subprogram of its own, so that the verifier walks it
 * once and not on every path into check_file after it. */
static __noinline int flags_kept(__u64 dentry, __u64 mnt)
{
	struct dentry *d = (struct dentry *)dentry;

	if (!d)
		return 0;
	/* The root of a mounted filesystem stands for the place it is
	 * mounted on, as in the names map. */
	if (bs_has_ancestors) {
		struct climb c = {};

		c.dentry = dentry;
		c.mnt = mnt;
		bpf_loop(BS_MAX_STACKED, climb_step, &c, 0);
		if (!c.done || ancestor_bits(d) || ancestor_bits((struct dentry *)c.dentry))
			return 1;
	}
	if (d != BPF_CORE_READ(d, d_sb, s_root))
		return 0;
	/* The root of a placed filesystem, however it is reached (a detached
	 * copy of its mount climbs to nothing): the names of its place are
	 * its entries. */
	if (bs_has_places) {
		struct bs_place_key pk = {};

		if (place_key_of(d, &pk) && bpf_map_lookup_elem(&places, &pk))
			return 1;
	}
	/* The root of any filesystem that can make a directory ignore case.
	 * Mounted where protected names are (an fstab mount point the loader
	 * found no filesystem for), it holds them, and a second mount or a
	 * detached copy of it climbs to no place. */
	return bs_has_ancestors && sb_has_encoding(BPF_CORE_READ(d, d_sb));
}

/* Whether the attribute flags of `dentry` (in mount `mnt`) stay as they
 * are, whoever asks, for ioctl `cmd`: flags_kept for FS_IOC_SETFLAGS; and
 * on eCryptfs, which sets the flags of the file below it (casefold on a
 * directory of names, immutable on a protected file) through
 * vfs_fileattr_set, with no hook there before Linux 6.17: its own file is
 * all this hook sees. */
static __noinline int attr_kept(__u64 dentry, __u64 mnt, unsigned int cmd)
{
	struct dentry *d = (struct dentry *)dentry;

	if (!d)
		return 0;
	if (cmd != 0x401c5820 && flags_kept(dentry, mnt))
		return 1;
	return (bs_has_ancestors || relevant(BS_OP_WRITE)) && BPF_CORE_READ(d, d_sb, s_magic) == BS_ECRYPTFS_MAGIC;
}

static __always_inline int attr_ioctl(struct file *file, unsigned int cmd)
{
	struct dentry *d;

	switch (cmd) {
	case 0x40086602:  /* FS_IOC_SETFLAGS */
	case 0x40046602:  /* FS_IOC32_SETFLAGS (32-bit tasks) */
	case 0x401c5820:  /* FS_IOC_FSSETXATTR */
		/* One refusal and one check_file for all three: more inlined
		 * copies would add to what the verifier walks (6.12 stops at
		 * its limit). */
		d = BPF_CORE_READ(file, f_path.dentry);
		if (attr_kept((__u64)d, (__u64)BPF_CORE_READ(file, f_path.mnt), cmd))
			return refuse_write(d, BS_RULE_ANCESTOR);
		return check_file(BS_OP_WRITE, file);
	case 0x4008662c:  /* EXT4_IOC_SETFSUUID: a placed filesystem keeps its UUID */
	case 0x41009432:  /* FS_IOC_SETFSLABEL: and its label (the fstab may name it by it) */
		if (bs_has_places) {
			struct dentry *root = BPF_CORE_READ(file, f_path.dentry, d_sb, s_root);
			struct bs_place_key pk = {};

			if (root && place_key_of(root, &pk) && bpf_map_lookup_elem(&places, &pk))
				return refuse_write(root, BS_RULE_PLACE_UUID);
		}
		return 0;
	}
	return 0;
}

SEC("lsm/file_ioctl")
int BPF_PROG(bs_rawdev_ioctl, struct file *file, unsigned int cmd, unsigned long arg, int ret)
{
	if (ret)
		return ret;
	ret = attr_ioctl(file, cmd);
	if (ret)
		return ret;
	return rawdev_ioctl(file, cmd, arg);
}

/* The same for ioctls of 32-bit tasks (compat_sys_ioctl asks this hook
 * instead of file_ioctl). */
SEC("lsm/file_ioctl_compat")
int BPF_PROG(bs_rawdev_ioctl_compat, struct file *file, unsigned int cmd, unsigned long arg, int ret)
{
	if (ret)
		return ret;
	ret = attr_ioctl(file, cmd);
	if (ret)
		return ret;
	return rawdev_ioctl(file, cmd, arg);
}

/* ---- file_open ------------------------------------------------------- */

/* write: md's sysfs attribute new_dev ("MAJOR:MINOR": the array takes that
 * device, which the kernel opens with no file_open), opened for writing
 * while anything is guarded, for read or for write. No device rule names it: the tools
 * that need it (mdadm for external-metadata arrays) add members through
 * it rarely, and the ioctls, which a device rule can allow, do the same. */
static __always_inline int md_new_dev_open(struct file *file, unsigned int fmode)
{
	struct dentry *d, *parent;
	__u64 name = 0;
	__u32 pname = 0;

	if (!(fmode & FMODE_WRITE) || !bs_rawdev_ops)
		return 0;
	d = BPF_CORE_READ(file, f_path.dentry);
	if (BPF_CORE_READ(d, d_sb, s_magic) != SYSFS_MAGIC || BPF_CORE_READ(d, d_name.len) != 7)
		return 0;
	/* "new_dev" and its NUL; then the directory "md" and its NUL. */
	bpf_probe_read_kernel(&name, 8, BPF_CORE_READ(d, d_name.name));
	if (name != 0x007665645f77656eULL)
		return 0;
	parent = BPF_CORE_READ(d, d_parent);
	if (BPF_CORE_READ(parent, d_name.len) != 2)
		return 0;
	bpf_probe_read_kernel(&pname, 3, BPF_CORE_READ(parent, d_name.name));
	if (pname != 0x646d)
		return 0;
	return refuse_write(d, BS_RULE_STACK_MEMBER);
}

/* One program for every decision on an open, in this order: the file rules
 * (read, write), /proc/sysrq-trigger (capability CAP_SYS_BOOT), a
 * /proc/PID/mem written (executable memory), md's new_dev in sysfs, a
 * device node (raw devices).
 * The first refusal wins. It also records the mount the pins are seen
 * through when the loader opens the pin directory. */
SEC("lsm/file_open")
int BPF_PROG(bs_file_open, struct file *file, int ret)
{
	unsigned int fmode;

	if (ret)
		return ret;
	if (!bs_pin_mnt && is_pin_dir(BPF_CORE_READ(file, f_inode)) && is_trusted())
		bs_pin_mnt = (__u64)real_mount_of(BPF_CORE_READ(file, f_path.mnt));
	fmode = file->f_mode;
	ret = file_rules_open(file, fmode);
	if (ret)
		return ret;
	ret = sysrq_open(file, fmode);
	if (ret)
		return ret;
	ret = proc_mem_open(file, fmode);
	if (ret)
		return ret;
	ret = md_new_dev_open(file, fmode);
	if (ret)
		return ret;
	return rawdev_open(file, fmode);
}

/* ---- executable heap ------------------------------------------------- */

/* exec memory: heap growth under READ_IMPLIES_EXEC. brk() (and exec's own
 * brk for the program's bss) takes the heap's flags from the task's
 * personality, VM_EXEC included, and maps it with no mmap_file or
 * file_mprotect call. The one security call on that path is
 * security_vm_enough_memory_mm, whose LSM hook cannot refuse (its result
 * only says whether the admin reserve counts, and the capability module
 * answers first for tasks without CAP_SYS_ADMIN), so this program modifies
 * the function's return instead: -ENOMEM, as if the memory were not there.
 * Only for brk (the system call, x86-64, x32 or ia32) and inside an exec:
 * the other callers (mmap, mprotect, mremap, fork) either pass through
 * mmap_file/file_mprotect, which see READ_IMPLIES_EXEC in prot, or copy
 * mappings already decided. */
SEC("fmod_ret/security_vm_enough_memory_mm")
int BPF_PROG(bs_vm_enough_memory, struct mm_struct *mm, long pages, int ret)
{
	unsigned long nr;

	if (ret)
		return ret;
	if (!(bs_kinds[BS_OP_EXEC] & (1 << BS_KIND_MEMORY)) || !read_implies_exec())
		return 0;
	nr = current_syscall();
	if ((bs_compat_syscall() ? nr != NR_BRK_IA32 : nr != NR_BRK_64 && nr != NR_BRK_X32) && !in_execve())
		return 0;
	return memory_exec(current_subject(), BS_MEM_BRK) ? -ENOMEM : 0;
}

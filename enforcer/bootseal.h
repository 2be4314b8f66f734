/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Data shared by the enforcer (bootseal.bpf.c) and its loader: map keys and
 * values, the audit event, numbering. Fixed-width types only, no pointers,
 * no functions (macros for what both sides must compute alike: the object
 * filter's hash, the filesystems whose files the enforcer identifies).
 * docs/ENFORCER.md explains how the maps encode a policy.
 */
#ifndef BOOTSEAL_ENFORCER_H
#define BOOTSEAL_ENFORCER_H

#ifndef __bpf__
#include <linux/types.h>
#endif

/* Operations: the values of bootseal::Operation (policy.hpp). */
#define BS_OP_EXEC 0
#define BS_OP_READ 1
#define BS_OP_WRITE 2
#define BS_OP_CAPABILITY 3
#define BS_OP_MODULE_LOAD 4
#define BS_OP_KEXEC 5
#define BS_OP_MOUNT 6
#define BS_OP_COUNT 7
/* Length of the per-operation arrays (bs_defaults, bs_kinds, bs_info.defaults):
 * room for every BS_OP_* below BS_OP_SELF, a multiple of 8 bytes. */
#define BS_OP_SLOTS 8
/* Not a policy operation: the enforcer refused a route around itself. */
#define BS_OP_SELF 15

/* Whether a policy decides operation `op` at all: a rule of any kind for
 * it, or a default other than allow, in the boot phase or (with phases,
 * `seal_after_ns` != 0) in the running one. The enforcer's hooks pass an
 * operation this is false for without a look (relevant()), and the loader
 * leaves out a program whose every duty is such an operation
 * (bootseal_contract.hpp, kHookNeeds). */
#define BS_OP_RELEVANT(kinds, defaults, run_defaults, seal_after_ns, op)                  \
	((kinds)[op] != 0 || (defaults)[op] != BS_ACT_ALLOW ||                            \
	 ((seal_after_ns) != 0 && (run_defaults)[op] != BS_ACT_ALLOW))

/* Object kinds: the values of bootseal::ObjectKind. */
#define BS_KIND_ANY 0
#define BS_KIND_PATH 1
#define BS_KIND_SUBTREE 2
#define BS_KIND_FSTYPE 3
#define BS_KIND_CAPABILITY 4
#define BS_KIND_DEVICE 5     /* a device by number: dev = rdev, id = BS_DEVICE_BLOCK/CHAR */
#define BS_KIND_MEMORY 6     /* executable memory no file backs: op EXEC, dev 0, id 0 */
/* Not a policy kind: what a `path` rule compiles to besides its inode,
 * the name (directory, entry) it protects: dev 0, id = the name's id in
 * the `names` map (1, 2, ...). */
#define BS_KIND_NAME 7

/* Actions: the values of bootseal::Action, plus the exception marker. */
#define BS_ACT_ALLOW 0
#define BS_ACT_DENY 1
#define BS_ACT_AUDIT 2
/* Subject-specific entry only: the rule for any subject at this object
 * does not apply to this subject ("except"); look at less specific objects. */
#define BS_ACT_EXEMPT 3
/* In a rule entry of a policy with boot phases: no rule for this phase at
 * this level; the lookup goes on as if the entry were absent. */
#define BS_ACT_NONE 4

/* Boot phases (docs/POLICY.md, "Boot phases"). A policy with phases starts
 * in the boot phase; the enforcer seals it once, one way: when the seal-by
 * program asks (prctl(BS_PRCTL_SEAL)) or at the seal-after deadline. The
 * `sealed` word of bs_stats holds 0 before, the reason after. */
#define BS_SEAL_TRIGGER 1   /* the seal-by program asked */
#define BS_SEAL_DEADLINE 2  /* the deadline passed */
/* The prctl option the seal-by program calls (bootseal-seal). Unknown to
 * the kernel: without the enforcer, or after the seal (past the deadline
 * the call itself records the deadline's seal), prctl fails with EINVAL
 * for every caller; before it, a caller that is not the seal-by program
 * gets EPERM; under a policy that names no seal-by program every caller
 * gets ENOENT, and ESRCH when the one it names did not resolve when the
 * policy was installed: only the deadline seals. The caller reads the
 * phase from the enforcer's status. */
#define BS_PRCTL_SEAL 0x62736c31

/* Modes: the values of bootseal::Mode. */
#define BS_MODE_ENFORCE 0
#define BS_MODE_PERMISSIVE 1

/* Where the loader pins the enforcer (a directory on bpffs; loader.conf's
 * pin-dir, bootseal's --pin-dir), and the names of its pins there: the
 * policy maps (info, rules, subjects), the two iterator links readers
 * open and read (stats, audit), one "link_HOOK" per attached LSM program
 * (HOOK: the program's name without its "bs_" prefix). Removing the links is what detaches the
 * enforcer, which is why it refuses that (BS_SELF_UNPIN). */
#define BS_PIN_DIR "/sys/fs/bpf/bootseal"
#define BS_PIN_INFO "info"
#define BS_PIN_STATS "stats"
#define BS_PIN_AUDIT "audit"
#define BS_PIN_RULES "rules"
#define BS_PIN_SUBJECTS "subjects"
#define BS_PIN_LINK_PREFIX "link_"
#define BS_PROG_PREFIX "bs_"

/* Subject 0: any process (in keys), an unknown executable (in tasks). */
#define BS_SUBJECT_ANY 0

/* How many directory levels the subtree walk follows before it gives up
 * (and then denies when the operation has subtree rules: fail closed). */
#define BS_MAX_DEPTH 64

/* Rule index in decisions that no policy rule made. */
#define BS_RULE_DEFAULT (-1)
#define BS_RULE_TOO_DEEP (-2)
/* Why a process lost its subject (BS_SELF_SUBJECT_LOST events). */
#define BS_RULE_UNTRUSTED_CODE (-3) /* it mapped code from a file the policy does not trust */
#define BS_RULE_TRACED_EXEC (-4)    /* it executed its program while being traced */
#define BS_RULE_SHARED_FS (-8)      /* ... while sharing its root and cwd (CLONE_FS) with another process */
#define BS_RULE_SECCOMP_LISTENER (-9) /* ... under a seccomp filter whose user-notification listener is open */
#define BS_RULE_UNPROTECTED_SUBJECT (-10) /* ... and the policy lets any process write that program */
#define BS_RULE_PID1_ROOT (-16) /* PID 1 executed it under another root than the one it booted into */
/* A file reached without its parents (open_by_handle_at): the subtree
 * walk cannot tell which subtrees hold it, and fails closed. */
#define BS_RULE_DISCONNECTED (-12)
/* Renaming or removing a directory above a protected name (or a symlink
 * on the way to one), or the directory a subtree rule names, or changing
 * such a directory's attribute flags (FS_IOC_SETFLAGS: casefold): the
 * names under it would change meaning. */
#define BS_RULE_ANCESTOR (-13)
/* Placing at a protected name a file that stays reachable elsewhere: a
 * hard link to it, or a rename of a file with other names or open for
 * writing (whoever holds the other name or descriptor would change what
 * is at the protected name). */
#define BS_RULE_ALIASED (-14)
/* A new UUID or label for a filesystem the fstab places
 * (EXT4_IOC_SETFSUUID, FS_IOC_SETFSLABEL): the enforcer knows where it
 * belongs by its UUID (the `places` map), the loader finds it by either. */
#define BS_RULE_PLACE_UUID (-19)
/* A block device backing a filesystem with protected objects, opened for
 * an operation the policy protects there, with no device rule for it. */
#define BS_RULE_RAW_DEVICE (-6)
/* The device-mapper control device while raw devices are guarded: a table
 * would reach a guarded device by number, past file_open. */
#define BS_RULE_DM_CONTROL (-7)
/* A device taken into a stack by number or path while raw devices are
 * guarded: an md array's new member (the ADD_NEW_DISK, HOT_ADD_DISK and
 * RAID_AUTORUN ioctls on the array, its sysfs md/new_dev), a device added
 * to a btrfs or replacing one of its devices (BTRFS_IOC_ADD_DEV,
 * BTRFS_IOC_DEV_REPLACE). The kernel opens the device past file_open, and
 * an unmounted guarded device (a separate /boot before the system mounts
 * it) would be written through the stack. */
#define BS_RULE_STACK_MEMBER (-20)
/* A mount on the mount point of a place (BS_ANCESTOR_PLACE) of anything but
 * the root of a filesystem placed there: a bind, a move, a tmpfs, another
 * device. Its files would stand where the place's rules name files, and
 * the placed filesystem could no longer be mounted there. */
#define BS_RULE_PLACE_MOUNT (-21)

/* A grant to load BPF LSM programs (`allow bpf-load lsm by SUBJECT`): a
 * `rules` entry {kind BS_KIND_ANY, op BS_OP_SELF, subject, dev 0,
 * id BS_BPF_LOAD_LSM} -> {BS_ACT_ALLOW, BS_RULE_BPF_LOAD}. Only the bpf hook
 * reads it; no policy operation has op BS_OP_SELF. */
#define BS_BPF_LOAD_LSM 1
#define BS_RULE_BPF_LOAD (-15)
/* Why the phase moved (BS_SELF_SEALED events). */
#define BS_RULE_SEAL_TRIGGER (-17)
#define BS_RULE_SEAL_DEADLINE (-18)

/* One entry of the `rules` hash map. kind/op/subject/dev/id select the
 * object at one level of precedence:
 *   PATH, SUBTREE: dev = kernel device number (major << 20 | minor), id = inode
 *   FSTYPE:        dev = 0, id = superblock magic
 *   CAPABILITY:    dev = 0, id = capability number
 *   DEVICE:        dev = the device number (kernel encoding, st_rdev),
 *                  id = BS_DEVICE_BLOCK or BS_DEVICE_CHAR
 *   ANY:           dev = 0, id = 0                                          */
struct bs_rule_key {
	__u8 kind;     /* BS_KIND_* */
	__u8 op;       /* BS_OP_* */
	__u16 pad;     /* 0 */
	__u32 subject; /* subject id, BS_SUBJECT_ANY for a rule for any process */
	__u32 dev;
	__u32 pad2;    /* 0 */
	__u64 id;
};

#define BS_DEVICE_BLOCK 0
#define BS_DEVICE_CHAR 1

/* `action` and `rule` hold in a policy without phases, and in the boot
 * phase of one with phases; run_action and run_rule in its running phase
 * (in a policy without phases they repeat action and rule). Either action
 * may be BS_ACT_NONE: no rule at this level in that phase. `from_any`
 * marks an entry under a subject's key that carries a rule for any process
 * (the subject is excepted from a stronger one): bit 0 for `action`, bit 1
 * for `run_action`. Such a rule grants nothing a rule for any process
 * would not (an `audit` device rule lifts no guard). */
#define BS_FROM_ANY_BOOT 1
#define BS_FROM_ANY_RUN 2
struct bs_rule_val {
	__u8 action;     /* BS_ACT_* */
	__u8 run_action; /* BS_ACT_*, in the running phase */
	__u8 from_any;   /* BS_FROM_ANY_* bits */
	__u8 pad;
	__s32 rule;      /* index of the deciding rule in the policy, for audit */
	__s32 run_rule;  /* the same, in the running phase */
};

/* Key of the `subjects` map: an executable's inode -> subject id (>= 1). */
struct bs_inode_key {
	__u32 dev;
	__u32 pad;
	__u64 ino;
};

/* Key of the `names` map: a protected name, as the entry `name` in the
 * directory (dev, dir) where the policy was installed; value: the name id
 * (__u32, >= 1) that BS_KIND_NAME rule keys carry. A directory that is
 * the root of a mount stands for its mount point: after a filesystem is
 * mounted on an (empty) directory, its entries are that directory's. */
#define BS_ENTRY_NAME_MAX 64
struct bs_name_key {
	__u32 dev;      /* the directory's device (kernel encoding) */
	__u32 len;      /* bytes in `name`, 1..BS_ENTRY_NAME_MAX */
	__u64 dir;      /* the directory's inode */
	char name[BS_ENTRY_NAME_MAX]; /* NUL padded */
};

/* The `filter` map: an array of __u64 words, one bit per hash of an
 * inode (dev, ino), set for every inode that a `path` or `subtree` rule
 * entry names (any operation, any subject) and for every directory that
 * holds a protected name. A clear bit proves that no such entry exists,
 * so the hot hooks skip the hash lookups for the most common case, a file
 * no rule names; a set bit only says "look". Bit index: the hash's top
 * bits, BS_FILTER_MIX(dev, ino) >> bs_filter_shift, for a filter of
 * 1 << (64 - bs_filter_shift) bits. */
#define BS_FILTER_MIX(dev, ino) \
	((((__u64)(ino)) ^ (((__u64)(dev)) << 40) ^ (((__u64)(dev)) >> 24)) * 0x9E3779B97F4A7C15ULL)
/* At least one word, at most 2^24 bits (2 MiB). */
#define BS_FILTER_MIN_SHIFT 40
#define BS_FILTER_MAX_SHIFT 58

/* The `ancestors` map: bs_inode_key -> __u8, a set of BS_ANCESTOR_* bits.
 * Directories (and symlinks) whose rename or removal would move protected
 * names. A mount on a directory that holds protected names only as its
 * own entries, or that a subtree rule names, keeps them protected (name
 * lookups and the subtree walk cross it); a mount on one above deeper
 * names (or on a symlink's place) would give those names other files, and
 * is refused in the pins' mount namespace. */
#define BS_ANCESTOR_DIR 1       /* a directory above a protected name's directory */
#define BS_ANCESTOR_SYMLINK 2   /* a symlink the loader followed to reach one */
#define BS_ANCESTOR_SUBTREE 4   /* the directory a subtree rule names */
#define BS_ANCESTOR_PARENT 8    /* the directory that holds a protected name */
#define BS_ANCESTOR_PLACE 16    /* the mount point of a place (`places`, level 0):
				 * only a filesystem placed there is mounted there */
/* Bits 5-7 of a BS_ANCESTOR_PARENT directory's entry (an empty directory
 * the fstab mounts on, whose protected names become the entries of what
 * is mounted there): the type of filesystem its fstab line names, which
 * alone is mounted there. 0 (no line's type known) and BS_NAMES_FS_KEPT
 * take any type whose files the enforcer identifies
 * (BS_KEEPS_INODE_NUMBERS): never FUSE, NFS, CIFS, 9p, eCryptfs, overlayfs,
 * whose lookups another program or filesystem decides. */
#define BS_ANCESTOR_FS_SHIFT 5
#define BS_ANCESTOR_FS_MASK 0xe0
#define BS_NAMES_FS_EXT4 1      /* ext2, ext3, ext4: 0xef53 */
#define BS_NAMES_FS_XFS 2       /* 0x58465342 */
#define BS_NAMES_FS_TMPFS 3     /* 0x01021994 */
#define BS_NAMES_FS_F2FS 4      /* 0xf2f52010 */
#define BS_NAMES_FS_SQUASHFS 5  /* 0x73717368 */
#define BS_NAMES_FS_EROFS 6     /* 0xe0f5e1e2 */
#define BS_NAMES_FS_KEPT 7      /* another type BS_KEEPS_INODE_NUMBERS names */
/* The superblock magic of a BS_NAMES_FS_* code from 1 to 6, else 0. */
#define BS_NAMES_FS_MAGIC(code)                                            \
	((code) == BS_NAMES_FS_EXT4 ? 0xef53ULL :                          \
	 (code) == BS_NAMES_FS_XFS ? 0x58465342ULL :                       \
	 (code) == BS_NAMES_FS_TMPFS ? 0x01021994ULL :                     \
	 (code) == BS_NAMES_FS_F2FS ? 0xf2f52010ULL :                      \
	 (code) == BS_NAMES_FS_SQUASHFS ? 0x73717368ULL :                  \
	 (code) == BS_NAMES_FS_EROFS ? 0xe0f5e1e2ULL : 0ULL)
/* Whether a filesystem of superblock magic `m` keeps a file's inode
 * number while the file exists and looks its names up byte for byte (but
 * where it is set to ignore case, which the enforcer checks apart): ext2,
 * ext3, ext4, xfs, f2fs, reiserfs, tmpfs and devtmpfs (64-bit numbers),
 * squashfs, erofs, cramfs, iso9660, udf, sysfs and cgroup2 (kernfs: 64-bit
 * ids never reused), devpts (the pty's index). Not: btrfs and overlayfs
 * (stat's device is not the superblock's), FAT and exFAT (numbers made up
 * while cached), FUSE, NFS and the other network filesystems (the server
 * decides), jfs (OS/2-mode volumes ignore case), nilfs2 (a snapshot shares
 * the device), ramfs, debugfs, securityfs, bpf, tracefs, configfs
 * (get_next_ino, a 32-bit counter that wraps). */
#define BS_KEEPS_INODE_NUMBERS(m)                                                          \
	((m) == 0xef53 || (m) == 0x58465342 || (m) == 0xf2f52010 || (m) == 0x52654973 ||   \
	 (m) == 0x01021994 || (m) == 0x73717368 || (m) == 0xe0f5e1e2 || (m) == 0x28cd3d45 || \
	 (m) == 0x9660 || (m) == 0x15013346 || (m) == 0x62656572 || (m) == 0x63677270 ||    \
	 (m) == 0x1cd1)

/* The `places` map: where the fstab puts a filesystem the loader did not
 * see mounted (a separate /boot), by the filesystem's UUID as its
 * superblock holds it (s_uuid). Key: the UUID and a level; value: the
 * directory at that level, level 0 the mount point (or, when the mount
 * point does not exist yet, the nearest directory above it that does),
 * each next level the directory above, up to the root. A filesystem seen
 * through a mount that is not on its place (a detached open_tree copy, a
 * bind mount of one of its directories, a second mount of its device)
 * still meets the denials the subtree rules of its place hold
 * (docs/ENFORCER.md, "Filesystems mounted later"). */
#define BS_PLACE_DEPTH 8
#define BS_MAX_PLACES 64     /* filesystems */
#define BS_PLACE_MOUNT_POINT 1  /* flags: level 0 is the mount point itself */
#define BS_PLACE_DEVICES 2      /* flags, level 0: the loader found the filesystem's
				 * devices (guarded in `rawdevs`): a superblock with
				 * the UUID counts as placed only on one of those */
struct bs_place_key {
	__u8 uuid[16];
	__u32 level;    /* 0 .. BS_PLACE_DEPTH - 1 */
	__u32 pad;
};
/* FAT and exFAT keep no 128-bit UUID in the superblock (their serial is
 * 32 bits): their places are keyed by their device instead, `uuid` being
 * these 12 bytes, then s_dev (kernel encoding, in the CPU's byte order).
 * A superblock of another type whose UUID begins with them has no place. */
#define BS_PLACE_DEV_TAG "bs-place-dev"
#define BS_PLACE_DEV_TAG_LEN 12
#define BS_FAT_MAGIC 0x4d44        /* MSDOS_SUPER_MAGIC: vfat, msdos */
#define BS_EXFAT_MAGIC 0x2011bab0  /* EXFAT_SUPER_MAGIC */
struct bs_place_dir {
	__u32 dev;      /* the directory's device (kernel encoding) */
	__u32 flags;    /* BS_PLACE_* */
	__u64 ino;
};

/* Value of the `fsnames` map: filesystem type name (NUL padded) -> magic,
 * used by sb_mount, which sees the type as a string. */
#define BS_FSNAME_LEN 16
struct bs_fsname {
	char name[BS_FSNAME_LEN];
};

/* `rawdevs` map: a device -> the operations for which opening it is
 * refused without a device rule, as bits (1 << BS_OP_READ, 1 << BS_OP_WRITE).
 * The loader derives the devices from the filesystems mounted when it runs:
 * their block devices, and the pass-through character devices of their
 * disks: SCSI generic, NVMe generic and controller nodes, and the whole
 * majors of those generic drivers (docs/ENFORCER.md, "Raw block devices"). */
/* A character `rawdevs` key whose minor is all ones (dev = MAJOR << 20 |
 * BS_RAWDEV_ANY_MINOR) stands for every device of that major: the SCSI
 * generic, bsg and NVMe generic drivers of a guarded disk, whose nodes may
 * appear after the loader. The node's own entry is looked up first. */
#define BS_RAWDEV_ANY_MINOR 0xfffffu

struct bs_rawdev_key {
	__u32 dev;     /* kernel encoding of the device number (st_rdev) */
	__u32 type;    /* BS_DEVICE_BLOCK or BS_DEVICE_CHAR */
};

struct bs_rawdev {
	__u32 ops;
};

/* Task storage: the subject a task runs as. Kept on the thread group
 * leader: all threads of a process share one subject. */
struct bs_task {
	__u32 subject;
	__u32 flags;    /* BS_TASK_* */
};
/* The process shares its memory with its parent (clone(CLONE_VM) without
 * CLONE_THREAD, as vfork does): losing its subject takes the parent's too. */
#define BS_TASK_SHARED_VM 1

/* `protected_ids` key: the enforcer's own BPF objects, by type and id. */
#define BS_OBJ_MAP 1
#define BS_OBJ_PROG 2
#define BS_OBJ_LINK 3
#define BS_OBJ_STATE 4   /* a map the enforcer writes (task storage, counters,
			  * audit log, .bss): no fd of any kind but the loader's */
struct bs_obj_id {
	__u32 type;
	__u32 id;
};

/* Self-protection routes (the `id` of a BS_OP_SELF event). */
#define BS_SELF_MAP_FD 1      /* a writable fd to one of the maps */
#define BS_SELF_PROG_FD 2     /* an fd to one of the programs */
#define BS_SELF_LINK_DETACH 3 /* detaching or updating one of the links */
#define BS_SELF_PROG_LOAD 4   /* loading an LSM, tracing or extension program */
/* A refused program load's event carries, in `dev`, the program type and the
 * expected attach type (linux/bpf.h's values) under a flag, so that readers
 * tell a real load from a probe of what the kernel supports. */
#define BS_PROG_LOAD_DETAIL 0x80000000u
#define BS_PROG_LOAD_DETAIL_OF(type, attach) \
	(BS_PROG_LOAD_DETAIL | (((__u32)(attach) & 0xffff) << 8) | ((__u32)(type) & 0xff))
#define BS_SELF_UNPIN 5       /* unlink/rename in the pin directory */
#define BS_SELF_UMOUNT 6      /* unmounting the bpffs that holds the pins */
#define BS_SELF_LINK_FD 7     /* an fd to one of the links by id */
#define BS_SELF_STATE_FD 8    /* any fd to a map the enforcer writes */
#define BS_SELF_PIN_MOUNT 9   /* mounting over or inside the pins' bpffs */
#define BS_SELF_SET_EXE 10    /* prctl(PR_SET_MM) replacing a process's executable */
/* Subject integrity (docs/ENFORCER.md, "Subjects"). */
#define BS_SELF_SUBJECT_LOST 12 /* not a denial: the process now runs as subject 0 (rule says why) */
#define BS_SELF_PTRACE 13       /* attaching to, or writing the memory of, a subject process or PID 1 */
#define BS_SELF_TRACEME 14      /* PTRACE_TRACEME by a subject process */
#define BS_SELF_UNTRUSTED_CODE 15 /* a subject process mapping code the policy does not trust (enforce mode) */
#define BS_SELF_STEERED_EXEC 16   /* exec of a subject's program another process steers (enforce mode;
				   * rule says how: BS_RULE_TRACED_EXEC, _SHARED_FS, _SECCOMP_LISTENER) */
#define BS_SELF_SEAL 18           /* prctl(BS_PRCTL_SEAL) by a process that is not the seal-by program */
#define BS_SELF_SEALED 19         /* not a denial: the boot phase ended (rule: BS_RULE_SEAL_*) */
#define BS_SELF_PIN_ADD 20        /* a new entry in the pin directory (a pin, a directory, a link) */

/* Executable memory routes: the `id` of an exec event with dev 0 (object
 * kind memory). */
#define BS_MEM_ANON 1           /* anonymous mapping made executable (mmap, mprotect) */
#define BS_MEM_WRITABLE 2       /* private file mapping both writable and executable */
#define BS_MEM_WRITTEN 3        /* mprotect to exec of a private file mapping with written pages */
#define BS_MEM_SHMEM 4          /* memfd, SysV or shared anonymous memory mapped or run executable */
#define BS_MEM_PROC_MEM 5       /* opening a /proc/PID/mem for writing */
#define BS_MEM_PTRACE 6         /* ptrace attach (POKETEXT) or process_vm_writev */
#define BS_MEM_STACK 16         /* an exec that gave the program an executable stack
				 * (PT_GNU_STACK RWX) or READ_IMPLIES_EXEC */
#define BS_MEM_BRK 17           /* heap growth (brk) made executable by READ_IMPLIES_EXEC */

/* Audit event, the payload of one audit log record. */
#define BS_COMM_LEN 16
struct bs_event {
	__u64 time_ns;   /* bpf_ktime_get_boot_ns(): since boot, suspend included */
	__u32 pid;       /* tgid */
	__u32 tid;
	__u32 subject;   /* subject id, 0 = unknown executable */
	__u32 dev;       /* object device (PATH-like objects), 0 otherwise */
	__u64 id;        /* inode, capability number or BS_SELF_* route */
	__s32 rule;      /* deciding rule index, BS_RULE_* */
	__u8 op;         /* BS_OP_* */
	__u8 action;     /* BS_ACT_ALLOW/DENY/AUDIT: what the policy said */
	__u8 denied;     /* 1 when the operation was refused */
	__u8 pad;
	char comm[BS_COMM_LEN];
};

/* One slot of the `audit_log` array: a circular log the enforcer alone
 * writes. Event number `seq` (1, 2, ...) goes to slot (seq - 1) % entries;
 * seq 0 marks a slot never written or being written. Readers read it
 * through the pinned `audit` iterator, which never consumes a record. */
struct bs_record {
	__u64 seq;
	struct bs_event event;
};

/* Counters, the one `stats` array slot, updated atomically; readers read
 * it through the pinned `stats` iterator. */
struct bs_stats {
	__u64 denied;
	__u64 audited;
	__u64 self_denied;
	__u64 events;       /* audit records written: the last sequence number */
	__u64 overwritten;  /* records written over an older one (log full) */
	/* Boot phases: 0 in the boot phase (and always in a policy without
	 * phases), else BS_SEAL_* once sealed; set once, by compare-and-swap. */
	__u64 sealed;
	__u64 sealed_ns;    /* CLOCK_BOOTTIME of the seal (the deadline itself for BS_SEAL_DEADLINE) */
	__u32 sealed_pid;   /* the seal-by process (tgid), 0 for the deadline */
	__u32 sealed_subject;
	char sealed_comm[BS_COMM_LEN];
};

/* What the status reader sees: the `info` array, one frozen entry. */
#define BS_NAME_LEN 64
struct bs_info {
	char name[BS_NAME_LEN];   /* policy name, NUL padded */
	__u64 generation;
	__u8 kid[32];
	__u64 installed_boot_ns;  /* CLOCK_BOOTTIME when the loader installed it */
	__u32 mode;               /* BS_MODE_* */
	__u32 rule_entries;       /* entries in `rules` */
	__u32 subject_entries;    /* entries in `subjects` */
	__u32 policy_rules;       /* rules in the policy document */
	__u32 hooks;              /* number of attached programs */
	__u8 defaults[BS_OP_SLOTS]; /* per BS_OP_*, BS_ACT_* */
	__u32 log_entries;        /* records the audit log holds */
	__u32 lockdown;           /* the lockdown level the policy asks for: 0 none,
				   * 1 integrity, 2 confidentiality */
	__u32 seal_subject;       /* the seal-by program's subject id, 0 for none */
	__u64 seal_after_ns;      /* the seal-after deadline (CLOCK_BOOTTIME), 0: no phases */
	__u8 run_defaults[BS_OP_SLOTS]; /* per BS_OP_*, in the running phase */
};

#endif /* BOOTSEAL_ENFORCER_H */

/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The few kernel structures the enforcer reads, with only the fields it
 * reads. preserve_access_index makes every access a CO-RE relocation, so
 * the offsets come from the running kernel's BTF at load time, not from
 * these declarations (and no vmlinux.h of one kernel is needed to build).
 * BPF side only.
 */
#ifndef BOOTSEAL_ENFORCER_KERNEL_H
#define BOOTSEAL_ENFORCER_KERNEL_H

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

struct list_head {
	struct list_head *next;
	struct list_head *prev;
};

typedef struct {
	unsigned char b[16];
} uuid_t;

struct super_block {
	unsigned int s_dev;   /* dev_t: major << 20 | minor */
	unsigned long s_magic;
	struct dentry *s_root;
	uuid_t s_uuid;        /* the filesystem's UUID, where it keeps one */
};

struct inode {
	unsigned long i_ino;
	struct super_block *i_sb;
};

struct qstr {
	union {
		struct {
			__u32 hash;
			__u32 len;  /* little-endian layout (x86-64, arm64) */
		};
		__u64 hash_len;
	};
	const unsigned char *name;
};

struct dentry {
	unsigned int d_flags;       /* DCACHE_* */
	struct dentry *d_parent;
	struct qstr d_name;
	struct inode *d_inode;
	struct super_block *d_sb;
};

struct vfsmount {
	struct dentry *mnt_root;
	struct super_block *mnt_sb;
	int mnt_flags;
};

/* fs/mount.h: the vfsmount is embedded in struct mount. */
struct mnt_namespace {
	__u64 event;  /* counts changes to the namespace's mounts */
};

struct mount {
	struct mount *mnt_parent;
	struct dentry *mnt_mountpoint;
	struct vfsmount mnt;
	struct list_head mnt_mounts;  /* the mounts on this one, by their mnt_child */
	struct list_head mnt_child;
	struct list_head mnt_share; /* the ring of this mount's peers */
	struct mnt_namespace *mnt_ns;
	struct mount *mnt_master;   /* the mount this slave receives propagation from */
	int mnt_group_id;           /* peer group id, 0 when not shared */
};

struct nsproxy {
	struct mnt_namespace *mnt_ns;
};

struct path {
	struct vfsmount *mnt;
	struct dentry *dentry;
};

struct file {
	struct path f_path;
	struct inode *f_inode;
	unsigned int f_mode;
	void *private_data;
};

struct linux_binprm {
	struct file *file;
	int unsafe;                       /* LSM_UNSAFE_* found by check_unsafe_exec */
};

/* kernel/seccomp.c: one filter of a task's chain (newest first, `prev`
 * to the older ones); `notif` is set while a user-notification listener
 * (SECCOMP_FILTER_FLAG_NEW_LISTENER) of the filter is open. */
struct seccomp_filter {
	struct seccomp_filter *prev;
	void *notif;
};

struct seccomp {
	struct seccomp_filter *filter;
};

struct anon_vma;

struct vm_area_struct {
	unsigned long vm_flags;
	struct file *vm_file;
	struct anon_vma *anon_vma;  /* set once a private page was written (COW) */
};

struct mm_struct {
	struct file *exe_file;
	unsigned long start_stack;  /* set by setup_arg_pages */
};

struct fdtable {
	unsigned int max_fds;
	struct file **fd;
};

struct files_struct {
	struct fdtable *fdt;
};

/* include/linux/fs_struct.h: a task's root and working directory. */
struct fs_struct {
	struct path root;
	struct path pwd;
};

struct task_struct {
	unsigned int flags;               /* PF_* */
	struct fs_struct *fs;
	struct mm_struct *mm;
	struct files_struct *files;
	int tgid;
	unsigned int ptrace;              /* non-zero while traced */
	struct task_struct *real_parent;
	struct task_struct *group_leader;
	unsigned int personality;         /* PER_*, READ_IMPLIES_EXEC */
	unsigned in_execve:1;             /* between bprm_execve's start and end */
	struct seccomp seccomp;
	struct nsproxy *nsproxy;
	unsigned long long start_boottime; /* ns since boot, CLOCK_BOOTTIME */
};

/* arch/x86/include/asm/ptrace.h: the system call number of the task's
 * current system call. */
struct pt_regs___bs {
	unsigned long orig_ax;
};

struct bpf_map {
	unsigned int id;
};

struct bpf_prog_aux {
	unsigned int id;
};

struct bpf_prog {
	struct bpf_prog_aux *aux;
};

struct bpf_link {
	unsigned int id;
};

struct seq_file;

struct bpf_iter_meta {
	struct seq_file *seq;
};

#pragma clang attribute pop

/* The context of an iter/bpf_map_elem program: the iterator's arguments,
 * one 8-byte slot each (include/linux/bpf.h). key and value are NULL at
 * the end of the walk. */
struct bpf_iter__bpf_map_elem {
	struct bpf_iter_meta *meta;
	struct bpf_map *map;
	void *key;
	void *value;
};

struct cred;
struct user_namespace;
struct mnt_idmap;
struct iattr;
struct kern_ipc_perm;

/* include/linux/kernel_read_file.h, enum kernel_read_file_id */
#define READING_MODULE 2
#define READING_KEXEC_IMAGE 3
#define READING_KEXEC_INITRAMFS 4
/* enum kernel_load_data_id */
#define LOADING_MODULE 2
#define LOADING_KEXEC_IMAGE 3
#define LOADING_KEXEC_INITRAMFS 4

/* include/linux/fs.h */
#define FMODE_READ 0x1
#define FMODE_WRITE 0x2
#define FMODE_EXEC 0x20

/* include/uapi/asm-generic/mman-common.h, include/linux/mm.h */
#define PROT_WRITE 0x2
#define PROT_EXEC 0x4
#define MAP_TYPE 0x0f
#define MAP_PRIVATE 0x02
#define VM_EXEC 0x4
#define VM_SHARED 0x8
/* include/uapi/linux/personality.h */
#define READ_IMPLIES_EXEC 0x0400000
/* arch/x86/entry/syscalls: brk on x86-64 (x32 with __X32_SYSCALL_BIT), ia32 */
#define NR_BRK_64 12
#define NR_BRK_X32 (0x40000000 | 12)
#define NR_BRK_IA32 45
/* fsconfig: one number in every table (system calls from 5.1 share them) */
#define NR_FSCONFIG 431
#define NR_X32_BIT 0x40000000   /* __X32_SYSCALL_BIT */
/* include/uapi/linux/shm.h */
#define SHM_EXEC 0100000
/* include/linux/mount.h: kern_mount()ed, never in a namespace (shm_mnt) */
#define MNT_INTERNAL 0x4000
/* include/linux/ptrace.h */
#define PTRACE_MODE_ATTACH 0x02
#define PTRACE_MODE_NOAUDIT 0x04
/* include/linux/dcache.h: a dentry d_obtain_alias made for a file handle
 * (open_by_handle_at, nfsd), not yet connected to its parents. */
#define DCACHE_DISCONNECTED 0x20
/* ... and one something is mounted on, in any mount namespace: bit 16
 * up to Linux 6.14; from 6.15 an enum dentry_flags gives it, and it is
 * bit 15 there (dcache_mounted() reads the enum when the kernel has it). */
#define DCACHE_MOUNTED 0x10000
/* The dentry's d_op has d_hash, d_compare (set from the superblock's
 * s_d_op when the dentry is made); the same bits in every version. */
#define DCACHE_OP_HASH 0x1
#define DCACHE_OP_COMPARE 0x2
/* include/linux/security.h: bprm->unsafe. */
#define LSM_UNSAFE_SHARE 1
/* include/uapi/linux/fs.h */
#define RENAME_EXCHANGE 2
/* include/uapi/linux/stat.h */
#define BS_S_IFDIR 0040000
/* include/linux/sched.h */
#define CLONE_VM 0x100
#define CLONE_FS 0x200
#define CLONE_THREAD 0x10000
#define PF_KTHREAD 0x00200000

/* include/uapi/linux/mount.h */
#define MS_REMOUNT 32
#define MS_BIND 4096
#define MS_MOVE 8192
#define MS_UNBINDABLE (1 << 17)
#define MS_PRIVATE (1 << 18)
#define MS_SLAVE (1 << 19)
#define MS_SHARED (1 << 20)
#define MNT_DETACH 0x2

/* include/uapi/linux/magic.h */
#define SYSFS_MAGIC 0x62656572
#define PR_SET_MM 35
#define PR_SET_MM_EXE_FILE 13
#define PR_SET_MM_MAP 14
#define TMPFS_MAGIC 0x01021994
#define HUGETLBFS_MAGIC 0x958458f6
#define PROC_SUPER_MAGIC 0x9fa0
#define CAP_SYS_BOOT 22

/* include/linux/capability.h */
#define CAP_OPT_NOAUDIT 0x2

#define EPERM 1
#define ENOENT 2
#define ESRCH 3
#define ENOMEM 12
#define EBUSY 16

#endif /* BOOTSEAL_ENFORCER_KERNEL_H */

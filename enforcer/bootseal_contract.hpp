// SPDX-License-Identifier: GPL-2.0-only
// The contract between the enforcer (bootseal.bpf.c) and its C++ users:
// the loader's rule compiler and installer, `bootseal status` and `audit`.
// bootseal.h holds the data both sides share; this header checks at
// compile time what a comment there could only promise: that every number
// bootseal.h gives after a C++ enum is that enum's value, and that every
// shared struct has the size and field offsets the BPF side was built
// with. A change on one side that the other does not follow fails the
// build of the loader and of bootseal here, instead of the boot.
//
// The C++ spellings of the contract's names (the operation slots, the pin
// directory and pin names) are below; use them rather than literals.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "bootseal.h"
#include "bootseal/policy.hpp"
#include "bootseal/seal.hpp"

namespace bootseal::contract {

// Length of every per-operation array (BS_OP_SLOTS).
inline constexpr std::size_t kOpSlots = BS_OP_SLOTS;

// Where the loader pins the enforcer by default, and the pins' names.
inline constexpr std::string_view kPinDir = BS_PIN_DIR;
// The audit ring's size bounds (loader.conf audit-buffer), in bytes; the
// ring holds size / sizeof(bs_record) records, and the audit iterator pin
// prints at most that many.
inline constexpr uint32_t kMinAuditBuffer = 4096;
inline constexpr uint32_t kMaxAuditBuffer = 1u << 30;
inline constexpr std::string_view kPinInfo = BS_PIN_INFO;
inline constexpr std::string_view kPinStats = BS_PIN_STATS;
inline constexpr std::string_view kPinAudit = BS_PIN_AUDIT;
inline constexpr std::string_view kPinRules = BS_PIN_RULES;
inline constexpr std::string_view kPinSubjects = BS_PIN_SUBJECTS;
inline constexpr std::string_view kPinLinkPrefix = BS_PIN_LINK_PREFIX;
inline constexpr std::string_view kProgPrefix = BS_PROG_PREFIX;

// The pin of the link of the program named `prog` (bs_file_open ->
// link_file_open).
inline std::string link_pin_name(std::string_view prog) {
  if (prog.substr(0, kProgPrefix.size()) == kProgPrefix) prog.remove_prefix(kProgPrefix.size());
  return std::string(kPinLinkPrefix) + std::string(prog);
}

// The hook a link pin stands for (link_file_open -> file_open), empty when
// `pin` is not a link pin.
inline std::string_view hook_of_link_pin(std::string_view pin) {
  if (pin.size() <= kPinLinkPrefix.size() || pin.substr(0, kPinLinkPrefix.size()) != kPinLinkPrefix) return {};
  return pin.substr(kPinLinkPrefix.size());
}

// ---- which programs a policy needs ----
//
// The loader attaches only the programs whose duties the policy has:
// a hook that would pass every call without a look costs each of its
// system calls a trampoline, and the boot its verification. What a
// program does is in its comment in bootseal.bpf.c; this table says when
// that can be anything but a pass. Self-protection, subject tracking, the
// boot phases, mounts and raw devices are duties of every policy.

// What a compiled policy uses, as the enforcer's programs ask it.
struct PolicyUse {
  bool op[BS_OP_COUNT] = {};  // BS_OP_RELEVANT, per BS_OP_*
  bool memory = false;        // a `memory` rule (exec memory is decided)
  bool subjects = false;      // named subjects (`by PROGRAM`, seal-by, grants)
  bool names = false;         // protected names (path rules)
};

enum class HookNeed : uint8_t {
  always,              // a duty of every policy
  write,               // write decisions only
  write_or_names,      // write decisions, and placing a file at a protected name
  exec_or_subjects,    // exec decisions, exec memory, a subject's code
  memory,              // exec memory only
  memory_or_subjects,  // exec memory, and a subject's shared memory made executable
  capability,          // capability decisions only
  module_or_kexec,     // module-load and kexec decisions only
};

constexpr bool needed(HookNeed need, const PolicyUse& u) {
  switch (need) {
    case HookNeed::always: return true;
    case HookNeed::write: return u.op[BS_OP_WRITE];
    case HookNeed::write_or_names: return u.op[BS_OP_WRITE] || u.names;
    case HookNeed::exec_or_subjects: return u.op[BS_OP_EXEC] || u.memory || u.subjects;
    case HookNeed::memory: return u.memory;
    case HookNeed::memory_or_subjects: return u.memory || u.subjects;
    case HookNeed::capability: return u.op[BS_OP_CAPABILITY];
    case HookNeed::module_or_kexec: return u.op[BS_OP_MODULE_LOAD] || u.op[BS_OP_KEXEC];
  }
  return true;
}

// Why a program was left out, for the loader's log and docs/ENFORCER.md.
constexpr std::string_view unneeded_because(HookNeed need) {
  switch (need) {
    case HookNeed::always: return "";
    case HookNeed::write: return "no write rule or default";
    case HookNeed::write_or_names: return "no write rule or default, no protected name";
    case HookNeed::exec_or_subjects: return "no exec rule or default, no subject";
    case HookNeed::memory: return "no memory rule";
    case HookNeed::memory_or_subjects: return "no memory rule, no subject";
    case HookNeed::capability: return "no capability rule or default";
    case HookNeed::module_or_kexec: return "no module-load or kexec rule or default";
  }
  return "";
}

struct HookEntry {
  std::string_view hook;  // the program's name without BS_PROG_PREFIX
  HookNeed need;
};

// One entry per program of the enforcer object (test_contract checks it
// against the skeleton both ways). A program missing here is attached. A
// duty added to a program whose need is not `always` must be added to its
// need here (and to the enforcer-self-protection or enforcer-sources
// scenario), or it is lost for every policy without that need.
inline constexpr HookEntry kHookNeeds[] = {
    // exec, subjects and the boot's own state (bs_boot_done, PID 1's root)
    {"bprm_check", HookNeed::always},
    {"bprm_committed", HookNeed::always},
    {"task_alloc", HookNeed::always},
    {"mmap_file", HookNeed::exec_or_subjects},
    {"file_mprotect", HookNeed::exec_or_subjects},
    {"shm_shmat", HookNeed::memory_or_subjects},
    {"vm_enough_memory", HookNeed::memory},
    // writes through the inode hooks
    {"inode_setattr", HookNeed::write},
    {"inode_setattr_idmap", HookNeed::write},
    {"inode_setxattr", HookNeed::write},
    {"inode_set_acl", HookNeed::write},
    {"inode_remove_acl", HookNeed::write},
    {"inode_removexattr", HookNeed::write},
    // new entries: also no new entry in the pin directory
    {"inode_create", HookNeed::always},
    {"inode_mkdir", HookNeed::always},
    {"inode_mknod", HookNeed::always},
    {"inode_symlink", HookNeed::always},
    // guard the pins and the directories above protected names
    {"inode_unlink", HookNeed::always},
    {"inode_rmdir", HookNeed::always},
    {"inode_rename", HookNeed::always},
    // a link may carry a file out of an exec or read rule too; no new
    // entry in the pin directory
    {"inode_link", HookNeed::always},
    // writes through the path hooks
    {"path_unlink", HookNeed::write},
    {"path_rmdir", HookNeed::write},
    {"path_mkdir", HookNeed::write},
    {"path_mknod", HookNeed::write},
    {"path_symlink", HookNeed::write},
    {"path_link", HookNeed::write_or_names},
    {"path_rename", HookNeed::write_or_names},
    {"path_truncate", HookNeed::write},
    {"path_chmod", HookNeed::write},
    {"path_chown", HookNeed::write},
    {"capable", HookNeed::capability},
    {"kernel_read_file", HookNeed::module_or_kexec},
    {"kernel_load_data", HookNeed::module_or_kexec},
    // mounts: the pins' bpffs and /sys, places, fstype rules
    {"sb_mount", HookNeed::always},
    {"move_mount", HookNeed::always},
    {"sb_pivotroot", HookNeed::always},
    {"path_chroot", HookNeed::always},
    {"sb_umount", HookNeed::always},
    {"sb_kern_mount", HookNeed::always},
    // self-protection
    {"bpf", HookNeed::always},
    {"bpf_map", HookNeed::always},
    {"bpf_prog", HookNeed::always},
    {"task_prctl", HookNeed::always},
    {"ptrace_access_check", HookNeed::always},
    {"ptrace_traceme", HookNeed::always},
    // the readers' iterators (attached by hand, to their maps)
    {"iter_stats", HookNeed::always},
    {"iter_audit", HookNeed::always},
    // attribute flags, places' UUIDs, raw devices; and every open: the pins,
    // /proc/PID/mem, sysrq, md, device nodes
    {"rawdev_ioctl", HookNeed::always},
    {"rawdev_ioctl_compat", HookNeed::always},
    {"file_open", HookNeed::always},
};

// The entry of the program named `prog` (with or without BS_PROG_PREFIX),
// nullptr when it has none.
constexpr const HookEntry* hook_entry(std::string_view prog) {
  if (prog.substr(0, kProgPrefix.size()) == kProgPrefix) prog.remove_prefix(kProgPrefix.size());
  for (const auto& e : kHookNeeds)
    if (e.hook == prog) return &e;
  return nullptr;
}

// ---- numbering: bootseal.h against lib/policy/include/bootseal/policy.hpp ----

constexpr int op(Operation o) { return static_cast<int>(o); }
static_assert(BS_OP_EXEC == op(Operation::exec));
static_assert(BS_OP_READ == op(Operation::read));
static_assert(BS_OP_WRITE == op(Operation::write));
static_assert(BS_OP_CAPABILITY == op(Operation::capability));
static_assert(BS_OP_MODULE_LOAD == op(Operation::module_load));
static_assert(BS_OP_KEXEC == op(Operation::kexec));
static_assert(BS_OP_MOUNT == op(Operation::mount));
static_assert(BS_OP_COUNT == kOperationCount, "an operation was added on one side only");
static_assert(BS_OP_COUNT <= BS_OP_SLOTS, "the per-operation arrays are too short");
static_assert(BS_OP_SELF >= BS_OP_SLOTS, "BS_OP_SELF collides with a policy operation");

constexpr int kind(ObjectKind k) { return static_cast<int>(k); }
static_assert(BS_KIND_ANY == kind(ObjectKind::any));
static_assert(BS_KIND_PATH == kind(ObjectKind::path));
static_assert(BS_KIND_SUBTREE == kind(ObjectKind::subtree));
static_assert(BS_KIND_FSTYPE == kind(ObjectKind::fstype));
static_assert(BS_KIND_CAPABILITY == kind(ObjectKind::capability));
static_assert(BS_KIND_DEVICE == kind(ObjectKind::device));
static_assert(BS_KIND_MEMORY == kind(ObjectKind::memory));
static_assert(BS_KIND_NAME > BS_KIND_MEMORY, "the compiled name kind must not be a policy kind");
static_assert(BS_KIND_NAME < 8, "bs_kinds holds one bit per kind in a byte");

constexpr int act(Action a) { return static_cast<int>(a); }
static_assert(BS_ACT_ALLOW == act(Action::allow));
static_assert(BS_ACT_DENY == act(Action::deny));
static_assert(BS_ACT_AUDIT == act(Action::audit));
static_assert(BS_ACT_EXEMPT == kActionCount, "the exception marker must not be a policy action");
static_assert(BS_ACT_NONE > BS_ACT_EXEMPT, "the no-rule-in-this-phase marker must not be a policy action");
static_assert(BS_SEAL_TRIGGER != 0 && BS_SEAL_DEADLINE != 0, "bs_stats.sealed is 0 before the seal");

constexpr int mode(Mode m) { return static_cast<int>(m); }
static_assert(BS_MODE_ENFORCE == mode(Mode::enforce));
static_assert(BS_MODE_PERMISSIVE == mode(Mode::permissive));

static_assert(BS_SUBJECT_ANY == 0);
static_assert(BS_RULE_DEFAULT < 0 && BS_RULE_TOO_DEEP < 0, "rule indexes >= 0 are policy rules");
static_assert(BS_RULE_ANCESTOR < 0 && BS_RULE_ALIASED < 0 && BS_RULE_PLACE_UUID < 0 && BS_RULE_STACK_MEMBER < 0 &&
                  BS_RULE_PLACE_MOUNT < 0,
              "rule indexes >= 0 are policy rules");

// The `ancestors` value is one byte: the BS_ANCESTOR_* bits below the
// filesystem type code, each code a type the enforcer identifies files of.
static_assert(((BS_ANCESTOR_DIR | BS_ANCESTOR_SYMLINK | BS_ANCESTOR_SUBTREE | BS_ANCESTOR_PARENT |
                BS_ANCESTOR_PLACE) &
               BS_ANCESTOR_FS_MASK) == 0);
static_assert((BS_NAMES_FS_KEPT << BS_ANCESTOR_FS_SHIFT) == BS_ANCESTOR_FS_MASK && BS_ANCESTOR_FS_MASK <= 0xff);
constexpr bool names_fs_codes_kept() {
  for (unsigned code = 1; code < BS_NAMES_FS_KEPT; ++code)
    if (!BS_KEEPS_INODE_NUMBERS(BS_NAMES_FS_MAGIC(code))) return false;
  return BS_NAMES_FS_MAGIC(0) == 0 && BS_NAMES_FS_MAGIC(BS_NAMES_FS_KEPT) == 0;
}
static_assert(names_fs_codes_kept(), "each BS_NAMES_FS_* code is a type BS_KEEPS_INODE_NUMBERS names");

// ---- layout: the structs as the BPF side (x86-64 and arm64 alike) lays them out ----

#define BS_CONTRACT_FIELD(type, field, offset) static_assert(offsetof(type, field) == (offset), #type "." #field)

static_assert(sizeof(bs_rule_key) == 24);
BS_CONTRACT_FIELD(bs_rule_key, kind, 0);
BS_CONTRACT_FIELD(bs_rule_key, op, 1);
BS_CONTRACT_FIELD(bs_rule_key, pad, 2);
BS_CONTRACT_FIELD(bs_rule_key, subject, 4);
BS_CONTRACT_FIELD(bs_rule_key, dev, 8);
BS_CONTRACT_FIELD(bs_rule_key, pad2, 12);
BS_CONTRACT_FIELD(bs_rule_key, id, 16);

static_assert(sizeof(bs_rule_val) == 12);
BS_CONTRACT_FIELD(bs_rule_val, action, 0);
BS_CONTRACT_FIELD(bs_rule_val, run_action, 1);
BS_CONTRACT_FIELD(bs_rule_val, from_any, 2);
BS_CONTRACT_FIELD(bs_rule_val, pad, 3);
BS_CONTRACT_FIELD(bs_rule_val, rule, 4);
BS_CONTRACT_FIELD(bs_rule_val, run_rule, 8);

static_assert(sizeof(bs_inode_key) == 16);
BS_CONTRACT_FIELD(bs_inode_key, dev, 0);
BS_CONTRACT_FIELD(bs_inode_key, pad, 4);
BS_CONTRACT_FIELD(bs_inode_key, ino, 8);

static_assert(sizeof(bs_fsname) == BS_FSNAME_LEN);

static_assert(sizeof(bs_name_key) == 16 + BS_ENTRY_NAME_MAX);
BS_CONTRACT_FIELD(bs_name_key, dev, 0);
BS_CONTRACT_FIELD(bs_name_key, len, 4);
BS_CONTRACT_FIELD(bs_name_key, dir, 8);
BS_CONTRACT_FIELD(bs_name_key, name, 16);

static_assert(sizeof(bs_place_key) == 24);
BS_CONTRACT_FIELD(bs_place_key, uuid, 0);
BS_CONTRACT_FIELD(bs_place_key, level, 16);
BS_CONTRACT_FIELD(bs_place_key, pad, 20);

static_assert(sizeof(bs_place_dir) == 16);
BS_CONTRACT_FIELD(bs_place_dir, dev, 0);
BS_CONTRACT_FIELD(bs_place_dir, flags, 4);
BS_CONTRACT_FIELD(bs_place_dir, ino, 8);

static_assert(sizeof(bs_task) == 8);
BS_CONTRACT_FIELD(bs_task, subject, 0);
BS_CONTRACT_FIELD(bs_task, flags, 4);

static_assert(sizeof(bs_obj_id) == 8);
BS_CONTRACT_FIELD(bs_obj_id, type, 0);
BS_CONTRACT_FIELD(bs_obj_id, id, 4);

static_assert(sizeof(bs_event) == 56);
BS_CONTRACT_FIELD(bs_event, time_ns, 0);
BS_CONTRACT_FIELD(bs_event, pid, 8);
BS_CONTRACT_FIELD(bs_event, tid, 12);
BS_CONTRACT_FIELD(bs_event, subject, 16);
BS_CONTRACT_FIELD(bs_event, dev, 20);
BS_CONTRACT_FIELD(bs_event, id, 24);
BS_CONTRACT_FIELD(bs_event, rule, 32);
BS_CONTRACT_FIELD(bs_event, op, 36);
BS_CONTRACT_FIELD(bs_event, action, 37);
BS_CONTRACT_FIELD(bs_event, denied, 38);
BS_CONTRACT_FIELD(bs_event, pad, 39);
BS_CONTRACT_FIELD(bs_event, comm, 40);

static_assert(sizeof(bs_record) == 64, "an audit record is 64 bytes (docs/ENFORCER.md)");
BS_CONTRACT_FIELD(bs_record, seq, 0);
BS_CONTRACT_FIELD(bs_record, event, 8);

static_assert(sizeof(bs_stats) == 80);
BS_CONTRACT_FIELD(bs_stats, denied, 0);
BS_CONTRACT_FIELD(bs_stats, audited, 8);
BS_CONTRACT_FIELD(bs_stats, self_denied, 16);
BS_CONTRACT_FIELD(bs_stats, events, 24);
BS_CONTRACT_FIELD(bs_stats, overwritten, 32);
BS_CONTRACT_FIELD(bs_stats, sealed, 40);
BS_CONTRACT_FIELD(bs_stats, sealed_ns, 48);
BS_CONTRACT_FIELD(bs_stats, sealed_pid, 56);
BS_CONTRACT_FIELD(bs_stats, sealed_subject, 60);
BS_CONTRACT_FIELD(bs_stats, sealed_comm, 64);

static_assert(sizeof(bs_info) == 168);
BS_CONTRACT_FIELD(bs_info, name, 0);
BS_CONTRACT_FIELD(bs_info, generation, 64);
BS_CONTRACT_FIELD(bs_info, kid, 72);
BS_CONTRACT_FIELD(bs_info, installed_boot_ns, 104);
BS_CONTRACT_FIELD(bs_info, mode, 112);
BS_CONTRACT_FIELD(bs_info, rule_entries, 116);
BS_CONTRACT_FIELD(bs_info, subject_entries, 120);
BS_CONTRACT_FIELD(bs_info, policy_rules, 124);
BS_CONTRACT_FIELD(bs_info, hooks, 128);
BS_CONTRACT_FIELD(bs_info, defaults, 132);
BS_CONTRACT_FIELD(bs_info, log_entries, 140);
BS_CONTRACT_FIELD(bs_info, lockdown, 144);
BS_CONTRACT_FIELD(bs_info, seal_subject, 148);
BS_CONTRACT_FIELD(bs_info, seal_after_ns, 152);
BS_CONTRACT_FIELD(bs_info, run_defaults, 160);
static_assert(static_cast<int>(Lockdown::confidentiality) == 2, "bs_info.lockdown holds bootseal::Lockdown");

static_assert(sizeof(bs_rawdev_key) == 8);
BS_CONTRACT_FIELD(bs_rawdev_key, dev, 0);
BS_CONTRACT_FIELD(bs_rawdev_key, type, 4);
static_assert(sizeof(bs_rawdev) == 4);
// A whole major's key: the minor all ones, the kernel's 20 minor bits.
static_assert(BS_RAWDEV_ANY_MINOR == (1u << 20) - 1, "a whole major's rawdevs key must cover every minor bit");
static_assert(sizeof(bs_info::defaults) == BS_OP_SLOTS);
static_assert(sizeof(bs_info::kid) == sizeof(Kid), "bs_info.kid holds a whole key id");

#undef BS_CONTRACT_FIELD

}  // namespace bootseal::contract

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

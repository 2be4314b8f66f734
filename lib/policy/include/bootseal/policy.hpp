// SPDX-License-Identifier: GPL-2.0-only
// The policy document: the in-memory model shared by the language compiler
// (lib/policy), the CBOR codec (lib/policy), the loader's rule compiler
// (kernel-loader/) and the tools. Passive data; the invariants listed here
// are checked by validate() and by every producer of a Document.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <memory_resource>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bootseal/result.hpp"

namespace bootseal {

// Versions of the document schema (FORMAT.md, "The policy document"). A
// reader takes every version from kSchemaVersion to kSchemaMaxVersion; a
// writer emits required_schema(doc): the oldest version that can say what
// the document says, so that a policy using no newer feature still reads
// on an older loader.
inline constexpr uint64_t kSchemaVersion = 1;
inline constexpr uint64_t kSchemaMaxVersion = 4;

enum class Action : uint8_t { allow = 0, deny = 1, audit = 2 };
inline constexpr size_t kActionCount = 3;

enum class Mode : uint8_t { enforce = 0, permissive = 1 };

// Operations, in the order their defaults are stored. Values are on-disk
// numbers: never renumber, only append.
enum class Operation : uint8_t {
  exec = 0,         // running a file, or mapping it executable
  read = 1,         // opening for reading
  write = 2,        // opening for writing, truncate, unlink, rename, link, chmod/chown, setxattr
  capability = 3,   // use of a Linux capability
  module_load = 4,  // loading a kernel module (init_module, finit_module)
  kexec = 5,        // loading a kexec image
  mount = 6,        // mounting a filesystem
};
inline constexpr size_t kOperationCount = 7;

// What a rule's object is. Values are on-disk numbers.
enum class ObjectKind : uint8_t {
  any = 0,         // every object of the operation
  path = 1,        // one file (by the inode the path names when the policy is installed)
  subtree = 2,     // a directory and everything below it
  fstype = 3,      // every file on a filesystem of this type (tmpfs, ramfs, ...)
  capability = 4,  // one Linux capability (operation `capability` only)
  device = 5,      // a block or character device, by device number (read and write; schema 2)
  memory = 6,      // executable memory no file backs (operation `exec` only; schema 2)
};

// The kernel lockdown level the loader raises (document key 8, schema 2).
// Values are on-disk numbers.
enum class Lockdown : uint8_t { none = 0, integrity = 1, confidentiality = 2 };

// Boot phases (docs/POLICY.md, "Boot phases"; schema 4). The enforcer
// starts a phased policy in `boot` and moves once, one way, to `running`
// (the seal). A rule or default limited to a phase holds only in it; `any`
// (no `phase` word) holds in both. Values are on-disk numbers.
enum class Phase : uint8_t { any = 0, boot = 1, running = 2 };

// The longest `seal-after` deadline, in seconds (7 days): a larger number is
// taken for a mistake of unit.
inline constexpr uint64_t kSealAfterMax = 7 * 24 * 3600;

// The strings of rules are std::pmr strings: a decoded document keeps them
// in its arena (Document::arena), one block freed with the document
// instead of one allocation per string. Built any other way (the policy
// language, a copy, a test), they use the default resource, as
// std::string would. A copy of a rule or document owns its strings; a rule
// *moved* out of a decoded document keeps pointing into that document's
// arena and must not outlive it.
struct Object {
  ObjectKind kind = ObjectKind::any;
  std::pmr::string path;    // absolute, normalised: ObjectKind::path, ::subtree and ::device
  std::pmr::string fstype;  // a name known to fstype_magic(): ObjectKind::fstype
  uint32_t capability = 0;  // CAP_* number: ObjectKind::capability

  friend bool operator==(const Object&, const Object&) = default;
};

// A rule: `action operation object [by SUBJECT] [except SUBJECT, ...]`.
// subject empty = any process; otherwise the absolute path of the
// executable the process runs. exceptions: executables the rule does not
// apply to (only meaningful when subject is empty).
struct Rule {
  Action action = Action::deny;
  Operation operation = Operation::exec;
  Object object;
  std::optional<std::pmr::string> subject;
  std::pmr::vector<std::pmr::string> exceptions;  // sorted, unique
  Phase phase = Phase::any;                       // the phase the rule holds in (schema 4 unless any)

  friend bool operator==(const Rule&, const Rule&) = default;
};

using MachineId = std::array<uint8_t, 16>;  // /etc/machine-id, 32 hex digits

// Where a decoded document's rule strings live: one monotonic buffer,
// sized from the payload, freed in one piece with the document. Only the
// decoder makes one; every other document has none and its strings use
// the default resource.
//
// Its copy and move keep a document's strings valid whatever is assigned
// to what: a copied document's strings are its own (pmr containers copy
// into the default resource), so a copy has no arena, and copy-assignment
// keeps the target's arena (its rules may still use it); move-assignment
// swaps, so the rules it replaces are destroyed while their arena lives
// on in the moved-from document.
class Arena {
 public:
  Arena() = default;
  explicit Arena(size_t initial_bytes)
      : resource_(std::make_unique<std::pmr::monotonic_buffer_resource>(initial_bytes)) {}
  Arena(const Arena&) noexcept {}
  Arena(Arena&&) noexcept = default;
  Arena& operator=(const Arena&) noexcept { return *this; }
  Arena& operator=(Arena&& other) noexcept {
    resource_.swap(other.resource_);
    return *this;
  }
  ~Arena() = default;

  // The resource to build this document's strings from.
  std::pmr::memory_resource* resource() const {
    return resource_ ? resource_.get() : std::pmr::get_default_resource();
  }
  bool empty() const { return resource_ == nullptr; }

  // Arenas hold no policy: two documents with the same content are equal.
  friend bool operator==(const Arena&, const Arena&) { return true; }

 private:
  std::unique_ptr<std::pmr::monotonic_buffer_resource> resource_;
};

struct Document {
  // Declared before rules, so destroyed after them.
  Arena arena;
  uint64_t schema = kSchemaVersion;
  std::string name;
  uint64_t generation = 0;  // >= 1; the anti-rollback counter
  Mode mode = Mode::enforce;
  std::vector<MachineId> machines;  // empty = any machine; sorted, unique
  std::string description;
  // Indexed by Operation; allow unless set. With running_defaults set, these
  // hold in the boot phase only.
  std::array<Action, kOperationCount> defaults{};
  // The defaults of the running phase, when they differ from `defaults` for
  // some operation (schema 4; never set equal to `defaults`).
  std::optional<std::array<Action, kOperationCount>> running_defaults;
  std::vector<Rule> rules;
  Lockdown lockdown = Lockdown::none;
  // `allow bpf-load lsm by SUBJECT` (document key 9, schema 3): the
  // executables whose processes may load BPF LSM programs, besides the
  // loader. Absolute, normalised; sorted, unique. Not rules: no default, no
  // deny, no exceptions, no "any process" (docs/POLICY.md, "Loading BPF LSM
  // programs").
  std::vector<std::string> bpf_lsm_loaders;
  // What ends the boot phase (schema 4): `seal-by PATH`, the executable
  // whose processes may seal (absolute, normalised; a subject), and
  // `seal-after N`, the deadline in seconds after the kernel started
  // (CLOCK_BOOTTIME) at which the enforcer seals by itself (1 ..
  // kSealAfterMax; 0 = the policy has no boot phase). Any phase rule,
  // running default or seal_by needs seal_after.
  std::optional<std::string> seal_by;
  uint64_t seal_after = 0;

  friend bool operator==(const Document&, const Document&) = default;
};

// Whether the policy has a boot phase at all (seal_after set): the enforcer
// then starts in `boot` and seals once; without, it has one phase only and
// every rule holds always.
inline bool has_phases(const Document& doc) { return doc.seal_after != 0; }

// The default for `op` in `phase` (boot or running; any reads as boot).
Action default_for(const Document& doc, Operation op, Phase phase);

// The lowest schema version that holds everything `doc` uses: 4 when it
// uses boot phases (a rule's phase, running_defaults, seal_by, seal_after),
// 3 when it
// grants BPF LSM program loads (bpf_lsm_loaders), 2 when a rule has an
// object kind above `capability` (device, memory) or the document asks for
// a lockdown level, else 1. Writers store this version; a document
// that claims a lower one is refused by validate().
uint64_t required_schema(const Document& doc);

// Names as the language writes them ("module-load", "deny", "CAP_SYS_MODULE").
std::string_view to_string(Action a);
std::string_view to_string(Mode m);
std::string_view to_string(Operation op);
std::string_view to_string(ObjectKind k);
std::string_view to_string(Lockdown l);
std::optional<Lockdown> lockdown_from_string(std::string_view s);
std::string_view to_string(Phase p);  // "any", "boot", "running"
std::optional<Phase> phase_from_string(std::string_view s);  // "boot" or "running" only
std::optional<Action> action_from_string(std::string_view s);
std::optional<Mode> mode_from_string(std::string_view s);
std::optional<Operation> operation_from_string(std::string_view s);

// Linux capabilities by name (CAP_CHOWN = 0 ... CAP_CHECKPOINT_RESTORE = 40).
inline constexpr uint32_t kCapabilityCount = 41;
std::optional<uint32_t> capability_from_string(std::string_view name);
std::string_view capability_name(uint32_t cap);  // "" when unknown

// Filesystem types the enforcer recognises by superblock magic.
std::optional<uint64_t> fstype_magic(std::string_view name);
std::vector<std::string_view> fstype_names();

// Machine ids as 32 lowercase hex digits.
std::optional<MachineId> machine_id_from_string(std::string_view hex);
std::string to_string(const MachineId& id);

// Checks every invariant a Document must hold (generation >= 1, absolute
// normalised paths, object kinds allowed for the operation, known fstypes
// and capabilities, sorted unique lists, no two rules with the same
// operation, object and subject). The error names the rule by index.
Result<void> validate(const Document& doc);


// Whether `k` is an object kind this build knows.
bool object_kind_known(ObjectKind k);

// Whether `path` is absolute and normalised: starts with '/', no empty, "."
// or ".." components, no trailing '/' (except "/" itself), no NUL.
bool is_normalised_absolute_path(std::string_view path);

// ---------------------------------------------------------------------------
// The reference decision: what the policy decides for one operation. This is
// the precedence of docs/POLICY.md written as code; the enforcer's compiled
// maps must agree with it (tests compare the two).
//
// Precedence, first match wins:
//   1. object rank: device, path > subtree (deeper first) > fstype > any;
//      for the capability operation: the named capability > any;
//   2. at equal object: a rule naming the subject > a rule for any subject;
//      a rule for any subject does not match a subject in its exceptions;
//   3. at equal object and subject: deny > audit > allow (only arises when
//      two paths name the same file, e.g. hard links);
//   4. no rule matches: the operation's default.
struct Query {
  Operation operation = Operation::exec;
  std::string path;            // the object's path (exec/read/write/module_load/kexec/mount)
  std::string fstype;          // the object's filesystem type name
  uint32_t capability = 0;     // for Operation::capability
  std::string device;          // read/write of a device node: the device rule path naming it
  std::string subject;         // the executable of the acting process; "" = unknown
  // Executable memory no file backs (exec only): only `memory` rules match,
  // and with none the answer is allow, not the exec default. Other exec
  // queries never match `memory` rules.
  bool memory = false;
  // The enforcer's phase (boot or running; any reads as running): rules of
  // the other phase do not match, and the phase's default applies.
  // Irrelevant without phases (has_phases() false).
  Phase phase = Phase::running;
};

struct Decision {
  Action action = Action::allow;
  int rule = -1;  // index into Document::rules, -1 = the default
};

Decision decide(const Document& doc, const Query& q);

}  // namespace bootseal

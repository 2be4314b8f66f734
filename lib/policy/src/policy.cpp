// SPDX-License-Identifier: GPL-2.0-only
#include "bootseal/policy.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <functional>
#include <utility>

#include <sys/random.h>

#include "validate_internal.hpp"

namespace bootseal {
namespace {

constexpr std::string_view kActionNames[] = {"allow", "deny", "audit"};
constexpr std::string_view kModeNames[] = {"enforce", "permissive"};
constexpr std::string_view kOperationNames[] = {"exec",        "read",  "write", "capability",
                                                "module-load", "kexec", "mount"};
constexpr std::string_view kLockdownNames[] = {"none", "integrity", "confidentiality"};
constexpr std::string_view kPhaseNames[] = {"any", "boot", "running"};

// include/uapi/linux/capability.h, in number order.
constexpr std::string_view kCapabilityNames[kCapabilityCount] = {
    "CAP_CHOWN",          "CAP_DAC_OVERRIDE",    "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
    "CAP_FSETID",         "CAP_KILL",            "CAP_SETGID",          "CAP_SETUID",
    "CAP_SETPCAP",        "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",      "CAP_NET_RAW",         "CAP_IPC_LOCK",        "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",     "CAP_SYS_RAWIO",       "CAP_SYS_CHROOT",      "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",      "CAP_SYS_ADMIN",       "CAP_SYS_BOOT",        "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",   "CAP_SYS_TIME",        "CAP_SYS_TTY_CONFIG",  "CAP_MKNOD",
    "CAP_LEASE",          "CAP_AUDIT_WRITE",     "CAP_AUDIT_CONTROL",   "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",   "CAP_MAC_ADMIN",       "CAP_SYSLOG",          "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",  "CAP_AUDIT_READ",      "CAP_PERFMON",         "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
};

// Superblock magic numbers (include/uapi/linux/magic.h). Several names share
// one magic: ext2 and ext3 are served by ext4's driver, msdos by vfat's,
// devtmpfs is a tmpfs, fuseblk and nfs4 are the block-backed fuse and NFSv4.
struct FsType {
  std::string_view name;
  uint64_t magic;
};
constexpr FsType kFsTypes[] = {
    {"bpf", 0xcafe4a11},       {"btrfs", 0x9123683e},    {"cgroup2", 0x63677270},
    {"configfs", 0x62656570},  {"debugfs", 0x64626720},  {"devpts", 0x1cd1},
    {"devtmpfs", 0x01021994},  {"efivarfs", 0xde5e81e4}, {"erofs", 0xe0f5e1e2},
    {"ext2", 0xef53},          {"ext3", 0xef53},         {"ext4", 0xef53},
    {"f2fs", 0xf2f52010},      {"fuse", 0x65735546},     {"fuseblk", 0x65735546},
    {"hugetlbfs", 0x958458f6}, {"iso9660", 0x9660},      {"mqueue", 0x19800202},
    {"msdos", 0x4d44},         {"nfs", 0x6969},          {"nfs4", 0x6969},
    {"overlay", 0x794c7630},   {"proc", 0x9fa0},
    {"pstore", 0x6165676c},    {"ramfs", 0x858458f6},    {"securityfs", 0x73636673},
    {"squashfs", 0x73717368},  {"sysfs", 0x62656572},    {"tmpfs", 0x01021994},
    {"tracefs", 0x74726163},   {"vfat", 0x4d44},         {"xfs", 0x58465342},
};

template <size_t N>
std::optional<size_t> index_of(const std::string_view (&names)[N], std::string_view s) {
  for (size_t i = 0; i < N; ++i)
    if (names[i] == s) return i;
  return std::nullopt;
}

bool object_allowed(Operation op, ObjectKind kind) {
  if (op == Operation::capability) return kind == ObjectKind::capability || kind == ObjectKind::any;
  if (kind == ObjectKind::memory) return op == Operation::exec;
  if (kind == ObjectKind::device) return op == Operation::read || op == Operation::write;
  return kind != ObjectKind::capability;
}

uint64_t required_schema_of(ObjectKind k) { return k == ObjectKind::memory || k == ObjectKind::device ? 2 : 1; }

std::string rule_name(size_t i) { return "rule " + std::to_string(i + 1); }

// Depth of a normalised absolute path: "/" = 0, "/a" = 1, "/a/b" = 2.
size_t depth(std::string_view p) {
  return p == "/" ? 0 : static_cast<size_t>(std::count(p.begin(), p.end(), '/'));
}

// Whether `dir` is `path` or one of its ancestors.
bool under(std::string_view path, std::string_view dir) {
  if (dir == "/") return !path.empty() && path.front() == '/';
  if (path.size() < dir.size() || path.compare(0, dir.size(), dir) != 0) return false;
  return path.size() == dir.size() || path[dir.size()] == '/';
}

// Whether two rules can hold at the same time: a rule without a phase
// holds in both.
bool phases_overlap(Phase a, Phase b) { return a == Phase::any || b == Phase::any || a == b; }

// The conflict table's seed, drawn once per process. Whoever writes a
// policy could otherwise compute its rules' hashes ahead and choose rules
// that all land in one run of the table: validating n of them would take
// n^2/2 probes (a policy from an untrusted file, read by `bootseal
// inspect`, say). Seeded, the hashes differ from one process to the next.
// This is a seeded mix, not a keyed PRF: it stops a table computed ahead,
// not an attacker who can watch the table's timing in one process.
uint64_t hash_seed() {
  static const uint64_t seed = [] {
    uint64_t s = 0;
    // Early in boot the kernel's pool may not be ready: then the clock
    // and two addresses (randomised by ASLR) stand in.
    if (getrandom(&s, sizeof s, GRND_NONBLOCK) != static_cast<ssize_t>(sizeof s)) {
      timespec ts{};
      clock_gettime(CLOCK_MONOTONIC, &ts);
      s = static_cast<uint64_t>(ts.tv_nsec) ^ static_cast<uint64_t>(ts.tv_sec) << 32 ^
          reinterpret_cast<uintptr_t>(&ts) ^ std::rotl(reinterpret_cast<uintptr_t>(&hash_seed), 32);
    }
    return s;
  }();
  return seed;
}

// A text's hash for the conflict table, eight bytes at a time: cheaper than
// std::hash on paths of a few words, and as good for a table whose hits are
// compared in full.
uint64_t text_hash(std::string_view s, uint64_t seed) {
  constexpr uint64_t kMul = 0x9e3779b97f4a7c15ull;
  uint64_t h = s.size() * kMul ^ seed;
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w = 0;
    std::memcpy(&w, s.data() + i, 8);
    h = std::rotl((h ^ w) * kMul, 29);
  }
  if (i < s.size()) {
    uint64_t w = 0;
    std::memcpy(&w, s.data() + i, s.size() - i);
    h = std::rotl((h ^ w) * kMul, 29);
  }
  return (h ^ (h >> 32)) * kMul;
}

}  // namespace

// A hash of what makes two rules conflict (operation, object, subject;
// not the phase), seeded per process (hash_seed()).
uint64_t detail::conflict_key_hash(const Rule& r) {
  const uint64_t seed = hash_seed();
  // Most rules leave fstype (and many the path) empty: no need to hash those.
  auto h = [seed](std::string_view s) -> uint64_t { return s.empty() ? 0 : text_hash(s, seed); };
  uint64_t x = seed ^ (static_cast<uint64_t>(r.operation) << 8 | static_cast<uint64_t>(r.object.kind));
  x = x * 0x9e3779b97f4a7c15ull ^ r.object.capability;
  x = x * 0x9e3779b97f4a7c15ull ^ h(r.object.path);
  x = x * 0x9e3779b97f4a7c15ull ^ h(r.object.fstype);
  x = x * 0x9e3779b97f4a7c15ull ^ (r.subject ? h(*r.subject) + 1 : 0);
  return x;
}

namespace {

// Two rules conflict when they share operation, object and subject and
// hold in a common phase. Keys are hashed into a table rather than copied
// into an ordered map: validate() runs on every verification, so it must
// stay linear and allocation-light. hashes[i] is conflict_key_hash(rules[i]),
// taken while validate() has the rule at hand.
// Returns (first, second) rule indexes of the conflict whose second rule
// comes earliest in the document.
std::optional<std::pair<size_t, size_t>> find_conflict(const std::vector<Rule>& rules,
                                                       const std::vector<uint64_t>& hashes) {
  auto same = [](const Rule& a, const Rule& b) {
    return a.operation == b.operation && a.object.kind == b.object.kind &&
           a.object.capability == b.object.capability && a.object.path == b.object.path &&
           a.object.fstype == b.object.fstype && a.subject == b.subject && phases_overlap(a.phase, b.phase);
  };
  // Rule indexes in an open-addressing table (linear probing, at most half
  // full), entered in document order. Along one probe sequence the rules
  // of one hash therefore come in increasing index order: the first of
  // them equal to rule j is the earliest, and the first j that finds one
  // is the conflict whose second rule comes earliest.
  constexpr size_t kEmpty = SIZE_MAX;
  int bits = 4;
  while ((size_t{1} << bits) < 2 * rules.size()) ++bits;
  const size_t mask = (size_t{1} << bits) - 1;
  std::vector<size_t> table(mask + 1, kEmpty);
  for (size_t j = 0; j < rules.size(); ++j) {
    const uint64_t hj = hashes[j];
    // The top bits of a multiplicative mix pick the first slot.
    for (size_t pos = static_cast<size_t>((hj * 0x9e3779b97f4a7c15ull) >> (64 - bits));; pos = (pos + 1) & mask) {
      const size_t i = table[pos];
      if (i == kEmpty) {
        table[pos] = j;
        break;
      }
      if (hashes[i] == hj && same(rules[i], rules[j])) return std::pair{i, j};
    }
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(Action a) { return kActionNames[static_cast<size_t>(a)]; }
std::string_view to_string(Mode m) { return kModeNames[static_cast<size_t>(m)]; }
std::string_view to_string(Operation op) { return kOperationNames[static_cast<size_t>(op)]; }
std::string_view to_string(ObjectKind k) {
  switch (k) {
    case ObjectKind::any: return "any";
    case ObjectKind::path: return "path";
    case ObjectKind::subtree: return "subtree";
    case ObjectKind::fstype: return "fstype";
    case ObjectKind::capability: return "capability";
    case ObjectKind::device: return "device";
    case ObjectKind::memory: return "memory";
  }
  return "unknown";
}

bool object_kind_known(ObjectKind k) {
  // The kinds to_string() names; a switch rather than comparing the name,
  // as the decoder and validate() ask for every rule.
  switch (k) {
    case ObjectKind::any:
    case ObjectKind::path:
    case ObjectKind::subtree:
    case ObjectKind::fstype:
    case ObjectKind::capability:
    case ObjectKind::device:
    case ObjectKind::memory:
      return true;
  }
  return false;
}

void detail::RulesSummary::add(const Rule& r) {
  kinds_schema = std::max(kinds_schema, required_schema_of(r.object.kind));
  phased = phased || r.phase != Phase::any;
}

detail::RulesSummary detail::summarize(const std::vector<Rule>& rules) {
  RulesSummary s;
  for (const auto& r : rules) s.add(r);
  return s;
}

uint64_t detail::required_schema(const Document& doc, const RulesSummary& rules) {
  uint64_t v = std::max(kSchemaVersion, rules.kinds_schema);
  if (doc.lockdown != Lockdown::none) v = std::max<uint64_t>(v, 2);
  if (!doc.bpf_lsm_loaders.empty()) v = std::max<uint64_t>(v, 3);
  if (doc.seal_after != 0 || doc.seal_by || doc.running_defaults || rules.phased) v = std::max<uint64_t>(v, 4);
  return v;
}

uint64_t required_schema(const Document& doc) { return detail::required_schema(doc, detail::summarize(doc.rules)); }

std::string_view to_string(Phase p) {
  const auto i = static_cast<size_t>(p);
  return i < std::size(kPhaseNames) ? kPhaseNames[i] : std::string_view("unknown");
}

std::optional<Phase> phase_from_string(std::string_view s) {
  if (s == "boot") return Phase::boot;
  if (s == "running") return Phase::running;
  return std::nullopt;
}

Action default_for(const Document& doc, Operation op, Phase phase) {
  const auto i = static_cast<size_t>(op);
  if (phase == Phase::running && doc.running_defaults) return (*doc.running_defaults)[i];
  return doc.defaults[i];
}

std::string_view to_string(Lockdown l) { return kLockdownNames[static_cast<size_t>(l)]; }

std::optional<Lockdown> lockdown_from_string(std::string_view s) {
  if (auto i = index_of(kLockdownNames, s)) return static_cast<Lockdown>(*i);
  return std::nullopt;
}

std::optional<Action> action_from_string(std::string_view s) {
  if (auto i = index_of(kActionNames, s)) return static_cast<Action>(*i);
  return std::nullopt;
}
std::optional<Mode> mode_from_string(std::string_view s) {
  if (auto i = index_of(kModeNames, s)) return static_cast<Mode>(*i);
  return std::nullopt;
}
std::optional<Operation> operation_from_string(std::string_view s) {
  if (auto i = index_of(kOperationNames, s)) return static_cast<Operation>(*i);
  return std::nullopt;
}

std::optional<uint32_t> capability_from_string(std::string_view name) {
  if (auto i = index_of(kCapabilityNames, name)) return static_cast<uint32_t>(*i);
  return std::nullopt;
}

std::string_view capability_name(uint32_t cap) {
  return cap < kCapabilityCount ? kCapabilityNames[cap] : std::string_view{};
}

std::optional<uint64_t> fstype_magic(std::string_view name) {
  for (const auto& f : kFsTypes)
    if (f.name == name) return f.magic;
  return std::nullopt;
}

std::vector<std::string_view> fstype_names() {
  std::vector<std::string_view> out;
  for (const auto& f : kFsTypes) out.push_back(f.name);
  return out;
}

std::optional<MachineId> machine_id_from_string(std::string_view hex) {
  if (hex.size() != 32) return std::nullopt;
  MachineId id{};
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  for (size_t i = 0; i < 16; ++i) {
    int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    id[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return id;
}

std::string to_string(const MachineId& id) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  s.reserve(32);
  for (uint8_t b : id) {
    s += kHex[b >> 4];
    s += kHex[b & 15];
  }
  return s;
}

namespace {

// Bit 7 of each byte of the result is set exactly where x has a zero byte
// (no carry crosses bytes, so each byte is tested apart).
constexpr uint64_t zero_bytes(uint64_t x) {
  constexpr uint64_t kLow7 = 0x7f7f7f7f7f7f7f7full;
  return ~(((x & kLow7) + kLow7) | x | kLow7);
}

// Nonzero when x has a zero byte (which one is not told exactly).
constexpr uint64_t any_zero_byte(uint64_t x) {
  return (x - 0x0101010101010101ull) & ~x & 0x8080808080808080ull;
}

inline uint64_t load8(const char* p) {
  uint64_t w = 0;
  std::memcpy(&w, p, 8);
  return w;
}

}  // namespace

bool is_normalised_absolute_path(std::string_view path) {
  const size_t n = path.size();
  if (n == 0 || path[0] != '/') return false;
  if (n == 1) return true;
  if (path[n - 1] == '/' || path[n - 1] == '\0') return false;
  const char* p = path.data();
  // A path with no NUL and no '/' followed by '/' or '.' is normalised:
  // test that eight byte pairs at a time (the last window overlapping).
  // The windows' first bytes cover all but the last byte, tested above.
  // Any other path, and a short one, is looked at byte by byte.
  if (n >= 9) {
    constexpr uint64_t kSlashes = 0x2f2f2f2f2f2f2f2full;
    constexpr uint64_t kOnes = 0x0101010101010101ull;  // '.' is 0x2e: '/' less its low bit
    uint64_t bad = 0;
    for (size_t k = 0;; k += 8) {
      if (k + 9 > n) k = n - 9;
      const uint64_t a = load8(p + k);      // bytes k .. k+7
      const uint64_t b = load8(p + k + 1);  // the byte after each of them
      bad |= any_zero_byte(a) | (zero_bytes(a ^ kSlashes) & zero_bytes((b | kOnes) ^ kSlashes));
      if (k + 9 == n) break;
    }
    if (bad == 0) return true;
  }
  // No NUL, and no component that is empty, "." or "..". A component
  // starts after each '/' (and before the end: no trailing '/').
  for (size_t i = 1; i < n; ++i) {
    const char c = p[i];
    if (c == '\0') return false;
    if (p[i - 1] != '/') continue;
    if (c == '/') return false;  // empty component
    if (c == '.') {
      size_t j = i + 1;
      if (j < n && p[j] == '.') ++j;
      if (j == n || p[j] == '/') return false;  // "." or ".."
    }
  }
  return true;
}

Result<void> detail::validate_fields(const Document& doc, const RulesSummary& rules) {
  if (doc.schema < kSchemaVersion || doc.schema > kSchemaMaxVersion)
    return make_error("unsupported schema version " + std::to_string(doc.schema));
  if (static_cast<size_t>(doc.lockdown) >= std::size(kLockdownNames)) return make_error("unknown lockdown level");
  // Rules that need a newer schema are named by validate_rule(), each by its index.
  if (doc.lockdown != Lockdown::none && doc.schema < 2)
    return make_error("schema version " + std::to_string(doc.schema) +
                      " cannot hold a lockdown level (schema 2 needed)");
  if (!doc.bpf_lsm_loaders.empty() && doc.schema < 3)
    return make_error("schema version " + std::to_string(doc.schema) +
                      " cannot hold bpf-load grants (schema 3 needed)");
  for (const auto& s : doc.bpf_lsm_loaders)
    if (!is_normalised_absolute_path(s))
      return make_error("bpf-load grant: subject '" + s + "' is not an absolute path");
  if (!std::is_sorted(doc.bpf_lsm_loaders.begin(), doc.bpf_lsm_loaders.end()) ||
      std::adjacent_find(doc.bpf_lsm_loaders.begin(), doc.bpf_lsm_loaders.end()) != doc.bpf_lsm_loaders.end())
    return make_error("bpf-load grants are not sorted and unique");
  // Boot phases (schema 4).
  if ((doc.seal_after != 0 || doc.seal_by || doc.running_defaults || rules.phased) && doc.schema < 4)
    return make_error("schema version " + std::to_string(doc.schema) + " cannot hold boot phases (schema 4 needed)");
  if (doc.seal_after > kSealAfterMax)
    return make_error("seal-after " + std::to_string(doc.seal_after) + " s is more than " +
                      std::to_string(kSealAfterMax) + " s (7 days)");
  if (doc.seal_by && !is_normalised_absolute_path(*doc.seal_by))
    return make_error("seal-by: '" + *doc.seal_by + "' is not an absolute path");
  if (doc.running_defaults) {
    for (size_t op = 0; op < kOperationCount; ++op)
      if (static_cast<size_t>((*doc.running_defaults)[op]) >= kActionCount)
        return make_error("unknown running-phase default action for operation " + std::to_string(op));
    if (*doc.running_defaults == doc.defaults)
      return make_error("running-phase defaults equal to the defaults must be left out");
  }
  if ((doc.seal_by || doc.running_defaults || rules.phased) && doc.seal_after == 0)
    return make_error("a policy with phases needs a seal-after deadline");
  if (doc.name.empty()) return make_error("the policy has no name");
  if (doc.generation == 0) return make_error("generation must be at least 1");
  if (static_cast<size_t>(doc.mode) >= std::size(kModeNames)) return make_error("unknown mode");
  if (!std::is_sorted(doc.machines.begin(), doc.machines.end()) ||
      std::adjacent_find(doc.machines.begin(), doc.machines.end()) != doc.machines.end())
    return make_error("machine ids are not sorted and unique");
  for (size_t op = 0; op < kOperationCount; ++op)
    if (static_cast<size_t>(doc.defaults[op]) >= kActionCount)
      return make_error("unknown default action for operation " + std::to_string(op));
  return {};
}

Result<void> detail::validate_rule(const Rule& r, size_t i, uint64_t schema) {
  if (static_cast<size_t>(r.action) >= kActionCount) return make_error(rule_name(i) + ": unknown action");
  if (static_cast<size_t>(r.operation) >= kOperationCount) return make_error(rule_name(i) + ": unknown operation");
  const Object& o = r.object;
  if (!object_kind_known(o.kind)) return make_error(rule_name(i) + ": unknown object kind");
  if (required_schema_of(o.kind) > schema)
    return make_error(rule_name(i) + ": object kind '" + std::string(to_string(o.kind)) + "' needs schema " +
                      std::to_string(required_schema_of(o.kind)) + ", the document says " + std::to_string(schema));
  if (!object_allowed(r.operation, o.kind))
    return make_error(rule_name(i) + ": object kind '" + std::string(to_string(o.kind)) +
                      "' is not valid for operation '" + std::string(to_string(r.operation)) + "'");
  bool has_path = o.kind == ObjectKind::path || o.kind == ObjectKind::subtree || o.kind == ObjectKind::device;
  if (has_path ? !is_normalised_absolute_path(o.path) : !o.path.empty())
    return make_error(rule_name(i) + ": bad object path '" + std::string(o.path) + "'");
  if (o.kind == ObjectKind::fstype ? !fstype_magic(o.fstype) : !o.fstype.empty())
    return make_error(rule_name(i) + ": unknown filesystem type '" + std::string(o.fstype) + "'");
  if (o.kind == ObjectKind::capability ? o.capability >= kCapabilityCount : o.capability != 0)
    return make_error(rule_name(i) + ": bad capability number " + std::to_string(o.capability));
  if (r.subject && !is_normalised_absolute_path(*r.subject))
    return make_error(rule_name(i) + ": subject '" + std::string(*r.subject) + "' is not an absolute path");
  if (o.kind == ObjectKind::device && r.action == Action::allow && !r.subject)
    return make_error(rule_name(i) + ": an allow rule for a device must name a subject ('by')");
  if (r.subject && !r.exceptions.empty())
    return make_error(rule_name(i) + ": a rule with a subject cannot have exceptions");
  for (const auto& e : r.exceptions)
    if (!is_normalised_absolute_path(e))
      return make_error(rule_name(i) + ": exception '" + std::string(e) + "' is not an absolute path");
  if (!std::is_sorted(r.exceptions.begin(), r.exceptions.end()) ||
      std::adjacent_find(r.exceptions.begin(), r.exceptions.end()) != r.exceptions.end())
    return make_error(rule_name(i) + ": exceptions are not sorted and unique");
  if (static_cast<size_t>(r.phase) >= std::size(kPhaseNames)) return make_error(rule_name(i) + ": unknown phase");
  return {};
}

Result<void> detail::validate_conflicts(const std::vector<Rule>& rules, const std::vector<uint64_t>& hashes) {
  if (auto c = find_conflict(rules, hashes)) {
    const bool phased = rules[c->first].phase != Phase::any || rules[c->second].phase != Phase::any;
    return make_error(rule_name(c->second) + " conflicts with " + rule_name(c->first) +
                      ": same operation, object and subject" + (phased ? ", in a common phase" : ""));
  }
  return {};
}

Result<void> validate(const Document& doc) {
  if (auto v = detail::validate_fields(doc, detail::summarize(doc.rules)); !v) return v;
  std::vector<uint64_t> hashes(doc.rules.size());
  for (size_t i = 0; i < doc.rules.size(); ++i) {
    hashes[i] = detail::conflict_key_hash(doc.rules[i]);
    if (auto v = detail::validate_rule(doc.rules[i], i, doc.schema); !v) return v;
  }
  return detail::validate_conflicts(doc.rules, hashes);
}

Decision decide(const Document& doc, const Query& q) {
  constexpr int kExactRank = 1 << 30;
  // Rank of a matching rule: higher wins. Object rank dominates, then
  // subject, then action severity.
  struct Rank {
    int object;   // 0 any, 1 fstype, 2 + depth subtree, kExactRank path / capability
    int subject;  // 1 named, 0 any
    int action;   // allow 0, audit 1, deny 2
    // clang-tidy 14 reads the literal 0 a defaulted <=> compares with as a
    // null pointer (a false positive): hence the NOLINT.
    auto operator<=>(const Rank&) const = default;  // NOLINT(modernize-use-nullptr)
  };
  auto severity = [](Action a) { return a == Action::deny ? 2 : a == Action::audit ? 1 : 0; };

  // Boot phases filter first: a rule of the other phase does not exist for
  // this decision. Without phases the enforcer has one phase only.
  const Phase phase = has_phases(doc) ? (q.phase == Phase::boot ? Phase::boot : Phase::running) : Phase::any;
  Decision best{q.memory ? Action::allow : default_for(doc, q.operation, phase), -1};
  std::optional<Rank> best_rank;
  for (size_t i = 0; i < doc.rules.size(); ++i) {
    const Rule& r = doc.rules[i];
    if (r.operation != q.operation) continue;
    if (phase != Phase::any && r.phase != Phase::any && r.phase != phase) continue;
    if ((r.object.kind == ObjectKind::memory) != q.memory) continue;
    int subject_rank = 0;
    if (r.subject) {
      if (q.subject.empty() || std::string_view(*r.subject) != q.subject) continue;
      subject_rank = 1;
    } else if (!q.subject.empty() &&
               std::binary_search(r.exceptions.begin(), r.exceptions.end(), std::string_view(q.subject),
                                  std::less<>())) {
      continue;
    }
    int object_rank = -1;
    switch (r.object.kind) {
      case ObjectKind::any: object_rank = 0; break;
      case ObjectKind::fstype:
        // By magic, as the enforcer sees it: tmpfs and devtmpfs share one.
        if (!q.fstype.empty() && fstype_magic(q.fstype) == fstype_magic(r.object.fstype)) object_rank = 1;
        break;
      case ObjectKind::subtree:
        if (!q.path.empty() && under(q.path, r.object.path))
          object_rank = 2 + static_cast<int>(depth(r.object.path));
        break;
      case ObjectKind::path:
        if (!q.path.empty() && q.path == std::string_view(r.object.path)) object_rank = kExactRank;
        break;
      case ObjectKind::capability:
        if (q.capability == r.object.capability) object_rank = kExactRank;
        break;
      case ObjectKind::memory: object_rank = 0; break;
      case ObjectKind::device:
        if (!q.device.empty() && q.device == std::string_view(r.object.path)) object_rank = kExactRank + 1;
        break;
    }
    if (object_rank < 0) continue;
    Rank rank{object_rank, subject_rank, severity(r.action)};
    if (!best_rank || *best_rank < rank) {
      best_rank = rank;
      best = Decision{r.action, static_cast<int>(i)};
    }
  }
  return best;
}

}  // namespace bootseal

// SPDX-License-Identifier: GPL-2.0-only
// The policy document as CBOR (FORMAT.md, "The policy document"): a
// deterministic encoder and a strict decoder for untrusted input.
//
// The decoder is hand-written over std::span rather than built on
// libcbor's loader: libcbor allocates a tree for whatever the input
// declares and accepts non-shortest and unsorted encodings, while here every
// length is compared with the remaining input before it is used and every
// deterministic-encoding rule is checked as the item is read (StrictReader,
// in the same pass that decodes; cbor_strict.hpp). When the input is
// refused, check_deterministic names the encoding rule it breaks, if any,
// before the schema is blamed.
#include <algorithm>
#include <cstring>
#include <optional>
#include <string>

#include "bootseal/policy.hpp"
#include "bootseal/seal.hpp"
#include "cbor_strict.hpp"
#include "seal_internal.hpp"
#include "validate_internal.hpp"

namespace bootseal {
// Schemas 1 to 4 (FORMAT.md, "The policy document").

namespace {

// Document map keys.
enum DocKey : uint64_t {
  kDocSchema = 0,
  kDocName = 1,
  kDocGeneration = 2,
  kDocMode = 3,
  kDocMachines = 4,
  kDocDescription = 5,
  kDocDefaults = 6,
  kDocRules = 7,
  kDocLockdown = 8,  // schema 2
  kDocBpfLsmLoaders = 9,  // schema 3
  kDocRunningDefaults = 10,  // schema 4
  kDocSealBy = 11,           // schema 4
  kDocSealAfter = 12,        // schema 4
};

// Rule map keys.
enum RuleKey : uint64_t {
  kRuleAction = 0,
  kRuleOperation = 1,
  kRuleObjectKind = 2,
  kRulePath = 3,
  kRuleFstype = 4,
  kRuleCapability = 5,
  kRuleSubject = 6,
  kRuleExceptions = 7,
  kRulePhase = 8,  // schema 4
};

// The highest object kind number (memory).
constexpr uint64_t kObjectKindMax = 6;

// The schema versions this build reads, for messages: "1 to 2".
std::string reads() { return std::to_string(kSchemaVersion) + " to " + std::to_string(kSchemaMaxVersion); }

bool kind_has_path(ObjectKind k) {
  return k == ObjectKind::path || k == ObjectKind::subtree || k == ObjectKind::device;
}

void encode_rule(cbor::Writer& w, const Rule& r) {
  const bool has_path = kind_has_path(r.object.kind);
  const bool has_fstype = r.object.kind == ObjectKind::fstype;
  const bool has_cap = r.object.kind == ObjectKind::capability;
  const bool has_subject = r.subject.has_value();
  const bool has_exceptions = !r.exceptions.empty();
  const bool has_phase = r.phase != Phase::any;
  w.map(3 + (has_path ? 1 : 0) + (has_fstype ? 1 : 0) + (has_cap ? 1 : 0) + (has_subject ? 1 : 0) +
        (has_exceptions ? 1 : 0) + (has_phase ? 1 : 0));
  w.uint(kRuleAction);
  w.uint(static_cast<uint64_t>(r.action));
  w.uint(kRuleOperation);
  w.uint(static_cast<uint64_t>(r.operation));
  w.uint(kRuleObjectKind);
  w.uint(static_cast<uint64_t>(r.object.kind));
  if (has_path) {
    w.uint(kRulePath);
    w.text(r.object.path);
  }
  if (has_fstype) {
    w.uint(kRuleFstype);
    w.text(r.object.fstype);
  }
  if (has_cap) {
    w.uint(kRuleCapability);
    w.uint(r.object.capability);
  }
  if (has_subject) {
    w.uint(kRuleSubject);
    w.text(*r.subject);
  }
  if (has_exceptions) {
    w.uint(kRuleExceptions);
    w.array(r.exceptions.size());
    for (const auto& e : r.exceptions) w.text(e);
  }
  if (has_phase) {
    w.uint(kRulePhase);
    w.uint(static_cast<uint64_t>(r.phase));
  }
}

// Decodes the schema and checks the encoding in one pass (StrictReader):
// every item is read as one of the types the schema names, map keys are
// unsigned integers in increasing order (for shortest-form integers, the
// bytewise order of their encodings) and the document must end the input,
// so what it accepts also passes check_deterministic. Each failure names
// the byte offset and what was expected there; when the encoding is at
// fault, the caller replaces that with check_deterministic's reason.
//
// With `validate`, each rule is also checked against validate()'s
// invariants as soon as it is decoded, while its bytes and strings are
// still in the cache, instead of in a second pass over the rules: run()
// then fails with VerifyStatus::invalid_policy and validate()'s message,
// and what it returns passes validate(). Without, validate() is the
// caller's (decode_document_unchecked). Either way an undecodable input
// fails with VerifyStatus::malformed_payload.
class DocDecoder {
 public:
  DocDecoder(std::span<const uint8_t> in, bool validate) : r_(in), validate_(validate) {}

  // Whether run() failed reading the input (and not on what it read).
  bool read_failed() const { return read_failed_; }

  Result<Document, VerifyStatus> run() {
    // The rules' strings go to the document's arena. Their bytes are at
    // most the input's (each is encoded with its length before it), so one
    // block of that size usually holds them all; exception lists take
    // more when they are many, and the arena grows.
    Document doc;
    doc.arena = Arena(std::max<size_t>(r_.left(), 1));  // its size must not be 0
    mem_ = doc.arena.resource();
    if (!document(&doc)) return read_failure(error_);
    if (!r_.at_end()) return read_failure(where(r_.offset()) + "trailing bytes after the document");
    // One document, one encoding: a writer stores the lowest schema version
    // that holds the document (required_schema()), so a higher one is
    // refused, here where the verified path (verify_sealed) decodes too.
    if (const uint64_t need = detail::required_schema(doc, summary_); doc.schema > need)
      return malformed("policy document: schema version (key 0) is " + std::to_string(doc.schema) +
                       ", but nothing in the document needs more than " + std::to_string(need) +
                       " (a writer stores the lowest version that holds the document)");
    if (validate_) {
      // validate()'s order: the document's fields, the first rule that
      // breaks an invariant, the conflicts.
      if (auto v = detail::validate_fields(doc, summary_); !v) return invalid(v.error());
      if (rule_error_) return invalid(*rule_error_);
      if (auto v = detail::validate_conflicts(doc.rules, hashes_); !v) return invalid(v.error());
    }
    return doc;
  }

 private:
  static Error<VerifyStatus> malformed(std::string message) {
    return make_error(VerifyStatus::malformed_payload, std::move(message));
  }
  Error<VerifyStatus> read_failure(std::string message) {
    read_failed_ = true;
    return malformed(std::move(message));
  }
  static Error<VerifyStatus> invalid(const std::string& message) {
    return make_error(VerifyStatus::invalid_policy, "policy document: " + message);
  }
  static std::string where(size_t offset) {
    return "policy document, offset " + std::to_string(offset) + ": ";
  }
  bool fail(size_t offset, const std::string& what) {
    error_ = where(offset) + what;
    return false;
  }
  // The messages of the field readers below, built out of line: the
  // readers run for every field of every rule and stay small enough to
  // be inlined.
  [[gnu::cold, gnu::noinline]] bool fail_field(size_t offset, const char* name, const char* what) {
    return fail(offset, context() + name + what);
  }
  [[gnu::cold, gnu::noinline]] bool fail_range(size_t offset, const char* name, uint64_t value, uint64_t max) {
    return fail(offset, context() + name + ": value " + std::to_string(value) + " out of range (at most " +
                            std::to_string(max) + ")");
  }

  bool uint_field(const char* name, uint64_t max, uint64_t* out) {
    const size_t off = r_.offset();
    cbor::StrictReader::Head h;
    if (!r_.expect(cbor::kUint, &h)) [[unlikely]]
      return fail_field(off, name, ": expected an unsigned integer");
    if (h.arg > max) [[unlikely]]
      return fail_range(off, name, h.arg, max);
    *out = h.arg;
    return true;
  }

  // A text string as a view into the input, for the caller to copy once
  // into where it is kept.
  bool text_view(const char* name, std::string_view* out) {
    const size_t off = r_.offset();
    if (!r_.tstr(out)) [[unlikely]]
      return fail_field(off, name, ": expected a text string");
    return true;
  }

  // Into a std::string or a std::pmr::string: built at its size with the
  // target's allocator, then moved in.
  template <class String>
  bool text_field(const char* name, String* out) {
    std::string_view s;
    if (!text_view(name, &s)) return false;
    *out = String(s, out->get_allocator());
    return true;
  }

  // Reads an array head; StrictReader refuses a count beyond the bytes left.
  bool array_head(const char* name, uint64_t* n) {
    const size_t off = r_.offset();
    cbor::StrictReader::Head h;
    if (!r_.expect(cbor::kArray, &h)) [[unlikely]]
      return fail_field(off, name, ": expected an array");
    *n = h.arg;
    return true;
  }

  // Reads a map key: an unsigned integer above the previous one.
  bool key(const char* what, bool first, uint64_t prev, uint64_t* k) {
    const size_t off = r_.offset();
    cbor::StrictReader::Head h;
    if (!r_.expect(cbor::kUint, &h)) [[unlikely]]
      return fail_field(off, what, ": map key is not an unsigned integer");
    if (!first && h.arg <= prev) [[unlikely]]
      return fail_field(off, what, ": map keys out of order");
    *k = h.arg;
    return true;
  }

  bool document(Document* doc) {
    const size_t off = r_.offset();
    cbor::StrictReader::Head h;
    if (!r_.expect(cbor::kMap, &h)) return fail(off, "expected the document map");
    const uint64_t pairs = h.arg;
    bool seen[13] = {};
    uint64_t prev = 0;
    for (uint64_t i = 0; i < pairs; ++i) {
      const size_t key_off = r_.offset();
      uint64_t k = 0;
      if (!key("document", i == 0, prev, &k)) return false;
      prev = k;
      if (i == 0 && k != kDocSchema) return fail(key_off, "missing the schema version (key 0)");
      uint64_t v = 0;
      switch (k) {
        case kDocSchema:
          if (!uint_field("schema version (key 0)", UINT64_MAX, &v)) return false;
          if (v < kSchemaVersion || v > kSchemaMaxVersion) {
            return fail(key_off, "unsupported schema version " + std::to_string(v) + " (this build reads " +
                                     reads() + ")");
          }
          doc->schema = v;
          schema_ = v;
          break;
        case kDocName:
          if (!text_field("name (key 1)", &doc->name)) return false;
          break;
        case kDocGeneration:
          if (!uint_field("generation (key 2)", UINT64_MAX, &doc->generation)) return false;
          break;
        case kDocMode:
          if (!uint_field("mode (key 3)", 1, &v)) return false;
          doc->mode = static_cast<Mode>(v);
          break;
        case kDocMachines:
          if (!machines(&doc->machines)) return false;
          break;
        case kDocDescription:
          if (!text_field("description (key 5)", &doc->description)) return false;
          if (doc->description.empty()) {
            return fail(key_off, "description (key 5): an empty description must be omitted");
          }
          break;
        case kDocDefaults:
          if (!defaults("defaults (key 6)", &doc->defaults)) return false;
          break;
        case kDocRules:
          if (!rules(&doc->rules)) return false;
          break;
        case kDocLockdown:
          if (doc->schema < 2) return fail(key_off, "lockdown (key 8) needs schema version 2");
          if (!uint_field("lockdown (key 8)", 2, &v)) return false;
          if (v == 0) return fail(key_off, "lockdown (key 8): level none must be omitted");
          doc->lockdown = static_cast<Lockdown>(v);
          break;
        case kDocBpfLsmLoaders: {
          if (doc->schema < 3) return fail(key_off, "bpf-load lsm subjects (key 9) need schema version 3");
          const size_t aoff = r_.offset();
          uint64_t n = 0;
          if (!array_head("bpf-load lsm subjects (key 9)", &n)) return false;
          if (n == 0) return fail(aoff, "bpf-load lsm subjects (key 9): an empty list must be omitted");
          doc->bpf_lsm_loaders.reserve(static_cast<size_t>(n));
          for (uint64_t e = 0; e < n; ++e) {
            std::string subject;
            if (!text_field("bpf-load lsm subject", &subject)) return false;
            doc->bpf_lsm_loaders.push_back(std::move(subject));
          }
          break;
        }
        case kDocRunningDefaults: {
          if (doc->schema < 4) return fail(key_off, "running-phase defaults (key 10) need schema version 4");
          std::array<Action, kOperationCount> run{};
          if (!defaults("running-phase defaults (key 10)", &run)) return false;
          if (run == doc->defaults)
            return fail(key_off, "running-phase defaults (key 10): equal to the defaults (key 6), must be omitted");
          doc->running_defaults = run;
          break;
        }
        case kDocSealBy: {
          if (doc->schema < 4) return fail(key_off, "seal-by (key 11) needs schema version 4");
          std::string path;
          if (!text_field("seal-by (key 11)", &path)) return false;
          doc->seal_by = std::move(path);
          break;
        }
        case kDocSealAfter:
          if (doc->schema < 4) return fail(key_off, "seal-after (key 12) needs schema version 4");
          if (!uint_field("seal-after (key 12)", kSealAfterMax, &v)) return false;
          if (v == 0) return fail(key_off, "seal-after (key 12): 0 must be omitted (a policy without phases)");
          doc->seal_after = v;
          break;
        default:
          return fail(key_off, "unknown document key " + std::to_string(k));
      }
      seen[k] = true;
    }
    static const char* const required[] = {"schema version (key 0)", "name (key 1)", "generation (key 2)",
                                           "mode (key 3)", nullptr, nullptr, "defaults (key 6)",
                                           "rules (key 7)"};
    for (size_t k = 0; k < 8; ++k) {
      if (required[k] != nullptr && !seen[k]) return fail(off, std::string("missing ") + required[k]);
    }
    return true;
  }

  bool machines(std::vector<MachineId>* out) {
    const size_t off = r_.offset();
    uint64_t n = 0;
    if (!array_head("machines (key 4)", &n)) return false;
    if (n == 0) return fail(off, "machines (key 4): an empty list must be omitted");
    out->reserve(static_cast<size_t>(n));
    for (uint64_t i = 0; i < n; ++i) {
      const size_t eoff = r_.offset();
      std::span<const uint8_t> b;
      if (!r_.bstr(&b) || b.size() != 16) {
        return fail(eoff, "machines (key 4): entry " + std::to_string(i) + " is not a 16-byte string");
      }
      MachineId id{};
      std::memcpy(id.data(), b.data(), id.size());
      out->push_back(id);
    }
    return true;
  }

  bool defaults(const std::string& name, std::array<Action, kOperationCount>* out) {
    const size_t off = r_.offset();
    uint64_t n = 0;
    if (!array_head(name.c_str(), &n)) return false;
    if (n != kOperationCount) {
      return fail(off, name + ": expected " + std::to_string(kOperationCount) + " actions, found " +
                           std::to_string(n));
    }
    const std::string action = name + ": action";
    for (size_t i = 0; i < kOperationCount; ++i) {
      uint64_t v = 0;
      if (!uint_field(action.c_str(), kActionCount - 1, &v)) return false;
      (*out)[i] = static_cast<Action>(v);
    }
    return true;
  }

  // The fewest bytes a rule's encoding takes: a map head and three pairs
  // (action, operation, object kind) of one byte each side.
  static constexpr size_t kMinRuleBytes = 7;

  bool rules(std::vector<Rule>* out) {
    uint64_t n = 0;
    if (!array_head("rules (key 7)", &n)) return false;
    // n is at most the bytes left (StrictReader); room is reserved only for
    // as many rules as those bytes can hold.
    const auto room = static_cast<size_t>(std::min<uint64_t>(n, r_.left() / kMinRuleBytes));
    out->reserve(room);
    if (validate_) hashes_.reserve(room);
    for (uint64_t i = 0; i < n; ++i) {
      out->push_back(empty_rule());
      if (!this->rule(i, &out->back())) return false;
      const Rule& r = out->back();
      summary_.add(r);
      if (validate_) {
        hashes_.push_back(detail::conflict_key_hash(r));
        if (!rule_error_) {
          if (auto v = detail::validate_rule(r, static_cast<size_t>(i), schema_); !v) [[unlikely]]
            rule_error_ = v.error();
        }
      }
    }
    return true;
  }

  // Rule{} with its strings and exception list on the document's arena.
  Rule empty_rule() const {
    return Rule{.action = Action::deny,
                .operation = Operation::exec,
                .object = {.kind = ObjectKind::any,
                           .path = std::pmr::string(mem_),
                           .fstype = std::pmr::string(mem_),
                           .capability = 0},
                .subject = std::nullopt,
                .exceptions = std::pmr::vector<std::pmr::string>(mem_),
                .phase = Phase::any};
  }

  bool rule(uint64_t index, Rule* rule) {
    // Messages name the rule; the text is built only when something fails.
    rule_ = index;
    const size_t off = r_.offset();
    cbor::StrictReader::Head h;
    if (!r_.expect(cbor::kMap, &h)) return fail(off, context() + ": expected a map");
    bool seen[9] = {};
    uint64_t prev = 0;
    for (uint64_t i = 0; i < h.arg; ++i) {
      const size_t key_off = r_.offset();
      uint64_t k = 0;
      if (!key("", i == 0, prev, &k)) return false;
      prev = k;
      uint64_t v = 0;
      switch (k) {
        case kRuleAction:
          if (!uint_field(" action (key 0)", kActionCount - 1, &v)) return false;
          rule->action = static_cast<Action>(v);
          break;
        case kRuleOperation:
          if (!uint_field(" operation (key 1)", kOperationCount - 1, &v)) return false;
          rule->operation = static_cast<Operation>(v);
          break;
        case kRuleObjectKind:
          if (!uint_field(" object kind (key 2)", kObjectKindMax, &v)) return false;
          if (!object_kind_known(static_cast<ObjectKind>(v)))
            return fail(key_off, context() + " object kind (key 2): unknown object kind " + std::to_string(v));
          rule->object.kind = static_cast<ObjectKind>(v);
          if (schema_ < required_schema_of_kind(rule->object.kind)) {
            return fail(key_off, context() + " object kind (key 2): " + std::string(to_string(rule->object.kind)) +
                                     " needs schema version 2");
          }
          break;
        case kRulePath:
          if (!text_field(" path (key 3)", &rule->object.path)) return false;
          break;
        case kRuleFstype:
          if (!text_field(" fstype (key 4)", &rule->object.fstype)) return false;
          break;
        case kRuleCapability:
          if (!uint_field(" capability (key 5)", UINT32_MAX, &v)) return false;
          rule->object.capability = static_cast<uint32_t>(v);
          break;
        case kRuleSubject: {
          std::string_view s;
          if (!text_view(" subject (key 6)", &s)) return false;
          rule->subject.emplace(s, mem_);
          break;
        }
        case kRuleExceptions: {
          const size_t aoff = r_.offset();
          uint64_t n = 0;
          if (!array_head(" exceptions (key 7)", &n)) return false;
          if (n == 0) return fail(aoff, context() + " exceptions (key 7): an empty list must be omitted");
          rule->exceptions.reserve(static_cast<size_t>(n));
          for (uint64_t e = 0; e < n; ++e) {
            std::string_view s;
            if (!text_view(" exception", &s)) return false;
            rule->exceptions.emplace_back(s);
          }
          break;
        }
        case kRulePhase:
          if (schema_ < 4) return fail(key_off, context() + " phase (key 8) needs schema version 4");
          if (!uint_field(" phase (key 8)", 2, &v)) return false;
          if (v == 0) return fail(key_off, context() + " phase (key 8): phase any must be omitted");
          rule->phase = static_cast<Phase>(v);
          break;
        default:
          return fail(key_off, "unknown " + context() + " key " + std::to_string(k));
      }
      seen[k] = true;
    }
    if (!seen[kRuleAction]) return fail(off, context() + ": missing action (key 0)");
    if (!seen[kRuleOperation]) return fail(off, context() + ": missing operation (key 1)");
    if (!seen[kRuleObjectKind]) return fail(off, context() + ": missing object kind (key 2)");
    // Exactly the field the object kind uses is present: one document, one encoding.
    const ObjectKind kind = rule->object.kind;
    const bool want_path = kind_has_path(kind);
    const bool want_fstype = kind == ObjectKind::fstype;
    const bool want_cap = kind == ObjectKind::capability;
    if (seen[kRulePath] != want_path) {
      return fail(off, context() + ": object kind " + std::string(to_string(kind)) +
                           (want_path ? " needs" : " does not take") + " a path (key 3)");
    }
    if (seen[kRuleFstype] != want_fstype) {
      return fail(off, context() + ": object kind " + std::string(to_string(kind)) +
                           (want_fstype ? " needs" : " does not take") + " a filesystem type (key 4)");
    }
    if (seen[kRuleCapability] != want_cap) {
      return fail(off, context() + ": object kind " + std::string(to_string(kind)) +
                           (want_cap ? " needs" : " does not take") + " a capability (key 5)");
    }
    rule_.reset();
    return true;
  }

  // "rule N" while a rule is decoded, else "".
  std::string context() const { return rule_ ? "rule " + std::to_string(*rule_) : std::string(); }

  static uint64_t required_schema_of_kind(ObjectKind k) {
    return static_cast<uint8_t>(k) > static_cast<uint8_t>(ObjectKind::capability) ? 2 : 1;
  }

  cbor::StrictReader r_;
  const bool validate_;
  bool read_failed_ = false;
  detail::RulesSummary summary_;  // of the rules decoded so far
  std::vector<uint64_t> hashes_;  // with validate_: conflict_key_hash() of each rule
  std::optional<std::string> rule_error_;  // with validate_: validate_rule()'s first failure
  std::string error_;
  std::optional<uint64_t> rule_;
  uint64_t schema_ = 1;  // the document's schema version, read first (key 0)
  std::pmr::memory_resource* mem_ = nullptr;  // the document's arena, set by run()
};

}  // namespace

std::vector<uint8_t> encode_document(const Document& doc) {
  cbor::Writer w;
  w.reserve(64 + doc.name.size() + doc.description.size() + doc.rules.size() * 48);
  const bool has_machines = !doc.machines.empty();
  const bool has_description = !doc.description.empty();
  const bool has_lockdown = doc.lockdown != Lockdown::none;
  const bool has_bpf_lsm_loaders = !doc.bpf_lsm_loaders.empty();
  const bool has_running_defaults = doc.running_defaults.has_value();
  const bool has_seal_by = doc.seal_by.has_value();
  const bool has_seal_after = doc.seal_after != 0;
  w.map(6 + (has_machines ? 1 : 0) + (has_description ? 1 : 0) + (has_lockdown ? 1 : 0) +
        (has_bpf_lsm_loaders ? 1 : 0) + (has_running_defaults ? 1 : 0) + (has_seal_by ? 1 : 0) +
        (has_seal_after ? 1 : 0));
  w.uint(kDocSchema);
  w.uint(required_schema(doc));
  w.uint(kDocName);
  w.text(doc.name);
  w.uint(kDocGeneration);
  w.uint(doc.generation);
  w.uint(kDocMode);
  w.uint(static_cast<uint64_t>(doc.mode));
  if (has_machines) {
    w.uint(kDocMachines);
    w.array(doc.machines.size());
    for (const auto& m : doc.machines) w.bytes(m);
  }
  if (has_description) {
    w.uint(kDocDescription);
    w.text(doc.description);
  }
  w.uint(kDocDefaults);
  w.array(kOperationCount);
  for (const Action a : doc.defaults) w.uint(static_cast<uint64_t>(a));
  w.uint(kDocRules);
  w.array(doc.rules.size());
  for (const auto& r : doc.rules) encode_rule(w, r);
  if (has_lockdown) {
    w.uint(kDocLockdown);
    w.uint(static_cast<uint64_t>(doc.lockdown));
  }
  if (has_bpf_lsm_loaders) {
    w.uint(kDocBpfLsmLoaders);
    w.array(doc.bpf_lsm_loaders.size());
    for (const auto& subject : doc.bpf_lsm_loaders) w.text(subject);
  }
  if (has_running_defaults) {
    w.uint(kDocRunningDefaults);
    w.array(kOperationCount);
    for (const Action a : *doc.running_defaults) w.uint(static_cast<uint64_t>(a));
  }
  if (has_seal_by) {
    w.uint(kDocSealBy);
    w.text(*doc.seal_by);
  }
  if (has_seal_after) {
    w.uint(kDocSealAfter);
    w.uint(doc.seal_after);
  }
  return std::move(w.out());
}

namespace detail {

namespace {

Result<Document, VerifyStatus> decode(std::span<const uint8_t> cbor, bool validate) {
  // A newer schema is named as such before anything else is judged: the
  // document map's first key is 0, the schema version.
  {
    cbor::Reader r(cbor);
    cbor::Reader::Head h;
    if (r.expect(cbor::kMap, &h) && h.arg > 0 && r.expect(cbor::kUint, &h) && h.arg == kDocSchema &&
        r.expect(cbor::kUint, &h) && (h.arg < kSchemaVersion || h.arg > kSchemaMaxVersion)) {
      return make_error(VerifyStatus::malformed_payload,
                        "policy document, offset " + std::to_string(h.offset) + ": unsupported schema version " +
                            std::to_string(h.arg) + " (this build reads " + reads() + ")");
    }
  }
  // One pass decodes and checks the encoding. Only a refused input is
  // walked again: an encoding rule it breaks is named first, as the
  // reason, before what the schema decoder found (the decoder stops at
  // the first item it cannot take, which may be before or after it).
  DocDecoder decoder(cbor, validate);
  auto doc = decoder.run();
  if (!doc && decoder.read_failed()) {
    if (auto p = cbor::check_deterministic(cbor)) {
      return make_error(VerifyStatus::malformed_payload,
                        "policy document, offset " + std::to_string(p->offset) + ": " + p->what);
    }
  }
  return doc;
}

}  // namespace

Result<Document, VerifyStatus> decode_and_validate(std::span<const uint8_t> cbor) { return decode(cbor, true); }

Result<Document> decode_document_unchecked(std::span<const uint8_t> cbor) {
  auto doc = decode(cbor, false);
  if (!doc) return make_error(doc.error());
  return std::move(*doc);
}

}  // namespace detail

Result<Document> decode_document(std::span<const uint8_t> cbor) {
  auto doc = detail::decode_and_validate(cbor);
  if (!doc) return make_error(doc.error());
  return std::move(*doc);
}

}  // namespace bootseal

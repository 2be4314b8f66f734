// SPDX-License-Identifier: GPL-2.0-only
// The policy document's CBOR codec: round trips, deterministic encoding and
// one named test for each way the strict decoder refuses input.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "bootseal/policy.hpp"
#include "bootseal/seal.hpp"
#include "cbor_build.hpp"

namespace bootseal {
namespace {

using cbortest::A;
using cbortest::B;
using cbortest::Bytes;
using cbortest::cat;
using cbortest::Field;
using cbortest::from_hex;
using cbortest::head;
using cbortest::M;
using cbortest::T;
using cbortest::U;
using ::testing::HasSubstr;

Rule rule(Action a, Operation op, Object obj, std::optional<std::string> subject = std::nullopt,
          std::vector<std::string> exceptions = {}) {
  Rule r;
  r.action = a;
  r.operation = op;
  r.object = std::move(obj);
  if (subject) r.subject.emplace(*subject);
  r.exceptions.assign(exceptions.begin(), exceptions.end());
  return r;
}

Object path(std::string_view p) { return Object{ObjectKind::path, std::pmr::string(p), "", 0}; }
Object subtree(std::string_view p) { return Object{ObjectKind::subtree, std::pmr::string(p), "", 0}; }
Object fstype(std::string_view f) { return Object{ObjectKind::fstype, "", std::pmr::string(f), 0}; }
Object cap(uint32_t c) { return Object{ObjectKind::capability, "", "", c}; }

// A realistic document using every field and every object kind.
Document sample() {
  Document d;
  d.name = "appliance-lockdown";
  d.generation = 3;
  d.mode = Mode::enforce;
  d.machines = {*machine_id_from_string("0123456789abcdef0123456789abcdef"),
                *machine_id_from_string("fedcba9876543210fedcba9876543210")};
  d.description = "Kiosk appliance";
  d.defaults[static_cast<size_t>(Operation::module_load)] = Action::deny;
  d.defaults[static_cast<size_t>(Operation::kexec)] = Action::deny;
  d.rules.push_back(rule(Action::deny, Operation::capability, cap(16), std::nullopt, {"/usr/bin/kmod"}));
  d.rules.push_back(rule(Action::allow, Operation::module_load, subtree("/usr/lib/modules"), "/usr/bin/kmod"));
  d.rules.push_back(rule(Action::deny, Operation::exec, fstype("tmpfs")));
  d.rules.push_back(rule(Action::audit, Operation::exec, subtree("/usr/local/bin")));
  d.rules.push_back(rule(Action::deny, Operation::write, path("/etc/shadow")));
  d.rules.push_back(rule(Action::allow, Operation::write, path("/etc/shadow"), "/usr/bin/passwd"));
  d.rules.push_back(rule(Action::deny, Operation::kexec, Object{}));
  return d;
}

// The smallest valid document, field by field, for building hostile variants.
std::vector<Field> minimal_fields() {
  return {
      {U(0), U(1)},                               // schema
      {U(1), T("t")},                             // name
      {U(2), U(1)},                               // generation
      {U(3), U(0)},                               // mode
      {U(6), A({U(0), U(0), U(0), U(0), U(0), U(0), U(0)})},  // defaults
      {U(7), A({})},                              // rules
  };
}

Bytes doc_with_rule(const std::vector<Field>& rule_fields) {
  auto f = minimal_fields();
  f[5].value = A({M(rule_fields)});
  return M(f);
}

std::vector<Field> path_rule_fields() {
  return {{U(0), U(1)}, {U(1), U(2)}, {U(2), U(1)}, {U(3), T("/etc/shadow")}};
}

// Decoding must fail with a message containing `what`.
void expect_refused(const Bytes& cbor, const std::string& what) {
  auto r = decode_document(cbor);
  ASSERT_FALSE(r.ok()) << "decoded although it should be refused";
  EXPECT_THAT(r.error(), HasSubstr(what));
}

TEST(DocumentCbor, RoundTripSample) {
  const Document d = sample();
  ASSERT_TRUE(validate(d).ok()) << validate(d).error();
  auto back = decode_document(encode_document(d));
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(*back, d);
}

// Rule strings too long to be held inline, so that each needs memory.
Document long_strings() {
  Document d = sample();
  d.rules.push_back(rule(Action::deny, Operation::write, path("/etc/app/conf.d/a-long-file-name.conf"), std::nullopt,
                         {"/usr/lib/app/bin/app-admin", "/usr/sbin/app-update-tool"}));
  d.rules.push_back(rule(Action::allow, Operation::read, subtree("/srv/data/projects/shared"),
                         "/usr/libexec/app/worker-process"));
  return d;
}

bool in(const std::pmr::string& s, const std::pmr::memory_resource* r) { return s.get_allocator().resource() == r; }

// The decoder puts every rule string in the document's arena: one block,
// not an allocation per string. The strings are copies, not views into the
// input, which may go away.
TEST(DocumentCbor, DecodedRuleStringsLiveInTheDocumentsArena) {
  const Document d = long_strings();
  auto cbor = encode_document(d);
  auto back = decode_document(cbor);
  ASSERT_TRUE(back.ok()) << back.error();
  std::fill(cbor.begin(), cbor.end(), uint8_t{0});
  cbor.clear();
  cbor.shrink_to_fit();
  EXPECT_EQ(*back, d);
  ASSERT_FALSE(back->arena.empty());
  const std::pmr::memory_resource* arena = back->arena.resource();
  EXPECT_NE(arena, std::pmr::get_default_resource());
  for (const Rule& r : back->rules) {
    EXPECT_TRUE(in(r.object.path, arena));
    EXPECT_TRUE(in(r.object.fstype, arena));
    if (r.subject) {
      EXPECT_TRUE(in(*r.subject, arena));
    }
    EXPECT_EQ(r.exceptions.get_allocator().resource(), arena);
    for (const auto& e : r.exceptions) EXPECT_TRUE(in(e, arena));
  }
  // A document built any other way has no arena.
  EXPECT_TRUE(d.arena.empty());
  EXPECT_EQ(d.arena.resource(), std::pmr::get_default_resource());
}

// Copies own their strings; moves carry the arena along; assignment never
// frees an arena that strings still use. (The sanitizer build runs this
// too, and would see a use after free.)
TEST(DocumentCbor, ArenaOutlivesEveryStringThatUsesIt) {
  const Document want = long_strings();
  auto decoded = [&] {
    auto back = decode_document(encode_document(want));
    EXPECT_TRUE(back.ok()) << back.error();
    return std::move(*back);
  };
  const std::pmr::memory_resource* heap = std::pmr::get_default_resource();

  // A copy, then the original dropped: the copy's strings are its own.
  Document original = decoded();
  Document copy = original;
  EXPECT_TRUE(copy.arena.empty());
  original = Document{};
  EXPECT_TRUE(in(copy.rules.back().object.path, heap));
  EXPECT_EQ(copy, want);

  // A move takes the arena with it.
  Document source = decoded();
  const std::pmr::memory_resource* arena = source.arena.resource();
  Document moved = std::move(source);
  source = Document{};
  EXPECT_EQ(moved.arena.resource(), arena);
  EXPECT_TRUE(in(moved.rules.back().object.path, arena));
  EXPECT_EQ(moved, want);

  // Move-assignment over a decoded document: the rules it replaces are
  // destroyed with their arena still alive.
  Document target = decoded();
  target = decoded();
  EXPECT_EQ(target, want);

  // Copy-assignment into a decoded document keeps its arena: the rules it
  // keeps were assigned in place and still use it.
  Document kept = decoded();
  const std::pmr::memory_resource* kept_arena = kept.arena.resource();
  Document smaller = want;
  smaller.rules.pop_back();
  kept = smaller;
  EXPECT_EQ(kept.arena.resource(), kept_arena);
  EXPECT_EQ(kept, smaller);
  smaller = Document{};
  EXPECT_EQ(kept.rules.back().object.path, want.rules[want.rules.size() - 2].object.path);

  // Swapped documents keep their strings.
  Document a = decoded();
  Document b = copy;
  std::swap(a, b);
  EXPECT_EQ(a, want);
  EXPECT_EQ(b, want);
}

TEST(DocumentCbor, RoundTripMinimal) {
  Document d;
  d.name = "t";
  d.generation = 1;
  auto back = decode_document(encode_document(d));
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(*back, d);
}

TEST(DocumentCbor, RoundTripLargeValues) {
  Document d = sample();
  d.generation = UINT64_MAX;
  d.mode = Mode::permissive;
  d.description = std::string(70000, 'x');  // a 4-byte length head
  auto back = decode_document(encode_document(d));
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(*back, d);
}

// The encoding is pinned: integer keys in ascending order, shortest heads.
// Changing these bytes is a schema change (FORMAT.md).
TEST(DocumentCbor, MinimalEncodingIsPinned) {
  Document d;
  d.name = "t";
  d.generation = 1;
  EXPECT_EQ(encode_document(d), from_hex("a600010161740201030006870000000000000007" "80"));
  EXPECT_EQ(encode_document(d), M(minimal_fields()));
}

TEST(DocumentCbor, RuleEncodingIsPinned) {
  Document d;
  d.name = "t";
  d.generation = 1;
  d.rules.push_back(rule(Action::deny, Operation::capability, cap(16), std::nullopt, {"/a"}));
  // rule {0: 1, 1: 3, 2: 4, 5: 16, 7: ["/a"]}
  EXPECT_EQ(encode_document(d),
            from_hex("a6000101617402010300068700000000000000" "0781a5000101030204051007816" "22f61"));
}

TEST(DocumentCbor, SameDocumentSameBytes) {
  const Document a = sample();
  Document b;  // built in another order, same content
  b.description = a.description;
  b.rules = a.rules;
  b.defaults = a.defaults;
  b.machines = a.machines;
  b.generation = a.generation;
  b.name = a.name;
  EXPECT_EQ(encode_document(a), encode_document(b));
  EXPECT_EQ(encode_document(a), encode_document(a));
}

TEST(DocumentCbor, ReencodingDecodedBytesIsIdentity) {
  const Bytes bytes = encode_document(sample());
  auto d = decode_document(bytes);
  ASSERT_TRUE(d.ok()) << d.error();
  EXPECT_EQ(encode_document(*d), bytes);
}

TEST(DocumentCbor, DifferentDocumentsDifferentBytes) {
  Document a = sample();
  Document b = sample();
  b.generation = 4;
  EXPECT_NE(encode_document(a), encode_document(b));
}

TEST(DocumentCbor, AcceptsHandBuiltMinimal) {
  auto d = decode_document(M(minimal_fields()));
  ASSERT_TRUE(d.ok()) << d.error();
  EXPECT_EQ(d->name, "t");
  EXPECT_EQ(d->generation, 1u);
}

// --- Rejections: the encoding (deterministic CBOR) -------------------------

TEST(DocumentCborReject, EmptyInput) { expect_refused({}, "empty input"); }

TEST(DocumentCborReject, TrailingBytes) {
  Bytes b = M(minimal_fields());
  b.push_back(0x00);
  expect_refused(b, "trailing byte");
}

TEST(DocumentCborReject, IndefiniteLengthMap) {
  Bytes b = M(minimal_fields());
  b[0] = 0xbf;  // map, indefinite
  b.push_back(0xff);
  expect_refused(b, "offset 0: indefinite length");
}

TEST(DocumentCborReject, IndefiniteLengthString) {
  auto f = minimal_fields();
  f[1].value = {0x7f, 0x61, 0x74, 0xff};  // (_ "t")
  expect_refused(M(f), "indefinite length");
}

TEST(DocumentCborReject, IndefiniteLengthArray) {
  auto f = minimal_fields();
  f[5].value = {0x9f, 0xff};
  expect_refused(M(f), "indefinite length");
}

TEST(DocumentCborReject, NonShortestInteger) {
  auto f = minimal_fields();
  f[2].value = {0x18, 0x01};  // generation 1 in two bytes
  expect_refused(M(f), "shortest form");
}

TEST(DocumentCborReject, NonShortestLength) {
  auto f = minimal_fields();
  f[1].value = {0x78, 0x01, 0x74};  // "t" with a one-byte length head
  expect_refused(M(f), "shortest form");
}

TEST(DocumentCborReject, NonShortestMapCount) {
  Bytes b = M(minimal_fields());
  b.erase(b.begin());
  b.insert(b.begin(), {0xb9, 0x00, 0x06});
  expect_refused(b, "offset 0: integer or length not in its shortest form");
}

TEST(DocumentCborReject, DuplicateMapKey) {
  auto f = minimal_fields();
  f.insert(f.begin() + 2, Field{U(1), T("u")});
  expect_refused(M(f), "duplicate map key");
}

TEST(DocumentCborReject, MapKeysOutOfOrder) {
  auto f = minimal_fields();
  std::swap(f[2], f[3]);
  expect_refused(M(f), "not in deterministic");
}

TEST(DocumentCborReject, DeclaredLengthBeyondInput) {
  auto f = minimal_fields();
  f[1].value = cat({head(3, 1000), {0x74}});
  expect_refused(M(f), "declared length 1000 exceeds");
}

TEST(DocumentCborReject, LengthThatOverflows) {
  auto f = minimal_fields();
  f[1].value = {0x7b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x74};
  expect_refused(M(f), "declared length 18446744073709551615 exceeds");
}

TEST(DocumentCborReject, ArrayCountBeyondInput) {
  auto f = minimal_fields();
  f[5].value = {0x9b, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00};  // 2^32 rules
  expect_refused(M(f), "array declares 4294967296 items");
}

TEST(DocumentCborReject, MapCountBeyondInput) {
  Bytes b = M(minimal_fields());
  b[0] = 0xba;  // map with a 4-byte count
  b.insert(b.begin() + 1, {0xff, 0xff, 0xff, 0xff});
  expect_refused(b, "map declares 4294967295 pairs");
}

TEST(DocumentCborReject, HeadTruncated) {
  // map(1), key 0, then a two-byte integer head with one byte left
  expect_refused(Bytes{0xa1, 0x00, 0x19, 0x00}, "offset 2: head runs past the end");
}

TEST(DocumentCborReject, NestingDeeperThanBound) {
  Bytes deep;
  for (int i = 0; i < 20; ++i) deep.push_back(0x81);  // [[[[...
  deep.push_back(0x00);
  auto f = minimal_fields();
  f[5].value = deep;
  expect_refused(M(f), "nesting deeper than 16 levels");
}

TEST(DocumentCborReject, InvalidUtf8) {
  auto f = minimal_fields();
  f[1].value = {0x62, 0xc3, 0x28};
  expect_refused(M(f), "not valid UTF-8");
}

TEST(DocumentCborReject, OverlongUtf8) {
  auto f = minimal_fields();
  f[1].value = {0x62, 0xc0, 0xaf};  // overlong '/'
  expect_refused(M(f), "not valid UTF-8");
}

TEST(DocumentCborReject, FloatingPointValue) {
  auto f = minimal_fields();
  f[2].value = {0xf9, 0x3c, 0x00};  // 1.0 as half float
  expect_refused(M(f), "floating-point");
}

TEST(DocumentCborReject, BreakOutsideIndefinite) {
  auto f = minimal_fields();
  f[2].value = {0xff};
  expect_refused(M(f), "unexpected break");
}

TEST(DocumentCborReject, ReservedAdditionalInformation) {
  auto f = minimal_fields();
  f[2].value = {0x1c};
  expect_refused(M(f), "reserved additional-information");
}

TEST(DocumentCborReject, MapKeyOfWrongType) {
  auto f = minimal_fields();
  f.push_back(Field{A({}), U(0)});
  expect_refused(M(f), "map key is not an integer or text string");
}

// --- Rejections: the schema ------------------------------------------------

TEST(DocumentCborReject, NotAMap) { expect_refused(A({U(1)}), "expected the document map"); }

TEST(DocumentCborReject, UnknownSchemaVersion) {
  auto f = minimal_fields();
  f[0].value = U(5);
  expect_refused(M(f), "unsupported schema version 5 (this build reads 1 to 4)");
}

TEST(DocumentCborReject, SchemaVersionZero) {
  auto f = minimal_fields();
  f[0].value = U(0);
  expect_refused(M(f), "unsupported schema version 0 (this build reads 1 to 4)");
}

TEST(DocumentCborReject, UnknownSchemaVersionNamedBeforeOtherErrors) {
  auto f = minimal_fields();
  f[0].value = U(5);
  f.push_back(Field{U(10), {0xf9, 0x00, 0x00}});  // a float: refused by schema 1, named after the version
  expect_refused(M(f), "unsupported schema version 5");
}

// --- Schema 2: the memory object kind --------------------------------------

std::vector<Field> memory_rule_fields() { return {{U(0), U(1)}, {U(1), U(0)}, {U(2), U(6)}}; }

TEST(DocumentCbor, MemoryRuleNeedsAndGetsSchema2) {
  Document d = sample();
  d.schema = 2;
  d.rules.push_back(rule(Action::deny, Operation::exec, Object{ObjectKind::memory, "", "", 0}, std::nullopt,
                         {"/usr/bin/node"}));
  d.rules.push_back(rule(Action::allow, Operation::exec, Object{ObjectKind::memory, "", "", 0}, "/opt/jit"));
  ASSERT_EQ(required_schema(d), 2u);
  auto bytes = encode_document(d);
  ASSERT_GE(bytes.size(), 3u);
  EXPECT_EQ(bytes[1], 0x00);  // key 0 ...
  EXPECT_EQ(bytes[2], 0x02);  // ... schema 2
  auto back = decode_document(bytes);
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(*back, d);
}

TEST(DocumentCbor, WriterEmitsSchema1WithoutSchema2Features) {
  Document d = sample();
  d.schema = 2;  // asked for, but nothing in it needs 2
  auto bytes = encode_document(d);
  EXPECT_EQ(bytes[2], 0x01);
  auto back = decode_document(bytes);
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(back->schema, 1u);
}

// One document, one encoding: the same document cannot be sealed once as
// schema 1 and once as schema 2 (found by fuzz-document-cbor).
TEST(DocumentCborReject, Schema2WithoutSchema2Features) {
  auto f = minimal_fields();
  f[0].value = U(2);
  auto r = decode_document(M(f));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(),
            "policy document: schema version (key 0) is 2, but nothing in the document needs more than 1 "
            "(a writer stores the lowest version that holds the document)");
  f[0].value = U(1);
  EXPECT_TRUE(decode_document(M(f)).ok()) << "the same document as schema 1 is accepted";
}

TEST(DocumentCbor, AcceptsHandBuiltMemoryRule) {
  auto f = minimal_fields();
  f[0].value = U(2);
  f[5].value = A({M(memory_rule_fields())});
  auto r = decode_document(M(f));
  ASSERT_TRUE(r.ok()) << r.error();
  ASSERT_EQ(r->rules.size(), 1u);
  EXPECT_EQ(r->rules[0].object.kind, ObjectKind::memory);
}

TEST(DocumentCborReject, MemoryRuleInSchema1Document) {
  expect_refused(doc_with_rule(memory_rule_fields()),
                 "rule 0 object kind (key 2): memory needs schema version 2");
}

TEST(DocumentCborReject, MemoryRuleWithPath) {
  auto f = minimal_fields();
  f[0].value = U(2);
  auto r = memory_rule_fields();
  r.push_back(Field{U(3), T("/tmp")});
  f[5].value = A({M(r)});
  expect_refused(M(f), "rule 0: object kind memory does not take a path (key 3)");
}

TEST(DocumentCborReject, MemoryRuleWithReadOperation) {
  auto f = minimal_fields();
  f[0].value = U(2);
  auto r = memory_rule_fields();
  r[1].value = U(1);
  f[5].value = A({M(r)});
  expect_refused(M(f), "object kind 'memory' is not valid for operation 'read'");
}

TEST(DocumentCborReject, MissingSchemaVersion) {
  auto f = minimal_fields();
  f.erase(f.begin());
  expect_refused(M(f), "missing the schema version (key 0)");
}

TEST(DocumentCborReject, MissingGeneration) {
  auto f = minimal_fields();
  f.erase(f.begin() + 2);
  expect_refused(M(f), "missing generation (key 2)");
}

TEST(DocumentCborReject, MissingRules) {
  auto f = minimal_fields();
  f.pop_back();
  expect_refused(M(f), "missing rules (key 7)");
}

TEST(DocumentCborReject, UnknownDocumentKey) {
  auto f = minimal_fields();
  f[0].value = U(4);
  f.push_back(Field{U(9), A({T("/s")})});
  f.push_back(Field{U(12), U(60)});
  f.push_back(Field{U(13), U(0)});
  expect_refused(M(f), "unknown document key 13");
}

TEST(DocumentCborReject, TextKeyInDocument) {
  auto f = minimal_fields();
  f.push_back(Field{T("x"), U(0)});
  expect_refused(M(f), "map key is not an unsigned integer");
}

TEST(DocumentCborReject, WrongTypeName) {
  auto f = minimal_fields();
  f[1].value = B({0x74});
  expect_refused(M(f), "name (key 1): expected a text string");
}

TEST(DocumentCborReject, WrongTypeGeneration) {
  auto f = minimal_fields();
  f[2].value = T("1");
  expect_refused(M(f), "generation (key 2): expected an unsigned integer");
}

TEST(DocumentCborReject, NegativeGeneration) {
  auto f = minimal_fields();
  f[2].value = cbortest::N(-1);
  expect_refused(M(f), "generation (key 2): expected an unsigned integer");
}

TEST(DocumentCborReject, UnknownMode) {
  auto f = minimal_fields();
  f[3].value = U(2);
  expect_refused(M(f), "mode (key 3): value 2 out of range");
}

TEST(DocumentCborReject, DefaultsWrongCount) {
  auto f = minimal_fields();
  f[4].value = A({U(0), U(0), U(0)});
  expect_refused(M(f), "defaults (key 6): expected 7 actions, found 3");
}

TEST(DocumentCborReject, UnknownDefaultAction) {
  auto f = minimal_fields();
  f[4].value = A({U(0), U(0), U(3), U(0), U(0), U(0), U(0)});
  expect_refused(M(f), "action: value 3 out of range");
}

TEST(DocumentCborReject, EmptyDescriptionMustBeOmitted) {
  auto f = minimal_fields();
  f.insert(f.begin() + 4, Field{U(5), T("")});
  expect_refused(M(f), "an empty description must be omitted");
}

TEST(DocumentCborReject, EmptyMachineListMustBeOmitted) {
  auto f = minimal_fields();
  f.insert(f.begin() + 4, Field{U(4), A({})});
  expect_refused(M(f), "machines (key 4): an empty list must be omitted");
}

TEST(DocumentCborReject, MachineIdWrongSize) {
  auto f = minimal_fields();
  f.insert(f.begin() + 4, Field{U(4), A({B(Bytes(15, 1))})});
  expect_refused(M(f), "machines (key 4): entry 0 is not a 16-byte string");
}

TEST(DocumentCborReject, RuleNotAMap) { 
  auto f = minimal_fields();
  f[5].value = A({A({})});
  expect_refused(M(f), "rule 0: expected a map");
}

TEST(DocumentCborReject, UnknownRuleKey) {
  auto r = path_rule_fields();
  r.push_back(Field{U(9), U(0)});
  expect_refused(doc_with_rule(r), "unknown rule 0 key 9");
}

TEST(DocumentCborReject, RuleMissingAction) {
  auto r = path_rule_fields();
  r.erase(r.begin());
  expect_refused(doc_with_rule(r), "rule 0: missing action (key 0)");
}

TEST(DocumentCborReject, UnknownOperation) {
  auto r = path_rule_fields();
  r[1].value = U(7);
  expect_refused(doc_with_rule(r), "operation (key 1): value 7 out of range");
}

TEST(DocumentCborReject, UnknownObjectKind) {
  auto r = path_rule_fields();
  r[2].value = U(7);
  expect_refused(doc_with_rule(r), "object kind (key 2): value 7 out of range");
}

TEST(DocumentCborReject, PathObjectWithoutPath) {
  auto r = path_rule_fields();
  r.pop_back();
  expect_refused(doc_with_rule(r), "object kind path needs a path (key 3)");
}

TEST(DocumentCborReject, AnyObjectWithFstype) {
  auto r = path_rule_fields();
  r[2].value = U(0);
  r[3] = Field{U(4), T("tmpfs")};
  expect_refused(doc_with_rule(r), "object kind any does not take a filesystem type (key 4)");
}

TEST(DocumentCborReject, CapabilityBeyond32Bits) {
  std::vector<Field> r = {{U(0), U(1)}, {U(1), U(3)}, {U(2), U(4)}, {U(5), U(1ull << 32)}};
  expect_refused(doc_with_rule(r), "capability (key 5): value 4294967296 out of range");
}

TEST(DocumentCborReject, EmptyExceptionsMustBeOmitted) {
  auto r = path_rule_fields();
  r.push_back(Field{U(7), A({})});
  expect_refused(doc_with_rule(r), "exceptions (key 7): an empty list must be omitted");
}

TEST(DocumentCborReject, SubjectWrongType) {
  auto r = path_rule_fields();
  r.push_back(Field{U(6), U(1)});
  expect_refused(doc_with_rule(r), "subject (key 6): expected a text string");
}

// --- Rejections: validate()'s invariants -----------------------------------
// The decoder checks each rule as it decodes it, not in a second pass; what
// it refuses, and the reason it gives, must still be validate()'s.

TEST(DocumentCborReject, GenerationZeroFailsValidation) {
  auto f = minimal_fields();
  f[2].value = U(0);
  expect_refused(M(f), "generation must be at least 1");
}

TEST(DocumentCborReject, RelativePathFailsValidation) {
  auto r = path_rule_fields();
  r[3].value = T("etc/shadow");
  expect_refused(doc_with_rule(r), "bad object path");
}

// Documents that decode but break validate() in more than one place: the
// decoder names the same one, in validate()'s order (the document's fields,
// then the first rule that breaks an invariant, then conflicts).
TEST(DocumentCborReject, InvariantsNamedInValidatesOrder) {
  auto phased = [] {
    Document d = sample();
    d.rules[2].phase = Phase::boot;  // a phase without a seal-after deadline
    return d;
  };
  auto bad_path = [](Document d, size_t i) {
    d.rules[i].object.path = "etc/shadow";
    return d;
  };
  auto bad_subject = [](Document d, size_t i) {
    d.rules[i].subject.emplace("usr/bin/passwd");
    return d;
  };
  auto conflict = [](Document d) {
    d.rules.push_back(d.rules[4]);  // rule 8 repeats rule 5
    d.rules.back().action = Action::audit;
    return d;
  };
  Document gen0 = bad_path(sample(), 4);
  gen0.generation = 0;
  const std::vector<std::pair<Document, std::string>> cases = {
      {gen0, "generation must be at least 1"},
      {bad_subject(bad_path(sample(), 4), 5), "rule 5: bad object path"},
      {bad_path(conflict(sample()), 5), "rule 6: bad object path"},
      {conflict(sample()), "rule 8 conflicts with rule 5"},
      {phased(), "needs a seal-after deadline"},
      {bad_path(phased(), 4), "needs a seal-after deadline"},
  };
  for (auto [doc, what] : cases) {
    doc.schema = required_schema(doc);  // as encode_document() writes it
    const auto v = validate(doc);
    ASSERT_FALSE(v.ok()) << what;
    EXPECT_THAT(v.error(), HasSubstr(what));
    const auto decoded = decode_document(encode_document(doc));
    ASSERT_FALSE(decoded.ok()) << what;
    EXPECT_EQ(decoded.error(), "policy document: " + v.error());
  }
}

TEST(DocumentCborReject, EveryTruncationRefused) {
  const Bytes full = encode_document(sample());
  for (size_t n = 0; n < full.size(); ++n) {
    const Bytes cut(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
    EXPECT_FALSE(decode_document(cut).ok()) << "prefix of " << n << " bytes decoded";
  }
}

TEST(DocumentCborReject, ErrorNamesOffset) {
  auto f = minimal_fields();
  f[2].value = {0x18, 0x01};
  // map head (1) + key 0 and value (2) + key 1 and "t" (3) + key 2 (1) = offset 7
  expect_refused(M(f), "policy document, offset 7: integer or length not in its shortest form");
}

// --- Rejections in the one decoding pass ------------------------------------
// The decoder checks the encoding as it reads each item (StrictReader); no
// earlier pass has seen the bytes. Each of these must be refused by that
// pass itself, wherever in the document the item sits, and named by the
// encoding rule it breaks.

std::vector<Field> rule_fields_with(size_t i, Bytes value) {
  auto r = path_rule_fields();
  r[i].value = std::move(value);
  return r;
}

TEST(DocumentCborOnePass, NonShortestRuleValue) {
  expect_refused(doc_with_rule(rule_fields_with(1, {0x18, 0x02})), "shortest form");
}

TEST(DocumentCborOnePass, NonShortestRuleKey) {
  auto r = path_rule_fields();
  r[2].key = {0x18, 0x02};
  expect_refused(doc_with_rule(r), "shortest form");
}

TEST(DocumentCborOnePass, NonShortestPathLength) {
  Bytes p = T("/etc/shadow");
  p[0] = 0x78;  // the same length in a one-byte head
  p.insert(p.begin() + 1, 11);
  expect_refused(doc_with_rule(rule_fields_with(3, p)), "shortest form");
}

TEST(DocumentCborOnePass, NonShortestCapabilityOfFourBytes) {
  // {0: deny, 1: capability, 2: capability, 5: 16 in a four-byte head}
  std::vector<Field> r = {{U(0), U(1)}, {U(1), U(6)}, {U(2), U(4)}, {U(5), {0x1a, 0x00, 0x00, 0x00, 0x10}}};
  expect_refused(doc_with_rule(r), "shortest form");
}

TEST(DocumentCborOnePass, NonShortestEightByteGeneration) {
  auto f = minimal_fields();
  f[2].value = {0x1b, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff};
  expect_refused(M(f), "shortest form");
}

TEST(DocumentCborOnePass, NonShortestRuleMapHead) {
  Bytes rule = M(path_rule_fields());
  rule[0] = 0xb8;  // map, one-byte count
  rule.insert(rule.begin() + 1, 4);
  auto f = minimal_fields();
  f[5].value = cat({{0x81}, rule});
  expect_refused(M(f), "shortest form");
}

TEST(DocumentCborOnePass, NonShortestRulesCount) {
  auto f = minimal_fields();
  f[5].value = cat({{0x98, 0x01}, M(path_rule_fields())});
  expect_refused(M(f), "shortest form");
}

TEST(DocumentCborOnePass, RulesCountBeyondInputRefusedBeforeUse) {
  // 65535 rules declared, one present: refused at the count, before any
  // room is reserved for them.
  auto f = minimal_fields();
  f[5].value = cat({{0x99, 0xff, 0xff}, M(path_rule_fields())});
  expect_refused(M(f), "array declares 65535 items but only");
}

TEST(DocumentCborOnePass, ExceptionsCountBeyondInput) {
  auto r = path_rule_fields();
  r.push_back(Field{U(7), {0x9a, 0x01, 0x00, 0x00, 0x00}});
  expect_refused(doc_with_rule(r), "array declares 16777216 items");
}

TEST(DocumentCborOnePass, RuleMapCountBeyondInput) {
  auto f = minimal_fields();
  f[5].value = {0x81, 0xb9, 0x10, 0x00, 0x00, 0x01};
  expect_refused(M(f), "map declares 4096 pairs");
}

TEST(DocumentCborOnePass, InvalidUtf8InException) {
  auto r = path_rule_fields();
  r.push_back(Field{U(7), A({Bytes{0x63, '/', 0xc3, 0x28}})});
  expect_refused(doc_with_rule(r), "not valid UTF-8");
}

TEST(DocumentCborOnePass, SurrogateInPath) {
  Bytes p = T("/etc/abcdefgh");
  p[0] = static_cast<uint8_t>(0x60 + 16);
  p.insert(p.end(), {0xed, 0xa0, 0x80});  // U+D800 after 13 ASCII bytes
  expect_refused(doc_with_rule(rule_fields_with(3, p)), "not valid UTF-8");
}

TEST(DocumentCborOnePass, Utf8CheckedAcrossWordBoundaries) {
  // Non-ASCII bytes before, on and after 8-byte boundaries of the string.
  for (size_t at = 0; at < 20; ++at) {
    std::string good(at, 'a');
    good += "\xc3\xa9";  // U+00E9
    good += std::string(20 - at, 'b');
    auto f = minimal_fields();
    f[1].value = T(good);
    auto d = decode_document(M(f));
    ASSERT_TRUE(d.ok()) << "at " << at << ": " << d.error();
    EXPECT_EQ(d->name, good);
    std::string bad(at, 'a');
    bad += "\xc3";  // a lead byte without its continuation
    bad += std::string(20 - at, 'b');
    f[1].value = T(bad);
    expect_refused(M(f), "not valid UTF-8");
    std::string high(at, 'a');
    high += "\xff";
    f[1].value = T(high);
    expect_refused(M(f), "not valid UTF-8");
  }
}

TEST(DocumentCborOnePass, TagRefused) {
  auto f = minimal_fields();
  f[1].value = cat({{0xc0}, T("t")});  // tag 0 around the name
  expect_refused(M(f), "name (key 1): expected a text string");
}

TEST(DocumentCborOnePass, SimpleValueRefused) {
  auto f = minimal_fields();
  f[2].value = {0xf5};  // true
  expect_refused(M(f), "generation (key 2): expected an unsigned integer");
}

TEST(DocumentCborOnePass, OneByteSimpleValueRefused) {
  auto f = minimal_fields();
  f[2].value = {0xf8, 0x20};
  expect_refused(M(f), "one-byte simple value");
}

TEST(DocumentCborOnePass, EncodingFaultNamedBeforeAnEarlierSchemaFault) {
  // Rule 0 lacks its action, and a later field is not in its shortest
  // form: the encoding rule is the reason given, as with a separate
  // well-formedness pass.
  auto f = minimal_fields();
  std::vector<Field> r = {{U(1), U(2)}, {U(2), U(1)}, {U(3), T("/etc/shadow")}};
  f[5].value = A({M(r)});
  f.insert(f.begin() + 4, Field{U(5), {0x78, 0x01, 'd'}});  // description, non-shortest length
  expect_refused(M(f), "integer or length not in its shortest form");
  f[4].value = T("d");
  expect_refused(M(f), "rule 0: missing action (key 0)");
}

TEST(DocumentCborOnePass, EncodingFaultAfterTheDocumentIsNamed) {
  Bytes b = M(minimal_fields());
  b.insert(b.end(), {0x18, 0x01});
  expect_refused(b, "trailing byte");
}

TEST(DocumentCborOnePass, EveryOneByteChangeIsRefusedOrReencodesExactly) {
  // Whatever the one pass accepts is in deterministic encoding: it encodes
  // back to the same bytes.
  const Bytes full = encode_document(sample());
  for (size_t i = 0; i < full.size(); ++i) {
    for (int v = 0; v < 256; ++v) {
      if (v == full[i]) continue;
      Bytes b = full;
      b[i] = static_cast<uint8_t>(v);
      auto d = decode_document(b);
      if (!d) continue;
      EXPECT_EQ(encode_document(*d), b) << "byte " << i << " set to " << v;
    }
  }
}

}  // namespace
}  // namespace bootseal

namespace bootseal {
namespace {

// --- Schema 2: device objects and the lockdown level ------------------------

Object device(std::string_view p) { return Object{ObjectKind::device, std::pmr::string(p), "", 0}; }

std::vector<Field> device_rule_fields() {
  // {0: deny, 1: write, 2: device, 3: "/dev/vda2"}
  return {{U(0), U(1)}, {U(1), U(2)}, {U(2), U(5)}, {U(3), T("/dev/vda2")}};
}

Bytes schema2_with_rule(const std::vector<Field>& rule) {
  auto f = minimal_fields();
  f[0].value = U(2);
  f[5].value = A({M(rule)});
  return M(f);
}

TEST(DocumentCborSchema, RequiredSchemaIsOneWithoutSchemaTwoFeatures) {
  EXPECT_EQ(required_schema(sample()), 1u);
  Document d = sample();
  d.rules.push_back(rule(Action::deny, Operation::write, device("/dev/vda2")));
  EXPECT_EQ(required_schema(d), 2u);
  Document l = sample();
  l.lockdown = Lockdown::integrity;
  EXPECT_EQ(required_schema(l), 2u);
}

TEST(DocumentCborSchema, DeviceRuleAndLockdownRoundTripAsSchemaTwo) {
  Document d = sample();
  d.schema = 2;
  d.lockdown = Lockdown::confidentiality;
  d.rules.push_back(rule(Action::deny, Operation::write, device("/dev/vda2")));
  d.rules.push_back(rule(Action::allow, Operation::write, device("/dev/vda2"), "/usr/sbin/e2fsck"));
  auto bytes = encode_document(d);
  EXPECT_EQ(bytes[0], 0xa9);  // nine document keys, the schema first
  EXPECT_EQ(bytes[1], 0x00);
  EXPECT_EQ(bytes[2], 0x02);
  auto back = decode_document(bytes);
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(*back, d);
}

TEST(DocumentCborSchema, DeviceRuleEncodingIsPinned) {
  EXPECT_EQ(schema2_with_rule(device_rule_fields()),
            from_hex("a6000201617402010300068700000000000000078"
                     "1a40001010202050369" "2f6465762f76646132"));
  Document d;
  d.schema = 2;
  d.name = "t";
  d.generation = 1;
  d.rules.push_back(rule(Action::deny, Operation::write, device("/dev/vda2")));
  EXPECT_EQ(encode_document(d), schema2_with_rule(device_rule_fields()));
}

TEST(DocumentCborReject, DeviceObjectInSchemaOne) {
  auto f = minimal_fields();
  f[5].value = A({M(device_rule_fields())});
  expect_refused(M(f), "rule 0 object kind (key 2): device needs schema version 2");
}

TEST(DocumentCborReject, LockdownInSchemaOne) {
  auto f = minimal_fields();
  f.push_back(Field{U(8), U(1)});
  expect_refused(M(f), "lockdown (key 8) needs schema version 2");
}

TEST(DocumentCborReject, LockdownNoneMustBeOmitted) {
  auto f = minimal_fields();
  f[0].value = U(2);
  f.push_back(Field{U(8), U(0)});
  expect_refused(M(f), "lockdown (key 8): level none must be omitted");
}

TEST(DocumentCborReject, LockdownOutOfRange) {
  auto f = minimal_fields();
  f[0].value = U(2);
  f.push_back(Field{U(8), U(3)});
  expect_refused(M(f), "lockdown (key 8): value 3 out of range (at most 2)");
}

TEST(DocumentCborReject, LockdownNotAnInteger) {
  auto f = minimal_fields();
  f[0].value = U(2);
  f.push_back(Field{U(8), T("integrity")});
  expect_refused(M(f), "lockdown (key 8): expected an unsigned integer");
}

TEST(DocumentCborReject, DeviceObjectWithoutPath) {
  auto r = device_rule_fields();
  r.pop_back();
  expect_refused(schema2_with_rule(r), "object kind device needs a path (key 3)");
}

TEST(DocumentCborReject, DeviceObjectForExecFailsValidation) {
  auto r = device_rule_fields();
  r[1].value = U(0);
  expect_refused(schema2_with_rule(r), "object kind 'device' is not valid for operation 'exec'");
}

TEST(DocumentCborReject, DeviceAllowWithoutSubjectFailsValidation) {
  auto r = device_rule_fields();
  r[0].value = U(0);
  expect_refused(schema2_with_rule(r), "an allow rule for a device must name a subject");
}

TEST(DocumentCborReject, RelativeDevicePathFailsValidation) {
  auto r = device_rule_fields();
  r[3].value = T("dev/vda2");
  expect_refused(schema2_with_rule(r), "bad object path 'dev/vda2'");
}

TEST(DocumentValidate, SchemaOneClaimedForSchemaTwoFeaturesIsRefused) {
  Document d = sample();
  d.lockdown = Lockdown::integrity;
  auto v = validate(d);
  ASSERT_FALSE(v.ok());
  EXPECT_THAT(v.error(), HasSubstr("schema version 1 cannot hold a lockdown level (schema 2 needed)"));
  d.schema = 2;
  EXPECT_TRUE(validate(d).ok());
}

// --- Schema 3: subjects that may load BPF LSM programs (key 9) ---------------

TEST(DocumentCborSchema, BpfLsmLoadersNeedAndGetSchemaThree) {
  Document d = sample();
  EXPECT_EQ(required_schema(d), 1u);
  d.bpf_lsm_loaders = {"/usr/lib/systemd/systemd"};
  EXPECT_EQ(required_schema(d), 3u);
  d.lockdown = Lockdown::integrity;  // a schema-2 feature beside it: still 3
  EXPECT_EQ(required_schema(d), 3u);
}

TEST(DocumentCborSchema, BpfLsmLoadersRoundTripAsSchemaThree) {
  Document d = sample();
  d.schema = 3;
  d.bpf_lsm_loaders = {"/opt/a b/loader", "/usr/lib/systemd/systemd"};
  auto bytes = encode_document(d);
  EXPECT_EQ(bytes[1], 0x00);
  EXPECT_EQ(bytes[2], 0x03);
  auto back = decode_document(bytes);
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(*back, d);
}

TEST(DocumentCborSchema, BpfLsmLoadersEncodingIsPinned) {
  Document d;
  d.schema = 3;
  d.name = "t";
  d.generation = 1;
  d.bpf_lsm_loaders = {"/s"};
  // {0: 3, 1: "t", 2: 1, 3: 0, 6: [0 x7], 7: [], 9: ["/s"]}
  EXPECT_EQ(encode_document(d), from_hex("a7000301617402010300068700000000000000078009816" "2" "2f73"));
}

TEST(DocumentCborReject, BpfLsmLoadersInSchemaTwo) {
  auto f = minimal_fields();
  f[0].value = U(2);
  f.push_back(Field{U(8), U(1)});
  f.push_back(Field{U(9), A({T("/s")})});
  expect_refused(M(f), "bpf-load lsm subjects (key 9) need schema version 3");
}

TEST(DocumentCborReject, BpfLsmLoadersEmptyMustBeOmitted) {
  auto f = minimal_fields();
  f[0].value = U(3);
  f.push_back(Field{U(9), A({})});
  expect_refused(M(f), "bpf-load lsm subjects (key 9): an empty list must be omitted");
}

TEST(DocumentCborReject, BpfLsmLoadersNotAnArray) {
  auto f = minimal_fields();
  f[0].value = U(3);
  f.push_back(Field{U(9), T("/s")});
  expect_refused(M(f), "bpf-load lsm subjects (key 9): expected an array");
}

TEST(DocumentCborReject, BpfLsmLoaderNotText) {
  auto f = minimal_fields();
  f[0].value = U(3);
  f.push_back(Field{U(9), A({U(1)})});
  expect_refused(M(f), "bpf-load lsm subject: expected a text string");
}

TEST(DocumentCborReject, BpfLsmLoaderRelativeFailsValidation) {
  auto f = minimal_fields();
  f[0].value = U(3);
  f.push_back(Field{U(9), A({T("usr/bin/x")})});
  expect_refused(M(f), "bpf-load grant: subject 'usr/bin/x' is not an absolute path");
}

TEST(DocumentCborReject, BpfLsmLoadersUnsortedFailsValidation) {
  auto f = minimal_fields();
  f[0].value = U(3);
  f.push_back(Field{U(9), A({T("/b"), T("/a")})});
  expect_refused(M(f), "bpf-load grants are not sorted and unique");
}

TEST(DocumentCborReject, SchemaThreeWithoutBpfLsmLoaders) {
  auto f = minimal_fields();
  f[0].value = U(3);
  expect_refused(M(f), "schema version (key 0) is 3, but nothing in the document needs more than 1");
}

TEST(DocumentValidate, SchemaTwoClaimedForBpfLsmLoadersIsRefused) {
  Document d = sample();
  d.schema = 2;
  d.lockdown = Lockdown::integrity;
  d.bpf_lsm_loaders = {"/usr/lib/systemd/systemd"};
  auto v = validate(d);
  ASSERT_FALSE(v.ok());
  EXPECT_THAT(v.error(), HasSubstr("schema version 2 cannot hold bpf-load grants (schema 3 needed)"));
  d.schema = 3;
  EXPECT_TRUE(validate(d).ok());
}


// --- Schema 4: boot phases (keys 10, 11, 12; rule key 8) --------------------

Document phased() {
  Document d = sample();
  d.schema = 4;
  d.seal_after = 600;
  d.seal_by = "/usr/lib/bootseal/bootseal-seal";
  auto run = d.defaults;  // module-load: deny
  d.defaults[static_cast<size_t>(Operation::module_load)] = Action::allow;
  d.running_defaults = run;
  Rule boot;
  boot.action = Action::allow;
  boot.operation = Operation::module_load;
  boot.object = Object{ObjectKind::subtree, "/usr/lib/modules", "", 0};
  boot.subject = "/usr/bin/udevadm";
  boot.phase = Phase::boot;
  d.rules.push_back(boot);
  Rule running;
  running.action = Action::deny;
  running.operation = Operation::write;
  running.object = Object{ObjectKind::subtree, "/etc", "", 0};
  running.phase = Phase::running;
  d.rules.push_back(running);
  return d;
}

TEST(DocumentCborSchema, PhasesNeedAndGetSchemaFour) {
  Document d = sample();
  EXPECT_EQ(required_schema(d), 1u);
  d.seal_after = 60;
  EXPECT_EQ(required_schema(d), 4u);
  d = sample();
  d.rules.front().phase = Phase::running;
  EXPECT_EQ(required_schema(d), 4u);
  d = sample();
  d.seal_by = "/s";
  EXPECT_EQ(required_schema(d), 4u);
  EXPECT_EQ(required_schema(phased()), 4u);
}

TEST(DocumentCborSchema, PhasesRoundTripAsSchemaFour) {
  const Document d = phased();
  ASSERT_TRUE(validate(d).ok()) << validate(d).error();
  auto bytes = encode_document(d);
  EXPECT_EQ(bytes[2], 0x04);
  auto back = decode_document(bytes);
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(*back, d);
}

TEST(DocumentCborSchema, PhasesEncodingIsPinned) {
  Document d;
  d.schema = 4;
  d.name = "t";
  d.generation = 1;
  d.seal_after = 300;
  d.seal_by = "/s";
  d.running_defaults = std::array<Action, kOperationCount>{};
  (*d.running_defaults)[4] = Action::deny;
  Rule r;
  r.action = Action::deny;
  r.operation = Operation::exec;
  r.object.kind = ObjectKind::any;
  r.phase = Phase::running;
  d.rules.push_back(r);
  // {0: 4, 1: "t", 2: 1, 3: 0, 6: [0 x7], 7: [{0: 1, 1: 0, 2: 0, 8: 2}],
  //  10: [0,0,0,0,1,0,0], 11: "/s", 12: 300}
  EXPECT_EQ(encode_document(d), from_hex("a9000401617402010300068700000000000000078"
                                         "1a4000101000200080"
                                         "20a870000000001000"
                                         "00b622f730c19012c"));
}

TEST(DocumentCborReject, RulePhaseInSchemaThree) {
  auto r = path_rule_fields();
  r.push_back(Field{U(8), U(1)});
  auto f = minimal_fields();
  f[0].value = U(3);
  f[5].value = A({M(r)});
  f.push_back(Field{U(9), A({T("/s")})});
  expect_refused(M(f), "rule 0 phase (key 8) needs schema version 4");
}

std::vector<Field> schema4_fields() {
  auto f = minimal_fields();
  f[0].value = U(4);
  return f;
}

TEST(DocumentCborReject, RulePhaseAnyMustBeOmitted) {
  auto r = path_rule_fields();
  r.push_back(Field{U(8), U(0)});
  auto f = schema4_fields();
  f[5].value = A({M(r)});
  f.push_back(Field{U(12), U(60)});
  expect_refused(M(f), "rule 0 phase (key 8): phase any must be omitted");
}

TEST(DocumentCborReject, RulePhaseOutOfRange) {
  auto r = path_rule_fields();
  r.push_back(Field{U(8), U(3)});
  auto f = schema4_fields();
  f[5].value = A({M(r)});
  f.push_back(Field{U(12), U(60)});
  expect_refused(M(f), "rule 0 phase (key 8): value 3 out of range (at most 2)");
}

TEST(DocumentCborReject, RulePhaseNotAnInteger) {
  auto r = path_rule_fields();
  r.push_back(Field{U(8), T("boot")});
  auto f = schema4_fields();
  f[5].value = A({M(r)});
  f.push_back(Field{U(12), U(60)});
  expect_refused(M(f), "rule 0 phase (key 8): expected an unsigned integer");
}

TEST(DocumentCborReject, PhaseRuleWithoutDeadlineFailsValidation) {
  auto r = path_rule_fields();
  r.push_back(Field{U(8), U(2)});
  auto f = schema4_fields();
  f[5].value = A({M(r)});
  expect_refused(M(f), "a policy with phases needs a seal-after deadline");
}

TEST(DocumentCborReject, RunningDefaultsInSchemaThree) {
  auto f = minimal_fields();
  f[0].value = U(3);
  f.push_back(Field{U(9), A({T("/s")})});
  f.push_back(Field{U(10), A({U(0), U(0), U(0), U(0), U(1), U(0), U(0)})});
  expect_refused(M(f), "running-phase defaults (key 10) need schema version 4");
}

TEST(DocumentCborReject, RunningDefaultsEqualToDefaults) {
  auto f = schema4_fields();
  f.push_back(Field{U(10), A({U(0), U(0), U(0), U(0), U(0), U(0), U(0)})});
  f.push_back(Field{U(12), U(60)});
  expect_refused(M(f), "running-phase defaults (key 10): equal to the defaults (key 6), must be omitted");
}

TEST(DocumentCborReject, RunningDefaultsWrongLength) {
  auto f = schema4_fields();
  f.push_back(Field{U(10), A({U(1)})});
  f.push_back(Field{U(12), U(60)});
  expect_refused(M(f), "running-phase defaults (key 10): expected 7 actions, found 1");
}

TEST(DocumentCborReject, RunningDefaultUnknownAction) {
  auto f = schema4_fields();
  f.push_back(Field{U(10), A({U(0), U(0), U(0), U(0), U(3), U(0), U(0)})});
  f.push_back(Field{U(12), U(60)});
  expect_refused(M(f), "running-phase defaults (key 10): action: value 3 out of range (at most 2)");
}

TEST(DocumentCborReject, SealByNotText) {
  auto f = schema4_fields();
  f.push_back(Field{U(11), U(1)});
  f.push_back(Field{U(12), U(60)});
  expect_refused(M(f), "seal-by (key 11): expected a text string");
}

TEST(DocumentCborReject, SealByRelativeFailsValidation) {
  auto f = schema4_fields();
  f.push_back(Field{U(11), T("usr/lib/bootseal/bootseal-seal")});
  f.push_back(Field{U(12), U(60)});
  expect_refused(M(f), "seal-by: 'usr/lib/bootseal/bootseal-seal' is not an absolute path");
}

TEST(DocumentCborReject, SealByWithoutDeadlineFailsValidation) {
  auto f = schema4_fields();
  f.push_back(Field{U(11), T("/s")});
  expect_refused(M(f), "a policy with phases needs a seal-after deadline");
}

TEST(DocumentCborReject, SealAfterZeroMustBeOmitted) {
  auto f = schema4_fields();
  f.push_back(Field{U(12), U(0)});
  expect_refused(M(f), "seal-after (key 12): 0 must be omitted");
}

TEST(DocumentCborReject, SealAfterAboveSevenDays) {
  auto f = schema4_fields();
  f.push_back(Field{U(12), U(kSealAfterMax + 1)});
  expect_refused(M(f), "seal-after (key 12): value 604801 out of range (at most 604800)");
}

TEST(DocumentCborReject, SealAfterInSchemaThree) {
  auto f = minimal_fields();
  f[0].value = U(3);
  f.push_back(Field{U(9), A({T("/s")})});
  f.push_back(Field{U(12), U(60)});
  expect_refused(M(f), "seal-after (key 12) needs schema version 4");
}

TEST(DocumentCborReject, SchemaFourWithoutPhases) {
  auto f = schema4_fields();
  expect_refused(M(f), "schema version (key 0) is 4, but nothing in the document needs more than 1");
}

TEST(DocumentValidate, SchemaThreeClaimedForPhasesIsRefused) {
  Document d = phased();
  d.schema = 3;
  auto v = validate(d);
  ASSERT_FALSE(v.ok());
  EXPECT_THAT(v.error(), HasSubstr("schema version 3 cannot hold boot phases (schema 4 needed)"));
}

TEST(DocumentValidate, RulesOfDisjointPhasesDoNotConflict) {
  Document d = phased();
  Rule boot = d.rules.back();  // phase running deny write subtree /etc
  boot.phase = Phase::boot;
  boot.action = Action::allow;
  d.rules.push_back(boot);
  EXPECT_TRUE(validate(d).ok()) << validate(d).error();
  d.rules.back().phase = Phase::any;  // holds in both: meets the running rule
  auto v = validate(d);
  ASSERT_FALSE(v.ok());
  EXPECT_THAT(v.error(), HasSubstr("same operation, object and subject, in a common phase"));
}


TEST(DocumentCborReject, PhaseKeysNameTheirOffset) {
  // Key 12 in a schema-3 document: named at the key, the last pair's first
  // byte (the key 1 byte, the value 60 two).
  auto f = minimal_fields();
  f[0].value = U(3);
  f.push_back(Field{U(9), A({T("/s")})});
  f.push_back(Field{U(12), U(60)});
  const Bytes b = M(f);
  expect_refused(b, "offset " + std::to_string(b.size() - 3) + ": seal-after (key 12) needs schema version 4");
  // Key 11 in a schema-2 document: at its key, before its text is read.
  f = minimal_fields();
  f[0].value = U(2);
  f.push_back(Field{U(8), U(1)});
  f.push_back(Field{U(11), T("/s")});
  const Bytes c = M(f);
  expect_refused(c, "offset " + std::to_string(c.size() - 4) + ": seal-by (key 11) needs schema version 4");
}

TEST(DocumentCborReject, RunningDefaultsNotAnArray) {
  auto f = schema4_fields();
  f.push_back(Field{U(10), U(1)});
  f.push_back(Field{U(12), U(60)});
  expect_refused(M(f), "running-phase defaults (key 10): expected an array");
}

TEST(DocumentCborReject, SealAfterNotAnInteger) {
  auto f = schema4_fields();
  f.push_back(Field{U(12), T("5m")});
  expect_refused(M(f), "seal-after (key 12): expected an unsigned integer");
}

TEST(DocumentCborReject, SealByEmptyFailsValidation) {
  auto f = schema4_fields();
  f.push_back(Field{U(11), T("")});
  f.push_back(Field{U(12), U(60)});
  expect_refused(M(f), "seal-by: '' is not an absolute path");
}

TEST(DocumentCborReject, PhaseKeysOutOfOrder) {
  auto f = schema4_fields();
  f.push_back(Field{U(12), U(60)});
  f.push_back(Field{U(11), T("/s")});
  expect_refused(M(f), "map keys not in deterministic (bytewise sorted) order");
  auto r = path_rule_fields();
  r.push_back(Field{U(8), U(1)});
  std::swap(r[3], r[4]);
  f = schema4_fields();
  f[5].value = A({M(r)});
  f.push_back(Field{U(12), U(60)});
  expect_refused(M(f), "map keys not in deterministic (bytewise sorted) order");
}

TEST(DocumentCborReject, PhaseKeysTwice) {
  auto f = schema4_fields();
  f.push_back(Field{U(12), U(60)});
  f.push_back(Field{U(12), U(60)});
  expect_refused(M(f), "duplicate map key");
}

TEST(DocumentCborSchema, HandWrittenPhasedDocumentDecodesAndReencodes) {
  // Both phases of one rule, running defaults for kexec, a deadline of 7
  // days exactly.
  auto boot = path_rule_fields();
  boot[0].value = U(0);  // allow
  boot.push_back(Field{U(8), U(1)});
  auto running = path_rule_fields();
  running.push_back(Field{U(8), U(2)});
  auto f = schema4_fields();
  f[5].value = A({M(boot), M(running)});
  f.push_back(Field{U(10), A({U(0), U(0), U(0), U(0), U(0), U(1), U(0)})});
  f.push_back(Field{U(12), U(kSealAfterMax)});
  const Bytes b = M(f);
  auto d = decode_document(b);
  ASSERT_TRUE(d.ok()) << d.error();
  ASSERT_EQ(d->rules.size(), 2u);
  EXPECT_EQ(d->rules[0].phase, Phase::boot);
  EXPECT_EQ(d->rules[0].action, Action::allow);
  EXPECT_EQ(d->rules[1].phase, Phase::running);
  EXPECT_EQ(d->seal_after, kSealAfterMax);
  EXPECT_FALSE(d->seal_by);
  ASSERT_TRUE(d->running_defaults);
  EXPECT_EQ(default_for(*d, Operation::kexec, Phase::running), Action::deny);
  EXPECT_EQ(default_for(*d, Operation::kexec, Phase::boot), Action::allow);
  EXPECT_EQ(encode_document(*d), b);
}

TEST(DocumentCborSchema, PhasedRuleBesideEveryOtherFeatureRoundTrips) {
  Document d = phased();
  d.lockdown = Lockdown::integrity;
  d.bpf_lsm_loaders = {"/usr/lib/systemd/systemd"};
  Rule mem;
  mem.action = Action::deny;
  mem.operation = Operation::exec;
  mem.object.kind = ObjectKind::memory;
  mem.phase = Phase::running;
  d.rules.push_back(mem);
  ASSERT_TRUE(validate(d).ok()) << validate(d).error();
  auto back = decode_document(encode_document(d));
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(*back, d);
  EXPECT_EQ(back->schema, 4u);
}

}  // namespace
}  // namespace bootseal

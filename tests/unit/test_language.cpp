// SPDX-License-Identifier: GPL-2.0-only
// The policy language: parsing, canonical formatting, round trips, every
// rejection path, and the worked examples of docs/POLICY.md.
#include "bootseal/language.hpp"
#include "policy_builders.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#ifndef BOOTSEAL_SOURCE_ROOT
#error "the test build defines BOOTSEAL_SOURCE_ROOT"
#endif

namespace bootseal {
namespace {

// Three header lines; a rule appended after it is on line 4.
constexpr std::string_view kHead = "policy \"t\"\ngeneration 1\nmode enforce\n";

std::string with_head(std::string_view rest) { return std::string(kHead) + std::string(rest); }

Document parse_ok(std::string_view text) {
  auto r = parse_policy(text, "t.policy");
  EXPECT_TRUE(r.ok()) << r.error();
  return r.ok() ? r.value() : Document{};
}

std::string parse_error(std::string_view text) {
  auto r = parse_policy(text, "t.policy");
  EXPECT_FALSE(r.ok()) << "accepted:\n" << text;
  return r.ok() ? std::string() : r.error();
}

Rule parse_rule(std::string_view line) {
  Document d = parse_ok(with_head(line));
  EXPECT_EQ(d.rules.size(), 1u);
  return d.rules.empty() ? Rule{} : d.rules[0];
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::filesystem::path> example_policies() {
  std::vector<std::filesystem::path> out;
  for (const auto& e : std::filesystem::directory_iterator(std::filesystem::path(BOOTSEAL_SOURCE_ROOT) / "examples")) {
    if (e.path().extension() == ".policy") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// ---------------------------------------------------------------------------
// Accepted input

TEST(LanguageParse, MinimalPolicyGivesHeaderAndAllowDefaults) {
  Document d = parse_ok(kHead);
  EXPECT_EQ(d.schema, kSchemaVersion);
  EXPECT_EQ(d.name, "t");
  EXPECT_EQ(d.generation, 1u);
  EXPECT_EQ(d.mode, Mode::enforce);
  EXPECT_TRUE(d.machines.empty());
  EXPECT_EQ(d.description, "");
  for (Action a : d.defaults) EXPECT_EQ(a, Action::allow);
  EXPECT_TRUE(d.rules.empty());
}

TEST(LanguageParse, FullHeader) {
  Document d = parse_ok(
      "policy appliance\n"
      "generation 18446744073709551615\n"
      "mode permissive\n"
      "machine ffffffffffffffffffffffffffffffff\n"
      "machine 0123456789abcdef0123456789abcdef\n"
      "description \"two\\tlines\\nof \\\"text\\\" \\\\ \\x01\"\n");
  EXPECT_EQ(d.name, "appliance");
  EXPECT_EQ(d.generation, 18446744073709551615ull);
  EXPECT_EQ(d.mode, Mode::permissive);
  ASSERT_EQ(d.machines.size(), 2u);  // sorted
  EXPECT_EQ(to_string(d.machines[0]), "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(to_string(d.machines[1]), "ffffffffffffffffffffffffffffffff");
  EXPECT_EQ(d.description, "two\tlines\nof \"text\" \\ \x01");
}

TEST(LanguageParse, HeaderStatementsInAnyOrder) {
  Document d = parse_ok("deny exec any\nmode enforce\ndefault kexec deny\ngeneration 2\npolicy x\n");
  EXPECT_EQ(d.name, "x");
  EXPECT_EQ(d.generation, 2u);
  EXPECT_EQ(d.defaults[static_cast<size_t>(Operation::kexec)], Action::deny);
  EXPECT_EQ(d.rules.size(), 1u);
}

TEST(LanguageParse, GenerationWithLeadingZeros) {
  EXPECT_EQ(parse_ok("policy x\ngeneration 007\nmode enforce\n").generation, 7u);
}

TEST(LanguageParse, DefaultsForEveryOperation) {
  Document d = parse_ok(with_head(
      "default exec deny\ndefault read audit\ndefault write deny\ndefault capability audit\n"
      "default module-load deny\ndefault kexec deny\ndefault mount allow\n"));
  EXPECT_EQ(d.defaults[0], Action::deny);
  EXPECT_EQ(d.defaults[1], Action::audit);
  EXPECT_EQ(d.defaults[2], Action::deny);
  EXPECT_EQ(d.defaults[3], Action::audit);
  EXPECT_EQ(d.defaults[4], Action::deny);
  EXPECT_EQ(d.defaults[5], Action::deny);
  EXPECT_EQ(d.defaults[6], Action::allow);
}

TEST(LanguageParse, CommentsBlankLinesAndWhitespace) {
  Document d = parse_ok(
      "# a comment\n"
      "\n"
      "   \t\n"
      "  policy   \"x\"   # trailing comment\n"
      "generation\t4\n"
      "mode enforce # a comment after a statement\n"
      "deny exec path /opt/a#b   # '#' inside a word is part of it\n");
  EXPECT_EQ(d.name, "x");
  EXPECT_EQ(d.generation, 4u);
  ASSERT_EQ(d.rules.size(), 1u);
  EXPECT_EQ(d.rules[0].object.path, "/opt/a#b");
}

TEST(LanguageParse, CrLfLineEndingsAndNoFinalNewline) {
  Document d = parse_ok("policy x\r\ngeneration 1\r\nmode enforce\r\ndeny exec any");
  EXPECT_EQ(d.name, "x");
  EXPECT_EQ(d.rules.size(), 1u);
}

TEST(LanguageParse, RuleWithPathObject) {
  Rule r = parse_rule("deny write path /etc/shadow\n");
  EXPECT_EQ(r.action, Action::deny);
  EXPECT_EQ(r.operation, Operation::write);
  EXPECT_EQ(r.object.kind, ObjectKind::path);
  EXPECT_EQ(r.object.path, "/etc/shadow");
  EXPECT_FALSE(r.subject.has_value());
  EXPECT_TRUE(r.exceptions.empty());
}

TEST(LanguageParse, RuleWithSubtreeAndSubject) {
  Rule r = parse_rule("allow read subtree /etc/ssh by /usr/sbin/sshd\n");
  EXPECT_EQ(r.action, Action::allow);
  EXPECT_EQ(r.operation, Operation::read);
  EXPECT_EQ(r.object.kind, ObjectKind::subtree);
  EXPECT_EQ(r.object.path, "/etc/ssh");
  EXPECT_EQ(r.subject, "/usr/sbin/sshd");
}

TEST(LanguageParse, RuleWithFstype) {
  Rule r = parse_rule("deny exec fstype tmpfs\n");
  EXPECT_EQ(r.object.kind, ObjectKind::fstype);
  EXPECT_EQ(r.object.fstype, "tmpfs");
  EXPECT_TRUE(r.object.path.empty());
}

TEST(LanguageParse, RuleWithAnyObject) {
  Rule r = parse_rule("audit kexec any\n");
  EXPECT_EQ(r.action, Action::audit);
  EXPECT_EQ(r.operation, Operation::kexec);
  EXPECT_EQ(r.object, Object{});
}

TEST(LanguageParse, ExecMemoryWithExceptionAndSubject) {
  Document d = parse_ok(with_head("deny exec memory except /usr/bin/node\nallow exec memory by /opt/jit\n"));
  ASSERT_EQ(d.rules.size(), 2u);
  EXPECT_EQ(d.rules[0].object.kind, ObjectKind::memory);
  EXPECT_EQ(d.rules[0].exceptions, std::pmr::vector<std::pmr::string>{"/usr/bin/node"});
  EXPECT_EQ(d.rules[1].subject, std::optional<std::pmr::string>("/opt/jit"));
  // Memory is a schema-2 feature: the document says so.
  EXPECT_EQ(d.schema, 2u);
  EXPECT_EQ(format_rule(d.rules[0]), "deny exec memory except /usr/bin/node");
  EXPECT_EQ(parse_ok(format_policy(d)), d);
}

TEST(LanguageParse, NoMemoryRuleStaysSchema1) {
  EXPECT_EQ(parse_ok(with_head("deny exec any\n")).schema, 1u);
}

TEST(LanguageParse, CapabilityRuleByName) {
  Rule r = parse_rule("deny capability CAP_SYS_MODULE except /usr/bin/kmod\n");
  EXPECT_EQ(r.operation, Operation::capability);
  EXPECT_EQ(r.object.kind, ObjectKind::capability);
  EXPECT_EQ(r.object.capability, 16u);
  EXPECT_EQ(r.exceptions, std::pmr::vector<std::pmr::string>{"/usr/bin/kmod"});
}

TEST(LanguageParse, CapabilityRuleForAnyCapability) {
  Rule r = parse_rule("audit capability any by /usr/bin/su\n");
  EXPECT_EQ(r.object.kind, ObjectKind::any);
  EXPECT_EQ(r.subject, "/usr/bin/su");
}

TEST(LanguageParse, EveryObjectKindOfEveryFileOperation) {
  for (const char* op : {"exec", "read", "write", "module-load", "kexec", "mount"}) {
    for (const char* obj : {"path /a/b", "subtree /a", "subtree /", "fstype ramfs", "any"}) {
      const std::string line = std::string("deny ") + op + " " + obj + "\n";
      Rule r = parse_rule(line);
      EXPECT_EQ(to_string(r.operation), op) << line;
    }
  }
}

TEST(LanguageParse, ExceptionsAreSortedAndRuleLinesRecorded) {
  auto r = parse_policy_source(with_head("\n# x\ndeny write subtree /etc except /usr/sbin/b, /usr/bin/c,/a\n"
                                         "allow exec any\n"),
                               "t.policy");
  ASSERT_TRUE(r.ok()) << r.error();
  const Document& d = r->document;
  ASSERT_EQ(d.rules.size(), 2u);
  EXPECT_EQ(d.rules[0].exceptions, (std::pmr::vector<std::pmr::string>{"/a", "/usr/bin/c", "/usr/sbin/b"}));
  EXPECT_EQ(r->rule_lines, (std::vector<uint32_t>{6, 7}));
}

TEST(LanguageParse, RulesKeepSourceOrder) {
  Document d = parse_ok(with_head("deny exec path /z\nallow exec path /a\naudit exec path /m\n"));
  ASSERT_EQ(d.rules.size(), 3u);
  EXPECT_EQ(d.rules[0].object.path, "/z");
  EXPECT_EQ(d.rules[1].object.path, "/a");
  EXPECT_EQ(d.rules[2].object.path, "/m");
}

TEST(LanguageParse, QuotedPathsWithSpacesAndEscapes) {
  Rule r = parse_rule("deny read path \"/srv/My Files/a\\\"b\" by \"/opt/x y/bin\"\n");
  EXPECT_EQ(r.object.path, "/srv/My Files/a\"b");
  EXPECT_EQ(r.subject, "/opt/x y/bin");
}

TEST(LanguageParse, SameObjectWithDifferentSubjectsIsNoConflict) {
  Document d = parse_ok(with_head(
      "deny write path /etc/shadow\n"
      "allow write path /etc/shadow by /usr/bin/passwd\n"
      "audit write path /etc/shadow by /usr/sbin/chpasswd\n"
      "deny write subtree /etc/shadow\n"
      "deny read path /etc/shadow\n"));
  EXPECT_EQ(d.rules.size(), 5u);
}

TEST(LanguageParse, ParsedDocumentsValidate) {
  for (const auto& p : example_policies()) {
    auto d = parse_policy(read_file(p), p.string());
    ASSERT_TRUE(d.ok()) << d.error();
    EXPECT_TRUE(validate(*d).ok()) << p;
  }
}

TEST(LanguageParse, ReadsFiles) {
  const auto p = std::filesystem::path(BOOTSEAL_SOURCE_ROOT) / "examples" / "appliance-lockdown.policy";
  auto r = parse_policy_file(p.string());
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->document.name, "appliance-lockdown");
  EXPECT_EQ(r->rule_lines.size(), r->document.rules.size());
}

// ---------------------------------------------------------------------------
// Rejections: one test per way the compiler refuses input. Each asserts the
// whole message, file:line:column included.

// Lexical errors.
TEST(LanguageReject, UnterminatedString) {
  EXPECT_EQ(parse_error("policy \"abc\n"),
            "t.policy:1:8: error: unterminated string, expected a closing '\"' on the same line");
}

TEST(LanguageReject, BackslashAtEndOfLineInString) {
  EXPECT_EQ(parse_error("policy \"abc\\\n"),
            "t.policy:1:8: error: unterminated string, expected a closing '\"' on the same line");
}

TEST(LanguageReject, UnknownEscape) {
  EXPECT_EQ(parse_error("policy \"a\\qb\"\n"),
            "t.policy:1:10: error: unknown escape '\\q' in string, expected one of \\\\ \\\" \\n \\t \\r \\xHH");
}

TEST(LanguageReject, BadHexEscape) {
  EXPECT_EQ(parse_error("policy \"a\\x4g\"\n"),
            "t.policy:1:10: error: bad escape '\\x' in string, expected two hexadecimal digits after \\x");
}

TEST(LanguageReject, ControlCharacterInString) {
  EXPECT_EQ(parse_error(std::string("policy \"a\x01\"\n")),
            "t.policy:1:10: error: control character \\x01 in string, expected printable text (write it as an "
            "escape such as \\x01)");
}

TEST(LanguageReject, NulByteInWord) {
  EXPECT_EQ(parse_error(std::string("policy ab\0c\n", 12)),
            "t.policy:1:10: error: control character \\x00, expected printable text (quote the value and write it "
            "as an escape such as \\x01)");
}

// Statements.
TEST(LanguageReject, UnknownKeyword) {
  EXPECT_EQ(parse_error(with_head("permit exec any\n")),
            "t.policy:4:1: error: unknown keyword 'permit', expected a statement (policy, generation, mode, "
            "machine, description, lockdown, seal-by, seal-after, phase, default, allow, deny or audit)");
}

TEST(LanguageReject, KeywordIsCaseSensitive) {
  EXPECT_EQ(parse_error(with_head("  Deny exec any\n")),
            "t.policy:4:3: error: unknown keyword 'Deny', expected a statement (policy, generation, mode, "
            "machine, description, lockdown, seal-by, seal-after, phase, default, allow, deny or audit)");
}

TEST(LanguageReject, QuotedStringAtStatementStart) {
  EXPECT_EQ(parse_error("\"policy\" x\n"),
            "t.policy:1:1: error: unexpected \"policy\" at the start of a statement, expected a statement (policy, "
            "generation, mode, machine, description, lockdown, seal-by, seal-after, phase, default, allow, deny or audit)");
}

TEST(LanguageReject, CommaAtStatementStart) {
  EXPECT_EQ(parse_error(with_head(", deny exec any\n")),
            "t.policy:4:1: error: unexpected ',' at the start of a statement, expected a statement (policy, "
            "generation, mode, machine, description, lockdown, seal-by, seal-after, phase, default, allow, deny or audit)");
}

// Header.
TEST(LanguageReject, DuplicatePolicy) {
  EXPECT_EQ(parse_error(with_head("policy \"u\"\n")),
            "t.policy:4:1: error: duplicate 'policy', already given on line 1, expected one 'policy' statement");
}

TEST(LanguageReject, MissingPolicyName) {
  EXPECT_EQ(parse_error("policy\n"),
            "t.policy:1:7: error: missing policy name after 'policy', expected a name such as "
            "\"appliance-lockdown\"");
}

TEST(LanguageReject, CommaAsPolicyName) {
  EXPECT_EQ(parse_error("policy ,\n"),
            "t.policy:1:8: error: unexpected ',' where the policy name belongs, expected a name such as "
            "\"appliance-lockdown\"");
}

TEST(LanguageReject, EmptyPolicyName) {
  EXPECT_EQ(parse_error("policy \"\"\n"), "t.policy:1:8: error: empty policy name, expected a non-empty name");
}

TEST(LanguageReject, TrailingGarbageAfterPolicyName) {
  EXPECT_EQ(parse_error("policy my policy\n"),
            "t.policy:1:11: error: unexpected 'policy' after the policy name, expected end of line");
}

TEST(LanguageReject, DuplicateGeneration) {
  EXPECT_EQ(parse_error(with_head("generation 2\n")),
            "t.policy:4:1: error: duplicate 'generation', already given on line 2, expected one 'generation' "
            "statement");
}

TEST(LanguageReject, MissingGenerationNumber) {
  EXPECT_EQ(parse_error("generation   \n"),
            "t.policy:1:14: error: missing number after 'generation', expected a decimal integer >= 1");
}

TEST(LanguageReject, NegativeGeneration) {
  EXPECT_EQ(parse_error("generation -1\n"),
            "t.policy:1:12: error: bad generation '-1', expected a decimal integer >= 1");
}

TEST(LanguageReject, QuotedGeneration) {
  EXPECT_EQ(parse_error("generation \"3\"\n"),
            "t.policy:1:12: error: bad generation \"3\", expected a decimal integer >= 1");
}

TEST(LanguageReject, GenerationZero) {
  EXPECT_EQ(parse_error("policy x\ngeneration 0\nmode enforce\n"),
            "t.policy:2:12: error: generation 0 is not allowed, expected a decimal integer >= 1 (the "
            "anti-rollback counter)");
}

TEST(LanguageReject, GenerationTooLarge) {
  EXPECT_EQ(parse_error("generation 18446744073709551616\n"),
            "t.policy:1:12: error: generation 18446744073709551616 is too large, expected at most "
            "18446744073709551615");
}

TEST(LanguageReject, TrailingGarbageAfterGeneration) {
  EXPECT_EQ(parse_error("generation 3 4\n"),
            "t.policy:1:14: error: unexpected '4' after the generation, expected end of line");
}

TEST(LanguageReject, DuplicateMode) {
  EXPECT_EQ(parse_error(with_head("mode permissive\n")),
            "t.policy:4:1: error: duplicate 'mode', already given on line 3, expected one 'mode' statement");
}

TEST(LanguageReject, MissingModeValue) {
  EXPECT_EQ(parse_error("mode\n"), "t.policy:1:5: error: missing mode after 'mode', expected enforce or permissive");
}

TEST(LanguageReject, TrailingGarbageAfterMode) {
  EXPECT_EQ(parse_error("mode enforce permissive\n"),
            "t.policy:1:14: error: unexpected 'permissive' after the mode, expected end of line");
}

TEST(LanguageReject, UnknownMode) {
  EXPECT_EQ(parse_error("mode enforcing\n"),
            "t.policy:1:6: error: unknown mode 'enforcing', expected enforce or permissive");
}

TEST(LanguageReject, DuplicateDescription) {
  EXPECT_EQ(parse_error("description \"a\"\ndescription \"b\"\n"),
            "t.policy:2:1: error: duplicate 'description', already given on line 1, expected one 'description' "
            "statement");
}

TEST(LanguageReject, MissingDescriptionText) {
  EXPECT_EQ(parse_error("description\n"),
            "t.policy:1:12: error: missing text after 'description', expected a quoted string");
}

TEST(LanguageReject, CommaAsDescription) {
  EXPECT_EQ(parse_error("description ,\n"),
            "t.policy:1:13: error: unexpected ',' where the description belongs, expected a quoted string");
}

TEST(LanguageReject, UnquotedDescriptionWithSpaces) {
  EXPECT_EQ(parse_error("description locks down\n"),
            "t.policy:1:19: error: unexpected 'down' after the description (quote text that contains spaces), "
            "expected end of line");
}

TEST(LanguageReject, MissingMachineId) {
  EXPECT_EQ(parse_error("machine\n"),
            "t.policy:1:8: error: missing machine id after 'machine', expected 32 lowercase hexadecimal digits");
}

TEST(LanguageReject, UppercaseMachineId) {
  EXPECT_EQ(parse_error("machine 0123456789ABCDEF0123456789abcdef\n"),
            "t.policy:1:9: error: bad machine id '0123456789ABCDEF0123456789abcdef', expected 32 lowercase "
            "hexadecimal digits (as in /etc/machine-id)");
}

TEST(LanguageReject, ShortMachineId) {
  EXPECT_EQ(parse_error("machine 0123\n"),
            "t.policy:1:9: error: bad machine id '0123', expected 32 lowercase hexadecimal digits (as in "
            "/etc/machine-id)");
}

TEST(LanguageReject, DuplicateMachineId) {
  EXPECT_EQ(parse_error("machine 0123456789abcdef0123456789abcdef\n"
                        "machine 11111111111111111111111111111111\n"
                        "machine 0123456789abcdef0123456789abcdef\n"),
            "t.policy:3:9: error: duplicate machine id 0123456789abcdef0123456789abcdef, already given on line 1, "
            "expected each machine id once");
}

TEST(LanguageReject, TrailingGarbageAfterMachineId) {
  EXPECT_EQ(parse_error("machine 0123456789abcdef0123456789abcdef, 11111111111111111111111111111111\n"),
            "t.policy:1:41: error: unexpected ',' after the machine id, expected end of line");
}

TEST(LanguageReject, MissingDefaultOperation) {
  EXPECT_EQ(parse_error("default\n"),
            "t.policy:1:8: error: missing operation after 'default', expected one of exec, read, write, "
            "capability, module-load, kexec or mount");
}

TEST(LanguageReject, DefaultUnknownOperation) {
  EXPECT_EQ(parse_error("default execute deny\n"),
            "t.policy:1:9: error: unknown operation 'execute', expected one of exec, read, write, capability, "
            "module-load, kexec or mount");
}

TEST(LanguageReject, DuplicateDefault) {
  EXPECT_EQ(parse_error("default exec deny\n\ndefault exec deny\n"),
            "t.policy:3:9: error: duplicate default for exec, already given on line 1, expected one default per "
            "operation");
}

TEST(LanguageReject, MissingDefaultAction) {
  EXPECT_EQ(parse_error("default mount\n"),
            "t.policy:1:14: error: missing action after 'default mount', expected allow, deny or audit");
}

TEST(LanguageReject, DefaultUnknownAction) {
  EXPECT_EQ(parse_error("default mount block\n"),
            "t.policy:1:15: error: unknown action 'block', expected allow, deny or audit");
}

TEST(LanguageReject, TrailingGarbageAfterDefault) {
  EXPECT_EQ(parse_error("default mount deny any\n"),
            "t.policy:1:20: error: unexpected 'any' after the default action, expected end of line");
}

// Missing header statements are reported at the end of the text.
TEST(LanguageReject, EmptyText) {
  EXPECT_EQ(parse_error(""),
            "t.policy:1:1: error: missing 'policy' statement, expected a policy name, e.g. policy \"my-policy\"");
}

TEST(LanguageReject, MissingPolicyStatement) {
  EXPECT_EQ(parse_error("generation 1\nmode enforce\ndeny exec any\n"),
            "t.policy:4:1: error: missing 'policy' statement, expected a policy name, e.g. policy \"my-policy\"");
}

TEST(LanguageReject, MissingGenerationStatement) {
  EXPECT_EQ(parse_error("policy x\nmode enforce"),
            "t.policy:2:13: error: missing 'generation' statement, expected a generation >= 1, e.g. generation 1");
}

TEST(LanguageReject, MissingModeStatement) {
  EXPECT_EQ(parse_error("policy x\ngeneration 1\n"),
            "t.policy:3:1: error: missing 'mode' statement, expected mode enforce or mode permissive");
}

// Rules: operation and object.
TEST(LanguageReject, MissingOperation) {
  EXPECT_EQ(parse_error(with_head("deny\n")),
            "t.policy:4:5: error: missing operation after 'deny', expected one of exec, read, write, capability, "
            "module-load, kexec or mount");
}

TEST(LanguageReject, UnknownOperation) {
  EXPECT_EQ(parse_error(with_head("deny ptrace any\n")),
            "t.policy:4:6: error: unknown operation 'ptrace', expected one of exec, read, write, capability, "
            "module-load, kexec or mount");
}

TEST(LanguageReject, OperationSpelledWithUnderscore) {
  EXPECT_EQ(parse_error(with_head("deny module_load any\n")),
            "t.policy:4:6: error: unknown operation 'module_load', expected one of exec, read, write, capability, "
            "module-load, kexec or mount");
}

TEST(LanguageReject, MissingObject) {
  EXPECT_EQ(parse_error(with_head("deny exec\n")),
            "t.policy:4:10: error: missing object after 'exec', expected path, subtree, fstype, memory or any");
}

TEST(LanguageReject, MissingCapability) {
  EXPECT_EQ(parse_error(with_head("deny capability \n")),
            "t.policy:4:17: error: missing object after 'capability', expected a capability name such as "
            "CAP_SYS_MODULE, or any");
}

TEST(LanguageReject, QuotedStringAsObject) {
  EXPECT_EQ(parse_error(with_head("deny exec \"/bin/sh\"\n")),
            "t.policy:4:11: error: unexpected \"/bin/sh\" where the object belongs, expected path, subtree, fstype, memory "
            "or any");
}

TEST(LanguageReject, BarePathAsObject) {
  EXPECT_EQ(parse_error(with_head("deny exec /bin/sh\n")),
            "t.policy:4:11: error: unknown object '/bin/sh', expected path, subtree, fstype, memory or any");
}

TEST(LanguageReject, CapabilityAsObjectOfExec) {
  EXPECT_EQ(parse_error(with_head("deny exec CAP_SYS_ADMIN\n")),
            "t.policy:4:11: error: a capability is not an object of operation exec, expected path, subtree, "
            "fstype, memory or any");
}

TEST(LanguageReject, MemoryWithRead) {
  EXPECT_EQ(parse_error(with_head("deny read memory\n")),
            "t.policy:4:11: error: object 'memory' is not valid for operation read, expected path, subtree, "
            "fstype, device or any ('memory' goes with exec only)");
}

TEST(LanguageReject, MemoryWithCapability) {
  EXPECT_EQ(parse_error(with_head("deny capability memory\n")),
            "t.policy:4:17: error: object 'memory' is not valid for operation capability, expected a capability "
            "name such as CAP_SYS_MODULE, or any ('memory' goes with exec only)");
}

TEST(LanguageReject, MemoryWithPath) {
  EXPECT_EQ(parse_error(with_head("deny exec memory /tmp\n")),
            "t.policy:4:18: error: unexpected '/tmp' after the rule's object, expected 'by SUBJECT', "
            "'except EXCEPTIONS' or end of line");
}

TEST(LanguageReject, DuplicateMemoryRule) {
  EXPECT_EQ(parse_error(with_head("deny exec memory\nallow exec memory\n")),
            "t.policy:5:1: error: rule conflicts with the rule on line 4 (same operation, object and subject; "
            "deny there, allow here), expected one rule per operation, object and subject");
}

TEST(LanguageReject, PathObjectForCapability) {
  EXPECT_EQ(parse_error(with_head("deny capability path /usr/bin/kmod\n")),
            "t.policy:4:17: error: object 'path' is not valid for operation capability, expected a capability "
            "name such as CAP_SYS_MODULE, or any");
}

TEST(LanguageReject, UnknownCapability) {
  EXPECT_EQ(parse_error(with_head("deny capability CAP_SYS_MODULES\n")),
            "t.policy:4:17: error: unknown capability 'CAP_SYS_MODULES', expected a capability name such as "
            "CAP_SYS_MODULE, or any");
}

TEST(LanguageReject, LowercaseCapability) {
  EXPECT_EQ(parse_error(with_head("deny capability sys_module\n")),
            "t.policy:4:17: error: unknown capability 'sys_module', expected a capability name such as "
            "CAP_SYS_MODULE, or any");
}

TEST(LanguageReject, MissingPathAfterPath) {
  EXPECT_EQ(parse_error(with_head("deny write path\n")), "t.policy:4:16: error: missing path, expected an absolute path");
}

TEST(LanguageReject, MissingPathAfterSubtree) {
  EXPECT_EQ(parse_error(with_head("deny write subtree\n")),
            "t.policy:4:19: error: missing subtree, expected an absolute path");
}

TEST(LanguageReject, CommaWherePathBelongs) {
  EXPECT_EQ(parse_error(with_head("deny write path ,\n")),
            "t.policy:4:17: error: unexpected ',' where the path belongs, expected an absolute path");
}

TEST(LanguageReject, RelativePath) {
  EXPECT_EQ(parse_error(with_head("deny write path etc/shadow\n")),
            "t.policy:4:17: error: relative path 'etc/shadow' as path, expected an absolute path starting with '/'");
}

TEST(LanguageReject, EmptyQuotedPath) {
  EXPECT_EQ(parse_error(with_head("deny write subtree \"\"\n")),
            "t.policy:4:20: error: relative path \"\" as subtree, expected an absolute path starting with '/'");
}

TEST(LanguageReject, PathWithDotDot) {
  EXPECT_EQ(parse_error(with_head("deny write path /etc/../etc/shadow\n")),
            "t.policy:4:17: error: path '/etc/../etc/shadow' is not normalised, expected a path without empty, "
            "'.' or '..' components and without a trailing '/'");
}

TEST(LanguageReject, PathWithDoubleSlash) {
  EXPECT_EQ(parse_error(with_head("deny write path /etc//shadow\n")),
            "t.policy:4:17: error: path '/etc//shadow' is not normalised, expected a path without empty, "
            "'.' or '..' components and without a trailing '/'");
}

TEST(LanguageReject, SubtreeWithTrailingSlash) {
  EXPECT_EQ(parse_error(with_head("deny write subtree /etc/\n")),
            "t.policy:4:20: error: path '/etc/' is not normalised, expected a path without empty, "
            "'.' or '..' components and without a trailing '/'");
}

TEST(LanguageReject, PathWithNulByte) {
  EXPECT_EQ(parse_error(with_head("deny write path \"/etc/a\\x00b\"\n")),
            "t.policy:4:17: error: path \"/etc/a\\x00b\" contains a NUL byte, expected a path without NUL bytes");
}

TEST(LanguageReject, MissingFstype) {
  const std::string e = parse_error(with_head("deny exec fstype\n"));
  EXPECT_EQ(e.rfind("t.policy:4:17: error: missing filesystem type after 'fstype', expected one of ", 0), 0u) << e;
  EXPECT_NE(e.find("tmpfs"), std::string::npos) << e;
}

TEST(LanguageReject, UnknownFstype) {
  const std::string e = parse_error(with_head("deny exec fstype tmpfs2\n"));
  EXPECT_EQ(e.rfind("t.policy:4:18: error: unknown filesystem type 'tmpfs2', expected one of bpf, btrfs, ", 0), 0u)
      << e;
  EXPECT_NE(e.find(", tmpfs, "), std::string::npos) << e;
}

TEST(LanguageReject, CommaAsFstype) {
  const std::string e = parse_error(with_head("deny exec fstype ,\n"));
  EXPECT_EQ(e.rfind("t.policy:4:18: error: unknown filesystem type ',', expected one of ", 0), 0u) << e;
}

// Rules: subject and exceptions.
TEST(LanguageReject, MissingSubject) {
  EXPECT_EQ(parse_error(with_head("allow exec any by\n")),
            "t.policy:4:18: error: missing subject, expected an absolute path");
}

TEST(LanguageReject, RelativeSubject) {
  EXPECT_EQ(parse_error(with_head("allow write path /etc/shadow by passwd\n")),
            "t.policy:4:33: error: relative path 'passwd' as subject, expected an absolute path starting with '/'");
}

TEST(LanguageReject, NotNormalisedSubject) {
  EXPECT_EQ(parse_error(with_head("allow exec any by /usr/bin/./x\n")),
            "t.policy:4:19: error: path '/usr/bin/./x' is not normalised, expected a path without empty, "
            "'.' or '..' components and without a trailing '/'");
}

TEST(LanguageReject, DuplicateBy) {
  EXPECT_EQ(parse_error(with_head("allow exec any by /a by /b\n")),
            "t.policy:4:22: error: duplicate 'by', the subject was already given at column 16, expected one "
            "subject");
}

TEST(LanguageReject, ExceptAfterBy) {
  EXPECT_EQ(parse_error(with_head("deny exec any by /a except /b\n")),
            "t.policy:4:21: error: 'except' after 'by', expected either 'by SUBJECT' or 'except EXCEPTIONS', not "
            "both (exceptions apply only to rules for any subject)");
}

TEST(LanguageReject, ByAfterExcept) {
  EXPECT_EQ(parse_error(with_head("deny exec any except /b by /a\n")),
            "t.policy:4:25: error: 'by' after 'except', expected either 'by SUBJECT' or 'except EXCEPTIONS', not "
            "both (exceptions apply only to rules for any subject)");
}

TEST(LanguageReject, DuplicateExcept) {
  EXPECT_EQ(parse_error(with_head("deny exec any except /a except /b\n")),
            "t.policy:4:25: error: duplicate 'except', the exceptions were already given at column 15, expected "
            "one comma-separated list after one 'except'");
}

TEST(LanguageReject, MissingException) {
  EXPECT_EQ(parse_error(with_head("deny exec any except\n")),
            "t.policy:4:21: error: missing exception, expected an absolute path");
}

TEST(LanguageReject, TrailingCommaInExceptions) {
  EXPECT_EQ(parse_error(with_head("deny exec any except /a,\n")),
            "t.policy:4:25: error: missing exception, expected an absolute path");
}

TEST(LanguageReject, DoubleCommaInExceptions) {
  EXPECT_EQ(parse_error(with_head("deny exec any except /a,, /b\n")),
            "t.policy:4:25: error: unexpected ',' where the exception belongs, expected an absolute path");
}

TEST(LanguageReject, MissingCommaBetweenExceptions) {
  EXPECT_EQ(parse_error(with_head("deny exec any except /a /b\n")),
            "t.policy:4:25: error: unexpected '/b' after the exception list, expected ',' between exceptions, or "
            "end of line");
}

TEST(LanguageReject, RelativeException) {
  EXPECT_EQ(parse_error(with_head("deny exec any except /a, kmod\n")),
            "t.policy:4:26: error: relative path 'kmod' as exception, expected an absolute path starting with '/'");
}

TEST(LanguageReject, DuplicateException) {
  EXPECT_EQ(parse_error(with_head("deny exec any except /b, /a, /b\n")),
            "t.policy:4:30: error: duplicate exception /b, already listed at column 22, expected each exception "
            "once");
}

TEST(LanguageReject, TrailingGarbageAfterObject) {
  EXPECT_EQ(parse_error(with_head("deny exec path /bin/sh /bin/bash\n")),
            "t.policy:4:24: error: unexpected '/bin/bash' after the rule's object, expected 'by SUBJECT', 'except "
            "EXCEPTIONS' or end of line");
}

TEST(LanguageReject, TrailingGarbageAfterSubject) {
  EXPECT_EQ(parse_error(with_head("allow exec any by /a, /b\n")),
            "t.policy:4:21: error: unexpected ',' after the rule's object, expected end of line");
}

TEST(LanguageReject, UnknownActionIsAnUnknownKeyword) {
  EXPECT_EQ(parse_error(with_head("log exec any\n")),
            "t.policy:4:1: error: unknown keyword 'log', expected a statement (policy, generation, mode, machine, "
            "description, lockdown, seal-by, seal-after, phase, default, allow, deny or audit)");
}

// Rules: identity.
TEST(LanguageReject, ConflictingRulesNameBothLines) {
  EXPECT_EQ(parse_error(with_head("deny write path /etc/shadow\n"
                                  "allow write path /etc/passwd\n"
                                  "  allow write path /etc/shadow\n")),
            "t.policy:6:3: error: rule conflicts with the rule on line 4 (same operation, object and subject; deny "
            "there, allow here), expected one rule per operation, object and subject");
}

TEST(LanguageReject, ConflictingRulesWithSameSubject) {
  EXPECT_EQ(parse_error(with_head("allow capability CAP_BPF by /usr/sbin/bpftool\n"
                                  "audit capability CAP_BPF by /usr/sbin/bpftool\n")),
            "t.policy:5:1: error: rule conflicts with the rule on line 4 (same operation, object and subject; allow "
            "there, audit here), expected one rule per operation, object and subject");
}

TEST(LanguageReject, DuplicateRule) {
  EXPECT_EQ(parse_error(with_head("deny exec fstype tmpfs\ndeny exec fstype tmpfs\n")),
            "t.policy:5:1: error: duplicate of the rule on line 4 (same operation, object and subject), expected "
            "one rule per operation, object and subject");
}

TEST(LanguageReject, SameRuleWithDifferentExceptions) {
  EXPECT_EQ(parse_error(with_head("deny exec any except /a\ndeny exec any except /b\n")),
            "t.policy:5:1: error: duplicate of the rule on line 4 (same operation, object and subject), expected "
            "one rule per operation, object and subject");
}

TEST(LanguageReject, MissingFile) {
  auto r = parse_policy_file("/nonexistent/x.policy");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), "Failed to open /nonexistent/x.policy: No such file or directory");
}

TEST(LanguageReject, DirectoryInsteadOfFile) {
  auto r = parse_policy_file(BOOTSEAL_SOURCE_ROOT "/examples");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), "Failed to read " BOOTSEAL_SOURCE_ROOT "/examples: Is a directory");
}

TEST(LanguageReject, ErrorsNameTheFileGiven) {
  auto r = parse_policy("policy x\ngeneration 0\n", "/etc/bootseal/main.policy");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().rfind("/etc/bootseal/main.policy:2:12: error: generation 0", 0), 0u) << r.error();
}

// ---------------------------------------------------------------------------
// Canonical text

Document sample_document() {
  Document d;
  d.name = "sample";
  d.generation = 42;
  d.mode = Mode::permissive;
  d.machines = {*machine_id_from_string("00000000000000000000000000000001"),
                *machine_id_from_string("0123456789abcdef0123456789abcdef")};
  d.description = "Café \"quoted\"\n";
  d.defaults[static_cast<size_t>(Operation::module_load)] = Action::deny;
  d.defaults[static_cast<size_t>(Operation::kexec)] = Action::audit;
  Rule r1;
  r1.action = Action::deny;
  r1.operation = Operation::capability;
  r1.object.kind = ObjectKind::capability;
  r1.object.capability = *capability_from_string("CAP_SYS_RAWIO");
  r1.exceptions = {"/usr/bin/kmod", "/usr/lib/systemd/systemd-udevd"};
  Rule r2;
  r2.action = Action::allow;
  r2.operation = Operation::read;
  r2.object.kind = ObjectKind::subtree;
  r2.object.path = "/srv/My Files";
  r2.subject = "/opt/app/bin/server";
  Rule r3;
  r3.action = Action::audit;
  r3.operation = Operation::mount;
  r3.object.kind = ObjectKind::fstype;
  r3.object.fstype = "vfat";
  Rule r4;
  r4.action = Action::deny;
  r4.operation = Operation::kexec;
  d.rules = {r1, r2, r3, r4};
  return d;
}

constexpr std::string_view kSampleText =
    "policy \"sample\"\n"
    "generation 42\n"
    "mode permissive\n"
    "machine 00000000000000000000000000000001\n"
    "machine 0123456789abcdef0123456789abcdef\n"
    "description \"Café \\\"quoted\\\"\\n\"\n"
    "\n"
    "default exec allow\n"
    "default read allow\n"
    "default write allow\n"
    "default capability allow\n"
    "default module-load deny\n"
    "default kexec audit\n"
    "default mount allow\n"
    "\n"
    "deny capability CAP_SYS_RAWIO except /usr/bin/kmod, /usr/lib/systemd/systemd-udevd\n"
    "allow read subtree \"/srv/My Files\" by /opt/app/bin/server\n"
    "audit mount fstype vfat\n"
    "deny kexec any\n";

TEST(LanguageFormat, CanonicalTextOfADocument) {
  ASSERT_TRUE(validate(sample_document()).ok());
  EXPECT_EQ(format_policy(sample_document()), kSampleText);
}

TEST(LanguageFormat, CanonicalTextParsesToTheDocument) {
  EXPECT_EQ(parse_ok(kSampleText), sample_document());
}

TEST(LanguageFormat, MinimalDocumentHasNoDescriptionOrRuleSection) {
  Document d;
  d.name = "m";
  d.generation = 1;
  EXPECT_EQ(format_policy(d),
            "policy \"m\"\ngeneration 1\nmode enforce\n\n"
            "default exec allow\ndefault read allow\ndefault write allow\ndefault capability allow\n"
            "default module-load allow\ndefault kexec allow\ndefault mount allow\n");
}

TEST(LanguageFormat, NonCanonicalSpellingBecomesCanonical) {
  const std::string messy =
      "# comment\n"
      "mode   enforce\n"
      "policy lockdown   # bare name\n"
      "generation 0009\n"
      "deny  write   path \"/etc/shadow\"   except /usr/bin/passwd,/usr/bin/chage\n"
      "default kexec deny\n";
  const std::string canonical =
      "policy \"lockdown\"\ngeneration 9\nmode enforce\n\n"
      "default exec allow\ndefault read allow\ndefault write allow\ndefault capability allow\n"
      "default module-load allow\ndefault kexec deny\ndefault mount allow\n\n"
      "deny write path /etc/shadow except /usr/bin/chage, /usr/bin/passwd\n";
  EXPECT_EQ(format_policy(parse_ok(messy)), canonical);
  EXPECT_EQ(format_policy(parse_ok(canonical)), canonical);
}

TEST(LanguageFormat, FormatRule) {
  Rule r;
  r.action = Action::deny;
  r.operation = Operation::write;
  r.object.kind = ObjectKind::path;
  r.object.path = "/etc/shadow";
  r.exceptions = {"/usr/bin/passwd"};
  EXPECT_EQ(format_rule(r), "deny write path /etc/shadow except /usr/bin/passwd");
  r.exceptions.clear();
  r.subject = "/usr/bin/vi";
  r.action = Action::audit;
  EXPECT_EQ(format_rule(r), "audit write path /etc/shadow by /usr/bin/vi");
}

TEST(LanguageFormat, Quoting) {
  EXPECT_EQ(quote_if_needed("/usr/bin/kmod"), "/usr/bin/kmod");
  EXPECT_EQ(quote_if_needed("/a-b_c.d+e@f:g=h%i~j"), "/a-b_c.d+e@f:g=h%i~j");
  EXPECT_EQ(quote_if_needed(""), "\"\"");
  EXPECT_EQ(quote_if_needed("/a b"), "\"/a b\"");
  EXPECT_EQ(quote_if_needed("/a,b"), "\"/a,b\"");
  EXPECT_EQ(quote_if_needed("/a#b"), "\"/a#b\"");
  EXPECT_EQ(quote("a\"b\\c\n\t\r\x01\x7f"), "\"a\\\"b\\\\c\\n\\t\\r\\x01\\x7f\"");
  // Well-formed UTF-8 stays as it is; stray bytes become escapes.
  EXPECT_EQ(quote("\xc3\xa9\xe2\x82\xac\xf0\x9f\x94\x92"), "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x94\x92\"");
  EXPECT_EQ(quote("\xff\xc3"), "\"\\xff\\xc3\"");
  EXPECT_EQ(quote("\xc0\xaf"), "\"\\xc0\\xaf\"");          // overlong '/'
  EXPECT_EQ(quote("\xed\xa0\x80"), "\"\\xed\\xa0\\x80\"");  // surrogate
}

// ---------------------------------------------------------------------------
// Round trips

TEST(LanguageRoundTrip, ExamplesParseAndRoundTrip) {
  const auto files = example_policies();
  ASSERT_GE(files.size(), 3u);
  for (const auto& p : files) {
    SCOPED_TRACE(p.string());
    auto parsed = parse_policy(read_file(p), p.string());
    ASSERT_TRUE(parsed.ok()) << parsed.error();
    const std::string canonical = format_policy(*parsed);
    auto again = parse_policy(canonical, "canonical");
    ASSERT_TRUE(again.ok()) << again.error() << "\n" << canonical;
    EXPECT_EQ(*again, *parsed);
    EXPECT_EQ(format_policy(*again), canonical);
  }
}

// Random valid documents, with every kind of object and awkward strings,
// survive document -> text -> document.
class RandomDocuments {
 public:
  explicit RandomDocuments(uint32_t seed) : rng_(seed), phase_rng_(seed + 1) {}

  Document next() {
    Document d;
    d.name = text(1 + pick(20));
    d.generation = pick(3) == 0 ? std::numeric_limits<uint64_t>::max() : 1 + pick(1000000);
    d.mode = pick(2) ? Mode::enforce : Mode::permissive;
    const size_t machines = pick(4);
    for (size_t i = 0; i < machines; ++i) {
      MachineId id;
      for (auto& b : id) b = static_cast<uint8_t>(pick(256));
      d.machines.push_back(id);
    }
    std::sort(d.machines.begin(), d.machines.end());
    d.machines.erase(std::unique(d.machines.begin(), d.machines.end()), d.machines.end());
    d.description = pick(3) ? text(pick(80)) : "";
    for (auto& a : d.defaults) a = static_cast<Action>(pick(kActionCount));
    const size_t rules = pick(30);
    for (size_t i = 0; i < rules; ++i) {
      Rule r;
      r.action = static_cast<Action>(pick(kActionCount));
      r.operation = static_cast<Operation>(pick(kOperationCount));
      if (r.operation == Operation::capability) {
        if (pick(4)) {
          r.object.kind = ObjectKind::capability;
          r.object.capability = static_cast<uint32_t>(pick(kCapabilityCount));
          // A denial of CAP_SYSLOG, CAP_PERFMON, CAP_BPF or
          // CAP_CHECKPOINT_RESTORE needs CAP_SYS_ADMIN denied too
          // (LanguageCapability tests): audit them.
          if (r.action == Action::deny && (r.object.capability >= 38 || r.object.capability == 34))
            r.action = Action::audit;
        }
      } else {
        switch (pick(5)) {
          case 0: break;
          case 4:
            if (r.operation != Operation::read && r.operation != Operation::write) break;
            r.object.kind = ObjectKind::device;
            r.object.path = path();
            break;
          case 1: r.object.kind = ObjectKind::path; r.object.path = path(); break;
          case 2: r.object.kind = ObjectKind::subtree; r.object.path = pick(10) ? path() : "/"; break;
          default: {
            const auto names = fstype_names();
            r.object.kind = ObjectKind::fstype;
            r.object.fstype = std::string(names[pick(names.size())]);
          }
        }
      }
      switch (r.object.kind == ObjectKind::device && r.action == Action::allow ? 1 : pick(3)) {
        case 0: break;
        case 1: r.subject = path(); break;
        default:
          for (size_t k = pick(4) + 1; k > 0; --k) r.exceptions.emplace_back(path());
          std::sort(r.exceptions.begin(), r.exceptions.end());
          r.exceptions.erase(std::unique(r.exceptions.begin(), r.exceptions.end()), r.exceptions.end());
      }
      d.rules.push_back(std::move(r));
    }
    // Drop rules that repeat an earlier rule's identity.
    Document unique = d;
    unique.rules.clear();
    for (const auto& r : d.rules) {
      const bool clash = std::any_of(unique.rules.begin(), unique.rules.end(), [&](const Rule& o) {
        return o.operation == r.operation && o.object == r.object && o.subject == r.subject;
      });
      if (!clash) unique.rules.push_back(r);
    }
    unique.lockdown = static_cast<Lockdown>(pick(3));
    if (pick(4) == 0) {
      for (size_t k = pick(3) + 1; k > 0; --k) unique.bpf_lsm_loaders.push_back(path());
      std::sort(unique.bpf_lsm_loaders.begin(), unique.bpf_lsm_loaders.end());
      unique.bpf_lsm_loaders.erase(std::unique(unique.bpf_lsm_loaders.begin(), unique.bpf_lsm_loaders.end()),
                                   unique.bpf_lsm_loaders.end());
    }
    add_phases(unique);
    unique.schema = required_schema(unique);
    return unique;
  }

 private:
  size_t pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }

  // Boot phases for one document in three, from their own generator so the
  // rest of each document is as without them: a deadline, maybe a seal-by
  // program and running defaults, a phase per rule, and a rule of one phase
  // repeated for the other with another action (disjoint phases may share
  // operation, object and subject).
  void add_phases(Document& d) {
    auto pick_p = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(phase_rng_); };
    if (pick_p(3) != 0) return;
    d.seal_after = pick_p(4) == 0 ? kSealAfterMax : 1 + pick_p(kSealAfterMax);
    static constexpr const char* kSealBy[] = {"/usr/lib/bootseal/bootseal-seal", "/opt/a b/seal\\x", "/s"};
    if (pick_p(2)) d.seal_by = kSealBy[pick_p(std::size(kSealBy))];
    if (pick_p(2)) {
      auto run = d.defaults;
      for (auto& a : run)
        if (pick_p(3) == 0) a = static_cast<Action>(pick_p(kActionCount));
      if (run != d.defaults) d.running_defaults = run;
    }
    std::vector<Rule> rules;
    for (Rule r : d.rules) {
      r.phase = static_cast<Phase>(pick_p(3));
      rules.push_back(r);
      if (r.phase != Phase::any && pick_p(3) == 0) {
        r.phase = r.phase == Phase::boot ? Phase::running : Phase::boot;
        r.action = static_cast<Action>(pick_p(kActionCount));
        // The same CAP_SYS_ADMIN caveat as above, for the copy.
        if (r.operation == Operation::capability && r.object.kind == ObjectKind::capability &&
            r.action == Action::deny && (r.object.capability >= 38 || r.object.capability == 34))
          r.action = Action::audit;
        // An allow for a device names its subject.
        if (r.object.kind == ObjectKind::device && r.action == Action::allow && !r.subject) r.action = Action::deny;
        rules.push_back(r);
      }
    }
    d.rules = std::move(rules);
  }

  // Any bytes but NUL-free paths; mostly printable, sometimes anything.
  std::string text(size_t n) {
    static constexpr std::string_view kAlphabet = "abcXYZ019 ,#\"\\\t\n\r-_./@é";
    std::string s;
    for (size_t i = 0; i < n; ++i) {
      if (pick(8) == 0) {
        s += static_cast<char>(pick(256));
      } else {
        s += kAlphabet[pick(kAlphabet.size())];
      }
    }
    return s;
  }

  std::string path() {
    std::string p;
    for (size_t k = pick(4) + 1; k > 0; --k) {
      std::string comp = text(1 + pick(8));
      std::replace(comp.begin(), comp.end(), '/', '_');
      std::replace(comp.begin(), comp.end(), '\0', '0');
      if (comp == "." || comp == "..") comp = "dot";
      p += "/" + comp;
    }
    return p;
  }

  std::mt19937 rng_;
  std::mt19937 phase_rng_;
};

TEST(LanguageRoundTrip, RandomDocumentsRoundTrip) {
  RandomDocuments gen(20240601);
  for (int i = 0; i < 2000; ++i) {
    const Document d = gen.next();
    ASSERT_TRUE(validate(d).ok()) << validate(d).error();
    const std::string canonical = format_policy(d);
    auto parsed = parse_policy(canonical, "random");
    ASSERT_TRUE(parsed.ok()) << parsed.error() << "\n" << canonical;
    ASSERT_EQ(*parsed, d) << canonical;
    ASSERT_EQ(format_policy(*parsed), canonical);
  }
}

TEST(LanguageRoundTrip, RuleLinesPointAtTheRulesInCanonicalText) {
  const Document d = sample_document();
  const std::string canonical = format_policy(d);
  auto parsed = parse_policy_source(canonical, "c");
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  std::vector<std::string> lines;
  std::istringstream in(canonical);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  ASSERT_EQ(parsed->rule_lines.size(), d.rules.size());
  for (size_t i = 0; i < d.rules.size(); ++i) {
    EXPECT_EQ(lines.at(parsed->rule_lines[i] - 1), format_rule(d.rules[i]));
  }
}

// ---------------------------------------------------------------------------
// The worked examples of docs/POLICY.md and the classic cases of the
// appliance example, decided by the reference precedence.

Document example(const char* name) {
  const auto p = std::filesystem::path(BOOTSEAL_SOURCE_ROOT) / "examples" / name;
  auto d = parse_policy(read_file(p), p.string());
  EXPECT_TRUE(d.ok()) << d.error();
  return d.ok() ? *d : Document{};
}

Action decide_file(const Document& d, Operation op, std::string path, std::string fstype, std::string subject) {
  Query q;
  q.operation = op;
  q.path = std::move(path);
  q.fstype = std::move(fstype);
  q.subject = std::move(subject);
  return decide(d, q).action;
}

Action decide_cap(const Document& d, const char* cap, std::string subject) {
  Query q;
  q.operation = Operation::capability;
  q.capability = *capability_from_string(cap);
  q.subject = std::move(subject);
  return decide(d, q).action;
}

TEST(LanguageExamples, ApplianceModuleCapabilitiesOnlyForKmod) {
  const Document d = example("appliance-lockdown.policy");
  EXPECT_EQ(decide_cap(d, "CAP_SYS_MODULE", "/usr/bin/kmod"), Action::allow);
  EXPECT_EQ(decide_cap(d, "CAP_SYS_RAWIO", "/usr/bin/kmod"), Action::allow);
  EXPECT_EQ(decide_cap(d, "CAP_SYS_MODULE", "/usr/bin/python3.11"), Action::deny);
  EXPECT_EQ(decide_cap(d, "CAP_SYS_RAWIO", "/usr/sbin/sshd"), Action::deny);
  EXPECT_EQ(decide_cap(d, "CAP_SYS_MODULE", ""), Action::deny);
  EXPECT_EQ(decide_cap(d, "CAP_NET_BIND_SERVICE", "/usr/sbin/sshd"), Action::allow);
}

TEST(LanguageExamples, ApplianceNoExecFromTmpfsOrRamfs) {
  const Document d = example("appliance-lockdown.policy");
  EXPECT_EQ(decide_file(d, Operation::exec, "/tmp/payload", "tmpfs", "/usr/bin/bash"), Action::deny);
  EXPECT_EQ(decide_file(d, Operation::exec, "/dev/shm/x", "tmpfs", "/usr/bin/bash"), Action::deny);
  EXPECT_EQ(decide_file(d, Operation::exec, "/mnt/r/x", "ramfs", "/usr/bin/bash"), Action::deny);
  EXPECT_EQ(decide_file(d, Operation::exec, "/usr/bin/ls", "ext4", "/usr/bin/bash"), Action::allow);
  EXPECT_EQ(decide_file(d, Operation::exec, "/usr/local/bin/tool", "ext4", "/usr/bin/bash"), Action::audit);
}

TEST(LanguageExamples, ApplianceShadowWrittenOnlyByPasswd) {
  const Document d = example("appliance-lockdown.policy");
  EXPECT_EQ(decide_file(d, Operation::write, "/etc/shadow", "ext4", "/usr/bin/passwd"), Action::allow);
  EXPECT_EQ(decide_file(d, Operation::write, "/etc/shadow", "ext4", "/usr/bin/vi"), Action::deny);
  EXPECT_EQ(decide_file(d, Operation::write, "/etc/shadow", "ext4", ""), Action::deny);
  EXPECT_EQ(decide_file(d, Operation::write, "/etc/hostname", "ext4", "/usr/bin/vi"), Action::allow);
}

TEST(LanguageExamples, ApplianceModulesOnlyThroughKmod) {
  const Document d = example("appliance-lockdown.policy");
  const std::string ko = "/usr/lib/modules/6.1.0-18-amd64/kernel/fs/fat/vfat.ko";
  EXPECT_EQ(decide_file(d, Operation::module_load, ko, "ext4", "/usr/bin/kmod"), Action::allow);
  EXPECT_EQ(decide_file(d, Operation::module_load, ko, "ext4", "/usr/bin/busybox"), Action::deny);
  // kmod itself cannot load a module from outside the module tree, nor from
  // memory (init_module has no file: only `any` rules and the default apply).
  EXPECT_EQ(decide_file(d, Operation::module_load, "/tmp/rootkit.ko", "tmpfs", "/usr/bin/kmod"), Action::deny);
  EXPECT_EQ(decide_file(d, Operation::module_load, "", "", "/usr/bin/kmod"), Action::deny);
}

TEST(LanguageExamples, DocsOpeningExampleParses) {
  const std::string doc = read_file(std::filesystem::path(BOOTSEAL_SOURCE_ROOT) / "docs" / "POLICY.md");
  const size_t begin = doc.find("```\n");
  ASSERT_NE(begin, std::string::npos);
  const size_t end = doc.find("```\n", begin + 4);
  ASSERT_NE(end, std::string::npos);
  const Document d = parse_ok(doc.substr(begin + 4, end - begin - 4));
  EXPECT_EQ(d.name, "appliance-lockdown");
  EXPECT_EQ(d.rules.size(), 8u);
  EXPECT_EQ(decide_file(d, Operation::write, "/etc/shadow", "ext4", "/usr/bin/passwd"), Action::allow);
  EXPECT_EQ(decide_file(d, Operation::write, "/etc/shadow", "ext4", "/usr/bin/vi"), Action::deny);
}

// docs/POLICY.md, "Worked examples".
TEST(LanguageExamples, DocsDeeperSubtreeWins) {
  const Document d = parse_ok(with_head("deny exec subtree /home\nallow exec subtree /home/shared/tools\n"));
  EXPECT_EQ(decide_file(d, Operation::exec, "/home/ann/a.out", "ext4", "/usr/bin/bash"), Action::deny);
  EXPECT_EQ(decide_file(d, Operation::exec, "/home/shared/tools/fmt", "ext4", "/usr/bin/bash"), Action::allow);
}

TEST(LanguageExamples, DocsSpecificObjectBeatsNamedSubject) {
  const Document d = parse_ok(with_head(
      "allow write subtree /etc by /usr/bin/etckeeper\n"
      "deny write subtree /etc\n"
      "deny write path /etc/shadow\n"));
  EXPECT_EQ(decide_file(d, Operation::write, "/etc/hosts", "ext4", "/usr/bin/etckeeper"), Action::allow);
  EXPECT_EQ(decide_file(d, Operation::write, "/etc/hosts", "ext4", "/usr/bin/vi"), Action::deny);
  EXPECT_EQ(decide_file(d, Operation::write, "/etc/shadow", "ext4", "/usr/bin/etckeeper"), Action::deny);
}

TEST(LanguageExamples, DocsExceptionFallsThroughToLessSpecificRules) {
  const Document d = parse_ok(with_head(
      "deny write subtree /etc\n"
      "deny write path /etc/shadow except /usr/bin/passwd\n"));
  // passwd is not covered by the path rule, so the subtree rule decides.
  EXPECT_EQ(decide_file(d, Operation::write, "/etc/shadow", "ext4", "/usr/bin/passwd"), Action::deny);
  const Document fixed = parse_ok(with_head(
      "deny write subtree /etc\n"
      "deny write path /etc/shadow\n"
      "allow write path /etc/shadow by /usr/bin/passwd\n"));
  EXPECT_EQ(decide_file(fixed, Operation::write, "/etc/shadow", "ext4", "/usr/bin/passwd"), Action::allow);
  EXPECT_EQ(decide_file(fixed, Operation::write, "/etc/shadow", "ext4", "/usr/bin/vi"), Action::deny);
}

TEST(LanguageExamples, DocsSubtreeOutranksFstype) {
  const Document d = parse_ok(with_head("deny exec fstype tmpfs\nallow exec subtree /run/app\n"));
  EXPECT_EQ(decide_file(d, Operation::exec, "/run/app/helper", "tmpfs", "/usr/bin/bash"), Action::allow);
  EXPECT_EQ(decide_file(d, Operation::exec, "/run/other/x", "tmpfs", "/usr/bin/bash"), Action::deny);
}

TEST(LanguageExamples, DocsFstypeRuleOutranksAnyRule) {
  const Document d = parse_ok(with_head("deny mount any except /usr/sbin/runc\naudit mount fstype overlay\n"));
  // The audit rule is about a more specific object, so it decides for everyone.
  EXPECT_EQ(decide_file(d, Operation::mount, "/mnt/x", "overlay", "/usr/bin/bash"), Action::audit);
  const Document d2 = parse_ok(with_head("deny mount any except /usr/sbin/runc\n"
                                         "audit mount fstype overlay by /usr/sbin/runc\n"));
  EXPECT_EQ(decide_file(d2, Operation::mount, "/mnt/x", "overlay", "/usr/bin/bash"), Action::deny);
  EXPECT_EQ(decide_file(d2, Operation::mount, "/mnt/x", "overlay", "/usr/sbin/runc"), Action::audit);
  EXPECT_EQ(decide_file(d2, Operation::mount, "/mnt/x", "tmpfs", "/usr/sbin/runc"), Action::allow);
}

TEST(LanguageExamples, DocsUnknownSubjectMatchesOnlyRulesForAnySubject) {
  const Document d = parse_ok(with_head("deny capability CAP_SYS_MODULE except /usr/bin/kmod\n"
                                        "allow capability CAP_SYS_MODULE by /usr/bin/kmod\n"));
  EXPECT_EQ(decide_cap(d, "CAP_SYS_MODULE", ""), Action::deny);
}

// ---------------------------------------------------------------------------
// Devices, lockdown, schema 2 and capabilities CAP_SYS_ADMIN supersedes

TEST(LanguageDevice, DeviceRulesParseAndNeedSchemaTwo) {
  Document d = parse_ok(with_head("deny read device /dev/vda2\n"
                                  "allow write device /dev/disk/by-partlabel/root by /usr/sbin/e2fsck\n"));
  ASSERT_EQ(d.rules.size(), 2u);
  EXPECT_EQ(d.rules[0].object.kind, ObjectKind::device);
  EXPECT_EQ(d.rules[0].object.path, "/dev/vda2");
  EXPECT_EQ(d.rules[1].operation, Operation::write);
  EXPECT_EQ(*d.rules[1].subject, "/usr/sbin/e2fsck");
  EXPECT_EQ(d.schema, 2u);
  EXPECT_EQ(format_rule(d.rules[1]), "allow write device /dev/disk/by-partlabel/root by /usr/sbin/e2fsck");
  auto again = parse_policy(format_policy(d), "again");
  ASSERT_TRUE(again.ok()) << again.error();
  EXPECT_EQ(*again, d);
}

TEST(LanguageDevice, PolicyWithoutSchemaTwoFeaturesStaysSchemaOne) {
  EXPECT_EQ(parse_ok(with_head("deny write path /etc/shadow\n")).schema, 1u);
}

TEST(LanguageDevice, DeviceIsNotAnObjectOfExec) {
  EXPECT_EQ(parse_error(with_head("deny exec device /dev/vda2\n")),
            "t.policy:4:11: error: object 'device' is not valid for operation exec, expected path, subtree, fstype "
            "or any (a device is an object of read and write only)");
}

TEST(LanguageDevice, AllowDeviceNeedsASubject) {
  EXPECT_EQ(parse_error(with_head("allow write device /dev/vda2\n")),
            "t.policy:4:1: error: an allow rule for device /dev/vda2 names no subject, expected 'by SUBJECT' (the "
            "program that may open the device, e.g. a filesystem checker)");
}

TEST(LanguageDevice, DeviceNeedsAnAbsolutePath) {
  EXPECT_EQ(parse_error(with_head("deny write device vda2\n")),
            "t.policy:4:19: error: relative path 'vda2' as device, expected an absolute path starting with '/'");
}

TEST(LanguageDevice, UnknownObjectOfWriteListsDevice) {
  EXPECT_EQ(parse_error(with_head("deny write disk /dev/vda\n")),
            "t.policy:4:12: error: unknown object 'disk', expected path, subtree, fstype, device or any");
}

TEST(LanguageLockdown, LevelsParseAndFormat) {
  Document d = parse_ok(with_head("lockdown integrity\n"));
  EXPECT_EQ(d.lockdown, Lockdown::integrity);
  EXPECT_EQ(d.schema, 2u);
  EXPECT_NE(format_policy(d).find("\nlockdown integrity\n"), std::string::npos);
  EXPECT_EQ(parse_ok(with_head("lockdown confidentiality\n")).lockdown, Lockdown::confidentiality);
  Document none = parse_ok(with_head("lockdown none\n"));
  EXPECT_EQ(none.lockdown, Lockdown::none);
  EXPECT_EQ(none.schema, 1u);
}

TEST(LanguageLockdown, UnknownLevel) {
  EXPECT_EQ(parse_error(with_head("lockdown full\n")),
            "t.policy:4:10: error: unknown lockdown level 'full', expected integrity, confidentiality or none");
}

TEST(LanguageLockdown, MissingLevel) {
  EXPECT_EQ(parse_error(with_head("lockdown\n")),
            "t.policy:4:9: error: missing level after 'lockdown', expected integrity, confidentiality or none");
}

TEST(LanguageLockdown, Duplicate) {
  EXPECT_EQ(parse_error(with_head("lockdown integrity\nlockdown integrity\n")),
            "t.policy:5:1: error: duplicate 'lockdown', already given on line 4, expected one 'lockdown' statement");
}

// ---------------------------------------------------------------------------
// allow bpf-load lsm by SUBJECT

std::vector<std::string> warnings_of(std::string_view text);  // below, with the other warnings

TEST(LanguageBpfLoad, GrantParsesSortedAndNeedsSchemaThree) {
  auto r = parse_policy_source(with_head("lockdown integrity\n"
                                         "allow bpf-load lsm by /usr/lib/systemd/systemd\n"
                                         "deny write subtree /usr\n"
                                         "allow bpf-load lsm by \"/opt/My Loader\"\n"),
                               "t.policy");
  ASSERT_TRUE(r.ok()) << r.error();
  const Document& d = r->document;
  EXPECT_EQ(d.bpf_lsm_loaders, (std::vector<std::string>{"/opt/My Loader", "/usr/lib/systemd/systemd"}));
  EXPECT_EQ(r->bpf_lsm_loader_lines, (std::vector<uint32_t>{7, 5}));
  EXPECT_EQ(d.rules.size(), 1u) << "a grant is not a rule";
  EXPECT_EQ(d.schema, 3u);
  EXPECT_EQ(parse_ok(with_head("allow bpf-load lsm by /s\n")).schema, 3u);
}

TEST(LanguageBpfLoad, CanonicalTextListsGrantsAfterTheRulesAndRoundTrips) {
  const Document d = parse_ok(with_head("allow bpf-load lsm by /usr/lib/systemd/systemd\n"
                                        "deny write subtree /usr\n"
                                        "allow   bpf-load  lsm  by  \"/opt/a b\"  # comment\n"));
  const std::string text = format_policy(d);
  EXPECT_NE(text.find("deny write subtree /usr\n\n"
                      "allow bpf-load lsm by \"/opt/a b\"\n"
                      "allow bpf-load lsm by /usr/lib/systemd/systemd\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.substr(text.size() - 1), "\n");
  const Document again = parse_ok(text);
  EXPECT_EQ(again, d);
  EXPECT_EQ(format_policy(again), text);
}

TEST(LanguageBpfLoad, DefaultIsRefused) {
  EXPECT_EQ(parse_error(with_head("default bpf-load deny\n")),
            "t.policy:4:9: error: 'default bpf-load' is not allowed: loading BPF LSM programs is refused to every "
            "process but the loader and the subjects the policy names, expected 'allow bpf-load lsm by SUBJECT' to "
            "name a subject, or a default for one of exec, read, write, capability, module-load, kexec or mount");
}

TEST(LanguageBpfLoad, DenyAndAuditAreRefused) {
  EXPECT_EQ(parse_error(with_head("deny bpf-load lsm by /s\n")),
            "t.policy:4:1: error: 'deny bpf-load' is not allowed: every process but the loader and the subjects the "
            "policy names is refused BPF LSM program loads already, expected 'allow bpf-load lsm by SUBJECT'");
  EXPECT_EQ(parse_error(with_head("audit bpf-load lsm by /s\n")).substr(0, 46),
            "t.policy:4:1: error: 'audit bpf-load' is not a");
}

TEST(LanguageBpfLoad, MissingObject) {
  EXPECT_EQ(parse_error(with_head("allow bpf-load\n")),
            "t.policy:4:15: error: missing object after 'bpf-load', expected lsm");
}

TEST(LanguageBpfLoad, OnlyLsmCanBeGranted) {
  EXPECT_EQ(parse_error(with_head("allow bpf-load tracing by /s\n")),
            "t.policy:4:16: error: unknown BPF program type 'tracing' after 'bpf-load', expected lsm (only BPF LSM "
            "program loads can be granted; tracing, kprobe and the other types stay refused to every process but "
            "the loader)");
  EXPECT_NE(parse_error(with_head("allow bpf-load any by /s\n")).find("unknown BPF program type 'any'"),
            std::string::npos);
}

TEST(LanguageBpfLoad, SubjectIsRequired) {
  EXPECT_EQ(parse_error(with_head("allow bpf-load lsm\n")),
            "t.policy:4:19: error: 'allow bpf-load lsm' names no subject, expected 'by SUBJECT' (the program that "
            "may load BPF LSM programs; never any process)");
  EXPECT_EQ(parse_error(with_head("allow bpf-load lsm by\n")),
            "t.policy:4:22: error: missing subject, expected an absolute path");
}

TEST(LanguageBpfLoad, ExceptIsRefused) {
  EXPECT_EQ(parse_error(with_head("allow bpf-load lsm except /s\n")),
            "t.policy:4:20: error: 'except' in a bpf-load statement, expected 'by SUBJECT' (a bpf-load grant names "
            "its subject; it is never for any process)");
}

TEST(LanguageBpfLoad, RelativeSubjectIsRefused) {
  EXPECT_EQ(parse_error(with_head("allow bpf-load lsm by systemd\n")),
            "t.policy:4:23: error: relative path 'systemd' as subject, expected an absolute path starting with '/'");
}

TEST(LanguageBpfLoad, SomethingAfterTheSubject) {
  EXPECT_EQ(parse_error(with_head("allow bpf-load lsm by /a by /b\n")),
            "t.policy:4:26: error: unexpected 'by' after the subject, expected end of line (one subject per bpf-load "
            "statement)");
  EXPECT_EQ(parse_error(with_head("allow bpf-load lsm by /a /b\n")),
            "t.policy:4:26: error: unexpected '/b' after the subject, expected end of line");
  EXPECT_EQ(parse_error(with_head("allow bpf-load lsm /a\n")),
            "t.policy:4:20: error: unexpected '/a' after 'bpf-load lsm', expected 'by SUBJECT'");
}

TEST(LanguageBpfLoad, DuplicateSubject) {
  EXPECT_EQ(parse_error(with_head("allow bpf-load lsm by /a\nallow bpf-load lsm by /a\n")),
            "t.policy:5:1: error: duplicate of the bpf-load statement on line 4 (same subject /a), expected one "
            "bpf-load statement per subject");
}

TEST(LanguageBpfLoad, WarnsWithoutLockdownAndForAWritableSubject) {
  const auto w = warnings_of(with_head("allow bpf-load lsm by /usr/lib/systemd/systemd\n"));
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0].rfind("t.policy:4: warning: /usr/lib/systemd/systemd is granted BPF LSM program loads but any "
                       "process may write it", 0),
            0u)
      << w[0];
  EXPECT_EQ(w[1].rfind("t.policy:4: warning: /usr/lib/systemd/systemd may load BPF LSM programs, which can write "
                       "any process's memory through bpf_probe_write_user unless the kernel is locked down",
                       0),
            0u)
      << w[1];
  EXPECT_TRUE(warnings_of(with_head("lockdown integrity\n"
                                    "deny write subtree /usr\n"
                                    "allow bpf-load lsm by /usr/lib/systemd/systemd\n"))
                  .empty());
}

// docs/POLICY.md, "Loading BPF LSM programs": the example parses, grants
// systemd and draws no warning.
TEST(LanguageBpfLoad, DocsExampleParsesWithoutWarnings) {
  const std::string doc = read_file(std::filesystem::path(BOOTSEAL_SOURCE_ROOT) / "docs" / "POLICY.md");
  const std::string example =
      "    lockdown integrity\n    deny write subtree /usr\n    allow bpf-load lsm by /usr/lib/systemd/systemd\n";
  ASSERT_NE(doc.find(example), std::string::npos);
  std::string text = example;
  for (size_t at; (at = text.find("    ")) != std::string::npos;) text.erase(at, 4);
  const auto w = warnings_of(with_head(text));
  EXPECT_TRUE(w.empty()) << w.front();
  EXPECT_EQ(parse_ok(with_head(text)).bpf_lsm_loaders, std::vector<std::string>{"/usr/lib/systemd/systemd"});
}

TEST(LanguageCapability, DenyBpfWithoutSysAdminIsRefused) {
  EXPECT_EQ(parse_error(with_head("deny capability CAP_BPF\n")),
            "t.policy:4:1: error: 'deny capability CAP_BPF' does not hold for processes the policy does not name: "
            "the kernel grants what CAP_BPF guards to CAP_SYS_ADMIN too, which the policy does not deny there, "
            "expected a rule that also denies CAP_SYS_ADMIN to the same subjects (e.g. 'deny capability "
            "CAP_SYS_ADMIN')");
}

TEST(LanguageCapability, DenyPerfmonBySubjectNamesTheSubject) {
  EXPECT_EQ(parse_error(with_head("deny capability CAP_SYS_ADMIN\n"
                                  "deny capability CAP_PERFMON by /usr/bin/perf\n"
                                  "allow capability CAP_SYS_ADMIN by /usr/bin/perf\n")),
            "t.policy:5:1: error: 'deny capability CAP_PERFMON' does not hold for /usr/bin/perf: the kernel grants "
            "what CAP_PERFMON guards to CAP_SYS_ADMIN too, which the policy does not deny there, expected a rule "
            "that also denies CAP_SYS_ADMIN to the same subjects (e.g. 'deny capability CAP_SYS_ADMIN by "
            "/usr/bin/perf')");
}

TEST(LanguageCapability, DenyCheckpointRestoreNeedsSysAdminForExceptionsToo) {
  // CAP_SYS_ADMIN denied to everyone but /usr/bin/criu, which is denied CAP_CHECKPOINT_RESTORE.
  EXPECT_NE(parse_error(with_head("deny capability CAP_SYS_ADMIN except /usr/bin/criu\n"
                                  "deny capability CAP_CHECKPOINT_RESTORE\n"))
                .find("does not hold for /usr/bin/criu"),
            std::string::npos);
}

TEST(LanguageCapability, SysAdminThroughAnAnyRuleAfterOtherOperations) {
  // Rules of other operations before it, CAP_SYS_ADMIN decided by `any`
  // rules: the error names the right line, and the subject only an `any`
  // rule names.
  EXPECT_EQ(parse_error(with_head("deny write path /etc/x\n"
                                  "deny read path /etc/y\n"
                                  "deny capability any\n"
                                  "deny capability CAP_BPF\n"
                                  "allow capability any by /usr/bin/tool\n")),
            "t.policy:7:1: error: 'deny capability CAP_BPF' does not hold for /usr/bin/tool: the kernel grants "
            "what CAP_BPF guards to CAP_SYS_ADMIN too, which the policy does not deny there, expected a rule "
            "that also denies CAP_SYS_ADMIN to the same subjects (e.g. 'deny capability CAP_SYS_ADMIN')");
  parse_ok(with_head("deny write path /etc/x\ndeny capability any\ndeny capability CAP_BPF\n"
                     "allow capability CAP_NET_ADMIN by /usr/bin/tool\n"));
}

TEST(LanguageCapability, DenySyslogNeedsSysAdminToo) {
  // syslog(2) and /dev/kmsg fall back to CAP_SYS_ADMIN.
  EXPECT_NE(parse_error(with_head("deny capability CAP_SYSLOG\n")).find("'deny capability CAP_SYSLOG' does not hold"),
            std::string::npos);
  parse_ok(with_head("deny capability CAP_SYSLOG\ndeny capability CAP_SYS_ADMIN\n"));
}

TEST(LanguageCapability, DenyBpfWithSysAdminDeniedIsAccepted) {
  Document d = parse_ok(with_head("deny capability CAP_BPF\ndeny capability CAP_SYS_ADMIN\n"
                                  "deny capability CAP_PERFMON by /usr/bin/perf\n"));
  EXPECT_EQ(d.rules.size(), 3u);
  // Another capability denied without CAP_SYS_ADMIN is not concerned.
  parse_ok(with_head("deny capability CAP_SYS_MODULE\n"));
}

// ---------------------------------------------------------------------------
// Warnings: subjects the policy does not write-protect.

std::vector<std::string> warnings_of(std::string_view text) {
  auto r = parse_policy_source(text, "t.policy");
  EXPECT_TRUE(r.ok()) << r.error();
  return r.ok() ? policy_warnings(*r, "t.policy") : std::vector<std::string>{};
}

TEST(LanguageWarnings, SubjectAnyProcessMayWriteIsNamedWithItsLine) {
  const auto w = warnings_of(with_head(
      "deny write path /etc/shadow\n"
      "allow write path /etc/shadow by /usr/bin/passwd\n"));
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].rfind("t.policy:5: warning: /usr/bin/passwd is named as a subject but any process may write it", 0),
            0u)
      << w[0];
}

TEST(LanguageWarnings, ExceptionListEntriesAreSubjectsToo) {
  const auto w = warnings_of(with_head(
      "deny write subtree /usr/bin\n"
      "deny capability CAP_SYS_MODULE except /usr/bin/kmod, /opt/tool\n"));
  ASSERT_EQ(w.size(), 1u);
  EXPECT_NE(w[0].find("t.policy:5: warning: /opt/tool is named"), std::string::npos) << w[0];
}

TEST(LanguageWarnings, NoneWhenEverySubjectIsWriteProtected) {
  // By a subtree above it (its own exception list does not unprotect it:
  // the decision that counts is the one for a process with no subject),
  // by a path rule, by the default, or possibly by a filesystem type.
  EXPECT_TRUE(warnings_of(with_head("deny write subtree /usr except /usr/bin/dpkg\n"
                                    "allow write path /etc/shadow by /usr/bin/passwd\n"))
                  .empty());
  EXPECT_TRUE(warnings_of(with_head("deny write path /opt/tool\n"
                                    "allow read path /etc/secret by /opt/tool\n"))
                  .empty());
  EXPECT_TRUE(warnings_of(with_head("default write deny\n"
                                    "allow write path /etc/shadow by /usr/bin/passwd\n"))
                  .empty());
  EXPECT_TRUE(warnings_of(with_head("deny write fstype squashfs\n"
                                    "allow write path /etc/shadow by /usr/bin/passwd\n"))
                  .empty());
}

TEST(LanguageWarnings, AnAllowForAnyProcessBelowTheDenyUnprotects) {
  const auto w = warnings_of(with_head(
      "deny write subtree /usr\n"
      "allow write subtree /usr/local\n"
      "allow read path /etc/secret by /usr/local/bin/tool\n"));
  ASSERT_EQ(w.size(), 1u);
  EXPECT_NE(w[0].find("/usr/local/bin/tool is named"), std::string::npos) << w[0];
}

TEST(LanguageWarnings, TheExamplesAndTheDocsExampleHaveNone) {
  for (const auto& p : example_policies()) {
    auto r = parse_policy_source(read_file(p), p.string());
    ASSERT_TRUE(r.ok()) << r.error();
    const auto w = policy_warnings(*r, p.string());
    EXPECT_TRUE(w.empty()) << w.front();
  }
  const std::string doc = read_file(std::filesystem::path(BOOTSEAL_SOURCE_ROOT) / "docs" / "POLICY.md");
  const size_t begin = doc.find("```\n");
  const size_t end = doc.find("```\n", begin + 4);
  ASSERT_NE(end, std::string::npos);
  auto r = parse_policy_source(doc.substr(begin + 4, end - begin - 4), "POLICY.md");
  ASSERT_TRUE(r.ok()) << r.error();
  const auto w = policy_warnings(*r, "POLICY.md");
  EXPECT_TRUE(w.empty()) << w.front();
}


// ---------------------------------------------------------------------------
// Boot phases (docs/POLICY.md, "Boot phases")

TEST(LanguagePhases, PhaseRulesDefaultsAndHeaderParse) {
  const Document d = parse_ok(with_head("seal-by /usr/lib/bootseal/bootseal-seal\n"
                                        "seal-after 10m\n"
                                        "default write allow\n"
                                        "phase running default module-load deny\n"
                                        "phase boot allow module-load subtree /usr/lib/modules by /usr/bin/udevadm\n"
                                        "phase running deny write subtree /etc\n"
                                        "phase boot allow write subtree /etc\n"
                                        "deny exec subtree /tmp\n"));
  EXPECT_EQ(d.schema, 4u);
  EXPECT_EQ(d.seal_by, std::optional<std::string>("/usr/lib/bootseal/bootseal-seal"));
  EXPECT_EQ(d.seal_after, 600u);
  EXPECT_EQ(d.defaults[static_cast<size_t>(Operation::module_load)], Action::allow);
  ASSERT_TRUE(d.running_defaults);
  EXPECT_EQ((*d.running_defaults)[static_cast<size_t>(Operation::module_load)], Action::deny);
  EXPECT_EQ((*d.running_defaults)[static_cast<size_t>(Operation::write)], Action::allow);
  ASSERT_EQ(d.rules.size(), 4u);
  EXPECT_EQ(d.rules[0].phase, Phase::boot);
  EXPECT_EQ(d.rules[1].phase, Phase::running);
  EXPECT_EQ(d.rules[2].phase, Phase::boot);
  EXPECT_EQ(d.rules[3].phase, Phase::any);
}

TEST(LanguagePhases, DurationUnits) {
  EXPECT_EQ(parse_ok(with_head("seal-after 45s\n")).seal_after, 45u);
  EXPECT_EQ(parse_ok(with_head("seal-after 3m\n")).seal_after, 180u);
  EXPECT_EQ(parse_ok(with_head("seal-after 2h\n")).seal_after, 7200u);
  EXPECT_EQ(parse_ok(with_head("seal-after 168h\n")).seal_after, kSealAfterMax);
  EXPECT_EQ(parse_ok(with_head("seal-after 45s\n")).schema, 4u) << "a deadline alone is a phased policy";
}

TEST(LanguagePhases, BadDurations) {
  EXPECT_EQ(parse_error(with_head("seal-after 300\n")),
            "t.policy:4:12: error: duration '300' has no unit, expected a number of seconds, minutes or hours, such "
            "as 300s, 5m or 1h");
  EXPECT_EQ(parse_error(with_head("seal-after 5d\n")),
            "t.policy:4:12: error: unknown unit 'd' in duration '5d', expected a number of seconds, minutes or "
            "hours, such as 300s, 5m or 1h");
  EXPECT_EQ(parse_error(with_head("seal-after 0s\n")),
            "t.policy:4:12: error: duration '0s' is zero, expected at least 1s (the boot phase must last a while)");
  EXPECT_EQ(parse_error(with_head("seal-after 169h\n")),
            "t.policy:4:12: error: duration '169h' is more than 7 days, expected at most 604800s, 10080m or 168h");
  EXPECT_EQ(parse_error(with_head("seal-after 99999999999999999999999s\n"))
                .rfind("t.policy:4:12: error: duration '99999999999999999999999s' is more than 7 days", 0),
            0u);
  EXPECT_EQ(parse_error(with_head("seal-after s\n")),
            "t.policy:4:12: error: bad duration 's', expected a number of seconds, minutes or hours, such as 300s, "
            "5m or 1h");
  EXPECT_EQ(parse_error(with_head("seal-after\n")),
            "t.policy:4:11: error: missing duration after 'seal-after', expected a number of seconds, minutes or "
            "hours, such as 300s, 5m or 1h");
  EXPECT_EQ(parse_error(with_head("seal-after 1m 2s\n")),
            "t.policy:4:15: error: unexpected '2s' after the duration, expected end of line");
  EXPECT_EQ(parse_error(with_head("seal-after 1m\nseal-after 2m\n")),
            "t.policy:5:1: error: duplicate 'seal-after', already given on line 4, expected one 'seal-after' "
            "statement");
}

TEST(LanguagePhases, SealBy) {
  EXPECT_EQ(parse_error(with_head("seal-by bootseal-seal\nseal-after 1m\n")),
            "t.policy:4:9: error: relative path 'bootseal-seal' as seal-by program, expected an absolute path "
            "starting with '/'");
  EXPECT_EQ(parse_error(with_head("seal-by\n")),
            "t.policy:4:8: error: missing seal-by program, expected an absolute path");
  EXPECT_EQ(parse_error(with_head("seal-by /a\nseal-by /b\nseal-after 1m\n")),
            "t.policy:5:1: error: duplicate 'seal-by', already given on line 4, expected one 'seal-by' statement");
}

TEST(LanguagePhases, PhasesNeedADeadline) {
  EXPECT_EQ(parse_error(with_head("phase running deny write subtree /etc\n")),
            "t.policy:5:1: error: a policy with phases ('phase' on line 4) has no 'seal-after' statement, expected "
            "'seal-after DURATION', e.g. seal-after 600s: the boot phase must end even if the seal-by program never "
            "runs");
  EXPECT_EQ(parse_error(with_head("seal-by /s\n"))
                .rfind("t.policy:5:1: error: a policy with phases ('seal-by' on line 4) has no 'seal-after' statement",
                       0),
            0u);
}

TEST(LanguagePhases, PhaseWordErrors) {
  EXPECT_EQ(parse_error(with_head("phase\n")), "t.policy:4:6: error: missing phase after 'phase', expected boot or running");
  EXPECT_EQ(parse_error(with_head("phase sealed deny write any\n")),
            "t.policy:4:7: error: unknown phase 'sealed', expected boot or running");
  EXPECT_EQ(parse_error(with_head("phase boot\n")),
            "t.policy:4:11: error: missing rule or default after 'phase boot', expected a rule (allow, deny or audit "
            "...) or a default");
  EXPECT_EQ(parse_error(with_head("phase boot lockdown integrity\n")),
            "t.policy:4:12: error: unexpected 'lockdown' after 'phase boot', expected a rule (allow, deny or audit "
            "...) or a default: a phase limits only those");
  EXPECT_EQ(parse_error(with_head("phase boot phase running deny write any\n")).substr(0, 52),
            "t.policy:4:12: error: unexpected 'phase' after 'phas");
  EXPECT_EQ(parse_error(with_head("phase running allow bpf-load lsm by /s\nseal-after 1m\n")),
            "t.policy:4:21: error: 'phase running' before a bpf-load statement, expected 'allow bpf-load lsm by "
            "SUBJECT' without a phase (a grant holds in both phases)");
}

TEST(LanguagePhases, OneRulePerObjectAndSubjectInEachPhase) {
  // Disjoint phases: fine.
  EXPECT_EQ(parse_ok(with_head("seal-after 1m\nphase boot allow write path /etc/x\nphase running deny write path "
                               "/etc/x\n"))
                .rules.size(),
            2u);
  EXPECT_EQ(parse_error(with_head("seal-after 1m\nphase boot allow write path /etc/x\nphase boot deny write path "
                                  "/etc/x\n")),
            "t.policy:6:1: error: rule conflicts with the rule on line 5 (same operation, object and subject; allow "
            "there, deny here), expected one rule per operation, object and subject in each phase");
  EXPECT_EQ(parse_error(with_head("seal-after 1m\ndeny write path /etc/x\nphase running deny write path /etc/x\n")),
            "t.policy:6:1: error: duplicate of the rule on line 5 (same operation, object and subject, and both hold "
            "in the running phase), expected one rule per operation, object and subject in each phase");
  EXPECT_EQ(parse_error(with_head("seal-after 1m\nphase boot deny write path /etc/x\ndeny write path /etc/x\n")),
            "t.policy:6:1: error: duplicate of the rule on line 5 (same operation, object and subject, and both hold "
            "in the boot phase), expected one rule per operation, object and subject in each phase");
}

TEST(LanguagePhases, OneDefaultPerOperationInEachPhase) {
  EXPECT_EQ(parse_error(with_head("seal-after 1m\ndefault exec deny\nphase boot default exec allow\n")),
            "t.policy:6:20: error: duplicate default for exec, already given on line 5 (both would hold in the "
            "same phase), expected one default per operation in each phase");
  EXPECT_EQ(parse_error(with_head("seal-after 1m\nphase boot default exec deny\nphase boot default exec allow\n")),
            "t.policy:6:20: error: duplicate default for exec, already given on line 5, expected one default per "
            "operation in each phase");
  const Document d = parse_ok(with_head("seal-after 1m\nphase boot default exec deny\nphase running default exec "
                                        "audit\n"));
  EXPECT_EQ(d.defaults[0], Action::deny);
  ASSERT_TRUE(d.running_defaults);
  EXPECT_EQ((*d.running_defaults)[0], Action::audit);
  // Equal in both phases: no running defaults.
  EXPECT_FALSE(parse_ok(with_head("seal-after 1m\nphase boot default exec deny\nphase running default exec deny\n"))
                   .running_defaults);
}

TEST(LanguagePhases, CanonicalTextRoundTrips) {
  const Document d = parse_ok(with_head("seal-after 10m\n"
                                        "seal-by \"/opt/my seal\"\n"
                                        "phase running default module-load deny\n"
                                        "default exec audit\n"
                                        "phase boot allow module-load any by /usr/bin/kmod\n"
                                        "phase running deny write subtree /etc\n"));
  const std::string text = format_policy(d);
  EXPECT_NE(text.find("seal-by \"/opt/my seal\"\nseal-after 600s\n"), std::string::npos) << text;
  EXPECT_NE(text.find("default exec audit\n"), std::string::npos) << text;
  EXPECT_NE(text.find("phase boot default module-load allow\nphase running default module-load deny\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("phase boot allow module-load any by /usr/bin/kmod\nphase running deny write subtree /etc\n"),
            std::string::npos)
      << text;
  const Document again = parse_ok(text);
  EXPECT_EQ(again, d);
  EXPECT_EQ(format_policy(again), text);
}

// decide() filters by phase, then applies the usual precedence.
TEST(LanguagePhases, DecideFiltersThenRanks) {
  const Document d = parse_ok(with_head("seal-after 1m\n"
                                        "deny write subtree /etc\n"
                                        "phase boot allow write path /etc/hostname\n"
                                        "phase running default module-load deny\n"));
  Query q;
  q.operation = Operation::write;
  q.path = "/etc/hostname";
  q.phase = Phase::boot;
  EXPECT_EQ(decide(d, q).action, Action::allow) << "the boot-phase path rule outranks the subtree";
  EXPECT_EQ(decide(d, q).rule, 1);
  q.phase = Phase::running;
  EXPECT_EQ(decide(d, q).action, Action::deny) << "in the running phase the path rule does not exist";
  EXPECT_EQ(decide(d, q).rule, 0);
  q.path = "/etc/passwd";
  q.phase = Phase::boot;
  EXPECT_EQ(decide(d, q).action, Action::deny) << "an unphased rule holds in the boot phase too";
  Query m;
  m.operation = Operation::module_load;
  m.path = "/usr/lib/modules/x.ko";
  m.phase = Phase::boot;
  EXPECT_EQ(decide(d, m).action, Action::allow);
  m.phase = Phase::running;
  EXPECT_EQ(decide(d, m).action, Action::deny);
  EXPECT_EQ(decide(d, m).rule, -1);
}

TEST(LanguagePhases, PolicyWithoutPhasesIgnoresThePhaseOfTheQuery) {
  const Document d = parse_ok(with_head("default module-load deny\ndeny write subtree /etc\n"));
  EXPECT_EQ(d.schema, 1u);
  for (const Phase p : {Phase::boot, Phase::running}) {
    Query q;
    q.operation = Operation::module_load;
    q.path = "/x.ko";
    q.phase = p;
    EXPECT_EQ(decide(d, q).action, Action::deny);
  }
}

TEST(LanguagePhases, WarnsForAWritableSealByProgram) {
  const auto w = warnings_of(with_head("seal-after 1m\nseal-by /usr/lib/bootseal/bootseal-seal\n"));
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].rfind("t.policy:5: warning: /usr/lib/bootseal/bootseal-seal is the seal-by program but any process "
                       "may write it",
                       0),
            0u)
      << w[0];
  EXPECT_TRUE(warnings_of(with_head("seal-after 1m\nseal-by /usr/lib/bootseal/bootseal-seal\n"
                                    "deny write subtree /usr\n"))
                  .empty());
  // Protected in the running phase only: writable while the machine boots.
  EXPECT_EQ(warnings_of(with_head("seal-after 1m\nseal-by /usr/lib/bootseal/bootseal-seal\n"
                                  "phase running deny write subtree /usr\n"))
                .size(),
            1u);
}


TEST(LanguagePhases, PhaseOnlyBeforeARuleOrADefault) {
  // Not before a header statement, not twice.
  EXPECT_EQ(parse_error("phase boot policy \"t\"\ngeneration 1\nmode enforce\n"),
            "t.policy:1:12: error: unexpected 'policy' after 'phase boot', expected a rule (allow, deny or audit "
            "...) or a default: a phase limits only those");
  EXPECT_EQ(parse_error(with_head("seal-after 1m\nphase running seal-after 1m\n")),
            "t.policy:5:15: error: unexpected 'seal-after' after 'phase running', expected a rule (allow, deny or "
            "audit ...) or a default: a phase limits only those");
  EXPECT_EQ(parse_error(with_head("seal-after 1m\nphase boot machine 0123456789abcdef0123456789abcdef\n")),
            "t.policy:5:12: error: unexpected 'machine' after 'phase boot', expected a rule (allow, deny or audit "
            "...) or a default: a phase limits only those");
  EXPECT_EQ(parse_error(with_head("seal-after 1m\nphase boot \"deny\" write any\n")),
            "t.policy:5:12: error: unexpected \"deny\" after 'phase boot', expected a rule (allow, deny or audit "
            "...) or a default: a phase limits only those");
  EXPECT_EQ(parse_error(with_head("seal-after 1m\nphase Boot deny exec any\n")),
            "t.policy:5:7: error: unknown phase 'Boot', expected boot or running");
  EXPECT_EQ(parse_error(with_head("seal-after 1m\nphase any deny exec any\n")),
            "t.policy:5:7: error: unknown phase 'any', expected boot or running");
  EXPECT_EQ(parse_error(with_head("seal-after 1m\nphase running default bpf-load deny\n"))
                .rfind("t.policy:5:23: error: 'default bpf-load' is not allowed", 0),
            0u);
  EXPECT_EQ(parse_error(with_head("seal-after 1m\nphase boot default\n")),
            "t.policy:5:19: error: missing operation after 'default', expected one of exec, read, write, "
            "capability, module-load, kexec or mount");
  // The rest of the line is an ordinary rule or default, comments included.
  const Document d = parse_ok(with_head("seal-after 1m\nphase boot deny write path /x  # during boot\n"
                                        "phase   running\tdefault exec audit # after\n"));
  ASSERT_EQ(d.rules.size(), 1u);
  EXPECT_EQ(d.rules[0].phase, Phase::boot);
  ASSERT_TRUE(d.running_defaults);
  EXPECT_EQ((*d.running_defaults)[0], Action::audit);
}

TEST(LanguagePhases, PhasedRuleKeepsItsObjectSubjectAndExceptions) {
  const Document d = parse_ok(with_head("seal-after 1m\n"
                                        "phase running deny write subtree /etc except /usr/bin/passwd, "
                                        "/usr/bin/chfn\n"
                                        "phase boot allow capability CAP_SYS_MODULE by /usr/bin/kmod\n"
                                        "phase running deny exec memory\n"
                                        "phase boot allow read device /dev/sda by /usr/sbin/fsck\n"));
  ASSERT_EQ(d.rules.size(), 4u);
  EXPECT_EQ(d.rules[0].exceptions, (std::pmr::vector<std::pmr::string>{"/usr/bin/chfn", "/usr/bin/passwd"}));
  EXPECT_EQ(d.rules[0].phase, Phase::running);
  EXPECT_EQ(d.rules[1].object.kind, ObjectKind::capability);
  EXPECT_EQ(d.rules[1].subject, std::optional<std::pmr::string>("/usr/bin/kmod"));
  EXPECT_EQ(d.rules[2].object.kind, ObjectKind::memory);
  EXPECT_EQ(d.rules[3].object.kind, ObjectKind::device);
  EXPECT_EQ(d.schema, 4u);
  EXPECT_TRUE(validate(d));
}

TEST(LanguagePhases, DefaultsOfOnePhaseOnly) {
  const auto ml = static_cast<size_t>(Operation::module_load);
  // Running only: allow while booting, as with no default line.
  Document d = parse_ok(with_head("seal-after 1m\nphase running default module-load deny\n"));
  EXPECT_EQ(d.defaults[ml], Action::allow);
  ASSERT_TRUE(d.running_defaults);
  EXPECT_EQ((*d.running_defaults)[ml], Action::deny);
  for (size_t op = 0; op < kOperationCount; ++op) {
    if (op == ml) continue;
    EXPECT_EQ((*d.running_defaults)[op], d.defaults[op]);
  }
  // Boot only: allow after the seal.
  d = parse_ok(with_head("seal-after 1m\nphase boot default module-load deny\n"));
  EXPECT_EQ(d.defaults[ml], Action::deny);
  ASSERT_TRUE(d.running_defaults);
  EXPECT_EQ((*d.running_defaults)[ml], Action::allow);
  // A phase default that changes nothing leaves no running defaults.
  EXPECT_FALSE(parse_ok(with_head("seal-after 1m\nphase boot default module-load allow\n")).running_defaults);
  EXPECT_FALSE(parse_ok(with_head("seal-after 1m\nphase running default module-load allow\n")).running_defaults);
  // Unphased defaults beside phase defaults of other operations.
  d = parse_ok(with_head("seal-after 1m\ndefault exec deny\nphase running default kexec deny\n"
                         "phase boot default kexec audit\n"));
  EXPECT_EQ(d.defaults[0], Action::deny);
  EXPECT_EQ((*d.running_defaults)[0], Action::deny);
  EXPECT_EQ(d.defaults[static_cast<size_t>(Operation::kexec)], Action::audit);
  EXPECT_EQ((*d.running_defaults)[static_cast<size_t>(Operation::kexec)], Action::deny);
}

TEST(LanguagePhases, OneDefaultPerOperationInEachPhaseWhicheverComesFirst) {
  // The phase line first, the unphased one second: named at the second.
  EXPECT_EQ(parse_error(with_head("seal-after 1m\nphase running default exec deny\ndefault exec allow\n")),
            "t.policy:6:9: error: duplicate default for exec, already given on line 5 (both would hold in the "
            "same phase), expected one default per operation in each phase");
  EXPECT_EQ(parse_error(with_head("seal-after 1m\ndefault exec deny\ndefault exec allow\n")),
            "t.policy:6:9: error: duplicate default for exec, already given on line 5, expected one default per "
            "operation");
  EXPECT_EQ(parse_error(with_head("seal-after 1m\nphase running default exec deny\nphase running default exec "
                                  "deny\n")),
            "t.policy:6:23: error: duplicate default for exec, already given on line 5, expected one default per "
            "operation in each phase");
}

TEST(LanguagePhases, SealByIsASubjectPath) {
  EXPECT_EQ(parse_error(with_head("seal-after 1m\nseal-by /usr/lib/../x\n")),
            "t.policy:5:9: error: path '/usr/lib/../x' is not normalised, expected a path without empty, '.' or "
            "'..' components and without a trailing '/'");
  EXPECT_EQ(parse_error(with_head("seal-after 1m\nseal-by /a /b\n")),
            "t.policy:5:12: error: unexpected '/b' after the seal-by program, expected end of line");
  const Document d = parse_ok(with_head("seal-by \"/opt/my seal\"\nseal-after 1m\n"));
  EXPECT_EQ(d.seal_by, std::optional<std::string>("/opt/my seal"));
  EXPECT_EQ(d.schema, 4u);
}

TEST(LanguagePhases, MoreBadDurations) {
  EXPECT_EQ(parse_error(with_head("seal-after \"5m\"\n")),
            "t.policy:4:12: error: bad duration \"5m\", expected a number of seconds, minutes or hours, such as "
            "300s, 5m or 1h");
  EXPECT_EQ(parse_error(with_head("seal-after -5s\n")),
            "t.policy:4:12: error: bad duration '-5s', expected a number of seconds, minutes or hours, such as "
            "300s, 5m or 1h");
  EXPECT_EQ(parse_error(with_head("seal-after 5 m\n")),
            "t.policy:4:12: error: duration '5' has no unit, expected a number of seconds, minutes or hours, such "
            "as 300s, 5m or 1h");
  EXPECT_EQ(parse_error(with_head("seal-after 5S\n")),
            "t.policy:4:12: error: unknown unit 'S' in duration '5S', expected a number of seconds, minutes or "
            "hours, such as 300s, 5m or 1h");
  EXPECT_EQ(parse_error(with_head("seal-after 604801s\n")),
            "t.policy:4:12: error: duration '604801s' is more than 7 days, expected at most 604800s, 10080m or "
            "168h");
  EXPECT_EQ(parse_error(with_head("seal-after 10081m\n")),
            "t.policy:4:12: error: duration '10081m' is more than 7 days, expected at most 604800s, 10080m or 168h");
  EXPECT_EQ(parse_error(with_head("seal-after 0h\n")),
            "t.policy:4:12: error: duration '0h' is zero, expected at least 1s (the boot phase must last a while)");
  // The limits themselves, and leading zeros.
  EXPECT_EQ(parse_ok(with_head("seal-after 604800s\n")).seal_after, kSealAfterMax);
  EXPECT_EQ(parse_ok(with_head("seal-after 10080m\n")).seal_after, kSealAfterMax);
  EXPECT_EQ(parse_ok(with_head("seal-after 1s\n")).seal_after, 1u);
  EXPECT_EQ(parse_ok(with_head("seal-after 007m\n")).seal_after, 420u);
}

TEST(LanguagePhases, DeadlineAloneNeedsNothingElse) {
  const Document d = parse_ok(with_head("seal-after 90s\ndeny write subtree /etc\n"));
  EXPECT_EQ(d.schema, 4u);
  EXPECT_FALSE(d.seal_by);
  EXPECT_FALSE(d.running_defaults);
  EXPECT_TRUE(has_phases(d));
  // A phase line after the deadline and one before it both count.
  EXPECT_TRUE(parse_ok(with_head("phase boot allow write any\nseal-after 90s\n")).seal_after == 90u);
}

TEST(LanguagePhases, CanonicalTextOfEveryPhaseFormRoundTrips) {
  const char* cases[] = {
      "seal-after 1s\n",
      "seal-after 168h\nseal-by /s\n",
      "seal-after 1m\nphase boot default exec deny\n",
      "seal-after 1m\nphase running default exec deny\nphase boot default mount audit\n",
      "seal-after 1m\nphase boot default kexec deny\nphase running default kexec audit\ndefault exec deny\n",
      "seal-after 1m\nphase boot allow write path /x\nphase running deny write path /x\nallow write path /x by /b\n",
      "seal-after 1m\nphase running deny write subtree /etc except /usr/bin/passwd, \"/opt/a b\"\n",
      "seal-after 1m\nlockdown integrity\nphase boot allow read device /dev/sda by /usr/sbin/fsck\n"
      "allow bpf-load lsm by /usr/lib/systemd/systemd\ndeny write subtree /usr\n",
  };
  for (const char* c : cases) {
    const Document d = parse_ok(with_head(c));
    const std::string text = format_policy(d);
    const Document again = parse_ok(text);
    EXPECT_EQ(again, d) << c << "\n" << text;
    EXPECT_EQ(format_policy(again), text) << c;
    EXPECT_EQ(text.find("seal-after ") == std::string::npos, false) << text;
    EXPECT_NE(text.find("s\n\n"), std::string::npos) << "seal-after in seconds, then the blank line\n" << text;
  }
  // A default that differs writes both phases, even an allow.
  const std::string text = format_policy(parse_ok(with_head("seal-after 1m\nphase boot default exec deny\n")));
  EXPECT_NE(text.find("\n\nphase boot default exec deny\nphase running default exec allow\ndefault read allow\n"),
            std::string::npos)
      << text;
  // The header order: lockdown, seal-by, seal-after.
  const std::string head =
      format_policy(parse_ok(with_head("seal-after 2m\nseal-by /s\nlockdown integrity\ndescription \"d\"\n")));
  EXPECT_NE(head.find("description \"d\"\nlockdown integrity\nseal-by /s\nseal-after 120s\n\n"), std::string::npos)
      << head;
}

TEST(LanguagePhases, WarnsForARuleRepeatedInBothPhases) {
  auto w = warnings_of(with_head("seal-after 1m\nphase boot deny write subtree /usr\n"
                                 "phase running deny write subtree /usr\n"));
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0],
            "t.policy:5: warning: this rule and the one on line 6 differ only in their phase, so together they hold "
            "in both phases (write `deny write subtree /usr` once, without a phase)");
  // Another action, subject or exception list: not the same rule.
  EXPECT_TRUE(warnings_of(with_head("seal-after 1m\ndeny write subtree /usr\n"
                                    "phase boot allow write subtree /etc\nphase running deny write subtree /etc\n"
                                    "phase boot deny write subtree /var except /usr/bin/a\n"
                                    "phase running deny write subtree /var except /usr/bin/b\n"
                                    "phase boot deny exec any by /usr/bin/a\nphase running deny exec any\n"))
                  .empty());
  // With a subject, in line order among the other warnings.
  w = warnings_of(with_head("seal-after 1m\nphase running allow exec any by /opt/x\n"
                            "phase boot allow exec any by /opt/x\n"));
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0].rfind("t.policy:5: warning: /opt/x is named as a subject", 0), 0u) << w[0];
  EXPECT_EQ(w[1].rfind("t.policy:5: warning: this rule and the one on line 6 differ only in their phase", 0), 0u)
      << w[1];
}

TEST(LanguageWarnings, AreInLineOrder) {
  const auto w = warnings_of(with_head("deny exec any by /opt/b\n"
                                       "allow bpf-load lsm by /opt/a\n"
                                       "seal-by /opt/s\nseal-after 1m\n"));
  ASSERT_EQ(w.size(), 4u);
  EXPECT_EQ(w[0].rfind("t.policy:4: warning: /opt/b is named as a subject", 0), 0u) << w[0];
  EXPECT_EQ(w[1].rfind("t.policy:5: warning: /opt/a is granted BPF LSM program loads", 0), 0u) << w[1];
  EXPECT_EQ(w[2].rfind("t.policy:5: warning: /opt/a may load BPF LSM programs", 0), 0u) << w[2];
  EXPECT_EQ(w[3].rfind("t.policy:6: warning: /opt/s is the seal-by program", 0), 0u) << w[3];
}

// The worked examples of docs/POLICY.md, "Boot phases".
using testing::phase_query;

TEST(LanguageExamples, DocsPhasesModulesOnlyWhileBooting) {
  const Document d =
      parse_ok(with_head("seal-after 10m\ndefault module-load deny\n"
                         "phase boot allow module-load subtree /usr/lib/modules by /usr/bin/udevadm\n"));
  const std::string ko = "/usr/lib/modules/6.1.0/kernel/drivers/net/e1000.ko";
  EXPECT_EQ(decide(d, phase_query(Operation::module_load, ko, "/usr/bin/udevadm", Phase::boot)).action,
            Action::allow);
  EXPECT_EQ(decide(d, phase_query(Operation::module_load, ko, "/usr/bin/kmod", Phase::boot)).action, Action::deny);
  EXPECT_EQ(decide(d, phase_query(Operation::module_load, ko, "/usr/bin/udevadm", Phase::running)).action,
            Action::deny);
}

TEST(LanguageExamples, DocsPhasesEtcWritableByProvisioningThenClosed) {
  const Document d = parse_ok(with_head("seal-after 10m\n"
                                        "phase boot allow write subtree /etc by /usr/lib/firstboot/provision\n"
                                        "phase running deny write subtree /etc except /usr/bin/passwd\n"));
  const std::string prov = "/usr/lib/firstboot/provision";
  EXPECT_EQ(decide(d, phase_query(Operation::write, "/etc/hosts", prov, Phase::boot)).action, Action::allow);
  EXPECT_EQ(decide(d, phase_query(Operation::write, "/etc/hosts", "/usr/bin/vi", Phase::boot)).rule, -1)
      << "everyone else falls to the default (allow)";
  EXPECT_EQ(decide(d, phase_query(Operation::write, "/etc/hosts", prov, Phase::running)).action, Action::deny);
  EXPECT_EQ(decide(d, phase_query(Operation::write, "/etc/hosts", "/usr/bin/vi", Phase::running)).action,
            Action::deny);
  EXPECT_EQ(decide(d, phase_query(Operation::write, "/etc/shadow", "/usr/bin/passwd", Phase::running)).action,
            Action::allow);
}

TEST(LanguageExamples, DocsPhasesBootPathBesideAnUnphasedSubtree) {
  const Document d = parse_ok(with_head("seal-after 10m\ndeny write subtree /etc\n"
                                        "phase boot allow write path /etc/hostname\n"));
  EXPECT_EQ(decide(d, phase_query(Operation::write, "/etc/hostname", "", Phase::boot)).action, Action::allow);
  EXPECT_EQ(decide(d, phase_query(Operation::write, "/etc/hosts", "", Phase::boot)).action, Action::deny);
  EXPECT_EQ(decide(d, phase_query(Operation::write, "/etc/hostname", "", Phase::running)).action, Action::deny);
  EXPECT_EQ(decide(d, phase_query(Operation::write, "/etc/hosts", "", Phase::running)).action, Action::deny);
}

TEST(LanguageExamples, DocsPhasesADefaultPerPhase) {
  const Document d = parse_ok(with_head("seal-after 10m\nphase boot default kexec allow\n"
                                        "phase running default kexec deny\n"));
  EXPECT_EQ(decide(d, phase_query(Operation::kexec, "/boot/vmlinuz", "", Phase::boot)).action, Action::allow);
  EXPECT_EQ(decide(d, phase_query(Operation::kexec, "/boot/vmlinuz", "", Phase::running)).action, Action::deny);
  EXPECT_EQ(parse_error(with_head("seal-after 10m\ndefault kexec deny\nphase boot default kexec allow\n")),
            "t.policy:6:20: error: duplicate default for kexec, already given on line 5 (both would hold in the "
            "same phase), expected one default per operation in each phase");
}

}  // namespace
}  // namespace bootseal

// SPDX-License-Identifier: GPL-2.0-only
// The policy language compiler: a line-oriented lexer and a statement parser
// producing a Document. The printer going back is language_format.cpp. The
// grammar and the errors are documented in docs/POLICY.md; keep the two in step.
#include "bootseal/language.hpp"

#include "bootseal/fileio.hpp"
#include "language_chars.hpp"

#include <algorithm>
#include <charconv>
#include <limits>
#include <map>
#include <optional>
#include <unordered_map>
#include <utility>

namespace bootseal {

namespace {

using lang::append_hex_escape;
using lang::hex_value;
using lang::is_control;
using lang::is_space;


// ---------------------------------------------------------------------------
// Lexer: one line at a time.

enum class TokenKind { word, string, comma };

struct Token {
  TokenKind kind;
  std::string text;  // words: as written; strings: decoded
  size_t column;     // 1-based byte column of the token's first character
};

struct Position {
  size_t line;
  size_t column;
};

class Parser {
 public:
  Parser(std::string_view text, std::string_view filename) : text_(text), filename_(filename) {}

  Result<ParsedPolicy> run();

 private:
  Error<> error(size_t line, size_t column, const std::string& what, const std::string& expected) const {
    std::string m;
    m.reserve(filename_.size() + what.size() + expected.size() + 40);
    m += filename_;
    m += ':';
    m += std::to_string(line);
    m += ':';
    m += std::to_string(column);
    m += ": error: ";
    m += what;
    m += ", expected ";
    m += expected;
    return make_error(Errc::invalid_input, std::move(m));
  }
  Error<> error_at(const Token& t, const std::string& what, const std::string& expected) const {
    return error(line_, t.column, what, expected);
  }
  Error<> error_at_end(const std::string& what, const std::string& expected) const {
    return error(line_, end_column_, what, expected);
  }

  std::optional<Error<>> tokenize(std::string_view line);
  std::optional<Error<>> statement();
  std::optional<Error<>> header_once(const char* keyword, size_t& seen_line);
  std::optional<Error<>> rule(Action action, Phase phase = Phase::any);
  std::optional<Error<>> bpf_load(Action action);
  std::optional<Error<>> default_statement(Phase phase);
  std::optional<Error<>> phase_statement();
  std::optional<Error<>> seal_after_statement();
  std::optional<Error<>> parse_object(Operation op, Object& object);
  // Into a std::string or a rule's std::pmr::string.
  template <class String>
  std::optional<Error<>> take_path(const char* what, String& out);

  bool at_end() const { return pos_ >= tokens_.size(); }
  const Token& peek() const { return tokens_[pos_]; }
  // A bare word that is one of the language's keywords ("by", "except", ...).
  bool peek_keyword(std::string_view kw) const {
    return !at_end() && peek().kind == TokenKind::word && peek().text == kw;
  }
  std::optional<Error<>> expect_end(const std::string& after);
  std::optional<Error<>> check_superseded_capabilities() const;

  std::string_view text_;
  std::string_view filename_;

  // Current line.
  size_t line_ = 0;
  size_t end_column_ = 1;  // column just past the line's last character
  std::vector<Token> tokens_;
  size_t pos_ = 0;

  ParsedPolicy out_;
  size_t name_line_ = 0, generation_line_ = 0, mode_line_ = 0, description_line_ = 0, lockdown_line_ = 0;
  size_t seal_by_line_ = 0, seal_after_line_ = 0;
  size_t first_phase_line_ = 0;  // the first `phase` statement
  // Per operation and phase (Phase::any, boot, running): the line of its
  // default, 0 when none; and the action.
  std::array<std::array<size_t, 3>, kOperationCount> default_lines_{};
  std::array<std::array<Action, 3>, kOperationCount> default_actions_{};
  std::map<MachineId, size_t> machines_;                 // id -> line
  std::unordered_map<std::string, size_t> rule_keys_;    // identity -> rule index
  std::map<std::string, size_t> bpf_lsm_loaders_;        // subject -> line
};

// How a token is shown in a message: words in single quotes as written,
// strings quoted with escapes, so that a message stays on one line.
std::string show(const Token& t) {
  switch (t.kind) {
    case TokenKind::word: return "'" + t.text + "'";
    case TokenKind::string: return quote(t.text);
    case TokenKind::comma: return "','";
  }
  return {};
}

std::string list_operations() {
  std::string s;
  for (size_t i = 0; i < kOperationCount; ++i) {
    if (i) s += i + 1 == kOperationCount ? " or " : ", ";
    s += to_string(static_cast<Operation>(i));
  }
  return s;
}

std::string list_fstypes() {
  auto names = fstype_names();
  std::sort(names.begin(), names.end());
  std::string s;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) s += i + 1 == names.size() ? " or " : ", ";
    s += names[i];
  }
  return s;
}

constexpr const char* kStatements =
    "a statement (policy, generation, mode, machine, description, lockdown, seal-by, seal-after, phase, default, "
    "allow, deny or audit)";
constexpr const char* kPhases = "boot or running";
constexpr const char* kDuration = "a number of seconds, minutes or hours, such as 300s, 5m or 1h";
constexpr const char* kActions = "allow, deny or audit";
constexpr const char* kObjects = "path, subtree, fstype or any";
constexpr const char* kExecObjects = "path, subtree, fstype, memory or any";
constexpr const char* kFileObjects = "path, subtree, fstype, device or any";  // read, write
constexpr const char* kLockdownLevels = "integrity, confidentiality or none";
constexpr const char* kBpfLoadForm = "'allow bpf-load lsm by SUBJECT'";

// The objects an operation takes, for messages.
const char* objects_for(Operation op) {
  return op == Operation::read || op == Operation::write ? kFileObjects : kObjects;
}
constexpr const char* kCapabilityObjects = "a capability name such as CAP_SYS_MODULE, or any";

std::optional<Error<>> Parser::tokenize(std::string_view line) {
  tokens_.clear();
  pos_ = 0;
  end_column_ = line.size() + 1;
  size_t i = 0;
  while (i < line.size()) {
    const auto c = static_cast<unsigned char>(line[i]);
    if (is_space(c)) {
      ++i;
      continue;
    }
    if (c == '#') break;  // a comment runs to the end of the line
    const size_t start = i;
    if (c == ',') {
      tokens_.push_back({TokenKind::comma, ",", start + 1});
      ++i;
      continue;
    }
    if (c == '"') {
      std::string value;
      ++i;
      bool closed = false;
      while (i < line.size()) {
        const auto d = static_cast<unsigned char>(line[i]);
        if (d == '"') {
          closed = true;
          ++i;
          break;
        }
        if (d == '\\') {
          if (i + 1 >= line.size()) break;  // reported as unterminated
          const char e = line[i + 1];
          switch (e) {
            case '\\': value += '\\'; i += 2; continue;
            case '"': value += '"'; i += 2; continue;
            case 'n': value += '\n'; i += 2; continue;
            case 't': value += '\t'; i += 2; continue;
            case 'r': value += '\r'; i += 2; continue;
            case 'x': {
              const int h = i + 2 < line.size() ? hex_value(static_cast<unsigned char>(line[i + 2])) : -1;
              const int l = i + 3 < line.size() ? hex_value(static_cast<unsigned char>(line[i + 3])) : -1;
              if (h < 0 || l < 0) {
                return error(line_, i + 1, "bad escape '\\x' in string",
                             "two hexadecimal digits after \\x");
              }
              value += static_cast<char>(h * 16 + l);
              i += 4;
              continue;
            }
            default: {
              std::string shown;
              if (is_control(static_cast<unsigned char>(e)) || static_cast<unsigned char>(e) >= 0x80) {
                append_hex_escape(shown, static_cast<unsigned char>(e));
              } else {
                shown = std::string(1, e);
              }
              return error(line_, i + 1, "unknown escape '\\" + shown + "' in string",
                           "one of \\\\ \\\" \\n \\t \\r \\xHH");
            }
          }
        }
        if (is_control(d) && d != '\t') {
          std::string shown;
          append_hex_escape(shown, d);
          return error(line_, i + 1, "control character " + shown + " in string",
                       "printable text (write it as an escape such as \\x01)");
        }
        value += static_cast<char>(d);
        ++i;
      }
      if (!closed) {
        return error(line_, start + 1, "unterminated string", "a closing '\"' on the same line");
      }
      tokens_.push_back({TokenKind::string, std::move(value), start + 1});
      continue;
    }
    // A bare word: everything up to whitespace, a comma or a quote.
    while (i < line.size()) {
      const auto d = static_cast<unsigned char>(line[i]);
      if (is_space(d) || d == ',' || d == '"') break;
      if (is_control(d)) {
        std::string shown;
        append_hex_escape(shown, d);
        return error(line_, i + 1, "control character " + shown,
                     "printable text (quote the value and write it as an escape such as \\x01)");
      }
      ++i;
    }
    tokens_.push_back({TokenKind::word, std::string(line.substr(start, i - start)), start + 1});
  }
  return std::nullopt;
}

std::optional<Error<>> Parser::expect_end(const std::string& after) {
  if (at_end()) return std::nullopt;
  return error_at(peek(), "unexpected " + show(peek()) + " after " + after, "end of line");
}

std::optional<Error<>> Parser::header_once(const char* keyword, size_t& seen_line) {
  if (seen_line != 0) {
    return error_at(tokens_[0],
                    std::string("duplicate '") + keyword + "', already given on line " + std::to_string(seen_line),
                    std::string("one '") + keyword + "' statement");
  }
  seen_line = line_;
  ++pos_;
  return std::nullopt;
}

template <class String>
std::optional<Error<>> Parser::take_path(const char* what, String& out) {
  if (at_end()) {
    return error_at_end(std::string("missing ") + what, "an absolute path");
  }
  const Token& t = peek();
  if (t.kind == TokenKind::comma) {
    return error_at(t, std::string("unexpected ',' where the ") + what + " belongs", "an absolute path");
  }
  if (t.text.empty() || t.text[0] != '/') {
    return error_at(t, std::string("relative path ") + show(t) + " as " + what, "an absolute path starting with '/'");
  }
  if (t.text.find('\0') != std::string::npos) {
    return error_at(t, std::string("path ") + show(t) + " contains a NUL byte", "a path without NUL bytes");
  }
  if (!is_normalised_absolute_path(t.text)) {
    return error_at(t, std::string("path ") + show(t) + " is not normalised",
                    "a path without empty, '.' or '..' components and without a trailing '/'");
  }
  out = t.text;
  ++pos_;
  return std::nullopt;
}

std::optional<Error<>> Parser::parse_object(Operation op, Object& object) {
  const std::string op_name(to_string(op));
  const char* objects = op == Operation::capability ? kCapabilityObjects
                        : op == Operation::exec     ? kExecObjects
                                                    : objects_for(op);
  if (at_end()) return error_at_end("missing object after '" + op_name + "'", objects);
  const Token& t = peek();
  if (t.kind != TokenKind::word) {
    return error_at(t, "unexpected " + show(t) + " where the object belongs", objects);
  }
  if (t.text == "any") {
    object.kind = ObjectKind::any;
    ++pos_;
    return std::nullopt;
  }
  if (t.text == "memory") {
    // Executable memory no file backs: a thing only exec does.
    if (op != Operation::exec) {
      return error_at(t, "object 'memory' is not valid for operation " + op_name,
                      std::string(objects) + " ('memory' goes with exec only)");
    }
    object.kind = ObjectKind::memory;
    ++pos_;
    return std::nullopt;
  }
  const bool kind_word = t.text == "path" || t.text == "subtree" || t.text == "fstype" || t.text == "device";
  if (op == Operation::capability) {
    if (auto cap = capability_from_string(t.text)) {
      object.kind = ObjectKind::capability;
      object.capability = *cap;
      ++pos_;
      return std::nullopt;
    }
    if (kind_word) {
      return error_at(t, "object '" + t.text + "' is not valid for operation capability", kCapabilityObjects);
    }
    return error_at(t, "unknown capability " + show(t), kCapabilityObjects);
  }
  if (!kind_word) {
    if (capability_from_string(t.text)) {
      return error_at(t, "a capability is not an object of operation " + op_name, objects);
    }
    return error_at(t, "unknown object " + show(t), objects);
  }
  if (t.text == "device" && op != Operation::read && op != Operation::write) {
    return error_at(t, "object 'device' is not valid for operation " + op_name,
                    std::string(kObjects) + " (a device is an object of read and write only)");
  }
  const std::string kind = t.text;
  ++pos_;
  if (kind == "device") {
    object.kind = ObjectKind::device;
    return take_path("device", object.path);
  }
  if (kind == "path" || kind == "subtree") {
    object.kind = kind == "path" ? ObjectKind::path : ObjectKind::subtree;
    return take_path(kind == "path" ? "path" : "subtree", object.path);
  }
  // fstype
  if (at_end()) {
    return error_at_end("missing filesystem type after 'fstype'", "one of " + list_fstypes());
  }
  const Token& f = peek();
  if (f.kind == TokenKind::comma || !fstype_magic(f.text)) {
    return error_at(f, "unknown filesystem type " + show(f), "one of " + list_fstypes());
  }
  object.kind = ObjectKind::fstype;
  object.fstype = f.text;
  ++pos_;
  return std::nullopt;
}

// The identity that may appear only once: operation, object and subject.
std::string rule_key(const Rule& r) {
  std::string k;
  k += static_cast<char>(r.operation);
  k += static_cast<char>(r.object.kind);
  switch (r.object.kind) {
    case ObjectKind::path:
    case ObjectKind::subtree: k += r.object.path; break;
    case ObjectKind::fstype: k += r.object.fstype; break;
    case ObjectKind::capability: k += std::to_string(r.object.capability); break;
    case ObjectKind::device: k += r.object.path; break;
    case ObjectKind::any:
    case ObjectKind::memory: break;
  }
  // Paths and fstype names contain no NUL, so a NUL separates unambiguously.
  k += '\0';
  if (r.subject) {
    k += 's';
    k += *r.subject;
  }
  return k;
}

std::optional<Error<>> Parser::rule(Action action, Phase phase) {
  Rule r;
  r.action = action;
  r.phase = phase;
  ++pos_;
  if (at_end()) {
    return error_at_end("missing operation after '" + std::string(to_string(action)) + "'",
                        "one of " + list_operations());
  }
  {
    const Token& t = peek();
    if (t.kind == TokenKind::word && t.text == "bpf-load") {
      if (phase != Phase::any)
        return error_at(t, "'phase " + std::string(to_string(phase)) + "' before a bpf-load statement",
                        std::string(kBpfLoadForm) + " without a phase (a grant holds in both phases)");
      return bpf_load(action);
    }
    const auto op = t.kind == TokenKind::word ? operation_from_string(t.text) : std::nullopt;
    if (!op) return error_at(t, "unknown operation " + show(t), "one of " + list_operations());
    r.operation = *op;
    ++pos_;
  }
  if (auto e = parse_object(r.operation, r.object)) return e;

  // Optional subject or exception list (not both).
  std::vector<std::pair<std::string, size_t>> exceptions;  // path, column
  size_t subject_column = 0, except_column = 0;
  while (!at_end()) {
    const Token& t = peek();
    if (t.kind == TokenKind::word && t.text == "by") {
      if (subject_column) {
        return error_at(t, "duplicate 'by', the subject was already given at column " +
                               std::to_string(subject_column), "one subject");
      }
      if (except_column) {
        return error_at(t, "'by' after 'except'",
                        "either 'by SUBJECT' or 'except EXCEPTIONS', not both (exceptions apply only to rules for any subject)");
      }
      subject_column = t.column;
      ++pos_;
      std::string subject;
      if (auto e = take_path("subject", subject)) return e;
      r.subject = std::move(subject);
      continue;
    }
    if (t.kind == TokenKind::word && t.text == "except") {
      if (except_column) {
        return error_at(t, "duplicate 'except', the exceptions were already given at column " +
                               std::to_string(except_column), "one comma-separated list after one 'except'");
      }
      if (subject_column) {
        return error_at(t, "'except' after 'by'",
                        "either 'by SUBJECT' or 'except EXCEPTIONS', not both (exceptions apply only to rules for any subject)");
      }
      except_column = t.column;
      ++pos_;
      for (;;) {
        const size_t column = at_end() ? end_column_ : peek().column;
        std::string path;
        if (auto e = take_path("exception", path)) return e;
        exceptions.emplace_back(std::move(path), column);
        if (at_end() || peek().kind != TokenKind::comma) break;
        ++pos_;
      }
      if (!at_end() && !(peek().kind == TokenKind::word && (peek().text == "by" || peek().text == "except"))) {
        return error_at(peek(), "unexpected " + show(peek()) + " after the exception list",
                        "',' between exceptions, or end of line");
      }
      continue;
    }
    const std::string expected =
        subject_column ? std::string("end of line") : std::string("'by SUBJECT', 'except EXCEPTIONS' or end of line");
    return error_at(t, "unexpected " + show(t) + " after the rule's object", expected);
  }

  // Exceptions: sorted, each once.
  std::vector<size_t> order(exceptions.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  if (order.size() > 1) {
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return exceptions[a].first < exceptions[b].first; });
  }
  for (size_t i = 1; i < order.size(); ++i) {
    const auto& prev = exceptions[order[i - 1]];
    const auto& cur = exceptions[order[i]];
    if (prev.first == cur.first) {
      const auto& later = prev.second > cur.second ? prev : cur;
      const auto& earlier = prev.second > cur.second ? cur : prev;
      return error(line_, later.second,
                   "duplicate exception " + quote_if_needed(later.first) + ", already listed at column " +
                       std::to_string(earlier.second),
                   "each exception once");
    }
  }
  r.exceptions.reserve(order.size());
  for (size_t i : order) r.exceptions.emplace_back(exceptions[i].first);

  if (r.object.kind == ObjectKind::device && r.action == Action::allow && !r.subject) {
    return error(line_, tokens_[0].column,
                 "an allow rule for device " + quote_if_needed(r.object.path) + " names no subject",
                 "'by SUBJECT' (the program that may open the device, e.g. a filesystem checker)");
  }

  // One rule per operation, object and subject in each phase: a rule
  // without a phase holds in both, so it meets every phase's rule.
  const std::string key = rule_key(r);
  auto find_in = [&](Phase p) -> const size_t* {
    auto it = rule_keys_.find(key + static_cast<char>('0' + static_cast<int>(p)));
    return it == rule_keys_.end() ? nullptr : &it->second;
  };
  const size_t* clash = find_in(Phase::any);
  if (!clash && phase != Phase::running) clash = find_in(Phase::boot);
  if (!clash && phase != Phase::boot) clash = find_in(Phase::running);
  if (clash) {
    const Rule& other = out_.document.rules[*clash];
    const size_t other_line = out_.rule_lines[*clash];
    const std::string same = other.phase == r.phase ? std::string("same operation, object and subject")
                                                    : std::string("same operation, object and subject, and both hold "
                                                                  "in the ") +
                                                          std::string(to_string(r.phase == Phase::any ? other.phase
                                                                                                      : r.phase)) +
                                                          " phase";
    const std::string expected = other.phase == Phase::any && r.phase == Phase::any
                                     ? "one rule per operation, object and subject"
                                     : "one rule per operation, object and subject in each phase";
    if (other.action != r.action) {
      return error(line_, tokens_[0].column,
                   "rule conflicts with the rule on line " + std::to_string(other_line) + " (" + same + "; " +
                       std::string(to_string(other.action)) + " there, " + std::string(to_string(r.action)) +
                       " here)",
                   expected);
    }
    return error(line_, tokens_[0].column,
                 "duplicate of the rule on line " + std::to_string(other_line) + " (" + same + ")", expected);
  }
  rule_keys_.emplace(key + static_cast<char>('0' + static_cast<int>(phase)), out_.document.rules.size());
  out_.document.rules.push_back(std::move(r));
  out_.rule_lines.push_back(static_cast<uint32_t>(line_));
  return std::nullopt;
}

// `allow bpf-load lsm by SUBJECT`: a grant, not a rule. Only `allow`, only
// the object `lsm`, only for a named subject: an LSM program runs in every
// task's context (bpf_probe_write_user, bpf_send_signal), so the grant goes
// to one integrity-protected program, never to "any process". The cursor
// is on `bpf-load`.
std::optional<Error<>> Parser::bpf_load(Action action) {
  const Token& head = tokens_[0];
  if (action != Action::allow) {
    return error_at(head, "'" + std::string(to_string(action)) + " bpf-load' is not allowed: every process but the "
                          "loader and the subjects the policy names is refused BPF LSM program loads already",
                    kBpfLoadForm);
  }
  ++pos_;
  if (at_end()) return error_at_end("missing object after 'bpf-load'", "lsm");
  {
    const Token& t = peek();
    if (!(t.kind == TokenKind::word && t.text == "lsm")) {
      return error_at(t, "unknown BPF program type " + show(t) + " after 'bpf-load'",
                      "lsm (only BPF LSM program loads can be granted; tracing, kprobe and the other types "
                      "stay refused to every process but the loader)");
    }
    ++pos_;
  }
  if (at_end()) {
    return error_at_end("'allow bpf-load lsm' names no subject",
                        "'by SUBJECT' (the program that may load BPF LSM programs; never any process)");
  }
  {
    const Token& t = peek();
    if (t.kind == TokenKind::word && t.text == "except") {
      return error_at(t, "'except' in a bpf-load statement",
                      "'by SUBJECT' (a bpf-load grant names its subject; it is never for any process)");
    }
    if (!(t.kind == TokenKind::word && t.text == "by")) {
      return error_at(t, "unexpected " + show(t) + " after 'bpf-load lsm'", "'by SUBJECT'");
    }
    ++pos_;
  }
  std::string subject;
  if (auto e = take_path("subject", subject)) return e;
  if (!at_end()) {
    const Token& t = peek();
    if (t.kind == TokenKind::word && (t.text == "by" || t.text == "except")) {
      return error_at(t, "unexpected " + show(t) + " after the subject",
                      "end of line (one subject per bpf-load statement)");
    }
    return error_at(t, "unexpected " + show(t) + " after the subject", "end of line");
  }
  auto [it, inserted] = bpf_lsm_loaders_.try_emplace(subject, line_);
  if (!inserted) {
    return error(line_, head.column,
                 "duplicate of the bpf-load statement on line " + std::to_string(it->second) + " (same subject " +
                     quote_if_needed(subject) + ")",
                 "one bpf-load statement per subject");
  }
  return std::nullopt;
}

std::optional<Error<>> Parser::statement() {
  const Token& head = tokens_[0];
  if (head.kind != TokenKind::word) {
    return error_at(head, "unexpected " + show(head) + " at the start of a statement", kStatements);
  }
  const std::string& kw = head.text;
  Document& doc = out_.document;

  if (kw == "policy") {
    if (auto e = header_once("policy", name_line_)) return e;
    if (at_end()) return error_at_end("missing policy name after 'policy'", "a name such as \"appliance-lockdown\"");
    if (peek().kind == TokenKind::comma) {
      return error_at(peek(), "unexpected ',' where the policy name belongs", "a name such as \"appliance-lockdown\"");
    }
    if (peek().text.empty()) return error_at(peek(), "empty policy name", "a non-empty name");
    doc.name = peek().text;
    ++pos_;
    return expect_end("the policy name");
  }
  if (kw == "generation") {
    if (auto e = header_once("generation", generation_line_)) return e;
    if (at_end()) return error_at_end("missing number after 'generation'", "a decimal integer >= 1");
    const Token& t = peek();
    const bool digits = t.kind == TokenKind::word && !t.text.empty() &&
                        std::all_of(t.text.begin(), t.text.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!digits) return error_at(t, "bad generation " + show(t), "a decimal integer >= 1");
    uint64_t g = 0;
    const auto [ptr, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), g);
    if (ec == std::errc::result_out_of_range) {
      return error_at(t, "generation " + t.text + " is too large",
                      "at most " + std::to_string(std::numeric_limits<uint64_t>::max()));
    }
    if (g == 0) {
      return error_at(t, "generation 0 is not allowed", "a decimal integer >= 1 (the anti-rollback counter)");
    }
    doc.generation = g;
    ++pos_;
    return expect_end("the generation");
  }
  if (kw == "mode") {
    if (auto e = header_once("mode", mode_line_)) return e;
    if (at_end()) return error_at_end("missing mode after 'mode'", "enforce or permissive");
    const Token& t = peek();
    const auto m = t.kind == TokenKind::word ? mode_from_string(t.text) : std::nullopt;
    if (!m) return error_at(t, "unknown mode " + show(t), "enforce or permissive");
    doc.mode = *m;
    ++pos_;
    return expect_end("the mode");
  }
  if (kw == "description") {
    if (auto e = header_once("description", description_line_)) return e;
    if (at_end()) return error_at_end("missing text after 'description'", "a quoted string");
    if (peek().kind == TokenKind::comma) {
      return error_at(peek(), "unexpected ',' where the description belongs", "a quoted string");
    }
    doc.description = peek().text;
    ++pos_;
    return expect_end("the description (quote text that contains spaces)");
  }
  if (kw == "lockdown") {
    if (auto e = header_once("lockdown", lockdown_line_)) return e;
    if (at_end()) return error_at_end("missing level after 'lockdown'", kLockdownLevels);
    const Token& t = peek();
    const auto l = t.kind == TokenKind::word ? lockdown_from_string(t.text) : std::nullopt;
    if (!l) return error_at(t, "unknown lockdown level " + show(t), kLockdownLevels);
    doc.lockdown = *l;
    ++pos_;
    return expect_end("the lockdown level");
  }
  if (kw == "machine") {
    ++pos_;
    if (at_end()) return error_at_end("missing machine id after 'machine'", "32 lowercase hexadecimal digits");
    const Token& t = peek();
    const auto id = t.kind == TokenKind::word ? machine_id_from_string(t.text) : std::nullopt;
    if (!id) return error_at(t, "bad machine id " + show(t), "32 lowercase hexadecimal digits (as in /etc/machine-id)");
    if (auto it = machines_.find(*id); it != machines_.end()) {
      return error_at(t, "duplicate machine id " + to_string(*id) + ", already given on line " +
                             std::to_string(it->second), "each machine id once");
    }
    machines_.emplace(*id, line_);
    ++pos_;
    return expect_end("the machine id");
  }
  if (kw == "seal-by") {
    if (auto e = header_once("seal-by", seal_by_line_)) return e;
    out_.seal_by_line = static_cast<uint32_t>(line_);
    std::string path;
    if (auto e = take_path("seal-by program", path)) return e;
    doc.seal_by = std::move(path);
    return expect_end("the seal-by program");
  }
  if (kw == "seal-after") return seal_after_statement();
  if (kw == "phase") return phase_statement();
  if (kw == "default") return default_statement(Phase::any);
  if (auto action = action_from_string(kw)) return rule(*action);
  return error_at(head, "unknown keyword " + show(head), kStatements);
}

// `seal-after DURATION`: digits and a unit (s, m, h), at most 7 days.
std::optional<Error<>> Parser::seal_after_statement() {
  if (auto e = header_once("seal-after", seal_after_line_)) return e;
  if (at_end()) return error_at_end("missing duration after 'seal-after'", kDuration);
  const Token& t = peek();
  const std::string& w = t.text;
  size_t digits = 0;
  while (digits < w.size() && w[digits] >= '0' && w[digits] <= '9') ++digits;
  if (t.kind != TokenKind::word || digits == 0) return error_at(t, "bad duration " + show(t), kDuration);
  if (digits == w.size()) return error_at(t, "duration " + show(t) + " has no unit", kDuration);
  const std::string unit = w.substr(digits);
  const uint64_t scale = unit == "s" ? 1 : unit == "m" ? 60 : unit == "h" ? 3600 : 0;
  if (scale == 0) return error_at(t, "unknown unit '" + unit + "' in duration " + show(t), kDuration);
  uint64_t n = 0;
  const auto [ptr, ec] = std::from_chars(w.data(), w.data() + digits, n);
  if (ec == std::errc::result_out_of_range || n > kSealAfterMax / scale)
    return error_at(t, "duration " + show(t) + " is more than 7 days", "at most 604800s, 10080m or 168h");
  if (n == 0) return error_at(t, "duration " + show(t) + " is zero", "at least 1s (the boot phase must last a while)");
  out_.document.seal_after = n * scale;
  ++pos_;
  return expect_end("the duration");
}

// `phase boot|running` before a rule or a default.
std::optional<Error<>> Parser::phase_statement() {
  ++pos_;
  if (at_end()) return error_at_end("missing phase after 'phase'", kPhases);
  const Token& t = peek();
  const auto phase = t.kind == TokenKind::word ? phase_from_string(t.text) : std::nullopt;
  if (!phase) return error_at(t, "unknown phase " + show(t), kPhases);
  ++pos_;
  if (first_phase_line_ == 0) first_phase_line_ = line_;
  const std::string after = "'phase " + t.text + "'";
  if (at_end()) return error_at_end("missing rule or default after " + after, "a rule (allow, deny or audit ...) or a default");
  const Token& next = peek();
  if (next.kind == TokenKind::word && next.text == "default") return default_statement(*phase);
  if (auto action = next.kind == TokenKind::word ? action_from_string(next.text) : std::nullopt)
    return rule(*action, *phase);
  return error_at(next, "unexpected " + show(next) + " after " + after,
                  "a rule (allow, deny or audit ...) or a default: a phase limits only those");
}

// `default OPERATION ACTION`, for one phase or (Phase::any) both.
std::optional<Error<>> Parser::default_statement(Phase phase) {
  ++pos_;
  if (at_end()) return error_at_end("missing operation after 'default'", "one of " + list_operations());
  const Token& t = peek();
  if (t.kind == TokenKind::word && t.text == "bpf-load") {
    return error_at(t, "'default bpf-load' is not allowed: loading BPF LSM programs is refused to every process "
                       "but the loader and the subjects the policy names",
                    std::string(kBpfLoadForm) + " to name a subject, or a default for one of " + list_operations());
  }
  const auto op = t.kind == TokenKind::word ? operation_from_string(t.text) : std::nullopt;
  if (!op) return error_at(t, "unknown operation " + show(t), "one of " + list_operations());
  const auto index = static_cast<size_t>(*op);
  // At most one default per operation holds in each phase; one without
  // a phase holds in both.
  const auto& lines = default_lines_[index];
  const auto p = static_cast<size_t>(phase);
  size_t clash = lines[0];
  if (!clash && phase != Phase::running) clash = lines[static_cast<size_t>(Phase::boot)];
  if (!clash && phase != Phase::boot) clash = lines[static_cast<size_t>(Phase::running)];
  if (clash != 0) {
    const bool same = lines[p] == clash;
    return error_at(t, "duplicate default for " + t.text + ", already given on line " + std::to_string(clash) +
                           (same ? std::string() : std::string(" (both would hold in the same phase)")),
                    phase == Phase::any && lines[0] == clash ? "one default per operation"
                                                             : "one default per operation in each phase");
  }
  ++pos_;
  if (at_end()) return error_at_end("missing action after 'default " + t.text + "'", kActions);
  const Token& a = peek();
  const auto action = a.kind == TokenKind::word ? action_from_string(a.text) : std::nullopt;
  if (!action) return error_at(a, "unknown action " + show(a), kActions);
  default_actions_[index][p] = *action;
  default_lines_[index][p] = line_;
  ++pos_;
  return expect_end("the default action");
}

// The kernel grants what CAP_BPF, CAP_PERFMON, CAP_CHECKPOINT_RESTORE and
// CAP_SYSLOG guard to CAP_SYS_ADMIN as well (bpf_capable(),
// perfmon_capable(), checkpoint_restore_ns_capable(),
// check_syslog_permissions()): a rule denying one of them denies
// nothing to a process that keeps CAP_SYS_ADMIN. Such a rule is refused
// unless CAP_SYS_ADMIN is denied to every subject it denies the capability
// to, as decide() computes it.
std::optional<Error<>> Parser::check_superseded_capabilities() const {
  const Document& full = out_.document;
  const uint32_t sys_admin = *capability_from_string("CAP_SYS_ADMIN");
  auto guarded = [](const Rule& r) {
    if (r.operation != Operation::capability || r.object.kind != ObjectKind::capability || r.action != Action::deny)
      return false;
    const std::string_view cap = capability_name(r.object.capability);
    return cap == "CAP_BPF" || cap == "CAP_PERFMON" || cap == "CAP_CHECKPOINT_RESTORE" || cap == "CAP_SYSLOG";
  };
  if (std::none_of(full.rules.begin(), full.rules.end(), guarded)) return std::nullopt;
  // Only the rules on the capabilities asked about (or on any capability)
  // decide these queries, in their order: the check runs on those alone
  // (`index` maps back), for the subjects they name; a subject none of them
  // names is decided as "". Deciding over the whole policy for every
  // subject it names made this quadratic.
  Document doc = full;
  doc.rules.clear();
  std::vector<size_t> index;
  auto asked = [&](const Rule& r) {  // may decide a query for a guarded capability or CAP_SYS_ADMIN
    if (r.operation != Operation::capability) return false;
    if (r.object.kind != ObjectKind::capability) return true;  // `any`
    const std::string_view cap = capability_name(r.object.capability);
    return r.object.capability == sys_admin || cap == "CAP_BPF" || cap == "CAP_PERFMON" ||
           cap == "CAP_CHECKPOINT_RESTORE" || cap == "CAP_SYSLOG";
  };
  for (size_t i = 0; i < full.rules.size(); ++i)
    if (asked(full.rules[i])) {
      doc.rules.push_back(full.rules[i]);
      index.push_back(i);
    }
  std::vector<std::string> subjects{""};  // "" = any process the policy does not name
  for (const auto& r : doc.rules) {
    if (r.subject) subjects.emplace_back(*r.subject);
    subjects.insert(subjects.end(), r.exceptions.begin(), r.exceptions.end());
  }
  std::sort(subjects.begin(), subjects.end());
  subjects.erase(std::unique(subjects.begin(), subjects.end()), subjects.end());
  for (size_t k = 0; k < doc.rules.size(); ++k) {
    const size_t i = index[k];
    const Rule& r = doc.rules[k];
    if (r.operation != Operation::capability || r.object.kind != ObjectKind::capability || r.action != Action::deny)
      continue;
    const std::string_view cap = capability_name(r.object.capability);
    if (cap != "CAP_BPF" && cap != "CAP_PERFMON" && cap != "CAP_CHECKPOINT_RESTORE" && cap != "CAP_SYSLOG") continue;
    // A rule with a subject decides for that subject alone.
    const std::vector<std::string> own =
        r.subject ? std::vector<std::string>{std::string(*r.subject)} : std::vector<std::string>{};
    for (const auto& s : r.subject ? own : subjects)
      for (const Phase phase : {Phase::boot, Phase::running}) {
        Query q;
        q.operation = Operation::capability;
        q.subject = s;
        q.capability = r.object.capability;
        q.phase = phase;
        if (decide(doc, q).rule != static_cast<int>(k)) continue;
        q.capability = sys_admin;
        if (decide(doc, q).action == Action::deny) continue;
        const std::string who = s.empty() ? std::string("processes the policy does not name") : s;
        return error(out_.rule_lines[i], 1,
                     std::string("'deny capability ") + std::string(cap) + "' does not hold for " + who +
                         ": the kernel grants what " + std::string(cap) +
                         " guards to CAP_SYS_ADMIN too, which the policy does not deny there",
                     "a rule that also denies CAP_SYS_ADMIN to the same subjects (e.g. 'deny capability "
                     "CAP_SYS_ADMIN" + (r.subject ? " by " + quote_if_needed(*r.subject) : std::string()) + "')");
      }
  }
  return std::nullopt;
}

Result<ParsedPolicy> Parser::run() {
  // Reserving up front avoids rehashing the identity table and moving rules
  // as a large policy is read. At most one rule per line, and a rule line
  // takes at least 14 bytes ("deny exec any\n"); beyond the cap the
  // containers grow as usual, so odd input cannot make a large reservation.
  const size_t lines = static_cast<size_t>(std::count(text_.begin(), text_.end(), '\n')) + 1;
  const size_t expected_rules = std::min({lines, text_.size() / 14 + 1, size_t{1} << 18});
  rule_keys_.reserve(expected_rules);
  out_.document.rules.reserve(expected_rules);
  out_.rule_lines.reserve(expected_rules);

  size_t start = 0;
  line_ = 0;
  for (;;) {
    ++line_;
    const size_t nl = text_.find('\n', start);
    const std::string_view line = text_.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    if (auto e = tokenize(line)) return std::move(*e);
    if (!tokens_.empty()) {
      if (auto e = statement()) return std::move(*e);
    }
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  // line_ and end_column_ now point just past the last character of the text.

  if (name_line_ == 0) return error_at_end("missing 'policy' statement", "a policy name, e.g. policy \"my-policy\"");
  if (generation_line_ == 0) return error_at_end("missing 'generation' statement", "a generation >= 1, e.g. generation 1");
  if (mode_line_ == 0) return error_at_end("missing 'mode' statement", "mode enforce or mode permissive");

  Document& doc = out_.document;
  // The defaults per phase: a default without a phase holds in both, a
  // phase's own default in that phase, and allow where none is given.
  std::array<Action, kOperationCount> running{};
  for (size_t op = 0; op < kOperationCount; ++op) {
    const auto& lines = default_lines_[op];
    const auto& acts = default_actions_[op];
    const size_t boot = static_cast<size_t>(Phase::boot), run = static_cast<size_t>(Phase::running);
    doc.defaults[op] = lines[0] ? acts[0] : lines[boot] ? acts[boot] : Action::allow;
    running[op] = lines[0] ? acts[0] : lines[run] ? acts[run] : Action::allow;
  }
  if (running != doc.defaults) doc.running_defaults = running;
  if (doc.seal_after == 0 && (first_phase_line_ != 0 || seal_by_line_ != 0)) {
    const size_t at = first_phase_line_ != 0 ? first_phase_line_ : seal_by_line_;
    return error_at_end("a policy with phases ('" + std::string(first_phase_line_ != 0 ? "phase" : "seal-by") +
                            "' on line " + std::to_string(at) + ") has no 'seal-after' statement",
                        "'seal-after DURATION', e.g. seal-after 600s: the boot phase must end even if the seal-by "
                        "program never runs");
  }
  doc.machines.reserve(machines_.size());
  for (const auto& m : machines_) doc.machines.push_back(m.first);
  doc.bpf_lsm_loaders.reserve(bpf_lsm_loaders_.size());
  for (const auto& g : bpf_lsm_loaders_) {
    doc.bpf_lsm_loaders.push_back(g.first);
    out_.bpf_lsm_loader_lines.push_back(static_cast<uint32_t>(g.second));
  }
  doc.schema = required_schema(doc);

  // The lowest schema that holds what the policy uses: schema-1 policies
  // keep sealing to the same bytes.
  doc.schema = required_schema(doc);

  if (auto e = check_superseded_capabilities()) return std::move(*e);

  // The checks above are meant to cover every invariant; this is the backstop
  // that keeps an invalid document from ever leaving the compiler.
  if (auto v = validate(doc); !v) {
    return error_at_end("the policy is not a valid document (" + v.error() + ")", "a valid policy");
  }
  return std::move(out_);
}

}  // namespace

// ---------------------------------------------------------------------------
// Public API

Result<ParsedPolicy> parse_policy_source(std::string_view text, std::string_view filename) {
  Parser parser(text, filename);
  return parser.run();
}

Result<Document> parse_policy(std::string_view text, std::string_view filename) {
  auto parsed = parse_policy_source(text, filename);
  if (!parsed) return make_error(parsed.error());
  return std::move(parsed.value().document);
}

Result<ParsedPolicy> parse_policy_file(const std::string& path) {
  auto bytes = read_file(path, kMaxPolicyTextSize);
  if (!bytes) return make_error(bytes.error());
  const std::string_view text(reinterpret_cast<const char*>(bytes->data()), bytes->size());
  return parse_policy_source(text, path);
}

}  // namespace bootseal

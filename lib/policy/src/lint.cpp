// SPDX-License-Identifier: GPL-2.0-only
// Warnings about a policy that parses but would not do what it says
// (language.hpp, policy_warnings()).
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "bootseal/language.hpp"
#include "bootseal/policy.hpp"

namespace bootseal {
namespace {

// Whether any process's write of `path` is refused: the write decision for
// a process with no subject is deny, by a rule that matches on every
// filesystem (fstype rules are left out: which one applies depends on the
// filesystem the file is on), or some `deny write fstype` rule may cover it.
// With boot phases, in both phases: a subject whose code is writable in
// one phase loses its subject there.
bool write_protected(const Document& doc, const std::string& path) {
  Query q;
  q.operation = Operation::write;
  q.path = path;
  q.phase = Phase::boot;
  const bool boot = decide(doc, q).action == Action::deny;
  q.phase = Phase::running;
  if (boot && decide(doc, q).action == Action::deny) return true;
  for (const Rule& r : doc.rules)
    if (r.operation == Operation::write && r.object.kind == ObjectKind::fstype && r.action == Action::deny &&
        !r.subject)
      return true;
  return false;
}

}  // namespace

std::vector<std::string> policy_warnings(const ParsedPolicy& p, std::string_view filename) {
  const Document& doc = p.document;
  // Each executable a rule names (`by` or `except`), with the first rule
  // naming it.
  std::map<std::string, size_t> first;
  for (size_t i = 0; i < doc.rules.size(); ++i) {
    const Rule& r = doc.rules[i];
    if (r.subject) first.emplace(*r.subject, i);
    for (const auto& e : r.exceptions) first.emplace(e, i);
  }
  std::vector<std::pair<size_t, std::string>> found;
  for (const auto& [exe, rule] : first)
    if (!write_protected(doc, exe)) found.emplace_back(rule, exe);
  std::sort(found.begin(), found.end());
  // (line, warning), put in line order at the end.
  std::vector<std::pair<uint32_t, std::string>> out;
  auto warn = [&](uint32_t line, const std::string& what) {
    out.emplace_back(line, std::string(filename) + ":" + std::to_string(line) + ": warning: " + what);
  };
  auto line_of = [&](size_t rule) { return rule < p.rule_lines.size() ? p.rule_lines[rule] : uint32_t{0}; };
  for (const auto& [rule, exe] : found) {
    warn(line_of(rule), quote_if_needed(exe) +
                            " is named as a subject but any process may write it, so a process running it holds no "
                            "subject and this rule never applies to it as written (write-protect it, e.g. `deny write "
                            "path " +
                            quote_if_needed(exe) + "` or a `deny write subtree` above it)");
  }
  // Grants to load BPF LSM programs: the subject must be write-protected
  // like any other, and without lockdown the grant reaches every process's
  // memory (bpf_probe_write_user).
  for (size_t i = 0; i < doc.bpf_lsm_loaders.size(); ++i) {
    const std::string& exe = doc.bpf_lsm_loaders[i];
    const uint32_t line = i < p.bpf_lsm_loader_lines.size() ? p.bpf_lsm_loader_lines[i] : 0;
    if (!first.count(exe) && !write_protected(doc, exe)) {
      warn(line, quote_if_needed(exe) +
                     " is granted BPF LSM program loads but any process may write it, so a process running it "
                     "holds no subject and the grant never applies (write-protect it, e.g. `deny write path " +
                     quote_if_needed(exe) + "` or a `deny write subtree` above it)");
    }
    if (doc.lockdown == Lockdown::none) {
      warn(line, quote_if_needed(exe) +
                     " may load BPF LSM programs, which can write any process's memory through "
                     "bpf_probe_write_user unless the kernel is locked down (add `lockdown integrity`)");
    }
  }
  // The seal-by program holds its subject only while it runs its own code:
  // writable by any process, it could never seal (only the deadline would).
  if (doc.seal_by && !first.count(*doc.seal_by) && !write_protected(doc, *doc.seal_by)) {
    warn(p.seal_by_line,
         quote_if_needed(*doc.seal_by) +
             " is the seal-by program but any process may write it, so a process running it holds no subject "
             "and cannot end the boot phase: only the seal-after deadline would (write-protect it, e.g. `deny "
             "write path " +
             quote_if_needed(*doc.seal_by) + "` or a `deny write subtree` above it)");
  }
  // A rule written once per phase with the same action, object, subject
  // and exceptions holds in both phases: one rule without a phase says the
  // same, and a later edit cannot change one copy and forget the other.
  std::map<std::string, size_t> phased;  // the rule without its phase -> its first phased rule
  for (size_t i = 0; i < doc.rules.size(); ++i) {
    if (doc.rules[i].phase == Phase::any) continue;
    Rule r = doc.rules[i];
    r.phase = Phase::any;
    auto [it, inserted] = phased.try_emplace(format_rule(r), i);
    if (inserted || doc.rules[it->second].phase == doc.rules[i].phase) continue;
    warn(line_of(it->second), "this rule and the one on line " + std::to_string(line_of(i)) +
                                  " differ only in their phase, so together they hold in both phases (write `" +
                                  format_rule(r) + "` once, without a phase)");
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> warnings;
  warnings.reserve(out.size());
  for (auto& [line, w] : out) warnings.push_back(std::move(w));
  return warnings;
}

}  // namespace bootseal

// SPDX-License-Identifier: GPL-2.0-only
// The policy language: human-written policy text <-> bootseal::Document.
// The grammar, the meaning of every statement and the list of errors are in
// docs/POLICY.md. The library never prints; errors come back as messages of
// the form "FILE:LINE:COLUMN: error: WHAT, expected WHAT".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bootseal/policy.hpp"
#include "bootseal/result.hpp"

namespace bootseal {

// A parsed policy and, for each rule, the 1-based source line it came from
// (rule_lines[i] is the line of document.rules[i]), so that later stages can
// point back into the source.
struct ParsedPolicy {
  Document document;
  std::vector<uint32_t> rule_lines;
  std::vector<uint32_t> bpf_lsm_loader_lines;  // parallel to document.bpf_lsm_loaders
  uint32_t seal_by_line = 0;                   // the `seal-by` statement's line, 0 for none
};

// Parses policy text. `filename` is used only in error messages. On success
// the document satisfies every invariant validate() checks; rules keep their
// source order, machine ids and exception lists come back sorted.
Result<ParsedPolicy> parse_policy_source(std::string_view text, std::string_view filename);

// The same, without the line table.
Result<Document> parse_policy(std::string_view text, std::string_view filename);

// Reads a file (at most kMaxPolicyTextSize bytes) and parses it. A file that
// cannot be read gives "Failed to open FILE: REASON" (or "Failed to read").
inline constexpr size_t kMaxPolicyTextSize = 64u << 20;
Result<ParsedPolicy> parse_policy_file(const std::string& path);

// Warnings about a policy that parses but would not do what it says, each
// "FILE:LINE: warning: WHAT" (LINE: the first rule involved), in line
// order. Today: an executable named as a subject (`by` or `except`), granted
// BPF LSM program loads or named by `seal-by` that the policy does not
// write-protect in both phases (its write decision for a process with no
// subject is not deny): the enforcer gives a process running a program any
// process may rewrite no subject (docs/POLICY.md, "Subject integrity"); a
// bpf-load grant without lockdown; a `phase boot` rule and a `phase running`
// rule that differ only in their phase (one rule without a phase says it).
std::vector<std::string> policy_warnings(const ParsedPolicy& p, std::string_view filename);

// The canonical text of a document: header, the seven defaults in operation
// order, then the rules in document order, one per line. For every document
// that validate() accepts, parse_policy(format_policy(doc)) == doc, and
// format_policy is a fixed point on its own output.
std::string format_policy(const Document& doc);

// One rule as canonical text, without the trailing newline
// ("deny write path /etc/shadow except /usr/bin/passwd").
std::string format_rule(const Rule& rule);

// A string as the language writes it: bare when it is non-empty and made only
// of letters, digits and / . _ - + @ : = % ~, otherwise quoted as by quote().
// Used for paths and filesystem types in canonical text and in messages.
std::string quote_if_needed(std::string_view s);

// A string always in double quotes, with \" \\ \n \t \r and \xHH escapes for
// control bytes and bytes that are not part of valid UTF-8.
std::string quote(std::string_view s);

}  // namespace bootseal

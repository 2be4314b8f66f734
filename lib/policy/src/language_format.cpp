// SPDX-License-Identifier: GPL-2.0-only
// The policy language's canonical printer: quoting, one rule, a whole
// policy (docs/POLICY.md). parse_policy(format_policy(d)) gives d back.
#include "bootseal/language.hpp"

#include <algorithm>

#include "language_chars.hpp"

namespace bootseal {

using lang::append_hex_escape;
using lang::is_bare_char;
using lang::is_control;
using lang::utf8_sequence_length;

std::string quote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"': out += "\\\""; ++i; continue;
      case '\\': out += "\\\\"; ++i; continue;
      case '\n': out += "\\n"; ++i; continue;
      case '\t': out += "\\t"; ++i; continue;
      case '\r': out += "\\r"; ++i; continue;
      default: break;
    }
    // Control characters and bytes that start no valid UTF-8 sequence are
    // both escaped: the first and the last branch are alike on purpose.
    if (is_control(c)) {  // NOLINT(bugprone-branch-clone)
      append_hex_escape(out, c);
      ++i;
    } else if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
    } else if (const size_t n = utf8_sequence_length(s, i)) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      append_hex_escape(out, c);
      ++i;
    }
  }
  out += '"';
  return out;
}

std::string quote_if_needed(std::string_view s) {
  if (!s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return is_bare_char(static_cast<unsigned char>(c)); })) {
    return std::string(s);
  }
  return quote(s);
}

std::string format_rule(const Rule& rule) {
  std::string out;
  if (rule.phase != Phase::any) {
    out += "phase ";
    out += to_string(rule.phase);
    out += ' ';
  }
  out += to_string(rule.action);
  out += ' ';
  out += to_string(rule.operation);
  out += ' ';
  switch (rule.object.kind) {
    case ObjectKind::any: out += "any"; break;
    case ObjectKind::memory: out += "memory"; break;
    case ObjectKind::path: out += "path "; out += quote_if_needed(rule.object.path); break;
    case ObjectKind::subtree: out += "subtree "; out += quote_if_needed(rule.object.path); break;
    case ObjectKind::fstype: out += "fstype "; out += quote_if_needed(rule.object.fstype); break;
    case ObjectKind::device: out += "device "; out += quote_if_needed(rule.object.path); break;
    case ObjectKind::capability: {
      const auto name = capability_name(rule.object.capability);
      // An unknown number cannot come from a valid document; show it plainly.
      out += name.empty() ? "CAP_" + std::to_string(rule.object.capability) : std::string(name);
      break;
    }
  }
  if (rule.subject) {
    out += " by ";
    out += quote_if_needed(*rule.subject);
  }
  if (!rule.exceptions.empty()) {
    out += " except ";
    for (size_t i = 0; i < rule.exceptions.size(); ++i) {
      if (i) out += ", ";
      out += quote_if_needed(rule.exceptions[i]);
    }
  }
  return out;
}

std::string format_policy(const Document& doc) {
  std::string out;
  out.reserve(256 + doc.rules.size() * 48);
  out += "policy ";
  out += quote(doc.name);
  out += "\ngeneration ";
  out += std::to_string(doc.generation);
  out += "\nmode ";
  out += to_string(doc.mode);
  out += '\n';
  for (const auto& id : doc.machines) {
    out += "machine ";
    out += to_string(id);
    out += '\n';
  }
  if (!doc.description.empty()) {
    out += "description ";
    out += quote(doc.description);
    out += '\n';
  }
  if (doc.lockdown != Lockdown::none) {
    out += "lockdown ";
    out += to_string(doc.lockdown);
    out += '\n';
  }
  if (doc.seal_by) {
    out += "seal-by ";
    out += quote_if_needed(*doc.seal_by);
    out += '\n';
  }
  if (doc.seal_after != 0) {
    out += "seal-after ";
    out += std::to_string(doc.seal_after);
    out += "s\n";
  }
  out += '\n';
  // A default that differs between the phases is written once per phase.
  for (size_t i = 0; i < kOperationCount; ++i) {
    const auto op = static_cast<Operation>(i);
    const Action boot = default_for(doc, op, Phase::boot), running = default_for(doc, op, Phase::running);
    for (const Phase p : {Phase::boot, Phase::running}) {
      if (boot == running && p == Phase::running) break;
      if (boot != running) {
        out += "phase ";
        out += to_string(p);
        out += ' ';
      }
      out += "default ";
      out += to_string(op);
      out += ' ';
      out += to_string(p == Phase::boot ? boot : running);
      out += '\n';
    }
  }
  if (!doc.rules.empty()) out += '\n';
  for (const auto& r : doc.rules) {
    out += format_rule(r);
    out += '\n';
  }
  // Grants to load BPF LSM programs, after the rules, sorted by subject.
  if (!doc.bpf_lsm_loaders.empty()) out += '\n';
  for (const auto& subject : doc.bpf_lsm_loaders) {
    out += "allow bpf-load lsm by ";
    out += quote_if_needed(subject);
    out += '\n';
  }
  return out;
}

}  // namespace bootseal
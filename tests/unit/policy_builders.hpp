// SPDX-License-Identifier: GPL-2.0-only
// Small builders for policy documents in tests (test_policy, test_compiler).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bootseal/policy.hpp"

namespace bootseal::testing {

inline Rule make_rule(Action a, Operation op, Object o, std::optional<std::string> subject = std::nullopt,
                      std::vector<std::string> except = {}) {
  Rule r;
  r.action = a;
  r.operation = op;
  r.object = std::move(o);
  if (subject) r.subject.emplace(*subject);
  r.exceptions.assign(except.begin(), except.end());
  return r;
}
inline Object path_obj(std::string_view p) { return Object{ObjectKind::path, std::pmr::string(p), "", 0}; }
inline Object subtree_obj(std::string_view p) { return Object{ObjectKind::subtree, std::pmr::string(p), "", 0}; }
inline Object fstype_obj(std::string_view f) { return Object{ObjectKind::fstype, "", std::pmr::string(f), 0}; }
inline Object any_obj() { return Object{}; }
inline Object cap_obj(uint32_t c) { return Object{ObjectKind::capability, "", "", c}; }
inline Object cap_obj(std::string_view name) { return cap_obj(capability_from_string(name).value()); }

// A query for `op` on `path` (on ext4) by `subject` ("" = any process),
// decided in `phase`.
inline Query phase_query(Operation op, std::string path, std::string subject, Phase phase) {
  Query q;
  q.operation = op;
  q.path = std::move(path);
  q.fstype = "ext4";
  q.subject = std::move(subject);
  q.phase = phase;
  return q;
}

// `r` limited to one boot phase (`phase boot ...`, `phase running ...`).
inline Rule in_phase(Phase p, Rule r) {
  r.phase = p;
  return r;
}

// A minimal valid document (name "t", generation 1) holding `rules`.
inline Document doc_with(std::vector<Rule> rules) {
  Document d;
  d.name = "t";
  d.generation = 1;
  d.rules = std::move(rules);
  return d;
}

}  // namespace bootseal::testing

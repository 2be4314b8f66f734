// SPDX-License-Identifier: GPL-2.0-only
// validate() and required_schema() in parts, for the decoder, which checks
// each rule in the pass that decodes it (document_cbor.cpp) instead of
// walking the rules again afterwards. validate() is these parts in order;
// the decoder calls the same functions, so the two cannot drift apart.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bootseal/policy.hpp"
#include "bootseal/result.hpp"

namespace bootseal::detail {

// What required_schema() and validate() need to know of the rules as a
// whole, gathered one rule at a time.
struct RulesSummary {
  uint64_t kinds_schema = kSchemaVersion;  // the highest schema a rule's object kind needs
  bool phased = false;                     // some rule is limited to a phase
  void add(const Rule& r);
};
RulesSummary summarize(const std::vector<Rule>& rules);

// required_schema(doc), with the rules already summarised.
uint64_t required_schema(const Document& doc, const RulesSummary& rules);

// validate() in its order: the document's own fields (rules only through
// their summary), each rule (the first that fails is named), then the
// conflicts between rules.
Result<void> validate_fields(const Document& doc, const RulesSummary& rules);
// Rule `index` (0-based; messages count from 1) of a document of schema
// version `schema`.
Result<void> validate_rule(const Rule& r, size_t index, uint64_t schema);
// What makes two rules conflict, hashed: operation, object and subject.
// Seeded once per process: the same rule hashes differently in another.
uint64_t conflict_key_hash(const Rule& r);
// No two rules conflict; hashes[i] is conflict_key_hash(rules[i]).
Result<void> validate_conflicts(const std::vector<Rule>& rules, const std::vector<uint64_t>& hashes);

}  // namespace bootseal::detail

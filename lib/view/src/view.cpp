// SPDX-License-Identifier: GPL-2.0-only
#include "bootseal/view.hpp"

#include <nlohmann/json.hpp>

#include "bootseal/language.hpp"

namespace bootseal::view {

using nlohmann::json;

std::string alg_name(int alg) {
  for (Alg a : {Alg::eddsa, Alg::es256, Alg::es384, Alg::ps256})
    if (static_cast<int>(a) == alg) return std::string(to_string(a));
  return "unknown (" + std::to_string(alg) + ")";
}

PolicyView policy_view(const Document& doc) {
  PolicyView p;
  p.name = doc.name;
  p.generation = doc.generation;
  p.mode = std::string(to_string(doc.mode));
  p.description = doc.description;
  for (const auto& m : doc.machines) p.machines.push_back(to_string(m));
  for (size_t op = 0; op < kOperationCount; ++op)
    p.defaults.emplace_back(to_string(static_cast<Operation>(op)), to_string(doc.defaults[op]));
  for (const auto& r : doc.rules) p.rules.push_back(format_rule(r));
  p.text = format_policy(doc);
  p.seal_after = doc.seal_after;
  p.seal_by = doc.seal_by;
  for (size_t op = 0; op < kOperationCount; ++op) {
    const auto o = static_cast<Operation>(op);
    if (default_for(doc, o, Phase::running) != default_for(doc, o, Phase::boot))
      p.running_defaults.emplace_back(to_string(o), to_string(default_for(doc, o, Phase::running)));
  }
  return p;
}

std::optional<Kid> envelope_kid(std::span<const uint8_t> blob) {
  Envelope env;
  if (parse_envelope(blob, &env) != VerifyStatus::ok || !env.has_kid) return std::nullopt;
  return env.kid;
}

PartitionView partition_view(const PartitionState& ps, const TrustView& trust) {
  PartitionView v;
  v.device = ps.device;
  v.floor = ps.header.floor;
  v.slot_size = ps.header.slot_size;
  v.capacity = slot_capacity(ps.header);
  for (size_t c = 0; c < 2; ++c) {
    const auto& hc = ps.header_copies[c];
    auto& h = v.header_copies[c];
    h.copy = static_cast<int>(c) + 1;
    h.offset = hc.offset;
    h.valid = hc.valid;
    h.in_use = hc.valid && static_cast<int>(c) == ps.header_copy;
    h.reason = hc.reason;
    if (hc.header) {
      h.sequence = hc.header->sequence;
      h.floor = hc.header->floor;
    }
  }
  for (size_t i = 0; i < 2; ++i) {
    const SlotInfo& s = ps.slots[i];
    SlotView& sv = v.slots[i];
    sv.slot = std::string(kSlotNames[s.index]);
    sv.offset = s.offset;
    sv.state = std::string(to_string(s.state));
    sv.reason = s.reason;
    if (s.header)
      sv.header = SlotHeaderView{s.header->generation, s.header->sequence, s.header->payload_length,
                                 to_hex(s.header->payload_sha256)};
    if (s.document) {
      // With a trust store only a blob that verifies has a document here.
      sv.signature = SignatureView{s.alg, envelope_kid(s.blob),
                                   s.verified ? std::optional(VerifyStatus::ok) : std::nullopt};
      sv.policy = policy_view(*s.document);
    }
  }
  if (ps.serving) v.serving = std::string(kSlotNames[*ps.serving]);
  v.trust = trust;
  return v;
}

std::string verification_text(const SignatureView& s) {
  return s.checked ? std::string(to_string(*s.checked)) : "not-checked";
}

json to_json(const PolicyView& p) {
  json defaults = json::object();
  for (const auto& [op, action] : p.defaults) defaults[op] = action;
  json phases = nullptr;
  if (p.seal_after != 0) {
    json run = json::object();
    for (const auto& [op, action] : p.running_defaults) run[op] = action;
    phases = {{"seal_after_seconds", p.seal_after},
              {"seal_by", p.seal_by ? json(*p.seal_by) : json(nullptr)},
              {"running_defaults", run}};
  }
  return {
      {"name", p.name},
      {"generation", p.generation},
      {"mode", p.mode},
      {"description", p.description},
      {"machines", p.machines},
      {"defaults", defaults},
      {"rules", p.rules},
      {"rule_count", p.rules.size()},
      {"phases", phases},
      {"text", p.text},
  };
}

json to_json(const SignatureView& s) {
  return {
      {"alg", alg_name(s.alg)},
      {"cose_alg", s.alg},
      {"kid", s.kid ? json(to_hex(*s.kid)) : json(nullptr)},
      {"verification", verification_text(s)},
      {"verified", s.verified()},
  };
}

json to_json(const BlobView& b) {
  json j = {{"size", b.size}, {"sha256", b.sha256}, {"status", std::string(to_string(b.status))}};
  if (b.signature) j["signature"] = to_json(*b.signature);
  if (b.policy) j["policy"] = to_json(*b.policy);
  return j;
}

json to_json(const SourceView& s) {
  json j = {{"kind", s.kind}, {"path", s.path}, {"description", s.description}};
  if (s.offset) j["offset"] = *s.offset;
  return j;
}

json to_json(const TrustView& t) { return t.loaded ? json(t.origin) : json(nullptr); }

json to_json(const HeaderCopyView& h) {
  json j = {{"copy", h.copy}, {"offset", h.offset}, {"valid", h.valid}, {"in_use", h.in_use}, {"reason", h.reason}};
  if (h.sequence) j["sequence"] = *h.sequence;
  if (h.floor) j["floor"] = *h.floor;
  return j;
}

json to_json(const SlotView& s) {
  json j = {{"slot", s.slot}, {"offset", s.offset}, {"state", s.state}, {"reason", s.reason}};
  if (s.header) {
    j["generation"] = s.header->generation;
    j["sequence"] = s.header->sequence;
    j["payload_length"] = s.header->payload_length;
    j["payload_sha256"] = s.header->payload_sha256;
  }
  if (s.signature) j["signature"] = to_json(*s.signature);
  if (s.policy) j["policy"] = to_json(*s.policy);
  return j;
}

json to_json(const PartitionView& p) {
  json copies = json::array();
  for (const auto& h : p.header_copies) copies.push_back(to_json(h));
  json slots = json::array();
  for (const auto& s : p.slots) slots.push_back(to_json(s));
  return {
      {"device", p.device},
      {"floor", p.floor},
      {"slot_size", p.slot_size},
      {"capacity", p.capacity},
      {"header_copies", copies},
      {"slots", slots},
      {"serving", p.serving ? json(*p.serving) : json(nullptr)},
      {"trust", to_json(p.trust)},
  };
}

}  // namespace bootseal::view

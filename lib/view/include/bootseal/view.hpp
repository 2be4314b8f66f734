// SPDX-License-Identifier: GPL-2.0-only
// Views: what the tools report, as passive data. A command builds a view
// from the library types, then one renderer prints it: its own text form,
// or the JSON form below, which is the same in every tool (docs/JSON.md
// lists every key). The JSON objects here are the shared ones: policy,
// signature, blob, source, partition (with its header copies and slots).
#pragma once

#include <array>
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "bootseal/partition.hpp"
#include "bootseal/policy.hpp"
#include "bootseal/seal.hpp"

namespace bootseal::view {

// The algorithm's name ("EdDSA", "ES256", "ES384", "PS256"), or
// "unknown (N)" for any other COSE algorithm number.
std::string alg_name(int alg);

// The signed document: what the policy says.
struct PolicyView {
  std::string name;
  uint64_t generation = 0;
  std::string mode;
  std::string description;
  std::vector<std::string> machines;
  std::vector<std::pair<std::string, std::string>> defaults;  // operation, action; in operation order
  std::vector<std::string> rules;                             // each rule as one line of policy text
  std::string text;                                           // the canonical policy text
  // Boot phases (docs/POLICY.md): the deadline in seconds (0: none), the
  // seal-by program, the running phase's defaults where they differ.
  uint64_t seal_after = 0;
  std::optional<std::string> seal_by;
  std::vector<std::pair<std::string, std::string>> running_defaults;
};
PolicyView policy_view(const Document& doc);

// The envelope's signature: who signed and whether that was checked.
struct SignatureView {
  int alg = 0;              // the COSE algorithm number
  std::optional<Kid> kid;   // absent when the envelope carries no 32-byte kid
  // The verification result, or nothing when no trust store was given.
  std::optional<VerifyStatus> checked;
  bool verified() const { return checked == VerifyStatus::ok; }
};
// The kid a blob's envelope carries, if it parses and carries one.
std::optional<Kid> envelope_kid(std::span<const uint8_t> blob);

// A sealed blob: its bytes, and when well-formed its signature and policy.
struct BlobView {
  uint64_t size = 0;
  std::string sha256;  // hex
  // ok, why the blob is not well-formed, or (with a trust store) why it
  // does not verify.
  VerifyStatus status = VerifyStatus::ok;
  std::optional<SignatureView> signature;  // both set when well-formed
  std::optional<PolicyView> policy;
};

// Where a policy was looked for (discovery's Source, as reported).
struct SourceView {
  std::string kind;  // partition, trailer or file
  std::string path;
  std::string description;
  std::optional<uint64_t> offset;  // partitions only
};

// The trust store a command used, or where it looked for one.
struct TrustView {
  std::string origin;
  bool loaded = false;
};

struct HeaderCopyView {
  int copy = 1;  // 1 or 2
  uint64_t offset = 0;
  bool valid = false;
  bool in_use = false;  // the copy the partition state was read from
  std::string reason;   // why it is not valid
  std::optional<uint64_t> sequence;  // when it decoded
  std::optional<uint64_t> floor;
};

struct SlotHeaderView {
  uint64_t generation = 0;
  uint64_t sequence = 0;
  uint64_t payload_length = 0;
  std::string payload_sha256;  // hex
};

struct SlotView {
  std::string slot;  // "A" or "B"
  uint64_t offset = 0;
  std::string state;
  std::string reason;
  std::optional<SlotHeaderView> header;
  std::optional<SignatureView> signature;  // both set when the blob is well-formed
  std::optional<PolicyView> policy;
};

struct PartitionView {
  std::string device;
  uint64_t floor = 0;
  uint64_t slot_size = 0;
  uint64_t capacity = 0;
  std::array<HeaderCopyView, 2> header_copies;
  std::array<SlotView, 2> slots;
  std::optional<std::string> serving;  // "A" or "B"
  TrustView trust;
};
PartitionView partition_view(const PartitionState& ps, const TrustView& trust);

// The JSON renderers (docs/JSON.md). Optional fields are left out when
// unset, except those the schema gives as null.
nlohmann::json to_json(const PolicyView& p);
nlohmann::json to_json(const SignatureView& s);
nlohmann::json to_json(const BlobView& b);
nlohmann::json to_json(const SourceView& s);
nlohmann::json to_json(const TrustView& t);  // the origin, or null
nlohmann::json to_json(const HeaderCopyView& h);
nlohmann::json to_json(const SlotView& s);
nlohmann::json to_json(const PartitionView& p);

// "not-checked" or the verification result's text, as in "verification".
std::string verification_text(const SignatureView& s);

}  // namespace bootseal::view

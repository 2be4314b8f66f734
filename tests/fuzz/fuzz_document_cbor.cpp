// SPDX-License-Identifier: GPL-2.0-only
// libFuzzer target: the strict CBOR policy-document decoder. Whatever it
// accepts must re-encode to exactly the same bytes (one document, one
// encoding) and pass validate(). The decoder checks validate()'s
// invariants rule by rule as it decodes; it must agree with decoding
// without them and then calling validate(): the same document, or the
// same refusal with the same message and failure kind. (Both call the
// same parts of validate(), so this compares how the decoder uses them;
// the parts themselves are the unit tests'.)
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "bootseal/policy.hpp"
#include "bootseal/seal.hpp"
#include "seal_internal.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> in(data, size);
  // decode_document() is this with the failure kind dropped.
  auto doc = bootseal::detail::decode_and_validate(in);
  auto raw = bootseal::detail::decode_document_unchecked(in);
  if (!doc) {
    // verify_sealed's kind: malformed exactly when the unvalidated decoding
    // fails, invalid when only validate() refuses.
    if (doc.kind() != (raw ? bootseal::VerifyStatus::invalid_policy : bootseal::VerifyStatus::malformed_payload))
      std::abort();
    if (!raw) {
      if (raw.error() != doc.error()) std::abort();
    } else {
      const auto v = bootseal::validate(*raw);
      if (v || "policy document: " + v.error() != doc.error()) std::abort();
    }
    return 0;
  }
  if (!raw || !(*raw == *doc)) std::abort();
  if (!bootseal::validate(*doc)) std::abort();
  const std::vector<uint8_t> again = bootseal::encode_document(*doc);
  if (again.size() != size || !std::equal(again.begin(), again.end(), data)) std::abort();
  return 0;
}

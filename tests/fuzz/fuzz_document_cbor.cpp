// SPDX-License-Identifier: GPL-2.0-only
// libFuzzer target: the strict CBOR policy-document decoder. Whatever it
// accepts must re-encode to exactly the same bytes (one document, one
// encoding) and pass validate().
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "bootseal/policy.hpp"
#include "bootseal/seal.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> in(data, size);
  auto doc = bootseal::decode_document(in);
  if (!doc) return 0;
  if (!bootseal::validate(*doc)) std::abort();
  const std::vector<uint8_t> again = bootseal::encode_document(*doc);
  if (again.size() != size || !std::equal(again.begin(), again.end(), data)) std::abort();
  return 0;
}

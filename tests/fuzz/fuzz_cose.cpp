// SPDX-License-Identifier: GPL-2.0-only
// libFuzzer target: the COSE_Sign1 parser and the whole verify path against
// a fixed trust store built in-process (an Ed25519 key from a fixed seed,
// so seeds sealed with the same key reach the payload decoder).
#include <openssl/evp.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <span>

#include "bootseal/seal.hpp"

namespace {

// RFC 8032 section 7.1, test 1 secret key: a fixed, public test key.
constexpr uint8_t kSeed[32] = {0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a,
                               0xf4, 0x92, 0xec, 0x2c, 0xc4, 0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32,
                               0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60};

const bootseal::TrustStore& trust() {
  static const bootseal::TrustStore store = [] {
    EVP_PKEY* k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, kSeed, sizeof kSeed);
    if (k == nullptr) std::abort();
    auto sk = bootseal::make_signing_key(
        std::shared_ptr<void>(k, [](void* p) { EVP_PKEY_free(static_cast<EVP_PKEY*>(p)); }));
    if (!sk) std::abort();
    auto pk = bootseal::public_key_of(*sk);
    if (!pk) std::abort();
    bootseal::TrustStore t;
    t.add(*pk);
    return t;
  }();
  return store;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> in(data, size);
  bootseal::Envelope env;
  const bootseal::VerifyStatus parsed = bootseal::parse_envelope(in, &env);
  bootseal::Verified v;
  const bootseal::VerifyStatus verified = bootseal::verify_sealed(in, trust(), &v);
  // The parse verdict and the full verdict must agree up to the parse.
  if (parsed != bootseal::VerifyStatus::ok && verified != parsed) std::abort();
  if (verified == bootseal::VerifyStatus::ok) {
    if (!bootseal::validate(v.document)) std::abort();
    if (bootseal::encode_document(v.document) != env.payload) std::abort();
  }
  return 0;
}

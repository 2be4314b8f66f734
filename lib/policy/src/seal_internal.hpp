// SPDX-License-Identifier: GPL-2.0-only
// Internal helpers shared by document_cbor.cpp, cose.cpp and keys.cpp.
#pragma once

#include <openssl/evp.h>

#include <memory>
#include <span>
#include <string>

#include "bootseal/policy.hpp"
#include "bootseal/result.hpp"
#include "bootseal/seal.hpp"

namespace bootseal::detail {

// The document decoder without the final validate(): verify_sealed tells a
// malformed payload (this fails) from an invalid policy (validate fails).
Result<Document> decode_document_unchecked(std::span<const uint8_t> cbor);

// Key types bootseal signs and verifies with.
enum class KeyType { ed25519, p256, p384, rsa, unsupported };
KeyType key_type(const EVP_PKEY* pkey);
bool alg_fits_key(Alg alg, KeyType type);
bool alg_from_int(int64_t value, Alg* out);

// Smallest RSA modulus accepted for PS256 (FORMAT.md, "Algorithms").
inline constexpr int kMinRsaBits = 2048;

inline EVP_PKEY* as_pkey(const std::shared_ptr<void>& p) { return static_cast<EVP_PKEY*>(p.get()); }
std::shared_ptr<void> own_pkey(EVP_PKEY* pkey);

// The most recent OpenSSL error as text ("" when there is none); clears the queue.
std::string openssl_error();

}  // namespace bootseal::detail

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

// decode_document(), its failure kind telling a payload that does not decode
// (malformed_payload) from a document that breaks an invariant of
// validate() (invalid_policy); the messages are decode_document()'s. The
// rules are validated in the pass that decodes them.
Result<Document, VerifyStatus> decode_and_validate(std::span<const uint8_t> cbor);

// The document decoder without validate(): the encoding and the schema
// only. What decode_document() accepts is what this accepts and validate()
// passes (the fuzz target fuzz_document_cbor compares the two).
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

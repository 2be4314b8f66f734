// SPDX-License-Identifier: GPL-2.0-only
// Sealed blobs: a COSE_Sign1 (RFC 9052, CBOR tag 18) whose embedded payload
// is the CBOR policy document. Signing, strict parsing and verification.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bootseal/policy.hpp"
#include "bootseal/result.hpp"

namespace bootseal {

// Largest sealed blob accepted anywhere (FORMAT.md): checked before parsing.
inline constexpr size_t kMaxBlobSize = 16u * 1024 * 1024;

// COSE algorithm identifiers (IANA "COSE Algorithms").
enum class Alg : int { eddsa = -8, es256 = -7, es384 = -35, ps256 = -37 };
std::string_view to_string(Alg alg);  // "EdDSA", "ES256", ...

// kid: SHA-256 of the public key's DER SubjectPublicKeyInfo.
using Kid = std::array<uint8_t, 32>;
std::string to_hex(std::span<const uint8_t> bytes);
std::array<uint8_t, 32> sha256(std::span<const uint8_t> data);

// The closed set of verification outcomes, and the seal module's error
// kind (never ok in an Error): functions that only branch return the bare
// status; verify_sealed(blob, trust, where) returns a Result whose message
// names where the blob came from.
enum class [[nodiscard]] VerifyStatus {
  ok,
  too_large,           // blob over kMaxBlobSize
  malformed_envelope,  // not a well-formed, strictly encoded COSE_Sign1
  unsupported_alg,     // alg missing from the protected header, or not one we know
  unknown_crit,        // a crit label we do not understand
  unknown_key,         // no trusted key has this kid
  alg_key_mismatch,    // alg does not fit the trusted key's type
  bad_signature,       // the signature does not verify
  malformed_payload,   // the payload is not a well-formed, strictly encoded policy document
  invalid_policy,      // the document decodes but breaks an invariant (validate())
};
std::string_view to_string(VerifyStatus s);

// A public key (OpenSSL EVP_PKEY) with its kid.
struct PublicKey {
  std::shared_ptr<void> pkey;  // EVP_PKEY*, freed with EVP_PKEY_free
  Kid kid{};
  std::string origin;  // the file it came from, for messages
};

// A PublicKey for an OpenSSL key (EVP_PKEY*, ownership shared), or for a DER
// SubjectPublicKeyInfo; refuses key types bootseal does not use.
Result<PublicKey> make_public_key(std::shared_ptr<void> pkey, std::string origin);
Result<PublicKey> public_key_from_der(std::span<const uint8_t> spki_der, std::string origin);

// Trusted keys: a directory of PEM public keys (*.pem) or one PEM file.
class TrustStore {
 public:
  static Result<TrustStore> load(const std::filesystem::path& pem_file_or_dir);
  void add(PublicKey key);
  const PublicKey* find(const Kid& kid) const;
  const std::vector<PublicKey>& keys() const { return keys_; }

 private:
  std::vector<PublicKey> keys_;
};

// The parsed (not yet verified) envelope, for inspection.
struct Envelope {
  int alg = 0;                      // from the protected header; 0 when absent
  Kid kid{};                        // from either header
  bool has_kid = false;                  // a kid of exactly 32 bytes was present
  std::vector<uint8_t> raw_kid;          // the kid as found, any length (empty when absent)
  std::vector<uint8_t> protected_bytes;  // the bstr-wrapped protected header
  std::vector<uint8_t> payload;          // the CBOR policy document
  std::vector<uint8_t> signature;
};

// Strict parse of a COSE_Sign1 envelope (no signature check). Returns ok,
// too_large, malformed_envelope, unsupported_alg or unknown_crit (in that
// order of precedence); `out` is written only when the result is ok.
VerifyStatus parse_envelope(std::span<const uint8_t> blob, Envelope* out);

// The bytes a COSE_Sign1 signature covers (RFC 9052 section 4.4):
// ["Signature1", protected, external_aad, payload]. bootseal seals with an
// empty external_aad.
std::vector<uint8_t> sig_structure(std::span<const uint8_t> protected_bytes, std::span<const uint8_t> payload,
                                   std::span<const uint8_t> external_aad = {});

// The signature check alone, on a parsed envelope and one key: returns ok,
// unsupported_alg, alg_key_mismatch or bad_signature. verify_sealed uses it;
// it is also the entry point for COSE known-answer tests, whose payloads are
// not policy documents.
VerifyStatus verify_signature(const Envelope& env, const PublicKey& key,
                              std::span<const uint8_t> external_aad = {});

struct Verified {
  Document document;
  Kid kid{};
  Alg alg = Alg::eddsa;
};

// Full verification: size, strict envelope, alg, crit, kid in the trust
// store, key type, signature, strict payload decode, validate(). `out` is
// written only when the result is ok.
VerifyStatus verify_sealed(std::span<const uint8_t> blob, const TrustStore& trust, Verified* out);

// The same as a Result: on failure the kind is the status and the message
// is "WHERE: STATUS" (`where` names the file or device the blob came from);
// for unknown_key the detail names the kid looked for.
Result<Verified, VerifyStatus> verify_sealed(std::span<const uint8_t> blob, const TrustStore& trust,
                                             std::string_view where);

// A private key for sealing: a PEM file or an OSSL_STORE URI (file:, pkcs11:).
struct SigningKey {
  std::shared_ptr<void> pkey;  // EVP_PKEY*
  Alg alg = Alg::eddsa;        // derived from the key type (RSA -> PS256)
  Kid kid{};
};
Result<SigningKey> load_signing_key(const std::string& path_or_uri);
Result<PublicKey> load_public_key(const std::filesystem::path& pem);
// A SigningKey for an OpenSSL private key already in memory (EVP_PKEY*).
Result<SigningKey> make_signing_key(const std::shared_ptr<void>& pkey);
// The public half of a signing key (for trust stores built in memory).
Result<PublicKey> public_key_of(const SigningKey& key);

// Seals a document: validates it, encodes the deterministic CBOR payload
// (and checks that it decodes back to the same document), and builds the
// COSE_Sign1 with alg and kid in the protected header.
Result<std::vector<uint8_t>> seal(const Document& doc, const SigningKey& key);

// Key generation for `bootseal-sign keygen`.
Result<void> generate_keypair(Alg alg, const std::filesystem::path& private_pem,
                              const std::filesystem::path& public_pem);

// The CBOR policy document codec (deterministic encoding; strict decoding).
std::vector<uint8_t> encode_document(const Document& doc);
Result<Document> decode_document(std::span<const uint8_t> cbor);

}  // namespace bootseal

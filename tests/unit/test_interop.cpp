// SPDX-License-Identifier: GPL-2.0-only
// Interoperability: a sealed blob read by an independent, general-purpose
// CBOR decoder (libcbor) has the shape RFC 9052 and FORMAT.md promise, and
// its signature verifies over a Sig_structure that libcbor builds, not ours.
// This is what "any COSE library can verify a bootseal blob" rests on.
#include <cbor.h>
#include <openssl/evp.h>

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "bootseal/language.hpp"
#include "bootseal/seal.hpp"

namespace bootseal {
namespace {

using CborPtr = std::unique_ptr<cbor_item_t, void (*)(cbor_item_t*)>;

void decref(cbor_item_t* item) { cbor_decref(&item); }

CborPtr load(const std::vector<uint8_t>& bytes) {
  cbor_load_result result{};
  cbor_item_t* item = cbor_load(bytes.data(), bytes.size(), &result);
  EXPECT_EQ(result.error.code, CBOR_ERR_NONE);
  EXPECT_EQ(result.read, bytes.size()) << "libcbor read fewer bytes than the blob holds";
  return CborPtr(item, decref);
}

// The value under an unsigned-integer key of a definite map, or nullptr.
cbor_item_t* map_get(cbor_item_t* map, uint64_t key) {
  size_t n = cbor_map_size(map);
  cbor_pair* pairs = cbor_map_handle(map);
  for (size_t i = 0; i < n; ++i)
    if (cbor_isa_uint(pairs[i].key) && cbor_get_int(pairs[i].key) == key) return pairs[i].value;
  return nullptr;
}

std::vector<uint8_t> bytes_of(cbor_item_t* bstr) {
  return {cbor_bytestring_handle(bstr), cbor_bytestring_handle(bstr) + cbor_bytestring_length(bstr)};
}

class Interop : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string src = BOOTSEAL_SOURCE_ROOT "/examples/appliance-lockdown.policy";
    auto parsed = parse_policy_file(src);
    ASSERT_TRUE(parsed) << parsed.error();
    doc_ = parsed->document;
    EVP_PKEY* k = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
    ASSERT_NE(k, nullptr);
    auto key = make_signing_key(std::shared_ptr<void>(k, [](void* p) { EVP_PKEY_free(static_cast<EVP_PKEY*>(p)); }));
    ASSERT_TRUE(key) << key.error();
    key_ = *key;
    auto blob = seal(doc_, key_);
    ASSERT_TRUE(blob) << blob.error();
    blob_ = *blob;
  }

  Document doc_;
  SigningKey key_;
  std::vector<uint8_t> blob_;
};

// libcbor 0.8 (Debian 12) refuses the one-byte heads of tags 6 to 20 as
// malformed, though RFC 8949 defines them and section 4.2 requires the
// shortest head; so the tag byte is checked here and libcbor reads the
// tagged array that follows it.
CborPtr load_tagged_envelope(const std::vector<uint8_t>& blob) {
  EXPECT_EQ(blob.at(0), 0xd2) << "not tag 18 in its shortest head";
  return load(std::vector<uint8_t>(blob.begin() + 1, blob.end()));
}

TEST_F(Interop, EnvelopeIsTag18ArrayOfFour) {
  CborPtr arr = load_tagged_envelope(blob_);
  ASSERT_TRUE(arr);
  ASSERT_TRUE(cbor_isa_array(arr.get()));
  ASSERT_EQ(cbor_array_size(arr.get()), 4u);
  cbor_item_t** items = cbor_array_handle(arr.get());
  EXPECT_TRUE(cbor_isa_bytestring(items[0]));  // protected
  EXPECT_TRUE(cbor_isa_map(items[1]));         // unprotected
  EXPECT_TRUE(cbor_isa_bytestring(items[2]));  // payload, embedded
  EXPECT_TRUE(cbor_isa_bytestring(items[3]));  // signature
  EXPECT_EQ(cbor_bytestring_length(items[3]), 64u);  // Ed25519
}

TEST_F(Interop, ProtectedHeaderCarriesAlgAndKid) {
  CborPtr arr = load_tagged_envelope(blob_);
  ASSERT_TRUE(arr);
  CborPtr prot = load(bytes_of(cbor_array_handle(arr.get())[0]));
  ASSERT_TRUE(cbor_isa_map(prot.get()));
  cbor_item_t* alg = map_get(prot.get(), 1);
  ASSERT_NE(alg, nullptr);
  ASSERT_TRUE(cbor_isa_negint(alg));
  EXPECT_EQ(-1 - static_cast<int64_t>(cbor_get_int(alg)), -8);  // EdDSA
  cbor_item_t* kid = map_get(prot.get(), 4);
  ASSERT_NE(kid, nullptr);
  auto kid_bytes = bytes_of(kid);
  EXPECT_EQ(kid_bytes, std::vector<uint8_t>(key_.kid.begin(), key_.kid.end()));
}

TEST_F(Interop, PayloadIsTheDocumentWithIntegerKeys) {
  CborPtr arr = load_tagged_envelope(blob_);
  ASSERT_TRUE(arr);
  CborPtr doc = load(bytes_of(cbor_array_handle(arr.get())[2]));
  ASSERT_TRUE(cbor_isa_map(doc.get()));
  size_t n = cbor_map_size(doc.get());
  for (size_t i = 0; i < n; ++i) EXPECT_TRUE(cbor_isa_uint(cbor_map_handle(doc.get())[i].key));
  cbor_item_t* name = map_get(doc.get(), 1);
  ASSERT_NE(name, nullptr);
  ASSERT_TRUE(cbor_isa_string(name));
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(cbor_string_handle(name)), cbor_string_length(name)),
            doc_.name);
  cbor_item_t* generation = map_get(doc.get(), 2);
  ASSERT_NE(generation, nullptr);
  EXPECT_EQ(cbor_get_int(generation), doc_.generation);
  cbor_item_t* rules = map_get(doc.get(), 7);
  ASSERT_NE(rules, nullptr);
  ASSERT_TRUE(cbor_isa_array(rules));
  EXPECT_EQ(cbor_array_size(rules), doc_.rules.size());
}

// RFC 9052 section 4.4, built with libcbor's encoder, verified with OpenSSL.
TEST_F(Interop, SignatureVerifiesOverIndependentSigStructure) {
  CborPtr arr = load_tagged_envelope(blob_);
  ASSERT_TRUE(arr);
  cbor_item_t** items = cbor_array_handle(arr.get());
  auto protected_bytes = bytes_of(items[0]);
  auto payload = bytes_of(items[2]);
  auto signature = bytes_of(items[3]);

  CborPtr sig_structure(cbor_new_definite_array(4), decref);
  CborPtr context(cbor_build_string("Signature1"), decref);
  CborPtr body_protected(cbor_build_bytestring(protected_bytes.data(), protected_bytes.size()), decref);
  CborPtr aad(cbor_build_bytestring(nullptr, 0), decref);
  CborPtr body(cbor_build_bytestring(payload.data(), payload.size()), decref);
  ASSERT_TRUE(cbor_array_push(sig_structure.get(), context.get()));
  ASSERT_TRUE(cbor_array_push(sig_structure.get(), body_protected.get()));
  ASSERT_TRUE(cbor_array_push(sig_structure.get(), aad.get()));
  ASSERT_TRUE(cbor_array_push(sig_structure.get(), body.get()));
  unsigned char* buf = nullptr;
  size_t buf_size = 0;
  size_t len = cbor_serialize_alloc(sig_structure.get(), &buf, &buf_size);
  ASSERT_GT(len, payload.size());
  std::unique_ptr<unsigned char, void (*)(void*)> owned(buf, free);

  auto pub = public_key_of(key_);
  ASSERT_TRUE(pub) << pub.error();
  auto* pkey = static_cast<EVP_PKEY*>(pub->pkey.get());
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ASSERT_EQ(EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, pkey), 1);
  int ok = EVP_DigestVerify(ctx, signature.data(), signature.size(), buf, len);
  EVP_MD_CTX_free(ctx);
  EXPECT_EQ(ok, 1);

  // The same Sig_structure with one payload byte changed must not verify.
  buf[len - 1] ^= 1;
  ctx = EVP_MD_CTX_new();
  ASSERT_EQ(EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, pkey), 1);
  EXPECT_NE(EVP_DigestVerify(ctx, signature.data(), signature.size(), buf, len), 1);
  EVP_MD_CTX_free(ctx);
}

}  // namespace
}  // namespace bootseal

// SPDX-License-Identifier: GPL-2.0-only
// The COSE_Sign1 envelope: sealing and verifying with each algorithm,
// known-answer tests against the COSE working group's published Sign1
// examples, every hostile envelope with its exact VerifyStatus, and an
// exhaustive tamper sweep.
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "bootseal/policy.hpp"
#include "bootseal/seal.hpp"
#include "cbor_build.hpp"

namespace bootseal {
namespace {

using cbortest::A;
using cbortest::B;
using cbortest::Bytes;
using cbortest::cat;
using cbortest::from_hex;
using cbortest::head;
using cbortest::I;
using cbortest::M;
using cbortest::T;
using cbortest::U;
using ::testing::HasSubstr;

std::shared_ptr<void> own(EVP_PKEY* k) {
  return std::shared_ptr<void>(k, [](void* p) { EVP_PKEY_free(static_cast<EVP_PKEY*>(p)); });
}

SigningKey make_key(Alg alg) {
  EVP_PKEY* k = nullptr;
  switch (alg) {
    case Alg::eddsa:
      k = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
      break;
    case Alg::es256:
      k = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
      break;
    case Alg::es384:
      k = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384");
      break;
    case Alg::ps256:
      k = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048));
      break;
  }
  EXPECT_NE(k, nullptr);
  auto sk = make_signing_key(own(k));
  EXPECT_TRUE(sk.ok()) << sk.error();
  return *sk;
}

// Keys are slow to make (RSA): one per algorithm for the whole program.
const SigningKey& key_for(Alg alg) {
  static const SigningKey ed = make_key(Alg::eddsa);
  static const SigningKey p256 = make_key(Alg::es256);
  static const SigningKey p384 = make_key(Alg::es384);
  static const SigningKey rsa = make_key(Alg::ps256);
  switch (alg) {
    case Alg::eddsa:
      return ed;
    case Alg::es256:
      return p256;
    case Alg::es384:
      return p384;
    case Alg::ps256:
      return rsa;
  }
  return ed;
}

TrustStore trust_all() {
  TrustStore t;
  for (Alg a : {Alg::eddsa, Alg::es256, Alg::es384, Alg::ps256}) {
    auto pk = public_key_of(key_for(a));
    EXPECT_TRUE(pk.ok()) << pk.error();
    t.add(*pk);
  }
  return t;
}

Document sample() {
  Document d;
  d.name = "appliance-lockdown";
  d.generation = 3;
  d.description = "Kiosk appliance";
  d.defaults[static_cast<size_t>(Operation::module_load)] = Action::deny;
  Rule r;
  r.action = Action::deny;
  r.operation = Operation::exec;
  r.object = Object{ObjectKind::fstype, "", "tmpfs", 0};
  d.rules.push_back(r);
  r.action = Action::allow;
  r.operation = Operation::module_load;
  r.object = Object{ObjectKind::subtree, "/usr/lib/modules", "", 0};
  r.subject = "/usr/bin/kmod";
  d.rules.push_back(r);
  return d;
}

Bytes sealed(Alg alg, const Document& d = sample()) {
  auto blob = seal(d, key_for(alg));
  EXPECT_TRUE(blob.ok()) << blob.error();
  return blob.ok() ? *blob : Bytes{};
}

VerifyStatus verify(const Bytes& blob) {
  static const TrustStore trust = trust_all();
  Verified v;
  return verify_sealed(blob, trust, &v);
}

// Signs `tbs` with a key, independently of the library's signing path
// (Ed25519 only: deterministic and needs no format conversion).
Bytes ed25519_sign(const SigningKey& key, const Bytes& tbs) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EXPECT_EQ(EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, static_cast<EVP_PKEY*>(key.pkey.get())), 1);
  size_t len = 64;
  Bytes sig(64);
  EXPECT_EQ(EVP_DigestSign(ctx, sig.data(), &len, tbs.data(), tbs.size()), 1);
  EVP_MD_CTX_free(ctx);
  return sig;
}

Bytes kid_bytes(const SigningKey& k) { return Bytes(k.kid.begin(), k.kid.end()); }

// A COSE_Sign1 from its parts, signed with the Ed25519 key over the given
// protected bytes and payload.
Bytes envelope(const Bytes& protected_bytes, const Bytes& unprotected, const Bytes& payload) {
  const SigningKey& k = key_for(Alg::eddsa);
  const Bytes sig = ed25519_sign(k, sig_structure(protected_bytes, payload));
  return cat({{0xd2, 0x84}, B(protected_bytes), unprotected, B(payload), B(sig)});
}

Bytes ed_protected() { return M({{U(1), I(-8)}, {U(4), B(kid_bytes(key_for(Alg::eddsa)))}}); }

class EachAlg : public ::testing::TestWithParam<Alg> {};

TEST_P(EachAlg, SealsAndVerifies) {
  const Bytes blob = sealed(GetParam());
  static const TrustStore trust = trust_all();
  Verified v;
  ASSERT_EQ(verify_sealed(blob, trust, &v), VerifyStatus::ok);
  EXPECT_EQ(v.document, sample());
  EXPECT_EQ(v.alg, GetParam());
  EXPECT_EQ(v.kid, key_for(GetParam()).kid);
}

TEST_P(EachAlg, ProtectedHeaderIsAlgAndKid) {
  Envelope env;
  ASSERT_EQ(parse_envelope(sealed(GetParam()), &env), VerifyStatus::ok);
  EXPECT_EQ(env.protected_bytes, M({{U(1), I(static_cast<int>(GetParam()))},
                                    {U(4), B(kid_bytes(key_for(GetParam())))}}));
  EXPECT_EQ(env.alg, static_cast<int>(GetParam()));
  EXPECT_TRUE(env.has_kid);
  EXPECT_EQ(env.payload, encode_document(sample()));
}

TEST_P(EachAlg, SignatureOneByteShortIsBadSignature) {
  Envelope env;
  ASSERT_EQ(parse_envelope(sealed(GetParam()), &env), VerifyStatus::ok);
  env.signature.pop_back();
  auto pk = public_key_of(key_for(GetParam()));
  ASSERT_TRUE(pk.ok());
  EXPECT_EQ(verify_signature(env, *pk), VerifyStatus::bad_signature);
  // and as a whole blob
  const Bytes blob = cat({{0xd2, 0x84}, B(env.protected_bytes), {0xa0}, B(env.payload), B(env.signature)});
  EXPECT_EQ(verify(blob), VerifyStatus::bad_signature);
}

TEST_P(EachAlg, WrongKeyIsBadSignature) {
  Envelope env;
  ASSERT_EQ(parse_envelope(sealed(GetParam()), &env), VerifyStatus::ok);
  auto other = public_key_of(make_key(GetParam()));
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(verify_signature(env, *other), VerifyStatus::bad_signature);
}

TEST_P(EachAlg, UnknownKidWithoutItsKeyInTheStore) {
  TrustStore only_others;
  for (Alg a : {Alg::eddsa, Alg::es256, Alg::es384, Alg::ps256}) {
    if (a != GetParam()) only_others.add(*public_key_of(key_for(a)));
  }
  Verified v;
  EXPECT_EQ(verify_sealed(sealed(GetParam()), only_others, &v), VerifyStatus::unknown_key);
  // The Result form: the kind, a message naming where the blob came from,
  // and the kid looked for.
  auto r = verify_sealed(sealed(GetParam()), only_others, "policy.sealed");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.kind(), VerifyStatus::unknown_key);
  EXPECT_EQ(r.error(), "policy.sealed: no trusted key has this kid");
  EXPECT_EQ(r.failure().detail, "kid " + to_hex(key_for(GetParam()).kid) + " is not among the 3 trusted key(s)");
}

TEST_P(EachAlg, TheResultFormCarriesTheVerifiedPolicy) {
  TrustStore trust;
  trust.add(*public_key_of(key_for(GetParam())));
  auto r = verify_sealed(sealed(GetParam()), trust, "policy.sealed");
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->kid, key_for(GetParam()).kid);
  EXPECT_EQ(r->alg, GetParam());
  auto bad = verify_sealed(Bytes{0x01, 0x02}, trust, "junk.bin");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.kind(), VerifyStatus::malformed_envelope);
  EXPECT_EQ(bad.error(), "junk.bin: " + std::string(to_string(VerifyStatus::malformed_envelope)));
}

// Every single-bit flip and every truncation of a sealed blob is refused.
TEST_P(EachAlg, ExhaustiveTamperIsRefused) {
  const Bytes blob = sealed(GetParam());
  ASSERT_EQ(verify(blob), VerifyStatus::ok);
  size_t flips = 0;
  for (size_t i = 0; i < blob.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      Bytes t = blob;
      t[i] ^= static_cast<uint8_t>(1u << bit);
      const VerifyStatus s = verify(t);
      EXPECT_NE(s, VerifyStatus::ok) << "flip of bit " << bit << " at offset " << i << " verified";
      ++flips;
    }
  }
  for (size_t n = 0; n < blob.size(); ++n) {
    const Bytes t(blob.begin(), blob.begin() + static_cast<std::ptrdiff_t>(n));
    EXPECT_NE(verify(t), VerifyStatus::ok) << "truncation to " << n << " bytes verified";
  }
  EXPECT_EQ(flips, blob.size() * 8);
}

INSTANTIATE_TEST_SUITE_P(Cose, EachAlg, ::testing::Values(Alg::eddsa, Alg::es256, Alg::es384, Alg::ps256),
                         [](const auto& info) { return std::string(to_string(info.param)); });

TEST(Cose, PayloadIsDeterministic) {
  Envelope a;
  Envelope b;
  ASSERT_EQ(parse_envelope(sealed(Alg::es256), &a), VerifyStatus::ok);
  ASSERT_EQ(parse_envelope(sealed(Alg::es256), &b), VerifyStatus::ok);
  EXPECT_EQ(a.payload, b.payload);
  EXPECT_EQ(a.protected_bytes, b.protected_bytes);
}

TEST(Cose, Ed25519BlobIsDeterministic) { EXPECT_EQ(sealed(Alg::eddsa), sealed(Alg::eddsa)); }

TEST(Cose, BlobLayoutIsTag18ArrayOfFour) {
  const Bytes blob = sealed(Alg::eddsa);
  ASSERT_GE(blob.size(), 3u);
  EXPECT_EQ(blob[0], 0xd2);  // tag 18
  EXPECT_EQ(blob[1], 0x84);  // array of 4
  EXPECT_EQ(blob[2], 0x58);  // protected: bstr with a one-byte length
}

TEST(Cose, SealRefusesInvalidPolicy) {
  Document d = sample();
  d.generation = 0;
  auto r = seal(d, key_for(Alg::eddsa));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error(), HasSubstr("generation must be at least 1"));
}

TEST(Cose, SealRefusesKeyOfAnotherType) {
  SigningKey k = key_for(Alg::eddsa);
  k.alg = Alg::es256;
  auto r = seal(sample(), k);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error(), HasSubstr("does not fit ES256"));
}

TEST(Cose, VerifiedIsUntouchedOnFailure) {
  Bytes blob = sealed(Alg::eddsa);
  blob.back() ^= 1;
  Verified v;
  v.document.name = "before";
  static const TrustStore trust = trust_all();
  EXPECT_EQ(verify_sealed(blob, trust, &v), VerifyStatus::bad_signature);
  EXPECT_EQ(v.document.name, "before");
}

TEST(Cose, StatusNames) {
  EXPECT_EQ(to_string(VerifyStatus::ok), "ok");
  EXPECT_EQ(to_string(VerifyStatus::bad_signature), "bad signature");
  EXPECT_EQ(to_string(Alg::ps256), "PS256");
}

// --- Known answers: COSE working group examples (github.com/cose-wg/Examples)

// Public keys from the examples' JWKs, as DER SubjectPublicKeyInfo.
Bytes b64url(std::string_view s) {
  static const std::string abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  Bytes out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : s) {
    acc = (acc << 6) | static_cast<uint32_t>(abc.find(c));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<uint8_t>(acc >> bits));
    }
  }
  return out;
}

PublicKey p256_example_key() {
  const Bytes der = cat({from_hex("3059301306072a8648ce3d020106082a8648ce3d03010703420004"),
                         b64url("usWxHK2PmfnHKwXPS54m0kTcGJ90UiglWiGahtagnv8"),
                         b64url("IBOL-C3BttVivg-lSreASjpkttcsz-1rb7btKLv8EX4")});
  auto k = public_key_from_der(der, "cose-wg P-256 key 11");
  EXPECT_TRUE(k.ok()) << k.error();
  return *k;
}

PublicKey p384_example_key() {
  const Bytes der = cat({from_hex("3076301006072a8648ce3d020106052b8104002203620004"),
                         b64url("kTJyP2KSsBBhnb4kjWmMF7WHVsY55xUPgb7k64rDcjatChoZ1nvjKmYmPh5STRKc"),
                         b64url("mM0weMVU2DKsYDxDJkEP9hZiRZtB8fPfXbzINZj_fF7YQRynNWedHEyzAJOX2e8s")});
  auto k = public_key_from_der(der, "cose-wg P-384 key P384");
  EXPECT_TRUE(k.ok()) << k.error();
  return *k;
}

PublicKey ed25519_example_key() {
  const Bytes der = cat({from_hex("302a300506032b6570032100"),
                         from_hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")});
  auto k = public_key_from_der(der, "cose-wg Ed25519 key 11");
  EXPECT_TRUE(k.ok()) << k.error();
  return *k;
}

const Bytes kContent = from_hex("546869732069732074686520636F6E74656E742E");  // "This is the content."

VerifyStatus kat(std::string_view hex, const PublicKey& key, const Bytes& aad = {}) {
  Envelope env;
  const VerifyStatus s = parse_envelope(from_hex(hex), &env);
  if (s != VerifyStatus::ok) return s;
  EXPECT_EQ(env.payload, kContent);
  return verify_signature(env, key, aad);
}

// ecdsa-examples/ecdsa-sig-01.json: ES256, protected {1: -7, 3: 0}.
constexpr std::string_view kEcdsaSig01 =
    "D28445A201260300A10442313154546869732069732074686520636F6E74656E742E58406520BBAF2081D7E0ED0F95F76EB0733D66"
    "7005F7467CEC4B87B9381A6BA1EDE8E00DF29F32A37230F39A842A54821FDD223092819D7728EFB9D3A0080B75380B";

TEST(CoseKnownAnswer, SigStructureMatchesEcdsaSig01) {
  Envelope env;
  ASSERT_EQ(parse_envelope(from_hex(kEcdsaSig01), &env), VerifyStatus::ok);
  EXPECT_EQ(sig_structure(env.protected_bytes, env.payload),
            from_hex("846A5369676E61747572653145A2012603004054546869732069732074686520636F6E74656E742E"));
}

TEST(CoseKnownAnswer, SigStructureWithExternalAadMatchesSignPass02) {
  EXPECT_EQ(sig_structure(from_hex("A10126"), kContent, from_hex("11aa22bb33cc44dd55006699")),
            from_hex("846A5369676E61747572653143A101264C11AA22BB33CC44DD5500669954546869732069732074686520636F6E"
                     "74656E742E"));
}

TEST(CoseKnownAnswer, EcdsaSig01VerifiesEs256) {
  EXPECT_EQ(kat(kEcdsaSig01, p256_example_key()), VerifyStatus::ok);
}

TEST(CoseKnownAnswer, EcdsaSig01KidIsRawShortKid) {
  Envelope env;
  ASSERT_EQ(parse_envelope(from_hex(kEcdsaSig01), &env), VerifyStatus::ok);
  EXPECT_FALSE(env.has_kid);  // "11" is not a 32-byte bootseal kid
  EXPECT_EQ(env.raw_kid, (Bytes{'1', '1'}));
}

TEST(CoseKnownAnswer, EcdsaSig02VerifiesEs384) {
  EXPECT_EQ(kat("D28444A1013822A104445033383454546869732069732074686520636F6E74656E742E58605F150ABD1C7D25B32065A1"
                "4E05D6CB1F665D10769FF455EA9A2E0ADAB5DE63838DB257F0949C41E13330E110EBA7B912F34E1546FB1366A2568FAA91"
                "EC3E6C8D42F4A67A0EDF731D88C9AEAD52258B2E2C4740EF614F02E9D91E9B7B59622A3C",
                p384_example_key()),
            VerifyStatus::ok);
}

TEST(CoseKnownAnswer, EddsaSig01VerifiesEd25519) {
  EXPECT_EQ(kat("D28445A201270300A10442313154546869732069732074686520636F6E74656E742E58407142FD2FF96D56DB85BEE9"
                "05A76BA1D0B7321A95C8C4D3607C5781932B7AFB8711497DFA751BF40B58B3BCC32300B1487F3DB34085EEF013BF08F4A4"
                "4D6FEF0D",
                ed25519_example_key()),
            VerifyStatus::ok);
}

TEST(CoseKnownAnswer, SignPass02VerifiesWithExternalAad) {
  constexpr std::string_view hex =
      "D28443A10126A10442313154546869732069732074686520636F6E74656E742E584010729CD711CB3813D8D8E944A8DA7111E7B258"
      "C9BDCA6135F7AE1ADBEE9509891267837E1E33BD36C150326AE62755C6BD8E540C3E8F92D7D225E8DB72B8820B";
  EXPECT_EQ(kat(hex, p256_example_key(), from_hex("11aa22bb33cc44dd55006699")), VerifyStatus::ok);
  // bootseal's own external_aad is empty: without it the signature fails.
  EXPECT_EQ(kat(hex, p256_example_key()), VerifyStatus::bad_signature);
}

constexpr std::string_view kSignPass03Untagged =
    "8443A10126A10442313154546869732069732074686520636F6E74656E742E58408EB33E4CA31D1C465AB05AAC34CC6B23D58FEF5C0831"
    "06C4D25A91AEF0B0117E2AF9A291AA32E14AB834DC56ED2A223444547E01F11D3B0916E5A4C345CACB36";

TEST(CoseKnownAnswer, SignPass03UntaggedIsRefused) {
  // bootseal requires tag 18 (FORMAT.md); the same bytes tagged verify.
  EXPECT_EQ(kat(kSignPass03Untagged, p256_example_key()), VerifyStatus::malformed_envelope);
  EXPECT_EQ(kat(std::string("D2") + std::string(kSignPass03Untagged), p256_example_key()), VerifyStatus::ok);
}

TEST(CoseKnownAnswer, SignPass01AlgOnlyUnprotectedIsUnsupportedAlg) {
  EXPECT_EQ(kat("D28441A0A201260442313154546869732069732074686520636F6E74656E742E584087DB0D2E5571843B78AC33ECB2830D"
                "F7B6E0A4D5B7376DE336B23C591C90C425317E56127FBE04370097CE347087B233BF722B64072BEB4486BDA4031D27244F",
                p256_example_key()),
            VerifyStatus::unsupported_alg);
}

TEST(CoseKnownAnswer, SignFail01WrongTagIsMalformed) {
  EXPECT_EQ(kat("D903E68443A10126A10442313154546869732069732074686520636F6E74656E742E58408EB33E4CA31D1C465AB05AAC34"
                "CC6B23D58FEF5C083106C4D25A91AEF0B0117E2AF9A291AA32E14AB834DC56ED2A223444547E01F11D3B0916E5A4C345CACB36",
                p256_example_key()),
            VerifyStatus::malformed_envelope);
}

TEST(CoseKnownAnswer, SignFail02ChangedPayloadIsBadSignature) {
  Envelope env;
  ASSERT_EQ(parse_envelope(from_hex("D28443A10126A10442313154546869732069732074686520636F6E74656E742F58408EB33E4CA31D1C"
                                    "465AB05AAC34CC6B23D58FEF5C083106C4D25A91AEF0B0117E2AF9A291AA32E14AB834DC56ED2A22"
                                    "3444547E01F11D3B0916E5A4C345CACB36"),
                           &env),
            VerifyStatus::ok);
  EXPECT_EQ(verify_signature(env, p256_example_key()), VerifyStatus::bad_signature);
}

TEST(CoseKnownAnswer, SignFail03UnknownIntAlgIsUnsupported) {
  EXPECT_EQ(kat("D28445A1013903E6A10442313154546869732069732074686520636F6E74656E742E58408EB33E4CA31D1C465AB05AAC34CC"
                "6B23D58FEF5C083106C4D25A91AEF0B0117E2AF9A291AA32E14AB834DC56ED2A223444547E01F11D3B0916E5A4C345CACB36",
                p256_example_key()),
            VerifyStatus::unsupported_alg);
}

TEST(CoseKnownAnswer, SignFail04TextAlgIsUnsupported) {
  EXPECT_EQ(kat("D2844AA10167756E6B6E6F776EA10442313154546869732069732074686520636F6E74656E742E58408EB33E4CA31D1C465A"
                "B05AAC34CC6B23D58FEF5C083106C4D25A91AEF0B0117E2AF9A291AA32E14AB834DC56ED2A223444547E01F11D3B0916E5A4"
                "C345CACB36",
                p256_example_key()),
            VerifyStatus::unsupported_alg);
}

TEST(CoseKnownAnswer, SignFail06AddedProtectedParameterIsBadSignature) {
  EXPECT_EQ(kat("D28445A201260300A10442313154546869732069732074686520636F6E74656E742E58408EB33E4CA31D1C465AB05AAC34"
                "CC6B23D58FEF5C083106C4D25A91AEF0B0117E2AF9A291AA32E14AB834DC56ED2A223444547E01F11D3B0916E5A4C345CACB36",
                p256_example_key()),
            VerifyStatus::bad_signature);
}

TEST(CoseKnownAnswer, SignFail07RemovedProtectedParameterIsBadSignature) {
  EXPECT_EQ(kat("D28443A10126A10442313154546869732069732074686520636F6E74656E742E58406520BBAF2081D7E0ED0F95F76EB0733D"
                "667005F7467CEC4B87B9381A6BA1EDE8E00DF29F32A37230F39A842A54821FDD223092819D7728EFB9D3A0080B75380B",
                p256_example_key()),
            VerifyStatus::bad_signature);
}

TEST(CoseKnownAnswer, Ed448KeyOfEddsaSig02IsRefused) {
  const Bytes der = cat({from_hex("3043300506032b6571033a00"),
                         from_hex("5fd7449b59b461fd2ce787ec616ad46a1da1342485a70e1f8a0ea75d80e96778edf124769b46c7061b"
                                  "d6783df1e50f6cd1fa1abeafe8256180")});
  auto k = public_key_from_der(der, "cose-wg Ed448 key");
  ASSERT_FALSE(k.ok());
  EXPECT_THAT(k.error(), HasSubstr("unsupported key type"));
}

TEST(CoseKnownAnswer, EcdsaExampleWithAnotherCurveKeyIsMismatch) {
  EXPECT_EQ(kat(kEcdsaSig01, p384_example_key()), VerifyStatus::alg_key_mismatch);
  EXPECT_EQ(kat(kEcdsaSig01, ed25519_example_key()), VerifyStatus::alg_key_mismatch);
}

// --- Hostile envelopes (one named test each, exact status) -----------------

TEST(HostileEnvelope, ControlIsOk) {
  EXPECT_EQ(verify(envelope(ed_protected(), {0xa0}, encode_document(sample()))), VerifyStatus::ok);
}

TEST(HostileEnvelope, AlgOnlyInUnprotectedHeader) {
  const Bytes prot = M({{U(4), B(kid_bytes(key_for(Alg::eddsa)))}});
  EXPECT_EQ(verify(envelope(prot, M({{U(1), I(-8)}}), encode_document(sample()))), VerifyStatus::unsupported_alg);
}

TEST(HostileEnvelope, AlgInBothHeadersIsMalformed) {
  EXPECT_EQ(verify(envelope(ed_protected(), M({{U(1), I(-8)}}), encode_document(sample()))),
            VerifyStatus::malformed_envelope);
}

TEST(HostileEnvelope, NoProtectedHeaderAtAll) {
  EXPECT_EQ(verify(envelope({}, M({{U(1), I(-8)}, {U(4), B(kid_bytes(key_for(Alg::eddsa)))}}),
                            encode_document(sample()))),
            VerifyStatus::unsupported_alg);
}

TEST(HostileEnvelope, UnknownAlgorithm) {
  const Bytes prot = M({{U(1), I(-47)}, {U(4), B(kid_bytes(key_for(Alg::eddsa)))}});  // ES256K
  EXPECT_EQ(verify(envelope(prot, {0xa0}, encode_document(sample()))), VerifyStatus::unsupported_alg);
}

TEST(HostileEnvelope, AlgNotMatchingKeyType) {
  const Bytes prot = M({{U(1), I(-7)}, {U(4), B(kid_bytes(key_for(Alg::eddsa)))}});  // ES256 with an Ed25519 kid
  EXPECT_EQ(verify(envelope(prot, {0xa0}, encode_document(sample()))), VerifyStatus::alg_key_mismatch);
}

TEST(HostileEnvelope, Ps256AlgWithEcKey) {
  const Bytes prot = M({{U(1), I(-37)}, {U(4), B(kid_bytes(key_for(Alg::es256)))}});
  EXPECT_EQ(verify(envelope(prot, {0xa0}, encode_document(sample()))), VerifyStatus::alg_key_mismatch);
}

TEST(HostileEnvelope, UnknownCritLabel) {
  const Bytes prot =
      M({{U(1), I(-8)}, {U(2), A({U(99)})}, {U(4), B(kid_bytes(key_for(Alg::eddsa)))}, {U(99), U(1)}});
  EXPECT_EQ(verify(envelope(prot, {0xa0}, encode_document(sample()))), VerifyStatus::unknown_crit);
}

TEST(HostileEnvelope, UnknownTextCritLabel) {
  const Bytes prot = M({{U(1), I(-8)}, {U(2), A({T("x")})}, {U(4), B(kid_bytes(key_for(Alg::eddsa)))}});
  EXPECT_EQ(verify(envelope(prot, {0xa0}, encode_document(sample()))), VerifyStatus::unknown_crit);
}

TEST(HostileEnvelope, CritNamingUnderstoodLabelsIsOk) {
  const Bytes prot = M({{U(1), I(-8)}, {U(2), A({U(1), U(4)})}, {U(4), B(kid_bytes(key_for(Alg::eddsa)))}});
  EXPECT_EQ(verify(envelope(prot, {0xa0}, encode_document(sample()))), VerifyStatus::ok);
}

TEST(HostileEnvelope, EmptyCritIsMalformed) {
  const Bytes prot = M({{U(1), I(-8)}, {U(2), A({})}, {U(4), B(kid_bytes(key_for(Alg::eddsa)))}});
  EXPECT_EQ(verify(envelope(prot, {0xa0}, encode_document(sample()))), VerifyStatus::malformed_envelope);
}

TEST(HostileEnvelope, CritInUnprotectedHeaderIsMalformed) {
  EXPECT_EQ(verify(envelope(ed_protected(), M({{U(2), A({U(99)})}}), encode_document(sample()))),
            VerifyStatus::malformed_envelope);
}

TEST(HostileEnvelope, UnsupportedAlgTakesPrecedenceOverCrit) {
  const Bytes prot = M({{U(1), I(-47)}, {U(2), A({U(99)})}, {U(4), B(kid_bytes(key_for(Alg::eddsa)))}});
  EXPECT_EQ(verify(envelope(prot, {0xa0}, encode_document(sample()))), VerifyStatus::unsupported_alg);
}

// ECDSA: r or s of 0 or not below the group order n.
const Bytes kP256Order = from_hex("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551");
const Bytes kP384Order = from_hex(
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973");

// A sealed blob of `alg` with its signature's r (which = 0) or s (which = 1)
// replaced by `value`.
VerifyStatus with_rs(Alg alg, int which, const Bytes& value) {
  Envelope env;
  EXPECT_EQ(parse_envelope(sealed(alg), &env), VerifyStatus::ok);
  const size_t w = env.signature.size() / 2;
  EXPECT_EQ(value.size(), w);
  std::copy(value.begin(), value.end(), env.signature.begin() + static_cast<std::ptrdiff_t>(which * w));
  const Bytes blob = cat({{0xd2, 0x84}, B(env.protected_bytes), {0xa0}, B(env.payload), B(env.signature)});
  return verify(blob);
}

Bytes plus_one(Bytes v) {
  for (size_t i = v.size(); i-- > 0;) {
    if (++v[i] != 0) break;
  }
  return v;
}

TEST(HostileEnvelope, EcdsaRZero) { EXPECT_EQ(with_rs(Alg::es256, 0, Bytes(32, 0)), VerifyStatus::bad_signature); }
TEST(HostileEnvelope, EcdsaSZero) { EXPECT_EQ(with_rs(Alg::es256, 1, Bytes(32, 0)), VerifyStatus::bad_signature); }
TEST(HostileEnvelope, EcdsaREqualsOrder) { EXPECT_EQ(with_rs(Alg::es256, 0, kP256Order), VerifyStatus::bad_signature); }
TEST(HostileEnvelope, EcdsaSEqualsOrder) { EXPECT_EQ(with_rs(Alg::es256, 1, kP256Order), VerifyStatus::bad_signature); }
TEST(HostileEnvelope, EcdsaSAboveOrder) {
  EXPECT_EQ(with_rs(Alg::es256, 1, plus_one(kP256Order)), VerifyStatus::bad_signature);
}
TEST(HostileEnvelope, EcdsaRAllOnes) { EXPECT_EQ(with_rs(Alg::es256, 0, Bytes(32, 0xff)), VerifyStatus::bad_signature); }
TEST(HostileEnvelope, Es384SEqualsOrder) { EXPECT_EQ(with_rs(Alg::es384, 1, kP384Order), VerifyStatus::bad_signature); }
TEST(HostileEnvelope, Es384RZero) { EXPECT_EQ(with_rs(Alg::es384, 0, Bytes(48, 0)), VerifyStatus::bad_signature); }

// A real signature in DER form where raw r || s is required.
TEST(HostileEnvelope, DerEncodedEcdsaSignature) {
  Envelope env;
  ASSERT_EQ(parse_envelope(sealed(Alg::es256), &env), VerifyStatus::ok);
  ECDSA_SIG* sig = ECDSA_SIG_new();
  ECDSA_SIG_set0(sig, BN_bin2bn(env.signature.data(), 32, nullptr), BN_bin2bn(env.signature.data() + 32, 32, nullptr));
  unsigned char* der = nullptr;
  const int len = i2d_ECDSA_SIG(sig, &der);
  ASSERT_GT(len, 0);
  const Bytes der_sig(der, der + len);
  OPENSSL_free(der);
  ECDSA_SIG_free(sig);
  ASSERT_NE(der_sig.size(), 64u);
  const Bytes blob = cat({{0xd2, 0x84}, B(env.protected_bytes), {0xa0}, B(env.payload), B(der_sig)});
  EXPECT_EQ(verify(blob), VerifyStatus::bad_signature);
}

TEST(HostileEnvelope, DetachedNilPayload) {
  const Bytes prot = ed_protected();
  const Bytes sig = ed25519_sign(key_for(Alg::eddsa), sig_structure(prot, {}));
  EXPECT_EQ(verify(cat({{0xd2, 0x84}, B(prot), {0xa0}, {0xf6}, B(sig)})), VerifyStatus::malformed_envelope);
}

TEST(HostileEnvelope, DuplicateKeyInProtectedHeader) {
  const Bytes prot = M({{U(1), I(-8)}, {U(1), I(-8)}, {U(4), B(kid_bytes(key_for(Alg::eddsa)))}});
  EXPECT_EQ(verify(envelope(prot, {0xa0}, encode_document(sample()))), VerifyStatus::malformed_envelope);
}

TEST(HostileEnvelope, DuplicateKeyInUnprotectedHeader) {
  EXPECT_EQ(verify(envelope(ed_protected(), M({{U(5), U(0)}, {U(5), U(0)}}), encode_document(sample()))),
            VerifyStatus::malformed_envelope);
}

TEST(HostileEnvelope, KidInBothHeaders) {
  EXPECT_EQ(verify(envelope(ed_protected(), M({{U(4), B(kid_bytes(key_for(Alg::eddsa)))}}),
                            encode_document(sample()))),
            VerifyStatus::malformed_envelope);
}

TEST(HostileEnvelope, IndefiniteLengthArray) {
  const Bytes good = envelope(ed_protected(), {0xa0}, encode_document(sample()));
  Bytes bad = good;
  bad[1] = 0x9f;  // array, indefinite
  bad.push_back(0xff);
  EXPECT_EQ(verify(bad), VerifyStatus::malformed_envelope);
}

TEST(HostileEnvelope, IndefiniteLengthPayload) {
  const Bytes prot = ed_protected();
  const Bytes payload = encode_document(sample());
  const Bytes sig = ed25519_sign(key_for(Alg::eddsa), sig_structure(prot, payload));
  const Bytes chunked = cat({{0x5f}, B(payload), {0xff}});  // (_ h'...')
  EXPECT_EQ(verify(cat({{0xd2, 0x84}, B(prot), {0xa0}, chunked, B(sig)})), VerifyStatus::malformed_envelope);
}

TEST(HostileEnvelope, LengthThatOverflows) {
  const Bytes prot = ed_protected();
  EXPECT_EQ(verify(cat({{0xd2, 0x84}, B(prot), {0xa0}, {0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}})),
            VerifyStatus::malformed_envelope);
}

TEST(HostileEnvelope, LengthBeyondInput) {
  const Bytes prot = ed_protected();
  EXPECT_EQ(verify(cat({{0xd2, 0x84}, B(prot), {0xa0}, head(2, 5000), Bytes(100, 0)})), VerifyStatus::malformed_envelope);
}

TEST(HostileEnvelope, NestingBeyondBound) {
  Bytes deep;
  for (int i = 0; i < 40; ++i) deep.push_back(0x81);
  deep.push_back(0x00);
  EXPECT_EQ(verify(envelope(ed_protected(), M({{U(99), deep}}), encode_document(sample()))),
            VerifyStatus::malformed_envelope);
}

TEST(HostileEnvelope, NestingWithinBoundInUnprotectedIsIgnored) {
  EXPECT_EQ(verify(envelope(ed_protected(), M({{U(99), A({A({U(1)})})}}), encode_document(sample()))),
            VerifyStatus::ok);
}

TEST(HostileEnvelope, TrailingBytes) {
  Bytes blob = sealed(Alg::eddsa);
  blob.push_back(0x00);
  EXPECT_EQ(verify(blob), VerifyStatus::malformed_envelope);
}

TEST(HostileEnvelope, TrailingBytesInProtectedHeader) {
  Bytes prot = ed_protected();
  prot.push_back(0x00);
  EXPECT_EQ(verify(envelope(prot, {0xa0}, encode_document(sample()))), VerifyStatus::malformed_envelope);
}

TEST(HostileEnvelope, NonShortestHeadInEnvelope) {
  Bytes blob = sealed(Alg::eddsa);
  blob.erase(blob.begin());
  blob.insert(blob.begin(), {0xd8, 0x12});  // tag 18 with a one-byte argument
  EXPECT_EQ(verify(blob), VerifyStatus::malformed_envelope);
}

TEST(HostileEnvelope, SignatureOneByteShort) {
  const Bytes prot = ed_protected();
  const Bytes payload = encode_document(sample());
  Bytes sig = ed25519_sign(key_for(Alg::eddsa), sig_structure(prot, payload));
  sig.pop_back();
  EXPECT_EQ(verify(cat({{0xd2, 0x84}, B(prot), {0xa0}, B(payload), B(sig)})), VerifyStatus::bad_signature);
}

TEST(HostileEnvelope, MissingTag) {
  const Bytes blob = sealed(Alg::eddsa);
  EXPECT_EQ(verify(Bytes(blob.begin() + 1, blob.end())), VerifyStatus::malformed_envelope);
}

TEST(HostileEnvelope, CoseSign1WithTagOfMac0) {
  Bytes blob = sealed(Alg::eddsa);
  blob[0] = 0xd1;  // tag 17 (COSE_Mac0)
  EXPECT_EQ(verify(blob), VerifyStatus::malformed_envelope);
}

TEST(HostileEnvelope, ArrayOfThree) {
  const Bytes prot = ed_protected();
  EXPECT_EQ(verify(cat({{0xd2, 0x83}, B(prot), {0xa0}, B(encode_document(sample()))})),
            VerifyStatus::malformed_envelope);
}

TEST(HostileEnvelope, UnprotectedHeaderNotAMap) {
  EXPECT_EQ(verify(envelope(ed_protected(), {0x80}, encode_document(sample()))), VerifyStatus::malformed_envelope);
}

TEST(HostileEnvelope, KidNotAByteString) {
  const Bytes prot = M({{U(1), I(-8)}, {U(4), T("11")}});
  EXPECT_EQ(verify(envelope(prot, {0xa0}, encode_document(sample()))), VerifyStatus::malformed_envelope);
}

TEST(HostileEnvelope, NoKid) {
  EXPECT_EQ(verify(envelope(M({{U(1), I(-8)}}), {0xa0}, encode_document(sample()))), VerifyStatus::unknown_key);
}

TEST(HostileEnvelope, ShortKid) {
  const Bytes prot = M({{U(1), I(-8)}, {U(4), B({0x31, 0x31})}});
  EXPECT_EQ(verify(envelope(prot, {0xa0}, encode_document(sample()))), VerifyStatus::unknown_key);
}

TEST(HostileEnvelope, UnknownKid) {
  const Bytes prot = M({{U(1), I(-8)}, {U(4), B(Bytes(32, 0x42))}});
  EXPECT_EQ(verify(envelope(prot, {0xa0}, encode_document(sample()))), VerifyStatus::unknown_key);
}

TEST(HostileEnvelope, KidInUnprotectedHeaderIsAccepted) {
  EXPECT_EQ(verify(envelope(M({{U(1), I(-8)}}), M({{U(4), B(kid_bytes(key_for(Alg::eddsa)))}}),
                            encode_document(sample()))),
            VerifyStatus::ok);
}

TEST(HostileEnvelope, SignedPayloadNotADocument) {
  EXPECT_EQ(verify(envelope(ed_protected(), {0xa0}, T("not a policy"))), VerifyStatus::malformed_payload);
}

TEST(HostileEnvelope, SignedPayloadNonDeterministic) {
  Bytes payload = encode_document(sample());
  payload.push_back(0x00);
  EXPECT_EQ(verify(envelope(ed_protected(), {0xa0}, payload)), VerifyStatus::malformed_payload);
}

// The same document with a higher schema version than it needs is a second
// encoding of it: refused on the verified path too, signature or not.
TEST(HostileEnvelope, SignedPayloadWithAHigherSchemaThanItNeeds) {
  Bytes payload = encode_document(sample());
  ASSERT_EQ(payload[1], 0x00) << "key 0, the schema version, comes first";
  ASSERT_EQ(payload[2], 0x01) << "the sample needs schema 1";
  payload[2] = 0x02;
  EXPECT_EQ(verify(envelope(ed_protected(), {0xa0}, payload)), VerifyStatus::malformed_payload);
  payload[2] = 0x01;
  EXPECT_EQ(verify(envelope(ed_protected(), {0xa0}, payload)), VerifyStatus::ok);
}

TEST(HostileEnvelope, SignedPayloadInvalidPolicy) {
  Document d = sample();
  d.generation = 0;
  EXPECT_EQ(verify(envelope(ed_protected(), {0xa0}, encode_document(d))), VerifyStatus::invalid_policy);
}

// A payload that does not decode is malformed, even when what came before
// the fault already broke an invariant (the decoder checks rules as it goes).
TEST(HostileEnvelope, SignedPayloadInvalidAndMalformed) {
  Document d = sample();
  d.rules[0].subject.emplace("relative/subject");
  Bytes payload = encode_document(d);
  EXPECT_EQ(verify(envelope(ed_protected(), {0xa0}, payload)), VerifyStatus::invalid_policy);
  payload.push_back(0x00);
  EXPECT_EQ(verify(envelope(ed_protected(), {0xa0}, payload)), VerifyStatus::malformed_payload);
  payload.pop_back();
  // A schema higher than the document needs is a second encoding of it:
  // malformed, though a rule is invalid too.
  ASSERT_EQ(payload[2], 0x01) << "the sample needs schema 1";
  payload[2] = 0x02;
  EXPECT_EQ(verify(envelope(ed_protected(), {0xa0}, payload)), VerifyStatus::malformed_payload);
  // A later rule that does not decode, after an invalid one.
  Document two = d;
  two.rules.push_back(two.rules.back());
  two.rules.back().object.path = "/marker-last-rule";
  Bytes bad = encode_document(two);
  const std::string marker = "/marker-last-rule";
  auto at = std::search(bad.begin(), bad.end(), marker.begin(), marker.end());
  ASSERT_NE(at, bad.end());
  ASSERT_EQ(at[-1], 0x60 | marker.size()) << "a one-byte text head";
  at[-1] = 0x60 | 0x1f;  // an indefinite length: not deterministic
  EXPECT_EQ(verify(envelope(ed_protected(), {0xa0}, bad)), VerifyStatus::malformed_payload);
}

TEST(HostileEnvelope, TooLarge) {
  Bytes blob(kMaxBlobSize + 1, 0);
  EXPECT_EQ(verify(blob), VerifyStatus::too_large);
  Envelope env;
  EXPECT_EQ(parse_envelope(blob, &env), VerifyStatus::too_large);
}

// The payload is signed correctly: only the strict document decoder stands
// between these and the enforcer.
Bytes sample_payload() {
  Bytes doc = encode_document(sample());
  EXPECT_EQ(doc[0] & 0xe0, 0xa0);  // a map with fewer than 24 entries
  EXPECT_LT(doc[1], 0x18);         // whose first key and value are one byte each
  EXPECT_LT(doc[2], 0x18);
  return doc;
}

TEST(HostileEnvelope, SignedPayloadDuplicateMapKey) {
  const Bytes doc = sample_payload();
  Bytes dup = cat({{static_cast<uint8_t>(doc[0] + 1), doc[1], doc[2]}, Bytes(doc.begin() + 1, doc.end())});
  EXPECT_EQ(verify(envelope(ed_protected(), {0xa0}, dup)), VerifyStatus::malformed_payload);
}

TEST(HostileEnvelope, SignedPayloadIndefiniteLengthMap) {
  const Bytes doc = sample_payload();
  const Bytes indefinite = cat({{0xbf}, Bytes(doc.begin() + 1, doc.end()), {0xff}});
  EXPECT_EQ(verify(envelope(ed_protected(), {0xa0}, indefinite)), VerifyStatus::malformed_payload);
}

TEST(HostileEnvelope, SignedPayloadLengthBeyondInput) {
  const Bytes doc = sample_payload();
  EXPECT_EQ(verify(envelope(ed_protected(), {0xa0}, Bytes(doc.begin(), doc.end() - 1))),
            VerifyStatus::malformed_payload);
}

TEST(HostileEnvelope, SignedPayloadLengthThatOverflows) {
  const Bytes payload = {0xa1, 0x01, 0x7b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};  // {1: text of 2^64-1}
  EXPECT_EQ(verify(envelope(ed_protected(), {0xa0}, payload)), VerifyStatus::malformed_payload);
}

TEST(HostileEnvelope, SignedPayloadNestingBeyondBound) {
  Bytes deep;
  for (int i = 0; i < 40; ++i) deep.push_back(0x81);
  deep.push_back(0x00);
  EXPECT_EQ(verify(envelope(ed_protected(), {0xa0}, deep)), VerifyStatus::malformed_payload);
}

TEST(HostileEnvelope, LengthThatOverflowsInProtectedHeader) {
  const Bytes prot = {0xa1, 0x01, 0x7b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  EXPECT_EQ(verify(envelope(prot, {0xa0}, encode_document(sample()))), VerifyStatus::malformed_envelope);
}

TEST(HostileEnvelope, SignatureOneByteLong) {
  const Bytes prot = ed_protected();
  const Bytes payload = encode_document(sample());
  Bytes sig = ed25519_sign(key_for(Alg::eddsa), sig_structure(prot, payload));
  sig.push_back(0x00);
  EXPECT_EQ(verify(cat({{0xd2, 0x84}, B(prot), {0xa0}, B(payload), B(sig)})), VerifyStatus::bad_signature);
}

TEST(HostileEnvelope, Es384DerEncodedSignature) {
  Envelope env;
  ASSERT_EQ(parse_envelope(sealed(Alg::es384), &env), VerifyStatus::ok);
  ECDSA_SIG* sig = ECDSA_SIG_new();
  ECDSA_SIG_set0(sig, BN_bin2bn(env.signature.data(), 48, nullptr), BN_bin2bn(env.signature.data() + 48, 48, nullptr));
  unsigned char* der = nullptr;
  const int len = i2d_ECDSA_SIG(sig, &der);
  ASSERT_GT(len, 0);
  const Bytes der_sig(der, der + len);
  OPENSSL_free(der);
  ECDSA_SIG_free(sig);
  const Bytes blob = cat({{0xd2, 0x84}, B(env.protected_bytes), {0xa0}, B(env.payload), B(der_sig)});
  EXPECT_EQ(verify(blob), VerifyStatus::bad_signature);
}

TEST(HostileEnvelope, EcdsaRAboveOrder) {
  EXPECT_EQ(with_rs(Alg::es256, 0, plus_one(kP256Order)), VerifyStatus::bad_signature);
}

TEST(HostileEnvelope, EmptyBlob) { EXPECT_EQ(verify({}), VerifyStatus::malformed_envelope); }

}  // namespace
}  // namespace bootseal

// SPDX-License-Identifier: GPL-2.0-only
// The sealed blob: COSE_Sign1 (RFC 9052), CBOR tag 18, payload embedded.
// FORMAT.md, "The sealed envelope", describes every rule enforced here.
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "bootseal/seal.hpp"
#include "cbor_strict.hpp"
#include "seal_internal.hpp"

namespace bootseal {

namespace {

constexpr uint64_t kTagCoseSign1 = 18;
constexpr int64_t kLabelAlg = 1;
constexpr int64_t kLabelCrit = 2;
constexpr int64_t kLabelKid = 4;

struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;
struct EcdsaSigFree {
  void operator()(ECDSA_SIG* s) const { ECDSA_SIG_free(s); }
};
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, EcdsaSigFree>;
struct EcGroupFree {
  void operator()(EC_GROUP* g) const { EC_GROUP_free(g); }
};
using EcGroupPtr = std::unique_ptr<EC_GROUP, EcGroupFree>;

// Width of r and s in a raw ECDSA signature.
size_t ecdsa_width(Alg alg) { return alg == Alg::es384 ? 48 : 32; }
const EVP_MD* ecdsa_md(Alg alg) { return alg == Alg::es384 ? EVP_sha384() : EVP_sha256(); }
int ecdsa_nid(Alg alg) { return alg == Alg::es384 ? NID_secp384r1 : NID_X9_62_prime256v1; }

// Sets up a DigestSign/DigestVerify context for `alg` (PS256: PSS with
// MGF1-SHA-256 and a salt as long as the hash).
bool init_ctx(EVP_MD_CTX* ctx, Alg alg, EVP_PKEY* pkey, bool sign) {
  const EVP_MD* md = nullptr;
  if (alg == Alg::es256 || alg == Alg::es384) md = ecdsa_md(alg);
  if (alg == Alg::ps256) md = EVP_sha256();
  EVP_PKEY_CTX* pctx = nullptr;
  const int ok = sign ? EVP_DigestSignInit(ctx, &pctx, md, nullptr, pkey)
                      : EVP_DigestVerifyInit(ctx, &pctx, md, nullptr, pkey);
  if (ok != 1) return false;
  if (alg == Alg::ps256) {
    if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) != 1) {
      return false;
    }
  }
  return true;
}

// Raw r || s -> DER, refusing r or s outside [1, n-1].
bool ecdsa_raw_to_der(Alg alg, std::span<const uint8_t> raw, std::vector<uint8_t>* der) {
  const size_t w = ecdsa_width(alg);
  if (raw.size() != 2 * w) return false;
  EcGroupPtr group(EC_GROUP_new_by_curve_name(ecdsa_nid(alg)));
  if (!group) return false;
  const BIGNUM* order = EC_GROUP_get0_order(group.get());
  BnPtr r(BN_bin2bn(raw.data(), static_cast<int>(w), nullptr));
  BnPtr s(BN_bin2bn(raw.data() + w, static_cast<int>(w), nullptr));
  if (!r || !s || order == nullptr) return false;
  if (BN_is_zero(r.get()) || BN_is_zero(s.get()) || BN_cmp(r.get(), order) >= 0 || BN_cmp(s.get(), order) >= 0) {
    return false;
  }
  EcdsaSigPtr sig(ECDSA_SIG_new());
  if (!sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) return false;
  (void)r.release();  // owned by sig now
  (void)s.release();
  unsigned char* out = nullptr;
  const int len = i2d_ECDSA_SIG(sig.get(), &out);
  if (len <= 0) return false;
  der->assign(out, out + len);
  OPENSSL_free(out);
  return true;
}

// DER -> raw r || s, each left-padded to the group's width.
bool ecdsa_der_to_raw(Alg alg, std::span<const uint8_t> der, std::vector<uint8_t>* raw) {
  const unsigned char* p = der.data();
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig) return false;
  const size_t w = ecdsa_width(alg);
  raw->assign(2 * w, 0);
  return BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), raw->data(), static_cast<int>(w)) == static_cast<int>(w) &&
         BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), raw->data() + w, static_cast<int>(w)) == static_cast<int>(w);
}

Result<std::vector<uint8_t>> sign_bytes(Alg alg, EVP_PKEY* pkey, std::span<const uint8_t> tbs) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || !init_ctx(ctx.get(), alg, pkey, true)) {
    return make_error("cannot set up " + std::string(to_string(alg)) + " signing: " + detail::openssl_error());
  }
  size_t len = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &len, tbs.data(), tbs.size()) != 1) {
    return make_error("signing failed: " + detail::openssl_error());
  }
  std::vector<uint8_t> sig(len);
  if (EVP_DigestSign(ctx.get(), sig.data(), &len, tbs.data(), tbs.size()) != 1) {
    return make_error("signing failed: " + detail::openssl_error());
  }
  sig.resize(len);
  if (alg == Alg::es256 || alg == Alg::es384) {
    std::vector<uint8_t> raw;
    if (!ecdsa_der_to_raw(alg, sig, &raw)) return make_error("cannot convert the ECDSA signature to r || s");
    return raw;
  }
  return sig;
}

// Header parameters gathered from both buckets.
struct Headers {
  bool has_alg = false;     // alg in the protected bucket
  bool alg_known = false;   // ... and an integer we implement
  Alg alg = Alg::eddsa;
  int64_t alg_value = 0;
  bool crit_unknown = false;
  bool has_kid = false;
  std::span<const uint8_t> kid;
  std::vector<std::span<const uint8_t>> labels;  // encoded labels of both buckets
};

// Reads an integer label; false for text labels and integers beyond int64.
bool int_label(std::span<const uint8_t> encoded, int64_t* out) {
  cbor::Reader r(encoded);
  cbor::Reader::Head h;
  if (!r.head(&h)) return false;
  if (h.major == cbor::kUint && h.arg <= static_cast<uint64_t>(INT64_MAX)) {
    *out = static_cast<int64_t>(h.arg);
    return true;
  }
  if (h.major == cbor::kNint && h.arg <= static_cast<uint64_t>(INT64_MAX)) {
    *out = -1 - static_cast<int64_t>(h.arg);
    return true;
  }
  return false;
}

// One header map (input already passed check_deterministic). Returns false
// when the header is malformed.
bool read_header_map(cbor::Reader& r, bool is_protected, Headers* hd) {
  cbor::Reader::Head h;
  if (!r.expect(cbor::kMap, &h)) return false;
  for (uint64_t i = 0; i < h.arg; ++i) {
    const size_t label_start = r.offset();
    cbor::Reader::Head lh;
    if (!r.head(&lh)) return false;
    if (lh.major == cbor::kTstr) {
      std::span<const uint8_t> ignored;
      if (!r.content(lh.arg, &ignored)) return false;
    } else if (lh.major != cbor::kUint && lh.major != cbor::kNint) {
      return false;
    }
    hd->labels.push_back(r.since(label_start));
    int64_t label = 0;
    const bool is_int = int_label(hd->labels.back(), &label);
    if (is_int && label == kLabelAlg && is_protected) {
      // alg counts only in the protected bucket; in the unprotected one it
      // is skipped like any other parameter, so a blob with alg only there
      // has no alg at all.
      hd->has_alg = true;
      const size_t value_start = r.offset();
      if (!r.skip(cbor::kMaxDepth)) return false;
      int64_t v = 0;
      if (int_label(r.since(value_start), &v)) {
        hd->alg_value = v;
        hd->alg_known = detail::alg_from_int(v, &hd->alg);
      }
      continue;
    } else if (is_int && label == kLabelCrit) {
      if (!is_protected) return false;  // crit must be protected (RFC 9052 3.1)
      cbor::Reader::Head ah;
      if (!r.expect(cbor::kArray, &ah) || ah.arg == 0) return false;
      for (uint64_t k = 0; k < ah.arg; ++k) {
        cbor::Reader::Head ch;
        if (!r.head(&ch)) return false;
        if (ch.major == cbor::kTstr) {
          std::span<const uint8_t> ignored;
          if (!r.content(ch.arg, &ignored)) return false;
          hd->crit_unknown = true;
        } else if (ch.major == cbor::kUint || ch.major == cbor::kNint) {
          // The labels bootseal processes: alg and kid.
          const bool understood = ch.major == cbor::kUint && (ch.arg == kLabelAlg || ch.arg == kLabelKid);
          if (!understood) hd->crit_unknown = true;
        } else {
          return false;
        }
      }
      continue;
    } else if (is_int && label == kLabelKid) {
      std::span<const uint8_t> kid;
      if (!r.bstr(&kid)) return false;
      hd->has_kid = true;
      hd->kid = kid;
      continue;
    }
    // Any other parameter: authenticated (if protected) and ignored.
    if (!r.skip(cbor::kMaxDepth)) return false;
  }
  return true;
}

// An Envelope whose byte fields are views into the blob: what
// verify_sealed needs, without copying the payload.
struct EnvelopeView {
  int alg = 0;
  Kid kid{};
  bool has_kid = false;
  std::span<const uint8_t> raw_kid;
  std::span<const uint8_t> protected_bytes;
  std::span<const uint8_t> payload;
  std::span<const uint8_t> signature;
};

VerifyStatus parse_envelope_view(std::span<const uint8_t> blob, EnvelopeView* out);
VerifyStatus verify_signature_view(const EnvelopeView& env, const PublicKey& key,
                                   std::span<const uint8_t> external_aad);

}  // namespace

std::string_view to_string(VerifyStatus s) {
  switch (s) {
    case VerifyStatus::ok:
      return "ok";
    case VerifyStatus::too_large:
      return "blob too large";
    case VerifyStatus::malformed_envelope:
      return "malformed COSE_Sign1 envelope";
    case VerifyStatus::unsupported_alg:
      return "unsupported or missing algorithm in the protected header";
    case VerifyStatus::unknown_crit:
      return "unknown critical header parameter";
    case VerifyStatus::unknown_key:
      return "no trusted key has this kid";
    case VerifyStatus::alg_key_mismatch:
      return "algorithm does not match the trusted key's type";
    case VerifyStatus::bad_signature:
      return "bad signature";
    case VerifyStatus::malformed_payload:
      return "malformed policy document";
    case VerifyStatus::invalid_policy:
      return "invalid policy";
  }
  return "unknown status";
}

std::vector<uint8_t> sig_structure(std::span<const uint8_t> protected_bytes, std::span<const uint8_t> payload,
                                   std::span<const uint8_t> external_aad) {
  cbor::Writer w;
  w.reserve(32 + protected_bytes.size() + external_aad.size() + payload.size());
  w.array(4);
  w.text("Signature1");
  w.bytes(protected_bytes);
  w.bytes(external_aad);
  w.bytes(payload);
  return std::move(w.out());
}

namespace {

VerifyStatus parse_envelope_view(std::span<const uint8_t> blob, EnvelopeView* out) {
  if (blob.size() > kMaxBlobSize) return VerifyStatus::too_large;
  // Layer 1: one well-formed, deterministically encoded item, nothing after.
  if (cbor::check_deterministic(blob)) return VerifyStatus::malformed_envelope;

  // Layer 2: COSE_Sign1 = #6.18([protected: bstr, unprotected: map,
  // payload: bstr, signature: bstr]).
  cbor::Reader r(blob);
  cbor::Reader::Head h;
  if (!r.expect(cbor::kTag, &h) || h.arg != kTagCoseSign1) return VerifyStatus::malformed_envelope;
  if (!r.expect(cbor::kArray, &h) || h.arg != 4) return VerifyStatus::malformed_envelope;
  std::span<const uint8_t> protected_bytes;
  if (!r.bstr(&protected_bytes)) return VerifyStatus::malformed_envelope;

  Headers hd;
  if (!protected_bytes.empty()) {
    // The protected header is itself strict CBOR: a map, nothing after it.
    if (cbor::check_deterministic(protected_bytes)) return VerifyStatus::malformed_envelope;
    cbor::Reader pr(protected_bytes);
    if (!read_header_map(pr, true, &hd) || !pr.at_end()) return VerifyStatus::malformed_envelope;
  }
  if (!read_header_map(r, false, &hd)) return VerifyStatus::malformed_envelope;
  // A label may appear in only one bucket (RFC 9052 section 3).
  auto labels = hd.labels;
  std::sort(labels.begin(), labels.end(), [](auto a, auto b) {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
  });
  for (size_t i = 1; i < labels.size(); ++i) {
    if (std::equal(labels[i - 1].begin(), labels[i - 1].end(), labels[i].begin(), labels[i].end())) {
      return VerifyStatus::malformed_envelope;
    }
  }

  std::span<const uint8_t> payload;
  std::span<const uint8_t> signature;
  if (!r.bstr(&payload)) return VerifyStatus::malformed_envelope;  // nil = detached: refused
  if (!r.bstr(&signature)) return VerifyStatus::malformed_envelope;
  if (!r.at_end()) return VerifyStatus::malformed_envelope;

  if (!hd.has_alg || !hd.alg_known) return VerifyStatus::unsupported_alg;
  if (hd.crit_unknown) return VerifyStatus::unknown_crit;

  EnvelopeView env;
  env.alg = static_cast<int>(hd.alg);
  if (hd.has_kid) {
    env.raw_kid = hd.kid;
    if (hd.kid.size() == env.kid.size()) {
      std::copy(hd.kid.begin(), hd.kid.end(), env.kid.begin());
      env.has_kid = true;
    }
  }
  env.protected_bytes = protected_bytes;
  env.payload = payload;
  env.signature = signature;
  *out = env;
  return VerifyStatus::ok;
}

VerifyStatus verify_signature_view(const EnvelopeView& env, const PublicKey& key,
                                   std::span<const uint8_t> external_aad) {
  Alg alg{};
  if (!detail::alg_from_int(env.alg, &alg)) return VerifyStatus::unsupported_alg;
  EVP_PKEY* pkey = detail::as_pkey(key.pkey);
  if (pkey == nullptr || !detail::alg_fits_key(alg, detail::key_type(pkey))) return VerifyStatus::alg_key_mismatch;

  std::span<const uint8_t> sig = env.signature;
  std::vector<uint8_t> der;
  switch (alg) {
    case Alg::eddsa:
      if (sig.size() != 64) return VerifyStatus::bad_signature;
      break;
    case Alg::es256:
    case Alg::es384:
      // Raw r || s of the group's width, 0 < r, s < n; a DER signature has
      // the wrong length and is refused here.
      if (!ecdsa_raw_to_der(alg, sig, &der)) return VerifyStatus::bad_signature;
      sig = der;
      break;
    case Alg::ps256:
      if (sig.size() != static_cast<size_t>(EVP_PKEY_get_size(pkey))) return VerifyStatus::bad_signature;
      break;
  }
  const std::vector<uint8_t> tbs = sig_structure(env.protected_bytes, env.payload, external_aad);
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || !init_ctx(ctx.get(), alg, pkey, false)) {
    ERR_clear_error();
    return VerifyStatus::bad_signature;
  }
  const int ok = EVP_DigestVerify(ctx.get(), sig.data(), sig.size(), tbs.data(), tbs.size());
  ERR_clear_error();
  return ok == 1 ? VerifyStatus::ok : VerifyStatus::bad_signature;
}

}  // namespace

VerifyStatus parse_envelope(std::span<const uint8_t> blob, Envelope* out) {
  EnvelopeView v;
  if (const VerifyStatus s = parse_envelope_view(blob, &v); s != VerifyStatus::ok) return s;
  Envelope env;
  env.alg = v.alg;
  env.kid = v.kid;
  env.has_kid = v.has_kid;
  env.raw_kid.assign(v.raw_kid.begin(), v.raw_kid.end());
  env.protected_bytes.assign(v.protected_bytes.begin(), v.protected_bytes.end());
  env.payload.assign(v.payload.begin(), v.payload.end());
  env.signature.assign(v.signature.begin(), v.signature.end());
  *out = std::move(env);
  return VerifyStatus::ok;
}

VerifyStatus verify_signature(const Envelope& env, const PublicKey& key, std::span<const uint8_t> external_aad) {
  EnvelopeView v;
  v.alg = env.alg;
  v.kid = env.kid;
  v.has_kid = env.has_kid;
  v.raw_kid = env.raw_kid;
  v.protected_bytes = env.protected_bytes;
  v.payload = env.payload;
  v.signature = env.signature;
  return verify_signature_view(v, key, external_aad);
}

VerifyStatus verify_sealed(std::span<const uint8_t> blob, const TrustStore& trust, Verified* out) {
  if (blob.size() > kMaxBlobSize) return VerifyStatus::too_large;
  // Views into the blob: the payload is decoded where it lies, not copied.
  EnvelopeView env;
  if (const VerifyStatus s = parse_envelope_view(blob, &env); s != VerifyStatus::ok) return s;
  if (!env.has_kid) return VerifyStatus::unknown_key;
  const PublicKey* key = trust.find(env.kid);
  if (key == nullptr) return VerifyStatus::unknown_key;
  if (const VerifyStatus s = verify_signature_view(env, *key, {}); s != VerifyStatus::ok) return s;
  // Verified data begins here: the payload is what the key holder signed.
  auto doc = detail::decode_and_validate(env.payload);
  if (!doc) return doc.kind();
  out->document = std::move(*doc);
  out->kid = env.kid;
  out->alg = static_cast<Alg>(env.alg);
  return VerifyStatus::ok;
}

Result<Verified, VerifyStatus> verify_sealed(std::span<const uint8_t> blob, const TrustStore& trust,
                                             std::string_view where) {
  Verified v;
  const VerifyStatus st = verify_sealed(blob, trust, &v);
  if (st == VerifyStatus::ok) return v;
  std::string detail;
  if (st == VerifyStatus::unknown_key) {
    Envelope env;
    if (parse_envelope(blob, &env) == VerifyStatus::ok)
      detail = env.has_kid ? "kid " + to_hex(env.kid) + " is not among the " + std::to_string(trust.keys().size()) +
                                 " trusted key(s)"
                           : "the blob carries no 32-byte kid";
  }
  return make_error(st, std::string(where) + ": " + std::string(to_string(st)), std::move(detail));
}

Result<std::vector<uint8_t>> seal(const Document& doc, const SigningKey& key) {
  EVP_PKEY* pkey = detail::as_pkey(key.pkey);
  if (pkey == nullptr) return make_error("no signing key");
  if (!detail::alg_fits_key(key.alg, detail::key_type(pkey))) {
    return make_error("the signing key's type does not fit " + std::string(to_string(key.alg)));
  }
  if (auto v = validate(doc); !v) return make_error("invalid policy: " + v.error());
  std::vector<uint8_t> payload = encode_document(doc);
  // What is sealed must read back as the same document (catches fields the
  // encoding does not carry, e.g. a path on an object of kind `any`).
  auto back = decode_document(payload);
  if (!back) return make_error("the encoded policy does not decode: " + back.error());
  if (!(*back == doc)) {
    return make_error("the policy holds data its encoding does not carry (fields unused by an object kind?)");
  }

  cbor::Writer ph;
  ph.map(2);
  ph.integer(kLabelAlg);
  ph.integer(static_cast<int64_t>(key.alg));
  ph.integer(kLabelKid);
  ph.bytes(key.kid);
  const std::vector<uint8_t>& protected_bytes = ph.out();

  auto sig = sign_bytes(key.alg, pkey, sig_structure(protected_bytes, payload));
  if (!sig) return make_error(sig.error());

  cbor::Writer w;
  w.reserve(payload.size() + sig->size() + 64);
  w.tag(kTagCoseSign1);
  w.array(4);
  w.bytes(protected_bytes);
  w.map(0);
  w.bytes(payload);
  w.bytes(*sig);
  if (w.out().size() > kMaxBlobSize) {
    return make_error("the sealed blob would be " + std::to_string(w.out().size()) + " bytes, over the limit of " +
                      std::to_string(kMaxBlobSize));
  }
  return std::move(w.out());
}

}  // namespace bootseal

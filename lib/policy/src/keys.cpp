// SPDX-License-Identifier: GPL-2.0-only
// Keys: kids, trust stores, signing keys (PEM files and OSSL_STORE URIs) and
// key generation.
#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/store.h>
#include <openssl/x509.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

#include "bootseal/fileio.hpp"
#include "bootseal/seal.hpp"
#include "seal_internal.hpp"

namespace bootseal {

namespace detail {

std::string openssl_error() {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

std::shared_ptr<void> own_pkey(EVP_PKEY* pkey) {
  return std::shared_ptr<void>(pkey, [](void* p) { EVP_PKEY_free(static_cast<EVP_PKEY*>(p)); });
}

KeyType key_type(const EVP_PKEY* pkey) {
  switch (EVP_PKEY_get_base_id(pkey)) {
    case EVP_PKEY_ED25519:
      return KeyType::ed25519;
    case EVP_PKEY_RSA:
      return EVP_PKEY_get_bits(pkey) >= kMinRsaBits ? KeyType::rsa : KeyType::unsupported;
    case EVP_PKEY_EC: {
      char group[64] = {};
      size_t len = 0;
      if (EVP_PKEY_get_group_name(pkey, group, sizeof group, &len) != 1) return KeyType::unsupported;
      const int nid = OBJ_txt2nid(group);
      if (nid == NID_X9_62_prime256v1) return KeyType::p256;
      if (nid == NID_secp384r1) return KeyType::p384;
      return KeyType::unsupported;
    }
    default:
      return KeyType::unsupported;
  }
}

bool alg_fits_key(Alg alg, KeyType type) {
  switch (alg) {
    case Alg::eddsa:
      return type == KeyType::ed25519;
    case Alg::es256:
      return type == KeyType::p256;
    case Alg::es384:
      return type == KeyType::p384;
    case Alg::ps256:
      return type == KeyType::rsa;
  }
  return false;
}

bool alg_from_int(int64_t value, Alg* out) {
  switch (value) {
    case static_cast<int>(Alg::eddsa):
    case static_cast<int>(Alg::es256):
    case static_cast<int>(Alg::es384):
    case static_cast<int>(Alg::ps256):
      *out = static_cast<Alg>(value);
      return true;
    default:
      return false;
  }
}

}  // namespace detail

namespace {

using detail::KeyType;

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

std::string unsupported_key_message(const EVP_PKEY* pkey) {
  const int id = EVP_PKEY_get_base_id(pkey);
  if (id == EVP_PKEY_RSA) {
    return "RSA key of " + std::to_string(EVP_PKEY_get_bits(pkey)) + " bits is too small (at least " +
           std::to_string(detail::kMinRsaBits) + ")";
  }
  const char* name = OBJ_nid2sn(id);
  return std::string("unsupported key type ") + (name != nullptr ? name : "?") +
         " (bootseal uses Ed25519, EC P-256, EC P-384 or RSA)";
}

Result<Kid> kid_of(EVP_PKEY* pkey) {
  unsigned char* der = nullptr;
  const int len = i2d_PUBKEY(pkey, &der);
  if (len <= 0) return make_error("cannot encode the public key: " + detail::openssl_error());
  Kid kid{};
  unsigned int md_len = 0;
  const int ok = EVP_Digest(der, static_cast<size_t>(len), kid.data(), &md_len, EVP_sha256(), nullptr);
  OPENSSL_free(der);
  if (ok != 1 || md_len != kid.size()) return make_error("SHA-256 failed: " + detail::openssl_error());
  return kid;
}

// Key files are small; anything larger is not one.
constexpr size_t kMaxKeyFileSize = 1024 * 1024;

// Writes `data` to a new file; refuses to replace an existing one.
Result<void> write_new_file(const std::filesystem::path& path, const std::string& data, mode_t mode) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode));
  if (!fd) {
    if (errno == EEXIST) return make_error(path.string() + ": already exists, refusing to overwrite it");
    return make_error(path.string() + ": " + errno_text(errno));
  }
  auto fail = [&](std::string message) -> Result<void> {
    fd.reset();
    ::unlink(path.c_str());
    return make_error(std::move(message));
  };
  // The umask may only have narrowed the mode; make it exact.
  if (::fchmod(fd.get(), mode) != 0) return fail(path.string() + ": " + errno_text(errno));
  const auto* bytes = reinterpret_cast<const uint8_t*>(data.data());
  if (auto w = write_all(fd.get(), std::span<const uint8_t>(bytes, data.size()), path.string()); !w)
    return fail(w.error());
  if (::fsync(fd.get()) != 0) return fail(path.string() + ": " + errno_text(errno));
  if (const int err = fd.close(); err != 0) return fail(path.string() + ": " + errno_text(err));
  return {};
}

std::string bio_contents(BIO* bio) {
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(len > 0 ? len : 0));
}

Result<SigningKey> signing_key_from_pkey(EVP_PKEY* raw, const std::string& origin) {
  auto owned = detail::own_pkey(raw);
  const KeyType type = detail::key_type(raw);
  if (type == KeyType::unsupported) return make_error(origin + ": " + unsupported_key_message(raw));
  SigningKey key;
  key.pkey = owned;
  switch (type) {
    case KeyType::ed25519:
      key.alg = Alg::eddsa;
      break;
    case KeyType::p256:
      key.alg = Alg::es256;
      break;
    case KeyType::p384:
      key.alg = Alg::es384;
      break;
    default:
      key.alg = Alg::ps256;
      break;
  }
  auto kid = kid_of(raw);
  if (!kid) return make_error(origin + ": " + kid.error());
  key.kid = *kid;
  return key;
}

}  // namespace

std::array<uint8_t, 32> sha256(std::span<const uint8_t> data) {
  std::array<uint8_t, 32> out{};
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr);
  return out;
}

std::string to_hex(std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  s.reserve(bytes.size() * 2);
  for (const uint8_t b : bytes) {
    s.push_back(kDigits[b >> 4]);
    s.push_back(kDigits[b & 15]);
  }
  return s;
}

std::string_view to_string(Alg alg) {
  switch (alg) {
    case Alg::eddsa:
      return "EdDSA";
    case Alg::es256:
      return "ES256";
    case Alg::es384:
      return "ES384";
    case Alg::ps256:
      return "PS256";
  }
  return "unknown";
}

Result<PublicKey> make_public_key(std::shared_ptr<void> pkey, std::string origin) {
  EVP_PKEY* raw = detail::as_pkey(pkey);
  if (raw == nullptr) return make_error(origin + ": no key");
  if (detail::key_type(raw) == KeyType::unsupported) return make_error(origin + ": " + unsupported_key_message(raw));
  auto kid = kid_of(raw);
  if (!kid) return make_error(origin + ": " + kid.error());
  PublicKey key;
  key.pkey = std::move(pkey);
  key.kid = *kid;
  key.origin = std::move(origin);
  return key;
}

Result<PublicKey> public_key_from_der(std::span<const uint8_t> spki_der, std::string origin) {
  const unsigned char* p = spki_der.data();
  EVP_PKEY* raw = d2i_PUBKEY(nullptr, &p, static_cast<long>(spki_der.size()));
  if (raw == nullptr) return make_error(origin + ": not a DER SubjectPublicKeyInfo: " + detail::openssl_error());
  auto owned = detail::own_pkey(raw);
  if (p != spki_der.data() + spki_der.size()) return make_error(origin + ": trailing bytes after the public key");
  return make_public_key(std::move(owned), std::move(origin));
}

Result<PublicKey> public_key_of(const SigningKey& key) {
  EVP_PKEY* raw = detail::as_pkey(key.pkey);
  if (raw == nullptr) return make_error("no signing key");
  unsigned char* der = nullptr;
  const int len = i2d_PUBKEY(raw, &der);
  if (len <= 0) return make_error("cannot encode the public key: " + detail::openssl_error());
  std::vector<uint8_t> bytes(der, der + len);
  OPENSSL_free(der);
  return public_key_from_der(bytes, "public key of kid " + to_hex(key.kid));
}

Result<SigningKey> make_signing_key(const std::shared_ptr<void>& pkey) {
  EVP_PKEY* raw = detail::as_pkey(pkey);
  if (raw == nullptr) return make_error("no key");
  if (EVP_PKEY_up_ref(raw) != 1) return make_error("EVP_PKEY_up_ref failed");
  return signing_key_from_pkey(raw, "signing key");
}

Result<PublicKey> load_public_key(const std::filesystem::path& pem) {
  auto text = read_file(pem, kMaxKeyFileSize);
  if (!text) return make_error(text.error());
  BioPtr bio(BIO_new_mem_buf(text->data(), static_cast<int>(text->size())));
  if (!bio) return make_error(pem.string() + ": out of memory");
  EVP_PKEY* raw = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  if (raw == nullptr) {
    ERR_clear_error();
    return make_error(pem.string() + ": not a PEM public key (expected \"-----BEGIN PUBLIC KEY-----\")");
  }
  return make_public_key(detail::own_pkey(raw), pem.string());
}

void TrustStore::add(PublicKey key) { keys_.push_back(std::move(key)); }

const PublicKey* TrustStore::find(const Kid& kid) const {
  for (const auto& k : keys_) {
    if (CRYPTO_memcmp(k.kid.data(), kid.data(), kid.size()) == 0) return &k;
  }
  return nullptr;
}

Result<TrustStore> TrustStore::load(const std::filesystem::path& pem_file_or_dir) {
  std::error_code ec;
  const auto status = std::filesystem::status(pem_file_or_dir, ec);
  if (ec) return make_error(pem_file_or_dir.string() + ": " + ec.message());
  std::vector<std::filesystem::path> files;
  if (std::filesystem::is_directory(status)) {
    for (std::filesystem::directory_iterator it(pem_file_or_dir, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->path().extension() == ".pem" && it->is_regular_file()) files.push_back(it->path());
    }
    if (ec) return make_error(pem_file_or_dir.string() + ": " + ec.message());
    if (files.empty()) return make_error(pem_file_or_dir.string() + ": no *.pem public keys in this directory");
    std::sort(files.begin(), files.end());
  } else {
    files.push_back(pem_file_or_dir);
  }
  TrustStore store;
  for (const auto& f : files) {
    auto key = load_public_key(f);
    if (!key) return make_error(key.error());
    if (const PublicKey* same = store.find(key->kid)) {
      return make_error(f.string() + ": the same key as " + same->origin + " (kid " + to_hex(key->kid) + ")");
    }
    store.add(std::move(*key));
  }
  return store;
}

Result<SigningKey> load_signing_key(const std::string& path_or_uri) {
  const bool is_uri = path_or_uri.rfind("file:", 0) == 0 || path_or_uri.rfind("pkcs11:", 0) == 0;
  if (!is_uri) {
    auto text = read_file(path_or_uri, kMaxKeyFileSize);
    if (!text) return make_error(text.error());
    BioPtr bio(BIO_new_mem_buf(text->data(), static_cast<int>(text->size())));
    if (!bio) return make_error(path_or_uri + ": out of memory");
    EVP_PKEY* raw = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
    OPENSSL_cleanse(text->data(), text->size());
    if (raw == nullptr) {
      ERR_clear_error();
      return make_error(path_or_uri +
                        ": not an unencrypted PEM private key (expected \"-----BEGIN PRIVATE KEY-----\")");
    }
    return signing_key_from_pkey(raw, path_or_uri);
  }

  OSSL_STORE_CTX* ctx = OSSL_STORE_open(path_or_uri.c_str(), nullptr, nullptr, nullptr, nullptr);
  if (ctx == nullptr) {
    const std::string why = detail::openssl_error();
    std::string msg = path_or_uri + ": cannot open the key store";
    if (path_or_uri.rfind("pkcs11:", 0) == 0) {
      msg += " (pkcs11: URIs need an OpenSSL provider for PKCS#11, e.g. pkcs11-provider, configured in openssl.cnf)";
    }
    return make_error(why.empty() ? msg : msg + ": " + why);
  }
  EVP_PKEY* found = nullptr;
  while (found == nullptr && OSSL_STORE_eof(ctx) == 0) {
    OSSL_STORE_INFO* info = OSSL_STORE_load(ctx);
    if (info == nullptr) continue;
    if (OSSL_STORE_INFO_get_type(info) == OSSL_STORE_INFO_PKEY) found = OSSL_STORE_INFO_get1_PKEY(info);
    OSSL_STORE_INFO_free(info);
  }
  OSSL_STORE_close(ctx);
  if (found == nullptr) {
    ERR_clear_error();
    return make_error(path_or_uri + ": no private key found there");
  }
  return signing_key_from_pkey(found, path_or_uri);
}

Result<void> generate_keypair(Alg alg, const std::filesystem::path& private_pem,
                              const std::filesystem::path& public_pem) {
  std::error_code ec;
  if (std::filesystem::weakly_canonical(private_pem, ec) == std::filesystem::weakly_canonical(public_pem, ec)) {
    return make_error(public_pem.string() + ": the private and public key files must differ");
  }
  for (const auto& p : {private_pem, public_pem}) {
    if (std::filesystem::symlink_status(p, ec).type() != std::filesystem::file_type::not_found) {
      return make_error(p.string() + ": already exists, refusing to overwrite it");
    }
  }
  EVP_PKEY* raw = nullptr;
  switch (alg) {
    case Alg::eddsa:
      raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
      break;
    case Alg::es256:
      raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
      break;
    case Alg::es384:
      raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384");
      break;
    case Alg::ps256:
      raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(3072));
      break;
  }
  if (raw == nullptr) return make_error("key generation failed: " + detail::openssl_error());
  auto owned = detail::own_pkey(raw);

  BioPtr priv(BIO_new(BIO_s_mem()));
  BioPtr pub(BIO_new(BIO_s_mem()));
  if (!priv || !pub || PEM_write_bio_PKCS8PrivateKey(priv.get(), raw, nullptr, nullptr, 0, nullptr, nullptr) != 1 ||
      PEM_write_bio_PUBKEY(pub.get(), raw) != 1) {
    return make_error("cannot encode the key pair: " + detail::openssl_error());
  }
  std::string priv_text = bio_contents(priv.get());
  const std::string pub_text = bio_contents(pub.get());
  auto w = write_new_file(private_pem, priv_text, 0600);
  OPENSSL_cleanse(priv_text.data(), priv_text.size());
  if (!w) return w;
  if (auto wp = write_new_file(public_pem, pub_text, 0644); !wp) {
    ::unlink(private_pem.c_str());  // created above by this call: leave nothing half-made
    return wp;
  }
  return {};
}

}  // namespace bootseal

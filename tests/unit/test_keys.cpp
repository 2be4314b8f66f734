// SPDX-License-Identifier: GPL-2.0-only
// Keys: kid derivation, key generation (modes, no overwriting), trust
// stores (file or directory) and signing keys (PEM paths and OSSL_STORE URIs).
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "bootseal/seal.hpp"
#include "cbor_build.hpp"

namespace bootseal {
namespace {

namespace fs = std::filesystem;
using cbortest::Bytes;
using cbortest::cat;
using cbortest::from_hex;
using ::testing::HasSubstr;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "bootseal-keys-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  fs::path operator/(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_text(const fs::path& p, const std::string& s) { std::ofstream(p) << s; }

TEST(Keys, KidOfRfc8032Ed25519KeyIsKnown) {
  // RFC 8032 section 7.1, test 1 public key, as SubjectPublicKeyInfo.
  const Bytes der = cat({from_hex("302a300506032b6570032100"),
                         from_hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")});
  auto k = public_key_from_der(der, "rfc8032");
  ASSERT_TRUE(k.ok()) << k.error();
  EXPECT_EQ(to_hex(k->kid), "06e3fd8fda29bb60ab59557de61edb0aecdb231134be30e75b455f8e1b792fa9");
}

TEST(Keys, PublicKeyDerWithTrailingBytesRefused) {
  Bytes der = cat({from_hex("302a300506032b6570032100"),
                   from_hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")});
  der.push_back(0);
  auto k = public_key_from_der(der, "x");
  ASSERT_FALSE(k.ok());
  EXPECT_THAT(k.error(), HasSubstr("trailing bytes"));
}

class GenerateEachAlg : public ::testing::TestWithParam<Alg> {};

TEST_P(GenerateEachAlg, WritesPkcs8PrivateWithMode0600AndMatchingPublic) {
  TempDir dir;
  ASSERT_TRUE(generate_keypair(GetParam(), dir / "k.pem", dir / "k.pub.pem").ok());
  struct stat st {};
  ASSERT_EQ(::stat((dir / "k.pem").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_THAT(read_text(dir / "k.pem"), HasSubstr("-----BEGIN PRIVATE KEY-----"));
  EXPECT_THAT(read_text(dir / "k.pub.pem"), HasSubstr("-----BEGIN PUBLIC KEY-----"));

  auto sk = load_signing_key((dir / "k.pem").string());
  ASSERT_TRUE(sk.ok()) << sk.error();
  EXPECT_EQ(sk->alg, GetParam());
  auto pk = load_public_key(dir / "k.pub.pem");
  ASSERT_TRUE(pk.ok()) << pk.error();
  EXPECT_EQ(pk->kid, sk->kid);
  EXPECT_EQ(pk->origin, (dir / "k.pub.pem").string());
}

TEST_P(GenerateEachAlg, SealedWithGeneratedKeyVerifiesWithItsPublicFile) {
  TempDir dir;
  ASSERT_TRUE(generate_keypair(GetParam(), dir / "k.pem", dir / "k.pub.pem").ok());
  auto sk = load_signing_key((dir / "k.pem").string());
  ASSERT_TRUE(sk.ok()) << sk.error();
  Document d;
  d.name = "t";
  d.generation = 1;
  auto blob = seal(d, *sk);
  ASSERT_TRUE(blob.ok()) << blob.error();
  auto trust = TrustStore::load(dir / "k.pub.pem");
  ASSERT_TRUE(trust.ok()) << trust.error();
  Verified v;
  EXPECT_EQ(verify_sealed(*blob, *trust, &v), VerifyStatus::ok);
  EXPECT_EQ(v.alg, GetParam());
}

INSTANTIATE_TEST_SUITE_P(Keys, GenerateEachAlg, ::testing::Values(Alg::eddsa, Alg::es256, Alg::es384, Alg::ps256),
                         [](const auto& info) { return std::string(to_string(info.param)); });

TEST(Keys, Ps256KeysAreRsa3072) {
  TempDir dir;
  ASSERT_TRUE(generate_keypair(Alg::ps256, dir / "k.pem", dir / "k.pub.pem").ok());
  auto sk = load_signing_key((dir / "k.pem").string());
  ASSERT_TRUE(sk.ok());
  EXPECT_EQ(EVP_PKEY_get_bits(static_cast<EVP_PKEY*>(sk->pkey.get())), 3072);
}

TEST(Keys, KidIsSha256OfSubjectPublicKeyInfo) {
  TempDir dir;
  ASSERT_TRUE(generate_keypair(Alg::es256, dir / "k.pem", dir / "k.pub.pem").ok());
  // The DER inside the PEM, decoded independently.
  std::string pem = read_text(dir / "k.pub.pem");
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long len = 0;
  ASSERT_EQ(PEM_read_bio(bio, &name, &header, &data, &len), 1);
  unsigned char md[32];
  unsigned int md_len = 0;
  ASSERT_EQ(EVP_Digest(data, static_cast<size_t>(len), md, &md_len, EVP_sha256(), nullptr), 1);
  OPENSSL_free(name);
  OPENSSL_free(header);
  OPENSSL_free(data);
  BIO_free(bio);
  auto pk = load_public_key(dir / "k.pub.pem");
  ASSERT_TRUE(pk.ok());
  EXPECT_EQ(to_hex(pk->kid), to_hex(Bytes(md, md + md_len)));
}

TEST(Sha256, KnownVectors) {
  // FIPS 180-2 examples.
  const std::string abc = "abc";
  EXPECT_EQ(to_hex(sha256({})), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(to_hex(sha256(Bytes(abc.begin(), abc.end()))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Keys, GenerateRefusesToOverwritePrivate) {
  TempDir dir;
  write_text(dir / "k.pem", "precious");
  auto r = generate_keypair(Alg::eddsa, dir / "k.pem", dir / "k.pub.pem");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error(), HasSubstr((dir / "k.pem").string() + ": already exists"));
  EXPECT_EQ(read_text(dir / "k.pem"), "precious");
  EXPECT_FALSE(fs::exists(dir / "k.pub.pem"));
}

TEST(Keys, GenerateRefusesToOverwritePublic) {
  TempDir dir;
  write_text(dir / "k.pub.pem", "precious");
  auto r = generate_keypair(Alg::eddsa, dir / "k.pem", dir / "k.pub.pem");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error(), HasSubstr((dir / "k.pub.pem").string() + ": already exists"));
  EXPECT_EQ(read_text(dir / "k.pub.pem"), "precious");
  EXPECT_FALSE(fs::exists(dir / "k.pem"));
}

TEST(Keys, GenerateRefusesDanglingSymlink) {
  TempDir dir;
  fs::create_symlink(dir / "elsewhere", dir / "k.pem");
  auto r = generate_keypair(Alg::eddsa, dir / "k.pem", dir / "k.pub.pem");
  ASSERT_FALSE(r.ok());
  EXPECT_FALSE(fs::exists(dir / "elsewhere"));
}

TEST(Keys, GenerateRefusesSamePathForBoth) {
  TempDir dir;
  auto r = generate_keypair(Alg::eddsa, dir / "k.pem", dir / "k.pem");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error(), HasSubstr("must differ"));
  EXPECT_FALSE(fs::exists(dir / "k.pem"));
}

TEST(Keys, GenerateNamesMissingDirectory) {
  TempDir dir;
  auto r = generate_keypair(Alg::eddsa, dir / "missing" / "k.pem", dir / "k.pub.pem");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error(), HasSubstr((dir / "missing" / "k.pem").string()));
  EXPECT_FALSE(fs::exists(dir / "k.pub.pem"));
}

TEST(Keys, GenerateNamesUnwritableDirectory) {
  // A directory that exists but takes no new file: read-only for its
  // owner; for root, whom file modes do not stop, sysfs, which refuses
  // new files to everyone.
  TempDir dir;
  fs::path ro = dir / "ro";
  fs::create_directory(ro);
  fs::permissions(ro, fs::perms::owner_read | fs::perms::owner_exec);
  if (::access(ro.c_str(), W_OK) == 0) ro = "/sys/kernel";
  if (!fs::is_directory(ro)) GTEST_SKIP() << ro << " is not a directory here";
  auto r = generate_keypair(Alg::eddsa, ro / "k.pem", dir / "k.pub.pem");
  fs::permissions(dir / "ro", fs::perms::owner_all);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error(), HasSubstr((ro / "k.pem").string()));
  EXPECT_FALSE(fs::exists(ro / "k.pem"));
  EXPECT_FALSE(fs::exists(dir / "k.pub.pem"));
}

TEST(TrustStoreLoad, DirectoryOfPemsSortedByName) {
  TempDir dir;
  ASSERT_TRUE(generate_keypair(Alg::eddsa, dir / "b.key", dir / "b.pem").ok());
  ASSERT_TRUE(generate_keypair(Alg::es256, dir / "a.key", dir / "a.pem").ok());
  write_text(dir / "README", "not a key, not *.pem: ignored");
  auto t = TrustStore::load(dir.path());
  ASSERT_TRUE(t.ok()) << t.error();
  ASSERT_EQ(t->keys().size(), 2u);
  EXPECT_EQ(t->keys()[0].origin, (dir / "a.pem").string());
  EXPECT_EQ(t->keys()[1].origin, (dir / "b.pem").string());
  EXPECT_NE(t->find(t->keys()[1].kid), nullptr);
  EXPECT_EQ(t->find(Kid{}), nullptr);
}

TEST(TrustStoreLoad, BadPemNamesTheFile) {
  TempDir dir;
  ASSERT_TRUE(generate_keypair(Alg::eddsa, dir / "a.key", dir / "a.pem").ok());
  write_text(dir / "b.pem", "garbage\n");
  auto t = TrustStore::load(dir.path());
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(t.error(), HasSubstr((dir / "b.pem").string() + ": not a PEM public key"));
}

TEST(TrustStoreLoad, PrivateKeyIsNotATrustedKey) {
  TempDir dir;
  ASSERT_TRUE(generate_keypair(Alg::eddsa, dir / "k.pem", dir / "k.pub").ok());
  auto t = TrustStore::load(dir / "k.pem");
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(t.error(), HasSubstr("not a PEM public key"));
}

TEST(TrustStoreLoad, EmptyDirectoryRefused) {
  TempDir dir;
  auto t = TrustStore::load(dir.path());
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(t.error(), HasSubstr("no *.pem public keys"));
}

TEST(TrustStoreLoad, MissingPathNamed) {
  TempDir dir;
  auto t = TrustStore::load(dir / "nope");
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(t.error(), HasSubstr((dir / "nope").string()));
}

TEST(TrustStoreLoad, SameKeyTwiceRefused) {
  TempDir dir;
  ASSERT_TRUE(generate_keypair(Alg::eddsa, dir / "k.key", dir / "a.pem").ok());
  fs::copy_file(dir / "a.pem", dir / "b.pem");
  auto t = TrustStore::load(dir.path());
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(t.error(), HasSubstr((dir / "b.pem").string() + ": the same key as " + (dir / "a.pem").string()));
}

TEST(TrustStoreLoad, UnsupportedKeyTypesRefused) {
  TempDir dir;
  EVP_PKEY* rsa1024 = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(1024));
  EVP_PKEY* p521 = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-521");
  ASSERT_NE(rsa1024, nullptr);
  ASSERT_NE(p521, nullptr);
  for (auto [pkey, file, why] : {std::tuple{rsa1024, "rsa.pem", "too small"},
                                 std::tuple{p521, "p521.pem", "unsupported key type"}}) {
    BIO* bio = BIO_new_file((dir / file).c_str(), "w");
    ASSERT_EQ(PEM_write_bio_PUBKEY(bio, pkey), 1);
    BIO_free(bio);
    auto t = TrustStore::load(dir / file);
    ASSERT_FALSE(t.ok());
    EXPECT_THAT(t.error(), HasSubstr((dir / file).string()));
    EXPECT_THAT(t.error(), HasSubstr(why));
    EVP_PKEY_free(pkey);
  }
}

TEST(SigningKeyLoad, FileUriThroughOsslStore) {
  TempDir dir;
  ASSERT_TRUE(generate_keypair(Alg::es384, dir / "k.pem", dir / "k.pub.pem").ok());
  auto by_path = load_signing_key((dir / "k.pem").string());
  auto by_uri = load_signing_key("file:" + (dir / "k.pem").string());
  ASSERT_TRUE(by_path.ok()) << by_path.error();
  ASSERT_TRUE(by_uri.ok()) << by_uri.error();
  EXPECT_EQ(by_uri->kid, by_path->kid);
  EXPECT_EQ(by_uri->alg, Alg::es384);
}

TEST(SigningKeyLoad, FileUriWithoutKeyNamesUri) {
  TempDir dir;
  write_text(dir / "empty.pem", "nothing here\n");
  const std::string uri = "file:" + (dir / "empty.pem").string();
  auto k = load_signing_key(uri);
  ASSERT_FALSE(k.ok());
  EXPECT_THAT(k.error(), HasSubstr(uri));
}

TEST(SigningKeyLoad, Pkcs11UriWithoutProviderExplains) {
  auto k = load_signing_key("pkcs11:token=none;object=none");
  ASSERT_FALSE(k.ok());
  EXPECT_THAT(k.error(), HasSubstr("pkcs11:token=none;object=none"));
}

TEST(SigningKeyLoad, MissingFileNamed) {
  auto k = load_signing_key("/nonexistent/bootseal.pem");
  ASSERT_FALSE(k.ok());
  EXPECT_THAT(k.error(), HasSubstr("/nonexistent/bootseal.pem: No such file"));
}

TEST(SigningKeyLoad, PublicKeyIsNotASigningKey) {
  TempDir dir;
  ASSERT_TRUE(generate_keypair(Alg::eddsa, dir / "k.pem", dir / "k.pub.pem").ok());
  auto k = load_signing_key((dir / "k.pub.pem").string());
  ASSERT_FALSE(k.ok());
  EXPECT_THAT(k.error(), HasSubstr("not an unencrypted PEM private key"));
}

}  // namespace
}  // namespace bootseal

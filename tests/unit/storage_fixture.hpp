// SPDX-License-Identifier: GPL-2.0-only
// Shared by the storage tests: a scratch directory, real keys and real
// sealed blobs, image files, and the corruption generators.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "bootseal/fileio.hpp"
#include "bootseal/partition.hpp"
#include "bootseal/policy.hpp"
#include "bootseal/seal.hpp"

namespace bootseal::storagetest {

namespace fs = std::filesystem;

class ScratchDir {
 public:
  ScratchDir() {
    std::string t = (fs::temp_directory_path() / "bootseal-test-XXXXXX").string();
    if (!::mkdtemp(t.data())) throw std::runtime_error("mkdtemp failed");
    path_ = t;
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  fs::path operator/(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

inline std::vector<uint8_t> read_bytes(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), {});
}

inline void write_bytes(const fs::path& p, const std::vector<uint8_t>& data) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}

// A sparse file of `size` zero bytes.
inline void make_image(const fs::path& p, uint64_t size) {
  { std::ofstream f(p, std::ios::binary | std::ios::trunc); }
  fs::resize_file(p, size);
}

// A signing key and a trust store holding its public half.
struct Keys {
  SigningKey signing;
  TrustStore trust;
};

inline Keys make_keys(const fs::path& dir, const std::string& name, Alg alg = Alg::eddsa) {
  const fs::path priv = dir / (name + ".key"), pub = dir / (name + ".pem");
  auto g = generate_keypair(alg, priv, pub);
  if (!g) throw std::runtime_error("generate_keypair: " + g.error());
  auto sk = load_signing_key(priv.string());
  if (!sk) throw std::runtime_error("load_signing_key: " + sk.error());
  auto ts = TrustStore::load(pub);
  if (!ts) throw std::runtime_error("TrustStore::load: " + ts.error());
  return Keys{*sk, *ts};
}

// A valid policy document; `rules` exec-deny rules make the blob larger.
inline Document make_document(uint64_t generation, size_t rules = 1, std::string name = "storage-test") {
  Document d;
  d.name = std::move(name);
  d.generation = generation;
  d.description = "generation " + std::to_string(generation);
  for (size_t i = 0; i < rules; ++i) {
    Rule r;
    r.action = Action::deny;
    r.operation = Operation::exec;
    r.object = Object{ObjectKind::path, std::pmr::string("/usr/local/bin/tool-" + std::to_string(i)), "", 0};
    d.rules.push_back(std::move(r));
  }
  return d;
}

inline std::vector<uint8_t> make_blob(const Keys& k, uint64_t generation, size_t rules = 1) {
  auto b = seal(make_document(generation, rules), k.signing);
  if (!b) throw std::runtime_error("seal: " + b.error());
  return *b;
}

inline std::unique_ptr<FileDevice> open_dev(const fs::path& p, bool writable = true) {
  auto d = FileDevice::open(p.string(), writable);
  if (!d) throw std::runtime_error(d.error());
  return std::move(d).value();
}

inline constexpr uint64_t kMiB = 1 << 20;

// Runs a shell command; true when it exited 0.
inline bool sh(const std::string& cmd) {
  const int rc = std::system(cmd.c_str());
  return rc != -1 && WIFEXITED(rc) && WEXITSTATUS(rc) == 0;
}

// Runs tests/generators/NAME on an image; true when it exited 0.
inline bool run_generator(const std::string& name, const fs::path& image) {
  return sh(std::string("sh '") + BOOTSEAL_SOURCE_ROOT + "/tests/generators/" + name + "' '" + image.string() + "'");
}

}  // namespace bootseal::storagetest

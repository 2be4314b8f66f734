// SPDX-License-Identifier: GPL-2.0-only
// bs-bench-floor: the floor bootseal-loader is measured against, run by
// scripts/bench-guest.sh in the guest's initramfs right before the loader,
// in the same boot. Never run it outside a QEMU guest: it installs the
// enforcer (with the policy's rules on inodes that do not exist) until it
// exits.
//
//   bs-bench-floor KEY.pem SEALED
//
// The floor is what any installer of this sealed policy must do whatever
// the files it names: load the trusted key, read the blob, check its
// signature once (EVP_DigestVerify over the Sig_structure, nothing else),
// then install into the enforcer what the loader installs, with the
// loader's own install(): the same BPF object with the same read-only
// constants, maps of the full size, every entry written with the batch
// fill, frozen, every program attached, pinned (in a bpffs of its own).
// Left out, as the work the loader does per rule: decoding and validating
// the document, and resolving its paths (every path gets an inode number
// of its own on a device that does not exist, so no rule matches a file).
// The floor takes the enforcer down again before it exits.
//
// Besides the floor it times, not in the floor: the library's full check
// (verify_sealed: envelope, signature, strict decoding, validate) on the
// same blob, and the bare signature check and verify_sealed a second time
// each (warm: the ratio of those two is the cost of decoding against the
// signature), so the loader's discover + verify + decode step can be split.
//
// Prints "BENCH floor step=NAME ms=X" lines (install's own steps: load,
// fill, attach, pin) and "BENCH floor hooks=N total_ms=X"; exits 0, or 1
// with "BENCH floor error=..." on any failure.
#include <openssl/evp.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bench-install.hpp"
#include "bootseal/fileio.hpp"

namespace {

int fail(const std::string& what) {
  std::printf("BENCH floor error=\"%s\"\n", what.c_str());
  return 1;
}

// The bare signature check over the Sig_structure.
bool signature_ok(EVP_PKEY* pkey, const bootseal::Envelope& env, const std::vector<uint8_t>& tbs) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok = ctx && EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, pkey) == 1 &&
                  EVP_DigestVerify(ctx, env.signature.data(), env.signature.size(), tbs.data(), tbs.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: bs-bench-floor KEY.pem SEALED\n");
    return 2;
  }
  double total = 0;
  auto step = [&](const char* name, double ms, bool in_floor) {
    std::printf("BENCH floor step=%s ms=%.2f%s\n", name, ms, in_floor ? "" : " (not in the floor)");
    if (in_floor) total += ms;
  };

  // The key and the blob.
  bootseal::Stopwatch t;
  auto trust = bootseal::TrustStore::load(argv[1]);
  if (!trust || trust->keys().empty()) return fail(std::string("cannot load the key ") + argv[1]);
  step("key", t.ms(), true);

  t.restart();
  auto sealed = bootseal::read_file(argv[2], bootseal::kMaxBlobSize);
  if (!sealed || sealed->empty()) return fail(sealed ? std::string(argv[2]) + " is empty" : sealed.error());
  const std::vector<uint8_t>& blob = *sealed;
  step("read", t.ms(), true);

  // The bare signature check. Finding the signed bytes in the envelope is
  // part of any verifier; building the Sig_structure copies the payload once.
  t.restart();
  bootseal::Envelope env;
  if (bootseal::parse_envelope(blob, &env) != bootseal::VerifyStatus::ok) return fail("malformed envelope");
  std::vector<uint8_t> tbs = bootseal::sig_structure(env.protected_bytes, env.payload);
  step("envelope", t.ms(), true);
  t.restart();
  auto* pkey = static_cast<EVP_PKEY*>(trust->keys().front().pkey.get());
  if (!signature_ok(pkey, env, tbs)) return fail("the signature does not verify with " + std::string(argv[1]));
  step("signature", t.ms(), true);

  // Not in the floor: the whole check the loader runs, for the split.
  t.restart();
  bootseal::Verified v;
  if (bootseal::verify_sealed(blob, *trust, &v) != bootseal::VerifyStatus::ok) return fail("verify_sealed failed");
  std::printf("BENCH floor rules=%zu\n", v.document.rules.size());
  step("verify_sealed", t.ms(), false);
  // Both again, warm (the first calls also set up OpenSSL's tables).
  t.restart();
  if (!signature_ok(pkey, env, tbs)) return fail("the second signature check failed");
  step("signature_warm", t.ms(), false);
  t.restart();
  bootseal::Verified again;
  if (bootseal::verify_sealed(blob, *trust, &again) != bootseal::VerifyStatus::ok)
    return fail("the second verify_sealed failed");
  step("verify_sealed_warm", t.ms(), false);

  // Not in the floor: the map entries, every path on an inode of its own
  // (no file is looked up).
  t.restart();
  uint64_t next_ino = 1;
  std::map<std::string, uint64_t> dirs;
  auto dir_inode = [&](const std::string& dir) {
    auto [it, added] = dirs.try_emplace(dir, next_ino);
    if (added) ++next_ino;
    return bootseal::loader::InodeId{1, it->second};
  };
  bootseal::loader::Compiled compiled = bootseal::loader::compile(
      v.document,
      [&](const std::string&, std::string*) {
        return std::optional<bootseal::loader::InodeId>(bootseal::loader::InodeId{1, next_ino++});
      },
      [](const std::string&, std::string* error) {
        *error = "not resolved by the floor";
        return std::optional<bootseal::loader::DeviceId>();
      },
      [&](const std::string& path, std::string*) {
        // As the loader's resolver: the object, its name in its directory,
        // every directory above it (one inode each, shared by the paths
        // under it), so the names and ancestors maps are as full.
        bootseal::loader::NameResolution r;
        r.object = bootseal::loader::InodeId{1, next_ino++};
        r.fs_magic = 0xef53;  // ext4, as the guest's root
        std::string dir = "/";
        size_t at = 1;
        for (size_t slash; (slash = path.find('/', at)) != std::string::npos; at = slash + 1) {
          r.ancestors[dir_inode(dir)] |= BS_ANCESTOR_DIR;
          dir = path.substr(0, slash);
        }
        r.ancestors[dir_inode(dir)] |= BS_ANCESTOR_DIR;
        r.names.push_back({dir_inode(dir), path.substr(at)});
        return std::optional<bootseal::loader::NameResolution>(r);
      });
  compiled.mode = v.document.mode == bootseal::Mode::permissive ? BS_MODE_PERMISSIVE : BS_MODE_ENFORCE;
  step("compile", t.ms(), false);

  // The install, as the loader's: its steps are the floor's.
  const bootseal::bench::BenchPins pins{"/run/bs-bench-floor"};
  auto installed = bootseal::bench::install_for_bench(
      v, compiled, "/", pins, [&](const std::string& name, const std::string&, double ms) {
        step(name.c_str(), ms, true);
      });
  if (!installed) return fail("install: " + installed.error());
  std::printf("BENCH floor hooks=%d total_ms=%.2f\n", installed->hooks, total);

  t.restart();
  if (!bootseal::bench::take_down(pins)) return fail("cannot take the enforcer down under " + pins.dir());
  step("detach", t.ms(), false);
  return 0;
}

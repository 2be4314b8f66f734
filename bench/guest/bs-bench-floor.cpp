// SPDX-License-Identifier: GPL-2.0-only
// bs-bench-floor: the floor bootseal-loader is measured against, run by
// scripts/bench-guest.sh in the guest's initramfs right before the loader,
// in the same boot. Never run it outside a QEMU guest: it attaches the
// enforcer's LSM programs (with empty maps, everything allowed) until it
// exits.
//
//   bs-bench-floor KEY.pem SEALED
//
// The floor is what any installer of this sealed policy must do whatever
// its size: load the trusted key, read the blob, check its signature
// (EVP_DigestVerify over the Sig_structure, nothing else), then load the
// same BPF object as the loader with its policy maps left empty, freeze
// them and attach every program. On exit the links are closed and the
// programs detach.
//
// The BPF object gets the read-only constants the loader would set for this
// policy (mode, per-operation defaults and rule kinds, which decide what
// the verifier has to check), so only the per-rule work is left out.
//
// Besides the floor it times the library's full check (verify_sealed:
// envelope, signature, strict decoding, validate) on the same blob, so the
// loader's discover + verify + decode step can be split.
//
// Prints "BENCH floor step=NAME ms=X" lines and "BENCH floor total_ms=X";
// exits 0, or 1 with "BENCH floor error=..." on any failure.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <openssl/evp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "bootseal.skel.h"
#include "bootseal/fileio.hpp"
#include "bootseal/loader/compiler.hpp"
#include "bootseal/seal.hpp"

namespace {

int fail(const std::string& what) {
  std::printf("BENCH floor error=\"%s\"\n", what.c_str());
  return 1;
}

int quiet_libbpf(enum libbpf_print_level level, const char* fmt, va_list ap) {
  if (level == LIBBPF_DEBUG) return 0;
  return std::vfprintf(stderr, fmt, ap);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: bs-bench-floor KEY.pem SEALED\n");
    return 2;
  }
  libbpf_set_print(quiet_libbpf);
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
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  int ok = ctx && EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, pkey) == 1 &&
           EVP_DigestVerify(ctx, env.signature.data(), env.signature.size(), tbs.data(), tbs.size()) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok) return fail("the signature does not verify with " + std::string(argv[1]));
  step("signature", t.ms(), true);

  // Not in the floor: the whole check the loader runs, for the split.
  t.restart();
  bootseal::Verified v;
  if (bootseal::verify_sealed(blob, *trust, &v) != bootseal::VerifyStatus::ok) return fail("verify_sealed failed");
  std::printf("BENCH floor rules=%zu\n", v.document.rules.size());
  step("verify_sealed", t.ms(), false);

  // Not in the floor: the per-operation defaults and rule kinds the loader
  // sets as read-only constants. They are the same for every size of this
  // policy, and the verifier prunes the levels of an operation that has no
  // rules: the floor must verify the same code. Paths are not resolved
  // (every one gets an inode of its own): only the kinds matter here.
  t.restart();
  uint64_t next_ino = 1;
  bootseal::loader::Compiled compiled =
      bootseal::loader::compile(v.document, [&](const std::string&, std::string*) {
        return std::optional<bootseal::loader::InodeId>(bootseal::loader::InodeId{1, next_ino++});
      });
  step("kinds", t.ms(), false);

  // The same BPF object with the same constants, policy maps empty
  // (max_entries 1, no entries).
  t.restart();
  bootseal_bpf* skel = bootseal_bpf__open();
  if (!skel) return fail(std::string("cannot open the enforcer object: ") + bootseal::errno_text(errno));
  struct Cleanup {
    bootseal_bpf* s;
    ~Cleanup() { bootseal_bpf__destroy(s); }
  } cleanup{skel};
  skel->rodata->bs_mode = v.document.mode == bootseal::Mode::permissive ? BS_MODE_PERMISSIVE : BS_MODE_ENFORCE;
  for (size_t i = 0; i < 8; ++i) {
    skel->rodata->bs_defaults[i] = compiled.defaults[i];
    skel->rodata->bs_kinds[i] = compiled.kinds[i];
  }
  if (int err = bootseal_bpf__load(skel); err) return fail("load: " + std::string(bootseal::errno_text(-err)));
  step("load", t.ms(), true);

  t.restart();
  for (bpf_map* m : {skel->maps.rules, skel->maps.subjects, skel->maps.fsnames})
    if (bpf_map_freeze(bpf_map__fd(m)) != 0) return fail(std::string("freeze: ") + bootseal::errno_text(errno));
  step("freeze", t.ms(), true);

  t.restart();
  {
    // As the loader does: this task is trusted by the self-protection.
    bootseal::UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, ::getpid(), 0)));
    const int key = pidfd.get();
    __u32 one = 1;
    if (!pidfd || bpf_map_update_elem(bpf_map__fd(skel->maps.trusted), &key, &one, BPF_ANY) != 0)
      return fail(std::string("cannot mark the task trusted: ") + bootseal::errno_text(errno));
  }
  if (int err = bootseal_bpf__attach(skel); err) return fail("attach: " + std::string(bootseal::errno_text(-err)));
  int hooks = 0;
  for (int i = 0; i < skel->skeleton->prog_cnt; ++i) hooks += *skel->skeleton->progs[i].link != nullptr;
  step("attach", t.ms(), true);
  std::printf("BENCH floor hooks=%d total_ms=%.2f\n", hooks, total);

  t.restart();
  bootseal_bpf__destroy(skel);
  cleanup.s = nullptr;
  step("detach", t.ms(), false);
  return 0;
}

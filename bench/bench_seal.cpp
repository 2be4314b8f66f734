// SPDX-License-Identifier: GPL-2.0-only
// The seal path: compile (policy text -> Document), seal, decode, verify,
// for policies of 10, 1k, 10k and 100k rules, against the floor: the bare
// Ed25519 signature check over the same Sig_structure bytes.
//
// Counters printed per benchmark: blob_bytes, and for Verify the peak heap
// (operator new and OpenSSL allocations) as a multiple of the blob size.
#include <benchmark/benchmark.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <new>
#include <string>
#include <unistd.h>

#include "bootseal/language.hpp"
#include "bootseal/seal.hpp"

// --- heap accounting ---------------------------------------------------------
// A size header in front of every block lets frees subtract exactly.
namespace {
std::atomic<size_t> g_live{0};
std::atomic<size_t> g_peak{0};

void* counted_alloc(size_t n) {
  auto* p = static_cast<size_t*>(std::malloc(n + 16));
  if (!p) return nullptr;
  *p = n;
  size_t live = g_live.fetch_add(n) + n;
  size_t peak = g_peak.load();
  while (live > peak && !g_peak.compare_exchange_weak(peak, live)) {
  }
  return reinterpret_cast<char*>(p) + 16;
}
void counted_free(void* q) {
  if (!q) return;
  auto* p = reinterpret_cast<size_t*>(static_cast<char*>(q) - 16);
  g_live.fetch_sub(*p);
  std::free(p);
}
void* counted_realloc(void* q, size_t n) {
  if (!q) return counted_alloc(n);
  auto* p = reinterpret_cast<size_t*>(static_cast<char*>(q) - 16);
  size_t old = *p;
  void* r = counted_alloc(n);
  if (!r) return nullptr;
  std::memcpy(r, q, old < n ? old : n);
  counted_free(q);
  return r;
}
void* ossl_malloc(size_t n, const char*, int) { return counted_alloc(n); }
void* ossl_realloc(void* p, size_t n, const char*, int) { return counted_realloc(p, n); }
void ossl_free(void* p, const char*, int) { counted_free(p); }
[[maybe_unused]] const bool g_ossl_counted = CRYPTO_set_mem_functions(ossl_malloc, ossl_realloc, ossl_free);
}  // namespace

void* operator new(size_t n) {
  if (void* p = counted_alloc(n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { counted_free(p); }
void operator delete(void* p, size_t) noexcept { counted_free(p); }

// --- fixtures ----------------------------------------------------------------
namespace {
using namespace bootseal;

// A realistic mix: exact paths, subtrees, subject rules, exceptions, capabilities.
Document make_policy(size_t rules) {
  Document d;
  d.name = "bench-" + std::to_string(rules);
  d.generation = 7;
  d.description = "generated for the seal-path benchmark";
  d.defaults[static_cast<size_t>(Operation::module_load)] = Action::deny;
  for (size_t i = 0; i < rules; ++i) {
    Rule r;
    std::string n = std::to_string(i);
    switch (i % 5) {
      case 0:
        r.action = Action::deny;
        r.operation = Operation::exec;
        r.object = Object{ObjectKind::path, std::pmr::string("/opt/vendor/bin/tool-" + n), "", 0};
        break;
      case 1:
        r.action = Action::allow;
        r.operation = Operation::read;
        r.object = Object{ObjectKind::subtree, std::pmr::string("/srv/data/project-" + n), "", 0};
        r.subject = "/usr/libexec/worker-" + n;
        break;
      case 2:
        r.action = Action::deny;
        r.operation = Operation::write;
        r.object = Object{ObjectKind::path, std::pmr::string("/etc/app/conf-" + n + ".d/main.conf"), "", 0};
        r.exceptions = {"/usr/bin/app-admin", std::pmr::string("/usr/sbin/app-update-" + n)};
        break;
      case 3:
        r.action = Action::audit;
        r.operation = Operation::exec;
        r.object = Object{ObjectKind::subtree, std::pmr::string("/home/user-" + n), "", 0};
        break;
      case 4:
        r.action = Action::deny;
        r.operation = Operation::capability;
        r.object = Object{ObjectKind::capability, "", "", static_cast<uint32_t>(i % kCapabilityCount)};
        r.subject = "/usr/bin/daemon-" + n;
        break;
    }
    d.rules.push_back(std::move(r));
  }
  return d;
}

struct Fixture {
  Document doc;
  std::string text;
  SigningKey key;
  TrustStore trust;
  std::vector<uint8_t> blob;
  Envelope env;
  std::vector<uint8_t> sig_structure;
};

Fixture& fixture(size_t rules) {
  static std::map<size_t, Fixture> cache;
  auto it = cache.find(rules);
  if (it != cache.end()) return it->second;
  // The key pair lives in a temporary directory removed at exit.
  struct TempDir {
    std::filesystem::path path;
    TempDir() {
      char tmpl[] = "/tmp/bootseal-bench.XXXXXX";
      if (!mkdtemp(tmpl)) std::abort();
      path = tmpl;
    }
    ~TempDir() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  };
  static const TempDir tmp;
  const std::filesystem::path& dir = tmp.path;
  static bool keys = [] {
    if (auto r = generate_keypair(Alg::eddsa, dir / "key.pem", dir / "pub.pem"); !r) std::abort();
    return true;
  }();
  (void)keys;
  Fixture f;
  f.doc = make_policy(rules);
  f.text = format_policy(f.doc);
  f.key = load_signing_key((dir / "key.pem").string()).value();
  f.trust = TrustStore::load(dir / "pub.pem").value();
  f.blob = seal(f.doc, f.key).value();
  if (parse_envelope(f.blob, &f.env) != VerifyStatus::ok) std::abort();
  // Built once, outside the timed loop: the floor is the signature check alone.
  f.sig_structure = sig_structure(f.env.protected_bytes, f.env.payload);
  return cache.emplace(rules, std::move(f)).first->second;
}

void set_common(benchmark::State& state, const Fixture& f) {
  state.counters["blob_bytes"] = static_cast<double>(f.blob.size());
  state.counters["rules"] = static_cast<double>(f.doc.rules.size());
}

void BM_Compile(benchmark::State& state) {
  Fixture& f = fixture(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    auto d = parse_policy(f.text, "bench.policy");
    benchmark::DoNotOptimize(d);
  }
  set_common(state, f);
}

void BM_Seal(benchmark::State& state) {
  Fixture& f = fixture(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    auto b = seal(f.doc, f.key);
    benchmark::DoNotOptimize(b);
  }
  set_common(state, f);
}

void BM_Decode(benchmark::State& state) {
  Fixture& f = fixture(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    auto d = decode_document(f.env.payload);
    benchmark::DoNotOptimize(d);
  }
  set_common(state, f);
}

// The whole check the loader runs: envelope, signature, decode, validate.
void BM_VerifyAndDecode(benchmark::State& state) {
  Fixture& f = fixture(static_cast<size_t>(state.range(0)));
  size_t peak = 0;
  for (auto _ : state) {
    size_t base = g_live.load();
    g_peak.store(base);
    Verified v;
    VerifyStatus st = verify_sealed(f.blob, f.trust, &v);
    if (st != VerifyStatus::ok) state.SkipWithError("verification failed");
    benchmark::DoNotOptimize(v);
    peak = std::max(peak, g_peak.load() - base);
  }
  set_common(state, f);
  state.counters["peak_heap_bytes"] = static_cast<double>(peak);
  state.counters["peak_heap_x_blob"] = static_cast<double>(peak) / static_cast<double>(f.blob.size());
}

// The floor: Ed25519 over the same Sig_structure bytes, nothing else.
void BM_SignatureFloor(benchmark::State& state) {
  Fixture& f = fixture(static_cast<size_t>(state.range(0)));
  auto* pkey = static_cast<EVP_PKEY*>(f.trust.keys().front().pkey.get());
  for (auto _ : state) {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, pkey);
    int ok = EVP_DigestVerify(ctx, f.env.signature.data(), f.env.signature.size(), f.sig_structure.data(),
                              f.sig_structure.size());
    EVP_MD_CTX_free(ctx);
    if (ok != 1) state.SkipWithError("floor signature check failed");
  }
  set_common(state, f);
}

#define SIZES Arg(10)->Arg(1000)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond)
BENCHMARK(BM_Compile)->SIZES;
BENCHMARK(BM_Seal)->SIZES;
BENCHMARK(BM_Decode)->SIZES;
BENCHMARK(BM_VerifyAndDecode)->SIZES;
BENCHMARK(BM_SignatureFloor)->SIZES;

}  // namespace

BENCHMARK_MAIN();

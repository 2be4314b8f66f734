// SPDX-License-Identifier: GPL-2.0-only
// Storage: installing a 1 MiB sealed blob into a partition image (verify,
// classify both slots, write, fsync twice, read back and verify), reading
// and classifying that partition, and discovery over a 4-partition GPT
// disk image (libblkid probe, two bootseal partitions read and verified).
//
// The images live in $TMPDIR (default /tmp); fsync figures depend on it.
#include <benchmark/benchmark.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "bootseal/discovery.hpp"
#include "bootseal/partition.hpp"
#include "bootseal/seal.hpp"

namespace {

namespace fs = std::filesystem;
using namespace bootseal;

constexpr uint64_t kMiB = 1 << 20;

struct Fixture {
  fs::path dir;
  SigningKey key;
  TrustStore trust;

  Fixture() {
    std::string t = (fs::temp_directory_path() / "bootseal-bench-XXXXXX").string();
    if (!::mkdtemp(t.data())) throw std::runtime_error("mkdtemp");
    dir = t;
    if (!generate_keypair(Alg::eddsa, dir / "k.key", dir / "k.pem")) throw std::runtime_error("keygen");
    key = *load_signing_key((dir / "k.key").string());
    trust = *TrustStore::load(dir / "k.pem");
  }
  ~Fixture() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }

  // A sealed policy of at least `min_bytes`, made of exec-deny path rules.
  std::vector<uint8_t> blob(uint64_t generation, size_t min_bytes) const {
    Document d;
    d.name = "bench";
    d.generation = generation;
    size_t i = 0;
    for (;;) {
      Rule r;
      r.action = Action::deny;
      r.operation = Operation::exec;
      r.object = Object{ObjectKind::path,
                        std::pmr::string("/usr/local/lib/bench/some/longer/directory/name/tool-" + std::to_string(i++)),
                        "", 0};
      d.rules.push_back(std::move(r));
      if (d.rules.size() % 1000 == 0 && encode_document(d).size() >= min_bytes) break;
      if (min_bytes < 4096 && d.rules.size() >= 10) break;
    }
    auto b = seal(d, key);
    if (!b) throw std::runtime_error("seal: " + b.error());
    return *b;
  }

  fs::path image(const std::string& name, uint64_t size) const {
    const fs::path p = dir / name;
    { std::ofstream f(p, std::ios::binary | std::ios::trunc); }
    fs::resize_file(p, size);
    return p;
  }
};

std::unique_ptr<FileDevice> open_rw(const fs::path& p, uint64_t offset = 0, std::optional<uint64_t> len = {}) {
  auto d = FileDevice::open(p.string(), true, offset, len);
  if (!d) throw std::runtime_error(d.error());
  return std::move(d).value();
}

void BM_Install1MiB(benchmark::State& state) {
  Fixture fx;
  const auto blob = fx.blob(1, kMiB);
  const fs::path img = fx.image("part.img", 4 * kMiB);
  auto dev = open_rw(img);
  if (!format_partition(*dev)) throw std::runtime_error("format");
  for (auto _ : state) {
    auto r = install_blob(*dev, blob, fx.trust);  // same generation: alternates A, B, A, ...
    if (!r.ok()) {
      state.SkipWithError(r.error().c_str());
      break;
    }
  }
  state.counters["blob_bytes"] = static_cast<double>(blob.size());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * blob.size()));
}
BENCHMARK(BM_Install1MiB)->Unit(benchmark::kMillisecond)->MinTime(2.0);

void BM_ReadPartition1MiB(benchmark::State& state) {
  Fixture fx;
  const fs::path img = fx.image("part.img", 4 * kMiB);
  auto dev = open_rw(img);
  if (!format_partition(*dev)) throw std::runtime_error("format");
  const auto blob = fx.blob(1, kMiB);
  for (int i = 0; i < 2; ++i)
    if (!install_blob(*dev, blob, fx.trust).ok()) throw std::runtime_error("install");
  for (auto _ : state) {
    auto st = read_partition(*dev, &fx.trust);
    if (!st || !st->serving) {
      state.SkipWithError("no serving slot");
      break;
    }
    benchmark::DoNotOptimize(st->serving);
  }
  state.counters["blob_bytes"] = static_cast<double>(blob.size());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * 2 * blob.size()));
}
BENCHMARK(BM_ReadPartition1MiB)->Unit(benchmark::kMillisecond)->MinTime(1.0);

// A GPT disk image: ESP, root, bootseal (type GUID), data named "bootseal".
fs::path make_disk(const Fixture& fx) {
  const fs::path disk = fx.image("disk.img", 8 * kMiB);
  const fs::path script = fx.dir / "disk.sfdisk";
  std::ofstream(script) << "label: gpt\n"
                           "start=2048, size=2048, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name=esp\n"
                           "start=4096, size=2048, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name=root\n"
                           "start=6144, size=2048, type=" << kPartitionTypeGuid << ", name=policy\n"
                           "start=8192, size=2048, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name=bootseal\n";
  const std::string cmd = "sfdisk --quiet --no-reread --no-tell-kernel '" + disk.string() + "' < '" +
                          script.string() + "' >/dev/null";
  const int rc = std::system(cmd.c_str());
  if (rc == -1 || !WIFEXITED(rc) || WEXITSTATUS(rc) != 0) throw std::runtime_error("sfdisk failed");
  for (uint64_t start : {3 * kMiB, 4 * kMiB}) {
    auto dev = open_rw(disk, start, kMiB);
    if (!format_partition(*dev)) throw std::runtime_error("format");
    for (uint64_t g : {1, 2})
      if (!install_blob(*dev, fx.blob(g, 0), fx.trust).ok()) throw std::runtime_error("install");
  }
  return disk;
}

void BM_Discovery4Partitions(benchmark::State& state) {
  Fixture fx;
  const fs::path disk = make_disk(fx);
  DiscoveryRequest req;
  req.devices = {disk.string()};
  req.trust = &fx.trust;
  for (auto _ : state) {
    auto rep = discover(req);
    if (rep.candidates.size() != 2) {
      state.SkipWithError("expected two candidates");
      break;
    }
    benchmark::DoNotOptimize(rep.chosen);
  }
}
BENCHMARK(BM_Discovery4Partitions)->Unit(benchmark::kMicrosecond)->MinTime(1.0);

void BM_Probe4Partitions(benchmark::State& state) {
  Fixture fx;
  const fs::path disk = make_disk(fx);
  for (auto _ : state) {
    auto p = probe_device(disk.string());
    if (!p || p->partitions.size() != 4) {
      state.SkipWithError("expected four partitions");
      break;
    }
    benchmark::DoNotOptimize(p->partitions.data());
  }
}
BENCHMARK(BM_Probe4Partitions)->Unit(benchmark::kMicrosecond)->MinTime(1.0);

}  // namespace

BENCHMARK_MAIN();

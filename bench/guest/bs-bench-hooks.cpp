// SPDX-License-Identifier: GPL-2.0-only
// bs-bench-hooks: what each hook of the enforcer costs, beside the cost of
// the system call it guards, in one boot. Run by scripts/bench-guest.sh in
// the guest's initramfs before the loader. Never run it outside a QEMU
// guest: it installs the enforcer (as the loader does) until it exits.
//
//   bs-bench-hooks ROOT KEY.pem SEALED OPS ROUNDS EXEC_N FILE_N
//
// ROOT is the mounted root the policy names (the loader's --root), OPS the
// guest's bs-bench-ops. Steps:
//
//  1. verify SEALED with KEY.pem and compile it against ROOT, with the
//     loader's own compiler and resolvers;
//  2. "off": each workload below ROUNDS times, no enforcer in the kernel;
//     then the anchors BENCHMARKS.md compares with, each left out where
//     the kernel cannot: "landlock", the same, each child under a Landlock
//     domain that handles every file system right and allows them all
//     beneath /; "apparmor", each child in the AppArmor profile bs-bench
//     (every file access allowed), which bench-hook.sh loads first;
//  3. install the policy with the loader's own install() (same object,
//     read-only constants, maps and fill; pinned in a bpffs of its own);
//  4. "on": the same workloads ROUNDS times, the enforcer in force;
//  5. "stats": kernel.bpf_stats_enabled (BPF_ENABLE_STATS) on, each
//     workload twice more, with N and 2N operations (open-many: 1 and N);
//     every program's run_cnt and run_time_ns (bpf_prog_info) before and
//     after each run. How often each program runs per operation is the
//     difference of the two runs' counts (without the child's start, its
//     warm-up or this task's reading of the figures; programs that ran
//     fewer than N/2 times more are left out), what one run costs is its
//     mean over the larger run; their products, summed, are what the
//     hooks cost per operation;
//  6. unpin everything and unmount its bpffs: the enforcer detaches.
//
// The workloads (each one `OPS op NAME N BIN FILE` in a child process,
// which is never trusted by the enforcer):
//   exec          vfork + execve + waitpid of ROOT/usr/bin/bs-true, EXEC_N
//   open          open+close of ROOT/usr/share/bench/data (no rule names
//                 it), FILE_N
//   stat          stat of the same file (no hook: the control), FILE_N
//   mmapx         mmap PROT_EXEC of bs-true, FILE_N
//   open-match    open+close of ROOT/srv/bench/g0/r8 (an `audit read path`
//                 rule matches: a decision and an audit record), FILE_N
//   open-subject  open as the named subject ROOT/usr/lib/bench/reader (a
//                 copy of bs-bench-ops), FILE_N
//   open-many     open+close of ROOT/srv/bench/gI/r6 for FILE_N distinct
//                 files (as many as there are), after one warming pass
// A workload whose file does not exist (a small policy's tree) is left out.
//
// Prints, per workload and round,
//   BENCH hooks op=NAME phase=off|landlock|apparmor|on round=K n=N ns_per_op=X
// per workload and program that ran per operation,
//   BENCH hooks op=NAME prog=PROG runs=R ns_per_run=T
// and per workload the medians and the hooks' cost per operation:
//   BENCH hooks op=NAME off_ns=X on_ns=Y hook_ns=Z runs_per_op=R [landlock_ns=L] [apparmor_ns=A]
// Exits 0, or 1 with "BENCH hooks error=..." on any failure.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "bootseal/fileio.hpp"
#include "bootseal/loader/compiler.hpp"
#include "bootseal/seal.hpp"
#include "bench-install.hpp"

namespace {

int fail(const std::string& what) {
  std::printf("BENCH hooks error=\"%s\"\n", what.c_str());
  return 1;
}

struct Workload {
  std::string name;  // as printed
  std::string op;    // bs-bench-ops op NAME
  std::string runner;
  long n = 0;
  std::string bin, file;
  std::string confine;  // "", or the anchor the child confines itself to first: landlock, apparmor
};

// Runs one workload in a child and returns its ns per operation, < 0 on
// failure (the child's output is passed through on failure only).
double run_workload(const Workload& w) {
  int pipefd[2];
  if (::pipe(pipefd) != 0) return -1;
  std::fflush(stdout);
  pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    ::dup2(pipefd[1], 1);
    ::close(pipefd[0]);
    ::close(pipefd[1]);
    std::string n = std::to_string(w.n);
    ::execl(w.runner.c_str(), w.runner.c_str(), "op", w.op.c_str(), n.c_str(), w.bin.c_str(), w.file.c_str(),
            w.confine.empty() ? static_cast<char*>(nullptr) : w.confine.c_str(), static_cast<char*>(nullptr));
    std::printf("cannot execute %s: %s\n", w.runner.c_str(), std::strerror(errno));
    std::fflush(stdout);
    ::_exit(127);
  }
  ::close(pipefd[1]);
  std::string out;
  char buf[512];
  ssize_t r;
  while ((r = ::read(pipefd[0], buf, sizeof(buf))) > 0) out.append(buf, static_cast<size_t>(r));
  ::close(pipefd[0]);
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::printf("BENCH hooks op=%s child status %d, output: %s\n", w.name.c_str(), status, out.c_str());
    return -1;
  }
  const auto at = out.find("ns_per_op=");
  if (at == std::string::npos) return -1;
  return std::strtod(out.c_str() + at + 10, nullptr);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct ProgStat {
  std::string name;
  uint64_t runs = 0, ns = 0;
};

uint32_t last_prog_id() {
  uint32_t id = 0, next = 0;
  while (bpf_prog_get_next_id(id, &next) == 0) id = next;
  return id;
}

// The enforcer's programs (ids above `after`, loaded by install()): name,
// run count and run time. This task is the one install() marked trusted,
// so the enforcer lets it have fds to them.
std::map<uint32_t, ProgStat> prog_stats(uint32_t after) {
  std::map<uint32_t, ProgStat> out;
  uint32_t id = after, next = 0;
  while (bpf_prog_get_next_id(id, &next) == 0) {
    id = next;
    bootseal::UniqueFd fd(bpf_prog_get_fd_by_id(id));
    if (!fd) continue;
    bpf_prog_info info{};
    __u32 len = sizeof(info);
    if (bpf_obj_get_info_by_fd(fd.get(), &info, &len) != 0) continue;
    if (std::strncmp(info.name, "bs_", 3) != 0) continue;
    out[id] = ProgStat{info.name, info.run_cnt, info.run_time_ns};
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 8) {
    std::fprintf(stderr, "usage: bs-bench-hooks ROOT KEY.pem SEALED OPS ROUNDS EXEC_N FILE_N\n");
    return 2;
  }
  const std::string root = argv[1], ops = argv[4];
  const int rounds = std::atoi(argv[5]);
  const long exec_n = std::atol(argv[6]), file_n = std::atol(argv[7]);
  if (rounds < 1 || exec_n < 1 || file_n < 1) return fail("ROUNDS, EXEC_N and FILE_N must be at least 1");

  // 1. verify and compile, as the loader does.
  auto trust = bootseal::TrustStore::load(argv[2]);
  if (!trust || trust->keys().empty()) return fail(std::string("cannot load the key ") + argv[2]);
  auto sealed = bootseal::read_file(argv[3], bootseal::kMaxBlobSize);
  if (!sealed) return fail(sealed.error());
  bootseal::Verified v;
  if (bootseal::verify_sealed(*sealed, *trust, &v) != bootseal::VerifyStatus::ok)
    return fail(std::string(argv[3]) + " does not verify with " + argv[2]);
  auto resolver = bootseal::loader::RootResolver::open(root);
  if (!resolver) return fail(resolver.error());
  if (auto fstab = bootseal::read_file(root + "/etc/fstab", 1 << 20))
    resolver->set_fstab_mount_points(
        bootseal::loader::parse_fstab_mount_points(std::string(fstab->begin(), fstab->end())));
  bootseal::loader::Compiled compiled =
      bootseal::loader::compile(v.document, resolver->resolver(), bootseal::loader::system_device_resolver(root),
                                resolver->name_resolver());
  compiled.mode = v.document.mode == bootseal::Mode::permissive ? BS_MODE_PERMISSIVE : BS_MODE_ENFORCE;

  // The workloads whose files exist.
  const std::string bin = root + "/usr/bin/bs-true", data = root + "/usr/share/bench/data";
  std::vector<Workload> all = {
      {"exec", "exec", ops, exec_n, bin, data, ""},
      {"open", "open", ops, file_n, bin, data, ""},
      {"stat", "stat", ops, file_n, bin, data, ""},
      {"mmapx", "mmapx", ops, file_n, bin, data, ""},
      {"open-match", "open", ops, file_n, bin, root + "/srv/bench/g0/r8", ""},
      {"open-subject", "open", root + "/usr/lib/bench/reader", file_n, bin, data, ""},
  };
  long dirs = 0;
  while (dirs < file_n && ::access((root + "/srv/bench/g" + std::to_string(dirs) + "/r6").c_str(), F_OK) == 0)
    ++dirs;
  if (dirs > 0) all.push_back({"open-many", "openmany", ops, dirs, bin, root + "/srv/bench", ""});
  std::vector<Workload> work;
  for (auto& w : all)
    if (::access(w.runner.c_str(), X_OK) == 0 && (w.op == "openmany" || ::access(w.file.c_str(), F_OK) == 0))
      work.push_back(w);
  // One warming pass of every workload: page cache, dentries, inodes.
  for (const auto& w : work)
    if (run_workload(w) < 0) return fail("workload " + w.name + " failed without the enforcer");

  // 2. off, 4. on.
  std::map<std::string, std::vector<double>> off, on;
  auto measure = [&](const char* phase, std::map<std::string, std::vector<double>>* into) {
    for (int r = 1; r <= rounds; ++r)
      for (const auto& w : work) {
        double ns = run_workload(w);
        if (ns < 0) return false;
        (*into)[w.name].push_back(ns);
        std::printf("BENCH hooks op=%s phase=%s round=%d n=%ld ns_per_op=%.1f\n", w.name.c_str(), phase, r, w.n, ns);
      }
    return true;
  };
  if (!measure("off", &off)) return fail("a workload failed without the enforcer");
  // 2b. The anchors, where the kernel has them.
  std::map<std::string, std::map<std::string, std::vector<double>>> anchors;  // anchor -> workload -> ns
  for (const char* anchor : {"landlock", "apparmor"}) {
    std::vector<Workload> plain = work;
    for (auto& w : work) w.confine = anchor;
    if (!measure(anchor, &anchors[anchor])) {
      std::printf("BENCH hooks %s unavailable\n", anchor);
      anchors.erase(anchor);
    }
    work = std::move(plain);
  }

  // 3. install.
  const bootseal::bench::BenchPins pins{"/run/bs-bench-hooks"};
  const uint32_t before = last_prog_id();
  auto installed = bootseal::bench::install_for_bench(v, compiled, root, pins,
                                                      [](const std::string&, const std::string&, double) {});
  if (!installed) return fail("install: " + installed.error());
  std::printf("BENCH hooks installed hooks=%d rules=%zu entries=%zu\n", installed->hooks, v.document.rules.size(),
              compiled.rules.size());

  int rc = 0;
  if (!measure("on", &on)) {
    rc = fail("a workload failed with the enforcer in force");
  } else {
    // 5. stats.
    bootseal::UniqueFd stats(bpf_enable_stats(BPF_STATS_RUN_TIME));
    if (!stats) rc = fail(std::string("BPF_ENABLE_STATS: ") + bootseal::errno_text(errno));
    // Each workload twice, with N and with 2N operations: the difference
    // is what N operations cost the hooks, without this task's own reading
    // of the figures, the child's start or its warm-up.
    auto stats_run = [&](Workload w, std::map<uint32_t, ProgStat>* delta) {
      auto a = prog_stats(before);
      if (a.empty() || run_workload(w) < 0) return false;
      for (auto& [id, s] : prog_stats(before)) {
        auto it = a.find(id);
        if (it == a.end()) continue;
        s.runs -= it->second.runs;
        s.ns -= it->second.ns;
        (*delta)[id] = s;
      }
      return true;
    };
    for (const auto& w : work) {
      if (rc) break;
      std::map<uint32_t, ProgStat> once, twice;
      Workload w2 = w;
      w2.n = 2 * w.n;
      if (w.op == "openmany") w2.n = w.n;  // as many files as there are: N against 0
      Workload w1 = w;
      if (w.op == "openmany") w1.n = 1;
      if (!stats_run(w1, &once) || !stats_run(w2, &twice)) {
        rc = fail("workload " + w.name + " failed with statistics on");
        break;
      }
      const double ops = static_cast<double>(w2.n - w1.n);
      double ns = 0, runs = 0;
      for (const auto& [id, s] : twice) {
        const ProgStat& o = once[id];
        // How often a program runs per operation: what grows with the
        // operations (this task's bpf() calls and the child's start are
        // in both runs); what one run costs: its mean over the larger run
        // (a difference of two sums would carry the noise of both).
        const double dr = static_cast<double>(s.runs) - static_cast<double>(o.runs);
        if (dr < ops / 2 || s.runs == 0) continue;
        const double per_run = static_cast<double>(s.ns) / static_cast<double>(s.runs);
        std::printf("BENCH hooks op=%s prog=%s runs=%.0f ns_per_run=%.1f\n", w.name.c_str(), s.name.c_str(), dr,
                    per_run);
        ns += per_run * dr;
        runs += dr;
      }
      std::string anchor;
      for (auto& [name, ns_of] : anchors)
        if (ns_of.count(w.name)) anchor += " " + name + "_ns=" + std::to_string(median(ns_of[w.name]));
      std::printf("BENCH hooks op=%s off_ns=%.1f on_ns=%.1f hook_ns=%.1f runs_per_op=%.2f%s\n", w.name.c_str(),
                  median(off[w.name]), median(on[w.name]), ns / ops, runs / ops, anchor.c_str());
    }
  }

  // 6. detach.
  if (!bootseal::bench::take_down(pins)) rc = fail("cannot remove the pins under " + pins.dir() + " or unmount " + pins.bpffs);
  if (!rc) std::printf("BENCH hooks done\n");
  return rc;
}

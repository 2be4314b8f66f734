// SPDX-License-Identifier: GPL-2.0-only
#include "enforcer_read.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "bootseal/fileio.hpp"
#include "bootseal/policy.hpp"
#include "enforcer_view.hpp"

namespace bootseal::tool {
namespace {

// What an iterator pin may print: the stats record, or the audit ring's
// records, which fill at most the largest ring loader.conf allows.
constexpr size_t kMaxPinOutput = size_t{contract::kMaxAuditBuffer} + 1024 * 1024;

EnforcerResult<UniqueFd> open_readonly(const std::string& path) {
  LIBBPF_OPTS(bpf_obj_get_opts, opts, .file_flags = BPF_F_RDONLY);
  UniqueFd fd(bpf_obj_get_opts(path.c_str(), &opts));
  if (!fd) {
    int e = errno;
    if (e == ENOENT) return make_error(EnforcerFault::not_installed, "no enforcer is installed (" + path + " does not exist)");
    return make_error(EnforcerFault::unreadable, "cannot open " + path + ": " + errno_text(e));
  }
  return fd;
}

}  // namespace

EnforcerResult<std::string> read_pin(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    int e = errno;
    if (e == ENOENT) return make_error(EnforcerFault::not_installed, "no enforcer is installed (" + path + " does not exist)");
    return make_error(EnforcerFault::unreadable, "cannot open " + path + ": " + errno_text(e));
  }
  auto data = read_file(fd.get(), path, kMaxPinOutput);
  if (!data) return make_error(EnforcerFault::unreadable, data.error());
  return std::string(data->begin(), data->end());
}

EnforcerResult<AuditLog> read_audit_log(const std::string& pin_dir) {
  const std::string path = pin_dir + "/" BS_PIN_AUDIT;
  auto raw = read_pin(path);
  if (!raw) return raw.failure();
  if (raw->size() % sizeof(bs_record) != 0)
    return make_error(EnforcerFault::unreadable, path + " gave " + std::to_string(raw->size()) + " bytes, not whole records of " +
                      std::to_string(sizeof(bs_record)));
  AuditLog log;
  log.records.resize(raw->size() / sizeof(bs_record));
  std::memcpy(log.records.data(), raw->data(), raw->size());
  std::sort(log.records.begin(), log.records.end(),
            [](const bs_record& a, const bs_record& b) { return a.seq < b.seq; });
  return log;
}

EnforcerResult<bs_stats> read_stats(const std::string& pin_dir) {
  auto stats = read_pin(pin_dir + "/" BS_PIN_STATS);
  if (!stats) return stats.failure();
  if (stats->size() != sizeof(bs_stats))
    return make_error(EnforcerFault::unreadable, pin_dir + "/stats gave " + std::to_string(stats->size()) +
                                                     " bytes, not one counter record of " + std::to_string(sizeof(bs_stats)));
  bs_stats out{};
  std::memcpy(&out, stats->data(), sizeof(bs_stats));
  return out;
}

EnforcerResult<EnforcerState> read_enforcer(const std::string& pin_dir) {
  EnforcerState st;
  __u32 zero = 0;
  auto info = open_readonly(pin_dir + "/" BS_PIN_INFO);
  if (!info) return info.failure();
  int rc = bpf_map_lookup_elem(info->get(), &zero, &st.info);
  int e = errno;
  info->reset();
  if (rc != 0) return make_error(EnforcerFault::unreadable, "cannot read " + pin_dir + "/" BS_PIN_INFO ": " + errno_text(e));

  auto stats = read_stats(pin_dir);
  if (!stats) return stats.failure();
  st.stats = *stats;

  if (DIR* d = ::opendir(pin_dir.c_str())) {
    while (dirent* ent = ::readdir(d)) {
      std::string n = ent->d_name;
      if (auto hook = contract::hook_of_link_pin(n); !hook.empty()) st.hooks.emplace_back(hook);
    }
    ::closedir(d);
  }
  std::sort(st.hooks.begin(), st.hooks.end());
  return st;
}

std::string op_name(unsigned op) {
  if (op < kOperationCount) return std::string(to_string(static_cast<Operation>(op)));
  if (op == BS_OP_SELF) return "self-protection";
  return "op" + std::to_string(op);
}

std::string action_name(unsigned action) {
  switch (action) {
    case BS_ACT_ALLOW: return "allow";
    case BS_ACT_DENY: return "deny";
    case BS_ACT_AUDIT: return "audit";
    default: return "action" + std::to_string(action);
  }
}

std::string self_route_name(uint64_t route, uint32_t detail) {
  switch (route) {
    case BS_SELF_MAP_FD: return "writable map fd";
    case BS_SELF_PROG_FD: return "program fd";
    case BS_SELF_LINK_DETACH: return "link detach";
    case BS_SELF_PROG_LOAD: {
      const std::string t = prog_load_text(detail);
      return "LSM/tracing/probe program load" + (t.empty() ? "" : " (" + t + ")");
    }
    case BS_SELF_UNPIN: return "unpin";
    case BS_SELF_PIN_ADD: return "new entry in the pin directory";
    case BS_SELF_UMOUNT: return "bpffs unmount";
    case BS_SELF_LINK_FD: return "link fd";
    case BS_SELF_STATE_FD: return "state map fd";
    case BS_SELF_PIN_MOUNT: return "mount over the pins";
    case BS_SELF_SET_EXE: return "PR_SET_MM executable change";
    case BS_SELF_SUBJECT_LOST: return "subject lost";
    case BS_SELF_PTRACE: return "attach to a subject process or PID 1";
    case BS_SELF_TRACEME: return "PTRACE_TRACEME by a subject process";
    case BS_SELF_UNTRUSTED_CODE: return "untrusted code in a subject process";
    case BS_SELF_STEERED_EXEC: return "steered exec of a subject";
    case BS_SELF_SEAL: return "seal by another program than seal-by";
    case BS_SELF_SEALED: return "boot phase sealed";
    default: return "route " + std::to_string(route);
  }
}

std::string memory_route_name(uint64_t route) {
  switch (route) {
    case BS_MEM_ANON: return "memory (anonymous)";
    case BS_MEM_WRITABLE: return "memory (writable file mapping)";
    case BS_MEM_WRITTEN: return "memory (written file mapping)";
    case BS_MEM_SHMEM: return "memory (shared memory)";
    case BS_MEM_PROC_MEM: return "memory (/proc/PID/mem write)";
    case BS_MEM_PTRACE: return "memory (ptrace attach)";
    case BS_MEM_STACK: return "memory (executable stack)";
    case BS_MEM_BRK: return "memory (executable heap)";
    default: return "memory (route " + std::to_string(route) + ")";
  }
}

PhaseView phase_view(const EnforcerState& st) {
  const bs_info& i = st.info;
  PhaseView p;
  if (!i.seal_after_ns) return p;
  p.seal_after_seconds = i.seal_after_ns / 1000000000ull;
  p.seal_by_subject = i.seal_subject;
  for (unsigned op = 0; op < kOperationCount; ++op)
    if (i.run_defaults[op] != i.defaults[op]) p.running_defaults.emplace_back(op_name(op), action_name(i.run_defaults[op]));
  timespec ts{};
  ::clock_gettime(CLOCK_BOOTTIME, &ts);
  const uint64_t now = static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
  if (st.stats.sealed == BS_SEAL_TRIGGER || st.stats.sealed == BS_SEAL_DEADLINE) {
    p.phase = "running";
    p.sealed_reason = st.stats.sealed == BS_SEAL_TRIGGER ? "trigger" : "deadline";
    p.sealed_boot_seconds = static_cast<double>(st.stats.sealed_ns) / 1e9;
    if (st.stats.sealed == BS_SEAL_TRIGGER) {
      p.sealed_pid = st.stats.sealed_pid;
      p.sealed_subject = st.stats.sealed_subject;
      p.sealed_comm = std::string(st.stats.sealed_comm, strnlen(st.stats.sealed_comm, sizeof(st.stats.sealed_comm)));
    }
  } else if (now >= i.seal_after_ns) {
    p.phase = "running";
    p.sealed_reason = "deadline";
    p.sealed_boot_seconds = static_cast<double>(i.seal_after_ns) / 1e9;
  } else {
    p.phase = "boot";
  }
  return p;
}

}  // namespace bootseal::tool

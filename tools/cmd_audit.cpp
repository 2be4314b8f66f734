// SPDX-License-Identifier: GPL-2.0-only
// bootseal audit [--follow] [--json] [--pin-dir DIR]
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>

#include "bootseal/policy.hpp"
#include "common.hpp"
#include "enforcer_read.hpp"
#include "exit_codes.hpp"

namespace bootseal::tool {
namespace {

struct AuditOptions {
  std::string pin_dir = kDefaultPinDir;
  bool follow = false;
  bool json = false;
};

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

std::string object_text(const bs_event& e) {
  if (e.op == BS_OP_SELF) return self_route_name(e.id);
  if (e.op == BS_OP_CAPABILITY) {
    auto n = capability_name(static_cast<uint32_t>(e.id));
    return n.empty() ? "capability " + std::to_string(e.id) : std::string(n);
  }
  if (e.dev == 0 && e.id == 0) return "-";
  return "dev " + std::to_string(e.dev >> 20) + ":" + std::to_string(e.dev & 0xfffff) + " ino " + std::to_string(e.id);
}

int print_event(void* ctx, void* data, size_t size) {
  const auto* o = static_cast<const AuditOptions*>(ctx);
  if (size < sizeof(bs_event)) return 0;
  bs_event e{};
  std::memcpy(&e, data, sizeof(e));
  std::string comm(e.comm, strnlen(e.comm, sizeof(e.comm)));
  double t = static_cast<double>(e.time_ns) / 1e9;
  std::string decision = e.denied ? "denied" : "allowed";
  if (o->json) {
    nlohmann::json j{{"time_boot_seconds", t}, {"pid", e.pid},          {"tid", e.tid},
                     {"comm", comm},           {"subject", e.subject},  {"operation", op_name(e.op)},
                     {"object", object_text(e)}, {"policy_action", action_name(e.action)},
                     {"decision", decision},   {"rule", e.rule >= 0 ? nlohmann::json(e.rule + 1) : nlohmann::json()}};
    if (e.op != BS_OP_SELF && e.op != BS_OP_CAPABILITY && (e.dev || e.id)) {
      j["dev"] = std::to_string(e.dev >> 20) + ":" + std::to_string(e.dev & 0xfffff);
      j["ino"] = e.id;
    }
    std::cout << j.dump() << "\n";
  } else {
    char ts[32];
    std::snprintf(ts, sizeof(ts), "[%12.6f]", t);
    std::cout << ts << " " << decision << " " << op_name(e.op) << " " << object_text(e) << " by pid " << e.pid << " ("
              << comm << ", subject " << e.subject << "): " << action_name(e.action)
              << (e.rule >= 0 ? " rule " + std::to_string(e.rule + 1)
                              : e.rule == BS_RULE_TOO_DEEP      ? std::string(" (too deep)")
                              : e.rule == BS_RULE_RAW_DEVICE    ? std::string(" (raw device)")
                              : e.rule == BS_RULE_DM_CONTROL    ? std::string(" (device-mapper control)")
                                                                : std::string(" default"))
              << "\n";
  }
  std::cout.flush();
  return 0;
}

int run_audit(const AuditOptions& o) {
  std::string path = o.pin_dir + "/events";
  int fd = bpf_obj_get(path.c_str());
  if (fd < 0) {
    int e = errno;
    if (e == ENOENT) return fail(kExitNoPolicy, "no enforcer is installed (" + path + " does not exist)");
    return fail(kExitFailure, "cannot open " + path + ": " + std::strerror(e));
  }
  ring_buffer* rb = ring_buffer__new(fd, print_event, const_cast<AuditOptions*>(&o), nullptr);
  if (!rb) {
    int e = errno;
    ::close(fd);
    return fail(kExitFailure, "cannot map " + path + ": " + std::strerror(e));
  }
  int rc = 0;
  if (o.follow) {
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    while (!g_stop) {
      rc = ring_buffer__poll(rb, 500);
      if (rc < 0 && rc != -EINTR) break;
      rc = 0;
    }
  } else {
    rc = ring_buffer__consume(rb);
    if (rc > 0) rc = 0;
  }
  ring_buffer__free(rb);
  ::close(fd);
  if (rc < 0) return fail(kExitFailure, "reading " + path + ": " + std::strerror(-rc));
  return kExitOk;
}

}  // namespace

void setup_audit(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<AuditOptions>();
  auto* sub = app.add_subcommand("audit", "Print the enforcer's audit events (denials and audit rules).");
  sub->add_flag("--follow,-f", o->follow, "Keep printing new events until interrupted");
  sub->add_flag("--json", o->json, "One JSON object per line");
  sub->add_option("--pin-dir", o->pin_dir, "Where the enforcer is pinned (default " + std::string(kDefaultPinDir) + ")");
  sub->footer(
      "Events are consumed: each is printed by one reader once. Objects are shown by device and\n"
      "inode (find / -xdev -inum N names them); subjects by their id in the policy's subject map.\n"
      "`bootseal status` counts events dropped while the buffer was full.");
  sub->callback([o, &exit_code] { exit_code = run_audit(*o); });
}

}  // namespace bootseal::tool

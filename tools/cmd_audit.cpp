// SPDX-License-Identifier: GPL-2.0-only
// bootseal audit: prints the enforcer's audit events, once or following the
// log (its command line is in main.cpp).
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "bootseal/policy.hpp"
#include "commands.hpp"
#include "common.hpp"
#include "enforcer_read.hpp"
#include "enforcer_view.hpp"
#include "error_exits.hpp"
#include "exit_codes.hpp"

namespace bootseal::tool {
namespace {

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

std::string object_text(const bs_event& e) {
  if (e.op == BS_OP_SELF) return self_route_name(e.id, e.dev);
  if (e.op == BS_OP_CAPABILITY) {
    auto n = capability_name(static_cast<uint32_t>(e.id));
    return n.empty() ? "capability " + std::to_string(e.id) : std::string(n);
  }
  if (e.op == BS_OP_EXEC && e.dev == 0 && e.id != 0) return memory_route_name(e.id);
  if (e.dev == 0 && e.id == 0) return "-";
  return "dev " + std::to_string(e.dev >> 20) + ":" + std::to_string(e.dev & 0xfffff) + " ino " + std::to_string(e.id);
}

EventView event_view(const bs_record& r) {
  const bs_event& e = r.event;
  EventView v;
  v.seq = r.seq;
  v.time_boot_seconds = static_cast<double>(e.time_ns) / 1e9;
  v.pid = e.pid;
  v.tid = e.tid;
  v.comm = std::string(e.comm, strnlen(e.comm, sizeof(e.comm)));
  v.subject = e.subject;
  v.operation = op_name(e.op);
  v.object = object_text(e);
  v.policy_action = action_name(e.action);
  v.denied = e.denied;
  v.rule = e.rule;
  if (e.op != BS_OP_SELF && e.op != BS_OP_CAPABILITY && e.dev) {
    v.dev = std::to_string(e.dev >> 20) + ":" + std::to_string(e.dev & 0xfffff);
    v.ino = e.id;
  }
  return v;
}

void print_record(const AuditOptions& o, const bs_record& r) {
  const EventView v = event_view(r);
  if (o.json)
    std::cout << to_json(v).dump() << "\n";
  else
    print_event(std::cout, v);
  std::cout.flush();
}

// Prints the records after `last`, says how many of those were overwritten
// before this read, and returns the new last sequence number.
EnforcerResult<uint64_t> print_after(const AuditOptions& o, uint64_t last) {
  auto log = read_audit_log(o.pin_dir);
  if (!log) return log.failure();
  for (const auto& r : log->records) {
    if (r.seq <= last) continue;
    if (r.seq > last + 1)
      std::cerr << "bootseal: " << (r.seq - last - 1) << " audit event" << (r.seq - last - 1 == 1 ? " was" : "s were")
                << " overwritten before this read (events " << last + 1 << " to " << r.seq - 1 << ")\n";
    print_record(o, r);
    last = r.seq;
  }
  return last;
}

}  // namespace

int run_audit(const AuditOptions& o) {
  auto last = print_after(o, o.after);
  if (!last) return fail(last);
  if (o.follow) {
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    uint64_t at = *last;
    while (!g_stop) {
      ::usleep(500 * 1000);
      if (g_stop) break;
      auto next = print_after(o, at);
      if (!next) return fail(next);
      at = *next;
    }
  }
  return kExitOk;
}

}  // namespace bootseal::tool

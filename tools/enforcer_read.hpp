// SPDX-License-Identifier: GPL-2.0-only
// Reading the running enforcer through its pins (bootseal status, audit).
// Policy maps (info) are opened read-only: the enforcer refuses writable
// fds to them to every process but the loader. The maps it writes
// (counters, audit log) it refuses any fd to: they are read through their
// pinned iterators (`stats`, `audit`) with open() and read().
#pragma once

#include <string>
#include <vector>

#include "bootseal_contract.hpp"
#include "enforcer_view.hpp"
#include "bootseal/result.hpp"

namespace bootseal::tool {

inline constexpr const char* kDefaultPinDir = BS_PIN_DIR;

// Why the enforcer's pins could not be read.
enum class EnforcerFault {
  not_installed,  // a pin does not exist: no enforcer is installed
  unreadable,     // a pin exists but cannot be opened or read, or reads short
};

template <typename T>
using EnforcerResult = Result<T, EnforcerFault>;

struct EnforcerState {
  bs_info info{};
  bs_stats stats{};                // summed over CPUs
  std::vector<std::string> hooks;  // attached LSM hooks, from the link pins
};

EnforcerResult<EnforcerState> read_enforcer(const std::string& pin_dir);
// The counters and the phase alone (the `stats` iterator pin).
EnforcerResult<bs_stats> read_stats(const std::string& pin_dir);

// The boot phase (docs/POLICY.md, "Boot phases"), as of now: past the
// seal-after deadline it is running even before the enforcer's next
// decision records the seal (it seals at that decision).
PhaseView phase_view(const EnforcerState& st);

// Everything a pinned iterator prints (or a file), read to its end.
EnforcerResult<std::string> read_pin(const std::string& path);

// The audit log's records, oldest first (by sequence number). Reading
// consumes nothing.
struct AuditLog {
  std::vector<bs_record> records;
};
EnforcerResult<AuditLog> read_audit_log(const std::string& pin_dir);

// Names for events and status.
std::string op_name(unsigned op);
std::string action_name(unsigned action);
// "memory (anonymous)": what an exec event with dev 0 (object kind memory) was about.
std::string memory_route_name(uint64_t route);
// DETAIL: the event's dev field (a refused program load's type, prog_load_text).
std::string self_route_name(uint64_t route, uint32_t detail = 0);

}  // namespace bootseal::tool

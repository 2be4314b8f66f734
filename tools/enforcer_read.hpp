// SPDX-License-Identifier: GPL-2.0-only
// Reading the running enforcer through its pins (bootseal status, audit).
// Maps are opened read-only: the enforcer refuses writable fds to its maps
// to every process but the loader; the audit ring buffer is the exception
// (its consumer writes its read position).
#pragma once

#include <string>
#include <vector>

#include "bootseal.h"
#include "bootseal/result.hpp"

namespace bootseal::tool {

inline constexpr const char* kDefaultPinDir = "/sys/fs/bpf/bootseal";

struct EnforcerState {
  bs_info info{};
  bs_stats stats{};                // summed over CPUs
  std::vector<std::string> hooks;  // attached LSM hooks, from the link pins
};

Result<EnforcerState> read_enforcer(const std::string& pin_dir);

// Names for events and status.
std::string op_name(unsigned op);
std::string action_name(unsigned action);
// "memory (anonymous)": what an exec event with dev 0 (object kind memory) was about.
std::string memory_route_name(uint64_t route);
std::string self_route_name(uint64_t route);

}  // namespace bootseal::tool

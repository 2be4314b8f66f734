// SPDX-License-Identifier: GPL-2.0-only
// bootseal status [--json] [--pin-dir DIR]
#include <iostream>
#include <memory>

#include "bootseal/fileio.hpp"
#include "bootseal/policy.hpp"
#include "bootseal/seal.hpp"
#include "common.hpp"
#include "enforcer_read.hpp"
#include "enforcer_view.hpp"
#include "error_exits.hpp"
#include "exit_codes.hpp"

namespace bootseal::tool {
namespace {

struct StatusOptions {
  std::string pin_dir = kDefaultPinDir;
  bool json = false;
};

// The lockdown level in force: the bracketed word of securityfs' lockdown
// file ("none [integrity] confidentiality"), or "unknown".
std::string lockdown_in_force() {
  auto line = read_first_line("/sys/kernel/security/lockdown");
  if (!line) return "unknown";
  const std::string& s = *line;
  auto open = s.find('['), close = s.find(']');
  if (open == std::string::npos || close == std::string::npos || close < open) return "unknown";
  return s.substr(open + 1, close - open - 1);
}

std::string lockdown_asked(uint32_t level) {
  return level <= static_cast<uint32_t>(Lockdown::confidentiality) ? std::string(to_string(static_cast<Lockdown>(level)))
                                                                     : "unknown (" + std::to_string(level) + ")";
}

StatusView status_view(const EnforcerState& st) {
  const bs_info& i = st.info;
  StatusView v;
  v.policy = std::string(i.name, strnlen(i.name, sizeof(i.name)));
  v.generation = i.generation;
  v.kid = to_hex(std::span<const uint8_t>(i.kid, sizeof(i.kid)));
  v.mode = i.mode == BS_MODE_PERMISSIVE ? "permissive" : "enforce";
  v.installed_boot_seconds = static_cast<double>(i.installed_boot_ns) / 1e9;
  v.policy_rules = i.policy_rules;
  v.rule_entries = i.rule_entries;
  v.subjects = i.subject_entries;
  for (unsigned op = 0; op < kOperationCount; ++op) v.defaults.emplace_back(op_name(op), action_name(i.defaults[op]));
  v.hooks = st.hooks;
  v.lockdown_in_force = lockdown_in_force();
  v.lockdown_policy = lockdown_asked(i.lockdown);
  v.denied = st.stats.denied;
  v.audited = st.stats.audited;
  v.self_protection_denied = st.stats.self_denied;
  v.events = st.stats.events;
  v.events_overwritten = st.stats.overwritten;
  v.audit_log_entries = i.log_entries;
  return v;
}

int run_status(const StatusOptions& o) {
  auto st = read_enforcer(o.pin_dir);
  if (!st) return fail(st);
  const StatusView v = status_view(*st);
  if (o.json)
    std::cout << to_json(v).dump(2) << "\n";
  else
    print_status(std::cout, v);
  return kExitOk;
}

}  // namespace

void setup_status(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<StatusOptions>();
  auto* sub = app.add_subcommand("status", "Show what the running enforcer holds, read from its pins.");
  sub->add_flag("--json", o->json, "Machine-readable output");
  sub->add_option("--pin-dir", o->pin_dir, "Where the enforcer is pinned (default " + std::string(kDefaultPinDir) + ")");
  sub->footer("Exit 0 when an enforcer is installed, 5 when none is, 1 when its pins cannot be read.");
  sub->callback([o, &exit_code] { exit_code = run_status(*o); });
}

}  // namespace bootseal::tool

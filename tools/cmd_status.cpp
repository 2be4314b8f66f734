// SPDX-License-Identifier: GPL-2.0-only
// bootseal status [--json] [--pin-dir DIR]
#include <iostream>
#include <memory>

#include "bootseal/fileio.hpp"
#include "bootseal/policy.hpp"
#include "bootseal/seal.hpp"
#include "common.hpp"
#include "enforcer_read.hpp"
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

int run_status(const StatusOptions& o) {
  auto st = read_enforcer(o.pin_dir);
  if (!st) return fail(kExitNoPolicy, st.error());
  const bs_info& i = st->info;
  std::string name(i.name, strnlen(i.name, sizeof(i.name)));
  std::string kid = to_hex(std::span<const uint8_t>(i.kid, sizeof(i.kid)));
  std::string mode = i.mode == BS_MODE_PERMISSIVE ? "permissive" : "enforce";
  if (o.json) {
    nlohmann::json j;
    j["policy"] = name;
    j["generation"] = i.generation;
    j["kid"] = kid;
    j["mode"] = mode;
    j["installed_boot_seconds"] = static_cast<double>(i.installed_boot_ns) / 1e9;
    j["policy_rules"] = i.policy_rules;
    j["rule_entries"] = i.rule_entries;
    j["subjects"] = i.subject_entries;
    nlohmann::json defaults;
    for (unsigned op = 0; op < kOperationCount; ++op) defaults[op_name(op)] = action_name(i.defaults[op]);
    j["defaults"] = defaults;
    j["hooks"] = st->hooks;
    j["lockdown"] = {{"in_force", lockdown_in_force()}, {"policy", lockdown_asked(i.lockdown)}};
    j["counters"] = {{"denied", st->stats.denied},
                     {"audited", st->stats.audited},
                     {"self_protection_denied", st->stats.self_denied},
                     {"events", st->stats.events},
                     {"events_overwritten", st->stats.overwritten},
                     {"audit_log_entries", i.log_entries}};
    std::cout << j.dump(2) << "\n";
    return kExitOk;
  }
  std::cout << "policy:      " << name << " (generation " << i.generation << ")\n"
            << "signed by:   " << kid << "\n"
            << "mode:        " << mode << "\n"
            << "installed:   " << static_cast<double>(i.installed_boot_ns) / 1e9 << " s after boot\n"
            << "rules:       " << i.policy_rules << " in the policy, " << i.rule_entries << " map entries, "
            << i.subject_entries << " subjects\n"
            << "defaults:   ";
  for (unsigned op = 0; op < kOperationCount; ++op)
    std::cout << " " << op_name(op) << "=" << action_name(i.defaults[op]);
  std::cout << "\nhooks:       " << st->hooks.size() << " (";
  for (size_t k = 0; k < st->hooks.size(); ++k) std::cout << (k ? " " : "") << st->hooks[k];
  std::cout << ")\n"
            << "lockdown:    " << lockdown_in_force() << " (the policy asks for " << lockdown_asked(i.lockdown) << ")\n"
            << "denied:      " << st->stats.denied << "\n"
            << "audited:     " << st->stats.audited << "\n"
            << "self-protection refusals: " << st->stats.self_denied << "\n"
            << "audit events: " << st->stats.events << " written, " << st->stats.overwritten << " overwritten (the log holds "
            << i.log_entries << ")\n";
  return kExitOk;
}

}  // namespace

void setup_status(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<StatusOptions>();
  auto* sub = app.add_subcommand("status", "Show what the running enforcer holds, read from its pins.");
  sub->add_flag("--json", o->json, "Machine-readable output");
  sub->add_option("--pin-dir", o->pin_dir, "Where the enforcer is pinned (default " + std::string(kDefaultPinDir) + ")");
  sub->footer("Exit 0 when an enforcer is installed, 5 when none is.");
  sub->callback([o, &exit_code] { exit_code = run_status(*o); });
}

}  // namespace bootseal::tool

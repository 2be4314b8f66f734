// SPDX-License-Identifier: GPL-2.0-only
// bootseal status: what the running enforcer holds, read from its pins, and
// the TPM's side and the boot assessment (its command line is in main.cpp).
#include <cctype>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "bootseal/fileio.hpp"
#include "bootseal/policy.hpp"
#include "bootseal/seal.hpp"
#include "bootseal/tpm.hpp"
#include "bootseal/tpm_log.hpp"
#include "commands.hpp"
#include "common.hpp"
#include "enforcer_read.hpp"
#include "enforcer_view.hpp"
#include "error_exits.hpp"
#include "exit_codes.hpp"

namespace bootseal::tool {
namespace {

// A PCR's SHA-256 value as sysfs shows it, in lower case; "" unreadable.
std::string read_pcr(unsigned pcr) {
  auto v = read_first_line("/sys/class/tpm/tpm0/pcr-sha256/" + std::to_string(pcr));
  if (!v) return {};
  std::string s = *v;
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The TPM's side: the loader's log says which PCR and index it used this
// boot; the PCR is read from sysfs, the index from the TPM itself.
std::optional<TpmView> tpm_view(const std::string& tcti) {
  auto bytes = read_file(tpm::kMeasureLogPath, tpm::kMaxMeasureLog);
  if (!bytes) {
    // No log: no TPM this boot, unless the default PCR says otherwise (the
    // log is in /run, root can delete it).
    std::string v = read_pcr(tpm::kDefaultPcr);
    if (v.find_first_not_of('0') == std::string::npos) return std::nullopt;
    TpmView t;
    t.pcr = tpm::kDefaultPcr;
    t.pcr_value = std::move(v);
    t.nv_index = tpm::hex32(tpm::kDefaultFloorIndex);
    t.problem = std::string(tpm::kMeasureLogPath) + " is missing, yet PCR " + std::to_string(t.pcr) +
                " is not at its reset value";
    return t;
  }
  TpmView t;
  t.pcr = tpm::kDefaultPcr;
  uint32_t index = tpm::kDefaultFloorIndex;
  auto log = tpm::parse_measure_log(std::string(bytes->begin(), bytes->end()), tpm::kMeasureLogPath);
  std::vector<tpm::MeasureEvent> events;
  if (!log) {
    t.add_problem(log.error());
  } else if (!log->empty()) {
    events = std::move(*log);
    const uint32_t used = interpret_measure_log(events, t);
    if (used != 0 && tpm::in_linux_range(used)) index = used;
  }
  t.nv_index = tpm::hex32(index);
  t.pcr_value = read_pcr(t.pcr);
  if (!t.pcr_value.empty() && log) {
    // Only bootseal's records: a PCR others extend too (systemd-stub's 12
    // in a UKI boot) does not replay from its records alone.
    tpm::Digest pcr{};
    for (const auto& e : events)
      if (e.pcr == t.pcr) pcr = tpm::extended(pcr, e.digest);
    t.log_replays = to_hex(pcr) == t.pcr_value;
  }
  auto dev = tpm::Tpm::open(tcti);
  if (!dev) {
    t.add_problem(dev.error());
  } else if (auto f = dev->read_floor(index); !f) {
    t.add_problem(f.error());
  } else if (!*f) {
    t.add_problem("NV index " + t.nv_index + " is not defined (bootseal tpm-setup)");
  } else if (!(*f)->attributes_as_bootseal_defines()) {
    t.add_problem("NV index " + t.nv_index + " is not bootseal's floor index (attributes " + tpm::hex32((*f)->attributes) +
                ", " + std::to_string((*f)->auth_policy_size) + "-byte authPolicy)");
  } else {
    t.floor = (*f)->written ? (*f)->value : 0;
    t.locked = (*f)->write_locked;
  }
  if (auto r = tpm::read_floor_request("/"); r && *r)
    if (auto g = tpm::parse_floor_request(**r, tpm::kFloorRequestPath))
      if (!t.floor || *g > *t.floor) t.requested = *g;
  return t;
}

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
  v.phase = phase_view(st);
  // `defaults` are those in force: after the seal, the running phase's.
  if (v.phase.phase == "running") {
    v.defaults.clear();
    for (unsigned op = 0; op < kOperationCount; ++op) v.defaults.emplace_back(op_name(op), action_name(i.run_defaults[op]));
  }
  v.denied = st.stats.denied;
  v.audited = st.stats.audited;
  v.self_protection_denied = st.stats.self_denied;
  v.events = st.stats.events;
  v.events_overwritten = st.stats.overwritten;
  v.audit_log_entries = i.log_entries;
  return v;
}

// The record of the last boot marked good; this boot's when its boot id
// and its policy (name, generation, key) are the running ones.
std::optional<AssessmentView> assessment_view(const StatusView& v) {
  auto text = tpm::read_state_file("/", tpm::kAssessmentPath, tpm::kMaxAssessment);
  AssessmentView a;
  if (!text) {
    a.problem = text.error();
    return a;
  }
  if (!*text) return std::nullopt;
  auto rec = tpm::parse_assessment(**text, tpm::kAssessmentPath);
  if (!rec) {
    a.problem = rec.error();
    return a;
  }
  a.boot_id = rec->boot_id;
  a.policy = rec->policy;
  a.generation = rec->generation;
  a.kid = rec->kid;
  a.floor = rec->floor;
  a.store = rec->store;
  char when[32] = "";
  const std::time_t t = static_cast<std::time_t>(rec->time);
  std::tm tm{};
  if (gmtime_r(&t, &tm)) std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
  a.time = when;
  auto boot_id = read_first_line("/proc/sys/kernel/random/boot_id");
  a.this_boot = boot_id && *boot_id == rec->boot_id && rec->policy == v.policy && rec->generation == v.generation &&
                rec->kid == v.kid;
  return a;
}

}  // namespace

int run_status(const StatusOptions& o) {
  auto st = read_enforcer(o.pin_dir);
  if (!st) return fail(st);
  StatusView v = status_view(*st);
  v.tpm = tpm_view(o.tcti);
  v.assessment = assessment_view(v);
  if (o.json)
    std::cout << to_json(v).dump(2) << "\n";
  else
    print_status(std::cout, v);
  return kExitOk;
}

}  // namespace bootseal::tool

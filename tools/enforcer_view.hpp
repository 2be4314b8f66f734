// SPDX-License-Identifier: GPL-2.0-only
// What `bootseal status` and `bootseal audit` report about the running
// enforcer, as views (plain data read from its pins), and their text and
// JSON renderers (docs/JSON.md, "bootseal status", "bootseal audit").
#pragma once

#include <cstdint>
#include <iosfwd>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bootseal/tpm_log.hpp"

namespace bootseal::tool {

// The TPM's side (docs/LOADER.md, "TPM"): what the loader measured this
// boot, by its log, and the floor index as the TPM holds it now.
struct TpmView {
  unsigned pcr = 0;
  std::string pcr_value;        // hex, read from sysfs now; "" when unreadable
  std::string measured;         // the policy's SHA-256 the loader extended ("" none)
  std::string measured_event;   // "policy", "no-policy" or "" (nothing logged)
  bool measured_permissive = false;  // a "permissive" record follows the policy's
  std::optional<uint64_t> measured_floor_lowered;  // a "floor-lowered" record follows: loader.conf's floor
  std::string seal_measured;    // "trigger", "deadline": bootseal measure-seal's record; "" none
  std::optional<bool> log_replays;  // our records, replayed from zero, give pcr_value
  unsigned records = 0;         // bootseal's records for `pcr` in the log
  std::string nv_index;         // "0x01d10250"
  std::optional<uint64_t> floor;    // the index's value; nullopt: not defined or unreadable
  std::optional<bool> locked;       // TPMA_NV_WRITELOCKED
  std::optional<uint64_t> requested;  // the floor mark-good asked the next boot for
  std::string problem;          // why some of the above is missing, "; "-separated
  void add_problem(const std::string& p) { problem += (problem.empty() ? "" : "; ") + p; }
};

// Boot phases (docs/POLICY.md, "Boot phases").
struct PhaseView {
  std::string phase = "none";  // "none" (the policy has no phases), "boot" or "running"
  uint64_t seal_after_seconds = 0;
  uint32_t seal_by_subject = 0;  // 0: no seal-by program (or it did not resolve)
  // The running phase's defaults, where they differ from the boot phase's.
  std::vector<std::pair<std::string, std::string>> running_defaults;
  std::string sealed_reason;  // "trigger", "deadline", "" before the seal
  double sealed_boot_seconds = 0;
  uint32_t sealed_pid = 0;  // the seal-by process; 0 for the deadline
  std::string sealed_comm;
  uint32_t sealed_subject = 0;
};

// The boot assessment (docs/FLEET.md): the record `bootseal mark-good
// --booted` wrote for the last boot it marked good.
struct AssessmentView {
  bool this_boot = false;  // the record is this boot's, for the policy in force
  std::string boot_id;
  std::string policy;
  uint64_t generation = 0;
  std::string kid;
  std::string time;  // UTC, ISO 8601
  uint64_t floor = 0;
  std::string store;
  std::string problem;  // the record could not be read or parsed (the rest is empty)
};

struct StatusView {
  std::string policy;  // the installed policy's name (the enforcer keeps no document)
  uint64_t generation = 0;
  std::string kid;  // hex
  std::string mode;
  double installed_boot_seconds = 0;
  uint64_t policy_rules = 0;
  uint64_t rule_entries = 0;
  uint64_t subjects = 0;
  std::vector<std::pair<std::string, std::string>> defaults;  // operation, action
  std::vector<std::string> hooks;
  std::string lockdown_in_force;
  std::string lockdown_policy;
  PhaseView phase;
  uint64_t denied = 0;
  uint64_t audited = 0;
  uint64_t self_protection_denied = 0;
  uint64_t events = 0;
  uint64_t events_overwritten = 0;
  uint64_t audit_log_entries = 0;
  std::optional<TpmView> tpm;  // nullopt: the loader used no TPM this boot
  std::optional<AssessmentView> assessment;  // nullopt: no boot was ever marked good
};
// Reads the loader's measurement log (not empty) into T: the PCR, what the
// loader's last record says was measured (a "permissive" record qualifies
// the "policy" one before it), measure-seal's record, the count of records
// for that PCR, and a problem when the records are not what one run of the
// loader (and measure-seal) writes. Returns the floor index the loader's
// last record names (0: none).
uint32_t interpret_measure_log(const std::vector<tpm::MeasureEvent>& events, TpmView& t);

nlohmann::json to_json(const StatusView& v);
void print_status(std::ostream& out, const StatusView& v);

// One audit event.
struct EventView {
  uint64_t seq = 0;
  double time_boot_seconds = 0;
  uint32_t pid = 0;
  uint32_t tid = 0;
  std::string comm;
  uint64_t subject = 0;
  std::string operation;
  std::string object;
  std::string policy_action;
  bool denied = false;
  int32_t rule = 0;                // the rule's index, or a BS_RULE_* reason below 0
  std::optional<std::string> dev;  // "major:minor" for file objects
  uint64_t ino = 0;                // with dev
};
nlohmann::json to_json(const EventView& v);  // printed on one line

// "program type lsm, attach lsm_mac": what a refused program load's event
// carries in its dev field (BS_PROG_LOAD_DETAIL_OF, enforcer/bootseal.h),
// with bpftool's names; "" for an event without it.
std::string prog_load_text(uint32_t detail);
void print_event(std::ostream& out, const EventView& v);

}  // namespace bootseal::tool

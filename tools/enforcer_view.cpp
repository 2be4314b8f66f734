// SPDX-License-Identifier: GPL-2.0-only
#include "enforcer_view.hpp"

#include <linux/bpf.h>

#include <cstdio>
#include <functional>
#include <nlohmann/json.hpp>
#include <ostream>
#include <set>
#include <string>

#include "bootseal.h"
#include "bootseal/seal.hpp"

namespace bootseal::tool {

namespace {

template <typename T>
nlohmann::json or_null(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

nlohmann::json to_json(const TpmView& t) {
  return {{"pcr", t.pcr},
          {"pcr_value", t.pcr_value.empty() ? nlohmann::json(nullptr) : nlohmann::json(t.pcr_value)},
          {"measured_event", t.measured_event.empty() ? nlohmann::json(nullptr) : nlohmann::json(t.measured_event)},
          {"measured_sha256", t.measured.empty() ? nlohmann::json(nullptr) : nlohmann::json(t.measured)},
          {"measured_permissive", t.measured_permissive},
          {"measured_floor_lowered", or_null(t.measured_floor_lowered)},
          {"seal_measured", t.seal_measured.empty() ? nlohmann::json(nullptr) : nlohmann::json(t.seal_measured)},
          {"log_replays", or_null(t.log_replays)},
          {"records", t.records},
          {"nv_index", t.nv_index},
          {"floor", or_null(t.floor)},
          {"locked", or_null(t.locked)},
          {"requested_floor", or_null(t.requested)},
          {"problem", t.problem.empty() ? nlohmann::json(nullptr) : nlohmann::json(t.problem)}};
}

std::string yes_no(const std::optional<bool>& b) { return !b ? "unknown" : *b ? "yes" : "no"; }

nlohmann::json to_json(const PhaseView& p) {
  nlohmann::json run = nlohmann::json::object();
  for (const auto& [op, action] : p.running_defaults) run[op] = action;
  nlohmann::json j = {
      {"phase", p.phase},
      {"seal_after_seconds", p.seal_after_seconds ? nlohmann::json(p.seal_after_seconds) : nlohmann::json(nullptr)},
      {"seal_by_subject", p.seal_by_subject ? nlohmann::json(p.seal_by_subject) : nlohmann::json(nullptr)},
      {"running_defaults", p.phase == "none" ? nlohmann::json(nullptr) : run},
      {"sealed", nullptr},
  };
  if (!p.sealed_reason.empty())
    j["sealed"] = {{"reason", p.sealed_reason},
                   {"time_boot_seconds", p.sealed_boot_seconds},
                   {"pid", p.sealed_pid ? nlohmann::json(p.sealed_pid) : nlohmann::json(nullptr)},
                   {"comm", p.sealed_pid ? nlohmann::json(p.sealed_comm) : nlohmann::json(nullptr)},
                   {"subject", p.sealed_pid ? nlohmann::json(p.sealed_subject) : nlohmann::json(nullptr)}};
  return j;
}

void print_phase(std::ostream& out, const PhaseView& p) {
  if (p.phase == "none") {
    out << "phase:       none (the policy has no boot phase)\n";
    return;
  }
  out << "phase:       " << p.phase;
  if (p.sealed_reason == "trigger")
    out << ", sealed " << p.sealed_boot_seconds << " s after boot by " << p.sealed_comm << " (pid " << p.sealed_pid
        << ", subject " << p.sealed_subject << ")";
  else if (p.sealed_reason == "deadline")
    out << ", sealed " << p.sealed_boot_seconds << " s after boot at the seal-after deadline";
  else if (p.seal_by_subject)
    out << " until the seal-by program seals or the deadline, " << p.seal_after_seconds << " s after boot";
  else
    out << " until the seal-after deadline, " << p.seal_after_seconds << " s after boot";
  out << "\n";
  if (!p.running_defaults.empty()) {
    out << "running defaults:";
    for (const auto& [op, action] : p.running_defaults) out << " " << op << "=" << action;
    out << "\n";
  }
}

}  // namespace

uint32_t interpret_measure_log(const std::vector<tpm::MeasureEvent>& events, TpmView& t) {
  if (events.empty()) return 0;
  // bootseal measure-seal's record, if any, follows the loader's.
  const bool sealed = events.back().event == "sealed";
  if (sealed) t.seal_measured = events.back().reason;
  size_t li = events.size() - (sealed && events.size() > 1 ? 2 : 1);
  if (events[li].event == "floor-lowered" && li > 0) {
    t.measured_floor_lowered = events[li].floor;
    --li;
  }
  if (events[li].event == "permissive" && li > 0) {
    t.measured_permissive = true;
    --li;
  }
  const tpm::MeasureEvent& last = events[li];
  t.pcr = last.pcr;
  if (last.event == "policy" || last.event == "no-policy") {
    t.measured_event = last.event;
    if (last.event == "policy") t.measured = to_hex(last.digest);
  }
  std::string kinds;
  for (const auto& e : events) {
    t.records += e.pcr == t.pcr ? 1 : 0;
    kinds += (kinds.empty() ? "" : ",") + e.event;
  }
  // What one run of the loader writes (a permissive record after a
  // weakened policy, then a floor-lowered record after one below
  // loader.conf's floor, a no-policy record after a policy that did not go
  // into force), and measure-seal's record after a policy, all on one
  // PCR. Anything else was not bootseal's.
  static const std::set<std::string, std::less<>> kOneRun = [] {
    std::set<std::string, std::less<>> s = {"no-policy"};
    for (const char* weak : {"", ",permissive", ",floor-lowered", ",permissive,floor-lowered"})
      for (const char* end : {"", ",no-policy", ",sealed"}) s.insert(std::string("policy") + weak + end);
    return s;
  }();
  if (!kOneRun.contains(kinds) || t.records != events.size()) {
    t.add_problem(std::to_string(events.size()) + " records in the log (" + kinds + "), " +
                  std::to_string(t.records) + " for PCR " + std::to_string(t.pcr) +
                  ", which is not what one run of the loader (and measure-seal) writes");
  }
  return last.nv_index;
}

nlohmann::json to_json(const StatusView& v) {
  nlohmann::json defaults = nlohmann::json::object();
  for (const auto& [op, action] : v.defaults) defaults[op] = action;
  nlohmann::json j = {
      {"policy", v.policy},
      {"generation", v.generation},
      {"kid", v.kid},
      {"mode", v.mode},
      {"installed_boot_seconds", v.installed_boot_seconds},
      {"policy_rules", v.policy_rules},
      {"rule_entries", v.rule_entries},
      {"subjects", v.subjects},
      {"defaults", defaults},
      {"hooks", v.hooks},
      {"lockdown", {{"in_force", v.lockdown_in_force}, {"policy", v.lockdown_policy}}},
      {"phase", to_json(v.phase)},
      {"counters",
       {{"denied", v.denied},
        {"audited", v.audited},
        {"self_protection_denied", v.self_protection_denied},
        {"events", v.events},
        {"events_overwritten", v.events_overwritten},
        {"audit_log_entries", v.audit_log_entries}}},
  };
  j["tpm"] = v.tpm ? to_json(*v.tpm) : nlohmann::json(nullptr);
  if (v.assessment) {
    const AssessmentView& a = *v.assessment;
    j["assessment"] = {{"marked_good_this_boot", a.this_boot},
                       {"boot_id", a.boot_id},
                       {"policy", a.policy},
                       {"generation", a.generation},
                       {"kid", a.kid},
                       {"time", a.time},
                       {"floor", a.floor},
                       {"store", a.store},
                       {"problem", a.problem}};
  } else {
    j["assessment"] = nullptr;
  }
  return j;
}

void print_status(std::ostream& out, const StatusView& v) {
  out << "policy:      " << v.policy << " (generation " << v.generation << ")\n"
      << "signed by:   " << v.kid << "\n"
      << "mode:        " << v.mode << "\n"
      << "installed:   " << v.installed_boot_seconds << " s after boot\n"
      << "rules:       " << v.policy_rules << " in the policy, " << v.rule_entries << " map entries, " << v.subjects
      << " subjects\n"
      << "defaults:   ";
  for (const auto& [op, action] : v.defaults) out << " " << op << "=" << action;
  out << "\nhooks:       " << v.hooks.size() << " (";
  for (size_t k = 0; k < v.hooks.size(); ++k) out << (k ? " " : "") << v.hooks[k];
  out << ")\n"
      << "lockdown:    " << v.lockdown_in_force << " (the policy asks for " << v.lockdown_policy << ")\n";
  print_phase(out, v.phase);
  out << "denied:      " << v.denied << "\n"
      << "audited:     " << v.audited << "\n"
      << "self-protection refusals: " << v.self_protection_denied << "\n"
      << "audit events: " << v.events << " written, " << v.events_overwritten << " overwritten (the log holds "
      << v.audit_log_entries << ")\n";
  if (!v.assessment) {
    out << "assessment:  no boot marked good yet (bootseal-mark-good.service)\n";
  } else if (const AssessmentView& a = *v.assessment; !a.problem.empty()) {
    out << "assessment:  unreadable: " << a.problem << "\n";
  } else {
    out << "assessment:  " << (a.this_boot ? "this boot is marked good" : "this boot is not marked good")
        << "; the last boot marked good ran " << a.policy << " generation " << a.generation << " (" << a.time
        << ", boot " << a.boot_id << "), floor " << a.floor << " on " << a.store << "\n";
  }
  if (!v.tpm) {
    out << "tpm:         not used this boot\n";
    return;
  }
  const TpmView& t = *v.tpm;
  out << "tpm pcr:     " << t.pcr << " = " << (t.pcr_value.empty() ? "unreadable" : t.pcr_value) << "\n"
      << "measured:    "
      << (t.measured_event == "policy"
              ? "policy sha256 " + t.measured +
                    (t.measured_permissive ? ", put in force in permissive mode by the loader's configuration" : "") +
                    (t.measured_floor_lowered ? ", below loader.conf's floor " +
                                                    std::to_string(*t.measured_floor_lowered) +
                                                    " (the kernel command line lowered it)"
                                              : "")
          : t.measured_event == "no-policy" ? std::string("no policy")
                                            : std::string("nothing logged"))
      << " (" << t.records << (t.records == 1 ? " record" : " records")
      << "; the log replays to the PCR: " << yes_no(t.log_replays) << ")\n";
  // The seal's record is the log's word; only a log that replays to the
  // PCR says the PCR holds it.
  if (!t.seal_measured.empty())
    out << "seal:        " << (t.log_replays.value_or(false) ? "measured" : "logged, but the log does not replay to the PCR")
        << ", sealed " << (t.seal_measured == "trigger" ? "by the seal-by program" : "at the seal-after deadline")
        << " (bootseal measure-seal)\n";
  out << "tpm floor:   " << (t.floor ? std::to_string(*t.floor) : std::string("unknown")) << " in NV index "
      << t.nv_index << ", write-locked: " << yes_no(t.locked) << "\n";
  if (t.requested) out << "requested:   floor " << *t.requested << " at the next boot (bootseal mark-good)\n";
  if (!t.problem.empty()) out << "tpm problem: " << t.problem << "\n";
}

namespace {

std::string decision(const EventView& v) { return v.denied ? "denied" : "allowed"; }

std::string rule_text(int32_t rule) {
  if (rule >= 0) return " rule " + std::to_string(rule + 1);
  switch (rule) {
    case BS_RULE_TOO_DEEP: return " (too deep)";
    case BS_RULE_UNTRUSTED_CODE: return " (mapped code the policy does not trust)";
    case BS_RULE_TRACED_EXEC: return " (executed while traced)";
    case BS_RULE_SHARED_FS: return " (executed sharing its root and working directory)";
    case BS_RULE_PID1_ROOT: return " (PID 1 executed it under another root than the one it booted into)";
    case BS_RULE_SECCOMP_LISTENER: return " (executed under a seccomp listener)";
    case BS_RULE_UNPROTECTED_SUBJECT: return " (executed a program any process may write)";
    case BS_RULE_DISCONNECTED: return " (reached without its parents)";
    case BS_RULE_RAW_DEVICE: return " (raw device)";
    case BS_RULE_DM_CONTROL: return " (device-mapper control)";
    case BS_RULE_STACK_MEMBER: return " (a device taken into md or btrfs past its node)";
    case BS_RULE_PLACE_MOUNT: return " (a mount on a filesystem's place of what is not placed there)";
    case BS_RULE_ANCESTOR: return " (a directory above a protected name)";
    case BS_RULE_ALIASED: return " (a file with other names or writers placed at a protected name)";
    case BS_RULE_PLACE_UUID: return " (a new UUID or label for a filesystem the fstab places)";
    case BS_RULE_SEAL_TRIGGER: return " (by the seal-by program)";
    case BS_RULE_SEAL_DEADLINE: return " (at the seal-after deadline)";
    default: return " default";
  }
}

}  // namespace

std::string prog_load_text(uint32_t detail) {
  if (!(detail & BS_PROG_LOAD_DETAIL)) return "";
  const uint32_t type = detail & 0xff, attach = (detail >> 8) & 0xffff;
  // The types the enforcer refuses, and the attach types that matter for them.
  static const std::pair<uint32_t, const char*> kTypes[] = {
      {BPF_PROG_TYPE_LSM, "lsm"},
      {BPF_PROG_TYPE_TRACING, "tracing"},
      {BPF_PROG_TYPE_EXT, "ext"},
      {BPF_PROG_TYPE_KPROBE, "kprobe"},
      {BPF_PROG_TYPE_TRACEPOINT, "tracepoint"},
      {BPF_PROG_TYPE_PERF_EVENT, "perf_event"},
      {BPF_PROG_TYPE_RAW_TRACEPOINT, "raw_tracepoint"},
      {BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE, "raw_tracepoint_writable"},
  };
  static const std::pair<uint32_t, const char*> kAttach[] = {
      {BPF_LSM_MAC, "lsm_mac"},         {BPF_LSM_CGROUP, "lsm_cgroup"}, {BPF_TRACE_FENTRY, "fentry"},
      {BPF_TRACE_FEXIT, "fexit"},       {BPF_MODIFY_RETURN, "fmod_ret"}, {BPF_TRACE_ITER, "trace_iter"},
      {BPF_TRACE_RAW_TP, "raw_tp"},     {BPF_TRACE_KPROBE_MULTI, "kprobe_multi"},
  };
  auto name = [](const auto& table, uint32_t v) {
    for (const auto& [value, n] : table)
      if (value == v) return std::string(n);
    return std::to_string(v);
  };
  std::string t = "program type " + name(kTypes, type);
  // The attach type means something for these; kprobes and the rest load
  // with 0 (BPF_CGROUP_INET_INGRESS), which would read as noise.
  if (type == BPF_PROG_TYPE_LSM || type == BPF_PROG_TYPE_TRACING || type == BPF_PROG_TYPE_EXT || attach != 0)
    t += ", attach " + name(kAttach, attach);
  return t;
}

nlohmann::json to_json(const EventView& v) {
  nlohmann::json j{{"seq", v.seq},
                   {"time_boot_seconds", v.time_boot_seconds},
                   {"pid", v.pid},
                   {"tid", v.tid},
                   {"comm", v.comm},
                   {"subject", v.subject},
                   {"operation", v.operation},
                   {"object", v.object},
                   {"policy_action", v.policy_action},
                   {"decision", decision(v)},
                   {"rule", v.rule >= 0 ? nlohmann::json(v.rule + 1) : nlohmann::json()}};
  if (v.dev) {
    j["dev"] = *v.dev;
    j["ino"] = v.ino;
  }
  return j;
}

void print_event(std::ostream& out, const EventView& v) {
  char ts[32];
  std::snprintf(ts, sizeof(ts), "[%12.6f]", v.time_boot_seconds);
  out << ts << " " << decision(v) << " " << v.operation << " " << v.object << " by pid " << v.pid << " (" << v.comm
      << ", subject " << v.subject << "): " << v.policy_action << rule_text(v.rule) << "\n";
}

}  // namespace bootseal::tool

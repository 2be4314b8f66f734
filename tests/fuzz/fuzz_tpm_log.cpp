// SPDX-License-Identifier: GPL-2.0-only
// libFuzzer target for the files of bootseal/tpm_log.hpp that root can
// write and bootseal reads back: the measurement log (`bootseal status`),
// the floor request (the loader) and the boot assessment record (`bootseal
// status`). Any input parses or is refused without a crash; an error names
// its origin; every record read is one of ours (a seal record with its
// reason's digest) and survives formatting and parsing again unchanged; a
// request read is the decimal number its text spells; an assessment read
// formats and parses back to itself. Anything else aborts.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "bootseal/tpm_log.hpp"

namespace {

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_tpm_log: %s\n%s\n", what, detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace bootseal::tpm;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  auto log = parse_measure_log(text, "fuzz.log");
  if (!log) {
    if (log.error().rfind("fuzz.log", 0) != 0) fail("log error without its origin", log.error());
  } else {
    for (const auto& e : *log) {
      if (e.event != "policy" && e.event != "permissive" && e.event != "no-policy" && e.event != "sealed")
        fail("an event of no known kind", e.event);
      if (e.event == "permissive" && e.digest != permissive_digest())
        fail("a permissive record whose digest is not its text's", format_event(e));
      // A seal record's digest is its reason's; no other record has a reason.
      if (e.event == "sealed" &&
          ((e.reason != "trigger" && e.reason != "deadline") || e.digest != sealed_digest(e.reason)))
        fail("a seal record whose digest is not its reason's", e.reason);
      if (e.event != "sealed" && !e.reason.empty()) fail("a reason on a record that is not a seal", e.event);
      if (e.pcr > 23) fail("a PCR above 23", std::to_string(e.pcr));
      // The policy name may hold bytes that are not UTF-8; formatting
      // replaces them, so only valid records must round-trip exactly.
      auto again = parse_measure_log(format_event(e), "again");
      if (!again || again->size() != 1) fail("a record read does not read again", format_event(e));
      const MeasureEvent& r = (*again)[0];
      if (r.pcr != e.pcr || r.digest != e.digest || r.event != e.event || r.generation != e.generation ||
          r.nv_index != e.nv_index || r.reason != e.reason)
        fail("a record changed through formatting", format_event(e));
    }
  }

  auto req = parse_floor_request(text, "fuzz.req");
  if (!req) {
    if (req.error().rfind("fuzz.req", 0) != 0) fail("request error without its origin", req.error());
  } else {
    std::string spelled = format_floor_request(*req);
    std::string_view t = text;
    if (!t.empty() && t.back() == '\n') t.remove_suffix(1);
    // Leading zeros spell the same number.
    while (t.size() > 1 && t.front() == '0') t.remove_prefix(1);
    if (spelled != std::string(t) + "\n") fail("a request read is not the number its text spells", std::string(text));
  }

  auto rec = parse_assessment(text, "fuzz.assessment");
  if (!rec) {
    if (rec.error().rfind("fuzz.assessment", 0) != 0) fail("assessment error without its origin", rec.error());
  } else {
    if (rec->boot_id.size() != 36 || rec->kid.size() != 64 || rec->policy.size() > 255)
      fail("an assessment with a field out of its bounds", std::string(text));
    // Names that are not UTF-8 are replaced when formatted; the rest must
    // come back unchanged.
    auto again = parse_assessment(format_assessment(*rec), "again");
    if (!again || again->boot_id != rec->boot_id || again->generation != rec->generation ||
        again->kid != rec->kid || again->time != rec->time || again->floor != rec->floor)
      fail("an assessment changed through formatting", std::string(text));
  }
  return 0;
}

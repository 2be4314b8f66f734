// SPDX-License-Identifier: GPL-2.0-only
// libFuzzer target for the policy language. Any input either fails with a
// message in the documented form, or parses to a valid document whose
// canonical text parses back to the same document and is a fixed point of
// formatting. Anything else aborts.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "bootseal/language.hpp"

namespace {

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_policy_language: %s\n%s\n", what, detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = bootseal::parse_policy_source(text, "fuzz.policy");
  if (!parsed.ok()) {
    // "fuzz.policy:LINE:COLUMN: error: WHAT, expected WHAT"
    const std::string& e = parsed.error();
    if (e.rfind("fuzz.policy:", 0) != 0 || e.find(": error: ") == std::string::npos ||
        e.find(", expected ") == std::string::npos) {
      fail("error message not in the documented form", e);
    }
    return 0;
  }
  const bootseal::Document& doc = parsed->document;
  if (parsed->rule_lines.size() != doc.rules.size()) fail("rule line table has the wrong size", "");
  if (auto v = bootseal::validate(doc); !v) fail("parsed document does not validate", v.error());

  const std::string canonical = bootseal::format_policy(doc);
  auto again = bootseal::parse_policy(canonical, "canonical.policy");
  if (!again.ok()) fail("canonical text does not parse", again.error() + "\n" + canonical);
  if (!(*again == doc)) fail("canonical text parses to a different document", canonical);
  if (bootseal::format_policy(*again) != canonical) fail("canonical text is not a fixed point", canonical);
  return 0;
}

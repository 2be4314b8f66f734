// SPDX-License-Identifier: GPL-2.0-only
// bootseal-sign check: the language check, no key needed (its command line
// is in main.cpp).
#include <iostream>

#include "bootseal/language.hpp"
#include "commands.hpp"
#include "common.hpp"
#include "exit_codes.hpp"

namespace bootseal::sign {

int run_check(const CheckOptions& o) {
  int rc = kExitOk;
  for (const auto& file : o.policies) {
    auto parsed = parse_policy_file(file);
    if (!parsed) {
      std::cerr << parsed.error() << "\n";
      rc = kExitPolicyError;
      continue;
    }
    for (const auto& w : policy_warnings(*parsed, file)) std::cerr << w << "\n";
    const Document& d = parsed->document;
    if (o.canonical) {
      std::cout << format_policy(d);
    } else {
      std::cout << file << ": ok: policy " << quote(d.name) << ", generation " << d.generation << ", "
                << to_string(d.mode) << " mode, " << d.rules.size() << " rules";
      if (!d.bpf_lsm_loaders.empty()) std::cout << ", " << d.bpf_lsm_loaders.size() << " bpf-load lsm grants";
      if (has_phases(d)) {
        std::cout << ", boot phase until seal-after " << d.seal_after << "s";
        if (d.seal_by) std::cout << " or seal-by " << quote_if_needed(*d.seal_by);
      }
      std::cout << "\n";
    }
  }
  return rc;
}

}  // namespace bootseal::sign

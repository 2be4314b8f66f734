// SPDX-License-Identifier: GPL-2.0-only
// bootseal-sign check POLICY...: the language check, no key needed.
#include <iostream>
#include <memory>

#include "bootseal/language.hpp"
#include "common.hpp"
#include "exit_codes.hpp"

namespace bootseal::sign {
namespace {

struct CheckOptions {
  std::vector<std::string> policies;
  bool canonical = false;
};

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

}  // namespace

void setup_check(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<CheckOptions>();
  auto* sub = app.add_subcommand("check", "Check policy sources for errors (no key needed).");
  sub->add_flag("--canonical", o->canonical, "Print each policy's canonical text instead of a summary");
  sub->add_option("POLICY", o->policies, "Policy source files")->required();
  sub->callback([o, &exit_code] { exit_code = run_check(*o); });
}

}  // namespace bootseal::sign

// SPDX-License-Identifier: GPL-2.0-only
// bootseal-sign seal: compile and sign (its command line is in main.cpp).
#include <iostream>

#include "bootseal/fileio.hpp"
#include "bootseal/language.hpp"
#include "commands.hpp"
#include "common.hpp"
#include "error_exits.hpp"
#include "exit_codes.hpp"

namespace bootseal::sign {
namespace {

std::string default_output(const std::string& policy) {
  std::filesystem::path p(policy);
  if (p.extension() == ".policy") p.replace_extension(".sealed");
  else p += ".sealed";
  return p.filename().string();
}

}  // namespace

int run_seal(const SealOptions& o) {
  auto parsed = parse_policy_file(o.policy);
  if (!parsed) {
    std::cerr << parsed.error() << "\n";
    return kExitPolicyError;
  }
  for (const auto& w : policy_warnings(*parsed, o.policy)) std::cerr << w << "\n";
  auto key = load_signing_key(o.key);
  if (!key) return fail(key);
  auto blob = seal(parsed->document, *key);
  if (!blob) return fail(exit_code_for(blob.kind()), "Failed to seal " + o.policy + ": " + blob.error());
  std::string out = o.output.empty() ? default_output(o.policy) : o.output;
  if (auto w = write_file_atomic(out, *blob); !w) return fail(w);
  const Document& d = parsed->document;
  std::cout << "sealed:     " << out << " (" << blob->size() << " bytes)\n"
            << "policy:     " << d.name << "\n"
            << "generation: " << d.generation << "\n"
            << "alg:        " << to_string(key->alg) << "\n"
            << "kid:        " << to_hex(key->kid) << "\n"
            << "sha256:     " << to_hex(sha256(*blob)) << "\n";
  return kExitOk;
}

}  // namespace bootseal::sign

// SPDX-License-Identifier: GPL-2.0-only
// bootseal-sign seal --key KEY [-o OUT] POLICY: compile and sign.
#include <iostream>
#include <memory>

#include "bootseal/fileio.hpp"
#include "bootseal/language.hpp"
#include "common.hpp"
#include "error_exits.hpp"
#include "exit_codes.hpp"

namespace bootseal::sign {
namespace {

struct SealOptions {
  std::string key;
  std::string output;
  std::string policy;
};

std::string default_output(const std::string& policy) {
  std::filesystem::path p(policy);
  if (p.extension() == ".policy") p.replace_extension(".sealed");
  else p += ".sealed";
  return p.filename().string();
}

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

}  // namespace

void setup_seal(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<SealOptions>();
  auto* sub = app.add_subcommand("seal", "Compile a policy source and sign it into a sealed blob.");
  sub->add_option("--key,-k", o->key,
                  "Private key: a PEM file, or an OpenSSL store URI (file:..., pkcs11:...)")
      ->required();
  sub->add_option("--output,-o", o->output, "Sealed blob to write (default: POLICY with .sealed)");
  sub->add_option("POLICY", o->policy, "Policy source (.policy)")->required();
  sub->callback([o, &exit_code] { exit_code = run_seal(*o); });
}

}  // namespace bootseal::sign

// SPDX-License-Identifier: GPL-2.0-only
// bootseal-sign keygen [--alg ed25519|es256|es384|ps256] PRIVATE.pem PUBLIC.pem
#include <iostream>
#include <map>
#include <memory>

#include "common.hpp"
#include "error_exits.hpp"
#include "exit_codes.hpp"

namespace bootseal::sign {
namespace {

struct KeygenOptions {
  std::string alg = "ed25519";
  std::string private_pem;
  std::string public_pem;
};

int run_keygen(const KeygenOptions& o) {
  static const std::map<std::string, Alg> kAlgs = {
      {"ed25519", Alg::eddsa}, {"es256", Alg::es256}, {"es384", Alg::es384}, {"ps256", Alg::ps256}};
  Alg alg = kAlgs.at(o.alg);
  if (auto r = generate_keypair(alg, o.private_pem, o.public_pem); !r) return fail(r);
  auto pub = load_public_key(o.public_pem);
  if (!pub) return fail(pub);
  std::cout << "private key: " << o.private_pem << " (mode 0600)\n"
            << "public key:  " << o.public_pem << "\n"
            << "alg:         " << to_string(alg) << "\n"
            << "kid:         " << to_hex(pub->kid) << "\n";
  return kExitOk;
}

}  // namespace

void setup_keygen(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<KeygenOptions>();
  auto* sub = app.add_subcommand("keygen", "Generate a signing key pair (PKCS#8 private key, mode 0600).");
  sub->add_option("--alg", o->alg, "Key algorithm")
      ->check(CLI::IsMember({"ed25519", "es256", "es384", "ps256"}))
      ->capture_default_str();
  sub->add_option("PRIVATE", o->private_pem, "Private key PEM to create (never overwritten)")->required();
  sub->add_option("PUBLIC", o->public_pem, "Public key PEM to create (goes into trust stores)")->required();
  sub->callback([o, &exit_code] { exit_code = run_keygen(*o); });
}

}  // namespace bootseal::sign

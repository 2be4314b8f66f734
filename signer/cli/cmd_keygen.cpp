// SPDX-License-Identifier: GPL-2.0-only
// bootseal-sign keygen: generates a signing key pair (its command line is in
// main.cpp).
#include <iostream>
#include <map>

#include "commands.hpp"
#include "common.hpp"
#include "error_exits.hpp"
#include "exit_codes.hpp"

namespace bootseal::sign {

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

}  // namespace bootseal::sign

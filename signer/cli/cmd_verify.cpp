// SPDX-License-Identifier: GPL-2.0-only
// bootseal-sign verify: verifies sealed blobs against trusted public keys
// (its command line is in main.cpp).
#include <iostream>

#include "bootseal/fileio.hpp"
#include "commands.hpp"
#include "common.hpp"
#include "error_exits.hpp"
#include "exit_codes.hpp"

namespace bootseal::sign {

int run_verify(const VerifyOptions& o) {
  auto trust = TrustStore::load(o.trust);
  if (!trust) return fail(trust);
  int rc = kExitOk;
  for (const auto& file : o.blobs) {
    auto blob = read_file(file, kMaxBlobSize);
    if (!blob) {
      rc = fail(blob);
      continue;
    }
    Verified v;
    VerifyStatus st = verify_sealed(*blob, *trust, &v);
    if (st != VerifyStatus::ok) {
      rc = fail(exit_code_for(st), describe(st, file));
      continue;
    }
    if (!o.quiet) {
      std::cout << file << ": ok: policy " << v.document.name << ", generation " << v.document.generation
                << ", " << to_string(v.alg) << ", kid " << to_hex(v.kid) << "\n";
    }
  }
  return rc;
}

}  // namespace bootseal::sign

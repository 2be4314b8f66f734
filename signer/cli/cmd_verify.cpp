// SPDX-License-Identifier: GPL-2.0-only
// bootseal-sign verify --trust PEM_OR_DIR BLOB...
#include <iostream>
#include <memory>

#include "bootseal/fileio.hpp"
#include "common.hpp"
#include "error_exits.hpp"
#include "exit_codes.hpp"

namespace bootseal::sign {
namespace {

struct VerifyOptions {
  std::string trust;
  std::vector<std::string> blobs;
  bool quiet = false;
};

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

}  // namespace

void setup_verify(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<VerifyOptions>();
  auto* sub = app.add_subcommand("verify", "Verify sealed blobs against trusted public keys.");
  sub->add_option("--trust,-t", o->trust, "Trusted public key: one PEM file or a directory of *.pem")
      ->required();
  sub->add_flag("--quiet,-q", o->quiet, "Print nothing on success");
  sub->add_option("BLOB", o->blobs, "Sealed blobs")->required();
  sub->footer(
      "Exit codes: 0 all verified, 1 unreadable input or trust store, 4 malformed blob,\n"
      "5 kid not in the trust store, 6 signature does not verify or alg does not fit the key.");
  sub->callback([o, &exit_code] { exit_code = run_verify(*o); });
}

}  // namespace bootseal::sign

// SPDX-License-Identifier: GPL-2.0-only
// bootseal-sign inspect [--json] [--trust PEM_OR_DIR] BLOB: what a sealed blob holds.
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "bootseal/fileio.hpp"
#include "bootseal/language.hpp"
#include "common.hpp"
#include "error_exits.hpp"
#include "exit_codes.hpp"

namespace bootseal::sign {
namespace {

struct InspectOptions {
  std::string blob;
  std::string trust;
  bool json = false;
};

std::string alg_name(int alg) {
  for (Alg a : {Alg::eddsa, Alg::es256, Alg::es384, Alg::ps256})
    if (static_cast<int>(a) == alg) return std::string(to_string(a));
  return "unknown (" + std::to_string(alg) + ")";
}

int run_inspect(const InspectOptions& o) {
  auto blob = read_file(o.blob, kMaxBlobSize);
  if (!blob) return fail(blob);
  Envelope env;
  if (VerifyStatus st = parse_envelope(*blob, &env); st != VerifyStatus::ok)
    return fail(exit_code_for(st), describe(st, o.blob));
  auto doc = decode_document(env.payload);
  if (!doc) return fail(exit_code_for(VerifyStatus::malformed_payload), o.blob + ": payload: " + doc.error());

  // The signature is checked only when a trust store is given.
  std::string verification = "not checked (no --trust given)";
  int rc = kExitOk;
  if (!o.trust.empty()) {
    auto trust = TrustStore::load(o.trust);
    if (!trust) return fail(trust);
    Verified v;
    VerifyStatus st = verify_sealed(*blob, *trust, &v);
    verification = std::string(to_string(st));
    rc = exit_code_for(st);
  }

  const Document& d = *doc;
  if (o.json) {
    nlohmann::json j;
    j["file"] = o.blob;
    j["size"] = blob->size();
    j["sha256"] = to_hex(sha256(*blob));
    j["alg"] = alg_name(env.alg);
    j["kid"] = env.has_kid ? nlohmann::json(to_hex(env.kid)) : nlohmann::json(nullptr);
    j["verification"] = verification;
    j["name"] = d.name;
    j["generation"] = d.generation;
    j["mode"] = to_string(d.mode);
    j["description"] = d.description;
    auto& machines = j["machines"] = nlohmann::json::array();
    for (const auto& m : d.machines) machines.push_back(to_string(m));
    auto& defaults = j["defaults"] = nlohmann::json::object();
    for (size_t i = 0; i < kOperationCount; ++i)
      defaults[std::string(to_string(static_cast<Operation>(i)))] = to_string(d.defaults[i]);
    auto& rules = j["rules"] = nlohmann::json::array();
    for (const auto& r : d.rules) rules.push_back(format_rule(r));
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << "# " << o.blob << ": " << blob->size() << " bytes, sha256 " << to_hex(sha256(*blob)) << "\n"
              << "# COSE_Sign1, alg " << alg_name(env.alg) << ", kid "
              << (env.has_kid ? to_hex(env.kid) : std::string("(none)")) << "\n"
              << "# signature: " << verification << "\n"
              << format_policy(d);
  }
  return rc;
}

}  // namespace

void setup_inspect(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<InspectOptions>();
  auto* sub = app.add_subcommand("inspect", "Show what a sealed blob holds: header, alg, kid and the policy as text.");
  sub->add_flag("--json", o->json, "Machine-readable output");
  sub->add_option("--trust,-t", o->trust, "Also verify the signature against this PEM file or directory");
  sub->add_option("BLOB", o->blob, "Sealed blob")->required();
  sub->callback([o, &exit_code] { exit_code = run_inspect(*o); });
}

}  // namespace bootseal::sign

// SPDX-License-Identifier: GPL-2.0-only
// bootseal-sign inspect: what a sealed blob holds (its command line is in
// main.cpp).
#include <iostream>
#include <optional>
#include <nlohmann/json.hpp>

#include "bootseal/fileio.hpp"
#include "bootseal/language.hpp"
#include "bootseal/view.hpp"
#include "commands.hpp"
#include "common.hpp"
#include "error_exits.hpp"
#include "exit_codes.hpp"

namespace bootseal::sign {
namespace {

// What inspect reports: the blob (docs/JSON.md, "blob") and its file.
struct InspectView {
  std::string file;
  view::BlobView blob;
};

nlohmann::json to_json(const InspectView& v) {
  nlohmann::json j = view::to_json(v.blob);
  j["file"] = v.file;
  return j;
}

void print_text(std::ostream& out, const InspectView& v) {
  const view::SignatureView& sig = *v.blob.signature;
  out << "# " << v.file << ": " << v.blob.size << " bytes, sha256 " << v.blob.sha256 << "\n"
      << "# COSE_Sign1, alg " << view::alg_name(sig.alg) << ", kid "
      << (sig.kid ? to_hex(*sig.kid) : std::string("(none)")) << "\n"
      << "# signature: "
      << (sig.checked ? std::string(to_string(*sig.checked)) : std::string("not checked (no --trust given)")) << "\n"
      << v.blob.policy->text;
}

}  // namespace

int run_inspect(const InspectOptions& o) {
  auto blob = read_file(o.blob, kMaxBlobSize);
  if (!blob) return fail(blob);
  Envelope env;
  if (VerifyStatus st = parse_envelope(*blob, &env); st != VerifyStatus::ok)
    return fail(exit_code_for(st), describe(st, o.blob));
  auto doc = decode_document(env.payload);
  if (!doc) return fail(exit_code_for(VerifyStatus::malformed_payload), o.blob + ": payload: " + doc.error());

  // The signature is checked only when a trust store is given.
  std::optional<VerifyStatus> checked;
  if (!o.trust.empty()) {
    auto trust = TrustStore::load(o.trust);
    if (!trust) return fail(trust);
    Verified v;
    checked = verify_sealed(*blob, *trust, &v);
  }

  InspectView v;
  v.file = o.blob;
  v.blob.size = blob->size();
  v.blob.sha256 = to_hex(sha256(*blob));
  v.blob.status = checked.value_or(VerifyStatus::ok);
  v.blob.signature = view::SignatureView{env.alg, env.has_kid ? std::optional(env.kid) : std::nullopt, checked};
  v.blob.policy = view::policy_view(*doc);
  if (o.json)
    std::cout << to_json(v).dump(2) << "\n";
  else
    print_text(std::cout, v);
  return checked ? exit_code_for(*checked) : kExitOk;
}

}  // namespace bootseal::sign

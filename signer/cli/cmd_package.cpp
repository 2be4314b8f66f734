// SPDX-License-Identifier: GPL-2.0-only
// bootseal-sign package: a Debian package that installs a sealed policy with
// `bootseal update` (its command line is in main.cpp).
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>

#include "bootseal/fileio.hpp"
#include "bootseal/language.hpp"
#include "commands.hpp"
#include "common.hpp"
#include "deb.hpp"
#include "error_exits.hpp"
#include "exit_codes.hpp"
#include "policy_package.hpp"

namespace bootseal::sign {
namespace {

uint64_t now_seconds() {
  auto s = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
  return s.count() > 0 ? static_cast<uint64_t>(s.count()) : 0;
}

// The blob, well-formed, and verified when a trust store is given: its
// document and kid, or the exit code (after the message).
struct Checked {
  Document document;
  Kid kid{};
  std::optional<VerifyStatus> signature;  // set when checked (then ok)
};
Result<Checked, int> check_blob(const PackageOptions& o, std::span<const uint8_t> blob) {
  auto refuse = [](int code, const std::string& message) { return make_error(code, message); };
  Envelope env;
  if (VerifyStatus st = parse_envelope(blob, &env); st != VerifyStatus::ok)
    return refuse(exit_code_for(st), describe(st, o.blob));
  auto doc = decode_document(env.payload);
  if (!doc) return refuse(exit_code_for(VerifyStatus::malformed_payload), o.blob + ": payload: " + doc.error());
  // A blob without a kid verifies nowhere: no machine could install it.
  if (!env.has_kid)
    return refuse(kExitMalformed, o.blob + ": the envelope has no kid of 32 bytes; no trust store can verify it");
  Checked c{std::move(*doc), env.kid, std::nullopt};
  if (!o.trust.empty()) {
    auto trust = TrustStore::load(o.trust);
    if (!trust) return refuse(exit_code_for(trust.kind()), trust.error());
    Verified v;
    VerifyStatus st = verify_sealed(blob, *trust, &v);
    if (st != VerifyStatus::ok) return refuse(exit_code_for(st), describe(st, o.blob) + " (--trust " + o.trust + ")");
    c.signature = st;
  }
  return c;
}

}  // namespace

int run_package(const PackageOptions& o) {
  // What the command line and the environment say, before any file is read.
  auto mtime = deb::source_date_epoch(std::getenv("SOURCE_DATE_EPOCH"), now_seconds());
  if (!mtime) return fail(kExitUsage, mtime.error());
  std::string maintainer = choose_maintainer(o.maintainer, std::getenv("DEBFULLNAME"), std::getenv("DEBEMAIL"));
  if (auto r = check_maintainer(maintainer); !r) return fail(kExitUsage, r.error());
  if (!o.name.empty())
    if (auto r = deb::check_package_name(o.name); !r) return fail(kExitUsage, "--name: " + r.error());

  auto blob = read_file(o.blob, kMaxBlobSize);
  if (!blob) return fail(blob);
  auto checked = check_blob(o, *blob);
  if (!checked) return fail(checked.kind(), checked.error());
  const Document& d = checked->document;

  PolicyPackage p;
  p.package = o.name.empty() ? package_name_for(d.name) : o.name;
  if (auto r = deb::check_package_name(p.package); !r)
    return fail(kExitUsage, "policy " + quote(d.name) + ": " + r.error() + "; give one with --name");
  p.maintainer = maintainer;
  p.tool_version = BOOTSEAL_VERSION;
  p.policy_name = d.name;
  p.policy_description = d.description;
  p.generation = d.generation;
  p.kid = checked->kid;
  p.blob = *blob;
  auto deb = build_deb(p, *mtime);
  if (!deb) return fail(deb);

  // The same bytes already there are left alone; other contents only with --force.
  std::filesystem::path out = std::filesystem::path(o.output) / deb_file_name(p);
  std::error_code ec;
  bool unchanged = false;
  auto type = std::filesystem::symlink_status(out, ec).type();
  if (type != std::filesystem::file_type::not_found) {
    if (type == std::filesystem::file_type::regular && std::filesystem::file_size(out, ec) == deb->size()) {
      auto old = read_file(out, deb->size());
      if (!old) return fail(old);
      unchanged = *old == *deb;
    }
    if (!unchanged && !o.force)
      return fail(kExitOutputExists, out.string() + ": exists with other contents; nothing was written (--force replaces it)");
  }
  if (!unchanged)
    if (auto w = write_file_atomic(out, *deb); !w) return fail(w);

  std::cout << "package:    " << out.string() << " (" << deb->size() << " bytes"
            << (unchanged ? ", unchanged: the same file was there" : "") << ")\n"
            << "name:       " << p.package << "\n"
            << "version:    " << p.generation << "\n"
            << "policy:     " << d.name << "\n"
            << "kid:        " << to_hex(p.kid) << "\n"
            << "sha256:     " << to_hex(sha256(*blob)) << " (the sealed blob)\n"
            << "signature:  "
            << (checked->signature ? "verified against " + o.trust
                                   : std::string("not checked (no --trust given); each machine verifies it"))
            << "\n";
  return kExitOk;
}

}  // namespace bootseal::sign

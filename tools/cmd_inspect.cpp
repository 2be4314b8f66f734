// SPDX-License-Identifier: GPL-2.0-only
// bootseal inspect [--json] [--trust PEM_OR_DIR] SOURCE
// SOURCE is a sealed blob, a bootseal partition, a disk (image) or a kernel
// image: what it holds, which slot or trailer serves, what was skipped and why.
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <sstream>
#include <memory>

#include "bootseal/discovery.hpp"
#include "bootseal/fileio.hpp"
#include "bootseal/trailer.hpp"
#include "common.hpp"
#include "exit_codes.hpp"

namespace bootseal::tool {
namespace {

using nlohmann::json;

// Redirects std::cout into a buffer while alive (or until restore()).
class Capture {
 public:
  explicit Capture(bool on) {
    if (on) saved_ = std::cout.rdbuf(sink_.rdbuf());
  }
  ~Capture() { restore(); }
  Capture(const Capture&) = delete;
  Capture& operator=(const Capture&) = delete;
  void restore() {
    if (saved_) std::cout.rdbuf(saved_);
    saved_ = nullptr;
  }

 private:
  std::ostringstream sink_;
  std::streambuf* saved_ = nullptr;
};

struct InspectOptions {
  std::string trust;
  std::string source;
  bool json = false;
};

// The blob view: envelope, verification, document. Returns the exit code.
int blob_view(std::span<const uint8_t> blob, const Trust& trust, const std::string& indent, json* j) {
  Document doc;
  Envelope env;
  const VerifyStatus parsed = parse_sealed_unverified(blob, &doc, &env);
  (*j)["size"] = blob.size();
  (*j)["sha256"] = to_hex(sha256(blob));
  if (parsed != VerifyStatus::ok) {
    (*j)["status"] = std::string(to_string(parsed));
    std::cout << indent << "not a well-formed sealed policy: " << to_string(parsed) << "\n";
    return kExitBadBlob;
  }
  VerifyStatus st = VerifyStatus::ok;
  bool verified = false;
  if (trust.store) {
    Verified v;
    st = verify_sealed(blob, *trust.store, &v);
    verified = st == VerifyStatus::ok;
  }
  (*j)["status"] = std::string(to_string(st));
  (*j)["policy"] = policy_json(doc, env.kid, env.alg, verified);
  std::cout << indent << blob.size() << "-byte sealed blob, SHA-256 " << to_hex(sha256(blob)) << "\n";
  if (trust.store && !verified)
    std::cout << indent << "DOES NOT VERIFY against " << trust.origin << ": " << to_string(st) << "\n";
  print_policy(std::cout, doc, env.kid, env.alg, verified, indent);
  return trust.store && !verified ? kExitBadBlob : kExitOk;
}

json source_json(const Source& s) {
  json j = {{"kind", std::string(to_string(s.kind))}, {"path", s.path}, {"description", s.description}};
  if (s.kind == SourceKind::partition) j["offset"] = s.offset;
  return j;
}

int disk_view(const std::string& path, const Trust& trust, json* j) {
  DiscoveryRequest req;
  req.devices = {path};
  req.trust = trust.get();
  const auto rep = discover(req);
  std::cout << path << ": disk with a partition table\n";
  json examined = json::array();
  for (const auto& e : rep.examined) {
    std::cout << "  " << e.source.description << ": " << (e.usable ? "" : "skipped: ") << e.outcome << "\n";
    for (const auto& d : e.details) std::cout << "    " << d << "\n";
    examined.push_back({{"source", source_json(e.source)}, {"usable", e.usable}, {"outcome", e.outcome},
                        {"details", e.details}});
  }
  (*j)["examined"] = examined;
  const Candidate* c = rep.choice();
  if (!c) {
    (*j)["serving"] = nullptr;
    std::cout << "  no bootseal partition serves a policy\n";
    return kExitNoPolicy;
  }
  (*j)["serving"] = {{"source", source_json(c->source)}, {"slot", std::string(kSlotNames[*c->slot])},
                     {"policy", policy_json(c->document, c->kid, c->alg, c->verified)}};
  std::cout << "  serves: " << c->source.description << ", slot " << kSlotNames[*c->slot] << "\n";
  print_policy(std::cout, c->document, c->kid, c->alg, c->verified, "    ");
  return kExitOk;
}

int run_inspect(const InspectOptions& o) {
  auto trust = load_trust(o.trust, false);
  if (!trust) return fail(kExitFailure, trust.error());
  struct stat st {};
  if (::stat(o.source.c_str(), &st) != 0) return fail(kExitFailure, o.source + ": " + errno_text(errno));
  json j = {{"source", o.source}, {"trust", trust->store ? json(trust->origin) : json(nullptr)}};
  int rc = kExitOk;
  // With --json the text report is captured and dropped; j is printed.
  Capture capture(o.json);

  bool done = false;
  if (S_ISREG(st.st_mode)) {
    auto t = read_trailer(o.source);
    if (!t) {
      return fail(kExitFailure, t.error());
    }
    if (t->location.status != TrailerStatus::absent) {
      done = true;
      j["kind"] = "kernel-image";
      j["image_length"] = t->location.image_length;
      if (t->location.status == TrailerStatus::corrupt) {
        j["trailer"] = {{"status", "corrupt"}, {"error", t->location.error}};
        std::cout << o.source << ": kernel image with a CORRUPT bootseal trailer footer: " << t->location.error << "\n";
        rc = kExitCorrupt;
      } else {
        json b;
        std::cout << o.source << ": kernel image of " << t->location.image_length << " bytes with a bootseal trailer ("
                  << t->location.blob_length << "-byte blob at offset " << t->location.blob_offset << ")\n";
        rc = blob_view(t->blob, *trust, "  ", &b);
        j["trailer"] = {{"status", "present"}, {"blob_offset", t->location.blob_offset},
                        {"blob_length", t->location.blob_length}, {"blob", b}};
      }
    }
  }
  if (!done) {
    auto probe = probe_device(o.source);
    if (!probe) {
      return fail(kExitFailure, probe.error());
    }
    if (probe->bootseal_partition) {
      done = true;
      j["kind"] = "partition";
      auto dev = FileDevice::open(o.source, false);
      if (!dev) {
          return fail(kExitFailure, dev.error());
      }
      auto ps = read_partition(**dev, trust->get());
      if (!ps) {
          return fail(kExitCorrupt, ps.error());
      }
      j["partition"] = partition_json(*ps, *trust);
      print_partition(std::cout, *ps, *trust);
      rc = ps->serving ? kExitOk : kExitNoPolicy;
    } else if (!probe->pttype.empty()) {
      done = true;
      j["kind"] = "disk";
      rc = disk_view(o.source, *trust, &j);
    } else if (S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) <= kMaxBlobSize) {
      auto blob = read_file(o.source, kMaxBlobSize);
      if (!blob) {
          return fail(kExitFailure, blob.error());
      }
      Envelope env;
      if (parse_envelope(*blob, &env) == VerifyStatus::ok) {
        done = true;
        j["kind"] = "blob";
        json b;
        std::cout << o.source << ": ";
        rc = blob_view(*blob, *trust, "", &b);
        j["blob"] = b;
      }
    }
    if (!done) {
      std::string seen = !probe->fstype.empty() ? "libblkid sees " + probe->fstype
                                                : "it is not a COSE_Sign1 envelope";
      return fail(kExitNoPolicy, o.source + ": holds no sealed blob, bootseal partition, disk with a partition "
                                            "table or kernel image with a bootseal trailer (" + seen + ")");
    }
  }
  capture.restore();
  if (o.json) std::cout << j.dump(2) << "\n";
  return rc;
}

}  // namespace

void setup_inspect(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<InspectOptions>();
  auto* sub = app.add_subcommand(
      "inspect", "Show what a blob, partition, disk (image) or kernel image holds and which policy it serves.");
  sub->add_flag("--json", o->json, "Machine-readable output");
  add_trust_option(sub, o->trust);
  sub->add_option("SOURCE", o->source, "A sealed blob, a bootseal partition, a disk or a kernel image")->required();
  sub->footer(
      "Rules are printed as policy text. Without a trust store (default " + std::string(kDefaultTrustStore) +
      ")\nsignatures are not checked. Exit 0 when a valid policy is found, 4 when the blob is malformed\n"
      "or does not verify, 5 when the source holds no valid policy, 6 when its structure is corrupt.");
  sub->callback([o, &exit_code] { exit_code = run_inspect(*o); });
}

}  // namespace bootseal::tool

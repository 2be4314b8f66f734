// SPDX-License-Identifier: GPL-2.0-only
// bootseal inspect: what a sealed blob, a bootseal partition, a disk (image)
// or a kernel image holds, which slot or trailer serves, what was skipped
// and why (its command line is in main.cpp).
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "bootseal/discovery.hpp"
#include "bootseal/fileio.hpp"
#include "bootseal/trailer.hpp"
#include "commands.hpp"
#include "common.hpp"
#include "error_exits.hpp"
#include "exit_codes.hpp"

namespace bootseal::tool {
namespace {

using nlohmann::json;

// What inspect reports, by the kind of source. Built first, then printed
// as text or JSON (docs/JSON.md, "bootseal inspect").
struct TrailerView {
  bool corrupt = false;
  std::string error;  // corrupt: what is wrong with the footer
  uint64_t blob_offset = 0;
  uint64_t blob_length = 0;
  view::BlobView blob;  // present: the blob it carries
};

struct ExaminedView {
  view::SourceView source;
  bool usable = false;
  std::string outcome;
  std::vector<std::string> details;
};

struct ServingView {
  view::SourceView source;
  std::string slot;
  view::SignatureView signature;
  view::PolicyView policy;
};

struct InspectView {
  std::string source;
  view::TrustView trust;
  std::string kind;  // blob, partition, disk or kernel-image
  std::optional<view::BlobView> blob;             // blob
  std::optional<view::PartitionView> partition;   // partition
  std::vector<ExaminedView> examined;             // disk
  std::optional<ServingView> serving;             // disk
  uint64_t image_length = 0;                      // kernel-image
  std::optional<TrailerView> trailer;             // kernel-image
};

// The blob view: envelope, verification, document. Returns the exit code.
int blob_view(std::span<const uint8_t> blob, const Trust& trust, view::BlobView* v) {
  v->size = blob.size();
  v->sha256 = to_hex(sha256(blob));
  Document doc;
  Envelope env;
  v->status = parse_sealed_unverified(blob, &doc, &env);
  if (v->status != VerifyStatus::ok) return exit_code_for(v->status);
  std::optional<VerifyStatus> checked;
  if (trust.store) {
    Verified verified;
    checked = verify_sealed(blob, *trust.store, &verified);
    v->status = *checked;
  }
  v->signature = view::SignatureView{env.alg, env.has_kid ? std::optional(env.kid) : std::nullopt, checked};
  v->policy = view::policy_view(doc);
  return checked ? exit_code_for(*checked) : kExitOk;
}

view::SourceView source_view(const Source& s) {
  view::SourceView v{std::string(to_string(s.kind)), s.path, s.description, std::nullopt};
  if (s.kind == SourceKind::partition) v.offset = s.offset;
  return v;
}

int disk_view(const std::string& path, const Trust& trust, InspectView* v) {
  DiscoveryRequest req;
  req.devices = {path};
  req.trust = trust.get();
  const auto rep = discover(req);
  for (const auto& e : rep.examined)
    v->examined.push_back({source_view(e.source), e.usable, e.outcome, e.details});
  const Candidate* c = rep.choice();
  if (!c) return kExitNoPolicy;
  v->serving = ServingView{
      source_view(c->source), std::string(kSlotNames[*c->slot]),
      view::SignatureView{c->alg, view::envelope_kid(c->blob),
                          c->verified ? std::optional(VerifyStatus::ok) : std::nullopt},
      view::policy_view(c->document)};
  return kExitOk;
}

void print_blob(std::ostream& out, const view::BlobView& b, const view::TrustView& trust, const std::string& indent) {
  if (!b.policy || !b.signature) {
    out << indent << "not a well-formed sealed policy: " << to_string(b.status) << "\n";
    return;
  }
  out << indent << b.size << "-byte sealed blob, SHA-256 " << b.sha256 << "\n";
  if (trust.loaded && !b.signature->verified())
    out << indent << "DOES NOT VERIFY against " << trust.origin << ": " << to_string(b.status) << "\n";
  print_policy(out, *b.policy, *b.signature, indent);
}

void print_text(std::ostream& out, const InspectView& v) {
  if (v.trailer) {
    if (v.trailer->corrupt) {
      out << v.source << ": kernel image with a CORRUPT bootseal trailer footer: " << v.trailer->error << "\n";
      return;
    }
    out << v.source << ": kernel image of " << v.image_length << " bytes with a bootseal trailer ("
        << v.trailer->blob_length << "-byte blob at offset " << v.trailer->blob_offset << ")\n";
    print_blob(out, v.trailer->blob, v.trust, "  ");
  } else if (v.partition) {
    print_partition(out, *v.partition);
  } else if (v.blob) {
    out << v.source << ": ";
    print_blob(out, *v.blob, v.trust, "");
  } else {
    out << v.source << ": disk with a partition table\n";
    for (const auto& e : v.examined) {
      out << "  " << e.source.description << ": " << (e.usable ? "" : "skipped: ") << e.outcome << "\n";
      for (const auto& d : e.details) out << "    " << d << "\n";
    }
    if (!v.serving) {
      out << "  no bootseal partition serves a policy\n";
      return;
    }
    out << "  serves: " << v.serving->source.description << ", slot " << v.serving->slot << "\n";
    print_policy(out, v.serving->policy, v.serving->signature, "    ");
  }
}

json to_json(const InspectView& v) {
  json j = {{"source", v.source}, {"trust", view::to_json(v.trust)}, {"kind", v.kind}};
  if (v.blob) j["blob"] = view::to_json(*v.blob);
  if (v.partition) j["partition"] = view::to_json(*v.partition);
  if (v.kind == "disk") {
    json examined = json::array();
    for (const auto& e : v.examined)
      examined.push_back({{"source", view::to_json(e.source)}, {"usable", e.usable}, {"outcome", e.outcome},
                          {"details", e.details}});
    j["examined"] = examined;
    j["serving"] = v.serving ? json{{"source", view::to_json(v.serving->source)},
                                    {"slot", v.serving->slot},
                                    {"signature", view::to_json(v.serving->signature)},
                                    {"policy", view::to_json(v.serving->policy)}}
                             : json(nullptr);
  }
  if (v.trailer) {
    j["image_length"] = v.image_length;
    if (v.trailer->corrupt)
      j["trailer"] = {{"status", "corrupt"}, {"error", v.trailer->error}};
    else
      j["trailer"] = {{"status", "present"}, {"blob_offset", v.trailer->blob_offset},
                      {"blob_length", v.trailer->blob_length}, {"blob", view::to_json(v.trailer->blob)}};
  }
  return j;
}

}  // namespace

int run_inspect(const InspectOptions& o) {
  auto trust = load_trust(o.trust, false);
  if (!trust) return fail(trust);
  struct stat st {};
  if (::stat(o.source.c_str(), &st) != 0) return fail(kExitFailure, o.source + ": " + errno_text(errno));
  InspectView v;
  v.source = o.source;
  v.trust = trust->view();
  int rc = kExitOk;

  bool done = false;
  if (S_ISREG(st.st_mode)) {
    auto t = read_trailer(o.source);
    if (!t) {
      return fail(t);
    }
    if (t->location.status != TrailerStatus::absent) {
      done = true;
      v.kind = "kernel-image";
      v.image_length = t->location.image_length;
      TrailerView& tv = v.trailer.emplace();
      if (t->location.status == TrailerStatus::corrupt) {
        tv.corrupt = true;
        tv.error = t->location.error->message;
        rc = exit_code_for(t->location.error->kind);
      } else {
        tv.blob_offset = t->location.blob_offset;
        tv.blob_length = t->location.blob_length;
        rc = blob_view(t->blob, *trust, &tv.blob);
      }
    }
  }
  if (!done) {
    auto probe = probe_device(o.source);
    if (!probe) {
      return fail(probe);
    }
    if (probe->bootseal_partition) {
      done = true;
      v.kind = "partition";
      auto dev = FileDevice::open(o.source, false);
      if (!dev) {
          return fail(dev);
      }
      auto ps = read_partition(**dev, trust->get());
      if (!ps) {
          return fail(kExitCorrupt, ps.error());
      }
      v.partition = view::partition_view(*ps, trust->view());
      rc = ps->serving ? kExitOk : kExitNoPolicy;
    } else if (!probe->pttype.empty()) {
      done = true;
      v.kind = "disk";
      rc = disk_view(o.source, *trust, &v);
    } else if (S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) <= kMaxBlobSize) {
      auto blob = read_file(o.source, kMaxBlobSize);
      if (!blob) {
          return fail(blob);
      }
      Envelope env;
      if (parse_envelope(*blob, &env) == VerifyStatus::ok) {
        done = true;
        v.kind = "blob";
        rc = blob_view(*blob, *trust, &v.blob.emplace());
      }
    }
    if (!done) {
      std::string seen = !probe->fstype.empty() ? "libblkid sees " + probe->fstype
                                                : "it is not a COSE_Sign1 envelope";
      return fail(kExitNoPolicy, o.source + ": holds no sealed blob, bootseal partition, disk with a partition "
                                            "table or kernel image with a bootseal trailer (" + seen + ")");
    }
  }
  if (o.json)
    std::cout << to_json(v).dump(2) << "\n";
  else
    print_text(std::cout, v);
  return rc;
}

}  // namespace bootseal::tool

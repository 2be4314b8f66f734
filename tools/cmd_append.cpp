// SPDX-License-Identifier: GPL-2.0-only
// bootseal append [--trust PEM_OR_DIR] [--replace] --kernel IMAGE BLOB
#include <iostream>
#include <memory>

#include "bootseal/fileio.hpp"
#include "bootseal/trailer.hpp"
#include "common.hpp"
#include "error_exits.hpp"
#include "exit_codes.hpp"

namespace bootseal::tool {
namespace {

struct AppendOptions {
  std::string trust;
  std::string kernel;
  std::string blob;
  bool replace = false;
};

int run_append(const AppendOptions& o) {
  auto trust = load_trust(o.trust, true);
  if (!trust) return fail(trust);
  auto blob = read_file(o.blob, kMaxBlobSize);
  if (!blob) return fail(kExitBadBlob, blob.error());
  Verified v;
  if (const VerifyStatus st = verify_sealed(*blob, *trust->get(), &v); st != VerifyStatus::ok)
    return fail(exit_code_for(st), o.blob + ": does not verify against " + trust->origin + ": " +
                                  std::string(to_string(st)));
  auto existing = read_trailer(o.kernel);
  if (!existing) return fail(existing);
  if (existing->location.status == TrailerStatus::corrupt)
    return fail(exit_code_for(existing->location.error->kind),
                o.kernel + ": its bootseal trailer footer is corrupt (" + existing->location.error->message +
                                  "); restore the image from its package");
  if (existing->location.status == TrailerStatus::present) {
    Verified old;
    if (verify_sealed(existing->blob, *trust->get(), &old) == VerifyStatus::ok &&
        old.document.generation > v.document.generation)
      return fail(kExitRefused, o.kernel + ": carries generation " + std::to_string(old.document.generation) +
                                    ", newer than " + std::to_string(v.document.generation) + " in " + o.blob +
                                    "; not rolling back");
  }
  auto r = append_trailer(o.kernel, *blob, o.replace ? AppendMode::replace_existing : AppendMode::refuse_existing);
  if (!r) return fail(r);
  std::cout << o.kernel << ": " << (r->replaced ? "replaced the trailer with " : "appended ") << o.blob
            << " (policy " << v.document.name << ", generation " << v.document.generation << ", "
            << blob->size() << " bytes at offset " << r->image_length << ")\n";
  note_initramfs_trust(std::cout, v.kid, o.blob);
  const std::string kept = std::string(kEtcDir) + "/kernel.sealed";
  if (auto k = read_file(kept, kMaxBlobSize); !k || *k != *blob)
    std::cout << "note: kernel images installed later carry no policy unless " << kept << " holds this one: "
              << "copy " << o.blob << " there, and the kernel postinst.d hook appends it to each new image\n";
  return kExitOk;
}

}  // namespace

void setup_append(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<AppendOptions>();
  auto* sub = app.add_subcommand("append", "Append a sealed policy to a kernel image (blob, then a 40-byte footer).");
  add_trust_option(sub, o->trust);
  sub->add_option("--kernel,-k", o->kernel, "The kernel image (symlinks are followed)")->required();
  sub->add_flag("--replace", o->replace, "Replace a trailer the image already carries");
  sub->add_option("BLOB", o->blob, "The sealed policy")->required();
  sub->footer(
      "Trailers never stack: an image that already carries one is refused (exit 3) unless --replace,\n"
      "and a replacement with an older generation than the one there is refused. The new image is\n"
      "written beside the old one, synced and renamed over it.");
  sub->callback([o, &exit_code] { exit_code = run_append(*o); });
}

}  // namespace bootseal::tool

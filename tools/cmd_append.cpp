// SPDX-License-Identifier: GPL-2.0-only
// bootseal append: appends a sealed policy to a kernel image as its trailer
// (its command line is in main.cpp).
#include <iostream>

#include "bootseal/fileio.hpp"
#include "bootseal/trailer.hpp"
#include "commands.hpp"
#include "common.hpp"
#include "error_exits.hpp"
#include "exit_codes.hpp"

namespace bootseal::tool {

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

}  // namespace bootseal::tool

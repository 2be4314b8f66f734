// SPDX-License-Identifier: GPL-2.0-only
// bootseal install: installs a sealed policy into the partition slot that
// does not serve (its command line is in main.cpp).
#include <iostream>

#include "bootseal/fileio.hpp"
#include "commands.hpp"
#include "common.hpp"
#include "error_exits.hpp"
#include "exit_codes.hpp"

namespace bootseal::tool {

int run_install(const InstallOptions& o) {
  auto trust = load_trust(o.trust, true);
  if (!trust) return fail(trust);
  auto blob = read_file(o.blob, kMaxBlobSize);
  if (!blob) return fail(kExitBadBlob, blob.error());
  Verified v;
  if (const VerifyStatus st = verify_sealed(*blob, *trust->get(), &v); st != VerifyStatus::ok)
    return fail(exit_code_for(st), o.blob + ": does not verify against " + trust->origin + ": " +
                                  std::string(to_string(st)));
  auto target = resolve_target(o.device, o.partition, true);
  if (!target) return fail(target);
  auto dev = open_target(*target, true);
  if (!dev) return fail(dev);
  const auto r = install_blob(**dev, *blob, *trust->get());
  if (!r.ok()) {
    const char* hint = r.kind() == WriteFailure::refused      ? "; nothing was written"
                       : r.kind() == WriteFailure::unreadable ? " (run 'bootseal format' on a new partition)"
                                                              : "";
    return fail(exit_code_for(r.kind()), r.error() + hint);
  }
  const auto& out = *r;
  auto state = read_partition(**dev, trust->get());
  std::cout << target->name << ": installed " << o.blob << " (policy " << v.document.name << ", generation "
            << out.generation << ") into slot " << kSlotNames[out.slot] << " at offset "
            << (state ? state->slots[out.slot].offset : 0) << "; it serves from the next boot\n";
  if (out.previous_serving)
    std::cout << "slot " << kSlotNames[*out.previous_serving] << " keeps the previous policy as the fallback\n";
  std::cout << "after a successful boot with it, run: bootseal mark-good " << o.device << "\n";
  note_initramfs_trust(std::cout, v.kid, o.blob);
  return kExitOk;
}

}  // namespace bootseal::tool

// SPDX-License-Identifier: GPL-2.0-only
// bootseal mark-good [--trust PEM_OR_DIR] [--partition N] DEVICE
#include <sys/stat.h>

#include <filesystem>
#include <iostream>
#include <memory>

#include "bootseal/fileio.hpp"
#include "bootseal/tpm_log.hpp"

#include "common.hpp"
#include "error_exits.hpp"
#include "exit_codes.hpp"

namespace bootseal::tool {
namespace {

struct MarkGoodOptions {
  std::string trust;
  std::string device;
  std::optional<int> partition;
};

// On a machine whose TPM holds the floor (bootseal tpm-setup made
// /var/lib/bootseal), the TPM's floor is raised by the next boot's loader,
// which alone may write the index before it locks it: leave it the
// request. The loader raises no higher than the generation it verifies.
int request_tpm_floor(uint64_t floor) {
  const std::filesystem::path path = tpm::kFloorRequestPath;
  struct stat st {};
  if (::stat(path.parent_path().c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return kExitOk;
  const std::string text = tpm::format_floor_request(floor);
  auto w = write_file_atomic(path, std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()), 0644);
  if (!w) return fail(w);
  std::cout << path.string() << ": the next boot raises the TPM's floor to " << floor
            << " (if the TPM floor index is in use)\n";
  return kExitOk;
}

int run_mark_good(const MarkGoodOptions& o) {
  auto trust = load_trust(o.trust, true);
  if (!trust) return fail(trust);
  auto target = resolve_target(o.device, o.partition, true);
  if (!target) return fail(target);
  auto dev = open_target(*target, true);
  if (!dev) return fail(dev);
  const auto r = mark_good(**dev, *trust->get());
  if (!r.ok()) return fail(r);
  const auto& out = *r;
  if (int rc = request_tpm_floor(out.new_floor); rc != kExitOk) return rc;
  if (out.header_copy < 0) {
    std::cout << target->name << ": rollback floor already at " << out.new_floor << "; nothing written\n";
    return kExitOk;
  }
  std::cout << target->name << ": rollback floor raised from " << out.old_floor << " to " << out.new_floor
            << " (header copies " << out.header_copy + 1 << " and " << 2 - out.header_copy << " rewritten)\n"
            << "policies older than generation " << out.new_floor << " will no longer be served from "
            << target->name << "\n";
  note_initramfs_floor(std::cout, out.new_floor);
  return kExitOk;
}

}  // namespace

void setup_mark_good(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<MarkGoodOptions>();
  auto* sub = app.add_subcommand(
      "mark-good", "Raise the partition's rollback floor to the generation now serving (after a good boot).");
  add_trust_option(sub, o->trust);
  sub->add_option("--partition,-p", o->partition, "Use partition N of DEVICE")->check(CLI::PositiveNumber);
  sub->add_option("DEVICE", o->device, "The bootseal partition, or a disk (image) holding one")->required();
  sub->footer(
      "Run it once a boot with the newly installed policy has succeeded: from then on the older slot\n"
      "is no longer a fallback. Refused (exit 3) when no slot serves a valid policy.");
  sub->callback([o, &exit_code] { exit_code = run_mark_good(*o); });
}

}  // namespace bootseal::tool

// SPDX-License-Identifier: GPL-2.0-only
// bootseal mark-good: raises the rollback floor of a partition, or with
// --booted of the store loader.conf names, after a good boot (its command
// line is in main.cpp).
#include <sys/stat.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "bootseal/fileio.hpp"
#include "bootseal/language.hpp"
#include "bootseal/trailer.hpp"
#include "bootseal/tpm_log.hpp"

#include "commands.hpp"
#include "common.hpp"
#include "enforcer_read.hpp"
#include "error_exits.hpp"
#include "exit_codes.hpp"
#include "store.hpp"

namespace bootseal::tool {
namespace {

// On a machine whose TPM holds the floor (bootseal tpm-setup made
// /var/lib/bootseal), the TPM's floor is raised by the next boot's loader,
// which alone may write the index before it locks it: leave it the
// request. The loader raises no higher than the generation it verifies.
// Where loader.conf exists it decides (tpm = off: no request); /var/lib/bootseal
// also holds policy packages' blobs and the assessment record.
// `setting` is loader.conf's tpm, nullopt where there is none.
int request_tpm_floor(uint64_t floor, std::optional<loader::TpmSetting> setting) {
  const std::filesystem::path path = tpm::kFloorRequestPath;
  struct stat st {};
  if (::stat(path.parent_path().c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return kExitOk;
  if (setting == loader::TpmSetting::off) return kExitOk;
  const std::string text = tpm::format_floor_request(floor);
  auto w = write_file_atomic(path, std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()), 0644);
  if (!w) return fail(w);
  std::cout << path.string() << ": the next boot raises the TPM's floor to " << floor
            << " (if the TPM floor index is in use)\n";
  return kExitOk;
}

// The default loader.conf's tpm setting, where that file exists and parses.
std::optional<loader::TpmSetting> machine_tpm_setting() {
  struct stat st {};
  if (::stat(loader::kDefaultConfigPath, &st) != 0) return std::nullopt;
  auto conf = loader::load_config(loader::kDefaultConfigPath);
  return conf ? std::optional(conf->tpm) : std::nullopt;
}

// The policy the running enforcer holds.
struct InForce {
  std::string name;
  uint64_t generation = 0;
  Kid kid{};
  bool matches(const Document& doc, const Kid& k) const {
    return doc.name.substr(0, sizeof(bs_info::name) - 1) == name && doc.generation == generation && k == kid;
  }
  std::string text() const { return "policy " + quote(name) + " generation " + std::to_string(generation); }
};

// Whether the blob is the policy in force.
bool holds(std::span<const uint8_t> blob, const InForce& f) {
  Document doc;
  Envelope env;
  return parse_sealed_unverified(blob, &doc, &env) == VerifyStatus::ok && f.matches(doc, env.kid);
}

// The floor of a partition store: raised to the generation in force, which
// one of its slots must hold (the other one may already hold a newer one,
// installed during this boot, which is not marked good by it).
int mark_partition(const Store& st, const Trust& trust, const InForce& f, uint64_t* floor) {
  auto dev = open_target(st.partition, true);
  if (!dev) return fail(dev);
  auto ps = read_partition(**dev, trust.get());
  if (!ps) return fail(kExitCorrupt, ps.error());
  bool found = false;
  for (const auto& s : ps->slots)
    found = found || ((s.state == SlotState::ok || s.state == SlotState::obsolete) && s.document &&
                      f.matches(*s.document, s.kid));
  if (!found)
    return fail(kExitRefused, st.name + ": no slot holds the " + f.text() + " in force (floor " +
                                  std::to_string(ps->header.floor) + "); nothing marked good");
  const auto r = mark_good(**dev, *trust.get(), f.generation);
  if (!r.ok()) return fail(r);
  *floor = r->new_floor;
  if (r->header_copy < 0)
    std::cout << st.name << ": rollback floor already at " << r->new_floor << "; nothing written\n";
  else
    std::cout << st.name << ": rollback floor raised from " << r->old_floor << " to " << r->new_floor << "\n";
  return kExitOk;
}

int run_mark_booted(const MarkGoodOptions& o) {
  auto mc = load_machine_config(o.config);
  if (!mc) return fail(kExitFailure, mc.error());
  auto trust = load_trust(o.trust.empty() ? mc->conf.trust : o.trust, true);
  if (!trust) return fail(trust);
  auto st = read_enforcer(mc->conf.pin_dir);
  if (!st) {
    if (st.kind() == EnforcerFault::not_installed)
      return fail(kExitRefused, "no policy is in force (" + st.error() + "); nothing to mark good");
    return fail(exit_code_for(st.kind()), st.error());
  }
  InForce f;
  f.name = std::string(st->info.name, strnlen(st->info.name, sizeof(st->info.name)));
  f.generation = st->info.generation;
  std::memcpy(f.kid.data(), st->info.kid, f.kid.size());
  auto store = find_store(*mc, store_env(*mc));
  if (!store) return fail(kExitFailure, store.error());
  uint64_t floor = 0;
  switch (store->kind) {
    case StoreKind::partition:
      if (int rc = mark_partition(*store, *trust, f, &floor); rc != kExitOk) return rc;
      break;
    case StoreKind::trailer:
    case StoreKind::file: {
      // No floor of its own: loader.conf's (in the initramfs) or the TPM's.
      const std::string path = store->kind == StoreKind::trailer ? store->kernel_images.front() : store->file;
      bool same = false;
      if (store->kind == StoreKind::trailer) {
        auto t = read_trailer(path);
        same = t && t->location.status == TrailerStatus::present && holds(t->blob, f);
      } else if (auto bytes = read_file(path, kMaxBlobSize)) {
        same = holds(*bytes, f);
      }
      if (!same)
        return fail(kExitRefused, store->name + ": does not hold the " + f.text() + " in force; nothing marked good");
      std::cout << store->name << ": keeps no rollback floor of its own ('floor' in loader.conf, or the TPM's)\n";
      break;
    }
  }
  if (int rc = request_tpm_floor(f.generation, mc->conf.tpm); rc != kExitOk) return rc;
  auto boot_id = read_first_line("/proc/sys/kernel/random/boot_id");
  if (!boot_id) return fail(kExitFailure, boot_id.error());
  tpm::Assessment a;
  a.boot_id = *boot_id;
  a.policy = f.name;
  a.generation = f.generation;
  a.kid = to_hex(f.kid);
  a.time = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  a.floor = floor;
  a.store = store->name;
  const std::filesystem::path rec = tpm::kAssessmentPath;
  std::error_code ec;
  std::filesystem::create_directories(rec.parent_path(), ec);
  const std::string text = tpm::format_assessment(a);
  if (auto w = write_file_atomic(rec, std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()), 0644); !w)
    return fail(w);
  std::cout << "this boot, with the " << f.text() << " in force, is marked good (" << rec.string() << ")\n";
  return kExitOk;
}

}  // namespace

int run_mark_good(const MarkGoodOptions& o) {
  if (o.booted) return run_mark_booted(o);
  if (o.device.empty()) return fail(kExitUsage, "mark-good: DEVICE or --booted is required");
  auto trust = load_trust(o.trust, true);
  if (!trust) return fail(trust);
  auto target = resolve_target(o.device, o.partition, true);
  if (!target) return fail(target);
  auto dev = open_target(*target, true);
  if (!dev) return fail(dev);
  const auto r = mark_good(**dev, *trust->get());
  if (!r.ok()) return fail(r);
  const auto& out = *r;
  if (int rc = request_tpm_floor(out.new_floor, machine_tpm_setting()); rc != kExitOk) return rc;
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

}  // namespace bootseal::tool

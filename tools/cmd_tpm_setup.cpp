// SPDX-License-Identifier: GPL-2.0-only
// bootseal tpm-setup: defines the TPM NV index that holds the rollback floor
// (its command line is in main.cpp).
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "bootseal/fileio.hpp"
#include "bootseal/tpm.hpp"
#include "bootseal/tpm_log.hpp"
#include "commands.hpp"
#include "common.hpp"
#include "error_exits.hpp"
#include "exit_codes.hpp"

namespace bootseal::tool {
namespace {

std::optional<uint32_t> parse_index(const std::string& s) {
  if (s.size() < 3 || s.size() > 10 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) return std::nullopt;
  uint32_t v = 0;
  auto [p, ec] = std::from_chars(s.data() + 2, s.data() + s.size(), v, 16);
  if (ec != std::errc() || p != s.data() + s.size() || !tpm::in_linux_range(v)) return std::nullopt;
  return v;
}

}  // namespace

int run_tpm_setup(const TpmSetupOptions& o) {
  const auto index = parse_index(o.index);
  if (!index) return fail(kExitUsage, "--nv-index " + o.index + " is not a hex NV index from 0x01D10200 to 0x01D105FF");
  std::string owner_auth;
  if (!o.owner_auth_file.empty()) {
    auto a = read_file(o.owner_auth_file, 128);
    if (!a) return fail(a);
    owner_auth.assign(a->begin(), a->end());
    while (!owner_auth.empty() && (owner_auth.back() == '\n' || owner_auth.back() == '\r')) owner_auth.pop_back();
  }
  auto t = tpm::Tpm::open(o.tcti);
  if (!t) return fail(t);
  const std::string idx = tpm::hex32(*index);
  auto f = t->read_floor(*index);
  if (!f) return fail(f);
  if (*f) {
    if (!(*f)->attributes_as_bootseal_defines())
      return fail(kExitRefused, "NV index " + idx + " is defined with other attributes (" + tpm::hex32((*f)->attributes) +
                                    ", " + std::to_string((*f)->size) +
                                    " bytes): not bootseal's floor index; choose another with --nv-index");
    std::cout << "NV index " << idx << " is already bootseal's floor index: floor "
              << ((*f)->written ? (*f)->value : 0) << ((*f)->write_locked ? ", write-locked until the next reboot" : "")
              << "\n";
  } else {
    if (auto d = t->define_floor(*index, owner_auth); !d) return fail(d);
    // Written at once, so that the index reads as a floor (TPMA_NV_WRITTEN)
    // from the first boot on.
    if (auto w = t->write_floor(*index, o.floor); !w) return fail(w);
    std::cout << "NV index " << idx << " defined as bootseal's floor index, floor " << o.floor << "\n";
  }
  // mark-good leaves its request for the next boot here.
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(tpm::kFloorRequestPath).parent_path(), ec);
  if (ec)
    std::cerr << "bootseal: warning: cannot create " << std::filesystem::path(tpm::kFloorRequestPath).parent_path().string()
              << ": " << ec.message() << " (bootseal mark-good leaves its floor request there)\n";
  if (auto owner = t->owner_auth_set(); owner && !*owner)
    std::cerr << "bootseal: warning: the TPM's owner hierarchy has no authorization value: any root process can\n"
                 "  delete NV index "
              << idx
              << " (TPM2_NV_UndefineSpace) and define it again with a lower floor.\n"
                 "  Set one (tpm2_changeauth -c owner) and a lockout authorization (tpm2_changeauth -c lockout,\n"
                 "  against TPM2_Clear); docs/INSTALL.md, \"TPM\".\n";
  std::cout << "set tpm = required (or auto) in /etc/bootseal/loader.conf";
  if (*index != tpm::kDefaultFloorIndex) std::cout << " with tpm-nv-index = " << idx;
  std::cout << ", then " << kRegenerate << "\n";
  return kExitOk;
}

}  // namespace bootseal::tool

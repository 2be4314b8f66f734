// SPDX-License-Identifier: GPL-2.0-only
#include "tpm_step.hpp"

#include <algorithm>
#include <cstdio>

#include <unistd.h>


#include "bootseal/fileio.hpp"
#include "bootseal/partition.hpp"
#include "bootseal/seal.hpp"
#include "bootseal/tpm.hpp"
#include "bootseal/tpm_log.hpp"
#include "exit_codes.hpp"

namespace bootseal::loader {

using Stop = std::optional<int>;

TpmStep::TpmStep(const LoaderConfig& config, bool dry_run, LogLine log)
    : config_(config), dry_run_(dry_run), log_(std::move(log)) {}

TpmStep::~TpmStep() {
  // An exception out of the run (finish() was not reached): the index is
  // locked and the PCR says no policy all the same.
  if (finished_) return;
  try {
    (void)finish();
  } catch (...) {  // NOLINT(bugprone-empty-catch): a destructor must not throw
  }
}

std::string TpmStep::floor_origin() const { return "the TPM's NV index " + tpm::hex32(config_.tpm_nv_index); }

// A failure keeps the TPM open: whatever else failed, the run still ends
// with a measurement (the policy's or the no-policy digest) and the lock.
std::optional<int> TpmStep::trouble(const std::string& msg) {
  if (config_.tpm == TpmSetting::required) {
    log_(3, msg + " (tpm = required: the boot stops)");
    return BS_EXIT_TPM;
  }
  log_(4, msg + " (tpm = auto: going on)");
  return std::nullopt;
}

std::optional<int> TpmStep::open() {
  if (config_.tpm == TpmSetting::off) return std::nullopt;
  auto t = tpm::Tpm::open(config_.tpm_tcti);
  if (!t) {
    if (config_.tpm == TpmSetting::required) {
      log_(3, "TPM: " + t.error() + " (tpm = required: the boot stops)");
      return BS_EXIT_TPM;
    }
    log_(4, "TPM: " + t.error() + " (tpm = auto: going on without the TPM)");
    return std::nullopt;
  }
  tpm_ = std::make_unique<tpm::Tpm>(std::move(*t));
  const std::string idx = tpm::hex32(config_.tpm_nv_index);
  auto f = tpm_->read_floor(config_.tpm_nv_index);
  // An index that cannot be read, or is not bootseal's, gives no floor; the
  // policy is measured all the same.
  if (!f) return trouble("TPM: " + f.error() + "; no TPM floor this boot");
  if (!*f) {
    // Not provisioned (or deleted: TPM2_Clear, TPM2_NV_UndefineSpace).
    const std::string msg = "TPM: the floor index " + idx + " is not defined; run bootseal tpm-setup";
    if (config_.tpm == TpmSetting::required) {
      log_(3, msg + " (tpm = required: the boot stops)");
      return BS_EXIT_TPM;
    }
    log_(4, msg + " (tpm = auto: measuring without a TPM floor)");
    return std::nullopt;
  }
  const tpm::FloorIndex& fi = **f;
  if (!fi.attributes_as_bootseal_defines())
    return trouble("TPM: NV index " + idx + " is not bootseal's floor index (attributes " +
                   tpm::hex32(fi.attributes) + ", " + std::to_string(fi.size) + " bytes, name algorithm " +
                   tpm::hex32(fi.name_alg) + ", " + std::to_string(fi.auth_policy_size) +
                   "-byte authPolicy); it may have been deleted and defined again by someone else; no TPM floor "
                   "this boot");
  index_defined_ = true;
  index_locked_ = fi.write_locked;
  floor_ = fi.written ? fi.value : 0;
  log_(6, "TPM: floor " + std::to_string(floor_) + " in NV index " + idx +
              (fi.write_locked ? " (already write-locked this boot)" : ""));
  return std::nullopt;
}

std::optional<int> TpmStep::measure(const Candidate& chosen, Mode in_force, uint64_t file_floor) {
  if (!tpm_ || dry_run_) return std::nullopt;
  tpm::MeasureEvent e;
  e.pcr = config_.tpm_pcr;
  e.digest = sha256(chosen.blob);
  e.event = "policy";
  e.policy = chosen.document.name;
  e.generation = chosen.document.generation;
  e.kid = to_hex(chosen.kid);
  e.source = chosen.source.description + (chosen.slot ? " slot " + std::string(kSlotNames[*chosen.slot]) : "");
  e.nv_index = index_defined_ ? config_.tpm_nv_index : 0;
  if (auto r = tpm_->pcr_extend(e.pcr, e.digest); !r) return trouble("TPM: " + r.error());
  measured_ = true;
  log_(6, "TPM: PCR " + std::to_string(e.pcr) + " extended with the policy's SHA-256 " + to_hex(e.digest));
  if (auto w = tpm::append_measure_log(tpm::kMeasureLogPath, e); !w)
    log_(4, "TPM: the measurement is not logged: " + w.error());
  if (chosen.document.mode == Mode::enforce && in_force == Mode::permissive) {
    // Weakened by loader.conf or the command line: the blob's digest alone
    // would show this boot as the policy's own, enforced.
    e.event = "permissive";
    e.digest = tpm::permissive_digest();
    e.source.clear();
    if (auto r = tpm_->pcr_extend(e.pcr, e.digest); !r) {
      // The PCR must not name the policy alone: finish() ends it with the
      // no-policy digest instead.
      measured_ = false;
      return trouble("TPM: " + r.error());
    }
    log_(5, "TPM: PCR " + std::to_string(e.pcr) +
                " extended with the permissive digest (the policy says enforce; the loader's configuration puts it "
                "in force in permissive mode)");
    if (auto w = tpm::append_measure_log(tpm::kMeasureLogPath, e); !w)
      log_(4, "TPM: the measurement is not logged: " + w.error());
  }
  if (chosen.document.generation < file_floor) {
    // Below loader.conf's floor: only the command line's lower floor let
    // it in. The blob's digest alone would show this rollback as a boot of
    // a policy the configuration accepts.
    e.event = "floor-lowered";
    e.digest = tpm::floor_lowered_digest();
    e.source.clear();
    e.floor = file_floor;
    if (auto r = tpm_->pcr_extend(e.pcr, e.digest); !r) {
      measured_ = false;  // finish() ends the PCR with the no-policy digest
      return trouble("TPM: " + r.error());
    }
    log_(5, "TPM: PCR " + std::to_string(e.pcr) + " extended with the floor-lowered digest (generation " +
                std::to_string(chosen.document.generation) + " is below loader.conf's floor " +
                std::to_string(file_floor) + "; the kernel command line lowered it)");
    if (auto w = tpm::append_measure_log(tpm::kMeasureLogPath, e); !w)
      log_(4, "TPM: the measurement is not logged: " + w.error());
  }
  return std::nullopt;
}

std::optional<int> TpmStep::raise_and_lock(const std::string& root, uint64_t served_generation) {
  if (!tpm_ || dry_run_ || !index_defined_) return std::nullopt;
  const std::string path = root + tpm::kFloorRequestPath;
  auto bytes = tpm::read_floor_request(root);
  if (!bytes) log_(4, "TPM: floor request ignored: " + bytes.error());
  if (bytes && *bytes) {
    auto req = tpm::parse_floor_request(**bytes, path);
    if (!req) {
      log_(4, "TPM: floor request ignored: " + req.error());
    } else {
      // Never above what this boot verified and serves: the request file
      // is root's to write, the served generation is the signer's.
      const uint64_t target = std::min(*req, served_generation);
      if (target > floor_) {
        if (index_locked_) {
          log_(4, "TPM: cannot raise the floor to " + std::to_string(target) + ": the index is already locked");
        } else if (auto w = tpm_->write_floor(config_.tpm_nv_index, target); !w) {
          Stop stop = trouble("TPM: " + w.error());
          Stop locked = lock();
          return stop ? stop : locked;
        } else {
          log_(6, "TPM: floor raised from " + std::to_string(floor_) + " to " + std::to_string(target) +
                      " (requested " + std::to_string(*req) + " by bootseal mark-good)");
          floor_ = target;
        }
      }
    }
  }
  return lock();
}

std::optional<int> TpmStep::lock() {
  if (!tpm_ || dry_run_ || !index_defined_ || index_locked_) return std::nullopt;
  if (auto r = tpm_->write_lock(config_.tpm_nv_index); !r) return trouble("TPM: " + r.error());
  index_locked_ = true;
  log_(6, "TPM: NV index " + tpm::hex32(config_.tpm_nv_index) + " write-locked until the next reboot");
  return std::nullopt;
}

std::optional<int> TpmStep::finish() {
  if (finished_) return std::nullopt;
  finished_ = true;
  if (!tpm_ || dry_run_) return std::nullopt;
  Stop stop;
  // Nothing measured, or a policy measured that did not go into force (the
  // enforcer could not be installed): the PCR must not name a policy alone.
  if (!measured_ || !installed_) {
    tpm::MeasureEvent e;
    e.pcr = config_.tpm_pcr;
    e.digest = tpm::no_policy_digest();
    e.event = "no-policy";
    e.nv_index = index_defined_ ? config_.tpm_nv_index : 0;
    if (auto r = tpm_->pcr_extend(e.pcr, e.digest); !r) {
      stop = trouble("TPM: " + r.error());
    } else {
      log_(5, "TPM: PCR " + std::to_string(e.pcr) + " extended with the no-policy digest" +
                  (measured_ ? " (the policy measured before is not in force)" : ""));
      measured_ = true;
      if (auto w = tpm::append_measure_log(tpm::kMeasureLogPath, e); !w)
        log_(4, "TPM: the measurement is not logged: " + w.error());
    }
  }
  Stop locked = lock();
  return stop ? stop : locked;
}

std::optional<int> TpmStep::after_config_failure(const LoaderConfig& parsed, LogLine log) {
  LoaderConfig c = parsed;
  // Configuration that could not be read gives the defaults, tpm = off:
  // use the default TPM device where there is one, so that a boot stopped
  // here (and any shell it leaves) finds the default index locked and the
  // PCR saying no policy.
  if (c.tpm == TpmSetting::off) {
    if (c.tpm_tcti != LoaderConfig().tpm_tcti || ::access("/dev/tpmrm0", F_OK) != 0) return std::nullopt;
    c.tpm = TpmSetting::automatic;
  } else {
    c.tpm = TpmSetting::automatic;  // the boot stops for the configuration already
  }
  TpmStep step(c, false, std::move(log));
  (void)step.open();
  return step.finish();
}

}  // namespace bootseal::loader

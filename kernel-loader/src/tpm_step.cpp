// SPDX-License-Identifier: GPL-2.0-only
#include "tpm_step.hpp"

#include <algorithm>
#include <cstdio>

#include "bootseal/fileio.hpp"
#include "bootseal/partition.hpp"
#include "bootseal/seal.hpp"
#include "bootseal/tpm.hpp"
#include "bootseal/tpm_log.hpp"
#include "exit_codes.hpp"

namespace bootseal::loader {

TpmStep::TpmStep(const LoaderConfig& config, bool dry_run, LogLine log)
    : config_(config), dry_run_(dry_run), log_(std::move(log)) {}

TpmStep::~TpmStep() = default;

std::string TpmStep::floor_origin() const { return "the TPM's NV index " + tpm::hex32(config_.tpm_nv_index); }

std::optional<int> TpmStep::trouble(const std::string& msg) {
  if (config_.tpm == TpmSetting::required) {
    log_(3, msg + " (tpm = required: the boot stops)");
    tpm_.reset();
    return BS_EXIT_TPM;
  }
  log_(4, msg + " (tpm = auto: going on without the TPM)");
  tpm_.reset();
  return std::nullopt;
}

std::optional<int> TpmStep::open() {
  if (config_.tpm == TpmSetting::off) return std::nullopt;
  auto t = tpm::Tpm::open(config_.tpm_tcti);
  if (!t) return trouble("TPM: " + t.error());
  tpm_ = std::make_unique<tpm::Tpm>(std::move(*t));
  const std::string idx = tpm::hex32(config_.tpm_nv_index);
  auto f = tpm_->read_floor(config_.tpm_nv_index);
  if (!f) return trouble("TPM: " + f.error());
  if (!*f) {
    // Not provisioned (or deleted: TPM2_Clear, TPM2_NV_UndefineSpace).
    const std::string msg = "TPM: the floor index " + idx + " is not defined; run bootseal tpm-setup";
    if (config_.tpm == TpmSetting::required) {
      log_(3, msg + " (tpm = required: the boot stops)");
      tpm_.reset();
      return BS_EXIT_TPM;
    }
    log_(4, msg + " (tpm = auto: measuring without a TPM floor)");
    return std::nullopt;
  }
  const tpm::FloorIndex& fi = **f;
  if (!fi.attributes_as_bootseal_defines())
    return trouble("TPM: NV index " + idx + " is not bootseal's floor index (attributes " +
                   tpm::hex32(fi.attributes) + ", " + std::to_string(fi.size) +
                   " bytes); it may have been deleted and defined again by someone else");
  index_defined_ = true;
  index_locked_ = fi.write_locked;
  floor_ = fi.written ? fi.value : 0;
  log_(6, "TPM: floor " + std::to_string(floor_) + " in NV index " + idx +
              (fi.write_locked ? " (already write-locked this boot)" : ""));
  return std::nullopt;
}

std::optional<int> TpmStep::measure(const Candidate& chosen) {
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
  return std::nullopt;
}

std::optional<int> TpmStep::raise_and_lock(const std::string& root, uint64_t served_generation) {
  if (!tpm_ || dry_run_ || !index_defined_) return std::nullopt;
  const std::string path = root + tpm::kFloorRequestPath;
  auto bytes = read_file(path, tpm::kMaxFloorRequest + 1);
  if (bytes) {
    auto req = tpm::parse_floor_request(std::string(bytes->begin(), bytes->end()), path);
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
          return trouble("TPM: " + w.error());
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
  if (!tpm_ || dry_run_) return std::nullopt;
  if (!measured_) {
    tpm::MeasureEvent e;
    e.pcr = config_.tpm_pcr;
    e.digest = tpm::no_policy_digest();
    e.event = "no-policy";
    e.nv_index = index_defined_ ? config_.tpm_nv_index : 0;
    if (auto r = tpm_->pcr_extend(e.pcr, e.digest); !r) return trouble("TPM: " + r.error());
    measured_ = true;
    log_(5, "TPM: PCR " + std::to_string(e.pcr) + " extended with the no-policy digest");
    if (auto w = tpm::append_measure_log(tpm::kMeasureLogPath, e); !w)
      log_(4, "TPM: the measurement is not logged: " + w.error());
  }
  return lock();
}

}  // namespace bootseal::loader

// SPDX-License-Identifier: GPL-2.0-only
// The loader's TPM work (docs/LOADER.md, "TPM"), in the order of the run:
//
//   open()            before discovery: opens the TPM and reads the floor
//                     index, whose value joins the rollback floor;
//   measure()         before the enforcer is attached: extends the PCR with
//                     the SHA-256 of the sealed blob as read, and logs it;
//   raise_and_lock()  raises the floor to what `bootseal mark-good` asked
//                     for, never above the generation verified and served
//                     this boot, then write-locks the index until the next
//                     TPM reset (TPMA_NV_WRITE_STCLEAR);
//   finish()          on every way out: a run that measured nothing extends
//                     the no-policy digest, and the index is locked even
//                     when the run stopped early.
//
// With `tpm = required` every failure is a stop (BS_EXIT_TPM), whatever the
// policy's mode or on-failure say: the setting is about the machine. With
// `auto` a failure is a warning and the TPM is left alone from then on.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "bootseal/discovery.hpp"
#include "bootseal/loader/config.hpp"

namespace bootseal::tpm {
class Tpm;
}

namespace bootseal::loader {

class TpmStep {
 public:
  using LogLine = std::function<void(int prio, const std::string&)>;
  TpmStep(const LoaderConfig& config, bool dry_run, LogLine log);
  ~TpmStep();
  TpmStep(const TpmStep&) = delete;
  TpmStep& operator=(const TpmStep&) = delete;

  // The exit code to stop with, or nothing to go on.
  std::optional<int> open();
  // The floor the TPM holds (0 when there is none), and where it is.
  uint64_t floor() const { return floor_; }
  std::string floor_origin() const;

  std::optional<int> measure(const Candidate& chosen);
  std::optional<int> raise_and_lock(const std::string& root, uint64_t served_generation);
  std::optional<int> finish();

 private:
  std::optional<int> trouble(const std::string& msg);  // required: stop; auto: warn and drop the TPM
  std::optional<int> lock();

  const LoaderConfig& config_;
  bool dry_run_;
  LogLine log_;
  std::unique_ptr<tpm::Tpm> tpm_;
  bool index_defined_ = false;
  bool index_locked_ = false;
  bool measured_ = false;
  uint64_t floor_ = 0;
};

}  // namespace bootseal::loader

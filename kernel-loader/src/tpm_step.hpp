// SPDX-License-Identifier: GPL-2.0-only
// The loader's TPM work (docs/LOADER.md, "TPM"), in the order of the run:
//
//   open()            before discovery: opens the TPM and reads the floor
//                     index, whose value joins the rollback floor;
//   measure()         before the enforcer is attached: extends the PCR with
//                     the SHA-256 of the sealed blob as read, and logs it;
//                     then, when the policy says enforce and the mode in
//                     force is permissive, with the permissive digest;
//                     and when the policy's generation is below
//                     loader.conf's floor (the command line lowered it),
//                     with the floor-lowered digest;
//   raise_and_lock()  raises the floor to what `bootseal mark-good` asked
//                     for, never above the generation verified and served
//                     this boot, then write-locks the index until the next
//                     TPM reset (TPMA_NV_WRITE_STCLEAR);
//   installed()       the enforcer holds the measured policy;
//   finish()          on every way out (the destructor too, should an
//                     exception end the run): a run that measured nothing,
//                     or whose measured policy did not go into force,
//                     extends the no-policy digest, and the index is locked
//                     even when the run stopped early.
//
// With `tpm = required` every failure is a stop (BS_EXIT_TPM), whatever the
// policy's mode or on-failure say: the setting is about the machine. With
// `auto` a failure is a warning. Either way the TPM stays open after a
// failure: the run still ends with a measurement and the lock. An index
// that is not bootseal's, or cannot be read, gives no floor.
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
  // Whether the TPM was opened (and is measured into) this boot.
  bool in_use() const { return tpm_ != nullptr; }
  // The floor the TPM holds (0 when there is none), and where it is.
  uint64_t floor() const { return floor_; }
  std::string floor_origin() const;

  // `file_floor` is loader.conf's own floor, before the command line: a
  // policy below it was let in by the command line's lower floor.
  std::optional<int> measure(const Candidate& chosen, Mode in_force, uint64_t file_floor);
  std::optional<int> raise_and_lock(const std::string& root, uint64_t served_generation);
  void installed() { installed_ = true; }
  std::optional<int> finish();

  // The configuration could not be used (the boot stops): with PARSED's
  // TPM settings, or the default device when it said nothing, extend the
  // no-policy digest and lock the index. Never a stop of its own.
  static std::optional<int> after_config_failure(const LoaderConfig& parsed, LogLine log);

 private:
  std::optional<int> trouble(const std::string& msg);  // required: stop; auto: warn
  std::optional<int> lock();

  const LoaderConfig& config_;
  bool dry_run_;
  LogLine log_;
  std::unique_ptr<tpm::Tpm> tpm_;
  bool index_defined_ = false;
  bool index_locked_ = false;
  bool measured_ = false;
  bool installed_ = false;
  bool finished_ = false;
  uint64_t floor_ = 0;
};

}  // namespace bootseal::loader

// SPDX-License-Identifier: GPL-2.0-only
// The bootseal subcommands: each one's options and the function that runs
// it. main.cpp binds the options to the command line (CLI11 is compiled
// there alone); each cmd_*.cpp runs its command and returns the exit code
// (exit_codes.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "bootseal/loader/config.hpp"
#include "bootseal/tpm_log.hpp"
#include "enforcer_read.hpp"

namespace bootseal::tool {

// bootseal format (cmd_format.cpp)
struct FormatOptions {
  std::string device;
  std::optional<int> partition;
  bool force = false;
};
int run_format(const FormatOptions& o);

// bootseal install (cmd_install.cpp)
struct InstallOptions {
  std::string trust;
  std::string device;
  std::optional<int> partition;
  std::string blob;
};
int run_install(const InstallOptions& o);

// bootseal update (cmd_update.cpp)
struct UpdateOptions {
  std::string config = loader::kDefaultConfigPath;
  std::string trust;
  bool check = false;
  bool trigger = false;
  bool rename = false;
  std::string blob;
  std::string policy;  // loader.conf's `policy` ("" any)
};
// By value: it sets `policy` from loader.conf.
int run_update(UpdateOptions o);

// bootseal slots (cmd_slots.cpp)
struct SlotsOptions {
  std::string trust;
  std::string device;
  std::optional<int> partition;
  bool json = false;
};
int run_slots(const SlotsOptions& o);

// bootseal mark-good (cmd_mark_good.cpp)
struct MarkGoodOptions {
  std::string trust;
  std::string device;
  std::optional<int> partition;
  bool booted = false;
  std::string config = loader::kDefaultConfigPath;
};
int run_mark_good(const MarkGoodOptions& o);

// bootseal append (cmd_append.cpp)
struct AppendOptions {
  std::string trust;
  std::string kernel;
  std::string blob;
  bool replace = false;
};
int run_append(const AppendOptions& o);

// bootseal strip (cmd_strip.cpp)
struct StripOptions {
  std::string kernel;
};
int run_strip(const StripOptions& o);

// bootseal inspect (cmd_inspect.cpp)
struct InspectOptions {
  std::string trust;
  std::string source;
  bool json = false;
};
int run_inspect(const InspectOptions& o);

// bootseal status (cmd_status.cpp)
struct StatusOptions {
  std::string pin_dir = kDefaultPinDir;
  bool json = false;
  std::string tcti = "device:/dev/tpmrm0";
};
int run_status(const StatusOptions& o);

// bootseal audit (cmd_audit.cpp)
struct AuditOptions {
  std::string pin_dir = kDefaultPinDir;
  bool follow = false;
  bool json = false;
  uint64_t after = 0;  // print events with a larger sequence number
};
int run_audit(const AuditOptions& o);

// bootseal tpm-setup (cmd_tpm_setup.cpp)
struct TpmSetupOptions {
  std::string tcti = "device:/dev/tpmrm0";
  std::string index = "0x01d10250";
  std::string owner_auth_file;
  uint64_t floor = 0;
};
int run_tpm_setup(const TpmSetupOptions& o);

// bootseal measure-seal (cmd_measure_seal.cpp)
struct MeasureSealOptions {
  std::string pin_dir = kDefaultPinDir;
  std::string tcti = "device:/dev/tpmrm0";
  std::string log = tpm::kMeasureLogPath;
  bool wait = false;
  bool quiet = false;
};
int run_measure_seal(const MeasureSealOptions& o);

}  // namespace bootseal::tool

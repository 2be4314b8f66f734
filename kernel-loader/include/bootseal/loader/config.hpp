// SPDX-License-Identifier: GPL-2.0-only
// The loader's configuration: the initramfs' own file
// (/etc/bootseal/loader.conf) and the bootseal.* options of the kernel
// command line, which may only make it stricter unless the file allows
// otherwise. Both are parsers of untrusted bytes: errors name the file and
// line, or the command-line option.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bootseal/result.hpp"
#include "bootseal_contract.hpp"

namespace bootseal::loader {

inline constexpr const char* kDefaultConfigPath = "/etc/bootseal/loader.conf";
inline constexpr size_t kMaxConfigSize = 64 * 1024;

enum class SourceType {
  partitions,    // every disk, searched for bootseal partitions
  device,        // a named device or disk image
  kernel,        // the trailer of the kernel the machine booted, under the new root
  kernel_image,  // the trailer of a named kernel image
  file,          // a plain file as the loader sees it (the initramfs)
  root_file,     // a plain file under the new root
};
std::string_view to_string(SourceType t);

struct SourceSpec {
  SourceType type = SourceType::partitions;
  std::string path;  // device, kernel_image, file, root_file
  friend bool operator==(const SourceSpec&, const SourceSpec&) = default;
};

enum class ModeSetting { policy, enforce, permissive };  // policy: as the policy says
enum class OnFailure { stop, cont };
// tpm = off | auto | required (docs/LOADER.md, "TPM"): auto measures and
// keeps the floor where a TPM answers and warns where none does; required
// stops the boot without a TPM or without the floor index.
enum class TpmSetting { off, automatic, required };
std::string_view to_string(TpmSetting t);

// The TPM 2.0 floor index range the TCG registry gives Linux.
inline constexpr uint32_t kTpmLinuxIndexFirst = 0x01D10200;
inline constexpr uint32_t kTpmLinuxIndexLast = 0x01D105FF;
inline constexpr uint32_t kDefaultTpmFloorIndex = 0x01D10250;
inline constexpr unsigned kDefaultTpmPcr = 12;

struct LoaderConfig {
  std::vector<SourceSpec> sources;  // empty: partitions, then kernel
  std::string trust = "/etc/bootseal/trusted.d";  // PEM file or directory
  uint64_t floor = 0;
  // The policy this machine takes, by name ("" = any): a policy of another
  // name, however new and well signed, is not installed.
  std::string policy;
  ModeSetting mode = ModeSetting::policy;
  OnFailure on_failure = OnFailure::stop;
  bool cmdline_may_weaken = false;
  uint32_t ringbuf_size = 256 * 1024;  // audit log bytes (64 a record), a power of two >= 4096
  std::string pin_dir{contract::kPinDir};
  TpmSetting tpm = TpmSetting::off;
  unsigned tpm_pcr = kDefaultTpmPcr;              // SHA-256 bank; 8..15 (why: docs/LOADER.md)
  uint32_t tpm_nv_index = kDefaultTpmFloorIndex;  // in the Linux range
  std::string tpm_tcti = "device:/dev/tpmrm0";    // a TCTI configuration string
  // Log the instructions the verifier processed for each program
  // (bootseal.verifier_stats on the kernel command line): where a slow
  // load spends its time.
  bool verifier_stats = false;
};

// Parses the text of loader.conf. `origin` names it in errors
// ("/etc/bootseal/loader.conf:7: unknown key 'sorce'").
Result<LoaderConfig> parse_config(std::string_view text, const std::string& origin);
Result<LoaderConfig> load_config(const std::string& path);

// The bootseal.* options of a kernel command line, split as the kernel
// splits it (bootseal/cmdline.hpp). Options of other components are
// skipped; unknown bootseal.* options, and bootseal.* words after "--"
// (init's arguments, not kernel parameters), are warnings. An
// unterminated quote is an error: the kernel reads the rest of the line as
// one parameter, which may have swallowed a bootseal.* option.
struct CmdlineOptions {
  std::optional<ModeSetting> mode;       // bootseal.mode=enforce|permissive
  std::optional<uint64_t> floor;         // bootseal.floor=N
  std::optional<OnFailure> on_failure;   // bootseal.on_failure=stop|continue
  std::optional<TpmSetting> tpm;         // bootseal.tpm=off|auto|required
  std::vector<std::string> devices;      // bootseal.device=PATH (repeatable)
  bool verifier_stats = false;           // bootseal.verifier_stats (or =1)
  std::vector<std::string> warnings;
};
Result<CmdlineOptions> parse_cmdline(std::string_view cmdline);

// Applies the command line to the configuration: only stricter settings,
// unless cmdline_may_weaken. A weaker setting that is not allowed is
// ignored and reported in *warnings. Named devices are looked at first.
LoaderConfig apply_cmdline(const LoaderConfig& config, const CmdlineOptions& cmdline,
                           std::vector<std::string>* warnings);

// The configuration for a boot whose TPM could not be opened although
// `config.tpm` asks for one (auto): the command line applied as if
// cmdline_may_weaken were no. Nothing would measure its weakenings, and a
// TPM hidden at boot (its driver blacklisted) could be loaded afterwards
// and extended as if the policy had been enforced (docs/LOADER.md, "TPM").
LoaderConfig apply_cmdline_unmeasured(const LoaderConfig& config, const CmdlineOptions& cmdline,
                                      std::vector<std::string>* warnings);

}  // namespace bootseal::loader

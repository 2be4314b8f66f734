// SPDX-License-Identifier: GPL-2.0-only
// The policy store this machine boots from, as its loader.conf names it:
// where `bootseal update` installs a policy and `bootseal mark-good
// --booted` raises the floor (docs/FLEET.md). The loader reads loader.conf
// from the initramfs; these read the machine's own copy, which the
// initramfs is generated from.
#pragma once

#include <string>
#include <vector>

#include "bootseal/loader/config.hpp"
#include "bootseal/result.hpp"
#include "common.hpp"

namespace bootseal::tool {

inline constexpr const char* kKernelBlobPath = "/etc/bootseal/kernel.sealed";
inline constexpr const char* kInitramfsBlobPath = "/etc/bootseal/policy.sealed";

enum class StoreKind {
  partition,  // a bootseal partition (two slots, a rollback floor)
  trailer,    // the kernel images' trailers, and kernel.sealed for kernels installed later
  file,       // a plain file (root-file), or the one the initramfs carries (file)
};

struct Store {
  StoreKind kind = StoreKind::partition;
  Target partition;                        // partition
  std::vector<std::string> kernel_images;  // trailer: every image that is to carry the policy
  std::string file;                        // trailer: kernel.sealed; file: the policy file
  bool in_initramfs = false;               // file: the initramfs carries a copy
  std::string name;                        // for messages
  std::string source_line;                 // the loader.conf source it comes from
};

struct MachineConfig {
  loader::LoaderConfig conf;
  std::string path;
};
// loader.conf, which must exist: without it no initramfs carries the loader.
Result<MachineConfig> load_machine_config(const std::string& path);

// Where the sysfs and /dev trees and /boot are (tests point them elsewhere).
struct StoreEnv {
  std::string sysfs = "/sys";
  std::string dev = "/dev";
  std::string boot = "/boot";
  std::string etc = kEtcDir;  // where kernel.sealed and policy.sealed are
  std::string cmdline;         // the kernel command line ("" = read /proc/cmdline)
  std::string kernel_release;  // "" = uname -r
};

// The real system's, with etc = the directory of loader.conf (kernel.sealed
// and policy.sealed live beside it).
StoreEnv store_env(const MachineConfig& mc);

// The partition devices of every disk that are bootseal partitions (type
// GUID or PARTLABEL), e.g. "/dev/vda1", sorted.
std::vector<std::string> bootseal_partitions(const StoreEnv& env);

// The first source of the configuration (default: partitions, then kernel)
// that names a store this tool can write. Errors name the loader.conf line.
Result<Store> find_store(const MachineConfig& mc, const StoreEnv& env);

}  // namespace bootseal::tool

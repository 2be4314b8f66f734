// SPDX-License-Identifier: GPL-2.0-only
// bootseal-loader's exit codes, in one place: main.cpp returns them, its
// --help lists them, and the build writes them as the shell fragment
// bootseal-exit-codes.sh (BS_EXIT_NAME=CODE) that the initramfs hooks
// source, so that the hooks compare names, not numbers. The hooks continue
// the boot on BS_EXIT_OK and BS_EXIT_CONTINUE and stop it on anything
// else (docs/LOADER.md).
//
// The enumerators carry the shell variables' names, so that one name
// means one code in C++ and in sh. Codes are per program: "no valid
// policy" is 4 here and 5 in `bootseal` (docs/LOADER.md says why).
#pragma once

#include <iterator>
#include <string_view>

#include "bootseal/exit_table.hpp"

namespace bootseal::loader {

enum ExitCode : int {
  BS_EXIT_OK = 0,
  BS_EXIT_CONTINUE = 1,
  BS_EXIT_USAGE = 2,
  BS_EXIT_CONFIG = 3,
  BS_EXIT_NO_POLICY = 4,
  BS_EXIT_MACHINE = 5,
  BS_EXIT_NO_BPF_LSM = 6,
  BS_EXIT_INSTALL = 7,
  BS_EXIT_ALREADY = 8,
  BS_EXIT_LOCKDOWN = 9,
  BS_EXIT_TPM = 10,
};

inline constexpr ExitCodeEntry kExitCodes[] = {
    {BS_EXIT_OK, "OK", "the policy is installed (with --dry-run: would be)"},
    {BS_EXIT_CONTINUE, "CONTINUE",
     "no policy installed; the configuration (on-failure = continue, or permissive mode) lets the boot continue"},
    {BS_EXIT_USAGE, "USAGE", "bad command line"},
    {BS_EXIT_CONFIG, "CONFIG", "loader.conf, the trust store or a bootseal.* kernel option is unusable"},
    {BS_EXIT_NO_POLICY, "NO_POLICY",
     "no valid policy: none found, or only tampered, untrusted or rolled-back ones (each source is logged)"},
    {BS_EXIT_MACHINE, "MACHINE", "the policy is bound to other machines than NEWROOT/etc/machine-id"},
    {BS_EXIT_NO_BPF_LSM, "NO_BPF_LSM", "the kernel runs without the bpf LSM (lsm= lacks bpf)"},
    {BS_EXIT_INSTALL, "INSTALL",
     "loading, filling, attaching or pinning the enforcer failed, or (enforce mode) the raw devices under "
     "protected files cannot be found (mount table or sysfs unreadable), or a rule names files on a "
     "filesystem the enforcer cannot identify them on (btrfs, overlayfs, FUSE; below the root of FAT, exFAT), "
     "or a deny rule names what nothing would bind (below a filesystem mounted later)"},
    {BS_EXIT_ALREADY, "ALREADY", "bootseal's own enforcer is already in force with this policy (checked, not just a non-empty pin directory)"},
    {BS_EXIT_LOCKDOWN, "LOCKDOWN",
     "the policy is installed but the kernel lockdown level it asks for could not be raised (enforce mode)"},
    {BS_EXIT_TPM, "TPM",
     "tpm = required and the TPM is missing, a TPM command failed, or the floor index is not provisioned "
     "(whatever the policy's mode and on-failure)"},
};
static_assert(exit_table_valid(kExitCodes));
static_assert(std::size(kExitCodes) == BS_EXIT_TPM + 1, "every code has its entry");

// The prefix of the shell fragment's variables.
inline constexpr std::string_view kExitShellPrefix = "BS_EXIT_";

}  // namespace bootseal::loader

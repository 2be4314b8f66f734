// SPDX-License-Identifier: GPL-2.0-only
// Exit codes of bootseal, in one place: the subcommands return them, and
// --help lists them from the table below (docs/bootseal.md lists them too).
// Codes are per program: "no valid policy" is 5 here and 4 in
// bootseal-loader (docs/bootseal.md says why).
#pragma once

#include <iterator>

#include "bootseal/exit_table.hpp"

namespace bootseal::tool {

enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,   // I/O or other operational failure (open, write, sync, read-back)
  kExitUsage = 2,     // bad command line
  kExitRefused = 3,   // refused before writing anything: data on the device, a rollback,
                      // an existing trailer, nothing to mark good or strip
  kExitBadBlob = 4,   // the blob given is malformed or does not verify against the trust store
  kExitNoPolicy = 5,  // the source holds no valid policy (status: no enforcer installed)
  kExitCorrupt = 6,   // on-disk structure unreadable: no valid partition header, corrupt trailer footer
};

inline constexpr ExitCodeEntry kExitCodes[] = {
    {kExitOk, "OK", "success"},
    {kExitFailure, "FAILURE", "I/O or other operational failure (open, write, sync, read-back; no trust store)"},
    {kExitUsage, "USAGE", "bad command line"},
    {kExitRefused, "REFUSED",
     "refused before anything was written: data on the device, a rollback, an existing trailer, nothing to "
     "mark good or strip"},
    {kExitBadBlob, "BAD_BLOB", "the blob given is malformed or does not verify against the trust store"},
    {kExitNoPolicy, "NO_POLICY", "the source holds no valid policy (status: no enforcer is installed)"},
    {kExitCorrupt, "CORRUPT", "corrupt on-disk structure: no valid partition header copy, a corrupt trailer footer"},
};
static_assert(exit_table_valid(kExitCodes));
static_assert(std::size(kExitCodes) == kExitCorrupt + 1, "every code has its entry");

}  // namespace bootseal::tool

// SPDX-License-Identifier: GPL-2.0-only
// Exit codes of bootseal, in one place (docs/bootseal.md lists them).
#pragma once

namespace bootseal::tool {

enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,   // I/O or other operational failure (open, write, sync, read-back)
  kExitUsage = 2,     // bad command line
  kExitRefused = 3,   // refused before writing anything: data on the device, a rollback,
                      // an existing trailer, nothing to mark good or strip
  kExitBadBlob = 4,   // the blob given is malformed or does not verify against the trust store
  kExitNoPolicy = 5,  // the source holds no valid policy
  kExitCorrupt = 6,   // on-disk structure unreadable: no valid partition header, corrupt trailer footer
};

}  // namespace bootseal::tool

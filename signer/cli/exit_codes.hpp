// SPDX-License-Identifier: GPL-2.0-only
// Exit codes of bootseal-sign, in one place (docs/bootseal-sign.md lists them).
#pragma once

namespace bootseal::sign {

enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,         // I/O, key or other operational failure
  kExitUsage = 2,           // bad command line
  kExitPolicyError = 3,     // the policy source does not compile
  kExitMalformed = 4,       // the blob is not a well-formed sealed policy
  kExitUntrusted = 5,       // the blob's kid is not in the trust store
  kExitBadSignature = 6,    // the signature does not verify (or alg does not fit the key)
};

}  // namespace bootseal::sign

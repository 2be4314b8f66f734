// SPDX-License-Identifier: GPL-2.0-only
// Exit codes of bootseal-sign, in one place: the subcommands return them,
// and --help lists them from the table below (docs/bootseal-sign.md lists
// them too).
#pragma once

#include <iterator>

#include "bootseal/exit_table.hpp"

namespace bootseal::sign {

enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,         // I/O, key or other operational failure
  kExitUsage = 2,           // bad command line
  kExitPolicyError = 3,     // the policy source does not compile
  kExitOutputExists = 3,    // package: the output file exists with other contents
  kExitMalformed = 4,       // the blob is not a well-formed sealed policy
  kExitUntrusted = 5,       // the blob's kid is not in the trust store
  kExitBadSignature = 6,    // the signature does not verify (or alg does not fit the key)
};

inline constexpr ExitCodeEntry kExitCodes[] = {
    {kExitOk, "OK", "success"},
    {kExitFailure, "FAILURE", "operational failure: a file or key could not be read or written"},
    {kExitUsage, "USAGE", "bad command line, or (package) a malformed SOURCE_DATE_EPOCH"},
    {kExitPolicyError, "REFUSED",
     "the policy source does not compile (check, seal); the package file exists with other contents (package)"},
    {kExitMalformed, "MALFORMED", "the blob is not a well-formed sealed policy"},
    {kExitUntrusted, "UNTRUSTED", "the blob's kid is not in the trust store"},
    {kExitBadSignature, "BAD_SIGNATURE", "the signature does not verify, or the alg does not fit the trusted key"},
};
static_assert(exit_table_valid(kExitCodes));
static_assert(std::size(kExitCodes) == kExitBadSignature + 1, "every code has its entry");

}  // namespace bootseal::sign

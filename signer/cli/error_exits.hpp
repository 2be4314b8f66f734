// SPDX-License-Identifier: GPL-2.0-only
// bootseal-sign's one table from error kinds to exit codes (docs/ERRORS.md).
// Each switch names every kind of its module and has no default, so a new
// kind does not compile (-Werror=switch) until it has a code;
// tests/unit/test_errors.cpp checks each mapping against
// docs/bootseal-sign.md.
#pragma once

#include <string>

#include "bootseal/result.hpp"
#include "bootseal/seal.hpp"
#include "exit_codes.hpp"

namespace bootseal::sign {

// Generic failures (reading a file, loading a key or trust store, writing
// the blob): operational.
constexpr ExitCode exit_code_for(Errc kind) {
  switch (kind) {
    case Errc::failed:
    case Errc::io:
    case Errc::not_found:
    case Errc::too_large:
    case Errc::invalid_input: return kExitFailure;
  }
  return kExitFailure;
}

// Verification (verify, inspect --trust): malformed, untrusted or forged.
constexpr ExitCode exit_code_for(VerifyStatus status) {
  switch (status) {
    case VerifyStatus::ok: return kExitOk;
    case VerifyStatus::unknown_key: return kExitUntrusted;
    case VerifyStatus::alg_key_mismatch:
    case VerifyStatus::bad_signature: return kExitBadSignature;
    case VerifyStatus::too_large:
    case VerifyStatus::malformed_envelope:
    case VerifyStatus::unsupported_alg:
    case VerifyStatus::unknown_crit:
    case VerifyStatus::malformed_payload:
    case VerifyStatus::invalid_policy: return kExitMalformed;
  }
  return kExitFailure;
}

// Prints the error's message and returns its kind's exit code.
int fail(int code, const std::string& message);  // common.cpp
template <typename T, typename Kind>
int fail(const Result<T, Kind>& r) {
  return fail(exit_code_for(r.kind()), r.error());
}

}  // namespace bootseal::sign

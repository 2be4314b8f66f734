// SPDX-License-Identifier: GPL-2.0-only
// bootseal's one table from error kinds to exit codes (docs/ERRORS.md):
// every subcommand turns a library failure into its exit code here, never
// by a number at the call site. Each switch names every kind of its module
// and has no default, so a new kind does not compile (-Werror=switch)
// until it has a code; tests/unit/test_errors.cpp checks each mapping
// against docs/bootseal.md.
#pragma once

#include <string>

#include "bootseal/partition.hpp"
#include "bootseal/result.hpp"
#include "bootseal/seal.hpp"
#include "bootseal/tpm.hpp"
#include "bootseal/trailer.hpp"
#include "enforcer_read.hpp"
#include "exit_codes.hpp"

namespace bootseal::tool {

// Generic failures (opening a device, loading the trust store, reading a
// file): operational.
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

// Writing the policy partition (install, mark-good).
constexpr ExitCode exit_code_for(WriteFailure kind) {
  switch (kind) {
    case WriteFailure::refused: return kExitRefused;
    case WriteFailure::unreadable: return kExitCorrupt;
    case WriteFailure::io_error:
    case WriteFailure::readback: return kExitFailure;
  }
  return kExitFailure;
}

// The kernel-image trailer (append, strip, inspect).
constexpr ExitCode exit_code_for(TrailerFault kind) {
  switch (kind) {
    case TrailerFault::io: return kExitFailure;
    case TrailerFault::corrupt: return kExitCorrupt;
    case TrailerFault::absent:
    case TrailerFault::exists: return kExitRefused;
    case TrailerFault::invalid_blob: return kExitBadBlob;
  }
  return kExitFailure;
}

// The TPM (tpm-setup): a TPM that cannot be reached or refuses a command
// is operational; a floor index that is not bootseal's is a refusal.
constexpr ExitCode exit_code_for(tpm::TpmFault kind) {
  switch (kind) {
    case tpm::TpmFault::unavailable:
    case tpm::TpmFault::command: return kExitFailure;
    case tpm::TpmFault::not_defined: return kExitRefused;
    case tpm::TpmFault::invalid_input: return kExitUsage;
  }
  return kExitFailure;
}

// Reading the running enforcer's pins (status, audit).
constexpr ExitCode exit_code_for(EnforcerFault kind) {
  switch (kind) {
    case EnforcerFault::not_installed: return kExitNoPolicy;
    case EnforcerFault::unreadable: return kExitFailure;
  }
  return kExitFailure;
}

// Verifying the blob given (install, append, inspect): any failure is a
// bad blob.
constexpr ExitCode exit_code_for(VerifyStatus status) {
  switch (status) {
    case VerifyStatus::ok: return kExitOk;
    case VerifyStatus::too_large:
    case VerifyStatus::malformed_envelope:
    case VerifyStatus::unsupported_alg:
    case VerifyStatus::unknown_crit:
    case VerifyStatus::unknown_key:
    case VerifyStatus::alg_key_mismatch:
    case VerifyStatus::bad_signature:
    case VerifyStatus::malformed_payload:
    case VerifyStatus::invalid_policy: return kExitBadBlob;
  }
  return kExitFailure;
}

// Prints the error's message and returns its kind's exit code.
int fail(int code, const std::string& message);  // common.cpp
template <typename T, typename Kind>
int fail(const Result<T, Kind>& r) {
  return fail(exit_code_for(r.kind()), r.error());
}

}  // namespace bootseal::tool

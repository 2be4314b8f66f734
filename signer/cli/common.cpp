// SPDX-License-Identifier: GPL-2.0-only
#include "common.hpp"

#include <iostream>

#include "exit_codes.hpp"

namespace bootseal::sign {

int fail(int code, const std::string& message) {
  std::cerr << "bootseal-sign: " << message << "\n";
  return code;
}

int exit_code_for(VerifyStatus status) {
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

std::string describe(VerifyStatus status, std::string_view what) {
  return std::string(what) + ": " + std::string(to_string(status));
}

}  // namespace bootseal::sign

// SPDX-License-Identifier: GPL-2.0-only
#include "common.hpp"

#include <iostream>

#include "exit_codes.hpp"

namespace bootseal::sign {

int fail(int code, const std::string& message) {
  std::cerr << "bootseal-sign: " << message << "\n";
  return code;
}

std::string describe(VerifyStatus status, std::string_view what) {
  return std::string(what) + ": " + std::string(to_string(status));
}

}  // namespace bootseal::sign

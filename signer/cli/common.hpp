// SPDX-License-Identifier: GPL-2.0-only
// Shared pieces of the bootseal-sign subcommands.
#pragma once

#include <string>
#include <string_view>

#include "bootseal/seal.hpp"

namespace bootseal::sign {

// Prints "bootseal-sign: MESSAGE" to stderr and returns code.
int fail(int code, const std::string& message);

// A human sentence for a verification outcome of `what` (a file name).
std::string describe(VerifyStatus status, std::string_view what);

}  // namespace bootseal::sign

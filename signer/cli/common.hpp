// SPDX-License-Identifier: GPL-2.0-only
// Shared pieces of the bootseal-sign subcommands.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <string_view>

#include "bootseal/seal.hpp"

namespace bootseal::sign {

// Prints "bootseal-sign: MESSAGE" to stderr and returns code.
int fail(int code, const std::string& message);

// A human sentence for a verification outcome of `what` (a file name).
std::string describe(VerifyStatus status, std::string_view what);

// Each binds its subcommand's flags; running it stores the exit code.
void setup_keygen(CLI::App& app, int& exit_code);
void setup_seal(CLI::App& app, int& exit_code);
void setup_verify(CLI::App& app, int& exit_code);
void setup_inspect(CLI::App& app, int& exit_code);
void setup_check(CLI::App& app, int& exit_code);
void setup_package(CLI::App& app, int& exit_code);

}  // namespace bootseal::sign

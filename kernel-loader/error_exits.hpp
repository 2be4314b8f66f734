// SPDX-License-Identifier: GPL-2.0-only
// bootseal-loader's table from error kinds to exit codes (docs/ERRORS.md).
// The loader meets one module kind, the enforcer install's; its other
// failures are decided by the step they happen in (configuration, trust
// store, discovery, machine binding, lockdown) and return that step's code
// from exit_codes.hpp. The switch names every kind and has no default, so
// a new kind does not compile (-Werror=switch) until it has a code;
// tests/unit/test_errors.cpp checks each mapping against docs/LOADER.md.
#pragma once

#include "exit_codes.hpp"
#include "src/install.hpp"

namespace bootseal::loader {

constexpr ExitCode exit_code_for(InstallFailure kind) {
  switch (kind) {
    case InstallFailure::already: return BS_EXIT_ALREADY;
    case InstallFailure::failed: return BS_EXIT_INSTALL;
  }
  return BS_EXIT_INSTALL;
}

}  // namespace bootseal::loader

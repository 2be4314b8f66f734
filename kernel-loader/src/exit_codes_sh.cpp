// SPDX-License-Identifier: GPL-2.0-only
// Prints bootseal-exit-codes.sh, the loader's exit codes as shell variables
// (BS_EXIT_NAME=CODE) for the initramfs hooks, from kernel-loader/exit_codes.hpp.
// Run by the build; the output is installed with the hooks.
#include <cstdio>

#include "exit_codes.hpp"

int main() {
  using namespace bootseal::loader;
  const std::string s = bootseal::exit_codes_shell(kExitCodes, kExitShellPrefix, "kernel-loader/exit_codes.hpp");
  return std::fwrite(s.data(), 1, s.size(), stdout) == s.size() && std::fflush(stdout) == 0 ? 0 : 1;
}

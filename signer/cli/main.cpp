// SPDX-License-Identifier: GPL-2.0-only
// bootseal-sign: keys, the policy language compiler, sealing and verifying.
// Runs on the signing host, where the private keys are.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>

#include "common.hpp"
#include "exit_codes.hpp"

// Only CLI11's setup, before the try below, can throw: on a programming
// error (a duplicate option name), which every run of the program would hit.
int main(int argc, char** argv) {  // NOLINT(bugprone-exception-escape)
  using namespace bootseal::sign;
  CLI::App app{
      "bootseal-sign: compile security policies and seal them (COSE_Sign1) for bootseal.", "bootseal-sign"};
  app.footer(bootseal::exit_codes_help(kExitCodes));
  app.set_version_flag("--version", std::string("bootseal-sign ") + BOOTSEAL_VERSION);
  app.require_subcommand(1);
  int exit_code = kExitOk;
  setup_keygen(app, exit_code);
  setup_seal(app, exit_code);
  setup_verify(app, exit_code);
  setup_inspect(app, exit_code);
  setup_check(app, exit_code);
  setup_package(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  } catch (const std::exception& e) {  // out of memory, or a library's exception in a subcommand
    std::fprintf(stderr, "%s: %s\n", "bootseal-sign", e.what());
    return kExitFailure;
  }
  return exit_code;
}

// SPDX-License-Identifier: GPL-2.0-only
// bootseal: the admin tool on the target machine. Installs sealed policies
// to the policy partition, appends them to kernel images, inspects sources.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>

#include "common.hpp"
#include "exit_codes.hpp"

// Only CLI11's setup, before the try below, can throw: on a programming
// error (a duplicate option name), which every run of the program would hit.
int main(int argc, char** argv) {  // NOLINT(bugprone-exception-escape)
  using namespace bootseal::tool;
  CLI::App app{
      "bootseal: install, inspect and manage sealed bootseal policies on this machine.", "bootseal"};
  app.footer(bootseal::exit_codes_help(kExitCodes));
  app.set_version_flag("--version", std::string("bootseal ") + BOOTSEAL_VERSION);
  app.require_subcommand(1);
  int exit_code = kExitOk;
  setup_format(app, exit_code);
  setup_install(app, exit_code);
  setup_update(app, exit_code);
  setup_slots(app, exit_code);
  setup_mark_good(app, exit_code);
  setup_append(app, exit_code);
  setup_strip(app, exit_code);
  setup_inspect(app, exit_code);
  setup_status(app, exit_code);
  setup_audit(app, exit_code);
  setup_tpm_setup(app, exit_code);
  setup_measure_seal(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  } catch (const std::exception& e) {  // out of memory, or a library's exception in a subcommand
    std::fprintf(stderr, "%s: %s\n", "bootseal", e.what());
    return kExitFailure;
  }
  return exit_code;
}

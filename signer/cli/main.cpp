// SPDX-License-Identifier: GPL-2.0-only
// bootseal-sign: keys, the policy language compiler, sealing and verifying.
// Runs on the signing host, where the private keys are.
// Its command line is all here, the one file that compiles CLI11: each
// subcommand's flags fill its options (commands.hpp), and its callback runs
// it (cmd_*.cpp).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>
#include <memory>
#include <string>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "policy_package.hpp"

namespace bootseal::sign {
namespace {

// Each binds its subcommand's flags to its options; running it stores the
// exit code.

// bootseal-sign keygen [--alg ed25519|es256|es384|ps256] PRIVATE.pem PUBLIC.pem
void setup_keygen(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<KeygenOptions>();
  auto* sub = app.add_subcommand("keygen", "Generate a signing key pair (PKCS#8 private key, mode 0600).");
  sub->add_option("--alg", o->alg, "Key algorithm")
      ->check(CLI::IsMember({"ed25519", "es256", "es384", "ps256"}))
      ->capture_default_str();
  sub->add_option("PRIVATE", o->private_pem, "Private key PEM to create (never overwritten)")->required();
  sub->add_option("PUBLIC", o->public_pem, "Public key PEM to create (goes into trust stores)")->required();
  sub->callback([o, &exit_code] { exit_code = run_keygen(*o); });
}

// bootseal-sign seal --key KEY [-o OUT] POLICY: compile and sign.
void setup_seal(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<SealOptions>();
  auto* sub = app.add_subcommand("seal", "Compile a policy source and sign it into a sealed blob.");
  sub->add_option("--key,-k", o->key,
                  "Private key: a PEM file, or an OpenSSL store URI (file:..., pkcs11:...)")
      ->required();
  sub->add_option("--output,-o", o->output, "Sealed blob to write (default: POLICY with .sealed)");
  sub->add_option("POLICY", o->policy, "Policy source (.policy)")->required();
  sub->callback([o, &exit_code] { exit_code = run_seal(*o); });
}

// bootseal-sign verify --trust PEM_OR_DIR BLOB...
void setup_verify(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<VerifyOptions>();
  auto* sub = app.add_subcommand("verify", "Verify sealed blobs against trusted public keys.");
  sub->add_option("--trust,-t", o->trust, "Trusted public key: one PEM file or a directory of *.pem")
      ->required();
  sub->add_flag("--quiet,-q", o->quiet, "Print nothing on success");
  sub->add_option("BLOB", o->blobs, "Sealed blobs")->required();
  sub->footer(
      "Exit codes: 0 all verified, 1 unreadable input or trust store, 4 malformed blob,\n"
      "5 kid not in the trust store, 6 signature does not verify or alg does not fit the key.");
  sub->callback([o, &exit_code] { exit_code = run_verify(*o); });
}

// bootseal-sign inspect [--json] [--trust PEM_OR_DIR] BLOB: what a sealed blob holds.
void setup_inspect(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<InspectOptions>();
  auto* sub = app.add_subcommand("inspect", "Show what a sealed blob holds: header, alg, kid and the policy as text.");
  sub->add_flag("--json", o->json, "Machine-readable output");
  sub->add_option("--trust,-t", o->trust, "Also verify the signature against this PEM file or directory");
  sub->add_option("BLOB", o->blob, "Sealed blob")->required();
  sub->callback([o, &exit_code] { exit_code = run_inspect(*o); });
}

// bootseal-sign check POLICY...: the language check, no key needed.
void setup_check(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<CheckOptions>();
  auto* sub = app.add_subcommand("check", "Check policy sources for errors (no key needed).");
  sub->add_flag("--canonical", o->canonical, "Print each policy's canonical text instead of a summary");
  sub->add_option("POLICY", o->policies, "Policy source files")->required();
  sub->callback([o, &exit_code] { exit_code = run_check(*o); });
}

// bootseal-sign package [--output DIR] [--maintainer M] [--name PKG] [--trust PEM_OR_DIR] [--force] BLOB:
// a Debian package that installs a sealed policy with `bootseal update`.
void setup_package(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<PackageOptions>();
  auto* sub = app.add_subcommand("package", "Make a Debian package that installs a sealed blob with `bootseal update`.");
  sub->add_option("--output,-o", o->output, "Directory to write PACKAGE_GENERATION_all.deb into")
      ->capture_default_str();
  sub->add_option("--maintainer", o->maintainer,
                  "Maintainer field, \"NAME <EMAIL>\" (default: $DEBFULLNAME <$DEBEMAIL>, else " +
                      std::string(kDefaultMaintainer) + ")");
  sub->add_option("--name", o->name, "Package name (default: bootseal-policy-POLICYNAME)");
  sub->add_option("--trust,-t", o->trust, "Verify the blob against this PEM file or directory first");
  sub->add_flag("--force", o->force, "Replace an existing package file with other contents");
  sub->add_option("BLOB", o->blob, "Sealed blob")->required();
  sub->footer(
      "The package puts BLOB in /var/lib/bootseal/packages/PACKAGE.sealed; its preinst runs\n"
      "`bootseal update --check` on it, its postinst `bootseal update --trigger`. Timestamps come\n"
      "from SOURCE_DATE_EPOCH when set. Exit codes: 0 written (or the same file already there),\n"
      "1 unreadable input or unwritable output, 2 bad command line or SOURCE_DATE_EPOCH, 3 the file\n"
      "exists with other contents, 4 malformed blob, 5 kid not in the --trust store,\n"
      "6 signature does not verify.");
  sub->callback([o, &exit_code] { exit_code = run_package(*o); });
}

}  // namespace
}  // namespace bootseal::sign

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

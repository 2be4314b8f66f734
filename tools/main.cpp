// SPDX-License-Identifier: GPL-2.0-only
// bootseal: the admin tool on the target machine. Installs sealed policies
// to the policy partition, appends them to kernel images, inspects sources.
// Its command line is all here, the one file that compiles CLI11: each
// subcommand's flags fill its options (commands.hpp), and its callback runs
// it (cmd_*.cpp).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>
#include <memory>
#include <string>

#include "commands.hpp"
#include "common.hpp"
#include "exit_codes.hpp"

namespace bootseal::tool {
namespace {

// --trust: the trust store of the commands that check signatures (load_trust).
void add_trust_option(CLI::App* sub, std::string& into) {
  sub->add_option("--trust,-t", into,
                  std::string("Trusted public keys: one PEM file or a directory of *.pem (default ") +
                      kDefaultTrustStore + ")");
}

// Each binds its subcommand's flags to its options; running it stores the
// exit code.

// bootseal format [--force] [--partition N] DEVICE
void setup_format(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<FormatOptions>();
  auto* sub = app.add_subcommand("format", "Lay out an empty bootseal policy partition (two empty slots, floor 0).");
  sub->add_flag("--force,-f", o->force,
                "Format even when the device holds a filesystem, a partition table, a bootseal partition "
                "or other data (their signatures are erased first)");
  sub->add_option("--partition,-p", o->partition, "Format partition N of DEVICE (a disk or disk image)")
      ->check(CLI::PositiveNumber);
  sub->add_option("DEVICE", o->device, "The partition (block device or image file)")->required();
  sub->footer(
      "The device is probed with libblkid first; anything found (filesystem, RAID or crypto\n"
      "superblock, partition table, an existing bootseal partition) or any non-zero byte in the\n"
      "first MiB makes format refuse (exit 3) unless --force is given.");
  sub->callback([o, &exit_code] { exit_code = run_format(*o); });
}

// bootseal install [--trust PEM_OR_DIR] [--partition N] --device DEVICE BLOB
void setup_install(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<InstallOptions>();
  auto* sub = app.add_subcommand("install", "Install a sealed policy into the partition slot that does not serve.");
  add_trust_option(sub, o->trust);
  sub->add_option("--device,-d", o->device, "The bootseal partition, or a disk (image) holding one")->required();
  sub->add_option("--partition,-p", o->partition, "Use partition N of DEVICE")->check(CLI::PositiveNumber);
  sub->add_option("BLOB", o->blob, "The sealed policy (from bootseal-sign seal)")->required();
  sub->footer(
      "The blob must verify against the trust store. It is refused (exit 3, nothing written) when its\n"
      "generation is below the partition's rollback floor or below the policy now serving. The write\n"
      "goes to the slot that does not serve, is synced and read back; the serving slot is untouched.");
  sub->callback([o, &exit_code] { exit_code = run_install(*o); });
}

// bootseal update [--config FILE] [--trust PEM_OR_DIR] [--check] [--trigger] BLOB|-
void setup_update(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<UpdateOptions>();
  auto* sub = app.add_subcommand(
      "update", "Install a sealed policy into the store this machine boots from (as loader.conf names it).");
  sub->add_option("--config,-c", o->config, "The machine's loader configuration")
      ->capture_default_str();
  sub->add_option("--trust,-t", o->trust,
                  "Trusted public key (PEM) or a directory of *.pem (default: loader.conf's 'trust')");
  sub->add_flag("--check", o->check, "Run every check and write nothing (a package's preinst)");
  sub->add_flag("--trigger", o->trigger,
                "When the initramfs must be regenerated, activate dpkg's update-initramfs trigger "
                "(in a maintainer script) instead of printing a note");
  sub->add_flag("--rename", o->rename,
                "Let a policy of another name replace the one the store holds (where loader.conf names none)");
  sub->add_option("BLOB", o->blob, "The sealed policy, or - for standard input")->required();
  sub->footer(
      "The store is the first 'source' of loader.conf that names one (default: partitions, then kernel):\n"
      "  partitions, device PATH     the bootseal partition (exactly one on the machine), as 'install'\n"
      "  kernel, kernel-image PATH   the trailer of the running kernel's image and of every image under\n"
      "                              /boot that carries one, and /etc/bootseal/kernel.sealed\n"
      "  file /etc/bootseal/policy.sealed   that file; the initramfs carries it (regenerated)\n"
      "  root-file PATH              that file\n"
      "The blob must verify against the machine's trust store. Refused (exit 3, nothing written): a\n"
      "generation below loader.conf's floor, the partition's rollback floor, or the policy the store\n"
      "holds; another blob of the generation the store holds; a policy of another name than\n"
      "loader.conf's 'policy', or, without one, than the store's policy (unless --rename). The store\n"
      "already holding this very blob is success (nothing written).");
  sub->callback([o, &exit_code] { exit_code = run_update(*o); });
}

// bootseal slots [--json] [--trust PEM_OR_DIR] [--partition N] DEVICE
void setup_slots(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<SlotsOptions>();
  auto* sub = app.add_subcommand("slots", "Show the partition's header copies, both slots and which one serves.");
  sub->add_flag("--json", o->json, "Machine-readable output");
  add_trust_option(sub, o->trust);
  sub->add_option("--partition,-p", o->partition, "Use partition N of DEVICE")->check(CLI::PositiveNumber);
  sub->add_option("DEVICE", o->device, "The bootseal partition, or a disk (image) holding one")->required();
  sub->footer(
      "Each slot is ok (serves), obsolete (valid but older, or below the floor), corrupt (with the\n"
      "reason and offset), empty or io-error. Without a trust store (default " +
      std::string(kDefaultTrustStore) +
      ") signatures are not\nchecked. Exit 0 when a slot serves, 5 when none does, 6 when no header copy is valid.");
  sub->callback([o, &exit_code] { exit_code = run_slots(*o); });
}

// bootseal mark-good [--trust PEM_OR_DIR] [--partition N] DEVICE
// bootseal mark-good --booted [--config FILE] [--trust PEM_OR_DIR]
void setup_mark_good(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<MarkGoodOptions>();
  auto* sub = app.add_subcommand(
      "mark-good", "Raise the partition's rollback floor to the generation now serving (after a good boot).");
  add_trust_option(sub, o->trust);
  sub->add_option("--partition,-p", o->partition, "Use partition N of DEVICE")->check(CLI::PositiveNumber);
  auto* device =
      sub->add_option("DEVICE", o->device, "The bootseal partition, or a disk (image) holding one");
  auto* booted = sub->add_flag("--booted", o->booted,
                               "Mark this boot good: raise the floor of the store loader.conf names to the "
                               "generation in force, and record it (bootseal-mark-good.service)");
  booted->excludes(device);
  sub->add_option("--config,-c", o->config, "With --booted: the machine's loader configuration")
      ->capture_default_str()
      ->needs(booted);
  sub->footer(
      "Run it once a boot with the newly installed policy has succeeded: from then on the older slot\n"
      "is no longer a fallback. Refused (exit 3) when no slot serves a valid policy.\n"
      "--booted raises the floor only to the generation the running enforcer holds, which the store must\n"
      "hold (exit 3 when no policy is in force or the store does not hold it), asks the TPM's floor\n"
      "(tpm != off) to follow at the next boot, and writes /var/lib/bootseal/assessment.");
  sub->callback([o, &exit_code] { exit_code = run_mark_good(*o); });
}

// bootseal append [--trust PEM_OR_DIR] [--replace] --kernel IMAGE BLOB
void setup_append(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<AppendOptions>();
  auto* sub = app.add_subcommand("append", "Append a sealed policy to a kernel image (blob, then a 40-byte footer).");
  add_trust_option(sub, o->trust);
  sub->add_option("--kernel,-k", o->kernel, "The kernel image (symlinks are followed)")->required();
  sub->add_flag("--replace", o->replace, "Replace a trailer the image already carries");
  sub->add_option("BLOB", o->blob, "The sealed policy")->required();
  sub->footer(
      "Trailers never stack: an image that already carries one is refused (exit 3) unless --replace,\n"
      "and a replacement with an older generation than the one there is refused. The new image is\n"
      "written beside the old one, synced and renamed over it.");
  sub->callback([o, &exit_code] { exit_code = run_append(*o); });
}

// bootseal strip --kernel IMAGE
void setup_strip(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<StripOptions>();
  auto* sub = app.add_subcommand("strip", "Remove the bootseal trailer from a kernel image, restoring its exact bytes.");
  sub->add_option("--kernel,-k", o->kernel, "The kernel image (symlinks are followed)")->required();
  sub->footer("Refused (exit 3) when the image carries no trailer; exit 6 when its footer is corrupt.");
  sub->callback([o, &exit_code] { exit_code = run_strip(*o); });
}

// bootseal inspect [--json] [--trust PEM_OR_DIR] SOURCE
// SOURCE is a sealed blob, a bootseal partition, a disk (image) or a kernel
// image: what it holds, which slot or trailer serves, what was skipped and why.
void setup_inspect(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<InspectOptions>();
  auto* sub = app.add_subcommand(
      "inspect", "Show what a blob, partition, disk (image) or kernel image holds and which policy it serves.");
  sub->add_flag("--json", o->json, "Machine-readable output");
  add_trust_option(sub, o->trust);
  sub->add_option("SOURCE", o->source, "A sealed blob, a bootseal partition, a disk or a kernel image")->required();
  sub->footer(
      "Rules are printed as policy text. Without a trust store (default " + std::string(kDefaultTrustStore) +
      ")\nsignatures are not checked. Exit 0 when a valid policy is found, 4 when the blob is malformed\n"
      "or does not verify, 5 when the source holds no valid policy, 6 when its structure is corrupt.");
  sub->callback([o, &exit_code] { exit_code = run_inspect(*o); });
}

// bootseal status [--json] [--pin-dir DIR]
void setup_status(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<StatusOptions>();
  auto* sub = app.add_subcommand("status", "Show what the running enforcer holds, read from its pins.");
  sub->add_flag("--json", o->json, "Machine-readable output");
  sub->add_option("--pin-dir", o->pin_dir, "Where the enforcer is pinned (default " + std::string(kDefaultPinDir) + ")");
  sub->add_option("--tcti", o->tcti, "How to reach the TPM (default device:/dev/tpmrm0)");
  sub->footer("Exit 0 when an enforcer is installed, 5 when none is, 1 when its pins cannot be read.");
  sub->callback([o, &exit_code] { exit_code = run_status(*o); });
}

// bootseal audit [--follow] [--json] [--pin-dir DIR]
void setup_audit(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<AuditOptions>();
  auto* sub = app.add_subcommand("audit", "Print the enforcer's audit events (denials and audit rules).");
  sub->add_flag("--follow,-f", o->follow, "Keep printing new events until interrupted");
  sub->add_flag("--json", o->json, "One JSON object per line (with its sequence number, \"seq\")");
  sub->add_option("--after", o->after, "Only events after this sequence number (default 0: all the log holds)");
  sub->add_option("--pin-dir", o->pin_dir, "Where the enforcer is pinned (default " + std::string(kDefaultPinDir) + ")");
  sub->footer(
      "The enforcer keeps the latest events in a circular log that readers cannot change: reading\n"
      "consumes nothing, and every reader sees every event the log still holds. Events are numbered\n"
      "from 1; when the log is full the oldest are overwritten, and a gap after --after N is reported\n"
      "on stderr. Objects are shown by device and inode (find / -xdev -inum N names them); subjects by\n"
      "their id in the policy's subject map. `bootseal status` counts the events written and overwritten.");
  sub->callback([o, &exit_code] { exit_code = run_audit(*o); });
}

// bootseal tpm-setup [--tcti T] [--nv-index 0xN] [--owner-auth-file F] [--floor N]
void setup_tpm_setup(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<TpmSetupOptions>();
  auto* sub = app.add_subcommand("tpm-setup", "Define the TPM NV index that holds the rollback floor (once per TPM).");
  sub->add_option("--tcti", o->tcti, "How to reach the TPM (default device:/dev/tpmrm0)");
  sub->add_option("--nv-index", o->index, "The NV index, in the Linux range 0x01D10200-0x01D105FF (default 0x01d10250)");
  sub->add_option("--owner-auth-file", o->owner_auth_file,
                  "A file holding the owner hierarchy's authorization value (default: empty)");
  sub->add_option("--floor", o->floor, "The floor a new index starts at (default 0)");
  sub->footer(
      "Defines an 8-byte ordinary index under the owner hierarchy (attributes: docs/LOADER.md, \"TPM\"),\n"
      "writes the starting floor, and makes /var/lib/bootseal for mark-good's requests. An index that is\n"
      "already bootseal's is left as it is (exit 0); one with other attributes is refused (exit 3).\n"
      "From the next boot the loader (tpm = auto or required) reads the floor, raises it on mark-good's\n"
      "request and write-locks the index until the reboot after.");
  sub->callback([o, &exit_code] { exit_code = run_tpm_setup(*o); });
}

// bootseal measure-seal [--pin-dir DIR] [--tcti T] [--log FILE] [--wait] [--quiet]
void setup_measure_seal(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<MeasureSealOptions>();
  auto* sub = app.add_subcommand("measure-seal", "Measure the end of the policy's boot phase into the loader's PCR.");
  sub->add_option("--pin-dir", o->pin_dir, "The enforcer's pin directory (default " + std::string(kDefaultPinDir) + ")");
  sub->add_option("--tcti", o->tcti, "How to reach the TPM (default device:/dev/tpmrm0)");
  sub->add_option("--log", o->log, "The measurement log (default " + std::string(tpm::kMeasureLogPath) + ")");
  sub->add_flag("--wait", o->wait, "Before the seal, wait for it (the seal-by program, or the deadline)");
  sub->add_flag("--quiet", o->quiet, "Print nothing but errors");
  sub->footer(
      "Once the boot phase is over (bootseal-seal, or the seal-after deadline), extends the PCR the\n"
      "loader measured the policy into this boot with SHA-256(\"bootseal: sealed by trigger\") or\n"
      "SHA-256(\"bootseal: sealed at deadline\"), and logs the record beside the loader's. Exit 0\n"
      "with nothing done: the policy has no phases, the loader used no TPM this boot, or the seal\n"
      "is measured already (the PCR is extended once per boot). Exit 3: the boot phase is not\n"
      "over (without --wait). Exit 6: the log is damaged, or does not show the policy in force as the\n"
      "one measured (nothing is extended). bootseal-measure-seal.service runs it with --wait.");
  sub->callback([o, &exit_code] { exit_code = run_measure_seal(*o); });
}

}  // namespace
}  // namespace bootseal::tool

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

// SPDX-License-Identifier: GPL-2.0-only
// Installing the compiled policy into the enforcer: load, fill, freeze,
// attach, pin. Touches the kernel: only ever run in the initramfs (or a
// test machine), never by --dry-run.
#pragma once

#include <functional>
#include <string>

#include "bootseal/loader/compiler.hpp"
#include "bootseal/result.hpp"
#include "bootseal/seal.hpp"

namespace bootseal::loader {

struct InstallRequest {
  const Compiled* compiled = nullptr;
  const Document* document = nullptr;
  Kid kid{};
  uint32_t mode = BS_MODE_ENFORCE;  // effective mode
  uint32_t ringbuf_size = 256 * 1024;  // audit log bytes: ringbuf_size / 64 records
  std::string pin_dir{contract::kPinDir};
  std::string new_root;  // --root
};

// Reports one finished step: its name, what it did, milliseconds it took.
using StepLog = std::function<void(const std::string& step, const std::string& detail, double ms)>;

// The install module's error kind. The error's message says what failed
// and why; for failed, its detail holds libbpf's last messages (the
// verifier log), possibly empty.
enum class InstallFailure {
  already,  // bootseal's own enforcer is already in force with this policy: nothing installed
  failed,   // loading, filling, attaching or pinning failed
};

struct InstallReport {
  int hooks = 0;  // LSM hooks attached
  // The policy grants `bpf-load lsm` to subjects, and this kernel lets an
  // LSM program return any value (lsm_return_values_bounded): the
  // enforcer holds the grants void. Empty otherwise; else why.
  std::string grants_void;
  // Each program loaded, and the instructions the verifier processed for
  // it (the kernel's verified_insns; 0 where it does not say).
  std::vector<std::pair<std::string, uint32_t>> verified;
};
using EnforcerInstall = Result<InstallReport, InstallFailure>;

// Whether the verifier bounds what a BPF LSM program may return to 0 or a
// negative error: it loads a program returning 0 on file_open and must
// refuse the same program returning 1. Loads (never attaches) two
// programs: only where the enforcer is to be installed. False when it
// cannot tell (the first load fails too).
bool lsm_return_values_bounded();

// The active LSMs (/sys/kernel/security/lsm, mounting securityfs when
// `may_mount`); an error when they cannot be read.
Result<std::string> active_lsms(bool may_mount);

// Installs the policy; when req.pin_dir is not empty, checks instead that
// the enforcer pinned there is bootseal's, in force, with this policy
// (verify_installed: InstallFailure::already), else fails.
EnforcerInstall install(const InstallRequest& req, const StepLog& log);

// Whether the enforcer pinned in req.pin_dir is bootseal's own (its maps
// and links), in force (it refuses this task a writable fd to its info
// map) and holding req's policy (name, generation, key, mode).
Result<void> verify_installed(const InstallRequest& req);

// The kernel lockdown level in force (/sys/kernel/security/lockdown, the
// bracketed word), mounting securityfs when `may_mount`.
Result<Lockdown> lockdown_in_force(bool may_mount);

// Raises the kernel lockdown to at least `level` (one-way) and reads it
// back. Run after the enforcer is attached: confidentiality stops the
// verifier from accepting programs that read kernel memory.
Result<Lockdown> raise_lockdown(Lockdown level);

}  // namespace bootseal::loader

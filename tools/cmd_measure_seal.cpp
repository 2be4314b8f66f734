// SPDX-License-Identifier: GPL-2.0-only
// bootseal measure-seal (its command line is in main.cpp).
//
// Measures the end of the policy's boot phase into the PCR the loader
// measured the policy into this boot (docs/LOADER.md, "TPM"), as
// systemd-pcrphase measures its phases: bootseal-measure-seal.service runs
// it with --wait. The loader's measurement log says whether a TPM was used
// this boot and which PCR; the record this writes there lets a verifier
// replay the PCR.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <ctime>
#include <iostream>
#include <optional>
#include <span>
#include <vector>

#include "bootseal/fileio.hpp"
#include "bootseal/tpm.hpp"
#include "bootseal/tpm_log.hpp"
#include "commands.hpp"
#include "common.hpp"
#include "enforcer_read.hpp"
#include "error_exits.hpp"
#include "exit_codes.hpp"

namespace bootseal::tool {
namespace {

// The seal as the enforcer recorded it (stats.sealed), never inferred from
// this process's clock, which a time namespace can shift. Past the
// deadline the enforcer seals at its next decision; the seal prctl is one
// for any caller (docs/ENFORCER.md, "Boot phases"): asked when this
// process's clock says the deadline is past, then the record is read
// again. Before the real deadline the enforcer refuses it (and logs it).
// Only the counters are read again: the policy's settings never change.
EnforcerResult<void> refresh_seal(const std::string& pin_dir, EnforcerState& st) {
  if (!st.info.seal_after_ns || st.stats.sealed) return {};
  timespec ts{};
  ::clock_gettime(CLOCK_BOOTTIME, &ts);
  if (static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec) < st.info.seal_after_ns)
    return {};
  ::prctl(BS_PRCTL_SEAL, 0, 0, 0, 0);
  auto stats = read_stats(pin_dir);
  if (!stats) return stats.failure();
  st.stats = *stats;
  return {};
}

}  // namespace

int run_measure_seal(const MeasureSealOptions& o) {
  auto say = [&o](const std::string& line) {
    if (!o.quiet) std::cout << line << "\n";
  };
  auto st = read_enforcer(o.pin_dir);
  if (!st) return fail(st);
  if (!st->info.seal_after_ns) {
    say("the policy in force has no boot phase: nothing to measure");
    return kExitOk;
  }
  if (auto r = refresh_seal(o.pin_dir, *st); !r) return fail(r);
  // --wait: until the seal-by program seals, or the deadline does.
  while (o.wait && !st->stats.sealed) {
    ::sleep(2);
    auto stats = read_stats(o.pin_dir);
    if (!stats) return fail(stats);
    st->stats = *stats;
    if (auto r = refresh_seal(o.pin_dir, *st); !r) return fail(r);
  }
  if (!st->stats.sealed)
    return fail(kExitRefused, "the boot phase is not over: run bootseal-seal first, wait for the seal-after deadline (" +
                                  std::to_string(st->info.seal_after_ns / 1000000000ull) +
                                  " s after boot), or use --wait");
  const std::string reason = st->stats.sealed == BS_SEAL_TRIGGER ? "trigger" : "deadline";

  // The log is locked from the read to the append, so that two runs at once
  // extend the PCR once; it is read and written through the locked
  // descriptor, opened without following a link or blocking on a FIFO.
  UniqueFd lock(::open(o.log.c_str(), O_RDWR | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
  if (!lock) {
    if (errno == ENOENT) {
      say("the loader measured nothing into a TPM this boot (" + o.log + " does not exist): nothing to measure");
      return kExitOk;
    }
    return fail(kExitFailure, o.log + ": " + errno_text(errno));
  }
  struct stat sb {};
  if (::fstat(lock.get(), &sb) != 0) return fail(kExitFailure, o.log + ": " + errno_text(errno));
  if (!S_ISREG(sb.st_mode)) return fail(kExitCorrupt, o.log + ": not a regular file");
  // Another holder of the lock (a writer, or a process holding it to stall
  // this one) gets 10 s.
  int tries = 0;
  while (::flock(lock.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK || ++tries == 100)
      return fail(kExitFailure, o.log + ": flock: " + (errno == EWOULDBLOCK ? std::string("held by another process for 10 s")
                                                                              : errno_text(errno)));
    ::usleep(100 * 1000);
  }
  std::vector<uint8_t> buf(tpm::kMaxMeasureLog + 1);
  auto n = pread_upto(lock.get(), buf, 0, o.log);
  if (!n) return fail(kExitFailure, n.error());
  if (*n > tpm::kMaxMeasureLog)
    return fail(kExitCorrupt, o.log + ": larger than " + std::to_string(tpm::kMaxMeasureLog) + " bytes");
  auto events = tpm::parse_measure_log(std::string(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*n)), o.log);
  if (!events) return fail(kExitCorrupt, events.error());

  // The loader's last record says what is in force and where it went; a
  // seal record counts only after it.
  const tpm::MeasureEvent* loader = nullptr;
  const tpm::MeasureEvent* sealed = nullptr;
  for (const auto& e : *events) {
    if (e.event == "permissive" || e.event == "floor-lowered") continue;  // qualify the policy record before them
    if (e.event == "sealed") {
      sealed = &e;
    } else {
      loader = &e;
      sealed = nullptr;
    }
  }
  if (loader && sealed) {
    say("the seal is already measured into PCR " + std::to_string(sealed->pcr) + " (" + sealed->reason +
        "): nothing to do");
    return kExitOk;
  }
  if (!loader) {
    say("the loader measured nothing into a TPM this boot (" + o.log + " has no bootseal record): nothing to measure");
    return kExitOk;
  }
  if (loader->event != "policy")
    return fail(kExitCorrupt, o.log + ": the loader's last record is '" + loader->event +
                                  "': by the log, the policy in force is not the one measured");
  // The enforcer keeps the name's first sizeof(name) - 1 bytes.
  const std::string name = std::string(st->info.name, strnlen(st->info.name, sizeof(st->info.name)));
  const std::string kid = to_hex(std::span<const uint8_t>(st->info.kid, sizeof(st->info.kid)));
  if (loader->policy.substr(0, sizeof(st->info.name) - 1) != name || loader->generation != st->info.generation ||
      loader->kid != kid)
    return fail(kExitCorrupt, o.log + ": the loader measured policy '" + loader->policy + "' generation " +
                                  std::to_string(loader->generation) + " (key " + loader->kid +
                                  "), the enforcer holds '" + name + "' generation " +
                                  std::to_string(st->info.generation) + " (key " + kid + ")");
  // The PCRs the loader may use (tpm-pcr, docs/LOADER.md).
  if (loader->pcr < 8 || loader->pcr > 15)
    return fail(kExitCorrupt, o.log + ": PCR " + std::to_string(loader->pcr) + " is not one the loader uses (8 to 15)");

  tpm::MeasureEvent e;
  e.pcr = loader->pcr;
  e.event = "sealed";
  e.reason = reason;
  e.digest = tpm::sealed_digest(e.reason);
  e.policy = loader->policy;
  e.generation = loader->generation;
  e.kid = loader->kid;
  auto t = tpm::Tpm::open(o.tcti);
  if (!t) return fail(t);
  if (auto x = t->pcr_extend(e.pcr, e.digest); !x) return fail(x);
  if (auto a = tpm::append_measure_record(lock.get(), o.log, e); !a)
    return fail(kExitFailure, "PCR " + std::to_string(e.pcr) + " extended, but the record is not logged: " + a.error());
  say("PCR " + std::to_string(e.pcr) + " extended with the seal's digest " + to_hex(e.digest) + " (sealed " +
      (e.reason == "trigger" ? "by the seal-by program" : "at the seal-after deadline") + ")");
  return kExitOk;
}

}  // namespace bootseal::tool

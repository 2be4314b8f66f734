// SPDX-License-Identifier: GPL-2.0-only
// bootseal-seal: ends the boot phase of the policy in force (docs/POLICY.md,
// "Boot phases"). The policy names this program in `seal-by`; the enforcer
// lets its prctl through only while the process holds the program's
// subject (it runs its own code), and refuses every other process. The
// program is small on purpose: no library but libc and the C++ runtime, so
// that little code is mapped into it, all of which the policy must
// write-protect for the program to keep its subject.
//
// The prctl answers EINVAL whether it sealed or not (the option is unknown
// to the kernel), so the outcome is read back from the enforcer's status
// (the pinned `stats` iterator): the one word the enforcer sets once.
#include <fcntl.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "bootseal.h"

namespace {

constexpr int kExitOk = 0;          // sealed, now or before (by this program or the deadline)
constexpr int kExitRefused = 1;     // the enforcer refused: this process is not the seal-by program
constexpr int kExitUsage = 2;       // bad command line
constexpr int kExitNoPhases = 3;    // no enforcer, no boot phase, or no seal-by program
constexpr int kExitFailure = 4;     // the status cannot be read
constexpr int kExitUnresolved = 5;  // the policy's seal-by program did not resolve at boot

void usage(FILE* out) {
  std::fputs(
      "Usage: bootseal-seal [--pin-dir DIR] [--quiet]\n"
      "\n"
      "Ends the boot phase of the bootseal policy in force, once and for good:\n"
      "rules limited to `phase boot` stop holding and `phase running` rules take\n"
      "over until the next boot (docs/POLICY.md, \"Boot phases\"). Only the program\n"
      "the policy names in `seal-by` may do so, running its own code; any other\n"
      "process is refused and logged. bootseal-seal.service runs it once the\n"
      "system is up.\n"
      "\n"
      "Options:\n"
      "  --pin-dir DIR  the enforcer's pin directory (default " BS_PIN_DIR ")\n"
      "  --quiet        print nothing on success\n"
      "  -h, --help     this text\n"
      "  --version      the version\n"
      "\n"
      "Exit status:\n"
      "  0  the boot phase is over (sealed now, or before by this program or at\n"
      "     the policy's seal-after deadline)\n"
      "  1  refused: this process is not the policy's seal-by program\n"
      "  2  bad command line\n"
      "  3  no bootseal enforcer, or its policy has no boot phase, or names no\n"
      "     seal-by program (its deadline seals)\n"
      "  4  the enforcer's status cannot be read\n"
      "  5  the seal-by program the policy names did not resolve at boot (its\n"
      "     deadline seals)\n",
      out);
}

// The enforcer's counters and phase: one bs_stats record from the pinned
// iterator. Returns 0, or the errno of the open or read (with *why), or -1
// for a record of another size.
int read_stats(const std::string& pin_dir, bs_stats* out, std::string* why) {
  const std::string path = pin_dir + "/" BS_PIN_STATS;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int e = errno;
    *why = path + ": " + std::strerror(e);
    return e;
  }
  char buf[sizeof(bs_stats) + 1];
  size_t got = 0;
  for (;;) {
    const ssize_t n = ::read(fd, buf + got, sizeof(buf) - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int e = errno;
      *why = path + ": " + std::strerror(e);
      ::close(fd);
      return e;
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
    if (got == sizeof(buf)) break;
  }
  ::close(fd);
  if (got != sizeof(bs_stats)) {
    *why = path + " gave " + std::to_string(got) + " bytes, not one record of " + std::to_string(sizeof(bs_stats)) +
           " (an enforcer of another bootseal version?)";
    return -1;
  }
  std::memcpy(out, buf, sizeof(bs_stats));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string pin_dir = BS_PIN_DIR;
  bool quiet = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "-h" || a == "--help") {
      usage(stdout);
      return kExitOk;
    }
    if (a == "--version") {
      std::printf("bootseal-seal %s\n", BOOTSEAL_VERSION);
      return kExitOk;
    }
    if (a == "--quiet") {
      quiet = true;
    } else if (a == "--pin-dir" && i + 1 < argc) {
      pin_dir = argv[++i];
    } else if (a.rfind("--pin-dir=", 0) == 0) {
      pin_dir = a.substr(10);
    } else {
      std::fprintf(stderr, "bootseal-seal: unknown argument '%s'\n", a.c_str());
      usage(stderr);
      return kExitUsage;
    }
  }

  errno = 0;
  const int rc = ::prctl(BS_PRCTL_SEAL, 0, 0, 0, 0);
  const int e = errno;
  if (rc == -1 && e == EPERM) {
    std::fprintf(stderr,
                 "bootseal-seal: refused: this process is not the policy's seal-by program, or it lost that "
                 "subject (it mapped code the policy does not trust, or was steered); see bootseal audit\n");
    return kExitRefused;
  }
  if (rc == -1 && e == ENOENT) {
    std::fprintf(stderr,
                 "bootseal-seal: the policy in force names no seal-by program: only its seal-after deadline ends "
                 "the boot phase\n");
    return kExitNoPhases;
  }
  if (rc == -1 && e == ESRCH) {
    std::fprintf(stderr,
                 "bootseal-seal: the seal-by program the policy names did not resolve when the loader installed it "
                 "(deleted or moved? the boot log says): only the seal-after deadline ends the boot phase\n");
    return kExitUnresolved;
  }
  bs_stats st{};
  std::string why;
  if (const int err = read_stats(pin_dir, &st, &why); err != 0) {
    if (err == ENOENT) {
      std::fprintf(stderr, "bootseal-seal: no bootseal enforcer is in force (%s)\n", why.c_str());
      return kExitNoPhases;
    }
    std::fprintf(stderr, "bootseal-seal: cannot read the enforcer's status: %s\n", why.c_str());
    return kExitFailure;
  }
  if (st.sealed == BS_SEAL_TRIGGER || st.sealed == BS_SEAL_DEADLINE) {
    if (!quiet) {
      char comm[BS_COMM_LEN + 1] = {};
      std::memcpy(comm, st.sealed_comm, BS_COMM_LEN);
      if (st.sealed == BS_SEAL_TRIGGER)
        std::printf("bootseal-seal: sealed %.3f s after boot by %s (pid %u)\n",
                    static_cast<double>(st.sealed_ns) / 1e9, comm, st.sealed_pid);
      else
        std::printf("bootseal-seal: sealed %.3f s after boot at the policy's seal-after deadline\n",
                    static_cast<double>(st.sealed_ns) / 1e9);
    }
    return kExitOk;
  }
  std::fprintf(stderr, "bootseal-seal: the policy in force has no boot phase (nothing to seal)\n");
  return kExitNoPhases;
}

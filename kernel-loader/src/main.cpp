// SPDX-License-Identifier: GPL-2.0-only
// bootseal-loader: run in the initramfs once the real root is mounted and
// before switch_root. Reads its configuration, discovers and verifies the
// sealed policy, checks the machine binding, compiles the rules against the
// new root and installs them into the enforcer. Exit codes: exit_codes.hpp.
#include <fcntl.h>
#include <unistd.h>

#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "bootseal/discovery.hpp"
#include "bootseal/fileio.hpp"
#include "bootseal/loader/compiler.hpp"
#include "bootseal/loader/config.hpp"
#include "bootseal/seal.hpp"
#include "exit_codes.hpp"
#include "install.hpp"

#ifndef BOOTSEAL_VERSION
#define BOOTSEAL_VERSION "unknown"
#endif

namespace {

using namespace bootseal;
using namespace bootseal::loader;

constexpr const char* kUsage =
    "Usage: bootseal-loader --root NEWROOT [--config FILE] [--cmdline FILE] [--dry-run]\n"
    "\n"
    "Discovers, verifies, compiles and installs the sealed bootseal policy before\n"
    "init runs. Paths in the policy are resolved under NEWROOT.\n"
    "\n"
    "  --root NEWROOT   the mounted root filesystem that init will run from\n"
    "  --config FILE    loader configuration (default /etc/bootseal/loader.conf)\n"
    "  --cmdline FILE   where to read the kernel command line (default /proc/cmdline)\n"
    "  --dry-run        touch no kernel state; print the compiled map contents\n"
    "  --help, --version\n";

// The usage text, then the exit codes from their table.
std::string usage() { return std::string(kUsage) + "\n" + exit_codes_help(kExitCodes); }

struct Options {
  std::string root;
  std::string config = kDefaultConfigPath;
  bool config_given = false;
  std::string cmdline = "/proc/cmdline";
  bool dry_run = false;
};

// Log lines go to /dev/kmsg as "<N>bootseal: ..." (kernel log priorities)
// and, at warning and above, to stderr for the console and the hook; with
// --dry-run everything goes to stderr. /dev/kmsg is opened for each line:
// the kernel rate-limits each open file to 10 lines per 5 s, and a boot's
// log would lose its last, most important lines.
class Log {
 public:
  explicit Log(bool use_kmsg) : kmsg_(use_kmsg && ::access("/dev/kmsg", W_OK) == 0) {}
  void line(int prio, const std::string& msg) {
    std::string text = "bootseal: " + msg;
    bool written = false;
    if (kmsg_) {
      std::string rec = "<" + std::to_string(prio) + ">" + text;
      if (rec.size() > 900) rec.resize(900);
      if (auto fd = open_file("/dev/kmsg", O_WRONLY))
        written = static_cast<bool>(
            write_all(fd->get(), std::span(reinterpret_cast<const uint8_t*>(rec.data()), rec.size()), "/dev/kmsg"));
    }
    if (!written || prio <= 4) std::cerr << text << std::endl;
  }
  void err(const std::string& m) { line(3, m); }
  void warn(const std::string& m) { line(4, m); }
  void info(const std::string& m) { line(6, m); }

 private:
  bool kmsg_ = false;
};

// Small files the loader reads whole: the kernel command line, machine-id,
// the mount table (which grows with every mount).
constexpr size_t kMaxSmallFile = 64 * 1024;
constexpr size_t kMaxMountinfo = 4 * 1024 * 1024;

std::string read_small_file(const std::string& path, bool* ok, size_t max_size = kMaxSmallFile) {
  auto data = read_file(path, max_size);
  *ok = data.ok();
  return data ? std::string(data->begin(), data->end()) : std::string();
}

int run(const Options& opt) {
  Log log(!opt.dry_run);
  Stopwatch total;
  log.info(std::string("loader ") + BOOTSEAL_VERSION + " starting, root " + opt.root +
           (opt.dry_run ? " (dry run)" : ""));

  // Configuration: the initramfs' file, then the kernel command line.
  LoaderConfig config;
  {
    bool exists = ::access(opt.config.c_str(), F_OK) == 0;
    if (!exists && !opt.config_given) {
      log.warn("no " + opt.config + ": using the built-in configuration");
    } else {
      auto c = load_config(opt.config);
      if (!c) {
        log.err("configuration: " + c.error());
        return BS_EXIT_CONFIG;
      }
      config = std::move(*c);
    }
  }
  bool have_cmdline = false;
  std::string cmdline = read_small_file(opt.cmdline, &have_cmdline);
  if (!have_cmdline) log.warn("cannot read " + opt.cmdline + ": no bootseal.* options applied");
  auto cmd = parse_cmdline(cmdline);
  if (!cmd) {
    log.err(cmd.error());
    return BS_EXIT_CONFIG;
  }
  for (const auto& w : cmd->warnings) log.warn(w);
  std::vector<std::string> warnings;
  config = apply_cmdline(config, *cmd, &warnings);
  for (const auto& w : warnings) log.warn(w);

  // From here on a failure stops the boot unless the configuration says to
  // continue (decided again once the policy's own mode is known).
  bool permissive = config.mode == ModeSetting::permissive;
  auto failure = [&](int code, const std::string& msg) -> int {
    log.err(msg);
    if (config.on_failure == OnFailure::cont || permissive) {
      log.warn(std::string("continuing the boot without a policy (") +
               (permissive ? "permissive mode" : "on-failure = continue") + ")");
      return BS_EXIT_CONTINUE;
    }
    return code;
  };

  Stopwatch t;
  auto trust = TrustStore::load(config.trust);
  if (!trust) {
    log.err("trust store: " + trust.error());
    return BS_EXIT_CONFIG;
  }
  log.info("trust store " + config.trust + ": " + std::to_string(trust->keys().size()) + " key(s) (" +
           ms_text(t.ms()) + ")");

  // Discovery and verification.
  t = Stopwatch();
  DiscoveryRequest dr;
  dr.trust = &*trust;
  dr.floor = config.floor;
  dr.cmdline = cmdline;
  for (const auto& s : config.sources) {
    switch (s.type) {
      case SourceType::partitions: dr.scan_block_devices = true; break;
      case SourceType::device: dr.devices.push_back(s.path); break;
      case SourceType::kernel: dr.running_kernel_root = opt.root; break;
      case SourceType::kernel_image: dr.kernel_images.push_back(s.path); break;
      case SourceType::file: dr.files.push_back(s.path); break;
      case SourceType::root_file: dr.files.push_back(opt.root + s.path); break;
    }
  }
  DiscoveryReport report = discover(dr);
  for (const auto& e : report.examined) {
    log.line(e.usable ? 6 : 5, "source " + e.source.description + ": " + e.outcome);
    for (const auto& d : e.details) log.line(e.usable ? 6 : 5, "  " + e.source.description + ": " + d);
  }
  const Candidate* chosen = report.choice();
  if (!chosen)
    return failure(BS_EXIT_NO_POLICY, "no valid policy found (floor " + std::to_string(config.floor) + ", " +
                                          std::to_string(report.examined.size()) + " source(s) looked at)");
  const Document& doc = chosen->document;
  log.info("policy '" + doc.name + "' generation " + std::to_string(doc.generation) + " from " +
           chosen->source.description + ", signed by key " + to_hex(chosen->kid).substr(0, 16) + " (" +
           ms_text(t.ms()) + ")");

  // The policy's own mode, unless the configuration sets one.
  Mode mode = config.mode == ModeSetting::policy     ? doc.mode
              : config.mode == ModeSetting::enforce ? Mode::enforce
                                                    : Mode::permissive;
  permissive = mode == Mode::permissive;

  // Machine binding.
  if (!doc.machines.empty()) {
    bool ok = false;
    std::string mid = read_small_file(opt.root + "/etc/machine-id", &ok);
    while (!mid.empty() && (mid.back() == '\n' || mid.back() == ' ')) mid.pop_back();
    auto id = machine_id_from_string(mid);
    if (!ok || !id)
      return failure(BS_EXIT_MACHINE, "the policy is bound to " + std::to_string(doc.machines.size()) +
                                          " machine(s) but " + opt.root + "/etc/machine-id is " +
                                          (ok ? "not a machine id" : "missing"));
    if (std::find(doc.machines.begin(), doc.machines.end(), *id) == doc.machines.end())
      return failure(BS_EXIT_MACHINE, "the policy is not for this machine (machine-id " + to_string(*id) + ")");
    log.info("machine binding: machine-id " + to_string(*id) + " is listed");
  }

  // Compile against the new root.
  t = Stopwatch();
  auto resolver = RootResolver::open(opt.root);
  if (!resolver) return failure(BS_EXIT_CONFIG, resolver.error());
  Compiled compiled = compile(doc, resolver->resolver(), system_device_resolver(opt.root));
  compiled.mode = permissive ? BS_MODE_PERMISSIVE : BS_MODE_ENFORCE;
  for (const auto& d : compiled.diagnostics) log.warn(d.message);
  {
    bool ok = false;
    std::string mountinfo = read_small_file("/proc/self/mountinfo", &ok, kMaxMountinfo);
    if (!ok) log.warn("cannot read /proc/self/mountinfo: no block device is guarded");
    guard_backing_devices(&compiled, mountinfo, "/sys");
    for (const auto& d : compiled.raw_devices)
      log.info(std::string("guarding ") + (d.character ? "char" : "block") + " device " + format_kernel_dev(d.dev) +
               " against raw" + ((d.ops & (1u << BS_OP_READ)) ? " reads" : "") +
               ((d.ops & (1u << BS_OP_READ)) && (d.ops & (1u << BS_OP_WRITE)) ? " and" : "") +
               ((d.ops & (1u << BS_OP_WRITE)) ? " writes" : ""));
  }
  log.info("compiled " + std::to_string(doc.rules.size()) + " rules into " + std::to_string(compiled.rules.size()) +
           " entries, " + std::to_string(compiled.subjects.size()) + " subjects, mode " +
           std::string(to_string(mode)) + " (" + ms_text(t.ms()) + ")");

  // The kernel must run the bpf LSM.
  auto lsms = active_lsms(!opt.dry_run);
  bool bpf_lsm = false;
  if (lsms) {
    std::stringstream ss(*lsms);
    std::string item;
    while (std::getline(ss, item, ','))
      if (item == "bpf") bpf_lsm = true;
  }

  if (opt.dry_run) {
    std::cout << format_compiled(compiled, doc);
    if (!lsms)
      log.warn("would check the active LSMs: " + lsms.error());
    else if (!bpf_lsm)
      log.warn("the active LSMs are '" + *lsms + "': bpf is not among them (an install would fail)");
    log.info("dry run done in " + ms_text(total.ms()));
    return BS_EXIT_OK;
  }

  if (!lsms) return failure(BS_EXIT_NO_BPF_LSM, "cannot tell whether the bpf LSM is active: " + lsms.error());
  if (!bpf_lsm)
    return failure(BS_EXIT_NO_BPF_LSM, "the kernel's active LSMs are '" + *lsms +
                                           "': bpf is not among them. Add lsm=" + *lsms +
                                           ",bpf to the kernel command line.");

  InstallRequest req;
  req.compiled = &compiled;
  req.document = &doc;
  req.kid = chosen->kid;
  req.mode = compiled.mode;
  req.ringbuf_size = config.ringbuf_size;
  req.pin_dir = config.pin_dir;
  req.new_root = opt.root;
  EnforcerInstall r = install(req, [&](const std::string& step, const std::string& detail, double ms) {
    log.info(step + ": " + detail + " (" + ms_text(ms) + ")");
  });
  if (r.failure == InstallFailure::already) return failure(BS_EXIT_ALREADY, r.error);
  if (r.failure != InstallFailure::none) {
    if (!r.detail.empty()) {
      std::istringstream d(r.detail);
      std::string l;
      while (std::getline(d, l))
        if (!l.empty()) log.line(5, "libbpf: " + l);
    }
    return failure(BS_EXIT_INSTALL, "install failed: " + r.error);
  }
  log.info("policy '" + doc.name + "' generation " + std::to_string(doc.generation) + " in force, " +
           std::string(to_string(mode)) + " mode, " + std::to_string(r.hooks) + " hooks (" + ms_text(total.ms()) +
           " in all)");

  // Kernel lockdown, once the enforcer is attached (one-way).
  if (doc.lockdown != Lockdown::none) {
    auto level = raise_lockdown(doc.lockdown);
    if (!level) {
      if (permissive) {
        log.warn("cannot raise the kernel lockdown to " + std::string(to_string(doc.lockdown)) + ": " + level.error() +
                 " (permissive mode: continuing)");
        return BS_EXIT_OK;
      }
      log.err("cannot raise the kernel lockdown to " + std::string(to_string(doc.lockdown)) + ": " + level.error());
      return BS_EXIT_LOCKDOWN;
    }
    log.info("kernel lockdown: " + std::string(to_string(*level)));
  }
  return BS_EXIT_OK;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](std::string* out) {
      if (i + 1 >= argc) {
        std::cerr << "bootseal-loader: " << a << " needs a value\n" << usage();
        return false;
      }
      *out = argv[++i];
      return true;
    };
    if (a == "--root") {
      if (!value(&opt.root)) return BS_EXIT_USAGE;
    } else if (a == "--config") {
      if (!value(&opt.config)) return BS_EXIT_USAGE;
      opt.config_given = true;
    } else if (a == "--cmdline") {
      if (!value(&opt.cmdline)) return BS_EXIT_USAGE;
    } else if (a == "--dry-run") {
      opt.dry_run = true;
    } else if (a == "--help" || a == "-h") {
      std::cout << usage();
      return BS_EXIT_OK;
    } else if (a == "--version") {
      std::cout << "bootseal-loader " << BOOTSEAL_VERSION << "\n";
      return BS_EXIT_OK;
    } else {
      std::cerr << "bootseal-loader: unknown argument '" << a << "'\n" << usage();
      return BS_EXIT_USAGE;
    }
  }
  if (opt.root.empty()) {
    std::cerr << "bootseal-loader: --root is required\n" << usage();
    return BS_EXIT_USAGE;
  }
  try {
    return run(opt);
  } catch (const std::exception& e) {
    std::cerr << "bootseal: internal error: " << e.what() << "\n";
    return BS_EXIT_INSTALL;
  }
}

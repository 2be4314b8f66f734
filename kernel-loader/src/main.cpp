// SPDX-License-Identifier: GPL-2.0-only
// bootseal-loader: run in the initramfs once the real root is mounted and
// before switch_root. Reads its configuration, discovers and verifies the
// sealed policy, checks the machine binding, compiles the rules against the
// new root and installs them into the enforcer. Exit codes: exit_codes.hpp.
#include <CLI/CLI.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "bootseal/device_probe.hpp"
#include "bootseal/discovery.hpp"
#include "bootseal/fileio.hpp"
#include "bootseal/language.hpp"
#include "bootseal/loader/compiler.hpp"
#include "bootseal/loader/config.hpp"
#include "bootseal/loader/places.hpp"
#include "bootseal/seal.hpp"
#include "error_exits.hpp"
#include "exit_codes.hpp"
#include "install.hpp"
#include "tpm_step.hpp"

#ifndef BOOTSEAL_VERSION
#define BOOTSEAL_VERSION "unknown"
#endif

namespace {

using namespace bootseal;
using namespace bootseal::loader;

struct Options {
  std::string root;
  std::string config = kDefaultConfigPath;
  bool config_given = false;
  std::string cmdline = "/proc/cmdline";
  std::string mountinfo = "/proc/self/mountinfo";
  std::string sysfs = "/sys";
  std::string proc_devices = "/proc/devices";
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

// From the configuration on, a failure stops the boot unless the
// configuration says to continue; once the policy is found, its mode
// decides whether the run is permissive.
class Failure {
 public:
  Failure(Log& log, OnFailure on_failure, bool permissive)
      : log_(log), on_failure_(on_failure), permissive_(permissive) {}
  void set_permissive(bool permissive) { permissive_ = permissive; }
  bool permissive() const { return permissive_; }

  // Logs `msg` and returns the exit code: `code`, or BS_EXIT_CONTINUE.
  int operator()(int code, const std::string& msg) const {
    log_.err(msg);
    if (on_failure_ == OnFailure::cont || permissive_) {
      log_.warn(std::string("continuing the boot without a policy (") +
                (permissive_ ? "permissive mode" : "on-failure = continue") + ")");
      return BS_EXIT_CONTINUE;
    }
    return code;
  }

 private:
  Log& log_;
  OnFailure on_failure_;
  bool permissive_;
};

// What a step that can end the run returns: the exit code, or nothing to go on.
using Stop = std::optional<int>;

struct Configuration {
  LoaderConfig config;
  LoaderConfig file;          // the file's alone, before the command line
  CmdlineOptions options;     // the command line's bootseal.* options
  std::string cmdline;  // the kernel command line as read ("" when unreadable)
};

// Configuration: the initramfs' file, then the kernel command line.
Stop configure(const Options& opt, Log& log, Configuration* out) {
  LoaderConfig config;
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
  bool have_cmdline = false;
  std::string cmdline = read_small_file(opt.cmdline, &have_cmdline);
  if (!have_cmdline) log.warn("cannot read " + opt.cmdline + ": no bootseal.* options applied");
  auto cmd = parse_cmdline(cmdline);
  if (!cmd) {
    out->config = config;  // the TPM settings, for the way out
    log.err(cmd.error());
    return BS_EXIT_CONFIG;
  }
  for (const auto& w : cmd->warnings) log.warn(w);
  std::vector<std::string> warnings;
  out->config = apply_cmdline(config, *cmd, &warnings);
  for (const auto& w : warnings) log.warn(w);
  out->file = std::move(config);
  out->options = std::move(*cmd);
  out->cmdline = std::move(cmdline);
  return std::nullopt;
}

// Discovery and verification: the trust store, then every configured
// source; the report says which candidate, if any, was chosen.
Stop discover_policy(const Options& opt, const Configuration& cfg, const TpmStep& tpm, Log& log,
                     const Failure& failure, DiscoveryReport* out) {
  const LoaderConfig& config = cfg.config;
  Stopwatch t;
  auto trust = TrustStore::load(config.trust);
  if (!trust) {
    log.err("trust store: " + trust.error());
    return BS_EXIT_CONFIG;
  }
  log.info("trust store " + config.trust + ": " + std::to_string(trust->keys().size()) + " key(s) (" +
           ms_text(t.ms()) + ")");

  t = Stopwatch();
  DiscoveryRequest dr;
  dr.trust = &*trust;
  // The highest of loader.conf's floor (or the command line's) and the
  // TPM's; a partition's own floor is applied by its reader.
  dr.floor = std::max(config.floor, tpm.floor());
  std::string floor_text = std::to_string(dr.floor);
  if (tpm.floor() > config.floor) {
    dr.floor_origin = tpm.floor_origin();
    floor_text += " from " + dr.floor_origin;
  }
  dr.cmdline = cfg.cmdline;
  dr.policy_name = config.policy;
  if (!config.policy.empty()) log.info("takes policy " + quote(config.policy) + " only (loader.conf 'policy')");
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
  *out = discover(dr);
  for (const auto& e : out->examined) {
    log.line(e.usable ? 6 : 5, "source " + e.source.description + ": " + e.outcome);
    for (const auto& d : e.details) log.line(e.usable ? 6 : 5, "  " + e.source.description + ": " + d);
  }
  const Candidate* chosen = out->choice();
  if (!chosen)
    return failure(BS_EXIT_NO_POLICY, "no valid policy found (floor " + floor_text + ", " +
                                          std::to_string(out->examined.size()) + " source(s) looked at)");
  const Document& doc = chosen->document;
  log.info("policy '" + doc.name + "' generation " + std::to_string(doc.generation) + " from " +
           chosen->source.description + ", signed by key " + to_hex(chosen->kid).substr(0, 16) + " (" +
           ms_text(t.ms()) + ")");
  return std::nullopt;
}

// The policy's own mode, unless the configuration sets one.
Mode effective_mode(const LoaderConfig& config, const Document& doc) {
  return config.mode == ModeSetting::policy    ? doc.mode
         : config.mode == ModeSetting::enforce ? Mode::enforce
                                               : Mode::permissive;
}

// Machine binding: a policy that names machines runs only on them.
Stop check_machine(const Options& opt, const Document& doc, Log& log, const Failure& failure) {
  if (doc.machines.empty()) return std::nullopt;
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
  return std::nullopt;
}

// Whether a deny applies to reads or writes of some file (a default, an
// `any`, `fstype`, `path` (inode or name) or `subtree` entry): then some filesystem may
// hold protected objects, and their raw devices need guarding.
bool protects_files(const Compiled& c) {
  for (uint8_t op : {static_cast<uint8_t>(BS_OP_READ), static_cast<uint8_t>(BS_OP_WRITE)}) {
    if (default_denies(c, op)) return true;
    for (const auto& [k, v] : c.rules)
      if (k.op == op && denies(v) &&
          (k.kind == BS_KIND_ANY || k.kind == BS_KIND_FSTYPE || k.kind == BS_KIND_PATH || k.kind == BS_KIND_SUBTREE ||
           k.kind == BS_KIND_NAME))
        return true;
  }
  return false;
}

// Adds the raw devices under the mounted filesystems that hold protected
// objects (docs/ENFORCER.md, "Raw block devices"). When the mount table or
// a device cannot be read, enforce mode installs no policy without its
// guard; permissive mode warns and goes on with the devices it found.
Stop guard_devices(const Options& opt, Mode mode, Log& log, const Failure& failure, Compiled* compiled) {
  std::vector<std::string> problems;
  const size_t before = compiled->diagnostics.size();
  auto mountinfo = read_file(opt.mountinfo, kMaxMountinfo);
  // The majors of the pass-through drivers (bsg, nvme-generic).
  auto proc_devices = read_file(opt.proc_devices, kMaxMountinfo);
  if (!mountinfo) {
    problems.push_back(mountinfo.error());
  } else {
    problems = guard_backing_devices(compiled, std::string(mountinfo->begin(), mountinfo->end()), opt.sysfs,
                                     opt.mountinfo,
                                     proc_devices ? std::string(proc_devices->begin(), proc_devices->end()) : "",
                                     opt.proc_devices);
  }
  if (!proc_devices) problems.push_back(proc_devices.error());
  for (size_t i = before; i < compiled->diagnostics.size(); ++i) log.warn(compiled->diagnostics[i].message);
  for (const auto& d : compiled->raw_devices)
    log.info("guarding " + raw_device_title(*compiled, d) +
             " against raw" + ((d.ops & (1u << BS_OP_READ)) ? " reads" : "") +
             ((d.ops & (1u << BS_OP_READ)) && (d.ops & (1u << BS_OP_WRITE)) ? " and" : "") +
             ((d.ops & (1u << BS_OP_WRITE)) ? " writes" : ""));
  if (const std::string dm = dm_control_warning(*compiled, opt.sysfs); !dm.empty()) log.warn(dm);
  if (problems.empty() || !protects_files(*compiled)) return std::nullopt;
  if (mode == Mode::permissive) {
    for (const auto& p : problems) log.warn(p + " (permissive mode: going on without that guard)");
    return std::nullopt;
  }
  for (size_t i = 0; i + 1 < problems.size(); ++i) log.err(problems[i]);
  return failure(BS_EXIT_INSTALL, problems.back() +
                                      "; the policy protects files, and enforce mode does not install it without "
                                      "the guard on their raw devices");
}

// Compiles the rules against the new root and adds the block devices that
// back its mounted filesystems.
Stop compile_policy(const Options& opt, const Document& doc, Mode mode, Log& log, const Failure& failure,
                    Compiled* out) {
  Stopwatch t;
  auto resolver = RootResolver::open(opt.root);
  if (!resolver) return failure(BS_EXIT_CONFIG, resolver.error());
  // The places the system mounts its own filesystems on (a missing fstab
  // lists none: every place of the policy then refuses mounts after boot).
  std::vector<FstabEntry> fstab_entries;
  const std::string fstab_name = opt.root + "/etc/fstab";
  // One scan of the devices for the fstab's specs (libblkid).
  FilesystemFinder finder;
  const FilesystemLookup find = [&](const std::string& spec) { return finder.find(spec); };
  if (auto fstab = read_file(fstab_name, kMaxMountinfo)) {
    const std::string text(fstab->begin(), fstab->end());
    fstab_entries = parse_fstab_entries(text);
    find_mount_types(&fstab_entries, find);
    resolver->set_fstab_mount_points(parse_fstab_mount_points(text));
    resolver->set_fstab_unstable_points(fstab_unstable_points(fstab_entries));
    resolver->set_fstab_names_fs(fstab_names_fs(fstab_entries));
    // An xfs mounted later is not there to ask for its directories' case:
    // its superblock is read from the devices its line names, for a mount
    // point a name is recorded in (not on every boot with such a line).
    resolver->set_fstab_unstable_probe([&](const std::string& mount_point) {
      std::vector<FstabEntry> lines;
      std::copy_if(fstab_entries.begin(), fstab_entries.end(), std::back_inserter(lines),
                   [&](const FstabEntry& e) { return e.mount_point == mount_point; });
      const auto devices_of = [&](const FstabEntry& e) {
        std::vector<std::string> devices;
        if (!names_a_device(e.spec)) return devices;
        // A UUID no device has now comes back without a device: nothing to
        // read (as a place without a device, docs/POLICY.md "Names").
        // Nor one libblkid finds another type on (a LUKS header with the
        // line's label): the system cannot mount it as an xfs there.
        if (auto ids = finder.find(e.spec))
          for (const auto& id : *ids)
            if (!id.device.empty() && (id.type.empty() || id.type == "xfs") &&
                !device_has_holders(opt.sysfs, id.device))
              devices.push_back(id.device);
        return devices;
      };
      const auto probe = [&](const std::string& device) {
        CasefoldProbe p = device_casefold_probe(device);
        if (!p.error.empty())
          log.warn(fstab_name + ": the xfs superblock on " + device + " cannot be read (" + p.error +
                   "): names where it is mounted are refused");
        return p;
      };
      const auto found = case_insensitive_xfs_points(lines, devices_of, probe);
      const auto it = found.find(mount_point);
      return it == found.end() ? uint64_t{0} : it->second;
    });
  } else if (::access(fstab_name.c_str(), F_OK) == 0) {
    log.warn(fstab.error() + "; no filesystem mounted later is known, and no place is recorded");
  }
  const DeviceResolver device_resolver = system_device_resolver(opt.root);
  Compiled compiled = compile(doc, resolver->resolver(), device_resolver, resolver->name_resolver());
  for (const auto& message : find_places(*resolver, device_resolver, fstab_entries, fstab_name, find, &compiled))
    log.warn(message);
  compiled.mode = mode == Mode::permissive ? BS_MODE_PERMISSIVE : BS_MODE_ENFORCE;
  for (const auto& d : compiled.diagnostics) log.warn(d.message);
  if (mode == Mode::enforce) {
    const auto bad = std::find_if(compiled.diagnostics.begin(), compiled.diagnostics.end(),
                                  [](const Diagnostic& d) { return d.unenforceable; });
    if (bad != compiled.diagnostics.end())
      return failure(BS_EXIT_INSTALL, bad->message + "; enforce mode does not install a policy with a rule it cannot enforce");
  }
  if (Stop stop = guard_devices(opt, mode, log, failure, &compiled)) return *stop;
  for (const auto& message : places_refused_at_mount(compiled, fstab_entries, fstab_name)) log.warn(message);
  for (const auto& message :
       xfs_refused_without_kallsyms(compiled, fstab_entries, fstab_name, ::access("/proc/kallsyms", F_OK) == 0))
    log.warn(message);
  log.info("compiled " + std::to_string(doc.rules.size()) + " rules into " + std::to_string(compiled.rules.size()) +
           " entries, " + std::to_string(compiled.subjects.size()) + " subjects, mode " +
           std::string(to_string(mode)) + " (" + ms_text(t.ms()) + ")");
  *out = std::move(compiled);
  return std::nullopt;
}

// Whether the kernel runs the bpf LSM (/sys/kernel/security/lsm).
struct LsmCheck {
  Result<std::string> lsms;  // the active LSMs, or why they cannot be read
  bool bpf = false;
};

LsmCheck check_bpf_lsm(bool may_mount) {
  LsmCheck c{active_lsms(may_mount)};
  if (c.lsms) {
    std::stringstream ss(*c.lsms);
    std::string item;
    while (std::getline(ss, item, ','))
      if (item == "bpf") c.bpf = true;
  }
  return c;
}

// --dry-run's report: the compiled map contents on stdout, and what an
// install would have found about the bpf LSM.
int report_dry_run(const Compiled& compiled, const Document& doc, const LsmCheck& lsm, Log& log,
                   const Stopwatch& total) {
  std::cout << format_compiled(compiled, doc);
  if (!lsm.lsms)
    log.warn("would check the active LSMs: " + lsm.lsms.error());
  else if (!lsm.bpf)
    log.warn("the active LSMs are '" + *lsm.lsms + "': bpf is not among them (an install would fail)");
  log.info("dry run done in " + ms_text(total.ms()));
  return BS_EXIT_OK;
}

// Loads, fills, attaches and pins the enforcer; returns the number of
// hooks attached.
Stop install_enforcer(const Options& opt, const LoaderConfig& config, const Candidate& chosen,
                      const Compiled& compiled, const LsmCheck& lsm, Log& log, const Failure& failure,
                      int* hooks) {
  if (!lsm.lsms)
    return failure(BS_EXIT_NO_BPF_LSM, "cannot tell whether the bpf LSM is active: " + lsm.lsms.error());
  if (!lsm.bpf)
    return failure(BS_EXIT_NO_BPF_LSM, "the kernel's active LSMs are '" + *lsm.lsms +
                                           "': bpf is not among them. Add lsm=" + *lsm.lsms +
                                           ",bpf to the kernel command line.");
  InstallRequest req;
  req.compiled = &compiled;
  req.document = &chosen.document;
  req.kid = chosen.kid;
  req.mode = compiled.mode;
  req.ringbuf_size = config.ringbuf_size;
  req.pin_dir = config.pin_dir;
  req.new_root = opt.root;
  auto r = install(req, [&](const std::string& step, const std::string& detail, double ms) {
    log.info(step + ": " + detail + " (" + ms_text(ms) + ")");
  });
  if (!r) {
    if (!r.failure().detail.empty()) {
      std::istringstream d(r.failure().detail);
      std::string l;
      while (std::getline(d, l))
        if (!l.empty()) log.line(5, "libbpf: " + l);
    }
    return failure(exit_code_for(r.kind()),
                   r.kind() == InstallFailure::already ? r.error() : "install failed: " + r.error());
  }
  *hooks = r->hooks;
  if (config.verifier_stats)
    for (const auto& [name, insns] : r->verified)
      log.info("verifier: " + name + ": " + std::to_string(insns) + " instructions processed");
  if (!r->grants_void.empty()) log.warn(r->grants_void);
  return std::nullopt;
}

// Kernel lockdown, once the enforcer is attached (one-way).
int lock_down(const Document& doc, bool permissive, Log& log) {
  if (doc.lockdown == Lockdown::none) return BS_EXIT_OK;
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
  return BS_EXIT_OK;
}

// Everything from discovery on; `tpm` is open (or off).
int run_policy(const Options& opt, const Configuration& cfg, TpmStep& tpm, Log& log, const Stopwatch& total) {
  Failure failure(log, cfg.config.on_failure, cfg.config.mode == ModeSetting::permissive);

  DiscoveryReport report;
  if (Stop stop = discover_policy(opt, cfg, tpm, log, failure, &report)) return *stop;
  const Candidate& chosen = *report.choice();
  const Document& doc = chosen.document;
  const Mode mode = effective_mode(cfg.config, doc);
  failure.set_permissive(mode == Mode::permissive);

  if (Stop stop = check_machine(opt, doc, log, failure)) return *stop;

  Compiled compiled;
  if (Stop stop = compile_policy(opt, doc, mode, log, failure, &compiled)) return *stop;

  const LsmCheck lsm = check_bpf_lsm(!opt.dry_run);
  if (opt.dry_run) return report_dry_run(compiled, doc, lsm, log, total);

  // Measured before the enforcer is attached: the PCR names the policy
  // about to govern every later process. The floor moves (upward) only
  // for a policy that verified, and is locked before anything else runs.
  if (Stop stop = tpm.measure(chosen, mode, cfg.file.floor)) return *stop;
  if (Stop stop = tpm.raise_and_lock(opt.root, doc.generation)) return *stop;
  if (cfg.config.tpm != TpmSetting::off && doc.lockdown == Lockdown::none && !opt.dry_run)
    log.warn("TPM: the policy has no 'lockdown integrity': a hibernation would reset the TPM and unlock the floor "
             "index for the resumed system");

  int hooks = 0;
  if (Stop stop = install_enforcer(opt, cfg.config, chosen, compiled, lsm, log, failure, &hooks)) return *stop;
  tpm.installed();
  log.info("policy '" + doc.name + "' generation " + std::to_string(doc.generation) + " in force, " +
           std::string(to_string(mode)) + " mode, " + std::to_string(hooks) + " hooks (" + ms_text(total.ms()) +
           " in all)");

  return lock_down(doc, failure.permissive(), log);
}

int run(const Options& opt) {
  Log log(!opt.dry_run);
  Stopwatch total;
  log.info(std::string("loader ") + BOOTSEAL_VERSION + " starting, root " + opt.root +
           (opt.dry_run ? " (dry run)" : ""));

  Configuration cfg;
  if (Stop stop = configure(opt, log, &cfg)) {
    if (!opt.dry_run)
      (void)TpmStep::after_config_failure(cfg.config, [&log](int prio, const std::string& m) { log.line(prio, m); });
    return *stop;
  }
  TpmStep tpm(cfg.config, opt.dry_run, [&log](int prio, const std::string& m) { log.line(prio, m); });
  if (Stop stop = tpm.open()) return *stop;
  if (cfg.config.tpm != TpmSetting::off && !tpm.in_use() && cfg.file.cmdline_may_weaken && !opt.dry_run) {
    // The TPM the configuration asks for is not there this boot: what the
    // command line weakens could not be measured. (tpm and its PCR and
    // index come from the file alone, so the TpmStep's view holds.)
    std::vector<std::string> warnings;
    LoaderConfig strict = apply_cmdline_unmeasured(cfg.file, cfg.options, &warnings);
    if (strict.mode != cfg.config.mode || strict.floor != cfg.config.floor ||
        strict.on_failure != cfg.config.on_failure) {
      log.warn("TPM: not in use this boot, so the kernel command line may not weaken the configuration "
               "(nothing would measure it)");
      for (const auto& w : warnings) log.warn(w);
      cfg.config.mode = strict.mode;
      cfg.config.floor = strict.floor;
      cfg.config.on_failure = strict.on_failure;
    }
  }
  const int rc = run_policy(opt, cfg, tpm, log, total);
  // On every way out: a boot that installed nothing says so in the PCR,
  // and the floor index is locked whatever happened above.
  if (Stop stop = tpm.finish()) return rc == BS_EXIT_OK || rc == BS_EXIT_CONTINUE ? *stop : rc;
  return rc;
}

}  // namespace

// Only CLI11's setup, before the try below, can throw: on a programming
// error (a duplicate option name), which every run of the program would hit.
int main(int argc, char** argv) {  // NOLINT(bugprone-exception-escape)
  CLI::App app{
      "bootseal-loader: discovers, verifies, compiles and installs the sealed bootseal policy before\n"
      "init runs. Paths in the policy are resolved under NEWROOT.",
      "bootseal-loader"};
  app.footer(exit_codes_help(kExitCodes));
  app.set_version_flag("--version", std::string("bootseal-loader ") + BOOTSEAL_VERSION);
  Options opt;
  app.add_option("--root", opt.root, "the mounted root filesystem that init will run from")
      ->option_text("NEWROOT (required)")
      ->required()
      ->check([](const std::string& s) { return s.empty() ? std::string("NEWROOT is empty") : std::string(); });
  CLI::Option* config = app.add_option("--config", opt.config, "loader configuration")
                            ->option_text("FILE (default " + std::string(kDefaultConfigPath) + ")");
  app.add_option("--cmdline", opt.cmdline, "where to read the kernel command line")
      ->option_text("FILE (default /proc/cmdline)");
  app.add_option("--mountinfo", opt.mountinfo, "where to read the mount table (for tests)")
      ->option_text("FILE (default /proc/self/mountinfo)");
  app.add_option("--sysfs", opt.sysfs, "where sysfs is mounted (for tests)")->option_text("DIR (default /sys)");
  app.add_option("--proc-devices", opt.proc_devices, "where to read the driver majors (for tests)")
      ->option_text("FILE (default /proc/devices)");
  app.add_flag("--dry-run", opt.dry_run,
               "touch no kernel state; print the compiled map contents and the programs the policy leaves out");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? BS_EXIT_OK : BS_EXIT_USAGE;
  }
  opt.config_given = config->count() > 0;
  try {
    return run(opt);
  } catch (const std::exception& e) {
    std::cerr << "bootseal: internal error: " << e.what() << "\n";
    return BS_EXIT_INSTALL;
  }
}

// SPDX-License-Identifier: GPL-2.0-only
#include "bootseal/loader/config.hpp"

#include "bootseal/fileio.hpp"

#include <charconv>
#include <sstream>

#include "bootseal/cmdline.hpp"

namespace bootseal::loader {
namespace {

constexpr std::string_view kSpace = " \t";

std::string_view trim(std::string_view s) {
  size_t b = s.find_first_not_of(kSpace);
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(kSpace);
  return s.substr(b, e - b + 1);
}

std::optional<uint64_t> parse_u64(std::string_view s) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 10);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

bool printable(std::string_view s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return false;
  return true;
}

// A path value: absolute, no NUL or control characters.
bool good_path(std::string_view s) { return !s.empty() && s.front() == '/' && printable(s) && s.size() < 4096; }

std::optional<ModeSetting> mode_from(std::string_view v) {
  if (v == "policy") return ModeSetting::policy;
  if (v == "enforce") return ModeSetting::enforce;
  if (v == "permissive") return ModeSetting::permissive;
  return std::nullopt;
}

std::optional<OnFailure> on_failure_from(std::string_view v) {
  if (v == "stop") return OnFailure::stop;
  if (v == "continue") return OnFailure::cont;
  return std::nullopt;
}

std::optional<bool> bool_from(std::string_view v) {
  if (v == "yes" || v == "true" || v == "1") return true;
  if (v == "no" || v == "false" || v == "0") return false;
  return std::nullopt;
}

std::string_view mode_name(ModeSetting m) {
  switch (m) {
    case ModeSetting::policy: return "policy";
    case ModeSetting::enforce: return "enforce";
    case ModeSetting::permissive: return "permissive";
  }
  return "?";
}

std::optional<TpmSetting> tpm_from(std::string_view v) {
  if (v == "off") return TpmSetting::off;
  if (v == "auto") return TpmSetting::automatic;
  if (v == "required") return TpmSetting::required;
  return std::nullopt;
}

std::optional<uint32_t> parse_index(std::string_view s) {
  if (s.size() < 3 || s.size() > 10 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) return std::nullopt;
  uint32_t v = 0;
  auto [p, ec] = std::from_chars(s.data() + 2, s.data() + s.size(), v, 16);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// Strictness: enforce > as the policy says > permissive.
int strictness(ModeSetting m) { return m == ModeSetting::enforce ? 2 : m == ModeSetting::policy ? 1 : 0; }

}  // namespace

std::string_view to_string(TpmSetting t) {
  switch (t) {
    case TpmSetting::off: return "off";
    case TpmSetting::automatic: return "auto";
    case TpmSetting::required: return "required";
  }
  return "?";
}

std::string_view to_string(SourceType t) {
  switch (t) {
    case SourceType::partitions: return "partitions";
    case SourceType::device: return "device";
    case SourceType::kernel: return "kernel";
    case SourceType::kernel_image: return "kernel-image";
    case SourceType::file: return "file";
    case SourceType::root_file: return "root-file";
  }
  return "?";
}

Result<LoaderConfig> parse_config(std::string_view text, const std::string& origin) {
  if (text.size() > kMaxConfigSize)
    return make_error(origin + ": larger than " + std::to_string(kMaxConfigSize) + " bytes");
  LoaderConfig c;
  bool sources_set = false, trust_set = false, floor_set = false, mode_set = false, failure_set = false,
       weaken_set = false, ring_set = false, pin_set = false, tpm_set = false, pcr_set = false, index_set = false,
       tcti_set = false, policy_set = false;
  size_t line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    auto fail = [&](const std::string& what) {
      return make_error(origin + ":" + std::to_string(line_no) + ": " + what);
    };
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find('\0') != std::string_view::npos) return fail("NUL byte");
    for (unsigned char ch : line)
      if ((ch < 0x20 && ch != '\t') || ch == 0x7f) return fail("control character");
    size_t hash = line.find('#');
    if (hash != std::string_view::npos) line = line.substr(0, hash);
    line = trim(line);
    if (line.empty()) continue;
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) return fail("expected 'key = value'");
    std::string_view key = trim(line.substr(0, eq));
    std::string_view value = trim(line.substr(eq + 1));
    if (key.empty()) return fail("missing key before '='");
    if (value.empty()) return fail("missing value for '" + std::string(key) + "'");
    auto once = [&](bool& seen) -> bool {
      if (seen) return false;
      seen = true;
      return true;
    };
    if (key == "source") {
      sources_set = true;
      size_t sp = value.find_first_of(kSpace);
      std::string_view type = value.substr(0, sp);
      std::string_view arg = sp == std::string_view::npos ? std::string_view{} : trim(value.substr(sp));
      SourceSpec s;
      if (type == "partitions") s.type = SourceType::partitions;
      else if (type == "kernel") s.type = SourceType::kernel;
      else if (type == "device") s.type = SourceType::device;
      else if (type == "kernel-image") s.type = SourceType::kernel_image;
      else if (type == "file") s.type = SourceType::file;
      else if (type == "root-file") s.type = SourceType::root_file;
      else
        return fail("unknown source '" + std::string(type) +
                    "' (partitions, kernel, device PATH, kernel-image PATH, file PATH, root-file PATH)");
      bool wants_path = s.type != SourceType::partitions && s.type != SourceType::kernel;
      if (wants_path) {
        if (!good_path(arg)) return fail("source " + std::string(type) + " needs an absolute path");
        s.path = std::string(arg);
      } else if (!arg.empty()) {
        return fail("source " + std::string(type) + " takes no argument");
      }
      c.sources.push_back(std::move(s));
    } else if (key == "trust") {
      if (!once(trust_set)) return fail("'trust' given twice");
      if (!good_path(value)) return fail("trust needs an absolute path");
      c.trust = std::string(value);
    } else if (key == "policy") {
      if (!once(policy_set)) return fail("'policy' given twice");
      if (value.empty() || !printable(value) || value.size() > 255)
        return fail("policy needs the policy's name (printable, at most 255 bytes)");
      c.policy = std::string(value);
    } else if (key == "floor") {
      if (!once(floor_set)) return fail("'floor' given twice");
      auto v = parse_u64(value);
      if (!v) return fail("floor '" + std::string(value) + "' is not a generation number");
      c.floor = *v;
    } else if (key == "mode") {
      if (!once(mode_set)) return fail("'mode' given twice");
      auto m = mode_from(value);
      if (!m) return fail("mode '" + std::string(value) + "' is not policy, enforce or permissive");
      c.mode = *m;
    } else if (key == "on-failure") {
      if (!once(failure_set)) return fail("'on-failure' given twice");
      auto f = on_failure_from(value);
      if (!f) return fail("on-failure '" + std::string(value) + "' is not stop or continue");
      c.on_failure = *f;
    } else if (key == "cmdline-may-weaken") {
      if (!once(weaken_set)) return fail("'cmdline-may-weaken' given twice");
      auto b = bool_from(value);
      if (!b) return fail("cmdline-may-weaken '" + std::string(value) + "' is not yes or no");
      c.cmdline_may_weaken = *b;
    } else if (key == "audit-buffer") {
      if (!once(ring_set)) return fail("'audit-buffer' given twice");
      auto v = parse_u64(value);
      if (!v || *v < contract::kMinAuditBuffer || *v > contract::kMaxAuditBuffer || (*v & (*v - 1)) != 0)
        return fail("audit-buffer '" + std::string(value) + "' is not a power of two from " +
                    std::to_string(contract::kMinAuditBuffer) + " to " + std::to_string(contract::kMaxAuditBuffer));
      c.ringbuf_size = static_cast<uint32_t>(*v);
    } else if (key == "pin-dir") {
      if (!once(pin_set)) return fail("'pin-dir' given twice");
      if (!good_path(value) || value.find("/..") != std::string_view::npos)
        return fail("pin-dir needs an absolute path without '..'");
      c.pin_dir = std::string(value);
    } else if (key == "tpm") {
      if (!once(tpm_set)) return fail("'tpm' given twice");
      auto t = tpm_from(value);
      if (!t) return fail("tpm '" + std::string(value) + "' is not off, auto or required");
      c.tpm = *t;
    } else if (key == "tpm-pcr") {
      if (!once(pcr_set)) return fail("'tpm-pcr' given twice");
      // 0-7 are the firmware's; 16 and 23 can be reset by any program
      // (locality 0), which would let root replay a measurement; 17-22 are
      // the dynamic root of trust's, not extendable from the OS.
      auto v = parse_u64(value);
      if (!v || *v < 8 || *v > 15)
        return fail("tpm-pcr '" + std::string(value) +
                    "' is not a PCR from 8 to 15 (0-7 are the firmware's, 16 and 23 resettable, 17-22 the DRTM's)");
      c.tpm_pcr = static_cast<unsigned>(*v);
    } else if (key == "tpm-nv-index") {
      if (!once(index_set)) return fail("'tpm-nv-index' given twice");
      auto v = parse_index(value);
      if (!v || *v < kTpmLinuxIndexFirst || *v > kTpmLinuxIndexLast)
        return fail("tpm-nv-index '" + std::string(value) + "' is not a hex NV index from 0x01D10200 to 0x01D105FF");
      c.tpm_nv_index = *v;
    } else if (key == "tpm-tcti") {
      if (!once(tcti_set)) return fail("'tpm-tcti' given twice");
      if (!printable(value) || value.size() > 512) return fail("tpm-tcti is not a TCTI configuration string");
      c.tpm_tcti = std::string(value);
    } else {
      return fail("unknown key '" + std::string(key) + "'");
    }
  }
  if (!sources_set) c.sources = {SourceSpec{SourceType::partitions, ""}, SourceSpec{SourceType::kernel, ""}};
  return c;
}

Result<LoaderConfig> load_config(const std::string& path) {
  auto bytes = read_file(path, kMaxConfigSize);
  if (!bytes) return make_error(bytes.error());
  return parse_config(std::string(bytes->begin(), bytes->end()), path);
}

Result<CmdlineOptions> parse_cmdline(std::string_view cmdline) {
  CmdlineOptions o;
  // Split as the kernel splits it (bootseal/cmdline.hpp). An unterminated
  // quote makes the kernel read the rest of the line as one parameter,
  // which may have swallowed a bootseal.* option: refused.
  const KernelCmdline split = split_kernel_cmdline(cmdline);
  if (split.unterminated_quote) return make_error("kernel command line: unterminated quote");
  for (const auto& p : split.init_args)
    if (p.name.rfind("bootseal.", 0) == 0)
      o.warnings.push_back("kernel command line: " + p.name + " after '--' is an argument of init, ignored");
  for (const auto& p : split.params) {
    if (p.name.rfind("bootseal.", 0) != 0) continue;
    const std::string& key = p.name;
    const std::string value = p.value.value_or("");
    auto fail = [&](const std::string& what) { return make_error("kernel command line: " + key + ": " + what); };
    if (!printable(value)) return fail("control character in the value");
    if (key == "bootseal.mode") {
      auto m = mode_from(value);
      if (!m || *m == ModeSetting::policy) return fail("'" + value + "' is not enforce or permissive");
      o.mode = m;
    } else if (key == "bootseal.floor") {
      auto v = parse_u64(value);
      if (!v) return fail("'" + value + "' is not a generation number");
      o.floor = v;
    } else if (key == "bootseal.on_failure") {
      auto f = on_failure_from(value);
      if (!f) return fail("'" + value + "' is not stop or continue");
      o.on_failure = f;
    } else if (key == "bootseal.tpm") {
      auto t = tpm_from(value);
      if (!t) return fail("'" + value + "' is not off, auto or required");
      o.tpm = t;
    } else if (key == "bootseal.device") {
      if (!good_path(value)) return fail("'" + value + "' is not an absolute path");
      o.devices.push_back(value);
    } else if (key == "bootseal.verifier_stats") {
      if (!value.empty() && value != "1") return fail("'" + value + "' is not 1 (or no value)");
      o.verifier_stats = true;
    } else {
      o.warnings.push_back("kernel command line: unknown option " + key + " ignored");
    }
  }
  return o;
}

LoaderConfig apply_cmdline(const LoaderConfig& config, const CmdlineOptions& cmd,
                           std::vector<std::string>* warnings) {
  LoaderConfig c = config;
  auto refuse = [&](const std::string& what) {
    if (warnings)
      warnings->push_back("kernel command line: " + what +
                          " is weaker than the configuration; ignored (cmdline-may-weaken is no)");
  };
  if (cmd.mode && *cmd.mode != c.mode) {
    if (strictness(*cmd.mode) >= strictness(c.mode) || c.cmdline_may_weaken)
      c.mode = *cmd.mode;
    else
      refuse("bootseal.mode=" + std::string(mode_name(*cmd.mode)));
  }
  if (cmd.floor && *cmd.floor != c.floor) {
    if (*cmd.floor > c.floor || c.cmdline_may_weaken)
      c.floor = *cmd.floor;
    else
      refuse("bootseal.floor=" + std::to_string(*cmd.floor));
  }
  if (cmd.on_failure && *cmd.on_failure != c.on_failure) {
    if (*cmd.on_failure == OnFailure::stop || c.cmdline_may_weaken)
      c.on_failure = *cmd.on_failure;
    else
      refuse("bootseal.on_failure=continue");
  }
  // Never lowered, not even where cmdline-may-weaken allows the rest: the
  // measurement is what shows a verifier that the command line weakened
  // the mode or the floor.
  if (cmd.tpm && *cmd.tpm != c.tpm) {
    if (static_cast<int>(*cmd.tpm) > static_cast<int>(c.tpm))
      c.tpm = *cmd.tpm;
    else if (warnings)
      warnings->push_back("kernel command line: bootseal.tpm=" + std::string(to_string(*cmd.tpm)) +
                          " is weaker than the configuration; ignored (the command line never lowers tpm)");
  }
  // A diagnostic: it changes what is logged, not what is enforced.
  c.verifier_stats = c.verifier_stats || cmd.verifier_stats;
  std::vector<SourceSpec> sources;
  for (const auto& d : cmd.devices) sources.push_back(SourceSpec{SourceType::device, d});
  sources.insert(sources.end(), c.sources.begin(), c.sources.end());
  c.sources = std::move(sources);
  return c;
}

LoaderConfig apply_cmdline_unmeasured(const LoaderConfig& config, const CmdlineOptions& cmdline,
                                      std::vector<std::string>* warnings) {
  LoaderConfig strict = config;
  strict.cmdline_may_weaken = false;
  LoaderConfig c = apply_cmdline(strict, cmdline, warnings);
  c.cmdline_may_weaken = config.cmdline_may_weaken;
  return c;
}

}  // namespace bootseal::loader

// SPDX-License-Identifier: GPL-2.0-only
// libFuzzer target for bootseal-loader's untrusted text: loader.conf and the
// kernel command line. Any input either fails with a message in the
// documented form (loader.conf: "ORIGIN:LINE: WHAT" or "ORIGIN: WHAT";
// command line: "kernel command line: WHAT"), or parses to settings that
// hold their invariants; applying the command line never weakens a
// configuration that does not allow it. Anything else aborts.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "bootseal/loader/config.hpp"

namespace {

using namespace bootseal::loader;

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_loader_config: %s\n%s\n", what, detail.c_str());
  std::abort();
}

int strictness(ModeSetting m) { return m == ModeSetting::enforce ? 2 : m == ModeSetting::policy ? 1 : 0; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  auto config = parse_config(text, "fuzz.conf");
  if (!config.ok()) {
    if (config.error().rfind("fuzz.conf:", 0) != 0) fail("config error without its origin", config.error());
  } else {
    const LoaderConfig& c = *config;
    if (c.sources.empty()) fail("no sources", std::string(text));
    for (const auto& s : c.sources) {
      bool wants_path = s.type != SourceType::partitions && s.type != SourceType::kernel;
      if (wants_path != !s.path.empty()) fail("source path does not fit its type", s.path);
      if (wants_path && s.path.front() != '/') fail("relative source path", s.path);
    }
    if (c.trust.empty() || c.trust.front() != '/') fail("relative trust store", c.trust);
    if (c.ringbuf_size < 4096 || (c.ringbuf_size & (c.ringbuf_size - 1)) != 0)
      fail("bad audit buffer size", std::to_string(c.ringbuf_size));
  }

  auto cmd = parse_cmdline(text);
  if (!cmd.ok()) {
    if (cmd.error().rfind("kernel command line: ", 0) != 0) fail("cmdline error without its origin", cmd.error());
    return 0;
  }
  for (bool may_weaken : {false, true}) {
    LoaderConfig base;
    base.mode = ModeSetting::policy;
    base.floor = 10;
    base.on_failure = OnFailure::stop;
    base.cmdline_may_weaken = may_weaken;
    LoaderConfig out = apply_cmdline(base, *cmd, nullptr);
    if (!may_weaken) {
      if (strictness(out.mode) < strictness(base.mode)) fail("command line weakened the mode", std::string(text));
      if (out.floor < base.floor) fail("command line lowered the floor", std::string(text));
      if (out.on_failure != OnFailure::stop) fail("command line weakened on-failure", std::string(text));
    }
    if (out.sources.size() != base.sources.size() + cmd->devices.size())
      fail("sources lost or invented", std::string(text));
  }
  return 0;
}

// SPDX-License-Identifier: GPL-2.0-only
// libFuzzer target for the kernel command-line tokenizer
// (bootseal/cmdline.hpp), which reads /proc/cmdline for the loader and for
// discovery. Any input splits without a crash, and the parts keep the
// kernel's rules: nothing after the first NUL is read, only quotes keep
// whitespace in a parameter, a name holds no '=' after its first byte, a
// bare "--" never appears among the parameters, and splitting is a pure
// function of the input. Anything else aborts.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "bootseal/cmdline.hpp"

namespace {

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_cmdline: %s\n%s\n", what, detail.c_str());
  std::abort();
}

bool has_space(std::string_view s) {
  for (char c : s)
    if (bootseal::is_kernel_space(static_cast<unsigned char>(c))) return true;
  return false;
}

void check(const bootseal::KernelParam& p, std::string_view line, bool is_param) {
  if (p.name.find('\0') != std::string::npos || (p.value && p.value->find('\0') != std::string::npos))
    fail("a NUL byte in a parameter", std::string(line));
  if (p.name.size() > line.size() || (p.value && p.value->size() > line.size()))
    fail("a parameter longer than the line", std::string(line));
  if (p.value && p.name.find('=', 1) != std::string::npos) fail("'=' inside a name", p.name);
  if (is_param && !p.value && p.name == "--") fail("a bare \"--\" among the parameters", std::string(line));
  // Only quotes keep whitespace in a parameter.
  if (line.find('"') == std::string_view::npos && (has_space(p.name) || (p.value && has_space(*p.value))))
    fail("whitespace in a parameter of a line without quotes", std::string(line));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const bootseal::KernelCmdline c = bootseal::split_kernel_cmdline(text);
  const std::string_view line = text.substr(0, text.find('\0'));
  for (const auto& p : c.params) check(p, line, true);
  for (const auto& p : c.init_args) check(p, line, false);
  if (c.unterminated_quote && line.find('"') == std::string_view::npos)
    fail("an unterminated quote in a line without quotes", std::string(line));
  if (line.size() < text.size()) {
    // What follows the NUL is never read.
    std::string tail_changed(text);
    for (size_t i = line.size() + 1; i < tail_changed.size(); ++i) tail_changed[i] = ' ';
    const bootseal::KernelCmdline d = bootseal::split_kernel_cmdline(tail_changed);
    if (d.params != c.params || d.init_args != c.init_args || d.unterminated_quote != c.unterminated_quote)
      fail("bytes after the first NUL changed the result", std::string(line));
  }
  const bootseal::KernelCmdline again = bootseal::split_kernel_cmdline(text);
  if (again.params != c.params || again.init_args != c.init_args) fail("splitting is not repeatable", std::string(line));
  return 0;
}

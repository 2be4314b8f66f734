// SPDX-License-Identifier: GPL-2.0-only
// The kernel command line split into parameters the way the kernel splits
// it: next_arg() in the kernel's lib/cmdline.c, driven by parse_args() in
// kernel/params.c. Both the loader's bootseal.* options and discovery's
// BOOT_IMAGE= read /proc/cmdline through this one tokenizer, so that they
// cannot disagree with each other or with the kernel.
//
// The kernel's rules, all of which split_kernel_cmdline() follows:
//   - The line ends at its first NUL byte.
//   - Whitespace is the kernel's isspace(): space, \t, \n, \v, \f, \r and
//     the byte 0xA0 (the kernel's ctype is Latin-1). A run of it separates
//     parameters; leading and trailing runs are skipped.
//   - A double quote toggles "inside quotes"; whitespace inside quotes does
//     not end the parameter. There is no escape for a quote.
//   - The name ends at the first '=' that is not the parameter's first
//     byte; the value is what follows. Without such a '=' there is no value.
//   - Quotes are dropped only in two places: a value that begins with '"'
//     loses it and, if the parameter ends in '"', that one too
//     (param="value with spaces"); a parameter that begins with '"' loses
//     it and, if its last byte is still a '"', that one too
//     ("param=value"). Quotes anywhere else stay (a"b c"d is one
//     parameter, quotes included).
//   - An unterminated quote runs to the end of the line: the rest is one
//     parameter.
//   - A parameter "--" without a value ends the kernel's parameters; what
//     follows is passed to init as its arguments.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bootseal {

// The kernel's isspace() (lib/ctype.c).
bool is_kernel_space(unsigned char c);

struct KernelParam {
  std::string name;
  std::optional<std::string> value;  // nullopt: no '=' (a flag such as "ro")
  friend bool operator==(const KernelParam&, const KernelParam&) = default;
};

struct KernelCmdline {
  std::vector<KernelParam> params;     // the kernel's parameters, in order
  std::vector<KernelParam> init_args;  // after "--": init's arguments, not parameters
  bool unterminated_quote = false;     // the last parameter ran to the end in quotes
};

KernelCmdline split_kernel_cmdline(std::string_view text);

}  // namespace bootseal

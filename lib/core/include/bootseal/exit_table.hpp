// SPDX-License-Identifier: GPL-2.0-only
// Exit-code tables. Each program lists its exit codes once, as {code, name,
// text} (kernel-loader/exit_codes.hpp, tools/exit_codes.hpp,
// signer/cli/exit_codes.hpp); its --help text and, for the loader, the
// shell fragment the initramfs hooks source are printed from that list,
// so that no number is typed twice.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace bootseal {

struct ExitCodeEntry {
  int code;
  std::string_view name;  // UPPER_CASE, the shell variable's name without its prefix
  std::string_view text;  // what it means, one line
};

// A usable table: codes 0, 1, 2, ... in order, each with a name of
// upper-case letters, digits and '_' and a text of one line. Checked by static_assert
// beside each table.
constexpr bool exit_table_valid(std::span<const ExitCodeEntry> table) {
  for (std::size_t i = 0; i < table.size(); ++i) {
    const ExitCodeEntry& e = table[i];
    if (e.code != static_cast<int>(i) || e.name.empty() || e.text.empty()) return false;
    for (char ch : e.name)
      if (!((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_')) return false;
    if (e.text.find('\n') != std::string_view::npos) return false;
    for (std::size_t j = 0; j < i; ++j)
      if (table[j].name == e.name) return false;
  }
  return !table.empty();
}

// "Exit codes:" and one line per code, for --help.
inline std::string exit_codes_help(std::span<const ExitCodeEntry> table) {
  std::string s = "Exit codes:\n";
  for (const ExitCodeEntry& e : table) {
    s += "  ";
    s += std::to_string(e.code);
    s += "  ";
    s += e.text;
    s += '\n';
  }
  return s;
}

// A POSIX sh fragment: one `PREFIXNAME=CODE` assignment per code, each
// after a comment with its text. `origin` names the table in the header.
inline std::string exit_codes_shell(std::span<const ExitCodeEntry> table, std::string_view prefix,
                                    std::string_view origin) {
  std::string s = "# Generated at build time from ";
  s += origin;
  s += "; do not edit.\n";
  for (const ExitCodeEntry& e : table) {
    s += "# ";
    s += e.text;
    s += '\n';
    s += prefix;
    s += e.name;
    s += '=';
    s += std::to_string(e.code);
    s += '\n';
  }
  return s;
}

}  // namespace bootseal

// SPDX-License-Identifier: GPL-2.0-only
// The rules are in cmdline.hpp; the steps follow the kernel's next_arg()
// one for one, on positions instead of on a string the kernel cuts up.
#include "bootseal/cmdline.hpp"

#include <cstddef>

namespace bootseal {

bool is_kernel_space(unsigned char c) {
  return c == ' ' || (c >= '\t' && c <= '\r') || c == 0xA0;
}

namespace {

size_t skip_spaces(std::string_view s, size_t i) {
  while (i < s.size() && is_kernel_space(static_cast<unsigned char>(s[i]))) ++i;
  return i;
}

// One parameter starting at `i` (not whitespace); returns the position
// after it.
size_t next_arg(std::string_view s, size_t i, KernelParam* out, bool* unterminated) {
  bool in_quote = false;
  bool quoted = false;
  if (s[i] == '"') {
    ++i;
    in_quote = true;
    quoted = true;
  }
  const size_t begin = i;
  size_t equals = 0;  // relative to begin; 0: none (a leading '=' does not count)
  size_t end = i;
  for (; end < s.size(); ++end) {
    const auto c = static_cast<unsigned char>(s[end]);
    if (is_kernel_space(c) && !in_quote) break;
    if (equals == 0 && c == '=') equals = end - begin;
    if (c == '"') in_quote = !in_quote;
  }
  *unterminated = in_quote;
  // [begin, stop) is the parameter once trailing quotes are dropped.
  size_t stop = end;
  const auto last_is_quote = [&] { return stop > begin && s[stop - 1] == '"'; };
  if (equals != 0) {
    size_t value_begin = begin + equals + 1;
    if (value_begin < end && s[value_begin] == '"') {
      ++value_begin;
      if (last_is_quote()) --stop;
    }
    out->name = std::string(s.substr(begin, equals));
    out->value = value_begin < stop ? std::string(s.substr(value_begin, stop - value_begin)) : std::string();
    // A leading quote's partner: only if the value's quote did not take it.
    if (quoted && stop == end && last_is_quote()) out->value->pop_back();
  } else {
    if (quoted && last_is_quote()) --stop;
    out->name = std::string(s.substr(begin, stop - begin));
    out->value.reset();
  }
  return end;
}

}  // namespace

KernelCmdline split_kernel_cmdline(std::string_view text) {
  KernelCmdline out;
  text = text.substr(0, text.find('\0'));
  bool after_dashes = false;
  size_t i = skip_spaces(text, 0);
  while (i < text.size()) {
    KernelParam p;
    bool unterminated = false;
    i = skip_spaces(text, next_arg(text, i, &p, &unterminated));
    if (unterminated) out.unterminated_quote = true;
    if (!after_dashes && !p.value && p.name == "--") {
      after_dashes = true;
      continue;
    }
    (after_dashes ? out.init_args : out.params).push_back(std::move(p));
  }
  return out;
}

}  // namespace bootseal

// SPDX-License-Identifier: GPL-2.0-only
// Test helpers: assemble CBOR byte by byte, including encodings the
// library's writer never produces (non-shortest heads, indefinite lengths,
// unsorted or duplicate keys), to feed the strict decoders.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace cbortest {

using Bytes = std::vector<uint8_t>;

// A head in its shortest form.
inline Bytes head(uint8_t major, uint64_t arg) {
  Bytes b;
  const uint8_t m = static_cast<uint8_t>(major << 5);
  auto be = [&](int n) {
    for (int i = n - 1; i >= 0; --i) b.push_back(static_cast<uint8_t>(arg >> (8 * i)));
  };
  if (arg < 24) {
    b.push_back(static_cast<uint8_t>(m | arg));
  } else if (arg <= 0xff) {
    b.push_back(m | 24);
    be(1);
  } else if (arg <= 0xffff) {
    b.push_back(m | 25);
    be(2);
  } else if (arg <= 0xffffffffu) {
    b.push_back(m | 26);
    be(4);
  } else {
    b.push_back(m | 27);
    be(8);
  }
  return b;
}

inline Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

inline Bytes U(uint64_t v) { return head(0, v); }
inline Bytes N(int64_t v) { return head(1, static_cast<uint64_t>(-(v + 1))); }  // v < 0
inline Bytes I(int64_t v) { return v >= 0 ? U(static_cast<uint64_t>(v)) : N(v); }
inline Bytes T(std::string_view s) {
  Bytes b = head(3, s.size());
  b.insert(b.end(), s.begin(), s.end());
  return b;
}
inline Bytes B(const Bytes& s) {
  Bytes b = head(2, s.size());
  b.insert(b.end(), s.begin(), s.end());
  return b;
}
inline Bytes A(std::initializer_list<Bytes> items) {
  Bytes b = head(4, items.size());
  for (const auto& i : items) b.insert(b.end(), i.begin(), i.end());
  return b;
}
inline Bytes A(const std::vector<Bytes>& items) {
  Bytes b = head(4, items.size());
  for (const auto& i : items) b.insert(b.end(), i.begin(), i.end());
  return b;
}

// A map entry as encoded key and value; maps keep the order given.
struct Field {
  Bytes key;
  Bytes value;
};
inline Bytes M(const std::vector<Field>& fields) {
  Bytes b = head(5, fields.size());
  for (const auto& f : fields) {
    b.insert(b.end(), f.key.begin(), f.key.end());
    b.insert(b.end(), f.value.begin(), f.value.end());
  }
  return b;
}

inline Bytes from_hex(std::string_view hex) {
  auto nib = [](char c) -> uint8_t {
    if (c >= '0' && c <= '9') return static_cast<uint8_t>(c - '0');
    if (c >= 'a' && c <= 'f') return static_cast<uint8_t>(c - 'a' + 10);
    return static_cast<uint8_t>(c - 'A' + 10);
  };
  Bytes b;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) b.push_back(static_cast<uint8_t>(nib(hex[i]) << 4 | nib(hex[i + 1])));
  return b;
}

}  // namespace cbortest

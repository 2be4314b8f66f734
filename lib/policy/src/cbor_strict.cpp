// SPDX-License-Identifier: GPL-2.0-only
// The strict CBOR reader's first layer (cbor_strict.hpp): the
// deterministic-encoding check every untrusted input passes before it is
// decoded (FORMAT.md, "Deterministic encoding"), and UTF-8 validation.
#include <cstring>
#include <optional>

#include "cbor_strict.hpp"

namespace bootseal {
namespace cbor {

bool valid_utf8(std::span<const uint8_t> s) {
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    // Eight ASCII bytes at a time.
    if (n - i >= 8) {
      uint64_t w = 0;
      std::memcpy(&w, s.data() + i, 8);
      if ((w & 0x8080808080808080ull) == 0) {
        i += 8;
        continue;
      }
    }
    const uint8_t c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len = 0;
    uint32_t cp = 0;
    uint32_t min = 0;
    if ((c & 0xe0) == 0xc0) {
      len = 2;
      cp = c & 0x1f;
      min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
      len = 3;
      cp = c & 0x0f;
      min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
      len = 4;
      cp = c & 0x07;
      min = 0x10000;
    } else {
      return false;
    }
    if (len > n - i) return false;
    for (size_t k = 1; k < len; ++k) {
      const uint8_t cc = s[i + k];
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += len;
  }
  return true;
}

namespace {

class Checker {
 public:
  Checker(std::span<const uint8_t> in, int max_depth) : in_(in), max_depth_(max_depth) {}

  std::optional<Problem> run() {
    if (in_.empty()) return Problem{0, "empty input"};
    if (!item(1)) return problem_;
    if (pos_ != in_.size()) {
      return Problem{pos_, std::to_string(in_.size() - pos_) + " trailing byte(s) after the item"};
    }
    return std::nullopt;
  }

 private:
  bool fail(size_t offset, std::string what) {
    problem_ = Problem{offset, std::move(what)};
    return false;
  }

  size_t left() const { return in_.size() - pos_; }

  bool head(uint8_t* major, uint64_t* arg) {
    const size_t off = pos_;
    if (pos_ >= in_.size()) return fail(off, "unexpected end of input");
    const uint8_t ib = in_[pos_++];
    *major = static_cast<uint8_t>(ib >> 5);
    const uint8_t ai = ib & 31;
    if (ai == 31) {
      return fail(off, *major == kSimple ? "unexpected break code" : "indefinite length");
    }
    if (ai >= 28) return fail(off, "reserved additional-information value " + std::to_string(ai));
    if (*major == kSimple && ai >= 24) {
      return fail(off, ai == 24 ? "one-byte simple value (not used)" : "floating-point value (not used)");
    }
    if (ai < 24) {
      *arg = ai;
      return true;
    }
    const size_t n = size_t{1} << (ai - 24);
    if (n > left()) return fail(off, "head runs past the end of input");
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v = (v << 8) | in_[pos_ + i];
    pos_ += n;
    const bool shortest = (ai == 24 && v >= 24) || (ai == 25 && v > 0xff) ||
                          (ai == 26 && v > 0xffff) || (ai == 27 && v > 0xffffffffu);
    if (!shortest) return fail(off, "integer or length not in its shortest form");
    *arg = v;
    return true;
  }

  bool item(int depth) {
    if (depth > max_depth_) {
      return fail(pos_, "nesting deeper than " + std::to_string(max_depth_) + " levels");
    }
    const size_t off = pos_;
    uint8_t major = 0;
    uint64_t arg = 0;
    if (!head(&major, &arg)) return false;
    switch (major) {
      case kUint:
      case kNint:
      case kSimple:
        return true;
      case kBstr:
      case kTstr: {
        if (arg > left()) {
          return fail(off, "declared length " + std::to_string(arg) + " exceeds the " +
                               std::to_string(left()) + " byte(s) left");
        }
        const auto s = in_.subspan(pos_, static_cast<size_t>(arg));
        if (major == kTstr && !valid_utf8_inline(s)) return fail(off, "text string is not valid UTF-8");
        pos_ += static_cast<size_t>(arg);
        return true;
      }
      case kArray:
        // Every item takes at least one byte: a count beyond the input is
        // refused before the loop.
        if (arg > left()) {
          return fail(off, "array declares " + std::to_string(arg) + " items but only " +
                               std::to_string(left()) + " byte(s) are left");
        }
        for (uint64_t i = 0; i < arg; ++i) {
          if (!item(depth + 1)) return false;
        }
        return true;
      case kMap: {
        if (arg > left() / 2) {
          return fail(off, "map declares " + std::to_string(arg) + " pairs but only " +
                               std::to_string(left()) + " byte(s) are left");
        }
        std::span<const uint8_t> prev;
        for (uint64_t i = 0; i < arg; ++i) {
          const size_t key_off = pos_;
          if (pos_ >= in_.size()) return fail(pos_, "unexpected end of input");
          const uint8_t km = in_[pos_] >> 5;
          if (km != kUint && km != kNint && km != kTstr) {
            return fail(key_off, "map key is not an integer or text string");
          }
          if (!item(depth + 1)) return false;
          const auto key = in_.subspan(key_off, pos_ - key_off);
          if (i > 0) {
            // Bytewise lexicographic order of the encoded keys (RFC 8949 4.2.1).
            const size_t common = std::min(prev.size(), key.size());
            int c = std::memcmp(prev.data(), key.data(), common);
            if (c == 0) c = prev.size() < key.size() ? -1 : (prev.size() > key.size() ? 1 : 0);
            if (c == 0) return fail(key_off, "duplicate map key");
            if (c > 0) return fail(key_off, "map keys not in deterministic (bytewise sorted) order");
          }
          prev = key;
          if (!item(depth + 1)) return false;
        }
        return true;
      }
      case kTag:
        return item(depth + 1);
      default:
        return fail(off, "unknown major type");
    }
  }

  std::span<const uint8_t> in_;
  int max_depth_;
  size_t pos_ = 0;
  std::optional<Problem> problem_;
};

}  // namespace

std::optional<Problem> check_deterministic(std::span<const uint8_t> in, int max_depth) {
  return Checker(in, max_depth).run();
}

}  // namespace cbor

}  // namespace bootseal

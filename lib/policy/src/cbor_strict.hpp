// SPDX-License-Identifier: GPL-2.0-only
// A small deterministic CBOR writer and a strict, bounds-checked reader
// (RFC 8949). Internal to lib/policy: the policy document codec and the
// COSE_Sign1 envelope are built on it.
//
// Reading untrusted bytes:
//   - check_deterministic() (cbor_strict.cpp) walks the whole input once
//     without allocating and refuses anything that is not exactly one
//     well-formed item in deterministic encoding (FORMAT.md, "Deterministic
//     encoding"). A schema decoder may then walk the same bytes with Reader,
//     which can assume that check passed but still checks every bound.
//   - StrictReader checks the same rules item by item as a schema decoder
//     reads them (shortest-form heads, counts and lengths against the
//     remaining input, valid UTF-8), so a decoder that reads every item
//     with it, refuses every item its schema does not name, takes only
//     integer map keys in increasing order and ends at the end of the input
//     accepts no more than check_deterministic() does, in one pass. The
//     policy document decoder works that way (document_cbor.cpp).
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace bootseal::cbor {

// Nesting bound: the top-level item is at depth 1. The policy document
// needs 4 levels, the envelope 2; anything deeper than this is refused.
inline constexpr int kMaxDepth = 16;

enum Major : uint8_t {
  kUint = 0,
  kNint = 1,
  kBstr = 2,
  kTstr = 3,
  kArray = 4,
  kMap = 5,
  kTag = 6,
  kSimple = 7,
};

inline constexpr uint8_t kSimpleFalse = 20;
inline constexpr uint8_t kSimpleTrue = 21;
inline constexpr uint8_t kSimpleNull = 22;

// Deterministic writer: every head in its shortest form, definite lengths.
// Map keys are written in the order the caller gives; callers write them
// sorted (bytewise by their encoding).
class Writer {
 public:
  void head(uint8_t major, uint64_t arg) {
    const uint8_t m = static_cast<uint8_t>(major << 5);
    if (arg < 24) {
      out_.push_back(static_cast<uint8_t>(m | arg));
    } else if (arg <= 0xff) {
      out_.push_back(m | 24);
      put_be(arg, 1);
    } else if (arg <= 0xffff) {
      out_.push_back(m | 25);
      put_be(arg, 2);
    } else if (arg <= 0xffffffffu) {
      out_.push_back(m | 26);
      put_be(arg, 4);
    } else {
      out_.push_back(m | 27);
      put_be(arg, 8);
    }
  }
  void uint(uint64_t v) { head(kUint, v); }
  void integer(int64_t v) {
    if (v >= 0) {
      head(kUint, static_cast<uint64_t>(v));
    } else {
      head(kNint, static_cast<uint64_t>(-(v + 1)));
    }
  }
  void bytes(std::span<const uint8_t> b) {
    head(kBstr, b.size());
    out_.insert(out_.end(), b.begin(), b.end());
  }
  void text(std::string_view s) {
    head(kTstr, s.size());
    out_.insert(out_.end(), s.begin(), s.end());
  }
  void array(uint64_t n) { head(kArray, n); }
  void map(uint64_t n) { head(kMap, n); }
  void tag(uint64_t t) { head(kTag, t); }
  void reserve(size_t n) { out_.reserve(n); }

  std::vector<uint8_t>& out() { return out_; }

 private:
  void put_be(uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  std::vector<uint8_t> out_;
};

// Why an input was refused, and where (byte offset into the input).
struct Problem {
  size_t offset = 0;
  std::string what;
};

// Checks that `in` is exactly one well-formed CBOR item in deterministic
// encoding, with these rules (FORMAT.md lists them for users):
//   - heads in shortest form; no indefinite lengths; no reserved values;
//   - byte/text string lengths and array/map counts fit in the remaining
//     input (checked before anything is skipped or allocated);
//   - text strings are valid UTF-8;
//   - map keys are integers or text strings, strictly increasing in the
//     bytewise order of their encodings (so no duplicates);
//   - no floating-point values and no one-byte simple values (ai 24);
//   - nesting no deeper than max_depth;
//   - no bytes after the item.
std::optional<Problem> check_deterministic(std::span<const uint8_t> in, int max_depth = kMaxDepth);

// Whether `s` is valid UTF-8 (no overlong forms, no surrogates, <= U+10FFFF).
bool valid_utf8(std::span<const uint8_t> s);

// The same answer, with the common case inline: policy text is almost all
// ASCII, and a string of at least eight bytes none of which has its high
// bit set (eight at a time, the last eight overlapping) is valid; anything
// else goes to valid_utf8().
[[gnu::always_inline]] inline bool valid_utf8_inline(std::span<const uint8_t> s) {
  const size_t n = s.size();
  if (n >= 8) {
    uint64_t high = 0;
    for (size_t k = 0; n - k >= 8; k += 8) {
      uint64_t w = 0;
      std::memcpy(&w, s.data() + k, 8);
      high |= w;
    }
    uint64_t w = 0;
    std::memcpy(&w, s.data() + n - 8, 8);
    high |= w;
    if ((high & 0x8080808080808080ull) == 0) return true;
  }
  return valid_utf8(s);
}

// A bounds-checked cursor for schema decoders. Every method returns false
// (and leaves the cursor where it was) when the input does not hold what
// was asked for. With kStrict (StrictReader) it also refuses, at each item
// it reads, what check_deterministic() refuses there: a head not in its
// shortest form, a one-byte simple or floating-point value, an array count
// beyond the remaining bytes or a map count beyond half of them, and a text
// string that is not valid UTF-8. It says only that an item was refused;
// check_deterministic() says why.
template <bool kStrict>
class BasicReader {
 public:
  struct Head {
    uint8_t major = 0;
    uint64_t arg = 0;
    size_t offset = 0;  // where the head starts
  };

  explicit BasicReader(std::span<const uint8_t> in) : in_(in) {}

  size_t offset() const { return pos_; }
  bool at_end() const { return pos_ == in_.size(); }
  // The input bytes in [from, offset()): an item just read, as encoded.
  std::span<const uint8_t> since(size_t from) const { return in_.subspan(from, pos_ - from); }

  // Reads one head; refuses indefinite lengths, reserved values and heads
  // that run past the input. Only with kStrict: the shortest-form rule, no
  // simple values above 23, and counts bounded by the remaining input.
  bool head(Head* h) {
    if (pos_ >= in_.size()) return false;
    const uint8_t ib = in_[pos_];
    const uint8_t major = static_cast<uint8_t>(ib >> 5);
    const uint8_t ai = ib & 31;
    size_t p = pos_ + 1;
    uint64_t arg = 0;
    if (ai < 24) {
      arg = ai;
    } else if (ai <= 27) {
      const size_t n = size_t{1} << (ai - 24);
      if (n > in_.size() - p) return false;
      for (size_t i = 0; i < n; ++i) arg = (arg << 8) | in_[p + i];
      p += n;
      if constexpr (kStrict) {
        if (major == kSimple) return false;  // one-byte simple value or float
        // ai 24 holds 24..0xff, 25 above 0xff, 26 above 0xffff, 27 above 0xffffffff.
        if (arg < (ai == 24 ? uint64_t{24} : uint64_t{1} << (8 << (ai - 25)))) return false;
      }
    } else {
      return false;
    }
    return take(major, arg, p - pos_, h);
  }

  // Reads a head that must have the given major type. Most heads hold
  // their argument in the initial byte (below 24, so in the shortest form):
  // those are read here, with the same checks, and the rest out of line.
  [[gnu::always_inline]] bool expect(uint8_t major, Head* h) {
    if (pos_ < in_.size()) {
      const uint8_t ib = in_[pos_];
      if ((ib >> 5) == major && (ib & 31) < 24) return take(major, ib & 31, 1, h);
      // A one-byte argument (24 to 255 in the shortest form).
      if (ib == ((major << 5) | 24) && in_.size() - pos_ >= 2) {
        const uint64_t arg = in_[pos_ + 1];
        if (kStrict && (major == kSimple || arg < 24)) return false;  // as head(): no one-byte simple value
        return take(major, arg, 2, h);
      }
    }
    return expect_slow(major, h);
  }

  [[gnu::noinline]] bool expect_slow(uint8_t major, Head* h) {
    const size_t save = pos_;
    if (!head(h)) return false;
    if (h->major != major) {
      pos_ = save;
      return false;
    }
    return true;
  }

  // Takes a head of `len` bytes at the cursor. With kStrict, every array
  // item takes at least one byte and every map pair two: a count beyond
  // what is left after the head is refused before anyone reserves for it.
  [[gnu::always_inline]] bool take(uint8_t major, uint64_t arg, size_t len, Head* h) {
    if constexpr (kStrict) {
      const size_t left = in_.size() - pos_ - len;
      if ((major == kArray && arg > left) || (major == kMap && arg > left / 2)) return false;
    }
    h->major = major;
    h->arg = arg;
    h->offset = pos_;
    pos_ += len;
    return true;
  }

  // The number of input bytes after the cursor.
  size_t left() const { return in_.size() - pos_; }

  // The `n` bytes of a string's content, after its head.
  bool content(uint64_t n, std::span<const uint8_t>* out) {
    if (n > in_.size() - pos_) return false;
    *out = in_.subspan(pos_, static_cast<size_t>(n));
    pos_ += static_cast<size_t>(n);
    return true;
  }

  bool bstr(std::span<const uint8_t>* out) {
    const size_t save = pos_;
    Head h;
    if (!expect(kBstr, &h) || !content(h.arg, out)) {
      pos_ = save;
      return false;
    }
    return true;
  }

  [[gnu::always_inline]] bool tstr(std::string_view* out) {
    const size_t save = pos_;
    Head h;
    std::span<const uint8_t> s;
    if (!expect(kTstr, &h) || !content(h.arg, &s) || (kStrict && !valid_utf8_inline(s))) {
      pos_ = save;
      return false;
    }
    *out = std::string_view(reinterpret_cast<const char*>(s.data()), s.size());
    return true;
  }

  // Skips one whole item, nesting at most `depth_left` levels. Not for a
  // StrictReader: a skipped item's map keys and text are not checked.
  bool skip(int depth_left = kMaxDepth)
    requires(!kStrict)
  {
    const size_t save = pos_;
    if (!skip_inner(depth_left)) {
      pos_ = save;
      return false;
    }
    return true;
  }

 private:
  bool skip_inner(int depth_left) {
    if (depth_left <= 0) return false;
    Head h;
    if (!head(&h)) return false;
    std::span<const uint8_t> s;
    switch (h.major) {
      case kUint:
      case kNint:
      case kSimple:
        return true;
      case kBstr:
      case kTstr:
        return content(h.arg, &s);
      case kArray:
      case kMap: {
        const uint64_t items = h.major == kMap ? h.arg * 2 : h.arg;
        if (h.arg > in_.size() - pos_ || items > in_.size() - pos_) return false;
        for (uint64_t i = 0; i < items; ++i) {
          if (!skip_inner(depth_left - 1)) return false;
        }
        return true;
      }
      case kTag:
        return skip_inner(depth_left - 1);
      default:
        return false;
    }
  }

  std::span<const uint8_t> in_;
  size_t pos_ = 0;
};

// For input that passed check_deterministic() (the COSE envelope).
using Reader = BasicReader<false>;
// For a decoder that reads untrusted input in one pass (see the top).
using StrictReader = BasicReader<true>;

}  // namespace bootseal::cbor

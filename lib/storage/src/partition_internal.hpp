// SPDX-License-Identifier: GPL-2.0-only
// Internal to lib/storage: what the partition codecs and the partition
// protocol (partition.cpp) share.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>

namespace bootseal::detail {

// Both headers (partition and slot) are this long.
inline constexpr size_t kHeaderSize = 128;

inline bool all_zero(std::span<const uint8_t> bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; });
}

}  // namespace bootseal::detail

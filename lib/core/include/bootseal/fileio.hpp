// SPDX-License-Identifier: GPL-2.0-only
// Small file helpers shared by the programs: whole-file reads with a size
// bound, atomic replacement, and SHA-256.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "bootseal/result.hpp"

namespace bootseal {

// Reads a whole file; refuses files larger than max_size. Errors name the file.
Result<std::vector<uint8_t>> read_file(const std::filesystem::path& path, size_t max_size);

// Writes `data` to a temporary file beside `path`, fsyncs it and renames it
// over `path`, so readers see the old or the new file, never a mix.
Result<void> write_file_atomic(const std::filesystem::path& path, std::span<const uint8_t> data,
                               unsigned mode = 0644);

std::array<uint8_t, 32> sha256(std::span<const uint8_t> data);

}  // namespace bootseal

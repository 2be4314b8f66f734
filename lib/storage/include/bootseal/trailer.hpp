// SPDX-License-Identifier: GPL-2.0-only
// The kernel-image trailer: a sealed blob appended to a kernel image,
// followed by a fixed 40-byte footer, the way module signatures are
// appended (FORMAT.md, "The kernel-image trailer"):
//
//     original image bytes || blob || footer
//
// The footer's magic is the file's last 24 bytes. All integers are
// little-endian.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bootseal/result.hpp"

namespace bootseal {

inline constexpr std::array<uint8_t, 24> kTrailerMagic = {
    '~', 'b', 'o', 'o', 't', 's', 'e', 'a', 'l', ' ', 'b', 'l',
    'o', 'b', ' ', 'a', 'p', 'p', 'e', 'n', 'd', 'e', 'd', '~'};
inline constexpr uint32_t kTrailerVersion = 1;

struct DiskTrailerFooter {
  uint8_t blob_length[8];  //  0: le64, bytes of sealed blob just before the footer
  uint8_t version[4];      //  8: le32, 1
  uint8_t reserved[4];     // 12: zero
  uint8_t magic[24];       // 16: "~bootseal blob appended~"
};
static_assert(sizeof(DiskTrailerFooter) == 40);
inline constexpr size_t kTrailerFooterSize = sizeof(DiskTrailerFooter);

enum class TrailerStatus {
  absent,   // the file does not end with the magic
  present,  // a well-formed footer describes a blob inside the file
  corrupt,  // the magic is there but the footer is not acceptable (error says why)
};

// The trailer module's error kind.
enum class TrailerFault {
  io,            // the image could not be opened, read or rewritten
  corrupt,       // the magic is there but the footer is not acceptable (the message names the offset)
  absent,        // strip: the image carries no trailer (refused, unchanged)
  exists,        // append without replace: the image already carries one (refused, unchanged)
  invalid_blob,  // append: the blob's length is out of range (refused, unchanged)
};
std::string_view to_string(TrailerFault kind);

struct TrailerLocation {
  TrailerStatus status = TrailerStatus::absent;
  uint64_t image_length = 0;  // bytes before the blob: the original image
  uint64_t blob_offset = 0;
  uint64_t blob_length = 0;
  // For corrupt (kind TrailerFault::corrupt): what is wrong and at which
  // offset of the file; empty otherwise.
  std::optional<Error<TrailerFault>> error;
};

// The footer for a blob of this length.
std::array<uint8_t, kTrailerFooterSize> encode_trailer_footer(uint64_t blob_length);

// Locates the trailer from the last min(40, file_size) bytes of a file of
// file_size bytes: length, magic, version, reserved, blob length bounds (in
// this order).
TrailerLocation locate_trailer(std::span<const uint8_t> tail, uint64_t file_size);

// The same over a whole image held in memory (tests, fuzzing).
TrailerLocation locate_trailer(std::span<const uint8_t> image);

struct ImageTrailer {
  uint64_t file_size = 0;
  TrailerLocation location;
  std::vector<uint8_t> blob;  // when present
};

// Reads the trailer of an image file. Fails only on I/O errors (kind io);
// absence and corruption are reported in location.status.
Result<ImageTrailer, TrailerFault> read_trailer(const std::filesystem::path& image);

enum class AppendMode { refuse_existing, replace_existing };

struct AppendOutcome {
  bool replaced = false;           // an existing trailer was replaced
  uint64_t replaced_blob_length = 0;
  uint64_t image_length = 0;       // the original image bytes kept
};

// Appends blob || footer to the image. An image that already carries a
// trailer is refused (refuse_existing) or has it replaced; a corrupt footer
// is always refused (the original end is unknown): kinds exists, corrupt,
// invalid_blob, io. The new file is written
// beside the image (following symlinks), synced and renamed into place, with
// the original's mode and owner.
Result<AppendOutcome, TrailerFault> append_trailer(const std::filesystem::path& image, std::span<const uint8_t> blob,
                                                   AppendMode mode);

struct StripOutcome {
  uint64_t removed = 0;  // bytes removed (blob + footer)
  uint64_t image_length = 0;
};

// Removes the trailer, leaving exactly the original bytes. An image without
// a trailer (absent), or with a corrupt footer (corrupt), is refused and
// left unchanged.
Result<StripOutcome, TrailerFault> strip_trailer(const std::filesystem::path& image);

}  // namespace bootseal

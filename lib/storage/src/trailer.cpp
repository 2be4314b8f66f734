// SPDX-License-Identifier: GPL-2.0-only
// The kernel-image trailer (FORMAT.md, "The kernel-image trailer").
#include "bootseal/trailer.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>

#include "bootseal/fileio.hpp"
#include "bootseal/seal.hpp"
#include "le.hpp"

namespace bootseal {
namespace {

using detail::load_le32;
using detail::load_le64;
using detail::store_le32;
using detail::store_le64;

struct OpenImage {
  std::filesystem::path path;  // symlinks resolved
  UniqueFd fd;
  struct stat st {};
  TrailerLocation location;
};

Result<void> open_image(const std::filesystem::path& image, OpenImage* out) {
  std::error_code ec;
  out->path = std::filesystem::canonical(image, ec);
  if (ec) return make_error(image.string() + ": " + ec.message());
  const std::string name = out->path.string();
  auto fd = open_file(out->path, O_RDONLY);
  if (!fd) return make_error(fd.error());
  out->fd = std::move(*fd);
  if (::fstat(out->fd.get(), &out->st) != 0) return make_error(name + ": " + errno_text(errno));
  if (!S_ISREG(out->st.st_mode)) return make_error(name + ": not a regular file");
  const uint64_t size = static_cast<uint64_t>(out->st.st_size);
  std::array<uint8_t, kTrailerFooterSize> tail{};
  const size_t n = static_cast<size_t>(std::min<uint64_t>(size, tail.size()));
  if (auto r = pread_all(out->fd.get(), std::span<uint8_t>(tail.data(), n), size - n, name); !r) return r;
  out->location = locate_trailer(std::span<const uint8_t>(tail.data(), n), size);
  return {};
}

// Writes the first `keep` bytes of `src`, then `extra`, to a temporary file
// beside it that gets its mode and owner and replaces it (write_file_atomic).
Result<void> rewrite(const OpenImage& src, uint64_t keep, std::span<const std::span<const uint8_t>> extra) {
  const std::string name = src.path.string();
  auto fill = [&](int out, const std::string& tmp) -> Result<void> {
    std::vector<uint8_t> buf(1 << 20);
    uint64_t off = 0;
    while (off < keep) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(buf.size(), keep - off));
      const std::span<uint8_t> chunk(buf.data(), n);
      if (auto r = pread_all(src.fd.get(), chunk, off, name); !r) return r;
      if (auto r = write_all(out, chunk, tmp); !r) return r;
      off += n;
    }
    for (const auto& part : extra)
      if (auto r = write_all(out, part, tmp); !r) return r;
    return {};
  };
  return write_file_atomic(src.path, fill, src.st.st_mode & 07777, FileOwner{src.st.st_uid, src.st.st_gid});
}

}  // namespace

std::array<uint8_t, kTrailerFooterSize> encode_trailer_footer(uint64_t blob_length) {
  std::array<uint8_t, kTrailerFooterSize> f{};
  store_le64(&f[0], blob_length);
  store_le32(&f[8], kTrailerVersion);
  std::copy(kTrailerMagic.begin(), kTrailerMagic.end(), f.begin() + 16);
  return f;
}

TrailerLocation locate_trailer(std::span<const uint8_t> tail, uint64_t file_size) {
  TrailerLocation loc;
  if (tail.size() < kTrailerFooterSize || file_size < kTrailerFooterSize) return loc;  // absent
  tail = tail.last(kTrailerFooterSize);
  const uint64_t footer_offset = file_size - kTrailerFooterSize;
  if (!std::equal(kTrailerMagic.begin(), kTrailerMagic.end(), tail.begin() + 16)) return loc;  // absent
  loc.status = TrailerStatus::corrupt;
  const uint32_t version = load_le32(&tail[8]);
  if (version != kTrailerVersion) {
    loc.error = make_error(TrailerFault::corrupt, "unsupported trailer version " + std::to_string(version) + " at offset " +
                std::to_string(footer_offset + 8) + " (this build reads version 1)");
    return loc;
  }
  if (load_le32(&tail[12]) != 0) {
    loc.error = make_error(TrailerFault::corrupt, "reserved footer bytes at offset " + std::to_string(footer_offset + 12) + " are not zero");
    return loc;
  }
  const uint64_t len = load_le64(&tail[0]);
  if (len == 0 || len > kMaxBlobSize || len > footer_offset) {
    loc.error = make_error(TrailerFault::corrupt, "blob length " + std::to_string(len) + " at offset " + std::to_string(footer_offset) +
                " is out of range (1.." + std::to_string(std::min<uint64_t>(kMaxBlobSize, footer_offset)) + ")");
    return loc;
  }
  // Validated from here on: the blob lies inside the file.
  loc.status = TrailerStatus::present;
  loc.blob_length = len;
  loc.blob_offset = footer_offset - len;
  loc.image_length = loc.blob_offset;
  return loc;
}

std::string_view to_string(TrailerFault kind) {
  switch (kind) {
    case TrailerFault::io: return "io";
    case TrailerFault::corrupt: return "corrupt";
    case TrailerFault::absent: return "absent";
    case TrailerFault::exists: return "exists";
    case TrailerFault::invalid_blob: return "invalid-blob";
  }
  return "?";
}

TrailerLocation locate_trailer(std::span<const uint8_t> image) {
  return locate_trailer(image.last(std::min(image.size(), kTrailerFooterSize)), image.size());
}

Result<ImageTrailer, TrailerFault> read_trailer(const std::filesystem::path& image) {
  OpenImage img;
  if (auto r = open_image(image, &img); !r) return make_error(TrailerFault::io, r.error());
  ImageTrailer t;
  t.file_size = static_cast<uint64_t>(img.st.st_size);
  t.location = img.location;
  if (t.location.status == TrailerStatus::present) {
    t.blob.resize(t.location.blob_length);
    if (auto r = pread_all(img.fd.get(), t.blob, t.location.blob_offset, img.path.string()); !r)
      return make_error(TrailerFault::io, r.error());
  }
  return t;
}

Result<AppendOutcome, TrailerFault> append_trailer(const std::filesystem::path& image, std::span<const uint8_t> blob,
                                                   AppendMode mode) {
  if (blob.empty() || blob.size() > kMaxBlobSize)
    return make_error(TrailerFault::invalid_blob, "blob of " + std::to_string(blob.size()) + " bytes is out of range (1.." +
                      std::to_string(kMaxBlobSize) + ")");
  OpenImage img;
  if (auto r = open_image(image, &img); !r) return make_error(TrailerFault::io, r.error());
  const std::string name = img.path.string();
  AppendOutcome out;
  out.image_length = static_cast<uint64_t>(img.st.st_size);
  switch (img.location.status) {
    case TrailerStatus::absent:
      break;
    case TrailerStatus::corrupt:
      return make_error(TrailerFault::corrupt, name + ": ends with a bootseal trailer magic but its footer is corrupt (" +
                                                   img.location.error->message + "); not appending over it");
    case TrailerStatus::present:
      if (mode == AppendMode::refuse_existing)
        return make_error(TrailerFault::exists, name + ": already carries a bootseal trailer (" +
                          std::to_string(img.location.blob_length) + "-byte blob at offset " +
                          std::to_string(img.location.blob_offset) + "); use --replace to replace it");
      out.replaced = true;
      out.replaced_blob_length = img.location.blob_length;
      out.image_length = img.location.image_length;
      break;
  }
  const auto footer = encode_trailer_footer(blob.size());
  const std::span<const uint8_t> parts[] = {blob, footer};
  if (auto r = rewrite(img, out.image_length, parts); !r) return make_error(TrailerFault::io, r.error());
  return out;
}

Result<StripOutcome, TrailerFault> strip_trailer(const std::filesystem::path& image) {
  OpenImage img;
  if (auto r = open_image(image, &img); !r) return make_error(TrailerFault::io, r.error());
  const std::string name = img.path.string();
  if (img.location.status == TrailerStatus::absent) return make_error(TrailerFault::absent, name + ": carries no bootseal trailer");
  if (img.location.status == TrailerStatus::corrupt)
    return make_error(TrailerFault::corrupt, name + ": bootseal trailer footer is corrupt (" +
                                                 img.location.error->message + "); the original length is unknown, not stripping");
  StripOutcome out;
  out.image_length = img.location.image_length;
  out.removed = static_cast<uint64_t>(img.st.st_size) - out.image_length;
  if (auto r = rewrite(img, out.image_length, {}); !r) return make_error(TrailerFault::io, r.error());
  return out;
}

}  // namespace bootseal

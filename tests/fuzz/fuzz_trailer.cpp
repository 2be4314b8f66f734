// SPDX-License-Identifier: GPL-2.0-only
// libFuzzer target for the kernel-image trailer parser. The input is an
// image. Locating never crashes; absent means the file does not end with
// the magic; present means the blob and footer lie inside the file and the
// footer re-encodes to the file's last 40 bytes; the input with a fresh
// trailer appended locates that trailer exactly. Anything else aborts.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "bootseal/seal.hpp"
#include "bootseal/trailer.hpp"

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_trailer: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace bootseal;
  const std::span<const uint8_t> image(data, size);
  const TrailerLocation loc = locate_trailer(image);
  const bool ends_with_magic =
      size >= kTrailerFooterSize && std::equal(kTrailerMagic.begin(), kTrailerMagic.end(), data + size - 24);
  if ((loc.status == TrailerStatus::absent) == ends_with_magic) fail("absent does not match the magic");
  if (loc.status == TrailerStatus::corrupt && (!loc.error || loc.error->kind != TrailerFault::corrupt || loc.error->message.empty())) fail("corrupt without a reason");
  if (loc.status == TrailerStatus::present) {
    if (loc.blob_length == 0 || loc.blob_length > kMaxBlobSize) fail("blob length out of range");
    if (loc.blob_offset + loc.blob_length + kTrailerFooterSize != size) fail("blob does not end at the footer");
    if (loc.image_length != loc.blob_offset) fail("image length is not the blob offset");
    const auto footer = encode_trailer_footer(loc.blob_length);
    if (!std::equal(footer.begin(), footer.end(), data + size - kTrailerFooterSize))
      fail("footer does not round-trip");
  }
  // Appending a trailer to any input: it is found exactly.
  const size_t blob_len = std::max<size_t>(1, size / 3);
  std::vector<uint8_t> appended(data, data + size);
  appended.resize(size + blob_len, 0x5a);
  const auto footer = encode_trailer_footer(blob_len);
  appended.insert(appended.end(), footer.begin(), footer.end());
  const TrailerLocation again = locate_trailer(appended);
  if (again.status != TrailerStatus::present || again.image_length != size || again.blob_length != blob_len)
    fail("an appended trailer is not found exactly");
  return 0;
}

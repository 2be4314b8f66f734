// SPDX-License-Identifier: GPL-2.0-only
// The policy partition's codecs: the partition header, the slot header and
// the layout for a size (FORMAT.md, "The policy partition").
#include <openssl/crypto.h>

#include <algorithm>
#include <cstring>

#include "bootseal/partition.hpp"
#include "le.hpp"
#include "partition_internal.hpp"

namespace bootseal {
namespace {

using detail::checked_add;
using detail::load_le32;
using detail::load_le64;
using detail::store_le32;
using detail::store_le64;
using detail::all_zero;
using detail::kHeaderSize;

std::array<uint8_t, 32> header_checksum(std::span<const uint8_t> header) {
  return sha256(header.first(kHeaderChecksumOffset));
}

// The part of both headers that is checked the same way: length, magic,
// version, header size, checksum, reserved bytes (in this order).
Result<void> check_common(std::span<const uint8_t> bytes, std::span<const uint8_t, 8> magic,
                          uint32_t version, size_t reserved_offset, size_t reserved_size,
                          std::string_view what) {
  if (bytes.size() < kHeaderSize)
    return make_error(std::string(what) + " is " + std::to_string(bytes.size()) +
                      " bytes, expected 128");
  if (!std::equal(magic.begin(), magic.end(), bytes.begin()))
    return make_error(std::string(what) + ": bad magic at offset 0");
  const uint32_t v = load_le32(bytes.data() + 8);
  if (v != version)
    return make_error(std::string(what) + ": unsupported version " + std::to_string(v) +
                      " at offset 8 (this build reads version " + std::to_string(version) + ")");
  const uint32_t size = load_le32(bytes.data() + 12);
  if (size != kHeaderSize)
    return make_error(std::string(what) + ": header size " + std::to_string(size) +
                      " at offset 12, expected 128");
  const auto sum = header_checksum(bytes);
  if (CRYPTO_memcmp(sum.data(), bytes.data() + kHeaderChecksumOffset, sum.size()) != 0)
    return make_error(std::string(what) + ": checksum mismatch (SHA-256 at offset 96)");
  if (!all_zero(bytes.subspan(reserved_offset, reserved_size)))
    return make_error(std::string(what) + ": reserved bytes at offset " +
                      std::to_string(reserved_offset) + " are not zero");
  return {};
}

std::optional<std::string> check_geometry(const PartitionHeader& h, uint64_t device_size) {
  const auto aligned = [](uint64_t v) { return v % kPartitionBlock == 0; };
  if (h.slot_size < kMinSlotSize || h.slot_size > kMaxSlotSize || !aligned(h.slot_size))
    return "slot size " + std::to_string(h.slot_size) + " at offset 48 is out of range";
  if (h.slot_offset[0] < kFirstSlotOffset || !aligned(h.slot_offset[0]) ||
      !aligned(h.slot_offset[1]))
    return "slot offsets at offset 32 are not 4 KiB aligned after the header copies";
  const auto a_end = checked_add(h.slot_offset[0], h.slot_size);
  const auto b_end = checked_add(h.slot_offset[1], h.slot_size);
  if (!a_end || !b_end || h.slot_offset[1] < *a_end)
    return "slot B at offset " + std::to_string(h.slot_offset[1]) + " overlaps slot A";
  if (*b_end > h.partition_size)
    return "slots end at " + std::to_string(*b_end) + ", beyond the partition size " +
           std::to_string(h.partition_size) + " at offset 56";
  if (h.partition_size > device_size)
    return "partition size " + std::to_string(h.partition_size) +
           " at offset 56 is larger than the device (" + std::to_string(device_size) + " bytes)";
  return std::nullopt;
}

}  // namespace

std::array<uint8_t, 128> encode_partition_header(const PartitionHeader& h) {
  std::array<uint8_t, 128> b{};
  std::copy(kPartitionMagic.begin(), kPartitionMagic.end(), b.begin());
  store_le32(&b[8], h.version);
  store_le32(&b[12], kHeaderSize);
  store_le64(&b[16], h.sequence);
  store_le64(&b[24], h.floor);
  store_le64(&b[32], h.slot_offset[0]);
  store_le64(&b[40], h.slot_offset[1]);
  store_le64(&b[48], h.slot_size);
  store_le64(&b[56], h.partition_size);
  const auto sum = header_checksum(b);
  std::copy(sum.begin(), sum.end(), b.begin() + kHeaderChecksumOffset);
  return b;
}

Result<PartitionHeader> decode_partition_header(std::span<const uint8_t> bytes, uint64_t device_size) {
  if (auto r = check_common(bytes, kPartitionMagic, kPartitionVersion, 64, 32, "partition header"); !r)
    return make_error(r.error());
  // Validated bytes from here on: magic, version and checksum hold.
  PartitionHeader h;
  h.version = load_le32(&bytes[8]);
  h.sequence = load_le64(&bytes[16]);
  h.floor = load_le64(&bytes[24]);
  h.slot_offset[0] = load_le64(&bytes[32]);
  h.slot_offset[1] = load_le64(&bytes[40]);
  h.slot_size = load_le64(&bytes[48]);
  h.partition_size = load_le64(&bytes[56]);
  if (auto e = check_geometry(h, device_size)) return make_error("partition header: " + *e);
  return h;
}

std::array<uint8_t, 128> encode_slot_header(const SlotHeader& h) {
  std::array<uint8_t, 128> b{};
  std::copy(kSlotMagic.begin(), kSlotMagic.end(), b.begin());
  store_le32(&b[8], h.version);
  store_le32(&b[12], kHeaderSize);
  store_le64(&b[16], h.sequence);
  store_le64(&b[24], h.generation);
  store_le64(&b[32], h.payload_length);
  std::copy(h.payload_sha256.begin(), h.payload_sha256.end(), b.begin() + 40);
  const auto sum = header_checksum(b);
  std::copy(sum.begin(), sum.end(), b.begin() + kHeaderChecksumOffset);
  return b;
}

Result<SlotHeader> decode_slot_header(std::span<const uint8_t> bytes, uint64_t slot_size) {
  if (auto r = check_common(bytes, kSlotMagic, kSlotVersion, 72, 24, "slot header"); !r)
    return make_error(r.error());
  // Validated bytes from here on.
  SlotHeader h;
  h.version = load_le32(&bytes[8]);
  h.sequence = load_le64(&bytes[16]);
  h.generation = load_le64(&bytes[24]);
  h.payload_length = load_le64(&bytes[32]);
  std::copy_n(bytes.begin() + 40, 32, h.payload_sha256.begin());
  if (h.generation == 0) return make_error("slot header: generation 0 at offset 24");
  const uint64_t capacity =
      std::min<uint64_t>(slot_size > kSlotPayloadOffset ? slot_size - kSlotPayloadOffset : 0, kMaxBlobSize);
  if (h.payload_length == 0 || h.payload_length > capacity)
    return make_error("slot header: payload length " + std::to_string(h.payload_length) +
                      " at offset 32 is out of range (1.." + std::to_string(capacity) + ")");
  return h;
}

Result<PartitionHeader> layout_for_size(uint64_t size) {
  if (size < kMinPartitionSize)
    return make_error("device is " + std::to_string(size) + " bytes; a policy partition needs at least " +
                      std::to_string(kMinPartitionSize));
  PartitionHeader h;
  h.sequence = 1;
  h.floor = 0;
  h.slot_size = std::min<uint64_t>((size - kFirstSlotOffset) / 2 / kPartitionBlock * kPartitionBlock,
                                   kMaxSlotSize);
  h.slot_offset[0] = kFirstSlotOffset;
  h.slot_offset[1] = kFirstSlotOffset + h.slot_size;
  h.partition_size = kFirstSlotOffset + 2 * h.slot_size;
  return h;
}

uint64_t slot_capacity(const PartitionHeader& h) {
  return std::min<uint64_t>(h.slot_size - kSlotPayloadOffset, kMaxBlobSize);
}

std::string_view to_string(SlotState s) {
  switch (s) {
    case SlotState::ok: return "ok";
    case SlotState::obsolete: return "obsolete";
    case SlotState::corrupt: return "corrupt";
    case SlotState::empty: return "empty";
    case SlotState::io_error: return "io-error";
  }
  return "?";
}

std::string_view to_string(WriteFailure kind) {
  switch (kind) {
    case WriteFailure::refused: return "refused";
    case WriteFailure::unreadable: return "unreadable";
    case WriteFailure::io_error: return "io-error";
    case WriteFailure::readback: return "read-back";
  }
  return "?";
}

}  // namespace bootseal

// SPDX-License-Identifier: GPL-2.0-only
// The policy partition: the pinned byte layout, one named test for each way
// the header decoders refuse input, one test per corrupted region (made by
// tests/generators/) with its exact outcome, the install protocol, refused
// installs leaving the device byte-for-byte unchanged, and the floor.
#include "bootseal/partition.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>

#include "storage_fixture.hpp"

namespace bootseal {
namespace {

using namespace storagetest;
using ::testing::HasSubstr;

constexpr uint64_t kImageSize = 1 << 20;  // 1 MiB partition image

// ---------------------------------------------------------------------------
// Layout.

TEST(PartitionLayout, HeaderBytesArePinned) {
  PartitionHeader h;
  h.sequence = 0x1122334455667788;
  h.floor = 7;
  h.slot_offset = {8192, 8192 + 65536};
  h.slot_size = 65536;
  h.partition_size = 8192 + 2 * 65536;
  const auto b = encode_partition_header(h);
  EXPECT_EQ(std::string(b.begin(), b.begin() + 8), "BOOTSEAL");
  EXPECT_EQ(b[8], 1);   // version, le32
  EXPECT_EQ(b[12], 128);  // header size
  EXPECT_EQ(b[16], 0x88);  // sequence, little-endian
  EXPECT_EQ(b[23], 0x11);
  EXPECT_EQ(b[24], 7);  // floor
  EXPECT_EQ(b[32 + 1], 0x20);  // slot A at 0x2000
  EXPECT_EQ(b[40 + 1], 0x20);  // slot B at 0x12000
  EXPECT_EQ(b[40 + 2], 0x01);
  EXPECT_EQ(b[48 + 2], 0x01);  // slot size 0x10000
  const auto sum = sha256(std::span<const uint8_t>(b.data(), 96));
  EXPECT_TRUE(std::equal(sum.begin(), sum.end(), b.begin() + 96));
  auto d = decode_partition_header(b, h.partition_size);
  ASSERT_TRUE(d) << d.error();
  EXPECT_EQ(*d, h);
}

TEST(PartitionLayout, SlotHeaderBytesArePinned) {
  SlotHeader h;
  h.sequence = 3;
  h.generation = 0x0102;
  h.payload_length = 500;
  h.payload_sha256.fill(0xab);
  const auto b = encode_slot_header(h);
  EXPECT_EQ(std::string(b.begin(), b.begin() + 8), "BSEALSLT");
  EXPECT_EQ(b[8], 1);
  EXPECT_EQ(b[12], 128);
  EXPECT_EQ(b[16], 3);
  EXPECT_EQ(b[24], 0x02);
  EXPECT_EQ(b[25], 0x01);
  EXPECT_EQ(b[32], 500 & 0xff);
  EXPECT_EQ(b[33], 500 >> 8);
  EXPECT_EQ(b[40], 0xab);
  EXPECT_EQ(b[71], 0xab);
  EXPECT_EQ(b[72], 0);
  auto d = decode_slot_header(b, 65536);
  ASSERT_TRUE(d) << d.error();
  EXPECT_EQ(*d, h);
}

TEST(PartitionLayout, LayoutForSize) {
  auto l = layout_for_size(kImageSize);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->slot_offset[0], 8192u);
  EXPECT_EQ(l->slot_size, (kImageSize - 8192) / 2 / 4096 * 4096);
  EXPECT_EQ(l->slot_offset[1], 8192 + l->slot_size);
  EXPECT_LE(l->partition_size, kImageSize);
  EXPECT_EQ(slot_capacity(*l), l->slot_size - 4096);
  auto big = layout_for_size(uint64_t{1} << 36);  // 64 GiB: slots capped at the largest blob
  ASSERT_TRUE(big);
  EXPECT_EQ(big->slot_size, kMaxSlotSize);
  auto small = layout_for_size(kMinPartitionSize - 1);
  ASSERT_FALSE(small);
  EXPECT_THAT(small.error(), HasSubstr("at least 139264"));
}

// ---------------------------------------------------------------------------
// Rejections by the header decoders, one per check. `resum` recomputes the
// checksum so that the check under test is the one that fires.

std::array<uint8_t, 128> valid_partition_header() {
  return encode_partition_header(*layout_for_size(kImageSize));
}

void resum(std::array<uint8_t, 128>& b) {
  const auto sum = sha256(std::span<const uint8_t>(b.data(), 96));
  std::copy(sum.begin(), sum.end(), b.begin() + 96);
}

void put_le64(std::array<uint8_t, 128>& b, size_t off, uint64_t v) {
  for (int i = 0; i < 8; ++i) b[off + i] = static_cast<uint8_t>(v >> (8 * i));
}

TEST(PartitionHeaderRejects, Short) {
  auto b = valid_partition_header();
  auto r = decode_partition_header(std::span<const uint8_t>(b.data(), 127), kImageSize);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error(), HasSubstr("127 bytes, expected 128"));
}

TEST(PartitionHeaderRejects, BadMagic) {
  auto b = valid_partition_header();
  b[3] ^= 1;
  resum(b);
  auto r = decode_partition_header(b, kImageSize);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error(), HasSubstr("bad magic at offset 0"));
}

TEST(PartitionHeaderRejects, UnknownVersion) {
  auto b = valid_partition_header();
  b[8] = 2;
  resum(b);
  auto r = decode_partition_header(b, kImageSize);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error(), HasSubstr("unsupported version 2 at offset 8"));
}

TEST(PartitionHeaderRejects, HeaderSize) {
  auto b = valid_partition_header();
  b[12] = 64;
  resum(b);
  auto r = decode_partition_header(b, kImageSize);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error(), HasSubstr("header size 64 at offset 12"));
}

TEST(PartitionHeaderRejects, Checksum) {
  auto b = valid_partition_header();
  b[24] ^= 1;  // the floor, without recomputing the checksum
  auto r = decode_partition_header(b, kImageSize);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error(), HasSubstr("checksum mismatch (SHA-256 at offset 96)"));
}

TEST(PartitionHeaderRejects, ReservedNotZero) {
  auto b = valid_partition_header();
  b[70] = 1;
  resum(b);
  auto r = decode_partition_header(b, kImageSize);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error(), HasSubstr("reserved bytes at offset 64 are not zero"));
}

TEST(PartitionHeaderRejects, SlotSizeOutOfRange) {
  auto b = valid_partition_header();
  put_le64(b, 48, 4096);
  resum(b);
  auto r = decode_partition_header(b, kImageSize);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error(), HasSubstr("slot size 4096 at offset 48 is out of range"));
}

TEST(PartitionHeaderRejects, SlotOffsetInsideHeaders) {
  auto b = valid_partition_header();
  put_le64(b, 32, 4096);
  resum(b);
  auto r = decode_partition_header(b, kImageSize);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error(), HasSubstr("slot offsets at offset 32"));
}

TEST(PartitionHeaderRejects, SlotsOverlap) {
  auto b = valid_partition_header();
  put_le64(b, 40, 8192 + 4096);
  resum(b);
  auto r = decode_partition_header(b, kImageSize);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error(), HasSubstr("overlaps slot A"));
}

TEST(PartitionHeaderRejects, SlotOffsetOverflows) {
  auto b = valid_partition_header();
  put_le64(b, 40, UINT64_MAX - 4095);
  resum(b);
  auto r = decode_partition_header(b, kImageSize);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error(), HasSubstr("overlaps slot A"));
}

TEST(PartitionHeaderRejects, SlotsBeyondPartition) {
  auto b = valid_partition_header();
  put_le64(b, 56, 8192 + 65536);
  resum(b);
  auto r = decode_partition_header(b, kImageSize);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error(), HasSubstr("beyond the partition size"));
}

TEST(PartitionHeaderRejects, PartitionLargerThanDevice) {
  auto b = valid_partition_header();
  auto r = decode_partition_header(b, kImageSize / 2);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error(), HasSubstr("larger than the device (524288 bytes)"));
}

std::array<uint8_t, 128> valid_slot_header() {
  SlotHeader h;
  h.sequence = 1;
  h.generation = 1;
  h.payload_length = 100;
  return encode_slot_header(h);
}

TEST(SlotHeaderRejects, BadMagic) {
  auto b = valid_slot_header();
  b[0] = 'X';
  resum(b);
  auto r = decode_slot_header(b, 65536);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error(), HasSubstr("slot header: bad magic at offset 0"));
}

TEST(SlotHeaderRejects, UnknownVersion) {
  auto b = valid_slot_header();
  b[9] = 1;  // version 257
  resum(b);
  auto r = decode_slot_header(b, 65536);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error(), HasSubstr("unsupported version 257 at offset 8"));
}

TEST(SlotHeaderRejects, Checksum) {
  auto b = valid_slot_header();
  b[127] ^= 0x80;
  auto r = decode_slot_header(b, 65536);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error(), HasSubstr("checksum mismatch"));
}

TEST(SlotHeaderRejects, ReservedNotZero) {
  auto b = valid_slot_header();
  b[95] = 1;
  resum(b);
  auto r = decode_slot_header(b, 65536);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error(), HasSubstr("reserved bytes at offset 72"));
}

TEST(SlotHeaderRejects, GenerationZero) {
  auto b = valid_slot_header();
  put_le64(b, 24, 0);
  resum(b);
  auto r = decode_slot_header(b, 65536);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error(), HasSubstr("generation 0 at offset 24"));
}

TEST(SlotHeaderRejects, PayloadLengthZero) {
  auto b = valid_slot_header();
  put_le64(b, 32, 0);
  resum(b);
  auto r = decode_slot_header(b, 65536);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error(), HasSubstr("payload length 0 at offset 32 is out of range (1..61440)"));
}

TEST(SlotHeaderRejects, PayloadLongerThanSlot) {
  auto b = valid_slot_header();
  put_le64(b, 32, 61441);
  resum(b);
  auto r = decode_slot_header(b, 65536);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error(), HasSubstr("payload length 61441 at offset 32 is out of range"));
}

// ---------------------------------------------------------------------------
// A formatted image with generation 1 in slot A and generation 2 in slot B.

class PartitionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    keys_ = make_keys(dir_.path(), "k");
    image_ = dir_ / "part.img";
    make_image(image_, kImageSize);
    auto dev = open_dev(image_);
    auto f = format_partition(*dev);
    ASSERT_TRUE(f) << f.error();
    blob1_ = make_blob(keys_, 1);
    blob2_ = make_blob(keys_, 2);
  }

  void install(const std::vector<uint8_t>& blob, int expect_slot) {
    auto dev = open_dev(image_);
    auto r = install_blob(*dev, blob, keys_.trust);
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r->slot, expect_slot);
  }

  void install_two() {
    install(blob1_, 0);
    install(blob2_, 1);
  }

  PartitionState read(const TrustStore* trust) {
    auto dev = open_dev(image_, false);
    auto st = read_partition(*dev, trust);
    if (!st) throw std::runtime_error(st.error());
    return std::move(st).value();
  }
  PartitionState read() { return read(&keys_.trust); }

  void corrupt(const std::string& generator) { ASSERT_TRUE(run_generator(generator, image_)) << generator; }

  ScratchDir dir_;
  Keys keys_;
  fs::path image_;
  std::vector<uint8_t> blob1_, blob2_;
};

TEST_F(PartitionTest, FreshFormatHasTwoEmptySlots) {
  auto st = read();
  EXPECT_EQ(st.slots[0].state, SlotState::empty);
  EXPECT_EQ(st.slots[1].state, SlotState::empty);
  EXPECT_FALSE(st.serving);
  EXPECT_EQ(st.header.floor, 0u);
  EXPECT_TRUE(st.header_copies[0].valid);
  EXPECT_TRUE(st.header_copies[1].valid);
}

TEST_F(PartitionTest, InstallsAlternateAndNewestServes) {
  install_two();
  auto st = read();
  ASSERT_TRUE(st.serving);
  EXPECT_EQ(*st.serving, 1);
  EXPECT_EQ(st.slots[1].state, SlotState::ok);
  EXPECT_EQ(st.slots[1].blob, blob2_);
  EXPECT_EQ(st.slots[1].document->generation, 2u);
  EXPECT_TRUE(st.slots[1].verified);
  EXPECT_EQ(st.slots[0].state, SlotState::obsolete);
  EXPECT_THAT(st.slots[0].reason, HasSubstr("older than slot B"));
  install(make_blob(keys_, 3), 0);  // the slot that does not serve
  st = read();
  EXPECT_EQ(*st.serving, 0);
  EXPECT_EQ(st.slots[0].document->generation, 3u);
}

TEST_F(PartitionTest, InstallLeavesTheOtherSlotUntouched) {
  install_two();
  const auto before = read_bytes(image_);
  auto st = read();
  const uint64_t b_off = st.slots[1].offset, size = st.header.slot_size;
  install(make_blob(keys_, 3), 0);
  const auto after = read_bytes(image_);
  ASSERT_EQ(before.size(), after.size());
  EXPECT_TRUE(std::equal(before.begin() + static_cast<long>(b_off), before.begin() + static_cast<long>(b_off + size),
                         after.begin() + static_cast<long>(b_off)));
  EXPECT_TRUE(std::equal(before.begin(), before.begin() + 8192, after.begin()));  // headers too
}

TEST_F(PartitionTest, SameGenerationReinstallServesTheNewerWrite) {
  install(blob1_, 0);
  const auto again = *seal(make_document(1, 2), keys_.signing);  // same generation, other content
  install(again, 1);
  auto st = read();
  EXPECT_EQ(*st.serving, 1);
  EXPECT_EQ(st.slots[1].blob, again);
  EXPECT_EQ(st.slots[1].header->sequence, 2u);
}

TEST_F(PartitionTest, ReadWithoutTrustStoreIsUnverified) {
  install_two();
  auto st = read(nullptr);
  EXPECT_EQ(*st.serving, 1);
  EXPECT_FALSE(st.slots[1].verified);
  EXPECT_EQ(st.slots[1].document->generation, 2u);
}

// ---------------------------------------------------------------------------
// One test per corrupted region, each with its exact outcome.

TEST_F(PartitionTest, CorruptSlotAHeader) {
  install_two();
  corrupt("slot-a-header.sh");
  auto st = read();
  EXPECT_EQ(st.slots[0].state, SlotState::corrupt);
  EXPECT_EQ(st.slots[0].reason, "slot header: checksum mismatch (SHA-256 at offset 96) (slot header at offset 8192)");
  ASSERT_TRUE(st.serving);
  EXPECT_EQ(*st.serving, 1);
  EXPECT_EQ(st.slots[1].blob, blob2_);
}

TEST_F(PartitionTest, CorruptSlotBHeaderFallsBackToSlotA) {
  install_two();
  corrupt("slot-b-header.sh");
  auto st = read();
  EXPECT_EQ(st.slots[1].state, SlotState::corrupt);
  EXPECT_THAT(st.slots[1].reason, HasSubstr("checksum mismatch"));
  EXPECT_THAT(st.slots[1].reason, HasSubstr("slot header at offset " + std::to_string(st.slots[1].offset)));
  ASSERT_TRUE(st.serving);
  EXPECT_EQ(*st.serving, 0);
  EXPECT_EQ(st.slots[0].state, SlotState::ok);
  EXPECT_EQ(st.slots[0].blob, blob1_);
}

TEST_F(PartitionTest, CorruptSlotAPayload) {
  install_two();
  corrupt("slot-a-payload.sh");
  auto st = read();
  EXPECT_EQ(st.slots[0].state, SlotState::corrupt);
  EXPECT_EQ(st.slots[0].reason,
            "payload SHA-256 mismatch (" + std::to_string(blob1_.size()) + " bytes at offset 12288)");
  EXPECT_EQ(*st.serving, 1);
}

TEST_F(PartitionTest, CorruptSlotBPayloadFallsBackToSlotA) {
  install_two();
  corrupt("slot-b-payload.sh");
  auto st = read();
  EXPECT_EQ(st.slots[1].state, SlotState::corrupt);
  EXPECT_EQ(st.slots[1].reason, "payload SHA-256 mismatch (" + std::to_string(blob2_.size()) + " bytes at offset " +
                                    std::to_string(st.slots[1].offset + 4096) + ")");
  EXPECT_EQ(*st.serving, 0);
  EXPECT_EQ(st.slots[0].blob, blob1_);
}

TEST_F(PartitionTest, CorruptSlotAChecksum) {
  install_two();
  corrupt("slot-a-checksum.sh");
  auto st = read();
  EXPECT_EQ(st.slots[0].state, SlotState::corrupt);
  EXPECT_THAT(st.slots[0].reason, HasSubstr("checksum mismatch (SHA-256 at offset 96)"));
  EXPECT_EQ(*st.serving, 1);
}

TEST_F(PartitionTest, CorruptSlotBChecksumFallsBackToSlotA) {
  install_two();
  corrupt("slot-b-checksum.sh");
  auto st = read();
  EXPECT_EQ(st.slots[1].state, SlotState::corrupt);
  EXPECT_THAT(st.slots[1].reason, HasSubstr("checksum mismatch (SHA-256 at offset 96)"));
  EXPECT_EQ(*st.serving, 0);
}

TEST_F(PartitionTest, CorruptBothSlotsServesNothing) {
  install_two();
  corrupt("both-slots.sh");
  auto st = read();
  EXPECT_EQ(st.slots[0].state, SlotState::corrupt);
  EXPECT_EQ(st.slots[1].state, SlotState::corrupt);
  EXPECT_THAT(st.slots[0].reason, HasSubstr("checksum mismatch"));
  EXPECT_THAT(st.slots[1].reason, HasSubstr("checksum mismatch"));
  EXPECT_FALSE(st.serving);
}

TEST_F(PartitionTest, CorruptHeaderCopy1UsesCopy2) {
  install_two();
  corrupt("header-copy-1.sh");
  auto st = read();
  EXPECT_FALSE(st.header_copies[0].valid);
  EXPECT_EQ(st.header_copies[0].reason, "partition header: checksum mismatch (SHA-256 at offset 96)");
  EXPECT_TRUE(st.header_copies[1].valid);
  EXPECT_EQ(st.header_copy, 1);
  EXPECT_EQ(*st.serving, 1);
  EXPECT_EQ(st.slots[1].blob, blob2_);
}

TEST_F(PartitionTest, CorruptHeaderCopy2UsesCopy1) {
  install_two();
  corrupt("header-copy-2.sh");
  auto st = read();
  EXPECT_TRUE(st.header_copies[0].valid);
  EXPECT_FALSE(st.header_copies[1].valid);
  EXPECT_EQ(st.header_copy, 0);
  EXPECT_EQ(*st.serving, 1);
}

TEST_F(PartitionTest, CorruptHeaderChecksumUsesCopy2) {
  install_two();
  corrupt("header-checksum-1.sh");
  auto st = read();
  EXPECT_FALSE(st.header_copies[0].valid);
  EXPECT_THAT(st.header_copies[0].reason, HasSubstr("checksum mismatch"));
  EXPECT_EQ(*st.serving, 1);
}

TEST_F(PartitionTest, CorruptBothHeaderCopiesIsUnreadable) {
  install_two();
  corrupt("both-header-copies.sh");
  auto dev = open_dev(image_, false);
  auto st = read_partition(*dev, &keys_.trust);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error(), image_.string() +
                            ": no valid partition header (copy 1 at offset 0: partition header: bad magic at offset 0; "
                            "copy 2 at offset 4096: partition header: bad magic at offset 0)");
}

TEST_F(PartitionTest, SlotSignedByAnUntrustedKeyDoesNotHideAGoodOne) {
  install_two();
  // Slot B re-written by hand with a well-formed slot whose blob is signed
  // by a key the trust store does not hold, at a higher generation.
  Keys other = make_keys(dir_.path(), "other");
  const auto rogue = make_blob(other, 9);
  auto st = read();
  SlotHeader h;
  h.sequence = 10;
  h.generation = 9;
  h.payload_length = rogue.size();
  h.payload_sha256 = sha256(rogue);
  {
    auto dev = open_dev(image_);
    ASSERT_TRUE(dev->write(st.slots[1].offset + 4096, rogue));
    ASSERT_TRUE(dev->write(st.slots[1].offset, encode_slot_header(h)));
  }
  st = read();
  EXPECT_EQ(st.slots[1].state, SlotState::corrupt);
  EXPECT_THAT(st.slots[1].reason, HasSubstr("blob does not verify: "));
  EXPECT_THAT(st.slots[1].reason, HasSubstr(std::string(to_string(VerifyStatus::unknown_key))));
  ASSERT_TRUE(st.serving);
  EXPECT_EQ(*st.serving, 0);
  EXPECT_EQ(st.slots[0].blob, blob1_);
}

TEST_F(PartitionTest, SlotHeaderGenerationMustMatchThePolicy) {
  install(blob1_, 0);
  auto st = read();
  SlotHeader h = *st.slots[0].header;
  h.generation = 5;  // claims more than the signed policy says
  {
    auto dev = open_dev(image_);
    ASSERT_TRUE(dev->write(st.slots[0].offset, encode_slot_header(h)));
  }
  st = read();
  EXPECT_EQ(st.slots[0].state, SlotState::corrupt);
  EXPECT_EQ(st.slots[0].reason, "slot header generation 5 (offset 8216) differs from the policy's generation 1");
  EXPECT_FALSE(st.serving);
}

// ---------------------------------------------------------------------------
// Refusals leave the device byte-for-byte unchanged.

class RefusedInstall : public PartitionTest {
 protected:
  void expect_refused(const std::vector<uint8_t>& blob, const std::string& message_part) {
    const auto before = read_bytes(image_);
    auto dev = open_dev(image_);
    auto r = install_blob(*dev, blob, keys_.trust);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.kind(), WriteFailure::refused);
    EXPECT_THAT(r.error(), HasSubstr(message_part));
    dev.reset();
    EXPECT_EQ(read_bytes(image_), before) << "a refused install changed the device";
  }
};

TEST_F(RefusedInstall, BelowTheFloor) {
  install_two();
  {
    auto dev = open_dev(image_);
    auto m = mark_good(*dev, keys_.trust);
    ASSERT_TRUE(m.ok()) << m.error();
  }
  expect_refused(blob1_, "generation 1 is below the rollback floor 2");
}

TEST_F(RefusedInstall, OlderThanTheServingSlot) {
  install(make_blob(keys_, 3), 0);
  expect_refused(blob2_, "generation 2 is older than slot A (generation 3)");
}

TEST_F(RefusedInstall, UntrustedBlob) {
  install_two();
  Keys other = make_keys(dir_.path(), "other");
  expect_refused(make_blob(other, 5), "does not verify: " + std::string(to_string(VerifyStatus::unknown_key)));
}

TEST_F(RefusedInstall, Garbage) {
  install_two();
  expect_refused(std::vector<uint8_t>(300, 0x42), "does not verify");
}

TEST_F(RefusedInstall, TamperedBlob) {
  install(blob1_, 0);
  auto t = blob2_;
  t[t.size() - 1] ^= 1;  // inside the signature
  expect_refused(t, "does not verify: " + std::string(to_string(VerifyStatus::bad_signature)));
}

TEST_F(RefusedInstall, TooLargeForASlot) {
  install(blob1_, 0);
  std::vector<uint8_t> big(slot_capacity(read().header) + 1, 1);
  expect_refused(big, "does not fit a slot");
}

TEST_F(RefusedInstall, EmptyBlob) { expect_refused({}, "blob of 0 bytes"); }

// ---------------------------------------------------------------------------
// The floor.

TEST_F(PartitionTest, MarkGoodRaisesTheFloorInBothHeaderCopies) {
  install_two();
  {
    auto dev = open_dev(image_);
    auto m = mark_good(*dev, keys_.trust);
    ASSERT_TRUE(m.ok()) << m.error();
    EXPECT_EQ(m->old_floor, 0u);
    EXPECT_EQ(m->new_floor, 2u);
    EXPECT_EQ(m->header_copy, 1);
  }
  auto st = read();
  EXPECT_EQ(st.header.floor, 2u);
  EXPECT_EQ(st.header_copies[0].header->floor, 2u);
  EXPECT_EQ(st.header_copies[1].header->floor, 2u);
  EXPECT_EQ(st.slots[0].state, SlotState::obsolete);
  EXPECT_EQ(st.slots[0].reason, "generation 1 is below the rollback floor 2");
  // One damaged copy does not lower the floor.
  corrupt("header-copy-1.sh");
  st = read();
  EXPECT_EQ(st.header.floor, 2u);
}

TEST_F(PartitionTest, FloorStopsFallbackToAnOlderSlot) {
  install_two();
  {
    auto dev = open_dev(image_);
    ASSERT_TRUE(mark_good(*dev, keys_.trust).ok());
  }
  corrupt("slot-b-payload.sh");
  auto st = read();
  EXPECT_FALSE(st.serving);  // slot A (generation 1) is below the floor
  EXPECT_EQ(st.slots[0].state, SlotState::obsolete);
  EXPECT_EQ(st.slots[1].state, SlotState::corrupt);
}

TEST_F(PartitionTest, CheckOnlyInstallNamesTheSlotAndWritesNothing) {
  install(blob1_, 0);
  const auto before = read_bytes(image_);
  {
    auto dev = open_dev(image_);
    auto r = install_blob(*dev, blob2_, keys_.trust, InstallMode::check_only);
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r->slot, 1);
    EXPECT_EQ(r->generation, 2u);
    ASSERT_TRUE(r->previous_serving);
    EXPECT_EQ(*r->previous_serving, 0);
  }
  EXPECT_EQ(read_bytes(image_), before);
  install(blob2_, 1);  // where the check said
  // A refusal is the same refusal as the write's, and writes nothing.
  const auto after = read_bytes(image_);
  auto dev = open_dev(image_);
  auto r = install_blob(*dev, blob1_, keys_.trust, InstallMode::check_only);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.kind(), WriteFailure::refused);
  EXPECT_THAT(r.error(), HasSubstr("older than slot B"));
  dev.reset();
  EXPECT_EQ(read_bytes(image_), after);
}

TEST_F(PartitionTest, MarkGoodToTheGenerationBootedNotTheOneInstalledSince) {
  install_two();  // 1 in A (booted), 2 in B (installed during the boot)
  {
    auto dev = open_dev(image_);
    auto m = mark_good(*dev, keys_.trust, 1);
    ASSERT_TRUE(m.ok()) << m.error();
    EXPECT_EQ(m->new_floor, 1u);
  }
  auto st = read();
  EXPECT_EQ(st.header.floor, 1u);
  EXPECT_EQ(*st.serving, 1);  // 2 still serves next, 1 is still the fallback
  EXPECT_EQ(st.slots[0].state, SlotState::obsolete);
  EXPECT_EQ(st.slots[0].reason, "older than slot B (generation 1 sequence 1 vs generation 2 sequence 2)");
  // A generation no slot holds, or one above the serving one, is refused
  // and changes nothing.
  const auto before = read_bytes(image_);
  for (uint64_t g : {3u, 5u}) {
    auto dev = open_dev(image_);
    auto m = mark_good(*dev, keys_.trust, g);
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.kind(), WriteFailure::refused);
    EXPECT_THAT(m.error(), HasSubstr("no slot holds a valid policy of generation " + std::to_string(g)));
  }
  EXPECT_EQ(read_bytes(image_), before);
  auto dev = open_dev(image_);
  auto m = mark_good(*dev, keys_.trust, 2);
  ASSERT_TRUE(m.ok()) << m.error();
  EXPECT_EQ(m->new_floor, 2u);
}

TEST_F(PartitionTest, MarkGoodTwiceIsANoOp) {
  install_two();
  auto dev = open_dev(image_);
  ASSERT_TRUE(mark_good(*dev, keys_.trust).ok());
  dev.reset();
  const auto before = read_bytes(image_);
  dev = open_dev(image_);
  auto m = mark_good(*dev, keys_.trust);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->header_copy, -1);
  EXPECT_EQ(m->new_floor, 2u);
  dev.reset();
  EXPECT_EQ(read_bytes(image_), before);
}

TEST_F(PartitionTest, MarkGoodWithoutAPolicyIsRefusedUnchanged) {
  const auto before = read_bytes(image_);
  auto dev = open_dev(image_);
  auto m = mark_good(*dev, keys_.trust);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.kind(), WriteFailure::refused);
  EXPECT_THAT(m.error(), HasSubstr("no slot holds a valid policy"));
  dev.reset();
  EXPECT_EQ(read_bytes(image_), before);
}

TEST_F(PartitionTest, InstallOnAnUnformattedDeviceIsUnreadable) {
  const fs::path raw = dir_ / "raw.img";
  make_image(raw, kImageSize);
  auto dev = open_dev(raw);
  auto r = install_blob(*dev, blob1_, keys_.trust);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.kind(), WriteFailure::unreadable);
  EXPECT_THAT(r.error(), HasSubstr("no valid partition header"));
}

TEST(FileDevice, RefusesOutOfRangeAccess) {
  ScratchDir dir;
  make_image(dir / "d.img", 8192);
  auto dev = open_dev(dir / "d.img");
  std::vector<uint8_t> buf(16);
  auto r = dev->read(8190, buf);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error(), HasSubstr("at offset 8190 is beyond the end (8192 bytes)"));
  auto w = dev->write(UINT64_MAX - 4, buf);
  ASSERT_FALSE(w);
  auto win = FileDevice::open((dir / "d.img").string(), false, 4096, 8192);
  ASSERT_FALSE(win);
  EXPECT_THAT(win.error(), HasSubstr("beyond its end"));
}

TEST(FileDevice, SecondWriterIsRefused) {
  ScratchDir dir;
  make_image(dir / "d.img", 8192);
  auto a = open_dev(dir / "d.img");
  auto b = FileDevice::open((dir / "d.img").string(), true);
  ASSERT_FALSE(b);
  EXPECT_THAT(b.error(), HasSubstr("in use by another bootseal process"));
}

}  // namespace
}  // namespace bootseal

namespace bootseal {
namespace {

// When every valid slot is below the floor, an install writes the slot
// that is not the newest valid one.
TEST_F(PartitionTest, InstallKeepsTheNewestValidSlotWhenNoneServes) {
  install_two();  // A: 1, B: 2
  {
    auto dev = open_dev(image_);
    ASSERT_TRUE(mark_good(*dev, keys_.trust).ok());  // floor 2
  }
  corrupt("slot-a-header.sh");  // A corrupt, B serves generation 2
  install(make_blob(keys_, 3), 0);
  auto st = read();
  EXPECT_EQ(*st.serving, 0);
  // Now raise the floor past both by hand-writing a header copy with floor 9:
  // nothing serves, B (generation 2) and A (generation 3) are both obsolete,
  // and an install of generation 9 must keep A, the newest.
  PartitionHeader h = st.header;
  h.sequence += 1;
  h.floor = 9;
  {
    auto dev = open_dev(image_);
    ASSERT_TRUE(dev->write(0, encode_partition_header(h)));
  }
  st = read();
  ASSERT_FALSE(st.serving);
  install(make_blob(keys_, 9), 1);
}

}  // namespace
}  // namespace bootseal

// ---------------------------------------------------------------------------
// Corruption sweep: every single-bit flip of both header copies and both
// slot headers, and every truncation of the image. Each read either falls
// back to the other good copy or slot, with the exact policy that slot
// holds, or refuses cleanly; never a crash, never another policy.

namespace bootseal {
namespace {

using namespace storagetest;
using ::testing::HasSubstr;

// The first `length` bytes of a buffer as a device: no copies, so a sweep
// costs no file I/O.
class MemoryDevice final : public BlockDevice {
 public:
  MemoryDevice(std::vector<uint8_t>& bytes, size_t length) : bytes_(bytes), length_(length) {}
  explicit MemoryDevice(std::vector<uint8_t>& bytes) : MemoryDevice(bytes, bytes.size()) {}
  const std::string& name() const override { return name_; }
  uint64_t size() const override { return length_; }
  Result<void> read(uint64_t offset, std::span<uint8_t> out) override {
    if (offset > length_ || out.size() > length_ - offset)
      return make_error("read beyond the end at offset " + std::to_string(offset));
    std::copy_n(bytes_.begin() + static_cast<std::ptrdiff_t>(offset), out.size(), out.begin());
    return {};
  }
  Result<void> write(uint64_t offset, std::span<const uint8_t> data) override {
    if (offset > length_ || data.size() > length_ - offset)
      return make_error("write beyond the end at offset " + std::to_string(offset));
    std::copy(data.begin(), data.end(), bytes_.begin() + static_cast<std::ptrdiff_t>(offset));
    return {};
  }
  Result<void> sync() override { return {}; }

 private:
  std::vector<uint8_t>& bytes_;
  size_t length_;
  std::string name_ = "sweep.img";
};

// The smallest partition, formatted, generation 1 in slot A and generation
// 2 (serving) in slot B.
class PartitionSweep : public ::testing::Test {
 protected:
  void SetUp() override {
    keys_ = make_keys(dir_.path(), "k");
    blob1_ = make_blob(keys_, 1);
    blob2_ = make_blob(keys_, 2);
    image_.assign(kMinPartitionSize, 0);
    MemoryDevice dev(image_);
    auto f = format_partition(dev);
    ASSERT_TRUE(f) << f.error();
    slot_offset_ = f->slot_offset;
    for (const auto* blob : {&blob1_, &blob2_}) {
      auto r = install_blob(dev, *blob, keys_.trust);
      ASSERT_TRUE(r.ok()) << r.error();
    }
  }

  Result<PartitionState> read_flipped(uint64_t offset, int bit) {
    image_[offset] ^= static_cast<uint8_t>(1u << bit);
    MemoryDevice dev(image_);
    auto st = read_partition(dev, &keys_.trust);
    image_[offset] ^= static_cast<uint8_t>(1u << bit);
    return st;
  }

  // Flips every bit of the 128 bytes at `start`; `check` sees each result.
  template <typename Check>
  void sweep(uint64_t start, Check check) {
    for (uint64_t off = start; off < start + 128; ++off) {
      for (int bit = 0; bit < 8; ++bit) {
        SCOPED_TRACE("bit " + std::to_string(bit) + " of byte " + std::to_string(off));
        auto st = read_flipped(off, bit);
        ASSERT_TRUE(st) << st.error();
        check(*st);
        if (::testing::Test::HasFailure()) return;  // one trace is enough
      }
    }
  }

  void expect_serves(const PartitionState& st, int slot, const std::vector<uint8_t>& blob, uint64_t generation) {
    ASSERT_TRUE(st.serving);
    EXPECT_EQ(*st.serving, slot);
    EXPECT_EQ(st.slots[slot].blob, blob);
    ASSERT_TRUE(st.slots[slot].document);
    EXPECT_EQ(st.slots[slot].document->generation, generation);
    EXPECT_TRUE(st.slots[slot].verified);
  }

  ScratchDir dir_;
  Keys keys_;
  std::vector<uint8_t> blob1_, blob2_, image_;
  std::array<uint64_t, 2> slot_offset_{};
};

TEST_F(PartitionSweep, ControlServesSlotB) {
  MemoryDevice dev(image_);
  auto st = read_partition(dev, &keys_.trust);
  ASSERT_TRUE(st) << st.error();
  EXPECT_TRUE(st->header_copies[0].valid);
  EXPECT_TRUE(st->header_copies[1].valid);
  EXPECT_EQ(st->slots[0].state, SlotState::obsolete);
  expect_serves(*st, 1, blob2_, 2);
}

TEST_F(PartitionSweep, EveryBitOfHeaderCopy1FallsBackToCopy2) {
  sweep(kHeaderCopyOffset[0], [&](const PartitionState& st) {
    EXPECT_FALSE(st.header_copies[0].valid);
    EXPECT_THAT(st.header_copies[0].reason, HasSubstr("partition header: "));
    EXPECT_TRUE(st.header_copies[1].valid);
    EXPECT_EQ(st.header_copy, 1);
    expect_serves(st, 1, blob2_, 2);
  });
}

TEST_F(PartitionSweep, EveryBitOfHeaderCopy2FallsBackToCopy1) {
  sweep(kHeaderCopyOffset[1], [&](const PartitionState& st) {
    EXPECT_TRUE(st.header_copies[0].valid);
    EXPECT_FALSE(st.header_copies[1].valid);
    EXPECT_THAT(st.header_copies[1].reason, HasSubstr("partition header: "));
    EXPECT_EQ(st.header_copy, 0);
    expect_serves(st, 1, blob2_, 2);
  });
}

TEST_F(PartitionSweep, EveryBitOfSlotAHeaderLeavesSlotBServing) {
  sweep(slot_offset_[0], [&](const PartitionState& st) {
    EXPECT_EQ(st.slots[0].state, SlotState::corrupt);
    EXPECT_THAT(st.slots[0].reason, HasSubstr("(slot header at offset " + std::to_string(slot_offset_[0]) + ")"));
    EXPECT_FALSE(st.slots[0].document);
    expect_serves(st, 1, blob2_, 2);
  });
}

TEST_F(PartitionSweep, EveryBitOfSlotBHeaderFallsBackToSlotA) {
  sweep(slot_offset_[1], [&](const PartitionState& st) {
    EXPECT_EQ(st.slots[1].state, SlotState::corrupt);
    EXPECT_THAT(st.slots[1].reason, HasSubstr("(slot header at offset " + std::to_string(slot_offset_[1]) + ")"));
    EXPECT_FALSE(st.slots[1].document);
    expect_serves(st, 0, blob1_, 1);
  });
}

TEST_F(PartitionSweep, EveryTruncationIsRefused) {
  // Both copies describe a partition larger than what is left.
  for (size_t n = 0; n < image_.size(); ++n) {
    MemoryDevice dev(image_, n);
    auto st = read_partition(dev, &keys_.trust);
    ASSERT_FALSE(st) << "truncation to " << n << " bytes was read";
    ASSERT_THAT(st.error(), HasSubstr("sweep.img: no valid partition header (copy 1 at offset 0: "))
        << "truncation to " << n << " bytes";
  }
}

}  // namespace
}  // namespace bootseal

// SPDX-License-Identifier: GPL-2.0-only
// libFuzzer target for the policy partition reader. The input is a
// partition image (zero-padded to the minimum partition size). Reading
// must never crash, and whatever it reports must hold together: a serving
// slot is valid, at or above the floor, newer than the other valid slot,
// and its blob matches its header; decoded headers re-encode to the bytes
// they came from. Anything else aborts.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bootseal/partition.hpp"
#include "bootseal/seal.hpp"

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_partition: %s\n", what);
  std::abort();
}

// A partition held in memory.
class MemoryDevice final : public bootseal::BlockDevice {
 public:
  explicit MemoryDevice(std::vector<uint8_t> bytes) : bytes_(std::move(bytes)) {}
  const std::string& name() const override { return name_; }
  uint64_t size() const override { return bytes_.size(); }
  bootseal::Result<void> read(uint64_t offset, std::span<uint8_t> out) override {
    if (offset > bytes_.size() || out.size() > bytes_.size() - offset)
      return bootseal::make_error("read beyond the end at offset " + std::to_string(offset));
    std::copy_n(bytes_.begin() + static_cast<long>(offset), out.size(), out.begin());
    return {};
  }
  bootseal::Result<void> write(uint64_t, std::span<const uint8_t>) override {
    return bootseal::make_error("read-only");
  }
  bootseal::Result<void> sync() override { return {}; }

 private:
  std::vector<uint8_t> bytes_;
  std::string name_ = "fuzz.img";
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace bootseal;
  std::vector<uint8_t> bytes(data, data + std::min<size_t>(size, 4u << 20));
  if (bytes.size() < kMinPartitionSize) bytes.resize(kMinPartitionSize, 0);

  // The decoders on their own: a decoded header re-encodes to its bytes.
  const std::span<const uint8_t> first(bytes.data(), 128);
  if (auto h = decode_partition_header(first, bytes.size())) {
    const auto again = encode_partition_header(*h);
    if (!std::equal(again.begin(), again.end(), first.begin())) fail("partition header does not round-trip");
  }
  if (auto h = decode_slot_header(first, kMinSlotSize)) {
    const auto again = encode_slot_header(*h);
    if (!std::equal(again.begin(), again.end(), first.begin())) fail("slot header does not round-trip");
  }

  MemoryDevice dev(std::move(bytes));
  auto st = read_partition(dev, nullptr);
  if (!st) {
    if (st.error().find("no valid partition header") == std::string::npos) fail("unexpected read error");
    return 0;
  }
  int ok = 0;
  for (const auto& s : st->slots) {
    const bool valid = s.state == SlotState::ok || s.state == SlotState::obsolete;
    if (valid != s.document.has_value()) fail("document present exactly for valid slots");
    if (s.state == SlotState::ok) ++ok;
    if (valid) {
      if (!s.header || s.blob.size() != s.header->payload_length) fail("valid slot without a matching header");
      if (sha256(s.blob) != s.header->payload_sha256) fail("valid slot whose payload does not match");
      if (s.document->generation != s.header->generation) fail("generation mismatch in a valid slot");
    } else if (s.state != SlotState::empty && s.reason.empty()) {
      fail("a slot that is not valid has no reason");
    }
  }
  if (ok > 1) fail("two slots serve");
  if ((ok == 1) != st->serving.has_value()) fail("serving does not match the slot states");
  if (const SlotInfo* s = st->serving_slot()) {
    if (s->header->generation < st->header.floor) fail("serving slot below the floor");
    const SlotInfo& other = st->slots[1 - s->index];
    if (other.state == SlotState::obsolete && other.header->generation >= st->header.floor &&
        (other.header->generation > s->header->generation ||
         (other.header->generation == s->header->generation && other.header->sequence > s->header->sequence)))
      fail("an older slot serves");
  }
  return 0;
}

// SPDX-License-Identifier: GPL-2.0-only
// Power cut during an install (and during mark-good): the write stream is
// cut after every write call, after the first byte of each write and after
// every 4 KiB of each write, on a fresh copy of an image file each time.
// After every cut the image must still serve a good policy: the old one or
// the new one, byte for byte.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "bootseal/partition.hpp"
#include "storage_fixture.hpp"

namespace bootseal {
namespace {

using namespace storagetest;

// Passes writes through until `budget` bytes have been written, then
// writes only what is left of the budget and fails from then on, the way a
// power cut ends a write stream. Records every write call it sees.
class CuttingDevice final : public BlockDevice {
 public:
  CuttingDevice(BlockDevice& inner, uint64_t budget) : inner_(inner), budget_(budget) {}

  const std::string& name() const override { return inner_.name(); }
  uint64_t size() const override { return inner_.size(); }
  Result<void> read(uint64_t offset, std::span<uint8_t> out) override {
    if (cut_) return make_error("power cut");
    return inner_.read(offset, out);
  }
  Result<void> write(uint64_t offset, std::span<const uint8_t> data) override {
    calls.push_back(data.size());
    if (cut_) return make_error("power cut");
    if (data.size() <= budget_) {
      budget_ -= data.size();
      return inner_.write(offset, data);
    }
    if (budget_ > 0) (void)inner_.write(offset, data.first(budget_));
    budget_ = 0;
    cut_ = true;
    return make_error("power cut at offset " + std::to_string(offset));
  }
  Result<void> sync() override {
    if (cut_) return make_error("power cut");
    return inner_.sync();
  }

  bool was_cut() const { return cut_; }
  std::vector<uint64_t> calls;

 private:
  BlockDevice& inner_;
  uint64_t budget_;
  bool cut_ = false;
};

// Every cut point for a stream of writes of these sizes: 0, then within
// each write after its first byte and after every 4 KiB, then after it.
std::vector<uint64_t> cut_points(const std::vector<uint64_t>& calls) {
  std::vector<uint64_t> cuts{0};
  uint64_t base = 0;
  for (uint64_t n : calls) {
    if (n > 1) cuts.push_back(base + 1);
    for (uint64_t k = 4096; k < n; k += 4096) cuts.push_back(base + k);
    base += n;
    cuts.push_back(base);
  }
  return cuts;
}

class TornWrite : public ::testing::Test {
 protected:
  void SetUp() override {
    keys_ = make_keys(dir_.path(), "k");
    base_ = dir_ / "base.img";
    make_image(base_, 1 << 20);
    auto dev = open_dev(base_);
    ASSERT_TRUE(format_partition(*dev));
  }

  void install(const std::vector<uint8_t>& blob) {
    auto dev = open_dev(base_);
    auto r = install_blob(*dev, blob, keys_.trust);
    ASSERT_TRUE(r.ok()) << r.error();
  }

  // The blob the image serves, or an empty vector.
  std::vector<uint8_t> served(const fs::path& image) {
    auto dev = open_dev(image, false);
    auto st = read_partition(*dev, &keys_.trust);
    if (!st || !st->serving_slot()) return {};
    return st->serving_slot()->blob;
  }

  // Cuts an install of `next` at every cut point; `old` must keep serving
  // until the install completes, and nothing but old or next ever serves.
  void sweep_install(const std::vector<uint8_t>& old, const std::vector<uint8_t>& next) {
    ASSERT_EQ(served(base_), old);
    const auto base_bytes = read_bytes(base_);
    // The recording pass: the full install, to learn its write calls.
    const fs::path rec = dir_ / "record.img";
    write_bytes(rec, base_bytes);
    std::vector<uint64_t> calls;
    {
      auto inner = open_dev(rec);
      CuttingDevice cd(*inner, UINT64_MAX);
      auto r = install_blob(cd, next, keys_.trust);
      ASSERT_TRUE(r.ok()) << r.error();
      calls = cd.calls;
    }
    ASSERT_GE(calls.size(), 2u);  // payload and header at least
    const auto cuts = cut_points(calls);
    size_t served_old = 0, served_new = 0;
    const fs::path img = dir_ / "cut.img";
    for (uint64_t cut : cuts) {
      write_bytes(img, base_bytes);
      bool cut_happened = false;
      {
        auto inner = open_dev(img);
        CuttingDevice cd(*inner, cut);
        auto r = install_blob(cd, next, keys_.trust);
        cut_happened = cd.was_cut();
        EXPECT_EQ(r.ok(), !cut_happened) << "cut after " << cut << " bytes";
        if (!r.ok()) {
          // A failed write, not a refusal: the message names the slot.
          EXPECT_EQ(r.kind(), WriteFailure::io_error) << "cut after " << cut << " bytes: " << r.error();
          EXPECT_THAT(r.error(), ::testing::HasSubstr(": slot ")) << "cut after " << cut << " bytes";
        }
      }
      const auto now = served(img);
      ASSERT_FALSE(now.empty()) << "no policy served after a cut after " << cut << " bytes";
      if (now == old) {
        ++served_old;
        EXPECT_TRUE(cut_happened) << "completed install still serves the old policy";
      } else {
        ASSERT_EQ(now, next) << "a cut after " << cut << " bytes serves neither the old nor the new policy";
        ++served_new;
      }
    }
    RecordProperty("cut_points", static_cast<int>(cuts.size()));
    EXPECT_GT(served_old, 0u);
    EXPECT_GT(served_new, 0u);  // at least the cut after the last write
    // The payload is larger than 4 KiB, so there are cuts inside writes.
    EXPECT_GT(cuts.size(), 2 * calls.size() + 1);
  }

  ScratchDir dir_;
  Keys keys_;
  fs::path base_;
};

// Large enough policies that the payload write spans several 4 KiB blocks.
constexpr size_t kRules = 600;

TEST_F(TornWrite, InstallIntoTheEmptySlot) {
  const auto g1 = make_blob(keys_, 1, kRules);
  ASSERT_GT(g1.size(), 3 * 4096u);
  install(g1);  // slot A
  sweep_install(g1, make_blob(keys_, 2, kRules));  // into slot B
}

TEST_F(TornWrite, InstallOverTheObsoleteSlot) {
  const auto g1 = make_blob(keys_, 1, kRules);
  const auto g2 = make_blob(keys_, 2, kRules);
  install(g1);
  install(g2);
  sweep_install(g2, make_blob(keys_, 3, kRules + 50));  // over slot A (generation 1)
}

TEST_F(TornWrite, InstallOfTheSameGenerationOverTheObsoleteSlot) {
  const auto g1 = make_blob(keys_, 1, kRules);
  const auto g2 = make_blob(keys_, 2, kRules);
  install(g1);
  install(g2);
  sweep_install(g2, *seal(make_document(2, kRules - 10), keys_.signing));
}

TEST_F(TornWrite, MarkGood) {
  const auto g1 = make_blob(keys_, 1, 4);
  const auto g2 = make_blob(keys_, 2, 4);
  install(g1);
  install(g2);
  const auto base_bytes = read_bytes(base_);
  std::vector<uint64_t> calls;
  {
    const fs::path rec = dir_ / "record.img";
    write_bytes(rec, base_bytes);
    auto inner = open_dev(rec);
    CuttingDevice cd(*inner, UINT64_MAX);
    ASSERT_TRUE(mark_good(cd, keys_.trust).ok());
    calls = cd.calls;
  }
  const fs::path img = dir_ / "cut.img";
  for (uint64_t cut : cut_points(calls)) {
    write_bytes(img, base_bytes);
    {
      auto inner = open_dev(img);
      CuttingDevice cd(*inner, cut);
      (void)mark_good(cd, keys_.trust);
    }
    auto dev = open_dev(img, false);
    auto st = read_partition(*dev, &keys_.trust);
    ASSERT_TRUE(st) << "cut after " << cut << ": " << st.error();
    ASSERT_TRUE(st->serving_slot()) << "cut after " << cut;
    EXPECT_EQ(st->serving_slot()->blob, g2);
    EXPECT_TRUE(st->header.floor == 0 || st->header.floor == 2) << st->header.floor;
  }
}

// A device that acknowledges writes it never makes (a lying cache): the
// read-back after sync must catch it.
class LyingDevice final : public BlockDevice {
 public:
  explicit LyingDevice(BlockDevice& inner) : inner_(inner) {}
  const std::string& name() const override { return inner_.name(); }
  uint64_t size() const override { return inner_.size(); }
  Result<void> read(uint64_t offset, std::span<uint8_t> out) override { return inner_.read(offset, out); }
  Result<void> write(uint64_t, std::span<const uint8_t>) override { return {}; }
  Result<void> sync() override { return {}; }

 private:
  BlockDevice& inner_;
};

TEST_F(TornWrite, ReadBackCatchesWritesThatNeverLanded) {
  const auto g1 = make_blob(keys_, 1, 4);
  install(g1);
  auto inner = open_dev(base_);
  LyingDevice liar(*inner);
  auto r = install_blob(liar, make_blob(keys_, 2, 4), keys_.trust);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.kind(), WriteFailure::readback);
  EXPECT_THAT(r.error(), ::testing::HasSubstr("slot B: read-back after sync does not match what was written"));
  EXPECT_EQ(served(base_), g1);
}

}  // namespace
}  // namespace bootseal

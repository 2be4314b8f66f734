// SPDX-License-Identifier: GPL-2.0-only
// The kernel-image trailer: the pinned footer, append/strip round trips to
// the exact original bytes, no stacking, replacement, one test per
// corrupted footer field (made by tests/generators/), and the file
// handling (mode, symlinks, no temporary files left behind).
#include "bootseal/trailer.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <random>

#include "storage_fixture.hpp"

namespace bootseal {
namespace {

using namespace storagetest;
using ::testing::HasSubstr;

std::vector<uint8_t> fake_kernel(size_t size, uint32_t seed = 1) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> v(size);
  for (auto& b : v) b = static_cast<uint8_t>(rng());
  v[0] = 'M';  // a PE/bzImage starts with "MZ"
  v[1] = 'Z';
  return v;
}

TEST(TrailerFooter, BytesArePinned) {
  const auto f = encode_trailer_footer(0x0102);
  ASSERT_EQ(f.size(), 40u);
  EXPECT_EQ(f[0], 0x02);
  EXPECT_EQ(f[1], 0x01);
  EXPECT_EQ(f[7], 0);
  EXPECT_EQ(f[8], 1);  // version
  EXPECT_EQ(f[12], 0);
  EXPECT_EQ(std::string(f.begin() + 16, f.end()), "~bootseal blob appended~");
}

TEST(TrailerLocate, AbsentOnShortOrPlainData) {
  EXPECT_EQ(locate_trailer(std::vector<uint8_t>{}).status, TrailerStatus::absent);
  EXPECT_EQ(locate_trailer(std::vector<uint8_t>(39, 0)).status, TrailerStatus::absent);
  EXPECT_EQ(locate_trailer(fake_kernel(5000)).status, TrailerStatus::absent);
}

TEST(TrailerLocate, PresentWhenWellFormed) {
  auto img = fake_kernel(1000);
  const std::vector<uint8_t> blob(77, 0xcc);
  img.insert(img.end(), blob.begin(), blob.end());
  const auto f = encode_trailer_footer(blob.size());
  img.insert(img.end(), f.begin(), f.end());
  const auto loc = locate_trailer(img);
  ASSERT_EQ(loc.status, TrailerStatus::present);
  EXPECT_EQ(loc.image_length, 1000u);
  EXPECT_EQ(loc.blob_offset, 1000u);
  EXPECT_EQ(loc.blob_length, 77u);
}

TEST(TrailerLocate, ZeroLengthIsCorrupt) {
  const auto f = encode_trailer_footer(0);
  std::vector<uint8_t> img(100, 0);
  img.insert(img.end(), f.begin(), f.end());
  const auto loc = locate_trailer(img);
  EXPECT_EQ(loc.status, TrailerStatus::corrupt);
  EXPECT_EQ(loc.error->message, "blob length 0 at offset 100 is out of range (1..100)");
}

TEST(TrailerLocate, LengthBeyondTheFileIsCorrupt) {
  const auto f = encode_trailer_footer(101);
  std::vector<uint8_t> img(100, 0);
  img.insert(img.end(), f.begin(), f.end());
  EXPECT_EQ(locate_trailer(img).status, TrailerStatus::corrupt);
}

TEST(TrailerLocate, LengthAboveTheBlobLimitIsCorrupt) {
  const auto f = encode_trailer_footer(kMaxBlobSize + 1);
  std::vector<uint8_t> img(100, 0);
  img.insert(img.end(), f.begin(), f.end());
  // Only the tail is handed over: the file is claimed to be huge.
  const auto loc = locate_trailer(f, uint64_t{1} << 40);
  EXPECT_EQ(loc.status, TrailerStatus::corrupt);
  EXPECT_THAT(loc.error->message, HasSubstr("blob length 16777217"));
}

class TrailerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    keys_ = make_keys(dir_.path(), "k");
    kernel_ = dir_ / "vmlinuz-6.1.0-test";
    original_ = fake_kernel(200 * 1024 + 13);
    write_bytes(kernel_, original_);
    blob1_ = make_blob(keys_, 1);
    blob2_ = make_blob(keys_, 2, 5);
  }

  void append(const std::vector<uint8_t>& blob, AppendMode mode = AppendMode::refuse_existing) {
    auto r = append_trailer(kernel_, blob, mode);
    ASSERT_TRUE(r) << r.error();
  }

  std::vector<std::string> dir_entries() const {
    std::vector<std::string> v;
    for (const auto& e : fs::directory_iterator(dir_.path())) v.push_back(e.path().filename().string());
    std::sort(v.begin(), v.end());
    return v;
  }

  ScratchDir dir_;
  Keys keys_;
  fs::path kernel_;
  std::vector<uint8_t> original_, blob1_, blob2_;
};

TEST_F(TrailerTest, AppendWritesBlobThenFooter) {
  append(blob1_);
  const auto bytes = read_bytes(kernel_);
  ASSERT_EQ(bytes.size(), original_.size() + blob1_.size() + 40);
  EXPECT_TRUE(std::equal(original_.begin(), original_.end(), bytes.begin()));
  EXPECT_TRUE(std::equal(blob1_.begin(), blob1_.end(), bytes.begin() + static_cast<long>(original_.size())));
  const auto footer = encode_trailer_footer(blob1_.size());
  EXPECT_TRUE(std::equal(footer.begin(), footer.end(), bytes.end() - 40));
  auto t = read_trailer(kernel_);
  ASSERT_TRUE(t) << t.error();
  ASSERT_EQ(t->location.status, TrailerStatus::present);
  EXPECT_EQ(t->blob, blob1_);
  EXPECT_EQ(t->location.image_length, original_.size());
  Verified v;
  EXPECT_EQ(verify_sealed(t->blob, keys_.trust, &v), VerifyStatus::ok);
}

TEST_F(TrailerTest, StripRestoresTheExactOriginal) {
  append(blob1_);
  auto s = strip_trailer(kernel_);
  ASSERT_TRUE(s) << s.error();
  EXPECT_EQ(s->removed, blob1_.size() + 40);
  EXPECT_EQ(s->image_length, original_.size());
  EXPECT_EQ(read_bytes(kernel_), original_);
}

TEST_F(TrailerTest, SecondAppendIsRefusedAndChangesNothing) {
  append(blob1_);
  const auto before = read_bytes(kernel_);
  auto r = append_trailer(kernel_, blob2_, AppendMode::refuse_existing);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error(), HasSubstr("already carries a bootseal trailer"));
  EXPECT_THAT(r.error(), HasSubstr("at offset " + std::to_string(original_.size())));
  EXPECT_THAT(r.error(), HasSubstr("--replace"));
  EXPECT_EQ(r.kind(), TrailerFault::exists);
  EXPECT_EQ(read_bytes(kernel_), before);
}

TEST_F(TrailerTest, ReplaceNeverStacks) {
  append(blob1_);
  auto r = append_trailer(kernel_, blob2_, AppendMode::replace_existing);
  ASSERT_TRUE(r) << r.error();
  EXPECT_TRUE(r->replaced);
  EXPECT_EQ(r->replaced_blob_length, blob1_.size());
  const auto bytes = read_bytes(kernel_);
  EXPECT_EQ(bytes.size(), original_.size() + blob2_.size() + 40);
  auto t = read_trailer(kernel_);
  EXPECT_EQ(t->blob, blob2_);
  ASSERT_TRUE(strip_trailer(kernel_));
  EXPECT_EQ(read_bytes(kernel_), original_);
}

TEST_F(TrailerTest, StripWithoutTrailerIsRefused) {
  auto s = strip_trailer(kernel_);
  ASSERT_FALSE(s);
  EXPECT_THAT(s.error(), HasSubstr("carries no bootseal trailer"));
  EXPECT_EQ(s.kind(), TrailerFault::absent);
  EXPECT_EQ(read_bytes(kernel_), original_);
}

TEST_F(TrailerTest, KeepsModeAndFollowsSymlinks) {
  ASSERT_EQ(::chmod(kernel_.c_str(), 0600), 0);
  const fs::path link = dir_ / "vmlinuz";
  fs::create_symlink(kernel_.filename(), link);
  ASSERT_TRUE(append_trailer(link, blob1_, AppendMode::refuse_existing));
  EXPECT_TRUE(fs::is_symlink(link));
  struct stat st {};
  ASSERT_EQ(::stat(kernel_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(read_trailer(kernel_)->blob, blob1_);
  ASSERT_TRUE(strip_trailer(link));
  EXPECT_EQ(read_bytes(kernel_), original_);
  EXPECT_EQ(dir_entries(), (std::vector<std::string>{"k.key", "k.pem", "vmlinuz", "vmlinuz-6.1.0-test"}));
}

TEST_F(TrailerTest, RefusesEmptyAndOversizedBlobs) {
  EXPECT_FALSE(append_trailer(kernel_, {}, AppendMode::refuse_existing));
  std::vector<uint8_t> big(kMaxBlobSize + 1);
  auto r = append_trailer(kernel_, big, AppendMode::refuse_existing);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error(), HasSubstr("out of range"));
  EXPECT_EQ(read_bytes(kernel_), original_);
}

TEST_F(TrailerTest, MissingImageNamesTheFile) {
  auto r = read_trailer(dir_ / "nope");
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error(), HasSubstr("nope"));
}

// ---------------------------------------------------------------------------
// One test per corrupted footer field.

class CorruptTrailer : public TrailerTest {
 protected:
  void SetUp() override {
    TrailerTest::SetUp();
    append(blob1_);
  }
  TrailerLocation corrupt(const std::string& generator) {
    EXPECT_TRUE(run_generator(generator, kernel_)) << generator;
    corrupted_ = read_bytes(kernel_);
    auto t = read_trailer(kernel_);
    EXPECT_TRUE(t);
    return t->location;
  }
  // A corrupt footer: append and strip refuse, nothing changes.
  void expect_refusals() {
    auto a = append_trailer(kernel_, blob2_, AppendMode::replace_existing);
    ASSERT_FALSE(a);
    EXPECT_THAT(a.error(), HasSubstr("footer is corrupt"));
    EXPECT_EQ(a.kind(), TrailerFault::corrupt);
    auto s = strip_trailer(kernel_);
    ASSERT_FALSE(s);
    EXPECT_THAT(s.error(), HasSubstr("footer is corrupt"));
    EXPECT_EQ(s.kind(), TrailerFault::corrupt);
    EXPECT_EQ(read_bytes(kernel_), corrupted_);
  }
  uint64_t footer_offset() const { return original_.size() + blob1_.size(); }
  std::vector<uint8_t> corrupted_;
};

TEST_F(CorruptTrailer, Magic) {
  const auto loc = corrupt("trailer-magic.sh");
  EXPECT_EQ(loc.status, TrailerStatus::absent);  // no longer a trailer at all
}

TEST_F(CorruptTrailer, Length) {
  const auto loc = corrupt("trailer-length.sh");
  EXPECT_EQ(loc.status, TrailerStatus::corrupt);
  ASSERT_TRUE(loc.error);
  EXPECT_EQ(loc.error->kind, TrailerFault::corrupt);
  EXPECT_THAT(loc.error->message, HasSubstr("blob length "));
  EXPECT_THAT(loc.error->message, HasSubstr("at offset " + std::to_string(footer_offset()) + " is out of range"));
  expect_refusals();
}

TEST_F(CorruptTrailer, Version) {
  const auto loc = corrupt("trailer-version.sh");
  EXPECT_EQ(loc.status, TrailerStatus::corrupt);
  ASSERT_TRUE(loc.error);
  EXPECT_EQ(loc.error->kind, TrailerFault::corrupt);
  EXPECT_EQ(loc.error->message, "unsupported trailer version 254 at offset " + std::to_string(footer_offset() + 8) +
                           " (this build reads version 1)");
  expect_refusals();
}

TEST_F(CorruptTrailer, Reserved) {
  const auto loc = corrupt("trailer-reserved.sh");
  EXPECT_EQ(loc.status, TrailerStatus::corrupt);
  ASSERT_TRUE(loc.error);
  EXPECT_EQ(loc.error->kind, TrailerFault::corrupt);
  EXPECT_EQ(loc.error->message, "reserved footer bytes at offset " + std::to_string(footer_offset() + 12) + " are not zero");
  expect_refusals();
}

TEST_F(CorruptTrailer, BlobNoLongerVerifies) {
  const auto loc = corrupt("trailer-blob.sh");
  ASSERT_EQ(loc.status, TrailerStatus::present);  // the footer is fine
  auto t = read_trailer(kernel_);
  Verified v;
  EXPECT_NE(verify_sealed(t->blob, keys_.trust, &v), VerifyStatus::ok);
  // Strip still restores the original: the footer says where it ends.
  ASSERT_TRUE(strip_trailer(kernel_));
  EXPECT_EQ(read_bytes(kernel_), original_);
}

// ---------------------------------------------------------------------------
// Corruption sweep: every single-bit flip of the footer and every
// truncation of an image with a trailer. Each is absent or corrupt with a
// reason naming the offset, or (a flipped length that still fits) a blob
// that does not verify; never a crash, never a policy.

class TrailerSweep : public ::testing::Test {
 protected:
  void SetUp() override {
    keys_ = make_keys(dir_.path(), "k");
    image_ = fake_kernel(3000);
    blob_ = make_blob(keys_, 1);
    image_.insert(image_.end(), blob_.begin(), blob_.end());
    const auto f = encode_trailer_footer(blob_.size());
    image_.insert(image_.end(), f.begin(), f.end());
    footer_ = image_.size() - kTrailerFooterSize;
  }

  // locate_trailer over the whole image, checked against the form
  // read_trailer uses (the last 40 bytes and the file size).
  TrailerLocation locate(std::span<const uint8_t> image) {
    TrailerLocation loc = locate_trailer(image);
    const TrailerLocation tail =
        locate_trailer(image.last(std::min<size_t>(image.size(), kTrailerFooterSize)), image.size());
    EXPECT_EQ(loc.status, tail.status);
    EXPECT_EQ(loc.error, tail.error);
    EXPECT_EQ(loc.blob_offset, tail.blob_offset);
    EXPECT_EQ(loc.blob_length, tail.blob_length);
    return loc;
  }

  VerifyStatus verify_at(std::span<const uint8_t> image, const TrailerLocation& loc) {
    Verified v;
    return verify_sealed(image.subspan(loc.blob_offset, loc.blob_length), keys_.trust, &v);
  }

  ScratchDir dir_;
  Keys keys_;
  std::vector<uint8_t> image_, blob_;
  size_t footer_ = 0;
};

TEST_F(TrailerSweep, ControlVerifies) {
  const auto loc = locate(image_);
  ASSERT_EQ(loc.status, TrailerStatus::present);
  EXPECT_EQ(loc.image_length, 3000u);
  EXPECT_EQ(verify_at(image_, loc), VerifyStatus::ok);
}

TEST_F(TrailerSweep, EveryBitOfTheFooter) {
  int corrupt = 0, absent = 0, moved = 0;
  for (size_t i = footer_; i < image_.size(); ++i) {
    const size_t field = i - footer_;
    for (int bit = 0; bit < 8; ++bit) {
      SCOPED_TRACE("bit " + std::to_string(bit) + " of footer byte " + std::to_string(field));
      image_[i] ^= static_cast<uint8_t>(1u << bit);
      const auto loc = locate(image_);
      if (field >= 16) {  // magic: no longer a trailer
        EXPECT_EQ(loc.status, TrailerStatus::absent);
      } else if (field >= 12) {
        EXPECT_EQ(loc.status, TrailerStatus::corrupt);
        EXPECT_EQ(loc.error->message, "reserved footer bytes at offset " + std::to_string(footer_ + 12) + " are not zero");
      } else if (field >= 8) {
        EXPECT_EQ(loc.status, TrailerStatus::corrupt);
        EXPECT_THAT(loc.error->message, HasSubstr("unsupported trailer version "));
        EXPECT_THAT(loc.error->message, HasSubstr(" at offset " + std::to_string(footer_ + 8) + " "));
      } else if (loc.status == TrailerStatus::present) {  // a length that still fits in the file
        EXPECT_NE(loc.blob_length, blob_.size());
        EXPECT_EQ(loc.blob_offset + loc.blob_length, footer_);
        EXPECT_NE(verify_at(image_, loc), VerifyStatus::ok);
      } else {
        EXPECT_EQ(loc.status, TrailerStatus::corrupt);
        EXPECT_THAT(loc.error->message, HasSubstr("blob length "));
        EXPECT_THAT(loc.error->message, HasSubstr(" at offset " + std::to_string(footer_) + " is out of range"));
      }
      corrupt += loc.status == TrailerStatus::corrupt;
      absent += loc.status == TrailerStatus::absent;
      moved += loc.status == TrailerStatus::present;
      image_[i] ^= static_cast<uint8_t>(1u << bit);
      if (HasFailure()) return;
    }
  }
  EXPECT_EQ(absent, 24 * 8);
  EXPECT_EQ(corrupt + moved, 16 * 8);
  EXPECT_GT(moved, 0);  // low length bits: the blob's start moves, and it no longer verifies
}

TEST_F(TrailerSweep, EveryTruncationIsAbsent) {
  for (size_t n = 0; n < image_.size(); ++n) {
    const auto loc = locate(std::span<const uint8_t>(image_.data(), n));
    ASSERT_EQ(loc.status, TrailerStatus::absent) << "truncation to " << n << " bytes";
  }
}

}  // namespace
}  // namespace bootseal

// SPDX-License-Identifier: GPL-2.0-only
// fileio: bounded whole-file reads, atomic replacement, SHA-256.
#include "bootseal/fileio.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "storage_fixture.hpp"

namespace bootseal {
namespace {

using namespace storagetest;
using ::testing::HasSubstr;

std::vector<uint8_t> bytes(const std::string& s) { return {s.begin(), s.end()}; }

// Names in `dir` other than `keep`: temporary files left behind.
std::vector<std::string> leftovers(const fs::path& dir, const std::string& keep) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename() != keep) names.push_back(e.path().filename().string());
  return names;
}

TEST(ReadFile, ReadsTheWholeFile) {
  ScratchDir dir;
  std::vector<uint8_t> data(200000);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 7);
  write_bytes(dir / "f", data);
  auto r = read_file(dir / "f", data.size());
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(*r, data);
}

TEST(ReadFile, RefusesAFileOverTheLimitNamingIt) {
  ScratchDir dir;
  write_bytes(dir / "big", std::vector<uint8_t>(101, 1));
  auto r = read_file(dir / "big", 100);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error(), HasSubstr((dir / "big").string() + " is 101 bytes, more than the limit of 100"));
  EXPECT_TRUE(read_file(dir / "big", 101));
}

TEST(ReadFile, BoundsAStreamWithoutASize) {
  // /dev/zero has no size to check first: the limit applies while reading.
  auto r = read_file("/dev/zero", 1000);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error(), HasSubstr("/dev/zero is larger than the limit of 1000 bytes"));
}

TEST(ReadFile, MissingFileIsNamed) {
  ScratchDir dir;
  auto r = read_file(dir / "nope", 10);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error(), HasSubstr("Failed to open " + (dir / "nope").string() + ": No such file or directory"));
}

TEST(WriteFileAtomic, CreatesWithTheModeAndLeavesNoTemporary) {
  ScratchDir dir;
  ASSERT_TRUE(write_file_atomic(dir / "f", bytes("hello"), 0600));
  EXPECT_EQ(read_bytes(dir / "f"), bytes("hello"));
  struct stat st {};
  ASSERT_EQ(::stat((dir / "f").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_THAT(leftovers(dir.path(), "f"), ::testing::IsEmpty());
}

TEST(WriteFileAtomic, ReplacesByRenameSoOpenReadersKeepTheOldFile) {
  ScratchDir dir;
  ASSERT_TRUE(write_file_atomic(dir / "f", bytes("old contents")));
  std::ifstream reader(dir / "f");  // opened before the replacement
  struct stat before {};
  ASSERT_EQ(::stat((dir / "f").c_str(), &before), 0);
  ASSERT_TRUE(write_file_atomic(dir / "f", bytes("new")));
  struct stat after {};
  ASSERT_EQ(::stat((dir / "f").c_str(), &after), 0);
  EXPECT_NE(before.st_ino, after.st_ino) << "the file was rewritten in place";
  EXPECT_EQ(read_bytes(dir / "f"), bytes("new"));
  std::string seen;
  std::getline(reader, seen);
  EXPECT_EQ(seen, "old contents");
  EXPECT_THAT(leftovers(dir.path(), "f"), ::testing::IsEmpty());
}

TEST(WriteFileAtomic, FailedRenameKeepsTheTargetAndRemovesTheTemporary) {
  // A non-empty directory where the file should go: rename(2) refuses.
  ScratchDir dir;
  fs::create_directories(dir / "f" / "inside");
  auto r = write_file_atomic(dir / "f", bytes("x"));
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error(), HasSubstr("Failed to rename a temporary file onto " + (dir / "f").string()));
  EXPECT_TRUE(fs::is_directory(dir / "f" / "inside"));
  EXPECT_THAT(leftovers(dir.path(), "f"), ::testing::IsEmpty());
}

TEST(WriteFileAtomic, MissingDirectoryIsNamed) {
  ScratchDir dir;
  auto r = write_file_atomic(dir / "no" / "f", bytes("x"));
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error(), HasSubstr("Failed to create a temporary file in " + (dir / "no").string()));
}

TEST(Sha256, KnownVectors) {
  // FIPS 180-2 examples.
  auto hex = [](const std::array<uint8_t, 32>& d) {
    std::string s;
    char b[3];
    for (uint8_t x : d) {
      std::snprintf(b, sizeof b, "%02x", x);
      s += b;
    }
    return s;
  };
  EXPECT_EQ(hex(sha256(bytes(""))), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(hex(sha256(bytes("abc"))), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace bootseal

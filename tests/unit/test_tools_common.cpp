// SPDX-License-Identifier: GPL-2.0-only
// tools/common.cpp, the pieces every bootseal subcommand shares: choosing
// the device or partition to work on, loading the trust store, naming
// algorithms and the notes about the initramfs.
#include "common.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "bootseal/discovery.hpp"
#include "storage_fixture.hpp"

namespace bootseal::tool {
namespace {

using namespace storagetest;
using ::testing::HasSubstr;

const std::string kLinux = "0FC63DAF-8483-4772-8E79-3D69D8477DE4";
const std::string kBootseal = std::string(kPartitionTypeGuid);

// A 6 MiB GPT disk image with 1 MiB partitions from 1 MiB: `parts` lists
// "TYPE name" per partition.
fs::path make_disk(const ScratchDir& dir, const std::string& name, const std::vector<std::string>& parts) {
  const fs::path img = dir / name;
  make_image(img, 6 * kMiB);
  std::string script = "label: gpt\n";
  uint64_t start = 2048;
  for (const auto& p : parts) {
    const auto sp = p.find(' ');
    script += "start=" + std::to_string(start) + ", size=2048, type=" + p.substr(0, sp) + ", name=" + p.substr(sp + 1) + "\n";
    start += 2048;
  }
  std::ofstream(img.string() + ".sfdisk") << script;
  EXPECT_TRUE(sh("sfdisk --quiet --no-reread --no-tell-kernel '" + img.string() + "' < '" + img.string() +
                 ".sfdisk' >/dev/null"));
  return img;
}

TEST(ResolveTarget, TheOneBootsealPartitionOfADisk) {
  ScratchDir dir;
  const auto disk = make_disk(dir, "disk.img", {kLinux + " root", kBootseal + " policy"});
  auto t = resolve_target(disk.string(), std::nullopt, true);
  ASSERT_TRUE(t) << t.error();
  EXPECT_EQ(t->offset, 2 * kMiB);
  ASSERT_TRUE(t->length);
  EXPECT_EQ(*t->length, kMiB);
  EXPECT_EQ(t->name, disk.string() + " partition 2");
}

TEST(ResolveTarget, PartlabelCountsAsBootseal) {
  ScratchDir dir;
  const auto disk = make_disk(dir, "disk.img", {kLinux + " root", kLinux + " data", kLinux + " bootseal"});
  auto t = resolve_target(disk.string(), std::nullopt, true);
  ASSERT_TRUE(t) << t.error();
  EXPECT_EQ(t->offset, 3 * kMiB);
}

TEST(ResolveTarget, SeveralBootsealPartitionsNeedAChoice) {
  ScratchDir dir;
  const auto disk = make_disk(dir, "disk.img", {kBootseal + " a", kLinux + " root", kBootseal + " b"});
  auto t = resolve_target(disk.string(), std::nullopt, true);
  ASSERT_FALSE(t);
  EXPECT_THAT(t.error(), HasSubstr(disk.string() + ": holds several bootseal partitions (1 and 3); choose one with --partition N"));
  // The twin: naming one resolves to it.
  t = resolve_target(disk.string(), 3, true);
  ASSERT_TRUE(t) << t.error();
  EXPECT_EQ(t->offset, 3 * kMiB);
  EXPECT_EQ(t->name, disk.string() + " partition 3");
}

TEST(ResolveTarget, DiskWithoutABootsealPartitionIsRefused) {
  ScratchDir dir;
  const auto disk = make_disk(dir, "disk.img", {kLinux + " root"});
  auto t = resolve_target(disk.string(), std::nullopt, true);
  ASSERT_FALSE(t);
  EXPECT_THAT(t.error(), HasSubstr(disk.string() + ": holds a gpt partition table without a bootseal partition (type GUID " +
                                   kBootseal + " or PARTLABEL bootseal)"));
  // Without auto-selection the whole disk is the target (format refuses it later).
  t = resolve_target(disk.string(), std::nullopt, false);
  ASSERT_TRUE(t) << t.error();
  EXPECT_EQ(t->offset, 0u);
  EXPECT_FALSE(t->length);
}

TEST(ResolveTarget, PartitionNumbersAreChecked) {
  ScratchDir dir;
  const auto disk = make_disk(dir, "disk.img", {kLinux + " root"});
  auto t = resolve_target(disk.string(), 4, true);
  ASSERT_FALSE(t);
  EXPECT_THAT(t.error(), HasSubstr(disk.string() + ": has no partition 4"));
  const auto plain = dir / "plain.img";
  make_image(plain, kMiB);
  t = resolve_target(plain.string(), 1, true);
  ASSERT_FALSE(t);
  EXPECT_THAT(t.error(), HasSubstr(plain.string() + ": has no partition table; --partition needs a disk"));
  // The twin: an image without a table is itself the target.
  t = resolve_target(plain.string(), std::nullopt, true);
  ASSERT_TRUE(t) << t.error();
  EXPECT_EQ(t->path, plain.string());
  EXPECT_EQ(t->offset, 0u);
}

TEST(ResolveTarget, MissingDeviceIsNamed) {
  ScratchDir dir;
  auto t = resolve_target((dir / "nope").string(), std::nullopt, true);
  ASSERT_FALSE(t);
  EXPECT_THAT(t.error(), HasSubstr((dir / "nope").string()));
}

TEST(LoadTrust, NamedStoreIsLoadedOrNamedInTheError) {
  ScratchDir dir;
  const Keys keys = make_keys(dir.path(), "k");
  auto t = load_trust((dir / "k.pem").string(), true);
  ASSERT_TRUE(t) << t.error();
  ASSERT_NE(t->get(), nullptr);
  EXPECT_EQ(t->get()->keys().size(), 1u);
  EXPECT_EQ(t->origin, (dir / "k.pem").string());
  t = load_trust((dir / "missing.pem").string(), false);
  ASSERT_FALSE(t) << "a store named with --trust must exist, required or not";
  EXPECT_THAT(t.error(), HasSubstr((dir / "missing.pem").string()));
}

TEST(Notes, FloorNoteSaysWhatToSetAndToRegenerate) {
  std::ostringstream out;
  note_initramfs_floor(out, 7);
  EXPECT_EQ(out.str(),
            "note: the initramfs keeps its own rollback floor ('floor' in /etc/bootseal/loader.conf); to have it "
            "refuse generations below 7 too, set 'floor = 7' there and regenerate the initramfs (dracut --force, "
            "or update-initramfs -u)\n");
}

TEST(Fail, PrintsOneLineAndReturnsTheCode) {
  ::testing::internal::CaptureStderr();
  const int rc = fail(5, "part.img: no slot holds a valid policy");
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "bootseal: part.img: no slot holds a valid policy\n");
  EXPECT_EQ(rc, 5);
}

}  // namespace
}  // namespace bootseal::tool

// SPDX-License-Identifier: GPL-2.0-only
// Discovery: libblkid on a GPT disk image made with sfdisk (a bootseal
// partition by type GUID and one by PARTLABEL among others), block-device
// scanning through a fake sysfs, kernel trailers (named and the running
// kernel's), plain files, the choice rule and the report of every source.
#include "bootseal/discovery.hpp"

#include <gmock/gmock.h>
#include <fstream>
#include <gtest/gtest.h>

#include "bootseal/trailer.hpp"
#include "storage_fixture.hpp"

namespace bootseal {
namespace {

using namespace storagetest;
using ::testing::HasSubstr;

// A GPT disk image: 1 ESP, 2 root (Linux), 3 bootseal (type GUID, name
// "policy"), 4 Linux data named "bootseal" (PARTLABEL), 1 MiB each from 1 MiB.
void make_disk(const fs::path& img, bool with_bootseal = true) {
  make_image(img, 8 * kMiB);
  std::string script =
      "label: gpt\n"
      "start=2048, size=2048, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name=esp\n"
      "start=4096, size=2048, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name=root\n";
  if (with_bootseal)
    script +=
        "start=6144, size=2048, type=" + std::string(kPartitionTypeGuid) + ", name=policy\n"
        "start=8192, size=2048, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name=bootseal\n";
  else
    script += "start=6144, size=2048, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name=data\n";
  const fs::path in = img.string() + ".sfdisk";
  std::ofstream(in) << script;
  ASSERT_TRUE(sh("sfdisk --quiet --no-reread --no-tell-kernel '" + img.string() + "' < '" + in.string() +
                 "' >/dev/null"));
}

class DiscoveryTest : public ::testing::Test {
 protected:
  void SetUp() override { keys_ = make_keys(dir_.path(), "k"); }

  // Formats the partition at [offset, offset + 1 MiB) of `img` and installs
  // the given generations in order.
  void fill_partition(const fs::path& img, uint64_t offset, const std::vector<uint64_t>& generations) {
    auto dev = FileDevice::open(img.string(), true, offset, kMiB);
    ASSERT_TRUE(dev) << dev.error();
    ASSERT_TRUE(format_partition(**dev));
    for (uint64_t g : generations) {
      auto r = install_blob(**dev, make_blob(keys_, g), keys_.trust);
      ASSERT_TRUE(r.ok()) << r.error();
    }
  }

  fs::path kernel_with_trailer(const std::string& name, uint64_t generation) {
    fs::path k = dir_ / name;
    write_bytes(k, std::vector<uint8_t>(64 * 1024, 0x90));
    auto r = append_trailer(k, make_blob(keys_, generation), AppendMode::refuse_existing);
    EXPECT_TRUE(r) << r.error();
    return k;
  }

  fs::path blob_file(const std::string& name, uint64_t generation) {
    fs::path f = dir_ / name;
    write_bytes(f, make_blob(keys_, generation));
    return f;
  }

  ScratchDir dir_;
  Keys keys_;
};

TEST_F(DiscoveryTest, ProbeSeesTheGptPartitions) {
  const fs::path disk = dir_ / "disk.img";
  make_disk(disk);
  auto p = probe_device(disk.string());
  ASSERT_TRUE(p) << p.error();
  EXPECT_EQ(p->pttype, "gpt");
  ASSERT_EQ(p->partitions.size(), 4u);
  EXPECT_EQ(p->partitions[2].number, 3);
  EXPECT_EQ(p->partitions[2].start, 3 * kMiB);
  EXPECT_EQ(p->partitions[2].size, kMiB);
  EXPECT_EQ(p->partitions[2].type, kPartitionTypeGuid);
  EXPECT_EQ(p->partitions[2].name, "policy");
  EXPECT_TRUE(p->partitions[2].bootseal());
  EXPECT_TRUE(p->partitions[3].bootseal());  // by PARTLABEL
  EXPECT_FALSE(p->partitions[0].bootseal());
  EXPECT_FALSE(p->partitions[1].bootseal());
  EXPECT_FALSE(p->empty());
}

TEST_F(DiscoveryTest, ProbeSeesFilesystemsAndOtherData) {
  const fs::path img = dir_ / "fs.img";
  make_image(img, 4 * kMiB);
  ASSERT_TRUE(sh("mkswap '" + img.string() + "' >/dev/null 2>&1"));
  auto p = probe_device(img.string());
  ASSERT_TRUE(p) << p.error();
  EXPECT_EQ(p->fstype, "swap");
  EXPECT_FALSE(p->empty());

  const fs::path zero = dir_ / "zero.img";
  make_image(zero, 4 * kMiB);
  auto z = probe_device(zero.string());
  ASSERT_TRUE(z);
  EXPECT_TRUE(z->empty());

  write_bytes(dir_ / "junk.img", std::vector<uint8_t>(700, 0));
  {
    std::fstream f(dir_ / "junk.img", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(612);
    f.put('x');
  }
  auto j = probe_device((dir_ / "junk.img").string());
  ASSERT_TRUE(j);
  ASSERT_TRUE(j->nonzero_offset);
  EXPECT_EQ(*j->nonzero_offset, 612u);

  fill_partition(zero, 0, {});
  auto b = probe_device(zero.string());
  ASSERT_TRUE(b);
  EXPECT_TRUE(b->bootseal_partition);
}

TEST_F(DiscoveryTest, FindsBootsealPartitionsOnADiskImage) {
  const fs::path disk = dir_ / "disk.img";
  make_disk(disk);
  fill_partition(disk, 3 * kMiB, {1, 2});  // partition 3: generation 2 in slot B
  fill_partition(disk, 4 * kMiB, {5});     // partition 4: generation 5 in slot A
  DiscoveryRequest req;
  req.devices = {disk.string()};
  req.trust = &keys_.trust;
  const auto rep = discover(req);
  ASSERT_EQ(rep.examined.size(), 2u);
  EXPECT_TRUE(rep.examined[0].usable);
  EXPECT_EQ(rep.examined[0].outcome, "generation 2 in slot B, verified");
  EXPECT_THAT(rep.examined[0].source.description,
              HasSubstr("partition 3, offset 3145728, bootseal type GUID"));
  EXPECT_THAT(rep.examined[0].details, ::testing::Contains(HasSubstr("slot A (offset 8192): obsolete, generation 1")));
  EXPECT_THAT(rep.examined[1].source.description, HasSubstr("partition 4, offset 4194304, PARTLABEL bootseal"));
  ASSERT_EQ(rep.candidates.size(), 2u);
  const Candidate* c = rep.choice();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->generation(), 5u);
  EXPECT_EQ(c->source.offset, 4 * kMiB);
  EXPECT_EQ(*c->slot, 0);
  EXPECT_TRUE(c->verified);
}

TEST_F(DiscoveryTest, DiskWithoutBootsealPartitionIsReported) {
  const fs::path disk = dir_ / "plain.img";
  make_disk(disk, false);
  DiscoveryRequest req;
  req.devices = {disk.string()};
  req.trust = &keys_.trust;
  const auto rep = discover(req);
  EXPECT_FALSE(rep.choice());
  ASSERT_EQ(rep.examined.size(), 1u);
  EXPECT_EQ(rep.examined[0].outcome,
            "gpt partition table with 3 partitions, none with the bootseal type GUID or PARTLABEL");
}

TEST_F(DiscoveryTest, UnformattedBootsealPartitionIsSkippedWithTheReason) {
  const fs::path disk = dir_ / "disk.img";
  make_disk(disk);
  DiscoveryRequest req;
  req.devices = {disk.string()};
  req.trust = &keys_.trust;
  const auto rep = discover(req);
  EXPECT_FALSE(rep.choice());
  ASSERT_EQ(rep.examined.size(), 2u);
  EXPECT_FALSE(rep.examined[0].usable);
  EXPECT_THAT(rep.examined[0].outcome, HasSubstr("no valid partition header"));
}

TEST_F(DiscoveryTest, PartitionWithNoServingSlotListsItsSlots) {
  const fs::path part = dir_ / "part.img";
  make_image(part, kMiB);
  fill_partition(part, 0, {1, 2});
  ASSERT_TRUE(run_generator("both-slots.sh", part));
  DiscoveryRequest req;
  req.devices = {part.string()};
  req.trust = &keys_.trust;
  const auto rep = discover(req);
  ASSERT_EQ(rep.examined.size(), 1u);
  EXPECT_EQ(rep.examined[0].outcome, "no slot holds a valid policy at or above the partition's floor 0");
  ASSERT_EQ(rep.examined[0].details.size(), 2u);
  EXPECT_THAT(rep.examined[0].details[0], HasSubstr("slot A (offset 8192): corrupt: slot header: checksum mismatch"));
  EXPECT_THAT(rep.examined[0].details[1], HasSubstr("slot B"));
}

TEST_F(DiscoveryTest, NamedPartitionWithoutATable) {
  const fs::path part = dir_ / "part.img";
  make_image(part, kMiB);
  fill_partition(part, 0, {3});
  DiscoveryRequest req;
  req.devices = {part.string()};
  req.trust = &keys_.trust;
  const auto rep = discover(req);
  ASSERT_TRUE(rep.choice());
  EXPECT_EQ(rep.choice()->generation(), 3u);
  EXPECT_EQ(rep.choice()->source.path, part.string());
  EXPECT_EQ(rep.choice()->source.kind, SourceKind::partition);
}

TEST_F(DiscoveryTest, NamedDeviceWithAFilesystemIsSkipped) {
  const fs::path img = dir_ / "swap.img";
  make_image(img, kMiB);
  ASSERT_TRUE(sh("mkswap '" + img.string() + "' >/dev/null 2>&1"));
  DiscoveryRequest req;
  req.devices = {img.string()};
  const auto rep = discover(req);
  ASSERT_EQ(rep.examined.size(), 1u);
  EXPECT_EQ(rep.examined[0].outcome, "holds swap, not a bootseal partition");
}

TEST_F(DiscoveryTest, HighestGenerationWinsAcrossSourceKinds) {
  const fs::path part = dir_ / "part.img";
  make_image(part, kMiB);
  fill_partition(part, 0, {3});
  DiscoveryRequest req;
  req.devices = {part.string()};
  req.kernel_images = {kernel_with_trailer("vmlinuz", 4).string()};
  req.files = {blob_file("policy.blob", 2).string()};
  req.trust = &keys_.trust;
  const auto rep = discover(req);
  ASSERT_EQ(rep.candidates.size(), 3u);
  ASSERT_EQ(rep.examined.size(), 3u);
  EXPECT_EQ(rep.examined[0].source.kind, SourceKind::partition);
  EXPECT_EQ(rep.examined[1].source.kind, SourceKind::trailer);
  EXPECT_EQ(rep.examined[2].source.kind, SourceKind::file);
  EXPECT_EQ(rep.examined[1].outcome, "generation 4 in trailer, verified");
  ASSERT_TRUE(rep.choice());
  EXPECT_EQ(rep.choice()->source.kind, SourceKind::trailer);
  EXPECT_EQ(rep.choice()->generation(), 4u);
}

TEST_F(DiscoveryTest, EqualGenerationsPreferTheEarlierSource) {
  const fs::path part = dir_ / "part.img";
  make_image(part, kMiB);
  fill_partition(part, 0, {4});
  DiscoveryRequest req;
  req.files = {blob_file("policy.blob", 4).string()};
  req.kernel_images = {kernel_with_trailer("vmlinuz", 4).string()};
  req.devices = {part.string()};
  req.trust = &keys_.trust;
  auto rep = discover(req);
  ASSERT_EQ(rep.candidates.size(), 3u);
  EXPECT_EQ(rep.choice()->source.kind, SourceKind::partition);
  req.devices.clear();
  rep = discover(req);
  EXPECT_EQ(rep.choice()->source.kind, SourceKind::trailer);
}

TEST_F(DiscoveryTest, FloorSkipsOlderPolicies) {
  const fs::path part = dir_ / "part.img";
  make_image(part, kMiB);
  fill_partition(part, 0, {3});
  DiscoveryRequest req;
  req.devices = {part.string()};
  req.files = {blob_file("policy.blob", 4).string()};
  req.trust = &keys_.trust;
  req.floor = 4;
  const auto rep = discover(req);
  ASSERT_EQ(rep.candidates.size(), 1u);
  EXPECT_EQ(rep.examined[0].outcome, "generation 3 in slot A is below the floor 4");
  EXPECT_EQ(rep.choice()->source.kind, SourceKind::file);
}

TEST_F(DiscoveryTest, OnlyThePolicyTheMachineTakesCounts) {
  // loader.conf's `policy`: a newer, well-signed policy of another name
  // (another class of machines) is skipped, and says why.
  Document other = make_document(9, 1);
  other.name = "db-server";
  auto sealed = seal(other, keys_.signing);
  ASSERT_TRUE(sealed.ok()) << sealed.error();
  const fs::path db = dir_ / "db.blob";
  write_bytes(db, *sealed);
  DiscoveryRequest req;
  req.files = {db.string(), blob_file("policy.blob", 4).string()};
  req.trust = &keys_.trust;
  req.policy_name = make_document(4, 1).name;
  auto rep = discover(req);
  ASSERT_EQ(rep.candidates.size(), 1u);
  EXPECT_EQ(rep.choice()->generation(), 4u);
  EXPECT_EQ(rep.examined[0].outcome,
            "policy \"db-server\" in file is not \"" + req.policy_name + "\", the policy this machine takes");
  req.policy_name.clear();
  rep = discover(req);
  EXPECT_EQ(rep.choice()->generation(), 9u);  // without it, the newest of any name
}

TEST_F(DiscoveryTest, UntrustedAndMissingSourcesAreReported) {
  Keys other = make_keys(dir_.path(), "other");
  const fs::path rogue = dir_ / "rogue.blob";
  write_bytes(rogue, make_blob(other, 9));
  const fs::path plain = dir_ / "plain-kernel";
  write_bytes(plain, std::vector<uint8_t>(5000, 1));
  DiscoveryRequest req;
  req.files = {rogue.string(), (dir_ / "missing.blob").string()};
  req.kernel_images = {plain.string()};
  req.trust = &keys_.trust;
  const auto rep = discover(req);
  EXPECT_FALSE(rep.choice());
  ASSERT_EQ(rep.examined.size(), 3u);
  EXPECT_EQ(rep.examined[0].outcome, "no bootseal trailer");
  EXPECT_EQ(rep.examined[1].outcome,
            "blob does not verify: " + std::string(to_string(VerifyStatus::unknown_key)));
  EXPECT_THAT(rep.examined[2].outcome, HasSubstr("missing.blob"));
  // Without a trust store the rogue blob is a well-formed, unverified candidate.
  req.trust = nullptr;
  const auto unverified = discover(req);
  ASSERT_TRUE(unverified.choice());
  EXPECT_FALSE(unverified.choice()->verified);
  EXPECT_EQ(unverified.examined[1].outcome, "generation 9 in file, not verified");
}

TEST_F(DiscoveryTest, CorruptTrailerFooterIsReported) {
  const fs::path k = kernel_with_trailer("vmlinuz", 2);
  ASSERT_TRUE(run_generator("trailer-version.sh", k));
  DiscoveryRequest req;
  req.kernel_images = {k.string()};
  req.trust = &keys_.trust;
  const auto rep = discover(req);
  ASSERT_EQ(rep.examined.size(), 1u);
  EXPECT_THAT(rep.examined[0].outcome, HasSubstr("corrupt trailer footer: unsupported trailer version 254"));
}

TEST_F(DiscoveryTest, RunningKernelFromBootImage) {
  const fs::path root = dir_ / "root";
  fs::create_directories(root / "boot");
  fs::rename(kernel_with_trailer("k", 6), root / "boot/vmlinuz-6.1.0-test");
  DiscoveryRequest req;
  req.running_kernel_root = root.string();
  req.cmdline = "BOOT_IMAGE=/boot/vmlinuz-6.1.0-test root=UUID=1234 ro quiet";
  req.trust = &keys_.trust;
  auto rep = discover(req);
  ASSERT_TRUE(rep.choice());
  EXPECT_EQ(rep.choice()->generation(), 6u);
  EXPECT_EQ(rep.choice()->source.path, (root / "boot/vmlinuz-6.1.0-test").string());
  EXPECT_THAT(rep.choice()->source.description, HasSubstr("(BOOT_IMAGE=/boot/vmlinuz-6.1.0-test)"));

  // GRUB with a separate /boot: the path is relative to that filesystem.
  req.cmdline = "BOOT_IMAGE=(hd0,gpt2)/vmlinuz-6.1.0-test root=/dev/vda3";
  rep = discover(req);
  ASSERT_EQ(rep.examined.size(), 2u);
  EXPECT_EQ(rep.examined[0].source.path, (root / "vmlinuz-6.1.0-test").string());
  EXPECT_EQ(rep.examined[0].outcome, "no such file");
  ASSERT_TRUE(rep.choice());
  EXPECT_EQ(rep.choice()->source.path, (root / "boot/vmlinuz-6.1.0-test").string());

  // No BOOT_IMAGE: /boot/vmlinuz-<release>.
  req.cmdline = "root=/dev/vda3 ro";
  req.kernel_release = "6.1.0-test";
  rep = discover(req);
  ASSERT_TRUE(rep.choice());
  EXPECT_THAT(rep.choice()->source.description, HasSubstr("(running kernel 6.1.0-test)"));
  req.kernel_release = "6.1.0-other";
  rep = discover(req);
  EXPECT_FALSE(rep.choice());
  EXPECT_EQ(rep.examined[0].outcome, "no such file");
}

TEST(BootImage, FromCommandLine) {
  EXPECT_EQ(boot_image_from_cmdline("BOOT_IMAGE=/boot/vmlinuz-6.1.0-13-amd64 root=UUID=x ro"),
            "/boot/vmlinuz-6.1.0-13-amd64");
  EXPECT_EQ(boot_image_from_cmdline("BOOT_IMAGE=(hd0,gpt2)/vmlinuz-6.1 ro"), "/vmlinuz-6.1");
  EXPECT_EQ(boot_image_from_cmdline("quiet BOOT_IMAGE=\"/boot/my kernel\" ro"), "/boot/my kernel");
  EXPECT_EQ(boot_image_from_cmdline("root=/dev/vda1 ro"), "");
  EXPECT_EQ(boot_image_from_cmdline("BOOT_IMAGE=(hd0"), "");
  EXPECT_EQ(boot_image_from_cmdline(""), "");
  // The kernel's splitting (test_cmdline.cpp): its whitespace, quotes kept
  // inside a value, and nothing after "--", which belongs to init.
  EXPECT_EQ(boot_image_from_cmdline("BOOT_IMAGE=/vmlinuz\xA0ro"), "/vmlinuz");
  EXPECT_EQ(boot_image_from_cmdline("BOOT_IMAGE=/boot/a\"b c\" ro"), "/boot/a\"b c\"");
  EXPECT_EQ(boot_image_from_cmdline("ro -- BOOT_IMAGE=/vmlinuz"), "");
}

TEST_F(DiscoveryTest, ScansBlockDevicesThroughSysfs) {
  // A fake sysfs and /dev: vdb is a disk with a bootseal partition 3 (vdb3),
  // vda a disk without one, ram0 and an empty loop0 are ignored.
  const fs::path sys = dir_ / "sys", dev = dir_ / "dev";
  fs::create_directories(dev);
  make_disk(dev / "vdb");
  fill_partition(dev / "vdb", 3 * kMiB, {7});
  make_disk(dev / "vda", false);
  for (const std::string n : {"vda", "vdb", "ram0", "loop0"}) {
    fs::create_directories(sys / "class/block" / n);
    std::ofstream(sys / "class/block" / n / "size") << (n == "loop0" ? 0 : 16384) << "\n";
  }
  fs::create_directories(sys / "class/block/vdb/vdb3");
  std::ofstream(sys / "class/block/vdb/vdb3/partition") << "3\n";
  fs::create_directories(sys / "class/block/vdb3");
  std::ofstream(sys / "class/block/vdb3/partition") << "3\n";
  DiscoveryRequest req;
  req.scan_block_devices = true;
  req.sysfs = sys.string();
  req.dev = dev.string();
  req.trust = &keys_.trust;
  const auto rep = discover(req);
  ASSERT_EQ(rep.examined.size(), 3u);  // vda; vdb partitions 3 and 4
  EXPECT_EQ(rep.examined[0].source.path, (dev / "vda").string());
  EXPECT_FALSE(rep.examined[0].usable);
  ASSERT_TRUE(rep.choice());
  EXPECT_EQ(rep.choice()->generation(), 7u);
  EXPECT_THAT(rep.choice()->source.description,
              HasSubstr((dev / "vdb3").string() + " (partition 3 of " + (dev / "vdb").string() + ")"));
}

}  // namespace
}  // namespace bootseal

namespace bootseal {
namespace {

// The 8-byte GPT header signature at `offset` of `img`, as text.
std::string gpt_signature_at(const fs::path& img, uint64_t offset) {
  std::ifstream in(img, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(offset));
  std::string sig(8, '\0');
  in.read(sig.data(), 8);
  return in ? sig : "<short read>";
}

TEST(WipeSignatures, ErasesBothGptHeadersAndFilesystems) {
  // The probe ignores a GPT whose protective MBR is gone, so an empty
  // probe alone would not show that both headers went: read them.
  storagetest::ScratchDir dir;
  const auto disk = dir / "disk.img";
  make_disk(disk);
  const uint64_t size = fs::file_size(disk);
  ASSERT_EQ(gpt_signature_at(disk, 512), "EFI PART");          // primary header, LBA 1
  ASSERT_EQ(gpt_signature_at(disk, size - 512), "EFI PART");   // backup header, last LBA
  auto wiped = wipe_signatures(disk.string());
  ASSERT_TRUE(wiped) << wiped.error();
  EXPECT_THAT(*wiped, ::testing::Contains("gpt"));
  EXPECT_NE(gpt_signature_at(disk, 512), "EFI PART") << "the primary GPT header survived";
  EXPECT_NE(gpt_signature_at(disk, size - 512), "EFI PART") << "the backup GPT header survived";
  auto p = probe_device(disk.string());
  ASSERT_TRUE(p);
  EXPECT_EQ(p->pttype, "");
  EXPECT_TRUE(p->partitions.empty());

  const auto swap = dir / "swap.img";
  storagetest::make_image(swap, 4 * kMiB);
  ASSERT_TRUE(sh("mkswap '" + swap.string() + "' >/dev/null 2>&1"));
  wiped = wipe_signatures(swap.string());
  ASSERT_TRUE(wiped);
  EXPECT_EQ(*wiped, std::vector<std::string>{"swap"});
  EXPECT_EQ(probe_device(swap.string())->fstype, "");
}

TEST(FilesystemSpecs, TagsAndUdevLinksAreRead) {
  EXPECT_EQ(spec_tag("LABEL=boot"), (SpecTag{"LABEL", "boot"}));
  EXPECT_EQ(spec_tag("UUID=\"5e1f0c4a-2b7d-4c11-9a3e-0d6f2b8c7a91\""),
            (SpecTag{"UUID", "5e1f0c4a-2b7d-4c11-9a3e-0d6f2b8c7a91"}));
  EXPECT_EQ(spec_tag("PARTUUID=abcd-01"), (SpecTag{"PARTUUID", "abcd-01"}));
  EXPECT_EQ(spec_tag("PARTLABEL='my root'"), (SpecTag{"PARTLABEL", "my root"}));
  // udev's links stand for their tag, its escapes decoded.
  EXPECT_EQ(spec_tag("/dev/disk/by-label/my\\x20boot"), (SpecTag{"LABEL", "my boot"}));
  EXPECT_EQ(spec_tag("/dev/disk/by-uuid/5e1f0c4a-2b7d-4c11-9a3e-0d6f2b8c7a91"),
            (SpecTag{"UUID", "5e1f0c4a-2b7d-4c11-9a3e-0d6f2b8c7a91"}));
  EXPECT_EQ(spec_tag("/dev/disk/by-partlabel/esp"), (SpecTag{"PARTLABEL", "esp"}));
  // A device path names its device; other tags and empty values are not looked up.
  EXPECT_FALSE(spec_tag("/dev/vdb"));
  EXPECT_FALSE(spec_tag("/dev/disk/by-id/virtio-boot"));
  EXPECT_FALSE(spec_tag("/dev/disk/by-label/"));
  EXPECT_FALSE(spec_tag("ID=foo"));
  EXPECT_FALSE(spec_tag("LABEL="));
  EXPECT_FALSE(spec_tag("LABEL=\"\""));
}

TEST(FilesystemSpecs, ADevicePathGivesItsFilesystemsUuid) {
  storagetest::ScratchDir dir;
  const auto swap = dir / "swap.img";
  storagetest::make_image(swap, 4 * kMiB);
  ASSERT_TRUE(sh("mkswap -U 0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9 '" + swap.string() + "' >/dev/null 2>&1"));
  FilesystemFinder finder;
  auto found = finder.find(swap.string());
  ASSERT_TRUE(found) << found.error();
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].uuid, "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9");
  EXPECT_EQ((*found)[0].device, swap.string());
  EXPECT_EQ((*found)[0].type, "swap");  // what the xfs probe skips when a line says xfs
  // Asked again, the finder gives its first answer without reading the
  // device: the swap signature gone from it, the same UUID and type.
  storagetest::make_image(swap, 4 * kMiB);
  ASSERT_FALSE(FilesystemFinder().find(swap.string()));  // a new finder reads it: nothing there
  auto again = finder.find(swap.string());
  ASSERT_TRUE(again) << again.error();
  EXPECT_EQ((*again)[0].uuid, "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9");
  EXPECT_EQ((*again)[0].type, "swap");
  const auto zero = dir / "zero.img";
  storagetest::make_image(zero, 1 * kMiB);
  auto none = finder.find(zero.string());
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error(), zero.string() + ": libblkid finds no filesystem on " + zero.string());
  auto other = finder.find("ID=foo");
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error(), "ID=foo: not a tag or device path the loader looks up");
}

}  // namespace
}  // namespace bootseal

// SPDX-License-Identifier: GPL-2.0-only
// Protected names: the component walk under the new root (real trees with
// symlinks, "..", absolute targets, loops), what compile() makes of it
// (the names and ancestors maps, BS_KIND_NAME entries), the map-level
// decision by name, and the dry-run listing.
#include "bootseal/loader/compiler.hpp"
#include "bootseal/loader/places.hpp"

#include "bootseal/language.hpp"

#include "policy_builders.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

namespace bootseal::loader {
namespace {

namespace fs = std::filesystem;
using namespace bootseal::testing;

class Tree {
 public:
  Tree() {
    char tmpl[] = "/tmp/bootseal-names-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~Tree() { fs::remove_all(path_); }
  Tree(const Tree&) = delete;
  Tree& operator=(const Tree&) = delete;
  const std::string& path() const { return path_; }
  void file(const std::string& rel) {
    fs::create_directories(fs::path(path_ + rel).parent_path());
    std::ofstream(path_ + rel) << rel;
  }
  void dir(const std::string& rel) { fs::create_directories(path_ + rel); }
  void link(const std::string& target, const std::string& rel) {
    fs::create_directories(fs::path(path_ + rel).parent_path());
    ASSERT_EQ(::symlink(target.c_str(), (path_ + rel).c_str()), 0) << rel;
  }
  // The inode of `rel` itself (a symlink not followed); "" is the root.
  InodeId id(const std::string& rel) const {
    struct stat st {};
    EXPECT_EQ(::lstat((path_ + rel).c_str(), &st), 0) << rel;
    return InodeId{kernel_dev(st.st_dev), st.st_ino};
  }
  EntryName name(const std::string& dir, const std::string& entry) const { return EntryName{id(dir), entry}; }

 private:
  std::string path_;
};

std::string names_text(const NameResolution& r) {
  std::string s;
  for (const auto& n : r.names) s += std::to_string(n.dir.ino) + "/" + n.entry + " ";
  return s;
}

// ---------------------------------------------------------------------------
// The walk.

TEST(ResolveNames, ExistingFileHasItsNameAndDirectoriesAbove) {
  Tree t;
  t.file("/etc/shadow");
  auto r = RootResolver::open(t.path());
  ASSERT_TRUE(r.ok());
  std::string err;
  auto res = r->resolve_names("/etc/shadow", &err);
  ASSERT_TRUE(res) << err;
  EXPECT_EQ(res->object, t.id("/etc/shadow"));
  ASSERT_EQ(res->names.size(), 1u);
  EXPECT_EQ(res->names[0], t.name("/etc", "shadow"));
  EXPECT_EQ(res->ancestors, (std::map<InodeId, uint8_t>{{t.id(""), BS_ANCESTOR_DIR}, {t.id("/etc"), BS_ANCESTOR_DIR}}));
  // "", "." and a trailing slash are skipped.
  auto same = r->resolve_names("//etc/./shadow", &err);
  ASSERT_TRUE(same) << err;
  EXPECT_EQ(same->names, res->names);
  EXPECT_EQ(same->object, res->object);
}

TEST(ResolveNames, AbsentFileInAnExistingDirectoryIsANameOnly) {
  Tree t;
  t.dir("/etc");
  auto r = RootResolver::open(t.path());
  std::string err;
  auto res = r->resolve_names("/etc/shadow", &err);
  ASSERT_TRUE(res) << err;
  EXPECT_FALSE(res->object);
  ASSERT_EQ(res->names.size(), 1u);
  EXPECT_EQ(res->names[0], t.name("/etc", "shadow"));
  // No fstab: no directory of the policy takes a mount.
  EXPECT_EQ(res->ancestors.at(t.id("/etc")), BS_ANCESTOR_DIR);
  EXPECT_EQ(res->ancestors.at(t.id("")), BS_ANCESTOR_DIR);
  // The empty directory of a name with no file yet, that the fstab mounts
  // on, may take that mount (the name then is the mounted filesystem's
  // entry); the root above it may not.
  r->set_fstab_mount_points({"/", "/etc"});
  auto listed = r->resolve_names("/etc/shadow", &err);
  ASSERT_TRUE(listed) << err;
  EXPECT_EQ(listed->ancestors.at(t.id("/etc")), BS_ANCESTOR_PARENT);
  EXPECT_EQ(listed->ancestors.at(t.id("")), BS_ANCESTOR_DIR);
  // Once it holds anything, a mount on it would hide that.
  t.file("/etc/passwd");
  auto full = r->resolve_names("/etc/shadow", &err);
  ASSERT_TRUE(full) << err;
  EXPECT_EQ(full->ancestors.at(t.id("/etc")), BS_ANCESTOR_DIR);
}

TEST(ResolveNames, ADirectoryOfNamesTakesItsFstabLinesType) {
  Tree t;
  t.dir("/srv");
  t.dir("/tmp");
  auto r = RootResolver::open(t.path());
  ASSERT_TRUE(r.ok());
  const auto lines = parse_fstab_entries(
      "LABEL=data /srv ext4 defaults 0 2\n"
      "tmpfs /tmp tmpfs defaults 0 0\n"
      "LABEL=a /mix ext4 noauto 0 0\nLABEL=b /mix xfs noauto 0 0\n"
      "LABEL=c /old ext3 defaults 0 0\nserver:/x /nfs nfs defaults 0 0\n");
  const auto types = fstab_names_fs(lines);
  EXPECT_EQ(types, (std::map<std::string, uint8_t>{{"/srv", BS_NAMES_FS_EXT4},
                                                   {"/tmp", BS_NAMES_FS_TMPFS},
                                                   {"/mix", BS_NAMES_FS_KEPT},
                                                   {"/old", BS_NAMES_FS_EXT4},
                                                   {"/nfs", BS_NAMES_FS_KEPT}}));
  r->set_fstab_mount_points({"/", "/srv", "/tmp"});
  r->set_fstab_names_fs(types);
  std::string err;
  auto srv = r->resolve_names("/srv/secret", &err);
  ASSERT_TRUE(srv) << err;
  EXPECT_EQ(srv->ancestors.at(t.id("/srv")), BS_ANCESTOR_PARENT | (BS_NAMES_FS_EXT4 << BS_ANCESTOR_FS_SHIFT));
  EXPECT_EQ(srv->ancestors.at(t.id("")), BS_ANCESTOR_DIR);
  auto tmp = r->resolve_names("/tmp/lock", &err);
  ASSERT_TRUE(tmp) << err;
  EXPECT_EQ(tmp->ancestors.at(t.id("/tmp")), BS_ANCESTOR_PARENT | (BS_NAMES_FS_TMPFS << BS_ANCESTOR_FS_SHIFT));
  // A directory that takes no mount carries no type.
  t.file("/srv/other");
  auto full = r->resolve_names("/srv/secret", &err);
  ASSERT_TRUE(full) << err;
  EXPECT_EQ(full->ancestors.at(t.id("/srv")), BS_ANCESTOR_DIR);
}

TEST(ResolveNames, AncestorBitsMergeTheirTypesSafely) {
  uint8_t e = BS_ANCESTOR_PARENT | (BS_NAMES_FS_XFS << BS_ANCESTOR_FS_SHIFT);
  merge_ancestor_bits(&e, BS_ANCESTOR_PLACE);
  EXPECT_EQ(e, BS_ANCESTOR_PARENT | BS_ANCESTOR_PLACE | (BS_NAMES_FS_XFS << BS_ANCESTOR_FS_SHIFT));
  merge_ancestor_bits(&e, BS_ANCESTOR_PARENT | (BS_NAMES_FS_XFS << BS_ANCESTOR_FS_SHIFT));
  EXPECT_EQ(e, BS_ANCESTOR_PARENT | BS_ANCESTOR_PLACE | (BS_NAMES_FS_XFS << BS_ANCESTOR_FS_SHIFT));
  // xfs (2) and tmpfs (3) would or to tmpfs: two types give "any kept".
  merge_ancestor_bits(&e, BS_ANCESTOR_PARENT | (BS_NAMES_FS_TMPFS << BS_ANCESTOR_FS_SHIFT));
  EXPECT_EQ(e, BS_ANCESTOR_PARENT | BS_ANCESTOR_PLACE | (BS_NAMES_FS_KEPT << BS_ANCESTOR_FS_SHIFT));
  uint8_t f = 0;
  merge_ancestor_bits(&f, BS_ANCESTOR_DIR);
  EXPECT_EQ(f, BS_ANCESTOR_DIR);
  EXPECT_EQ(names_fs_code("ext2"), BS_NAMES_FS_EXT4);
  EXPECT_EQ(names_fs_code("xfs"), BS_NAMES_FS_XFS);
  EXPECT_EQ(names_fs_code("f2fs"), BS_NAMES_FS_F2FS);
  EXPECT_EQ(names_fs_code("squashfs"), BS_NAMES_FS_SQUASHFS);
  EXPECT_EQ(names_fs_code("erofs"), BS_NAMES_FS_EROFS);
  EXPECT_EQ(names_fs_code("udf"), BS_NAMES_FS_KEPT);
  EXPECT_EQ(names_fs_code("auto"), BS_NAMES_FS_KEPT);
  // The type list the loader and the enforcer share.
  EXPECT_TRUE(keeps_inode_numbers(0xef53));
  EXPECT_FALSE(keeps_inode_numbers(0x65735546));  // FUSE
  EXPECT_FALSE(keeps_inode_numbers(0xf15f));      // eCryptfs
  EXPECT_FALSE(keeps_inode_numbers(0x794c7630));  // overlayfs
}

TEST(ResolveNames, FstabMountPoints) {
  EXPECT_EQ(parse_fstab_mount_points("# comment\n\n"
                                     "UUID=1 / ext4 defaults 0 1\n"
                                     "  /dev/vda2\t/boot  ext4 defaults 0 2\n"
                                     "/dev/vda3 /srv/My\\040Site/ ext4 defaults 0 2\n"
                                     "/dev/vda4 none swap sw 0 0\n"
                                     "tmpfs /tmp tmpfs defaults 0 0\n"
                                     "bad-line-without-a-second-field\n"),
            (std::set<std::string>{"/", "/boot", "/srv/My Site", "/tmp"}));
}

TEST(Places, FstabEntriesKeepSpecTypeAndLine) {
  const auto e = parse_fstab_entries("# comment\n"
                                     "UUID=0a1b2c3d-0000-4000-8000-00000000abcd / ext4 defaults 0 1\n"
                                     "\n"
                                     "LABEL=My\\040Boot /boot/ ext4 defaults 0 2\n"
                                     "/dev/vda4 none swap sw 0 0\n"
                                     "/dev/vda5 /srv\n");
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[0].spec, "UUID=0a1b2c3d-0000-4000-8000-00000000abcd");
  EXPECT_EQ(e[0].mount_point, "/");
  EXPECT_EQ(e[0].line, 2);
  EXPECT_EQ(e[1].spec, "LABEL=My Boot");
  EXPECT_EQ(e[1].mount_point, "/boot");
  EXPECT_EQ(e[1].type, "ext4");
  EXPECT_EQ(e[1].line, 4);
  EXPECT_EQ(e[2].mount_point, "/srv");
  EXPECT_EQ(e[2].type, "");  // a line without a type
  EXPECT_EQ(e[2].line, 6);
  EXPECT_EQ(e[0].pass, 1);
  EXPECT_EQ(e[1].pass, 2);
  EXPECT_EQ(e[2].pass, 0);
  // A quoted tag value is unquoted; an escape with a digit that is not
  // octal is kept as written.
  const auto q = parse_fstab_entries("UUID=\"5e1f0c4a-2b7d-4c11-9a3e-0d6f2b8c7a91\" /home ext4 defaults 0 3\n"
                                     "LABEL=\"\" /x ext4\n"
                                     "/dev/vdb /srv/a\\089 ext4\n");
  ASSERT_EQ(q.size(), 3u);
  EXPECT_EQ(q[0].spec, "UUID=5e1f0c4a-2b7d-4c11-9a3e-0d6f2b8c7a91");
  EXPECT_EQ(q[0].pass, 0);  // only 1 and 2 are passes
  EXPECT_EQ(q[1].spec, "LABEL=");  // an empty value: no device has it
  EXPECT_EQ(q[2].mount_point, "/srv/a\\089");
}

// The mount point as systemd and mount(8) read it: the place, the names
// and the directory types are found by that path.
TEST(Places, FstabMountPointsAreSimplified) {
  const auto e = parse_fstab_entries("/dev/vdb /srv//data ext4\n"
                                     "/dev/vdc /srv/./www/ ext4\n"
                                     "/dev/vdd //boot//efi// vfat\n"
                                     "/dev/vde /. ext4\n"
                                     "/dev/vdf /srv/../opt ext4\n");
  ASSERT_EQ(e.size(), 5u);
  EXPECT_EQ(e[0].mount_point, "/srv/data");
  EXPECT_EQ(e[1].mount_point, "/srv/www");
  EXPECT_EQ(e[2].mount_point, "/boot/efi");
  EXPECT_EQ(e[3].mount_point, "/");
  EXPECT_EQ(e[4].mount_point, "/srv/../opt");  // ".." depends on symbolic links: as written
  EXPECT_EQ(parse_fstab_mount_points("/dev/vdb /srv//data ext4\n"), (std::set<std::string>{"/srv/data"}));
  EXPECT_EQ(fstab_names_fs(parse_fstab_entries("/dev/vdb /srv//data xfs\n/dev/vdc /srv/data/ xfs\n")),
            (std::map<std::string, uint8_t>{{"/srv/data", BS_NAMES_FS_XFS}}));
  EXPECT_EQ(simplified_mount_point("///"), "/");
  EXPECT_EQ(simplified_mount_point("/a/.b/./c"), "/a/.b/c");
}

// A place with no guarded device takes only a type known to keep its
// inode numbers: the loader says which fstab lines the enforcer will not
// mount.
TEST(Places, PlacesTheEnforcerWillNotMountAreNamed) {
  Compiled c;
  Place p;
  p.mount_point = "/srv/cluster";
  c.places = {p};
  const auto lines = parse_fstab_entries("UUID=0a1b2c3d-0000-4000-8000-00000000abcd /srv/cluster gfs2 defaults 0 0\n"
                                         "/dev/vdc /srv/cluster nilfs2 noauto 0 0\n"
                                         "/dev/vdd /srv/cluster ext4 noauto 0 0\n"
                                         "/dev/vde /srv/cluster auto noauto 0 0\n"
                                         "/dev/vdf /srv/cluster vfat noauto 0 0\n"
                                         "/dev/vdg /srv/other gfs2 noauto 0 0\n");
  const auto warned = places_refused_at_mount(c, lines, "/etc/fstab");
  ASSERT_EQ(warned.size(), 2u);
  EXPECT_EQ(warned[0].rfind("/etc/fstab line 1 (UUID=0a1b2c3d-0000-4000-8000-00000000abcd on /srv/cluster): the "
                            "enforcer will refuse to mount it there: gfs2 is not a type",
                            0),
            0u)
      << warned[0];
  EXPECT_NE(warned[1].find("line 2 "), std::string::npos) << warned[1];
  EXPECT_NE(warned[1].find(": nilfs2 is not"), std::string::npos) << warned[1];
  // Its device found and guarded: the enforcer checks that instead.
  c.places[0].devices = {254u << 20 | 16};
  c.raw_devices = {{254u << 20 | 16, false, 1u << BS_OP_WRITE}};
  EXPECT_TRUE(places_refused_at_mount(c, lines, "/etc/fstab").empty());
  EXPECT_EQ(fstab_type_magic("gfs2"), kFsTypeUnknown);
  EXPECT_EQ(fstab_type_magic("ext3"), 0xef53u);
  EXPECT_EQ(fstab_type_magic("msdos"), kFatMagic);
  // A list: every type on it kept, or the first that is not.
  EXPECT_EQ(fstab_type_magic("udf,iso9660"), 0x15013346u);
  EXPECT_EQ(fstab_type_magic("iso9660,vfat"), kFatMagic);
  EXPECT_EQ(fstab_type_magic("ext4,gfs2,nfs"), kFsTypeUnknown);
  EXPECT_EQ(fstab_type_magic("ext4,"), kFsTypeUnknown);  // an empty type is not known
  const auto cd = parse_fstab_entries("/dev/sr0 /srv/cluster udf,iso9660 user,noauto 0 0\n");
  c.raw_devices.clear();
  EXPECT_TRUE(places_refused_at_mount(c, cd, "/etc/fstab").empty());  // both taken
  // A list is taken when one of its types is (FAT, placed by its device);
  // one of types none of which is taken is named.
  EXPECT_TRUE(places_refused_at_mount(c, parse_fstab_entries("/dev/vdh /srv/cluster gfs2,vfat\n"), "/etc/fstab").empty());
  EXPECT_EQ(places_refused_at_mount(c, parse_fstab_entries("/dev/vdh /srv/cluster gfs2,ocfs2\n"), "/etc/fstab").size(),
            1u);
  EXPECT_EQ(fstab_types("udf,iso9660"), (std::vector<std::string_view>{"udf", "iso9660"}));
  EXPECT_EQ(fstab_types("ext4,"), (std::vector<std::string_view>{"ext4", ""}));
  EXPECT_TRUE(fstab_unstable_points(cd).empty());
  EXPECT_TRUE(fstab_type_may_be("xfs", "xfs"));
  EXPECT_TRUE(fstab_type_may_be("ext4,xfs", "xfs"));
  EXPECT_TRUE(fstab_type_may_be("xfs,ext4", "xfs"));
  EXPECT_FALSE(fstab_type_may_be("xfsx,ext4", "xfs"));
  EXPECT_FALSE(fstab_type_may_be("", "xfs"));
}

// Without kallsyms the enforcer cannot tell an ASCII case-insensitive xfs
// and refuses every xfs where it takes mounts: the loader says so.
TEST(Places, XfsLinesWithoutKallsymsAreNamed) {
  const auto lines = parse_fstab_entries("/dev/vda1 / xfs defaults 0 1\n"
                                         "LABEL=data /srv/data xfs defaults 0 2\n"
                                         "LABEL=boot /boot ext4 defaults 0 2\n");
  Compiled c;
  EXPECT_TRUE(xfs_refused_without_kallsyms(c, lines, "/etc/fstab", false).empty());  // takes no mount
  c.ancestors[InodeId{0x800002, 12}] = BS_ANCESTOR_PARENT | (BS_NAMES_FS_XFS << BS_ANCESTOR_FS_SHIFT);
  const auto warned = xfs_refused_without_kallsyms(c, lines, "/etc/fstab", false);
  ASSERT_EQ(warned.size(), 1u);
  EXPECT_EQ(warned[0].rfind("/etc/fstab line 2 (LABEL=data on /srv/data): this kernel has no /proc/kallsyms", 0), 0u)
      << warned[0];
  EXPECT_TRUE(xfs_refused_without_kallsyms(c, lines, "/etc/fstab", true).empty());
  Compiled placed;
  placed.places.push_back(Place{});
  EXPECT_EQ(xfs_refused_without_kallsyms(placed, lines, "/etc/fstab", false).size(), 1u);
}

TEST(Places, AutomountLinesAreKnown) {
  const auto e = parse_fstab_entries("LABEL=boot /boot ext4 defaults,x-systemd.automount 0 2\n"
                                     "LABEL=data /data ext4 noauto,x-systemd.automount-timeout=5 0 2\n"
                                     "LABEL=home /home ext4 defaults 0 2\n");
  ASSERT_EQ(e.size(), 3u);
  EXPECT_TRUE(e[0].automount);
  EXPECT_FALSE(e[1].automount);  // another option of the same prefix
  EXPECT_FALSE(e[2].automount);
}

// The mount point of each place takes only what is placed there; a
// mount point that does not exist yet has no directory to mark.
TEST(Places, MountPointsOfPlacesAreMarked) {
  const InodeId boot{0x800002, 12}, home{0x800002, 13}, root{0x800002, 2};
  Compiled c;
  c.ancestors[home] = BS_ANCESTOR_PARENT;
  auto place = [](InodeId dir, bool exists) {
    Place p;
    p.chain.dirs = {dir};
    p.chain.mount_point_exists = exists;
    return p;
  };
  // Two places on /boot: a decoy's UUID beside the real one.
  c.places = {place(boot, true), place(boot, true), place(home, true), place(root, false)};
  mark_place_mount_points(&c);
  EXPECT_EQ(c.ancestors.at(boot), BS_ANCESTOR_PLACE);
  EXPECT_EQ(c.ancestors.at(home), BS_ANCESTOR_PARENT | BS_ANCESTOR_PLACE);
  EXPECT_EQ(c.ancestors.count(root), 0u);  // the nearest directory above a missing mount point
}

// A place asks for a guarded device only when every device the loader
// found for it is guarded.
TEST(Places, GuardedDevicesOfAPlace) {
  Compiled c;
  Place p;
  EXPECT_FALSE(place_on_guarded_devices(c, p));  // no device found
  p.devices = {254u << 20 | 16, 254u << 20 | 48};
  c.raw_devices = {{254u << 20 | 16, false, 1u << BS_OP_WRITE}};
  EXPECT_FALSE(place_on_guarded_devices(c, p));  // the second is not guarded
  c.raw_devices.push_back({254u << 20 | 48, false, 1u << BS_OP_READ});
  EXPECT_TRUE(place_on_guarded_devices(c, p));
  c.raw_devices = {{254u << 20 | 16, true, 1u << BS_OP_WRITE}, {254u << 20 | 48, false, 1u << BS_OP_WRITE}};
  EXPECT_FALSE(place_on_guarded_devices(c, p));  // a character device of the same number is not it
}

TEST(Places, FsUuidIsTheSuperblocksBytes) {
  const auto u = parse_fs_uuid("0A1B2C3D-4e5f-6071-8293-a4b5c6d7e8f9");
  ASSERT_TRUE(u);
  const std::array<uint8_t, 16> want{0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f, 0x60, 0x71,
                                     0x82, 0x93, 0xa4, 0xb5, 0xc6, 0xd7, 0xe8, 0xf9};
  EXPECT_EQ(*u, want);
  // What a superblock's s_uuid cannot hold, or holds as "no UUID".
  EXPECT_FALSE(parse_fs_uuid("ABCD-1234"));                              // vfat's serial
  EXPECT_FALSE(parse_fs_uuid("0a1b2c3d4e5f60718293a4b5c6d7e8f9"));       // no dashes
  EXPECT_FALSE(parse_fs_uuid("0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8fg"));   // not hex
  EXPECT_FALSE(parse_fs_uuid("0a1b2c3d-4e5f-6071-8293a-4b5c6d7e8f9"));   // dash misplaced
  EXPECT_FALSE(parse_fs_uuid("0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9 "));  // trailing byte
  EXPECT_FALSE(parse_fs_uuid("00000000-0000-0000-0000-000000000000"));   // nil
  EXPECT_FALSE(parse_fs_uuid(""));
}

// find_places over an fstab, with libblkid's answers and the devices
// given: a line's type is the one it names, else (`auto`, a list) what
// libblkid finds on the device.
TEST(Places, FindPlacesReadsTheTypeTheSystemMounts) {
  Tree t;
  for (const char* d : {"/srv/data", "/srv/pool", "/srv/mixed", "/srv/cd", "/srv/any", "/srv/list", "/srv/fat",
                        "/srv/tmp", "/srv/nolist", "/srv/decoy", "/srv/explicit", "/srv/l", "/srv/n"})
    t.dir(d);
  auto r = RootResolver::open(t.path());
  ASSERT_TRUE(r.ok()) << r.error();
  const auto fstab = parse_fstab_entries(
      "UUID=0a1b2c3d-0000-4000-8000-000000000001 /srv/data ext4 defaults 0 2\n"
      "/dev/vdc /srv/pool auto defaults 0 2\n"
      "/dev/vdd /srv/mixed ext4,btrfs defaults 0 2\n"
      "/dev/sr0 /srv/cd udf,iso9660 user,noauto 0 0\n"
      "/dev/vde /srv/any auto defaults 0 2\n"
      "/dev/vdf /srv/list ext4,xfs defaults 0 2\n"
      "/dev/vdg /srv/fat auto defaults 0 2\n"
      "tmpfs /srv/tmp tmpfs,ramfs defaults 0 0\n"
      "/dev/vdh /srv/nolist udf,iso9660 user 0 0\n"
      "LABEL=decoy /srv/decoy auto defaults 0 2\n"
      "/dev/vdk /srv/explicit btrfs defaults 0 2\n"
      "LABEL=l /srv/l ext4,xfs defaults 0 2\n"
      "/dev/vdn /srv/n auto noauto 0 0\n");
  // Each spec's device and what libblkid finds on it.
  const std::map<std::string, std::tuple<std::string, std::string, uint32_t>> disks = {
      {"UUID=0a1b2c3d-0000-4000-8000-000000000001", {"/dev/vdb", "ext4", 254u << 20 | 16}},
      {"/dev/vdc", {"/dev/vdc", "btrfs", 254u << 20 | 32}},
      {"/dev/vdd", {"/dev/vdd", "ext4", 254u << 20 | 48}},
      {"/dev/sr0", {"/dev/sr0", "iso9660", 11u << 20}},
      {"/dev/vde", {"/dev/vde", "xfs", 254u << 20 | 64}},
      {"/dev/vdf", {"/dev/vdf", "xfs", 254u << 20 | 80}},
      {"/dev/vdg", {"/dev/vdg", "vfat", 254u << 20 | 96}},
      {"/dev/vdh", {"/dev/vdh", "vfat", 254u << 20 | 112}},
      {"/dev/vdk", {"/dev/vdk", "btrfs", 254u << 20 | 160}},
      {"/dev/vdn", {"/dev/vdn", "ext4", 254u << 20 | 208}},
  };
  uint8_t n = 0;
  std::map<std::string, std::string> uuid_of;  // by device
  for (const auto& [spec, d] : disks) {
    char text[37];
    std::snprintf(text, sizeof text, "0a1b2c3d-0000-4000-8000-0000000001%02x", ++n);
    uuid_of[std::get<0>(d)] = std::get<1>(d) == "vfat" ? "ABCD-1234" : text;
  }
  uuid_of["/dev/vdb"] = "0a1b2c3d-0000-4000-8000-000000000001";
  const FilesystemLookup find = [&](const std::string& spec) -> Result<std::vector<FilesystemIdentity>> {
    if (spec == "LABEL=decoy")  // the line's ext4, and a btrfs given its label
      return std::vector<FilesystemIdentity>{{"0a1b2c3d-0000-4000-8000-0000000002aa", "/dev/vdi", "", "ext4"},
                                             {"0a1b2c3d-0000-4000-8000-0000000002bb", "/dev/vdj", "", "btrfs"}};
    if (spec == "LABEL=l")  // the same under a list without btrfs
      return std::vector<FilesystemIdentity>{{"0a1b2c3d-0000-4000-8000-0000000002cc", "/dev/vdl", "", "ext4"},
                                             {"0a1b2c3d-0000-4000-8000-0000000002dd", "/dev/vdm", "", "btrfs"}};
    const auto& [device, type, dev] = disks.at(spec);
    return std::vector<FilesystemIdentity>{{uuid_of.at(device), device, "", type}};
  };
  const DeviceResolver devices = [&](const std::string& path, std::string*) -> std::optional<DeviceId> {
    if (path == "/dev/vdi") return DeviceId{254u << 20 | 128, false};
    if (path == "/dev/vdj") return DeviceId{254u << 20 | 144, false};
    if (path == "/dev/vdl") return DeviceId{254u << 20 | 176, false};
    if (path == "/dev/vdm") return DeviceId{254u << 20 | 192, false};
    for (const auto& [spec, d] : disks)
      if (std::get<0>(d) == path) return DeviceId{std::get<2>(d), false};
    return std::nullopt;
  };
  Compiled c = compile(doc_with({make_rule(Action::deny, Operation::write, subtree_obj("/srv"))}), r->resolver(),
                       devices, r->name_resolver());
  const auto warnings = find_places(*r, devices, fstab, "/etc/fstab", find, &c);
  std::string all;
  for (const auto& w : warnings) all += w + "\n";
  for (const auto& d : c.diagnostics) ADD_FAILURE() << d.message;
  const auto place_at = [&](const std::string& mount_point) {
    return std::find_if(c.places.begin(), c.places.end(), [&](const Place& p) { return p.mount_point == mount_point; });
  };
  const auto guarded_later = [&](uint32_t dev) {
    return std::any_of(c.later_devices.begin(), c.later_devices.end(), [&](const auto& l) { return l.dev == dev; });
  };
  // ext4 by its UUID: placed, its device guarded, fsck named.
  ASSERT_NE(place_at("/srv/data"), c.places.end()) << all;
  EXPECT_EQ(place_at("/srv/data")->devices, (std::vector<uint32_t>{254u << 20 | 16}));
  EXPECT_NE(all.find("/etc/fstab line 1 (UUID=0a1b2c3d-0000-4000-8000-000000000001 on /srv/data): its device is "
                     "guarded against raw writes, so the boot's fsck (pass 2) cannot check it; to let it, add `allow "
                     "write device /dev/disk/by-uuid/0a1b2c3d-0000-4000-8000-000000000001 by /usr/sbin/e2fsck`"),
            std::string::npos)
      << all;
  // A btrfs found under `auto`: not placed (its subvolumes share the
  // UUID), its device guarded.
  EXPECT_EQ(place_at("/srv/pool"), c.places.end());
  EXPECT_NE(all.find("line 2 (/dev/vdc on /srv/pool): /dev/vdc holds a btrfs, whose subvolumes share one UUID"),
            std::string::npos)
      << all;
  EXPECT_TRUE(guarded_later(254u << 20 | 32));
  // A list that may mount btrfs, whose device holds an ext4: placed.
  ASSERT_NE(place_at("/srv/mixed"), c.places.end()) << all;
  EXPECT_EQ(place_at("/srv/mixed")->devices, (std::vector<uint32_t>{254u << 20 | 48}));
  // A btrfs given an `auto` line's label beside its ext4: the ext4 is
  // placed all the same, the btrfs guarded, both named.
  ASSERT_NE(place_at("/srv/decoy"), c.places.end()) << all;
  EXPECT_EQ(place_at("/srv/decoy")->devices, (std::vector<uint32_t>{254u << 20 | 128}));
  EXPECT_TRUE(guarded_later(254u << 20 | 144));
  EXPECT_NE(all.find("line 10 (LABEL=decoy on /srv/decoy): 2 devices have LABEL=decoy (/dev/vdi, /dev/vdj)"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("line 10 (LABEL=decoy on /srv/decoy): /dev/vdj holds a btrfs"), std::string::npos) << all;
  EXPECT_NE(all.find("(/dev/vdi, /dev/vdj); whichever is mounted there, each is placed (but a btrfs) and its device "
                     "guarded"),
            std::string::npos)
      << all;
  // A line that names btrfs: not placed, its device guarded.
  EXPECT_EQ(place_at("/srv/explicit"), c.places.end());
  EXPECT_NE(all.find("line 11 (/dev/vdk on /srv/explicit): btrfs subvolumes share one UUID"), std::string::npos)
      << all;
  EXPECT_TRUE(guarded_later(254u << 20 | 160));
  // A btrfs decoy under a list without btrfs has no place either.
  ASSERT_NE(place_at("/srv/l"), c.places.end()) << all;
  EXPECT_EQ(place_at("/srv/l")->devices, (std::vector<uint32_t>{254u << 20 | 176}));
  EXPECT_EQ(std::count_if(c.places.begin(), c.places.end(), [](const Place& p) { return p.mount_point == "/srv/l"; }),
            1);
  EXPECT_TRUE(guarded_later(254u << 20 | 192));
  // A noauto line whose place denies: probed, placed.
  ASSERT_NE(place_at("/srv/n"), c.places.end()) << all;
  EXPECT_EQ(place_at("/srv/n")->devices, (std::vector<uint32_t>{254u << 20 | 208}));
  // A list: placed; the type found stands for it in the fstype magics.
  ASSERT_NE(place_at("/srv/cd"), c.places.end()) << all;
  EXPECT_NE(std::find(place_at("/srv/cd")->magics.begin(), place_at("/srv/cd")->magics.end(), *fstype_magic("iso9660")),
            place_at("/srv/cd")->magics.end());
  // fsck for the type found, not for "auto" or the list.
  ASSERT_NE(place_at("/srv/any"), c.places.end()) << all;
  EXPECT_EQ(place_at("/srv/any")->magics, (std::vector<uint64_t>{*fstype_magic("xfs")}));
  EXPECT_NE(all.find("line 5 (/dev/vde on /srv/any): its device is guarded against raw writes, so the boot's fsck "
                     "(pass 2) cannot check it; to let it, add `allow write device /dev/disk/by-uuid/"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find(" by /usr/sbin/fsck.xfs`\n/etc/fstab line 6"), std::string::npos) << all;
  EXPECT_NE(all.find("line 6 (/dev/vdf on /srv/list): its device is guarded against raw writes"), std::string::npos)
      << all;
  EXPECT_EQ(all.find("fsck.auto"), std::string::npos) << all;
  EXPECT_NE(all.find("line 6 (/dev/vdf on /srv/list): its device is guarded against raw writes, so the boot's fsck "
                     "(pass 2) cannot check it; to let it, add `allow write device /dev/disk/by-uuid/"
                     "0a1b2c3d-0000-4000-8000-000000000105 by /usr/sbin/fsck.xfs`"),
            std::string::npos)
      << all;
  EXPECT_EQ(all.find("fsck.ext4,xfs"), std::string::npos) << all;
  // FAT found under `auto`: placed by its device.
  ASSERT_NE(place_at("/srv/fat"), c.places.end()) << all;
  EXPECT_EQ(place_at("/srv/fat")->uuid, device_place_key(254u << 20 | 96));
  // Not under a list that has no FAT type: that list does not mount it.
  EXPECT_EQ(place_at("/srv/nolist"), c.places.end());
  EXPECT_NE(all.find("line 9 (/dev/vdh on /srv/nolist): its UUID ABCD-1234 is not a 128-bit one"), std::string::npos)
      << all;
  EXPECT_TRUE(guarded_later(254u << 20 | 112));
  // Types of no device: no place, nothing said.
  EXPECT_EQ(place_at("/srv/tmp"), c.places.end());
  EXPECT_EQ(all.find("/srv/tmp"), std::string::npos) << all;
  EXPECT_EQ(fsck_program("ext3"), "/usr/sbin/e2fsck");
  EXPECT_EQ(fsck_program("vfat"), "/usr/sbin/fsck.vfat");
  EXPECT_EQ(fsck_program("auto"), "");
  EXPECT_EQ(fsck_program("udf,iso9660"), "");
  EXPECT_EQ(fsck_program(""), "");
}

// An `auto` line, or a list, stands for the type libblkid finds on its
// devices when they agree on one the line allows.
TEST(Places, AutoAndListLinesTakeTheTypeFoundOnTheirDevices) {
  auto fstab = parse_fstab_entries(
      "LABEL=data /srv/data auto defaults 0 2\n"
      "LABEL=two /srv/two auto defaults 0 2\n"
      "/dev/sr0 /media/cd udf,iso9660 user 0 0\n"
      "/dev/sdx /media/x udf,iso9660 user 0 0\n"
      "LABEL=gone /srv/gone auto defaults 0 2\n"
      "/dev/sr1 /media/cdrom1 udf,iso9660 user,noauto 0 0\n"
      "/dev/vdb /srv/named ext4 defaults 0 2\n"
      "tmpfs /srv/mem auto defaults 0 0\n"
      "LABEL=blank /srv/blank auto defaults 0 2\n"
      "LABEL=x /srv/x auto defaults 0 2\n"
      "LABEL=g /srv/g auto defaults 0 2\n");
  std::vector<std::string> looked_up;
  const FilesystemLookup find = [&](const std::string& spec) -> Result<std::vector<FilesystemIdentity>> {
    looked_up.push_back(spec);
    const auto one = [](const char* device, const char* type) { return FilesystemIdentity{"", device, "", type}; };
    if (spec == "LABEL=data") return std::vector<FilesystemIdentity>{one("/dev/vdc", "ext4")};
    if (spec == "LABEL=two") return std::vector<FilesystemIdentity>{one("/dev/vdd", "ext4"), one("/dev/vde", "xfs")};
    if (spec == "/dev/sr0") return std::vector<FilesystemIdentity>{one("/dev/sr0", "iso9660")};
    if (spec == "/dev/sdx") return std::vector<FilesystemIdentity>{one("/dev/sdx", "vfat")};
    if (spec == "LABEL=blank") return std::vector<FilesystemIdentity>{one("/dev/vdf", "")};
    if (spec == "LABEL=x") return std::vector<FilesystemIdentity>{one("/dev/vdg", "xfs")};
    if (spec == "LABEL=g") return std::vector<FilesystemIdentity>{one("/dev/vdh", "gfs2")};
    return make_error(spec + ": no device has it");
  };
  find_mount_types(&fstab, find);
  // A line that names its type, whose spec is no device, or that is
  // `noauto` (a CD-ROM drive, not probed at every boot), is not looked up.
  EXPECT_EQ(looked_up, (std::vector<std::string>{"LABEL=data", "LABEL=two", "/dev/sr0", "/dev/sdx", "LABEL=gone",
                                                 "LABEL=blank", "LABEL=x", "LABEL=g"}));
  std::map<std::string, std::string> found;
  for (const auto& e : fstab) found[e.mount_point] = mount_type(e);
  EXPECT_EQ(found, (std::map<std::string, std::string>{{"/srv/data", "ext4"},
                                                       {"/srv/two", "auto"},  // two types
                                                       {"/media/cd", "iso9660"},
                                                       {"/media/x", "udf,iso9660"},  // not one the list allows
                                                       {"/srv/gone", "auto"},        // not found
                                                       {"/srv/named", "ext4"},
                                                       {"/srv/mem", "auto"},
                                                       {"/srv/blank", "auto"},  // no type found
                                                       {"/srv/x", "xfs"},
                                                       {"/media/cdrom1", "udf,iso9660"},
                                                       {"/srv/g", "gfs2"}}));
  EXPECT_EQ(fstab[0].type, "auto");  // as written, for messages
  // Names there: the type found keeps inode numbers, so they are not
  // refused; and the enforcer mounts nothing but that type there.
  const auto unstable = fstab_unstable_points(fstab);
  EXPECT_FALSE(unstable.count("/srv/data"));
  EXPECT_FALSE(unstable.count("/media/cd"));
  EXPECT_FALSE(unstable.count("/media/x"));  // both types on the list keep them
  for (const char* point : {"/srv/two", "/srv/gone", "/srv/blank", "/srv/mem"}) {
    ASSERT_TRUE(unstable.count(point)) << point;
    EXPECT_EQ(unstable.at(point), kFsTypeUnknown) << point;
  }
  const auto names_fs = fstab_names_fs(fstab);
  EXPECT_EQ(names_fs.at("/srv/data"), BS_NAMES_FS_EXT4);
  EXPECT_EQ(names_fs.at("/srv/x"), BS_NAMES_FS_XFS);
  EXPECT_EQ(names_fs.at("/srv/two"), BS_NAMES_FS_KEPT);
  // An xfs found under `auto` is read for names that ignore case.
  std::vector<std::string> probed;
  const auto points = case_insensitive_xfs_points(
      fstab, [](const FstabEntry& e) { return std::vector<std::string>{e.spec}; },
      [&](const std::string& device) {
        probed.push_back(device);
        CasefoldProbe p;
        p.xfs = p.ignores_case = true;
        return p;
      });
  EXPECT_EQ(probed, (std::vector<std::string>{"LABEL=x"}));
  EXPECT_EQ(points, (std::map<std::string, uint64_t>{{"/srv/x", kFsAsciiCi}}));
  // A place there, on no guarded device: the loader says which of them
  // the enforcer will not mount (a gfs2 found under `auto`), and, without
  // kallsyms, which are xfs (one found under `auto`).
  Compiled c;
  Place g;
  g.mount_point = "/srv/g";
  c.places = {g};
  const auto refused = places_refused_at_mount(c, fstab, "/etc/fstab");
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0],
            "/etc/fstab line 11 (LABEL=g on /srv/g): the enforcer will refuse to mount it there: gfs2 is not a type it "
            "knows to keep its inode numbers, and no guarded device backs the place (a place's device is guarded when "
            "the loader finds it and the place denies reads or writes)");
  const auto xfs = xfs_refused_without_kallsyms(c, fstab, "/etc/fstab", false);
  ASSERT_EQ(xfs.size(), 1u);
  EXPECT_EQ(xfs[0].rfind("/etc/fstab line 10 (LABEL=x on /srv/x): this kernel has no /proc/kallsyms", 0), 0u) << xfs[0];
}

TEST(Places, ChainIsTheMountPointAndTheDirectoriesAbove) {
  Tree t;
  t.dir("/boot");
  t.dir("/srv/www");
  auto r = RootResolver::open(t.path());
  ASSERT_TRUE(r) << r.error();
  std::string err;
  auto boot = r->place_chain("/boot/", &err);
  ASSERT_TRUE(boot) << err;
  EXPECT_TRUE(boot->mount_point_exists);
  EXPECT_EQ(boot->dirs, (std::vector<InodeId>{t.id("/boot"), t.id("")}));
  auto www = r->place_chain("/srv/www", &err);
  ASSERT_TRUE(www) << err;
  EXPECT_EQ(www->dirs, (std::vector<InodeId>{t.id("/srv/www"), t.id("/srv"), t.id("")}));
  // A mount point that does not exist yet (under a separate /boot): the
  // nearest directory above it stands for it.
  auto efi = r->place_chain("/boot/efi", &err);
  ASSERT_TRUE(efi) << err;
  EXPECT_FALSE(efi->mount_point_exists);
  EXPECT_EQ(efi->dirs, (std::vector<InodeId>{t.id("/boot"), t.id("")}));
  EXPECT_FALSE(boot->mounted_now);
  // A symlink on the way: the directory a mount would cover, and the
  // directories above it, not the path's own parents.
  t.link("/srv/www", "/web");
  t.dir("/var/www-real");
  t.link("/var/www-real", "/srv/www/data");
  auto data = r->place_chain("/web/data", &err);
  ASSERT_TRUE(data) << err;
  EXPECT_TRUE(data->mount_point_exists);
  EXPECT_EQ(data->dirs, (std::vector<InodeId>{t.id("/var/www-real"), t.id("/var"), t.id("")}));
}

TEST(Places, ChainRefusals) {
  Tree t;
  t.dir("/a/b/c/d/e/f/g/h");
  auto r = RootResolver::open(t.path());
  ASSERT_TRUE(r) << r.error();
  std::string err;
  EXPECT_FALSE(r->place_chain("/", &err));
  EXPECT_NE(err.find("the root"), std::string::npos) << err;
  EXPECT_FALSE(r->place_chain("boot", &err));
  EXPECT_NE(err.find("not an absolute path"), std::string::npos) << err;
  // Seven directories below the root fit, eight do not.
  EXPECT_TRUE(r->place_chain("/a/b/c/d/e/f/g", &err)) << err;
  EXPECT_FALSE(r->place_chain("/a/b/c/d/e/f/g/h", &err));
  EXPECT_NE(err.find("8 directories deep"), std::string::npos) << err;
}

TEST(Places, DryRunShowsThem) {
  Compiled c;
  Place p;
  p.uuid = *parse_fs_uuid("0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9");
  p.mount_point = "/boot";
  p.chain.dirs = {InodeId{kernel_dev(makedev(254, 2)), 12}, InodeId{kernel_dev(makedev(254, 2)), 2}};
  p.chain.mount_point_exists = true;
  c.places.push_back(p);
  Document doc;
  const std::string out = format_compiled(c, doc);
  EXPECT_NE(out.find("places 1\n  place /boot uuid 0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9 at 254:2/12 254:2/2\n"),
            std::string::npos)
      << out;
}

TEST(ResolveNames, MissingOrNonDirectoryComponentIsNamed) {
  Tree t;
  t.file("/etc/passwd");
  auto r = RootResolver::open(t.path());
  std::string err;
  // A missing directory: the entry that would make it, and the
  // directories above that entry.
  auto res = r->resolve_names("/etc/x/y/z", &err);
  ASSERT_TRUE(res) << err;
  EXPECT_FALSE(res->object);
  EXPECT_TRUE(res->names.empty());
  ASSERT_TRUE(res->missing);
  EXPECT_EQ(*res->missing, t.name("/etc", "x"));
  EXPECT_EQ(res->missing_shown, "/etc/x");
  EXPECT_FALSE(res->missing_on_later_fs);
  EXPECT_EQ(res->ancestors, (std::map<InodeId, uint8_t>{{t.id(""), BS_ANCESTOR_DIR}, {t.id("/etc"), BS_ANCESTOR_DIR}}));
  // Under an empty directory the fstab mounts on, the later filesystem
  // decides what is there.
  t.dir("/srv");
  r->set_fstab_mount_points({"/srv"});
  auto later = r->resolve_names("/srv/www/index.html", &err);
  ASSERT_TRUE(later) << err;
  ASSERT_TRUE(later->missing);
  EXPECT_EQ(*later->missing, t.name("/srv", "www"));
  EXPECT_TRUE(later->missing_on_later_fs);
  EXPECT_FALSE(r->resolve_names("/etc/passwd/y", &err));
  EXPECT_EQ(err, "/etc/passwd is not a directory");
}

TEST(ResolveNames, DanglingSymlinkInTheDirectoryPartNamesTheMissingTarget) {
  Tree t;
  t.dir("/var/lib");
  t.link("/var/lib/app", "/etc/app");  // the target directory does not exist yet
  auto r = RootResolver::open(t.path());
  std::string err;
  auto res = r->resolve_names("/etc/app/conf", &err);
  ASSERT_TRUE(res) << err;
  ASSERT_TRUE(res->missing);
  EXPECT_EQ(*res->missing, t.name("/var/lib", "app"));
  EXPECT_EQ(res->missing_shown, "/var/lib/app");
  // The symlink cannot be replaced, nor the directories moved.
  EXPECT_EQ(res->ancestors.at(t.id("/etc/app")), BS_ANCESTOR_SYMLINK);
  EXPECT_EQ(res->ancestors.at(t.id("/var/lib")), BS_ANCESTOR_DIR);
  EXPECT_EQ(res->ancestors.at(t.id("/etc")), BS_ANCESTOR_DIR);
}

TEST(ResolveNames, FinalSymlinkGivesBothNames) {
  Tree t;
  t.file("/usr/bin/tool");
  t.link("/usr/bin/tool", "/bin/tool");
  t.link("../usr/bin/tool", "/bin/rel");
  auto r = RootResolver::open(t.path());
  std::string err;
  for (const char* p : {"/bin/tool", "/bin/rel"}) {
    auto res = r->resolve_names(p, &err);
    ASSERT_TRUE(res) << err;
    ASSERT_EQ(res->names.size(), 2u) << names_text(*res);
    EXPECT_EQ(res->names[0], t.name("/bin", fs::path(p).filename()));
    EXPECT_EQ(res->names[1], t.name("/usr/bin", "tool"));
    EXPECT_EQ(res->object, t.id("/usr/bin/tool"));
    // The directories above both names, none of them as a symlink.
    for (const char* d : {"", "/bin", "/usr", "/usr/bin"}) {
      ASSERT_EQ(res->ancestors.count(t.id(d)), 1u) << d;
      EXPECT_EQ(res->ancestors.at(t.id(d)), BS_ANCESTOR_DIR) << d;
    }
    EXPECT_EQ(res->ancestors.size(), 4u);
  }
}

TEST(ResolveNames, DanglingFinalSymlinkKeepsItsOwnName) {
  Tree t;
  t.dir("/bin");
  t.link("/nowhere/tool", "/bin/dangle");
  t.link("/bin/absent", "/bin/half");
  auto r = RootResolver::open(t.path());
  std::string err;
  auto res = r->resolve_names("/bin/dangle", &err);
  ASSERT_TRUE(res) << err;
  EXPECT_FALSE(res->object);
  ASSERT_EQ(res->names.size(), 1u);
  EXPECT_EQ(res->names[0], t.name("/bin", "dangle"));
  // A target whose directory exists is a name too.
  res = r->resolve_names("/bin/half", &err);
  ASSERT_TRUE(res) << err;
  EXPECT_FALSE(res->object);
  ASSERT_EQ(res->names.size(), 2u);
  EXPECT_EQ(res->names[1], t.name("/bin", "absent"));
}

TEST(ResolveNames, SymlinkInTheDirectoryPartIsAnAncestor) {
  Tree t;
  t.file("/usr/lib/libc.so");
  t.link("usr/lib", "/lib");  // merged /usr
  auto r = RootResolver::open(t.path());
  std::string err;
  auto res = r->resolve_names("/lib/libc.so", &err);
  ASSERT_TRUE(res) << err;
  ASSERT_EQ(res->names.size(), 1u);
  EXPECT_EQ(res->names[0], t.name("/usr/lib", "libc.so"));
  EXPECT_EQ(res->object, t.id("/usr/lib/libc.so"));
  EXPECT_EQ(res->ancestors, (std::map<InodeId, uint8_t>{{t.id(""), BS_ANCESTOR_DIR},
                                                        {t.id("/lib"), BS_ANCESTOR_SYMLINK},
                                                        {t.id("/usr"), BS_ANCESTOR_DIR},
                                                        {t.id("/usr/lib"), BS_ANCESTOR_DIR}}));
}

TEST(ResolveNames, DotDotAndAbsoluteTargetsStayInsideTheRoot) {
  Tree t;
  t.file("/etc/shadow");
  t.link("../../../../../../etc/shadow", "/bin/up");
  t.link("/etc", "/bin/etc");
  t.dir("/a/b");
  t.link("../../etc", "/a/b/back");
  auto r = RootResolver::open(t.path());
  std::string err;
  const EntryName shadow = t.name("/etc", "shadow");
  auto res = r->resolve_names("/../../etc/shadow", &err);
  ASSERT_TRUE(res) << err;
  EXPECT_EQ(res->names, std::vector<EntryName>{shadow});
  res = r->resolve_names("/bin/up", &err);
  ASSERT_TRUE(res) << err;
  EXPECT_EQ(res->names, (std::vector<EntryName>{t.name("/bin", "up"), shadow}));
  EXPECT_EQ(res->object, t.id("/etc/shadow"));
  // An absolute target restarts at the new root, not at the host's /.
  res = r->resolve_names("/bin/etc/shadow", &err);
  ASSERT_TRUE(res) << err;
  EXPECT_EQ(res->names, std::vector<EntryName>{shadow});
  EXPECT_EQ(res->ancestors.at(t.id("/bin/etc")), BS_ANCESTOR_SYMLINK);
  // A symlink whose target climbs out of its directories: those it was
  // reached through are ancestors too (renaming them changes the path).
  res = r->resolve_names("/a/b/back/shadow", &err);
  ASSERT_TRUE(res) << err;
  EXPECT_EQ(res->names, std::vector<EntryName>{shadow});
  EXPECT_EQ(res->ancestors.at(t.id("/a")), BS_ANCESTOR_DIR);
  EXPECT_EQ(res->ancestors.at(t.id("/a/b")), BS_ANCESTOR_DIR);
  EXPECT_EQ(res->ancestors.at(t.id("/a/b/back")), BS_ANCESTOR_SYMLINK);
}

TEST(ResolveNames, SymlinkLoopsAreAnError) {
  Tree t;
  t.link("/b", "/a");
  t.link("/a", "/b");
  t.link("self", "/self");
  auto r = RootResolver::open(t.path());
  std::string err;
  EXPECT_FALSE(r->resolve_names("/a", &err));
  EXPECT_NE(err.find("too many symlinks at /"), std::string::npos) << err;
  EXPECT_FALSE(r->resolve_names("/self/x", &err));
  EXPECT_EQ(err, "too many symlinks at /self");
}

TEST(ResolveNames, TheRootHasNoName) {
  Tree t;
  t.dir("/usr");
  auto r = RootResolver::open(t.path());
  std::string err;
  for (const char* p : {"/", "/usr/..", "/.."}) {
    auto res = r->resolve_names(p, &err);
    ASSERT_TRUE(res) << p << ": " << err;
    EXPECT_EQ(res->object, t.id("")) << p;
    EXPECT_TRUE(res->names.empty()) << p;
    EXPECT_TRUE(res->ancestors.empty()) << p;
  }
}

// ---------------------------------------------------------------------------
// compile() with names.

struct Compiler {
  Tree t;
  std::set<std::string> fstab;  // the new root's fstab mount points
  Compiled compile_doc(const Document& d) {
    auto r = RootResolver::open(t.path());
    EXPECT_TRUE(r.ok()) << r.error();
    r->set_fstab_mount_points(fstab);
    return compile(d, r->resolver(), {}, r->name_resolver());
  }
};

std::vector<std::pair<bs_rule_key, bs_rule_val>> of_kind(const Compiled& c, uint8_t kind) {
  std::vector<std::pair<bs_rule_key, bs_rule_val>> out;
  for (const auto& e : c.rules)
    if (e.first.kind == kind) out.push_back(e);
  return out;
}

TEST(CompileNames, ExistingFileGetsInodeAndNameEntries) {
  Compiler k;
  k.t.file("/etc/shadow");
  Compiled c = k.compile_doc(doc_with({make_rule(Action::deny, Operation::write, path_obj("/etc/shadow"))}));
  EXPECT_TRUE(c.diagnostics.empty());
  ASSERT_EQ(c.names.size(), 1u);
  EXPECT_EQ(c.names[0].name, k.t.name("/etc", "shadow"));
  EXPECT_EQ(c.names[0].id, 1u);
  auto path = of_kind(c, BS_KIND_PATH), name = of_kind(c, BS_KIND_NAME);
  ASSERT_EQ(path.size(), 1u);
  EXPECT_EQ(path[0].first.id, k.t.id("/etc/shadow").ino);
  ASSERT_EQ(name.size(), 1u);
  EXPECT_EQ(name[0].first.op, BS_OP_WRITE);
  EXPECT_EQ(name[0].first.dev, 0u);
  EXPECT_EQ(name[0].first.id, 1u);
  EXPECT_EQ(name[0].first.subject, BS_SUBJECT_ANY);
  EXPECT_EQ(name[0].second.action, BS_ACT_DENY);
  EXPECT_EQ(name[0].second.rule, 0);
  EXPECT_EQ(c.kinds[BS_OP_WRITE], (1u << BS_KIND_PATH) | (1u << BS_KIND_NAME));
  EXPECT_EQ(c.kinds[BS_OP_READ], 0u);
  EXPECT_EQ(c.ancestors, (std::map<InodeId, uint8_t>{{k.t.id(""), BS_ANCESTOR_DIR}, {k.t.id("/etc"), BS_ANCESTOR_DIR}}));
}

// The filter (`filter` map) the hot hooks ask before their lookups: a clear
// bit must mean that no entry names the inode, or a rule would be skipped.
TEST(ObjectFilter, EveryInodeAnEntryOrANameIsAboutHasItsBit) {
  Compiler k;
  k.t.file("/etc/shadow");
  k.t.file("/etc/x");
  k.t.dir("/etc/ssh");
  k.t.dir("/usr/lib/modules/6.1");
  k.t.file("/usr/bin/tool");
  k.t.file("/usr/bin/other");
  for (int i = 0; i < 200; ++i) k.t.file("/srv/f" + std::to_string(i));
  Compiled c = k.compile_doc(doc_with(
      {make_rule(Action::deny, Operation::write, path_obj("/etc/shadow")),
       make_rule(Action::deny, Operation::read, path_obj("/etc/x"), "/usr/bin/tool"),
       make_rule(Action::deny, Operation::write, path_obj("/etc/ssh/sshd_config.d"), std::nullopt, {"/usr/bin/other"}),
       make_rule(Action::deny, Operation::module_load, subtree_obj("/usr/lib/modules"))}));
  ASSERT_EQ(c.diagnostics.size(), 0u);
  const ObjectFilter f = object_filter(c);
  size_t entries = 0;
  for (const auto& [key, val] : c.rules)
    if (key.kind == BS_KIND_PATH || key.kind == BS_KIND_SUBTREE) {
      ++entries;
      EXPECT_TRUE(f.may_be_named(key.dev, key.id)) << "kind " << int(key.kind) << " ino " << key.id;
    }
  EXPECT_EQ(entries, 3u);  // shadow, x (by tool), the subtree (sshd_config.d is a name only)
  for (const auto& n : c.names) EXPECT_TRUE(f.may_be_named(n.name.dir.dev, n.name.dir.ino)) << n.name.entry;
  for (const char* p : {"/etc/shadow", "/etc/x", "/etc", "/etc/ssh", "/usr/lib/modules"})
    EXPECT_TRUE(f.may_be_named(k.t.id(p).dev, k.t.id(p).ino)) << p;
  // Files nothing names: most find their bit clear (about 16 bits an inode).
  size_t maybe = 0;
  for (int i = 0; i < 200; ++i) maybe += f.may_be_named(k.t.id("/srv/f" + std::to_string(i)).dev,
                                                       k.t.id("/srv/f" + std::to_string(i)).ino);
  EXPECT_LT(maybe, 50u);
}

TEST(ObjectFilter, SizeFollowsTheInodesItHolds) {
  Compiled none;
  ObjectFilter f = object_filter(none);
  EXPECT_EQ(f.shift, uint32_t{BS_FILTER_MAX_SHIFT});
  ASSERT_EQ(f.words.size(), 1u);
  EXPECT_EQ(f.words[0], 0u);
  EXPECT_FALSE(f.may_be_named(0x800002, 12));

  // 10,000 inodes: at least 16 bits each, a power of two.
  Compiled c;
  for (uint64_t i = 0; i < 10000; ++i) {
    bs_rule_key key{};
    key.kind = i % 2 ? BS_KIND_PATH : BS_KIND_SUBTREE;
    key.op = BS_OP_EXEC;
    key.subject = BS_SUBJECT_ANY;
    key.dev = 0x800002;
    key.id = 1000 + i * 7;
    c.rules.emplace_back(key, bs_rule_val{BS_ACT_DENY, BS_ACT_DENY, 0, 0, 0, 0});
  }
  f = object_filter(c);
  EXPECT_EQ(f.shift, 64u - 18u);  // 2^18 = 262,144 bits >= 160,000
  EXPECT_EQ(f.words.size(), size_t{1} << 12);
  size_t maybe = 0;
  for (uint64_t i = 0; i < 10000; ++i) {
    EXPECT_TRUE(f.may_be_named(0x800002, 1000 + i * 7));
    maybe += f.may_be_named(0x800002, 1001 + i * 7);  // between them: named by nothing
    maybe += f.may_be_named(0x800003, 1000 + i * 7);  // the same numbers on another device
  }
  EXPECT_LT(maybe, 20000u / 10);
}

TEST(CompileNames, AbsentFileIsProtectedByNameWithoutADiagnostic) {
  Compiler k;
  k.t.dir("/etc/ssh");
  Compiled c =
      k.compile_doc(doc_with({make_rule(Action::deny, Operation::write, path_obj("/etc/ssh/sshd_config.d"))}));
  EXPECT_TRUE(c.diagnostics.empty()) << c.diagnostics[0].message;
  EXPECT_TRUE(of_kind(c, BS_KIND_PATH).empty());
  ASSERT_EQ(of_kind(c, BS_KIND_NAME).size(), 1u);
  EXPECT_EQ(c.kinds[BS_OP_WRITE], 1u << BS_KIND_NAME);
  EXPECT_EQ(c.name_id(k.t.name("/etc/ssh", "sshd_config.d")), 1u);
  EXPECT_EQ(c.ancestors.count(k.t.id("/etc/ssh")), 1u);
}

TEST(CompileNames, MissingDirectoryUnderADenyRuleCannotBeCreated) {
  Compiler k;
  k.t.dir("/etc");
  k.t.file("/usr/bin/tool");
  // A read rule with a subject and an exception: the missing directory is
  // closed to every process, for writing (creating it is a write of its
  // name), whatever the rule's operation.
  Compiled c = k.compile_doc(doc_with(
      {make_rule(Action::deny, Operation::read, path_obj("/etc/x/y"), "/usr/bin/tool"),
       make_rule(Action::deny, Operation::exec, subtree_obj("/etc/plugins"), std::nullopt, {"/usr/bin/tool"})}));
  ASSERT_EQ(c.diagnostics.size(), 2u);
  EXPECT_EQ(c.diagnostics[0].rule, 0);
  EXPECT_EQ(c.diagnostics[0].message,
            "rule 1 (deny read path /etc/x/y by /usr/bin/tool): /etc/x/y: /etc/x does not exist; until a loader "
            "finds it, creating it is refused to every process");
  EXPECT_FALSE(c.diagnostics[0].unenforceable);
  EXPECT_EQ(c.diagnostics[1].message,
            "rule 2 (deny exec subtree /etc/plugins except /usr/bin/tool): /etc/plugins does not exist; until a "
            "loader finds it, creating it is refused to every process");
  ASSERT_EQ(c.names.size(), 2u);
  const uint32_t x = c.name_id(k.t.name("/etc", "x")), plugins = c.name_id(k.t.name("/etc", "plugins"));
  ASSERT_NE(x, 0u);
  ASSERT_NE(plugins, 0u);
  auto name = of_kind(c, BS_KIND_NAME);
  ASSERT_EQ(name.size(), 2u);
  for (const auto& [key, val] : name) {
    EXPECT_EQ(key.op, BS_OP_WRITE);
    EXPECT_EQ(key.subject, BS_SUBJECT_ANY);
    EXPECT_EQ(val.action, BS_ACT_DENY);
    EXPECT_EQ(val.rule, key.id == x ? 0 : 1);
  }
  EXPECT_EQ(c.kinds[BS_OP_WRITE], 1u << BS_KIND_NAME);
  EXPECT_EQ(c.kinds[BS_OP_READ], 0u);
  EXPECT_EQ(c.kinds[BS_OP_EXEC], 0u);
  EXPECT_EQ(c.ancestors, (std::map<InodeId, uint8_t>{{k.t.id(""), BS_ANCESTOR_DIR}, {k.t.id("/etc"), BS_ANCESTOR_DIR}}));

  // mkdir /etc/x is refused to the rule's subject, to everyone else and to
  // the excepted program alike; another entry of /etc is not.
  MapQuery mk;
  mk.operation = Operation::write;
  mk.entry_to_create = true;
  mk.chain = {k.t.id("/etc"), k.t.id("")};
  mk.name = k.t.name("/etc", "x");
  EXPECT_EQ(decide_maps(c, mk).action, BS_ACT_DENY);
  EXPECT_EQ(decide_maps(c, mk).rule, 0);
  mk.subject = c.subject_of(k.t.id("/usr/bin/tool"));
  EXPECT_EQ(decide_maps(c, mk).action, BS_ACT_DENY);
  mk.name = k.t.name("/etc", "plugins");
  EXPECT_EQ(decide_maps(c, mk).action, BS_ACT_DENY);
  EXPECT_EQ(decide_maps(c, mk).rule, 1);
  mk.name = k.t.name("/etc", "y");
  EXPECT_EQ(decide_maps(c, mk).action, BS_ACT_ALLOW);
}

TEST(CompileNames, AMissingSubtreeBehindASymlinkKeepsTheSymlinkToo) {
  Compiler k;
  k.t.dir("/opt");
  k.t.link("/nonexist", "/opt/later");  // a dangling symlink where the subtree is
  Compiled c = k.compile_doc(doc_with({make_rule(Action::deny, Operation::exec, subtree_obj("/opt/later"))}));
  ASSERT_EQ(c.diagnostics.size(), 1u);
  EXPECT_EQ(c.diagnostics[0].message,
            "rule 1 (deny exec subtree /opt/later): /opt/later does not exist; until a loader finds it, creating "
            "it is refused to every process");
  const uint32_t link = c.name_id(k.t.name("/opt", "later")), target = c.name_id(k.t.name("", "nonexist"));
  ASSERT_NE(link, 0u);
  ASSERT_NE(target, 0u);
  // Removing the symlink (to put a directory there) is a write of its name.
  MapQuery rm;
  rm.operation = Operation::write;
  rm.chain = {k.t.id("/opt/later"), k.t.id("/opt"), k.t.id("")};
  rm.name = k.t.name("/opt", "later");
  EXPECT_EQ(decide_maps(c, rm).action, BS_ACT_DENY);
  MapQuery mk;
  mk.operation = Operation::write;
  mk.entry_to_create = true;
  mk.chain = {k.t.id("")};
  mk.name = k.t.name("", "nonexist");
  EXPECT_EQ(decide_maps(c, mk).action, BS_ACT_DENY);
}

TEST(CompileNames, AMissingDirectoryIsClosedInBothPhases) {
  Compiler k;
  k.t.dir("/etc");
  Document d = doc_with({make_rule(Action::deny, Operation::write, path_obj("/etc/app/conf"))});
  d.seal_after = 300;
  d.rules[0].phase = Phase::running;
  Compiled c = k.compile_doc(d);
  auto name = of_kind(c, BS_KIND_NAME);
  ASSERT_EQ(name.size(), 1u);
  // The rule holds once running; the directory it needs cannot be made
  // during the boot phase either.
  EXPECT_EQ(name[0].second.action, BS_ACT_DENY);
  EXPECT_EQ(name[0].second.run_action, BS_ACT_DENY);
  MapQuery mk;
  mk.operation = Operation::write;
  mk.entry_to_create = true;
  mk.chain = {k.t.id("/etc"), k.t.id("")};
  mk.name = k.t.name("/etc", "app");
  mk.phase = Phase::boot;
  EXPECT_EQ(decide_maps(c, mk).action, BS_ACT_DENY);
}

TEST(CompileNames, MissingDirectoriesOnLaterFilesystemsAreNotClosed) {
  Compiler k;
  k.t.dir("/run");  // the on-disk place the initramfs' /run is moved onto
  k.t.dir("/srv");
  k.fstab = {"/srv/data", "/srv/data-old"};  // /srv/data is missing on the root filesystem
  Compiled c = k.compile_doc(doc_with({make_rule(Action::deny, Operation::write, path_obj("/run/app/state")),
                                       make_rule(Action::deny, Operation::write, subtree_obj("/run/app")),
                                       make_rule(Action::deny, Operation::write, subtree_obj("/srv/data")),
                                       make_rule(Action::deny, Operation::write, path_obj("/srv/data/x/y"))}));
  ASSERT_EQ(c.diagnostics.size(), 4u);
  EXPECT_EQ(c.diagnostics[0].message,
            "rule 1 (deny write path /run/app/state): /run/app/state: /run/app does not exist on the root "
            "filesystem (a filesystem mounted there later is not looked into): the rule protects nothing there");
  EXPECT_EQ(c.diagnostics[1].message,
            "rule 2 (deny write subtree /run/app): /run/app does not exist on the root filesystem (a filesystem "
            "mounted there later is not looked into): the rule protects nothing there");
  EXPECT_NE(c.diagnostics[2].message.find("/srv/data does not exist on the root filesystem"), std::string::npos)
      << c.diagnostics[2].message;
  EXPECT_NE(c.diagnostics[3].message.find("/srv/data does not exist on the root filesystem"), std::string::npos)
      << c.diagnostics[3].message;
  // Nothing would hold these denials once the filesystems are mounted:
  // enforce mode installs nothing rather than leave them open.
  for (const auto& dg : c.diagnostics) EXPECT_TRUE(dg.unenforceable) << dg.message;
  EXPECT_TRUE(c.names.empty());
  EXPECT_TRUE(c.ancestors.empty());  // nothing keeps the places from being mounted on
}

TEST(CompileNames, ANameInAFatPlaceIsRefused) {
  // The fstab mounts a FAT filesystem on /boot/efi after the loader: a
  // name there would be its entry, which FAT looks up ignoring case.
  Compiler k;
  k.t.dir("/boot/efi");
  k.t.dir("/home");
  k.fstab = {"/boot/efi", "/home"};
  const std::string fstab = "UUID=1234-ABCD /boot/efi vfat umask=0077 0 1\n/dev/sdb1 /home ext4 defaults 0 2\n"
                            "sshfs#u@h: /mnt/remote fuse.sshfs defaults 0 0\n";
  EXPECT_EQ(fstab_unstable_points(parse_fstab_entries(fstab)),
            (std::map<std::string, uint64_t>{{"/boot/efi", kFatMagic}, {"/mnt/remote", kFuseMagic}}));
  // Only types known to keep their numbers are left out: NFS, CIFS, 9p,
  // virtiofs, "auto", a bind mount's "none", a type nobody knows and a tmpfs
  // whose names ignore case (casefold) are in.
  EXPECT_EQ(fstab_unstable_points(parse_fstab_entries(
                "srv:/x /a nfs4 defaults 0 0\n//h/s /b cifs guest 0 0\nhost /c 9p trans=virtio 0 0\n"
                "tag /d virtiofs defaults 0 0\n/dev/sdc1 /e auto noauto 0 0\n/srv/x /f none bind 0 0\n"
                "/dev/sdd1 /g wobblefs defaults 0 0\n/dev/sde1 /h xfs defaults 0 2\n/dev/sdf1 /i f2fs defaults 0 2\n"
                "tmpfs /j tmpfs defaults 0 0\ntmpfs /k tmpfs casefold=utf8,mode=755 0 0\n"
                "/dev/sdg1 /l ext4 noauto,x-systemd.automount 0 2\n")),
            (std::map<std::string, uint64_t>{{"/a", 0x6969},
                                             {"/b", 0xff534d42},
                                             {"/c", 0x01021997},
                                             {"/d", kFuseMagic},
                                             {"/e", kFsTypeUnknown},
                                             {"/f", kFsTypeUnknown},
                                             {"/g", kFsTypeUnknown},
                                             {"/k", kFsCasefold},
                                             {"/l", kFsAutomount}}));
  // An automount puts an autofs there first, with the filesystem on it.
  EXPECT_EQ(unidentifiable_note(kFsAutomount),
            "is on an fstab mount point with x-systemd.automount: systemd puts an autofs there "
            "first, and the enforcer takes only one whole filesystem where a protected name waits for one, so the "
            "filesystem would be refused; mount it at boot instead");
  EXPECT_EQ(unidentifiable_note(kFsCasefold),
            "is on a filesystem the fstab mounts with casefold, whose names ignore case, which the enforcer compares "
            "byte for byte, so it cannot identify its files by name");
  auto r = RootResolver::open(k.t.path());
  ASSERT_TRUE(r.ok()) << r.error();
  r->set_fstab_mount_points(k.fstab);
  // The root's line says `auto`: the root is mounted already, and its
  // own type was read, so a name in it is not refused for the line.
  r->set_fstab_unstable_points(fstab_unstable_points(parse_fstab_entries(fstab + "/dev/sda2 / auto defaults 0 1\n")));
  Compiled c = compile(doc_with({make_rule(Action::deny, Operation::write, path_obj("/boot/efi/startup.nsh")),
                                 make_rule(Action::deny, Operation::write, subtree_obj("/boot/efi")),
                                 make_rule(Action::deny, Operation::write, path_obj("/home/keep.conf")),
                                 make_rule(Action::deny, Operation::write, path_obj("/later-at-root"))}),
                       r->resolver(), {}, r->name_resolver());
  ASSERT_EQ(c.diagnostics.size(), 1u) << c.diagnostics.back().message;
  EXPECT_TRUE(c.diagnostics[0].unenforceable);
  EXPECT_EQ(c.diagnostics[0].message,
            "rule 1 (deny write path /boot/efi/startup.nsh): /boot/efi/startup.nsh is on a FAT filesystem, whose "
            "inode numbers change when the kernel drops a file from its cache and whose names ignore case, so the "
            "enforcer cannot identify its files (a subtree rule on its mount point can be enforced): the rule cannot "
            "be enforced");
  // The subtree rule on the place, and the names on the ext4 place and
  // in the root, hold.
  ASSERT_EQ(c.names.size(), 2u);
  auto named = [&](const EntryName& n) {
    return std::any_of(c.names.begin(), c.names.end(), [&](const NameEntry& e) { return e.name == n; });
  };
  EXPECT_TRUE(named(k.t.name("/home", "keep.conf")));
  EXPECT_TRUE(named(k.t.name("/", "later-at-root")));
  EXPECT_EQ(of_kind(c, BS_KIND_SUBTREE).size(), 1u);
}

TEST(CompileNames, XfsSuperblockSaysWhetherNamesIgnoreCase) {
  // struct xfs_dsb: "XFSB" at 0, sb_versionnum (big endian) at 100, whose
  // 0x4000 bit is ASCII case-insensitive names.
  std::vector<unsigned char> sb(512, 0);
  std::memcpy(sb.data(), "XFSB", 4);
  sb[100] = 0xf4;  // a version 5 superblock with the bit (0xf4a5)
  sb[101] = 0xa5;
  EXPECT_EQ(xfs_superblock_ignores_case(sb), true);
  sb[100] = 0xb4;  // and without it
  EXPECT_EQ(xfs_superblock_ignores_case(sb), false);
  EXPECT_EQ(xfs_superblock_ignores_case(std::span<const unsigned char>(sb.data(), 101)), std::nullopt);
  sb[0] = 'Y';
  EXPECT_EQ(xfs_superblock_ignores_case(sb), std::nullopt);  // not xfs
  EXPECT_EQ(xfs_superblock_ignores_case({}), std::nullopt);
}

TEST(CompileNames, DeviceCasefoldProbeReadsXfsImages) {
  Tree t;
  const std::string missing = t.path() + "/missing.img";
  const CasefoldProbe none = device_casefold_probe(missing);
  EXPECT_TRUE(none.ignores_case);  // unreadable counts as yes
  EXPECT_EQ(none.error, "No such file or directory");
  {
    std::ofstream(t.path() + "/zero.img") << std::string(4096, '\0');
  }
  const CasefoldProbe zero = device_casefold_probe(t.path() + "/zero.img");
  EXPECT_TRUE(zero.ignores_case);
  EXPECT_EQ(zero.error, "no xfs superblock");
  // Images made by mkfs.xfs itself (xfsprogs is a test dependency,
  // scripts/install-deps.sh): the probe must agree with the tool.
  if (::access("/usr/sbin/mkfs.xfs", X_OK) != 0 && ::access("/sbin/mkfs.xfs", X_OK) != 0)
    GTEST_SKIP() << "mkfs.xfs is not installed (xfsprogs)";
  for (const bool ci : {false, true}) {
    const std::string img = t.path() + (ci ? "/ci.img" : "/plain.img");
    {
      std::ofstream f(img);
    }
    ASSERT_EQ(::truncate(img.c_str(), 320ll << 20), 0);
    const std::string cmd = "PATH=/usr/sbin:/sbin:$PATH mkfs.xfs -q -f " + std::string(ci ? "-n version=ci " : "") + img;
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    const CasefoldProbe p = device_casefold_probe(img);
    EXPECT_EQ(p.error, "") << img;
    EXPECT_EQ(p.ignores_case, ci) << img;
    EXPECT_EQ(p.xfs, ci) << img;
  }
}

TEST(CompileNames, HeldDevicesAreNotProbed) {
  // A multipath path or a RAID member: SYSFS/class/block/NAME/holders
  // names its holder, and the kernel mounts that holder, not it.
  Tree t;
  t.file("/dev/sdx");
  t.file("/dev/sdy");
  fs::create_directories(t.path() + "/sys/class/block/sdx/holders/dm-0");
  fs::create_directories(t.path() + "/sys/class/block/sdy/holders");
  fs::create_symlink(t.path() + "/dev/sdx", t.path() + "/dev/by-uuid-link");
  const std::string sysfs = t.path() + "/sys";
  EXPECT_TRUE(device_has_holders(sysfs, t.path() + "/dev/sdx"));
  EXPECT_TRUE(device_has_holders(sysfs, t.path() + "/dev/by-uuid-link"));  // the node's own name counts
  EXPECT_FALSE(device_has_holders(sysfs, t.path() + "/dev/sdy"));          // an empty holders directory
  EXPECT_FALSE(device_has_holders(sysfs, t.path() + "/dev/sdz"));          // no such device
}

TEST(CompileNames, ANameInACaseInsensitiveXfsMountedLaterIsRefused) {
  const std::string fstab =
      "/dev/sdh1 /h xfs defaults 0 2\n/dev/sdi1 /i xfs defaults 0 2\n/dev/sdj1 /j xfs defaults 0 2\n"
      "/dev/sda2 / xfs defaults 0 1\n/dev/sdk1 /k ext4 defaults 0 2\nLABEL=gone /g xfs defaults 0 2\n"
      "/dev/sdl1 /l ext4,xfs defaults 0 2\n";
  std::vector<std::string> probed;
  const auto points = case_insensitive_xfs_points(
      parse_fstab_entries(fstab),
      [](const FstabEntry& e) {
        return e.spec == "LABEL=gone" ? std::vector<std::string>{} : std::vector<std::string>{e.spec};
      },
      [&](const std::string& device) {
        probed.push_back(device);
        CasefoldProbe p;
        if (device == "/dev/sdh1" || device == "/dev/sdl1") p.ignores_case = p.xfs = true;
        if (device == "/dev/sdj1") p.ignores_case = true, p.error = "Input/output error";
        return p;
      });
  // Only the xfs lines but the root's are read (a list with xfs on it
  // too); one whose superblock cannot be read is of a type the loader
  // cannot tell.
  EXPECT_EQ(probed, (std::vector<std::string>{"/dev/sdh1", "/dev/sdi1", "/dev/sdj1", "/dev/sdl1"}));
  EXPECT_EQ(points,
            (std::map<std::string, uint64_t>{{"/h", kFsAsciiCi}, {"/j", kFsTypeUnknown}, {"/l", kFsAsciiCi}}));
  EXPECT_EQ(unidentifiable_fs(kFsAsciiCi), "xfs (ASCII case-insensitive)");

  Compiler k;
  k.t.dir("/h");
  k.t.dir("/i");
  k.fstab = {"/h", "/i"};
  auto r = RootResolver::open(k.t.path());
  ASSERT_TRUE(r.ok()) << r.error();
  r->set_fstab_mount_points(k.fstab);
  r->set_fstab_unstable_points(points);
  Compiled c = compile(doc_with({make_rule(Action::deny, Operation::write, path_obj("/h/secret")),
                                 make_rule(Action::deny, Operation::write, path_obj("/i/secret")),
                                 make_rule(Action::deny, Operation::write, subtree_obj("/h"))}),
                       r->resolver(), {}, r->name_resolver());
  ASSERT_EQ(c.diagnostics.size(), 1u) << c.diagnostics.back().message;
  EXPECT_TRUE(c.diagnostics[0].unenforceable);
  EXPECT_EQ(c.diagnostics[0].message,
            "rule 1 (deny write path /h/secret): /h/secret is on the xfs the fstab mounts there, made with ASCII "
            "case-insensitive names (mkfs.xfs -n version=ci), which the enforcer compares byte for byte, so it "
            "cannot identify its files by name: the rule cannot be enforced");
  // The name on the other xfs, and the subtree rule (it names no entry), hold.
  ASSERT_EQ(c.names.size(), 1u);
  EXPECT_EQ(c.names[0].name, k.t.name("/i", "secret"));
  EXPECT_EQ(of_kind(c, BS_KIND_SUBTREE).size(), 1u);
}

TEST(CompileNames, TheFstabProbeRunsOnlyWhereANameIsRecorded) {
  // The loader's probe reads an xfs superblock from a device: asked once
  // per mount point a name is recorded in, never for one without names,
  // nor for a directory the fstab does not list.
  Compiler k;
  k.t.dir("/h");
  k.t.dir("/quiet");
  k.t.dir("/plain");
  k.fstab = {"/h", "/quiet"};
  auto r = RootResolver::open(k.t.path());
  ASSERT_TRUE(r.ok()) << r.error();
  r->set_fstab_mount_points(k.fstab);
  std::vector<std::string> asked;
  r->set_fstab_unstable_probe([&](const std::string& point) {
    asked.push_back(point);
    return point == "/h" ? kFsAsciiCi : uint64_t{0};
  });
  Compiled c = compile(doc_with({make_rule(Action::deny, Operation::write, path_obj("/h/one")),
                                 make_rule(Action::deny, Operation::write, path_obj("/h/two")),
                                 make_rule(Action::deny, Operation::write, path_obj("/plain/x")),
                                 make_rule(Action::deny, Operation::write, subtree_obj("/quiet"))}),
                       r->resolver(), {}, r->name_resolver());
  EXPECT_EQ(asked, std::vector<std::string>{"/h"});
  ASSERT_EQ(c.diagnostics.size(), 2u);
  for (const auto& dg : c.diagnostics) {
    EXPECT_TRUE(dg.unenforceable) << dg.message;
    EXPECT_NE(dg.message.find("is on the xfs the fstab mounts there"), std::string::npos) << dg.message;
  }
  ASSERT_EQ(c.names.size(), 1u);
  EXPECT_EQ(c.names[0].name, k.t.name("/plain", "x"));
}

TEST(Places, FatAndExfatArePlacedByTheirDevice) {
  // The key the enforcer's place_key_of() makes for a FAT superblock on
  // device 8:1 (kernel encoding 8 << 20 | 1).
  const uint32_t dev = 8u << 20 | 1;
  const auto key = device_place_key(dev);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(key.data()), 12), "bs-place-dev");
  uint32_t stored = 0;
  std::memcpy(&stored, key.data() + 12, sizeof(stored));  // s_dev as the enforcer copies it
  EXPECT_EQ(stored, dev);
  EXPECT_TRUE(is_device_place_key(key));
  EXPECT_NE(device_place_key(8u << 20 | 2), key);
  EXPECT_TRUE(device_placed_type("vfat"));
  EXPECT_TRUE(device_placed_type("exfat"));
  EXPECT_FALSE(device_placed_type("ext4"));
  EXPECT_FALSE(device_placed_type("fuseblk"));  // never placed: its server decides what it is
  // FAT's serial is no UUID the loader parses; an ext4 UUID can be made to
  // begin as a device key does, and is then told apart (the loader does
  // not place it, the enforcer gives such a superblock no place).
  EXPECT_FALSE(parse_fs_uuid("1234-ABCD"));
  const auto forged = parse_fs_uuid("62732d70-6c61-6365-2d64-657601008000");
  ASSERT_TRUE(forged);
  EXPECT_TRUE(is_device_place_key(*forged));
  EXPECT_FALSE(is_device_place_key(*parse_fs_uuid("5e1f0c4a-2b7d-4c11-9a3e-0d6f2b8c7a91")));
}

TEST(CompileNames, ADenialThroughASymlinkIntoALaterFilesystemIsNotInstalled) {
  // /etc/app.conf -> /run/app/conf: /run is mounted after the loader, so
  // only the symlink's own name could be kept, not what it leads to.
  Compiler k;
  k.t.dir("/etc");
  k.t.dir("/run");
  k.t.link("/run/app/conf", "/etc/app.conf");
  Compiled c = k.compile_doc(doc_with({make_rule(Action::deny, Operation::write, path_obj("/etc/app.conf")),
                                       make_rule(Action::audit, Operation::write, path_obj("/etc/app.conf"))}));
  ASSERT_EQ(c.diagnostics.size(), 1u) << (c.diagnostics.size() > 1 ? c.diagnostics[1].message : "");
  EXPECT_TRUE(c.diagnostics[0].unenforceable);
  EXPECT_EQ(c.diagnostics[0].message,
            "rule 1 (deny write path /etc/app.conf): /etc/app.conf: /run/app does not exist on the root filesystem "
            "(a filesystem mounted there later is not looked into): the rule protects nothing there");
}

TEST(CompileNames, AClosureNeedsTheRulesSubjectAndAShortName) {
  Compiler k;
  k.t.dir("/etc");
  const std::string too_long(BS_ENTRY_NAME_MAX + 1, 'd');
  Compiled c = k.compile_doc(doc_with({make_rule(Action::deny, Operation::write, path_obj("/etc/x/y"), "/usr/bin/gone"),
                                       make_rule(Action::deny, Operation::write, path_obj("/etc/" + too_long + "/y"))}));
  ASSERT_EQ(c.diagnostics.size(), 2u);
  // The subject does not exist: the rule runs nowhere, and nothing is said
  // of a closure it does not make.
  EXPECT_EQ(c.diagnostics[0].message.find("creating it is refused"), std::string::npos) << c.diagnostics[0].message;
  EXPECT_NE(c.diagnostics[0].message.find("/usr/bin/gone"), std::string::npos) << c.diagnostics[0].message;
  EXPECT_EQ(c.diagnostics[1].message, "rule 2 (deny write path /etc/" + too_long + "/y): /etc/" + too_long +
                                          "/y: /etc/" + too_long +
                                          " does not exist, and its entry is longer than the enforcer's 64 bytes: it "
                                          "cannot be kept from being made, and the rule protects nothing");
  EXPECT_FALSE(c.diagnostics[0].unenforceable);  // a rule for a program that is not there holds nowhere
  EXPECT_TRUE(c.diagnostics[1].unenforceable);
  EXPECT_TRUE(c.names.empty());
  // A final entry too long to be a name, with no file to hold it by: the
  // first file made there would be open.
  Compiled f = k.compile_doc(doc_with({make_rule(Action::deny, Operation::write, path_obj("/etc/" + too_long)),
                                       make_rule(Action::allow, Operation::write, path_obj("/etc/" + too_long))}));
  ASSERT_EQ(f.diagnostics.size(), 2u);
  EXPECT_TRUE(f.diagnostics[0].unenforceable) << f.diagnostics[0].message;
  EXPECT_FALSE(f.diagnostics[1].unenforceable) << f.diagnostics[1].message;
}

TEST(CompileNames, MissingDirectoryUnderOtherRulesIsReportedAndDropped) {
  Compiler k;
  k.t.dir("/etc");
  k.t.dir("/srv");
  k.fstab = {"/srv"};
  // An allow or audit rule opens nothing while its object cannot exist; a
  // deny rule under an fstab place names the later filesystem's files,
  // which the loader cannot see.
  Compiled c = k.compile_doc(doc_with({make_rule(Action::allow, Operation::write, path_obj("/etc/x/y")),
                                       make_rule(Action::audit, Operation::write, subtree_obj("/etc/z")),
                                       make_rule(Action::deny, Operation::write, path_obj("/srv/www/index.html"))}));
  ASSERT_EQ(c.diagnostics.size(), 3u);
  EXPECT_EQ(c.diagnostics[0].message, "rule 1 (allow write path /etc/x/y): /etc/x/y: /etc/x does not exist");
  EXPECT_EQ(c.diagnostics[1].message, "rule 2 (audit write subtree /etc/z): /etc/z does not exist");
  EXPECT_EQ(c.diagnostics[2].message,
            "rule 3 (deny write path /srv/www/index.html): /srv/www/index.html: /srv/www does not exist on the root "
            "filesystem (a filesystem mounted there later is not looked into): the rule protects nothing there");
  // Allow and audit rules open nothing while their object cannot exist;
  // the denial would be open once /srv is mounted.
  EXPECT_FALSE(c.diagnostics[0].unenforceable);
  EXPECT_FALSE(c.diagnostics[1].unenforceable);
  EXPECT_TRUE(c.diagnostics[2].unenforceable);
  EXPECT_TRUE(c.rules.empty());
  EXPECT_TRUE(c.names.empty());
  EXPECT_TRUE(c.ancestors.empty());
  EXPECT_EQ(c.kinds[BS_OP_WRITE], 0u);
}

TEST(CompileNames, SymlinkPathProtectsBothNames) {
  Compiler k;
  k.t.file("/usr/bin/tool");
  k.t.link("../usr/bin/tool", "/bin/tool");
  Compiled c = k.compile_doc(doc_with({make_rule(Action::deny, Operation::exec, path_obj("/bin/tool"))}));
  EXPECT_TRUE(c.diagnostics.empty());
  ASSERT_EQ(c.names.size(), 2u);
  EXPECT_EQ(c.name_id(k.t.name("/bin", "tool")), 1u);
  EXPECT_EQ(c.name_id(k.t.name("/usr/bin", "tool")), 2u);
  EXPECT_EQ(of_kind(c, BS_KIND_NAME).size(), 2u);
  ASSERT_EQ(of_kind(c, BS_KIND_PATH).size(), 1u);
  EXPECT_EQ(of_kind(c, BS_KIND_PATH)[0].first.id, k.t.id("/usr/bin/tool").ino);
}

TEST(CompileNames, LoopIsReportedWithTheComponent) {
  Compiler k;
  k.t.link("loop", "/loop");
  Compiled c = k.compile_doc(doc_with({make_rule(Action::deny, Operation::read, path_obj("/loop/x"))}));
  ASSERT_EQ(c.diagnostics.size(), 1u);
  EXPECT_EQ(c.diagnostics[0].message, "rule 1 (deny read path /loop/x): /loop/x: too many symlinks at /loop");
  EXPECT_TRUE(c.rules.empty());
}

TEST(CompileNames, NameTooLongForTheKeyKeepsTheInode) {
  Compiler k;
  const std::string longest(BS_ENTRY_NAME_MAX, 'a'), too_long(BS_ENTRY_NAME_MAX + 1, 'b');
  k.t.file("/opt/" + longest);
  k.t.file("/opt/" + too_long);
  k.t.dir("/srv");
  Compiled c = k.compile_doc(doc_with({make_rule(Action::deny, Operation::write, path_obj("/opt/" + longest)),
                                       make_rule(Action::deny, Operation::write, path_obj("/opt/" + too_long)),
                                       make_rule(Action::deny, Operation::write, path_obj("/srv/" + too_long))}));
  ASSERT_EQ(c.diagnostics.size(), 2u);
  EXPECT_EQ(c.diagnostics[0].rule, 1);
  EXPECT_EQ(c.diagnostics[0].message, "rule 2 (deny write path /opt/" + too_long + "): /opt/" + too_long +
                                          " cannot be protected by name: its entry " + too_long +
                                          " is 65 bytes long, more than the enforcer's 64 (only the file it "
                                          "names now is protected)");
  // Absent and too long: nothing to protect at all.
  EXPECT_EQ(c.diagnostics[1].rule, 2);
  EXPECT_NE(c.diagnostics[1].message.find("cannot be protected by name"), std::string::npos);
  ASSERT_EQ(c.names.size(), 1u);
  EXPECT_EQ(c.names[0].name.entry, longest);
  EXPECT_EQ(of_kind(c, BS_KIND_PATH).size(), 2u);  // both files' inodes
  EXPECT_EQ(of_kind(c, BS_KIND_NAME).size(), 1u);
}

TEST(CompileNames, SubtreeRuleDirectoryIsAnAncestorOfItsOwnKind) {
  Compiler k;
  k.t.dir("/usr/lib/modules");
  k.t.link("usr/lib", "/lib");
  Compiled c = k.compile_doc(doc_with({make_rule(Action::deny, Operation::write, subtree_obj("/lib/modules"))}));
  EXPECT_TRUE(c.diagnostics.empty());
  EXPECT_TRUE(c.names.empty());  // a subtree rule protects its directory's inode, no name entries
  EXPECT_TRUE(of_kind(c, BS_KIND_NAME).empty());
  EXPECT_EQ(c.ancestors, (std::map<InodeId, uint8_t>{{k.t.id(""), BS_ANCESTOR_DIR},
                                                     {k.t.id("/lib"), BS_ANCESTOR_SYMLINK},
                                                     {k.t.id("/usr"), BS_ANCESTOR_DIR},
                                                     {k.t.id("/usr/lib"), BS_ANCESTOR_DIR},
                                                     {k.t.id("/usr/lib/modules"), BS_ANCESTOR_SUBTREE | BS_ANCESTOR_DIR}}));
  // An empty subtree directory the fstab mounts on takes that one mount.
  k.fstab = {"/usr/lib/modules"};
  Compiled listed = k.compile_doc(doc_with({make_rule(Action::deny, Operation::write, subtree_obj("/lib/modules"))}));
  EXPECT_EQ(listed.ancestors.at(k.t.id("/usr/lib/modules")), BS_ANCESTOR_SUBTREE);
  // A subtree's directory that holds files, here one a path rule names, is
  // also a directory no mount may cover.
  k.t.file("/usr/lib/modules/m.ko");
  Compiled both = k.compile_doc(doc_with({make_rule(Action::deny, Operation::read, path_obj("/usr/lib/modules/m.ko")),
                                          make_rule(Action::deny, Operation::write, subtree_obj("/usr/lib/modules"))}));
  EXPECT_EQ(both.ancestors.at(k.t.id("/usr/lib/modules")), BS_ANCESTOR_SUBTREE | BS_ANCESTOR_DIR);
  Compiled full = k.compile_doc(doc_with({make_rule(Action::deny, Operation::write, subtree_obj("/usr/lib/modules"))}));
  EXPECT_EQ(full.ancestors.at(k.t.id("/usr/lib/modules")), BS_ANCESTOR_SUBTREE | BS_ANCESTOR_DIR);
  // A subtree that does not exist is reported, and kept from being made.
  Compiled gone = k.compile_doc(doc_with({make_rule(Action::deny, Operation::write, subtree_obj("/usr/lib/firmware"))}));
  ASSERT_EQ(gone.diagnostics.size(), 1u);
  EXPECT_EQ(gone.diagnostics[0].message,
            "rule 1 (deny write subtree /usr/lib/firmware): /usr/lib/firmware does not exist; until a loader finds "
            "it, creating it is refused to every process");
  EXPECT_EQ(gone.name_id(k.t.name("/usr/lib", "firmware")), 1u);
  EXPECT_EQ(gone.ancestors.at(k.t.id("/usr/lib")), BS_ANCESTOR_DIR);
}

TEST(CompileNames, RulesShareNameIdsAndMergeLikeInodes) {
  Compiler k;
  k.t.file("/etc/shadow");
  k.t.file("/usr/bin/passwd");
  k.t.file("/usr/bin/login");
  Compiled c = k.compile_doc(doc_with(
      {make_rule(Action::deny, Operation::write, path_obj("/etc/shadow"), std::nullopt, {"/usr/bin/passwd"}),
       make_rule(Action::audit, Operation::write, path_obj("/etc/shadow")),
       make_rule(Action::deny, Operation::read, path_obj("/etc/shadow"), "/usr/bin/login"),
       make_rule(Action::deny, Operation::write, path_obj("/etc/gshadow"))}));
  EXPECT_TRUE(c.diagnostics.empty());
  ASSERT_EQ(c.names.size(), 2u);
  const uint32_t shadow = c.name_id(k.t.name("/etc", "shadow")), gshadow = c.name_id(k.t.name("/etc", "gshadow"));
  EXPECT_EQ(shadow, 1u);
  EXPECT_EQ(gshadow, 2u);
  const uint32_t passwd = c.subject_of(k.t.id("/usr/bin/passwd")), login = c.subject_of(k.t.id("/usr/bin/login"));
  // The name entries say what the inode entries say, key for key.
  for (const auto& [key, val] : of_kind(c, BS_KIND_PATH)) {
    bs_rule_key nk = key;
    nk.kind = BS_KIND_NAME;
    nk.dev = 0;
    nk.id = shadow;
    const bs_rule_val* v = c.find(nk);
    ASSERT_NE(v, nullptr);
    EXPECT_EQ(v->action, val.action);
    EXPECT_EQ(v->rule, val.rule);
  }
  auto at = [&](uint8_t op, uint32_t subject, uint32_t id) {
    bs_rule_key key{};
    key.kind = BS_KIND_NAME;
    key.op = op;
    key.subject = subject;
    key.id = id;
    return c.find(key);
  };
  ASSERT_NE(at(BS_OP_WRITE, BS_SUBJECT_ANY, shadow), nullptr);
  EXPECT_EQ(at(BS_OP_WRITE, BS_SUBJECT_ANY, shadow)->action, BS_ACT_DENY);
  ASSERT_NE(at(BS_OP_WRITE, passwd, shadow), nullptr);
  EXPECT_EQ(at(BS_OP_WRITE, passwd, shadow)->action, BS_ACT_AUDIT);  // exempt from the deny, not the audit
  EXPECT_EQ(at(BS_OP_WRITE, passwd, shadow)->rule, 1);
  ASSERT_NE(at(BS_OP_READ, login, shadow), nullptr);
  EXPECT_EQ(at(BS_OP_READ, BS_SUBJECT_ANY, shadow), nullptr);
  ASSERT_NE(at(BS_OP_WRITE, BS_SUBJECT_ANY, gshadow), nullptr);
  EXPECT_EQ(c.kinds[BS_OP_READ], (1u << BS_KIND_PATH) | (1u << BS_KIND_NAME));
}

TEST(CompileNames, NameOnlyRuleGuardsItsDirectorysFilesystem) {
  Compiler k;
  k.t.dir("/etc");
  Compiled c = k.compile_doc(doc_with({make_rule(Action::deny, Operation::write, path_obj("/etc/absent"))}));
  const InodeId etc = k.t.id("/etc");
  EXPECT_EQ(protected_ops_on(c, etc.dev, 0), 1u << BS_OP_WRITE);
  EXPECT_EQ(protected_ops_on(c, etc.dev + 1, 0), 0u);
}

TEST(CompileNames, WithoutANameResolverPathsAreInodesOnly) {
  Tree t;
  t.file("/etc/shadow");
  auto r = RootResolver::open(t.path());
  Compiled c = compile(doc_with({make_rule(Action::deny, Operation::write, path_obj("/etc/shadow"))}), r->resolver());
  EXPECT_TRUE(c.names.empty());
  EXPECT_TRUE(c.ancestors.empty());
  EXPECT_EQ(c.kinds[BS_OP_WRITE], 1u << BS_KIND_PATH);
}

// A fake name resolver: what a unit test says each path resolves to.
// A resolver for which no executable exists.
Resolver no_inodes() {
  return [](const std::string&, std::string* err) -> std::optional<InodeId> {
    if (err) *err = "does not exist";
    return std::nullopt;
  };
}

// On ext4 unless an entry says otherwise (fs_magic).
NameResolver fake_names(std::map<std::string, NameResolution> table) {
  for (auto& [path, res] : table)
    if (!res.fs_magic) res.fs_magic = 0xef53;
  return [table = std::move(table)](const std::string& p, std::string* err) -> std::optional<NameResolution> {
    auto it = table.find(p);
    if (it == table.end()) {
      if (err) *err = p + " does not exist";
      return std::nullopt;
    }
    return it->second;
  };
}

TEST(CompileNames, FakeResolverDirectoriesOnAnotherDevice) {
  // A name whose directory is the root of another mount: the key carries
  // that directory's device, as the resolver gives it.
  const InodeId root{1u << 20 | 1, 2}, boot{8u << 20 | 1, 2}, vmlinuz{8u << 20 | 1, 12};
  NameResolution res;
  res.object = vmlinuz;
  res.names = {EntryName{boot, "vmlinuz"}};
  res.ancestors = {{root, BS_ANCESTOR_DIR}, {boot, BS_ANCESTOR_DIR}};
  Document d = doc_with({make_rule(Action::deny, Operation::write, path_obj("/boot/vmlinuz")),
                         make_rule(Action::deny, Operation::write, path_obj("/boot/efi/x"))});
  Compiled c = compile(d, no_inodes(), {}, fake_names({{"/boot/vmlinuz", res}}));
  ASSERT_EQ(c.diagnostics.size(), 1u);
  EXPECT_EQ(c.diagnostics[0].message, "rule 2 (deny write path /boot/efi/x): /boot/efi/x: /boot/efi/x does not exist");
  ASSERT_EQ(c.names.size(), 1u);
  EXPECT_EQ(c.names[0].name.dir.dev, 8u << 20 | 1);
  EXPECT_EQ(c.ancestors.size(), 2u);
  EXPECT_EQ(protected_ops_on(c, 8u << 20 | 1, 0), 1u << BS_OP_WRITE);
}

TEST(CompileNames, RulesOnBtrfsOrOverlayCannotBeEnforced) {
  // stat's device on btrfs is the subvolume's, on overlayfs a pseudo
  // device: keys made from it would never match what the enforcer reads.
  const InodeId dir{1u << 20 | 5, 256}, file{1u << 20 | 5, 300};
  NameResolution on_btrfs;
  on_btrfs.object = file;
  on_btrfs.names = {EntryName{dir, "shadow"}};
  on_btrfs.fs_magic = 0x9123683e;
  NameResolution on_overlay = on_btrfs;
  on_overlay.fs_magic = 0x794c7630;
  NameResolution on_ext4 = on_btrfs;
  on_ext4.fs_magic = 0xef53;
  Document d = doc_with({make_rule(Action::deny, Operation::write, path_obj("/etc/shadow")),
                         make_rule(Action::deny, Operation::exec, subtree_obj("/usr")),
                         make_rule(Action::deny, Operation::read, path_obj("/srv/x"))});
  Compiled c = compile(d, no_inodes(), {},
                       fake_names({{"/etc/shadow", on_btrfs}, {"/usr", on_overlay}, {"/srv/x", on_ext4}}));
  ASSERT_EQ(c.diagnostics.size(), 2u);
  EXPECT_TRUE(c.diagnostics[0].unenforceable);
  EXPECT_EQ(c.diagnostics[0].message,
            "rule 1 (deny write path /etc/shadow): /etc/shadow is on a btrfs filesystem, whose files the enforcer "
            "cannot identify (stat's device is not the filesystem's): the rule cannot be enforced");
  EXPECT_TRUE(c.diagnostics[1].unenforceable);
  EXPECT_NE(c.diagnostics[1].message.find("/usr is on an overlay filesystem"), std::string::npos);
  // Only the rule on ext4 is compiled.
  EXPECT_EQ(c.kinds[BS_OP_WRITE], 0u);
  EXPECT_EQ(c.kinds[BS_OP_EXEC], 0u);
  EXPECT_EQ(c.kinds[BS_OP_READ], (1u << BS_KIND_PATH) | (1u << BS_KIND_NAME));
  EXPECT_EQ(unidentifiable_fs(0xef53), "");
  // The same words for a subject's executable (RootResolver::resolve).
  EXPECT_EQ(unidentifiable_note(0x794c7630),
            "is on an overlay filesystem, whose files the enforcer cannot identify (stat's device is not the "
            "filesystem's)");
  EXPECT_EQ(unidentifiable_note(0xef53), "");
}

TEST(CompileNames, OnlyFilesystemsKnownToKeepTheirNumbersAreTrusted) {
  // The list fails closed: NFS (its server numbers), proc (a number each
  // time an inode is made), and a type nobody listed are refused; the
  // common local filesystems and kernfs (sysfs) are not.
  using Magics = std::initializer_list<uint64_t>;
  for (uint64_t m : Magics{0xef53, 0x58465342, 0xf2f52010, 0x01021994, 0x73717368, 0xe0f5e1e2, 0x62656572})
    EXPECT_TRUE(keeps_inode_numbers(m)) << std::hex << m;
  // jfs (OS/2 volumes ignore case), nilfs2 (snapshots share the device),
  // ramfs, configfs, tracefs (numbers from a wrapping counter, or anew per
  // lookup) are left out too.
  for (uint64_t m : Magics{0x6969, 0x9fa0, 0x01021997, 0xff534d42, 0x2fc12fc1, 0x12345678, 0x9123683e, 0x794c7630,
                           kFuseMagic, kFatMagic, kFsTypeUnknown, 0x3153464a, 0x3434, 0x858458f6, 0x62656570,
                           0x74726163})
    EXPECT_FALSE(keeps_inode_numbers(m)) << std::hex << m;
  EXPECT_EQ(unidentifiable_fs(0x6969), "NFS");
  EXPECT_EQ(unidentifiable_fs(0x12345678), "0x12345678");
  const std::string kept =
      ", which the enforcer does not know to keep a file's inode number for as long as the file exists and to "
      "compare names byte for byte, so it cannot identify its files";
  EXPECT_EQ(unidentifiable_note(0x9fa0), "is on a filesystem of type proc" + kept);
  EXPECT_TRUE(is_unidentifiable_note(unidentifiable_note(0x12345678)));

  const InodeId dir{0, 40}, file{0, 41};
  NameResolution on_nfs;
  on_nfs.object = file;
  on_nfs.names = {EntryName{dir, "data"}};
  on_nfs.fs_magic = 0x6969;
  NameResolution on_odd = on_nfs;
  on_odd.fs_magic = 0x12345678;
  NameResolution on_xfs = on_nfs;
  on_xfs.fs_magic = 0x58465342;
  Compiled c = compile(doc_with({make_rule(Action::deny, Operation::write, path_obj("/srv/data")),
                                 make_rule(Action::allow, Operation::read, subtree_obj("/mnt/odd")),
                                 make_rule(Action::deny, Operation::read, path_obj("/data/x"))}),
                       no_inodes(), {}, fake_names({{"/srv/data", on_nfs}, {"/mnt/odd", on_odd}, {"/data/x", on_xfs}}));
  ASSERT_EQ(c.diagnostics.size(), 2u);
  EXPECT_EQ(c.diagnostics[0].message,
            "rule 1 (deny write path /srv/data): /srv/data is on a filesystem of type NFS" + kept +
                ": the rule cannot be enforced");
  EXPECT_EQ(c.diagnostics[1].message,
            "rule 2 (allow read subtree /mnt/odd): /mnt/odd is on a filesystem of type 0x12345678" + kept +
                ": the rule cannot be enforced");
  for (const auto& dg : c.diagnostics) EXPECT_TRUE(dg.unenforceable) << dg.message;
  // The rule on xfs alone is compiled.
  EXPECT_EQ(c.kinds[BS_OP_WRITE], 0u);
  EXPECT_EQ(c.kinds[BS_OP_READ], (1u << BS_KIND_PATH) | (1u << BS_KIND_NAME));
}

TEST(CompileNames, ANameInACasefoldedDirectoryIsRefused) {
  // The resolver found a directory whose names ignore case on the way to
  // a name the rule protects: "SHADOW" there is the same entry.
  const InodeId dir{0, 50}, file{0, 51}, sub{0, 52};
  NameResolution name_there;
  name_there.names = {EntryName{dir, "later"}};
  name_there.casefold_at = "/srv/ci";
  NameResolution file_there = name_there;
  file_there.object = file;
  file_there.names = {EntryName{dir, "kept"}};
  // A subtree rule on a directory that exists there protects no name.
  NameResolution dir_there = name_there;
  dir_there.object = sub;
  dir_there.names = {EntryName{dir, "sub"}};
  Compiled c = compile(doc_with({make_rule(Action::deny, Operation::write, path_obj("/srv/ci/later")),
                                 make_rule(Action::deny, Operation::write, path_obj("/srv/ci/kept")),
                                 make_rule(Action::deny, Operation::write, subtree_obj("/srv/ci/sub")),
                                 make_rule(Action::deny, Operation::write, subtree_obj("/srv/ci/later"))}),
                       no_inodes(), {},
                       fake_names({{"/srv/ci/later", name_there},
                                   {"/srv/ci/kept", file_there},
                                   {"/srv/ci/sub", dir_there}}));
  ASSERT_EQ(c.diagnostics.size(), 3u);
  const std::string tail = ": /srv/ci ignores case in its names (casefold), which the enforcer compares byte for "
                           "byte: the rule cannot be enforced";
  EXPECT_EQ(c.diagnostics[0].message, "rule 1 (deny write path /srv/ci/later): /srv/ci/later" + tail);
  EXPECT_EQ(c.diagnostics[1].message, "rule 2 (deny write path /srv/ci/kept): /srv/ci/kept" + tail);
  EXPECT_EQ(c.diagnostics[2].message, "rule 4 (deny write subtree /srv/ci/later): /srv/ci/later" + tail);
  for (const auto& dg : c.diagnostics) EXPECT_TRUE(dg.unenforceable) << dg.message;
  EXPECT_EQ(c.kinds[BS_OP_WRITE], 1u << BS_KIND_SUBTREE);  // rule 3
  EXPECT_TRUE(c.names.empty());
}

TEST(CompileNames, OnFatOrExfatOnlyTheFilesystemsRootCanBeARulesObjectAndOnFuseNothing) {
  // FAT and exFAT number an inode when the kernel reads it (a file dropped
  // from the cache comes back with another number) and look names up
  // ignoring case. Only the root directory (inode 1) keeps its number.
  // FUSE's server decides both, and may renumber the root too.
  const InodeId root{8u << 20 | 17, kUnstableFsRootIno}, dir{8u << 20 | 17, 4711}, file{8u << 20 | 17, 4712};
  NameResolution fat_file;
  fat_file.object = file;
  fat_file.names = {EntryName{dir, "grubx64.efi"}};
  fat_file.fs_magic = 0x4d44;
  NameResolution fat_root;
  fat_root.object = root;
  fat_root.names = {EntryName{InodeId{8u << 20 | 2, 12}, "efi"}};
  fat_root.fs_magic = 0x4d44;
  fat_root.fs_root = true;
  NameResolution exfat_dir = fat_file;
  exfat_dir.object = dir;
  exfat_dir.fs_magic = 0x2011bab0;
  NameResolution fuse_root = fat_root;
  fuse_root.fs_magic = kFuseMagic;
  // A name with no file in the root directory of a FAT filesystem: the
  // root's number is kept, but FAT's lookups ignore case ("LATER" would be
  // another name to the enforcer), so the resolver does not mark it a root.
  NameResolution fat_missing;
  fat_missing.names = {EntryName{root, "later"}};
  fat_missing.fs_magic = 0x4d44;
  // An ext4 file reached through a FAT directory that is not the root (a
  // mount inside the FAT filesystem): the directory's number is not kept.
  NameResolution through_fat = fat_file;
  through_fat.fs_magic = 0x4d44;
  through_fat.fs_magic_at = "/boot/efi/EFI";
  Document d = doc_with({make_rule(Action::deny, Operation::write, path_obj("/boot/efi/EFI/grubx64.efi")),
                         make_rule(Action::deny, Operation::write, subtree_obj("/boot/efi")),
                         make_rule(Action::deny, Operation::write, subtree_obj("/media/stick/dir")),
                         make_rule(Action::deny, Operation::read, subtree_obj("/run/user/fuse")),
                         make_rule(Action::deny, Operation::exec, path_obj("/boot/efi/later")),
                         make_rule(Action::deny, Operation::read, path_obj("/boot/efi/EFI/m/x"))});
  Compiled c = compile(d, no_inodes(), {},
                       fake_names({{"/boot/efi/EFI/grubx64.efi", fat_file},
                                   {"/boot/efi", fat_root},
                                   {"/media/stick/dir", exfat_dir},
                                   {"/run/user/fuse", fuse_root},
                                   {"/boot/efi/later", fat_missing},
                                   {"/boot/efi/EFI/m/x", through_fat}}));
  ASSERT_EQ(c.diagnostics.size(), 5u);
  for (const auto& dg : c.diagnostics) EXPECT_TRUE(dg.unenforceable) << dg.message;
  const std::string fat_note =
      "whose inode numbers change when the kernel drops a file from its cache and whose names ignore case, so the "
      "enforcer cannot identify its files (a subtree rule on its mount point can be enforced): the rule cannot be "
      "enforced";
  EXPECT_EQ(c.diagnostics[0].message,
            "rule 1 (deny write path /boot/efi/EFI/grubx64.efi): /boot/efi/EFI/grubx64.efi is on a FAT filesystem, " +
                fat_note);
  EXPECT_EQ(c.diagnostics[1].message,
            "rule 3 (deny write subtree /media/stick/dir): /media/stick/dir is on an exFAT filesystem, " + fat_note);
  EXPECT_EQ(c.diagnostics[2].message,
            "rule 4 (deny read subtree /run/user/fuse): /run/user/fuse is on a FUSE filesystem, whose inode numbers "
            "and name lookups its server decides (it may renumber even the root), so the enforcer cannot identify "
            "its files: the rule cannot be enforced");
  EXPECT_EQ(c.diagnostics[3].message,
            "rule 5 (deny exec path /boot/efi/later): /boot/efi/later is on a FAT filesystem, " + fat_note);
  EXPECT_EQ(c.diagnostics[4].message,
            "rule 6 (deny read path /boot/efi/EFI/m/x): /boot/efi/EFI/m/x: /boot/efi/EFI on the way is on a FAT "
            "filesystem, " + fat_note);
  // The subtree on the root alone is compiled.
  EXPECT_EQ(c.kinds[BS_OP_WRITE], 1u << BS_KIND_SUBTREE);
  EXPECT_EQ(protected_ops_on(c, root.dev, 0x4d44), 1u << BS_OP_WRITE);  // its device is guarded
  EXPECT_EQ(c.kinds[BS_OP_EXEC], 0u);
  EXPECT_EQ(c.kinds[BS_OP_READ], 0u);
  EXPECT_STREQ(unstable_inode_fs(0x4d44), "FAT");
  EXPECT_EQ(unstable_inode_fs(0xef53), nullptr);
  EXPECT_EQ(unidentifiable_note(kExfatMagic, true), "");
  EXPECT_NE(unidentifiable_note(kFuseMagic, true), "");  // FUSE: not even the root
  EXPECT_NE(unidentifiable_note(0x9123683e, true), "");  // btrfs: no root is enough
  // A subject there: the program runs, as one the enforcer cannot tell
  // from any other, so its rule cannot hold.
  Resolver on_fat = [](const std::string&, std::string* err) -> std::optional<InodeId> {
    if (err) *err = unidentifiable_note(kFatMagic);
    return std::nullopt;
  };
  Compiled s = compile(doc_with({make_rule(Action::deny, Operation::write, subtree_obj("/boot/efi"),
                                           "/boot/efi/tool")}),
                       on_fat, {}, fake_names({{"/boot/efi", fat_root}}));
  ASSERT_EQ(s.diagnostics.size(), 1u);
  EXPECT_TRUE(s.diagnostics[0].unenforceable) << s.diagnostics[0].message;
  EXPECT_NE(s.diagnostics[0].message.find("/boot/efi/tool is on a FAT filesystem"), std::string::npos)
      << s.diagnostics[0].message;
}

// ---------------------------------------------------------------------------
// The decision by name.

TEST(DecideNames, ANewFileAtAProtectedNameIsDecidedByTheName) {
  Compiler k;
  k.t.file("/etc/shadow");
  k.t.file("/usr/bin/passwd");
  k.t.file("/bin/sh");
  Compiled c = k.compile_doc(doc_with(
      {make_rule(Action::deny, Operation::write, path_obj("/etc/shadow"), std::nullopt, {"/usr/bin/passwd"})}));
  const uint32_t passwd = c.subject_of(k.t.id("/usr/bin/passwd"));
  const EntryName shadow = k.t.name("/etc", "shadow");
  // A file placed at /etc/shadow after the loader ran: another inode.
  MapQuery q;
  q.operation = Operation::write;
  q.chain = {InodeId{k.t.id("/etc").dev, 999999}, k.t.id("/etc"), k.t.id("")};
  EXPECT_EQ(decide_maps(c, q).action, BS_ACT_ALLOW);  // without its name: nothing protects it
  q.name = shadow;
  EXPECT_EQ(decide_maps(c, q).action, BS_ACT_DENY);
  EXPECT_EQ(decide_maps(c, q).rule, 0);
  // The excepted subject keeps writing it.
  q.subject = passwd;
  EXPECT_EQ(decide_maps(c, q).action, BS_ACT_ALLOW);
  EXPECT_EQ(decide_maps(c, q).rule, BS_RULE_DEFAULT);
  q.subject = c.subject_of(k.t.id("/bin/sh"));
  EXPECT_EQ(decide_maps(c, q).action, BS_ACT_DENY);
  // Creating the entry: chain[0] is the directory, the name decides.
  MapQuery create;
  create.operation = Operation::write;
  create.entry_to_create = true;
  create.chain = {k.t.id("/etc"), k.t.id("")};
  create.name = shadow;
  EXPECT_EQ(decide_maps(c, create).action, BS_ACT_DENY);
  EXPECT_EQ(decide_maps(c, create).rule, 0);
  create.subject = passwd;
  EXPECT_EQ(decide_maps(c, create).action, BS_ACT_ALLOW);
  // Another entry of the same directory is not protected.
  create.subject = BS_SUBJECT_ANY;
  create.name = k.t.name("/etc", "shadow-");
  EXPECT_EQ(decide_maps(c, create).action, BS_ACT_ALLOW);
  // Reads are not written about.
  q.operation = Operation::read;
  q.subject = BS_SUBJECT_ANY;
  q.name = shadow;
  EXPECT_EQ(decide_maps(c, q).action, BS_ACT_ALLOW);
}

TEST(DecideNames, TheInodeEntryComesBeforeTheName) {
  Compiler k;
  k.t.file("/usr/bin/tool");
  ASSERT_EQ(::link((k.t.path() + "/usr/bin/tool").c_str(), (k.t.path() + "/usr/bin/alias").c_str()), 0);
  Compiled c = k.compile_doc(doc_with({make_rule(Action::allow, Operation::exec, path_obj("/usr/bin/alias")),
                                       make_rule(Action::audit, Operation::exec, path_obj("/usr/bin/tool"))}));
  MapQuery q;
  q.operation = Operation::exec;
  q.chain = {k.t.id("/usr/bin/alias"), k.t.id("/usr/bin"), k.t.id("/usr"), k.t.id("")};
  q.name = k.t.name("/usr/bin", "alias");
  EXPECT_EQ(decide_maps(c, q).action, BS_ACT_AUDIT);  // the merged inode entry
  EXPECT_EQ(decide_maps(c, q).rule, 1);
  // A new file at the alias name: its own name's entry.
  q.chain[0] = InodeId{q.chain[0].dev, 999999};
  EXPECT_EQ(decide_maps(c, q).action, BS_ACT_ALLOW);
  EXPECT_EQ(decide_maps(c, q).rule, 0);
}

// ---------------------------------------------------------------------------
// The dry-run listing.

TEST(FormatNames, DryRunListsNamesAncestorsAndNameEntries) {
  Compiler k;
  k.t.file("/etc/shadow");
  k.t.dir("/usr/lib/modules");
  Document d = doc_with({make_rule(Action::deny, Operation::write, path_obj("/etc/shadow")),
                         make_rule(Action::deny, Operation::write, path_obj("/etc/my file")),
                         make_rule(Action::deny, Operation::module_load, subtree_obj("/usr/lib/modules"))});
  Compiled c = k.compile_doc(d);
  const std::string out = format_compiled(c, d);
  const InodeId etc = k.t.id("/etc"), mods = k.t.id("/usr/lib/modules"), root = k.t.id("");
  EXPECT_NE(out.find("default write allow kinds path name\n"), std::string::npos) << out;
  EXPECT_NE(out.find("names 2\n  name 1 = dev " + format_kernel_dev(etc.dev) + " dir " + std::to_string(etc.ino) +
                     " entry shadow\n  name 2 = dev " + format_kernel_dev(etc.dev) + " dir " + std::to_string(etc.ino) +
                     " entry \"my file\"\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("ancestors 5\n"), std::string::npos) << out;
  EXPECT_NE(out.find("  ancestor dev " + format_kernel_dev(root.dev) + " ino " + std::to_string(root.ino) +
                     " directory (no mount)\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("  ancestor dev " + format_kernel_dev(mods.dev) + " ino " + std::to_string(mods.ino) +
                     " subtree directory (no mount)\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("  write name 1 subject any -> deny (rule 1)\n"), std::string::npos) << out;
  EXPECT_NE(out.find("  write name 2 subject any -> deny (rule 2)\n"), std::string::npos) << out;
  EXPECT_EQ(out.find("warning:"), std::string::npos) << out;
}

TEST(FormatNames, DryRunShowsTheTypeADirectoryOfNamesTakes) {
  Compiled c;
  c.ancestors[InodeId{0x800002, 12}] = BS_ANCESTOR_PARENT | (BS_NAMES_FS_XFS << BS_ANCESTOR_FS_SHIFT);
  c.ancestors[InodeId{0x800002, 13}] = BS_ANCESTOR_PARENT | (BS_NAMES_FS_KEPT << BS_ANCESTOR_FS_SHIFT);
  const std::string out = format_compiled(c, Document{});
  EXPECT_NE(out.find("  ancestor dev 8:2 ino 12 parent takes xfs\n"), std::string::npos) << out;
  EXPECT_NE(out.find("  ancestor dev 8:2 ino 13 parent takes kept\n"), std::string::npos) << out;
  // A directory no mount is taken on shows no type.
  c.ancestors[InodeId{0x800002, 14}] =
      BS_ANCESTOR_PARENT | BS_ANCESTOR_DIR | (BS_NAMES_FS_EXT4 << BS_ANCESTOR_FS_SHIFT);
  const std::string dir = format_compiled(c, Document{});
  EXPECT_NE(dir.find("  ancestor dev 8:2 ino 14 parent directory (no mount)\n"), std::string::npos) << dir;
}

}  // namespace
}  // namespace bootseal::loader

// SPDX-License-Identifier: GPL-2.0-only
// The rule compiler: a policy Document -> the entries of the enforcer's maps
// (enforcer/bootseal.h), with paths resolved to (device, inode) under the
// new root. Also the map-level decision, the userspace mirror of the
// enforcer's lookup order, which unit tests compare with decide().
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

#include "bootseal_contract.hpp"
#include "bootseal/fileio.hpp"
#include "bootseal/policy.hpp"
#include "bootseal/result.hpp"

namespace bootseal::loader {

// The kernel's encoding of a device number (MKDEV: major << 20 | minor),
// which differs from user space's st_dev.
uint32_t kernel_dev(dev_t st_dev);
std::string format_kernel_dev(uint32_t kdev);  // "8:2"

struct InodeId {
  uint32_t dev = 0;  // kernel encoding
  uint64_t ino = 0;
  friend bool operator==(const InodeId&, const InodeId&) = default;
  friend auto operator<=>(const InodeId&, const InodeId&) = default;
};

// Resolves an absolute policy path to the inode it names. On failure
// returns nullopt and sets *error ("does not exist", "Permission denied").
using Resolver = std::function<std::optional<InodeId>(const std::string& path, std::string* error)>;

// The entry `entry` of the directory `dir`: a name a path rule protects.
struct EntryName {
  InodeId dir;
  std::string entry;
  friend bool operator==(const EntryName&, const EntryName&) = default;
  friend auto operator<=>(const EntryName&, const EntryName&) = default;
};

// As many symlinks as a walk follows before giving up (the kernel's limit).
inline constexpr int kMaxSymlinks = 40;

// What a policy path names, for a `path` or `subtree` rule.
struct NameResolution {
  // The object, the final symlink followed; nullopt when the final entry
  // does not exist (its directory does: it is protected by name only).
  std::optional<InodeId> object;
  // The path's own name (its directory and last component), then, when
  // that entry is a symlink, its target's name, and so on down a chain of
  // symlinks. Empty for "/" (the root has no name). When a target's
  // directory does not exist the chain stops there and `object` is nullopt.
  std::vector<EntryName> names;
  // The directories above each name up to and including the root, and
  // every symlink followed in a directory part of the path (merged /usr's
  // /lib -> usr/lib), each inode once with a set of BS_ANCESTOR_* bits:
  // SYMLINK for a symlink, PARENT for the directory of a name with no file
  // yet, DIR for every other directory.
  std::map<InodeId, uint8_t> ancestors;
  // The object is an empty directory the new root's fstab mounts a
  // filesystem on (a separate /boot before it is mounted).
  bool fstab_mount_point = false;
  // The filesystem type (statfs f_type) of the object, or of the
  // directory of a name with no file; kFsTypeUnknown when statfs failed
  // there. When that type is
  // one the enforcer handles but a directory on the way is on one it
  // cannot identify files of (unidentifiable_fs), that directory's type,
  // and `fs_magic_at` names the directory ("/").
  uint64_t fs_magic = 0;
  std::string fs_magic_at;
  // That object (or directory) is a directory with inode number 1: the
  // root of a filesystem whose other numbers are not kept
  // (unstable_inode_fs), the one identity such a filesystem keeps.
  bool fs_root = false;
  // A directory on the way does not exist: its entry in the last
  // directory that does, and that path as messages write it ("/etc/x").
  // The rule's object cannot exist until something is created there.
  // `ancestors` then holds the directories above that entry too.
  std::optional<EntryName> missing;
  std::string missing_shown;
  // The missing entry (or, when only the final entry is missing, that
  // entry) is on a filesystem mounted after the loader, whose entries are
  // not known now: its directory is an empty one the fstab mounts on, or
  // one of the API filesystems' places (/dev, /proc, /run, /sys), or the
  // fstab mounts on the entry itself or below it.
  bool missing_on_later_fs = false;
  // The first directory, as messages write it, that holds one of `names`
  // or `missing` and whose names ignore case (FS_CASEFOLD_FL: ext4, f2fs,
  // tmpfs; or every directory of an ASCII-CI xfs): "" when none does. The enforcer compares names byte for byte,
  // so a rule that protects a name there cannot be enforced.
  std::string casefold_at;
  // Why that directory's flags could not be read ("Permission denied"):
  // it counts as one that ignores case. "" when they were read.
  std::string casefold_error;
  // It is on an xfs made with ASCII case-insensitive names (mkfs.xfs -n
  // version=ci), which ignores case in every directory.
  bool casefold_xfs = false;
};

// Resolves an absolute policy path to its names. nullopt when a directory
// on the way does not exist (or is not one, or the symlinks loop), with
// *error naming the component: "/etc/x does not exist",
// "/etc/passwd is not a directory", "too many symlinks at /a".
using NameResolver = std::function<std::optional<NameResolution>(const std::string& path, std::string* error)>;

// Where a filesystem mounted after the loader is placed: the directories a
// walk from a mount on its mount point crosses, the mount point first (or
// the nearest directory above it that exists), the root last.
struct PlaceChain {
  std::vector<InodeId> dirs;
  bool mount_point_exists = false;  // dirs[0] is the mount point itself
  bool mounted_now = false;         // something is mounted on it already
};

// Whether the directory open at `dir_fd` ignores case in its names:
// FS_CASEFOLD_FL (ext4, f2fs, tmpfs), or an xfs made with ASCII
// case-insensitive names (its geometry's flags). `error` says why the
// answer could not be read; it then counts as yes.
struct CasefoldProbe {
  bool ignores_case = false;
  bool xfs = false;
  std::string error;
};
CasefoldProbe casefold_probe(int dir_fd);

// Whether the xfs superblock `sb` (the device's first bytes) is of a
// filesystem made with ASCII case-insensitive names (mkfs.xfs -n
// version=ci): nullopt when the bytes are not an xfs superblock.
std::optional<bool> xfs_superblock_ignores_case(std::span<const unsigned char> sb);
// The same read from a block device the fstab mounts an xfs from later
// (not mounted now, so there is no directory to ask): `error` says why
// the answer could not be read (it cannot be opened, holds no xfs), and
// it then counts as yes.
CasefoldProbe device_casefold_probe(const std::string& device);
// Whether another block device holds `device` (its entry in
// SYSFS/class/block/NAME/holders, NAME the node's name once symlinks are
// resolved): a multipath path or a RAID or dm member, which the kernel
// never mounts itself (its holder has it open exclusively), and whose
// reads may fail (a passive path).
bool device_has_holders(const std::string& sysfs, const std::string& device);

// Resolves paths under `root` as if it were "/" (openat2 RESOLVE_IN_ROOT:
// absolute symlinks and ".." stay inside it). The final symlink is followed.
class RootResolver {
 public:
  static Result<RootResolver> open(const std::string& root);

  std::optional<InodeId> resolve(const std::string& path, std::string* error) const;
  Resolver resolver() const;

  // The names a path rule protects (see NameResolution), walked component
  // by component from the root: O_PATH|O_NOFOLLOW opens, readlinkat for
  // symlinks (at most kMaxSymlinks), ".." never above the root, an
  // absolute target restarting at the root, "" and "." skipped; mount
  // points are crossed as a walk by the kernel crosses them.
  std::optional<NameResolution> resolve_names(const std::string& path, std::string* error) const;
  NameResolver name_resolver() const;

  // The place of a mount point (PlaceChain): the directory a mount there
  // would cover (symlinks followed), then each ".." up to the root, across
  // the mounts on the way. An error when it is deeper than the enforcer
  // follows (BS_PLACE_DEPTH) or cannot be walked.
  std::optional<PlaceChain> place_chain(const std::string& mount_point, std::string* error) const;
  const std::string& root() const { return root_; }

  // The mount points of the new root's fstab (parse_fstab_mount_points):
  // only an empty directory listed there may take the one mount a place of
  // the policy takes after boot (BS_ANCESTOR_PARENT, an empty subtree
  // directory); without this every such directory is BS_ANCESTOR_DIR.
  void set_fstab_mount_points(std::set<std::string> points) { fstab_ = std::move(points); }
  // Those of them the fstab mounts a filesystem on that the enforcer
  // cannot identify files of (fstab_unstable_points): a name with no file
  // there is refused as a name on such a filesystem is.
  void set_fstab_unstable_points(std::map<std::string, uint64_t> points) { fstab_unstable_ = std::move(points); }
  // The type each fstab mount point's line names (fstab_names_fs): the
  // directory of a name there takes only that type (bits
  // BS_ANCESTOR_FS_MASK of its BS_ANCESTOR_PARENT entry).
  void set_fstab_names_fs(std::map<std::string, uint8_t> types) { fstab_names_fs_ = std::move(types); }
  // Asked about an fstab mount point that map does not list, once, and
  // only when a name is recorded in it: what costs I/O (the superblock of
  // an xfs mounted later, case_insensitive_xfs_points) is then done only
  // where a rule needs it. Its answer is read as the map's (0: none).
  void set_fstab_unstable_probe(std::function<uint64_t(const std::string& mount_point)> probe) {
    fstab_probe_ = std::move(probe);
  }

 private:
  RootResolver(UniqueFd fd, std::string root) : fd_(std::move(fd)), root_(std::move(root)) {}
  UniqueFd fd_;
  std::string root_;
  std::set<std::string> fstab_;
  std::map<std::string, uint64_t> fstab_unstable_;
  std::map<std::string, uint8_t> fstab_names_fs_;
  std::function<uint64_t(const std::string&)> fstab_probe_;
  mutable std::map<std::string, uint64_t> fstab_probed_;
  // The type a name in the directory shown as `dir` is refused as
  // (fstab_unstable_, else fstab_probe_'s answer), 0 for none.
  uint64_t fstab_unstable(const std::string& dir) const;
  // casefold_probe's answer for each directory a name was recorded in.
  mutable std::map<InodeId, CasefoldProbe> casefold_;
};

// The mount points (second field, octal escapes such as \040 decoded,
// normalised without a trailing slash) of the lines of an fstab(5) text;
// comments, blank lines, swap and "none" entries skipped.
std::set<std::string> parse_fstab_mount_points(const std::string& text);


// One line of an fstab(5) text: what is mounted (UUID=..., LABEL=...,
// /dev/...; escapes decoded, a quoted tag value unquoted), where, its type
// ("" when the line has none), the line's number and its fsck pass (1 or
// 2, else 0).
struct FstabEntry {
  std::string spec;
  std::string mount_point;
  std::string type;
  int line = 0;
  int pass = 0;
  bool automount = false;  // x-systemd.automount: systemd puts an autofs there first
  bool casefold = false;   // a casefold or casefold=ENCODING option: its names ignore case (tmpfs)
  bool noauto = false;     // not mounted at boot (removable media: /dev/sr0, /dev/fd0)
  // For `auto` or a list: the type libblkid finds on every device the
  // spec names when the loader runs, when they agree on one the line
  // allows; "" otherwise, for a line that names one type, and for a
  // `noauto` one (find_mount_types).
  std::string found_type;
};
std::vector<FstabEntry> parse_fstab_entries(const std::string& text);
// The type the system mounts for a line: the one it names, else the one
// found on its devices, else `type` as written ("auto", a list).
const std::string& mount_type(const FstabEntry& e);
// A mount point as the system mounts it: "//" as "/", no "." component,
// no trailing "/" (".." and symbolic links are left as written).
std::string simplified_mount_point(const std::string& point);
// The superblock magic a filesystem of fstab type `type` gets; FAT's for
// vfat, msdos and fat, FUSE's for fuse.*, kFsTypeUnknown for "auto" and
// types not known; for a list ("udf,iso9660") its first type not known to
// keep its inode numbers, else its first.
uint64_t fstab_type_magic(const std::string& type);
// The types of an fstab type: one, or a list mount(8) tries in turn
// ("xfs,ext4"), split at its commas (an empty one kept, as written).
std::vector<std::string_view> fstab_types(std::string_view type);
// How the loader's messages name an fstab line:
// "/etc/fstab line 3 (LABEL=boot on /boot)".
std::string fstab_line_name(const std::string& fstab_name, const FstabEntry& e);
// Whether an fstab type (one, or a list mount(8) tries in turn:
// "xfs,ext4") may mount a filesystem of type `one`.
bool fstab_type_may_be(std::string_view type, std::string_view one);
// The magics of the types of an fstab type (one, or a list) that the
// policy language has an fstype name for, in order: what a `fstype` rule
// of the filesystem mounted there may name.
std::vector<uint64_t> fstab_fstype_magics(std::string_view type);

// The mount points of the fstab lines (parse_fstab_entries) whose type is
// one the enforcer cannot identify files of (unidentifiable_fs): FAT
// (vfat, msdos, fat), exFAT, FUSE (fuse, fuseblk, fuse.*, ntfs-3g,
// virtiofs), NFS, CIFS, 9p, ZFS, ..., with that filesystem's statfs type;
// kFsTypeUnknown for "auto", a bind mount's "none" and types not known;
// kFsCasefold for a line with a casefold option, kFsAutomount for one with
// x-systemd.automount.
std::map<std::string, uint64_t> fstab_unstable_points(const std::vector<FstabEntry>& entries);

// The mount points of the fstab's xfs lines (but "/") whose filesystem
// ignores case in its names: kFsAsciiCi, to add to fstab_unstable_points.
// `devices_of` gives the block devices a line's spec names now ({} when
// none does: nothing can be read, and the line is left out); `probe`
// reads one (device_casefold_probe). A device that cannot be read is
// kFsTypeUnknown.
std::map<std::string, uint64_t> case_insensitive_xfs_points(
    const std::vector<FstabEntry>& entries,
    const std::function<std::vector<std::string>(const FstabEntry&)>& devices_of,
    const std::function<CasefoldProbe(const std::string& device)>& probe);

// A filesystem UUID as blkid and fstab write it (8-4-4-4-12 hex digits, any
// case) -> its 16 bytes in the order a superblock's s_uuid holds them;
// nullopt for any other form (vfat's 8-digit serial) and the nil UUID.
std::optional<std::array<uint8_t, 16>> parse_fs_uuid(std::string_view text);

// The place key the enforcer gives a FAT or exFAT filesystem on the block
// device `dev` (kernel encoding), which keeps no 128-bit UUID:
// BS_PLACE_DEV_TAG, then the device, in the CPU's byte order.
std::array<uint8_t, 16> device_place_key(uint32_t dev);
// Whether a key begins with BS_PLACE_DEV_TAG: a device key, or a UUID
// made to look like one, which the enforcer gives no place.
bool is_device_place_key(const std::array<uint8_t, 16>& key);
// Whether an fstab type is one whose places are keyed by device (vfat,
// msdos, fat, exfat).
bool device_placed_type(const std::string& type);

// A filesystem the fstab mounts after the loader, identified by its UUID:
// the enforcer's `places` map (enforcer/bootseal.h).
inline constexpr size_t kMaxPlaces = BS_MAX_PLACES;
struct Place {
  std::array<uint8_t, 16> uuid{};
  std::string mount_point;  // as the fstab writes it
  PlaceChain chain;
  // The block devices found with its UUID when the loader ran (kernel
  // encoding; more than one when a copy of the filesystem or its UUID is
  // on another device); and the superblock magics of its fstab type (each
  // type of a list that the policy language names: fstab_fstype_magics),
  // and for `auto` or a list, of the type libblkid found on the devices.
  std::vector<uint32_t> devices;
  std::vector<uint64_t> magics;
};

// A device of a filesystem mounted later guarded for the denials of an
// fstab line that names it but places no filesystem on it: no UUID the
// enforcer keeps (vfat, btrfs), or a UUID another line placed (its
// devices then guarded for both lines' denials).
struct LaterDevice {
  uint32_t dev = 0;      // kernel encoding
  uint32_t ops = 0;      // 1 << BS_OP_* it is guarded for
  std::string mount_point;
};

// A device node's device: what a `device` object names (never the node's
// inode: root can make a new node for the same device anywhere).
struct DeviceId {
  uint32_t rdev = 0;       // kernel encoding of st_rdev
  bool character = false;  // a character device, else a block device
  friend bool operator==(const DeviceId&, const DeviceId&) = default;
};

// Resolves a `device` object's path (symlinks followed, as udev's
// /dev/disk/by-* links) to the device it names. On failure returns nullopt
// and sets *error ("does not exist", "is not a device node").
using DeviceResolver = std::function<std::optional<DeviceId>(const std::string& path, std::string* error)>;

// The loader's resolver: the path in the loader's own /dev (the initramfs'
// devtmpfs, which becomes the new root's /dev), else under `new_root`.
DeviceResolver system_device_resolver(const std::string& new_root);

// Something the compiler could not honour; `rule` is the index into
// Document::rules.
struct Diagnostic {
  int rule = -1;
  std::string path;
  std::string message;  // "rule 3 (deny exec path /usr/bin/x): /usr/bin/x does not exist"
  // The rule names files the enforcer cannot tell apart (a filesystem
  // whose stat device is not its superblock's): enforce mode does not
  // install the policy (docs/LOADER.md).
  bool unenforceable = false;
};

// Filesystems known to keep a file's inode number for as long as the file
// exists, to give stat the superblock's device, and to compare names byte
// for byte (but in casefolded directories, which the name resolver
// refuses): ext2/3/4, xfs, f2fs, reiserfs, tmpfs, squashfs, erofs,
// cramfs, iso9660, udf and the kernel's sysfs, cgroup2 and devpts.
// Every other filesystem is unidentifiable: the list fails closed.
bool keeps_inode_numbers(uint64_t magic);

// The BS_NAMES_FS_* code of an fstab type ("ext4" -> BS_NAMES_FS_EXT4);
// BS_NAMES_FS_KEPT for any other (a type whose files the enforcer cannot
// identify has its names refused by the loader: fstab_unstable_points).
uint8_t names_fs_code(std::string_view type);

// Each fstab mount point's names_fs_code; BS_NAMES_FS_KEPT where two
// lines name different types.
std::map<std::string, uint8_t> fstab_names_fs(const std::vector<FstabEntry>& entries);

// Adds `bits` (BS_ANCESTOR_*, and a BS_NAMES_FS_* code in
// BS_ANCESTOR_FS_MASK) to an `ancestors` entry. Two different codes for
// one directory (two fstab mount points that are one inode) give
// BS_NAMES_FS_KEPT, not their bitwise or.
inline void merge_ancestor_bits(uint8_t* entry, uint8_t bits) {
  const uint8_t mine = *entry & BS_ANCESTOR_FS_MASK, theirs = bits & BS_ANCESTOR_FS_MASK;
  uint8_t code = mine ? mine : theirs;
  if (mine && theirs && mine != theirs) code = BS_NAMES_FS_KEPT << BS_ANCESTOR_FS_SHIFT;
  *entry = static_cast<uint8_t>(((*entry | bits) & ~BS_ANCESTOR_FS_MASK) | code);
}

// Filesystems whose files the enforcer cannot identify by (device, inode):
// stat reports another device than the superblock's (btrfs subvolumes,
// overlayfs), so a rule resolved there would never match; or the inode
// numbers are not kept (unstable_inode_fs); or it is not one known to
// keep them (keeps_inode_numbers: NFS, CIFS, 9p, ZFS, proc, ...). The name
// as the messages write it ("btrfs", "NFS", "0x12345678"), or "" for a
// filesystem the enforcer handles. "unknown" when statfs failed
// (kFsTypeUnknown): a rule there may be on such a filesystem, and is not
// trusted either.
std::string unidentifiable_fs(uint64_t magic);

// Filesystems that number an inode when the kernel reads it into its
// cache, so a file dropped from the cache and read again has another
// number (FAT and exFAT: iunique), and look names up ignoring case:
// "FAT", "exFAT", else nullptr. Only the root directory keeps its number
// there (kUnstableFsRootIno), so the filesystem's root (a subtree rule on
// its mount point) is the one object such a filesystem can be. FUSE,
// whose server decides numbers and lookups and may renumber even the
// root, is unidentifiable whole.
const char* unstable_inode_fs(uint64_t magic);
inline constexpr uint64_t kUnstableFsRootIno = 1;  // MSDOS_ROOT_INO, EXFAT_ROOT_INO
inline constexpr uint64_t kFatMagic = BS_FAT_MAGIC;      // as the enforcer's place_key_of() tests it
inline constexpr uint64_t kExfatMagic = BS_EXFAT_MAGIC;
inline constexpr uint64_t kFuseMagic = 0x65735546;   // FUSE_SUPER_MAGIC

// Whether a resolver's error is an unidentifiable_note (they all begin
// "is on "): the program exists, as one the enforcer cannot tell apart.
bool is_unidentifiable_note(const std::string& error);

// The filesystem type of an object statfs failed on (`fs_magic`): what
// holds it cannot be told.
inline constexpr uint64_t kFsTypeUnknown = ~uint64_t{0};
// Not a statfs type: a filesystem the fstab mounts with a `casefold`
// option (tmpfs from Linux 6.13), whose names all ignore case.
inline constexpr uint64_t kFsCasefold = ~uint64_t{1};
// Nor this: an xfs the fstab mounts later whose superblock says its names
// are ASCII case-insensitive (case_insensitive_xfs_points).
inline constexpr uint64_t kFsAsciiCi = ~uint64_t{2};
// Nor this: a mount point whose fstab line has x-systemd.automount (an
// autofs first, the filesystem on top of it: the enforcer takes one whole
// filesystem on a directory of names).
inline constexpr uint64_t kFsAutomount = ~uint64_t{3};

// "is on a btrfs filesystem, whose files the enforcer cannot identify
// (stat's device is not the filesystem's)", for a path on such a
// filesystem (`magic`); "" for a filesystem the enforcer handles.
// `fs_root`: the object is a directory with inode number 1, which on
// a filesystem unstable_inode_fs names is its root, and enforceable.
std::string unidentifiable_note(uint64_t magic, bool fs_root = false);

// A device whose opening is refused without a device rule.
struct RawDevice {
  uint32_t dev = 0;        // kernel encoding
  bool character = false;  // a pass-through node (SCSI generic, NVMe) of a guarded disk, else a block device
  uint32_t ops = 0;        // bits 1 << BS_OP_READ / BS_OP_WRITE
  friend auto operator<=>(const RawDevice&, const RawDevice&) = default;
};

struct SubjectEntry {
  uint32_t id = 0;
  InodeId inode;
  std::vector<std::string> paths;  // the policy paths naming this executable
};

// A protected name and its id (the `names` map; BS_KIND_NAME keys' id).
struct NameEntry {
  EntryName name;
  uint32_t id = 0;
};

struct Compiled {
  std::vector<std::pair<bs_rule_key, bs_rule_val>> rules;  // sorted by key, unique
  std::vector<SubjectEntry> subjects;                       // by id, ids 1..n
  std::array<uint8_t, BS_OP_SLOTS> defaults{};              // per BS_OP_* (the boot phase's, with phases)
  std::array<uint8_t, BS_OP_SLOTS> run_defaults{};          // per BS_OP_*, in the running phase
  std::array<uint8_t, BS_OP_SLOTS> kinds{};                 // bit 1 << BS_KIND_* per op (either phase)
  uint32_t mode = BS_MODE_ENFORCE;
  // Boot phases: the seal-after deadline in seconds (0: the policy has no
  // phases, and every entry's run_action repeats its action), and the
  // seal-by program's subject id (0: none, or it does not resolve).
  uint64_t seal_after = 0;
  uint32_t seal_subject = 0;
  // Devices under mounted filesystems that hold protected objects, with the
  // operations opening them is refused for without a device rule; sorted.
  // Filled by guard_backing_devices().
  std::vector<RawDevice> raw_devices;
  // The whole character majors among them (minor BS_RAWDEV_ANY_MINOR) ->
  // their driver as the log says it ("SCSI generic").
  std::map<uint32_t, std::string> raw_majors;
  std::vector<Diagnostic> diagnostics;
  // The names path rules protect, sorted by name, ids 1..n (the `names`
  // map); the directories and symlinks above them and the directories
  // subtree rules name (the `ancestors` map: inode -> a set of BS_ANCESTOR_* bits).
  // Filled only when compile() has a NameResolver.
  std::vector<NameEntry> names;
  std::map<InodeId, uint8_t> ancestors;
  // The filesystems the fstab mounts after the loader, by UUID (the
  // `places` map). Filled by the loader (find_places), not by compile().
  std::vector<Place> places;
  std::vector<LaterDevice> later_devices;

  // The subject id of an executable, BS_SUBJECT_ANY when the policy does
  // not name it.
  uint32_t subject_of(const InodeId& exe) const;
  const bs_rule_val* find(const bs_rule_key& key) const;
  // The id of a protected name, 0 when no rule protects it.
  uint32_t name_id(const EntryName& name) const;
};

// The `filter` map (bootseal.h, BS_FILTER_MIX): one bit set per inode that a
// path or subtree entry of `rules` names and per directory of `names`, in
// 1 << (64 - shift) bits, about 16 per such inode (64 at least, 2^24 at
// most). The enforcer skips the lookups of an inode whose bit is clear.
struct ObjectFilter {
  uint32_t shift = BS_FILTER_MAX_SHIFT;
  std::vector<uint64_t> words;  // size 1 << (58 - shift) words, at least one

  // What the enforcer's may_be_named() answers for (dev, ino).
  bool may_be_named(uint32_t dev, uint64_t ino) const;
};
ObjectFilter object_filter(const Compiled& c);

// What the policy uses, as the enforcer's programs ask it
// (BS_OP_RELEVANT on the same arrays the loader gives them): the loader
// leaves out the programs it does not need (contract::kHookNeeds).
contract::PolicyUse policy_use(const Compiled& c);

// Marks the mount point of each place (BS_ANCESTOR_PLACE in `ancestors`):
// only a filesystem placed there is mounted there. Not a mount point that
// does not exist yet (the place's level 0 is then a directory above it).
void mark_place_mount_points(Compiled* c);

// Whether the enforcer may ask a filesystem mounted on place `p` to be on a
// guarded device (BS_PLACE_DEVICES): the loader found its devices and
// guards every one (not a place whose denials guard no device, such as
// `deny exec subtree /home`: its filesystem is then known by UUID alone).
bool place_on_guarded_devices(const Compiled& c, const Place& p);
// A warning for each place the enforcer will take no filesystem on: no
// guarded device backs it, and its fstab line names a type not known to
// keep its inode numbers (keeps_inode_numbers; gfs2, nilfs2, ...), which
// the enforcer then refuses there. "auto" (or no type) and FAT are taken,
// and a list with any type taken on it.
std::vector<std::string> places_refused_at_mount(const Compiled& c, const std::vector<FstabEntry>& entries,
                                                 const std::string& fstab_name);
// A warning for each xfs line (but "/") when the kernel has no kallsyms
// (`kallsyms` false) and the policy takes mounts (a place, a directory of
// protected names): the enforcer tells an ASCII case-insensitive xfs by
// the name of its root's lookup, and without kallsyms refuses every xfs
// there.
std::vector<std::string> xfs_refused_without_kallsyms(const Compiled& c, const std::vector<FstabEntry>& entries,
                                                      const std::string& fstab_name, bool kallsyms);

// Compiles `doc` (already validated). Paths that do not resolve are left
// out and reported in Compiled::diagnostics; nothing else fails. Device
// objects need `resolve_device` (without one they are reported unresolved).
// With `resolve_names` (the loader always has one), a `path` rule also
// protects its names (BS_KIND_NAME entries and Compiled::names), a path
// whose entry does not exist in an existing directory by name only, and
// path and subtree rules fill Compiled::ancestors; a path whose directory
// does not exist is reported with the missing directory, and a name longer
// than BS_ENTRY_NAME_MAX keeps its inode entries and is reported. Without
// one, paths are resolved by `resolve` to inodes only. Subjects are always
// resolved by `resolve`.
Compiled compile(const Document& doc, const Resolver& resolve, const DeviceResolver& resolve_device = {},
                 const NameResolver& resolve_names = {});

// The operations whose objects a filesystem on kernel device `fs_dev`
// holds, as bits 1 << BS_OP_READ / BS_OP_WRITE: an operation counts when
// a deny applies on it: the operation's default, a rule for any object, a
// rule for its filesystem type (`magic`), or a path or subtree rule on a
// file of that filesystem.
uint32_t protected_ops_on(const Compiled& c, uint32_t fs_dev, uint64_t magic);

// The operations a `subtree` deny protects on a filesystem mounted at
// `mount_point` from above: a directory above the mount point (stat()ed
// as it is now) that such a rule names, such as `deny write subtree /`
// over a separate /usr. Same bits as protected_ops_on.
uint32_t protected_ops_above(const Compiled& c, const std::string& mount_point);

// The rule keys a filesystem meets off its place (the enforcer's
// place_denies and place_name): subtree keys of the directories of its
// chain, and name keys of the names at its mount point.
class PlaceKeys {
 public:
  PlaceKeys(const Compiled& c, const PlaceChain& chain);
  bool covers(const bs_rule_key& k) const;

 private:
  std::set<InodeId> chain_;
  std::set<uint32_t> names_;
};

// Whether a place matters: a deny (in either phase) among the keys it covers.
bool place_denies_anything(const Compiled& c, const PlaceChain& chain);

// The operations a place's filesystem holds protected objects for (bits as
// protected_ops_on): a deny on them by default or for any object, for its
// type, or among the keys its place covers.
uint32_t protected_ops_of_place(const Compiled& c, const Place& p);

// Fills c->raw_devices from the mount table (/proc/self/mountinfo text,
// named `mountinfo_name` in messages) and a sysfs tree (normally "/sys"):
// for every block-backed filesystem with protected objects, its device,
// the whole disk of a partition, and, down `slaves/`, the devices under
// device-mapper and md stacks (and their disks); for each disk, the
// character devices that send it commands from any descriptor, with the
// disk's operations: its SCSI generic nodes (scsi_generic/, bsg/), and for
// an NVMe namespace its generic node (ngXnY, class nvme-generic) and its
// controller's node (nvmeX); when the names do not say which generic
// node is the namespace's, every one beside the disk, each noted in
// c->diagnostics. The devices of c->places found when the loader ran are
// guarded the same way, for protected_ops_of_place, and so are
// c->later_devices, for their ops. For nodes made later, a SCSI disk (one with such nodes,
// or driven by sd) also guards the whole SCSI generic major (21) and the
// bsg major, and an NVMe namespace the nvme-generic major, the dynamic
// ones read from the /proc/devices text `proc_devices` (named
// `proc_devices_name` in messages), each as the key MAJOR <<
// 20 | BS_RAWDEV_ANY_MINOR. The loop device of a loop-mounted filesystem
// is its device; the file behind it is governed by the file rules.
// Returns what kept it from guarding everything: a mount table line it
// cannot parse, a table with no mount, a filesystem with protected
// objects whose device it cannot find in sysfs, a major it needs that
// /proc/devices does not list or a line of it it cannot parse (each names
// the file and the reason); the devices it could find are filled in
// either way.
std::vector<std::string> guard_backing_devices(Compiled* c, const std::string& mountinfo, const std::string& sysfs,
                                               const std::string& mountinfo_name = "/proc/self/mountinfo",
                                               const std::string& proc_devices = {},
                                               const std::string& proc_devices_name = "/proc/devices");

// What the log warns of when `c` guards devices, no rule lets a named
// program open device-mapper control (misc 10:236) and device-mapper
// devices are in use (`sysfs`'s dev/block links that point at a dm-N): the
// enforcer then refuses every process that control device, lvm2 and
// cryptsetup among them. "" else.
std::string dm_control_warning(const Compiled& c, const std::string& sysfs);

// How the log and --dry-run name a guarded device: "block device 254:2",
// "char device 241:0", "character major 21 (SCSI generic)".
std::string raw_device_title(const Compiled& c, const RawDevice& d);

// What the enforcer decides, computed from the compiled entries in the
// enforcer's order (path: the inode then the name, subtree from the object up, fstype, any,
// default; at each level the subject's entry, then the entry for any
// subject unless the subject is exempt).
struct MapQuery {
  Operation operation = Operation::exec;
  // The object and its ancestors, the object first, the root last. With
  // `entry_to_create`, chain[0] is the parent directory instead.
  std::vector<InodeId> chain;
  bool entry_to_create = false;
  // The name the object is reached by (or, with `entry_to_create`, the
  // entry about to be created): decided by after the object's own inode.
  std::optional<EntryName> name;
  uint64_t magic = 0;        // superblock magic, 0 for none
  uint32_t capability = 0;   // Operation::capability
  // A device node opened for read or write: what the enforcer's raw-device
  // program decides (decide_maps() then answers for that program alone).
  std::optional<DeviceId> device;
  uint32_t subject = BS_SUBJECT_ANY;
  // Executable memory (exec only): only the memory entries decide, allow
  // without one (bootseal.bpf.c's memory_exec()).
  bool memory = false;
  // Above this many levels the walk gives up (the enforcer's bound).
  size_t max_depth = BS_MAX_DEPTH;
  // The enforcer's phase (a policy with phases only): boot or running.
  Phase phase = Phase::running;
};

struct MapDecision {
  uint8_t action = BS_ACT_ALLOW;  // BS_ACT_ALLOW/DENY/AUDIT
  int32_t rule = BS_RULE_DEFAULT;
};

MapDecision decide_maps(const Compiled& c, const MapQuery& q);

// Whether an entry denies in either phase (the raw-device guard holds in
// both phases, so it counts a deny of either).
inline bool denies(const bs_rule_val& v) { return v.action == BS_ACT_DENY || v.run_action == BS_ACT_DENY; }
inline bool default_denies(const Compiled& c, size_t op) {
  return c.defaults[op] == BS_ACT_DENY || c.run_defaults[op] == BS_ACT_DENY;
}

// The compiled entries for people (`bootseal-loader --dry-run`). Names and
// paths are written as the policy language writes them (quote_if_needed()),
// and so are the rules in diagnostics (format_rule()).
std::string format_compiled(const Compiled& c, const Document& doc);

}  // namespace bootseal::loader

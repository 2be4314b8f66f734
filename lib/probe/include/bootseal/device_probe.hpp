// SPDX-License-Identifier: GPL-2.0-only
// What libblkid sees on a device or an image file (probe_device, read-only),
// and the one destructive operation on a device (wipe_signatures). Discovery
// (discovery.hpp) is built on the probe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bootseal/result.hpp"

struct blkid_struct_cache;  // libblkid's device cache

namespace bootseal {

// bootseal's GPT partition type GUID and PARTLABEL. Never change them.
inline constexpr std::string_view kPartitionTypeGuid = "88cebc2f-48d2-42ac-ab2d-9d3701d4f5bc";
inline constexpr std::string_view kPartitionLabel = "bootseal";

// ---------------------------------------------------------------------------
// What libblkid sees on a device or an image file.

struct ProbedPartition {
  int number = 0;
  uint64_t start = 0;  // bytes from the start of the disk
  uint64_t size = 0;   // bytes
  std::string type;    // GPT type GUID (lower case) or MBR type ("0x83")
  std::string name;    // PARTLABEL (GPT)
  std::string uuid;    // PARTUUID
  bool bootseal() const;  // the bootseal type GUID or PARTLABEL
};

struct DeviceProbe {
  std::string path;
  uint64_t size = 0;
  std::string pttype;  // partition table type ("gpt", "dos"), "" when none
  std::vector<ProbedPartition> partitions;
  std::string fstype;  // what libblkid's superblock probe found ("ext4", "swap", ...), "" when none
  std::string usage;   // its usage ("filesystem", "raid", "crypto", "other")
  bool ambivalent = false;      // libblkid found several conflicting signatures
  bool bootseal_partition = false;  // starts with the bootseal partition magic
  // The first non-zero byte in the first MiB, when libblkid found nothing.
  std::optional<uint64_t> nonzero_offset;
  bool empty() const {
    return pttype.empty() && fstype.empty() && !ambivalent && !bootseal_partition && !nonzero_offset;
  }
};

Result<DeviceProbe> probe_device(const std::string& path);

// The filesystems an fstab(5) spec may name when the system mounts it:
// every device that carries the spec's tag now, not only the one libblkid
// or udev would pick (root can give a second device the same label or
// UUID, and which one is mounted is then a race). Each with its UUID as
// libblkid writes it and its device node. UUID=... that no device has
// gives one entry with the spec's UUID and no device. LABEL=, PARTLABEL=
// and PARTUUID= need a device, whose superblock gives the UUID. A device
// path names one device, except udev's /dev/disk/by-{uuid,label,partuuid,
// partlabel}/ links, which stand for their tag. Errors name the spec and
// why ("no device has it"); a device among several whose filesystem has
// no UUID libblkid reads comes with `problem` set instead of `uuid`. Each
// device's `type` is what libblkid finds on it.
struct FilesystemIdentity {
  std::string uuid;
  std::string device;
  std::string problem;  // why this device's UUID is unknown ("" when it is known)
  std::string type;     // the filesystem libblkid finds there ("xfs", "crypto_LUKS"), "" when none or no device
};

// The tag a spec names: NAME=value (quotes removed) or one of udev's
// /dev/disk/by-*/ links (its \xNN escapes decoded); nullopt for any
// other device path.
struct SpecTag {
  std::string name;   // "UUID", "LABEL", "PARTUUID", "PARTLABEL"
  std::string value;
  friend bool operator==(const SpecTag&, const SpecTag&) = default;
};
std::optional<SpecTag> spec_tag(std::string_view spec);

// Finds filesystems by spec. The devices are scanned (/proc/partitions,
// each probed) once, at the first spec that needs it, and each spec is
// answered once: asked again (the loader asks for a line's type, its
// place and its xfs geometry), it gives the first answer without
// reading a device again.
class FilesystemFinder {
 public:
  FilesystemFinder() = default;
  FilesystemFinder(const FilesystemFinder&) = delete;
  FilesystemFinder& operator=(const FilesystemFinder&) = delete;
  ~FilesystemFinder();
  Result<std::vector<FilesystemIdentity>> find(const std::string& spec);

 private:
  Result<std::vector<FilesystemIdentity>> look_up(const std::string& spec);
  ::blkid_struct_cache* cache_ = nullptr;
  bool scanned_ = false;
  std::map<std::string, Result<std::vector<FilesystemIdentity>>> answers_;
};

// Erases every signature libblkid finds (filesystem and RAID superblocks,
// partition tables, including a GPT's backup header), the way wipefs -a
// does, so that a device formatted afterwards is not mistaken for what it
// held. Returns the names of what was erased ("gpt", "ext4", ...).
Result<std::vector<std::string>> wipe_signatures(const std::string& path);

}  // namespace bootseal

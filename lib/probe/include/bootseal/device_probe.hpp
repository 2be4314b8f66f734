// SPDX-License-Identifier: GPL-2.0-only
// What libblkid sees on a device or an image file (probe_device, read-only),
// and the one destructive operation on a device (wipe_signatures). Discovery
// (discovery.hpp) is built on the probe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bootseal/result.hpp"

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

// The filesystem an fstab(5) spec names: its UUID as libblkid writes it,
// and the device libblkid finds for the spec now ("" when UUID=... names a
// device that is not there: the UUID is then the spec's). LABEL=,
// PARTLABEL=, PARTUUID= and a device path need the device, whose
// superblock gives the UUID. The error names the spec and why ("no device
// has it", "has no UUID").
struct FilesystemIdentity {
  std::string uuid;
  std::string device;
};
Result<FilesystemIdentity> identify_filesystem(const std::string& spec);

// Erases every signature libblkid finds (filesystem and RAID superblocks,
// partition tables, including a GPT's backup header), the way wipefs -a
// does, so that a device formatted afterwards is not mistaken for what it
// held. Returns the names of what was erased ("gpt", "ext4", ...).
Result<std::vector<std::string>> wipe_signatures(const std::string& path);

}  // namespace bootseal

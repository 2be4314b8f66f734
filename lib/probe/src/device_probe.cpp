// SPDX-License-Identifier: GPL-2.0-only
// What libblkid sees on a device or an image file (device_probe.hpp).
#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <memory>

#include "bootseal/device_probe.hpp"
#include "bootseal/fileio.hpp"
#include "bootseal/partition.hpp"
#include "blkid_util.hpp"

namespace bootseal {

using blkid_util::lookup;
using blkid_util::lower;
using blkid_util::mbr_type;
using blkid_util::ProbePtr;

bool ProbedPartition::bootseal() const { return lower(type) == kPartitionTypeGuid || name == kPartitionLabel; }

Result<DeviceProbe> probe_device(const std::string& path) {
  DeviceProbe d;
  d.path = path;
  ProbePtr pr(blkid_new_probe_from_filename(path.c_str()));
  if (!pr) return make_error(path + ": libblkid cannot open it: " + errno_text(errno));
  d.size = static_cast<uint64_t>(blkid_probe_get_size(pr.get()));
  blkid_probe_enable_superblocks(pr.get(), 1);
  blkid_probe_set_superblocks_flags(pr.get(), BLKID_SUBLKS_TYPE | BLKID_SUBLKS_USAGE);
  blkid_probe_enable_partitions(pr.get(), 1);
  const int rc = blkid_do_safeprobe(pr.get());
  if (rc == -1) return make_error(path + ": libblkid probe failed");
  if (rc == -2) d.ambivalent = true;
  if (rc == 0) {
    d.fstype = lookup(pr.get(), "TYPE");
    d.usage = lookup(pr.get(), "USAGE");
    d.pttype = lookup(pr.get(), "PTTYPE");
  }
  if (!d.pttype.empty()) {
    // A second probe for the partition list itself.
    ProbePtr pp(blkid_new_probe_from_filename(path.c_str()));
    if (!pp) return make_error(path + ": libblkid cannot open it: " + errno_text(errno));
    blkid_partlist ls = blkid_probe_get_partitions(pp.get());
    const int n = ls ? blkid_partlist_numof_partitions(ls) : 0;
    for (int i = 0; i < n; ++i) {
      blkid_partition par = blkid_partlist_get_partition(ls, i);
      ProbedPartition p;
      p.number = blkid_partition_get_partno(par);
      p.start = static_cast<uint64_t>(blkid_partition_get_start(par)) * 512;
      p.size = static_cast<uint64_t>(blkid_partition_get_size(par)) * 512;
      if (const char* t = blkid_partition_get_type_string(par)) p.type = lower(t);
      else p.type = mbr_type(blkid_partition_get_type(par));
      if (const char* nm = blkid_partition_get_name(par)) p.name = nm;
      if (const char* u = blkid_partition_get_uuid(par)) p.uuid = lower(u);
      d.partitions.push_back(std::move(p));
    }
  }
  // bootseal's own magic (libblkid does not know it), then any other bytes.
  auto fd = open_file(path, O_RDONLY);
  if (!fd) return make_error(fd.error());
  std::vector<uint8_t> head(static_cast<size_t>(std::min<uint64_t>(d.size, 1u << 20)));
  auto got = pread_upto(fd->get(), head, 0, path);
  if (!got) return make_error(got.error());
  head.resize(*got);
  d.bootseal_partition = head.size() >= kPartitionMagic.size() &&
                         std::equal(kPartitionMagic.begin(), kPartitionMagic.end(), head.begin());
  if (d.pttype.empty() && d.fstype.empty() && !d.ambivalent && !d.bootseal_partition) {
    auto it = std::find_if(head.begin(), head.end(), [](uint8_t b) { return b != 0; });
    if (it != head.end()) d.nonzero_offset = static_cast<uint64_t>(it - head.begin());
  }
  return d;
}

Result<FilesystemIdentity> identify_filesystem(const std::string& spec) {
  const bool by_uuid = spec.rfind("UUID=", 0) == 0;
  // libblkid's answer, copied at once (it is malloc()ed).
  std::string dev;
  if (char* found = blkid_evaluate_spec(spec.c_str(), nullptr)) {
    dev = found;
    ::free(found);
  }
  if (by_uuid) return FilesystemIdentity{spec.substr(5), dev};
  if (dev.empty()) return make_error(spec + ": no device has it");
  ProbePtr pr(blkid_new_probe_from_filename(dev.c_str()));
  if (!pr) return make_error(spec + ": libblkid cannot open " + dev + ": " + errno_text(errno));
  blkid_probe_enable_superblocks(pr.get(), 1);
  blkid_probe_set_superblocks_flags(pr.get(), BLKID_SUBLKS_UUID | BLKID_SUBLKS_TYPE);
  if (blkid_do_safeprobe(pr.get()) != 0) return make_error(spec + ": libblkid finds no filesystem on " + dev);
  std::string uuid = lookup(pr.get(), "UUID");
  if (uuid.empty()) return make_error(spec + ": the filesystem on " + dev + " has no UUID");
  return FilesystemIdentity{uuid, dev};
}

}  // namespace bootseal

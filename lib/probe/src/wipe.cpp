// SPDX-License-Identifier: GPL-2.0-only
// Erasing the signatures on a device, the way wipefs -a does (device_probe.hpp).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "bootseal/device_probe.hpp"
#include "bootseal/fileio.hpp"
#include "blkid_util.hpp"

namespace bootseal {

using blkid_util::lookup;
using blkid_util::ProbePtr;

Result<std::vector<std::string>> wipe_signatures(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return make_error(path + ": " + errno_text(errno));
  auto fd = open_file(path, O_RDWR | (S_ISBLK(st.st_mode) ? O_EXCL : 0));
  if (!fd) return make_error(fd.error());
  std::vector<std::string> wiped;
  ProbePtr pr(blkid_new_probe());
  if (!pr || blkid_probe_set_device(pr.get(), fd->get(), 0, 0) != 0)
    return make_error(path + ": libblkid cannot probe it");
  blkid_probe_enable_superblocks(pr.get(), 1);
  blkid_probe_set_superblocks_flags(pr.get(), BLKID_SUBLKS_MAGIC | BLKID_SUBLKS_TYPE | BLKID_SUBLKS_BADCSUM);
  blkid_probe_enable_partitions(pr.get(), 1);
  blkid_probe_set_partitions_flags(pr.get(), BLKID_PARTS_MAGIC | BLKID_PARTS_FORCE_GPT);
  while (blkid_do_probe(pr.get()) == 0) {
    std::string what = lookup(pr.get(), "TYPE");
    if (what.empty()) what = lookup(pr.get(), "PTTYPE");
    if (blkid_do_wipe(pr.get(), 0) != 0) return make_error(path + ": cannot erase the " + what + " signature");
    wiped.push_back(what);
  }
  if (::fsync(fd->get()) != 0) return make_error(path + ": fsync failed: " + errno_text(errno));
  return wiped;
}

}  // namespace bootseal

// SPDX-License-Identifier: GPL-2.0-only
// FileDevice: a block device or an image file, or a window of one, as the
// partition code reads and writes it (partition.hpp).
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "bootseal/partition.hpp"
#include "le.hpp"

namespace bootseal {
namespace {

using detail::checked_add;

}  // namespace

Result<std::unique_ptr<FileDevice>> FileDevice::open(const std::string& path, bool writable,
                                                     uint64_t offset, std::optional<uint64_t> length,
                                                     std::string display_name) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return make_error(path + ": " + errno_text(errno));
  const bool block = S_ISBLK(st.st_mode);
  if (!block && !S_ISREG(st.st_mode)) return make_error(path + ": not a block device or regular file");
  int flags = O_CLOEXEC | (writable ? O_RDWR : O_RDONLY);
  if (writable && block) flags |= O_EXCL;  // refuses a mounted or otherwise claimed device
  UniqueFd fd(::open(path.c_str(), flags));
  if (!fd) {
    const int err = errno;
    if (err == EBUSY) return make_error(path + ": device is in use (mounted or claimed)");
    return make_error(path + ": " + errno_text(err));
  }
  uint64_t size = static_cast<uint64_t>(st.st_size);
  if (block && ::ioctl(fd.get(), BLKGETSIZE64, &size) != 0)
    return make_error(path + ": cannot get the device size: " + errno_text(errno));
  if (writable && ::flock(fd.get(), LOCK_EX | LOCK_NB) != 0)
    return make_error(path + ": in use by another bootseal process");
  const uint64_t len = length.value_or(offset <= size ? size - offset : 0);
  const auto end = checked_add(offset, len);
  if (!end || *end > size) {
    return make_error(path + ": window at offset " + std::to_string(offset) + " of " +
                      std::to_string(len) + " bytes is beyond its end (" + std::to_string(size) + " bytes)");
  }
  std::string name = std::move(display_name);
  if (name.empty()) name = offset != 0 || length ? path + " (at offset " + std::to_string(offset) + ")" : path;
  return std::unique_ptr<FileDevice>(new FileDevice(std::move(fd), path, std::move(name), offset, len));
}

FileDevice::~FileDevice() = default;

Result<void> FileDevice::read(uint64_t offset, std::span<uint8_t> out) {
  const auto end = checked_add(offset, out.size());
  if (!end || *end > length_)
    return make_error("read of " + std::to_string(out.size()) + " bytes at offset " +
                      std::to_string(offset) + " is beyond the end (" + std::to_string(length_) + " bytes)");
  return pread_all(fd_.get(), out, base_ + offset, path_);
}

Result<void> FileDevice::write(uint64_t offset, std::span<const uint8_t> data) {
  const auto end = checked_add(offset, data.size());
  if (!end || *end > length_)
    return make_error("write of " + std::to_string(data.size()) + " bytes at offset " +
                      std::to_string(offset) + " is beyond the end (" + std::to_string(length_) + " bytes)");
  return pwrite_all(fd_.get(), data, base_ + offset, path_);
}

Result<void> FileDevice::sync() {
  if (::fsync(fd_.get()) != 0) return make_error("fsync failed: " + errno_text(errno));
  // Drop the now clean cached pages so a read-back comes from the medium.
  (void)::posix_fadvise(fd_.get(), static_cast<off_t>(base_), static_cast<off_t>(length_), POSIX_FADV_DONTNEED);
  return {};
}
}  // namespace bootseal

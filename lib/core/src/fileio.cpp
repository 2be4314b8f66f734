// SPDX-License-Identifier: GPL-2.0-only
#include "bootseal/fileio.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

namespace bootseal {

std::string errno_text(int err) { return std::strerror(err < 0 ? -err : err); }

int UniqueFd::release() noexcept { return std::exchange(fd_, -1); }

void UniqueFd::reset(int fd) noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

int UniqueFd::close() noexcept {
  if (fd_ < 0) return 0;
  // close(2) is not retried on EINTR: the descriptor is gone either way.
  return ::close(release()) == 0 ? 0 : errno;
}

Result<UniqueFd> open_file(const std::filesystem::path& path, int flags, mode_t mode) {
  int fd = -1;
  do {
    fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return make_error("Failed to open " + path.string() + ": " + errno_text(errno));
  return UniqueFd(fd);
}

namespace {

std::string at(uint64_t offset) { return " at offset " + std::to_string(offset); }

}  // namespace

Result<size_t> read_all(int fd, std::span<uint8_t> out, const std::string& name) {
  size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::read(fd, out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return make_error("Failed to read " + name + ": " + errno_text(errno));
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  return done;
}

Result<size_t> pread_upto(int fd, std::span<uint8_t> out, uint64_t offset, const std::string& name) {
  size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return make_error("Failed to read " + name + at(offset + done) + ": " + errno_text(errno));
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  return done;
}

Result<void> pread_all(int fd, std::span<uint8_t> out, uint64_t offset, const std::string& name) {
  auto got = pread_upto(fd, out, offset, name);
  if (!got) return make_error(got.error());
  if (*got < out.size()) return make_error(name + ": unexpected end of file" + at(offset + *got));
  return {};
}

Result<void> write_all(int fd, std::span<const uint8_t> data, const std::string& name) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      return make_error("Failed to write " + name + ": " + (n < 0 ? errno_text(errno) : std::string("no progress")));
    done += static_cast<size_t>(n);
  }
  return {};
}

Result<void> pwrite_all(int fd, std::span<const uint8_t> data, uint64_t offset, const std::string& name) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::pwrite(fd, data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      return make_error("Failed to write " + name + at(offset + done) + ": " +
                        (n < 0 ? errno_text(errno) : std::string("no progress")));
    done += static_cast<size_t>(n);
  }
  return {};
}

Result<std::vector<uint8_t>> read_file(int fd, const std::string& name, size_t max_size) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return make_error("Failed to stat " + name + ": " + errno_text(errno));
  if (S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) > max_size)
    return make_error(name + " is " + std::to_string(st.st_size) + " bytes, more than the limit of " +
                      std::to_string(max_size));
  // The size is checked again while reading: a stream or a /proc file has
  // none, and a file can grow.
  std::vector<uint8_t> out;
  std::vector<uint8_t> buf(65536);
  for (;;) {
    auto n = read_all(fd, buf, name);
    if (!n) return make_error(n.error());
    if (out.size() + *n > max_size)
      return make_error(name + " is larger than the limit of " + std::to_string(max_size) + " bytes");
    out.insert(out.end(), buf.begin(), buf.begin() + static_cast<ptrdiff_t>(*n));
    if (*n < buf.size()) break;  // end of file
  }
  return out;
}

Result<std::vector<uint8_t>> read_file(const std::filesystem::path& path, size_t max_size) {
  auto fd = open_file(path, O_RDONLY);
  if (!fd) return make_error(fd.error());
  return read_file(fd->get(), path.string(), max_size);
}

Result<std::string> read_first_line(const std::filesystem::path& path, size_t max_size) {
  auto fd = open_file(path, O_RDONLY);
  if (!fd) return make_error(fd.error());
  // One byte more than the limit tells a line of exactly max_size bytes
  // from a longer one.
  std::vector<uint8_t> buf(max_size + 1);
  auto n = read_all(fd->get(), buf, path.string());
  if (!n) return make_error(n.error());
  const auto end = buf.begin() + static_cast<ptrdiff_t>(*n);
  const auto nl = std::find(buf.begin(), end, uint8_t{'\n'});
  if (nl - buf.begin() > static_cast<ptrdiff_t>(max_size))
    return make_error(path.string() + ": the first line is longer than " + std::to_string(max_size) + " bytes");
  return std::string(buf.begin(), nl);
}

Result<void> write_file_atomic(const std::filesystem::path& path, const FileFiller& fill, unsigned mode,
                               std::optional<FileOwner> owner) {
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
  std::string tmp = (dir / ("." + path.filename().string() + ".XXXXXX")).string();
  UniqueFd fd(::mkostemp(tmp.data(), O_CLOEXEC));
  if (!fd) return make_error("Failed to create a temporary file in " + dir.string() + ": " + errno_text(errno));
  // From here every failure removes the temporary file; `path` is untouched
  // until the rename, the last step that can fail.
  auto remove_tmp = [&](std::string message) -> Result<void> {
    fd.reset();
    ::unlink(tmp.c_str());
    return make_error(std::move(message));
  };
  auto fail = [&](const std::string& what) {
    return remove_tmp("Failed to " + what + " " + path.string() + ": " + errno_text(errno));
  };
  if (auto r = fill(fd.get(), tmp); !r) return remove_tmp(r.error());
  if (::fchmod(fd.get(), mode) != 0) return fail("set the mode of");
  if (owner && ::fchown(fd.get(), owner->uid, owner->gid) != 0 && errno != EPERM) return fail("set the owner of");
  if (::fsync(fd.get()) != 0) return fail("sync");
  if (const int err = fd.close(); err != 0) {
    errno = err;
    return fail("close");
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) return fail("rename a temporary file onto");
  // The rename is durable once the directory is; a directory that cannot be
  // opened or synced (some filesystems refuse) does not undo the rename.
  if (UniqueFd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)); dfd) (void)::fsync(dfd.get());
  return {};
}

Result<void> write_file_atomic(const std::filesystem::path& path, std::span<const uint8_t> data, unsigned mode) {
  return write_file_atomic(
      path, [&](int fd, const std::string&) { return write_all(fd, data, path.string()); }, mode);
}

std::string ms_text(double ms) {
  char b[32];
  std::snprintf(b, sizeof(b), "%.1f ms", ms);
  return b;
}

}  // namespace bootseal

// SPDX-License-Identifier: GPL-2.0-only
#include "bootseal/fileio.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace bootseal {
namespace {

std::string errno_text(int err) { return std::strerror(err); }

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

}  // namespace

Result<std::vector<uint8_t>> read_file(const std::filesystem::path& path, size_t max_size) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return make_error("Failed to open " + path.string() + ": " + errno_text(errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0)
    return make_error("Failed to stat " + path.string() + ": " + errno_text(errno));
  if (S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) > max_size)
    return make_error(path.string() + " is " + std::to_string(st.st_size) +
                      " bytes, more than the limit of " + std::to_string(max_size));
  std::vector<uint8_t> out;
  uint8_t buf[65536];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return make_error("Failed to read " + path.string() + ": " + errno_text(errno));
    }
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > max_size)
      return make_error(path.string() + " is larger than the limit of " + std::to_string(max_size) +
                        " bytes");
    out.insert(out.end(), buf, buf + n);
  }
  return out;
}

Result<void> write_file_atomic(const std::filesystem::path& path, std::span<const uint8_t> data,
                               unsigned mode) {
  std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
  std::string tmpl = (dir / ("." + path.filename().string() + ".XXXXXX")).string();
  int raw = ::mkstemp(tmpl.data());
  if (raw < 0) return make_error("Failed to create a temporary file in " + dir.string() + ": " + errno_text(errno));
  Fd fd(raw);
  auto fail = [&](const std::string& what) -> Result<void> {
    int err = errno;
    ::unlink(tmpl.c_str());
    return make_error("Failed to " + what + " " + path.string() + ": " + errno_text(err));
  };
  if (::fchmod(fd.get(), mode) != 0) return fail("set the mode of");
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd.get(), data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("write");
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd.get()) != 0) return fail("sync");
  if (::close(fd.release()) != 0) return fail("close");
  if (::rename(tmpl.c_str(), path.c_str()) != 0) return fail("rename a temporary file onto");
  Fd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dfd.get() >= 0) ::fsync(dfd.get());
  return {};
}

std::array<uint8_t, 32> sha256(std::span<const uint8_t> data) {
  std::array<uint8_t, 32> out{};
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr);
  return out;
}

}  // namespace bootseal

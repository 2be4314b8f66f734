// SPDX-License-Identifier: GPL-2.0-only
// The one POSIX I/O layer every library and program uses: an owning file
// descriptor, open and read/write loops with one rule set, bounded whole-file
// and first-line reads, atomic replacement, errno text and a stopwatch.
//
// The rule set: every call is retried on EINTR; short reads and writes are
// continued until the buffer is done (a read stops early only at end of
// file); a write that makes no progress is an error. Every message names the
// file ("Failed to read /etc/x: Input/output error"), and the offset for
// positional I/O.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "bootseal/result.hpp"

namespace bootseal {

// strerror(3) text for an errno value; a negative value (libbpf's -errno)
// is taken as its positive.
std::string errno_text(int err);

// A move-only owner of a file descriptor: closed when destroyed or reset.
// -1 means none.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) noexcept : fd_(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  explicit operator bool() const { return valid(); }
  // Gives up ownership without closing.
  int release() noexcept;
  // Closes the descriptor held (if any) and takes `fd`.
  void reset(int fd = -1) noexcept;
  // Closes now and reports close(2)'s result: 0, or the errno value (for a
  // file just written, where close can report a lost write).
  int close() noexcept;

 private:
  int fd_ = -1;
};

// open(2) with O_CLOEXEC added (and retried on EINTR): "Failed to open
// PATH: REASON". A caller whose message depends on the errno value (EEXIST,
// EBUSY, ENOENT) calls ::open itself and hands the result to a UniqueFd.
Result<UniqueFd> open_file(const std::filesystem::path& path, int flags, mode_t mode = 0);

// read(2) into `out` until it is full or the file ends; returns the number
// of bytes read (less than out.size() only at end of file).
Result<size_t> read_all(int fd, std::span<uint8_t> out, const std::string& name);
// pread(2) at `offset` until `out` is full or the file ends.
Result<size_t> pread_upto(int fd, std::span<uint8_t> out, uint64_t offset, const std::string& name);
// Exactly out.size() bytes at `offset`; the end of the file is an error.
Result<void> pread_all(int fd, std::span<uint8_t> out, uint64_t offset, const std::string& name);
// All of `data`, at the file position or at `offset`.
Result<void> write_all(int fd, std::span<const uint8_t> data, const std::string& name);
Result<void> pwrite_all(int fd, std::span<const uint8_t> data, uint64_t offset, const std::string& name);

// Reads a whole file; refuses files larger than max_size. Errors name the file.
Result<std::vector<uint8_t>> read_file(const std::filesystem::path& path, size_t max_size);
// The same from an open descriptor (to its end), `name` in messages.
Result<std::vector<uint8_t>> read_file(int fd, const std::string& name, size_t max_size);

// The first line of a one-line file (sysfs, securityfs, /proc), without its
// newline; the whole file when it has none. A first line longer than
// max_size bytes is an error. The file's reported size is not trusted
// (sysfs says 4096 for every attribute).
Result<std::string> read_first_line(const std::filesystem::path& path, size_t max_size = 4096);

// Replaces `path` atomically: `fill` writes the new contents to a temporary
// file in the same directory (given its fd and name), which then gets
// `mode` (and `owner`, uid and gid, where the caller may set it: EPERM is
// ignored), is fsynced and renamed over `path`; the directory is fsynced.
// Readers see the old or the new file, never a mix. On any failure the old
// file is untouched and the temporary file is removed.
struct FileOwner {
  uid_t uid;
  gid_t gid;
};
using FileFiller = std::function<Result<void>(int fd, const std::string& temp_name)>;
Result<void> write_file_atomic(const std::filesystem::path& path, const FileFiller& fill, unsigned mode,
                               std::optional<FileOwner> owner = std::nullopt);
// The same with the whole contents in memory.
Result<void> write_file_atomic(const std::filesystem::path& path, std::span<const uint8_t> data,
                               unsigned mode = 0644);

// "12.3 ms": the one way durations are printed.
std::string ms_text(double ms);

// Time since construction (or the last restart), on the steady clock.
class Stopwatch {
 public:
  double ms() const {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_).count();
  }
  std::string text() const { return ms_text(ms()); }
  void restart() { start_ = std::chrono::steady_clock::now(); }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace bootseal

// SPDX-License-Identifier: GPL-2.0-only
// fileio, the POSIX I/O layer: the owning fd, the read/write loops (short
// transfers, EINTR), bounded whole-file and first-line reads, atomic
// replacement, and messages that name the file.
#include "bootseal/fileio.hpp"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <fstream>
#include <thread>

#include "storage_fixture.hpp"

namespace bootseal {
namespace {

using namespace storagetest;
using ::testing::HasSubstr;

std::vector<uint8_t> bytes(const std::string& s) { return {s.begin(), s.end()}; }

// Names in `dir` other than `keep`: temporary files left behind.
std::vector<std::string> leftovers(const fs::path& dir, const std::string& keep) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename() != keep) names.push_back(e.path().filename().string());
  return names;
}

TEST(ReadFile, ReadsTheWholeFile) {
  ScratchDir dir;
  std::vector<uint8_t> data(200000);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 7);
  write_bytes(dir / "f", data);
  auto r = read_file(dir / "f", data.size());
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(*r, data);
}

TEST(ReadFile, RefusesAFileOverTheLimitNamingIt) {
  ScratchDir dir;
  write_bytes(dir / "big", std::vector<uint8_t>(101, 1));
  auto r = read_file(dir / "big", 100);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error(), HasSubstr((dir / "big").string() + " is 101 bytes, more than the limit of 100"));
  EXPECT_TRUE(read_file(dir / "big", 101));
}

TEST(ReadFile, BoundsAStreamWithoutASize) {
  // /dev/zero has no size to check first: the limit applies while reading.
  auto r = read_file("/dev/zero", 1000);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error(), HasSubstr("/dev/zero is larger than the limit of 1000 bytes"));
}

TEST(ReadFile, MissingFileIsNamed) {
  ScratchDir dir;
  auto r = read_file(dir / "nope", 10);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error(), HasSubstr("Failed to open " + (dir / "nope").string() + ": No such file or directory"));
}

TEST(WriteFileAtomic, CreatesWithTheModeAndLeavesNoTemporary) {
  ScratchDir dir;
  ASSERT_TRUE(write_file_atomic(dir / "f", bytes("hello"), 0600));
  EXPECT_EQ(read_bytes(dir / "f"), bytes("hello"));
  struct stat st {};
  ASSERT_EQ(::stat((dir / "f").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_THAT(leftovers(dir.path(), "f"), ::testing::IsEmpty());
}

TEST(WriteFileAtomic, ReplacesByRenameSoOpenReadersKeepTheOldFile) {
  ScratchDir dir;
  ASSERT_TRUE(write_file_atomic(dir / "f", bytes("old contents")));
  std::ifstream reader(dir / "f");  // opened before the replacement
  struct stat before {};
  ASSERT_EQ(::stat((dir / "f").c_str(), &before), 0);
  ASSERT_TRUE(write_file_atomic(dir / "f", bytes("new")));
  struct stat after {};
  ASSERT_EQ(::stat((dir / "f").c_str(), &after), 0);
  EXPECT_NE(before.st_ino, after.st_ino) << "the file was rewritten in place";
  EXPECT_EQ(read_bytes(dir / "f"), bytes("new"));
  std::string seen;
  std::getline(reader, seen);
  EXPECT_EQ(seen, "old contents");
  EXPECT_THAT(leftovers(dir.path(), "f"), ::testing::IsEmpty());
}

TEST(WriteFileAtomic, FailedRenameKeepsTheTargetAndRemovesTheTemporary) {
  // A non-empty directory where the file should go: rename(2) refuses.
  ScratchDir dir;
  fs::create_directories(dir / "f" / "inside");
  auto r = write_file_atomic(dir / "f", bytes("x"));
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error(), HasSubstr("Failed to rename a temporary file onto " + (dir / "f").string()));
  EXPECT_TRUE(fs::is_directory(dir / "f" / "inside"));
  EXPECT_THAT(leftovers(dir.path(), "f"), ::testing::IsEmpty());
}

TEST(WriteFileAtomic, MissingDirectoryIsNamed) {
  ScratchDir dir;
  auto r = write_file_atomic(dir / "no" / "f", bytes("x"));
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error(), HasSubstr("Failed to create a temporary file in " + (dir / "no").string()));
}

// ---------------------------------------------------------------------------
// The read/write loops, on pipes: a pipe returns what it has (short reads)
// and takes what fits; a signal without SA_RESTART interrupts a blocked call
// with EINTR, or cuts a write short once some bytes went in.

std::atomic<int> g_alarms{0};
void on_alarm(int) { g_alarms.fetch_add(1); }

// SIGALRM with a handler installed without SA_RESTART, and an interval
// timer, for the life of the object; the previous handler comes back after.
class AlarmWithoutRestart {
 public:
  AlarmWithoutRestart(std::chrono::microseconds first, std::chrono::microseconds interval) {
    g_alarms = 0;
    struct sigaction sa {};
    sa.sa_handler = on_alarm;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: blocked reads and writes return EINTR
    EXPECT_EQ(::sigaction(SIGALRM, &sa, &old_), 0);
    itimerval t{};
    t.it_value.tv_sec = static_cast<time_t>(first.count() / 1000000);
    t.it_value.tv_usec = static_cast<suseconds_t>(first.count() % 1000000);
    t.it_interval.tv_sec = static_cast<time_t>(interval.count() / 1000000);
    t.it_interval.tv_usec = static_cast<suseconds_t>(interval.count() % 1000000);
    EXPECT_EQ(::setitimer(ITIMER_REAL, &t, nullptr), 0);
  }
  ~AlarmWithoutRestart() {
    itimerval off{};
    ::setitimer(ITIMER_REAL, &off, nullptr);
    ::sigaction(SIGALRM, &old_, nullptr);
  }
  AlarmWithoutRestart(const AlarmWithoutRestart&) = delete;
  AlarmWithoutRestart& operator=(const AlarmWithoutRestart&) = delete;

 private:
  struct sigaction old_ {};
};

// A thread that never takes SIGALRM, so the timer interrupts the test's
// own (main) thread.
template <typename F>
std::thread helper_thread(F f) {
  sigset_t alarm, old;
  sigemptyset(&alarm);
  sigaddset(&alarm, SIGALRM);
  pthread_sigmask(SIG_BLOCK, &alarm, &old);
  std::thread t(std::move(f));
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return t;
}

struct Pipe {
  Pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
    read_end.reset(fds[0]);
    write_end.reset(fds[1]);
  }
  UniqueFd read_end, write_end;
};

std::vector<uint8_t> pattern(size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(i * 131 + i / 251);
  return v;
}

TEST(ReadAll, ContinuesAfterShortReads) {
  // The writer sends 64 pieces of 100 bytes with pauses: each read(2) on
  // the pipe returns one piece or a few.
  Pipe p;
  const auto data = pattern(6400);
  std::thread writer = helper_thread([&] {
    for (size_t off = 0; off < data.size(); off += 100) {
      ASSERT_EQ(::write(p.write_end.get(), data.data() + off, 100), 100);
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  std::vector<uint8_t> got(data.size());
  auto n = read_all(p.read_end.get(), got, "the pipe");
  writer.join();
  ASSERT_TRUE(n) << n.error();
  EXPECT_EQ(*n, data.size());
  EXPECT_EQ(got, data);
}

TEST(ReadAll, StopsAtEndOfFileWithWhatItGot) {
  Pipe p;
  ASSERT_EQ(::write(p.write_end.get(), "abc", 3), 3);
  p.write_end.reset();
  std::vector<uint8_t> got(10);
  auto n = read_all(p.read_end.get(), got, "the pipe");
  ASSERT_TRUE(n) << n.error();
  EXPECT_EQ(*n, 3u);
  EXPECT_EQ(std::string(got.begin(), got.begin() + 3), "abc");
}

TEST(ReadAll, RetriesWhenASignalInterruptsABlockedRead) {
  // The pipe is empty when the read starts; a SIGALRM (no SA_RESTART)
  // arrives while the read is blocked, the data only after it.
  Pipe p;
  std::atomic<bool> alarmed_before_data{false};
  std::thread writer;
  {
    AlarmWithoutRestart alarm(std::chrono::milliseconds(20), std::chrono::microseconds(0));
    writer = helper_thread([&] {
      for (int i = 0; i < 200 && g_alarms.load() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      alarmed_before_data = g_alarms.load() > 0;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      ASSERT_EQ(::write(p.write_end.get(), "late", 4), 4);
    });
    std::vector<uint8_t> got(4);
    auto n = read_all(p.read_end.get(), got, "the pipe");
    writer.join();
    ASSERT_TRUE(n) << n.error();
    EXPECT_EQ(std::string(got.begin(), got.end()), "late");
  }
  EXPECT_TRUE(alarmed_before_data) << "the signal did not arrive while the read was blocked";
}

TEST(WriteAll, ContinuesAfterShortWrites) {
  // A pipe of one page and a slow reader: the 1 MiB write blocks again and
  // again, and a SIGALRM every millisecond cuts it short.
  Pipe p;
  ASSERT_GT(::fcntl(p.write_end.get(), F_SETPIPE_SZ, 4096), 0);
  const auto data = pattern(1 << 20);
  std::vector<uint8_t> got;
  std::thread reader = helper_thread([&] {
    uint8_t buf[1500];
    for (;;) {
      const ssize_t n = ::read(p.read_end.get(), buf, sizeof buf);
      if (n <= 0) break;
      got.insert(got.end(), buf, buf + n);
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
  });
  Result<void> w;
  int alarms = 0;
  {
    AlarmWithoutRestart alarm(std::chrono::milliseconds(1), std::chrono::milliseconds(1));
    w = write_all(p.write_end.get(), data, "the pipe");
    alarms = g_alarms.load();
  }
  p.write_end.reset();
  reader.join();
  ASSERT_TRUE(w) << w.error();
  EXPECT_GT(alarms, 0) << "no signal arrived while writing";
  EXPECT_EQ(got.size(), data.size());
  EXPECT_TRUE(got == data) << "the bytes arrived changed or out of order";
}

TEST(WriteAll, RetriesWhenASignalInterruptsABlockedWrite) {
  // The pipe is full when the write starts, so it blocks with nothing
  // written; a SIGALRM (no SA_RESTART) arrives, and only then does the
  // reader start emptying the pipe.
  Pipe p;
  ASSERT_GT(::fcntl(p.write_end.get(), F_SETPIPE_SZ, 4096), 0);
  const int flags = ::fcntl(p.write_end.get(), F_GETFL);
  ASSERT_EQ(::fcntl(p.write_end.get(), F_SETFL, flags | O_NONBLOCK), 0);
  size_t filled = 0;
  const uint8_t zero[512] = {};
  for (ssize_t n = 0; (n = ::write(p.write_end.get(), zero, sizeof zero)) > 0;) filled += static_cast<size_t>(n);
  ASSERT_EQ(::fcntl(p.write_end.get(), F_SETFL, flags), 0);
  const auto data = pattern(3000);
  std::vector<uint8_t> got;
  std::atomic<bool> alarmed_before_reading{false};
  Result<void> w;
  {
    AlarmWithoutRestart alarm(std::chrono::milliseconds(20), std::chrono::microseconds(0));
    std::thread reader = helper_thread([&] {
      for (int i = 0; i < 200 && g_alarms.load() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      alarmed_before_reading = g_alarms.load() > 0;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      uint8_t buf[4096];
      while (got.size() < filled + data.size()) {
        const ssize_t n = ::read(p.read_end.get(), buf, sizeof buf);
        if (n <= 0) break;
        got.insert(got.end(), buf, buf + n);
      }
    });
    w = write_all(p.write_end.get(), data, "the pipe");
    p.write_end.reset();  // the reader sees the end of the pipe even if the write failed
    reader.join();
  }
  ASSERT_TRUE(w) << w.error();
  EXPECT_TRUE(alarmed_before_reading) << "the signal did not arrive while the write was blocked";
  ASSERT_EQ(got.size(), filled + data.size());
  EXPECT_TRUE(std::equal(data.begin(), data.end(), got.begin() + static_cast<ptrdiff_t>(filled)));
}

TEST(WriteAll, ErrorNamesTheFile) {
  Pipe p;
  p.read_end.reset();
  struct sigaction ign {}, old {};
  ign.sa_handler = SIG_IGN;
  ASSERT_EQ(::sigaction(SIGPIPE, &ign, &old), 0);
  auto w = write_all(p.write_end.get(), bytes("x"), "the pipe to nowhere");
  ::sigaction(SIGPIPE, &old, nullptr);
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error(), "Failed to write the pipe to nowhere: Broken pipe");
}

TEST(PositionalIo, ReadsAndWritesAtTheOffset) {
  ScratchDir dir;
  write_bytes(dir / "f", std::vector<uint8_t>(100, 0));
  auto fd = open_file(dir / "f", O_RDWR);
  ASSERT_TRUE(fd) << fd.error();
  ASSERT_TRUE(pwrite_all(fd->get(), bytes("hello"), 40, "f"));
  std::vector<uint8_t> got(7);
  ASSERT_TRUE(pread_all(fd->get(), got, 39, "f"));
  EXPECT_EQ(got, bytes(std::string("\0hello\0", 7)));
}

TEST(PositionalIo, EndOfFileIsAnErrorNamingFileAndOffset) {
  ScratchDir dir;
  write_bytes(dir / "f", std::vector<uint8_t>(100, 7));
  auto fd = open_file(dir / "f", O_RDONLY);
  ASSERT_TRUE(fd) << fd.error();
  std::vector<uint8_t> got(20);
  auto r = pread_all(fd->get(), got, 90, (dir / "f").string());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), (dir / "f").string() + ": unexpected end of file at offset 100");
  auto upto = pread_upto(fd->get(), got, 90, (dir / "f").string());
  ASSERT_TRUE(upto) << upto.error();
  EXPECT_EQ(*upto, 10u);
}

TEST(PositionalIo, ErrorsNameFileAndOffset) {
  ScratchDir dir;
  write_bytes(dir / "f", std::vector<uint8_t>(100, 7));
  auto ro = open_file(dir / "f", O_RDONLY);
  ASSERT_TRUE(ro) << ro.error();
  auto w = pwrite_all(ro->get(), bytes("x"), 12, "the image");
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error(), "Failed to write the image at offset 12: Bad file descriptor");
  auto wo = open_file(dir / "f", O_WRONLY);
  ASSERT_TRUE(wo) << wo.error();
  std::vector<uint8_t> got(1);
  auto r = pread_all(wo->get(), got, 34, "the image");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), "Failed to read the image at offset 34: Bad file descriptor");
  auto ra = read_all(wo->get(), got, "the image");
  ASSERT_FALSE(ra);
  EXPECT_EQ(ra.error(), "Failed to read the image: Bad file descriptor");
}

// ---------------------------------------------------------------------------
// UniqueFd and open_file

bool is_open(int fd) { return ::fcntl(fd, F_GETFD) != -1; }

TEST(UniqueFd, ClosesWhenDestroyedAndMovesOwnership) {
  int raw = -1;
  {
    auto fd = open_file("/dev/null", O_RDONLY);
    ASSERT_TRUE(fd) << fd.error();
    raw = fd->get();
    UniqueFd moved = std::move(*fd);
    EXPECT_FALSE(fd->valid());
    EXPECT_EQ(moved.get(), raw);
    EXPECT_TRUE(is_open(raw));
    EXPECT_NE(::fcntl(raw, F_GETFD) & FD_CLOEXEC, 0) << "open_file adds O_CLOEXEC";
  }
  EXPECT_FALSE(is_open(raw));
}

TEST(UniqueFd, ReleaseKeepsTheDescriptorOpenAndResetClosesIt) {
  UniqueFd fd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(fd);
  const int raw = fd.release();
  EXPECT_FALSE(fd);
  EXPECT_TRUE(is_open(raw));
  fd.reset(raw);
  fd.reset();
  EXPECT_FALSE(is_open(raw));
  EXPECT_EQ(fd.close(), 0) << "closing nothing is no error";
}

TEST(OpenFile, MissingFileIsNamed) {
  ScratchDir dir;
  auto fd = open_file(dir / "nope", O_RDONLY);
  ASSERT_FALSE(fd);
  EXPECT_EQ(fd.error(), "Failed to open " + (dir / "nope").string() + ": No such file or directory");
}

// ---------------------------------------------------------------------------
// read_first_line

// Each file's content and the line read from it: without a newline, the
// first of several lines without its newline, an empty file.
TEST(ReadFirstLine, TheFirstLineWithoutItsNewline) {
  const struct {
    const char* content;
    const char* line;
  } cases[] = {
      {"lockdown,capability,bpf", "lockdown,capability,bpf"},
      {"none [integrity] confidentiality\nsecond\nthird\n", "none [integrity] confidentiality"},
      {"", ""},
  };
  ScratchDir dir;
  for (const auto& c : cases) {
    write_bytes(dir / "f", bytes(c.content));
    auto l = read_first_line(dir / "f");
    ASSERT_TRUE(l) << c.content << ": " << l.error();
    EXPECT_EQ(*l, c.line) << "content: " << c.content;
  }
}

TEST(ReadFirstLine, LongerThanTheLimitIsRefusedNamingTheFile) {
  ScratchDir dir;
  write_bytes(dir / "f", bytes("0123456789\nshort\n"));
  auto exact = read_first_line(dir / "f", 10);
  ASSERT_TRUE(exact) << exact.error();
  EXPECT_EQ(*exact, "0123456789");
  auto over = read_first_line(dir / "f", 9);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error(), (dir / "f").string() + ": the first line is longer than 9 bytes");
}

TEST(ReadFirstLine, MissingFileIsNamed) {
  auto l = read_first_line("/nonexistent/lsm");
  ASSERT_FALSE(l);
  EXPECT_EQ(l.error(), "Failed to open /nonexistent/lsm: No such file or directory");
}

// ---------------------------------------------------------------------------
// write_file_atomic with a filler

TEST(WriteFileAtomic, FailingFillerKeepsTheOldFileAndRemovesTheTemporary) {
  ScratchDir dir;
  ASSERT_TRUE(write_file_atomic(dir / "f", bytes("old contents"), 0640));
  std::string temp_seen;
  auto r = write_file_atomic(
      dir / "f",
      [&](int fd, const std::string& temp) -> Result<void> {
        temp_seen = temp;
        if (auto w = write_all(fd, bytes("half of the new"), temp); !w) return w;
        return make_error(temp + ": the source went away");
      },
      0600);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), temp_seen + ": the source went away");
  EXPECT_EQ(fs::path(temp_seen).parent_path(), dir.path()) << "the temporary file is beside the target";
  EXPECT_EQ(read_bytes(dir / "f"), bytes("old contents"));
  struct stat st {};
  ASSERT_EQ(::stat((dir / "f").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  EXPECT_THAT(leftovers(dir.path(), "f"), ::testing::IsEmpty());
}

TEST(WriteFileAtomic, FillerContentsModeAndOwnerLand) {
  ScratchDir dir;
  ASSERT_TRUE(write_file_atomic(dir / "f", bytes("old")));
  auto r = write_file_atomic(
      dir / "f",
      [&](int fd, const std::string& temp) -> Result<void> {
        if (auto w = write_all(fd, bytes("part one, "), temp); !w) return w;
        return write_all(fd, bytes("part two"), temp);
      },
      0604, FileOwner{::getuid(), ::getgid()});
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(read_bytes(dir / "f"), bytes("part one, part two"));
  struct stat st {};
  ASSERT_EQ(::stat((dir / "f").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0604u);
  EXPECT_EQ(st.st_uid, ::getuid());
  EXPECT_THAT(leftovers(dir.path(), "f"), ::testing::IsEmpty());
}

// ---------------------------------------------------------------------------
// errno text and the stopwatch

TEST(ErrnoText, PositiveAndNegativeErrnoGiveTheSameText) {
  EXPECT_EQ(errno_text(ENOENT), "No such file or directory");
  EXPECT_EQ(errno_text(-EPERM), "Operation not permitted");
}

TEST(Stopwatch, MeasuresElapsedMillisecondsAndRestarts) {
  Stopwatch t;
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  const double first = t.ms();
  EXPECT_GE(first, 30.0);
  EXPECT_LT(first, 5000.0);
  t.restart();
  EXPECT_LT(t.ms(), first);
}

TEST(MsText, OneDecimalAndTheUnit) {
  EXPECT_EQ(ms_text(12.34), "12.3 ms");
  EXPECT_EQ(ms_text(0), "0.0 ms");
  EXPECT_EQ(ms_text(1500.06), "1500.1 ms");
}

}  // namespace
}  // namespace bootseal

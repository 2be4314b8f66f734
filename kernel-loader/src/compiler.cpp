// SPDX-License-Identifier: GPL-2.0-only
#include "bootseal/loader/compiler.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "bootseal/language.hpp"

namespace bootseal::loader {
namespace {

int severity(uint8_t action) {
  return action == BS_ACT_DENY ? 2 : action == BS_ACT_AUDIT ? 1 : 0;
}

bool key_less(const bs_rule_key& a, const bs_rule_key& b) {
  return std::tie(a.op, a.kind, a.dev, a.id, a.subject) < std::tie(b.op, b.kind, b.dev, b.id, b.subject);
}

bs_rule_key make_key(uint8_t kind, uint8_t op, uint32_t subject, uint32_t dev, uint64_t id) {
  bs_rule_key k{};
  k.kind = kind;
  k.op = op;
  k.subject = subject;
  k.dev = dev;
  k.id = id;
  return k;
}

// The object part of a key: everything but the subject.
struct ObjectKey {
  uint8_t op = 0, kind = 0;
  uint32_t dev = 0;
  uint64_t id = 0;
  // clang-tidy 14 reads the literal 0 in the defaulted <=>'s synthesized
  // comparison as a null pointer (a false positive), as in policy.cpp.
  auto operator<=>(const ObjectKey&) const = default;  // NOLINT(modernize-use-nullptr)
};

}  // namespace

uint32_t kernel_dev(dev_t st_dev) {
  return static_cast<uint32_t>(major(st_dev)) << 20 | static_cast<uint32_t>(minor(st_dev) & 0xfffff);
}

std::string format_kernel_dev(uint32_t kdev) {
  return std::to_string(kdev >> 20) + ":" + std::to_string(kdev & 0xfffff);
}

// ---------------------------------------------------------------------------
// RootResolver

Result<RootResolver> RootResolver::open(const std::string& root) {
  UniqueFd fd(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return make_error("cannot open root " + root + ": " + errno_text(errno));
  return RootResolver(std::move(fd), root);
}

std::optional<InodeId> RootResolver::resolve(const std::string& path, std::string* error) const {
  std::string rel = path;
  while (!rel.empty() && rel.front() == '/') rel.erase(0, 1);
  if (rel.empty()) rel = ".";
  open_how how{};
  how.flags = O_PATH | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  UniqueFd fd(static_cast<int>(::syscall(SYS_openat2, fd_.get(), rel.c_str(), &how, sizeof(how))));
  if (!fd) {
    int e = errno;
    if (error) *error = e == ENOENT ? std::string("does not exist") : errno_text(e);
    return std::nullopt;
  }
  struct stat st {};
  int rc = ::fstat(fd.get(), &st);
  int e = errno;
  // An executable the enforcer would never recognise: it would run as a
  // process like any other, so compile() refuses a rule that names it.
  struct statfs sfs {};
  uint64_t magic = 0;
  if (rc == 0) magic = ::fstatfs(fd.get(), &sfs) == 0 ? static_cast<uint64_t>(sfs.f_type) : kFsTypeUnknown;
  fd.reset();
  if (rc != 0) {
    if (error) *error = errno_text(e);
    return std::nullopt;
  }
  if (std::string note = unidentifiable_note(magic, S_ISDIR(st.st_mode) && st.st_ino == kUnstableFsRootIno);
      !note.empty()) {
    if (error) *error = std::move(note);
    return std::nullopt;
  }
  return InodeId{kernel_dev(st.st_dev), static_cast<uint64_t>(st.st_ino)};
}

Resolver RootResolver::resolver() const {
  return [this](const std::string& p, std::string* err) { return resolve(p, err); };
}

namespace {

// The components of a path, in order ("" and "." kept: the walk skips them).
std::vector<std::string> components(const std::string& path) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string child_of(const std::string& dir, const std::string& entry) {
  return dir == "/" ? "/" + entry : dir + "/" + entry;
}

void add_ancestor(std::map<InodeId, uint8_t>* m, const InodeId& id, uint8_t bits) {
  merge_ancestor_bits(&(*m)[id], bits);
}

// Whether the directory `entry` of `dirfd` has no entries but . and ..
bool empty_directory(int dirfd, const std::string& entry) {
  int fd = ::openat(dirfd, entry.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return false;
  DIR* d = ::fdopendir(fd);
  if (!d) {
    ::close(fd);
    return false;
  }
  bool empty = true;
  while (const dirent* e = ::readdir(d)) {
    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) {
      empty = false;
      break;
    }
  }
  ::closedir(d);
  return empty;
}

}  // namespace

namespace {
// XFS_IOC_FSGEOMETRY_V1 (_IOR('X', 100, struct xfs_fsop_geom_v1), 112
// bytes) and where its `flags` are, from the kernel's uapi xfs_fs.h
// (xfsprogs' headers are not a build dependency).
constexpr uint64_t kXfsMagic = 0x58465342;
constexpr size_t kXfsGeometryV1Size = 112;
constexpr size_t kXfsGeometryFlagsOffset = 92;  // 8 u32, 4 u64, uuid[16], sunit, swidth, version
constexpr unsigned long kXfsIocFsGeometryV1 = 0x80705864;
constexpr uint32_t kXfsGeomFlagsAsciiCi = 1u << 12;  // XFS_FSOP_GEOM_FLAGS_DIRV2CI
static_assert(kXfsIocFsGeometryV1 == ((2ul << 30) | (kXfsGeometryV1Size << 16) | ('X' << 8) | 100));
}  // namespace

namespace {
// A probe that could not read its answer: it counts as yes (fails closed).
CasefoldProbe unreadable_probe(std::string what) {
  CasefoldProbe out;
  out.ignores_case = true;
  out.error = std::move(what);
  return out;
}
}  // namespace

CasefoldProbe casefold_probe(int dir_fd) {
  CasefoldProbe out;
  // Fails closed: a directory whose flags cannot be read counts, unless
  // its filesystem has no flags at all (ENOTTY, EOPNOTSUPP).
  UniqueFd readable(::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!readable) return unreadable_probe(errno_text(errno));
  unsigned int flags = 0;  // the kernel writes an int, whatever the ioctl number says
  if (::ioctl(readable.get(), FS_IOC_GETFLAGS, &flags) != 0) {
    if (const int e = errno; e != ENOTTY && e != EOPNOTSUPP)
      return unreadable_probe("FS_IOC_GETFLAGS: " + errno_text(e));
  } else if ((flags & FS_CASEFOLD_FL) != 0) {
    out.ignores_case = true;
    return out;
  }
  // xfs made with ASCII case-insensitive names (mkfs.xfs -n version=ci):
  // every directory of it, and no flag says so but its geometry.
  struct statfs sfs {};
  if (::fstatfs(readable.get(), &sfs) != 0 || static_cast<uint64_t>(sfs.f_type) != kXfsMagic) return out;
  alignas(8) unsigned char geometry[kXfsGeometryV1Size] = {};
  if (::ioctl(readable.get(), kXfsIocFsGeometryV1, geometry) != 0)
    return unreadable_probe("XFS_IOC_FSGEOMETRY: " + errno_text(errno));
  uint32_t geometry_flags = 0;
  std::memcpy(&geometry_flags, geometry + kXfsGeometryFlagsOffset, sizeof geometry_flags);
  out.ignores_case = out.xfs = (geometry_flags & kXfsGeomFlagsAsciiCi) != 0;
  return out;
}

namespace {
// An xfs superblock (struct xfs_dsb in the kernel's xfs_format.h, big
// endian): its magic at 0, sb_versionnum at 100, whose
// XFS_SB_VERSION_BORGBIT says the names are ASCII case-insensitive (in
// version 4 and 5 superblocks alike).
constexpr size_t kXfsSbVersionOffset = 100;
constexpr uint16_t kXfsSbVersionBorgBit = 0x4000;
}  // namespace

std::optional<bool> xfs_superblock_ignores_case(std::span<const unsigned char> sb) {
  if (sb.size() < kXfsSbVersionOffset + 2) return std::nullopt;
  const uint32_t magic = (uint32_t{sb[0]} << 24) | (uint32_t{sb[1]} << 16) | (uint32_t{sb[2]} << 8) | sb[3];
  if (magic != kXfsMagic) return std::nullopt;
  const auto version = static_cast<uint16_t>((sb[kXfsSbVersionOffset] << 8) | sb[kXfsSbVersionOffset + 1]);
  return (version & kXfsSbVersionBorgBit) != 0;
}

CasefoldProbe device_casefold_probe(const std::string& device) {
  CasefoldProbe out;
  // O_NONBLOCK: an empty optical drive answers at once instead of
  // waiting for a disc (libblkid opens them so too).
  UniqueFd fd(::open(device.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (!fd) return unreadable_probe(errno_text(errno));
  std::array<unsigned char, 512> sector{};
  const ssize_t n = ::pread(fd.get(), sector.data(), sector.size(), 0);
  if (n < 0) return unreadable_probe(errno_text(errno));
  const auto ci = xfs_superblock_ignores_case(std::span<const unsigned char>(sector.data(), static_cast<size_t>(n)));
  if (!ci) return unreadable_probe("no xfs superblock");
  out.ignores_case = out.xfs = *ci;
  return out;
}

uint64_t RootResolver::fstab_unstable(const std::string& dir) const {
  if (const auto u = fstab_unstable_.find(dir); u != fstab_unstable_.end()) return u->second;
  if (!fstab_probe_ || !fstab_.count(dir)) return 0;
  auto it = fstab_probed_.find(dir);
  if (it == fstab_probed_.end()) it = fstab_probed_.emplace(dir, fstab_probe_(dir)).first;
  return it->second;
}

std::optional<NameResolution> RootResolver::resolve_names(const std::string& path, std::string* error) const {
  struct Dir {
    UniqueFd fd;  // invalid for the root: fd_
    InodeId id;
    std::string shown;  // the path walked to it, for messages
    // The type of a filesystem whose inode numbers are not kept
    // (unstable_inode_fs) that holds it, else 0.
    uint64_t unstable = 0;
  };
  auto fail = [&](const std::string& what) -> std::optional<NameResolution> {
    if (error) *error = what;
    return std::nullopt;
  };
  struct stat st {};
  if (::fstat(fd_.get(), &st) != 0) return fail("/: " + errno_text(errno));
  std::vector<Dir> stack;
  stack.push_back(Dir{UniqueFd(), InodeId{kernel_dev(st.st_dev), static_cast<uint64_t>(st.st_ino)}, "/"});
  auto fd_of = [&](const Dir& d) { return d.fd ? d.fd.get() : fd_.get(); };
  // The directories above a name. The name's own directory may take a
  // mount (PARENT: the name is then the mounted filesystem's entry) only
  // when it is an empty directory the fstab mounts on, else a mount there
  // would hide the files it holds or bring in anyone's (DIR).
  auto dirs_above = [&](NameResolution* r, bool may_take_mount = false) {
    for (size_t i = 0; i < stack.size(); ++i)
      add_ancestor(&r->ancestors, stack[i].id,
                   i + 1 == stack.size() && may_take_mount ? BS_ANCESTOR_PARENT : BS_ANCESTOR_DIR);
  };

  // A filesystem is mounted after the loader in `dir` (its path as shown),
  // or on `entry` there or below it: what is there then is not known now.
  auto later_fs = [&](const Dir& dir, const std::string& entry) {
    static const std::set<std::string> kApiPlaces = {"/dev", "/proc", "/run", "/sys"};
    if (kApiPlaces.count(dir.shown) || (fstab_.count(dir.shown) && empty_directory(fd_of(dir), "."))) return true;
    const auto below = fstab_.lower_bound(entry + "/");
    return fstab_.count(entry) || (below != fstab_.end() && below->rfind(entry + "/", 0) == 0);
  };

  NameResolution res;
  // A directory on the way whose ids the enforcer would never see (btrfs,
  // overlayfs): the names and ancestors recorded there protect nothing.
  // On a filesystem whose inode numbers are not kept (FAT, exFAT), only
  // its root directory's is: every other directory there is one.
  uint64_t bad_magic = 0;
  std::string bad_shown;
  auto mark_bad = [&](uint64_t magic, const std::string& shown) {
    if (bad_magic) return;
    bad_magic = magic;
    bad_shown = shown;
  };
  // The root of a filesystem the walk enters (`dir` as statted): its type
  // when its inode numbers are not kept, for the directories below it.
  auto check_dir = [&](int fd, const InodeId& dir, const std::string& shown) -> uint64_t {
    struct statfs sfs {};
    const uint64_t magic = ::fstatfs(fd, &sfs) == 0 ? static_cast<uint64_t>(sfs.f_type) : kFsTypeUnknown;
    if (unstable_inode_fs(magic)) {
      if (dir.ino != kUnstableFsRootIno) mark_bad(magic, shown);  // a bind mount of a directory there
      return magic;
    }
    if (!unidentifiable_fs(magic).empty()) mark_bad(magic, shown);
    return 0;
  };
  // A directory whose names ignore case (ext4, f2fs or tmpfs casefold,
  // or any directory of an ASCII-CI xfs): the first one a name is
  // recorded in, for the rule to be refused. The enforcer's names map
  // compares names byte for byte; "SHADOW" there is the entry "shadow" is.
  // Each directory is probed once per resolver (casefold_probe).
  auto note_casefold = [&](const Dir& d) {
    if (!res.casefold_at.empty()) return;
    auto it = casefold_.find(d.id);
    if (it == casefold_.end()) it = casefold_.emplace(d.id, casefold_probe(fd_of(d))).first;
    if (!it->second.ignores_case) return;
    res.casefold_at = d.shown;
    res.casefold_xfs = it->second.xfs;
    res.casefold_error = it->second.error;
  };
  // Whether the directory the walk is in is the root or a mount's root:
  // its filesystem is mounted already and was statted on the way,
  // whatever the fstab says will be mounted there.
  auto top_mounted_now = [&]() {
    return stack.size() < 2 || stack[stack.size() - 2].id.dev != stack.back().id.dev;
  };
  stack.back().unstable = check_dir(fd_.get(), stack.back().id, "/");
  // `r` as returned: the type of `fd` (the object's, or the directory the
  // walk stopped in) unless already known, and a directory on the way the
  // enforcer cannot identify when the object is on one it can.
  auto done = [&](NameResolution& r, int fd) -> std::optional<NameResolution> {
    struct statfs sfs {};
    struct stat fst {};
    if (!r.fs_magic && fd < 0) {
      r.fs_magic = kFsTypeUnknown;  // the object could not be opened: its filesystem is not known
    } else if (!r.fs_magic) {
      r.fs_magic = ::fstatfs(fd, &sfs) == 0 ? static_cast<uint64_t>(sfs.f_type) : kFsTypeUnknown;
      // Only the object itself may be such a root: a name with no file
      // in that root is looked up as the filesystem likes (FAT ignores
      // case), not as the enforcer's names map compares.
      r.fs_root = r.object && ::fstat(fd, &fst) == 0 && S_ISDIR(fst.st_mode) && fst.st_ino == kUnstableFsRootIno;
    }
    if (bad_magic && unidentifiable_note(r.fs_magic, r.fs_root).empty()) {
      r.fs_magic = bad_magic;
      r.fs_root = false;
      r.fs_magic_at = bad_shown;
    }
    return std::move(r);
  };
  std::vector<std::string> pending = components(path);
  std::reverse(pending.begin(), pending.end());  // a stack: next component last
  int hops = 0;
  auto is_last = [&]() {
    return std::all_of(pending.begin(), pending.end(), [](const std::string& c) { return c.empty() || c == "."; });
  };
  while (!pending.empty()) {
    const std::string comp = pending.back();
    pending.pop_back();
    if (comp.empty() || comp == ".") continue;
    if (comp == "..") {
      if (stack.size() > 1) stack.pop_back();  // never above the root
      continue;
    }
    const bool last = is_last();
    const Dir& top = stack.back();
    const std::string shown = child_of(top.shown, comp);  // quoted as the policy language quotes it
    if (::fstatat(fd_of(top), comp.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      const int e = errno;
      if (e == ENOENT && last) {  // a name without a file: protected by name
        res.names.push_back(EntryName{top.id, comp});
        note_casefold(top);
        res.missing_on_later_fs = later_fs(top, shown);
        const bool place = fstab_.count(top.shown) && empty_directory(fd_of(top), ".");
        dirs_above(&res, place);
        // Only the type its fstab line names is mounted there.
        if (place)
          if (const auto t = fstab_names_fs_.find(top.shown); t != fstab_names_fs_.end())
            merge_ancestor_bits(&res.ancestors[top.id], static_cast<uint8_t>(t->second << BS_ANCESTOR_FS_SHIFT));
        // The name is then the entry of the filesystem the fstab mounts
        // there: on one whose lookups ignore case, or its server's, the
        // enforcer's names map would not see every way to it.
        // A directory not empty now is still covered by that mount: its
        // root then stands for the directory in the enforcer's lookups.
        if (const uint64_t u = top_mounted_now() ? 0 : fstab_unstable(top.shown)) res.fs_magic = u;
        return done(res, fd_of(top));
      }
      if (e == ENOENT) {
        // A directory on the way is missing: the entry that would make
        // it, and the directories above that entry. Past a final symlink
        // whose target cannot be reached, the symlink's own name stands too.
        res.missing = EntryName{top.id, comp};
        res.missing_shown = shown;
        note_casefold(top);
        if (const uint64_t u = top_mounted_now() ? 0 : fstab_unstable(top.shown)) res.fs_magic = u;
        res.missing_on_later_fs = later_fs(top, shown);
        dirs_above(&res);
        return done(res, fd_of(top));
      }
      if (!res.names.empty()) return done(res, fd_of(top));
      return fail(quote_if_needed(shown) + ": " + errno_text(e));
    }
    const InodeId id{kernel_dev(st.st_dev), static_cast<uint64_t>(st.st_ino)};
    if (S_ISLNK(st.st_mode)) {
      if (++hops > kMaxSymlinks) return fail("too many symlinks at " + quote_if_needed(shown));
      std::string target(PATH_MAX, '\0');
      const ssize_t n = ::readlinkat(fd_of(top), comp.c_str(), target.data(), target.size());
      if (n < 0) return fail(quote_if_needed(shown) + ": " + errno_text(errno));
      if (static_cast<size_t>(n) == target.size()) return fail(quote_if_needed(shown) + ": symlink target too long");
      target.resize(static_cast<size_t>(n));
      if (last) {
        res.names.push_back(EntryName{top.id, comp});
        note_casefold(top);
      } else
        add_ancestor(&res.ancestors, id, BS_ANCESTOR_SYMLINK);
      if (top.unstable) mark_bad(top.unstable, shown);  // the symlink's own number
      dirs_above(&res);
      if (!target.empty() && target.front() == '/') stack.resize(1);  // absolute: from the root
      std::vector<std::string> more = components(target);
      pending.insert(pending.end(), more.rbegin(), more.rend());
      continue;
    }
    if (last) {
      res.names.push_back(EntryName{top.id, comp});
      note_casefold(top);
      if (top.unstable) mark_bad(top.unstable, top.shown);  // a filesystem mounted in a directory there
      dirs_above(&res);
      // The object itself: openat crosses a mount on it, as the kernel's
      // walk does (fstatat of the entry already did).
      res.object = id;
      res.fstab_mount_point = S_ISDIR(st.st_mode) && fstab_.count(shown) && empty_directory(fd_of(top), comp);
      UniqueFd obj(::openat(fd_of(top), comp.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
      return done(res, obj ? obj.get() : -1);
    }
    if (!S_ISDIR(st.st_mode)) {
      if (!res.names.empty()) return done(res, fd_of(top));
      return fail(quote_if_needed(shown) + " is not a directory");
    }
    UniqueFd next(::openat(fd_of(top), comp.c_str(), O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC));
    if (!next || ::fstat(next.get(), &st) != 0) {
      const int e = errno;
      if (!res.names.empty()) return done(res, fd_of(top));
      return fail(quote_if_needed(shown) + ": " + errno_text(e));
    }
    const InodeId dir_id{kernel_dev(st.st_dev), static_cast<uint64_t>(st.st_ino)};
    // Only where the device changes (a mount, a btrfs subvolume) can the
    // filesystem: one statfs per crossing, not per directory.
    uint64_t unstable = top.unstable;
    if (dir_id.dev != top.id.dev)
      unstable = check_dir(next.get(), dir_id, shown);
    else if (unstable)
      mark_bad(unstable, shown);  // below the root of a filesystem whose numbers are not kept
    stack.push_back(Dir{std::move(next), dir_id, shown, unstable});
  }
  // The path ends at a directory reached by ".." or is the root: no name of
  // its own, the directories above it as ancestors.
  res.object = stack.back().id;
  {
    struct statfs sfs {};
    res.fs_magic =
        ::fstatfs(fd_of(stack.back()), &sfs) == 0 ? static_cast<uint64_t>(sfs.f_type) : kFsTypeUnknown;
    res.fs_root = stack.back().id.ino == kUnstableFsRootIno;
  }
  stack.pop_back();
  dirs_above(&res);
  return done(res, -1);
}

std::string simplified_mount_point(const std::string& point) {
  // As systemd's fstab generator and mount(8) read it: "//" is "/", a "."
  // component is the directory it is in, a trailing "/" goes.
  std::string out;
  size_t i = 0;
  while (i < point.size()) {
    const size_t end = std::min(point.find('/', i), point.size());
    const std::string_view component(point.data() + i, end - i);
    if (!component.empty() && component != ".") out.append("/").append(component);
    i = end + 1;
  }
  return out.empty() ? "/" : out;
}

std::vector<FstabEntry> parse_fstab_entries(const std::string& text) {
  std::vector<FstabEntry> out;
  // fstab(5) writes a space, tab, newline or backslash in a field as an
  // octal escape (\040).
  auto decode = [](const std::string& field) {
    std::string decoded;
    for (size_t i = 0; i < field.size(); ++i) {
      auto octal = [&](size_t j) { return field[j] >= '0' && field[j] <= '7'; };
      if (field[i] == '\\' && i + 3 < field.size() && octal(i + 1) && octal(i + 2) && octal(i + 3)) {
        decoded += static_cast<char>((field[i + 1] - '0') * 64 + (field[i + 2] - '0') * 8 + (field[i + 3] - '0'));
        i += 3;
      } else {
        decoded += field[i];
      }
    }
    return decoded;
  };
  std::istringstream lines(text);
  std::string line;
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    std::istringstream fields(line);
    std::string spec, file, type, options, freq, pass;
    if (!(fields >> spec) || spec.front() == '#' || !(fields >> file)) continue;
    fields >> type >> options >> freq >> pass;
    std::string point = decode(file);
    if (point.empty() || point.front() != '/') continue;  // swap, none
    point = simplified_mount_point(point);
    spec = decode(spec);
    // TAG="value", as libmount accepts it.
    const size_t eq = spec.find('=');
    if (eq != std::string::npos && spec.size() >= eq + 3 && spec[eq + 1] == '"' && spec.back() == '"')
      spec.erase(spec.size() - 1).erase(eq + 1, 1);
    bool automount = false, casefold = false, noauto = false;
    std::istringstream opts(options);
    for (std::string o; std::getline(opts, o, ',');) {
      automount = automount || o == "x-systemd.automount";
      noauto = noauto || o == "noauto";
      casefold = casefold || o == "casefold" || o.rfind("casefold=", 0) == 0;  // tmpfs (6.13)
    }
    out.push_back(FstabEntry{spec, std::move(point), type, number, pass == "1" || pass == "2" ? pass[0] - '0' : 0,
                             automount, casefold, noauto, {}});
  }
  return out;
}

bool place_on_guarded_devices(const Compiled& c, const Place& p) {
  return !p.devices.empty() && std::all_of(p.devices.begin(), p.devices.end(), [&](uint32_t dev) {
           return std::any_of(c.raw_devices.begin(), c.raw_devices.end(),
                              [&](const RawDevice& d) { return d.dev == dev && !d.character && d.ops; });
         });
}

std::vector<std::string> places_refused_at_mount(const Compiled& c, const std::vector<FstabEntry>& entries,
                                                 const std::string& fstab_name) {
  std::vector<std::string> out;
  for (const auto& p : c.places) {
    if (place_on_guarded_devices(c, p)) continue;
    for (const auto& e : entries) {
      // Taken there: any type ("auto", or none), FAT and exFAT (placed by
      // their device, which is the check), a type known to keep its inode
      // numbers; for a list, any one of its types.
      const auto taken = [](std::string_view t) {
        return t.empty() || t == "auto" || device_placed_type(std::string(t)) ||
               keeps_inode_numbers(fstab_type_magic(std::string(t)));
      };
      const auto types = fstab_types(mount_type(e));
      if (e.mount_point != p.mount_point || std::any_of(types.begin(), types.end(), taken)) continue;
      out.push_back(fstab_line_name(fstab_name, e) + ": the enforcer will refuse to mount it there: " + mount_type(e) +
                    " is not a type it knows to keep its inode numbers, and no guarded device backs the place (a "
                    "place's device is guarded when the loader finds it and the place denies reads or writes)");
    }
  }
  return out;
}

std::vector<std::string> xfs_refused_without_kallsyms(const Compiled& c, const std::vector<FstabEntry>& entries,
                                                      const std::string& fstab_name, bool kallsyms) {
  std::vector<std::string> out;
  if (kallsyms) return out;
  const bool takes_mounts =
      !c.places.empty() || std::any_of(c.ancestors.begin(), c.ancestors.end(), [](const auto& a) {
        return (a.second & BS_ANCESTOR_FS_MASK) != 0;
      });
  if (!takes_mounts) return out;
  for (const auto& e : entries)
    if (fstab_type_may_be(mount_type(e), "xfs") && e.mount_point != "/")
      out.push_back(fstab_line_name(fstab_name, e) +
                    ": this kernel has no /proc/kallsyms, by which the enforcer tells an xfs that ignores case "
                    "in its names from one that does not: an xfs mounted on a place or on a directory of "
                    "protected names is refused");
  return out;
}

void mark_place_mount_points(Compiled* c) {
  for (const auto& p : c->places)
    if (p.chain.mount_point_exists && !p.chain.dirs.empty())
      merge_ancestor_bits(&c->ancestors[p.chain.dirs[0]], BS_ANCESTOR_PLACE);
}

std::set<std::string> parse_fstab_mount_points(const std::string& text) {
  std::set<std::string> out;
  for (auto& e : parse_fstab_entries(text)) out.insert(std::move(e.mount_point));
  return out;
}

std::string fstab_line_name(const std::string& fstab_name, const FstabEntry& e) {
  return fstab_name + " line " + std::to_string(e.line) + " (" + e.spec + " on " + quote_if_needed(e.mount_point) +
         ")";
}

const std::string& mount_type(const FstabEntry& e) { return e.found_type.empty() ? e.type : e.found_type; }

std::vector<std::string_view> fstab_types(std::string_view type) {
  std::vector<std::string_view> out;
  for (size_t at = 0;;) {
    const size_t comma = type.find(',', at);
    out.push_back(type.substr(at, comma == std::string_view::npos ? std::string_view::npos : comma - at));
    if (comma == std::string_view::npos) return out;
    at = comma + 1;
  }
}

bool fstab_type_may_be(std::string_view type, std::string_view one) {
  const auto types = fstab_types(type);
  return std::find(types.begin(), types.end(), one) != types.end();
}

std::vector<uint64_t> fstab_fstype_magics(std::string_view type) {
  std::vector<uint64_t> out;
  for (const auto one : fstab_types(type))
    if (const auto m = fstype_magic(one); m && std::find(out.begin(), out.end(), *m) == out.end())
      out.push_back(*m);
  return out;
}

uint64_t fstab_type_magic(const std::string& type) {
  // Types the policy language has no fstype name for, by the magic their
  // superblock gets.
  static const std::map<std::string, uint64_t> kOtherTypes = {
      {"cifs", 0xff534d42}, {"smb3", 0xfe534d42}, {"9p", 0x01021997},     {"ceph", 0x00c36400},
      {"zfs", 0x2fc12fc1},  {"ntfs3", 0x7366746e}, {"bcachefs", 0xca451a4e}, {"virtiofs", kFuseMagic},
      {"ntfs-3g", kFuseMagic}, {"sshfs", kFuseMagic}, {"jfs", 0x3153464a}, {"reiserfs", 0x52654973},
      {"nilfs2", 0x3434},   {"udf", 0x15013346},  {"cramfs", 0x28cd3d45},
  };
  // A list ("udf,iso9660", as Debian's installer writes for the CD-ROM):
  // mount(8) tries each, so the first that is not known to keep its inode
  // numbers stands for the line, else the first.
  if (const auto types = fstab_types(type); types.size() > 1) {
    for (const auto one : types)
      if (const uint64_t m = fstab_type_magic(std::string(one)); !keeps_inode_numbers(m)) return m;
    return fstab_type_magic(std::string(types.front()));
  }
  if (device_placed_type(type)) return type == "exfat" ? kExfatMagic : kFatMagic;
  if (type.rfind("fuse.", 0) == 0) return kFuseMagic;
  if (const auto m = fstype_magic(type)) return *m;
  if (const auto o = kOtherTypes.find(type); o != kOtherTypes.end()) return o->second;
  return kFsTypeUnknown;  // "auto", or a type this list does not know: fail closed
}

std::map<std::string, uint64_t> fstab_unstable_points(const std::vector<FstabEntry>& entries) {
  std::map<std::string, uint64_t> out;
  for (const auto& e : entries) {
    uint64_t magic = fstab_type_magic(mount_type(e));
    if (e.casefold && unidentifiable_fs(magic).empty()) magic = kFsCasefold;
    if (e.automount && unidentifiable_fs(magic).empty()) magic = kFsAutomount;
    if (!unidentifiable_fs(magic).empty()) out[e.mount_point] = magic;
  }
  return out;
}

bool device_has_holders(const std::string& sysfs, const std::string& device) {
  std::error_code ec;
  const auto real = std::filesystem::canonical(device, ec);
  if (ec) return false;
  const auto holders = std::filesystem::path(sysfs) / "class" / "block" / real.filename() / "holders";
  return std::filesystem::is_directory(holders, ec) && !std::filesystem::is_empty(holders, ec) && !ec;
}

std::map<std::string, uint64_t> case_insensitive_xfs_points(
    const std::vector<FstabEntry>& entries,
    const std::function<std::vector<std::string>(const FstabEntry&)>& devices_of,
    const std::function<CasefoldProbe(const std::string& device)>& probe) {
  std::map<std::string, uint64_t> out;
  for (const auto& e : entries) {
    if (!fstab_type_may_be(mount_type(e), "xfs") || e.mount_point == "/") continue;
    for (const auto& device : devices_of(e)) {
      const CasefoldProbe p = probe(device);
      if (!p.error.empty()) out[e.mount_point] = kFsTypeUnknown;
      else if (p.ignores_case && !out.count(e.mount_point)) out[e.mount_point] = kFsAsciiCi;
    }
  }
  return out;
}

std::array<uint8_t, 16> device_place_key(uint32_t dev) {
  static_assert(sizeof(BS_PLACE_DEV_TAG) - 1 == BS_PLACE_DEV_TAG_LEN && BS_PLACE_DEV_TAG_LEN + 4 == 16);
  std::array<uint8_t, 16> key{};
  std::memcpy(key.data(), BS_PLACE_DEV_TAG, BS_PLACE_DEV_TAG_LEN);
  std::memcpy(key.data() + BS_PLACE_DEV_TAG_LEN, &dev, sizeof(dev));  // as the enforcer stores s_dev
  return key;
}

bool is_device_place_key(const std::array<uint8_t, 16>& key) {
  return std::memcmp(key.data(), BS_PLACE_DEV_TAG, BS_PLACE_DEV_TAG_LEN) == 0;
}

bool device_placed_type(const std::string& type) {
  return type == "vfat" || type == "msdos" || type == "fat" || type == "exfat";
}

std::optional<std::array<uint8_t, 16>> parse_fs_uuid(std::string_view text) {
  std::array<uint8_t, 16> out{};
  size_t n = 0;
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  // The canonical form only: 8-4-4-4-12 hex digits.
  if (text.size() != 36) return std::nullopt;
  for (size_t i = 0; i < text.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (text[i] != '-') return std::nullopt;
      continue;
    }
    const int hi = hex(text[i]), lo = i + 1 < text.size() ? hex(text[i + 1]) : -1;
    if (hi < 0 || lo < 0) return std::nullopt;
    out[n++] = static_cast<uint8_t>(hi << 4 | lo);
    ++i;
  }
  if (n != 16 || std::all_of(out.begin(), out.end(), [](uint8_t b) { return b == 0; })) return std::nullopt;
  return out;
}

std::optional<PlaceChain> RootResolver::place_chain(const std::string& mount_point, std::string* error) const {
  auto fail = [&](const std::string& what) -> std::optional<PlaceChain> {
    if (error) *error = what;
    return std::nullopt;
  };
  std::string p = mount_point;
  if (p.empty() || p.front() != '/') return fail(mount_point + ": not an absolute path");
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  if (p == "/") return fail("/: the root has no place above it");
  struct stat st {};
  if (::fstat(fd_.get(), &st) != 0) return fail("/: " + errno_text(errno));
  const InodeId root{kernel_dev(st.st_dev), static_cast<uint64_t>(st.st_ino)};
  // The mount point as the kernel's walk reaches it (symlinks followed in
  // the new root), or the nearest directory above it that exists.
  PlaceChain chain;
  chain.mount_point_exists = true;
  UniqueFd dir;
  for (;;) {
    std::string rel = p == "/" ? std::string(".") : p.substr(1);
    open_how how{};
    how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    dir = UniqueFd(static_cast<int>(::syscall(SYS_openat2, fd_.get(), rel.c_str(), &how, sizeof(how))));
    if (dir) break;
    if (errno != ENOENT || p == "/") return fail(quote_if_needed(p) + ": " + errno_text(errno));
    chain.mount_point_exists = false;
    const size_t slash = p.rfind('/');
    p = slash == 0 ? std::string("/") : p.substr(0, slash);
  }
  // Mounted already (a separate /usr the initramfs mounted): the rules
  // there were resolved on that filesystem's own inodes.
  struct statx sx {};
  if (chain.mount_point_exists && ::statx(dir.get(), "", AT_EMPTY_PATH, STATX_BASIC_STATS, &sx) == 0 &&
      (sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) && (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT))
    chain.mounted_now = true;
  // Up by "..", as the enforcer's walk goes up from a mount there: each
  // directory's own device and inode, across the mounts above it.
  for (size_t level = 0;; ++level) {
    if (::fstat(dir.get(), &st) != 0) return fail(quote_if_needed(mount_point) + ": " + errno_text(errno));
    const InodeId id{kernel_dev(st.st_dev), static_cast<uint64_t>(st.st_ino)};
    chain.dirs.push_back(id);
    if (id == root) break;
    if (level >= kMaxSymlinks * 64) return fail(quote_if_needed(mount_point) + ": no way up to the root");
    dir = UniqueFd(::openat(dir.get(), "..", O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!dir) return fail(quote_if_needed(mount_point) + ": ..: " + errno_text(errno));
  }
  if (chain.dirs.size() > BS_PLACE_DEPTH)
    return fail(quote_if_needed(mount_point) + " is " + std::to_string(chain.dirs.size() - 1) +
                " directories deep; the enforcer follows a place " + std::to_string(BS_PLACE_DEPTH - 1) + " deep");
  return chain;
}

const char* unstable_inode_fs(uint64_t magic) {
  switch (magic) {
    case kFatMagic: return "FAT";      // vfat and msdos
    case kExfatMagic: return "exFAT";
    default: return nullptr;
  }
}

bool keeps_inode_numbers(uint64_t magic) {
  // The list, and why others are not on it, is bootseal.h's: the
  // enforcer takes only these on a directory of names.
  return BS_KEEPS_INODE_NUMBERS(magic);
}

uint8_t names_fs_code(std::string_view type) {
  if (type == "ext2" || type == "ext3" || type == "ext4") return BS_NAMES_FS_EXT4;
  if (type == "xfs") return BS_NAMES_FS_XFS;
  if (type == "tmpfs") return BS_NAMES_FS_TMPFS;
  if (type == "f2fs") return BS_NAMES_FS_F2FS;
  if (type == "squashfs") return BS_NAMES_FS_SQUASHFS;
  if (type == "erofs") return BS_NAMES_FS_EROFS;
  return BS_NAMES_FS_KEPT;
}

std::map<std::string, uint8_t> fstab_names_fs(const std::vector<FstabEntry>& entries) {
  std::map<std::string, uint8_t> out;
  for (const auto& e : entries) {
    const uint8_t code = names_fs_code(mount_type(e));
    // Two lines for one mount point (one of them fails, or is noauto):
    // either type may be mounted there.
    const auto [it, added] = out.emplace(e.mount_point, code);
    if (!added && it->second != code) it->second = BS_NAMES_FS_KEPT;
  }
  return out;
}

namespace {
// Names for the messages of filesystems not kept (keeps_inode_numbers)
// that the policy language has no fstype name for.
struct MagicName {
  uint64_t magic;
  const char* name;
};
constexpr MagicName kOtherFs[] = {
    {0x9123683e, "btrfs"},     {0x794c7630, "overlay"},  {0x65735546, "FUSE"},    {0x6969, "NFS"},
    {0xff534d42, "CIFS"},      {0xfe534d42, "SMB"},      {0x01021997, "9p"},      {0x00c36400, "Ceph"},
    {0x2fc12fc1, "ZFS"},       {0x7366746e, "ntfs3"},    {0xca451a4e, "bcachefs"}, {0x9fa0, "proc"},
    {0x958458f6, "hugetlbfs"}, {0x19800202, "mqueue"},   {0xde5e81e4, "efivarfs"}, {0x6165676c, "pstore"},
    {0x5346414f, "AFS"},       {0x6b414653, "kAFS"},     {0x47504653, "GPFS"},    {0x0bd00bd0, "Lustre"},
    {0x3153464a, "jfs"},       {0x3434, "nilfs2"},       {0x858458f6, "ramfs"},   {0x64626720, "debugfs"},
    {0x73636673, "securityfs"}, {0xcafe4a11, "bpf"},     {0x74726163, "tracefs"}, {0x62656570, "configfs"},
};
}  // namespace

std::string unidentifiable_fs(uint64_t magic) {
  if (magic == kFsTypeUnknown) return "unknown";
  if (magic == kFsCasefold) return "casefold";
  if (magic == kFsAsciiCi) return "xfs (ASCII case-insensitive)";
  if (magic == kFsAutomount) return "autofs (x-systemd.automount)";
  if (const char* unstable = unstable_inode_fs(magic)) return unstable;
  if (keeps_inode_numbers(magic)) return {};
  for (const auto& f : kOtherFs)
    if (f.magic == magic) return f.name;
  char hex[32];
  std::snprintf(hex, sizeof hex, "0x%llx", static_cast<unsigned long long>(magic));
  return hex;
}

bool is_unidentifiable_note(const std::string& error) { return error.rfind("is on ", 0) == 0; }

namespace {
constexpr std::string_view kCannotIdentify =
    " filesystem, whose files the enforcer cannot identify (stat's device is not the filesystem's)";
}  // namespace

std::string unidentifiable_note(uint64_t magic, bool fs_root) {
  const std::string fs = unidentifiable_fs(magic);
  if (fs.empty()) return {};
  if (magic == kFsTypeUnknown)
    return "is on a filesystem whose type the loader cannot tell, so whether the enforcer can identify its files is "
           "unknown";
  if (magic == kFsCasefold)
    return "is on a filesystem the fstab mounts with casefold, whose names ignore case, which the enforcer "
           "compares byte for byte, so it cannot identify its files by name";
  if (magic == kFsAutomount)
    return "is on an fstab mount point with x-systemd.automount: systemd puts an autofs there "
           "first, and the enforcer takes only one whole filesystem where a protected name waits for one, so the "
           "filesystem would be refused; mount it at boot instead";
  if (magic == kFsAsciiCi)
    return "is on the xfs the fstab mounts there, made with ASCII case-insensitive names (mkfs.xfs -n version=ci), "
           "which the enforcer compares byte for byte, so it cannot identify its files by name";
  if (magic == kFuseMagic)
    return "is on a FUSE filesystem, whose inode numbers and name lookups its server decides (it may renumber "
           "even the root), so the enforcer cannot identify its files";
  if (const char* unstable = unstable_inode_fs(magic)) {
    if (fs_root) return {};
    return std::string("is on a") + (unstable[0] == 'e' ? "n " : " ") + unstable +
           " filesystem, whose inode numbers change when the kernel drops a file from its cache and whose names "
           "ignore case, so the enforcer cannot identify its files (a subtree rule on its mount point can be "
           "enforced)";
  }
  if (fs == "btrfs" || fs == "overlay")
    return std::string("is on ") + (fs == "btrfs" ? "a btrfs" : "an overlay") + std::string(kCannotIdentify);
  // Not known to keep its numbers: fail closed rather than trust it.
  return "is on a filesystem of type " + fs +
         ", which the enforcer does not know to keep a file's inode number for as long as the file "
         "exists and to compare names byte for byte, so it cannot identify its files";
}

NameResolver RootResolver::name_resolver() const {
  return [this](const std::string& p, std::string* err) { return resolve_names(p, err); };
}

DeviceResolver system_device_resolver(const std::string& new_root) {
  return [new_root](const std::string& path, std::string* error) -> std::optional<DeviceId> {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 && ::stat((new_root + path).c_str(), &st) != 0) {
      if (error) *error = errno == ENOENT ? std::string("does not exist") : errno_text(errno);
      return std::nullopt;
    }
    if (!S_ISBLK(st.st_mode) && !S_ISCHR(st.st_mode)) {
      if (error) *error = "is not a device node";
      return std::nullopt;
    }
    return DeviceId{kernel_dev(st.st_rdev), S_ISCHR(st.st_mode)};
  };
}

// ---------------------------------------------------------------------------

uint32_t Compiled::subject_of(const InodeId& exe) const {
  for (const auto& s : subjects)
    if (s.inode == exe) return s.id;
  return BS_SUBJECT_ANY;
}

const bs_rule_val* Compiled::find(const bs_rule_key& key) const {
  auto it = std::lower_bound(rules.begin(), rules.end(), key,
                             [](const auto& e, const bs_rule_key& k) { return key_less(e.first, k); });
  if (it == rules.end() || key_less(key, it->first)) return nullptr;
  return &it->second;
}

uint32_t Compiled::name_id(const EntryName& name) const {
  auto it = std::lower_bound(names.begin(), names.end(), name,
                             [](const NameEntry& e, const EntryName& n) { return e.name < n; });
  return it != names.end() && it->name == name ? it->id : 0;
}

bool ObjectFilter::may_be_named(uint32_t dev, uint64_t ino) const {
  const uint64_t bit = BS_FILTER_MIX(dev, ino) >> shift;
  const uint64_t word = bit >> 6;
  return word >= words.size() || ((words[word] >> (bit & 63)) & 1) != 0;
}

// The enforcer's word index is 32 bits: 2^(58 - shift) words must fit.
static_assert(BS_FILTER_MIN_SHIFT >= 32 && BS_FILTER_MIN_SHIFT <= BS_FILTER_MAX_SHIFT && BS_FILTER_MAX_SHIFT == 58);

contract::PolicyUse policy_use(const Compiled& c) {
  contract::PolicyUse u;
  for (size_t op = 0; op < BS_OP_COUNT; ++op)
    u.op[op] = BS_OP_RELEVANT(c.kinds, c.defaults, c.run_defaults, c.seal_after, op);
  u.memory = (c.kinds[BS_OP_EXEC] & (1u << BS_KIND_MEMORY)) != 0;
  u.subjects = !c.subjects.empty();
  u.names = !c.names.empty();
  return u;
}

ObjectFilter object_filter(const Compiled& c) {
  std::vector<std::pair<uint32_t, uint64_t>> inodes;
  inodes.reserve(c.rules.size() + c.names.size());
  for (const auto& [k, v] : c.rules)
    if (k.kind == BS_KIND_PATH || k.kind == BS_KIND_SUBTREE) inodes.emplace_back(k.dev, k.id);
  for (const auto& n : c.names) inodes.emplace_back(n.name.dir.dev, n.name.dir.ino);
  std::sort(inodes.begin(), inodes.end());
  inodes.erase(std::unique(inodes.begin(), inodes.end()), inodes.end());
  ObjectFilter f;
  // About 16 bits per inode: a name no rule holds finds its bit set about
  // one time in 16, and then only pays the lookups it paid before.
  while (f.shift > BS_FILTER_MIN_SHIFT && (uint64_t{1} << (64 - f.shift)) < inodes.size() * 16) --f.shift;
  f.words.assign(size_t{1} << (58 - f.shift), 0);
  for (const auto& [dev, ino] : inodes) {
    const uint64_t bit = BS_FILTER_MIX(dev, ino) >> f.shift;
    f.words[bit >> 6] |= uint64_t{1} << (bit & 63);
  }
  return f;
}

Compiled compile(const Document& doc, const Resolver& resolve, const DeviceResolver& resolve_device,
                 const NameResolver& resolve_names) {
  Compiled out;
  out.mode = doc.mode == Mode::permissive ? BS_MODE_PERMISSIVE : BS_MODE_ENFORCE;
  for (size_t op = 0; op < kOperationCount; ++op) {
    out.defaults[op] = static_cast<uint8_t>(default_for(doc, static_cast<Operation>(op), Phase::boot));
    out.run_defaults[op] = static_cast<uint8_t>(default_for(doc, static_cast<Operation>(op), Phase::running));
  }
  out.seal_after = doc.seal_after;

  // "rule 2 (deny write path /etc/x/y): /etc/x/y" + `tail`.
  auto diag_at = [&](size_t i, std::string_view path, const std::string& tail) {
    out.diagnostics.push_back(Diagnostic{static_cast<int>(i), std::string(path),
                                         "rule " + std::to_string(i + 1) + " (" + format_rule(doc.rules[i]) +
                                             "): " + quote_if_needed(path) + tail});
  };
  auto diag = [&](size_t i, std::string_view path, const std::string& what) { diag_at(i, path, " " + what); };

  // Subjects: every executable named by a rule or an exception, by inode.
  std::map<std::string, std::optional<uint32_t>, std::less<>> subject_ids;  // path -> id (nullopt: unresolved)
  std::map<InodeId, uint32_t> by_inode;
  // `report` is told why a path does not resolve (once per path).
  auto resolve_subject = [&](std::string_view path_seen,
                             const std::function<void(const std::string&)>& report) -> std::optional<uint32_t> {
    auto it = subject_ids.find(path_seen);
    if (it != subject_ids.end()) return it->second;
    const std::string path(path_seen);
    std::string err;
    auto inode = resolve(path, &err);
    std::optional<uint32_t> id;
    if (!inode) {
      report(err);
      // A program that exists and runs, as a process the enforcer cannot
      // tell from any other: its `by` rules would not hold for it, nor
      // would exceptions keep it out of what they except it from, nor
      // could it end the boot phase. Not a missing file's fail-closed drop.
      if (is_unidentifiable_note(err) && !out.diagnostics.empty())
        out.diagnostics.back().unenforceable = true;
    } else {
      auto [bi, inserted] = by_inode.emplace(*inode, static_cast<uint32_t>(out.subjects.size() + 1));
      if (inserted) out.subjects.push_back(SubjectEntry{bi->second, *inode, {}});
      out.subjects[bi->second - 1].paths.push_back(path);
      id = bi->second;
    }
    subject_ids.emplace(path, id);
    return id;
  };
  auto subject_id = [&](size_t i, std::string_view path) {
    return resolve_subject(path, [&](const std::string& err) { diag(i, path, err); });
  };

  // Group the rules by object. A path rule may name several objects: its
  // inode and its names.
  struct Member {
    size_t index;
    std::optional<uint32_t> subject;      // named subject id (rules with a subject)
    std::set<uint32_t> exceptions;        // resolved exception ids
    bool every_phase = false;             // holds in both phases, whatever the rule's
  };
  std::map<ObjectKey, std::vector<Member>> groups;
  std::map<EntryName, uint32_t> name_ids;
  for (size_t i = 0; i < doc.rules.size(); ++i) {
    const Rule& r = doc.rules[i];
    ObjectKey base;
    base.op = static_cast<uint8_t>(r.operation);
    base.kind = static_cast<uint8_t>(r.object.kind);
    std::vector<ObjectKey> objects;
    std::vector<EntryName> names;             // path rules: the names to protect
    std::map<InodeId, uint8_t> ancestors;     // path and subtree rules
    std::vector<EntryName> closed;            // missing entries nobody may create (deny rules)
    std::string closed_note;                  // what the loader says of them, after the path
    switch (r.object.kind) {
      case ObjectKind::any: objects.push_back(base); break;
      case ObjectKind::path:
      case ObjectKind::subtree: {
        const std::string path(r.object.path);
        std::string err;
        std::optional<InodeId> inode;
        if (resolve_names) {
          auto res = resolve_names(path, &err);
          if (!res) {
            diag_at(i, path, ": " + err);
            continue;
          }
          if (const std::string note = unidentifiable_note(res->fs_magic, res->fs_root); !note.empty()) {
            // "/etc/x is on a btrfs ..." or "/etc/x: / on the way is on a btrfs ...".
            diag_at(i, path,
                    (res->fs_magic_at.empty() ? " " : ": " + quote_if_needed(res->fs_magic_at) + " on the way ") +
                        note + ": the rule cannot be enforced");
            out.diagnostics.back().unenforceable = true;
            continue;
          }
          // A rule that protects a name (a path rule, or one whose object
          // does not exist yet) in a directory whose names ignore case.
          if (!res->casefold_at.empty() &&
              (r.object.kind == ObjectKind::path || !res->object || res->missing)) {
            diag_at(i, path,
                    ": " + quote_if_needed(res->casefold_at) +
                        (res->casefold_error.empty()
                             ? std::string(" ignores case in its names (") +
                                   (res->casefold_xfs ? "an xfs made with ASCII case-insensitive names"
                                                      : "casefold") +
                                   "), which the enforcer compares byte for byte"
                             : " may ignore case in its names (casefold): its flags cannot be read (" +
                                   res->casefold_error + ")") +
                        ": the rule cannot be enforced");
            out.diagnostics.back().unenforceable = true;
            continue;
          }
          inode = res->object;
          ancestors = std::move(res->ancestors);
          if (r.object.kind == ObjectKind::subtree) {
            // A mount on the directory keeps the subtree (the walk crosses
            // it) but hides what the directory holds and brings in what
            // the mounted filesystem holds: allowed once, on an empty
            // directory the fstab mounts on (a separate /boot).
            if (inode)
              add_ancestor(&ancestors, *inode,
                           static_cast<uint8_t>(BS_ANCESTOR_SUBTREE | (res->fstab_mount_point ? 0 : BS_ANCESTOR_DIR)));
          } else {
            for (auto& n : res->names) {
              if (n.entry.size() > BS_ENTRY_NAME_MAX) {
                diag(i, path,
                     "cannot be protected by name: its entry " + quote_if_needed(n.entry) + " is " +
                         std::to_string(n.entry.size()) + " bytes long, more than the enforcer's " +
                         std::to_string(BS_ENTRY_NAME_MAX) + (inode ? " (only the file it names now is protected)" : ""));
                // No file to hold it by: the denial would be open to the
                // first file made there.
                if (!inode && r.action == Action::deny) out.diagnostics.back().unenforceable = true;
              } else {
                names.push_back(std::move(n));
              }
            }
          }
          // What is missing: a directory on the way, or a subtree rule's
          // own directory. A deny rule keeps it missing until a loader
          // finds it (fail closed: created later, it would be reachable
          // and unprotected); other rules protect nothing there yet.
          std::optional<EntryName> missing = res->missing;
          std::string missing_shown = res->missing_shown;
          if (!missing && r.object.kind == ObjectKind::subtree && !inode && !res->names.empty()) {
            missing = res->names.back();
            missing_shown = path;
          }
          // Where: "/etc/x/y: /etc/x", or "/opt/later" for the rule's own.
          const std::string where =
              missing_shown == path ? std::string() : ": " + quote_if_needed(missing_shown);
          const bool too_long = missing && missing->entry.size() > BS_ENTRY_NAME_MAX;
          if (missing && r.action == Action::deny && !res->missing_on_later_fs && !too_long) {
            closed.push_back(*missing);
            // A subtree's chain of final symlinks: each stays as it is, or
            // one replaced by a directory would make the subtree.
            if (r.object.kind == ObjectKind::subtree && !inode)
              for (const auto& n : res->names)
                if (n.entry.size() <= BS_ENTRY_NAME_MAX && n != *missing) closed.push_back(n);
            closed_note = where + " does not exist; until a loader finds it, creating it is refused to every process";
          } else if ((!inode && names.empty()) || (missing && r.action == Action::deny && res->missing_on_later_fs)) {
            // (The second: a final symlink whose target is below a
            // filesystem mounted later; its own name alone would be kept.)
            if (missing && r.action == Action::deny && too_long)
              diag_at(i, path,
                      where + " does not exist, and its entry is longer than the enforcer's " +
                          std::to_string(BS_ENTRY_NAME_MAX) + " bytes: it cannot be kept from being made, and the "
                          "rule protects nothing");
            else if (missing)
              diag_at(i, path,
                      where + " does not exist" +
                          (res->missing_on_later_fs ? " on the root filesystem (a filesystem mounted there later "
                                                      "is not looked into): the rule protects nothing there"
                                                    : std::string()));
            else if (r.object.kind == ObjectKind::subtree || res->names.empty())
              diag(i, path, "does not exist");
            // A denial that nothing would hold once its object appears (on
            // a filesystem mounted later, or behind a name too long to
            // keep from being made): enforce mode does not install a
            // policy that would leave it open.
            if (missing && r.action == Action::deny && (too_long || res->missing_on_later_fs))
              out.diagnostics.back().unenforceable = true;
            continue;
          }
        } else {
          inode = resolve(path, &err);
          if (!inode) {
            diag(i, path, err);
            continue;
          }
        }
        if (inode) {
          ObjectKey ok = base;
          ok.dev = inode->dev;
          ok.id = inode->ino;
          objects.push_back(ok);
        }
        break;
      }
      case ObjectKind::fstype: base.id = fstype_magic(r.object.fstype).value_or(0); objects.push_back(base); break;
      case ObjectKind::capability: base.id = r.object.capability; objects.push_back(base); break;
      case ObjectKind::memory: objects.push_back(base); break;  // one object: dev 0, id 0
      case ObjectKind::device: {
        const std::string path(r.object.path);
        std::string err = "cannot be resolved here (no device resolver)";
        auto dev = resolve_device ? resolve_device(path, &err) : std::nullopt;
        if (!dev) {
          diag(i, path, err);
          continue;
        }
        base.dev = dev->rdev;
        base.id = dev->character ? BS_DEVICE_CHAR : BS_DEVICE_BLOCK;
        objects.push_back(base);
        break;
      }
    }
    Member m{i, std::nullopt, {}, false};
    if (r.subject) {
      m.subject = subject_id(i, *r.subject);
      if (!m.subject) continue;  // an executable that does not exist runs nowhere
    }
    for (const auto& e : r.exceptions)
      if (auto id = subject_id(i, e)) m.exceptions.insert(*id);
    for (const auto& n : names) {
      auto [it, inserted] = name_ids.emplace(n, 0);
      if (inserted) it->second = static_cast<uint32_t>(name_ids.size());
      ObjectKey ok = base;
      ok.kind = BS_KIND_NAME;
      ok.id = it->second;
      objects.push_back(ok);
    }
    if (!closed.empty()) diag_at(i, r.object.path, closed_note);  // once the rule's subject resolved
    for (const auto& n : closed) {
      auto [it, inserted] = name_ids.emplace(n, 0);
      if (inserted) it->second = static_cast<uint32_t>(name_ids.size());
      ObjectKey ok;
      ok.op = BS_OP_WRITE;
      ok.kind = BS_KIND_NAME;
      ok.id = it->second;
      // For every process and in both phases: the rule's subject,
      // exceptions and phase do not narrow who may bring the rule's object
      // into being, or when.
      groups[ok].push_back(Member{i, std::nullopt, {}, true});
    }
    for (const auto& [id, kind] : ancestors) add_ancestor(&out.ancestors, id, kind);
    for (const auto& ok : objects) groups[ok].push_back(m);
  }
  for (const auto& [n, id] : name_ids) out.names.push_back(NameEntry{n, id});

  auto better = [&](const Member* best, const Member& m) {
    if (!best) return true;
    // Higher severity wins; at equal severity the earlier rule (decide()).
    return severity(static_cast<uint8_t>(doc.rules[m.index].action)) >
           severity(static_cast<uint8_t>(doc.rules[best->index].action));
  };
  // One phase's entries for one object: subject (BS_SUBJECT_ANY for the
  // entry for any subject) -> {action, rule}. Only the rules that hold in
  // `phase` take part, so each phase is compiled as if the policy had no
  // other rules (docs/POLICY.md, "Boot phases": the phase filters, then
  // the precedence decides).
  struct Entry {
    uint8_t action = BS_ACT_NONE;
    int32_t rule = BS_RULE_DEFAULT;
    bool from_any = false;  // a subject's entry carrying a rule for any subject
  };
  auto entry_of = [&](const Member* m) {
    return Entry{static_cast<uint8_t>(doc.rules[m->index].action), static_cast<int32_t>(m->index), !m->subject};
  };
  auto entries_in = [&](const std::vector<Member>& all, Phase phase) {
    std::vector<const Member*> members;
    for (const auto& m : all) {
      const Phase p = doc.rules[m.index].phase;
      if (p == Phase::any || p == phase || m.every_phase) members.push_back(&m);
    }
    std::map<uint32_t, Entry> e;
    const Member* any_best = nullptr;
    std::set<uint32_t> named;
    for (const Member* m : members) {
      if (!m->subject) {
        if (better(any_best, *m)) any_best = m;
        named.insert(m->exceptions.begin(), m->exceptions.end());
      } else {
        named.insert(*m->subject);
      }
    }
    if (any_best) e[BS_SUBJECT_ANY] = entry_of(any_best);
    for (uint32_t s : named) {
      const Member* own = nullptr;
      for (const Member* m : members)
        if (m->subject && *m->subject == s && better(own, *m)) own = m;
      if (own) {
        e[s] = entry_of(own);
        continue;
      }
      // Excepted from the strongest rule for any subject: the next one.
      const Member* best = nullptr;
      for (const Member* m : members)
        if (!m->subject && !m->exceptions.count(s) && better(best, *m)) best = m;
      if (!best)
        e[s] = Entry{BS_ACT_EXEMPT, BS_RULE_DEFAULT};
      else if (best != any_best)
        e[s] = entry_of(best);
      // else: the entry for any subject says the same
    }
    return e;
  };

  const bool phased = has_phases(doc);
  for (const auto& [ok, members] : groups) {
    const auto boot = entries_in(members, Phase::boot);
    const auto running = phased ? entries_in(members, Phase::running) : boot;
    std::set<uint32_t> subjects;
    for (const auto& [s, e] : boot) subjects.insert(s);
    for (const auto& [s, e] : running) subjects.insert(s);
    for (uint32_t s : subjects) {
      bs_rule_val v{};
      const auto b = boot.find(s);
      const auto r = running.find(s);
      const Entry be = b == boot.end() ? Entry{} : b->second;
      const Entry re = r == running.end() ? Entry{} : r->second;
      v.action = be.action;
      v.rule = be.rule;
      v.run_action = re.action;
      v.run_rule = re.rule;
      v.from_any = static_cast<uint8_t>((s != BS_SUBJECT_ANY && be.from_any ? BS_FROM_ANY_BOOT : 0) |
                                        (s != BS_SUBJECT_ANY && re.from_any ? BS_FROM_ANY_RUN : 0));
      out.rules.emplace_back(make_key(ok.kind, ok.op, s, ok.dev, ok.id), v);
    }
    if (!subjects.empty()) out.kinds[ok.op] |= static_cast<uint8_t>(1u << ok.kind);
  }
  // The seal-by program: a subject like those rules name.
  if (doc.seal_by) {
    const std::string& path = *doc.seal_by;
    if (auto id = resolve_subject(path, [&](const std::string& err) {
          out.diagnostics.push_back(Diagnostic{-1, path,
                                               "seal-by " + quote_if_needed(path) + ": " + quote_if_needed(path) + " " +
                                                   err + " (only the seal-after deadline can end the boot phase)"});
        }))
      out.seal_subject = *id;
  }
  // `allow bpf-load lsm by SUBJECT`: one entry per subject, outside the
  // policy operations (op BS_OP_SELF), read only by the enforcer's bpf hook.
  for (const auto& path : doc.bpf_lsm_loaders) {
    auto id = resolve_subject(path, [&](const std::string& err) {
      out.diagnostics.push_back(
          Diagnostic{-1, path, "allow bpf-load lsm by " + quote_if_needed(path) + ": " + quote_if_needed(path) + " " + err});
    });
    if (!id) continue;  // an executable that does not exist runs nowhere
    bs_rule_val v{};
    v.action = v.run_action = BS_ACT_ALLOW;
    v.rule = v.run_rule = BS_RULE_BPF_LOAD;
    out.rules.emplace_back(make_key(BS_KIND_ANY, BS_OP_SELF, *id, 0, BS_BPF_LOAD_LSM), v);
  }
  std::sort(out.rules.begin(), out.rules.end(), [](const auto& a, const auto& b) { return key_less(a.first, b.first); });
  return out;
}

// ---------------------------------------------------------------------------
// The map-level decision, step for step as bootseal.bpf.c's decide().

namespace {
// An entry's action and rule in the phase; false for BS_ACT_NONE.
bool in_phase(const bs_rule_val& v, bool running, MapDecision* out) {
  const uint8_t action = running ? v.run_action : v.action;
  if (action == BS_ACT_NONE) return false;
  *out = MapDecision{action, running ? v.run_rule : v.rule};
  return true;
}

// `for_any`, when given, is told whether the rule that decided is one for
// any subject: the entry for any subject, or a subject's entry that carries
// such a rule (from_any).
bool phase_level(const Compiled& c, bs_rule_key k, uint32_t subject, bool running, MapDecision* out,
                 bool* for_any = nullptr) {
  if (for_any) *for_any = false;
  if (subject != BS_SUBJECT_ANY) {
    k.subject = subject;
    if (const bs_rule_val* v = c.find(k)) {
      if ((running ? v->run_action : v->action) == BS_ACT_EXEMPT) return false;
      if (in_phase(*v, running, out)) {
        if (for_any) *for_any = (v->from_any & (running ? BS_FROM_ANY_RUN : BS_FROM_ANY_BOOT)) != 0;
        return true;
      }
    }
  }
  k.subject = BS_SUBJECT_ANY;
  if (const bs_rule_val* v = c.find(k)) {
    if (for_any) *for_any = true;
    return in_phase(*v, running, out);
  }
  return false;
}
}  // namespace

MapDecision decide_maps(const Compiled& c, const MapQuery& q) {
  const auto op = static_cast<uint8_t>(q.operation);
  // The enforcer reads the phase only in a policy with phases; a query
  // for no phase in particular reads as running, as in decide().
  const bool running = c.seal_after != 0 && q.phase != Phase::boot;
  auto level = [&](const Compiled& cc, const bs_rule_key& k, uint32_t subject, MapDecision* o) {
    return phase_level(cc, k, subject, running, o);
  };
  MapDecision out{running ? c.run_defaults[op] : c.defaults[op], BS_RULE_DEFAULT};
  const uint8_t kinds = c.kinds[op];
  if (q.memory) {
    out = MapDecision{BS_ACT_ALLOW, BS_RULE_DEFAULT};
    if (kinds & (1u << BS_KIND_MEMORY)) level(c, make_key(BS_KIND_MEMORY, op, 0, 0, 0), q.subject, &out);
    return out;
  }
  if (q.device) {
    // The raw-device program: a device rule, else the guard. An audit
    // rule for any process does not lift the guard (check_device).
    MapDecision ruled{};
    bool for_any = false;
    const bool has_rule =
        phase_level(c, make_key(BS_KIND_DEVICE, op, 0, q.device->rdev, q.device->character ? BS_DEVICE_CHAR : BS_DEVICE_BLOCK),
                    q.subject, running, &ruled, &for_any);
    out = MapDecision{BS_ACT_ALLOW, BS_RULE_DEFAULT};
    uint32_t all_ops = 0;
    for (const auto& d : c.raw_devices) {
      all_ops |= d.ops;
      // The device's own entry, or for a character device its major's.
      const bool match = d.dev == q.device->rdev ||
                         (q.device->character && d.dev == (q.device->rdev | BS_RAWDEV_ANY_MINOR));
      if (match && d.character == q.device->character && (d.ops & (1u << op)))
        out = MapDecision{BS_ACT_DENY, BS_RULE_RAW_DEVICE};
    }
    // device-mapper control, for write, whatever the guard is for: a
    // table over a device guarded for read alone reads it too.
    if (q.device->character && q.device->rdev == (10u << 20 | 236u) && q.operation == Operation::write &&
        all_ops != 0)
      out = MapDecision{BS_ACT_DENY, BS_RULE_DM_CONTROL};
    const bool guarded = out.action == BS_ACT_DENY;
    if (has_rule && !(guarded && ruled.action == BS_ACT_AUDIT && for_any)) return ruled;
    return out;
  }
  if (q.operation == Operation::capability) {
    if (level(c, make_key(BS_KIND_CAPABILITY, op, 0, 0, q.capability), q.subject, &out)) return out;
    level(c, make_key(BS_KIND_ANY, op, 0, 0, 0), q.subject, &out);
    return out;
  }
  // The enforcer asks the filter before each inode's lookups (a clear bit
  // skips them): so does the model, so that a filter that missed an entry
  // would change its answers.
  const ObjectFilter filter = object_filter(c);
  if (!q.chain.empty() && !q.entry_to_create && (kinds & (1u << BS_KIND_PATH)) &&
      filter.may_be_named(q.chain[0].dev, q.chain[0].ino)) {
    if (level(c, make_key(BS_KIND_PATH, op, 0, q.chain[0].dev, q.chain[0].ino), q.subject, &out)) return out;
  }
  // The name: also for an entry about to be created there.
  if (q.name && (kinds & (1u << BS_KIND_NAME)) && filter.may_be_named(q.name->dir.dev, q.name->dir.ino)) {
    if (const uint32_t id = c.name_id(*q.name))
      if (level(c, make_key(BS_KIND_NAME, op, 0, 0, id), q.subject, &out)) return out;
  }
  if (!q.chain.empty() && (kinds & (1u << BS_KIND_SUBTREE))) {
    // The enforcer looks at a negative dentry (a step with no inode) first.
    size_t steps = 0;
    bool top = false;
    if (q.entry_to_create) ++steps;
    for (size_t i = 0;; ++i) {
      if (i >= q.chain.size()) {
        top = true;
        break;
      }
      if (steps >= q.max_depth) break;
      ++steps;
      if (filter.may_be_named(q.chain[i].dev, q.chain[i].ino) &&
          level(c, make_key(BS_KIND_SUBTREE, op, 0, q.chain[i].dev, q.chain[i].ino), q.subject, &out))
        return out;
      if (i + 1 == q.chain.size()) {
        top = true;
        break;
      }
    }
    if (!top) return MapDecision{BS_ACT_DENY, BS_RULE_TOO_DEEP};
  }
  if (q.magic && (kinds & (1u << BS_KIND_FSTYPE))) {
    if (level(c, make_key(BS_KIND_FSTYPE, op, 0, 0, q.magic), q.subject, &out)) return out;
  }
  if (kinds & (1u << BS_KIND_ANY)) {
    level(c, make_key(BS_KIND_ANY, op, 0, 0, 0), q.subject, &out);
  }
  return out;
}

// ---------------------------------------------------------------------------

std::string format_compiled(const Compiled& c, const Document& doc) {
  std::ostringstream o;
  auto action_name = [](uint8_t a) -> std::string {
    if (a == BS_ACT_EXEMPT) return "exempt";
    if (a == BS_ACT_NONE) return "none";
    return std::string(to_string(static_cast<Action>(a)));
  };
  o << "policy " << quote_if_needed(doc.name) << " generation " << doc.generation << "\n";
  o << "mode " << (c.mode == BS_MODE_PERMISSIVE ? "permissive" : "enforce") << "\n";
  const bool phased = c.seal_after != 0;
  if (phased)
    o << "phases: boot until seal-after " << c.seal_after << "s"
      << (c.seal_subject ? " or subject " + std::to_string(c.seal_subject) + " seals" : std::string()) << "\n";
  for (size_t op = 0; op < kOperationCount; ++op) {
    o << "default " << to_string(static_cast<Operation>(op)) << " " << action_name(c.defaults[op]);
    if (phased && c.run_defaults[op] != c.defaults[op]) o << " (running: " << action_name(c.run_defaults[op]) << ")";
    o << " kinds";
    bool none = true;
    for (uint8_t k = 0; k <= BS_KIND_MEMORY; ++k)
      if ((c.kinds[op] & (1u << k)) && object_kind_known(static_cast<ObjectKind>(k))) {
        o << " " << to_string(static_cast<ObjectKind>(k));
        none = false;
      }
    if (c.kinds[op] & (1u << BS_KIND_NAME)) {
      o << " name";
      none = false;
    }
    if (none) o << " none";
    o << "\n";
  }
  o << "subjects " << c.subjects.size() << "\n";
  for (const auto& s : c.subjects) {
    o << "  subject " << s.id << " dev " << format_kernel_dev(s.inode.dev) << " ino " << s.inode.ino << " =";
    for (const auto& p : s.paths) o << " " << quote_if_needed(p);
    o << "\n";
  }
  o << "names " << c.names.size() << "\n";
  std::vector<NameEntry> by_id = c.names;
  std::sort(by_id.begin(), by_id.end(), [](const NameEntry& a, const NameEntry& b) { return a.id < b.id; });
  for (const auto& n : by_id)
    o << "  name " << n.id << " = dev " << format_kernel_dev(n.name.dir.dev) << " dir " << n.name.dir.ino << " entry "
      << quote_if_needed(n.name.entry) << "\n";
  o << "ancestors " << c.ancestors.size() << "\n";
  for (const auto& [id, bits] : c.ancestors) {
    o << "  ancestor dev " << format_kernel_dev(id.dev) << " ino " << id.ino;
    if (bits & BS_ANCESTOR_SUBTREE) o << " subtree";
    if (bits & BS_ANCESTOR_PARENT) o << " parent";
    if (bits & BS_ANCESTOR_DIR) o << " directory";
    if (bits & BS_ANCESTOR_SYMLINK) o << " symlink";
    if (bits & BS_ANCESTOR_PLACE) o << " place";
    // The type a mount there may be of (none where a mount is refused).
    if (const unsigned code = (bits & BS_ANCESTOR_FS_MASK) >> BS_ANCESTOR_FS_SHIFT;
        code && !(bits & (BS_ANCESTOR_DIR | BS_ANCESTOR_SYMLINK))) {
      static constexpr const char* kCodes[] = {"", "ext4", "xfs", "tmpfs", "f2fs", "squashfs", "erofs", "kept"};
      o << " takes " << kCodes[code];
    }
    o << ((bits & (BS_ANCESTOR_DIR | BS_ANCESTOR_SYMLINK)) ? " (no mount)" : "") << "\n";
  }
  o << "places " << c.places.size() << "\n";
  for (const auto& pl : c.places) {
    o << "  place " << quote_if_needed(pl.mount_point);
    if (is_device_place_key(pl.uuid)) {
      uint32_t dev = 0;
      std::memcpy(&dev, pl.uuid.data() + BS_PLACE_DEV_TAG_LEN, sizeof(dev));
      o << " device " << format_kernel_dev(dev);  // FAT, exFAT: keyed by device
    } else {
      o << " uuid ";
      static const char* kHex = "0123456789abcdef";
      for (size_t i = 0; i < pl.uuid.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) o << '-';
        o << kHex[pl.uuid[i] >> 4] << kHex[pl.uuid[i] & 15];
      }
    }
    o << (pl.chain.mount_point_exists ? " at" : " below");
    for (const auto& d : pl.chain.dirs) o << " " << format_kernel_dev(d.dev) << "/" << d.ino;
    o << "\n";
  }
  o << "rules " << c.rules.size() << "\n";
  for (const auto& [k, v] : c.rules) {
    if (k.op == BS_OP_SELF && k.id == BS_BPF_LOAD_LSM) {
      o << "  bpf-load lsm subject " << k.subject << " -> " << action_name(v.action) << "\n";
      continue;
    }
    o << "  " << to_string(static_cast<Operation>(k.op)) << " "
      << (k.kind == BS_KIND_NAME ? std::string("name") : std::string(to_string(static_cast<ObjectKind>(k.kind))));
    switch (k.kind) {
      case BS_KIND_NAME: o << " " << k.id; break;
      case BS_KIND_PATH:
      case BS_KIND_SUBTREE: o << " dev " << format_kernel_dev(k.dev) << " ino " << k.id; break;
      case BS_KIND_FSTYPE: {
        std::ostringstream hex;
        hex << std::hex << k.id;
        o << " magic 0x" << hex.str();
        break;
      }
      case BS_KIND_CAPABILITY: o << " " << capability_name(static_cast<uint32_t>(k.id)); break;
      case BS_KIND_DEVICE:
        o << (k.id == BS_DEVICE_CHAR ? " char " : " block ") << format_kernel_dev(k.dev);
        break;
      default: break;
    }
    o << " subject " << (k.subject == BS_SUBJECT_ANY ? std::string("any") : std::to_string(k.subject));
    auto said = [&](uint8_t action, int32_t rule) {
      o << action_name(action);
      if (rule >= 0) o << " (rule " << rule + 1 << ")";
    };
    if (!phased) {
      o << " -> ";
      said(v.action, v.rule);
    } else {
      o << " -> boot ";
      said(v.action, v.rule);
      o << ", running ";
      said(v.run_action, v.run_rule);
    }
    o << "\n";
  }
  o << "raw devices " << c.raw_devices.size() << "\n";
  for (const auto& d : c.raw_devices) {
    auto major = c.raw_majors.find(d.dev >> 20);
    if (d.character && (d.dev & BS_RAWDEV_ANY_MINOR) == BS_RAWDEV_ANY_MINOR)
      o << "  char major " << (d.dev >> 20) << " (" << (major == c.raw_majors.end() ? "?" : major->second)
        << ") guarded for";
    else
      o << (d.character ? "  char " : "  block ") << format_kernel_dev(d.dev) << " guarded for";
    if (d.ops & (1u << BS_OP_READ)) o << " read";
    if (d.ops & (1u << BS_OP_WRITE)) o << " write";
    o << "\n";
  }
  for (const auto& d : c.diagnostics) o << "warning: " << d.message << "\n";
  return o.str();
}

}  // namespace bootseal::loader

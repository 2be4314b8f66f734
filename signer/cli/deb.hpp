// SPDX-License-Identifier: GPL-2.0-only
// A native writer of Debian binary packages (deb(5)), so that the signing
// host needs no dpkg-deb: an ar archive (deb-ar(5)) holding "debian-binary",
// control.tar.gz and data.tar.gz, in that order; the tarballs are ustar
// (POSIX.1-1988) with every entry owned by root, gzip-compressed with zlib.
// The output depends only on its input and the one timestamp given, so the
// same input and the same SOURCE_DATE_EPOCH make the same bytes.
// No printing: every failure is a Result naming what was refused.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bootseal/result.hpp"

namespace bootseal::deb {

// ---- ustar -------------------------------------------------------------------

// Sizes of the ustar format: a 512-byte header per entry, data padded to a
// block, two zero blocks at the end. Offsets of the header's fields are in
// deb.cpp, beside the code that fills them.
inline constexpr size_t kTarBlock = 512;
// The largest mtime and size a ustar header holds: 11 octal digits.
inline constexpr uint64_t kTarMaxNumber = 077777777777;

// A regular file to put into a tarball: `path` relative to the archive's
// root, without "./" ("var/lib/x/f"), components neither empty, "." nor
// "..". Its parent directories are created by the writer.
struct TarFile {
  std::string path;
  unsigned mode = 0644;
  std::vector<uint8_t> data;
};

// A tarball of `files`, in the order given, each preceded by the directories
// it lies in that no earlier entry created ("./" first, then "./var/",
// "./var/lib/", ...); names carry the "./" prefix as dpkg-deb writes them.
// Directories are 0755, files have their mode; uid and gid 0, uname and
// gname "root", every mtime `mtime`. A path too long for the header's name
// and prefix fields, a bad component, a duplicate path or a number beyond
// kTarMaxNumber is an error.
Result<std::vector<uint8_t>> tar_archive(std::span<const TarFile> files, uint64_t mtime);

// The header checksum of a 512-byte ustar header: the sum of its bytes with
// the checksum field (offset 148, 8 bytes) counted as spaces.
uint32_t tar_checksum(std::span<const uint8_t, kTarBlock> header);

// ---- gzip and ar -------------------------------------------------------------

// A gzip member (RFC 1952) of `data`, made by zlib's deflate at level 9
// with a header that holds no name and no time (so no timestamp leaks in).
Result<std::vector<uint8_t>> gzip(std::span<const uint8_t> data);

// An ar member: a name of at most 15 characters without '/' or spaces.
struct ArMember {
  std::string name;
  std::vector<uint8_t> data;
};

// "!<arch>\n", then per member a 60-byte header (name, mtime, uid 0, gid 0,
// mode 100644, size, "`\n") and its data, padded with "\n" to an even size.
Result<std::vector<uint8_t>> ar_archive(std::span<const ArMember> members, uint64_t mtime);

// ---- the package -------------------------------------------------------------

// What goes into a .deb: the control file's text (fields, each line ending
// in "\n"), the maintainer scripts and other control members (md5sums is
// added by the writer, from `data`), and the installed files.
struct Package {
  std::string control;
  std::vector<TarFile> control_files;  // preinst, postinst, ... (mode 0755 for scripts)
  std::vector<TarFile> data;
};

// The md5sums control member for `data`: "MD5  PATH\n" per file, paths
// without the leading "./".
std::string md5sums(std::span<const TarFile> data);

// The whole .deb: debian-binary "2.0\n", control.tar.gz (./control,
// ./md5sums, then control_files), data.tar.gz; every timestamp `mtime`.
Result<std::vector<uint8_t>> build(const Package& package, uint64_t mtime);

// ---- names and times ---------------------------------------------------------

// Debian policy 5.6.1: a package name is at least two characters of
// [a-z0-9+.-] and starts with a letter or digit. bootseal also caps it at
// kMaxPackageName characters (the file name holds it and the version).
inline constexpr size_t kMaxPackageName = 100;
Result<void> check_package_name(std::string_view name);

// The timestamp of everything written: SOURCE_DATE_EPOCH's value when it is
// set (`value` non-null; decimal digits only, at most kTarMaxNumber), else
// `now`. A set but malformed value is an error, never ignored.
Result<uint64_t> source_date_epoch(const char* value, uint64_t now);

}  // namespace bootseal::deb

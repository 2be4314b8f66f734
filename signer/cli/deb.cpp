// SPDX-License-Identifier: GPL-2.0-only
#include "deb.hpp"

#include <openssl/evp.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstdio>
#include <cstring>
#include <set>

namespace bootseal::deb {
namespace {

// ustar header fields (POSIX.1-1988 "ustar Interchange Format"): offset, size.
struct Field {
  size_t offset;
  size_t size;
};
constexpr Field kName{0, 100};
constexpr Field kMode{100, 8};
constexpr Field kUid{108, 8};
constexpr Field kGid{116, 8};
constexpr Field kSize{124, 12};
constexpr Field kMtime{136, 12};
constexpr Field kChksum{148, 8};
constexpr Field kTypeflag{156, 1};
constexpr Field kMagic{257, 6};
constexpr Field kVersion{263, 2};
constexpr Field kUname{265, 32};
constexpr Field kGname{297, 32};
constexpr Field kDevmajor{329, 8};
constexpr Field kDevminor{337, 8};
constexpr Field kPrefix{345, 155};
static_assert(kPrefix.offset + kPrefix.size == 500, "the header's fields end at 500; the rest is padding");

using Header = std::array<uint8_t, kTarBlock>;

void put_text(Header& h, Field f, std::string_view s) {  // s.size() <= f.size, checked by the callers
  std::memcpy(h.data() + f.offset, s.data(), std::min(s.size(), f.size));
}

// f.size - 1 octal digits with leading zeros, then the NUL already there.
void put_octal(Header& h, Field f, uint64_t v) {
  for (size_t i = f.size - 1; i-- > 0; v >>= 3) h[f.offset + i] = static_cast<uint8_t>('0' + (v & 7));
}

// Splits "./a/b/c" into the header's prefix and name fields: the whole
// path in name when it fits, else at the last '/' that makes both fit.
bool split_name(const std::string& path, std::string* prefix, std::string* name) {
  if (path.size() <= kName.size) {
    prefix->clear();
    *name = path;
    return true;
  }
  // The '/' at the end of a directory's name stays in the name part.
  size_t end = path.back() == '/' ? path.size() - 1 : path.size();
  for (size_t slash = path.rfind('/', end - 1); slash != std::string::npos && slash > 0;
       slash = path.rfind('/', slash - 1)) {
    if (path.size() - slash - 1 > kName.size) return false;  // only grows as slash moves left
    if (slash <= kPrefix.size) {
      *prefix = path.substr(0, slash);
      *name = path.substr(slash + 1);
      return true;
    }
  }
  return false;
}

Result<Header> tar_header(const std::string& path, bool directory, unsigned mode, uint64_t size,
                          uint64_t mtime) {
  std::string prefix, name;
  if (!split_name(path, &prefix, &name))
    return make_error(Errc::invalid_input, path + ": too long for a ustar header");
  if (size > kTarMaxNumber) return make_error(Errc::too_large, path + ": too large for a ustar header");
  Header h{};
  put_text(h, kName, name);
  put_octal(h, kMode, mode & 07777);
  put_octal(h, kUid, 0);
  put_octal(h, kGid, 0);
  put_octal(h, kSize, size);
  put_octal(h, kMtime, mtime);
  h[kTypeflag.offset] = directory ? '5' : '0';
  put_text(h, kMagic, std::string_view("ustar\0", 6));
  put_text(h, kVersion, "00");
  put_text(h, kUname, "root");
  put_text(h, kGname, "root");
  put_octal(h, kDevmajor, 0);
  put_octal(h, kDevminor, 0);
  put_text(h, kPrefix, prefix);
  // Six octal digits, NUL, space: the form every tar writes.
  uint32_t sum = tar_checksum(h);
  for (size_t i = 6; i-- > 0; sum >>= 3) h[kChksum.offset + i] = static_cast<uint8_t>('0' + (sum & 7));
  h[kChksum.offset + 6] = 0;
  h[kChksum.offset + 7] = ' ';
  return h;
}

void append(std::vector<uint8_t>& out, std::span<const uint8_t> bytes) {
  out.insert(out.end(), bytes.begin(), bytes.end());
}
void append(std::vector<uint8_t>& out, std::string_view s) { out.insert(out.end(), s.begin(), s.end()); }

// `path` split into its components, each neither empty, "." nor "..".
Result<std::vector<std::string>> components(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t slash = path.find('/', start);
    std::string part = path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (part.empty() || part == "." || part == "..")
      return make_error(Errc::invalid_input, "'" + path + "': not a relative path of plain names");
    parts.push_back(std::move(part));
    if (slash == std::string::npos) return parts;
    start = slash + 1;
  }
}

std::string hex(std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  s.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    s += kDigits[b >> 4];
    s += kDigits[b & 15];
  }
  return s;
}

std::string md5_hex(std::span<const uint8_t> data) {
  std::array<uint8_t, EVP_MAX_MD_SIZE> md{};
  unsigned len = 0;
  // MD5 is what dpkg's md5sums holds: a check for accidental damage, not a
  // security measure (the blob inside is signed).
  if (EVP_Digest(data.data(), data.size(), md.data(), &len, EVP_md5(), nullptr) != 1) return {};
  return hex(std::span(md.data(), len));
}

}  // namespace

uint32_t tar_checksum(std::span<const uint8_t, kTarBlock> header) {
  uint32_t sum = 0;
  for (size_t i = 0; i < header.size(); ++i)
    sum += (i >= kChksum.offset && i < kChksum.offset + kChksum.size) ? uint32_t{' '} : header[i];
  return sum;
}

Result<std::vector<uint8_t>> tar_archive(std::span<const TarFile> files, uint64_t mtime) {
  if (mtime > kTarMaxNumber) return make_error(Errc::invalid_input, "timestamp beyond a ustar header's range");
  std::vector<uint8_t> out;
  std::set<std::string> made;  // every entry written, by its full name
  auto entry = [&](const std::string& name, bool directory, unsigned mode,
                   std::span<const uint8_t> data) -> Result<void> {
    auto h = tar_header(name, directory, mode, data.size(), mtime);
    if (!h) return h.failure();
    append(out, *h);
    append(out, data);
    out.resize(out.size() + (kTarBlock - data.size() % kTarBlock) % kTarBlock, 0);
    made.insert(name);
    return {};
  };
  if (auto r = entry("./", true, 0755, {}); !r) return r.failure();
  for (const TarFile& f : files) {
    auto parts = components(f.path);
    if (!parts) return parts.failure();
    std::string dir = "./";
    for (size_t i = 0; i + 1 < parts->size(); ++i) {
      dir += (*parts)[i] + "/";
      if (made.count(dir)) continue;
      if (made.count(dir.substr(0, dir.size() - 1)))
        return make_error(Errc::invalid_input, "'" + f.path + "': lies under a file");
      if (auto r = entry(dir, true, 0755, {}); !r) return r.failure();
    }
    std::string name = "./" + f.path;
    if (made.count(name) || made.count(name + "/"))
      return make_error(Errc::invalid_input, "'" + f.path + "': more than one entry");
    if (auto r = entry(name, false, f.mode, f.data); !r) return r.failure();
  }
  out.resize(out.size() + 2 * kTarBlock, 0);
  return out;
}

Result<std::vector<uint8_t>> gzip(std::span<const uint8_t> data) {
  if (data.size() > UINT_MAX / 2) return make_error(Errc::too_large, "too much data for one gzip call");
  z_stream zs{};
  // windowBits 15 + 16: a gzip wrapper; zlib writes mtime 0 and no name.
  if (deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return make_error("zlib: deflateInit2 failed");
  std::vector<uint8_t> out(deflateBound(&zs, static_cast<uLong>(data.size())));
  zs.next_in = const_cast<Bytef*>(data.data());  // zlib's API is not const; it only reads
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&zs, Z_FINISH);
  size_t written = zs.total_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) return make_error("zlib: deflate did not finish (" + std::to_string(rc) + ")");
  out.resize(written);
  return out;
}

Result<std::vector<uint8_t>> ar_archive(std::span<const ArMember> members, uint64_t mtime) {
  if (mtime > 999999999999ULL) return make_error(Errc::invalid_input, "timestamp beyond an ar header's range");
  std::vector<uint8_t> out;
  append(out, std::string_view("!<arch>\n"));
  for (const ArMember& m : members) {
    if (m.name.empty() || m.name.size() > 15 ||
        m.name.find_first_of("/ ") != std::string::npos)
      return make_error(Errc::invalid_input, "ar member name '" + m.name + "'");
    if (m.data.size() > 9999999999ULL) return make_error(Errc::too_large, m.name + ": too large for an ar member");
    // name 16, mtime 12, uid 6, gid 6, mode 8 (octal), size 10, "`\n": 60 bytes,
    // each field left-aligned and padded with spaces.
    std::array<char, 61> h{};
    int n = std::snprintf(h.data(), h.size(), "%-16s%-12llu%-6d%-6d%-8o%-10llu`\n", m.name.c_str(),
                          static_cast<unsigned long long>(mtime), 0, 0, 0100644u,
                          static_cast<unsigned long long>(m.data.size()));
    if (n != 60) return make_error("ar header of " + m.name + " is not 60 bytes");
    append(out, std::string_view(h.data(), 60));
    append(out, m.data);
    if (m.data.size() % 2) out.push_back('\n');
  }
  return out;
}

std::string md5sums(std::span<const TarFile> data) {
  std::string s;
  for (const TarFile& f : data) s += md5_hex(f.data) + "  " + f.path + "\n";
  return s;
}

Result<std::vector<uint8_t>> build(const Package& package, uint64_t mtime) {
  std::vector<TarFile> control;
  control.push_back({"control", 0644, std::vector<uint8_t>(package.control.begin(), package.control.end())});
  std::string sums = md5sums(package.data);
  control.push_back({"md5sums", 0644, std::vector<uint8_t>(sums.begin(), sums.end())});
  control.insert(control.end(), package.control_files.begin(), package.control_files.end());
  for (const TarFile& f : control)
    if (f.path.find('/') != std::string::npos)
      return make_error(Errc::invalid_input, "control member '" + f.path + "' is not a plain name");

  auto control_tar = tar_archive(control, mtime);
  if (!control_tar) return control_tar.failure();
  auto data_tar = tar_archive(package.data, mtime);
  if (!data_tar) return data_tar.failure();
  auto control_gz = gzip(*control_tar);
  if (!control_gz) return control_gz.failure();
  auto data_gz = gzip(*data_tar);
  if (!data_gz) return data_gz.failure();
  std::vector<ArMember> members;
  members.push_back({"debian-binary", {'2', '.', '0', '\n'}});
  members.push_back({"control.tar.gz", std::move(*control_gz)});
  members.push_back({"data.tar.gz", std::move(*data_gz)});
  return ar_archive(members, mtime);
}

Result<void> check_package_name(std::string_view name) {
  std::string quoted = "'" + std::string(name) + "'";
  if (name.size() < 2) return make_error(Errc::invalid_input, "package name " + quoted + ": shorter than two characters");
  if (name.size() > kMaxPackageName)
    return make_error(Errc::invalid_input, "package name " + quoted.substr(0, 40) + "...': longer than " +
                                               std::to_string(kMaxPackageName) + " characters");
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(name[0]))
    return make_error(Errc::invalid_input, "package name " + quoted + ": must start with a lower-case letter or a digit");
  for (char c : name)
    if (!alnum(c) && c != '+' && c != '-' && c != '.')
      return make_error(Errc::invalid_input, "package name " + quoted +
                                                 ": only lower-case letters, digits, '+', '-' and '.' are allowed");
  return {};
}

Result<uint64_t> source_date_epoch(const char* value, uint64_t now) {
  if (!value) return now;
  std::string_view v(value);
  auto bad = [&](const std::string& why) {
    return make_error(Errc::invalid_input, "SOURCE_DATE_EPOCH='" + std::string(v.substr(0, 40)) + "': " + why);
  };
  if (v.empty()) return bad("empty (unset it, or give seconds since 1970 as a decimal number)");
  uint64_t t = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return bad("not a decimal number of seconds since 1970");
    t = t * 10 + static_cast<uint64_t>(c - '0');
    if (t > kTarMaxNumber) return bad("beyond what a tar header holds (" + std::to_string(kTarMaxNumber) + ")");
  }
  return t;
}

}  // namespace bootseal::deb

// SPDX-License-Identifier: GPL-2.0-only
// signer/cli/deb.cpp and policy_package.cpp: the .deb `bootseal-sign package`
// writes, read back here with a reader of the test's own (ar, ustar, zlib's
// inflate), field by field: member order and headers, tar checksums, names,
// modes and owners, the timestamps, determinism, and each name, maintainer
// and SOURCE_DATE_EPOCH that is refused.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "deb.hpp"
#include "policy_package.hpp"

namespace bootseal {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using Bytes = std::vector<uint8_t>;

Bytes bytes(std::string_view s) { return {s.begin(), s.end()}; }
std::string text(const Bytes& b) { return {b.begin(), b.end()}; }

// ---- a reader of the test's own ----------------------------------------------

struct ArEntry {
  std::string header;  // the 60 bytes
  std::string name;
  Bytes data;
};

// Parses a whole ar archive; fails the test on any deviation from deb-ar(5).
std::vector<ArEntry> read_ar(const Bytes& ar) {
  std::vector<ArEntry> out;
  EXPECT_EQ(text(Bytes(ar.begin(), ar.begin() + 8)), "!<arch>\n");
  size_t pos = 8;
  while (pos < ar.size()) {
    EXPECT_LE(pos + 60, ar.size());
    if (pos + 60 > ar.size()) break;
    ArEntry e;
    e.header = std::string(ar.begin() + pos, ar.begin() + pos + 60);
    EXPECT_EQ(e.header.substr(58), "`\n");
    e.name = e.header.substr(0, 16);
    e.name.erase(e.name.find_last_not_of(' ') + 1);
    size_t size = std::stoul(e.header.substr(48, 10));
    pos += 60;
    EXPECT_LE(pos + size, ar.size());
    e.data.assign(ar.begin() + pos, ar.begin() + pos + size);
    pos += size;
    if (size % 2) {
      EXPECT_EQ(ar[pos], '\n') << e.name << ": odd member not padded with a newline";
      ++pos;
    }
    out.push_back(std::move(e));
  }
  EXPECT_EQ(pos, ar.size());
  return out;
}

Bytes gunzip(const Bytes& gz) {
  z_stream zs{};
  EXPECT_EQ(inflateInit2(&zs, 15 + 16), Z_OK);
  Bytes out(1 << 20);
  zs.next_in = const_cast<Bytef*>(gz.data());
  zs.avail_in = static_cast<uInt>(gz.size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = inflate(&zs, Z_FINISH);
  EXPECT_EQ(rc, Z_STREAM_END);
  EXPECT_EQ(zs.avail_in, 0u) << "bytes after the gzip member";
  out.resize(zs.total_out);
  inflateEnd(&zs);
  return out;
}

struct TarEntry {
  std::string name;  // prefix + "/" + name, or name
  char type = 0;
  unsigned mode = 0;
  unsigned uid = 0, gid = 0;
  uint64_t mtime = 0;
  std::string uname, gname;
  Bytes data;
};

std::string field(const uint8_t* h, size_t off, size_t len) {
  std::string s(reinterpret_cast<const char*>(h) + off, len);
  return s.substr(0, s.find('\0'));
}
uint64_t octal(const uint8_t* h, size_t off, size_t len) { return std::stoull(field(h, off, len), nullptr, 8); }

std::vector<TarEntry> read_tar(const Bytes& tar) {
  std::vector<TarEntry> out;
  EXPECT_EQ(tar.size() % deb::kTarBlock, 0u);
  size_t pos = 0;
  while (pos + deb::kTarBlock <= tar.size()) {
    const uint8_t* h = tar.data() + pos;
    if (std::all_of(h, h + deb::kTarBlock, [](uint8_t b) { return b == 0; })) {
      // The end: two zero blocks and nothing after them.
      EXPECT_EQ(pos + 2 * deb::kTarBlock, tar.size());
      return out;
    }
    std::span<const uint8_t, deb::kTarBlock> header(h, deb::kTarBlock);
    EXPECT_EQ(octal(h, 148, 8), deb::tar_checksum(header)) << field(h, 0, 100);
    EXPECT_EQ(h[148 + 6], 0);
    EXPECT_EQ(h[148 + 7], ' ');
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(h) + 257, 6), std::string("ustar\0", 6));
    EXPECT_EQ(field(h, 263, 2), "00");
    TarEntry e;
    std::string prefix = field(h, 345, 155);
    e.name = prefix.empty() ? field(h, 0, 100) : prefix + "/" + field(h, 0, 100);
    e.type = static_cast<char>(h[156]);
    e.mode = static_cast<unsigned>(octal(h, 100, 8));
    e.uid = static_cast<unsigned>(octal(h, 108, 8));
    e.gid = static_cast<unsigned>(octal(h, 116, 8));
    e.mtime = octal(h, 136, 12);
    e.uname = field(h, 265, 32);
    e.gname = field(h, 297, 32);
    size_t size = octal(h, 124, 12);
    pos += deb::kTarBlock;
    e.data.assign(tar.begin() + pos, tar.begin() + pos + size);
    pos += (size + deb::kTarBlock - 1) / deb::kTarBlock * deb::kTarBlock;
    out.push_back(std::move(e));
  }
  ADD_FAILURE() << "no end-of-archive blocks";
  return out;
}

Bytes base64_decode(const std::string& s) {
  static const std::string kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  Bytes out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : s) {
    if (c == '\n' || c == '=') continue;
    size_t v = kAlphabet.find(c);
    EXPECT_NE(v, std::string::npos) << "not base64: " << c;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<uint8_t>(acc >> bits));
    }
  }
  return out;
}

// A policy package as the subcommand fills it (the blob's bytes are not
// read by the writer, so any bytes do).
sign::PolicyPackage sample() {
  sign::PolicyPackage p;
  p.package = "bootseal-policy-appliance";
  p.maintainer = "Signing Team <sign@example.org>";
  p.tool_version = "0.2.0";
  p.policy_name = "appliance";
  p.policy_description = "Locks the appliance down.\n\nSecond paragraph.";
  p.generation = 7;
  for (size_t i = 0; i < p.kid.size(); ++i) p.kid[i] = static_cast<uint8_t>(i);
  for (int i = 0; i < 1500; ++i) p.blob.push_back(static_cast<uint8_t>(i * 7 + 3));
  return p;
}

constexpr uint64_t kEpoch = 1700000000;

std::vector<ArEntry> members_of(const sign::PolicyPackage& p, uint64_t mtime = kEpoch) {
  auto deb = sign::build_deb(p, mtime);
  EXPECT_TRUE(deb) << deb.error();
  return deb ? read_ar(*deb) : std::vector<ArEntry>{};
}

// ---- the ar archive ----------------------------------------------------------

TEST(Deb, ArHoldsTheThreeMembersInOrder) {
  auto m = members_of(sample());
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].name, "debian-binary");
  EXPECT_EQ(text(m[0].data), "2.0\n");
  EXPECT_EQ(m[1].name, "control.tar.gz");
  EXPECT_EQ(m[2].name, "data.tar.gz");
  for (const ArEntry& e : m) {
    // mtime, uid 0, gid 0, mode 100644, each left-aligned in its field.
    EXPECT_EQ(e.header.substr(16, 12), "1700000000  ") << e.name;
    EXPECT_EQ(e.header.substr(28, 6), "0     ") << e.name;
    EXPECT_EQ(e.header.substr(34, 6), "0     ") << e.name;
    EXPECT_EQ(e.header.substr(40, 8), "100644  ") << e.name;
  }
}

TEST(Deb, ArPadsOddMembersWithANewline) {
  std::vector<deb::ArMember> members = {{"a", bytes("odd")}, {"b", bytes("even")}};
  auto ar = deb::ar_archive(members, 5);
  ASSERT_TRUE(ar) << ar.error();
  EXPECT_EQ(ar->size(), 8 + 60 + 4 + 60 + 4);
  auto m = read_ar(*ar);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(text(m[0].data), "odd");
  EXPECT_EQ(text(m[1].data), "even");
}

TEST(Deb, ArRefusesBadMemberNames) {
  for (const char* name : {"", "with/slash", "with space", "sixteen-chars-xx"}) {
    std::vector<deb::ArMember> members = {{name, bytes("x")}};
    EXPECT_FALSE(deb::ar_archive(members, 0)) << name;
  }
}

// ---- the tarballs ------------------------------------------------------------

TEST(Deb, DataTarHasTheDirectoriesThenTheBlob) {
  sign::PolicyPackage p = sample();
  auto m = members_of(p);
  ASSERT_EQ(m.size(), 3u);
  auto entries = read_tar(gunzip(m[2].data));
  std::vector<std::string> names;
  for (const TarEntry& e : entries) names.push_back(e.name);
  EXPECT_THAT(names, ::testing::ElementsAre("./", "./var/", "./var/lib/", "./var/lib/bootseal/",
                                            "./var/lib/bootseal/packages/",
                                            "./var/lib/bootseal/packages/bootseal-policy-appliance.sealed"));
  for (const TarEntry& e : entries) {
    bool dir = e.name.back() == '/';
    EXPECT_EQ(e.type, dir ? '5' : '0') << e.name;
    EXPECT_EQ(e.mode, dir ? 0755u : 0644u) << e.name;
    EXPECT_EQ(e.uid, 0u);
    EXPECT_EQ(e.gid, 0u);
    EXPECT_EQ(e.uname, "root");
    EXPECT_EQ(e.gname, "root");
    EXPECT_EQ(e.mtime, kEpoch);
    EXPECT_TRUE(dir ? e.data.empty() : e.data == p.blob) << e.name;
  }
}

TEST(Deb, ControlTarHoldsControlMd5sumsAndTheScripts) {
  sign::PolicyPackage p = sample();
  auto m = members_of(p);
  ASSERT_EQ(m.size(), 3u);
  auto entries = read_tar(gunzip(m[1].data));
  ASSERT_EQ(entries.size(), 5u);
  const std::vector<std::pair<std::string, unsigned>> want = {
      {"./", 0755}, {"./control", 0644}, {"./md5sums", 0644}, {"./preinst", 0755}, {"./postinst", 0755}};
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(entries[i].name, want[i].first);
    EXPECT_EQ(entries[i].mode, want[i].second) << entries[i].name;
    EXPECT_EQ(entries[i].mtime, kEpoch);
  }
  EXPECT_EQ(text(entries[1].data), sign::control_text(p));
  // md5sums: one line in the form dpkg reads (Md5sumsOfAKnownInput checks the digest).
  EXPECT_THAT(text(entries[2].data),
              ::testing::MatchesRegex("[0-9a-f]{32}  var/lib/bootseal/packages/bootseal-policy-appliance\\.sealed\n"));
  EXPECT_EQ(text(entries[3].data), sign::preinst_text(p));
  EXPECT_EQ(text(entries[4].data), sign::postinst_text(p));
}

TEST(Deb, Md5sumsOfAKnownInput) {
  std::vector<deb::TarFile> files = {{"a/b", 0644, bytes("abc")}};
  EXPECT_EQ(deb::md5sums(files), "900150983cd24fb0d6963f7d28e17f72  a/b\n");
}

TEST(Deb, TarSplitsALongNameIntoPrefixAndName) {
  std::string dir = std::string(60, 'd') + "/" + std::string(60, 'e');  // "./" + dir + "/": 124
  std::string path = dir + "/" + std::string(90, 'f');
  std::vector<deb::TarFile> files = {{path, 0644, bytes("x")}};
  auto tar = deb::tar_archive(files, 0);
  ASSERT_TRUE(tar) << tar.error();
  auto entries = read_tar(*tar);
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries[1].name, "./" + std::string(60, 'd') + "/");
  EXPECT_EQ(entries[2].name, "./" + dir + "/");
  EXPECT_EQ(entries[3].name, "./" + path);
  EXPECT_EQ(text(entries[3].data), "x");
}

TEST(Deb, TarRefusesWhatItCannotHold) {
  auto refused = [](std::string path) {
    std::vector<deb::TarFile> files = {{std::move(path), 0644, {}}};
    return !deb::tar_archive(files, 0);
  };
  EXPECT_TRUE(refused(std::string(101, 'f')));                            // a name beyond 100, no '/'
  EXPECT_TRUE(refused(std::string(160, 'd') + "/" + std::string(10, 'f')));  // a prefix beyond 155
  EXPECT_TRUE(refused("/etc/abs"));
  EXPECT_TRUE(refused("a//b"));
  EXPECT_TRUE(refused("a/../b"));
  EXPECT_TRUE(refused("./a"));
  EXPECT_TRUE(refused("a/"));
  std::vector<deb::TarFile> twice = {{"a/b", 0644, {}}, {"a/b", 0644, {}}};
  EXPECT_FALSE(deb::tar_archive(twice, 0));
  std::vector<deb::TarFile> under_file = {{"a", 0644, {}}, {"a/b", 0644, {}}};
  EXPECT_FALSE(deb::tar_archive(under_file, 0));
  std::vector<deb::TarFile> one = {{"a", 0644, {}}};
  EXPECT_FALSE(deb::tar_archive(one, deb::kTarMaxNumber + 1));
}

// ---- gzip and determinism ----------------------------------------------------

TEST(Deb, GzipRoundTripsThroughZlib) {
  Bytes data;
  for (int i = 0; i < 100000; ++i) data.push_back(static_cast<uint8_t>((i * 31) ^ (i >> 5)));
  auto gz = deb::gzip(data);
  ASSERT_TRUE(gz) << gz.error();
  ASSERT_GE(gz->size(), 18u);
  EXPECT_EQ((*gz)[0], 0x1f);
  EXPECT_EQ((*gz)[1], 0x8b);
  EXPECT_EQ((*gz)[2], 8);  // deflate
  EXPECT_EQ((*gz)[3], 0);  // no name, no comment, no extra field
  EXPECT_EQ(std::memcmp(gz->data() + 4, "\0\0\0\0", 4), 0) << "the gzip header holds a time";
  EXPECT_EQ(gunzip(*gz), data);
  auto empty = deb::gzip({});
  ASSERT_TRUE(empty);
  EXPECT_TRUE(gunzip(*empty).empty());
}

TEST(Deb, TheSameInputAndEpochMakeTheSameBytes) {
  auto a = sign::build_deb(sample(), kEpoch);
  auto b = sign::build_deb(sample(), kEpoch);
  auto c = sign::build_deb(sample(), kEpoch + 1);
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(*a, *b);
  EXPECT_NE(*a, *c);
  sign::PolicyPackage other = sample();
  other.blob.back() ^= 1;
  auto d = sign::build_deb(other, kEpoch);
  ASSERT_TRUE(d);
  EXPECT_NE(*a, *d);
}

TEST(Deb, SourceDateEpoch) {
  EXPECT_EQ(*deb::source_date_epoch(nullptr, 42), 42u);
  EXPECT_EQ(*deb::source_date_epoch("0", 42), 0u);
  EXPECT_EQ(*deb::source_date_epoch("1700000000", 42), 1700000000u);
  EXPECT_EQ(*deb::source_date_epoch("8589934591", 42), deb::kTarMaxNumber);
  for (const char* bad : {"", "12a", "-1", " 1", "1 ", "1.5", "0x10", "8589934592", "99999999999999999999999"}) {
    auto r = deb::source_date_epoch(bad, 42);
    ASSERT_FALSE(r) << "'" << bad << "'";
    EXPECT_THAT(r.error(), StartsWith("SOURCE_DATE_EPOCH='")) << bad;
  }
}

// ---- names -------------------------------------------------------------------

TEST(Deb, PackageNamesFollowDebianPolicy) {
  for (const char* ok : {"ab", "a0", "0a", "bootseal-policy-x", "g++-12", "lib.x+y-z"})
    EXPECT_TRUE(deb::check_package_name(ok)) << ok;
  EXPECT_TRUE(deb::check_package_name(std::string(deb::kMaxPackageName, 'a')));
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"", "shorter than two"},        {"a", "shorter than two"},
      {"-ab", "must start"},           {".ab", "must start"},
      {"+ab", "must start"},           {"Ab", "must start"},
      {"aB", "only lower-case"},       {"a_b", "only lower-case"},
      {"a b", "only lower-case"},      {"a/b", "only lower-case"},
      {"caf\xc3\xa9", "only lower-case"},
      {std::string(deb::kMaxPackageName + 1, 'a'), "longer than"},
  };
  for (const auto& [name, why] : bad) {
    auto r = deb::check_package_name(name);
    ASSERT_FALSE(r) << name;
    EXPECT_THAT(r.error(), HasSubstr(why)) << name;
  }
}

TEST(Deb, PackageNameFromThePolicyName) {
  EXPECT_EQ(sign::package_name_for("appliance"), "bootseal-policy-appliance");
  EXPECT_EQ(sign::package_name_for("Web Server_v2"), "bootseal-policy-web-server-v2");
  EXPECT_EQ(sign::package_name_for("a+b.c-d"), "bootseal-policy-a+b.c-d");
  EXPECT_EQ(sign::package_name_for("caf\xc3\xa9"), "bootseal-policy-caf--");
  EXPECT_EQ(sign::package_name_for("x\ny"), "bootseal-policy-x-y");
  for (const char* name : {"appliance", "Web Server_v2", "caf\xc3\xa9", "..", "_"})
    EXPECT_TRUE(deb::check_package_name(sign::package_name_for(name))) << name;
  // A long policy name makes a name over the cap: the caller says --name.
  EXPECT_FALSE(deb::check_package_name(sign::package_name_for(std::string(90, 'p'))));
}

TEST(Deb, Maintainer) {
  EXPECT_EQ(sign::choose_maintainer("A <a@b>", "N", "e@x"), "A <a@b>");
  EXPECT_EQ(sign::choose_maintainer("", "Jane Doe", "jane@example.org"), "Jane Doe <jane@example.org>");
  EXPECT_EQ(sign::choose_maintainer("", nullptr, "Jane Doe <jane@example.org>"), "Jane Doe <jane@example.org>");
  EXPECT_EQ(sign::choose_maintainer("", "Jane Doe", nullptr), sign::kDefaultMaintainer);
  EXPECT_EQ(sign::choose_maintainer("", nullptr, "jane@example.org"), sign::kDefaultMaintainer);
  EXPECT_EQ(sign::choose_maintainer("", "", ""), sign::kDefaultMaintainer);
  EXPECT_TRUE(sign::check_maintainer(sign::kDefaultMaintainer));
  EXPECT_TRUE(sign::check_maintainer("Jane Doe <jane@example.org>"));
  for (const char* bad : {"", "Jane", "jane@example.org", "<jane@example.org>", "Jane <>", "Jane <jane>",
                          "Jane <jane@example.org> x", "Jane\n <j@e>", "Jane <<j@e>>"})
    EXPECT_FALSE(sign::check_maintainer(bad)) << bad;
  sign::PolicyPackage p = sample();
  p.maintainer = "nobody";
  EXPECT_FALSE(sign::build_deb(p, kEpoch));
  p = sample();
  p.package = "Bad_Name";
  EXPECT_FALSE(sign::build_deb(p, kEpoch));
}

// ---- what the package says ---------------------------------------------------

TEST(Deb, ControlFields) {
  sign::PolicyPackage p = sample();
  std::string c = sign::control_text(p);
  EXPECT_THAT(c, StartsWith("Package: bootseal-policy-appliance\n"
                            "Version: 7\n"
                            "Architecture: all\n"
                            "Maintainer: Signing Team <sign@example.org>\n"
                            "Installed-Size: 2\n"  // 1500 bytes, rounded up to KiB
                            "Pre-Depends: bootseal (>= 0.2.0)\n"
                            "Section: admin\n"
                            "Priority: optional\n"
                            "Description: bootseal policy appliance, generation 7\n"));
  EXPECT_THAT(c, HasSubstr("\n The sealed bootseal policy \"appliance\", generation 7.\n"
                           " Key id (kid) and SHA-256 of the sealed blob:\n  " +
                           to_hex(p.kid) + "\n  " + to_hex(sha256(p.blob)) + "\n"));
  EXPECT_THAT(c, HasSubstr("\n  Locks the appliance down.\n .\n  Second paragraph.\n"));
  EXPECT_THAT(c, HasSubstr("`bootseal update`"));
  EXPECT_THAT(c, HasSubstr("machine's own trust store"));
  // Every line after the first field is a field or a continuation starting
  // with a space; none is empty; the file ends with a newline.
  ASSERT_EQ(c.back(), '\n');
  size_t start = 0;
  while (start < c.size()) {
    size_t nl = c.find('\n', start);
    std::string line = c.substr(start, nl - start);
    EXPECT_FALSE(line.empty());
    EXPECT_TRUE(line[0] == ' ' || line.find(": ") != std::string::npos) << line;
    EXPECT_NE(line, " ") << "an empty continuation line";
    EXPECT_LE(line.size(), 80u) << line;
    start = nl + 1;
  }
}

TEST(Deb, ControlTextKeepsEveryFieldOnItsLines) {
  sign::PolicyPackage p = sample();
  p.policy_name = "two\nlines";
  p.policy_description = "line one \n\n\t.dot\n" + std::string(50, 'a') + " " + std::string(30, 'b') + " " +
                         std::string(90, 'c');
  std::string c = sign::control_text(p);
  EXPECT_THAT(c, HasSubstr("\n  " + std::string(50, 'a') + "\n  " + std::string(30, 'b') + "\n  " +
                           std::string(90, 'c') + "\n .\n The package installs"));
  EXPECT_THAT(c, HasSubstr("Description: bootseal policy two?lines, generation 7\n"));
  EXPECT_THAT(c, HasSubstr("\n  line one\n .\n  ?.dot\n"));
  EXPECT_THAT(c, ::testing::Not(HasSubstr("\n\n")));
  EXPECT_THAT(sign::preinst_text(p), ::testing::Not(HasSubstr("two\nlines")));
}

TEST(Deb, PreinstEmbedsTheBlobInBase64) {
  sign::PolicyPackage p = sample();
  std::string s = sign::preinst_text(p);
  EXPECT_THAT(s, StartsWith("#!/bin/sh\n# Generated by bootseal-sign package 0.2.0 for bootseal-policy-appliance"));
  EXPECT_THAT(s, HasSubstr("\nset -e\n"));
  EXPECT_THAT(s, HasSubstr("\ninstall | upgrade)\n"));
  const std::string open = "\tbase64 -d <<'BOOTSEAL_BLOB' | bootseal update --check - || rc=$?\n";
  size_t begin = s.find(open);
  ASSERT_NE(begin, std::string::npos);
  begin += open.size();
  size_t end = s.find("BOOTSEAL_BLOB\n", begin);
  ASSERT_NE(end, std::string::npos);
  std::string b64 = s.substr(begin, end - begin);
  EXPECT_EQ(base64_decode(b64), p.blob);
  size_t start = 0;
  while (start < b64.size()) {
    size_t nl = b64.find('\n', start);
    EXPECT_LE(nl - start, 76u);
    if (b64.find('\n', nl + 1) != std::string::npos) {
      EXPECT_EQ(nl - start, 76u);
    }
    start = nl + 1;
  }
  EXPECT_THAT(s, HasSubstr("echo \"bootseal-policy-appliance: refused by this machine: see the message above; "
                           "nothing was changed\" >&2\n\t\texit \"$rc\"\n"));
}

TEST(Deb, Base64) {
  EXPECT_EQ(sign::base64_lines(bytes("")), "");
  EXPECT_EQ(sign::base64_lines(bytes("f")), "Zg==\n");
  EXPECT_EQ(sign::base64_lines(bytes("fo")), "Zm8=\n");
  EXPECT_EQ(sign::base64_lines(bytes("foobar")), "Zm9vYmFy\n");
  Bytes b(57 * 2 + 1, 0xff);  // two full lines and a short one
  std::string s = sign::base64_lines(b);
  EXPECT_EQ(s, std::string(76, '/') + "\n" + std::string(76, '/') + "\n/w==\n");
}

TEST(Deb, PostinstRunsUpdateOnConfigureOnly) {
  std::string s = sign::postinst_text(sample());
  EXPECT_THAT(s, StartsWith("#!/bin/sh\n# Generated by bootseal-sign package 0.2.0"));
  EXPECT_THAT(s, HasSubstr("\nset -e\n\ncase \"$1\" in\nconfigure)\n"
                           "\tbootseal update --trigger /var/lib/bootseal/packages/bootseal-policy-appliance.sealed\n"
                           "\t;;\nesac\nexit 0\n"));
  EXPECT_EQ(sign::deb_file_name(sample()), "bootseal-policy-appliance_7_all.deb");
}

}  // namespace
}  // namespace bootseal

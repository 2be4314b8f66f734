// SPDX-License-Identifier: GPL-2.0-only
// libFuzzer target for the loader's fstab reader and filesystem UUID parser
// (bootseal/loader/compiler.hpp): the new root's /etc/fstab is read before
// anything guards it. Any input parses without a crash; every entry has an
// absolute mount point without a trailing slash (but "/"), a spec, a line
// number within the text's lines, in order; the mount point set is the
// entries' mount points. The whole input and each line's first field are
// also parsed as a UUID: one that parses has the canonical 36-byte form and
// prints back to the same bytes, and is not the nil UUID. Each spec's tag
// (bootseal/device_probe.hpp), when it has one, is one of the four the
// loader looks up, with a value. The input is also read as an xfs
// superblock (xfs_superblock_ignores_case): an answer exactly for the
// magic, the version's bit as it is. Anything else aborts.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <sstream>
#include <string>
#include <string_view>

#include "bootseal/device_probe.hpp"
#include "bootseal/loader/compiler.hpp"

namespace {

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_fstab: %s\n%s\n", what, detail.c_str());
  std::abort();
}

void check_uuid(std::string_view text) {
  const auto u = bootseal::loader::parse_fs_uuid(text);
  if (!u) return;
  if (text.size() != 36) fail("a UUID that is not 36 bytes long parsed", std::string(text));
  if (std::all_of(u->begin(), u->end(), [](uint8_t b) { return b == 0; })) fail("the nil UUID parsed", std::string(text));
  static const char* kHex = "0123456789abcdef";
  std::string back;
  for (size_t i = 0; i < u->size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) back += '-';
    back += kHex[(*u)[i] >> 4];
    back += kHex[(*u)[i] & 15];
  }
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
  if (back != lower) fail("a UUID does not print back as written", std::string(text) + " -> " + back);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const auto entries = bootseal::loader::parse_fstab_entries(text);
  const int lines = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
  int last = 0;
  std::set<std::string> points;
  for (const auto& e : entries) {
    if (e.mount_point.empty() || e.mount_point.front() != '/') fail("a mount point that is not absolute", e.mount_point);
    if (e.mount_point.size() > 1 && e.mount_point.back() == '/') fail("a mount point with a trailing slash", e.mount_point);
    if (e.spec.empty()) fail("an entry without a spec", e.mount_point);
    if (e.line <= last || e.line > lines) fail("a line number out of order or range", std::to_string(e.line));
    last = e.line;
    points.insert(e.mount_point);
    check_uuid(e.spec.size() > 5 && e.spec.compare(0, 5, "UUID=") == 0 ? std::string_view(e.spec).substr(5) : e.spec);
    if (const auto tag = bootseal::spec_tag(e.spec)) {
      if (tag->name != "UUID" && tag->name != "LABEL" && tag->name != "PARTUUID" && tag->name != "PARTLABEL")
        fail("a spec gave a tag the loader does not look up", e.spec + " -> " + tag->name);
      if (tag->value.empty()) fail("a spec gave a tag without a value", e.spec);
    }
  }
  if (bootseal::loader::parse_fstab_mount_points(text) != points) fail("the mount point set differs from the entries'", text);
  check_uuid(text);
  // The same bytes as the first sector of a device the fstab mounts an
  // xfs from: an answer only for an xfs superblock (its magic, and the
  // version field's two bytes present), and then the version's 0x4000 bit.
  const std::span<const unsigned char> sb(data, size);
  const auto ci = bootseal::loader::xfs_superblock_ignores_case(sb);
  const bool xfs = size >= 102 && std::memcmp(data, "XFSB", 4) == 0;
  if (ci.has_value() != xfs) fail("an xfs superblock answer for bytes that are not one, or none for one", text.substr(0, 4));
  if (ci && *ci != ((data[100] & 0x40) != 0)) fail("the case-insensitive bit read wrong", text.substr(0, 4));
  return 0;
}

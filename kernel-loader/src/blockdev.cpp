// SPDX-License-Identifier: GPL-2.0-only
// The block devices under protected filesystems (docs/ENFORCER.md, "Raw
// block devices"): from the mount table to the partitions, disks and the
// members of device-mapper and md stacks, through sysfs.
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>

#include "bootseal/fileio.hpp"
#include "bootseal/loader/compiler.hpp"

namespace bootseal::loader {
namespace {

constexpr uint32_t kGuardable = 1u << BS_OP_READ | 1u << BS_OP_WRITE;

std::optional<uint32_t> parse_majmin(const std::string& s) {
  auto colon = s.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 >= s.size()) return std::nullopt;
  char* end = nullptr;
  unsigned long ma = std::strtoul(s.c_str(), &end, 10);
  if (end != s.c_str() + colon) return std::nullopt;
  unsigned long mi = std::strtoul(s.c_str() + colon + 1, &end, 10);
  if (*end != '\0' && *end != '\n') return std::nullopt;
  if (ma > 0xfff || mi > 0xfffff) return std::nullopt;
  return static_cast<uint32_t>(ma << 20 | mi);
}

// A sysfs attribute's value ("8:1"), or "" when it cannot be read.
std::string read_line(const std::filesystem::path& p) {
  auto line = read_first_line(p, 64);
  return line ? *line : std::string();
}

// Adds `dev` and what it stands on: the whole disk of a partition, and the
// members (`slaves/`) of a device-mapper or md device, recursively.
using DeviceMap = std::map<std::pair<bool, uint32_t>, uint32_t>;  // (character, dev) -> ops

void add_device(const std::string& sysfs, uint32_t dev, uint32_t ops, DeviceMap* out, int depth) {
  if (depth > 16) return;
  uint32_t& have = (*out)[{false, dev}];
  if ((have | ops) == have && have != 0) return;
  have |= ops;
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path node = fs::path(sysfs) / "dev/block" / format_kernel_dev(dev);
  fs::path real = fs::canonical(node, ec);
  if (ec) return;
  // SCSI pass-through nodes of the disk write whatever fd they come from.
  if (ops & (1u << BS_OP_WRITE)) {
    for (const char* sub : {"device/scsi_generic", "device/bsg"}) {
      for (const auto& e : fs::directory_iterator(real / sub, ec))
        if (auto chr = parse_majmin(read_line(e.path() / "dev"))) (*out)[{true, *chr}] |= 1u << BS_OP_WRITE;
    }
  }
  if (fs::exists(real / "partition", ec)) {
    if (auto parent = parse_majmin(read_line(real.parent_path() / "dev")))
      add_device(sysfs, *parent, ops, out, depth + 1);
  }
  for (const auto& e : fs::directory_iterator(real / "slaves", ec)) {
    if (auto member = parse_majmin(read_line(e.path() / "dev"))) add_device(sysfs, *member, ops, out, depth + 1);
  }
}

// mountinfo escapes spaces and the like as \ooo.
std::string unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    auto octal = [&](size_t k) { return i + k < s.size() && s[i + k] >= '0' && s[i + k] <= '7'; };
    if (s[i] == '\\' && octal(1) && octal(2) && octal(3)) {
      out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
      i += 3;
      continue;
    }
    out += s[i];
  }
  return out;
}

}  // namespace

uint32_t protected_ops_on(const Compiled& c, uint32_t fs_dev, uint64_t magic) {
  uint32_t ops = 0;
  for (uint8_t op : {static_cast<uint8_t>(BS_OP_READ), static_cast<uint8_t>(BS_OP_WRITE)}) {
    if (c.defaults[op] == BS_ACT_DENY) ops |= 1u << op;
    for (const auto& [k, v] : c.rules) {
      if (k.op != op || v.action != BS_ACT_DENY) continue;
      if (k.kind == BS_KIND_ANY || (k.kind == BS_KIND_FSTYPE && k.id == magic) ||
          ((k.kind == BS_KIND_PATH || k.kind == BS_KIND_SUBTREE) && k.dev == fs_dev))
        ops |= 1u << op;
    }
  }
  return ops & kGuardable;
}

void guard_backing_devices(Compiled* c, const std::string& mountinfo, const std::string& sysfs) {
  DeviceMap devices;
  std::istringstream in(mountinfo);
  std::string line;
  while (std::getline(in, line)) {
    // ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTIONS
    std::istringstream f(line);
    std::string id, parent, majmin, word;
    if (!(f >> id >> parent >> majmin)) continue;
    while (f >> word && word != "-") {
    }
    std::string fstype, source;
    if (word != "-" || !(f >> fstype >> source)) continue;
    auto fs_dev = parse_majmin(majmin);
    if (!fs_dev) continue;
    uint32_t ops = protected_ops_on(*c, *fs_dev, fstype_magic(fstype).value_or(0));
    if (!ops) continue;
    uint32_t block = *fs_dev;
    if ((*fs_dev >> 20) == 0) {
      // An anonymous superblock device (btrfs, for one): the source names
      // the block device, if there is one.
      struct stat st {};
      source = unescape(source);
      if (source.empty() || source[0] != '/' || ::stat(source.c_str(), &st) != 0 || !S_ISBLK(st.st_mode)) continue;
      block = kernel_dev(st.st_rdev);
    } else {
      std::error_code ec;
      if (!std::filesystem::exists(std::filesystem::path(sysfs) / "dev/block" / majmin, ec)) continue;
    }
    add_device(sysfs, block, ops, &devices, 0);
  }
  c->raw_devices.clear();
  for (const auto& [key, ops] : devices) c->raw_devices.push_back(RawDevice{key.second, key.first, ops});
  std::sort(c->raw_devices.begin(), c->raw_devices.end());
}

}  // namespace bootseal::loader

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
#include <set>
#include <sstream>
#include <unordered_set>

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

// The name of the class a sysfs device belongs to ("nvme-generic"), or "".
std::string subsystem_of(const std::filesystem::path& dir) {
  std::error_code ec;
  auto link = std::filesystem::read_symlink(dir / "subsystem", ec);
  return ec ? std::string() : link.filename().string();
}

// The namespace part of an NVMe node's name: "1" for nvme0n1, ng0n1 and
// nvme1c2n1 (both name families end in the namespace head's instance), ""
// for a name of another shape.
std::string nvme_namespace(const std::string& name, const std::string& prefix) {
  if (name.rfind(prefix, 0) != 0) return {};
  auto n = name.rfind('n');
  if (n == std::string::npos || n <= prefix.size() || n + 1 >= name.size()) return {};
  auto digits = [](std::string_view v) {
    return !v.empty() && std::all_of(v.begin(), v.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
  };
  std::string_view mid(name.data() + prefix.size(), n - prefix.size());
  // nvme0n1, or the hidden path disk nvme0c1n1
  auto c = mid.find('c');
  if (!digits(mid.substr(0, c)) || (c != std::string_view::npos && !digits(mid.substr(c + 1)))) return {};
  std::string ns = name.substr(n + 1);
  return digits(ns) ? ns : std::string();
}

using DeviceMap = std::map<std::pair<bool, uint32_t>, uint32_t>;  // (character, dev) -> ops
// Character drivers whose whole major is guarded, by the name
// /proc/devices gives them -> the operations.
using MajorMap = std::map<std::string, uint32_t>;

// The SCSI generic driver's character major is fixed (SCSI_GENERIC_MAJOR);
// bsg and nvme-generic get theirs when they register, listed in
// /proc/devices.
constexpr uint32_t kScsiGenericMajor = 21;
constexpr const char* kScsiGeneric = "sg";

// What the log and --dry-run call a guarded major's driver.
std::string driver_title(const std::string& name) {
  if (name == kScsiGeneric) return "SCSI generic";
  if (name == "nvme-generic") return "NVMe generic";
  return name;
}

// Whether the disk at sysfs directory `disk` is a SCSI disk: it has SCSI
// generic or bsg nodes, or the sd driver drives it.
bool scsi_disk(const std::filesystem::path& disk) {
  std::error_code ec;
  if (std::filesystem::is_directory(disk / "device/scsi_generic", ec) ||
      std::filesystem::is_directory(disk / "device/bsg", ec))
    return true;
  auto driver = std::filesystem::read_symlink(disk / "device/driver", ec);
  return !ec && driver.filename() == "sd";
}

// The character devices that reach the disk at sysfs directory `disk`
// beneath its block device: its SCSI generic nodes (scsi_generic/, bsg/),
// and for an NVMe namespace its generic node (class nvme-generic, ngXnY)
// and its controller's node (class nvme, /dev/nvmeX). All take read and
// write commands through ioctls on any descriptor, so they get the
// disk's operations. A generic node whose namespace cannot be told from
// the names is guarded with the others: fail closed.
//
// Nodes made later (sg loaded after switch_root, a rescan, a controller
// reset) are not there to find: a SCSI disk also guards the whole SCSI
// generic and bsg majors, an NVMe namespace the nvme-generic major.
void add_passthrough_nodes(const std::filesystem::path& disk, uint32_t ops, DeviceMap* out, MajorMap* majors,
                           std::vector<Diagnostic>* notes) {
  namespace fs = std::filesystem;
  std::error_code ec;
  auto add = [&](const fs::path& dir) {
    if (auto chr = parse_majmin(read_line(dir / "dev"))) (*out)[{true, *chr}] |= ops;
  };
  for (const char* sub : {"device/scsi_generic", "device/bsg"})
    for (const auto& e : fs::directory_iterator(disk / sub, ec)) add(e.path());
  if (scsi_disk(disk)) {
    (*majors)[kScsiGeneric] |= ops;
    (*majors)["bsg"] |= ops;
  }
  // An NVMe namespace's disk sits beside its generic node, under its
  // controller (nvme0/nvme0n1, nvme0/ng0n1), or for a multipath head
  // under the subsystem, beside links to its controllers.
  fs::path parent = disk.parent_path();
  const std::string parent_class = subsystem_of(parent);
  if (parent_class == "nvme") add(parent);
  if (parent_class == "nvme" || parent_class == "nvme-subsystem") (*majors)["nvme-generic"] |= ops;
  const std::string ns = nvme_namespace(disk.filename().string(), "nvme");
  for (const auto& e : fs::directory_iterator(parent, ec)) {
    const std::string cls = subsystem_of(e.path()), name = e.path().filename().string();
    const bool controller = cls == "nvme" && name.rfind("nvme", 0) == 0;
    // The namespace's own generic node; when either name does not say
    // which namespace it is, every generic node (fail closed).
    const std::string gns = nvme_namespace(name, "ng");
    const bool generic = cls == "nvme-generic" && (ns.empty() || gns.empty() || gns == ns);
    if (controller || generic) add(e.path());
    if (generic && (ns.empty() || gns.empty()))
      notes->push_back(Diagnostic{-1, e.path().string(),
                                  "cannot tell the namespace of " + name + " beside disk " +
                                      disk.filename().string() + " from their names: guarding it too"});
  }
}

// Adds `dev` and what it stands on: the whole disk of a partition, and the
// members (`slaves/`) of a device-mapper or md device, recursively.
void add_device(const std::string& sysfs, uint32_t dev, uint32_t ops, DeviceMap* out, MajorMap* majors,
                std::vector<Diagnostic>* notes, int depth) {
  if (depth > 16) return;
  uint32_t& have = (*out)[{false, dev}];
  if ((have | ops) == have && have != 0) return;
  have |= ops;
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path node = fs::path(sysfs) / "dev/block" / format_kernel_dev(dev);
  fs::path real = fs::canonical(node, ec);
  if (ec) return;
  if (fs::exists(real / "partition", ec)) {
    if (auto parent = parse_majmin(read_line(real.parent_path() / "dev")))
      add_device(sysfs, *parent, ops, out, majors, notes, depth + 1);
  } else {
    add_passthrough_nodes(real, ops, out, majors, notes);
  }
  for (const auto& e : fs::directory_iterator(real / "slaves", ec)) {
    if (auto member = parse_majmin(read_line(e.path() / "dev")))
      add_device(sysfs, *member, ops, out, majors, notes, depth + 1);
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

// The character majors /proc/devices lists, by driver name; a line of the
// character section that is not "MAJOR NAME" is a problem naming its line.
std::map<std::string, uint32_t> character_majors(const std::string& text, const std::string& name,
                                                 std::vector<std::string>* problems) {
  std::map<std::string, uint32_t> out;
  std::istringstream in(text);
  std::string line;
  bool chars = false;
  for (int lineno = 1; std::getline(in, line); ++lineno) {
    if (line == "Character devices:") {
      chars = true;
      continue;
    }
    if (line.empty() || line == "Block devices:") {
      chars = false;
      continue;
    }
    if (!chars) continue;
    std::istringstream f(line);
    std::string major, driver, rest;
    char* end = nullptr;
    unsigned long m = 0;
    if (f >> major >> driver && !(f >> rest)) m = std::strtoul(major.c_str(), &end, 10);
    if (end == nullptr || *end != '\0' || major.empty() || m > 0xfff || !(major[0] >= '0' && major[0] <= '9')) {
      problems->push_back(name + " line " + std::to_string(lineno) + ": '" + line + "' is not 'MAJOR NAME'");
      continue;
    }
    out.emplace(driver, static_cast<uint32_t>(m));
  }
  return out;
}

}  // namespace

std::string raw_device_title(const Compiled& c, const RawDevice& d) {
  if (d.character && (d.dev & BS_RAWDEV_ANY_MINOR) == BS_RAWDEV_ANY_MINOR) {
    auto it = c.raw_majors.find(d.dev >> 20);
    return "character major " + std::to_string(d.dev >> 20) + " (" + (it == c.raw_majors.end() ? "?" : it->second) + ")";
  }
  return std::string(d.character ? "char" : "block") + " device " + format_kernel_dev(d.dev);
}

std::string dm_control_warning(const Compiled& c, const std::string& sysfs) {
  namespace fs = std::filesystem;
  constexpr uint32_t kDmControl = 10u << 20 | 236u;  // misc 10:236, as the enforcer's BS_DM_CONTROL
  if (c.raw_devices.empty()) return {};
  // A rule that lets a named program open it after boot (the running
  // phase's action, which repeats the only one of a policy without
  // phases). An `audit` rule for any process, or one an excepted subject
  // falls to, lifts no guard.
  for (const auto& [k, v] : c.rules)
    if (k.kind == BS_KIND_DEVICE && k.op == BS_OP_WRITE && k.dev == kDmControl && k.id == BS_DEVICE_CHAR &&
        k.subject != BS_SUBJECT_ANY && (v.run_action == BS_ACT_ALLOW || v.run_action == BS_ACT_AUDIT) &&
        !(v.from_any & BS_FROM_ANY_RUN))
      return {};
  std::map<unsigned long, std::string> dm;  // by number: dm-2 before dm-10
  std::error_code ec;
  for (fs::directory_iterator it(sysfs + "/dev/block", ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code lec;
    const std::string name = fs::read_symlink(it->path(), lec).filename().string();
    if (lec || name.size() < 4 || name.rfind("dm-", 0) != 0 ||
        name.find_first_not_of("0123456789", 3) != std::string::npos)
      continue;
    dm.emplace(std::stoul(name.substr(3)), name);
  }
  if (dm.empty()) return {};
  std::string names;
  for (const auto& [n, name] : dm) names += (names.empty() ? "" : ", ") + name;
  return "device-mapper devices are in use (" + names +
         ") and no rule lets a program open /dev/mapper/control: while devices are guarded, every opening of it "
         "is refused, so device-mapper tools (lvm2, cryptsetup, multipathd, udisksd) fail after boot; name "
         "those the system needs in `allow write device /dev/mapper/control by PROGRAM`";
}

uint32_t protected_ops_on(const Compiled& c, uint32_t fs_dev, uint64_t magic) {
  uint32_t ops = 0;
  // Whether each name id is on this filesystem (its directory's): one pass
  // over the names, not one per rule (a 100k-rule policy has 90k names).
  std::unordered_set<uint64_t> names_here;
  for (const auto& n : c.names)
    if (n.name.dir.dev == fs_dev) names_here.insert(n.id);
  for (uint8_t op : {static_cast<uint8_t>(BS_OP_READ), static_cast<uint8_t>(BS_OP_WRITE)}) {
    if (default_denies(c, op)) ops |= 1u << op;
    for (const auto& [k, v] : c.rules) {
      if (k.op != op || !denies(v)) continue;
      if (k.kind == BS_KIND_ANY || (k.kind == BS_KIND_FSTYPE && k.id == magic) ||
          ((k.kind == BS_KIND_PATH || k.kind == BS_KIND_SUBTREE) && k.dev == fs_dev))
        ops |= 1u << op;
      // A name is on its directory's filesystem (a file yet to be made there).
      if (k.kind == BS_KIND_NAME && names_here.count(k.id)) ops |= 1u << op;
    }
  }
  return ops & kGuardable;
}

uint32_t protected_ops_above(const Compiled& c, const std::string& mount_point) {
  uint32_t ops = 0;
  std::string p = mount_point;
  while (p.size() > 1) {
    const size_t slash = p.find_last_of('/');
    if (slash == std::string::npos) break;
    p = slash == 0 ? std::string("/") : p.substr(0, slash);
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0) continue;
    const uint32_t dev = kernel_dev(st.st_dev);
    for (const auto& [k, v] : c.rules)
      if (k.kind == BS_KIND_SUBTREE && denies(v) && k.dev == dev && k.id == st.st_ino &&
          (k.op == BS_OP_READ || k.op == BS_OP_WRITE))
        ops |= 1u << k.op;
  }
  return ops & kGuardable;
}

PlaceKeys::PlaceKeys(const Compiled& c, const PlaceChain& chain) : chain_(chain.dirs.begin(), chain.dirs.end()) {
  if (chain.mount_point_exists && !chain.dirs.empty())
    for (const auto& n : c.names)
      if (n.name.dir == chain.dirs[0]) names_.insert(n.id);
}

bool PlaceKeys::covers(const bs_rule_key& k) const {
  return (k.kind == BS_KIND_SUBTREE && chain_.count(InodeId{k.dev, k.id})) ||
         (k.kind == BS_KIND_NAME && names_.count(static_cast<uint32_t>(k.id)));
}

bool place_denies_anything(const Compiled& c, const PlaceChain& chain) {
  const PlaceKeys keys(c, chain);
  return std::any_of(c.rules.begin(), c.rules.end(), [&](const auto& r) { return denies(r.second) && keys.covers(r.first); });
}

uint32_t protected_ops_of_place(const Compiled& c, const Place& p) {
  const PlaceKeys keys(c, p.chain);
  uint32_t ops = 0;
  for (uint8_t op : {static_cast<uint8_t>(BS_OP_READ), static_cast<uint8_t>(BS_OP_WRITE)}) {
    if (default_denies(c, op)) ops |= 1u << op;
    for (const auto& [k, v] : c.rules)
      if (k.op == op && denies(v) &&
          (k.kind == BS_KIND_ANY ||
           (k.kind == BS_KIND_FSTYPE && std::find(p.magics.begin(), p.magics.end(), k.id) != p.magics.end()) ||
           keys.covers(k)))
        ops |= 1u << op;
  }
  return ops & kGuardable;
}

std::vector<std::string> guard_backing_devices(Compiled* c, const std::string& mountinfo, const std::string& sysfs,
                                               const std::string& mountinfo_name, const std::string& proc_devices,
                                               const std::string& proc_devices_name) {
  namespace fs = std::filesystem;
  std::vector<std::string> problems;
  DeviceMap devices;
  MajorMap majors;
  std::istringstream in(mountinfo);
  std::string line;
  int lineno = 0, mounts = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.empty()) continue;
    const std::string where = mountinfo_name + " line " + std::to_string(lineno);
    // ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTIONS
    std::istringstream f(line);
    std::string id, parent, majmin, root, point, word;
    if (!(f >> id >> parent >> majmin >> root >> point)) {
      problems.push_back(where + ": fewer than 5 fields");
      continue;
    }
    while (f >> word && word != "-") {
    }
    std::string fstype, source;
    if (word != "-" || !(f >> fstype >> source)) {
      problems.push_back(where + ": no ' - FSTYPE SOURCE' part");
      continue;
    }
    auto fs_dev = parse_majmin(majmin);
    if (!fs_dev) {
      problems.push_back(where + ": '" + majmin + "' is not a device number MAJOR:MINOR");
      continue;
    }
    ++mounts;
    uint32_t ops = protected_ops_on(*c, *fs_dev, fstype_magic(fstype).value_or(0)) |
                   protected_ops_above(*c, unescape(point));
    if (!ops) continue;
    const std::string what = fstype + " on " + unescape(point) + " (" + where + ")";
    uint32_t block = *fs_dev;
    if ((*fs_dev >> 20) == 0) {
      // An anonymous superblock device (btrfs, for one): the source names
      // the block device, if there is one. A source that is no path
      // (tmpfs, proc, overlay, a network share) or names no block device
      // has no raw device to guard.
      struct stat st {};
      source = unescape(source);
      if (source.empty() || source[0] != '/') continue;
      if (::stat(source.c_str(), &st) != 0) {
        problems.push_back("cannot guard the device under " + what + ": its source " + source + ": " +
                           errno_text(errno));
        continue;
      }
      if (!S_ISBLK(st.st_mode)) continue;
      block = kernel_dev(st.st_rdev);
    }
    std::error_code ec;
    const fs::path node = fs::path(sysfs) / "dev/block" / format_kernel_dev(block);
    if (fs::canonical(node, ec).empty() && !ec) ec = std::make_error_code(std::errc::no_such_file_or_directory);
    if (ec) {
      problems.push_back("cannot guard the device under " + what + ": " + node.string() + ": " + ec.message());
      continue;
    }
    add_device(sysfs, block, ops, &devices, &majors, &c->diagnostics, 0);
  }
  if (mounts == 0) problems.push_back(mountinfo_name + " lists no mounts");
  // Filesystems mounted later whose device the loader found.
  std::vector<LaterDevice> later = c->later_devices;
  for (const auto& p : c->places) {
    const uint32_t ops = p.devices.empty() ? 0 : protected_ops_of_place(*c, p);
    for (const uint32_t dev : p.devices) later.push_back(LaterDevice{dev, ops, p.mount_point});
  }
  for (const auto& d : later) {
    if (!d.ops) continue;
    std::error_code ec;
    const fs::path node = fs::path(sysfs) / "dev/block" / format_kernel_dev(d.dev);
    if (fs::canonical(node, ec).empty() && !ec) ec = std::make_error_code(std::errc::no_such_file_or_directory);
    if (ec) {
      problems.push_back("cannot guard the device of the filesystem the fstab mounts on " + d.mount_point + ": " +
                         node.string() + ": " + ec.message());
      continue;
    }
    add_device(sysfs, d.dev, d.ops, &devices, &majors, &c->diagnostics, 0);
  }
  // Whole majors: a key whose minor is all ones (bootseal.h).
  c->raw_majors.clear();
  if (!majors.empty()) {
    const auto listed = character_majors(proc_devices, proc_devices_name, &problems);
    for (const auto& [name, ops] : majors) {
      uint32_t major = kScsiGenericMajor;
      if (name != kScsiGeneric) {
        auto it = listed.find(name);
        if (it == listed.end()) {
          problems.push_back("cannot guard the " + driver_title(name) + " nodes of a guarded disk made after the loader: " +
                             proc_devices_name + " lists no character driver '" + name + "'");
          continue;
        }
        major = it->second;
      }
      const uint32_t key = major << 20 | BS_RAWDEV_ANY_MINOR;
      devices[{true, key}] |= ops;
      c->raw_majors[major] = driver_title(name);
    }
  }
  c->raw_devices.clear();
  for (const auto& [key, ops] : devices) c->raw_devices.push_back(RawDevice{key.second, key.first, ops});
  std::sort(c->raw_devices.begin(), c->raw_devices.end());
  return problems;
}

}  // namespace bootseal::loader

// SPDX-License-Identifier: GPL-2.0-only
// What libblkid sees on a device or an image file (device_probe.hpp).
#include <fcntl.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <memory>

#include "bootseal/device_probe.hpp"
#include "bootseal/fileio.hpp"
#include "bootseal/partition.hpp"
#include "blkid_util.hpp"

namespace bootseal {

using blkid_util::lookup;
using blkid_util::lower;
using blkid_util::mbr_type;
using blkid_util::ProbePtr;

bool ProbedPartition::bootseal() const { return lower(type) == kPartitionTypeGuid || name == kPartitionLabel; }

Result<DeviceProbe> probe_device(const std::string& path) {
  DeviceProbe d;
  d.path = path;
  ProbePtr pr(blkid_new_probe_from_filename(path.c_str()));
  if (!pr) return make_error(path + ": libblkid cannot open it: " + errno_text(errno));
  d.size = static_cast<uint64_t>(blkid_probe_get_size(pr.get()));
  blkid_probe_enable_superblocks(pr.get(), 1);
  blkid_probe_set_superblocks_flags(pr.get(), BLKID_SUBLKS_TYPE | BLKID_SUBLKS_USAGE);
  blkid_probe_enable_partitions(pr.get(), 1);
  const int rc = blkid_do_safeprobe(pr.get());
  if (rc == -1) return make_error(path + ": libblkid probe failed");
  if (rc == -2) d.ambivalent = true;
  if (rc == 0) {
    d.fstype = lookup(pr.get(), "TYPE");
    d.usage = lookup(pr.get(), "USAGE");
    d.pttype = lookup(pr.get(), "PTTYPE");
  }
  if (!d.pttype.empty()) {
    // A second probe for the partition list itself.
    ProbePtr pp(blkid_new_probe_from_filename(path.c_str()));
    if (!pp) return make_error(path + ": libblkid cannot open it: " + errno_text(errno));
    blkid_partlist ls = blkid_probe_get_partitions(pp.get());
    const int n = ls ? blkid_partlist_numof_partitions(ls) : 0;
    for (int i = 0; i < n; ++i) {
      blkid_partition par = blkid_partlist_get_partition(ls, i);
      ProbedPartition p;
      p.number = blkid_partition_get_partno(par);
      p.start = static_cast<uint64_t>(blkid_partition_get_start(par)) * 512;
      p.size = static_cast<uint64_t>(blkid_partition_get_size(par)) * 512;
      if (const char* t = blkid_partition_get_type_string(par)) p.type = lower(t);
      else p.type = mbr_type(blkid_partition_get_type(par));
      if (const char* nm = blkid_partition_get_name(par)) p.name = nm;
      if (const char* u = blkid_partition_get_uuid(par)) p.uuid = lower(u);
      d.partitions.push_back(std::move(p));
    }
  }
  // bootseal's own magic (libblkid does not know it), then any other bytes.
  auto fd = open_file(path, O_RDONLY);
  if (!fd) return make_error(fd.error());
  std::vector<uint8_t> head(static_cast<size_t>(std::min<uint64_t>(d.size, 1u << 20)));
  auto got = pread_upto(fd->get(), head, 0, path);
  if (!got) return make_error(got.error());
  head.resize(*got);
  d.bootseal_partition = head.size() >= kPartitionMagic.size() &&
                         std::equal(kPartitionMagic.begin(), kPartitionMagic.end(), head.begin());
  if (d.pttype.empty() && d.fstype.empty() && !d.ambivalent && !d.bootseal_partition) {
    auto it = std::find_if(head.begin(), head.end(), [](uint8_t b) { return b != 0; });
    if (it != head.end()) d.nonzero_offset = static_cast<uint64_t>(it - head.begin());
  }
  return d;
}

std::optional<SpecTag> spec_tag(std::string_view spec) {
  static constexpr std::string_view kTags[] = {"UUID", "LABEL", "PARTUUID", "PARTLABEL"};
  const size_t eq = spec.find('=');
  if (eq != std::string_view::npos && spec.front() != '/') {
    SpecTag t{std::string(spec.substr(0, eq)), std::string(spec.substr(eq + 1))};
    if (std::find(std::begin(kTags), std::end(kTags), t.name) == std::end(kTags)) return std::nullopt;
    if (t.value.size() >= 2 && (t.value.front() == '"' || t.value.front() == '\'') && t.value.back() == t.value.front())
      t.value = t.value.substr(1, t.value.size() - 2);
    if (t.value.empty()) return std::nullopt;
    return t;
  }
  // udev's links: the tag's value with unsafe bytes written \xNN.
  static constexpr std::pair<std::string_view, std::string_view> kLinks[] = {
      {"/dev/disk/by-uuid/", "UUID"},
      {"/dev/disk/by-label/", "LABEL"},
      {"/dev/disk/by-partuuid/", "PARTUUID"},
      {"/dev/disk/by-partlabel/", "PARTLABEL"}};
  for (const auto& [prefix, name] : kLinks) {
    if (spec.substr(0, prefix.size()) != prefix) continue;
    const std::string_view enc = spec.substr(prefix.size());
    if (enc.empty() || enc.find('/') != std::string_view::npos) return std::nullopt;
    std::string value;
    for (size_t i = 0; i < enc.size(); ++i) {
      if (enc[i] == '\\' && i + 3 < enc.size() && enc[i + 1] == 'x' && std::isxdigit(static_cast<unsigned char>(enc[i + 2])) &&
          std::isxdigit(static_cast<unsigned char>(enc[i + 3]))) {
        value += static_cast<char>(std::stoi(std::string(enc.substr(i + 2, 2)), nullptr, 16));
        i += 3;
      } else {
        value += enc[i];
      }
    }
    return SpecTag{std::string(name), value};
  }
  return std::nullopt;
}

FilesystemFinder::~FilesystemFinder() {
  if (cache_) blkid_put_cache(cache_);
}

namespace {

// The UUID libblkid's superblock probe reads on a device, and the type
// it finds there (*type, when it finds one).
Result<std::string> uuid_on(const std::string& spec, const std::string& dev, std::string* type) {
  ProbePtr pr(blkid_new_probe_from_filename(dev.c_str()));
  if (!pr) return make_error(spec + ": libblkid cannot open " + dev + ": " + errno_text(errno));
  blkid_probe_enable_superblocks(pr.get(), 1);
  blkid_probe_set_superblocks_flags(pr.get(), BLKID_SUBLKS_UUID | BLKID_SUBLKS_TYPE);
  if (blkid_do_safeprobe(pr.get()) != 0) return make_error(spec + ": libblkid finds no filesystem on " + dev);
  *type = lookup(pr.get(), "TYPE");
  std::string uuid = lookup(pr.get(), "UUID");
  if (uuid.empty()) return make_error(spec + ": the filesystem on " + dev + " has no UUID");
  return uuid;
}

}  // namespace

Result<std::vector<FilesystemIdentity>> FilesystemFinder::find(const std::string& spec) {
  if (const auto it = answers_.find(spec); it != answers_.end()) return it->second;
  return answers_.emplace(spec, look_up(spec)).first->second;
}

Result<std::vector<FilesystemIdentity>> FilesystemFinder::look_up(const std::string& spec) {
  const auto tag = spec_tag(spec);
  if (!tag) {
    if (spec.empty() || spec.front() != '/') return make_error(spec + ": not a tag or device path the loader looks up");
    std::string type;
    auto uuid = uuid_on(spec, spec, &type);
    if (!uuid) return make_error(uuid.error());
    return std::vector<FilesystemIdentity>{{*uuid, spec, {}, type}};
  }
  if (!cache_) {
    // No cache file: what every device holds now, each probed afresh. A
    // scan that fails fails every later spec too (a partial cache would
    // miss devices).
    blkid_cache c = nullptr;
    if (blkid_get_cache(&c, "/dev/null") != 0 || !c) return make_error(spec + ": libblkid cannot make a device cache");
    cache_ = c;
    scanned_ = blkid_probe_all(cache_) == 0;
  }
  if (!scanned_) return make_error(spec + ": libblkid cannot scan the devices");
  std::vector<std::string> devices;
  blkid_dev_iterate it = blkid_dev_iterate_begin(cache_);
  if (!it) return make_error(spec + ": libblkid cannot list the devices");
  blkid_dev_set_search(it, tag->name.c_str(), tag->value.c_str());
  blkid_dev dev = nullptr;
  while (blkid_dev_next(it, &dev) == 0)
    if (const char* name = blkid_dev_devname(dev)) devices.emplace_back(name);
  blkid_dev_iterate_end(it);
  std::sort(devices.begin(), devices.end());
  std::vector<FilesystemIdentity> out;
  if (tag->name == "UUID") {
    for (auto& d : devices) {
      std::string type;
      if (char* t = blkid_get_tag_value(cache_, "TYPE", d.c_str())) {
        type = t;
        std::free(t);
      }
      out.push_back({tag->value, std::move(d), {}, std::move(type)});
    }
    if (out.empty()) out.push_back({tag->value, "", {}, {}});
    return out;
  }
  if (devices.empty()) return make_error(spec + ": no device has it");
  for (auto& d : devices) {
    std::string type;
    auto uuid = uuid_on(spec, d, &type);
    if (uuid) out.push_back({*uuid, std::move(d), {}, std::move(type)});
    else out.push_back({{}, std::move(d), uuid.error(), std::move(type)});
  }
  return out;
}

}  // namespace bootseal

// SPDX-License-Identifier: GPL-2.0-only
// bootseal format: lays out an empty bootseal policy partition, after
// probing what the device holds (its command line is in main.cpp).
#include <algorithm>
#include <iostream>

#include "bootseal/discovery.hpp"
#include "commands.hpp"
#include "common.hpp"
#include "error_exits.hpp"
#include "exit_codes.hpp"

namespace bootseal::tool {
namespace {

// What the probe found that formatting would destroy, or "".
std::string existing_content(const DeviceProbe& p, const std::string& name) {
  if (p.bootseal_partition) {
    std::string what = name + " is already a bootseal partition";
    auto dev = FileDevice::open(p.path, false);
    if (dev) {
      auto st = read_partition(**dev, nullptr);
      if (st && st->serving_slot())
        what += " serving generation " + std::to_string(st->serving_slot()->header->generation) + " in slot " +
                std::string(kSlotNames[*st->serving]) + ", rollback floor " + std::to_string(st->header.floor);
    }
    return what;
  }
  if (!p.pttype.empty())
    return name + " holds a " + p.pttype + " partition table with " + std::to_string(p.partitions.size()) +
           " partitions (name the bootseal partition, or --partition N of an image)";
  if (!p.fstype.empty())
    return name + " holds a " + p.fstype + " signature (" + (p.usage.empty() ? "data" : p.usage) + ")";
  if (p.ambivalent) return name + " holds several conflicting signatures";
  if (p.nonzero_offset)
    return name + " holds data libblkid does not recognise (first non-zero byte at offset " +
           std::to_string(*p.nonzero_offset) + ")";
  return {};
}

}  // namespace

int run_format(const FormatOptions& o) {
  auto target = resolve_target(o.device, o.partition, false);
  if (!target) return fail(target);
  // Probe what is there: the device itself, or the partition's bytes.
  if (target->offset == 0 && !target->length) {
    auto probe = probe_device(o.device);
    if (!probe) return fail(probe);
    const std::string what = existing_content(*probe, target->name);
    if (!what.empty() && !o.force) return fail(kExitRefused, what + "; refusing to format it without --force");
    if (!what.empty()) {
      auto wiped = wipe_signatures(o.device);
      if (!wiped) return fail(wiped);
      for (const auto& w : *wiped) std::cout << o.device << ": erased the " << w << " signature\n";
    }
  } else if (!o.force) {
    auto dev = open_target(*target, false);
    if (!dev) return fail(dev);
    std::vector<uint8_t> head(static_cast<size_t>(std::min<uint64_t>((*dev)->size(), 1 << 20)));
    if (auto r = (*dev)->read(0, head); !r) return fail(exit_code_for(r.kind()), target->name + ": " + r.error());
    auto it = std::find_if(head.begin(), head.end(), [](uint8_t b) { return b != 0; });
    if (it != head.end())
      return fail(kExitRefused, target->name + " holds data (first non-zero byte at offset " +
                                    std::to_string(it - head.begin()) + "); refusing to format it without --force");
  }
  auto dev = open_target(*target, true);
  if (!dev) return fail(dev);
  auto h = format_partition(**dev);
  if (!h) return fail(h);
  std::cout << target->name << ": formatted as a bootseal partition: slot A at offset " << h->slot_offset[0]
            << ", slot B at offset " << h->slot_offset[1] << ", " << h->slot_size << " bytes each (blobs up to "
            << slot_capacity(*h) << " bytes), rollback floor 0\n";
  return kExitOk;
}

}  // namespace bootseal::tool

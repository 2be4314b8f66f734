// SPDX-License-Identifier: GPL-2.0-only
#include "bootseal/loader/places.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bootseal/language.hpp"

namespace bootseal::loader {

namespace {
// An fstab type that is one type: not `auto`, not a list.
bool names_one_type(const std::string& type) { return type != "auto" && type.find(',') == std::string::npos; }
}  // namespace

// The filesystems the fstab mounts after the loader whose place holds a
// deny of a subtree rule above them or of a name at their mount point
// (docs/ENFORCER.md, "Filesystems mounted later"): their UUIDs and the
// directories of their places, so that the enforcer finds those denials
// wherever the filesystem is reached. One it cannot identify is protected
// only where it is mounted, and the log says so.
std::vector<std::string> find_places(const RootResolver& resolver, const DeviceResolver& resolve_device,
                                     const std::vector<FstabEntry>& fstab, const std::string& fstab_name,
                                     const FilesystemLookup& find, Compiled* c) {
  std::vector<std::string> warnings;
  // No block device of their own (btrfs has one, but one UUID for every
  // subvolume: see below).
  static const std::set<std::string, std::less<>> kNoPlace = {
      "tmpfs", "proc", "sysfs", "devtmpfs", "devpts", "ramfs", "cgroup", "cgroup2", "efivarfs", "securityfs",
      "debugfs", "tracefs", "hugetlbfs", "mqueue", "nfs", "nfs4", "cifs", "smb3", "9p", "virtiofs", "fuse",
      "fuseblk", "overlay", "swap", "none", "autofs", "zfs"};
  const auto has_no_place = [](std::string_view type) {
    return kNoPlace.find(type) != kNoPlace.end() || type.rfind("fuse.", 0) == 0;
  };
  // Each UUID placed: the line that placed it.
  std::map<std::array<uint8_t, 16>, const FstabEntry*> owner;
  for (const auto& e : fstab) {
    // A list ("udf,iso9660"): mount(8) tries each type in turn.
    const auto types = fstab_types(e.type);
    const bool may_be_btrfs = fstab_type_may_be(e.type, "btrfs");
    if (e.mount_point == "/" || (!may_be_btrfs && std::all_of(types.begin(), types.end(), has_no_place))) continue;
    const bool btrfs_only = e.type == "btrfs";
    // The type the system mounts: the line's when it names one, else what
    // libblkid finds on the device ("auto", a list that has it; "" for
    // one the list has not, which does not mount there).
    const bool type_named = names_one_type(e.type);
    static const std::string kNone;
    const auto type_of = [&](const FilesystemIdentity& id) -> const std::string& {
      if (type_named) return e.type;
      return e.type == "auto" || fstab_type_may_be(e.type, id.type) ? id.type : kNone;
    };
    std::string why;
    auto chain = resolver.place_chain(e.mount_point, &why);
    if (chain && (chain->mounted_now || !place_denies_anything(*c, *chain))) continue;
    const std::string where = fstab_line_name(fstab_name, e);
    auto unidentified = [&](const std::string& reason) {
      warnings.push_back(where + ": " + reason + "; the rules of its place hold for it only where it is mounted there");
    };
    // A device this line's spec found, guarded for the denials of the
    // line's place whether or not the filesystem gets a place of its own.
    const auto block_device = [&](const std::string& path) -> uint32_t {
      const auto d = path.empty() ? std::nullopt : resolve_device(path, nullptr);
      return d && !d->character ? d->rdev : 0;
    };
    // The fstype magics of the line's types and of the type found on the
    // device: the `fstype` denials that guard it.
    const auto magics_of = [&](const FilesystemIdentity* id) {
      auto magics = fstab_fstype_magics(e.type);
      if (const auto m = id && !type_named ? fstype_magic(type_of(*id)) : std::nullopt;
          m && std::find(magics.begin(), magics.end(), *m) == magics.end())
        magics.push_back(*m);
      return magics;
    };
    const auto guard_too = [&](const FilesystemIdentity& id) {
      if (const uint32_t dev = block_device(id.device))
        c->later_devices.push_back(
            {dev, protected_ops_of_place(*c, Place{{}, e.mount_point, *chain, {}, magics_of(&id)}), e.mount_point});
    };
    // btrfs: not placed (every subvolume has the filesystem's UUID), its
    // devices guarded. For `auto` or a list, each device found as btrfs
    // (one may be a decoy with the line's label beside the real one,
    // which is placed all the same).
    if (btrfs_only) {
      if (!chain) continue;
      unidentified("btrfs subvolumes share one UUID");
      if (auto ids = find(e.spec))
        for (const auto& id : *ids) guard_too(id);
      continue;
    }
    if (!chain) {
      unidentified(why);
      continue;
    }
    if (!names_a_device(e.spec)) {
      unidentified("not a device");
      continue;
    }
    auto ids = find(e.spec);
    if (!ids) {
      unidentified(ids.error());
      continue;
    }
    // A btrfs has no place whatever the line says (a decoy given an ext4
    // line's label included).
    const auto is_btrfs = [&](const FilesystemIdentity& id) { return id.type == "btrfs" || type_of(id) == "btrfs"; };
    if (ids->size() > 1) {
      std::string list;
      for (const auto& id : *ids) list += (list.empty() ? "" : ", ") + id.device;
      const bool btrfs = std::any_of(ids->begin(), ids->end(), is_btrfs);
      warnings.push_back(where + ": " + std::to_string(ids->size()) + " devices have " + e.spec + " (" + list +
                         "); whichever is mounted there, each is placed" + (btrfs ? " (but a btrfs)" : "") +
                         " and its device guarded");
    }
    // The devices of each UUID the spec names (a copy of a filesystem's
    // UUID on another device gives one place with two devices), and those
    // whose UUID cannot be placed: guarded all the same (one of them may
    // be what the system mounts there).
    std::vector<std::pair<std::array<uint8_t, 16>, std::vector<const FilesystemIdentity*>>> found;
    for (const auto& id : *ids) {
      if (is_btrfs(id)) {
        unidentified(id.device + " holds a btrfs, whose subvolumes share one UUID; that device has no place");
        guard_too(id);
        continue;
      }
      auto uuid = id.problem.empty() ? parse_fs_uuid(id.uuid) : std::nullopt;
      if (uuid && is_device_place_key(*uuid)) {
        unidentified("its UUID " + id.uuid + " begins as the enforcer's device keys do, which it never places");
        guard_too(id);
        continue;
      }
      // FAT and exFAT: a 32-bit serial, no UUID in the superblock; the
      // enforcer keys them by their device. Not behind an automount: the
      // autofs on the place would be refused, and the ESP's mount with it.
      if (!uuid && id.problem.empty() && device_placed_type(type_of(id)) && !e.automount)
        if (const uint32_t dev = block_device(id.device)) uuid = device_place_key(dev);
      if (!uuid) {
        if (!id.problem.empty()) warnings.push_back(where + ": " + id.problem + "; that device has no place");
        else unidentified("its UUID " + id.uuid + " is not a 128-bit one the kernel keeps");
        guard_too(id);
        continue;
      }
      auto it = std::find_if(found.begin(), found.end(), [&](const auto& f) { return f.first == *uuid; });
      if (it == found.end()) found.push_back({*uuid, {&id}});
      else it->second.push_back(&id);
    }
    for (const auto& [uuid, of_uuid] : found) {
      const std::string& uuid_text = of_uuid.front()->uuid;
      if (auto prior = owner.find(uuid); prior != owner.end()) {
        // Another line has it: the place is that line's, the devices are
        // guarded for this line's denials as well.
        for (const auto* id : of_uuid) guard_too(*id);
        const FstabEntry& pe = *prior->second;
        // One filesystem listed twice: by its UUID both times, or by one
        // and the same tag (a decoy cannot answer those differently).
        const auto tag = spec_tag(e.spec), prior_tag = spec_tag(pe.spec);
        if (tag && prior_tag && ((tag->name == "UUID" && prior_tag->name == "UUID") || *tag == *prior_tag)) {
          unidentified("another line of it names the same filesystem (UUID " + uuid_text + ")");
        } else {
          // A device given another line's label or UUID: which place the
          // filesystem has would be the attacker's choice.
          c->diagnostics.push_back(Diagnostic{
              -1, e.mount_point,
              where + ": UUID " + uuid_text + " is also found for line " +
                  std::to_string(pe.line) + " (" + pe.spec + " on " + quote_if_needed(pe.mount_point) +
                  "): one filesystem cannot have two places",
              true});
        }
        continue;
      }
      if (c->places.size() >= kMaxPlaces) {
        c->diagnostics.push_back(Diagnostic{-1, e.mount_point,
                                            where + ": UUID " + uuid_text + " would be place " +
                                                std::to_string(c->places.size() + 1) + "; the enforcer holds " +
                                                std::to_string(kMaxPlaces),
                                            true});
        continue;
      }
      Place place{uuid, e.mount_point, *chain, {}, {}};
      for (const auto* id : of_uuid)
        for (const uint64_t m : magics_of(id))
          if (std::find(place.magics.begin(), place.magics.end(), m) == place.magics.end()) place.magics.push_back(m);
      if (e.automount && place.chain.mount_point_exists)
        warnings.push_back(where +
                           ": x-systemd.automount puts an autofs on the place first, and the enforcer mounts "
                           "nothing but the filesystem placed there on it: that mount and the filesystem's own "
                           "on top of it are refused; mount it at boot instead");
      // Its devices, guarded against raw writes like those of the
      // filesystems mounted now (guard_backing_devices).
      const uint32_t ops = protected_ops_of_place(*c, place);
      for (const auto* id : of_uuid)
        if (const uint32_t dev = block_device(id->device)) place.devices.push_back(dev);
      if (place.devices.empty() && ops)
        warnings.push_back(where + ": no device has UUID " + uuid_text +
                           " now; raw writes to the device it is on later are not refused");
      // fsck opens the device for writing: refused without a device rule
      // that names its program (systemd-fsck would log the failure and go
      // on). Of several devices with the UUID, fsck checks the one udev's
      // link names, as the rule's path does.
      const bool fsck_allowed = std::any_of(place.devices.begin(), place.devices.end(), [&](uint32_t dev) {
        return std::any_of(c->rules.begin(), c->rules.end(), [&](const auto& r) {
          return r.first.kind == BS_KIND_DEVICE && r.first.op == BS_OP_WRITE && r.first.dev == dev &&
                 r.first.subject != BS_SUBJECT_ANY &&
                 (r.second.action == BS_ACT_ALLOW || r.second.run_action == BS_ACT_ALLOW);
        });
      });
      if (!place.devices.empty() && (ops & (1u << BS_OP_WRITE)) && e.pass && !fsck_allowed) {
        const std::string fsck = fsck_program(type_of(*of_uuid.front()));
        const std::string rule = "allow write device /dev/disk/by-uuid/" + uuid_text + " by ";
        warnings.push_back(where + ": its device is guarded against raw writes, so the boot's fsck (pass " +
                           std::to_string(e.pass) + ") cannot check it; to let it, add " +
                           (fsck.empty() ? "`" + rule + "PROGRAM`, PROGRAM the fsck of its filesystem type"
                                         : "`" + rule + fsck + "`"));
      }
      owner[uuid] = &e;
      c->places.push_back(std::move(place));
    }
  }
  mark_place_mount_points(c);
  return warnings;
}

void find_mount_types(std::vector<FstabEntry>* fstab, const FilesystemLookup& find) {
  for (auto& e : *fstab) {
    if (names_one_type(e.type) || e.noauto || !names_a_device(e.spec)) continue;
    const auto ids = find(e.spec);
    if (!ids || ids->empty()) continue;
    const std::string& type = ids->front().type;
    const bool agree = std::all_of(ids->begin(), ids->end(), [&](const auto& id) { return id.type == type; });
    if (!agree || type.empty() || (e.type != "auto" && !fstab_type_may_be(e.type, type))) continue;
    e.found_type = type;
  }
}

bool names_a_device(const std::string& spec) {
  return spec.find('=') != std::string::npos || (!spec.empty() && spec.front() == '/');
}

std::string fsck_program(const std::string& type) {
  if (type.empty() || type == "auto" || type.find(',') != std::string::npos) return {};
  if (type == "ext4" || type == "ext3" || type == "ext2") return "/usr/sbin/e2fsck";
  return "/usr/sbin/fsck." + type;
}

}  // namespace bootseal::loader

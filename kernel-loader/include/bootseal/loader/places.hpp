// SPDX-License-Identifier: GPL-2.0-only
// Places: the filesystems the fstab mounts after the loader, identified by
// the UUID libblkid finds on the devices their lines name, so that the
// enforcer finds the denials of their mount points wherever they are
// reached (docs/ENFORCER.md, "Filesystems mounted later").
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "bootseal/device_probe.hpp"
#include "bootseal/loader/compiler.hpp"
#include "bootseal/result.hpp"

namespace bootseal::loader {

// The filesystems an fstab spec (UUID=, LABEL=, a device path) names now;
// FilesystemFinder::find on the machine.
using FilesystemLookup = std::function<Result<std::vector<FilesystemIdentity>>(const std::string& spec)>;

// Adds to `c` a place for each fstab line whose filesystem is mounted
// after the loader on a place that holds a denial (a subtree rule above it
// or a name at its mount point), and guards the devices of such lines
// (`later_devices`), placed or not. Returns the warnings for the log, each
// naming its fstab line: filesystems that cannot be identified (their
// place's rules hold for them only where they are mounted there), several
// devices with one UUID, the boot's fsck on a guarded device. A line whose
// UUID another line already placed, or one place too many, adds an
// unenforceable diagnostic to `c` instead.
std::vector<std::string> find_places(const RootResolver& resolver, const DeviceResolver& resolve_device,
                                     const std::vector<FstabEntry>& fstab, const std::string& fstab_name,
                                     const FilesystemLookup& find, Compiled* c);

// Sets `found_type` of each line that says `auto` or gives a list: the
// type libblkid finds on the devices its spec names, when every one has
// a type, all the same, and the list has it. Not for `noauto` lines:
// their removable media (a CD-ROM or floppy drive, as Debian's installer
// writes them) are not probed at every boot for it (find_places probes
// them when their place holds a denial). The devices may hold
// something else by the time the system mounts them; the enforcer checks
// what is mounted (docs/ENFORCER.md, "Filesystems mounted later").
void find_mount_types(std::vector<FstabEntry>* fstab, const FilesystemLookup& find);

// Whether an fstab spec names a device to look up: a tag (LABEL=, UUID=,
// ...) or a path; not `tmpfs`, `proc` or a server's `host:/export`.
bool names_a_device(const std::string& spec);

// The program the boot's fsck runs for a filesystem of type `type`
// (e2fsck for the ext family), "" for a type it cannot know ("auto", none,
// a list).
std::string fsck_program(const std::string& type);

}  // namespace bootseal::loader

// SPDX-License-Identifier: GPL-2.0-only
// Discovery of policy sources, shared by bootseal-loader and bootseal:
// policy partitions (by GPT type GUID, PARTLABEL or a named device, probed
// with libblkid; image files count as devices), the trailer of a kernel
// image (a named one, or the running kernel's under a root), plain files.
// Every source looked at is reported with what it held or why it was
// skipped. The choice rule is in FORMAT.md, "Discovery".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bootseal/device_probe.hpp"
#include "bootseal/partition.hpp"
#include "bootseal/policy.hpp"
#include "bootseal/result.hpp"
#include "bootseal/seal.hpp"

namespace bootseal {


// ---------------------------------------------------------------------------
// Discovery.

enum class SourceKind { partition, trailer, file };
std::string_view to_string(SourceKind k);

struct Source {
  SourceKind kind = SourceKind::partition;
  std::string path;         // the device, disk image, kernel image or file read
  uint64_t offset = 0;      // partition: its start within path (0 for a named partition)
  std::optional<uint64_t> length;  // partition: its size when inside a disk
  std::string description;  // for people: "/dev/vda3 (partition 3 of /dev/vda, PARTLABEL bootseal)"
};

// A valid policy found at a source.
struct Candidate {
  Source source;
  std::optional<int> slot;  // partition sources: the slot that serves
  std::vector<uint8_t> blob;
  Document document;
  Kid kid{};
  int alg = 0;
  bool verified = false;  // checked against the trust store (always, when one was given)
  uint64_t generation() const { return document.generation; }
};

// One source looked at, for the loader's log and `bootseal inspect`.
struct Examined {
  Source source;
  bool usable = false;  // it yielded a candidate
  std::string outcome;  // "generation 4 in slot B" or why it was skipped
  std::vector<std::string> details;  // per slot / per header copy notes
};

struct DiscoveryRequest {
  // Named devices or disk images, in order. One with a partition table is
  // searched for bootseal partitions (type GUID or PARTLABEL); one without
  // is read as a bootseal partition itself.
  std::vector<std::string> devices;
  // Probe every disk listed in <sysfs>/class/block (device nodes under dev).
  bool scan_block_devices = false;
  std::string sysfs = "/sys";
  std::string dev = "/dev";
  // Kernel images whose trailer to read.
  std::vector<std::string> kernel_images;
  // The running kernel's image under this root: BOOT_IMAGE= from `cmdline`
  // (tried under root, then under root/boot), else
  // root/boot/vmlinuz-<kernel_release>.
  std::optional<std::string> running_kernel_root;
  std::string cmdline;         // the kernel command line (the caller reads /proc/cmdline)
  std::string kernel_release;  // "" = uname -r
  // Plain files holding a sealed blob.
  std::vector<std::string> files;
  // With a trust store only blobs that verify count; without, well-formed
  // blobs count, unverified (inspection only).
  const TrustStore* trust = nullptr;
  // Lowest generation accepted (e.g. the floor baked into the initramfs).
  uint64_t floor = 0;
  // Only policies of this name count ("" = any): loader.conf's `policy`.
  std::string policy_name;
  // Where that floor comes from, for the refusals ("the TPM's NV index
  // 0x01d10250"); empty: not named.
  std::string floor_origin;
};

struct DiscoveryReport {
  std::vector<Candidate> candidates;  // in source order
  std::optional<size_t> chosen;       // index into candidates
  std::vector<Examined> examined;     // every source looked at, in order
  const Candidate* choice() const { return chosen ? &candidates[*chosen] : nullptr; }
};

// Looks at every source of the request in this order: named devices, scanned
// disks (by name), named kernel images, the running kernel's image, files.
// Chooses the highest generation; among equal generations the first in
// that order.
DiscoveryReport discover(const DiscoveryRequest& request);

// BOOT_IMAGE= of a kernel command line with a GRUB device prefix such as
// "(hd0,gpt2)" removed; "" when absent.
std::string boot_image_from_cmdline(std::string_view cmdline);

}  // namespace bootseal

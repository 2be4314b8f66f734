// SPDX-License-Identifier: GPL-2.0-only
// Shared pieces of the bootseal subcommands: messages, the trust store,
// device targets and the printing of partitions and policies.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>

#include "bootseal/partition.hpp"
#include "bootseal/seal.hpp"
#include "bootseal/view.hpp"

namespace bootseal::tool {

inline constexpr const char* kDefaultTrustStore = "/etc/bootseal/trusted.d";

// Prints "bootseal: MESSAGE" to stderr and returns code.
int fail(int code, const std::string& message);

// The trust store named by --trust, or the default one. With required =
// false a missing default store gives nothing (inspection unverified).
struct Trust {
  std::optional<TrustStore> store;
  std::string origin;  // the file or directory it was loaded from
  const TrustStore* get() const { return store ? &*store : nullptr; }
  view::TrustView view() const { return {origin, store.has_value()}; }
};
Result<Trust> load_trust(const std::string& option, bool required);

// Where a device-taking command reads and writes: a partition device or an
// image holding a bootseal partition, or one partition of a disk (image).
struct Target {
  std::string path;
  uint64_t offset = 0;
  std::optional<uint64_t> length;
  std::string name;  // for messages
};
// `partition` selects partition N of a disk; without it, a disk with a
// partition table and exactly one bootseal partition (type GUID or
// PARTLABEL) resolves to it when auto_select is set.
Result<Target> resolve_target(const std::string& device, std::optional<int> partition, bool auto_select);
Result<std::unique_ptr<FileDevice>> open_target(const Target& t, bool writable);

// What the initramfs carries is copied from /etc/bootseal when it is
// generated (initramfs-hooks/): the trust store, loader.conf (with its own
// rollback floor). These print a "note:" to `out` when a change the tool
// made takes effect at boot only after the initramfs is regenerated.
inline constexpr const char* kEtcDir = "/etc/bootseal";
inline constexpr const char* kRegenerate = "regenerate the initramfs (dracut --force, or update-initramfs -u)";
// The key that signed what was just installed must be in the trust store
// the initramfs copies, and that copy must be newer than the store.
void note_initramfs_trust(std::ostream& out, const Kid& kid, const std::string& what);
// The same note as text; `stale` when regenerating the initramfs fixes it
// (the trust store changed after the running kernel's initramfs was made).
struct InitramfsNote {
  std::string text;
  bool stale = false;
};
std::optional<InitramfsNote> initramfs_trust_note(const Kid& kid, const std::string& what,
                                                  const std::string& trust_store = kDefaultTrustStore);
// The partition's floor was raised to `floor`; the initramfs' own floor
// (loader.conf) stays where it was until changed and regenerated.
void note_initramfs_floor(std::ostream& out, uint64_t floor);

// The text renderers of the shared views (their JSON is view::to_json).
// A policy: a summary line, the signature, the policy text.
void print_policy(std::ostream& out, const view::PolicyView& policy, const view::SignatureView& signature,
                  const std::string& indent);
void print_partition(std::ostream& out, const view::PartitionView& p);

}  // namespace bootseal::tool

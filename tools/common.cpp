// SPDX-License-Identifier: GPL-2.0-only
#include "common.hpp"

#include <sys/utsname.h>

#include <filesystem>
#include <iostream>
#include <sstream>

#include "bootseal/discovery.hpp"
#include "bootseal/language.hpp"

namespace bootseal::tool {

int fail(int code, const std::string& message) {
  std::cerr << "bootseal: " << message << "\n";
  return code;
}

Result<Trust> load_trust(const std::string& option, bool required) {
  Trust t;
  t.origin = option.empty() ? kDefaultTrustStore : option;
  std::error_code ec;
  if (option.empty() && !std::filesystem::exists(t.origin, ec)) {
    if (!required) return t;
    return make_error(std::string("no trust store: ") + kDefaultTrustStore +
                      " does not exist; pass --trust PEM_OR_DIR");
  }
  auto ts = TrustStore::load(t.origin);
  if (!ts) return make_error(ts.error());
  t.store = std::move(ts).value();
  return t;
}

Result<Target> resolve_target(const std::string& device, std::optional<int> partition, bool auto_select) {
  auto probe = probe_device(device);
  if (!probe) return make_error(probe.error());
  Target t{device, 0, std::nullopt, device};
  if (!partition) {
    if (probe->bootseal_partition || probe->pttype.empty() || !auto_select) return t;
    const ProbedPartition* found = nullptr;
    for (const auto& p : probe->partitions) {
      if (!p.bootseal()) continue;
      if (found)
        return make_error(device + ": holds several bootseal partitions (" + std::to_string(found->number) +
                          " and " + std::to_string(p.number) + "); choose one with --partition N");
      found = &p;
    }
    if (!found)
      return make_error(device + ": holds a " + probe->pttype +
                        " partition table without a bootseal partition (type GUID " +
                        std::string(kPartitionTypeGuid) + " or PARTLABEL " + std::string(kPartitionLabel) + ")");
    partition = found->number;
  }
  if (probe->pttype.empty()) return make_error(device + ": has no partition table; --partition needs a disk");
  for (const auto& p : probe->partitions) {
    if (p.number != *partition) continue;
    t.offset = p.start;
    t.length = p.size;
    t.name = device + " partition " + std::to_string(p.number);
    return t;
  }
  return make_error(device + ": has no partition " + std::to_string(*partition));
}

Result<std::unique_ptr<FileDevice>> open_target(const Target& t, bool writable) {
  return FileDevice::open(t.path, writable, t.offset, t.length, t.name);
}

namespace {

// The newest modification time of `dir` and the *.pem files in it.
std::optional<std::filesystem::file_time_type> newest_pem(const std::filesystem::path& dir) {
  std::error_code ec;
  auto newest = std::filesystem::last_write_time(dir, ec);
  if (ec) return std::nullopt;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.path().extension() != ".pem") continue;
    const auto t = e.last_write_time(ec);
    if (!ec && t > newest) newest = t;
  }
  return newest;
}

// The initramfs of the running kernel, where Debian's dracut and
// initramfs-tools both put it.
std::optional<std::filesystem::path> running_initramfs() {
  struct utsname u {};
  if (uname(&u) != 0) return std::nullopt;
  std::filesystem::path p = std::string("/boot/initrd.img-") + u.release;
  std::error_code ec;
  if (!std::filesystem::exists(p, ec)) return std::nullopt;
  return p;
}

}  // namespace

std::optional<InitramfsNote> initramfs_trust_note(const Kid& kid, const std::string& what,
                                                  const std::string& trust_store) {
  const std::filesystem::path store = trust_store;
  std::error_code ec;
  std::optional<TrustStore> ts;
  if (std::filesystem::exists(store, ec))
    if (auto loaded = TrustStore::load(store)) ts = std::move(loaded).value();
  if (!ts || !ts->find(kid)) {
    return InitramfsNote{"note: the key that signed " + what + " is not in " + store.string() +
                             ", the trust store the initramfs carries: add its public key there and " + kRegenerate +
                             ", or the loader will refuse this policy at boot\n",
                         false};
  }
  const auto initramfs = running_initramfs();
  const auto changed = newest_pem(store);
  if (!initramfs || !changed) return std::nullopt;
  const auto built = std::filesystem::last_write_time(*initramfs, ec);
  if (!ec && *changed > built)
    return InitramfsNote{"note: " + store.string() + " changed after " + initramfs->string() + " was generated: " +
                             kRegenerate + " so that the loader trusts the same keys\n",
                         true};
  return std::nullopt;
}

void note_initramfs_trust(std::ostream& out, const Kid& kid, const std::string& what) {
  if (auto n = initramfs_trust_note(kid, what)) out << n->text;
}

void note_initramfs_floor(std::ostream& out, uint64_t floor) {
  out << "note: the initramfs keeps its own rollback floor ('floor' in " << kEtcDir
      << "/loader.conf); to have it refuse generations below " << floor << " too, set 'floor = " << floor
      << "' there and " << kRegenerate << "\n";
}

void print_policy(std::ostream& out, const view::PolicyView& policy, const view::SignatureView& signature,
                  const std::string& indent) {
  out << indent << "policy " << quote(policy.name) << ", generation " << policy.generation << ", mode "
      << policy.mode << ", " << policy.rules.size() << " rules\n";
  out << indent << "signed with " << view::alg_name(signature.alg) << ", kid "
      << (signature.kid ? to_hex(*signature.kid) : std::string("(none)")) << ": "
      << (signature.verified() ? "verified" : "NOT verified (no trust store)") << "\n";
  out << indent << "policy text:\n";
  std::istringstream text(policy.text);
  for (std::string line; std::getline(text, line);) {
    if (line.empty())
      out << "\n";
    else
      out << indent << "  " << line << "\n";
  }
}

void print_partition(std::ostream& out, const view::PartitionView& p) {
  out << p.device << ": bootseal partition, 2 slots of " << p.slot_size << " bytes (blobs up to " << p.capacity
      << " bytes), rollback floor " << p.floor << "\n";
  for (const auto& hc : p.header_copies) {
    out << "  header copy " << hc.copy << " (offset " << hc.offset << "): ";
    if (hc.valid)
      out << "ok, sequence " << hc.sequence.value_or(0) << ", floor " << hc.floor.value_or(0)
          << (hc.in_use ? " (in use)" : "") << "\n";
    else
      out << "invalid: " << hc.reason << "\n";
  }
  for (const auto& s : p.slots) {
    out << "  slot " << s.slot << " (offset " << s.offset << "): " << s.state;
    if (s.header && s.policy)
      out << ", generation " << s.header->generation << ", sequence " << s.header->sequence << ", "
          << s.header->payload_length << " bytes";
    if (p.serving == s.slot) out << "  <- serves";
    if (!s.reason.empty()) out << "\n    " << s.reason;
    out << "\n";
    if (s.policy && s.signature) print_policy(out, *s.policy, *s.signature, "    ");
  }
  if (!p.serving) out << "  no slot serves a policy\n";
  if (!p.trust.loaded) out << "  (no trust store at " << p.trust.origin << ": signatures were not checked)\n";
}

}  // namespace bootseal::tool

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

void add_trust_option(CLI::App* sub, std::string& into) {
  sub->add_option("--trust,-t", into,
                  std::string("Trusted public keys: one PEM file or a directory of *.pem (default ") +
                      kDefaultTrustStore + ")");
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

void note_initramfs_trust(std::ostream& out, const Kid& kid, const std::string& what) {
  const std::filesystem::path store = kDefaultTrustStore;
  std::error_code ec;
  std::optional<TrustStore> ts;
  if (std::filesystem::exists(store, ec))
    if (auto loaded = TrustStore::load(store)) ts = std::move(loaded).value();
  if (!ts || !ts->find(kid)) {
    out << "note: the key that signed " << what << " is not in " << store.string()
        << ", the trust store the initramfs carries: add its public key there and " << kRegenerate
        << ", or the loader will refuse this policy at boot\n";
    return;
  }
  const auto initramfs = running_initramfs();
  const auto changed = newest_pem(store);
  if (!initramfs || !changed) return;
  const auto built = std::filesystem::last_write_time(*initramfs, ec);
  if (!ec && *changed > built)
    out << "note: " << store.string() << " changed after " << initramfs->string() << " was generated: "
        << kRegenerate << " so that the loader trusts the same keys\n";
}

void note_initramfs_floor(std::ostream& out, uint64_t floor) {
  out << "note: the initramfs keeps its own rollback floor ('floor' in " << kEtcDir
      << "/loader.conf); to have it refuse generations below " << floor << " too, set 'floor = " << floor
      << "' there and " << kRegenerate << "\n";
}

std::string alg_name(int alg) {
  for (Alg a : {Alg::eddsa, Alg::es256, Alg::es384, Alg::ps256})
    if (static_cast<int>(a) == alg) return std::string(to_string(a));
  return std::to_string(alg);
}

nlohmann::json policy_json(const Document& doc, const Kid& kid, int alg, bool verified) {
  nlohmann::json machines = nlohmann::json::array();
  for (const auto& m : doc.machines) machines.push_back(to_string(m));
  return {
      {"name", doc.name},
      {"generation", doc.generation},
      {"mode", std::string(to_string(doc.mode))},
      {"description", doc.description},
      {"machines", machines},
      {"rules", doc.rules.size()},
      {"kid", to_hex(kid)},
      {"alg", alg_name(alg)},
      {"verified", verified},
      {"text", format_policy(doc)},
  };
}

void print_policy(std::ostream& out, const Document& doc, const Kid& kid, int alg, bool verified,
                  const std::string& indent) {
  out << indent << "policy " << quote(doc.name) << ", generation " << doc.generation << ", mode "
      << to_string(doc.mode) << ", " << doc.rules.size() << " rules\n";
  out << indent << "signed with " << alg_name(alg) << ", kid " << to_hex(kid) << ": "
      << (verified ? "verified" : "NOT verified (no trust store)") << "\n";
  out << indent << "policy text:\n";
  std::istringstream text(format_policy(doc));
  for (std::string line; std::getline(text, line);) {
    if (line.empty())
      out << "\n";
    else
      out << indent << "  " << line << "\n";
  }
}

namespace {

nlohmann::json slot_json(const SlotInfo& s) {
  nlohmann::json j = {
      {"slot", std::string(kSlotNames[s.index])},
      {"offset", s.offset},
      {"state", std::string(to_string(s.state))},
      {"reason", s.reason},
  };
  if (s.header) {
    j["generation"] = s.header->generation;
    j["sequence"] = s.header->sequence;
    j["payload_length"] = s.header->payload_length;
    j["payload_sha256"] = to_hex(s.header->payload_sha256);
  }
  if (s.document) j["policy"] = policy_json(*s.document, s.kid, s.alg, s.verified);
  return j;
}

}  // namespace

nlohmann::json partition_json(const PartitionState& ps, const Trust& trust) {
  nlohmann::json copies = nlohmann::json::array();
  for (size_t c = 0; c < 2; ++c) {
    const auto& hc = ps.header_copies[c];
    nlohmann::json j = {{"copy", c + 1}, {"offset", hc.offset}, {"valid", hc.valid}, {"reason", hc.reason}};
    if (hc.header) {
      j["sequence"] = hc.header->sequence;
      j["floor"] = hc.header->floor;
    }
    copies.push_back(j);
  }
  nlohmann::json slots = nlohmann::json::array();
  for (const auto& s : ps.slots) slots.push_back(slot_json(s));
  return {
      {"device", ps.device},
      {"floor", ps.header.floor},
      {"slot_size", ps.header.slot_size},
      {"capacity", slot_capacity(ps.header)},
      {"header_copies", copies},
      {"slots", slots},
      {"serving", ps.serving ? nlohmann::json(std::string(kSlotNames[*ps.serving])) : nlohmann::json(nullptr)},
      {"trust", trust.store ? nlohmann::json(trust.origin) : nlohmann::json(nullptr)},
  };
}

void print_partition(std::ostream& out, const PartitionState& ps, const Trust& trust) {
  out << ps.device << ": bootseal partition, 2 slots of " << ps.header.slot_size << " bytes (blobs up to "
      << slot_capacity(ps.header) << " bytes), rollback floor " << ps.header.floor << "\n";
  for (size_t c = 0; c < 2; ++c) {
    const auto& hc = ps.header_copies[c];
    out << "  header copy " << c + 1 << " (offset " << hc.offset << "): ";
    if (hc.valid)
      out << "ok, sequence " << hc.header->sequence << ", floor " << hc.header->floor
          << (static_cast<int>(c) == ps.header_copy ? " (in use)" : "") << "\n";
    else
      out << "invalid: " << hc.reason << "\n";
  }
  for (const auto& s : ps.slots) {
    out << "  slot " << kSlotNames[s.index] << " (offset " << s.offset << "): " << to_string(s.state);
    if (s.header && s.document)
      out << ", generation " << s.header->generation << ", sequence " << s.header->sequence << ", "
          << s.header->payload_length << " bytes";
    if (ps.serving && *ps.serving == s.index) out << "  <- serves";
    if (!s.reason.empty()) out << "\n    " << s.reason;
    out << "\n";
    if (s.document) print_policy(out, *s.document, s.kid, s.alg, s.verified, "    ");
  }
  if (!ps.serving) out << "  no slot serves a policy\n";
  if (!trust.store) out << "  (no trust store at " << trust.origin << ": signatures were not checked)\n";
}

}  // namespace bootseal::tool

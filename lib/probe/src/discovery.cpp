// SPDX-License-Identifier: GPL-2.0-only
// Discovery of policy sources (FORMAT.md, "Discovery").
#include "bootseal/discovery.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

#include "bootseal/cmdline.hpp"
#include "bootseal/fileio.hpp"
#include "bootseal/language.hpp"
#include "bootseal/trailer.hpp"

namespace bootseal {
namespace {

namespace fs = std::filesystem;

// The number a one-line sysfs attribute (size, partition) holds; 0 when it
// cannot be read or is not a number.
uint64_t sysfs_number(const fs::path& attribute) {
  auto line = read_first_line(attribute, 64);
  if (!line) return 0;
  const char* begin = line->data();
  while (begin != line->data() + line->size() && *begin == ' ') ++begin;
  uint64_t value = 0;
  const auto [end, ec] = std::from_chars(begin, line->data() + line->size(), value);
  return ec == std::errc() && end != begin ? value : 0;
}

std::string slot_note(const SlotInfo& s) {
  std::string n = "slot " + std::string(kSlotNames[s.index]) + " (offset " + std::to_string(s.offset) +
                  "): " + std::string(to_string(s.state));
  if (s.header && (s.state == SlotState::ok || s.state == SlotState::obsolete))
    n += ", generation " + std::to_string(s.header->generation);
  if (!s.reason.empty()) n += ": " + s.reason;
  return n;
}

std::string verify_failure(VerifyStatus st, bool trusted) {
  return std::string(trusted ? "blob does not verify: " : "blob is not well-formed: ") + std::string(to_string(st));
}

// Checks a blob from a trailer or a file; fills the candidate on success.
std::optional<std::string> check_blob(std::span<const uint8_t> blob, const TrustStore* trust, Candidate* c) {
  if (trust) {
    Verified v;
    const VerifyStatus st = verify_sealed(blob, *trust, &v);
    if (st != VerifyStatus::ok) return verify_failure(st, true);
    c->document = std::move(v.document);
    c->kid = v.kid;
    c->alg = static_cast<int>(v.alg);
    c->verified = true;
  } else {
    Envelope env;
    const VerifyStatus st = parse_sealed_unverified(blob, &c->document, &env);
    if (st != VerifyStatus::ok) return verify_failure(st, false);
    c->kid = env.kid;
    c->alg = env.alg;
  }
  c->blob.assign(blob.begin(), blob.end());
  return std::nullopt;
}

class Discoverer {
 public:
  explicit Discoverer(const DiscoveryRequest& req) : req_(req) {}

  void partition(const Source& src) {
    Examined ex{src, false, {}, {}};
    auto dev = FileDevice::open(src.path, false, src.offset, src.length, src.description);
    if (!dev) return skip(std::move(ex), dev.error());
    auto st = read_partition(**dev, req_.trust);
    if (!st) return skip(std::move(ex), st.error());
    for (const auto& hc : st->header_copies)
      if (!hc.valid) ex.details.push_back("header copy at offset " + std::to_string(hc.offset) + ": " + hc.reason);
    for (const auto& s : st->slots) ex.details.push_back(slot_note(s));
    const SlotInfo* s = st->serving_slot();
    if (!s)
      return skip(std::move(ex), "no slot holds a valid policy at or above the partition's floor " +
                                     std::to_string(st->header.floor));
    Candidate c;
    c.source = src;
    c.slot = s->index;
    // Moved out, not copied: the partition's state is not read again, and
    // a copy of the document would put each rule string on the heap again
    // (a decoded document keeps them in its arena).
    SlotInfo& serving = st->slots[s->index];
    c.blob = std::move(serving.blob);
    c.document = std::move(*serving.document);
    c.kid = s->kid;
    c.alg = s->alg;
    c.verified = s->verified;
    accept(std::move(ex), std::move(c), "slot " + std::string(kSlotNames[s->index]));
  }

  // A named device or disk image: search its partition table, or read it
  // as a bootseal partition when it has none.
  void device(const std::string& path, const std::string& devnode_hint = {}) {
    auto probe = probe_device(path);
    if (!probe) {
      Source src{SourceKind::partition, path, 0, std::nullopt, path};
      return skip(Examined{src, false, {}, {}}, probe.error());
    }
    if (probe->bootseal_partition || probe->pttype.empty()) {
      Source src{SourceKind::partition, path, 0, std::nullopt, path};
      if (!probe->bootseal_partition) {
        std::string what = probe->fstype.empty() ? "no bootseal partition header at offset 0"
                                                 : "holds " + probe->fstype + ", not a bootseal partition";
        return skip(Examined{src, false, {}, {}}, what);
      }
      return partition(src);
    }
    bool any = false;
    for (const auto& p : probe->partitions) {
      if (!p.bootseal()) continue;
      any = true;
      Source src{SourceKind::partition, path, p.start, p.size, {}};
      std::string node = devnode_hint.empty() ? std::string() : partition_node(devnode_hint, p.number);
      src.description = (node.empty() ? path + " partition " + std::to_string(p.number)
                                      : node + " (partition " + std::to_string(p.number) + " of " + path + ")") +
                        ", offset " + std::to_string(p.start) + ", " +
                        (p.type == kPartitionTypeGuid ? "bootseal type GUID" : "PARTLABEL " + p.name);
      partition(src);
    }
    if (!any) {
      Source src{SourceKind::partition, path, 0, std::nullopt, path};
      skip(Examined{src, false, {}, {}},
           probe->pttype + " partition table with " + std::to_string(probe->partitions.size()) +
               " partitions, none with the bootseal type GUID or PARTLABEL");
    }
  }

  void scan() {
    const fs::path cls = fs::path(req_.sysfs) / "class/block";
    std::error_code ec;
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(cls, ec)) {
      const std::string n = e.path().filename().string();
      if (fs::exists(e.path() / "partition")) continue;  // partitions are found through their disk
      if (n.rfind("ram", 0) == 0 || n.rfind("zram", 0) == 0) continue;
      if (sysfs_number(e.path() / "size") == 0) continue;  // empty loop devices, ejected media
      names.push_back(n);
    }
    if (ec) {
      Source src{SourceKind::partition, cls.string(), 0, std::nullopt, cls.string()};
      return skip(Examined{src, false, {}, {}}, "cannot list block devices: " + ec.message());
    }
    std::sort(names.begin(), names.end());
    for (const auto& n : names) {
      std::string node = n;
      std::replace(node.begin(), node.end(), '!', '/');
      node = (fs::path(req_.dev) / node).string();
      device(node, n);
    }
  }

  void trailer(const std::string& image, const std::string& why) {
    Source src{SourceKind::trailer, image, 0, std::nullopt, "trailer of " + image + why};
    Examined ex{src, false, {}, {}};
    auto t = read_trailer(image);
    if (!t) return skip(std::move(ex), t.error());
    if (t->location.status == TrailerStatus::absent) return skip(std::move(ex), "no bootseal trailer");
    if (t->location.status == TrailerStatus::corrupt)
      return skip(std::move(ex), "corrupt trailer footer: " + t->location.error->message);
    Candidate c;
    c.source = src;
    ex.details.push_back(std::to_string(t->location.blob_length) + "-byte blob at offset " +
                         std::to_string(t->location.blob_offset));
    if (auto e = check_blob(t->blob, req_.trust, &c)) return skip(std::move(ex), *e);
    accept(std::move(ex), std::move(c), "trailer");
  }

  void running_kernel() {
    const fs::path root = *req_.running_kernel_root;
    std::vector<std::pair<fs::path, std::string>> tries;
    const std::string boot_image = boot_image_from_cmdline(req_.cmdline);
    if (!boot_image.empty()) {
      const fs::path rel = fs::path(boot_image).relative_path();
      tries.push_back({root / rel, " (BOOT_IMAGE=" + boot_image + ")"});
      tries.push_back({root / "boot" / rel, " (BOOT_IMAGE=" + boot_image + " on a separate /boot)"});
    } else {
      std::string rel = req_.kernel_release;
      if (rel.empty()) {
        struct utsname u {};
        if (::uname(&u) == 0) rel = u.release;
      }
      tries.push_back({root / "boot" / ("vmlinuz-" + rel), " (running kernel " + rel + ")"});
    }
    for (const auto& [p, why] : tries) {
      std::error_code ec;
      if (fs::exists(p, ec)) return trailer(p.string(), why);
      Source src{SourceKind::trailer, p.string(), 0, std::nullopt, "trailer of " + p.string() + why};
      skip(Examined{src, false, {}, {}}, "no such file");
    }
  }

  void file(const std::string& path) {
    Source src{SourceKind::file, path, 0, std::nullopt, "file " + path};
    Examined ex{src, false, {}, {}};
    auto data = read_file(path, kMaxBlobSize);
    if (!data) return skip(std::move(ex), data.error());
    Candidate c;
    c.source = src;
    if (auto e = check_blob(*data, req_.trust, &c)) return skip(std::move(ex), *e);
    accept(std::move(ex), std::move(c), "file");
  }

  DiscoveryReport finish() {
    for (size_t i = 0; i < report_.candidates.size(); ++i)
      if (!report_.chosen ||
          report_.candidates[i].generation() > report_.candidates[*report_.chosen].generation())
        report_.chosen = i;
    return std::move(report_);
  }

 private:
  void skip(Examined ex, std::string why) {
    ex.usable = false;
    ex.outcome = std::move(why);
    report_.examined.push_back(std::move(ex));
  }

  void accept(Examined ex, Candidate c, const std::string& where) {
    const uint64_t gen = c.generation();
    if (!req_.policy_name.empty() && c.document.name != req_.policy_name)
      return skip(std::move(ex), "policy " + quote(c.document.name) + " in " + where + " is not " +
                                     quote(req_.policy_name) + ", the policy this machine takes");
    if (gen < req_.floor)
      return skip(std::move(ex), "generation " + std::to_string(gen) + " in " + where +
                                     " is below the floor " + std::to_string(req_.floor) +
                                     (req_.floor_origin.empty() ? "" : " (" + req_.floor_origin + ")"));
    ex.usable = true;
    ex.outcome = "generation " + std::to_string(gen) + " in " + where + (c.verified ? ", verified" : ", not verified");
    report_.examined.push_back(std::move(ex));
    report_.candidates.push_back(std::move(c));
  }

  // /dev/vda + 3 -> /dev/vda3 when sysfs lists it; nvme0n1 + 3 -> nvme0n1p3.
  std::string partition_node(const std::string& disk, int number) const {
    const fs::path dir = fs::path(req_.sysfs) / "class/block" / disk;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      if (sysfs_number(e.path() / "partition") == static_cast<uint64_t>(number)) {
        std::string node = e.path().filename().string();
        std::replace(node.begin(), node.end(), '!', '/');
        return (fs::path(req_.dev) / node).string();
      }
    }
    return {};
  }

  const DiscoveryRequest& req_;
  DiscoveryReport report_;
};

}  // namespace

std::string_view to_string(SourceKind k) {
  switch (k) {
    case SourceKind::partition: return "partition";
    case SourceKind::trailer: return "trailer";
    case SourceKind::file: return "file";
  }
  return "?";
}

std::string boot_image_from_cmdline(std::string_view cmdline) {
  std::string result;
  for (const auto& p : split_kernel_cmdline(cmdline).params) {
    if (p.name == "BOOT_IMAGE" && p.value) {
      result = *p.value;
      break;  // the boot loader puts it first; later ones come from the user
    }
  }
  if (!result.empty() && result[0] == '(') {
    const size_t close = result.find(')');
    result = close == std::string::npos ? std::string() : result.substr(close + 1);
  }
  return result;
}

DiscoveryReport discover(const DiscoveryRequest& request) {
  Discoverer d(request);
  for (const auto& dev : request.devices) d.device(dev);
  if (request.scan_block_devices) d.scan();
  for (const auto& k : request.kernel_images) d.trailer(k, "");
  if (request.running_kernel_root) d.running_kernel();
  for (const auto& f : request.files) d.file(f);
  return d.finish();
}

}  // namespace bootseal

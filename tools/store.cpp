// SPDX-License-Identifier: GPL-2.0-only
#include "store.hpp"

#include <sys/utsname.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <map>

#include "bootseal/device_probe.hpp"
#include "bootseal/discovery.hpp"
#include "bootseal/fileio.hpp"
#include "bootseal/trailer.hpp"

namespace bootseal::tool {
namespace fs = std::filesystem;

Result<MachineConfig> load_machine_config(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec))
    return make_error(path + ": does not exist: this machine does not boot with bootseal's loader "
                             "(docs/INSTALL.md, section 7), so there is no store to install into");
  auto conf = loader::load_config(path);
  if (!conf) return make_error(conf.error());
  return MachineConfig{std::move(conf).value(), path};
}

StoreEnv store_env(const MachineConfig& mc) {
  StoreEnv env;
  const fs::path dir = fs::path(mc.path).parent_path();
  env.etc = dir.empty() ? "." : dir.string();
  return env;
}

namespace {

// KEY=VALUE lines of a sysfs uevent file.
std::map<std::string, std::string> uevent(const fs::path& p) {
  std::map<std::string, std::string> out;
  auto bytes = read_file(p, 4096);
  if (!bytes) return out;
  std::string text(bytes->begin(), bytes->end());
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(pos, end - pos);
    if (const size_t eq = line.find('='); eq != std::string::npos) out[line.substr(0, eq)] = line.substr(eq + 1);
    pos = end + 1;
  }
  return out;
}

std::string source_text(const loader::SourceSpec& s) {
  std::string t = "source = " + std::string(loader::to_string(s.type));
  if (!s.path.empty()) t += " " + s.path;
  return t;
}

std::string running_release(const StoreEnv& env) {
  if (!env.kernel_release.empty()) return env.kernel_release;
  struct utsname u {};
  return ::uname(&u) == 0 ? std::string(u.release) : std::string();
}

// The running kernel's image, as the loader's `kernel` source finds it
// (discovery.hpp): BOOT_IMAGE= under / then under /boot, else
// /boot/vmlinuz-RELEASE.
std::optional<std::string> running_image(const StoreEnv& env) {
  std::string cmdline = env.cmdline;
  if (cmdline.empty())
    if (auto c = read_first_line("/proc/cmdline")) cmdline = *c;
  const std::string boot_image = boot_image_from_cmdline(cmdline);
  std::vector<fs::path> tries;
  const fs::path boot = env.boot;
  if (!boot_image.empty()) {
    const fs::path rel = fs::path(boot_image).relative_path();
    tries.push_back(boot.parent_path() / rel);
    tries.push_back(boot / rel);
  } else {
    tries.push_back(boot / ("vmlinuz-" + running_release(env)));
  }
  std::error_code ec;
  for (const auto& p : tries)
    if (fs::is_regular_file(p, ec)) return p.string();
  return std::nullopt;
}

// The running kernel's image and every other image under /boot that
// already carries a trailer: a kernel installed but not booted yet boots
// with its own trailer, which must not stay behind.
std::vector<std::string> trailer_images(const StoreEnv& env, const std::optional<std::string>& running) {
  std::vector<std::string> out;
  std::vector<fs::path> seen;
  auto add = [&](const fs::path& p) {
    std::error_code ec;
    const fs::path canon = fs::canonical(p, ec);
    if (ec || std::find(seen.begin(), seen.end(), canon) != seen.end()) return;
    seen.push_back(canon);
    out.push_back(p.string());
  };
  if (running) add(*running);
  std::error_code ec;
  std::vector<fs::path> images;
  for (const auto& e : fs::directory_iterator(env.boot, ec)) {
    const std::string n = e.path().filename().string();
    if (n.rfind("vmlinuz-", 0) == 0 && e.is_regular_file(ec)) images.push_back(e.path());
  }
  std::sort(images.begin(), images.end());
  for (const auto& p : images) {
    auto t = read_trailer(p);
    if (t && t->location.status == TrailerStatus::present) add(p);
  }
  return out;
}

}  // namespace

std::vector<std::string> bootseal_partitions(const StoreEnv& env) {
  std::vector<std::string> out;
  const fs::path cls = fs::path(env.sysfs) / "class/block";
  std::map<std::string, std::optional<DeviceProbe>> disks;  // by the disk's sysfs name
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(cls, ec)) {
    if (!fs::exists(e.path() / "partition", ec)) continue;
    auto ue = uevent(e.path() / "uevent");
    const std::string devname = ue["DEVNAME"];
    if (devname.empty()) continue;
    bool bootseal = ue["PARTNAME"] == kPartitionLabel;
    if (!bootseal) {
      // The type GUID is not in sysfs: ask libblkid about the disk.
      const fs::path disk_dir = fs::canonical(e.path(), ec).parent_path();
      const std::string disk = disk_dir.filename().string();
      if (!disks.count(disk)) {
        auto dname = uevent(disk_dir / "uevent")["DEVNAME"];
        auto probe = dname.empty() ? Result<DeviceProbe>(make_error("no DEVNAME"))
                                   : probe_device((fs::path(env.dev) / dname).string());
        disks[disk] = probe ? std::optional<DeviceProbe>(std::move(probe).value()) : std::nullopt;
      }
      const std::string& partn = ue["PARTN"];
      int number = -1;
      std::from_chars(partn.data(), partn.data() + partn.size(), number);
      if (const auto& d = disks[disk])
        for (const auto& p : d->partitions) bootseal = bootseal || (p.number == number && p.bootseal());
    }
    if (bootseal) out.push_back((fs::path(env.dev) / devname).string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<Store> find_store(const MachineConfig& mc, const StoreEnv& env) {
  std::vector<loader::SourceSpec> sources = mc.conf.sources;
  const bool defaulted = sources.empty();
  if (defaulted) sources = {{loader::SourceType::partitions, {}}, {loader::SourceType::kernel, {}}};
  std::vector<std::string> passed;  // why each source was passed over
  for (const auto& s : sources) {
    Store st;
    st.source_line = defaulted ? "no source line: partitions, then kernel" : source_text(s);
    switch (s.type) {
      case loader::SourceType::partitions: {
        const auto parts = bootseal_partitions(env);
        if (parts.size() > 1) {
          std::string list;
          for (const auto& p : parts) list += (list.empty() ? "" : ", ") + p;
          return make_error(mc.path + ": " + st.source_line + ": several bootseal partitions (" + list +
                            "); name the one to install into with 'source = device PATH'");
        }
        if (parts.empty()) {
          passed.push_back("partitions: no bootseal partition on any disk");
          continue;
        }
        auto t = resolve_target(parts.front(), std::nullopt, true);
        if (!t) return make_error(t.error());
        st.kind = StoreKind::partition;
        st.partition = *t;
        st.name = t->name;
        return st;
      }
      case loader::SourceType::device: {
        auto t = resolve_target(s.path, std::nullopt, true);
        if (!t) return make_error(mc.path + ": " + st.source_line + ": " + t.error());
        st.kind = StoreKind::partition;
        st.partition = *t;
        st.name = t->name;
        return st;
      }
      case loader::SourceType::kernel:
      case loader::SourceType::kernel_image: {
        std::optional<std::string> image;
        if (s.type == loader::SourceType::kernel_image) {
          std::error_code ec;
          if (fs::is_regular_file(s.path, ec)) image = s.path;
        } else {
          image = running_image(env);
        }
        if (!image) {
          passed.push_back(st.source_line + ": no kernel image found (" +
                           (s.type == loader::SourceType::kernel ? "the running kernel's, under " + env.boot
                                                                  : s.path) +
                           ")");
          continue;
        }
        st.kind = StoreKind::trailer;
        st.kernel_images = trailer_images(env, image);
        st.file = (fs::path(env.etc) / "kernel.sealed").string();
        st.name = "the trailer of " + *image;
        return st;
      }
      case loader::SourceType::file:
        if (s.path != kInitramfsBlobPath)
          return make_error(mc.path + ": " + st.source_line + ": the initramfs hooks carry " + kInitramfsBlobPath +
                            " only, so a policy installed elsewhere would never reach the loader");
        st.kind = StoreKind::file;
        st.file = (fs::path(env.etc) / "policy.sealed").string();
        st.in_initramfs = true;
        st.name = st.file + " (carried in the initramfs)";
        return st;
      case loader::SourceType::root_file:
        st.kind = StoreKind::file;
        st.file = s.path;
        st.name = s.path;
        return st;
    }
  }
  std::string why;
  for (const auto& p : passed) why += (why.empty() ? "" : "; ") + p;
  return make_error(mc.path + ": no source names a store to install into (" + why + ")");
}

}  // namespace bootseal::tool

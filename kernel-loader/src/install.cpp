// SPDX-License-Identifier: GPL-2.0-only
#include "install.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdarg>
#include <cstring>
#include <deque>
#include <fstream>
#include <sstream>

#include "bootseal.skel.h"

namespace bootseal::loader {
namespace {

std::deque<std::string>& libbpf_messages() {
  static std::deque<std::string> m;
  return m;
}

int collect_libbpf(enum libbpf_print_level level, const char* fmt, va_list ap) {
  if (level == LIBBPF_DEBUG) return 0;
  char buf[1024];
  int n = std::vsnprintf(buf, sizeof(buf), fmt, ap);
  auto& m = libbpf_messages();
  m.emplace_back(buf);
  while (m.size() > 40) m.pop_front();
  return n;
}

std::string libbpf_tail() {
  std::string s;
  for (const auto& l : libbpf_messages()) s += l;
  return s;
}

std::string errstr(int err) { return std::strerror(err < 0 ? -err : err); }

class Timer {
 public:
  double ms() const {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

bool is_bpffs(const std::string& dir) {
  struct statfs s {};
  return ::statfs(dir.c_str(), &s) == 0 && static_cast<unsigned long>(s.f_type) == BPF_FS_MAGIC;
}

std::string parent_of(const std::string& p) {
  auto i = p.rfind('/');
  return i == 0 || i == std::string::npos ? "/" : p.substr(0, i);
}

Result<void> mkdir_p(const std::string& p) {
  if (p == "/" || p.empty()) return {};
  struct stat st {};
  if (::stat(p.c_str(), &st) == 0) return {};
  if (auto r = mkdir_p(parent_of(p)); !r) return r;
  if (::mkdir(p.c_str(), 0700) != 0 && errno != EEXIST)
    return make_error("cannot create " + p + ": " + std::strerror(errno));
  return {};
}

uint32_t map_id(int fd) {
  bpf_map_info info{};
  __u32 len = sizeof(info);
  return bpf_obj_get_info_by_fd(fd, &info, &len) == 0 ? info.id : 0;
}
uint32_t prog_id(int fd) {
  bpf_prog_info info{};
  __u32 len = sizeof(info);
  return bpf_obj_get_info_by_fd(fd, &info, &len) == 0 ? info.id : 0;
}
uint32_t link_id(int fd) {
  bpf_link_info info{};
  __u32 len = sizeof(info);
  return bpf_obj_get_info_by_fd(fd, &info, &len) == 0 ? info.id : 0;
}

}  // namespace

Result<std::string> active_lsms(bool may_mount) {
  const char* path = "/sys/kernel/security/lsm";
  std::ifstream in(path);
  if (!in && may_mount) {
    ::mount("securityfs", "/sys/kernel/security", "securityfs", 0, nullptr);
    in.open(path);
  }
  if (!in) return make_error(std::string("cannot read ") + path + ": " + std::strerror(errno));
  std::string s;
  std::getline(in, s);
  return s;
}

Result<Lockdown> lockdown_in_force(bool may_mount) {
  const char* path = "/sys/kernel/security/lockdown";
  std::ifstream in(path);
  if (!in && may_mount) {
    ::mount("securityfs", "/sys/kernel/security", "securityfs", 0, nullptr);
    in.open(path);
  }
  if (!in) return make_error(std::string("cannot read ") + path + ": " + std::strerror(errno));
  std::string s;
  std::getline(in, s);
  auto open = s.find('['), close = s.find(']');
  if (open == std::string::npos || close == std::string::npos || close < open)
    return make_error(std::string(path) + " reads '" + s + "': no level in brackets");
  auto level = lockdown_from_string(s.substr(open + 1, close - open - 1));
  if (!level) return make_error(std::string(path) + " reads '" + s + "': unknown level");
  return *level;
}

Result<Lockdown> raise_lockdown(Lockdown level) {
  auto now = lockdown_in_force(true);
  if (!now) return now;
  if (*now >= level) return *now;
  const char* path = "/sys/kernel/security/lockdown";
  int fd = ::open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return make_error(std::string("cannot open ") + path + ": " + std::strerror(errno));
  std::string word(to_string(level));
  ssize_t n = ::write(fd, word.data(), word.size());
  int e = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(word.size()))
    return make_error("cannot write '" + word + "' to " + path + ": " + std::strerror(n < 0 ? e : EIO));
  now = lockdown_in_force(false);
  if (!now) return now;
  if (*now < level)
    return make_error(std::string(path) + " still says " + std::string(to_string(*now)) + " after writing '" + word + "'");
  return *now;
}

EnforcerInstall install(const InstallRequest& req, const StepLog& log) {
  EnforcerInstall res;
  const Compiled& c = *req.compiled;
  auto fail = [&](std::string what) {
    res.failure = InstallFailure::failed;
    res.error = std::move(what);
    res.detail = libbpf_tail();
    return res;
  };
  libbpf_set_print(collect_libbpf);

  // bpffs and the pin directory.
  Timer t;
  std::string bpffs = parent_of(req.pin_dir);
  if (!is_bpffs(bpffs)) {
    if (auto r = mkdir_p(bpffs); !r) return fail(r.error());
    if (::mount("bpf", bpffs.c_str(), "bpf", 0, "mode=0700") != 0)
      return fail("cannot mount bpffs on " + bpffs + ": " + std::strerror(errno));
    log("bpffs", "mounted on " + bpffs, t.ms());
  }
  if (::mkdir(req.pin_dir.c_str(), 0700) != 0) {
    if (errno != EEXIST) return fail("cannot create " + req.pin_dir + ": " + std::strerror(errno));
    DIR* d = ::opendir(req.pin_dir.c_str());
    bool empty = true;
    if (d) {
      while (dirent* e = ::readdir(d))
        if (std::strcmp(e->d_name, ".") && std::strcmp(e->d_name, "..")) empty = false;
      ::closedir(d);
    }
    if (!empty) {
      res.failure = InstallFailure::already;
      res.error = "an enforcer is already installed (" + req.pin_dir + " is not empty)";
      return res;
    }
  }
  struct stat pin_st {};
  if (::stat(req.pin_dir.c_str(), &pin_st) != 0)
    return fail("cannot stat " + req.pin_dir + ": " + std::strerror(errno));

  // Open, size the maps, set the read-only settings, load.
  t = Timer();
  bootseal_bpf* skel = bootseal_bpf__open();
  if (!skel) return fail("cannot open the enforcer object: " + errstr(errno));
  struct Cleanup {
    bootseal_bpf* s;
    ~Cleanup() { bootseal_bpf__destroy(s); }
  } cleanup{skel};
  auto max1 = [](size_t n) { return static_cast<__u32>(n ? n : 1); };
  bpf_map__set_max_entries(skel->maps.rules, max1(c.rules.size()));
  bpf_map__set_max_entries(skel->maps.subjects, max1(c.subjects.size()));
  bpf_map__set_max_entries(skel->maps.rawdevs, max1(c.raw_devices.size()));
  bpf_map__set_max_entries(skel->maps.events, req.ringbuf_size);
  skel->rodata->bs_mode = req.mode;
  for (size_t i = 0; i < 8; ++i) {
    skel->rodata->bs_defaults[i] = c.defaults[i];
    skel->rodata->bs_kinds[i] = c.kinds[i];
  }
  for (const auto& d : c.raw_devices) skel->rodata->bs_rawdev_ops |= d.ops;
  skel->rodata->bs_pin_dev = kernel_dev(pin_st.st_dev);
  skel->rodata->bs_pin_ino = pin_st.st_ino;
  // Running from an initramfs (a tmpfs or ramfs root that is not the new
  // root): its files stay usable until PID 1 leaves it.
  {
    struct statfs rootfs {};
    struct stat root_st {}, new_root_st {};
    if (::statfs("/", &rootfs) == 0 && ::stat("/", &root_st) == 0 &&
        ::stat(req.new_root.c_str(), &new_root_st) == 0 &&
        (static_cast<unsigned long>(rootfs.f_type) == TMPFS_MAGIC ||
         static_cast<unsigned long>(rootfs.f_type) == RAMFS_MAGIC) &&
        root_st.st_dev != new_root_st.st_dev)
      skel->rodata->bs_initramfs_dev = kernel_dev(root_st.st_dev);
  }
  if (int err = bootseal_bpf__load(skel); err)
    return fail("the kernel refused the enforcer programs: " + errstr(err));
  log("load", std::to_string(skel->skeleton->prog_cnt) + " programs verified and loaded", t.ms());

  // Fill (batch updates) and freeze the policy maps.
  t = Timer();
  {
    std::vector<bs_rule_key> keys;
    std::vector<bs_rule_val> vals;
    for (const auto& [k, v] : c.rules) {
      keys.push_back(k);
      vals.push_back(v);
    }
    __u32 n = static_cast<__u32>(keys.size());
    if (n && bpf_map_update_batch(bpf_map__fd(skel->maps.rules), keys.data(), vals.data(), &n, nullptr) != 0)
      return fail("cannot fill the rules map: " + errstr(errno));
    std::vector<bs_inode_key> skeys;
    std::vector<__u32> svals;
    for (const auto& s : c.subjects) {
      bs_inode_key k{};
      k.dev = s.inode.dev;
      k.ino = s.inode.ino;
      skeys.push_back(k);
      svals.push_back(s.id);
    }
    n = static_cast<__u32>(skeys.size());
    if (n && bpf_map_update_batch(bpf_map__fd(skel->maps.subjects), skeys.data(), svals.data(), &n, nullptr) != 0)
      return fail("cannot fill the subjects map: " + errstr(errno));
    for (const auto& d : c.raw_devices) {
      bs_rawdev_key k{};
      k.dev = d.dev;
      k.type = d.character ? BS_DEVICE_CHAR : BS_DEVICE_BLOCK;
      bs_rawdev v{d.ops};
      if (bpf_map_update_elem(bpf_map__fd(skel->maps.rawdevs), &k, &v, BPF_ANY) != 0)
        return fail("cannot fill the rawdevs map: " + errstr(errno));
    }
    for (auto name : fstype_names()) {
      bs_fsname k{};
      std::memcpy(k.name, name.data(), std::min(name.size(), sizeof(k.name) - 1));
      __u64 magic = fstype_magic(name).value_or(0);
      if (bpf_map_update_elem(bpf_map__fd(skel->maps.fsnames), &k, &magic, BPF_ANY) != 0)
        return fail("cannot fill the fsnames map: " + errstr(errno));
    }
  }
  for (bpf_map* m : {skel->maps.rules, skel->maps.subjects, skel->maps.fsnames, skel->maps.rawdevs})
    if (bpf_map_freeze(bpf_map__fd(m)) != 0)
      return fail(std::string("cannot freeze map ") + bpf_map__name(m) + ": " + errstr(errno));
  log("fill", std::to_string(c.rules.size()) + " rule entries, " + std::to_string(c.subjects.size()) +
                  " subjects, " + std::to_string(c.raw_devices.size()) + " guarded devices; maps frozen",
      t.ms());

  // This task is the one the self-protection lets through while it
  // installs; the mark goes away with the task.
  t = Timer();
  {
    int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, ::getpid(), 0));
    if (pidfd < 0) return fail(std::string("pidfd_open: ") + std::strerror(errno));
    __u32 one = 1;
    int rc = bpf_map_update_elem(bpf_map__fd(skel->maps.trusted), &pidfd, &one, BPF_ANY);
    int e = errno;
    ::close(pidfd);
    if (rc != 0) return fail("cannot mark the loader task: " + errstr(e));
    auto protect = [&](__u32 type, __u32 id) {
      bs_obj_id k{type, id};
      __u8 v = 1;
      return id && bpf_map_update_elem(bpf_map__fd(skel->maps.protected_ids), &k, &v, BPF_ANY) == 0;
    };
    for (bpf_map* m : {skel->maps.rules, skel->maps.subjects, skel->maps.fsnames, skel->maps.protected_ids,
                       skel->maps.info, skel->maps.stats, skel->maps.task_subject, skel->maps.trusted,
                       skel->maps.rodata, skel->maps.bss, skel->maps.rawdevs, skel->maps.pending_mount})
      if (!protect(BS_OBJ_MAP, map_id(bpf_map__fd(m)))) return fail("cannot record the enforcer's maps");
    if (!protect(BS_OBJ_EVENTS, map_id(bpf_map__fd(skel->maps.events))))
      return fail("cannot record the enforcer's ring buffer");
    for (int i = 0; i < skel->skeleton->prog_cnt; ++i)
      if (!protect(BS_OBJ_PROG, prog_id(bpf_program__fd(*skel->skeleton->progs[i].prog))))
        return fail("cannot record the enforcer's programs");

    if (int err = bootseal_bpf__attach(skel); err) return fail("cannot attach the enforcer: " + errstr(err));
    for (int i = 0; i < skel->skeleton->prog_cnt; ++i) {
      bpf_link* l = *skel->skeleton->progs[i].link;
      if (!l) return fail(std::string("program ") + skel->skeleton->progs[i].name + " did not attach");
      if (!protect(BS_OBJ_LINK, link_id(bpf_link__fd(l)))) return fail("cannot record the enforcer's links");
      ++res.hooks;
    }
  }
  log("attach", std::to_string(res.hooks) + " LSM hooks attached", t.ms());

  // What status readers see; then freeze the rest.
  t = Timer();
  {
    bs_info info{};
    std::memcpy(info.name, req.document->name.data(), std::min(req.document->name.size(), sizeof(info.name) - 1));
    info.generation = req.document->generation;
    std::memcpy(info.kid, req.kid.data(), sizeof(info.kid));
    timespec ts{};
    ::clock_gettime(CLOCK_BOOTTIME, &ts);
    info.installed_boot_ns = static_cast<__u64>(ts.tv_sec) * 1000000000ull + static_cast<__u64>(ts.tv_nsec);
    info.mode = req.mode;
    info.rule_entries = static_cast<__u32>(c.rules.size());
    info.subject_entries = static_cast<__u32>(c.subjects.size());
    info.policy_rules = static_cast<__u32>(req.document->rules.size());
    info.hooks = static_cast<__u32>(res.hooks);
    for (size_t i = 0; i < 8; ++i) info.defaults[i] = c.defaults[i];
    info.lockdown = static_cast<__u32>(req.document->lockdown);
    __u32 zero = 0;
    if (bpf_map_update_elem(bpf_map__fd(skel->maps.info), &zero, &info, BPF_ANY) != 0)
      return fail("cannot fill the info map: " + errstr(errno));
  }
  for (bpf_map* m : {skel->maps.info, skel->maps.stats, skel->maps.protected_ids})
    if (bpf_map_freeze(bpf_map__fd(m)) != 0)
      return fail(std::string("cannot freeze map ") + bpf_map__name(m) + ": " + errstr(errno));

  // Pin: the links keep the enforcer alive after the loader exits.
  std::vector<std::string> pinned;
  auto unpin_all = [&] {
    for (const auto& p : pinned) ::unlink(p.c_str());
  };
  for (bpf_map* m : {skel->maps.info, skel->maps.stats, skel->maps.events, skel->maps.rules, skel->maps.subjects}) {
    std::string p = req.pin_dir + "/" + bpf_map__name(m);
    if (bpf_obj_pin(bpf_map__fd(m), p.c_str()) != 0) {
      int e = errno;
      unpin_all();
      return fail("cannot pin " + p + ": " + errstr(e));
    }
    pinned.push_back(p);
  }
  for (int i = 0; i < skel->skeleton->prog_cnt; ++i) {
    std::string name = skel->skeleton->progs[i].name;
    if (name.rfind("bs_", 0) == 0) name.erase(0, 3);
    std::string p = req.pin_dir + "/link_" + name;
    if (bpf_link__pin(*skel->skeleton->progs[i].link, p.c_str()) != 0) {
      int e = errno;
      unpin_all();
      return fail("cannot pin " + p + ": " + errstr(e));
    }
    pinned.push_back(p);
  }
  log("pin", std::to_string(pinned.size()) + " objects pinned under " + req.pin_dir, t.ms());
  return res;
}

}  // namespace bootseal::loader

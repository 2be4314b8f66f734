// SPDX-License-Identifier: GPL-2.0-only
#include "install.hpp"

#include <bpf/bpf.h>
#include <bpf/btf.h>
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
#include <cstdarg>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <sstream>
#include <algorithm>
#include <optional>
#include <string_view>
#include <tuple>
#include <utility>

#include "bootseal.skel.h"
#include "bootseal/fileio.hpp"

namespace bootseal::loader {
namespace {


std::deque<std::string>& libbpf_messages() {
  static std::deque<std::string> m;
  return m;
}

// A failed program load comes as one message holding the whole verifier
// log, whose last lines say why the program was refused: a long message
// keeps its start (which program, the first instructions) and its end.
constexpr size_t kMessageHead = 1024;
constexpr size_t kMessageTail = 8192;

int collect_libbpf(enum libbpf_print_level level, const char* fmt, va_list ap) {
  if (level == LIBBPF_DEBUG) return 0;
  va_list again;
  va_copy(again, ap);
  const int n = std::vsnprintf(nullptr, 0, fmt, ap);
  std::string text(n > 0 ? static_cast<size_t>(n) : 0, '\0');
  if (n > 0) std::vsnprintf(text.data(), text.size() + 1, fmt, again);
  va_end(again);
  if (text.size() > kMessageHead + kMessageTail) {
    const size_t cut = text.size() - kMessageHead - kMessageTail;
    text.replace(kMessageHead, cut, "\n[... " + std::to_string(cut) + " bytes of the log left out ...]\n");
  }
  auto& m = libbpf_messages();
  m.push_back(std::move(text));
  while (m.size() > 40) m.pop_front();
  return n;
}

std::string libbpf_tail() {
  std::string s;
  for (const auto& l : libbpf_messages()) s += l;
  return s;
}

// How many arguments the running kernel's LSM hook `hook` takes: its
// bpf_lsm_HOOK function in the kernel's BTF. -1 when the kernel has no
// such hook.
int lsm_hook_args(const btf* vmlinux, const std::string& hook) {
  const int id = btf__find_by_name_kind(vmlinux, ("bpf_lsm_" + hook).c_str(), BTF_KIND_FUNC);
  if (id < 0) return -1;
  const btf_type* fn = btf__type_by_id(vmlinux, static_cast<__u32>(id));
  const btf_type* proto = fn ? btf__type_by_id(vmlinux, fn->type) : nullptr;
  return proto && btf_is_func_proto(proto) ? btf_vlen(proto) : -1;
}

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
    return make_error("cannot create " + p + ": " + errno_text(errno));
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

// The `key:\tvalue` lines of /proc/self/fdinfo/FD.
std::string fdinfo_value(int fd, const std::string& key) {
  auto text = read_file("/proc/self/fdinfo/" + std::to_string(fd), 64 * 1024);
  if (!text) return {};
  std::istringstream in(std::string(text->begin(), text->end()));
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(key + ":", 0) == 0) {
      auto v = line.substr(key.size() + 1);
      v.erase(0, v.find_first_not_of(" \t"));
      return v;
    }
  return {};
}

// The pin `path` is a BPF link of type `type` (fdinfo's link_type) and,
// for a tracing link, attached as `attach_type`.
Result<void> expect_link(const std::string& path, const std::string& type, std::optional<__u32> attach_type) {
  UniqueFd fd(bpf_obj_get(path.c_str()));
  if (!fd) return make_error("cannot open " + path + ": " + errno_text(errno));
  std::string t = fdinfo_value(fd.get(), "link_type");
  bpf_link_info li{};
  __u32 len = sizeof(li);
  bool info_ok = !t.empty() && bpf_obj_get_info_by_fd(fd.get(), &li, &len) == 0;
  fd.reset();
  if (t != type) return make_error(path + " is not a " + type + " link (" + (t.empty() ? "not a link" : t) + ")");
  if (attach_type && (!info_ok || li.tracing.attach_type != *attach_type))
    return make_error(path + " is not attached as the enforcer's program (attach type " +
                      std::to_string(li.tracing.attach_type) + ")");
  return {};
}

}  // namespace

Result<void> verify_installed(const InstallRequest& req) {
  // 1. `info` is the enforcer's: an array of one bs_info that no program
  // may write, naming the policy this run verified.
  const std::string info_pin = req.pin_dir + "/" BS_PIN_INFO;
  LIBBPF_OPTS(bpf_obj_get_opts, ro, .file_flags = BPF_F_RDONLY);
  UniqueFd fd(bpf_obj_get_opts(info_pin.c_str(), &ro));
  if (!fd) return make_error("cannot open " + info_pin + ": " + errno_text(errno));
  bpf_map_info mi{};
  __u32 len = sizeof(mi);
  bs_info info{};
  __u32 zero = 0;
  bool shape = bpf_obj_get_info_by_fd(fd.get(), &mi, &len) == 0 && mi.type == BPF_MAP_TYPE_ARRAY && mi.key_size == 4 &&
               mi.value_size == sizeof(bs_info) && mi.max_entries == 1 && (mi.map_flags & BPF_F_RDONLY_PROG);
  bool read = shape && bpf_map_lookup_elem(fd.get(), &zero, &info) == 0;
  const int read_errno = errno;
  fd.reset();
  if (!shape) return make_error(info_pin + " is not bootseal's info map");
  if (!read) return make_error("cannot read " + info_pin + ": " + errno_text(read_errno));
  std::string name(info.name, strnlen(info.name, sizeof(info.name)));
  if (name != req.document->name || info.generation != req.document->generation)
    return make_error("the enforcer in force holds policy '" + name + "' generation " +
                      std::to_string(info.generation) + ", not '" + req.document->name + "' generation " +
                      std::to_string(req.document->generation));
  if (std::memcmp(info.kid, req.kid.data(), sizeof(info.kid)) != 0)
    return make_error("the enforcer in force holds a policy signed by another key");
  if (info.mode != req.mode) return make_error("the enforcer in force runs in another mode");

  // 2. Every pin is one bootseal makes: its policy maps, its readers'
  // iterators, and exactly info.hooks LSM links.
  unsigned lsm_links = 0;
  DIR* d = ::opendir(req.pin_dir.c_str());
  if (!d) return make_error("cannot list " + req.pin_dir + ": " + errno_text(errno));
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d))
    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) names.emplace_back(e->d_name);
  ::closedir(d);
  // The link pins the enforcer makes, each with its program's attach type
  // as its section declares it (lsm/ or fmod_ret/), read from the enforcer
  // object itself: opened, not loaded.
  std::map<std::string, __u32> link_attach;
  {
    bootseal_bpf* obj = bootseal_bpf__open();
    if (!obj) return make_error("cannot open the enforcer object: " + errno_text(errno));
    for (int i = 0; i < obj->skeleton->prog_cnt; ++i)
      link_attach[contract::link_pin_name(obj->skeleton->progs[i].name)] =
          bpf_program__expected_attach_type(*obj->skeleton->progs[i].prog);
    bootseal_bpf__destroy(obj);
  }
  for (const auto& n : names) {
    std::string p = req.pin_dir + "/" + n;
    Result<void> r;
    if (n == contract::kPinInfo || n == contract::kPinRules || n == contract::kPinSubjects) {
      r = {};
    } else if (n == contract::kPinStats || n == contract::kPinAudit) {
      r = expect_link(p, "iter", std::nullopt);
    } else if (auto a = link_attach.find(n); a != link_attach.end()) {
      r = expect_link(p, "tracing", a->second);
      ++lsm_links;
    } else {
      r = make_error(p + " is not one of bootseal's pins");
    }
    if (!r) return r;
  }
  if (lsm_links != info.hooks)
    return make_error(std::to_string(lsm_links) + " LSM links are pinned, the enforcer attached " +
                      std::to_string(info.hooks));

  // 3. It is in force: it refuses this task (not the loader that
  // installed it) a writable fd to its info map. Counted as one
  // self-protection refusal.
  fd.reset(bpf_obj_get(info_pin.c_str()));
  if (fd) {
    return make_error("a writable fd to " + info_pin + " was granted: no bootseal enforcer guards it");
  }
  if (errno != EPERM) return make_error("cannot open " + info_pin + ": " + errno_text(errno));
  return {};
}

namespace {
// The first line of a securityfs file (/sys/kernel/security/NAME),
// mounting securityfs first when it is not there and `may_mount`.
Result<std::string> securityfs_line(const std::string& path, bool may_mount) {
  auto line = read_first_line(path);
  if (!line && may_mount) {
    ::mount("securityfs", "/sys/kernel/security", "securityfs", 0, nullptr);
    line = read_first_line(path);
  }
  return line;
}
}  // namespace

Result<std::string> active_lsms(bool may_mount) { return securityfs_line("/sys/kernel/security/lsm", may_mount); }

Result<Lockdown> lockdown_in_force(bool may_mount) {
  const char* path = "/sys/kernel/security/lockdown";
  auto line = securityfs_line(path, may_mount);
  if (!line) return Error{line.error()};
  const std::string& s = *line;
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
  auto fd = open_file(path, O_WRONLY);
  if (!fd) return make_error(fd.error());
  std::string word(to_string(level));
  if (auto w = write_all(fd->get(), std::span(reinterpret_cast<const uint8_t*>(word.data()), word.size()), path); !w)
    return make_error("cannot raise the lockdown to '" + word + "': " + w.error());
  fd->reset();
  now = lockdown_in_force(false);
  if (!now) return now;
  if (*now < level)
    return make_error(std::string(path) + " still says " + std::string(to_string(*now)) + " after writing '" + word + "'");
  return *now;
}

bool lsm_return_values_bounded() {
  const int btf_id = libbpf_find_vmlinux_btf_id("file_open", BPF_LSM_MAC);
  if (btf_id < 0) return false;
  auto load = [btf_id](int32_t ret) {
    // r0 = ret; exit
    const bpf_insn insns[] = {
        {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .src_reg = 0, .off = 0, .imm = ret},
        {.code = BPF_JMP | BPF_EXIT, .dst_reg = 0, .src_reg = 0, .off = 0, .imm = 0},
    };
    LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_LSM_MAC,
                .attach_btf_id = static_cast<__u32>(btf_id));
    return UniqueFd(bpf_prog_load(BPF_PROG_TYPE_LSM, "bs_ret_probe", "GPL", insns, 2, &opts));
  };
  if (!load(0)) return false;  // no LSM program loads at all: cannot tell
  UniqueFd positive = load(1);
  return !positive && (errno == EACCES || errno == EINVAL);
}

EnforcerInstall install(const InstallRequest& req, const StepLog& log) {
  InstallReport res;
  const Compiled& c = *req.compiled;
  auto fail = [&](std::string what) -> EnforcerInstall {
    return make_error(InstallFailure::failed, std::move(what), libbpf_tail());
  };
  libbpf_set_print(collect_libbpf);

  // bpffs and the pin directory.
  Stopwatch t;
  std::string bpffs = parent_of(req.pin_dir);
  if (!is_bpffs(bpffs)) {
    if (auto r = mkdir_p(bpffs); !r) return fail(r.error());
    if (::mount("bpf", bpffs.c_str(), "bpf", 0, "mode=0700") != 0)
      return fail("cannot mount bpffs on " + bpffs + ": " + errno_text(errno));
    log("bpffs", "mounted on " + bpffs, t.ms());
  }
  if (::mkdir(req.pin_dir.c_str(), 0700) != 0) {
    if (errno != EEXIST) return fail("cannot create " + req.pin_dir + ": " + errno_text(errno));
    DIR* d = ::opendir(req.pin_dir.c_str());
    bool empty = true;
    if (d) {
      while (dirent* e = ::readdir(d))
        if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) empty = false;
      ::closedir(d);
    }
    if (!empty) {
      if (auto v = verify_installed(req); !v)
        return fail(req.pin_dir + " is not empty, and holds no bootseal enforcer in force with this policy: " +
                    v.error());
      return make_error(InstallFailure::already, "an enforcer is already installed (" + req.pin_dir +
                                                     ": bootseal's, in force, with this policy)");
    }
  }
  struct stat pin_st {};
  if (::stat(req.pin_dir.c_str(), &pin_st) != 0)
    return fail("cannot stat " + req.pin_dir + ": " + errno_text(errno));

  // Open, size the maps, set the read-only settings, load.
  t.restart();
  bootseal_bpf* skel = bootseal_bpf__open();
  if (!skel) return fail("cannot open the enforcer object: " + errno_text(errno));
  struct Cleanup {
    bootseal_bpf* s;
    ~Cleanup() { bootseal_bpf__destroy(s); }
  } cleanup{skel};
  bpf_link* stats_iter = nullptr;
  bpf_link* audit_iter = nullptr;
  struct IterCleanup {
    bpf_link** a;
    bpf_link** b;
    ~IterCleanup() {
      bpf_link__destroy(*a);
      bpf_link__destroy(*b);
    }
  } iter_cleanup{&stats_iter, &audit_iter};
  auto max1 = [](size_t n) { return static_cast<__u32>(n ? n : 1); };
  bpf_map__set_max_entries(skel->maps.rules, max1(c.rules.size()));
  bpf_map__set_max_entries(skel->maps.subjects, max1(c.subjects.size()));
  const __u32 log_entries = std::max<__u32>(1, req.ringbuf_size / static_cast<__u32>(sizeof(bs_record)));
  bpf_map__set_max_entries(skel->maps.audit_log, log_entries);
  skel->rodata->bs_log_entries = log_entries;
  // Processes started from here on get their subject from the hooks; an
  // older one's is looked up from its executable on first use.
  {
    struct timespec now {};
    ::clock_gettime(CLOCK_BOOTTIME, &now);
    skel->rodata->bs_loaded_at = static_cast<__u64>(now.tv_sec) * 1000000000ull + static_cast<__u64>(now.tv_nsec);
  }
  // The readers' iterators are attached by hand, to their maps.
  bpf_program__set_autoattach(skel->progs.bs_iter_stats, false);
  bpf_program__set_autoattach(skel->progs.bs_iter_audit, false);
  // The hooks that differ between the kernels the enforcer runs on, as
  // this kernel's BTF declares them.
  {
    std::unique_ptr<btf, decltype(&btf__free)> vmlinux(btf__load_vmlinux_btf(), btf__free);
    if (!vmlinux) return fail("cannot read the kernel's BTF: " + errno_text(errno));
    // 32-bit tasks' ioctls reach file_ioctl_compat on kernels that have it
    // (6.1.75 and later); where it does not exist, file_ioctl sees them.
    if (lsm_hook_args(vmlinux.get(), "file_ioctl_compat") < 0)
      bpf_program__set_autoload(skel->progs.bs_rawdev_ioctl_compat, false);
    // inode_setattr(dentry, attr), or (idmap, dentry, attr) in later
    // kernels (Debian's 6.12): the program that reads its arguments right.
    const int setattr = lsm_hook_args(vmlinux.get(), "inode_setattr");
    if (setattr != 2 && setattr != 3)
      return fail("this kernel's inode_setattr hook takes " + std::to_string(setattr) +
                  " arguments; the enforcer knows the forms with 2 and 3");
    bpf_program__set_autoload(skel->progs.bs_inode_setattr, setattr == 2);
    bpf_program__set_autoload(skel->progs.bs_inode_setattr_idmap, setattr == 3);
    // POSIX ACLs leave inode_setxattr for these from 6.2 (not in 6.1).
    const int set_acl = lsm_hook_args(vmlinux.get(), "inode_set_acl");
    const int remove_acl = lsm_hook_args(vmlinux.get(), "inode_remove_acl");
    const bool acl_hooks = set_acl == 4 && remove_acl == 3;
    if (!acl_hooks && (set_acl >= 0 || remove_acl >= 0))
      return fail("this kernel's inode_set_acl and inode_remove_acl hooks take " + std::to_string(set_acl) + " and " +
                  std::to_string(remove_acl) + " arguments; the enforcer knows 4 and 3");
    bpf_program__set_autoload(skel->progs.bs_inode_set_acl, acl_hooks);
    bpf_program__set_autoload(skel->progs.bs_inode_remove_acl, acl_hooks);
  }
  // Of those, the programs this policy needs (contract::kHookNeeds): the
  // others would pass every call without a look. A program the table
  // does not name is loaded.
  {
    Stopwatch select;
    const contract::PolicyUse use = policy_use(c);
    int count = 0;
    std::map<contract::HookNeed, std::string> left_out;  // the programs, by why
    for (int i = 0; i < skel->skeleton->prog_cnt; ++i) {
      bpf_program* prog = *skel->skeleton->progs[i].prog;
      const contract::HookEntry* e = contract::hook_entry(skel->skeleton->progs[i].name);
      if (!e || !bpf_program__autoload(prog) || contract::needed(e->need, use)) continue;
      bpf_program__set_autoload(prog, false);
      ++count;
      std::string& list = left_out[e->need];
      list += (list.empty() ? "" : " ") + std::string(e->hook);
    }
    if (count) {
      std::string what = std::to_string(count) + " programs left out, the policy has no use for them:";
      const char* sep = " ";
      for (const auto& [need, hooks] : left_out) {
        what += sep + hooks + " (" + std::string(contract::unneeded_because(need)) + ")";
        sep = "; ";
      }
      log("hooks", what, select.ms());
    }
  }
  bpf_map__set_max_entries(skel->maps.rawdevs, max1(c.raw_devices.size()));
  bpf_map__set_max_entries(skel->maps.names, max1(c.names.size()));
  bpf_map__set_max_entries(skel->maps.ancestors, max1(c.ancestors.size()));
  const ObjectFilter filter = object_filter(c);
  // The enforcer indexes words with a 32-bit number and reads a word it
  // does not have as "look": the size must be the one the shift implies.
  if (filter.shift < BS_FILTER_MIN_SHIFT || filter.shift > BS_FILTER_MAX_SHIFT ||
      filter.words.size() != size_t{1} << (58 - filter.shift))
    return fail("the object filter's size does not match its shift");
  bpf_map__set_max_entries(skel->maps.filter, static_cast<__u32>(filter.words.size()));
  skel->rodata->bs_filter_shift = filter.shift;
  {
    size_t levels = 0;
    for (const auto& p : c.places) levels += p.chain.dirs.size();
    bpf_map__set_max_entries(skel->maps.places, max1(levels));
  }
  skel->rodata->bs_mode = req.mode;
  static_assert(sizeof(skel->rodata->bs_defaults) == contract::kOpSlots && sizeof(skel->rodata->bs_kinds) == contract::kOpSlots);
  for (size_t i = 0; i < contract::kOpSlots; ++i) {
    skel->rodata->bs_defaults[i] = c.defaults[i];
    skel->rodata->bs_run_defaults[i] = c.run_defaults[i];
    skel->rodata->bs_kinds[i] = c.kinds[i];
  }
  // Boot phases: the deadline counts from the kernel's start (CLOCK_BOOTTIME).
  skel->rodata->bs_seal_after_ns = c.seal_after * 1000000000ull;
  skel->rodata->bs_seal_subject = c.seal_subject;
  skel->rodata->bs_seal_by_named = req.document->seal_by.has_value() ? 1 : 0;
  for (const auto& d : c.raw_devices) skel->rodata->bs_rawdev_ops |= d.ops;
  skel->rodata->bs_has_names = !c.names.empty();
  skel->rodata->bs_has_ancestors = !c.ancestors.empty();
  skel->rodata->bs_has_places = !c.places.empty();
  // `allow bpf-load lsm` grants bound nothing where an LSM program may
  // return a positive value (it would skip the enforcer's programs on a
  // hook, and open its maps on the bpf hooks): there they are void.
  const bool grants = std::any_of(c.rules.begin(), c.rules.end(), [](const auto& r) {
    return r.first.op == BS_OP_SELF && r.first.id == BS_BPF_LOAD_LSM;
  });
  if (grants) {
    const bool bounded = lsm_return_values_bounded();
    skel->rodata->bs_lsm_grants = bounded ? 1 : 0;
    if (!bounded)
      res.grants_void =
          "bpf-load grants void: this kernel lets a BPF LSM program return a positive value, with which a granted "
          "program would skip the enforcer; every BPF LSM program load stays refused (docs/POLICY.md, \"Loading BPF "
          "LSM programs\")";
  }
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
  if (int err = bootseal_bpf__load(skel); err) {
    // The verifier refuses every helper that reads kernel memory once the
    // kernel is locked down to confidentiality, so the enforcer cannot
    // load at all: say so rather than leave the verifier's complaint.
    auto level = lockdown_in_force(false);
    if (level && *level == Lockdown::confidentiality)
      return fail("the kernel refused the enforcer programs: " + errno_text(err) +
                  "; the kernel is already locked down to confidentiality (lockdown= on the kernel "
                  "command line?), which refuses BPF programs that read kernel memory: boot with "
                  "lockdown=integrity at most and let the policy's `lockdown confidentiality` raise it "
                  "once the enforcer is attached");
    return fail("the kernel refused the enforcer programs: " + errno_text(err));
  }
  {
    // What the verifier processed for each program (verified_insns, read
    // after the load: asking for its statistics log instead could fail the
    // load where the log outgrows its buffer).
    int loaded = 0;
    uint64_t total = 0;
    for (int i = 0; i < skel->skeleton->prog_cnt; ++i) {
      bpf_program* prog = *skel->skeleton->progs[i].prog;
      if (!bpf_program__autoload(prog)) continue;
      ++loaded;
      bpf_prog_info info{};
      __u32 len = sizeof(info);
      const uint32_t insns =
          bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len) == 0 ? info.verified_insns : 0;
      res.verified.emplace_back(skel->skeleton->progs[i].name, insns);
      total += insns;
    }
    const auto most = std::max_element(res.verified.begin(), res.verified.end(),
                                       [](const auto& a, const auto& b) { return a.second < b.second; });
    log("load",
        std::to_string(loaded) + " programs verified and loaded" +
            (most != res.verified.end() && total
                 ? ", " + std::to_string(total) + " instructions processed by the verifier, the most " +
                       std::to_string(most->second) + " in " + most->first
                 : ""),
        t.ms());
  }

  // Fill (batch updates) and freeze the policy maps.
  t.restart();
  {
    std::vector<bs_rule_key> keys;
    std::vector<bs_rule_val> vals;
    for (const auto& [k, v] : c.rules) {
      keys.push_back(k);
      vals.push_back(v);
    }
    __u32 n = static_cast<__u32>(keys.size());
    if (n && bpf_map_update_batch(bpf_map__fd(skel->maps.rules), keys.data(), vals.data(), &n, nullptr) != 0)
      return fail("cannot fill the rules map: " + errno_text(errno));
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
      return fail("cannot fill the subjects map: " + errno_text(errno));
    std::vector<bs_name_key> nkeys;
    std::vector<__u32> nvals;
    for (const auto& e : c.names) {
      bs_name_key k{};  // NUL padded: the enforcer hashes all of it
      if (e.name.entry.empty() || e.name.entry.size() > sizeof(k.name))
        return fail("name " + e.name.entry + " does not fit the names map");
      k.dev = e.name.dir.dev;
      k.dir = e.name.dir.ino;
      k.len = static_cast<__u32>(e.name.entry.size());
      std::memcpy(k.name, e.name.entry.data(), e.name.entry.size());
      nkeys.push_back(k);
      nvals.push_back(e.id);
    }
    n = static_cast<__u32>(nkeys.size());
    if (n && bpf_map_update_batch(bpf_map__fd(skel->maps.names), nkeys.data(), nvals.data(), &n, nullptr) != 0)
      return fail("cannot fill the names map: " + errno_text(errno));
    std::vector<bs_inode_key> akeys;
    std::vector<__u8> avals;
    for (const auto& [id, kind] : c.ancestors) {
      bs_inode_key k{};
      k.dev = id.dev;
      k.ino = id.ino;
      akeys.push_back(k);
      avals.push_back(kind);
    }
    n = static_cast<__u32>(akeys.size());
    if (n && bpf_map_update_batch(bpf_map__fd(skel->maps.ancestors), akeys.data(), avals.data(), &n, nullptr) != 0)
      return fail("cannot fill the ancestors map: " + errno_text(errno));
    std::vector<bs_place_key> pkeys;
    std::vector<bs_place_dir> pvals;
    for (const auto& p : c.places) {
      if (p.chain.dirs.size() > BS_PLACE_DEPTH) return fail("place " + p.mount_point + " is deeper than the enforcer follows");
      for (size_t i = 0; i < p.chain.dirs.size(); ++i) {
        bs_place_key k{};
        std::memcpy(k.uuid, p.uuid.data(), sizeof(k.uuid));
        k.level = static_cast<__u32>(i);
        bs_place_dir v{};
        v.dev = p.chain.dirs[i].dev;
        v.ino = p.chain.dirs[i].ino;
        v.flags = i == 0 && p.chain.mount_point_exists ? BS_PLACE_MOUNT_POINT : 0;
        if (i == 0 && place_on_guarded_devices(c, p)) v.flags |= BS_PLACE_DEVICES;
        pkeys.push_back(k);
        pvals.push_back(v);
      }
    }
    n = static_cast<__u32>(pkeys.size());
    if (n && bpf_map_update_batch(bpf_map__fd(skel->maps.places), pkeys.data(), pvals.data(), &n, nullptr) != 0)
      return fail("cannot fill the places map: " + errno_text(errno));
    std::vector<__u32> fkeys;
    std::vector<__u64> fvals;
    for (size_t i = 0; i < filter.words.size(); ++i)
      if (filter.words[i]) {
        fkeys.push_back(static_cast<__u32>(i));
        fvals.push_back(filter.words[i]);
      }
    n = static_cast<__u32>(fkeys.size());
    if (n && bpf_map_update_batch(bpf_map__fd(skel->maps.filter), fkeys.data(), fvals.data(), &n, nullptr) != 0)
      return fail("cannot fill the filter map: " + errno_text(errno));
    for (const auto& d : c.raw_devices) {
      bs_rawdev_key k{};
      k.dev = d.dev;
      k.type = d.character ? BS_DEVICE_CHAR : BS_DEVICE_BLOCK;
      bs_rawdev v{d.ops};
      if (bpf_map_update_elem(bpf_map__fd(skel->maps.rawdevs), &k, &v, BPF_ANY) != 0)
        return fail("cannot fill the rawdevs map: " + errno_text(errno));
    }
    for (auto name : fstype_names()) {
      bs_fsname k{};
      std::memcpy(k.name, name.data(), std::min(name.size(), sizeof(k.name) - 1));
      __u64 magic = fstype_magic(name).value_or(0);
      if (bpf_map_update_elem(bpf_map__fd(skel->maps.fsnames), &k, &magic, BPF_ANY) != 0)
        return fail("cannot fill the fsnames map: " + errno_text(errno));
    }
  }
  for (bpf_map* m : {skel->maps.rules, skel->maps.subjects, skel->maps.fsnames, skel->maps.rawdevs, skel->maps.names,
                     skel->maps.ancestors, skel->maps.places, skel->maps.filter})
    if (bpf_map_freeze(bpf_map__fd(m)) != 0)
      return fail(std::string("cannot freeze map ") + bpf_map__name(m) + ": " + errno_text(errno));
  log("fill", std::to_string(c.rules.size()) + " rule entries, " + std::to_string(c.subjects.size()) +
                  " subjects, " + std::to_string(c.names.size()) + " protected names, " +
                  std::to_string(c.ancestors.size()) + " ancestors, " + std::to_string(c.places.size()) +
                  " later filesystems placed, " + std::to_string(c.raw_devices.size()) +
                  " guarded devices; maps frozen",
      t.ms());

  // This task is the one the self-protection lets through while it
  // installs; the mark goes away with the task.
  t.restart();
  {
    UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, ::getpid(), 0)));
    if (!pidfd) return fail(std::string("pidfd_open: ") + errno_text(errno));
    __u32 one = 1;
    const int key = pidfd.get();
    int rc = bpf_map_update_elem(bpf_map__fd(skel->maps.trusted), &key, &one, BPF_ANY);
    int e = errno;
    pidfd.reset();
    if (rc != 0) return fail("cannot mark the loader task: " + errno_text(e));
    auto protect = [&](__u32 type, __u32 id) {
      bs_obj_id k{type, id};
      __u8 v = 1;
      return id && bpf_map_update_elem(bpf_map__fd(skel->maps.protected_ids), &k, &v, BPF_ANY) == 0;
    };
    // Every map of the object is one of two kinds. Maps the enforcer
    // writes: no fd for anyone but this task. All others are policy maps,
    // which must be BPF_F_RDONLY_PROG (and are frozen): read-only fds for
    // anyone. A map the object gains (a new section libbpf makes a map of)
    // is classified here or the install fails, never left unguarded.
    const bpf_map* state[] = {skel->maps.stats,        skel->maps.audit_log,     skel->maps.task_subject,
                              skel->maps.trusted,      skel->maps.pending_mount, skel->maps.bss};
    bpf_map* m = nullptr;
    bpf_object__for_each_map(m, skel->obj) {
      const bool is_state = std::find(std::begin(state), std::end(state), m) != std::end(state);
      if (!is_state && !(bpf_map__map_flags(m) & BPF_F_RDONLY_PROG))
        return fail(std::string("map ") + bpf_map__name(m) +
                    " is neither a state map nor read-only to programs: the enforcer could not guard it");
      if (!protect(is_state ? BS_OBJ_STATE : BS_OBJ_MAP, map_id(bpf_map__fd(m))))
        return fail(std::string("cannot record the enforcer's map ") + bpf_map__name(m));
    }
    for (int i = 0; i < skel->skeleton->prog_cnt; ++i)
      if (bpf_program__autoload(*skel->skeleton->progs[i].prog) &&
          !protect(BS_OBJ_PROG, prog_id(bpf_program__fd(*skel->skeleton->progs[i].prog))))
        return fail("cannot record the enforcer's programs");

    if (int err = bootseal_bpf__attach(skel); err) return fail("cannot attach the enforcer: " + errno_text(err));
    for (int i = 0; i < skel->skeleton->prog_cnt; ++i) {
      bpf_program* p = *skel->skeleton->progs[i].prog;
      if (p == skel->progs.bs_iter_stats || p == skel->progs.bs_iter_audit || !bpf_program__autoload(p)) continue;
      bpf_link* l = *skel->skeleton->progs[i].link;
      if (!l) return fail(std::string("program ") + skel->skeleton->progs[i].name + " did not attach");
      if (!protect(BS_OBJ_LINK, link_id(bpf_link__fd(l)))) return fail("cannot record the enforcer's links");
      ++res.hooks;
    }
    // The readers' iterators, each bound to its map.
    for (auto [prog, map, out] : {std::tuple{skel->progs.bs_iter_stats, skel->maps.stats, &stats_iter},
                                  std::tuple{skel->progs.bs_iter_audit, skel->maps.audit_log, &audit_iter}}) {
      union bpf_iter_link_info linfo {};
      linfo.map.map_fd = static_cast<__u32>(bpf_map__fd(map));
      LIBBPF_OPTS(bpf_iter_attach_opts, iopts, .link_info = &linfo, .link_info_len = sizeof(linfo));
      bpf_link* l = bpf_program__attach_iter(prog, &iopts);
      if (!l) return fail(std::string("cannot attach the iterator ") + bpf_program__name(prog) + ": " + errno_text(errno));
      *out = l;
      if (!protect(BS_OBJ_LINK, link_id(bpf_link__fd(l)))) return fail("cannot record the enforcer's iterators");
    }
  }
  log("attach", std::to_string(res.hooks) + " hooks attached", t.ms());

  // What status readers see; then freeze the rest.
  t.restart();
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
    for (size_t i = 0; i < contract::kOpSlots; ++i) {
      info.defaults[i] = c.defaults[i];
      info.run_defaults[i] = c.run_defaults[i];
    }
    info.seal_after_ns = c.seal_after * 1000000000ull;
    info.seal_subject = c.seal_subject;
    info.log_entries = log_entries;
    info.lockdown = static_cast<__u32>(req.document->lockdown);
    __u32 zero = 0;
    if (bpf_map_update_elem(bpf_map__fd(skel->maps.info), &zero, &info, BPF_ANY) != 0)
      return fail("cannot fill the info map: " + errno_text(errno));
  }
  for (bpf_map* m : {skel->maps.info, skel->maps.stats, skel->maps.audit_log, skel->maps.protected_ids})
    if (bpf_map_freeze(bpf_map__fd(m)) != 0)
      return fail(std::string("cannot freeze map ") + bpf_map__name(m) + ": " + errno_text(errno));

  // Pin: the links keep the enforcer alive after the loader exits.
  std::vector<std::string> pinned;
  auto unpin_all = [&] {
    for (const auto& p : pinned) ::unlink(p.c_str());
  };
  // Only policy maps are pinned; the state is read through the iterators.
  const std::pair<bpf_map*, std::string_view> maps[] = {{skel->maps.info, contract::kPinInfo},
                                                        {skel->maps.rules, contract::kPinRules},
                                                        {skel->maps.subjects, contract::kPinSubjects}};
  for (const auto& [m, pin] : maps) {
    std::string p = req.pin_dir + "/" + std::string(pin);
    if (bpf_obj_pin(bpf_map__fd(m), p.c_str()) != 0) {
      int e = errno;
      unpin_all();
      return fail("cannot pin " + p + ": " + errno_text(e));
    }
    pinned.push_back(p);
  }
  for (auto [l, name] : {std::pair{stats_iter, contract::kPinStats}, std::pair{audit_iter, contract::kPinAudit}}) {
    std::string p = req.pin_dir + "/" + std::string(name);
    if (bpf_link__pin(l, p.c_str()) != 0) {
      int e = errno;
      unpin_all();
      return fail("cannot pin " + p + ": " + errno_text(e));
    }
    pinned.push_back(p);
  }
  for (int i = 0; i < skel->skeleton->prog_cnt; ++i) {
    if (!*skel->skeleton->progs[i].link) continue;
    std::string p = req.pin_dir + "/" + contract::link_pin_name(skel->skeleton->progs[i].name);
    if (bpf_link__pin(*skel->skeleton->progs[i].link, p.c_str()) != 0) {
      int e = errno;
      unpin_all();
      return fail("cannot pin " + p + ": " + errno_text(e));
    }
    pinned.push_back(p);
  }
  // The enforcer records the mount its pins are seen through when this
  // (trusted) task opens the pin directory; from then on it refuses lazy
  // unmounts of that mount and of every mount above it.
  {
    (void)open_file(req.pin_dir, O_RDONLY | O_DIRECTORY);
    if (!skel->bss->bs_pin_mnt) {
      unpin_all();
      return fail("the enforcer did not record the mount of " + req.pin_dir);
    }
  }
  log("pin", std::to_string(pinned.size()) + " objects pinned under " + req.pin_dir, t.ms());
  return res;
}

}  // namespace bootseal::loader

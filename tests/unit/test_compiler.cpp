// SPDX-License-Identifier: GPL-2.0-only
// The rule compiler: device encoding, path resolution under a root, and the
// map-level decision compared with the reference decide() on many cases.
#include "bootseal/loader/compiler.hpp"

#include "bootseal/language.hpp"

#include "policy_builders.hpp"

#include <gtest/gtest.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <sstream>

namespace bootseal::loader {
namespace {

namespace fs = std::filesystem;
using namespace bootseal::testing;

class TempRoot {
 public:
  TempRoot() {
    char tmpl[] = "/tmp/bootseal-compiler-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempRoot() { fs::remove_all(path_); }
  const std::string& path() const { return path_; }
  void file(const std::string& rel) {
    fs::create_directories(fs::path(path_ + rel).parent_path());
    std::ofstream(path_ + rel) << rel;
  }
  void dir(const std::string& rel) { fs::create_directories(path_ + rel); }
  InodeId id(const std::string& rel) const {
    struct stat st {};
    EXPECT_EQ(::lstat((path_ + rel).c_str(), &st), 0) << rel;
    return InodeId{kernel_dev(st.st_dev), st.st_ino};
  }

 private:
  std::string path_;
};

// The chain of a path under the root: the object, its parents, the root.
std::vector<InodeId> chain_of(const TempRoot& root, const std::string& p) {
  std::vector<InodeId> chain;
  std::string cur = p;
  while (true) {
    chain.push_back(root.id(cur == "/" ? "" : cur));
    if (cur == "/") break;
    auto i = cur.rfind('/');
    cur = i == 0 ? "/" : cur.substr(0, i);
  }
  return chain;
}

// ---------------------------------------------------------------------------

TEST(DeviceEncoding, MajorShiftedByTwenty) {
  EXPECT_EQ(kernel_dev(makedev(8, 2)), (8u << 20) | 2u);
  EXPECT_EQ(kernel_dev(makedev(0, 45)), 45u);
  EXPECT_EQ(kernel_dev(makedev(259, 0x12345)), (259u << 20) | 0x12345u);
  EXPECT_EQ(kernel_dev(makedev(4095, 0xfffff)), 0xffffffffu);
  // User space's st_dev is not the kernel's encoding.
  EXPECT_NE(static_cast<uint64_t>(makedev(8, 2)), static_cast<uint64_t>(kernel_dev(makedev(8, 2))));
  EXPECT_EQ(format_kernel_dev(kernel_dev(makedev(259, 7))), "259:7");
}

// A file on a filesystem whose device has a non-zero major number (on
// tmpfs the major is 0, and any shift of it would pass): the test program
// itself, the working directory or /. Empty when none is.
std::string file_with_a_major() {
  for (const char* p : {"/proc/self/exe", ".", "/"}) {
    struct stat st {};
    if (::stat(p, &st) == 0 && major(st.st_dev) != 0) return p;
  }
  return {};
}

TEST(DeviceEncoding, MatchesTheMountTable) {
  // /proc/self/mountinfo prints the kernel's major:minor of each mount.
  const std::string f = file_with_a_major();
  if (f.empty()) GTEST_SKIP() << "no file here is on a device with a non-zero major number";
  struct stat st {};
  ASSERT_EQ(::stat(f.c_str(), &st), 0);
  std::ifstream mi("/proc/self/mountinfo");
  std::string line;
  bool seen = false;
  std::string want = format_kernel_dev(kernel_dev(st.st_dev));
  while (std::getline(mi, line)) {
    std::istringstream ls(line);
    std::string id, parent, majmin;
    ls >> id >> parent >> majmin;
    if (majmin == want) seen = true;
  }
  EXPECT_TRUE(seen) << f << ": " << want;
}

TEST(DeviceEncoding, MatchesTheKernelsOwnNumber) {
  // An inotify fd's fdinfo prints the watched inode's superblock s_dev as
  // the kernel holds it ("sdev:%x"): the number the enforcer compares.
  const std::string f = file_with_a_major();
  if (f.empty()) GTEST_SKIP() << "no file here is on a device with a non-zero major number";
  struct stat st {};
  ASSERT_EQ(::stat(f.c_str(), &st), 0);
  const int fd = ::inotify_init1(IN_CLOEXEC);
  ASSERT_GE(fd, 0);
  ASSERT_GE(::inotify_add_watch(fd, f.c_str(), IN_ATTRIB), 0);
  std::ifstream info("/proc/self/fdinfo/" + std::to_string(fd));
  std::string word;
  uint64_t sdev = 0;
  bool found = false;
  while (info >> word)
    if (word.rfind("sdev:", 0) == 0) {
      sdev = std::stoull(word.substr(5), nullptr, 16);
      found = true;
    }
  ::close(fd);
  ASSERT_TRUE(found) << "no sdev in the inotify fdinfo";
  EXPECT_NE(major(st.st_dev), 0u);
  EXPECT_EQ(kernel_dev(st.st_dev), sdev) << f << " " << major(st.st_dev) << ":" << minor(st.st_dev);
}

TEST(Resolve, PathsStayInsideTheRoot) {
  TempRoot root;
  root.file("/etc/shadow");
  root.file("/usr/bin/tool");
  root.dir("/bin");
  ASSERT_EQ(::symlink("/usr/bin/tool", (root.path() + "/bin/tool").c_str()), 0);
  ASSERT_EQ(::symlink("../../../../../../etc/shadow", (root.path() + "/bin/up").c_str()), 0);
  auto r = RootResolver::open(root.path());
  ASSERT_TRUE(r.ok()) << r.error();
  std::string err;
  auto shadow = r->resolve("/etc/shadow", &err);
  ASSERT_TRUE(shadow) << err;
  EXPECT_EQ(*shadow, root.id("/etc/shadow"));
  // An absolute symlink is resolved against the root, not the host.
  auto tool = r->resolve("/bin/tool", &err);
  ASSERT_TRUE(tool) << err;
  EXPECT_EQ(*tool, root.id("/usr/bin/tool"));
  // ".." stops at the root.
  auto up = r->resolve("/bin/up", &err);
  ASSERT_TRUE(up) << err;
  EXPECT_EQ(*up, root.id("/etc/shadow"));
  auto top = r->resolve("/", &err);
  ASSERT_TRUE(top);
  EXPECT_EQ(*top, root.id(""));
  EXPECT_FALSE(r->resolve("/etc/missing", &err));
  EXPECT_EQ(err, "does not exist");
}

// In this process from now on, fstatfs fails with EIO (a seccomp filter:
// classic BPF on system calls, nothing the enforcer is made of).
void fail_fstatfs() {
  struct sock_filter f[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_fstatfs, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EIO),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog {};
  prog.len = sizeof(f) / sizeof(f[0]);
  prog.filter = f;
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) {
    std::perror("seccomp");
    std::_Exit(2);
  }
}

// A file whose filesystem statfs cannot tell may be on one whose files the
// enforcer cannot identify (btrfs, overlayfs): its rules, and a subject
// there, are refused as those are, not taken on stat's word.
TEST(Resolve, AFilesystemStatfsCannotTellIsNotTrusted) {
  TempRoot root;
  root.file("/etc/shadow");
  root.file("/usr/bin/tool");
  auto r = RootResolver::open(root.path());
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EXIT(
      {
        fail_fstatfs();
        std::string err;
        if (r->resolve("/usr/bin/tool", &err)) std::_Exit(3);
        std::fprintf(stderr, "subject: %s\n", err.c_str());
        auto names = r->resolve_names("/etc/shadow", &err);
        if (!names || names->fs_magic != kFsTypeUnknown) std::_Exit(4);
        Document d = doc_with({make_rule(Action::deny, Operation::write, path_obj("/etc/shadow")),
                               make_rule(Action::deny, Operation::exec, subtree_obj("/usr"))});
        Compiled c = compile(d, r->resolver(), {}, r->name_resolver());
        if (c.diagnostics.size() != 2 || !c.diagnostics[0].unenforceable || !c.diagnostics[1].unenforceable ||
            !c.rules.empty())
          std::_Exit(5);
        std::fprintf(stderr, "rule: %s\n", c.diagnostics[0].message.c_str());
        std::_Exit(0);
      },
      ::testing::ExitedWithCode(0),
      "subject: is on a filesystem whose type the loader cannot tell, so whether the enforcer can identify its files "
      "is unknown\n"
      "rule: rule 1 \\(deny write path /etc/shadow\\): /etc/shadow is on a filesystem whose type the loader cannot "
      "tell, so whether the enforcer can identify its files is unknown: the rule cannot be enforced");
  // Outside the child, the same tree resolves.
  std::string err;
  EXPECT_TRUE(r->resolve("/usr/bin/tool", &err)) << err;
}

TEST(Resolve, RootMustExist) {
  auto r = RootResolver::open("/nonexistent/bootseal-root");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("/nonexistent/bootseal-root"), std::string::npos);
}

TEST(Compile, MissingPathReportedWithItsRule) {
  TempRoot root;
  root.file("/usr/bin/present");
  auto r = RootResolver::open(root.path());
  ASSERT_TRUE(r.ok());
  Document d = doc_with({make_rule(Action::deny, Operation::exec, path_obj("/usr/bin/present")),
                         make_rule(Action::deny, Operation::exec, path_obj("/usr/bin/gone")),
                         make_rule(Action::allow, Operation::write, path_obj("/usr/bin/present"), "/sbin/nope")});
  Compiled c = compile(d, r->resolver());
  ASSERT_EQ(c.diagnostics.size(), 2u);
  EXPECT_EQ(c.diagnostics[0].rule, 1);
  EXPECT_EQ(c.diagnostics[0].message, "rule 2 (deny exec path /usr/bin/gone): /usr/bin/gone does not exist");
  EXPECT_EQ(c.diagnostics[1].rule, 2);
  EXPECT_EQ(c.diagnostics[1].message,
            "rule 3 (allow write path /usr/bin/present by /sbin/nope): /sbin/nope does not exist");
  // Only the resolvable rule made an entry.
  ASSERT_EQ(c.rules.size(), 1u);
  EXPECT_EQ(c.rules[0].first.kind, BS_KIND_PATH);
  EXPECT_EQ(c.rules[0].first.dev, root.id("/usr/bin/present").dev);
  EXPECT_EQ(c.rules[0].first.id, root.id("/usr/bin/present").ino);
  EXPECT_EQ(c.rules[0].second.action, BS_ACT_DENY);
  EXPECT_EQ(c.kinds[BS_OP_EXEC], 1u << BS_KIND_PATH);
  EXPECT_EQ(c.kinds[BS_OP_WRITE], 0u);
}

// A rule in a diagnostic reads as the policy language writes it: paths that
// need quotes get them, with the language's escapes.
TEST(Compile, DiagnosticQuotesAsThePolicyLanguage) {
  TempRoot root;
  auto r = RootResolver::open(root.path());
  ASSERT_TRUE(r.ok());
  Rule rule = make_rule(Action::deny, Operation::exec, path_obj("/opt/my tool"));
  rule.exceptions = {"/usr/bin/a\"b", "/bin/sh"};
  Document d = doc_with({rule});
  Compiled c = compile(d, r->resolver());
  ASSERT_FALSE(c.diagnostics.empty());
  EXPECT_EQ(c.diagnostics[0].message, "rule 1 (" + format_rule(rule) + "): \"/opt/my tool\" does not exist");
  EXPECT_EQ(format_rule(rule), "deny exec path \"/opt/my tool\" except \"/usr/bin/a\\\"b\", /bin/sh");
}

// `allow bpf-load lsm by SUBJECT`: one entry per resolved subject, outside
// the policy operations, that no policy decision reads.
TEST(Compile, BpfLoadGrantBecomesSelfEntry) {
  TempRoot root;
  root.file("/usr/lib/systemd/systemd");
  auto r = RootResolver::open(root.path());
  ASSERT_TRUE(r.ok());
  Document d = doc_with({});
  d.schema = 3;
  d.bpf_lsm_loaders = {"/opt/gone", "/usr/lib/systemd/systemd"};
  Compiled c = compile(d, r->resolver());
  ASSERT_EQ(c.diagnostics.size(), 1u);
  EXPECT_EQ(c.diagnostics[0].rule, -1);
  EXPECT_EQ(c.diagnostics[0].message, "allow bpf-load lsm by /opt/gone: /opt/gone does not exist");
  const uint32_t systemd = c.subject_of(root.id("/usr/lib/systemd/systemd"));
  ASSERT_NE(systemd, BS_SUBJECT_ANY);
  ASSERT_EQ(c.rules.size(), 1u);
  const auto& [k, v] = c.rules[0];
  EXPECT_EQ(k.kind, BS_KIND_ANY);
  EXPECT_EQ(k.op, BS_OP_SELF);
  EXPECT_EQ(k.subject, systemd);
  EXPECT_EQ(k.dev, 0u);
  EXPECT_EQ(k.id, static_cast<uint64_t>(BS_BPF_LOAD_LSM));
  EXPECT_EQ(v.action, BS_ACT_ALLOW);
  EXPECT_EQ(v.rule, BS_RULE_BPF_LOAD);
  for (uint8_t kinds : c.kinds) EXPECT_EQ(kinds, 0u);
  // No policy operation sees the entry: exec by the subject takes the default.
  MapQuery q;
  q.operation = Operation::exec;
  q.chain = chain_of(root, "/usr/lib/systemd/systemd");
  q.subject = systemd;
  EXPECT_EQ(decide_maps(c, q).rule, BS_RULE_DEFAULT);
  EXPECT_NE(format_compiled(c, d).find("  bpf-load lsm subject " + std::to_string(systemd) + " -> allow\n"),
            std::string::npos)
      << format_compiled(c, d);
}

TEST(Compile, PhasedRulesShareOneEntryWithAnActionPerPhase) {
  TempRoot root;
  root.file("/etc/hostname");
  root.file("/usr/lib/bootseal/bootseal-seal");
  auto r = RootResolver::open(root.path());
  ASSERT_TRUE(r.ok());
  auto parsed = parse_policy("policy t\ngeneration 1\nmode enforce\n"
                             "seal-by /usr/lib/bootseal/bootseal-seal\nseal-after 90s\n"
                             "phase running default module-load deny\n"
                             "phase running deny write subtree /etc\n"
                             "phase boot allow write subtree /etc\n"
                             "deny write path /etc/hostname\n",
                             "t.policy");
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  const Document& d = *parsed;
  Compiled c = compile(d, r->resolver(), {}, r->name_resolver());
  ASSERT_TRUE(c.diagnostics.empty()) << (c.diagnostics.empty() ? "" : c.diagnostics[0].message);
  EXPECT_EQ(c.seal_after, 90u);
  EXPECT_EQ(c.seal_subject, c.subject_of(root.id("/usr/lib/bootseal/bootseal-seal")));
  EXPECT_NE(c.seal_subject, BS_SUBJECT_ANY);
  EXPECT_EQ(c.defaults[BS_OP_MODULE_LOAD], BS_ACT_ALLOW);
  EXPECT_EQ(c.run_defaults[BS_OP_MODULE_LOAD], BS_ACT_DENY);
  const InodeId etc = root.id("/etc");
  const bs_rule_val* v = c.find(bs_rule_key{BS_KIND_SUBTREE, BS_OP_WRITE, 0, 0, etc.dev, 0, etc.ino});
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->action, BS_ACT_ALLOW);
  EXPECT_EQ(v->rule, 1);
  EXPECT_EQ(v->run_action, BS_ACT_DENY);
  EXPECT_EQ(v->run_rule, 0);
  // The unphased path rule: the same in both phases.
  const InodeId host = root.id("/etc/hostname");
  v = c.find(bs_rule_key{BS_KIND_PATH, BS_OP_WRITE, 0, 0, host.dev, 0, host.ino});
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->action, BS_ACT_DENY);
  EXPECT_EQ(v->run_action, BS_ACT_DENY);
  const std::string listing = format_compiled(c, d);
  EXPECT_NE(listing.find("phases: boot until seal-after 90s or subject " + std::to_string(c.seal_subject) + " seals\n"),
            std::string::npos)
      << listing;
  EXPECT_NE(listing.find("default module-load allow (running: deny)"), std::string::npos) << listing;
  EXPECT_NE(listing.find("-> boot allow (rule 2), running deny (rule 1)\n"), std::string::npos) << listing;
}

TEST(Compile, PhaseEntryWithNoRuleInAPhaseFallsThrough) {
  TempRoot root;
  root.file("/etc/hostname");
  auto r = RootResolver::open(root.path());
  ASSERT_TRUE(r.ok());
  auto parsed = parse_policy("policy t\ngeneration 1\nmode enforce\nseal-after 90s\n"
                             "deny write subtree /etc\n"
                             "phase boot allow write path /etc/hostname\n",
                             "t.policy");
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  Compiled c = compile(*parsed, r->resolver(), {}, r->name_resolver());
  const InodeId host = root.id("/etc/hostname");
  const bs_rule_val* v = c.find(bs_rule_key{BS_KIND_PATH, BS_OP_WRITE, 0, 0, host.dev, 0, host.ino});
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->action, BS_ACT_ALLOW);
  EXPECT_EQ(v->run_action, BS_ACT_NONE);
  MapQuery q;
  q.operation = Operation::write;
  q.chain = chain_of(root, "/etc/hostname");
  q.phase = Phase::boot;
  EXPECT_EQ(decide_maps(c, q).action, BS_ACT_ALLOW);
  q.phase = Phase::running;
  EXPECT_EQ(decide_maps(c, q).action, BS_ACT_DENY) << "no path rule in the running phase: the subtree decides";
  EXPECT_EQ(decide_maps(c, q).rule, 0);
}

TEST(Compile, UnresolvedSealByIsReported) {
  TempRoot root;
  root.file("/etc/hostname");
  auto r = RootResolver::open(root.path());
  ASSERT_TRUE(r.ok());
  auto parsed = parse_policy("policy t\ngeneration 1\nmode enforce\nseal-after 90s\nseal-by /usr/lib/gone\n",
                             "t.policy");
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  Compiled c = compile(*parsed, r->resolver());
  ASSERT_EQ(c.diagnostics.size(), 1u);
  EXPECT_EQ(c.diagnostics[0].message,
            "seal-by /usr/lib/gone: /usr/lib/gone does not exist (only the seal-after deadline can end the boot phase)");
  EXPECT_EQ(c.seal_subject, 0u);
  EXPECT_EQ(c.seal_after, 90u);
}

TEST(Compile, ExceptionBecomesExemptEntry) {
  TempRoot root;
  root.file("/etc/shadow");
  root.file("/usr/bin/login");
  root.file("/usr/bin/sh");
  auto r = RootResolver::open(root.path());
  Document d = doc_with({make_rule(Action::deny, Operation::read, path_obj("/etc/shadow"), std::nullopt,
                                   {"/usr/bin/login"})});
  Compiled c = compile(d, r->resolver());
  ASSERT_EQ(c.subjects.size(), 1u);
  uint32_t login = c.subject_of(root.id("/usr/bin/login"));
  EXPECT_EQ(login, 1u);
  EXPECT_EQ(c.subject_of(root.id("/usr/bin/sh")), BS_SUBJECT_ANY);
  ASSERT_EQ(c.rules.size(), 2u);
  MapQuery q;
  q.operation = Operation::read;
  q.chain = chain_of(root, "/etc/shadow");
  q.subject = login;
  EXPECT_EQ(decide_maps(c, q).action, BS_ACT_ALLOW);
  q.subject = c.subject_of(root.id("/usr/bin/sh"));
  EXPECT_EQ(decide_maps(c, q).action, BS_ACT_DENY);
  EXPECT_EQ(decide_maps(c, q).rule, 0);
}

TEST(Compile, MemoryRulesBecomeMemoryEntries) {
  TempRoot root;
  root.file("/opt/jit");
  root.file("/usr/bin/node");
  root.file("/bin/sh");
  auto r = RootResolver::open(root.path());
  Object mem{ObjectKind::memory, "", "", 0};
  Document d = doc_with({make_rule(Action::deny, Operation::exec, mem, std::nullopt, {"/usr/bin/node"}),
                         make_rule(Action::allow, Operation::exec, mem, "/opt/jit")});
  d.schema = 2;
  d.defaults[static_cast<size_t>(Operation::exec)] = Action::deny;
  Compiled c = compile(d, r->resolver());
  EXPECT_TRUE(c.diagnostics.empty());
  EXPECT_EQ(c.kinds[BS_OP_EXEC], 1u << BS_KIND_MEMORY);
  ASSERT_EQ(c.rules.size(), 3u);  // any: deny; node: exempt; jit: allow
  for (const auto& [k, v] : c.rules) {
    EXPECT_EQ(k.kind, BS_KIND_MEMORY);
    EXPECT_EQ(k.dev, 0u);
    EXPECT_EQ(k.id, 0u);
  }
  uint32_t jit = c.subject_of(root.id("/opt/jit")), node = c.subject_of(root.id("/usr/bin/node"));
  MapQuery q;
  q.operation = Operation::exec;
  q.memory = true;
  EXPECT_EQ(decide_maps(c, q).action, BS_ACT_DENY);
  EXPECT_EQ(decide_maps(c, q).rule, 0);
  q.subject = jit;
  EXPECT_EQ(decide_maps(c, q).action, BS_ACT_ALLOW);
  EXPECT_EQ(decide_maps(c, q).rule, 1);
  q.subject = node;
  EXPECT_EQ(decide_maps(c, q).action, BS_ACT_ALLOW);
  EXPECT_EQ(decide_maps(c, q).rule, BS_RULE_DEFAULT);
  // A file exec of /bin/sh is not decided by the memory entries.
  MapQuery f;
  f.operation = Operation::exec;
  f.chain = chain_of(root, "/bin/sh");
  EXPECT_EQ(decide_maps(c, f).action, BS_ACT_DENY);
  EXPECT_EQ(decide_maps(c, f).rule, BS_RULE_DEFAULT);
  EXPECT_NE(format_compiled(c, d).find("default exec deny kinds memory"), std::string::npos);
  EXPECT_NE(format_compiled(c, d).find("exec memory subject any -> deny (rule 1)"), std::string::npos);
}

// What the loader asks of a compiled policy to choose its programs:
// each field from the compiled arrays, phases and the running defaults
// included, and the programs each policy leaves out.
TEST(PolicyUse, ComesFromTheCompiledPolicy) {
  TempRoot root;
  root.file("/etc/shadow");
  root.file("/opt/denied");
  root.file("/usr/bin/passwd");
  root.file("/usr/lib/bootseal/bootseal-seal");
  auto r = RootResolver::open(root.path());
  ASSERT_TRUE(r.ok());
  auto use_of = [&](const std::string& body) {
    auto parsed = parse_policy("policy t\ngeneration 1\nmode enforce\n" + body, "t.policy");
    EXPECT_TRUE(parsed.ok()) << parsed.error();
    Compiled c = compile(*parsed, r->resolver(), {}, r->name_resolver());
    EXPECT_TRUE(c.diagnostics.empty()) << (c.diagnostics.empty() ? "" : c.diagnostics[0].message);
    return policy_use(c);
  };
  auto ops = [](const contract::PolicyUse& u) {
    std::string s;
    for (size_t op = 0; op < BS_OP_COUNT; ++op) s += u.op[op] ? '1' : '0';
    return s;
  };
  auto left_out = [](const contract::PolicyUse& u) {
    std::string s;
    for (const auto& e : contract::kHookNeeds)
      if (!contract::needed(e.need, u)) s += (s.empty() ? "" : " ") + std::string(e.hook);
    return s;
  };
  // exec read write capability module-load kexec mount
  const std::string write_hooks =
      "inode_setattr inode_setattr_idmap inode_setxattr inode_set_acl inode_remove_acl inode_removexattr "
      "path_unlink path_rmdir path_mkdir path_mknod path_symlink";

  // A path rule of any operation protects its name: placing a file there
  // by rename or link is decided even where nothing decides writes.
  contract::PolicyUse u = use_of("deny exec path /opt/denied\n");
  EXPECT_EQ(ops(u), "1000000");
  EXPECT_FALSE(u.memory || u.subjects);
  EXPECT_TRUE(u.names);
  EXPECT_EQ(left_out(u), "shm_shmat vm_enough_memory " + write_hooks +
                             " path_truncate path_chmod path_chown capable kernel_read_file kernel_load_data");
  u = use_of("deny exec subtree /opt\n");
  EXPECT_FALSE(u.names);
  EXPECT_EQ(left_out(u), "shm_shmat vm_enough_memory " + write_hooks +
                             " path_link path_rename path_truncate path_chmod path_chown capable kernel_read_file "
                             "kernel_load_data");

  u = use_of("deny read path /etc/shadow\n");
  EXPECT_EQ(ops(u), "0100000");
  EXPECT_TRUE(u.names);
  EXPECT_EQ(left_out(u), "mmap_file file_mprotect shm_shmat vm_enough_memory " + write_hooks +
                             " path_truncate path_chmod path_chown capable kernel_read_file kernel_load_data");

  // A subject keeps the mapping hooks (its code is checked) with no exec rule.
  u = use_of("deny write path /etc/shadow except /usr/bin/passwd\n");
  EXPECT_EQ(ops(u), "0010000");
  EXPECT_TRUE(u.subjects && u.names);
  EXPECT_EQ(left_out(u), "vm_enough_memory capable kernel_read_file kernel_load_data");

  // A default other than allow decides every call of its operation.
  u = use_of("default capability audit\ndefault kexec deny\n");
  EXPECT_EQ(ops(u), "0001010");
  EXPECT_FALSE(u.subjects || u.names);

  // Only in the running phase: still decided (the hooks must be there at the seal).
  u = use_of("seal-after 90s\nphase running default module-load deny\n");
  EXPECT_EQ(ops(u), "0000100");
  EXPECT_EQ(left_out(u).find("kernel_read_file"), std::string::npos);
  u = use_of("seal-by /usr/lib/bootseal/bootseal-seal\nseal-after 90s\n");
  EXPECT_EQ(ops(u), "0000000");
  EXPECT_TRUE(u.subjects) << "the seal-by program is a subject";

  // Executable memory: every program that decides it.
  u = use_of("deny exec memory\n");
  EXPECT_EQ(ops(u), "1000000");
  EXPECT_TRUE(u.memory);
  EXPECT_EQ(left_out(u).find("vm_enough_memory"), std::string::npos);
  EXPECT_EQ(left_out(u).find("shm_shmat"), std::string::npos);

  // Mount rules and an empty policy leave every duty of every policy.
  u = use_of("deny mount fstype ramfs\n");
  EXPECT_EQ(ops(u), "0000001");
  EXPECT_EQ(left_out(use_of("")), "mmap_file file_mprotect shm_shmat vm_enough_memory " + write_hooks +
                                      " path_link path_rename path_truncate path_chmod path_chown capable "
                                      "kernel_read_file kernel_load_data");
}

TEST(Compile, HardLinksMergeDenyFirst) {
  TempRoot root;
  root.file("/usr/bin/tool");
  ASSERT_EQ(::link((root.path() + "/usr/bin/tool").c_str(), (root.path() + "/usr/bin/alias").c_str()), 0);
  auto r = RootResolver::open(root.path());
  Document d = doc_with({make_rule(Action::allow, Operation::exec, path_obj("/usr/bin/alias")),
                         make_rule(Action::audit, Operation::exec, path_obj("/usr/bin/tool"))});
  Compiled c = compile(d, r->resolver());
  ASSERT_EQ(c.rules.size(), 1u);
  EXPECT_EQ(c.rules[0].second.action, BS_ACT_AUDIT);
  EXPECT_EQ(c.rules[0].second.rule, 1);
}

TEST(Compile, TooDeepWalkFailsClosed) {
  TempRoot root;
  root.dir("/tmp");
  auto r = RootResolver::open(root.path());
  Document d = doc_with({make_rule(Action::deny, Operation::exec, subtree_obj("/tmp"))});
  Compiled c = compile(d, r->resolver());
  MapQuery q;
  q.operation = Operation::exec;
  for (uint64_t i = 0; i < BS_MAX_DEPTH + 5; ++i) q.chain.push_back(InodeId{1, 1000 + i});
  q.chain.push_back(root.id("/tmp"));
  q.chain.push_back(root.id(""));
  EXPECT_EQ(decide_maps(c, q).action, BS_ACT_DENY);
  EXPECT_EQ(decide_maps(c, q).rule, BS_RULE_TOO_DEEP);
  // Within the bound the walk reaches the rule.
  q.chain.erase(q.chain.begin(), q.chain.begin() + 10);
  EXPECT_EQ(decide_maps(c, q).rule, 0);
}

TEST(Compile, EntryToCreateLooksAtItsDirectories) {
  TempRoot root;
  root.file("/etc/ssh/config");
  auto r = RootResolver::open(root.path());
  Document d = doc_with({make_rule(Action::deny, Operation::write, subtree_obj("/etc/ssh")),
                         make_rule(Action::allow, Operation::write, path_obj("/etc/ssh"))});
  Compiled c = compile(d, r->resolver());
  MapQuery q;
  q.operation = Operation::write;
  q.entry_to_create = true;
  q.chain = chain_of(root, "/etc/ssh");  // the new entry's directory
  // The path rule names the directory, not the new entry: the subtree decides.
  EXPECT_EQ(decide_maps(c, q).action, BS_ACT_DENY);
  Query ref;
  ref.operation = Operation::write;
  ref.path = "/etc/ssh/new";
  EXPECT_EQ(decide(d, ref).action, Action::deny);
}

// ---------------------------------------------------------------------------
// Many random policies over one tree: the compiled maps decide as decide().

class AgreesWithDecide : public ::testing::TestWithParam<int> {};

TEST_P(AgreesWithDecide, RandomPolicies) {
  TempRoot root;
  const std::vector<std::string> files = {
      "/bin/sh",          "/bin/ls",         "/usr/bin/kmod",      "/usr/bin/passwd",     "/usr/bin/login",
      "/etc/shadow",      "/etc/passwd",     "/etc/ssh/host_key",  "/etc/ssh/sshd_config", "/var/tmp/a/b/c",
      "/home/u/bin/tool", "/usr/lib/modules/6.1/m.ko", "/boot/vmlinuz", "/opt/x/y/z/w/deep"};
  for (const auto& f : files) root.file(f);
  std::vector<std::string> paths = {"/"};
  for (const auto& f : files) {
    std::string cur = f;
    while (cur != "/" && std::find(paths.begin(), paths.end(), cur) == paths.end()) {
      paths.push_back(cur);
      cur.resize(cur.rfind('/'));
      if (cur.empty()) cur = "/";
    }
  }
  const std::vector<std::string> exes = {"/bin/sh", "/bin/ls", "/usr/bin/kmod", "/usr/bin/passwd", "/usr/bin/login"};
  const std::vector<std::string> fstypes = {"ext4", "tmpfs", "devtmpfs", "vfat", "proc"};
  const std::vector<uint32_t> caps = {0, 16, 17, 21, 22, 39};

  std::mt19937 rng(static_cast<uint32_t>(GetParam()) * 7919u + 17u);
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  auto r = RootResolver::open(root.path());
  ASSERT_TRUE(r.ok());
  // What the queries carry for each path, looked up once: each lookup is a
  // stat per component, and the loops below make hundreds of thousands.
  std::map<std::string, std::vector<InodeId>> chains;
  std::map<std::string, std::optional<EntryName>> names;
  for (const auto& p : paths) {
    chains[p] = chain_of(root, p);
    if (p != "/") {
      const auto slash = p.rfind('/');
      names[p] = EntryName{root.id(slash == 0 ? "" : p.substr(0, slash)), p.substr(slash + 1)};
    }
  }

  size_t compared = 0;
  for (int round = 0; round < 20; ++round) {
    Document d = doc_with({});
    for (size_t op = 0; op < kOperationCount; ++op) d.defaults[op] = static_cast<Action>(pick(3));
    d.defaults[static_cast<size_t>(Operation::exec)] = Action::allow;
    // Every other round has boot phases: rules of either phase or both, and
    // defaults that differ between them.
    const bool phased = round % 2 == 1;
    if (phased) {
      d.schema = 4;
      d.seal_after = 60;
      auto run = d.defaults;
      for (size_t op = 0; op < kOperationCount; ++op)
        if (pick(3) == 0) run[op] = static_cast<Action>(pick(3));
      if (run != d.defaults) d.running_defaults = run;
    }
    size_t n = 3 + pick(phased ? 20 : 12);
    for (size_t i = 0; i < n; ++i) {
      Rule rule;
      rule.action = static_cast<Action>(pick(3));
      rule.operation = static_cast<Operation>(pick(kOperationCount));
      if (rule.operation == Operation::capability) {
        rule.object = pick(4) ? cap_obj(caps[pick(caps.size())]) : any_obj();
      } else {
        switch (pick(4)) {
          case 0: rule.object = path_obj(paths[pick(paths.size())]); break;
          case 1: rule.object = subtree_obj(paths[pick(paths.size())]); break;
          case 2: rule.object = fstype_obj(fstypes[pick(fstypes.size())]); break;
          default: rule.object = any_obj(); break;
        }
      }
      if (pick(3) == 0) {
        rule.subject = exes[pick(exes.size())];
      } else if (pick(3) == 0) {
        std::vector<std::string> ex;
        for (const auto& e : exes)
          if (pick(3) == 0) ex.push_back(e);
        std::sort(ex.begin(), ex.end());
        rule.exceptions.assign(ex.begin(), ex.end());
      }
      if (phased) rule.phase = static_cast<Phase>(pick(3));
      d.rules.push_back(rule);
      if (!validate(d).ok()) d.rules.pop_back();  // a duplicate (operation, object, subject, phase)
    }
    ASSERT_TRUE(validate(d).ok()) << validate(d).error();
    // Path rules also protect their names: the maps must decide the same
    // with the name in the query.
    Compiled c = compile(d, r->resolver(), {}, r->name_resolver());
    ASSERT_TRUE(c.diagnostics.empty()) << (c.diagnostics.empty() ? "" : c.diagnostics[0].message);

    std::vector<std::string> subjects = exes;
    subjects.push_back("");
    for (const Phase phase : {Phase::boot, Phase::running})
    for (size_t op = 0; op < kOperationCount; ++op) {
      for (const auto& subject : subjects) {
        uint32_t sid = subject.empty() ? BS_SUBJECT_ANY : c.subject_of(root.id(subject));
        if (static_cast<Operation>(op) == Operation::capability) {
          for (uint32_t cap : caps) {
            Query ref;
            ref.operation = Operation::capability;
            ref.capability = cap;
            ref.subject = subject;
            ref.phase = phase;
            MapQuery mq;
            mq.operation = Operation::capability;
            mq.capability = cap;
            mq.subject = sid;
            mq.phase = phase;
            Decision want = decide(d, ref);
            MapDecision got = decide_maps(c, mq);
            ASSERT_EQ(got.action, static_cast<uint8_t>(want.action)) << "cap " << cap << " subject " << subject;
            ASSERT_EQ(got.rule, want.rule) << "cap " << cap << " subject " << subject;
            ++compared;
          }
          continue;
        }
        for (const auto& p : paths) {
          for (const auto& fst : fstypes) {
            Query ref;
            ref.operation = static_cast<Operation>(op);
            ref.path = p;
            ref.fstype = fst;
            ref.subject = subject;
            ref.phase = phase;
            MapQuery mq;
            mq.operation = ref.operation;
            mq.phase = phase;
            mq.chain = chains[p];
            mq.name = names[p];
            mq.magic = fstype_magic(fst).value();
            mq.subject = sid;
            Decision want = decide(d, ref);
            MapDecision got = decide_maps(c, mq);
            ASSERT_EQ(got.action, static_cast<uint8_t>(want.action))
                << "op " << op << " path " << p << " fs " << fst << " subject '" << subject << "' phase "
                << to_string(phase) << "\n"
                << format_compiled(c, d);
            ASSERT_EQ(got.rule, want.rule) << "op " << op << " path " << p << " fs " << fst << " subject '"
                                           << subject << "'\n"
                                           << format_compiled(c, d);
            ++compared;
            // The same name holding another file (replaced by rename after
            // the loader ran): the name entries decide as the path did,
            // unless a subtree rule names that very directory (the new
            // inode is not the subtree, by design).
            const bool subtree_here = std::any_of(d.rules.begin(), d.rules.end(), [&](const Rule& x) {
              return x.object.kind == ObjectKind::subtree && std::string_view(x.object.path) == p;
            });
            if (mq.name && !subtree_here) {
              mq.chain[0] = InodeId{mq.chain[0].dev, (1ull << 40) + mq.chain[0].ino};
              got = decide_maps(c, mq);
              ASSERT_EQ(got.action, static_cast<uint8_t>(want.action))
                  << "replaced: op " << op << " path " << p << " fs " << fst << " subject '" << subject << "'\n"
                  << format_compiled(c, d);
              ASSERT_EQ(got.rule, want.rule) << "replaced: op " << op << " path " << p << "\n" << format_compiled(c, d);
              ++compared;
            }
          }
        }
        // Objects without a file (init_module, kexec_load): only `any`.
        Query ref;
        ref.operation = static_cast<Operation>(op);
        ref.subject = subject;
        ref.phase = phase;
        MapQuery mq;
        mq.operation = ref.operation;
        mq.subject = sid;
        mq.phase = phase;
        ASSERT_EQ(decide_maps(c, mq).action, static_cast<uint8_t>(decide(d, ref).action));
        ++compared;
      }
    }
  }
  EXPECT_GT(compared, 10000u);
}

INSTANTIATE_TEST_SUITE_P(Seeds, AgreesWithDecide, ::testing::Range(0, 12));

TEST(Format, DryRunListing) {
  TempRoot root;
  root.file("/usr/bin/kmod");
  root.dir("/usr/lib/modules");
  auto r = RootResolver::open(root.path());
  Document d = doc_with({make_rule(Action::deny, Operation::capability, cap_obj(16), std::nullopt, {"/usr/bin/kmod"}),
                         make_rule(Action::allow, Operation::module_load, subtree_obj("/usr/lib/modules"),
                                   "/usr/bin/kmod"),
                         make_rule(Action::deny, Operation::exec, fstype_obj("tmpfs"))});
  d.defaults[static_cast<size_t>(Operation::module_load)] = Action::deny;
  Compiled c = compile(d, r->resolver());
  std::string out = format_compiled(c, d);
  auto mods = root.id("/usr/lib/modules");
  auto kmod = root.id("/usr/bin/kmod");
  EXPECT_NE(out.find("policy t generation 1\nmode enforce\n"), std::string::npos) << out;
  EXPECT_NE(out.find("default module-load deny kinds subtree\n"), std::string::npos) << out;
  EXPECT_NE(out.find("subject 1 dev " + format_kernel_dev(kmod.dev) + " ino " + std::to_string(kmod.ino) +
                     " = /usr/bin/kmod\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("  exec fstype magic 0x1021994 subject any -> deny (rule 3)\n"), std::string::npos) << out;
  EXPECT_NE(out.find("  capability capability CAP_SYS_MODULE subject any -> deny (rule 1)\n"), std::string::npos)
      << out;
  EXPECT_NE(out.find("  capability capability CAP_SYS_MODULE subject 1 -> exempt\n"), std::string::npos) << out;
  EXPECT_NE(out.find("  module-load subtree dev " + format_kernel_dev(mods.dev) + " ino " +
                     std::to_string(mods.ino) + " subject 1 -> allow (rule 2)\n"),
            std::string::npos)
      << out;
}

// ---------------------------------------------------------------------------
// Devices: device rules by number, and the guarded devices under mounted
// filesystems derived from a mount table and a sysfs tree.

Object device_obj(std::string_view p) { return Object{ObjectKind::device, std::pmr::string(p), "", 0}; }

constexpr uint32_t kVda = 254u << 20 | 0, kVda2 = 254u << 20 | 2, kVdb = 254u << 20 | 16;
constexpr uint32_t kDm0 = 253u << 20 | 0, kSg0 = 21u << 20 | 0, kDmControl = 10u << 20 | 236;

DeviceResolver fake_devices() {
  return [](const std::string& p, std::string* err) -> std::optional<DeviceId> {
    if (p == "/dev/vda2" || p == "/dev/disk/by-partlabel/root") return DeviceId{kVda2, false};
    if (p == "/dev/mapper/control") return DeviceId{kDmControl, true};
    if (p == "/dev/sg0") return DeviceId{kSg0, true};
    if (err) *err = p == "/etc/passwd" ? "is not a device node" : "does not exist";
    return std::nullopt;
  };
}

Document device_doc() {
  Document d = doc_with({make_rule(Action::deny, Operation::write, path_obj("/etc/shadow")),
                         make_rule(Action::allow, Operation::write, device_obj("/dev/disk/by-partlabel/root"),
                                   "/usr/sbin/e2fsck"),
                         make_rule(Action::deny, Operation::read, device_obj("/dev/vdz9"))});
  d.schema = 2;
  return d;
}

TEST(Devices, DeviceRuleIsKeyedByDeviceNumber) {
  TempRoot root;
  root.file("/etc/shadow");
  root.file("/usr/sbin/e2fsck");
  auto r = RootResolver::open(root.path());
  Document d = device_doc();
  Compiled c = compile(d, r->resolver(), fake_devices());
  bs_rule_key k{};
  k.kind = BS_KIND_DEVICE;
  k.op = BS_OP_WRITE;
  k.subject = c.subject_of(root.id("/usr/sbin/e2fsck"));
  k.dev = kVda2;
  k.id = BS_DEVICE_BLOCK;
  const bs_rule_val* v = c.find(k);
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->action, BS_ACT_ALLOW);
  EXPECT_EQ(v->rule, 1);
  EXPECT_TRUE(c.kinds[BS_OP_WRITE] & (1u << BS_KIND_DEVICE));
  ASSERT_EQ(c.diagnostics.size(), 1u);
  EXPECT_EQ(c.diagnostics[0].message, "rule 3 (deny read device /dev/vdz9): /dev/vdz9 does not exist");
}

TEST(Devices, WithoutADeviceResolverDeviceRulesAreReported) {
  TempRoot root;
  root.file("/usr/sbin/e2fsck");
  auto r = RootResolver::open(root.path());
  Compiled c = compile(device_doc(), r->resolver());
  EXPECT_EQ(c.diagnostics.size(), 3u);
}

// A sysfs tree: vda (disk) with vda2 (partition), dm-0 on vdb, vda with a
// SCSI generic node sg0.
class FakeSysfs {
 public:
  FakeSysfs() {
    root_.dir("/devices/vda/vda2");
    dev("/devices/vda", "254:0");
    dev("/devices/vda/vda2", "254:2");
    std::ofstream(root_.path() + "/devices/vda/vda2/partition") << "2\n";
    root_.dir("/devices/vda/device/scsi_generic/sg0");
    dev("/devices/vda/device/scsi_generic/sg0", "21:0");
    root_.dir("/devices/vdb");
    dev("/devices/vdb", "254:16");
    root_.dir("/devices/dm-0/slaves");
    dev("/devices/dm-0", "253:0");
    fs::create_directory_symlink(root_.path() + "/devices/vdb", root_.path() + "/devices/dm-0/slaves/vdb");
    root_.dir("/dev/block");
    for (auto [name, path] : {std::pair{"254:0", "/devices/vda"}, {"254:2", "/devices/vda/vda2"},
                              {"254:16", "/devices/vdb"}, {"253:0", "/devices/dm-0"}})
      fs::create_directory_symlink(root_.path() + path, root_.path() + "/dev/block/" + name);
  }
  const std::string& path() const { return root_.path(); }

 private:
  void dev(const std::string& dir, const std::string& majmin) { std::ofstream(root_.path() + dir + "/dev") << majmin << "\n"; }
  TempRoot root_;
};

// /proc/devices as Linux 6.1 prints it, with the pass-through drivers.
const std::string kProcDevices =
    "Character devices:\n  1 mem\n 21 sg\n241 nvme-generic\n247 bsg\n\nBlock devices:\n  8 sd\n253 device-mapper\n";
constexpr uint32_t kSgMajor = 21u << 20 | BS_RAWDEV_ANY_MINOR, kBsgMajor = 247u << 20 | BS_RAWDEV_ANY_MINOR,
                   kNgMajor = 241u << 20 | BS_RAWDEV_ANY_MINOR;

std::string mount_line(const std::string& majmin, const std::string& point, const std::string& type,
                       const std::string& source) {
  return "30 1 " + majmin + " / " + point + " rw,relatime shared:1 - " + type + " " + source + " rw\n";
}

TEST(Devices, PartitionAndItsDiskAreGuardedForWrite) {
  FakeSysfs sys;
  Compiled c;
  c.rules.push_back({bs_rule_key{BS_KIND_PATH, BS_OP_WRITE, 0, 0, kVda2, 0, 42}, bs_rule_val{BS_ACT_DENY, BS_ACT_DENY, 0, 0, 0, 0}});
  EXPECT_TRUE(guard_backing_devices(&c, mount_line("254:2", "/", "ext4", "/dev/vda2") + mount_line("0:22", "/proc", "proc", "proc"),
                                    sys.path(), "mi", kProcDevices)
                  .empty());
  // vda is a SCSI disk (it has sg0): the SCSI generic and bsg majors too.
  std::vector<RawDevice> want{{kVda, false, 1u << BS_OP_WRITE}, {kVda2, false, 1u << BS_OP_WRITE},
                              {kSg0, true, 1u << BS_OP_WRITE}, {kSgMajor, true, 1u << BS_OP_WRITE},
                              {kBsgMajor, true, 1u << BS_OP_WRITE}};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(c.raw_devices, want);
}

TEST(Devices, FilesystemWithoutProtectedObjectsIsNotGuarded) {
  FakeSysfs sys;
  Compiled c;
  // The only rule protects a file on another filesystem (vdb).
  c.rules.push_back({bs_rule_key{BS_KIND_PATH, BS_OP_WRITE, 0, 0, kVdb, 0, 42}, bs_rule_val{BS_ACT_DENY, BS_ACT_DENY, 0, 0, 0, 0}});
  guard_backing_devices(&c, mount_line("254:2", "/", "ext4", "/dev/vda2"), sys.path());
  EXPECT_TRUE(c.raw_devices.empty());
  // An allow entry protects nothing.
  c.rules = {{bs_rule_key{BS_KIND_PATH, BS_OP_WRITE, 0, 1, kVda2, 0, 42}, bs_rule_val{BS_ACT_ALLOW, BS_ACT_ALLOW, 0, 0, 0, 0}}};
  guard_backing_devices(&c, mount_line("254:2", "/", "ext4", "/dev/vda2"), sys.path());
  EXPECT_TRUE(c.raw_devices.empty());
}

TEST(Devices, ReadRulesGuardReadsAndDefaultsGuardEverything) {
  FakeSysfs sys;
  Compiled c;
  c.rules.push_back({bs_rule_key{BS_KIND_SUBTREE, BS_OP_READ, 0, 0, kVda2, 0, 7}, bs_rule_val{BS_ACT_DENY, BS_ACT_DENY, 0, 0, 0, 0}});
  c.defaults[BS_OP_WRITE] = BS_ACT_DENY;
  guard_backing_devices(&c, mount_line("254:2", "/", "ext4", "/dev/vda2") + mount_line("253:0", "/srv", "xfs", "/dev/dm-0"),
                        sys.path(), "mi", kProcDevices);
  const uint32_t rw = 1u << BS_OP_READ | 1u << BS_OP_WRITE;
  // The SCSI generic node reads as well as writes: it gets the disk's
  // operations, as do the majors; vdb is no SCSI disk.
  std::vector<RawDevice> want{{kDm0, false, 1u << BS_OP_WRITE}, {kVda, false, rw},         {kVda2, false, rw},
                              {kVdb, false, 1u << BS_OP_WRITE}, {kSg0, true, rw},
                              {kSgMajor, true, rw}, {kBsgMajor, true, rw}};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(c.raw_devices, want);
}

// A `fstype` denial guards the devices of the places whose fstab type may
// mount that type: any type of a list ("ext4,xfs").
TEST(Devices, AFstypeDenialGuardsThePlacesOfItsTypes) {
  Compiled c;
  c.rules.push_back({bs_rule_key{BS_KIND_FSTYPE, BS_OP_WRITE, 0, 0, 0, 0, 0x58465342},  // xfs
                     bs_rule_val{BS_ACT_DENY, BS_ACT_DENY, 0, 0, 0, 0}});
  Place p;
  p.mount_point = "/srv";
  p.chain.dirs = {InodeId{kVda2, 40}, InodeId{kVda2, 2}};
  p.chain.mount_point_exists = true;
  p.magics = fstab_fstype_magics("ext4,xfs");
  EXPECT_EQ(p.magics, (std::vector<uint64_t>{0xef53, 0x58465342}));
  EXPECT_EQ(protected_ops_of_place(c, p), 1u << BS_OP_WRITE);
  p.magics = fstab_fstype_magics("ext4");
  EXPECT_EQ(protected_ops_of_place(c, p), 0u);
  EXPECT_EQ(fstab_fstype_magics("ext2,ext3,ext4"), (std::vector<uint64_t>{0xef53}));  // one magic
  EXPECT_TRUE(fstab_fstype_magics("auto").empty());
}

TEST(Devices, APlacedFilesystemsDeviceIsGuardedForItsPlacesDenials) {
  FakeSysfs sys;
  Compiled c;
  // /boot (root filesystem inode 12) holds a subtree deny; vdb, not
  // mounted now, is what the fstab mounts there.
  const InodeId boot{kVda2, 12}, root{kVda2, 2};
  c.rules.push_back({bs_rule_key{BS_KIND_SUBTREE, BS_OP_WRITE, 0, 0, kVda2, 0, 12}, bs_rule_val{BS_ACT_DENY, BS_ACT_DENY, 0, 0, 0, 0}});
  Place p;
  p.mount_point = "/boot";
  p.chain.dirs = {boot, root};
  p.chain.mount_point_exists = true;
  // Two devices with its UUID (a copy on another disk): both guarded.
  p.devices = {kVdb, 253u << 20 | 0};
  c.places.push_back(p);
  EXPECT_EQ(protected_ops_of_place(c, p), 1u << BS_OP_WRITE);
  EXPECT_TRUE(place_denies_anything(c, p.chain));
  EXPECT_TRUE(guard_backing_devices(&c, mount_line("254:2", "/", "ext4", "/dev/vda2"), sys.path(), "mi", kProcDevices).empty());
  // vda2 holds the rule's directory: guarded too, with its disk.
  const auto has = [&](uint32_t dev) {
    return std::any_of(c.raw_devices.begin(), c.raw_devices.end(),
                       [&](const RawDevice& d) { return !d.character && d.dev == dev && d.ops == 1u << BS_OP_WRITE; });
  };
  EXPECT_TRUE(has(kVdb));
  EXPECT_TRUE(has(253u << 20 | 0));
  EXPECT_TRUE(has(kVda2));
  // A place whose chain no deny touches is not guarded; nor one without a device.
  c.places[0].chain.dirs = {InodeId{kVda2, 13}, root};
  EXPECT_EQ(protected_ops_of_place(c, c.places[0]), 0u);
  EXPECT_FALSE(place_denies_anything(c, c.places[0].chain));
  guard_backing_devices(&c, mount_line("254:2", "/", "ext4", "/dev/vda2"), sys.path(), "mi", kProcDevices);
  EXPECT_FALSE(has(kVdb));
  // A name at the mount point counts (only when the chain starts there).
  c.places[0].chain.dirs = {boot, root};
  c.rules = {{bs_rule_key{BS_KIND_NAME, BS_OP_WRITE, 0, 0, 0, 0, 1}, bs_rule_val{BS_ACT_DENY, BS_ACT_DENY, 0, 0, 0, 0}}};
  c.names = {NameEntry{EntryName{boot, "vmlinuz"}, 1}};
  EXPECT_EQ(protected_ops_of_place(c, c.places[0]), 1u << BS_OP_WRITE);
  c.places[0].chain.mount_point_exists = false;
  EXPECT_EQ(protected_ops_of_place(c, c.places[0]), 0u);
  // A device sysfs does not know is a problem, named.
  c.places[0].chain.mount_point_exists = true;
  c.places[0].devices = {254u << 20 | 99};
  const auto problems = guard_backing_devices(&c, mount_line("254:2", "/", "ext4", "/dev/vda2"), sys.path(), "mi", kProcDevices);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("cannot guard the device of the filesystem the fstab mounts on /boot"), std::string::npos)
      << problems[0];
}

TEST(Devices, DevicesOfFilesystemsWithoutAPlaceAndAnotherLinesOpsAreGuarded) {
  FakeSysfs sys;
  Compiled c;
  c.rules.push_back({bs_rule_key{BS_KIND_SUBTREE, BS_OP_WRITE, 0, 0, kVda2, 0, 12}, bs_rule_val{BS_ACT_DENY, BS_ACT_DENY, 0, 0, 0, 0}});
  // A vfat ESP below /boot: no UUID to place, its device guarded for the line's denials.
  c.later_devices.push_back(LaterDevice{kVdb, 1u << BS_OP_WRITE, "/boot/efi"});
  // A place whose own chain denies nothing, listed again by a line whose place denies reads.
  Place p;
  p.mount_point = "/a";
  p.chain.dirs = {InodeId{kVda2, 13}, InodeId{kVda2, 2}};
  p.chain.mount_point_exists = true;
  p.devices = {253u << 20 | 0};
  c.places.push_back(p);
  c.later_devices.push_back(LaterDevice{253u << 20 | 0, 1u << BS_OP_READ, "/b"});
  EXPECT_TRUE(guard_backing_devices(&c, mount_line("254:2", "/", "ext4", "/dev/vda2"), sys.path(), "mi", kProcDevices).empty());
  const auto ops_of = [&](uint32_t dev) {
    uint32_t ops = 0;
    for (const auto& d : c.raw_devices)
      if (!d.character && d.dev == dev) ops |= d.ops;
    return ops;
  };
  EXPECT_EQ(ops_of(253u << 20 | 0), 1u << BS_OP_READ);
  EXPECT_EQ(ops_of(kVdb), 1u << BS_OP_WRITE | 1u << BS_OP_READ);  // and for read as dm-0's member
  // One sysfs does not know is a problem, named with its mount point.
  c.later_devices = {LaterDevice{254u << 20 | 99, 1u << BS_OP_WRITE, "/boot/efi"}};
  const auto problems = guard_backing_devices(&c, mount_line("254:2", "/", "ext4", "/dev/vda2"), sys.path(), "mi", kProcDevices);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("the fstab mounts on /boot/efi"), std::string::npos) << problems[0];
}

TEST(Devices, MountTableProblemsAreReportedWithTheirLine) {
  FakeSysfs sys;
  Compiled c;
  c.rules.push_back({bs_rule_key{BS_KIND_PATH, BS_OP_WRITE, 0, 0, kVda2, 0, 42}, bs_rule_val{BS_ACT_DENY, BS_ACT_DENY, 0, 0, 0, 0}});
  auto problems = guard_backing_devices(&c, "", sys.path(), "mi");
  EXPECT_EQ(problems, std::vector<std::string>{"mi lists no mounts"});
  EXPECT_TRUE(c.raw_devices.empty());
  problems = guard_backing_devices(&c,
                                   mount_line("254:2", "/", "ext4", "/dev/vda2") + "31 1 254:2\n" +
                                       "32 1 254:2 / /a rw shared:1 ext4 /dev/vda2 rw\n" +
                                       mount_line("8:x", "/b", "ext4", "/dev/sda1"),
                                   sys.path(), "mi", kProcDevices);
  EXPECT_EQ(problems, (std::vector<std::string>{"mi line 2: fewer than 5 fields", "mi line 3: no ' - FSTYPE SOURCE' part",
                                                "mi line 4: '8:x' is not a device number MAJOR:MINOR"}));
  // The lines it could read are still guarded (vda, vda2, sg0, two majors).
  EXPECT_EQ(c.raw_devices.size(), 5u);
}

TEST(Devices, ProtectedFilesystemWhoseDeviceIsNotInSysfsIsReported) {
  FakeSysfs sys;
  Compiled c;
  const uint32_t kSda1 = 8u << 20 | 1;
  c.rules.push_back({bs_rule_key{BS_KIND_PATH, BS_OP_WRITE, 0, 0, kSda1, 0, 42}, bs_rule_val{BS_ACT_DENY, BS_ACT_DENY, 0, 0, 0, 0}});
  auto problems = guard_backing_devices(&c, mount_line("8:1", "/srv/my\\040data", "ext4", "/dev/sda1"), sys.path(), "mi");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0], "cannot guard the device under ext4 on /srv/my data (mi line 1): " + sys.path() +
                             "/dev/block/8:1: No such file or directory");
  // Without protected objects on it, a device missing from sysfs is no problem.
  c.rules.clear();
  EXPECT_TRUE(guard_backing_devices(&c, mount_line("8:1", "/srv", "ext4", "/dev/sda1"), sys.path(), "mi").empty());
  // An anonymous device whose source path is gone.
  c.defaults[BS_OP_WRITE] = BS_ACT_DENY;
  problems = guard_backing_devices(&c, mount_line("0:40", "/data", "btrfs", "/dev/bootseal-test-no-such-disk"),
                                   sys.path(), "mi");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0],
            "cannot guard the device under btrfs on /data (mi line 1): its source /dev/bootseal-test-no-such-disk: "
            "No such file or directory");
  // tmpfs and proc name no block device: nothing to guard, nothing wrong.
  EXPECT_TRUE(guard_backing_devices(&c, mount_line("0:22", "/run", "tmpfs", "tmpfs") + mount_line("0:23", "/proc", "proc", "proc"),
                                    sys.path(), "mi")
                  .empty());
  EXPECT_TRUE(c.raw_devices.empty());
}

// An NVMe sysfs tree as Linux 6.1 lays it out: controller nvme0 with
// namespaces 1 (disk nvme0n1, partition nvme0n1p1, generic node ng0n1) and
// 2 (nvme0n2, ng0n2); controller nvme1 (nvme1n1, ng1n1); a multipath
// subsystem nvme-subsys2 whose head nvme2n1 and generic node ng2n1 sit
// beside a link to controller nvme2; controller nvme3 whose disk has a
// name of another shape.
class FakeNvme {
 public:
  FakeNvme() {
    root_.dir("/dev/block");
    root_.dir("/class/nvme");
    root_.dir("/class/nvme-generic");
    root_.dir("/class/nvme-subsystem");
    node("/devices/nvme/nvme0", "nvme", "240:0");
    node("/devices/nvme/nvme0/nvme0n1", "block", "259:0", true);
    node("/devices/nvme/nvme0/nvme0n1/nvme0n1p1", "block", "259:1", true);
    std::ofstream(root_.path() + "/devices/nvme/nvme0/nvme0n1/nvme0n1p1/partition") << "1\n";
    node("/devices/nvme/nvme0/nvme0n2", "block", "259:2", true);
    node("/devices/nvme/nvme0/ng0n1", "nvme-generic", "241:0");
    node("/devices/nvme/nvme0/ng0n2", "nvme-generic", "241:1");
    node("/devices/nvme/nvme1", "nvme", "240:1");
    node("/devices/nvme/nvme1/nvme1n1", "block", "259:3", true);
    node("/devices/nvme/nvme1/ng1n1", "nvme-generic", "241:2");
    node("/devices/nvme/nvme2", "nvme", "240:2");
    node("/devices/virtual/nvme-subsystem/nvme-subsys2", "nvme-subsystem", "");
    node("/devices/virtual/nvme-subsystem/nvme-subsys2/nvme2n1", "block", "259:4", true);
    node("/devices/virtual/nvme-subsystem/nvme-subsys2/ng2n1", "nvme-generic", "241:3");
    fs::create_directory_symlink(root_.path() + "/devices/nvme/nvme2",
                                 root_.path() + "/devices/virtual/nvme-subsystem/nvme-subsys2/nvme2");
    node("/devices/nvme/nvme3", "nvme", "240:3");
    node("/devices/nvme/nvme3/odd-disk", "block", "259:5", true);
    node("/devices/nvme/nvme3/ng3n1", "nvme-generic", "241:4");
    node("/devices/nvme/nvme3/ng3n2", "nvme-generic", "241:5");
  }
  const std::string& path() const { return root_.path(); }

 private:
  void node(const std::string& dir, const std::string& cls, const std::string& majmin, bool block = false) {
    root_.dir(dir);
    if (!cls.empty() && cls != "block") fs::create_directory_symlink(root_.path() + "/class/" + cls, root_.path() + dir + "/subsystem");
    if (!majmin.empty()) std::ofstream(root_.path() + dir + "/dev") << majmin << "\n";
    if (block) fs::create_directory_symlink(root_.path() + dir, root_.path() + "/dev/block/" + majmin);
  }
  TempRoot root_;
};

constexpr uint32_t kNvme0 = 240u << 20 | 0, kNvme1 = 240u << 20 | 1, kNvme2 = 240u << 20 | 2, kNvme3 = 240u << 20 | 3;
constexpr uint32_t kNg0n1 = 241u << 20 | 0, kNg0n2 = 241u << 20 | 1, kNg2n1 = 241u << 20 | 3;
constexpr uint32_t kNg3n1 = 241u << 20 | 4, kNg3n2 = 241u << 20 | 5;
constexpr uint32_t kNvme0n1 = 259u << 20 | 0, kNvme0n1p1 = 259u << 20 | 1, kNvme2n1 = 259u << 20 | 4,
                   kOdd = 259u << 20 | 5;

std::vector<RawDevice> guarded_under(const FakeNvme& sys, uint32_t fs_dev, const std::string& majmin, uint32_t ops) {
  Compiled c;
  if (ops & (1u << BS_OP_READ))
    c.rules.push_back({bs_rule_key{BS_KIND_PATH, BS_OP_READ, 0, 0, fs_dev, 0, 42}, bs_rule_val{BS_ACT_DENY, BS_ACT_DENY, 0, 0, 0, 0}});
  if (ops & (1u << BS_OP_WRITE))
    c.rules.push_back({bs_rule_key{BS_KIND_PATH, BS_OP_WRITE, 0, 0, fs_dev, 0, 42}, bs_rule_val{BS_ACT_DENY, BS_ACT_DENY, 0, 0, 0, 0}});
  EXPECT_TRUE(guard_backing_devices(&c, mount_line(majmin, "/", "ext4", "/dev/x"), sys.path(), "mi", kProcDevices).empty());
  // Every NVMe namespace also guards the nvme-generic major.
  EXPECT_TRUE(std::erase(c.raw_devices, RawDevice{kNgMajor, true, ops}) == 1) << majmin;
  return c.raw_devices;
}

TEST(Devices, NvmeNamespaceGuardsItsGenericNodeAndController) {
  FakeNvme sys;
  const uint32_t rw = 1u << BS_OP_READ | 1u << BS_OP_WRITE, r = 1u << BS_OP_READ;
  // Partition 1 of namespace 1: the partition, its disk, ng0n1 and the
  // controller node; not namespace 2 (nvme0n2, ng0n2) nor controller nvme1.
  std::vector<RawDevice> want{{kNvme0n1, false, rw}, {kNvme0n1p1, false, rw}, {kNvme0, true, rw}, {kNg0n1, true, rw}};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(guarded_under(sys, kNvme0n1p1, "259:1", rw), want);
  // Read-only protection guards the pass-through nodes for read: a
  // pass-through descriptor reads whatever its open mode.
  want = {{kNvme0n1, false, r}, {kNvme0n1p1, false, r}, {kNvme0, true, r}, {kNg0n1, true, r}};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(guarded_under(sys, kNvme0n1p1, "259:1", r), want);
}

TEST(Devices, NvmeMultipathHeadGuardsItsGenericNodeAndControllers) {
  FakeNvme sys;
  const uint32_t w = 1u << BS_OP_WRITE;
  std::vector<RawDevice> want{{kNvme2n1, false, w}, {kNvme2, true, w}, {kNg2n1, true, w}};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(guarded_under(sys, kNvme2n1, "259:4", w), want);
}

TEST(Devices, NvmeDiskOfAnotherNameGuardsEveryGenericNodeOfItsController) {
  FakeNvme sys;
  const uint32_t w = 1u << BS_OP_WRITE;
  std::vector<RawDevice> want{{kOdd, false, w}, {kNvme3, true, w}, {kNg3n1, true, w}, {kNg3n2, true, w}};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(guarded_under(sys, kOdd, "259:5", w), want);
  // and says so.
  Compiled c;
  c.defaults[BS_OP_WRITE] = BS_ACT_DENY;
  EXPECT_TRUE(guard_backing_devices(&c, mount_line("259:5", "/", "ext4", "/dev/x"), sys.path(), "mi", kProcDevices).empty());
  std::vector<std::string> notes;
  for (const auto& d : c.diagnostics) notes.push_back(d.message);
  std::sort(notes.begin(), notes.end());
  EXPECT_EQ(notes, (std::vector<std::string>{
                       "cannot tell the namespace of ng3n1 beside disk odd-disk from their names: guarding it too",
                       "cannot tell the namespace of ng3n2 beside disk odd-disk from their names: guarding it too"}));
}

// A SCSI disk before sg is loaded: sda, driven by sd, with no
// scsi_generic/ or bsg/ directory; sdb, driven by another driver.
class FakeScsi {
 public:
  FakeScsi() {
    root_.dir("/bus/scsi/drivers/sd");
    root_.dir("/bus/scsi/drivers/other");
    disk("/devices/host0/target0:0:0/0:0:0:0", "sda", "8:0", "sd");
    root_.dir("/devices/host0/target0:0:0/0:0:0:0/block/sda/sda1");
    std::ofstream(root_.path() + "/devices/host0/target0:0:0/0:0:0:0/block/sda/sda1/dev") << "8:1\n";
    std::ofstream(root_.path() + "/devices/host0/target0:0:0/0:0:0:0/block/sda/sda1/partition") << "1\n";
    link("/devices/host0/target0:0:0/0:0:0:0/block/sda/sda1", "/dev/block/8:1");
    disk("/devices/host0/target0:0:1/0:0:1:0", "sdb", "8:16", "other");
  }
  const std::string& path() const { return root_.path(); }

 private:
  void link(const std::string& to, const std::string& at) {
    root_.dir(fs::path(at).parent_path().string());
    fs::create_directory_symlink(root_.path() + to, root_.path() + at);
  }
  void disk(const std::string& dev, const std::string& name, const std::string& majmin, const std::string& driver) {
    const std::string dir = dev + "/block/" + name;
    root_.dir(dir);
    std::ofstream(root_.path() + dir + "/dev") << majmin << "\n";
    link(dev, dir + "/device");
    link("/bus/scsi/drivers/" + driver, dev + "/driver");
    link(dir, "/dev/block/" + majmin);
  }
  TempRoot root_;
};

TEST(Devices, ScsiDiskGuardsTheGenericMajorsBeforeItsNodesExist) {
  FakeScsi sys;
  Compiled c;
  c.defaults[BS_OP_WRITE] = BS_ACT_DENY;
  EXPECT_TRUE(guard_backing_devices(&c, mount_line("8:1", "/", "ext4", "/dev/sda1"), sys.path(), "mi", kProcDevices).empty());
  const uint32_t w = 1u << BS_OP_WRITE;
  std::vector<RawDevice> want{{8u << 20 | 0, false, w}, {8u << 20 | 1, false, w}, {kSgMajor, true, w},
                              {kBsgMajor, true, w}};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(c.raw_devices, want);
  EXPECT_EQ(c.raw_majors, (std::map<uint32_t, std::string>{{21, "SCSI generic"}, {247, "bsg"}}));
  EXPECT_EQ(raw_device_title(c, want[2]), "character major 21 (SCSI generic)");
  EXPECT_EQ(raw_device_title(c, want[0]), "block device 8:0");
  // A disk that sd does not drive and that has no generic nodes is no SCSI
  // disk: no major.
  c.raw_devices.clear();
  EXPECT_TRUE(guard_backing_devices(&c, mount_line("8:16", "/", "ext4", "/dev/sdb"), sys.path(), "mi", kProcDevices).empty());
  EXPECT_EQ(c.raw_devices, (std::vector<RawDevice>{{8u << 20 | 16, false, w}}));
}

TEST(Devices, ProcDevicesProblemsNameTheFileAndLine) {
  FakeScsi sys;
  Compiled c;
  c.defaults[BS_OP_WRITE] = BS_ACT_DENY;
  const std::string mount = mount_line("8:1", "/", "ext4", "/dev/sda1");
  // bsg missing: the SCSI generic major (fixed) is still guarded.
  auto problems = guard_backing_devices(&c, mount, sys.path(), "mi", "Character devices:\n 21 sg\n", "pd");
  EXPECT_EQ(problems, std::vector<std::string>{"cannot guard the bsg nodes of a guarded disk made after the loader: pd "
                                               "lists no character driver 'bsg'"});
  EXPECT_EQ(std::count_if(c.raw_devices.begin(), c.raw_devices.end(), [](const RawDevice& d) { return d.dev == kSgMajor; }),
            1);
  // Lines that are not "MAJOR NAME" in the character section.
  problems = guard_backing_devices(&c, mount, sys.path(), "mi",
                                   "Character devices:\n 21 sg\nx bsg\n247 bsg extra\n4096 big\n247\n"
                                   "\nBlock devices:\nnot parsed here\n",
                                   "pd");
  EXPECT_EQ(problems, (std::vector<std::string>{"pd line 3: 'x bsg' is not 'MAJOR NAME'",
                                                "pd line 4: '247 bsg extra' is not 'MAJOR NAME'",
                                                "pd line 5: '4096 big' is not 'MAJOR NAME'", "pd line 6: '247' is not 'MAJOR NAME'",
                                                "cannot guard the bsg nodes of a guarded disk made after the loader: pd "
                                                "lists no character driver 'bsg'"}));
  // A block driver of that name does not count.
  problems = guard_backing_devices(&c, mount, sys.path(), "mi", "Character devices:\n 21 sg\n\nBlock devices:\n247 bsg\n", "pd");
  EXPECT_EQ(problems.size(), 1u);
  // Nothing SCSI or NVMe guarded: /proc/devices is not needed.
  Compiled none;
  none.defaults[BS_OP_WRITE] = BS_ACT_DENY;
  FakeSysfs plain;
  EXPECT_TRUE(guard_backing_devices(&none, mount_line("253:0", "/", "xfs", "/dev/dm-0"), plain.path(), "mi", "", "pd").empty());
}

TEST(Devices, MapDecisionGuardsAWholeMajorUnlessANodeRuleAllows) {
  TempRoot root;
  root.file("/usr/sbin/e2fsck");
  auto r = RootResolver::open(root.path());
  Document d = device_doc();
  d.rules.push_back(make_rule(Action::allow, Operation::write, device_obj("/dev/sg0"), "/usr/sbin/e2fsck"));
  Compiled c = compile(d, r->resolver(), fake_devices());
  c.raw_devices = {{kSgMajor, true, 1u << BS_OP_WRITE}};
  const uint32_t fsck = c.subject_of(root.id("/usr/sbin/e2fsck"));
  MapQuery q;
  q.operation = Operation::write;
  // A device rule naming a node that existed at load time lets its subject in.
  q.device = DeviceId{kSg0, true};
  q.subject = fsck;
  EXPECT_EQ(decide_maps(c, q).action, BS_ACT_ALLOW);
  q.subject = BS_SUBJECT_ANY;
  EXPECT_EQ(decide_maps(c, q).rule, BS_RULE_RAW_DEVICE);
  q.operation = Operation::write;
  q.device = DeviceId{21u << 20 | 7, true};  // /dev/sg7, made after the loader
  EXPECT_EQ(decide_maps(c, q).action, BS_ACT_DENY);
  EXPECT_EQ(decide_maps(c, q).rule, BS_RULE_RAW_DEVICE);
  q.device = DeviceId{8u << 20 | 0xfffff, false};  // a block device of that number: not the major
  EXPECT_EQ(decide_maps(c, q).action, BS_ACT_ALLOW);
  q.device = DeviceId{22u << 20 | 7, true};  // another major
  EXPECT_EQ(decide_maps(c, q).action, BS_ACT_ALLOW);
  q.operation = Operation::read;  // not guarded for read
  q.device = DeviceId{21u << 20 | 7, true};
  EXPECT_EQ(decide_maps(c, q).action, BS_ACT_ALLOW);
}

TEST(Devices, MapDecisionGuardsUnlessADeviceRuleAllows) {
  TempRoot root;
  root.file("/etc/shadow");
  root.file("/usr/sbin/e2fsck");
  auto r = RootResolver::open(root.path());
  Compiled c = compile(device_doc(), r->resolver(), fake_devices());
  c.raw_devices = {{kVda, false, 1u << BS_OP_WRITE}, {kVda2, false, 1u << BS_OP_WRITE}};
  uint32_t fsck = c.subject_of(root.id("/usr/sbin/e2fsck"));
  MapQuery q;
  q.operation = Operation::write;
  q.device = DeviceId{kVda2, false};
  EXPECT_EQ(decide_maps(c, q).action, BS_ACT_DENY);
  EXPECT_EQ(decide_maps(c, q).rule, BS_RULE_RAW_DEVICE);
  q.subject = fsck;
  EXPECT_EQ(decide_maps(c, q).action, BS_ACT_ALLOW);
  EXPECT_EQ(decide_maps(c, q).rule, 1);
  q.subject = BS_SUBJECT_ANY;
  q.device = DeviceId{kVda, false};  // the whole disk has no device rule
  EXPECT_EQ(decide_maps(c, q).rule, BS_RULE_RAW_DEVICE);
  q.device = DeviceId{kVdb, false};  // a disk under no protected filesystem
  EXPECT_EQ(decide_maps(c, q).action, BS_ACT_ALLOW);
  q.operation = Operation::read;
  q.device = DeviceId{kVda2, false};  // no read rules: reads stay open
  EXPECT_EQ(decide_maps(c, q).action, BS_ACT_ALLOW);
  q.operation = Operation::write;
  q.device = DeviceId{kDmControl, true};
  EXPECT_EQ(decide_maps(c, q).rule, BS_RULE_DM_CONTROL);
  // A guard for read alone holds device-mapper control too: a table over
  // the device would read it.
  c.raw_devices = {{kVda2, false, 1u << BS_OP_READ}};
  EXPECT_EQ(decide_maps(c, q).action, BS_ACT_DENY);
  EXPECT_EQ(decide_maps(c, q).rule, BS_RULE_DM_CONTROL);
  q.device = DeviceId{kVda2, false};  // while the device itself is written
  EXPECT_EQ(decide_maps(c, q).action, BS_ACT_ALLOW);
  c.raw_devices.clear();  // nothing guarded: control is free
  q.device = DeviceId{kDmControl, true};
  EXPECT_EQ(decide_maps(c, q).action, BS_ACT_ALLOW);
}

TEST(Devices, AnAuditRuleForAnyProcessDoesNotLiftTheGuard) {
  TempRoot root;
  root.file("/etc/shadow");
  root.file("/usr/sbin/e2fsck");
  auto r = RootResolver::open(root.path());
  Document d = doc_with({make_rule(Action::deny, Operation::write, path_obj("/etc/shadow")),
                         make_rule(Action::audit, Operation::write, device_obj("/dev/vda2")),
                         make_rule(Action::audit, Operation::read, device_obj("/dev/vda2"), "/usr/sbin/e2fsck"),
                         make_rule(Action::audit, Operation::write, device_obj("/dev/sg0"))});
  d.schema = 2;
  Compiled c = compile(d, r->resolver(), fake_devices());
  ASSERT_TRUE(c.diagnostics.empty());
  c.raw_devices = {{kVda2, false, (1u << BS_OP_WRITE) | (1u << BS_OP_READ)}};
  const uint32_t fsck = c.subject_of(root.id("/usr/sbin/e2fsck"));
  MapQuery q;
  q.operation = Operation::write;
  q.device = DeviceId{kVda2, false};
  // Guarded: the audit rule for any process is no grant.
  EXPECT_EQ(decide_maps(c, q).action, BS_ACT_DENY);
  EXPECT_EQ(decide_maps(c, q).rule, BS_RULE_RAW_DEVICE);
  // One that names its subject is: that program opens it, logged.
  q.operation = Operation::read;
  q.subject = fsck;
  EXPECT_EQ(decide_maps(c, q).action, BS_ACT_AUDIT);
  EXPECT_EQ(decide_maps(c, q).rule, 2);  // 0-based
  q.subject = BS_SUBJECT_ANY;
  EXPECT_EQ(decide_maps(c, q).action, BS_ACT_DENY);
  // A device nothing guards: the audit rule logs every opening.
  q.operation = Operation::write;
  q.device = DeviceId{kSg0, true};
  EXPECT_EQ(decide_maps(c, q).action, BS_ACT_AUDIT);
  EXPECT_EQ(decide_maps(c, q).rule, 3);
  c.raw_devices.clear();
  q.device = DeviceId{kVda2, false};
  EXPECT_EQ(decide_maps(c, q).action, BS_ACT_AUDIT);
  EXPECT_EQ(decide_maps(c, q).rule, 1);
}

TEST(Devices, AnAuditRuleAnExceptedSubjectFallsToLiftsNoGuard) {
  // debugfs is excepted from the deny, so it falls to the audit rule for
  // any process (the same device under another name): its entry carries
  // that rule under its own key, marked as one for any process.
  TempRoot root;
  root.file("/etc/shadow");
  root.file("/usr/sbin/debugfs");
  auto r = RootResolver::open(root.path());
  Document d = doc_with({make_rule(Action::deny, Operation::write, path_obj("/etc/shadow")),
                         make_rule(Action::deny, Operation::write, device_obj("/dev/vda2"), std::nullopt,
                                   {"/usr/sbin/debugfs"}),
                         make_rule(Action::audit, Operation::write, device_obj("/dev/disk/by-partlabel/root"))});
  d.schema = 2;
  Compiled c = compile(d, r->resolver(), fake_devices());
  ASSERT_TRUE(c.diagnostics.empty());
  const uint32_t debugfs = c.subject_of(root.id("/usr/sbin/debugfs"));
  const bs_rule_val* v = c.find(bs_rule_key{BS_KIND_DEVICE, BS_OP_WRITE, 0, debugfs, kVda2, 0, BS_DEVICE_BLOCK});
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->action, BS_ACT_AUDIT);
  EXPECT_EQ(v->from_any, BS_FROM_ANY_BOOT | BS_FROM_ANY_RUN);
  MapQuery q;
  q.operation = Operation::write;
  q.device = DeviceId{kVda2, false};
  q.subject = debugfs;
  c.raw_devices = {{kVda2, false, 1u << BS_OP_WRITE}};
  EXPECT_EQ(decide_maps(c, q).action, BS_ACT_DENY);
  EXPECT_EQ(decide_maps(c, q).rule, BS_RULE_RAW_DEVICE);
  c.raw_devices.clear();  // nothing guarded: the audit rule decides
  EXPECT_EQ(decide_maps(c, q).action, BS_ACT_AUDIT);
  EXPECT_EQ(decide_maps(c, q).rule, 2);
}

TEST(Devices, DeviceMapperInUseWithoutAControlRuleIsWarnedOf) {
  FakeSysfs sys;  // has dm-0 (253:0) over vdb
  Compiled c;
  // Nothing guarded: the control device is not refused, nothing to say.
  EXPECT_EQ(dm_control_warning(c, sys.path()), "");
  c.raw_devices = {{kVda2, false, 1u << BS_OP_READ}};
  EXPECT_EQ(dm_control_warning(c, sys.path()),
            "device-mapper devices are in use (dm-0) and no rule lets a program open /dev/mapper/control: while "
            "devices are guarded, every opening of it is refused, so device-mapper tools (lvm2, cryptsetup, "
            "multipathd, udisksd) fail after boot; name those the system needs in `allow write device "
            "/dev/mapper/control by PROGRAM`");
  // No device-mapper device: nothing to say.
  TempRoot bare;
  bare.dir("/dev/block");
  EXPECT_EQ(dm_control_warning(c, bare.path()), "");
  // An audit rule for any process, or one a subject falls to, lifts no
  // guard: still said.
  c.rules = {{bs_rule_key{BS_KIND_DEVICE, BS_OP_WRITE, 0, BS_SUBJECT_ANY, kDmControl, 0, BS_DEVICE_CHAR},
              bs_rule_val{BS_ACT_AUDIT, BS_ACT_AUDIT, 0, 0, 0, 0}},
             {bs_rule_key{BS_KIND_DEVICE, BS_OP_WRITE, 0, 3, kDmControl, 0, BS_DEVICE_CHAR},
              bs_rule_val{BS_ACT_AUDIT, BS_ACT_AUDIT, BS_FROM_ANY_BOOT | BS_FROM_ANY_RUN, 0, 0, 0}}};
  EXPECT_NE(dm_control_warning(c, sys.path()), "");
  // A grant for the boot phase alone leaves the tools failing after it.
  c.rules[1].second = bs_rule_val{BS_ACT_ALLOW, BS_ACT_NONE, 0, 0, 0, BS_RULE_DEFAULT};
  EXPECT_NE(dm_control_warning(c, sys.path()), "");
  // A rule lets one program open it: the policy has thought of it.
  c.rules[1].second = bs_rule_val{BS_ACT_ALLOW, BS_ACT_ALLOW, 0, 0, 0, 0};
  EXPECT_EQ(dm_control_warning(c, sys.path()), "");
}

}  // namespace
}  // namespace bootseal::loader

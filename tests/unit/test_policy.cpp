// SPDX-License-Identifier: GPL-2.0-only
// The document model: names, validate() and the reference precedence decide().
#include "bootseal/policy.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "policy_builders.hpp"
#include "validate_internal.hpp"

namespace bootseal {
namespace {

using namespace bootseal::testing;

Query exec_of(std::string p, std::string subject = "", std::string fs = "ext4") {
  Query q;
  q.operation = Operation::exec;
  q.path = std::move(p);
  q.fstype = std::move(fs);
  q.subject = std::move(subject);
  return q;
}

TEST(PolicyNames, OperationsRoundTrip) {
  for (size_t i = 0; i < kOperationCount; ++i) {
    auto op = static_cast<Operation>(i);
    EXPECT_EQ(operation_from_string(to_string(op)), op);
  }
  EXPECT_EQ(to_string(Operation::module_load), "module-load");
  EXPECT_FALSE(operation_from_string("modload"));
}

TEST(PolicyNames, CapabilitiesMatchKernelNumbers) {
  EXPECT_EQ(capability_from_string("CAP_CHOWN"), 0u);
  EXPECT_EQ(capability_from_string("CAP_SYS_MODULE"), 16u);
  EXPECT_EQ(capability_from_string("CAP_SYS_RAWIO"), 17u);
  EXPECT_EQ(capability_from_string("CAP_SYS_ADMIN"), 21u);
  EXPECT_EQ(capability_from_string("CAP_BPF"), 39u);
  EXPECT_EQ(capability_from_string("CAP_CHECKPOINT_RESTORE"), 40u);
  EXPECT_FALSE(capability_from_string("CAP_SYS_MODULES"));
  EXPECT_EQ(capability_name(17), "CAP_SYS_RAWIO");
  EXPECT_EQ(capability_name(41), "");
}

TEST(PolicyNames, FsTypeMagic) {
  EXPECT_EQ(fstype_magic("tmpfs"), 0x01021994u);
  EXPECT_EQ(fstype_magic("ramfs"), 0x858458f6u);
  EXPECT_EQ(fstype_magic("ext4"), 0xef53u);
  EXPECT_FALSE(fstype_magic("nosuchfs"));
}

// Names ext4's, vfat's, fuse's and nfs's drivers also answer to: a mount by
// the other name is a mount of the same filesystem type.
TEST(PolicyNames, FsTypeAliasesShareTheirDriversMagic) {
  EXPECT_EQ(fstype_magic("ext2"), fstype_magic("ext4"));
  EXPECT_EQ(fstype_magic("ext3"), fstype_magic("ext4"));
  EXPECT_EQ(fstype_magic("msdos"), fstype_magic("vfat"));
  EXPECT_EQ(fstype_magic("fuseblk"), fstype_magic("fuse"));
  EXPECT_EQ(fstype_magic("nfs4"), fstype_magic("nfs"));
  // The enforcer's name table holds 15 characters and a NUL per name.
  for (auto n : fstype_names()) EXPECT_LT(n.size(), 16u) << n;
}

TEST(PolicyNames, MachineIdHex) {
  auto id = machine_id_from_string("0123456789abcdef0123456789abcdef");
  ASSERT_TRUE(id);
  EXPECT_EQ(to_string(*id), "0123456789abcdef0123456789abcdef");
  EXPECT_FALSE(machine_id_from_string("0123456789ABCDEF0123456789abcdef"));
  EXPECT_FALSE(machine_id_from_string("0123"));
  EXPECT_FALSE(machine_id_from_string("0123456789abcdef0123456789abcdeg"));
}

TEST(PolicyPaths, Normalised) {
  EXPECT_TRUE(is_normalised_absolute_path("/"));
  EXPECT_TRUE(is_normalised_absolute_path("/usr/bin/kmod"));
  EXPECT_FALSE(is_normalised_absolute_path(""));
  EXPECT_FALSE(is_normalised_absolute_path("usr/bin"));
  EXPECT_FALSE(is_normalised_absolute_path("/usr/"));
  EXPECT_FALSE(is_normalised_absolute_path("/usr//bin"));
  EXPECT_FALSE(is_normalised_absolute_path("/usr/./bin"));
  EXPECT_FALSE(is_normalised_absolute_path("/usr/../bin"));
  EXPECT_FALSE(is_normalised_absolute_path(std::string_view("/a\0b", 4)));
}

TEST(PolicyPaths, NormalisedEdges) {
  for (const char* good : {"/a", "/...", "/.a", "/a.", "/..a", "/a..", "/a/...", "/a/.b/c..", "/a b/c"})
    EXPECT_TRUE(is_normalised_absolute_path(good)) << good;
  for (const char* bad : {"//", "/.", "/..", "/a/.", "/a/..", "/./a", "/../a", "/a//", "//a", "/a/./b/", "a", "."})
    EXPECT_FALSE(is_normalised_absolute_path(bad)) << bad;
  EXPECT_FALSE(is_normalised_absolute_path(std::string_view("/\0", 2)));
  EXPECT_FALSE(is_normalised_absolute_path(std::string_view("/ab\0", 4)));
  EXPECT_FALSE(is_normalised_absolute_path(std::string_view("/ab/\0c", 6)));
  // Components longer than eight bytes, and faults at every distance from
  // a component's start.
  const std::string lng = "/abcdefghijklmnopqrstuvwxyz";
  EXPECT_TRUE(is_normalised_absolute_path(lng + lng + "/x"));
  for (size_t at = 1; at < lng.size(); ++at) {
    std::string nul = lng;
    nul[at] = '\0';
    EXPECT_FALSE(is_normalised_absolute_path(nul)) << at;
    std::string slash = lng + lng;  // a '/' after `at` letters of the second component
    slash.insert(lng.size() + at + 1, "/");
    EXPECT_EQ(is_normalised_absolute_path(slash), at + 1 < lng.size()) << slash;
    slash.insert(lng.size() + at + 1, "/");
    EXPECT_FALSE(is_normalised_absolute_path(slash)) << slash;
    EXPECT_FALSE(is_normalised_absolute_path(lng.substr(0, at + 1) + "/." + lng)) << at;
    EXPECT_FALSE(is_normalised_absolute_path(lng.substr(0, at + 1) + "/.." + lng)) << at;
    EXPECT_FALSE(is_normalised_absolute_path(lng.substr(0, at + 1) + "/..")) << at;
    EXPECT_TRUE(is_normalised_absolute_path(lng.substr(0, at + 1) + "/..." + lng)) << at;
    EXPECT_TRUE(is_normalised_absolute_path(lng.substr(0, at + 1) + "/.hidden")) << at;
    std::string last_nul = lng.substr(0, at + 1) + "/abcdefgh";
    last_nul.back() = '\0';
    EXPECT_FALSE(is_normalised_absolute_path(last_nul)) << at;
  }
}

TEST(PolicyValidate, AcceptsMinimal) { EXPECT_TRUE(validate(doc_with({}))); }

TEST(PolicyValidate, RejectsGenerationZero) {
  auto d = doc_with({});
  d.generation = 0;
  auto r = validate(d);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), "generation must be at least 1");
}

TEST(PolicyValidate, RejectsEmptyName) {
  auto d = doc_with({});
  d.name.clear();
  EXPECT_FALSE(validate(d));
}

TEST(PolicyValidate, RejectsCapabilityObjectOnExec) {
  auto r = validate(doc_with({make_rule(Action::deny, Operation::exec, cap_obj("CAP_SYS_MODULE"))}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), "rule 1: object kind 'capability' is not valid for operation 'exec'");
}

TEST(PolicyValidate, RejectsPathObjectOnCapability) {
  EXPECT_FALSE(validate(doc_with({make_rule(Action::deny, Operation::capability, path_obj("/x"))})));
}

TEST(PolicyValidate, RejectsRelativePath) {
  auto r = validate(doc_with({make_rule(Action::deny, Operation::exec, path_obj("bin/sh"))}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), "rule 1: bad object path 'bin/sh'");
}

TEST(PolicyValidate, RejectsUnknownFsType) {
  EXPECT_FALSE(validate(doc_with({make_rule(Action::deny, Operation::exec, fstype_obj("zfs2"))})));
}

TEST(PolicyValidate, RejectsCapabilityOutOfRange) {
  Object o{ObjectKind::capability, "", "", 41};
  EXPECT_FALSE(validate(doc_with({make_rule(Action::deny, Operation::capability, o)})));
}

TEST(PolicyValidate, RejectsDeviceObjectOnExec) {
  Document d = doc_with({make_rule(Action::deny, Operation::exec, Object{ObjectKind::device, "/dev/vda2", "", 0})});
  d.schema = 2;
  EXPECT_FALSE(validate(d));
}

TEST(PolicyValidate, RejectsAllowDeviceWithoutSubject) {
  Document d = doc_with({make_rule(Action::allow, Operation::write, Object{ObjectKind::device, "/dev/vda2", "", 0})});
  d.schema = 2;
  auto v = validate(d);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error(), "rule 1: an allow rule for a device must name a subject ('by')");
  d.rules[0].subject = "/usr/sbin/e2fsck";
  EXPECT_TRUE(validate(d));
}

TEST(PolicyValidate, RejectsSchemaTwoFeaturesInSchemaOne) {
  Document d = doc_with({make_rule(Action::deny, Operation::write, Object{ObjectKind::device, "/dev/vda2", "", 0})});
  auto v = validate(d);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error(), "rule 1: object kind 'device' needs schema 2, the document says 1");
  d.schema = 5;  // no such schema (yet)
  EXPECT_FALSE(validate(d));
}

TEST(PolicyDecide, DeviceRuleDecidesItsDevice) {
  Document d = doc_with({make_rule(Action::deny, Operation::write, Object{ObjectKind::device, "/dev/vda2", "", 0}),
                         make_rule(Action::allow, Operation::write, Object{ObjectKind::device, "/dev/vda2", "", 0},
                                   "/usr/sbin/e2fsck"),
                         make_rule(Action::allow, Operation::write, path_obj("/dev/vda2"))});
  d.schema = 2;
  Query q;
  q.operation = Operation::write;
  q.path = "/dev/vda2";
  q.device = "/dev/vda2";
  EXPECT_EQ(decide(d, q).rule, 0);  // the device outranks the node's path rule
  q.subject = "/usr/sbin/e2fsck";
  EXPECT_EQ(decide(d, q).rule, 1);
  EXPECT_EQ(decide(d, q).action, Action::allow);
  q.device.clear();  // an ordinary file at that path: the path rule
  q.subject.clear();
  EXPECT_EQ(decide(d, q).rule, 2);
}

TEST(PolicyValidate, RejectsUnsortedExceptions) {
  EXPECT_FALSE(validate(
      doc_with({make_rule(Action::deny, Operation::exec, any_obj(), std::nullopt, {"/b", "/a"})})));
}

TEST(PolicyValidate, RejectsExceptionsWithSubject) {
  EXPECT_FALSE(validate(doc_with({make_rule(Action::deny, Operation::exec, any_obj(), "/bin/a", {"/b"})})));
}

TEST(PolicyValidate, RejectsConflictingRules) {
  auto r = validate(doc_with({make_rule(Action::deny, Operation::write, path_obj("/etc/shadow")),
                              make_rule(Action::allow, Operation::read, path_obj("/etc/shadow")),
                              make_rule(Action::allow, Operation::write, path_obj("/etc/shadow"))}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), "rule 3 conflicts with rule 1: same operation, object and subject");
}

// The conflict table's hashes are seeded per process, so that a policy's
// author cannot choose rules that collide in it. This test runs itself
// twice more, each time alone in a new process that prints one rule's
// hash: the three must differ.
TEST(ConflictHash, SeededPerProcess) {
  const Rule r = make_rule(Action::deny, Operation::write, path_obj("/etc/shadow"), "/usr/bin/passwd");
  const uint64_t own = detail::conflict_key_hash(r);
  EXPECT_EQ(detail::conflict_key_hash(r), own) << "one process, one seed";
  if (std::getenv("BOOTSEAL_TEST_PRINT_HASH") != nullptr) {
    std::printf("conflict-hash=%016llx\n", static_cast<unsigned long long>(own));
    return;
  }
  char self[4096] = {};
  ASSERT_GT(readlink("/proc/self/exe", self, sizeof self - 1), 0);
  auto child = [&self]() -> std::string {
    const std::string cmd =
        "BOOTSEAL_TEST_PRINT_HASH=1 '" + std::string(self) + "' --gtest_filter=ConflictHash.SeededPerProcess";
    FILE* p = popen(cmd.c_str(), "r");
    if (p == nullptr) return "";
    std::string found;
    char line[512];
    while (std::fgets(line, sizeof line, p) != nullptr) {
      if (std::strncmp(line, "conflict-hash=", 14) == 0) found.assign(line + 14, 16);
    }
    return pclose(p) == 0 ? found : "";
  };
  const std::string a = child();
  const std::string b = child();
  ASSERT_EQ(a.size(), 16U) << "the child printed no hash";
  ASSERT_EQ(b.size(), 16U) << "the child printed no hash";
  char own_hex[17];
  std::snprintf(own_hex, sizeof own_hex, "%016llx", static_cast<unsigned long long>(own));
  EXPECT_NE(a, b);
  EXPECT_NE(a, own_hex);
}

TEST(PolicyValidate, ReportsTheEarliestConflict) {
  auto r = validate(doc_with({make_rule(Action::deny, Operation::exec, path_obj("/a")),
                              make_rule(Action::deny, Operation::exec, path_obj("/b")),
                              make_rule(Action::allow, Operation::exec, path_obj("/b")),
                              make_rule(Action::allow, Operation::exec, path_obj("/a"))}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), "rule 3 conflicts with rule 2: same operation, object and subject");
}

TEST(PolicyValidate, SubjectPresenceIsPartOfTheKey) {
  // "by /" and no subject differ even though both print short.
  EXPECT_TRUE(validate(doc_with({make_rule(Action::deny, Operation::exec, path_obj("/a")),
                                 make_rule(Action::allow, Operation::exec, path_obj("/a"), "/")})));
}

TEST(PolicyValidate, SameObjectDifferentSubjectIsNoConflict) {
  EXPECT_TRUE(validate(doc_with({make_rule(Action::deny, Operation::write, path_obj("/etc/shadow")),
                                 make_rule(Action::allow, Operation::write, path_obj("/etc/shadow"),
                                      "/usr/bin/passwd")})));
}

// --- precedence, case by case (docs/POLICY.md "Precedence") ---------------

Object memory_obj() { return Object{ObjectKind::memory, "", "", 0}; }

TEST(PolicyValidate, MemoryOnlyWithExec) {
  Document d = doc_with({make_rule(Action::deny, Operation::write, memory_obj())});
  d.schema = 2;
  auto v = validate(d);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error(), "rule 1: object kind 'memory' is not valid for operation 'write'");
}

TEST(PolicyValidate, MemoryTakesNoPath) {
  Object o = memory_obj();
  o.path = "/tmp";
  Document d = doc_with({make_rule(Action::deny, Operation::exec, o)});
  d.schema = 2;
  auto v = validate(d);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error(), "rule 1: bad object path '/tmp'");
}

TEST(PolicyValidate, MemoryNeedsSchema2) {
  Document d = doc_with({make_rule(Action::deny, Operation::exec, memory_obj())});
  EXPECT_EQ(required_schema(d), 2u);
  auto v = validate(d);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error(), "rule 1: object kind 'memory' needs schema 2, the document says 1");
  d.schema = 2;
  EXPECT_TRUE(validate(d));
  d.schema = 5;  // no such schema (yet)
  EXPECT_FALSE(validate(d));
}

TEST(PolicyValidate, BpfLsmLoadersNeedSchema3SortedAbsolute) {
  Document d = doc_with({});
  d.bpf_lsm_loaders = {"/usr/lib/systemd/systemd"};
  EXPECT_EQ(required_schema(d), 3u);
  auto v = validate(d);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error(), "schema version 1 cannot hold bpf-load grants (schema 3 needed)");
  d.schema = 3;
  EXPECT_TRUE(validate(d));
  d.bpf_lsm_loaders = {"/b", "/a"};
  EXPECT_EQ(validate(d).error(), "bpf-load grants are not sorted and unique");
  d.bpf_lsm_loaders = {"/a", "/a"};
  EXPECT_EQ(validate(d).error(), "bpf-load grants are not sorted and unique");
  d.bpf_lsm_loaders = {"/usr/lib/../bin/x"};
  EXPECT_EQ(validate(d).error(), "bpf-load grant: subject '/usr/lib/../bin/x' is not an absolute path");
}

TEST(PolicyValidate, ObjectKindAfterMemoryIsUnknown) {
  Document d = doc_with({make_rule(Action::deny, Operation::exec, Object{static_cast<ObjectKind>(7), "", "", 0})});
  d.schema = 2;
  auto v = validate(d);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error(), "rule 1: unknown object kind");
}

TEST(PolicyDecide, MemoryOnlyByMemoryRules) {
  Document d = doc_with({make_rule(Action::deny, Operation::exec, memory_obj(), std::nullopt, {"/usr/bin/node"}),
                         make_rule(Action::allow, Operation::exec, memory_obj(), "/opt/jit"),
                         make_rule(Action::allow, Operation::exec, any_obj())});
  d.schema = 2;
  d.defaults[static_cast<size_t>(Operation::exec)] = Action::deny;
  ASSERT_TRUE(validate(d));
  Query q;
  q.operation = Operation::exec;
  q.memory = true;
  q.subject = "/bin/sh";
  EXPECT_EQ(decide(d, q).action, Action::deny);
  EXPECT_EQ(decide(d, q).rule, 0);
  q.subject = "/opt/jit";
  EXPECT_EQ(decide(d, q).action, Action::allow);
  EXPECT_EQ(decide(d, q).rule, 1);
  q.subject = "/usr/bin/node";  // excepted: no memory rule applies, allowed (not the exec default)
  EXPECT_EQ(decide(d, q).action, Action::allow);
  EXPECT_EQ(decide(d, q).rule, -1);
  // File exec never matches memory rules.
  Query f;
  f.operation = Operation::exec;
  f.path = "/bin/true";
  EXPECT_EQ(decide(d, f).rule, 2);
  // Without memory rules, memory is allowed even under `default exec deny`.
  Document none = doc_with({});
  none.defaults[static_cast<size_t>(Operation::exec)] = Action::deny;
  EXPECT_EQ(decide(none, q).action, Action::allow);
}

TEST(PolicyDecide, DefaultWhenNothingMatches) {
  auto d = doc_with({make_rule(Action::deny, Operation::exec, path_obj("/bin/a"))});
  d.defaults[static_cast<size_t>(Operation::exec)] = Action::audit;
  auto dec = decide(d, exec_of("/bin/b"));
  EXPECT_EQ(dec.action, Action::audit);
  EXPECT_EQ(dec.rule, -1);
}

TEST(PolicyDecide, OtherOperationDoesNotMatch) {
  auto d = doc_with({make_rule(Action::deny, Operation::read, path_obj("/bin/a"))});
  EXPECT_EQ(decide(d, exec_of("/bin/a")).action, Action::allow);
}

TEST(PolicyDecide, PathBeatsSubtree) {
  auto d = doc_with({make_rule(Action::deny, Operation::exec, subtree_obj("/opt")),
                     make_rule(Action::allow, Operation::exec, path_obj("/opt/tool"))});
  EXPECT_EQ(decide(d, exec_of("/opt/tool")).rule, 1);
  EXPECT_EQ(decide(d, exec_of("/opt/other")).rule, 0);
}

TEST(PolicyDecide, DeeperSubtreeBeatsShallower) {
  auto d = doc_with({make_rule(Action::allow, Operation::exec, subtree_obj("/opt/vendor")),
                     make_rule(Action::deny, Operation::exec, subtree_obj("/opt"))});
  EXPECT_EQ(decide(d, exec_of("/opt/vendor/bin/x")).action, Action::allow);
  EXPECT_EQ(decide(d, exec_of("/opt/vendorx/bin")).action, Action::deny);
}

TEST(PolicyDecide, SubtreeIncludesItsRoot) {
  auto d = doc_with({make_rule(Action::deny, Operation::write, subtree_obj("/etc/ssh"))});
  Query q;
  q.operation = Operation::write;
  q.path = "/etc/ssh";
  EXPECT_EQ(decide(d, q).action, Action::deny);
  q.path = "/etc/sshd_config";
  EXPECT_EQ(decide(d, q).action, Action::allow);
}

TEST(PolicyDecide, RootSubtreeCoversEverything) {
  auto d = doc_with({make_rule(Action::deny, Operation::exec, subtree_obj("/"))});
  EXPECT_EQ(decide(d, exec_of("/x")).action, Action::deny);
}

TEST(PolicyDecide, SubtreeBeatsFsType) {
  auto d = doc_with({make_rule(Action::deny, Operation::exec, fstype_obj("tmpfs")),
                     make_rule(Action::allow, Operation::exec, subtree_obj("/run/allowed"))});
  EXPECT_EQ(decide(d, exec_of("/run/allowed/x", "", "tmpfs")).action, Action::allow);
  EXPECT_EQ(decide(d, exec_of("/run/other/x", "", "tmpfs")).action, Action::deny);
}

TEST(PolicyDecide, FsTypeMatchesByMagic) {
  // devtmpfs and tmpfs share a superblock magic: the enforcer cannot tell them apart.
  auto d = doc_with({make_rule(Action::deny, Operation::exec, fstype_obj("tmpfs"))});
  EXPECT_EQ(decide(d, exec_of("/dev/x", "", "devtmpfs")).action, Action::deny);
  EXPECT_EQ(decide(d, exec_of("/x", "", "ext4")).action, Action::allow);
}

TEST(PolicyDecide, FsTypeBeatsAny) {
  auto d = doc_with({make_rule(Action::allow, Operation::exec, fstype_obj("ext4")),
                     make_rule(Action::deny, Operation::exec, any_obj())});
  EXPECT_EQ(decide(d, exec_of("/x", "", "ext4")).action, Action::allow);
  EXPECT_EQ(decide(d, exec_of("/x", "", "tmpfs")).action, Action::deny);
}

TEST(PolicyDecide, NamedSubjectBeatsAnySubjectAtSameObject) {
  auto d = doc_with({make_rule(Action::deny, Operation::write, path_obj("/etc/shadow")),
                     make_rule(Action::allow, Operation::write, path_obj("/etc/shadow"), "/usr/bin/passwd")});
  Query q;
  q.operation = Operation::write;
  q.path = "/etc/shadow";
  q.subject = "/usr/bin/passwd";
  EXPECT_EQ(decide(d, q).action, Action::allow);
  q.subject = "/usr/bin/vi";
  EXPECT_EQ(decide(d, q).action, Action::deny);
  q.subject = "";
  EXPECT_EQ(decide(d, q).action, Action::deny);
}

TEST(PolicyDecide, ObjectRankDominatesSubject) {
  // A subject rule on a subtree loses to an any-subject rule on the exact path.
  auto d = doc_with({make_rule(Action::allow, Operation::write, subtree_obj("/etc"), "/usr/sbin/admin"),
                     make_rule(Action::deny, Operation::write, path_obj("/etc/shadow"))});
  Query q;
  q.operation = Operation::write;
  q.path = "/etc/shadow";
  q.subject = "/usr/sbin/admin";
  EXPECT_EQ(decide(d, q).action, Action::deny);
  q.path = "/etc/hosts";
  EXPECT_EQ(decide(d, q).action, Action::allow);
}

TEST(PolicyDecide, ExceptionFallsThroughToLowerRank) {
  auto d = doc_with({make_rule(Action::deny, Operation::write, path_obj("/etc/shadow"), std::nullopt,
                          {"/usr/bin/passwd"}),
                     make_rule(Action::audit, Operation::write, subtree_obj("/etc"))});
  Query q;
  q.operation = Operation::write;
  q.path = "/etc/shadow";
  q.subject = "/usr/bin/passwd";
  auto dec = decide(d, q);
  EXPECT_EQ(dec.action, Action::audit);
  EXPECT_EQ(dec.rule, 1);
  q.subject = "/bin/sh";
  EXPECT_EQ(decide(d, q).action, Action::deny);
}

TEST(PolicyDecide, ExceptionFallsThroughToDefault) {
  auto d = doc_with({make_rule(Action::deny, Operation::capability, cap_obj("CAP_SYS_MODULE"), std::nullopt,
                          {"/usr/bin/kmod"})});
  Query q;
  q.operation = Operation::capability;
  q.capability = 16;
  q.subject = "/usr/bin/kmod";
  EXPECT_EQ(decide(d, q).rule, -1);
  EXPECT_EQ(decide(d, q).action, Action::allow);
  q.subject = "/bin/insmod-wrapper";
  EXPECT_EQ(decide(d, q).action, Action::deny);
}

TEST(PolicyDecide, NamedCapabilityBeatsAnyCapability) {
  auto d = doc_with({make_rule(Action::deny, Operation::capability, any_obj()),
                     make_rule(Action::allow, Operation::capability, cap_obj("CAP_CHOWN"))});
  Query q;
  q.operation = Operation::capability;
  q.capability = 0;
  EXPECT_EQ(decide(d, q).action, Action::allow);
  q.capability = 21;
  EXPECT_EQ(decide(d, q).action, Action::deny);
}

TEST(PolicyDecide, SubjectRuleNeedsKnownSubject) {
  auto d = doc_with({make_rule(Action::deny, Operation::exec, any_obj(), "/bin/sh")});
  EXPECT_EQ(decide(d, exec_of("/x", "")).action, Action::allow);
  EXPECT_EQ(decide(d, exec_of("/x", "/bin/sh")).action, Action::deny);
}

TEST(PolicyDecide, AuditIsAnAllowThatLogs) {
  auto d = doc_with({make_rule(Action::audit, Operation::exec, subtree_obj("/usr/local"))});
  EXPECT_EQ(decide(d, exec_of("/usr/local/bin/x")).action, Action::audit);
}


// ---------------------------------------------------------------------------
// Boot phases (docs/POLICY.md, "Boot phases"; schema 4)

// doc_with(rules) as a schema-4 document with a deadline.
Document phased_with(std::vector<Rule> rules) {
  Document d = doc_with(std::move(rules));
  d.schema = 4;
  d.seal_after = 600;
  return d;
}

Query write_of(std::string p, Phase phase, std::string subject = "") {
  return phase_query(Operation::write, std::move(p), std::move(subject), phase);
}

TEST(PolicyNames, Phases) {
  EXPECT_EQ(to_string(Phase::any), "any");
  EXPECT_EQ(to_string(Phase::boot), "boot");
  EXPECT_EQ(to_string(Phase::running), "running");
  EXPECT_EQ(to_string(static_cast<Phase>(3)), "unknown");
  EXPECT_EQ(phase_from_string("boot"), Phase::boot);
  EXPECT_EQ(phase_from_string("running"), Phase::running);
  EXPECT_EQ(phase_from_string("any"), std::nullopt) << "no `phase any`: a rule without a phase holds in both";
  EXPECT_EQ(phase_from_string("Boot"), std::nullopt);
  EXPECT_EQ(phase_from_string(""), std::nullopt);
}

TEST(PolicyPhases, DefaultForEachPhase) {
  Document d = phased_with({});
  const auto kexec = static_cast<size_t>(Operation::kexec);
  d.defaults[kexec] = Action::deny;
  for (const Phase p : {Phase::any, Phase::boot, Phase::running})
    EXPECT_EQ(default_for(d, Operation::kexec, p), Action::deny) << "no running defaults: one default for both";
  d.defaults[kexec] = Action::allow;
  d.running_defaults = d.defaults;
  (*d.running_defaults)[kexec] = Action::deny;
  EXPECT_EQ(default_for(d, Operation::kexec, Phase::boot), Action::allow);
  EXPECT_EQ(default_for(d, Operation::kexec, Phase::any), Action::allow) << "any reads as boot";
  EXPECT_EQ(default_for(d, Operation::kexec, Phase::running), Action::deny);
  EXPECT_EQ(default_for(d, Operation::exec, Phase::running), Action::allow);
}

TEST(PolicyPhases, HasPhasesIsTheDeadline) {
  Document d = doc_with({});
  EXPECT_FALSE(has_phases(d));
  d.seal_after = 1;
  EXPECT_TRUE(has_phases(d));
}

TEST(PolicyPhases, RequiredSchemaIsFourForEachPhaseFeature) {
  EXPECT_EQ(required_schema(doc_with({})), 1u);
  Document d = doc_with({});
  d.seal_after = 60;
  EXPECT_EQ(required_schema(d), 4u);
  d = doc_with({});
  d.seal_by = "/s";
  EXPECT_EQ(required_schema(d), 4u);
  d = doc_with({});
  d.running_defaults = d.defaults;
  EXPECT_EQ(required_schema(d), 4u);
  d = doc_with({in_phase(Phase::boot, make_rule(Action::allow, Operation::write, subtree_obj("/etc")))});
  EXPECT_EQ(required_schema(d), 4u);
  d = doc_with({make_rule(Action::allow, Operation::write, subtree_obj("/etc"))});
  EXPECT_EQ(required_schema(d), 1u) << "Phase::any is no phase";
  // Above the other features.
  d = phased_with({make_rule(Action::deny, Operation::exec, memory_obj())});
  d.lockdown = Lockdown::integrity;
  d.bpf_lsm_loaders = {"/a"};
  EXPECT_EQ(required_schema(d), 4u);
}

TEST(PolicyPhases, ValidateAcceptsAPhasedDocument) {
  Document d = phased_with({in_phase(Phase::boot, make_rule(Action::allow, Operation::write, subtree_obj("/etc"))),
                            in_phase(Phase::running, make_rule(Action::deny, Operation::write, subtree_obj("/etc"))),
                            make_rule(Action::deny, Operation::write, subtree_obj("/usr"))});
  d.seal_by = "/usr/lib/bootseal/bootseal-seal";
  d.running_defaults = d.defaults;
  (*d.running_defaults)[static_cast<size_t>(Operation::module_load)] = Action::deny;
  EXPECT_TRUE(validate(d)) << validate(d).error();
  // A deadline alone is a phased policy without phase rules.
  EXPECT_TRUE(validate(phased_with({})));
  Document max = phased_with({});
  max.seal_after = kSealAfterMax;
  EXPECT_TRUE(validate(max));
}

TEST(PolicyPhases, ValidateRefusesPhasesBelowSchemaFour) {
  const std::string refused = "schema version 3 cannot hold boot phases (schema 4 needed)";
  Document d = phased_with({});
  d.schema = 3;
  d.bpf_lsm_loaders = {"/a"};
  EXPECT_EQ(validate(d).error(), refused);
  d.seal_after = 0;
  d.rules = {in_phase(Phase::running, make_rule(Action::deny, Operation::exec, any_obj()))};
  EXPECT_EQ(validate(d).error(), refused);
  d.rules.clear();
  d.seal_by = "/s";
  EXPECT_EQ(validate(d).error(), refused);
  d.seal_by.reset();
  d.running_defaults = d.defaults;
  (*d.running_defaults)[0] = Action::deny;
  EXPECT_EQ(validate(d).error(), refused);
  d.running_defaults.reset();
  EXPECT_TRUE(validate(d)) << validate(d).error();
}

TEST(PolicyPhases, ValidateRefusesABadDeadline) {
  Document d = phased_with({});
  d.seal_after = kSealAfterMax + 1;
  EXPECT_EQ(validate(d).error(), "seal-after 604801 s is more than 604800 s (7 days)");
  // Anything that needs a deadline without one.
  const std::string missing = "a policy with phases needs a seal-after deadline";
  d = phased_with({in_phase(Phase::boot, make_rule(Action::allow, Operation::module_load, any_obj()))});
  d.seal_after = 0;
  EXPECT_EQ(validate(d).error(), missing);
  d = phased_with({});
  d.seal_after = 0;
  d.seal_by = "/s";
  EXPECT_EQ(validate(d).error(), missing);
  d = phased_with({});
  d.seal_after = 0;
  d.running_defaults = d.defaults;
  (*d.running_defaults)[0] = Action::deny;
  EXPECT_EQ(validate(d).error(), missing);
}

TEST(PolicyPhases, ValidateRefusesABadSealBy) {
  Document d = phased_with({});
  for (const char* bad : {"usr/lib/bootseal/bootseal-seal", "/usr/lib/../bin/x", "/usr/lib/", ""}) {
    d.seal_by = bad;
    EXPECT_EQ(validate(d).error(), "seal-by: '" + std::string(bad) + "' is not an absolute path") << bad;
  }
}

TEST(PolicyPhases, ValidateRefusesRunningDefaultsEqualOrUnknown) {
  Document d = phased_with({});
  d.running_defaults = d.defaults;
  EXPECT_EQ(validate(d).error(), "running-phase defaults equal to the defaults must be left out");
  (*d.running_defaults)[6] = static_cast<Action>(3);
  EXPECT_EQ(validate(d).error(), "unknown running-phase default action for operation 6");
}

TEST(PolicyPhases, ValidateRefusesAnUnknownPhase) {
  const Document d =
      phased_with({in_phase(static_cast<Phase>(3), make_rule(Action::deny, Operation::exec, path_obj("/a")))});
  EXPECT_EQ(validate(d).error(), "rule 1: unknown phase");
}

TEST(PolicyPhases, ARuleWithoutPhaseConflictsWithTheFirstOfTwoPhasedRules) {
  const Rule allow = make_rule(Action::allow, Operation::write, subtree_obj("/etc"));
  const Rule deny = make_rule(Action::deny, Operation::write, subtree_obj("/etc"));
  // Rules 1 and 2 hold in different phases; rule 3 holds in both.
  EXPECT_EQ(validate(phased_with({in_phase(Phase::boot, allow), in_phase(Phase::running, deny), allow})).error(),
            "rule 3 conflicts with rule 1: same operation, object and subject, in a common phase");
  EXPECT_EQ(validate(phased_with({in_phase(Phase::running, allow), in_phase(Phase::boot, deny),
                                  in_phase(Phase::boot, allow)}))
                .error(),
            "rule 3 conflicts with rule 2: same operation, object and subject, in a common phase");
}

TEST(PolicyPhases, ConflictFoundAsByComparingEveryPair) {
  // Many rules over few objects, subjects and phases: the conflict named
  // is the one a comparison of every pair finds (earliest second rule,
  // then earliest first rule).
  auto same = [](const Rule& a, const Rule& b) {
    const bool overlap = a.phase == Phase::any || b.phase == Phase::any || a.phase == b.phase;
    return a.operation == b.operation && a.object == b.object && a.subject == b.subject && overlap;
  };
  uint64_t seed = 12345;
  auto next = [&seed](uint64_t n) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return (seed >> 33) % n;
  };
  for (int round = 0; round < 40; ++round) {
    const size_t objects = 50 + next(3000);
    std::vector<Rule> rules;
    for (size_t i = 0; i < 400; ++i) {
      Rule r = make_rule(next(2) ? Action::allow : Action::deny, next(2) ? Operation::write : Operation::read,
                         path_obj("/p/" + std::to_string(next(objects))));
      if (next(3) == 0) r.subject = "/s" + std::to_string(next(2));
      r.phase = static_cast<Phase>(next(3));
      rules.push_back(std::move(r));
    }
    std::optional<std::pair<size_t, size_t>> want;
    for (size_t j = 0; j < rules.size() && !want; ++j)
      for (size_t i = 0; i < j; ++i)
        if (same(rules[i], rules[j])) {
          want = {i, j};
          break;
        }
    auto v = validate(phased_with(rules));
    if (!want) {
      EXPECT_TRUE(v) << v.error();
      continue;
    }
    ASSERT_FALSE(v);
    const std::string prefix =
        "rule " + std::to_string(want->second + 1) + " conflicts with rule " + std::to_string(want->first + 1) + ":";
    EXPECT_EQ(v.error().substr(0, prefix.size()), prefix) << "round " << round;
  }
}

TEST(PolicyPhases, RulesConflictOnlyInACommonPhase) {
  const Rule allow = make_rule(Action::allow, Operation::write, subtree_obj("/etc"));
  const Rule deny = make_rule(Action::deny, Operation::write, subtree_obj("/etc"));
  EXPECT_TRUE(validate(phased_with({in_phase(Phase::boot, allow), in_phase(Phase::running, deny)})));
  EXPECT_EQ(validate(phased_with({in_phase(Phase::boot, allow), in_phase(Phase::boot, deny)})).error(),
            "rule 2 conflicts with rule 1: same operation, object and subject, in a common phase");
  EXPECT_EQ(validate(phased_with({deny, in_phase(Phase::running, allow)})).error(),
            "rule 2 conflicts with rule 1: same operation, object and subject, in a common phase");
  EXPECT_EQ(validate(phased_with({in_phase(Phase::boot, allow), deny})).error(),
            "rule 2 conflicts with rule 1: same operation, object and subject, in a common phase");
  // Without phases the message is as before.
  EXPECT_EQ(validate(phased_with({allow, deny})).error(),
            "rule 2 conflicts with rule 1: same operation, object and subject");
  // Another subject is another rule, whatever the phases.
  EXPECT_TRUE(validate(phased_with(
      {in_phase(Phase::boot, allow),
       in_phase(Phase::boot, make_rule(Action::deny, Operation::write, subtree_obj("/etc"), "/usr/bin/vi"))})));
}

// The worked example of docs/POLICY.md: the phase filters, then the
// precedence ranks what is left.
TEST(PolicyPhases, DecideFiltersBeforePrecedence) {
  const Document d = phased_with({make_rule(Action::deny, Operation::write, subtree_obj("/etc")),
                                  in_phase(Phase::boot, make_rule(Action::allow, Operation::write,
                                                                  path_obj("/etc/hostname")))});
  ASSERT_TRUE(validate(d)) << validate(d).error();
  auto dec = decide(d, write_of("/etc/hostname", Phase::boot));
  EXPECT_EQ(dec.action, Action::allow) << "boot: the path rule outranks the subtree";
  EXPECT_EQ(dec.rule, 1);
  dec = decide(d, write_of("/etc/hostname", Phase::running));
  EXPECT_EQ(dec.action, Action::deny) << "running: the path rule does not exist";
  EXPECT_EQ(dec.rule, 0);
  for (const Phase p : {Phase::boot, Phase::running}) {
    EXPECT_EQ(decide(d, write_of("/etc/passwd", p)).rule, 0) << to_string(p);
    EXPECT_EQ(decide(d, write_of("/home/a", p)).rule, -1) << to_string(p);
  }
}

TEST(PolicyPhases, DecideSubjectRankWithinAPhase) {
  // A boot-phase rule naming the subject beats an unphased rule for any
  // subject on the same object; after the seal it is gone.
  const Document d = phased_with(
      {make_rule(Action::deny, Operation::write, subtree_obj("/etc")),
       in_phase(Phase::boot,
                make_rule(Action::allow, Operation::write, subtree_obj("/etc"), "/usr/lib/firstboot/provision"))});
  ASSERT_TRUE(validate(d)) << validate(d).error();
  EXPECT_EQ(decide(d, write_of("/etc/hosts", Phase::boot, "/usr/lib/firstboot/provision")).action, Action::allow);
  EXPECT_EQ(decide(d, write_of("/etc/hosts", Phase::boot, "/usr/bin/vi")).action, Action::deny);
  EXPECT_EQ(decide(d, write_of("/etc/hosts", Phase::running, "/usr/lib/firstboot/provision")).action,
            Action::deny);
}

TEST(PolicyPhases, DecideOneObjectARulePerPhase) {
  const Document d =
      phased_with({in_phase(Phase::boot, make_rule(Action::audit, Operation::write, subtree_obj("/etc"))),
                   in_phase(Phase::running, make_rule(Action::deny, Operation::write, subtree_obj("/etc")))});
  ASSERT_TRUE(validate(d)) << validate(d).error();
  EXPECT_EQ(decide(d, write_of("/etc/x", Phase::boot)).action, Action::audit);
  EXPECT_EQ(decide(d, write_of("/etc/x", Phase::boot)).rule, 0);
  EXPECT_EQ(decide(d, write_of("/etc/x", Phase::running)).action, Action::deny);
  EXPECT_EQ(decide(d, write_of("/etc/x", Phase::running)).rule, 1);
  EXPECT_EQ(decide(d, write_of("/etc/x", Phase::any)).rule, 1) << "a query's phase any reads as running";
}

TEST(PolicyPhases, DecideUsesThePhasesDefault) {
  Document d = phased_with({in_phase(Phase::boot, make_rule(Action::allow, Operation::module_load,
                                                            subtree_obj("/usr/lib/modules"), "/usr/bin/kmod"))});
  const auto ml = static_cast<size_t>(Operation::module_load);
  d.defaults[ml] = Action::audit;
  d.running_defaults = d.defaults;
  (*d.running_defaults)[ml] = Action::deny;
  ASSERT_TRUE(validate(d)) << validate(d).error();
  Query q;
  q.operation = Operation::module_load;
  q.path = "/usr/lib/modules/6.1/x.ko";
  q.subject = "/usr/bin/kmod";
  q.phase = Phase::boot;
  EXPECT_EQ(decide(d, q).action, Action::allow);
  q.subject = "/usr/bin/insmod";
  EXPECT_EQ(decide(d, q).action, Action::audit) << "the boot default";
  EXPECT_EQ(decide(d, q).rule, -1);
  q.subject = "/usr/bin/kmod";
  q.phase = Phase::running;
  EXPECT_EQ(decide(d, q).action, Action::deny) << "the running default; the boot rule is gone";
  EXPECT_EQ(decide(d, q).rule, -1);
}

TEST(PolicyPhases, DecideMemoryRulesArePhasedToo) {
  Document d = phased_with({in_phase(Phase::running, make_rule(Action::deny, Operation::exec, memory_obj()))});
  Query q;
  q.operation = Operation::exec;
  q.memory = true;
  q.phase = Phase::boot;
  EXPECT_EQ(decide(d, q).action, Action::allow);
  q.phase = Phase::running;
  EXPECT_EQ(decide(d, q).action, Action::deny);
}

TEST(PolicyPhases, DecideWithoutPhasesIgnoresTheQuerysPhase) {
  Document d = doc_with({make_rule(Action::deny, Operation::write, subtree_obj("/etc"))});
  d.defaults[static_cast<size_t>(Operation::kexec)] = Action::deny;
  for (const Phase p : {Phase::any, Phase::boot, Phase::running}) {
    EXPECT_EQ(decide(d, write_of("/etc/x", p)).rule, 0);
    Query k;
    k.operation = Operation::kexec;
    k.path = "/boot/vmlinuz";
    k.phase = p;
    EXPECT_EQ(decide(d, k).action, Action::deny);
  }
}

}  // namespace
}  // namespace bootseal

// SPDX-License-Identifier: GPL-2.0-only
// The enforcer contract (enforcer/bootseal_contract.hpp) and the exit-code
// tables. The numbering and layout checks are static_asserts, compiled into
// the loader and bootseal; here: the pin names, the enforcer's skeleton
// against them (never opened or loaded), and the tables' rendering.
#include "bootseal_contract.hpp"

#include <bpf/libbpf.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <set>

#include "bootseal.skel.h"
#include "bootseal/exit_table.hpp"
#include "exit_codes.hpp"

namespace bootseal {
namespace {

using ::testing::HasSubstr;

TEST(Contract, LinkPinNames) {
  EXPECT_EQ(contract::link_pin_name("bs_file_open"), "link_file_open");
  EXPECT_EQ(contract::link_pin_name("other"), "link_other");
  EXPECT_EQ(contract::hook_of_link_pin("link_file_open"), "file_open");
  EXPECT_EQ(contract::hook_of_link_pin("info"), "");
  EXPECT_EQ(contract::hook_of_link_pin("link_"), "");
  EXPECT_EQ(contract::kPinDir, "/sys/fs/bpf/bootseal");
}

// The skeleton the loader is built with, created but not opened: its
// tables of map and program names only (no ELF parsing, no bpf() call,
// nothing loaded). Every map the loader pins is in it under its contract
// name, and every program gets its own link pin.
class EnforcerSkeleton : public ::testing::Test {
 protected:
  void SetUp() override {
    skel_ = static_cast<bootseal_bpf*>(std::calloc(1, sizeof(bootseal_bpf)));
    ASSERT_NE(skel_, nullptr);
    ASSERT_EQ(bootseal_bpf__create_skeleton(skel_), 0);
  }
  void TearDown() override { bootseal_bpf__destroy(skel_); }
  bootseal_bpf* skel_ = nullptr;
};

TEST_F(EnforcerSkeleton, HasEveryPinnedMapUnderItsContractName) {
  std::set<std::string> maps;
  for (int i = 0; i < skel_->skeleton->map_cnt; ++i) maps.insert(skel_->skeleton->maps[i].name);
  for (std::string_view pin : {contract::kPinInfo, contract::kPinRules, contract::kPinSubjects})
    EXPECT_TRUE(maps.count(std::string(pin))) << "no map named " << pin << " in the enforcer object";
}

TEST_F(EnforcerSkeleton, EveryProgramHasItsOwnLinkPin) {
  std::set<std::string> pins;
  const int n = skel_->skeleton->prog_cnt;
  ASSERT_GT(n, 0);
  for (int i = 0; i < n; ++i) {
    const std::string name = skel_->skeleton->progs[i].name;
    ASSERT_EQ(name.rfind(BS_PROG_PREFIX, 0), 0u) << name << " lacks the " BS_PROG_PREFIX " prefix";
    const std::string pin = contract::link_pin_name(name);
    EXPECT_EQ(contract::hook_of_link_pin(pin), name.substr(contract::kProgPrefix.size())) << pin;
    EXPECT_TRUE(pins.insert(pin).second) << "two programs pin as " << pin;
  }
}

// The loader's table of what each program is for (contract::kHookNeeds)
// names every program of the enforcer once, and nothing else: a program
// added to bootseal.bpf.c without an entry would be loaded for every
// policy, and an entry for a program that is gone would hide a rename.
TEST_F(EnforcerSkeleton, EveryProgramHasOneEntryInTheHookNeeds) {
  std::set<std::string> progs;
  for (int i = 0; i < skel_->skeleton->prog_cnt; ++i) {
    const std::string name = skel_->skeleton->progs[i].name;
    progs.insert(name.substr(contract::kProgPrefix.size()));
    const contract::HookEntry* e = contract::hook_entry(name);
    ASSERT_NE(e, nullptr) << name << " has no entry in contract::kHookNeeds";
    EXPECT_EQ(contract::hook_entry(e->hook), e);
  }
  std::set<std::string> entries;
  for (const auto& e : contract::kHookNeeds) {
    EXPECT_TRUE(entries.insert(std::string(e.hook)).second) << e.hook << " has two entries";
    EXPECT_TRUE(progs.count(std::string(e.hook))) << e.hook << " is in kHookNeeds but not a program of the enforcer";
  }
}

// What each need asks for, and that a policy using nothing still keeps
// every duty of every policy: the self-protection among them.
TEST(Contract, HookNeeds) {
  using contract::HookNeed;
  contract::PolicyUse none;
  EXPECT_TRUE(contract::needed(HookNeed::always, none));
  for (auto n : {HookNeed::write, HookNeed::write_or_names, HookNeed::exec_or_subjects, HookNeed::memory,
                 HookNeed::memory_or_subjects, HookNeed::capability, HookNeed::module_or_kexec}) {
    EXPECT_FALSE(contract::needed(n, none));
    EXPECT_FALSE(contract::unneeded_because(n).empty());
  }
  for (std::string_view hook :
       {"file_open", "bpf", "bpf_map", "bpf_prog", "inode_unlink", "inode_rename", "inode_rmdir", "inode_create",
        "inode_mkdir", "inode_mknod", "inode_symlink", "inode_link", "sb_mount", "move_mount", "sb_umount",
        "sb_pivotroot", "path_chroot", "sb_kern_mount", "ptrace_access_check", "ptrace_traceme", "task_prctl",
        "bprm_check", "bprm_committed", "task_alloc", "rawdev_ioctl", "rawdev_ioctl_compat", "iter_stats",
        "iter_audit"}) {
    const contract::HookEntry* e = contract::hook_entry(hook);
    ASSERT_NE(e, nullptr) << hook;
    EXPECT_EQ(e->need, HookNeed::always) << hook << " guards the enforcer or tracks state whatever the policy";
  }
  contract::PolicyUse u;
  u.op[BS_OP_WRITE] = true;
  EXPECT_TRUE(contract::needed(HookNeed::write, u));
  EXPECT_TRUE(contract::needed(HookNeed::write_or_names, u));
  EXPECT_FALSE(contract::needed(HookNeed::exec_or_subjects, u));
  u = {};
  u.names = true;
  EXPECT_FALSE(contract::needed(HookNeed::write, u));
  EXPECT_TRUE(contract::needed(HookNeed::write_or_names, u));
  u = {};
  u.subjects = true;
  EXPECT_TRUE(contract::needed(HookNeed::exec_or_subjects, u));
  EXPECT_TRUE(contract::needed(HookNeed::memory_or_subjects, u));
  EXPECT_FALSE(contract::needed(HookNeed::memory, u));
  u = {};
  u.op[BS_OP_KEXEC] = true;
  EXPECT_TRUE(contract::needed(HookNeed::module_or_kexec, u));
  EXPECT_FALSE(contract::needed(HookNeed::capability, u));
}

// ---- exit-code tables -------------------------------------------------------

constexpr ExitCodeEntry kGood[] = {{0, "OK", "fine"}, {1, "BAD_THING", "not fine"}};
constexpr ExitCodeEntry kGap[] = {{0, "OK", "fine"}, {2, "USAGE", "usage"}};
constexpr ExitCodeEntry kOrder[] = {{1, "A", "a"}, {0, "B", "b"}};
constexpr ExitCodeEntry kDuplicate[] = {{0, "OK", "fine"}, {1, "OK", "again"}};
constexpr ExitCodeEntry kLowerCase[] = {{0, "ok", "fine"}};
constexpr ExitCodeEntry kShellWord[] = {{0, "OK;rm", "fine"}};
constexpr ExitCodeEntry kNoText[] = {{0, "OK", ""}};
constexpr ExitCodeEntry kTwoLines[] = {{0, "OK", "fine\nBS_EXIT_X=9"}};

TEST(ExitTable, ValidTablesOnly) {
  static_assert(exit_table_valid(kGood));
  static_assert(!exit_table_valid(kGap), "codes must be 0, 1, 2, ...");
  static_assert(!exit_table_valid(kOrder));
  static_assert(!exit_table_valid(kDuplicate), "one name per code");
  static_assert(!exit_table_valid(kLowerCase));
  static_assert(!exit_table_valid(kShellWord), "names become shell variables");
  static_assert(!exit_table_valid(kNoText));
  static_assert(!exit_table_valid(kTwoLines), "texts become shell comments");
  static_assert(!exit_table_valid(std::span<const ExitCodeEntry>{}));
  SUCCEED();
}

TEST(ExitTable, HelpAndShellFragment) {
  EXPECT_EQ(exit_codes_help(kGood), "Exit codes:\n  0  fine\n  1  not fine\n");
  EXPECT_EQ(exit_codes_shell(kGood, "BS_X_", "here.hpp"),
            "# Generated at build time from here.hpp; do not edit.\n"
            "# fine\nBS_X_OK=0\n"
            "# not fine\nBS_X_BAD_THING=1\n");
}

TEST(ExitTable, LoaderCodesKeepTheirDocumentedNumbers) {
  // docs/LOADER.md and the boot-stop console line: these numbers are
  // relied on, and the hooks read them through the generated fragment.
  const std::string sh = exit_codes_shell(loader::kExitCodes, loader::kExitShellPrefix, "x");
  for (const char* line : {"BS_EXIT_OK=0\n", "BS_EXIT_CONTINUE=1\n", "BS_EXIT_USAGE=2\n", "BS_EXIT_CONFIG=3\n",
                           "BS_EXIT_NO_POLICY=4\n", "BS_EXIT_MACHINE=5\n", "BS_EXIT_NO_BPF_LSM=6\n",
                           "BS_EXIT_INSTALL=7\n", "BS_EXIT_ALREADY=8\n"})
    EXPECT_THAT(sh, HasSubstr(line));
  EXPECT_THAT(exit_codes_help(loader::kExitCodes), HasSubstr("  4  no valid policy: none found"));
}

}  // namespace
}  // namespace bootseal

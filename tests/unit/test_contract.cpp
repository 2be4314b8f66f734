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

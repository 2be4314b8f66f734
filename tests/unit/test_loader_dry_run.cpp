// SPDX-License-Identifier: GPL-2.0-only
// bootseal-loader --dry-run end to end: configuration, discovery of a
// sealed file, verification, machine binding, compilation under a root and
// the printed map contents, and the exit code of each failure. Touches no
// kernel state.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "bootseal/policy.hpp"
#include "bootseal/seal.hpp"

namespace bootseal {
namespace {

namespace fs = std::filesystem;

fs::path loader_path() {
  // tests/unit/test-loader_dry_run -> kernel-loader/bootseal-loader
  return fs::canonical("/proc/self/exe").parent_path().parent_path().parent_path() / "kernel-loader" /
         "bootseal-loader";
}

struct LoaderRun {
  int status = -1;
  std::string out, err;
};

LoaderRun run_loader(const std::vector<std::string>& args) {
  fs::path dir = fs::temp_directory_path() / ("bootseal-run-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::string cmd = loader_path().string();
  for (const auto& a : args) cmd += " '" + a + "'";
  cmd += " >" + (dir / "out").string() + " 2>" + (dir / "err").string();
  LoaderRun r;
  int s = std::system(cmd.c_str());
  r.status = WIFEXITED(s) ? WEXITSTATUS(s) : -1;
  auto slurp = [](const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  r.out = slurp(dir / "out");
  r.err = slurp(dir / "err");
  fs::remove_all(dir);
  return r;
}

class DryRun : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/bootseal-dryrun-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    root_ = dir_ / "newroot";
    for (auto f : {"/usr/bin/kmod", "/usr/bin/passwd", "/etc/shadow", "/bin/sh"}) {
      fs::create_directories((root_ / (f + 1)).parent_path());
      std::ofstream(root_ / (f + 1)) << f;
    }
    fs::create_directories(root_ / "var/tmp");
    std::ofstream(root_ / "etc/machine-id") << "0123456789abcdef0123456789abcdef\n";
    ASSERT_TRUE(generate_keypair(Alg::eddsa, dir_ / "key.pem", dir_ / "key.pub.pem").ok());
    std::ofstream(dir_ / "cmdline") << "root=/dev/vda2 quiet\n";
    // The mount table and sysfs the loader sees: by default only /proc,
    // so that no test depends on the machine's own disks.
    std::ofstream(dir_ / "mountinfo") << "22 1 0:22 / /proc rw shared:1 - proc proc rw\n";
    fs::create_directories(dir_ / "sys/dev/block");
    std::ofstream(dir_ / "devices") << "Character devices:\n  1 mem\n 21 sg\n241 nvme-generic\n247 bsg\n\n"
                                       "Block devices:\n  8 sd\n259 blkext\n";
  }
  void TearDown() override { fs::remove_all(dir_); }

  Document policy() const {
    Document d;
    d.name = "dry";
    d.generation = 4;
    d.defaults[static_cast<size_t>(Operation::module_load)] = Action::deny;
    Rule r1;
    r1.action = Action::deny;
    r1.operation = Operation::exec;
    r1.object = Object{ObjectKind::subtree, "/var/tmp", "", 0};
    Rule r2;
    r2.action = Action::deny;
    r2.operation = Operation::write;
    r2.object = Object{ObjectKind::path, "/etc/shadow", "", 0};
    r2.exceptions = {"/usr/bin/passwd"};
    Rule r3;
    r3.action = Action::deny;
    r3.operation = Operation::exec;
    r3.object = Object{ObjectKind::path, "/usr/bin/missing", "", 0};
    d.rules = {r1, r2, r3};
    return d;
  }

  void seal_to(const Document& d, const fs::path& out) {
    auto key = load_signing_key((dir_ / "key.pem").string());
    ASSERT_TRUE(key.ok()) << key.error();
    auto blob = seal(d, *key);
    ASSERT_TRUE(blob.ok()) << blob.error();
    std::ofstream(out, std::ios::binary).write(reinterpret_cast<const char*>(blob->data()),
                                                static_cast<std::streamsize>(blob->size()));
  }

  void config(const std::string& extra) {
    std::ofstream(dir_ / "loader.conf") << "source = file " << (dir_ / "policy.sealed").string() << "\n"
                                        << "trust = " << (dir_ / "key.pub.pem").string() << "\n"
                                        << extra;
  }

  LoaderRun dry_run() {
    return run_loader({"--root", root_.string(), "--config", (dir_ / "loader.conf").string(), "--cmdline",
                       (dir_ / "cmdline").string(), "--mountinfo", (dir_ / "mountinfo").string(), "--sysfs",
                       (dir_ / "sys").string(), "--proc-devices", (dir_ / "devices").string(), "--dry-run"});
  }

  fs::path dir_, root_;
};

std::string inode_line(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0);
  return "dev " + std::to_string(major(st.st_dev)) + ":" + std::to_string(minor(st.st_dev)) + " ino " +
         std::to_string(st.st_ino);
}

// The device and inode of a directory as the names listing prints them.
std::string dir_line(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0);
  return "dev " + std::to_string(major(st.st_dev)) + ":" + std::to_string(minor(st.st_dev)) + " dir " +
         std::to_string(st.st_ino);
}

TEST_F(DryRun, PrintsTheCompiledMaps) {
  seal_to(policy(), dir_ / "policy.sealed");
  config("");
  LoaderRun r = dry_run();
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("policy dry generation 4\nmode enforce\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("default module-load deny kinds none\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  exec subtree " + inode_line(root_ / "var/tmp") + " subject any -> deny (rule 1)\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("  write path " + inode_line(root_ / "etc/shadow") + " subject 1 -> exempt\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("subject 1 " + inode_line(root_ / "usr/bin/passwd") + " = /usr/bin/passwd\n"),
            std::string::npos)
      << r.out;
  // The absent file in an existing directory is protected by its name,
  // without a warning.
  EXPECT_NE(r.out.find("  exec name 2 subject any -> deny (rule 3)\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  name 2 = " + dir_line(root_ / "usr/bin") + " entry missing\n"), std::string::npos) << r.out;
  EXPECT_EQ(r.err.find("missing"), std::string::npos) << r.err;
}

TEST_F(DryRun, PathInAMissingDirectoryIsReportedWithTheDirectory) {
  Document d = policy();
  d.rules[2].object.path = "/usr/libexec/gone/tool";
  seal_to(d, dir_ / "policy.sealed");
  config("");
  LoaderRun r = dry_run();
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("rule 3 (deny exec path /usr/libexec/gone/tool): /usr/libexec/gone/tool: /usr/libexec does "
                       "not exist"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.out.find("exec name"), std::string::npos) << r.out;
}

TEST_F(DryRun, TamperedBlobIsNoPolicy) {
  seal_to(policy(), dir_ / "policy.sealed");
  {
    std::fstream f(dir_ / "policy.sealed", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(-5, std::ios::end);
    f.put('\x55');
  }
  config("");
  LoaderRun r = dry_run();
  EXPECT_EQ(r.status, 4) << r.err;
  EXPECT_NE(r.err.find("bootseal: no valid policy found"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST_F(DryRun, FloorRefusesOlderPolicy) {
  // The policy is generation 4: what a user checks is that the loader
  // says which generation it refused, against which floor, and compiles
  // nothing.
  const std::string src = (dir_ / "policy.sealed").string();
  seal_to(policy(), dir_ / "policy.sealed");
  config("floor = 5\n");
  LoaderRun r = dry_run();
  EXPECT_EQ(r.status, 4) << r.err;
  EXPECT_NE(r.err.find("bootseal: source file " + src + ": generation 4 in file is below the floor 5"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("bootseal: no valid policy found (floor 5, 1 source(s) looked at)"), std::string::npos)
      << r.err;
  EXPECT_EQ(r.out, "");
  // The command line may raise the floor, not lower it.
  config("floor = 2\n");
  std::ofstream(dir_ / "cmdline") << "bootseal.floor=6\n";
  r = dry_run();
  EXPECT_EQ(r.status, 4) << r.err;
  EXPECT_NE(r.err.find("is below the floor 6"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("no valid policy found (floor 6,"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
  std::ofstream(dir_ / "cmdline") << "bootseal.floor=1\n";
  r = dry_run();
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err.find("below the floor"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("policy 'dry' generation 4 from"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("policy dry generation 4\n"), std::string::npos) << r.out;
}

TEST_F(DryRun, PermissiveConfigurationContinuesWithoutPolicy) {
  config("mode = permissive\n");
  LoaderRun r = dry_run();
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.err.find("continuing the boot without a policy (permissive mode)"), std::string::npos) << r.err;
}

TEST_F(DryRun, MachineBinding) {
  Document d = policy();
  d.machines = {*machine_id_from_string("0123456789abcdef0123456789abcdef")};
  seal_to(d, dir_ / "policy.sealed");
  config("");
  EXPECT_EQ(dry_run().status, 0);
  std::ofstream(root_ / "etc/machine-id") << "ffffffffffffffffffffffffffffffff\n";
  LoaderRun r = dry_run();
  EXPECT_EQ(r.status, 5);
  EXPECT_NE(r.err.find("the policy is not for this machine (machine-id ffffffffffffffffffffffffffffffff)"),
            std::string::npos)
      << r.err;
  fs::remove(root_ / "etc/machine-id");
  EXPECT_EQ(dry_run().status, 5);
}

TEST_F(DryRun, BadConfigurationNamesTheLine) {
  std::ofstream(dir_ / "loader.conf") << "mode = enforce\nfloor = soon\n";
  LoaderRun r = dry_run();
  EXPECT_EQ(r.status, 3);
  EXPECT_NE(r.err.find((dir_ / "loader.conf").string() + ":2: floor 'soon' is not a generation number"),
            std::string::npos)
      << r.err;
}

TEST_F(DryRun, BadKernelOptionIsAConfigurationError) {
  seal_to(policy(), dir_ / "policy.sealed");
  config("");
  std::ofstream(dir_ / "cmdline") << "bootseal.mode=sometimes\n";
  LoaderRun r = dry_run();
  EXPECT_EQ(r.status, 3);
  EXPECT_NE(r.err.find("bootseal.mode: 'sometimes' is not enforce or permissive"), std::string::npos) << r.err;
}

// Names, paths and rules are written as the policy language writes them
// (quote_if_needed, format_rule), on stdout and in the log alike.
TEST_F(DryRun, QuotesAsThePolicyLanguage) {
  fs::create_directories(root_ / "opt/my tools");
  std::ofstream(root_ / "opt/my tools/x") << "x";
  Document d = policy();
  d.name = "dry run";
  d.rules[1].exceptions = {"/opt/my tools/x"};
  d.rules[2].object.path = "/opt/gone dir/y";
  d.rules[2].subject = "/opt/my tools/x";
  seal_to(d, dir_ / "policy.sealed");
  config("");
  LoaderRun r = dry_run();
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("policy \"dry run\" generation 4\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("subject 1 " + inode_line(root_ / "opt/my tools/x") + " = \"/opt/my tools/x\"\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.err.find("rule 3 (deny exec path \"/opt/gone dir/y\" by \"/opt/my tools/x\"): "
                       "\"/opt/gone dir/y\": \"/opt/gone dir\" does not exist"),
            std::string::npos)
      << r.err;
}

// The kernel device number of the filesystem the test root is on, as
// mountinfo prints it.
std::string root_majmin(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0);
  return std::to_string(major(st.st_dev)) + ":" + std::to_string(minor(st.st_dev));
}

TEST_F(DryRun, ListsTheGuardedDevicesOfAnNvmeRoot) {
  // The root's filesystem on partition 1 of NVMe namespace 1.
  const std::string mm = root_majmin(root_);
  std::ofstream(dir_ / "mountinfo") << "30 1 " << mm << " / / rw shared:1 - ext4 /dev/nvme0n1p1 rw\n";
  const fs::path ctrl = dir_ / "sys/devices/nvme0";
  fs::create_directories(ctrl / "nvme0n1/part1");
  fs::create_directories(ctrl / "ng0n1");
  fs::create_directories(ctrl / "ng0n2");
  fs::create_directories(dir_ / "sys/class/nvme");
  fs::create_directories(dir_ / "sys/class/nvme-generic");
  fs::create_directory_symlink(dir_ / "sys/class/nvme", ctrl / "subsystem");
  fs::create_directory_symlink(dir_ / "sys/class/nvme-generic", ctrl / "ng0n1/subsystem");
  fs::create_directory_symlink(dir_ / "sys/class/nvme-generic", ctrl / "ng0n2/subsystem");
  std::ofstream(ctrl / "dev") << "240:0\n";
  std::ofstream(ctrl / "ng0n1/dev") << "241:0\n";
  std::ofstream(ctrl / "ng0n2/dev") << "241:1\n";
  std::ofstream(ctrl / "nvme0n1/dev") << "259:0\n";
  std::ofstream(ctrl / "nvme0n1/part1/dev") << mm << "\n";
  std::ofstream(ctrl / "nvme0n1/part1/partition") << "1\n";
  fs::create_directory_symlink(ctrl / "nvme0n1/part1", dir_ / "sys/dev/block" / mm);
  fs::create_directory_symlink(ctrl / "nvme0n1", dir_ / "sys/dev/block/259:0");
  seal_to(policy(), dir_ / "policy.sealed");
  config("");
  LoaderRun r = dry_run();
  ASSERT_EQ(r.status, 0) << r.err;
  // Only writes are protected (/etc/shadow); ng0n2 is namespace 2's.
  // The nvme-generic major covers generic nodes made later (241:1 already
  // exists: it is namespace 2's, and the major refuses it too).
  EXPECT_NE(r.out.find("raw devices 5\n"), std::string::npos) << r.out;
  for (const std::string& line : {"block " + mm, std::string("block 259:0"), std::string("char 240:0"),
                                  std::string("char 241:0"), std::string("char major 241 (NVMe generic)")})
    EXPECT_NE(r.out.find("  " + line + " guarded for write\n"), std::string::npos) << line << "\n" << r.out;
  EXPECT_NE(r.err.find("guarding char device 241:0 against raw writes"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("guarding character major 241 (NVMe generic) against raw writes"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("241:1"), std::string::npos) << r.err;
  // Without nvme-generic in /proc/devices, enforce mode stops, naming the file.
  std::ofstream(dir_ / "devices") << "Character devices:\n 21 sg\n";
  r = dry_run();
  EXPECT_EQ(r.status, 7) << r.err;
  EXPECT_NE(r.err.find("cannot guard the NVMe generic nodes of a guarded disk made after the loader: " +
                       (dir_ / "devices").string() + " lists no character driver 'nvme-generic'"),
            std::string::npos)
      << r.err;
}

TEST_F(DryRun, ListsTheScsiMajorsOfAScsiRoot) {
  // The root's filesystem on sda1; sd drives sda, and sg was not loaded
  // when the loader ran: no scsi_generic/ yet.
  const std::string mm = root_majmin(root_);
  std::ofstream(dir_ / "mountinfo") << "30 1 " << mm << " / / rw shared:1 - ext4 /dev/sda1 rw\n";
  const fs::path disk = dir_ / "sys/devices/host0/target0:0:0/0:0:0:0/block/sda";
  fs::create_directories(disk / "sda1");
  fs::create_directories(dir_ / "sys/bus/scsi/drivers/sd");
  fs::create_directory_symlink(dir_ / "sys/bus/scsi/drivers/sd", disk.parent_path().parent_path() / "driver");
  fs::create_directory_symlink(disk.parent_path().parent_path(), disk / "device");
  std::ofstream(disk / "dev") << "8:0\n";
  std::ofstream(disk / "sda1/dev") << mm << "\n";
  std::ofstream(disk / "sda1/partition") << "1\n";
  fs::create_directory_symlink(disk / "sda1", dir_ / "sys/dev/block" / mm);
  fs::create_directory_symlink(disk, dir_ / "sys/dev/block/8:0");
  seal_to(policy(), dir_ / "policy.sealed");
  config("");
  LoaderRun r = dry_run();
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("raw devices 4\n"), std::string::npos) << r.out;
  for (const std::string& line : {"block " + mm, std::string("block 8:0"), std::string("char major 21 (SCSI generic)"),
                                  std::string("char major 247 (bsg)")})
    EXPECT_NE(r.out.find("  " + line + " guarded for write\n"), std::string::npos) << line << "\n" << r.out;
  EXPECT_NE(r.err.find("guarding character major 21 (SCSI generic) against raw writes"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("guarding character major 247 (bsg) against raw writes"), std::string::npos) << r.err;
  // An unreadable /proc/devices stops enforce mode.
  fs::remove(dir_ / "devices");
  r = dry_run();
  EXPECT_EQ(r.status, 7) << r.err;
  EXPECT_NE(r.err.find((dir_ / "devices").string()), std::string::npos) << r.err;
}

TEST_F(DryRun, GuardsAFilesystemMountedInsideAProtectedSubtree) {
  // A separate filesystem on /var/inner, below `deny write subtree /var`
  // of the root's filesystem: its files are protected through the
  // subtree, so its device is guarded too. /proc, not below, is not.
  std::ofstream(dir_ / "mountinfo") << "22 1 0:22 / /proc rw shared:1 - proc proc rw\n"
                                    << "31 1 7:5 / " << (root_ / "var/inner").string()
                                    << " rw shared:2 - ext4 /dev/loop5 rw\n";
  fs::create_directories(dir_ / "sys/devices/loop5");
  std::ofstream(dir_ / "sys/devices/loop5/dev") << "7:5\n";
  fs::create_directory_symlink(dir_ / "sys/devices/loop5", dir_ / "sys/dev/block/7:5");
  Document d = policy();
  Rule r;
  r.action = Action::deny;
  r.operation = Operation::write;
  r.object = Object{ObjectKind::subtree, "/var", "", 0};
  d.rules.push_back(r);
  seal_to(d, dir_ / "policy.sealed");
  config("");
  LoaderRun r1 = dry_run();
  ASSERT_EQ(r1.status, 0) << r1.err;
  EXPECT_NE(r1.out.find("  block 7:5 guarded for write\n"), std::string::npos) << r1.out;
  // Without the subtree rule, nothing protects that filesystem.
  seal_to(policy(), dir_ / "policy.sealed");
  LoaderRun r2 = dry_run();
  ASSERT_EQ(r2.status, 0) << r2.err;
  EXPECT_EQ(r2.out.find("7:5"), std::string::npos) << r2.out;
}

TEST_F(DryRun, UnreadableMountTableStopsEnforceModeOnly) {
  seal_to(policy(), dir_ / "policy.sealed");
  config("");
  fs::remove(dir_ / "mountinfo");
  LoaderRun r = dry_run();
  EXPECT_EQ(r.status, 7) << r.err;
  EXPECT_NE(r.err.find("bootseal: Failed to open " + (dir_ / "mountinfo").string() +
                       ": No such file or directory; the policy protects files, and enforce mode does not install "
                       "it without the guard on their raw devices"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.out, "");
  // Unparsable: the file and line are named.
  std::ofstream(dir_ / "mountinfo") << "22 1 0:22 / /proc rw shared:1 proc proc rw\n";
  r = dry_run();
  EXPECT_EQ(r.status, 7) << r.err;
  EXPECT_NE(r.err.find(": no ' - FSTYPE SOURCE' part"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find((dir_ / "mountinfo").string() + " line 1"), std::string::npos) << r.err;
  // Permissive mode warns and installs the policy.
  config("mode = permissive\n");
  r = dry_run();
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("(permissive mode: going on without that guard)"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("raw devices 0\n"), std::string::npos) << r.out;
}

TEST_F(DryRun, ProtectedFilesystemMissingFromSysfsStopsEnforceMode) {
  const std::string mm = root_majmin(root_);
  std::ofstream(dir_ / "mountinfo") << "30 1 " << mm << " / / rw shared:1 - ext4 /dev/vda2 rw\n";
  seal_to(policy(), dir_ / "policy.sealed");
  config("");
  LoaderRun r = dry_run();
  EXPECT_EQ(r.status, 7) << r.err;
  EXPECT_NE(r.err.find("cannot guard the device under ext4 on / (" + (dir_ / "mountinfo").string() + " line 1): " +
                       (dir_ / "sys/dev/block").string() + "/" + mm + ": No such file or directory"),
            std::string::npos)
      << r.err;
  // A policy that protects no file needs no guard.
  Document d = policy();
  d.rules = {d.rules[0]};
  seal_to(d, dir_ / "policy.sealed");
  r = dry_run();
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("raw devices 0\n"), std::string::npos) << r.out;
}

TEST_F(DryRun, UsageErrors) {
  EXPECT_EQ(run_loader({}).status, 2);
  EXPECT_EQ(run_loader({"--root"}).status, 2);
  EXPECT_EQ(run_loader({"--root", "/", "--bogus"}).status, 2);
  EXPECT_EQ(run_loader({"--root", ""}).status, 2);
  EXPECT_EQ(run_loader({"--root", "/", "extra"}).status, 2);
  LoaderRun missing = run_loader({"--dry-run"});
  EXPECT_EQ(missing.status, 2);
  EXPECT_NE(missing.err.find("--root is required"), std::string::npos) << missing.err;
  LoaderRun h = run_loader({"--help"});
  EXPECT_EQ(h.status, 0);
  EXPECT_NE(h.out.find("--dry-run"), std::string::npos);
  EXPECT_NE(h.out.find("\nExit codes:\n  0  the policy is installed"), std::string::npos) << h.out;
  LoaderRun v = run_loader({"--version"});
  EXPECT_EQ(v.status, 0);
  EXPECT_EQ(v.out.rfind("bootseal-loader ", 0), 0u) << v.out;
}

}  // namespace
}  // namespace bootseal

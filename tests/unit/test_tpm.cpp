// SPDX-License-Identifier: GPL-2.0-only
// lib/tpm against a private swtpm per test suite: the PCR the loader
// measures into, the life of the floor index (define, write, lock, the lock
// ending at the next TPM Reset, undefine) and the owner password. Without
// swtpm the suites skip, or fail when BOOTSEAL_VM_REQUIRED=1 says the TPM
// tests must run.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <tss2/tss2_esys.h>
#include <tss2/tss2_tctildr.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bootseal/tpm.hpp"

extern char** environ;

namespace bootseal::tpm {
namespace {

namespace fs = std::filesystem;

bool on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::string rest = path != nullptr ? path : "/usr/bin:/bin";
  size_t start = 0;
  while (start <= rest.size()) {
    const size_t end = rest.find(':', start);
    const std::string dir = rest.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!dir.empty() && ::access((dir + "/" + program).c_str(), X_OK) == 0) return true;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return false;
}

// Runs a program to its end; its exit status, or -1 when it could not run.
int run(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  if (::posix_spawnp(&pid, args[0], nullptr, nullptr, args.data(), environ) != 0) return -1;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool wait_for(const std::function<bool()>& done) {
  for (int i = 0; i < 200; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return done();
}

// Whether a process has ended. The swtpm daemon is not our child: a
// subreaper (a CI job runner) may leave it a zombie for a while, which
// kill(pid, 0) still finds.
bool gone(pid_t pid) {
  if (::kill(pid, 0) != 0) return true;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;
  const size_t paren = line.rfind(')');
  return paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] == 'Z';
}

// A swtpm of its own in a temporary directory: its state, its two sockets
// and its pid file.
class SwTpm {
 public:
  SwTpm() {
    std::string templ = (fs::temp_directory_path() / "bootseal-swtpm-XXXXXX").string();
    if (::mkdtemp(templ.data()) != nullptr) dir_ = templ;
  }
  SwTpm(const SwTpm&) = delete;
  SwTpm& operator=(const SwTpm&) = delete;
  ~SwTpm() {
    stop();
    if (!dir_.empty()) {
      std::error_code ec;
      fs::remove_all(dir_, ec);
    }
  }

  std::string tcti() const { return "swtpm:path=" + sock(); }
  std::string sock() const { return dir_ + "/sock"; }
  std::string ctrl() const { return dir_ + "/sock.ctrl"; }

  // Empty on success, else why not.
  std::string start() {
    if (dir_.empty()) return "cannot create a temporary directory";
    std::error_code ec;
    fs::remove(sock(), ec);
    fs::remove(ctrl(), ec);
    const int rc = run({"swtpm", "socket", "--tpm2", "--tpmstate", "dir=" + dir_, "--server",
                        "type=unixio,path=" + sock(), "--ctrl", "type=unixio,path=" + ctrl(), "--flags",
                        "not-need-init,startup-clear", "--daemon", "--pid", "file=" + dir_ + "/pid"});
    if (rc != 0) return "swtpm socket exited " + std::to_string(rc);
    struct stat st {};
    if (!wait_for([&] { return ::stat(sock().c_str(), &st) == 0 && S_ISSOCK(st.st_mode); }))
      return "swtpm did not create " + sock();
    std::ifstream pidfile(dir_ + "/pid");
    pid_ = 0;
    if (!(pidfile >> pid_) || pid_ <= 0) return "swtpm wrote no pid file";
    return {};
  }

  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    if (!wait_for([&] { return gone(pid_); })) ::kill(pid_, SIGKILL);
    wait_for([&] { return gone(pid_); });
    pid_ = 0;
  }

  // TPM2_Init through the control channel: a TPM Reset, as at a reboot.
  bool reset() const { return run({"swtpm_ioctl", "--unix", ctrl(), "-i"}) == 0; }

 private:
  std::string dir_;
  pid_t pid_ = 0;
};

// Whether whoever ran the tests chose the TSS's log level (read before any
// Tpm::open sets its default).
const bool kCallerSetTssLog = std::getenv("TSS2_LOG") != nullptr;

bool tpm_required() {
  const char* v = std::getenv("BOOTSEAL_VM_REQUIRED");
  return v != nullptr && std::string(v) == "1";
}

// Each suite (CRTP) has a swtpm of its own, so that what one suite leaves
// in its TPM (an owner password, a locked index) is not another's start.
template <typename Suite>
class SwTpmSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!on_path("swtpm") || !on_path("swtpm_ioctl")) {
      setup_error_ = "swtpm and swtpm_ioctl are not installed (Debian: swtpm swtpm-tools)";
      return;
    }
    sw_ = std::make_unique<SwTpm>();
    setup_error_ = sw_->start();
  }
  static void TearDownTestSuite() { sw_.reset(); }

  void SetUp() override {
    if (setup_error_.empty()) return;
    if (tpm_required()) FAIL() << "BOOTSEAL_VM_REQUIRED=1 and no swtpm: " << setup_error_;
    GTEST_SKIP() << setup_error_;
  }

  static SwTpm& sw() { return *sw_; }

  static inline std::unique_ptr<SwTpm> sw_;
  static inline std::string setup_error_;
};

Digest sha256_of(const void* data, size_t size) {
  Digest out{};
  unsigned int len = 0;
  EXPECT_EQ(EVP_Digest(data, size, out.data(), &len, EVP_sha256(), nullptr), 1);
  EXPECT_EQ(len, out.size());
  return out;
}

// The test's own computation of a PCR extend, independent of extended().
Digest hand_extended(const Digest& before, const Digest& d) {
  std::array<uint8_t, 64> in{};
  std::copy(before.begin(), before.end(), in.begin());
  std::copy(d.begin(), d.end(), in.begin() + 32);
  return sha256_of(in.data(), in.size());
}

std::string hex(const Digest& d) {
  static const char* kDigits = "0123456789abcdef";
  std::string s;
  for (uint8_t b : d) {
    s += kDigits[b >> 4];
    s += kDigits[b & 15];
  }
  return s;
}

// Owner password changes, as an administrator does them with
// tpm2_changeauth, through a context of the test's own. The same call
// raises the dictionary-attack limit, so that the wrong passwords the tests
// send on purpose do not lock the owner hierarchy out.
std::string change_owner_auth(const std::string& tcti, std::string_view old_auth, std::string_view new_auth) {
  TSS2_TCTI_CONTEXT* t = nullptr;
  TSS2_RC rc = Tss2_TctiLdr_Initialize(tcti.c_str(), &t);
  if (rc != TSS2_RC_SUCCESS) return "Tss2_TctiLdr_Initialize: " + std::to_string(rc);
  ESYS_CONTEXT* esys = nullptr;
  rc = Esys_Initialize(&esys, t, nullptr);
  std::string err;
  if (rc != TSS2_RC_SUCCESS) {
    err = "Esys_Initialize: " + std::to_string(rc);
  } else {
    rc = Esys_DictionaryAttackParameters(esys, ESYS_TR_RH_LOCKOUT, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
                                         100, 0, 0);
    if (rc != TSS2_RC_SUCCESS) err = "Esys_DictionaryAttackParameters: " + std::to_string(rc);
    TPM2B_AUTH old_value{};
    old_value.size = static_cast<UINT16>(old_auth.size());
    std::memcpy(old_value.buffer, old_auth.data(), old_auth.size());
    TPM2B_AUTH new_value{};
    new_value.size = static_cast<UINT16>(new_auth.size());
    std::memcpy(new_value.buffer, new_auth.data(), new_auth.size());
    if (err.empty()) {
      Esys_TR_SetAuth(esys, ESYS_TR_RH_OWNER, &old_value);
      rc = Esys_HierarchyChangeAuth(esys, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
                                    &new_value);
      if (rc != TSS2_RC_SUCCESS) err = "Esys_HierarchyChangeAuth: " + std::to_string(rc);
    }
    Esys_Finalize(&esys);
  }
  Tss2_TctiLdr_Finalize(&t);
  return err;
}

// Tests without a TPM.

TEST(TpmNoDevice, OpenOfAMissingDeviceIsUnavailableAndNamesTheTcti) {
  auto t = Tpm::open("device:/nonexistent/tpmrm0");
  ASSERT_FALSE(t);
  EXPECT_EQ(t.kind(), TpmFault::unavailable);
  EXPECT_NE(t.error().find("no TPM"), std::string::npos) << t.error();
  EXPECT_NE(t.error().find("'device:/nonexistent/tpmrm0'"), std::string::npos) << t.error();
  EXPECT_NE(t.error().find("No such file or directory"), std::string::npos) << t.error();
}

TEST(TpmNoDevice, OpenOfAMissingSwtpmSocketIsUnavailable) {
  auto t = Tpm::open("swtpm:path=/nonexistent/bootseal-swtpm/sock");
  ASSERT_FALSE(t);
  EXPECT_EQ(t.kind(), TpmFault::unavailable);
  EXPECT_NE(t.error().find("swtpm:path=/nonexistent/bootseal-swtpm/sock"), std::string::npos) << t.error();
}

TEST(TpmNoDevice, LinuxRangeBounds) {
  EXPECT_FALSE(in_linux_range(0x01D101FF));
  EXPECT_TRUE(in_linux_range(0x01D10200));
  EXPECT_TRUE(in_linux_range(kDefaultFloorIndex));
  EXPECT_TRUE(in_linux_range(0x01D105FF));
  EXPECT_FALSE(in_linux_range(0x01D10600));
  EXPECT_FALSE(in_linux_range(0));
  EXPECT_FALSE(in_linux_range(0x81D10250));  // a persistent-object handle, not an NV index
}

TEST(TpmNoDevice, ExtendedIsSha256OfBeforeAndDigest) {
  const Digest zero{};
  // SHA-256 of 64 zero bytes, a published constant.
  EXPECT_EQ(hex(extended(zero, zero)), "f5a5fd42d16a20302798ef6ed309979b43003d2320d9f0e8ea9831a92759fb4b");
  const std::string blob = "a sealed policy blob";
  const Digest d = sha256_of(blob.data(), blob.size());
  EXPECT_EQ(extended(zero, d), hand_extended(zero, d));
  const Digest once = extended(zero, d);
  EXPECT_EQ(extended(once, d), hand_extended(once, d));
  EXPECT_NE(extended(once, d), once);
}

TEST(TpmNoDevice, AttributesCheckWantsBootsealsBitsAndSize) {
  FloorIndex f;
  f.attributes = kFloorAttributes;
  f.size = 8;
  f.name_alg = 0x000b;  // TPM2_ALG_SHA256
  EXPECT_TRUE(f.attributes_as_bootseal_defines());
  f.attributes = kFloorAttributes | 0x20000000u | 0x00000800u;  // WRITTEN, WRITELOCKED
  EXPECT_TRUE(f.attributes_as_bootseal_defines());
  f.attributes = kFloorAttributes & ~0x00004000u;  // without WRITE_STCLEAR the lock would last forever
  EXPECT_FALSE(f.attributes_as_bootseal_defines());
  f.attributes = kFloorAttributes | 0x00000010u;  // TPM_NT_COUNTER
  EXPECT_FALSE(f.attributes_as_bootseal_defines());
  f.attributes = kFloorAttributes | 0x00000002u;  // PPWRITE
  EXPECT_FALSE(f.attributes_as_bootseal_defines());
  f.attributes = kFloorAttributes;
  f.size = 16;
  EXPECT_FALSE(f.attributes_as_bootseal_defines());
}

TEST(TpmNoDevice, AttributesCheckWantsSha256NamesAndNoAuthPolicy) {
  FloorIndex f;
  f.attributes = kFloorAttributes;
  f.size = 8;
  f.name_alg = 0x000b;  // TPM2_ALG_SHA256
  EXPECT_TRUE(f.attributes_as_bootseal_defines());
  f.auth_policy_size = 32;  // a policy could allow TPM2_NV_ChangeAuth later
  EXPECT_FALSE(f.attributes_as_bootseal_defines());
  f.auth_policy_size = 0;
  f.name_alg = 0x0004;  // TPM2_ALG_SHA1
  EXPECT_FALSE(f.attributes_as_bootseal_defines());
}

TEST(TpmNoDevice, KindNames) {
  EXPECT_EQ(to_string(TpmFault::unavailable), "unavailable");
  EXPECT_EQ(to_string(TpmFault::command), "command");
  EXPECT_EQ(to_string(TpmFault::not_defined), "not_defined");
  EXPECT_EQ(to_string(TpmFault::invalid_input), "invalid_input");
}

// PCRs and the floor index on a fresh TPM.
class TpmBasics : public SwTpmSuite<TpmBasics> {};

TEST_F(TpmBasics, Pcr12StartsZeroAndExtendsAsPredicted) {
  auto t = Tpm::open(sw().tcti());
  ASSERT_TRUE(t) << t.error();
  auto before = t->pcr_read(12);
  ASSERT_TRUE(before) << before.error();
  EXPECT_EQ(*before, Digest{});

  const std::string blob = "a sealed policy blob";
  const Digest d = sha256_of(blob.data(), blob.size());
  ASSERT_TRUE(t->pcr_extend(12, d));
  auto after = t->pcr_read(12);
  ASSERT_TRUE(after) << after.error();
  EXPECT_EQ(*after, extended(Digest{}, d));
  EXPECT_EQ(*after, hand_extended(Digest{}, d));

  // A second measurement chains on the first.
  ASSERT_TRUE(t->pcr_extend(12, d));
  auto twice = t->pcr_read(12);
  ASSERT_TRUE(twice) << twice.error();
  EXPECT_EQ(*twice, hand_extended(*after, d));

  // Other PCRs are untouched.
  auto other = t->pcr_read(13);
  ASSERT_TRUE(other) << other.error();
  EXPECT_EQ(*other, Digest{});
}

TEST_F(TpmBasics, PcrOutsideTheBankIsRefused) {
  auto t = Tpm::open(sw().tcti());
  ASSERT_TRUE(t) << t.error();
  auto r = t->pcr_read(24);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.kind(), TpmFault::invalid_input);
  auto e = t->pcr_extend(24, Digest{});
  ASSERT_FALSE(e);
  EXPECT_EQ(e.kind(), TpmFault::invalid_input);
}

TEST_F(TpmBasics, FloorIndexDefineWriteLockUndefine) {
  auto t = Tpm::open(sw().tcti());
  ASSERT_TRUE(t) << t.error();

  auto absent = t->read_floor(kDefaultFloorIndex);
  ASSERT_TRUE(absent) << absent.error();
  EXPECT_FALSE(absent->has_value());

  auto def = t->define_floor(kDefaultFloorIndex, "");
  ASSERT_TRUE(def) << def.error();
  auto fresh = t->read_floor(kDefaultFloorIndex);
  ASSERT_TRUE(fresh) << fresh.error();
  ASSERT_TRUE(fresh->has_value());
  const FloorIndex& f = **fresh;
  EXPECT_EQ(f.index, kDefaultFloorIndex);
  EXPECT_EQ(f.size, 8);
  EXPECT_FALSE(f.written);
  EXPECT_FALSE(f.write_locked);
  EXPECT_EQ(f.value, 0u);
  EXPECT_TRUE(f.attributes_as_bootseal_defines()) << std::hex << f.attributes;

  auto w = t->write_floor(kDefaultFloorIndex, 5);
  ASSERT_TRUE(w) << w.error();
  auto five = t->read_floor(kDefaultFloorIndex);
  ASSERT_TRUE(five && five->has_value()) << (five ? "" : five.error());
  EXPECT_TRUE((*five)->written);
  EXPECT_EQ((*five)->value, 5u);
  EXPECT_TRUE((*five)->attributes_as_bootseal_defines());

  auto lock = t->write_lock(kDefaultFloorIndex);
  ASSERT_TRUE(lock) << lock.error();
  auto locked = t->read_floor(kDefaultFloorIndex);
  ASSERT_TRUE(locked && locked->has_value()) << (locked ? "" : locked.error());
  EXPECT_TRUE((*locked)->write_locked);
  EXPECT_TRUE((*locked)->attributes_as_bootseal_defines());

  auto refused = t->write_floor(kDefaultFloorIndex, 6);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.kind(), TpmFault::command);
  EXPECT_NE(refused.error().find("TPM2_NV_Write"), std::string::npos) << refused.error();
  EXPECT_NE(refused.error().find("0x01d10250"), std::string::npos) << refused.error();
  EXPECT_NE(refused.error().find("response 0x"), std::string::npos) << refused.error();
  EXPECT_NE(refused.error().find("NV access locked"), std::string::npos) << refused.error();
  auto still = t->read_floor(kDefaultFloorIndex);
  ASSERT_TRUE(still && still->has_value());
  EXPECT_EQ((*still)->value, 5u);

  auto again = t->define_floor(kDefaultFloorIndex, "");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.kind(), TpmFault::command);
  EXPECT_NE(again.error().find("TPM2_NV_DefineSpace"), std::string::npos) << again.error();
  EXPECT_NE(again.error().find("0x01d10250"), std::string::npos) << again.error();

  auto undef = t->undefine(kDefaultFloorIndex, "");
  ASSERT_TRUE(undef) << undef.error();
  auto gone = t->read_floor(kDefaultFloorIndex);
  ASSERT_TRUE(gone) << gone.error();
  EXPECT_FALSE(gone->has_value());
}

TEST_F(TpmBasics, TheTssLogsNothingOnItsOwn) {
  if (kCallerSetTssLog) GTEST_SKIP() << "TSS2_LOG is set by the caller, whose setting wins";
  auto t = Tpm::open(sw().tcti());
  ASSERT_TRUE(t) << t.error();
  // ESYS logs an undefined index as an ERROR of NV_ReadPublic by default.
  ::testing::internal::CaptureStderr();
  auto absent = t->read_floor(0x01D10254);
  auto refused = t->write_floor(0x01D10254, 1);
  const std::string logged = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(absent) << absent.error();
  EXPECT_FALSE(absent->has_value());
  EXPECT_FALSE(refused);
  EXPECT_EQ(logged, "");
}

TEST_F(TpmBasics, ValueIsAllEightBytesBigEndian) {
  const uint32_t index = 0x01D10251;
  auto t = Tpm::open(sw().tcti());
  ASSERT_TRUE(t) << t.error();
  ASSERT_TRUE(t->define_floor(index, ""));
  ASSERT_TRUE(t->write_floor(index, 0x0102030405060708ull));
  auto r = t->read_floor(index);
  ASSERT_TRUE(r && r->has_value());
  EXPECT_EQ((*r)->value, 0x0102030405060708ull);
  ASSERT_TRUE(t->write_floor(index, 0));
  r = t->read_floor(index);
  ASSERT_TRUE(r && r->has_value());
  EXPECT_TRUE((*r)->written);
  EXPECT_EQ((*r)->value, 0u);
  ASSERT_TRUE(t->undefine(index, ""));
}

TEST_F(TpmBasics, CommandsOnAnUndefinedIndexSayNotDefined) {
  const uint32_t index = 0x01D10252;
  auto t = Tpm::open(sw().tcti());
  ASSERT_TRUE(t) << t.error();
  auto w = t->write_floor(index, 1);
  ASSERT_FALSE(w);
  EXPECT_EQ(w.kind(), TpmFault::not_defined);
  EXPECT_NE(w.error().find("0x01d10252"), std::string::npos) << w.error();
  auto l = t->write_lock(index);
  ASSERT_FALSE(l);
  EXPECT_EQ(l.kind(), TpmFault::not_defined);
  auto u = t->undefine(index, "");
  ASSERT_FALSE(u);
  EXPECT_EQ(u.kind(), TpmFault::not_defined);
}

// Someone defines the floor's handle first, with bootseal's attributes and
// size but an authPolicy (one that would let them change its authValue
// later): reported as not bootseal's, and not read.
TEST_F(TpmBasics, AnIndexWithAnAuthPolicyIsNotBootseals) {
  const uint32_t index = 0x01D10253;
  TSS2_TCTI_CONTEXT* tcti = nullptr;
  ASSERT_EQ(Tss2_TctiLdr_Initialize(sw().tcti().c_str(), &tcti), TSS2_RC_SUCCESS);
  ESYS_CONTEXT* esys = nullptr;
  ASSERT_EQ(Esys_Initialize(&esys, tcti, nullptr), TSS2_RC_SUCCESS);
  TPM2B_NV_PUBLIC pub{};
  pub.nvPublic.nvIndex = index;
  pub.nvPublic.nameAlg = TPM2_ALG_SHA256;
  pub.nvPublic.attributes = kFloorAttributes;
  pub.nvPublic.authPolicy.size = 32;
  std::memset(pub.nvPublic.authPolicy.buffer, 0xab, 32);
  pub.nvPublic.dataSize = 8;
  TPM2B_AUTH auth{};
  ESYS_TR tr = ESYS_TR_NONE;
  const TSS2_RC rc = Esys_NV_DefineSpace(esys, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
                                         &auth, &pub, &tr);
  Esys_Finalize(&esys);
  Tss2_TctiLdr_Finalize(&tcti);
  ASSERT_EQ(rc, TSS2_RC_SUCCESS);

  auto t = Tpm::open(sw().tcti());
  ASSERT_TRUE(t) << t.error();
  auto f = t->read_floor(index);
  ASSERT_TRUE(f) << f.error();
  ASSERT_TRUE(f->has_value());
  EXPECT_EQ((*f)->auth_policy_size, 32);
  EXPECT_FALSE((*f)->attributes_as_bootseal_defines());
  ASSERT_TRUE(t->undefine(index, ""));
}

TEST_F(TpmBasics, AHandleThatIsNoNvIndexIsRefused) {
  auto t = Tpm::open(sw().tcti());
  ASSERT_TRUE(t) << t.error();
  auto r = t->read_floor(0x81000001);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.kind(), TpmFault::invalid_input);
  auto d = t->define_floor(0x81000001, "");
  ASSERT_FALSE(d);
  EXPECT_EQ(d.kind(), TpmFault::invalid_input);
}

// WRITE_STCLEAR: the write lock lasts until the next TPM Reset.
class TpmRestart : public SwTpmSuite<TpmRestart> {};

TEST_F(TpmRestart, WriteLockEndsAtTpmResetAndTheValueStays) {
  {
    auto t = Tpm::open(sw().tcti());
    ASSERT_TRUE(t) << t.error();
    ASSERT_TRUE(t->define_floor(kDefaultFloorIndex, ""));
    ASSERT_TRUE(t->write_floor(kDefaultFloorIndex, 7));
    ASSERT_TRUE(t->write_lock(kDefaultFloorIndex));
    ASSERT_FALSE(t->write_floor(kDefaultFloorIndex, 8));
  }  // closed: swtpm serves one client at a time
  ASSERT_TRUE(sw().reset());
  // After TPM2_Init the TPM wants Startup, which open sends.
  auto t = Tpm::open(sw().tcti());
  ASSERT_TRUE(t) << t.error();
  auto r = t->read_floor(kDefaultFloorIndex);
  ASSERT_TRUE(r && r->has_value()) << (r ? "" : r.error());
  EXPECT_FALSE((*r)->write_locked);
  EXPECT_TRUE((*r)->written);
  EXPECT_EQ((*r)->value, 7u);
  auto w = t->write_floor(kDefaultFloorIndex, 8);
  ASSERT_TRUE(w) << w.error();
  r = t->read_floor(kDefaultFloorIndex);
  ASSERT_TRUE(r && r->has_value());
  EXPECT_EQ((*r)->value, 8u);
  // A PCR starts from zero again, as at every boot.
  auto pcr = t->pcr_read(12);
  ASSERT_TRUE(pcr);
  EXPECT_EQ(*pcr, Digest{});
}

TEST_F(TpmRestart, TheFloorSurvivesAPowerCycleOfTheProcess) {
  const uint32_t index = 0x01D10253;
  {
    auto t = Tpm::open(sw().tcti());
    ASSERT_TRUE(t) << t.error();
    ASSERT_TRUE(t->define_floor(index, ""));
    ASSERT_TRUE(t->write_floor(index, 41));
    ASSERT_TRUE(t->write_lock(index));
    ASSERT_TRUE(t->pcr_extend(12, Digest{}));
  }
  sw().stop();
  const std::string again = sw().start();
  ASSERT_EQ(again, "");
  auto t = Tpm::open(sw().tcti());
  ASSERT_TRUE(t) << t.error();
  auto r = t->read_floor(index);
  ASSERT_TRUE(r && r->has_value()) << (r ? "" : r.error());
  EXPECT_EQ((*r)->value, 41u);
  EXPECT_FALSE((*r)->write_locked);
  EXPECT_TRUE(t->write_floor(index, 42));
  auto pcr = t->pcr_read(12);
  ASSERT_TRUE(pcr);
  EXPECT_EQ(*pcr, Digest{});
}

// An owner hierarchy with a password.
class TpmOwnerAuth : public SwTpmSuite<TpmOwnerAuth> {};

TEST_F(TpmOwnerAuth, DefineAndUndefineNeedTheOwnerPassword) {
  {
    auto t = Tpm::open(sw().tcti());
    ASSERT_TRUE(t) << t.error();
    auto set = t->owner_auth_set();
    ASSERT_TRUE(set) << set.error();
    EXPECT_FALSE(*set);
  }
  ASSERT_EQ(change_owner_auth(sw().tcti(), "", "owner secret"), "");

  auto t = Tpm::open(sw().tcti());
  ASSERT_TRUE(t) << t.error();
  auto set = t->owner_auth_set();
  ASSERT_TRUE(set) << set.error();
  EXPECT_TRUE(*set);

  auto without = t->define_floor(kDefaultFloorIndex, "");
  ASSERT_FALSE(without);
  EXPECT_EQ(without.kind(), TpmFault::command);
  EXPECT_NE(without.error().find("TPM2_NV_DefineSpace of NV index 0x01d10250: response 0x"), std::string::npos)
      << without.error();
  auto nothing = t->read_floor(kDefaultFloorIndex);
  ASSERT_TRUE(nothing);
  EXPECT_FALSE(nothing->has_value());

  auto with = t->define_floor(kDefaultFloorIndex, "owner secret");
  ASSERT_TRUE(with) << with.error();
  // The index's own (empty) authValue writes it, whatever the owner's.
  auto w = t->write_floor(kDefaultFloorIndex, 3);
  ASSERT_TRUE(w) << w.error();

  auto wrong = t->undefine(kDefaultFloorIndex, "not the secret");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.kind(), TpmFault::command);
  EXPECT_NE(wrong.error().find("TPM2_NV_UndefineSpace"), std::string::npos) << wrong.error();
  auto still = t->read_floor(kDefaultFloorIndex);
  ASSERT_TRUE(still && still->has_value());
  EXPECT_EQ((*still)->value, 3u);

  auto right = t->undefine(kDefaultFloorIndex, "owner secret");
  ASSERT_TRUE(right) << right.error();
  auto gone = t->read_floor(kDefaultFloorIndex);
  ASSERT_TRUE(gone);
  EXPECT_FALSE(gone->has_value());
}

}  // namespace
}  // namespace bootseal::tpm

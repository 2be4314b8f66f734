// SPDX-License-Identifier: GPL-2.0-only
// The one error model (docs/ERRORS.md): Result<T, Kind>, and each
// program's table from error kinds to exit codes, checked kind by kind
// against the codes its documentation gives (docs/bootseal.md,
// docs/bootseal-sign.md, docs/LOADER.md).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string_view>
#include <utility>
#include <vector>

#include "../../kernel-loader/error_exits.hpp"
#include "../../signer/cli/error_exits.hpp"
#include "../../tools/error_exits.hpp"
#include "bootseal/result.hpp"

namespace bootseal {
namespace {

// The name an exit code has in its program's table.
template <typename Table>
std::string_view name_of(const Table& table, int code) {
  for (const ExitCodeEntry& e : table)
    if (e.code == code) return e.name;
  return "?";
}

// ---- Result ------------------------------------------------------------------

enum class TestKind { first, second };

TEST(Result, CarriesTheKindMessageAndDetail) {
  Result<int, TestKind> r = make_error(TestKind::second, "disk.img: slot B: checksum mismatch", "more");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.kind(), TestKind::second);
  EXPECT_EQ(r.error(), "disk.img: slot B: checksum mismatch");
  EXPECT_EQ(r.failure().detail, "more");

  Result<void, TestKind> v = make_error(TestKind::first, "x");
  ASSERT_FALSE(v);
  EXPECT_EQ(v.kind(), TestKind::first);
  EXPECT_EQ(v.error(), "x");
  EXPECT_TRUE((Result<void, TestKind>{}));
  EXPECT_EQ((Result<void, TestKind>{}).error(), "");

  Result<int, TestKind> ok = 7;
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok, 7);
}

TEST(Result, AMessageAloneIsAGenericFailure) {
  Result<int> a = make_error("file.txt: line 3: no");
  ASSERT_FALSE(a);
  EXPECT_EQ(a.kind(), Errc::failed);
  Result<int> b = Error{std::string("x")};
  EXPECT_EQ(b.kind(), Errc::failed);
  Result<int> c = make_error(Errc::not_found, "y: no such file");
  EXPECT_EQ(c.kind(), Errc::not_found);
  EXPECT_EQ(to_string(c.kind()), "not_found");
}

TEST(Result, AnErrorPassesOnUnchanged) {
  Result<int, TestKind> inner = make_error(TestKind::second, "where: why", "log");
  Result<std::string, TestKind> outer = inner.failure();
  EXPECT_EQ(outer.failure(), inner.failure());
}

// ---- bootseal ----------------------------------------------------------------

TEST(ExitTable, BootsealWriteFailures) {
  using namespace tool;
  const std::vector<std::pair<WriteFailure, std::string_view>> want = {
      {WriteFailure::refused, "REFUSED"},
      {WriteFailure::unreadable, "CORRUPT"},
      {WriteFailure::io_error, "FAILURE"},
      {WriteFailure::readback, "FAILURE"},
  };
  for (const auto& [kind, name] : want) EXPECT_EQ(name_of(kExitCodes, exit_code_for(kind)), name) << to_string(kind);
  static_assert(exit_code_for(WriteFailure::refused) == 3);
  static_assert(exit_code_for(WriteFailure::unreadable) == 6);
}

TEST(ExitTable, BootsealTrailerFaults) {
  using namespace tool;
  const std::vector<std::pair<TrailerFault, std::string_view>> want = {
      {TrailerFault::io, "FAILURE"},
      {TrailerFault::corrupt, "CORRUPT"},
      {TrailerFault::absent, "REFUSED"},
      {TrailerFault::exists, "REFUSED"},
      {TrailerFault::invalid_blob, "BAD_BLOB"},
  };
  for (const auto& [kind, name] : want) EXPECT_EQ(name_of(kExitCodes, exit_code_for(kind)), name) << to_string(kind);
}

TEST(ExitTable, BootsealVerification) {
  using namespace tool;
  EXPECT_EQ(exit_code_for(VerifyStatus::ok), kExitOk);
  for (VerifyStatus s : {VerifyStatus::too_large, VerifyStatus::malformed_envelope, VerifyStatus::unsupported_alg,
                         VerifyStatus::unknown_crit, VerifyStatus::unknown_key, VerifyStatus::alg_key_mismatch,
                         VerifyStatus::bad_signature, VerifyStatus::malformed_payload, VerifyStatus::invalid_policy})
    EXPECT_EQ(name_of(kExitCodes, exit_code_for(s)), "BAD_BLOB") << to_string(s);
}

TEST(ExitTable, BootsealEnforcerAndGenericFailures) {
  using namespace tool;
  // `bootseal status` and `audit`: 5 when no enforcer is installed.
  EXPECT_EQ(exit_code_for(EnforcerFault::not_installed), 5);
  EXPECT_EQ(name_of(kExitCodes, exit_code_for(EnforcerFault::not_installed)), "NO_POLICY");
  EXPECT_EQ(name_of(kExitCodes, exit_code_for(EnforcerFault::unreadable)), "FAILURE");
  for (Errc k : {Errc::failed, Errc::io, Errc::not_found, Errc::too_large, Errc::invalid_input})
    EXPECT_EQ(name_of(kExitCodes, exit_code_for(k)), "FAILURE") << to_string(k);
}

TEST(ExitTable, BootsealTpmSetup) {
  using namespace tool;
  // docs/bootseal.md, tpm-setup: a foreign index is refused (3), TPM errors are 1.
  EXPECT_EQ(name_of(kExitCodes, exit_code_for(tpm::TpmFault::unavailable)), "FAILURE");
  EXPECT_EQ(name_of(kExitCodes, exit_code_for(tpm::TpmFault::command)), "FAILURE");
  EXPECT_EQ(name_of(kExitCodes, exit_code_for(tpm::TpmFault::not_defined)), "REFUSED");
  EXPECT_EQ(name_of(kExitCodes, exit_code_for(tpm::TpmFault::invalid_input)), "USAGE");
}

// ---- bootseal-sign -----------------------------------------------------------

TEST(ExitTable, BootsealSignVerification) {
  using namespace sign;
  const std::vector<std::pair<VerifyStatus, int>> want = {
      {VerifyStatus::ok, 0},
      {VerifyStatus::too_large, 4},
      {VerifyStatus::malformed_envelope, 4},
      {VerifyStatus::unsupported_alg, 4},
      {VerifyStatus::unknown_crit, 4},
      {VerifyStatus::malformed_payload, 4},
      {VerifyStatus::invalid_policy, 4},
      {VerifyStatus::unknown_key, 5},
      {VerifyStatus::alg_key_mismatch, 6},
      {VerifyStatus::bad_signature, 6},
  };
  for (const auto& [status, code] : want) EXPECT_EQ(exit_code_for(status), code) << to_string(status);
  EXPECT_EQ(name_of(kExitCodes, exit_code_for(VerifyStatus::unknown_key)), "UNTRUSTED");
  for (Errc k : {Errc::failed, Errc::io, Errc::not_found, Errc::too_large, Errc::invalid_input})
    EXPECT_EQ(name_of(kExitCodes, exit_code_for(k)), "FAILURE") << to_string(k);
}

// ---- bootseal-loader ---------------------------------------------------------

TEST(ExitTable, BootsealLoaderInstall) {
  using namespace loader;
  EXPECT_EQ(exit_code_for(InstallFailure::already), 8);
  EXPECT_EQ(name_of(kExitCodes, exit_code_for(InstallFailure::already)), "ALREADY");
  EXPECT_EQ(exit_code_for(InstallFailure::failed), 7);
  EXPECT_EQ(name_of(kExitCodes, exit_code_for(InstallFailure::failed)), "INSTALL");
}

}  // namespace
}  // namespace bootseal

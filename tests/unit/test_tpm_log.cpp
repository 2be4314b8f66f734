// SPDX-License-Identifier: GPL-2.0-only
// The measurement log and the floor request (bootseal/tpm_log.hpp): the
// records the loader writes read back as written, in systemd's JSON-SEQ
// form; each way a damaged log or request is refused names the file and
// the record.
#include "bootseal/tpm_log.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "bootseal/seal.hpp"

namespace bootseal::tpm {
namespace {

MeasureEvent policy_event() {
  MeasureEvent e;
  e.pcr = 12;
  const std::string blob = "not really a sealed blob";
  e.digest = sha256(std::span(reinterpret_cast<const uint8_t*>(blob.data()), blob.size()));
  e.event = "policy";
  e.policy = "kiosk";
  e.generation = 5;
  e.kid = "0011223344556677";
  e.source = "partition /dev/vda3 slot A";
  e.nv_index = 0x01D10250;
  return e;
}

TEST(MeasureLog, RecordIsJsonSeqAsSystemdWritesIt) {
  const std::string rec = format_event(policy_event());
  ASSERT_GE(rec.size(), 2u);
  EXPECT_EQ(rec.front(), '\x1e');
  EXPECT_EQ(rec.back(), '\n');
  EXPECT_EQ(rec.find('\n'), rec.size() - 1) << "one line per record";
  EXPECT_NE(rec.find("\"pcr\":12"), std::string::npos) << rec;
  EXPECT_NE(rec.find("\"hashAlg\":\"sha256\""), std::string::npos) << rec;
  EXPECT_NE(rec.find("\"digest\":\"" + to_hex(policy_event().digest) + "\""), std::string::npos) << rec;
  EXPECT_NE(rec.find("\"content_type\":\"bootseal\""), std::string::npos) << rec;
}

TEST(MeasureLog, ReadsBackWhatWasWrittenAndSkipsOthers) {
  MeasureEvent none;
  none.event = "no-policy";
  none.digest = no_policy_digest();
  const std::string other =
      "\x1e{\"pcr\":15,\"digests\":[{\"hashAlg\":\"sha256\",\"digest\":\"" + std::string(64, 'a') +
      "\"}],\"content_type\":\"systemd\",\"content\":{\"string\":\"machine-id\"}}\n";
  auto log = parse_measure_log(format_event(policy_event()) + other + format_event(none), "log");
  ASSERT_TRUE(log.ok()) << log.error();
  ASSERT_EQ(log->size(), 2u);
  EXPECT_EQ((*log)[0], policy_event());
  EXPECT_EQ((*log)[1], none);
  EXPECT_EQ(parse_measure_log("", "log")->size(), 0u);
}

TEST(MeasureLog, NoPolicyDigestIsTheHashOfItsText) {
  const std::string text = "bootseal: no policy";
  EXPECT_EQ(no_policy_digest(), sha256(std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size())));
}

TEST(MeasureLog, PermissiveDigestIsTheHashOfItsText) {
  const std::string text = "bootseal: permissive";
  EXPECT_EQ(permissive_digest(), sha256(std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size())));
  EXPECT_NE(permissive_digest(), no_policy_digest());
}

// A record that qualifies the policy's (permissive, floor-lowered): the
// policy's fields without its source.
MeasureEvent qualifier_event(const std::string& event, const Sha256& digest) {
  MeasureEvent e = policy_event();
  e.event = event;
  e.source.clear();
  e.digest = digest;
  return e;
}

MeasureEvent permissive_event() { return qualifier_event("permissive", permissive_digest()); }

TEST(MeasureLog, PermissiveRecordReadsBackNamingThePolicy) {
  const std::string text = format_event(policy_event()) + format_event(permissive_event());
  EXPECT_EQ(text.find("\"source\"", text.find("permissive")), std::string::npos) << "no source on it";
  auto log = parse_measure_log(text, "log");
  ASSERT_TRUE(log.ok()) << log.error();
  ASSERT_EQ(log->size(), 2u);
  EXPECT_EQ((*log)[1], permissive_event());
  EXPECT_EQ((*log)[1].generation, 5u);
}

TEST(MeasureLog, FloorLoweredDigestIsTheHashOfItsText) {
  const std::string text = "bootseal: floor lowered";
  EXPECT_EQ(floor_lowered_digest(), sha256(std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size())));
  EXPECT_NE(floor_lowered_digest(), permissive_digest());
  EXPECT_NE(floor_lowered_digest(), no_policy_digest());
}

MeasureEvent floor_lowered_event() {
  MeasureEvent e = qualifier_event("floor-lowered", floor_lowered_digest());
  e.floor = 9;
  return e;
}

TEST(MeasureLog, FloorLoweredRecordReadsBackWithTheFloor) {
  const std::string text = format_event(policy_event()) + format_event(floor_lowered_event());
  EXPECT_NE(text.find("\"floor\":9"), std::string::npos) << text;
  EXPECT_EQ(text.find("\"floor\"", 0), text.find("\"floor\":9")) << "a floor only on the floor-lowered record";
  auto log = parse_measure_log(text, "log");
  ASSERT_TRUE(log.ok()) << log.error();
  ASSERT_EQ(log->size(), 2u);
  EXPECT_EQ((*log)[1], floor_lowered_event());
  EXPECT_EQ((*log)[1].generation, 5u);
}

MeasureEvent sealed_event(const std::string& reason) {
  MeasureEvent e = policy_event();
  e.event = "sealed";
  e.source.clear();
  e.nv_index = 0;
  e.reason = reason;
  e.digest = sealed_digest(reason);
  return e;
}

TEST(MeasureLog, SealedDigestsAreTheHashesOfTheirTexts) {
  for (const auto& [reason, text] : {std::pair<std::string, std::string>{"trigger", "bootseal: sealed by trigger"},
                                     {"deadline", "bootseal: sealed at deadline"}})
    EXPECT_EQ(sealed_digest(reason), sha256(std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size())))
        << reason;
  EXPECT_NE(sealed_digest("trigger"), sealed_digest("deadline"));
  EXPECT_THROW(sealed_digest("reset"), std::invalid_argument);
}

TEST(MeasureLog, SealedRecordsReadBackWithTheirReasonAndPolicy) {
  const std::string text = format_event(policy_event()) + format_event(sealed_event("deadline"));
  EXPECT_NE(text.find("\"reason\":\"deadline\""), std::string::npos) << text;
  EXPECT_EQ(text.find("\"source\"", text.find("sealed")), std::string::npos) << "no source on a sealed record";
  auto log = parse_measure_log(text, "log");
  ASSERT_TRUE(log.ok()) << log.error();
  ASSERT_EQ(log->size(), 2u);
  EXPECT_EQ((*log)[1], sealed_event("deadline"));
  EXPECT_EQ((*log)[1].policy, "kiosk");
}

TEST(MeasureLog, AppendCreatesTheDirectoryAndAppends) {
  char tmpl[] = "/tmp/bootseal-tpmlog-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string path = std::string(tmpl) + "/run/log/bootseal/tpm-measure.log";
  ASSERT_TRUE(append_measure_log(path, policy_event()).ok());
  ASSERT_TRUE(append_measure_log(path, policy_event()).ok());
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  auto log = parse_measure_log(ss.str(), path);
  ASSERT_TRUE(log.ok()) << log.error();
  EXPECT_EQ(log->size(), 2u);
  std::filesystem::remove_all(tmpl);
}

struct Damage {
  const char* name;
  std::string text;
  std::string error;
};
class MeasureLogRejects : public ::testing::TestWithParam<Damage> {};
TEST_P(MeasureLogRejects, NamingRecordAndOffset) {
  auto log = parse_measure_log(GetParam().text, "/run/log/bootseal/tpm-measure.log");
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.error(), GetParam().error);
}

std::string rec(const std::string& json) { return "\x1e" + json + "\n"; }
const std::string kGood = format_event(policy_event());
const std::string kDigest = "[{\"hashAlg\":\"sha256\",\"digest\":\"" + std::string(64, '0') + "\"}]";

INSTANTIATE_TEST_SUITE_P(
    Cases, MeasureLogRejects,
    ::testing::Values(
        Damage{"NoSeparator", "{}\n", "/run/log/bootseal/tpm-measure.log: offset 0: expected a record separator (0x1e)"},
        Damage{"Truncated", kGood + kGood.substr(0, kGood.size() - 10),
               "/run/log/bootseal/tpm-measure.log: record 2 at offset " + std::to_string(kGood.size()) +
                   ": truncated (no final newline)"},
        Damage{"NotJson", rec("{pcr:"), "/run/log/bootseal/tpm-measure.log: record 1 at offset 0: not valid JSON"},
        Damage{"NotObject", rec("[1]"), "/run/log/bootseal/tpm-measure.log: record 1 at offset 0: not a JSON object"},
        Damage{"NoContentType", rec("{\"pcr\":12}"),
               "/run/log/bootseal/tpm-measure.log: record 1 at offset 0: no content_type"},
        Damage{"PcrTooHigh",
               rec("{\"pcr\":24,\"content_type\":\"bootseal\",\"digests\":" + kDigest + ",\"content\":{}}"),
               "/run/log/bootseal/tpm-measure.log: record 1 at offset 0: bad pcr"},
        Damage{"ShortDigest",
               rec("{\"pcr\":12,\"content_type\":\"bootseal\",\"digests\":[{\"hashAlg\":\"sha256\",\"digest\":"
                   "\"abcd\"}],\"content\":{\"event\":\"policy\"}}"),
               "/run/log/bootseal/tpm-measure.log: record 1 at offset 0: sha256 digest is not 64 hex digits"},
        Damage{"NoSha256",
               rec("{\"pcr\":12,\"content_type\":\"bootseal\",\"digests\":[],\"content\":{\"event\":\"policy\"}}"),
               "/run/log/bootseal/tpm-measure.log: record 1 at offset 0: no sha256 digest"},
        Damage{"UnknownEvent",
               rec("{\"pcr\":12,\"content_type\":\"bootseal\",\"digests\":" + kDigest +
                   ",\"content\":{\"event\":\"reset\"}}"),
               "/run/log/bootseal/tpm-measure.log: record 1 at offset 0: unknown event 'reset'"},
        Damage{"SealedUnknownReason",
               rec("{\"pcr\":12,\"content_type\":\"bootseal\",\"digests\":" + kDigest +
                   ",\"content\":{\"event\":\"sealed\",\"reason\":\"operator\"}}"),
               "/run/log/bootseal/tpm-measure.log: record 1 at offset 0: sealed: unknown reason 'operator'"},
        Damage{"SealedWrongDigest",
               rec("{\"pcr\":12,\"content_type\":\"bootseal\",\"digests\":" + kDigest +
                   ",\"content\":{\"event\":\"sealed\",\"reason\":\"trigger\"}}"),
               "/run/log/bootseal/tpm-measure.log: record 1 at offset 0: sealed: the digest is not that of reason "
               "'trigger'"},
        Damage{"PermissiveWrongDigest",
               rec("{\"pcr\":12,\"content_type\":\"bootseal\",\"digests\":" + kDigest +
                   ",\"content\":{\"event\":\"permissive\",\"policy\":\"kiosk\"}}"),
               "/run/log/bootseal/tpm-measure.log: record 1 at offset 0: permissive: the digest is not that of the "
               "text 'bootseal: permissive'"},
        Damage{"ReasonOnPermissive",
               rec("{\"pcr\":12,\"content_type\":\"bootseal\",\"digests\":[{\"hashAlg\":\"sha256\",\"digest\":\"" +
                   to_hex(permissive_digest()) + "\"}],\"content\":{\"event\":\"permissive\",\"reason\":\"trigger\"}}"),
               "/run/log/bootseal/tpm-measure.log: record 1 at offset 0: a reason on a 'permissive' record"},
        Damage{"FloorLoweredWrongDigest",
               rec("{\"pcr\":12,\"content_type\":\"bootseal\",\"digests\":" + kDigest +
                   ",\"content\":{\"event\":\"floor-lowered\",\"floor\":9}}"),
               "/run/log/bootseal/tpm-measure.log: record 1 at offset 0: floor-lowered: the digest is not that of the "
               "text 'bootseal: floor lowered'"},
        Damage{"FloorOnPolicy",
               rec("{\"pcr\":12,\"content_type\":\"bootseal\",\"digests\":" + kDigest +
                   ",\"content\":{\"event\":\"policy\",\"floor\":9}}"),
               "/run/log/bootseal/tpm-measure.log: record 1 at offset 0: a floor on a 'policy' record"},
        Damage{"FloorNotANumber",
               rec("{\"pcr\":12,\"content_type\":\"bootseal\",\"digests\":[{\"hashAlg\":\"sha256\",\"digest\":\"" +
                   to_hex(floor_lowered_digest()) + "\"}],\"content\":{\"event\":\"floor-lowered\",\"floor\":-1}}"),
               "/run/log/bootseal/tpm-measure.log: record 1 at offset 0: floor is not an unsigned number"},
        Damage{"ReasonOnPolicy",
               rec("{\"pcr\":12,\"content_type\":\"bootseal\",\"digests\":" + kDigest +
                   ",\"content\":{\"event\":\"policy\",\"reason\":\"trigger\"}}"),
               "/run/log/bootseal/tpm-measure.log: record 1 at offset 0: a reason on a 'policy' record"},
        Damage{"NegativeGeneration",
               rec("{\"pcr\":12,\"content_type\":\"bootseal\",\"digests\":" + kDigest +
                   ",\"content\":{\"event\":\"policy\",\"generation\":-1}}"),
               "/run/log/bootseal/tpm-measure.log: record 1 at offset 0: generation is not an unsigned number"}),
    [](const ::testing::TestParamInfo<Damage>& i) { return std::string(i.param.name); });

Assessment known_assessment() {
  Assessment a;
  a.boot_id = "0f9e8d7c-6b5a-4938-8271-605f4e3d2c1b";
  a.policy = "debian-server";
  a.generation = 3;
  a.kid = std::string(64, 'a');
  a.time = 1796378400;
  a.floor = 3;
  a.store = "/dev/vda1";
  return a;
}

TEST(AssessmentRecord, RoundTrip) {
  const Assessment a = known_assessment();
  const std::string text = format_assessment(a);
  EXPECT_EQ(text.back(), '\n');
  auto back = parse_assessment(text, "rec");
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(*back, a);
}

TEST(AssessmentRecord, Rejections) {
  const std::string good = format_assessment(known_assessment());
  auto with = [&](const std::string& key, const std::string& value) {
    auto j = nlohmann::json::parse(good);
    j[key] = nlohmann::json::parse(value);
    return j.dump();
  };
  auto without = [&](const std::string& key) {
    auto j = nlohmann::json::parse(good);
    j.erase(key);
    return j.dump();
  };
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "not a JSON object"},
      {"[1,2]", "not a JSON object"},
      {"{\"boot_id\"", "not a JSON object"},
      {with("boot_id", "\"0f9e8d7c6b5a49388271605f4e3d2c1b\""), "bad or missing boot_id"},
      {with("boot_id", "\"0F9E8D7C-6B5A-4938-8271-605F4E3D2C1B\""), "bad or missing boot_id"},
      {without("boot_id"), "bad or missing boot_id"},
      {with("policy", "\"" + std::string(256, 'p') + "\""), "bad or missing policy"},
      {with("policy", "7"), "bad or missing policy"},
      {with("generation", "-1"), "bad or missing generation"},
      {with("generation", "\"3\""), "bad or missing generation"},
      {with("kid", "\"" + std::string(63, 'a') + "\""), "bad or missing kid"},
      {with("kid", "\"" + std::string(64, 'g') + "\""), "bad or missing kid"},
      {with("time", "1.5"), "bad or missing time"},
      {without("floor"), "bad or missing floor"},
      {with("store", "null"), "bad or missing store"},
  };
  for (const auto& [text, why] : cases) {
    auto r = parse_assessment(text, "/var/lib/bootseal/assessment");
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error(), "/var/lib/bootseal/assessment: " + why) << text;
  }
}

TEST(FloorRequest, ReadsWhatMarkGoodWrites) {
  auto r = parse_floor_request(format_floor_request(6), "req");
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(*r, 6u);
  EXPECT_EQ(*parse_floor_request("18446744073709551615", "req"), UINT64_MAX);
}

TEST(FloorRequest, Rejections) {
  const std::string path = "/var/lib/bootseal/tpm-floor-request";
  EXPECT_EQ(parse_floor_request("", path).error(), path + ": not a generation number");
  EXPECT_EQ(parse_floor_request("\n", path).error(), path + ": not a generation number");
  EXPECT_EQ(parse_floor_request("-3\n", path).error(), path + ": '-3' is not a generation number");
  EXPECT_EQ(parse_floor_request("5 6\n", path).error(), path + ": '5 6' is not a generation number");
  EXPECT_EQ(parse_floor_request("18446744073709551616", path).error(),
            path + ": '18446744073709551616' is not a generation number");
  EXPECT_EQ(parse_floor_request(std::string(65, '1'), path).error(), path + ": larger than 64 bytes");
}

// A root of the test's own: NAME/var/lib/bootseal/.
std::filesystem::path request_root(const std::string& name) {
  const auto root = std::filesystem::temp_directory_path() / ("bs-floor-req-" + std::to_string(::getpid()) + "-" + name);
  std::filesystem::remove_all(root);
  std::filesystem::create_directories(root / "var/lib/bootseal");
  return root;
}

TEST(FloorRequestFile, ReadsARegularFileAndNothingWhenAbsent) {
  const auto root = request_root("plain");
  auto none = read_floor_request(root.string());
  ASSERT_TRUE(none) << none.error();
  EXPECT_FALSE(none->has_value());
  std::ofstream(root / "var/lib/bootseal/tpm-floor-request") << "7\n";
  auto r = read_floor_request(root.string());
  ASSERT_TRUE(r) << r.error();
  ASSERT_TRUE(r->has_value());
  EXPECT_EQ(**r, "7\n");
  std::filesystem::remove_all(root);
}

// What root could put there to hold the boot before the lock, or to make
// the loader read something else: each refused at once, naming the file.
TEST(FloorRequestFile, FifoSymlinkLinkedDirectoryAndLargeFileAreRefused) {
  const auto root = request_root("hostile");
  const auto req = root / "var/lib/bootseal/tpm-floor-request";
  ASSERT_EQ(::mkfifo(req.c_str(), 0644), 0);
  auto fifo = read_floor_request(root.string());  // would block forever on a blocking open
  ASSERT_FALSE(fifo);
  EXPECT_NE(fifo.error().find("tpm-floor-request: not a regular file"), std::string::npos) << fifo.error();
  std::filesystem::remove(req);

  std::ofstream(root / "elsewhere") << "9\n";
  std::filesystem::create_symlink("/elsewhere", req);
  auto link = read_floor_request(root.string());
  ASSERT_FALSE(link);
  EXPECT_NE(link.error().find("reached without links"), std::string::npos) << link.error();
  std::filesystem::remove(req);

  std::filesystem::remove_all(root / "var/lib/bootseal");
  std::filesystem::create_directories(root / "real");
  std::ofstream(root / "real/tpm-floor-request") << "9\n";
  std::filesystem::create_directory_symlink("../../real", root / "var/lib/bootseal");
  EXPECT_FALSE(read_floor_request(root.string()));
  std::filesystem::remove(root / "var/lib/bootseal");
  std::filesystem::create_directories(root / "var/lib/bootseal");

  std::ofstream(req) << std::string(65, '1');
  auto big = read_floor_request(root.string());
  ASSERT_FALSE(big);
  EXPECT_NE(big.error().find("65 bytes, at most 64"), std::string::npos) << big.error();
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace bootseal::tpm

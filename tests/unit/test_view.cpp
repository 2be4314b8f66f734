// SPDX-License-Identifier: GPL-2.0-only
// lib/view: the views the tools build and the one JSON form of the shared
// objects (docs/JSON.md); and the views of bootseal status and audit
// (tools/enforcer_view.cpp). Each test builds a known view and checks the
// JSON key by key, and that no key outside the schema appears.
#include "bootseal/view.hpp"

#include <gtest/gtest.h>
#include <linux/bpf.h>

#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "bootseal.h"
#include "bootseal/language.hpp"
#include "enforcer_view.hpp"
#include "storage_fixture.hpp"

namespace bootseal::view {
namespace {

using nlohmann::json;
using namespace storagetest;

std::set<std::string> keys_of(const json& j) {
  std::set<std::string> k;
  for (const auto& [key, value] : j.items()) k.insert(key);
  return k;
}

constexpr const char* kPolicyText = R"(policy "view-test"
generation 7
mode permissive
description "two rules"
default kexec deny
deny exec fstype tmpfs
audit write path /etc/shadow except /usr/bin/passwd
)";

Document parsed(const char* text) {
  auto d = parse_policy(text, "view-test.policy");
  if (!d) throw std::runtime_error(d.error());
  return *d;
}

Kid kid_of(uint8_t first) {
  Kid k{};
  for (size_t i = 0; i < k.size(); ++i) k[i] = static_cast<uint8_t>(first + i);
  return k;
}

TEST(AlgName, NamesKnownAlgorithmsAndSaysUnknownForOthers) {
  EXPECT_EQ(alg_name(-8), "EdDSA");
  EXPECT_EQ(alg_name(-7), "ES256");
  EXPECT_EQ(alg_name(-35), "ES384");
  EXPECT_EQ(alg_name(-37), "PS256");
  EXPECT_EQ(alg_name(-257), "unknown (-257)");
  EXPECT_EQ(alg_name(0), "unknown (0)");
}

TEST(PolicyJson, EveryKeyOfAKnownPolicy) {
  const Document doc = parsed(kPolicyText);
  const json j = to_json(policy_view(doc));
  EXPECT_EQ(keys_of(j), (std::set<std::string>{"name", "generation", "mode", "description", "machines", "defaults",
                                               "rules", "rule_count", "phases", "text"}));
  EXPECT_TRUE(j["phases"].is_null());
  EXPECT_EQ(j["name"], "view-test");
  EXPECT_EQ(j["generation"], 7);
  EXPECT_EQ(j["mode"], "permissive");
  EXPECT_EQ(j["description"], "two rules");
  EXPECT_EQ(j["machines"], json::array());
  EXPECT_EQ(j["defaults"], (json{{"exec", "allow"}, {"read", "allow"}, {"write", "allow"}, {"capability", "allow"},
                                 {"module-load", "allow"}, {"kexec", "deny"}, {"mount", "allow"}}));
  EXPECT_EQ(j["rules"], (json{"deny exec fstype tmpfs", "audit write path /etc/shadow except /usr/bin/passwd"}));
  EXPECT_EQ(j["rule_count"], 2);
  EXPECT_EQ(j["text"], format_policy(doc));
  // The text is the policy: it parses back to the same document.
  auto back = parse_policy(j["text"].get<std::string>(), "back.policy");
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(*back, doc);
}

TEST(PolicyJson, PhasesOfAPhasedPolicy) {
  const Document doc = parsed("policy p\ngeneration 1\nmode enforce\nseal-by /usr/lib/bootseal/bootseal-seal\n"
                              "seal-after 5m\nphase running default module-load deny\n"
                              "phase boot allow write subtree /etc\n");
  const json j = to_json(policy_view(doc));
  EXPECT_EQ(j["phases"], (json{{"seal_after_seconds", 300},
                               {"seal_by", "/usr/lib/bootseal/bootseal-seal"},
                               {"running_defaults", {{"module-load", "deny"}}}}));
  EXPECT_EQ(j["defaults"]["module-load"], "allow");
  EXPECT_EQ(j["rules"], (json{"phase boot allow write subtree /etc"}));
  // The text inspect prints: the header lines, both defaults of an
  // operation that differs, the rule's phase.
  const std::string text = j["text"];
  EXPECT_NE(text.find("seal-by /usr/lib/bootseal/bootseal-seal\nseal-after 300s\n"), std::string::npos) << text;
  EXPECT_NE(text.find("phase boot default module-load allow\nphase running default module-load deny\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("\nphase boot allow write subtree /etc\n"), std::string::npos) << text;
}

TEST(PolicyJson, ADeadlineAloneHasPhasesWithoutRunningDefaults) {
  const json j = to_json(policy_view(parsed("policy p\ngeneration 1\nmode enforce\nseal-after 1h\n")));
  EXPECT_EQ(j["phases"],
            (json{{"seal_after_seconds", 3600}, {"seal_by", nullptr}, {"running_defaults", json::object()}}));
}

TEST(PolicyJson, MachinesAreListedAsTheLanguageWritesThem) {
  Document doc = parsed(kPolicyText);
  MachineId id{};
  id[0] = 0xab;
  doc.machines.push_back(id);
  const json j = to_json(policy_view(doc));
  ASSERT_EQ(j["machines"].size(), 1u);
  EXPECT_EQ(j["machines"][0], to_string(id));
  EXPECT_EQ(j["machines"][0].get<std::string>().substr(0, 2), "ab");
}

TEST(SignatureJson, VerifiedWithAKid) {
  const json j = to_json(SignatureView{-8, kid_of(1), VerifyStatus::ok});
  EXPECT_EQ(keys_of(j), (std::set<std::string>{"alg", "cose_alg", "kid", "verification", "verified"}));
  EXPECT_EQ(j["alg"], "EdDSA");
  EXPECT_EQ(j["cose_alg"], -8);
  EXPECT_EQ(j["kid"], to_hex(kid_of(1)));
  EXPECT_EQ(j["kid"].get<std::string>().substr(0, 6), "010203");
  EXPECT_EQ(j["verification"], "ok");
  EXPECT_EQ(j["verified"], true);
}

TEST(SignatureJson, NotCheckedAndNoKid) {
  const json j = to_json(SignatureView{-7, std::nullopt, std::nullopt});
  EXPECT_EQ(j["alg"], "ES256");
  EXPECT_EQ(j["cose_alg"], -7);
  EXPECT_TRUE(j["kid"].is_null());
  EXPECT_EQ(j["verification"], "not-checked");
  EXPECT_EQ(j["verified"], false);
}

TEST(SignatureJson, CheckedAndRefusedSaysWhy) {
  const json j = to_json(SignatureView{-37, kid_of(9), VerifyStatus::unknown_key});
  EXPECT_EQ(j["alg"], "PS256");
  EXPECT_EQ(j["verification"], to_string(VerifyStatus::unknown_key));
  EXPECT_EQ(j["verified"], false);
}

TEST(BlobJson, WellFormedBlobHasSignatureAndPolicy) {
  BlobView b{512, std::string(64, 'a'), VerifyStatus::ok, SignatureView{-8, kid_of(1), std::nullopt},
             policy_view(parsed(kPolicyText))};
  const json j = to_json(b);
  EXPECT_EQ(keys_of(j), (std::set<std::string>{"size", "sha256", "status", "signature", "policy"}));
  EXPECT_EQ(j["size"], 512);
  EXPECT_EQ(j["sha256"], std::string(64, 'a'));
  EXPECT_EQ(j["status"], "ok");
  EXPECT_EQ(j["signature"], to_json(*b.signature));
  EXPECT_EQ(j["policy"], to_json(*b.policy));
}

TEST(BlobJson, MalformedBlobHasOnlyItsBytesAndStatus) {
  const json j = to_json(BlobView{3, "abc", VerifyStatus::malformed_envelope, std::nullopt, std::nullopt});
  EXPECT_EQ(keys_of(j), (std::set<std::string>{"size", "sha256", "status"}));
  EXPECT_EQ(j["status"], to_string(VerifyStatus::malformed_envelope));
}

TEST(SourceJson, OffsetOnlyForPartitions) {
  json j = to_json(SourceView{"partition", "/dev/vda", "/dev/vda3 (partition 3)", 1048576});
  EXPECT_EQ(keys_of(j), (std::set<std::string>{"kind", "path", "description", "offset"}));
  EXPECT_EQ(j["kind"], "partition");
  EXPECT_EQ(j["path"], "/dev/vda");
  EXPECT_EQ(j["description"], "/dev/vda3 (partition 3)");
  EXPECT_EQ(j["offset"], 1048576);
  j = to_json(SourceView{"trailer", "/boot/vmlinuz", "kernel trailer", std::nullopt});
  EXPECT_EQ(keys_of(j), (std::set<std::string>{"kind", "path", "description"}));
}

TEST(TrustJson, OriginWhenLoadedNullOtherwise) {
  EXPECT_EQ(to_json(TrustView{"/etc/bootseal/trusted.d", true}), "/etc/bootseal/trusted.d");
  EXPECT_TRUE(to_json(TrustView{"/etc/bootseal/trusted.d", false}).is_null());
}

// A partition state as read_partition reports it: copy 2 newer and in use,
// copy 1 invalid; slot A corrupt, slot B serving a sealed blob.
class PartitionViewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    keys_ = make_keys(dir_.path(), "k");
    blob_ = make_blob(keys_, 4);
    ps_.device = "part.img";
    ps_.header.floor = 3;
    ps_.header.slot_size = 65536;
    ps_.header.sequence = 9;
    ps_.header_copy = 1;
    ps_.header_copies[0].offset = 0;
    ps_.header_copies[0].valid = false;
    ps_.header_copies[0].reason = "checksum mismatch";
    ps_.header_copies[1].offset = 4096;
    ps_.header_copies[1].valid = true;
    ps_.header_copies[1].header = ps_.header;
    SlotInfo& a = ps_.slots[0];
    a.index = 0;
    a.offset = 8192;
    a.state = SlotState::corrupt;
    a.reason = "slot A (offset 8192): payload checksum mismatch";
    SlotInfo& b = ps_.slots[1];
    b.index = 1;
    b.offset = 73728;
    b.state = SlotState::ok;
    SlotHeader sh;
    sh.sequence = 2;
    sh.generation = 4;
    sh.payload_length = blob_.size();
    sh.payload_sha256 = sha256(blob_);
    b.header = sh;
    b.blob = blob_;
    b.document = make_document(4);
    b.kid = keys_.signing.kid;
    b.alg = static_cast<int>(Alg::eddsa);
    b.verified = true;
    ps_.serving = 1;
  }

  ScratchDir dir_;
  Keys keys_;
  std::vector<uint8_t> blob_;
  PartitionState ps_;
};

TEST_F(PartitionViewTest, EveryKeyOfThePartition) {
  const json j = to_json(partition_view(ps_, TrustView{"k.pem", true}));
  EXPECT_EQ(keys_of(j), (std::set<std::string>{"device", "floor", "slot_size", "capacity", "header_copies", "slots",
                                               "serving", "trust"}));
  EXPECT_EQ(j["device"], "part.img");
  EXPECT_EQ(j["floor"], 3);
  EXPECT_EQ(j["slot_size"], 65536);
  EXPECT_EQ(j["capacity"], slot_capacity(ps_.header));
  EXPECT_EQ(j["serving"], "B");
  EXPECT_EQ(j["trust"], "k.pem");

  ASSERT_EQ(j["header_copies"].size(), 2u);
  const json& c1 = j["header_copies"][0];
  EXPECT_EQ(keys_of(c1), (std::set<std::string>{"copy", "offset", "valid", "in_use", "reason"}));
  EXPECT_EQ(c1["copy"], 1);
  EXPECT_EQ(c1["offset"], 0);
  EXPECT_EQ(c1["valid"], false);
  EXPECT_EQ(c1["in_use"], false);
  EXPECT_EQ(c1["reason"], "checksum mismatch");
  const json& c2 = j["header_copies"][1];
  EXPECT_EQ(keys_of(c2), (std::set<std::string>{"copy", "offset", "valid", "in_use", "reason", "sequence", "floor"}));
  EXPECT_EQ(c2["copy"], 2);
  EXPECT_EQ(c2["offset"], 4096);
  EXPECT_EQ(c2["valid"], true);
  EXPECT_EQ(c2["in_use"], true);
  EXPECT_EQ(c2["reason"], "");
  EXPECT_EQ(c2["sequence"], 9);
  EXPECT_EQ(c2["floor"], 3);
}

TEST_F(PartitionViewTest, EveryKeyOfBothSlots) {
  const json j = to_json(partition_view(ps_, TrustView{"k.pem", true}));
  ASSERT_EQ(j["slots"].size(), 2u);
  const json& a = j["slots"][0];
  EXPECT_EQ(keys_of(a), (std::set<std::string>{"slot", "offset", "state", "reason"}));
  EXPECT_EQ(a["slot"], "A");
  EXPECT_EQ(a["offset"], 8192);
  EXPECT_EQ(a["state"], "corrupt");
  EXPECT_EQ(a["reason"], "slot A (offset 8192): payload checksum mismatch");

  const json& b = j["slots"][1];
  EXPECT_EQ(keys_of(b), (std::set<std::string>{"slot", "offset", "state", "reason", "generation", "sequence",
                                               "payload_length", "payload_sha256", "signature", "policy"}));
  EXPECT_EQ(b["slot"], "B");
  EXPECT_EQ(b["offset"], 73728);
  EXPECT_EQ(b["state"], "ok");
  EXPECT_EQ(b["reason"], "");
  EXPECT_EQ(b["generation"], 4);
  EXPECT_EQ(b["sequence"], 2);
  EXPECT_EQ(b["payload_length"], blob_.size());
  EXPECT_EQ(b["payload_sha256"], to_hex(sha256(blob_)));
  // The kid is the one the blob's envelope carries, and the signature was
  // checked (a trust store was given).
  EXPECT_EQ(b["signature"], (json{{"alg", "EdDSA"}, {"cose_alg", -8}, {"kid", to_hex(keys_.signing.kid)},
                                  {"verification", "ok"}, {"verified", true}}));
  EXPECT_EQ(b["policy"], to_json(policy_view(make_document(4))));
  EXPECT_EQ(b["policy"]["name"], "storage-test");
}

TEST_F(PartitionViewTest, WithoutATrustStoreNothingIsVerified) {
  ps_.slots[1].verified = false;
  ps_.serving.reset();
  ps_.slots[1].state = SlotState::obsolete;
  const json j = to_json(partition_view(ps_, TrustView{"/etc/bootseal/trusted.d", false}));
  EXPECT_TRUE(j["trust"].is_null());
  EXPECT_TRUE(j["serving"].is_null());
  EXPECT_EQ(j["slots"][1]["state"], "obsolete");
  EXPECT_EQ(j["slots"][1]["signature"]["verification"], "not-checked");
  EXPECT_EQ(j["slots"][1]["signature"]["verified"], false);
}

TEST(EnvelopeKid, TheKidOfASealedBlobAndNothingForOtherBytes) {
  ScratchDir dir;
  const Keys keys = make_keys(dir.path(), "k");
  const auto blob = make_blob(keys, 1);
  const auto kid = envelope_kid(blob);
  ASSERT_TRUE(kid);
  EXPECT_EQ(*kid, keys.signing.kid);
  const std::vector<uint8_t> junk = {0x01, 0x02, 0x03};
  EXPECT_FALSE(envelope_kid(junk));
}

}  // namespace
}  // namespace bootseal::view

// ---------------------------------------------------------------------------
// bootseal status and audit (tools/enforcer_view.cpp): a known enforcer
// state and events, rendered.

namespace bootseal::tool {
namespace {

using nlohmann::json;
using view::keys_of;

StatusView known_status() {
  StatusView v;
  v.policy = "appliance-lockdown";
  v.generation = 3;
  v.kid = std::string(64, 'c');
  v.mode = "permissive";
  v.installed_boot_seconds = 1.5;
  v.policy_rules = 26;
  v.rule_entries = 40;
  v.subjects = 9;
  v.defaults = {{"exec", "allow"}, {"kexec", "deny"}};
  v.hooks = {"bprm_check_security", "file_open"};
  v.lockdown_in_force = "integrity";
  v.lockdown_policy = "none";
  v.denied = 4;
  v.audited = 5;
  v.self_protection_denied = 6;
  v.events = 15;
  v.events_overwritten = 2;
  v.audit_log_entries = 13;
  return v;
}

TEST(StatusJson, EveryKeyOfAKnownState) {
  const json j = to_json(known_status());
  EXPECT_EQ(keys_of(j), (std::set<std::string>{"policy", "generation", "kid", "mode", "installed_boot_seconds",
                                               "policy_rules", "rule_entries", "subjects", "defaults", "hooks",
                                               "lockdown", "phase", "counters", "tpm", "assessment"}));
  EXPECT_TRUE(j["tpm"].is_null());
  EXPECT_TRUE(j["assessment"].is_null());
  EXPECT_EQ(j["phase"], (json{{"phase", "none"},
                              {"seal_after_seconds", nullptr},
                              {"seal_by_subject", nullptr},
                              {"running_defaults", nullptr},
                              {"sealed", nullptr}}));
  EXPECT_EQ(j["policy"], "appliance-lockdown");
  EXPECT_EQ(j["generation"], 3);
  EXPECT_EQ(j["kid"], std::string(64, 'c'));
  EXPECT_EQ(j["mode"], "permissive");
  EXPECT_EQ(j["installed_boot_seconds"], 1.5);
  EXPECT_EQ(j["policy_rules"], 26);
  EXPECT_EQ(j["rule_entries"], 40);
  EXPECT_EQ(j["subjects"], 9);
  EXPECT_EQ(j["defaults"], (json{{"exec", "allow"}, {"kexec", "deny"}}));
  EXPECT_EQ(j["hooks"], (json{"bprm_check_security", "file_open"}));
  EXPECT_EQ(j["lockdown"], (json{{"in_force", "integrity"}, {"policy", "none"}}));
  EXPECT_EQ(j["counters"], (json{{"denied", 4}, {"audited", 5}, {"self_protection_denied", 6}, {"events", 15},
                                 {"events_overwritten", 2}, {"audit_log_entries", 13}}));
}

// Boot phases: before the seal, sealed by the program, sealed at the deadline.
PhaseView phase_before() {
  PhaseView p;
  p.phase = "boot";
  p.seal_after_seconds = 600;
  p.seal_by_subject = 3;
  p.running_defaults = {{"module-load", "deny"}};
  return p;
}

TEST(StatusPhase, BeforeTheSeal) {
  StatusView v = known_status();
  v.phase = phase_before();
  const json j = to_json(v);
  EXPECT_EQ(j["phase"], (json{{"phase", "boot"},
                              {"seal_after_seconds", 600},
                              {"seal_by_subject", 3},
                              {"running_defaults", {{"module-load", "deny"}}},
                              {"sealed", nullptr}}));
  std::ostringstream out;
  print_status(out, v);
  EXPECT_NE(out.str().find("phase:       boot until the seal-by program seals or the deadline, 600 s after boot\n"
                           "running defaults: module-load=deny\n"),
            std::string::npos)
      << out.str();
  v.phase.seal_by_subject = 0;
  std::ostringstream without;
  print_status(without, v);
  EXPECT_NE(without.str().find("phase:       boot until the seal-after deadline, 600 s after boot\n"),
            std::string::npos)
      << without.str();
}

TEST(StatusPhase, SealedByTheProgram) {
  StatusView v = known_status();
  v.phase = phase_before();
  v.phase.phase = "running";
  v.phase.sealed_reason = "trigger";
  v.phase.sealed_boot_seconds = 41.25;
  v.phase.sealed_pid = 412;
  v.phase.sealed_comm = "bootseal-seal";
  v.phase.sealed_subject = 3;
  const json j = to_json(v);
  EXPECT_EQ(j["phase"]["sealed"], (json{{"reason", "trigger"},
                                        {"time_boot_seconds", 41.25},
                                        {"pid", 412},
                                        {"comm", "bootseal-seal"},
                                        {"subject", 3}}));
  std::ostringstream out;
  print_status(out, v);
  EXPECT_NE(out.str().find("phase:       running, sealed 41.25 s after boot by bootseal-seal (pid 412, subject 3)\n"),
            std::string::npos)
      << out.str();
}

TEST(StatusPhase, SealedAtTheDeadline) {
  StatusView v = known_status();
  v.phase = phase_before();
  v.phase.phase = "running";
  v.phase.sealed_reason = "deadline";
  v.phase.sealed_boot_seconds = 600;
  const json j = to_json(v);
  EXPECT_EQ(j["phase"]["sealed"], (json{{"reason", "deadline"},
                                        {"time_boot_seconds", 600.0},
                                        {"pid", nullptr},
                                        {"comm", nullptr},
                                        {"subject", nullptr}}));
  std::ostringstream out;
  print_status(out, v);
  EXPECT_NE(out.str().find("phase:       running, sealed 600 s after boot at the seal-after deadline\n"),
            std::string::npos)
      << out.str();
}

TEST(StatusText, EveryLineInOrder) {
  std::ostringstream out;
  print_status(out, known_status());
  EXPECT_EQ(out.str(),
            "policy:      appliance-lockdown (generation 3)\n"
            "signed by:   " + std::string(64, 'c') + "\n"
            "mode:        permissive\n"
            "installed:   1.5 s after boot\n"
            "rules:       26 in the policy, 40 map entries, 9 subjects\n"
            "defaults:    exec=allow kexec=deny\n"
            "hooks:       2 (bprm_check_security file_open)\n"
            "lockdown:    integrity (the policy asks for none)\n"
            "phase:       none (the policy has no boot phase)\n"
            "denied:      4\n"
            "audited:     5\n"
            "self-protection refusals: 6\n"
            "audit events: 15 written, 2 overwritten (the log holds 13)\n"
            "assessment:  no boot marked good yet (bootseal-mark-good.service)\n"
            "tpm:         not used this boot\n");
}

AssessmentView known_assessment() {
  AssessmentView a;
  a.this_boot = true;
  a.boot_id = "0f9e8d7c-6b5a-4938-8271-605f4e3d2c1b";
  a.policy = "appliance-lockdown";
  a.generation = 3;
  a.kid = std::string(64, 'c');
  a.time = "2026-12-04T10:00:00Z";
  a.floor = 3;
  a.store = "/dev/vda1";
  return a;
}

TEST(StatusAssessment, ThisBootMarkedGood) {
  StatusView v = known_status();
  v.assessment = known_assessment();
  const json j = to_json(v);
  EXPECT_EQ(j["assessment"], (json{{"marked_good_this_boot", true},
                                   {"boot_id", "0f9e8d7c-6b5a-4938-8271-605f4e3d2c1b"},
                                   {"policy", "appliance-lockdown"},
                                   {"generation", 3},
                                   {"kid", std::string(64, 'c')},
                                   {"time", "2026-12-04T10:00:00Z"},
                                   {"floor", 3},
                                   {"store", "/dev/vda1"},
                                   {"problem", ""}}));
  std::ostringstream out;
  print_status(out, v);
  EXPECT_NE(out.str().find("assessment:  this boot is marked good; the last boot marked good ran appliance-lockdown "
                           "generation 3 (2026-12-04T10:00:00Z, boot 0f9e8d7c-6b5a-4938-8271-605f4e3d2c1b), floor 3 "
                           "on /dev/vda1\n"),
            std::string::npos)
      << out.str();
}

TEST(StatusAssessment, AnEarlierBootAndAnUnreadableRecord) {
  StatusView v = known_status();
  v.assessment = known_assessment();
  v.assessment->this_boot = false;
  EXPECT_EQ(to_json(v)["assessment"]["marked_good_this_boot"], false);
  std::ostringstream out;
  print_status(out, v);
  EXPECT_NE(out.str().find("assessment:  this boot is not marked good; the last boot marked good ran"),
            std::string::npos)
      << out.str();
  v.assessment = AssessmentView{};
  v.assessment->problem = "/var/lib/bootseal/assessment: not a JSON object";
  std::ostringstream bad;
  print_status(bad, v);
  EXPECT_NE(bad.str().find("assessment:  unreadable: /var/lib/bootseal/assessment: not a JSON object\n"),
            std::string::npos);
  EXPECT_EQ(to_json(v)["assessment"]["problem"], "/var/lib/bootseal/assessment: not a JSON object");
  EXPECT_EQ(to_json(v)["assessment"]["marked_good_this_boot"], false);
}

TpmView known_tpm() {
  TpmView t;
  t.pcr = 12;
  t.pcr_value = std::string(64, 'a');
  t.measured = std::string(64, 'b');
  t.measured_event = "policy";
  t.log_replays = true;
  t.records = 1;
  t.nv_index = "0x01d10250";
  t.floor = 5;
  t.locked = true;
  t.requested = 6;
  return t;
}

TEST(StatusJson, TpmKeysAndNulls) {
  StatusView v = known_status();
  v.tpm = known_tpm();
  const json j = to_json(v)["tpm"];
  EXPECT_EQ(j, (json{{"pcr", 12},
                     {"pcr_value", std::string(64, 'a')},
                     {"measured_event", "policy"},
                     {"measured_sha256", std::string(64, 'b')},
                     {"measured_permissive", false},
                     {"measured_floor_lowered", nullptr},
                     {"seal_measured", nullptr},
                     {"log_replays", true},
                     {"records", 1},
                     {"nv_index", "0x01d10250"},
                     {"floor", 5},
                     {"locked", true},
                     {"requested_floor", 6},
                     {"problem", nullptr}}));
  TpmView unread;
  unread.pcr = 12;
  unread.nv_index = "0x01d10250";
  unread.problem = "no TPM";
  v.tpm = unread;
  const json u = to_json(v)["tpm"];
  for (const char* k : {"pcr_value", "measured_event", "measured_sha256", "seal_measured", "log_replays", "floor",
                        "locked", "requested_floor"})
    EXPECT_TRUE(u[k].is_null()) << k;
  EXPECT_EQ(u["problem"], "no TPM");
}

std::vector<tpm::MeasureEvent> measure_log(const std::vector<std::string>& kinds) {
  std::vector<tpm::MeasureEvent> events;
  for (const auto& k : kinds) {
    tpm::MeasureEvent e;
    e.pcr = 12;
    e.event = k;
    e.nv_index = 0x01D10250;
    e.digest = k == "policy"          ? tpm::Sha256{0xbb}
               : k == "permissive"    ? tpm::permissive_digest()
               : k == "floor-lowered" ? tpm::floor_lowered_digest()
                                      : tpm::Sha256{};
    if (k == "sealed") e.reason = "trigger";
    if (k == "floor-lowered") e.floor = 7;
    events.push_back(e);
  }
  return events;
}

TEST(StatusTpm, MeasureLogOfOneRun) {
  TpmView t;
  EXPECT_EQ(interpret_measure_log(measure_log({"policy"}), t), 0x01D10250u);
  EXPECT_EQ(t.measured_event, "policy");
  EXPECT_FALSE(t.measured_permissive);
  EXPECT_EQ(t.records, 1u);
  EXPECT_EQ(t.problem, "");

  TpmView w;  // weakened by loader.conf, then sealed
  interpret_measure_log(measure_log({"policy", "permissive", "sealed"}), w);
  EXPECT_EQ(w.measured_event, "policy");
  EXPECT_EQ(w.measured, "bb" + std::string(62, '0'));
  EXPECT_TRUE(w.measured_permissive);
  EXPECT_EQ(w.seal_measured, "trigger");
  EXPECT_EQ(w.records, 3u);
  EXPECT_EQ(w.problem, "");

  TpmView n;  // weakened, then not in force at all
  interpret_measure_log(measure_log({"policy", "permissive", "no-policy"}), n);
  EXPECT_EQ(n.measured_event, "no-policy");
  EXPECT_FALSE(n.measured_permissive);
  EXPECT_EQ(n.problem, "");

  // Let in below loader.conf's floor 7 by the command line, weakened to
  // permissive too, then sealed.
  for (const auto& kinds : std::vector<std::vector<std::string>>{{"policy", "floor-lowered"},
                                                                  {"policy", "permissive", "floor-lowered", "sealed"}}) {
    TpmView f;
    interpret_measure_log(measure_log(kinds), f);
    EXPECT_EQ(f.measured_event, "policy");
    EXPECT_EQ(f.measured_floor_lowered, std::optional<uint64_t>(7));
    EXPECT_EQ(f.measured_permissive, kinds.size() == 4);
    EXPECT_EQ(f.records, kinds.size());
    EXPECT_EQ(f.problem, "");
  }
  TpmView p;
  interpret_measure_log(measure_log({"policy", "permissive"}), p);
  EXPECT_FALSE(p.measured_floor_lowered);
}

TEST(StatusTpm, MeasureLogNotOfOneRun) {
  for (const auto& kinds : std::vector<std::vector<std::string>>{
           {"permissive"}, {"permissive", "policy"}, {"policy", "policy"}, {"policy", "permissive", "permissive"},
           {"no-policy", "permissive"}, {"floor-lowered"}, {"policy", "floor-lowered", "permissive"},
           {"no-policy", "floor-lowered"}, {"policy", "floor-lowered", "floor-lowered"}}) {
    TpmView t;
    interpret_measure_log(measure_log(kinds), t);
    EXPECT_NE(t.problem.find("which is not what one run of the loader (and measure-seal) writes"), std::string::npos)
        << kinds.size() << " records: " << t.problem;
  }
}

TEST(StatusText, TpmLines) {
  StatusView v = known_status();
  v.tpm = known_tpm();
  std::ostringstream out;
  print_status(out, v);
  const std::string s = out.str();
  const std::string tail = s.substr(s.find("tpm pcr:"));
  EXPECT_EQ(tail, "tpm pcr:     12 = " + std::string(64, 'a') + "\n" +
                      "measured:    policy sha256 " + std::string(64, 'b') + " (1 record; the log replays to the PCR: yes)\n" +
                      "tpm floor:   5 in NV index 0x01d10250, write-locked: yes\n"
                      "requested:   floor 6 at the next boot (bootseal mark-good)\n");
  // measure-seal's record, when there is one, follows the loader's line.
  v.tpm->seal_measured = "deadline";
  v.tpm->records = 2;
  std::ostringstream sealed;
  print_status(sealed, v);
  EXPECT_NE(sealed.str().find("(2 records; the log replays to the PCR: yes)\n"
                              "seal:        measured, sealed at the seal-after deadline (bootseal measure-seal)\n"
                              "tpm floor:"),
            std::string::npos)
      << sealed.str();
  EXPECT_EQ(to_json(v)["tpm"]["seal_measured"], "deadline");
  EXPECT_EQ(to_json(v)["tpm"]["measured_permissive"], false);
  // A policy the loader's configuration weakened says so.
  v.tpm->measured_permissive = true;
  std::ostringstream weak;
  print_status(weak, v);
  EXPECT_NE(weak.str().find("measured:    policy sha256 " + std::string(64, 'b') +
                            ", put in force in permissive mode by the loader's configuration (2 records;"),
            std::string::npos)
      << weak.str();
  EXPECT_EQ(to_json(v)["tpm"]["measured_permissive"], true);
  // A policy below loader.conf's floor, let in by the command line, too.
  v.tpm->measured_floor_lowered = 9;
  std::ostringstream lowered;
  print_status(lowered, v);
  EXPECT_NE(lowered.str().find(", put in force in permissive mode by the loader's configuration, below loader.conf's "
                               "floor 9 (the kernel command line lowered it) (2 records;"),
            std::string::npos)
      << lowered.str();
  EXPECT_EQ(to_json(v)["tpm"]["measured_floor_lowered"], 9);
  v.tpm->measured_floor_lowered.reset();
  v.tpm->measured_permissive = false;
  // A record the PCR does not hold is not called measured.
  v.tpm->log_replays = false;
  std::ostringstream forged;
  print_status(forged, v);
  EXPECT_NE(forged.str().find("seal:        logged, but the log does not replay to the PCR, sealed at the seal-after "
                              "deadline (bootseal measure-seal)\n"),
            std::string::npos)
      << forged.str();
}

EventView file_event() {
  EventView v;
  v.seq = 7;
  v.time_boot_seconds = 12.25;
  v.pid = 100;
  v.tid = 101;
  v.comm = "sh";
  v.subject = 2;
  v.operation = "exec";
  v.object = "dev 0:33 ino 12";
  v.policy_action = "deny";
  v.denied = true;
  v.rule = 4;
  v.dev = "0:33";
  v.ino = 12;
  return v;
}

TEST(EventJson, AFileEventWithItsRuleNumberFromOne) {
  const json j = to_json(file_event());
  EXPECT_EQ(keys_of(j), (std::set<std::string>{"seq", "time_boot_seconds", "pid", "tid", "comm", "subject",
                                               "operation", "object", "policy_action", "decision", "rule", "dev",
                                               "ino"}));
  EXPECT_EQ(j["seq"], 7);
  EXPECT_EQ(j["time_boot_seconds"], 12.25);
  EXPECT_EQ(j["pid"], 100);
  EXPECT_EQ(j["tid"], 101);
  EXPECT_EQ(j["comm"], "sh");
  EXPECT_EQ(j["subject"], 2);
  EXPECT_EQ(j["operation"], "exec");
  EXPECT_EQ(j["object"], "dev 0:33 ino 12");
  EXPECT_EQ(j["policy_action"], "deny");
  EXPECT_EQ(j["decision"], "denied");
  EXPECT_EQ(j["rule"], 5);
  EXPECT_EQ(j["dev"], "0:33");
  EXPECT_EQ(j["ino"], 12);
  // One line: `bootseal audit --json` prints one object per line.
  EXPECT_EQ(j.dump().find('\n'), std::string::npos);
}

TEST(EventJson, ADefaultDecisionHasANullRuleAndNoFile) {
  EventView v = file_event();
  v.rule = -1;
  v.dev.reset();
  v.denied = false;
  v.operation = "capability";
  v.object = "CAP_SYS_MODULE";
  const json j = to_json(v);
  EXPECT_TRUE(j["rule"].is_null());
  EXPECT_EQ(j["decision"], "allowed");
  EXPECT_FALSE(j.contains("dev"));
  EXPECT_FALSE(j.contains("ino"));
}

TEST(EventText, RuleNumberDefaultAndSelfProtectionReasons) {
  std::ostringstream out;
  print_event(out, file_event());
  EXPECT_EQ(out.str(), "[   12.250000] denied exec dev 0:33 ino 12 by pid 100 (sh, subject 2): deny rule 5\n");
  EventView v = file_event();
  for (const auto& [rule, tail] : std::vector<std::pair<int32_t, std::string>>{
           {-1, " default"},
           {-2, " (too deep)"},
           {-3, " (mapped code the policy does not trust)"},
           {-4, " (executed while traced)"},
           {-6, " (raw device)"},
           {-7, " (device-mapper control)"},
           {-8, " (executed sharing its root and working directory)"},
           {-9, " (executed under a seccomp listener)"},
           {-10, " (executed a program any process may write)"},
           {-12, " (reached without its parents)"},
           {-13, " (a directory above a protected name)"},
           {-14, " (a file with other names or writers placed at a protected name)"},
           {-19, " (a new UUID or label for a filesystem the fstab places)"},
           {-20, " (a device taken into md or btrfs past its node)"},
           {-21, " (a mount on a filesystem's place of what is not placed there)"}}) {
    v.rule = rule;
    std::ostringstream line;
    print_event(line, v);
    EXPECT_EQ(line.str(), "[   12.250000] denied exec dev 0:33 ino 12 by pid 100 (sh, subject 2): deny" + tail + "\n")
        << "rule " << rule;
  }
}

// A refused program load names what was loaded: systemd's probe of BPF
// LSM support and its RestrictFileSystems= program are both LSM loads; a
// kprobe is no LSM at all.
TEST(EventText, ARefusedProgramLoadNamesItsTypeAndAttachType) {
  EXPECT_EQ(prog_load_text(BS_PROG_LOAD_DETAIL_OF(BPF_PROG_TYPE_LSM, BPF_LSM_MAC)),
            "program type lsm, attach lsm_mac");
  EXPECT_EQ(prog_load_text(BS_PROG_LOAD_DETAIL_OF(BPF_PROG_TYPE_LSM, BPF_LSM_CGROUP)),
            "program type lsm, attach lsm_cgroup");
  EXPECT_EQ(prog_load_text(BS_PROG_LOAD_DETAIL_OF(BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY)),
            "program type tracing, attach fentry");
  EXPECT_EQ(prog_load_text(BS_PROG_LOAD_DETAIL_OF(BPF_PROG_TYPE_KPROBE, 0)), "program type kprobe");
  EXPECT_EQ(prog_load_text(BS_PROG_LOAD_DETAIL_OF(BPF_PROG_TYPE_KPROBE, BPF_TRACE_KPROBE_MULTI)),
            "program type kprobe, attach kprobe_multi");
  // Values this build does not know stay numbers.
  EXPECT_EQ(prog_load_text(BS_PROG_LOAD_DETAIL_OF(200, 300)), "program type 200, attach 300");
  // Events from an enforcer that did not record it, and every other event.
  EXPECT_EQ(prog_load_text(0), "");
  EXPECT_EQ(prog_load_text(BPF_PROG_TYPE_LSM), "");
}

}  // namespace
}  // namespace bootseal::tool

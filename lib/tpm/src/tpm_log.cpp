// SPDX-License-Identifier: GPL-2.0-only
#include "bootseal/tpm_log.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <filesystem>
#include <stdexcept>
#include <nlohmann/json.hpp>

#include "bootseal/fileio.hpp"
#include "bootseal/seal.hpp"

namespace bootseal::tpm {
namespace {

using json = nlohmann::json;

constexpr char kRecordSeparator = '\x1e';
constexpr std::string_view kContentType = "bootseal";

std::optional<Sha256> digest_from_hex(const std::string& s) {
  if (s.size() != 64) return std::nullopt;
  Sha256 d{};
  for (size_t i = 0; i < d.size(); ++i) {
    unsigned v = 0;
    auto [p, ec] = std::from_chars(s.data() + 2 * i, s.data() + 2 * i + 2, v, 16);
    if (ec != std::errc() || p != s.data() + 2 * i + 2) return std::nullopt;
    d[i] = static_cast<uint8_t>(v);
  }
  return d;
}

// One record's JSON, or why it is not a record of ours (nullopt result:
// another tool's record, skipped).
Result<std::optional<MeasureEvent>> event_from(const json& j) {
  if (!j.is_object()) return make_error("not a JSON object");
  auto ct = j.find("content_type");
  if (ct == j.end() || !ct->is_string()) return make_error("no content_type");
  if (ct->get<std::string>() != kContentType) return std::optional<MeasureEvent>();
  MeasureEvent e;
  auto pcr = j.find("pcr");
  if (pcr == j.end() || !pcr->is_number_unsigned() || pcr->get<uint64_t>() > 23) return make_error("bad pcr");
  e.pcr = pcr->get<unsigned>();
  auto digests = j.find("digests");
  if (digests == j.end() || !digests->is_array()) return make_error("no digests");
  bool have = false;
  for (const auto& d : *digests) {
    if (!d.is_object() || !d.contains("hashAlg") || !d.contains("digest") || !d["hashAlg"].is_string() ||
        !d["digest"].is_string())
      return make_error("bad digest entry");
    if (d["hashAlg"].get<std::string>() != "sha256") continue;
    auto v = digest_from_hex(d["digest"].get<std::string>());
    if (!v) return make_error("sha256 digest is not 64 hex digits");
    e.digest = *v;
    have = true;
  }
  if (!have) return make_error("no sha256 digest");
  auto c = j.find("content");
  if (c == j.end() || !c->is_object()) return make_error("no content");
  auto str = [&](const char* key, std::string* out) -> bool {
    auto it = c->find(key);
    if (it == c->end()) return true;
    if (!it->is_string()) return false;
    *out = it->get<std::string>();
    return true;
  };
  if (!str("event", &e.event) || !str("policy", &e.policy) || !str("kid", &e.kid) || !str("source", &e.source) ||
      !str("reason", &e.reason))
    return make_error("a content field is not a string");
  if (e.event != "policy" && e.event != "permissive" && e.event != "floor-lowered" && e.event != "no-policy" &&
      e.event != "sealed")
    return make_error("unknown event '" + e.event + "'");
  if (e.event == "permissive" && e.digest != permissive_digest())
    return make_error("permissive: the digest is not that of the text 'bootseal: permissive'");
  if (e.event == "floor-lowered" && e.digest != floor_lowered_digest())
    return make_error("floor-lowered: the digest is not that of the text 'bootseal: floor lowered'");
  if (auto f = c->find("floor"); f != c->end()) {
    if (e.event != "floor-lowered") return make_error("a floor on a '" + e.event + "' record");
    if (!f->is_number_unsigned()) return make_error("floor is not an unsigned number");
    e.floor = f->get<uint64_t>();
  }
  if (e.event == "sealed") {
    if (e.reason != "trigger" && e.reason != "deadline") return make_error("sealed: unknown reason '" + e.reason + "'");
    if (e.digest != sealed_digest(e.reason)) return make_error("sealed: the digest is not that of reason '" + e.reason + "'");
  } else if (!e.reason.empty()) {
    return make_error("a reason on a '" + e.event + "' record");
  }
  if (auto g = c->find("generation"); g != c->end()) {
    if (!g->is_number_unsigned()) return make_error("generation is not an unsigned number");
    e.generation = g->get<uint64_t>();
  }
  if (auto n = c->find("nv_index"); n != c->end()) {
    if (!n->is_number_unsigned() || n->get<uint64_t>() > 0xffffffffu) return make_error("bad nv_index");
    e.nv_index = n->get<uint32_t>();
  }
  return std::optional<MeasureEvent>(std::move(e));
}

Sha256 text_digest(std::string_view text) {
  return sha256(std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

}  // namespace

Sha256 no_policy_digest() { return text_digest("bootseal: no policy"); }

Sha256 permissive_digest() { return text_digest("bootseal: permissive"); }

Sha256 floor_lowered_digest() { return text_digest("bootseal: floor lowered"); }

Sha256 sealed_digest(std::string_view reason) {
  if (reason == "trigger") return text_digest("bootseal: sealed by trigger");
  if (reason == "deadline") return text_digest("bootseal: sealed at deadline");
  throw std::invalid_argument("sealed_digest: unknown reason");
}

std::string format_event(const MeasureEvent& e) {
  json content = {{"event", e.event}};
  if (e.event == "policy") {
    content["policy"] = e.policy;
    content["generation"] = e.generation;
    content["kid"] = e.kid;
    content["source"] = e.source;
  } else if (e.event == "permissive") {
    content["policy"] = e.policy;
    content["generation"] = e.generation;
    content["kid"] = e.kid;
  } else if (e.event == "floor-lowered") {
    content["policy"] = e.policy;
    content["generation"] = e.generation;
    content["kid"] = e.kid;
    content["floor"] = e.floor;
  } else if (e.event == "sealed") {
    content["policy"] = e.policy;
    content["generation"] = e.generation;
    content["kid"] = e.kid;
    content["reason"] = e.reason;
  }
  if (e.nv_index != 0) content["nv_index"] = e.nv_index;
  json j = {{"pcr", e.pcr},
            {"digests", json::array({{{"hashAlg", "sha256"}, {"digest", to_hex(e.digest)}}})},
            {"content_type", kContentType},
            {"content", content}};
  // Strings from the policy (its name) and the source may hold any UTF-8;
  // invalid bytes are replaced rather than thrown on.
  return std::string(1, kRecordSeparator) + j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

Result<std::vector<MeasureEvent>> parse_measure_log(std::string_view text, const std::string& origin) {
  if (text.size() > kMaxMeasureLog)
    return make_error(origin + ": larger than " + std::to_string(kMaxMeasureLog) + " bytes");
  std::vector<MeasureEvent> events;
  size_t pos = 0, number = 0;
  while (pos < text.size()) {
    if (text[pos] != kRecordSeparator)
      return make_error(origin + ": offset " + std::to_string(pos) + ": expected a record separator (0x1e)");
    size_t end = text.find(kRecordSeparator, pos + 1);
    if (end == std::string_view::npos) end = text.size();
    ++number;
    const std::string_view body = text.substr(pos + 1, end - pos - 1);
    const std::string where = origin + ": record " + std::to_string(number) + " at offset " + std::to_string(pos);
    // RFC 7464: a record that does not end in LF was truncated (a writer
    // cut off). The log is the evidence of what was measured: a damaged
    // one is reported, not read around.
    if (body.empty() || body.back() != '\n') return make_error(where + ": truncated (no final newline)");
    json j = json::parse(body, nullptr, false);
    if (j.is_discarded()) return make_error(where + ": not valid JSON");
    auto e = event_from(j);
    if (!e) return make_error(where + ": " + e.error());
    if (*e) events.push_back(std::move(**e));
    pos = end;
  }
  return events;
}

Result<void> append_measure_log(const std::string& path, const MeasureEvent& e) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  if (ec) return make_error(path + ": cannot create its directory: " + ec.message());
  auto fd = open_file(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (!fd) return make_error(fd.error());
  // systemd's writers take the same lock on their log; ours is a file of
  // its own, but another bootseal writer (a later phase) may run at once.
  if (::flock(fd->get(), LOCK_EX) != 0) return make_error(path + ": flock: " + errno_text(errno));
  return append_measure_record(fd->get(), path, e);
}

Result<void> append_measure_record(int fd, const std::string& path, const MeasureEvent& e) {
  const std::string rec = format_event(e);
  if (auto w = write_all(fd, std::span(reinterpret_cast<const uint8_t*>(rec.data()), rec.size()), path); !w) return w;
  if (::fsync(fd) != 0) return make_error(path + ": fsync: " + errno_text(errno));
  return {};
}

Result<uint64_t> parse_floor_request(std::string_view text, const std::string& origin) {
  if (text.size() > kMaxFloorRequest)
    return make_error(origin + ": larger than " + std::to_string(kMaxFloorRequest) + " bytes");
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  if (text.empty() || text.size() > 20) return make_error(origin + ": not a generation number");
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v, 10);
  if (ec != std::errc() || p != text.data() + text.size())
    return make_error(origin + ": '" + std::string(text.substr(0, 20)) + "' is not a generation number");
  return v;
}

std::string format_floor_request(uint64_t generation) { return std::to_string(generation) + "\n"; }

Result<std::optional<std::string>> read_state_file(const std::string& root, const std::string& abs, size_t max) {
  const std::string rel = abs.substr(1);
  const std::string path = (root == "/" ? std::string() : root) + abs;
  UniqueFd dir(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dir) return make_error(path + ": cannot open " + root + ": " + errno_text(errno));
  struct open_how how {};
  how.flags = O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
  UniqueFd fd(static_cast<int>(::syscall(SYS_openat2, dir.get(), rel.c_str(), &how, sizeof how)));
  if (!fd) {
    if (errno == ENOENT) return std::optional<std::string>();
    return make_error(path + ": " + errno_text(errno) + " (it must be a regular file, reached without links)");
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return make_error(path + ": " + errno_text(errno));
  if (!S_ISREG(st.st_mode)) return make_error(path + ": not a regular file");
  if (st.st_size > static_cast<off_t>(max))
    return make_error(path + ": " + std::to_string(st.st_size) + " bytes, at most " + std::to_string(max) +
                      " expected");
  std::vector<uint8_t> buf(max + 1);
  auto n = read_all(fd.get(), buf, path);
  if (!n) return make_error(n.error());
  if (*n > max) return make_error(path + ": more than " + std::to_string(max) + " bytes");
  return std::optional<std::string>(std::string(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*n)));
}

Result<std::optional<std::string>> read_floor_request(const std::string& root) {
  return read_state_file(root, kFloorRequestPath, kMaxFloorRequest);
}

std::string format_assessment(const Assessment& a) {
  json j = {{"boot_id", a.boot_id}, {"policy", a.policy}, {"generation", a.generation}, {"kid", a.kid},
            {"time", a.time},       {"floor", a.floor},   {"store", a.store}};
  return j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

namespace {

bool is_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !is_hex(s.substr(i, 1))) return false;
  }
  return true;
}

}  // namespace

Result<Assessment> parse_assessment(std::string_view text, const std::string& origin) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return make_error(origin + ": not a JSON object");
  auto field = [&](const char* key) -> const json* {
    auto it = j.find(key);
    return it == j.end() ? nullptr : &*it;
  };
  Assessment a;
  const json* v = field("boot_id");
  if (!v || !v->is_string() || !is_uuid(v->get<std::string>())) return make_error(origin + ": bad or missing boot_id");
  a.boot_id = v->get<std::string>();
  v = field("policy");
  if (!v || !v->is_string() || v->get<std::string>().size() > 255) return make_error(origin + ": bad or missing policy");
  a.policy = v->get<std::string>();
  v = field("generation");
  if (!v || !v->is_number_unsigned()) return make_error(origin + ": bad or missing generation");
  a.generation = v->get<uint64_t>();
  v = field("kid");
  if (!v || !v->is_string() || v->get<std::string>().size() != 64 || !is_hex(v->get<std::string>()))
    return make_error(origin + ": bad or missing kid");
  a.kid = v->get<std::string>();
  v = field("time");
  if (!v || !v->is_number_integer()) return make_error(origin + ": bad or missing time");
  a.time = v->get<int64_t>();
  v = field("floor");
  if (!v || !v->is_number_unsigned()) return make_error(origin + ": bad or missing floor");
  a.floor = v->get<uint64_t>();
  v = field("store");
  if (!v || !v->is_string() || v->get<std::string>().size() > 4096) return make_error(origin + ": bad or missing store");
  a.store = v->get<std::string>();
  return a;
}

}  // namespace bootseal::tpm

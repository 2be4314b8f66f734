// SPDX-License-Identifier: GPL-2.0-only
// What the loader writes about its TPM work, and the request `bootseal
// mark-good` leaves for the next boot (docs/LOADER.md, "TPM"):
//
//  - the measurement log, /run/log/bootseal/tpm-measure.log: one record
//    per PCR extension, in the JSON-SEQ form (RFC 7464) of systemd's
//    /run/log/systemd/tpm2-measure.log: RS, a JSON object, LF;
//  - the floor request, /var/lib/bootseal/tpm-floor-request: a generation
//    in decimal, which the next boot's loader raises the TPM floor to, no
//    higher than the generation it verified and serves.
//
// Both are read back from files root can write, so both parsers take
// untrusted bytes: they have rejection tests and a fuzz target
// (tests/fuzz/fuzz_tpm_log.cpp). Nothing here talks to a TPM.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bootseal/result.hpp"

namespace bootseal::tpm {

inline constexpr const char* kMeasureLogPath = "/run/log/bootseal/tpm-measure.log";
inline constexpr const char* kFloorRequestPath = "/var/lib/bootseal/tpm-floor-request";
// The loader's default PCR (docs/LOADER.md says why 12).
inline constexpr unsigned kDefaultPcr = 12;
inline constexpr size_t kMaxMeasureLog = 1024 * 1024;
inline constexpr size_t kMaxFloorRequest = 64;

using Sha256 = std::array<uint8_t, 32>;

// What was extended, and why. The loader writes "policy" (the digest is the
// sealed blob's SHA-256, as read) or "no-policy" (no policy was installed
// this boot; the digest is no_policy_digest()), so that a PCR never shows
// a boot without a policy as one with the PCR's initial value. Right after
// "policy" it writes "permissive" (the digest is permissive_digest()) when
// the loader's configuration or command line puts a policy that says
// `mode enforce` in force in permissive mode, so that a PCR never shows a
// weakened boot as the policy's own. After those it writes
// "floor-lowered" (the digest is floor_lowered_digest()) when the policy's
// generation is below loader.conf's floor and only the command line's
// lower `bootseal.floor=` let it in, so that a PCR never shows a rollback
// the configuration forbids as a plain policy record. `bootseal measure-seal` writes
// "sealed" once the policy's boot phase is over (the digest is
// sealed_digest(reason); docs/LOADER.md, "TPM").
struct MeasureEvent {
  unsigned pcr = kDefaultPcr;
  Sha256 digest{};
  std::string event;      // "policy" | "permissive" | "floor-lowered" | "no-policy" | "sealed"
  std::string policy;     // the policy's name ("" for no-policy)
  uint64_t generation = 0;
  std::string kid;        // hex key id ("" for no-policy)
  std::string source;     // where the loader read the blob ("policy" only)
  uint32_t nv_index = 0;  // the floor index used this boot (0: none)
  std::string reason;     // "sealed" only: "trigger" | "deadline"
  uint64_t floor = 0;     // "floor-lowered" only: loader.conf's floor, which the command line lowered
  friend bool operator==(const MeasureEvent&, const MeasureEvent&) = default;
};

// SHA-256 of "bootseal: no policy".
Sha256 no_policy_digest();
// SHA-256 of "bootseal: permissive": an enforce policy put in force in
// permissive mode by the loader's configuration.
Sha256 permissive_digest();
// SHA-256 of "bootseal: floor lowered": a policy below loader.conf's
// rollback floor, let in by the kernel command line's lower floor.
Sha256 floor_lowered_digest();
// SHA-256 of "bootseal: sealed by trigger" or "bootseal: sealed at
// deadline": the end of the boot phase, by the seal-by program or at the
// seal-after deadline. Any other reason is a programming error (throws
// std::invalid_argument).
Sha256 sealed_digest(std::string_view reason);

// One record: "\x1e{...}\n".
std::string format_event(const MeasureEvent& e);

// Every record of a log. A record that is not one of ours (another
// content_type) is skipped; a malformed one is an error naming the
// record's number and byte offset in `origin`, and so is a "sealed" record
// whose digest is not its reason's.
Result<std::vector<MeasureEvent>> parse_measure_log(std::string_view text, const std::string& origin);

// Appends one record, creating the directory; the record is written with
// one write() on an O_APPEND descriptor and fsync'ed.
Result<void> append_measure_log(const std::string& path, const MeasureEvent& e);
// One record, with one write() on FD (O_APPEND, the caller holding the
// log's flock: a second flock on another descriptor would wait for it),
// fsync'ed. PATH names the file in errors.
Result<void> append_measure_record(int fd, const std::string& path, const MeasureEvent& e);

// A floor request: a generation in decimal, optional final newline.
Result<uint64_t> parse_floor_request(std::string_view text, const std::string& origin);
std::string format_floor_request(uint64_t generation);
// The floor request under ROOT ("/" on the running system, NEWROOT in the
// loader): read only as a regular file of at most kMaxFloorRequest bytes,
// reached without following any symbolic link (an absolute one would
// resolve outside ROOT) and opened without blocking, so that a FIFO or a
// link root put there can hold neither the boot before the lock nor
// `bootseal status`. Nothing when it does not exist.
Result<std::optional<std::string>> read_floor_request(const std::string& root);

// A state file under ROOT (PATH absolute), read the same way: a regular
// file of at most MAX bytes, no link followed, opened without blocking.
Result<std::optional<std::string>> read_state_file(const std::string& root, const std::string& path, size_t max);

// The boot assessment: `bootseal mark-good --booted` records the boot it
// marked good, for `bootseal status` and a fleet's monitoring
// (docs/FLEET.md). One JSON object; root can write it, so it says what a
// root process wrote, nothing more.
inline constexpr const char* kAssessmentPath = "/var/lib/bootseal/assessment";
inline constexpr size_t kMaxAssessment = 4096;
struct Assessment {
  std::string boot_id;  // /proc/sys/kernel/random/boot_id of the boot marked good
  std::string policy;   // the policy in force then
  uint64_t generation = 0;
  std::string kid;      // hex
  int64_t time = 0;     // seconds since the epoch
  uint64_t floor = 0;   // the store's floor after marking (0: the store keeps none)
  std::string store;    // the store marked ("/dev/vda1", "the trailer of /boot/vmlinuz-...")
  friend bool operator==(const Assessment&, const Assessment&) = default;
};
std::string format_assessment(const Assessment& a);
// Every field must be there with its type; boot_id a UUID, kid 64 hex
// digits, policy at most 255 bytes. Errors name `origin`.
Result<Assessment> parse_assessment(std::string_view text, const std::string& origin);

}  // namespace bootseal::tpm

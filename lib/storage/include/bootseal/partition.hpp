// SPDX-License-Identifier: GPL-2.0-only
// The policy partition: two copies of a partition header, then two slots
// (A and B), each a slot header followed by a sealed blob. The byte layout,
// the install protocol and the rollback floor are described in
// docs/FORMAT.md, "The policy partition". All multi-byte integers on
// disk are little-endian. On-disk structs (Disk*) are byte arrays; they are
// decoded into the in-memory structs in one place (partition.cpp).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bootseal/fileio.hpp"
#include "bootseal/policy.hpp"
#include "bootseal/result.hpp"
#include "bootseal/seal.hpp"

namespace bootseal {

// ---------------------------------------------------------------------------
// Layout constants (FORMAT.md, "The policy partition").

inline constexpr uint64_t kPartitionBlock = 4096;  // every area starts on a 4 KiB boundary
inline constexpr uint64_t kHeaderCopyOffset[2] = {0, 4096};
inline constexpr uint64_t kFirstSlotOffset = 8192;
inline constexpr uint64_t kSlotPayloadOffset = 4096;  // payload starts this far into its slot
inline constexpr uint64_t kMinSlotSize = 64 * 1024;
inline constexpr uint64_t kMaxSlotSize = kSlotPayloadOffset + kMaxBlobSize;
inline constexpr uint64_t kMinPartitionSize = kFirstSlotOffset + 2 * kMinSlotSize;  // 136 KiB

inline constexpr std::array<uint8_t, 8> kPartitionMagic = {'B', 'O', 'O', 'T', 'S', 'E', 'A', 'L'};
inline constexpr std::array<uint8_t, 8> kSlotMagic = {'B', 'S', 'E', 'A', 'L', 'S', 'L', 'T'};
inline constexpr uint32_t kPartitionVersion = 1;
inline constexpr uint32_t kSlotVersion = 1;

// Partition header, 128 bytes, at offsets 0 and 4096 (two copies).
struct DiskPartitionHeader {
  uint8_t magic[8];          //   0: "BOOTSEAL"
  uint8_t version[4];        //   8: le32, 1
  uint8_t header_size[4];    //  12: le32, 128
  uint8_t sequence[8];       //  16: le64, bumped on every rewrite; the higher valid copy wins
  uint8_t floor[8];          //  24: le64, rollback floor: lowest generation served
  uint8_t slot_offset[2][8];  // 32: le64 x2, offsets of slot A and slot B
  uint8_t slot_size[8];      //  48: le64, size of each slot (header area + payload area)
  uint8_t partition_size[8];  // 56: le64, bytes the layout covers (<= device size)
  uint8_t reserved[32];      //  64: zero
  uint8_t checksum[32];      //  96: SHA-256 of bytes 0..95
};
static_assert(sizeof(DiskPartitionHeader) == 128);
inline constexpr size_t kHeaderChecksumOffset = 96;

// Slot header, 128 bytes, at the start of each slot.
struct DiskSlotHeader {
  uint8_t magic[8];           //   0: "BSEALSLT"
  uint8_t version[4];         //   8: le32, 1
  uint8_t header_size[4];     //  12: le32, 128
  uint8_t sequence[8];        //  16: le64, install counter: breaks ties between equal generations
  uint8_t generation[8];      //  24: le64, the generation of the policy in the payload
  uint8_t payload_length[8];  //  32: le64, bytes of sealed blob at slot offset + 4096
  uint8_t payload_sha256[32];  // 40: SHA-256 of the payload
  uint8_t reserved[24];       //  72: zero
  uint8_t checksum[32];       //  96: SHA-256 of bytes 0..95
};
static_assert(sizeof(DiskSlotHeader) == 128);

// ---------------------------------------------------------------------------
// In-memory forms.

struct PartitionHeader {
  uint32_t version = kPartitionVersion;
  uint64_t sequence = 0;
  uint64_t floor = 0;
  std::array<uint64_t, 2> slot_offset{};
  uint64_t slot_size = 0;
  uint64_t partition_size = 0;

  friend bool operator==(const PartitionHeader&, const PartitionHeader&) = default;
};

struct SlotHeader {
  uint32_t version = kSlotVersion;
  uint64_t sequence = 0;
  uint64_t generation = 0;
  uint64_t payload_length = 0;
  std::array<uint8_t, 32> payload_sha256{};

  friend bool operator==(const SlotHeader&, const SlotHeader&) = default;
};

// Encoding and strict decoding of the two headers (fixed order: length,
// magic, version, size field, checksum, then the fields). Errors name the
// offset within the header. device_size bounds the geometry check.
std::array<uint8_t, 128> encode_partition_header(const PartitionHeader& h);
Result<PartitionHeader> decode_partition_header(std::span<const uint8_t> bytes, uint64_t device_size);
std::array<uint8_t, 128> encode_slot_header(const SlotHeader& h);
Result<SlotHeader> decode_slot_header(std::span<const uint8_t> bytes, uint64_t slot_size);

// The geometry format() lays out on a device of `size` bytes; an error when
// it is smaller than kMinPartitionSize.
Result<PartitionHeader> layout_for_size(uint64_t size);

// Largest blob a slot of this partition holds.
uint64_t slot_capacity(const PartitionHeader& h);

// ---------------------------------------------------------------------------
// I/O: everything the partition code reads and writes goes through this, so
// tests can cut writes short (the power-cut test) or fail reads.

class BlockDevice {
 public:
  virtual ~BlockDevice() = default;
  // The name used in messages ("/dev/vda3", "disk.img (partition 2)").
  virtual const std::string& name() const = 0;
  virtual uint64_t size() const = 0;
  // Reads or writes exactly data.size() bytes or fails; errors name the offset.
  virtual Result<void> read(uint64_t offset, std::span<uint8_t> out) = 0;
  virtual Result<void> write(uint64_t offset, std::span<const uint8_t> data) = 0;
  // Makes every write so far durable (fsync), then drops cached pages so
  // later reads come from the medium where the system allows it.
  virtual Result<void> sync() = 0;
};

// A block device or a regular file (an image), optionally a window
// [offset, offset + length) of it (a partition inside a disk image).
// Writable opens take an exclusive flock; block devices are opened O_EXCL so
// a mounted device is refused.
class FileDevice final : public BlockDevice {
 public:
  // `display_name` replaces the path in messages ("disk.img partition 3").
  static Result<std::unique_ptr<FileDevice>> open(const std::string& path, bool writable,
                                                  uint64_t offset = 0,
                                                  std::optional<uint64_t> length = std::nullopt,
                                                  std::string display_name = {});
  ~FileDevice() override;
  FileDevice(const FileDevice&) = delete;
  FileDevice& operator=(const FileDevice&) = delete;

  const std::string& name() const override { return name_; }
  uint64_t size() const override { return length_; }
  Result<void> read(uint64_t offset, std::span<uint8_t> out) override;
  Result<void> write(uint64_t offset, std::span<const uint8_t> data) override;
  Result<void> sync() override;

 private:
  FileDevice(UniqueFd fd, std::string path, std::string name, uint64_t base, uint64_t length)
      : fd_(std::move(fd)), path_(std::move(path)), name_(std::move(name)), base_(base), length_(length) {}
  UniqueFd fd_;
  std::string path_;  // in I/O errors, with the offset in the file
  std::string name_;
  uint64_t base_;
  uint64_t length_;
};

// ---------------------------------------------------------------------------
// Reading: every header copy and slot is classified; nothing is repaired.

enum class SlotState {
  ok,        // valid, at or above the floor, and the newest: this slot serves
  obsolete,  // valid, but older than the serving slot or below the floor
  corrupt,   // a check failed (reason says which, with the offset)
  empty,     // never written: the slot header is all zero bytes
  io_error,  // the device could not be read
};
std::string_view to_string(SlotState s);

inline constexpr std::string_view kSlotNames[2] = {"A", "B"};

struct SlotInfo {
  int index = 0;        // 0 = A, 1 = B
  uint64_t offset = 0;  // of the slot within the device
  SlotState state = SlotState::empty;
  std::string reason;   // for corrupt, obsolete and io_error
  std::optional<SlotHeader> header;  // when the slot header decoded
  // Set when the payload is a well-formed sealed blob (ok and obsolete):
  std::vector<uint8_t> blob;
  std::optional<Document> document;
  Kid kid{};
  int alg = 0;
  bool verified = false;  // the signature was checked against a trust store
};

struct HeaderCopyInfo {
  uint64_t offset = 0;
  bool valid = false;
  std::string reason;  // why it is not valid, or "" when valid
  std::optional<PartitionHeader> header;
};

struct PartitionState {
  std::string device;
  PartitionHeader header;  // from the newest valid copy
  int header_copy = 0;     // which copy that is
  std::array<HeaderCopyInfo, 2> header_copies;
  std::array<SlotInfo, 2> slots;
  std::optional<int> serving;  // the slot in state ok, if any

  const SlotInfo* serving_slot() const { return serving ? &slots[*serving] : nullptr; }
};

// Parses a sealed blob's envelope and document without checking the
// signature, for inspection without a trust store: size, strict envelope,
// strict document decode, validate(). `doc` and `env` are written only on ok.
VerifyStatus parse_sealed_unverified(std::span<const uint8_t> blob, Document* doc, Envelope* env);

// Reads and classifies the partition. With a trust store, a slot is valid
// only when its blob verifies (verify_sealed); without one, only when the
// blob is a well-formed envelope around a well-formed document (for
// inspection). Fails only when neither header copy is valid.
Result<PartitionState> read_partition(BlockDevice& dev, const TrustStore* trust);

// ---------------------------------------------------------------------------
// Writing.

// Lays out an empty partition (both header copies, both slots empty) over
// the whole device. Checking that the device holds nothing of value is the
// caller's job (bootseal format probes it with libblkid).
Result<PartitionHeader> format_partition(BlockDevice& dev);

// The storage write kind: why an install or mark-good was refused (nothing
// was written), or failed. Messages name the device, and the slot, header
// copy or offset concerned.
enum class WriteFailure {
  refused,      // checked before writing: the device is unchanged
  unreadable,   // the partition could not be read (no valid header copy)
  io_error,     // a write, sync or read-back failed part way
  readback,     // read-back after sync did not match what was written
};
std::string_view to_string(WriteFailure kind);

struct InstallOutcome {
  int slot = 0;  // the slot written
  uint64_t generation = 0;
  uint64_t sequence = 0;
  std::optional<int> previous_serving;  // the slot that served before, if any
};

// Installs a sealed blob: verifies it against `trust`, refuses a blob whose
// generation is below the floor or below the serving slot's, then writes the
// slot that is not serving (payload, sync, header, sync), reads it back and
// checks it serves. The other slot and the partition headers are not written.
// On `refused` the device is byte-for-byte unchanged.
// With InstallMode::check_only every check runs and nothing is written: the
// outcome names the slot a write would take.
enum class InstallMode { write, check_only };
using InstallResult = Result<InstallOutcome, WriteFailure>;
InstallResult install_blob(BlockDevice& dev, std::span<const uint8_t> blob, const TrustStore& trust,
                           InstallMode mode = InstallMode::write);

// Raises the rollback floor to the serving slot's generation (or to
// `generation`, which a valid slot at or above the floor must hold, and
// which may not be above the serving one): rewrites the
// header copy that is not the newest (sequence + 1), sync, then the other
// copy, sync, read back.
// Refused (unchanged) when no slot serves; a no-op when the floor is already
// there.
struct MarkGoodOutcome {
  uint64_t old_floor = 0;
  uint64_t new_floor = 0;
  int header_copy = 0;  // the copy written first; -1 when nothing changed
};
using MarkGoodResult = Result<MarkGoodOutcome, WriteFailure>;
MarkGoodResult mark_good(BlockDevice& dev, const TrustStore& trust,
                         std::optional<uint64_t> generation = std::nullopt);

}  // namespace bootseal

// SPDX-License-Identifier: GPL-2.0-only
// The policy partition: header and slot codecs, classification, the install
// protocol and the rollback floor (FORMAT.md, "The policy partition").
#include "bootseal/partition.hpp"

#include <fcntl.h>
#include <linux/fs.h>
#include <openssl/crypto.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "bootseal/fileio.hpp"
#include "le.hpp"

namespace bootseal {
namespace {

using detail::checked_add;
using detail::load_le32;
using detail::load_le64;
using detail::store_le32;
using detail::store_le64;

constexpr size_t kHeaderSize = 128;

std::string errno_text(int err) { return std::strerror(err); }

std::string slot_label(int index) { return "slot " + std::string(kSlotNames[index]); }

std::array<uint8_t, 32> header_checksum(std::span<const uint8_t> header) {
  return sha256(header.first(kHeaderChecksumOffset));
}

bool all_zero(std::span<const uint8_t> bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; });
}

// The part of both headers that is checked the same way: length, magic,
// version, header size, checksum, reserved bytes (in this order).
Result<void> check_common(std::span<const uint8_t> bytes, std::span<const uint8_t, 8> magic,
                          uint32_t version, size_t reserved_offset, size_t reserved_size,
                          std::string_view what) {
  if (bytes.size() < kHeaderSize)
    return make_error(std::string(what) + " is " + std::to_string(bytes.size()) +
                      " bytes, expected 128");
  if (!std::equal(magic.begin(), magic.end(), bytes.begin()))
    return make_error(std::string(what) + ": bad magic at offset 0");
  const uint32_t v = load_le32(bytes.data() + 8);
  if (v != version)
    return make_error(std::string(what) + ": unsupported version " + std::to_string(v) +
                      " at offset 8 (this build reads version " + std::to_string(version) + ")");
  const uint32_t size = load_le32(bytes.data() + 12);
  if (size != kHeaderSize)
    return make_error(std::string(what) + ": header size " + std::to_string(size) +
                      " at offset 12, expected 128");
  const auto sum = header_checksum(bytes);
  if (CRYPTO_memcmp(sum.data(), bytes.data() + kHeaderChecksumOffset, sum.size()) != 0)
    return make_error(std::string(what) + ": checksum mismatch (SHA-256 at offset 96)");
  if (!all_zero(bytes.subspan(reserved_offset, reserved_size)))
    return make_error(std::string(what) + ": reserved bytes at offset " +
                      std::to_string(reserved_offset) + " are not zero");
  return {};
}

std::optional<std::string> check_geometry(const PartitionHeader& h, uint64_t device_size) {
  const auto aligned = [](uint64_t v) { return v % kPartitionBlock == 0; };
  if (h.slot_size < kMinSlotSize || h.slot_size > kMaxSlotSize || !aligned(h.slot_size))
    return "slot size " + std::to_string(h.slot_size) + " at offset 48 is out of range";
  if (h.slot_offset[0] < kFirstSlotOffset || !aligned(h.slot_offset[0]) ||
      !aligned(h.slot_offset[1]))
    return "slot offsets at offset 32 are not 4 KiB aligned after the header copies";
  const auto a_end = checked_add(h.slot_offset[0], h.slot_size);
  const auto b_end = checked_add(h.slot_offset[1], h.slot_size);
  if (!a_end || !b_end || h.slot_offset[1] < *a_end)
    return "slot B at offset " + std::to_string(h.slot_offset[1]) + " overlaps slot A";
  if (*b_end > h.partition_size)
    return "slots end at " + std::to_string(*b_end) + ", beyond the partition size " +
           std::to_string(h.partition_size) + " at offset 56";
  if (h.partition_size > device_size)
    return "partition size " + std::to_string(h.partition_size) +
           " at offset 56 is larger than the device (" + std::to_string(device_size) + " bytes)";
  return std::nullopt;
}

// Whether slot a is newer than slot b (both valid).
bool newer(const SlotInfo& a, const SlotInfo& b) {
  if (a.header->generation != b.header->generation)
    return a.header->generation > b.header->generation;
  return a.header->sequence > b.header->sequence;
}

bool is_valid(const SlotInfo& s) {
  return s.state == SlotState::ok || s.state == SlotState::obsolete;
}

void classify_slot(BlockDevice& dev, const PartitionHeader& ph, int index, const TrustStore* trust,
                   SlotInfo* out) {
  SlotInfo& s = *out;
  s.index = index;
  s.offset = ph.slot_offset[index];
  std::array<uint8_t, kHeaderSize> raw{};
  if (auto r = dev.read(s.offset, raw); !r) {
    s.state = SlotState::io_error;
    s.reason = "cannot read the slot header at offset " + std::to_string(s.offset) + ": " + r.error();
    return;
  }
  if (all_zero(raw)) {
    s.state = SlotState::empty;
    return;
  }
  auto header = decode_slot_header(raw, ph.slot_size);
  if (!header) {
    s.state = SlotState::corrupt;
    s.reason = header.error() + " (slot header at offset " + std::to_string(s.offset) + ")";
    return;
  }
  s.header = *header;
  const uint64_t payload_offset = s.offset + kSlotPayloadOffset;
  s.blob.resize(header->payload_length);
  if (auto r = dev.read(payload_offset, s.blob); !r) {
    s.blob.clear();
    s.state = SlotState::io_error;
    s.reason = "cannot read the payload at offset " + std::to_string(payload_offset) + ": " + r.error();
    return;
  }
  const auto digest = sha256(s.blob);
  if (CRYPTO_memcmp(digest.data(), header->payload_sha256.data(), digest.size()) != 0) {
    s.blob.clear();
    s.state = SlotState::corrupt;
    s.reason = "payload SHA-256 mismatch (" + std::to_string(header->payload_length) +
               " bytes at offset " + std::to_string(payload_offset) + ")";
    return;
  }
  // Validated bytes from here on: the payload is what the header describes.
  VerifyStatus st = VerifyStatus::malformed_envelope;  // both branches set it
  Document doc;
  if (trust) {
    Verified v;
    st = verify_sealed(s.blob, *trust, &v);
    if (st == VerifyStatus::ok) {
      doc = std::move(v.document);
      s.kid = v.kid;
      s.alg = static_cast<int>(v.alg);
      s.verified = true;
    }
  } else {
    Envelope env;
    st = parse_sealed_unverified(s.blob, &doc, &env);
    if (st == VerifyStatus::ok) {
      s.kid = env.kid;
      s.alg = env.alg;
    }
  }
  if (st != VerifyStatus::ok) {
    s.blob.clear();
    s.state = SlotState::corrupt;
    s.reason = std::string(trust ? "blob does not verify: " : "blob is not well-formed: ") +
               std::string(to_string(st)) + " (payload at offset " + std::to_string(payload_offset) + ")";
    return;
  }
  if (doc.generation != header->generation) {
    s.blob.clear();
    s.state = SlotState::corrupt;
    s.reason = "slot header generation " + std::to_string(header->generation) +
               " (offset " + std::to_string(s.offset + 24) + ") differs from the policy's generation " +
               std::to_string(doc.generation);
    return;
  }
  s.document = std::move(doc);
  s.state = SlotState::ok;  // provisional: read_partition picks the serving slot
}

WriteError failure(WriteFailure kind, std::string message) { return WriteError{kind, std::move(message)}; }

}  // namespace

VerifyStatus parse_sealed_unverified(std::span<const uint8_t> blob, Document* doc, Envelope* env) {
  if (blob.size() > kMaxBlobSize) return VerifyStatus::too_large;
  Envelope e;
  const VerifyStatus st = parse_envelope(blob, &e);
  if (st != VerifyStatus::ok) return st;
  auto decoded = decode_document(e.payload);
  if (!decoded) return VerifyStatus::malformed_payload;
  if (!validate(*decoded)) return VerifyStatus::invalid_policy;
  *doc = std::move(decoded).value();
  *env = std::move(e);
  return VerifyStatus::ok;
}

// ---------------------------------------------------------------------------
// Codecs.

std::array<uint8_t, 128> encode_partition_header(const PartitionHeader& h) {
  std::array<uint8_t, 128> b{};
  std::copy(kPartitionMagic.begin(), kPartitionMagic.end(), b.begin());
  store_le32(&b[8], h.version);
  store_le32(&b[12], kHeaderSize);
  store_le64(&b[16], h.sequence);
  store_le64(&b[24], h.floor);
  store_le64(&b[32], h.slot_offset[0]);
  store_le64(&b[40], h.slot_offset[1]);
  store_le64(&b[48], h.slot_size);
  store_le64(&b[56], h.partition_size);
  const auto sum = header_checksum(b);
  std::copy(sum.begin(), sum.end(), b.begin() + kHeaderChecksumOffset);
  return b;
}

Result<PartitionHeader> decode_partition_header(std::span<const uint8_t> bytes, uint64_t device_size) {
  if (auto r = check_common(bytes, kPartitionMagic, kPartitionVersion, 64, 32, "partition header"); !r)
    return make_error(r.error());
  // Validated bytes from here on: magic, version and checksum hold.
  PartitionHeader h;
  h.version = load_le32(&bytes[8]);
  h.sequence = load_le64(&bytes[16]);
  h.floor = load_le64(&bytes[24]);
  h.slot_offset[0] = load_le64(&bytes[32]);
  h.slot_offset[1] = load_le64(&bytes[40]);
  h.slot_size = load_le64(&bytes[48]);
  h.partition_size = load_le64(&bytes[56]);
  if (auto e = check_geometry(h, device_size)) return make_error("partition header: " + *e);
  return h;
}

std::array<uint8_t, 128> encode_slot_header(const SlotHeader& h) {
  std::array<uint8_t, 128> b{};
  std::copy(kSlotMagic.begin(), kSlotMagic.end(), b.begin());
  store_le32(&b[8], h.version);
  store_le32(&b[12], kHeaderSize);
  store_le64(&b[16], h.sequence);
  store_le64(&b[24], h.generation);
  store_le64(&b[32], h.payload_length);
  std::copy(h.payload_sha256.begin(), h.payload_sha256.end(), b.begin() + 40);
  const auto sum = header_checksum(b);
  std::copy(sum.begin(), sum.end(), b.begin() + kHeaderChecksumOffset);
  return b;
}

Result<SlotHeader> decode_slot_header(std::span<const uint8_t> bytes, uint64_t slot_size) {
  if (auto r = check_common(bytes, kSlotMagic, kSlotVersion, 72, 24, "slot header"); !r)
    return make_error(r.error());
  // Validated bytes from here on.
  SlotHeader h;
  h.version = load_le32(&bytes[8]);
  h.sequence = load_le64(&bytes[16]);
  h.generation = load_le64(&bytes[24]);
  h.payload_length = load_le64(&bytes[32]);
  std::copy_n(bytes.begin() + 40, 32, h.payload_sha256.begin());
  if (h.generation == 0) return make_error("slot header: generation 0 at offset 24");
  const uint64_t capacity =
      std::min<uint64_t>(slot_size > kSlotPayloadOffset ? slot_size - kSlotPayloadOffset : 0, kMaxBlobSize);
  if (h.payload_length == 0 || h.payload_length > capacity)
    return make_error("slot header: payload length " + std::to_string(h.payload_length) +
                      " at offset 32 is out of range (1.." + std::to_string(capacity) + ")");
  return h;
}

Result<PartitionHeader> layout_for_size(uint64_t size) {
  if (size < kMinPartitionSize)
    return make_error("device is " + std::to_string(size) + " bytes; a policy partition needs at least " +
                      std::to_string(kMinPartitionSize));
  PartitionHeader h;
  h.sequence = 1;
  h.floor = 0;
  h.slot_size = std::min<uint64_t>((size - kFirstSlotOffset) / 2 / kPartitionBlock * kPartitionBlock,
                                   kMaxSlotSize);
  h.slot_offset[0] = kFirstSlotOffset;
  h.slot_offset[1] = kFirstSlotOffset + h.slot_size;
  h.partition_size = kFirstSlotOffset + 2 * h.slot_size;
  return h;
}

uint64_t slot_capacity(const PartitionHeader& h) {
  return std::min<uint64_t>(h.slot_size - kSlotPayloadOffset, kMaxBlobSize);
}

std::string_view to_string(SlotState s) {
  switch (s) {
    case SlotState::ok: return "ok";
    case SlotState::obsolete: return "obsolete";
    case SlotState::corrupt: return "corrupt";
    case SlotState::empty: return "empty";
    case SlotState::io_error: return "io-error";
  }
  return "?";
}

// ---------------------------------------------------------------------------
// FileDevice.

Result<std::unique_ptr<FileDevice>> FileDevice::open(const std::string& path, bool writable,
                                                     uint64_t offset, std::optional<uint64_t> length,
                                                     std::string display_name) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return make_error(path + ": " + errno_text(errno));
  const bool block = S_ISBLK(st.st_mode);
  if (!block && !S_ISREG(st.st_mode)) return make_error(path + ": not a block device or regular file");
  int flags = O_CLOEXEC | (writable ? O_RDWR : O_RDONLY);
  if (writable && block) flags |= O_EXCL;  // refuses a mounted or otherwise claimed device
  const int fd = ::open(path.c_str(), flags);
  if (fd < 0) {
    const int err = errno;
    if (err == EBUSY) return make_error(path + ": device is in use (mounted or claimed)");
    return make_error(path + ": " + errno_text(err));
  }
  uint64_t size = static_cast<uint64_t>(st.st_size);
  if (block && ::ioctl(fd, BLKGETSIZE64, &size) != 0) {
    const int err = errno;
    ::close(fd);
    return make_error(path + ": cannot get the device size: " + errno_text(err));
  }
  if (writable && ::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return make_error(path + ": in use by another bootseal process");
  }
  const uint64_t len = length.value_or(offset <= size ? size - offset : 0);
  const auto end = checked_add(offset, len);
  if (!end || *end > size) {
    ::close(fd);
    return make_error(path + ": window at offset " + std::to_string(offset) + " of " +
                      std::to_string(len) + " bytes is beyond its end (" + std::to_string(size) + " bytes)");
  }
  std::string name = std::move(display_name);
  if (name.empty()) name = offset != 0 || length ? path + " (at offset " + std::to_string(offset) + ")" : path;
  return std::unique_ptr<FileDevice>(new FileDevice(fd, std::move(name), offset, len));
}

FileDevice::~FileDevice() { ::close(fd_); }

Result<void> FileDevice::read(uint64_t offset, std::span<uint8_t> out) {
  const auto end = checked_add(offset, out.size());
  if (!end || *end > length_)
    return make_error("read of " + std::to_string(out.size()) + " bytes at offset " +
                      std::to_string(offset) + " is beyond the end (" + std::to_string(length_) + " bytes)");
  size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::pread(fd_, out.data() + done, out.size() - done,
                              static_cast<off_t>(base_ + offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return make_error("read error at offset " + std::to_string(offset + done) + ": " + errno_text(errno));
    if (n == 0) return make_error("unexpected end of data at offset " + std::to_string(offset + done));
    done += static_cast<size_t>(n);
  }
  return {};
}

Result<void> FileDevice::write(uint64_t offset, std::span<const uint8_t> data) {
  const auto end = checked_add(offset, data.size());
  if (!end || *end > length_)
    return make_error("write of " + std::to_string(data.size()) + " bytes at offset " +
                      std::to_string(offset) + " is beyond the end (" + std::to_string(length_) + " bytes)");
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::pwrite(fd_, data.data() + done, data.size() - done,
                               static_cast<off_t>(base_ + offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      return make_error("write error at offset " + std::to_string(offset + done) + ": " +
                        (n < 0 ? errno_text(errno) : std::string("no progress")));
    done += static_cast<size_t>(n);
  }
  return {};
}

Result<void> FileDevice::sync() {
  if (::fsync(fd_) != 0) return make_error("fsync failed: " + errno_text(errno));
  // Drop the now clean cached pages so a read-back comes from the medium.
  (void)::posix_fadvise(fd_, static_cast<off_t>(base_), static_cast<off_t>(length_), POSIX_FADV_DONTNEED);
  return {};
}

// ---------------------------------------------------------------------------
// Reading.

Result<PartitionState> read_partition(BlockDevice& dev, const TrustStore* trust) {
  PartitionState ps;
  ps.device = dev.name();
  int best = -1;
  for (int c = 0; c < 2; ++c) {
    HeaderCopyInfo& hc = ps.header_copies[c];
    hc.offset = kHeaderCopyOffset[c];
    std::array<uint8_t, kHeaderSize> raw{};
    if (auto r = dev.read(hc.offset, raw); !r) {
      hc.reason = r.error();
      continue;
    }
    auto h = decode_partition_header(raw, dev.size());
    if (!h) {
      hc.reason = h.error();
      continue;
    }
    hc.valid = true;
    hc.header = *h;
    if (best < 0 || h->sequence > ps.header_copies[best].header->sequence) best = c;
  }
  if (best < 0)
    return make_error(dev.name() + ": no valid partition header (copy 1 at offset 0: " +
                      ps.header_copies[0].reason + "; copy 2 at offset 4096: " +
                      ps.header_copies[1].reason + ")");
  ps.header_copy = best;
  ps.header = *ps.header_copies[best].header;

  for (int i = 0; i < 2; ++i) classify_slot(dev, ps.header, i, trust, &ps.slots[i]);

  // Choose: the newest valid slot at or above the floor serves.
  for (auto& s : ps.slots) {
    if (!is_valid(s)) continue;
    if (s.header->generation < ps.header.floor) {
      s.state = SlotState::obsolete;
      s.reason = "generation " + std::to_string(s.header->generation) + " is below the rollback floor " +
                 std::to_string(ps.header.floor);
      continue;
    }
    if (!ps.serving || newer(s, ps.slots[*ps.serving])) ps.serving = s.index;
  }
  for (auto& s : ps.slots) {
    if (s.state != SlotState::ok || (ps.serving && *ps.serving == s.index)) continue;
    const SlotInfo& win = ps.slots[*ps.serving];
    s.state = SlotState::obsolete;
    s.reason = "older than " + slot_label(win.index) + " (generation " +
               std::to_string(s.header->generation) + " sequence " + std::to_string(s.header->sequence) +
               " vs generation " + std::to_string(win.header->generation) + " sequence " +
               std::to_string(win.header->sequence) + ")";
  }
  return ps;
}

// ---------------------------------------------------------------------------
// Writing.

Result<PartitionHeader> format_partition(BlockDevice& dev) {
  auto layout = layout_for_size(dev.size());
  if (!layout) return make_error(dev.name() + ": " + layout.error());
  const PartitionHeader& h = *layout;
  std::vector<uint8_t> area(kPartitionBlock, 0);
  // Slots first (empty), then both header copies.
  for (int i = 0; i < 2; ++i)
    if (auto r = dev.write(h.slot_offset[i], area); !r)
      return make_error(dev.name() + ": " + slot_label(i) + ": " + r.error());
  if (auto r = dev.sync(); !r) return make_error(dev.name() + ": " + r.error());
  const auto enc = encode_partition_header(h);
  std::copy(enc.begin(), enc.end(), area.begin());
  for (int c = 0; c < 2; ++c)
    if (auto r = dev.write(kHeaderCopyOffset[c], area); !r)
      return make_error(dev.name() + ": header copy " + std::to_string(c + 1) + ": " + r.error());
  if (auto r = dev.sync(); !r) return make_error(dev.name() + ": " + r.error());
  auto back = read_partition(dev, nullptr);
  if (!back) return make_error(back.error());
  if (back->header != h || back->slots[0].state != SlotState::empty ||
      back->slots[1].state != SlotState::empty)
    return make_error(dev.name() + ": read-back after format does not match what was written");
  return h;
}

InstallResult install_blob(BlockDevice& dev, std::span<const uint8_t> blob, const TrustStore& trust) {
  InstallResult res;
  auto state = read_partition(dev, &trust);
  if (!state) {
    res.error = failure(WriteFailure::unreadable, state.error());
    return res;
  }
  const PartitionState& ps = *state;
  const uint64_t capacity = slot_capacity(ps.header);
  if (blob.empty() || blob.size() > capacity) {
    res.error = failure(WriteFailure::refused, dev.name() + ": blob of " + std::to_string(blob.size()) +
                                                   " bytes does not fit a slot (1.." +
                                                   std::to_string(capacity) + " bytes)");
    return res;
  }
  Verified v;
  if (const VerifyStatus st = verify_sealed(blob, trust, &v); st != VerifyStatus::ok) {
    res.error = failure(WriteFailure::refused, "the blob does not verify: " + std::string(to_string(st)));
    return res;
  }
  const uint64_t gen = v.document.generation;
  if (gen < ps.header.floor) {
    res.error = failure(WriteFailure::refused,
                        dev.name() + ": generation " + std::to_string(gen) + " is below the rollback floor " +
                            std::to_string(ps.header.floor) + " (header copy " +
                            std::to_string(ps.header_copy + 1) + " at offset " +
                            std::to_string(kHeaderCopyOffset[ps.header_copy] + 24) + ")");
    return res;
  }
  const SlotInfo* serving = ps.serving_slot();
  if (serving && gen < serving->header->generation) {
    res.error = failure(WriteFailure::refused,
                        dev.name() + ": generation " + std::to_string(gen) + " is older than " +
                            slot_label(serving->index) + " (generation " +
                            std::to_string(serving->header->generation) +
                            "), which would keep serving; seal a higher generation");
    return res;
  }
  // The target is the slot that is not the newest valid one (the serving
  // one, or, when every valid slot is below the floor, the newest of them).
  const SlotInfo* newest = serving;
  if (!newest)
    for (const auto& s : ps.slots)
      if (is_valid(s) && (!newest || newer(s, *newest))) newest = &s;
  const int target = newest ? 1 - newest->index : 0;

  SlotHeader sh;
  sh.generation = gen;
  sh.payload_length = blob.size();
  sh.payload_sha256 = sha256(blob);
  for (const auto& s : ps.slots)
    if (s.header) sh.sequence = std::max(sh.sequence, s.header->sequence);
  sh.sequence += 1;

  // Nothing has been written up to here. The protocol: payload, sync,
  // header, sync; the other slot and the partition headers stay untouched.
  const SlotInfo& t = ps.slots[target];
  const std::string where = dev.name() + ": " + slot_label(target) + ": ";
  if (auto r = dev.write(t.offset + kSlotPayloadOffset, blob); !r) {
    res.error = failure(WriteFailure::io_error, where + r.error());
    return res;
  }
  if (auto r = dev.sync(); !r) {
    res.error = failure(WriteFailure::io_error, where + r.error());
    return res;
  }
  const auto hdr = encode_slot_header(sh);
  if (auto r = dev.write(t.offset, hdr); !r) {
    res.error = failure(WriteFailure::io_error, where + r.error());
    return res;
  }
  if (auto r = dev.sync(); !r) {
    res.error = failure(WriteFailure::io_error, where + r.error());
    return res;
  }
  // Read back the slot: its header must decode to exactly what was written
  // and its payload must be exactly the blob, which was verified above.
  std::array<uint8_t, kHeaderSize> raw{};
  std::vector<uint8_t> payload(blob.size());
  auto back_header = dev.read(t.offset, raw);
  auto back_payload = back_header ? dev.read(t.offset + kSlotPayloadOffset, payload) : Result<void>{};
  if (!back_header || !back_payload) {
    res.error = failure(WriteFailure::readback,
                        where + "read-back: " + (back_header ? back_payload.error() : back_header.error()));
    return res;
  }
  auto decoded = decode_slot_header(raw, ps.header.slot_size);
  if (!decoded || *decoded != sh || !std::equal(payload.begin(), payload.end(), blob.begin(), blob.end())) {
    res.error = failure(WriteFailure::readback, where + "read-back after sync does not match what was written (slot at offset " +
                                                    std::to_string(t.offset) + ")");
    return res;
  }
  InstallOutcome out;
  out.slot = target;
  out.generation = gen;
  out.sequence = sh.sequence;
  if (serving) out.previous_serving = serving->index;
  res.outcome = out;
  return res;
}

MarkGoodResult mark_good(BlockDevice& dev, const TrustStore& trust) {
  MarkGoodResult res;
  auto state = read_partition(dev, &trust);
  if (!state) {
    res.error = failure(WriteFailure::unreadable, state.error());
    return res;
  }
  const PartitionState& ps = *state;
  const SlotInfo* serving = ps.serving_slot();
  if (!serving) {
    res.error = failure(WriteFailure::refused, dev.name() + ": no slot holds a valid policy at or above the floor " +
                                                   std::to_string(ps.header.floor) + "; nothing to mark good");
    return res;
  }
  MarkGoodOutcome out;
  out.old_floor = ps.header.floor;
  out.new_floor = serving->header->generation;
  out.header_copy = -1;
  if (out.new_floor <= out.old_floor) {
    out.new_floor = out.old_floor;
    res.outcome = out;
    return res;
  }
  PartitionHeader h = ps.header;
  h.sequence += 1;
  h.floor = out.new_floor;
  // The copy that is not the newest first, then the other: a cut during
  // the first write leaves the old newest copy, a cut during the second
  // leaves the first with the new floor; afterwards both hold it, so a
  // later corruption of one copy does not lower the floor.
  const int first = 1 - ps.header_copy;
  for (const int target : {first, 1 - first}) {
    const std::string where = dev.name() + ": header copy " + std::to_string(target + 1) + " (offset " +
                              std::to_string(kHeaderCopyOffset[target]) + "): ";
    if (auto r = dev.write(kHeaderCopyOffset[target], encode_partition_header(h)); !r) {
      res.error = failure(WriteFailure::io_error, where + r.error());
      return res;
    }
    if (auto r = dev.sync(); !r) {
      res.error = failure(WriteFailure::io_error, where + r.error());
      return res;
    }
  }
  auto back = read_partition(dev, &trust);
  if (!back || !back->header_copies[0].valid || !back->header_copies[1].valid || back->header != h) {
    res.error = failure(WriteFailure::readback,
                        dev.name() + ": read-back of the partition headers after sync does not match what was written" +
                            (back ? std::string() : ": " + back.error()));
    return res;
  }
  out.header_copy = first;
  res.outcome = out;
  return res;
}

}  // namespace bootseal

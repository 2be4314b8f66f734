// SPDX-License-Identifier: GPL-2.0-only
// The policy partition protocol: slot classification, reading, formatting,
// the install protocol and the rollback floor (FORMAT.md, "The policy
// partition"). The header codecs are in partition_codec.cpp, the device in
// file_device.cpp.
#include "bootseal/partition.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <cstring>

#include "le.hpp"
#include "partition_internal.hpp"

namespace bootseal {
namespace {

using detail::all_zero;
using detail::kHeaderSize;

std::string slot_label(int index) { return "slot " + std::string(kSlotNames[index]); }

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

InstallResult install_blob(BlockDevice& dev, std::span<const uint8_t> blob, const TrustStore& trust,
                           InstallMode mode) {
  auto state = read_partition(dev, &trust);
  if (!state) {
    return make_error(WriteFailure::unreadable, state.error());
  }
  const PartitionState& ps = *state;
  const uint64_t capacity = slot_capacity(ps.header);
  if (blob.empty() || blob.size() > capacity) {
    return make_error(WriteFailure::refused, dev.name() + ": blob of " + std::to_string(blob.size()) +
                                             " bytes does not fit a slot (1.." +
                                             std::to_string(capacity) + " bytes)");
  }
  Verified v;
  if (const VerifyStatus st = verify_sealed(blob, trust, &v); st != VerifyStatus::ok) {
    return make_error(WriteFailure::refused, "the blob does not verify: " + std::string(to_string(st)));
  }
  const uint64_t gen = v.document.generation;
  if (gen < ps.header.floor) {
    return make_error(WriteFailure::refused,
                      dev.name() + ": generation " + std::to_string(gen) + " is below the rollback floor " +
                          std::to_string(ps.header.floor) + " (header copy " +
                          std::to_string(ps.header_copy + 1) + " at offset " +
                          std::to_string(kHeaderCopyOffset[ps.header_copy] + 24) + ")");
  }
  const SlotInfo* serving = ps.serving_slot();
  if (serving && gen < serving->header->generation) {
    return make_error(WriteFailure::refused,
                      dev.name() + ": generation " + std::to_string(gen) + " is older than " +
                          slot_label(serving->index) + " (generation " +
                          std::to_string(serving->header->generation) +
                          "), which would keep serving; seal a higher generation");
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

  // What the write will have done; a check stops here with it.
  InstallOutcome out;
  out.slot = target;
  out.generation = gen;
  out.sequence = sh.sequence;
  if (serving) out.previous_serving = serving->index;
  if (mode == InstallMode::check_only) return out;

  // Nothing has been written up to here. The protocol: payload, sync,
  // header, sync; the other slot and the partition headers stay untouched.
  const SlotInfo& t = ps.slots[target];
  const std::string where = dev.name() + ": " + slot_label(target) + ": ";
  if (auto r = dev.write(t.offset + kSlotPayloadOffset, blob); !r) {
    return make_error(WriteFailure::io_error, where + r.error());
  }
  if (auto r = dev.sync(); !r) {
    return make_error(WriteFailure::io_error, where + r.error());
  }
  const auto hdr = encode_slot_header(sh);
  if (auto r = dev.write(t.offset, hdr); !r) {
    return make_error(WriteFailure::io_error, where + r.error());
  }
  if (auto r = dev.sync(); !r) {
    return make_error(WriteFailure::io_error, where + r.error());
  }
  // Read back the slot: its header must decode to exactly what was written
  // and its payload must be exactly the blob, which was verified above.
  std::array<uint8_t, kHeaderSize> raw{};
  std::vector<uint8_t> payload(blob.size());
  auto back_header = dev.read(t.offset, raw);
  auto back_payload = back_header ? dev.read(t.offset + kSlotPayloadOffset, payload) : Result<void>{};
  if (!back_header || !back_payload) {
    return make_error(WriteFailure::readback,
                      where + "read-back: " + (back_header ? back_payload.error() : back_header.error()));
  }
  auto decoded = decode_slot_header(raw, ps.header.slot_size);
  if (!decoded || *decoded != sh || !std::equal(payload.begin(), payload.end(), blob.begin(), blob.end())) {
    return make_error(WriteFailure::readback, where + "read-back after sync does not match what was written (slot at offset " +
                                              std::to_string(t.offset) + ")");
  }
  return out;
}

MarkGoodResult mark_good(BlockDevice& dev, const TrustStore& trust, std::optional<uint64_t> generation) {
  auto state = read_partition(dev, &trust);
  if (!state) {
    return make_error(WriteFailure::unreadable, state.error());
  }
  const PartitionState& ps = *state;
  const SlotInfo* serving = ps.serving_slot();
  if (!serving) {
    return make_error(WriteFailure::refused, dev.name() + ": no slot holds a valid policy at or above the floor " +
                                             std::to_string(ps.header.floor) + "; nothing to mark good");
  }
  MarkGoodOutcome out;
  out.old_floor = ps.header.floor;
  out.new_floor = serving->header->generation;
  out.header_copy = -1;
  if (generation && *generation != out.new_floor) {
    // A generation the boot ran, older than the one serving next: only one
    // a valid slot holds at or above the floor (the other slot).
    bool held = false;
    for (const auto& s : ps.slots)
      held = held || (s.state == SlotState::obsolete && s.header && s.header->generation == *generation &&
                      *generation >= ps.header.floor);
    if (!held || *generation > out.new_floor) {
      return make_error(WriteFailure::refused, dev.name() + ": no slot holds a valid policy of generation " +
                                                   std::to_string(*generation) + " at or above the floor " +
                                                   std::to_string(ps.header.floor) + "; nothing to mark good");
    }
    out.new_floor = *generation;
  }
  if (out.new_floor <= out.old_floor) {
    out.new_floor = out.old_floor;
    return out;
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
      return make_error(WriteFailure::io_error, where + r.error());
    }
    if (auto r = dev.sync(); !r) {
      return make_error(WriteFailure::io_error, where + r.error());
    }
  }
  auto back = read_partition(dev, &trust);
  if (!back || !back->header_copies[0].valid || !back->header_copies[1].valid || back->header != h) {
    return make_error(WriteFailure::readback,
                      dev.name() + ": read-back of the partition headers after sync does not match what was written" +
                          (back ? std::string() : ": " + back.error()));
  }
  out.header_copy = first;
  return out;
}

}  // namespace bootseal
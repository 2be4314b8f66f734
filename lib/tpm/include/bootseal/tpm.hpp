// SPDX-License-Identifier: GPL-2.0-only
// TPM 2.0 access through libtss2-esys: the loader measures the sealed
// policy blob into a PCR and keeps its rollback floor in an NV index; the
// bootseal tool provisions and reads that index. Only the few commands
// bootseal needs, each failure naming the TPM command and its response code.
// TPM responses are parsed only by the TSS (libtss2-mu), never here, so this
// library has no fuzz target of its own.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "bootseal/result.hpp"

namespace bootseal::tpm {

// The tpm module's error kind.
enum class TpmFault {
  unavailable,    // the TCTI or the ESYS context could not be set up (no TPM, no socket)
  command,        // the TPM (or the TSS) answered a command with an error; the message has the code
  not_defined,    // the NV index is not defined where it must be
  invalid_input,  // an argument bootseal refuses before asking the TPM (PCR number, index range)
};
std::string_view to_string(TpmFault kind);

using Digest = std::array<uint8_t, 32>;

// The rollback floor's NV index, in the range the TCG registry leaves to
// Linux software (in_linux_range).
inline constexpr uint32_t kDefaultFloorIndex = 0x01D10250;
// 0x01D10200..0x01D105FF inclusive.
bool in_linux_range(uint32_t index);
// "0x01d10250": how messages and the tools write a handle or attributes.
std::string hex32(uint32_t v);

// The attributes define_floor gives a floor index: an ordinary index
// written and read with its own (empty) authValue, readable by the owner,
// write-lockable until the next TPM Reset or Restart, and outside
// dictionary-attack protection (an empty authValue cannot be guessed).
// 8 bytes, empty authPolicy, nameAlg SHA-256.
inline constexpr uint32_t kFloorAttributes =
    0x00000000u      // TPM_NT_ORDINARY << TPMA_NV_TPM2_NT_SHIFT
    | 0x00000004u    // TPMA_NV_AUTHWRITE
    | 0x00040000u    // TPMA_NV_AUTHREAD
    | 0x00020000u    // TPMA_NV_OWNERREAD
    | 0x00004000u    // TPMA_NV_WRITE_STCLEAR
    | 0x02000000u;   // TPMA_NV_NO_DA
inline constexpr uint16_t kFloorSize = 8;

struct FloorIndex {
  uint32_t index = 0;
  uint32_t attributes = 0;     // TPMA_NV bits as read by NV_ReadPublic
  uint16_t size = 0;
  bool written = false;        // TPMA_NV_WRITTEN
  bool write_locked = false;   // TPMA_NV_WRITELOCKED
  uint64_t value = 0;          // big-endian 8 bytes as stored; 0 when !written
  uint16_t name_alg = 0;       // TPM2_ALG_SHA256 (0x000b) for bootseal's
  uint16_t auth_policy_size = 0;  // 0 for bootseal's: no policy can act on it
  // The type, the attribute bits, the size, the name algorithm and the
  // empty authPolicy are those define_floor creates (WRITTEN and
  // WRITELOCKED, which the TPM sets, are ignored). An authPolicy would let
  // whoever defined the index change its authValue later (a policy for
  // TPM2_NV_ChangeAuth) and so read or write it at will.
  bool attributes_as_bootseal_defines() const;
};

class Tpm {
 public:
  // tcti: a TCTI configuration string for Tss2_TctiLdr_Initialize, e.g.
  // "device:/dev/tpmrm0" or "swtpm:path=/run/swtpm/sock". No Startup is
  // sent (the firmware, the kernel or swtpm has done it) unless the TPM
  // answers TPM2_RC_INITIALIZE, then Startup(CLEAR) once. Sets
  // TSS2_LOG=all+none unless the caller's environment has TSS2_LOG, so the
  // TSS does not write to stderr on its own.
  static Result<Tpm, TpmFault> open(const std::string& tcti);

  Tpm(Tpm&&) noexcept;
  Tpm& operator=(Tpm&&) noexcept;
  Tpm(const Tpm&) = delete;
  Tpm& operator=(const Tpm&) = delete;
  ~Tpm();  // Esys_Finalize, Tss2_TctiLdr_Finalize

  // The SHA-256 bank.
  Result<Digest, TpmFault> pcr_read(unsigned pcr);
  // The SHA-256 bank only; the PCR's empty authValue.
  Result<void, TpmFault> pcr_extend(unsigned pcr, const Digest& d);

  // nullopt when the index is not defined. The value is read (NV_Read,
  // the index's own authValue) only when the index is written and is
  // bootseal's size.
  Result<std::optional<FloorIndex>, TpmFault> read_floor(uint32_t index);
  // NV_DefineSpace under the owner hierarchy with kFloorAttributes;
  // owner_auth may be empty (an owner hierarchy without a password).
  Result<void, TpmFault> define_floor(uint32_t index, std::string_view owner_auth);
  // NV_UndefineSpace under the owner hierarchy (not_defined when it is not).
  Result<void, TpmFault> undefine(uint32_t index, std::string_view owner_auth);
  // NV_Write of 8 bytes big-endian with the index's own empty authValue.
  Result<void, TpmFault> write_floor(uint32_t index, uint64_t value);
  // NV_WriteLock with the index's own empty authValue: no write until the
  // next TPM Reset or Restart (WRITE_STCLEAR).
  Result<void, TpmFault> write_lock(uint32_t index);
  // ownerAuthSet of TPM_PT_PERMANENT (GetCapability).
  Result<bool, TpmFault> owner_auth_set();

  // The TCTI string this TPM was opened with.
  const std::string& tcti() const { return tcti_; }

 private:
  struct Handles;  // the TCTI and ESYS contexts (tpm.cpp), finalized with it
  Tpm(std::string tcti, std::unique_ptr<Handles> handles);

  std::string tcti_;
  std::unique_ptr<Handles> h_;  // null only once moved from
};

// The new value of a PCR after extending `before` with `d`,
// SHA-256(before || d): the host-side prediction of pcr_extend.
Digest extended(const Digest& before, const Digest& d);

}  // namespace bootseal::tpm

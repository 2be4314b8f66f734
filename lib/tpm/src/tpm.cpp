// SPDX-License-Identifier: GPL-2.0-only
// TPM 2.0 access through libtss2-esys (tpm.hpp). Every command goes through
// ESYS with password sessions (ESYS_TR_PASSWORD): the floor index and the
// PCRs have empty authValues, and an owner password is sent only to define
// or undefine the index. Each failure names the TPM command and the
// response code, decoded by Tss2_RC_Decode.
#include "bootseal/tpm.hpp"

#include <openssl/evp.h>
#include <sys/stat.h>
#include <tss2/tss2_esys.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_tctildr.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <utility>

namespace bootseal::tpm {

// The header spells the attributes out as numbers so that it needs no TSS
// header; these keep the numbers honest.
static_assert(kFloorAttributes == ((TPM2_NT_ORDINARY << TPMA_NV_TPM2_NT_SHIFT) | TPMA_NV_AUTHWRITE |
                                   TPMA_NV_AUTHREAD | TPMA_NV_OWNERREAD | TPMA_NV_WRITE_STCLEAR |
                                   TPMA_NV_NO_DA));
static_assert(kFloorSize == sizeof(uint64_t));

struct Tpm::Handles {
  TSS2_TCTI_CONTEXT* tcti = nullptr;
  ESYS_CONTEXT* esys = nullptr;

  Handles() = default;
  Handles(const Handles&) = delete;
  Handles& operator=(const Handles&) = delete;
  ~Handles() {
    // ESYS does not own the TCTI: it is finalized after the context.
    if (esys != nullptr) Esys_Finalize(&esys);
    if (tcti != nullptr) Tss2_TctiLdr_Finalize(&tcti);
  }
};

namespace {

// What ESYS returns is allocated by it and freed with Esys_Free.
struct EsysFree {
  void operator()(void* p) const { Esys_Free(p); }
};
template <typename T>
using EsysPtr = std::unique_ptr<T, EsysFree>;

constexpr unsigned kPcrCount = 24;  // IMPLEMENTATION_PCR of the PC Client profile


std::string index_name(uint32_t index) { return "NV index " + hex32(index); }

// "TPM2_NV_Write of NV index 0x01d10250: response 0x00000148 (tpm:error(2.0): NV access locked)"
std::string response_text(std::string_view what, TSS2_RC rc) {
  return std::string(what) + ": response " + hex32(rc) + " (" + Tss2_RC_Decode(rc) + ")";
}

Error<TpmFault> command_error(std::string_view what, TSS2_RC rc) {
  return make_error(TpmFault::command, response_text(what, rc));
}

// The TPM's own response code with the handle, session or parameter number
// of a format-one code taken off, or 0 when the code is not the TPM's (a
// TSS layer: the TCTI, ESYS, the marshalling).
TSS2_RC tpm_base(TSS2_RC rc) {
  if ((rc & TSS2_RC_LAYER_MASK) != TSS2_TPM_RC_LAYER) return 0;
  if ((rc & TPM2_RC_FMT1) != 0) return rc & (TPM2_RC_FMT1 | 0x3f);
  return rc;
}

bool is_nv_index(uint32_t index) { return (index >> 24) == TPM2_HT_NV_INDEX; }

Error<TpmFault> not_an_nv_index(std::string_view what, uint32_t index) {
  return make_error(TpmFault::invalid_input,
                    std::string(what) + ": " + hex32(index) + " is not an NV index handle (0x01xxxxxx)");
}

Result<TPM2B_AUTH, TpmFault> auth_value(std::string_view what, std::string_view password) {
  TPM2B_AUTH auth{};
  if (password.size() > sizeof(auth.buffer)) {
    return make_error(TpmFault::invalid_input, std::string(what) + ": the owner password is longer than " +
                                                   std::to_string(sizeof(auth.buffer)) + " bytes");
  }
  auth.size = static_cast<UINT16>(password.size());
  std::memcpy(auth.buffer, password.data(), password.size());
  return auth;
}

// An ESYS_TR for an NV index, closed (forgotten by ESYS, not undefined)
// when it goes out of scope.
class NvHandle {
 public:
  NvHandle(ESYS_CONTEXT* esys, ESYS_TR tr) : esys_(esys), tr_(tr) {}
  NvHandle(const NvHandle&) = delete;
  NvHandle& operator=(const NvHandle&) = delete;
  ~NvHandle() {
    if (tr_ != ESYS_TR_NONE) Esys_TR_Close(esys_, &tr_);
  }
  ESYS_TR get() const { return tr_; }
  // After NV_UndefineSpace ESYS has already dropped the object.
  void release() { tr_ = ESYS_TR_NONE; }

 private:
  ESYS_CONTEXT* esys_;
  ESYS_TR tr_;
};

// The ESYS object of a defined NV index; nullopt when the index is not
// defined. ESYS reads the public area (NV_ReadPublic) to build the object,
// and the TPM's TPM_RC_HANDLE for an undefined index comes back from
// Esys_TR_FromTPMPublic as it is (0x0000018b: handle 1).
Result<std::optional<ESYS_TR>, TpmFault> nv_object(ESYS_CONTEXT* esys, uint32_t index) {
  ESYS_TR tr = ESYS_TR_NONE;
  const TSS2_RC rc = Esys_TR_FromTPMPublic(esys, index, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &tr);
  if (rc == TSS2_RC_SUCCESS) return std::optional<ESYS_TR>(tr);
  if (tpm_base(rc) == TPM2_RC_HANDLE) return std::optional<ESYS_TR>();
  return command_error("TPM2_NV_ReadPublic of " + index_name(index), rc);
}

// The same for the commands that need the index: not_defined when it is not.
Result<ESYS_TR, TpmFault> defined_nv_object(ESYS_CONTEXT* esys, uint32_t index, std::string_view command) {
  auto tr = nv_object(esys, index);
  if (!tr) return tr.failure();
  if (!tr->has_value()) {
    return make_error(TpmFault::not_defined,
                      std::string(command) + " of " + index_name(index) + ": the index is not defined");
  }
  return **tr;
}

TPMS_PCR_SELECTION sha256_selection(unsigned pcr) {
  TPMS_PCR_SELECTION sel{};
  sel.hash = TPM2_ALG_SHA256;
  sel.sizeofSelect = 3;
  sel.pcrSelect[pcr / 8] = static_cast<BYTE>(1u << (pcr % 8));
  return sel;
}

Error<TpmFault> bad_pcr(std::string_view command, unsigned pcr) {
  return make_error(TpmFault::invalid_input, std::string(command) + ": PCR " + std::to_string(pcr) +
                                                 " does not exist (0 to " + std::to_string(kPcrCount - 1) + ")");
}

// For "device:PATH" (and a bare path), why the device cannot be opened:
// the device TCTI only says "IO failure", and its own log is silenced.
std::string device_reason(const std::string& tcti) {
  std::string path;
  if (tcti.rfind("device:", 0) == 0)
    path = tcti.substr(7);
  else if (tcti.rfind("device", 0) == 0 && tcti.size() == 6)
    path = "/dev/tpmrm0";  // the device TCTI's default
  if (path.empty()) return {};
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return "; " + path + ": " + std::strerror(errno);
  return {};
}

}  // namespace

std::string hex32(uint32_t v) {
  std::array<char, 11> buf{};
  std::snprintf(buf.data(), buf.size(), "0x%08x", v);
  return buf.data();
}

std::string_view to_string(TpmFault kind) {
  switch (kind) {
    case TpmFault::unavailable: return "unavailable";
    case TpmFault::command: return "command";
    case TpmFault::not_defined: return "not_defined";
    case TpmFault::invalid_input: return "invalid_input";
  }
  return "unknown";
}

bool in_linux_range(uint32_t index) { return index >= 0x01D10200 && index <= 0x01D105FF; }

bool FloorIndex::attributes_as_bootseal_defines() const {
  const uint32_t set_by_tpm = TPMA_NV_WRITTEN | TPMA_NV_WRITELOCKED;
  return (attributes & ~set_by_tpm) == kFloorAttributes && size == kFloorSize && name_alg == TPM2_ALG_SHA256 &&
         auth_policy_size == 0;
}

Tpm::Tpm(std::string tcti, std::unique_ptr<Handles> handles) : tcti_(std::move(tcti)), h_(std::move(handles)) {}
Tpm::Tpm(Tpm&&) noexcept = default;
Tpm& Tpm::operator=(Tpm&&) noexcept = default;
Tpm::~Tpm() = default;

Result<Tpm, TpmFault> Tpm::open(const std::string& tcti) {
  // The TSS logs errors to stderr by itself, including the ones bootseal
  // expects (an undefined index); the caller's own TSS2_LOG still wins.
  ::setenv("TSS2_LOG", "all+none", 0);

  auto h = std::make_unique<Handles>();
  TSS2_RC rc = Tss2_TctiLdr_Initialize(tcti.c_str(), &h->tcti);
  if (rc != TSS2_RC_SUCCESS) {
    h->tcti = nullptr;
    return make_error(TpmFault::unavailable, "no TPM: cannot open TCTI '" + tcti + "': " + hex32(rc) + " (" +
                                                 Tss2_RC_Decode(rc) + ")" + device_reason(tcti));
  }
  rc = Esys_Initialize(&h->esys, h->tcti, nullptr);
  if (rc != TSS2_RC_SUCCESS) {
    h->esys = nullptr;
    return make_error(TpmFault::unavailable, "no TPM: cannot set up ESYS over TCTI '" + tcti + "': " +
                                                 hex32(rc) + " (" + Tss2_RC_Decode(rc) + ")");
  }
  // One cheap command shows that the TPM answers and has been started.
  // The firmware or the kernel sends Startup; a TPM simulator just powered
  // on (or reset through its control channel) may not have had it.
  TPMS_CAPABILITY_DATA* cap = nullptr;
  TPMI_YES_NO more = TPM2_NO;
  rc = Esys_GetCapability(h->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, TPM2_CAP_TPM_PROPERTIES,
                          TPM2_PT_PERMANENT, 1, &more, &cap);
  Esys_Free(cap);
  if (tpm_base(rc) == TPM2_RC_INITIALIZE) {
    rc = Esys_Startup(h->esys, TPM2_SU_CLEAR);
    if (rc != TSS2_RC_SUCCESS)
      return make_error(TpmFault::unavailable, response_text("TPM2_Startup(CLEAR) over TCTI '" + tcti + "'", rc));
  } else if (rc != TSS2_RC_SUCCESS) {
    return make_error(TpmFault::unavailable,
                      "no TPM: " + response_text("TPM2_GetCapability over TCTI '" + tcti + "'", rc));
  }
  return Tpm(tcti, std::move(h));
}

Result<Digest, TpmFault> Tpm::pcr_read(unsigned pcr) {
  if (pcr >= kPcrCount) return bad_pcr("TPM2_PCR_Read", pcr);
  TPML_PCR_SELECTION in{};
  in.count = 1;
  in.pcrSelections[0] = sha256_selection(pcr);
  UINT32 update_counter = 0;
  TPML_PCR_SELECTION* out_sel = nullptr;
  TPML_DIGEST* values = nullptr;
  const TSS2_RC rc = Esys_PCR_Read(h_->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &in, &update_counter,
                                   &out_sel, &values);
  EsysPtr<TPML_PCR_SELECTION> sel_owner(out_sel);
  EsysPtr<TPML_DIGEST> values_owner(values);
  const std::string what = "TPM2_PCR_Read of PCR " + std::to_string(pcr) + " (SHA-256)";
  if (rc != TSS2_RC_SUCCESS) return command_error(what, rc);
  // A TPM without an allocated SHA-256 bank answers with an empty list.
  if (values == nullptr || values->count != 1 || values->digests[0].size != sizeof(Digest))
    return make_error(TpmFault::command, what + ": no SHA-256 value returned (is the SHA-256 bank allocated?)");
  Digest d{};
  std::memcpy(d.data(), values->digests[0].buffer, d.size());
  return d;
}

Result<void, TpmFault> Tpm::pcr_extend(unsigned pcr, const Digest& d) {
  if (pcr >= kPcrCount) return bad_pcr("TPM2_PCR_Extend", pcr);
  TPML_DIGEST_VALUES values{};
  values.count = 1;
  values.digests[0].hashAlg = TPM2_ALG_SHA256;
  std::memcpy(values.digests[0].digest.sha256, d.data(), d.size());
  const TSS2_RC rc = Esys_PCR_Extend(h_->esys, ESYS_TR_PCR0 + pcr, ESYS_TR_PASSWORD, ESYS_TR_NONE,
                                     ESYS_TR_NONE, &values);
  if (rc != TSS2_RC_SUCCESS)
    return command_error("TPM2_PCR_Extend of PCR " + std::to_string(pcr) + " (SHA-256)", rc);
  return {};
}

Result<std::optional<FloorIndex>, TpmFault> Tpm::read_floor(uint32_t index) {
  if (!is_nv_index(index)) return not_an_nv_index("TPM2_NV_ReadPublic", index);
  auto tr = nv_object(h_->esys, index);
  if (!tr) return tr.failure();
  if (!tr->has_value()) return std::optional<FloorIndex>();
  NvHandle nv(h_->esys, **tr);

  TPM2B_NV_PUBLIC* pub = nullptr;
  TPM2B_NAME* name = nullptr;
  TSS2_RC rc = Esys_NV_ReadPublic(h_->esys, nv.get(), ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &pub, &name);
  EsysPtr<TPM2B_NV_PUBLIC> pub_owner(pub);
  EsysPtr<TPM2B_NAME> name_owner(name);
  if (rc != TSS2_RC_SUCCESS) return command_error("TPM2_NV_ReadPublic of " + index_name(index), rc);

  FloorIndex f;
  f.index = index;
  f.attributes = pub->nvPublic.attributes;
  f.size = pub->nvPublic.dataSize;
  f.written = (f.attributes & TPMA_NV_WRITTEN) != 0;
  f.write_locked = (f.attributes & TPMA_NV_WRITELOCKED) != 0;
  f.name_alg = pub->nvPublic.nameAlg;
  f.auth_policy_size = pub->nvPublic.authPolicy.size;
  // Only bootseal's index is read: another index at this handle is
  // reported, not read.
  if (f.written && f.attributes_as_bootseal_defines()) {
    TPM2B_MAX_NV_BUFFER* data = nullptr;
    rc = Esys_NV_Read(h_->esys, nv.get(), nv.get(), ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, kFloorSize,
                      0, &data);
    EsysPtr<TPM2B_MAX_NV_BUFFER> data_owner(data);
    if (rc != TSS2_RC_SUCCESS) return command_error("TPM2_NV_Read of " + index_name(index), rc);
    if (data->size != kFloorSize) {
      return make_error(TpmFault::command, "TPM2_NV_Read of " + index_name(index) + ": " +
                                               std::to_string(data->size) + " bytes returned, 8 asked");
    }
    for (unsigned i = 0; i < kFloorSize; ++i) f.value = (f.value << 8) | data->buffer[i];
  }
  return std::optional<FloorIndex>(f);
}

Result<void, TpmFault> Tpm::define_floor(uint32_t index, std::string_view owner_auth) {
  const std::string what = "TPM2_NV_DefineSpace of " + index_name(index);
  if (!is_nv_index(index)) return not_an_nv_index("TPM2_NV_DefineSpace", index);
  auto owner = auth_value(what, owner_auth);
  if (!owner) return owner.failure();
  TSS2_RC rc = Esys_TR_SetAuth(h_->esys, ESYS_TR_RH_OWNER, &*owner);
  if (rc != TSS2_RC_SUCCESS) return command_error(what + " (setting the owner authValue)", rc);

  TPM2B_AUTH index_auth{};  // empty: the index's protection is its attributes, not a secret
  TPM2B_NV_PUBLIC pub{};
  pub.nvPublic.nvIndex = index;
  pub.nvPublic.nameAlg = TPM2_ALG_SHA256;
  pub.nvPublic.attributes = kFloorAttributes;
  pub.nvPublic.authPolicy.size = 0;
  pub.nvPublic.dataSize = kFloorSize;
  ESYS_TR tr = ESYS_TR_NONE;
  rc = Esys_NV_DefineSpace(h_->esys, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
                           &index_auth, &pub, &tr);
  // The owner password is not kept in the ESYS context longer than needed.
  TPM2B_AUTH empty{};
  Esys_TR_SetAuth(h_->esys, ESYS_TR_RH_OWNER, &empty);
  if (rc != TSS2_RC_SUCCESS) return command_error(what, rc);
  NvHandle nv(h_->esys, tr);
  return {};
}

Result<void, TpmFault> Tpm::undefine(uint32_t index, std::string_view owner_auth) {
  const std::string what = "TPM2_NV_UndefineSpace of " + index_name(index);
  if (!is_nv_index(index)) return not_an_nv_index("TPM2_NV_UndefineSpace", index);
  auto owner = auth_value(what, owner_auth);
  if (!owner) return owner.failure();
  auto tr = defined_nv_object(h_->esys, index, "TPM2_NV_UndefineSpace");
  if (!tr) return tr.failure();
  NvHandle nv(h_->esys, *tr);
  TSS2_RC rc = Esys_TR_SetAuth(h_->esys, ESYS_TR_RH_OWNER, &*owner);
  if (rc != TSS2_RC_SUCCESS) return command_error(what + " (setting the owner authValue)", rc);
  rc = Esys_NV_UndefineSpace(h_->esys, ESYS_TR_RH_OWNER, nv.get(), ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE);
  TPM2B_AUTH empty{};
  Esys_TR_SetAuth(h_->esys, ESYS_TR_RH_OWNER, &empty);
  if (rc != TSS2_RC_SUCCESS) return command_error(what, rc);
  nv.release();  // ESYS closes the object of an index it undefined
  return {};
}

Result<void, TpmFault> Tpm::write_floor(uint32_t index, uint64_t value) {
  if (!is_nv_index(index)) return not_an_nv_index("TPM2_NV_Write", index);
  auto tr = defined_nv_object(h_->esys, index, "TPM2_NV_Write");
  if (!tr) return tr.failure();
  NvHandle nv(h_->esys, *tr);
  TPM2B_MAX_NV_BUFFER data{};
  data.size = kFloorSize;
  for (unsigned i = 0; i < kFloorSize; ++i) data.buffer[i] = static_cast<BYTE>(value >> (8 * (kFloorSize - 1 - i)));
  const TSS2_RC rc =
      Esys_NV_Write(h_->esys, nv.get(), nv.get(), ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &data, 0);
  if (rc != TSS2_RC_SUCCESS) return command_error("TPM2_NV_Write of " + index_name(index), rc);
  return {};
}

Result<void, TpmFault> Tpm::write_lock(uint32_t index) {
  if (!is_nv_index(index)) return not_an_nv_index("TPM2_NV_WriteLock", index);
  auto tr = defined_nv_object(h_->esys, index, "TPM2_NV_WriteLock");
  if (!tr) return tr.failure();
  NvHandle nv(h_->esys, *tr);
  const TSS2_RC rc = Esys_NV_WriteLock(h_->esys, nv.get(), nv.get(), ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE);
  if (rc != TSS2_RC_SUCCESS) return command_error("TPM2_NV_WriteLock of " + index_name(index), rc);
  return {};
}

Result<bool, TpmFault> Tpm::owner_auth_set() {
  const std::string what = "TPM2_GetCapability of TPM_PT_PERMANENT";
  TPMS_CAPABILITY_DATA* cap = nullptr;
  TPMI_YES_NO more = TPM2_NO;
  const TSS2_RC rc = Esys_GetCapability(h_->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
                                        TPM2_CAP_TPM_PROPERTIES, TPM2_PT_PERMANENT, 1, &more, &cap);
  EsysPtr<TPMS_CAPABILITY_DATA> cap_owner(cap);
  if (rc != TSS2_RC_SUCCESS) return command_error(what, rc);
  const TPML_TAGGED_TPM_PROPERTY& props = cap->data.tpmProperties;
  if (cap->capability != TPM2_CAP_TPM_PROPERTIES || props.count < 1 ||
      props.tpmProperty[0].property != TPM2_PT_PERMANENT)
    return make_error(TpmFault::command, what + ": the TPM returned no TPM_PT_PERMANENT");
  return (props.tpmProperty[0].value & TPMA_PERMANENT_OWNERAUTHSET) != 0;
}

Digest extended(const Digest& before, const Digest& d) {
  std::array<uint8_t, 64> in{};
  std::memcpy(in.data(), before.data(), before.size());
  std::memcpy(in.data() + before.size(), d.data(), d.size());
  Digest out{};
  unsigned int len = 0;
  // SHA-256 of 64 bytes in memory cannot fail short of an OpenSSL without
  // SHA-256; then the all-zero result is no PCR value a caller will accept.
  if (EVP_Digest(in.data(), in.size(), out.data(), &len, EVP_sha256(), nullptr) != 1 || len != out.size())
    out.fill(0);
  return out;
}

}  // namespace bootseal::tpm

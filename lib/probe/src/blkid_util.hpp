// SPDX-License-Identifier: GPL-2.0-only
// libblkid helpers shared by the probe and the wipe (internal to lib/probe).
#pragma once

#include <blkid/blkid.h>

#include <cctype>
#include <cstdio>
#include <memory>
#include <string>

namespace bootseal::blkid_util {

struct ProbeDeleter {
  void operator()(blkid_struct_probe* p) const { blkid_free_probe(p); }
};
using ProbePtr = std::unique_ptr<blkid_struct_probe, ProbeDeleter>;

inline std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

inline std::string mbr_type(int v) {
  char b[16];
  std::snprintf(b, sizeof b, "0x%x", static_cast<unsigned>(v));
  return b;
}

inline std::string lookup(blkid_probe pr, const char* name) {
  const char* v = nullptr;
  if (blkid_probe_lookup_value(pr, name, &v, nullptr) == 0 && v) return v;
  return {};
}

}  // namespace bootseal::blkid_util

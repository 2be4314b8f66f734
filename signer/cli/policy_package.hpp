// SPDX-License-Identifier: GPL-2.0-only
// The Debian package `bootseal-sign package` makes of a sealed policy
// (docs/bootseal-sign.md, "package"): its name, control file, maintainer
// scripts and file list. The package carries the blob to
// /var/lib/bootseal/packages/PKG.sealed; its preinst asks the machine's
// `bootseal update --check` whether it would accept the blob, and its
// postinst installs it with `bootseal update --trigger`. No printing.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bootseal/result.hpp"
#include "bootseal/seal.hpp"
#include "deb.hpp"

namespace bootseal::sign {

// Where the package puts the blob on the machine.
inline constexpr std::string_view kPackagesDir = "/var/lib/bootseal/packages";
// What every policy package pre-depends on: the first bootseal with `update`.
inline constexpr std::string_view kPreDepends = "bootseal (>= 0.2.0)";
// The Maintainer field when neither --maintainer nor $DEBFULLNAME/$DEBEMAIL says.
inline constexpr std::string_view kDefaultMaintainer = "bootseal-sign <root@localhost>";

// "bootseal-policy-" and the policy's name lowercased, every character
// outside [a-z0-9+.-] turned into '-' (bytes of a UTF-8 character each
// become one '-'). Not checked: deb::check_package_name does that.
std::string package_name_for(std::string_view policy_name);

// The Maintainer field: `option` when given, else "$DEBFULLNAME <$DEBEMAIL>"
// when both are set (or $DEBEMAIL alone when it already reads "NAME <EMAIL>"),
// else kDefaultMaintainer. Null pointers are unset variables.
std::string choose_maintainer(std::string_view option, const char* debfullname, const char* debemail);
// One line of printable characters ending in "<EMAIL>" with text before it.
Result<void> check_maintainer(std::string_view maintainer);

// Everything the package says about the policy.
struct PolicyPackage {
  std::string package;      // checked by deb::check_package_name
  std::string maintainer;   // checked by check_maintainer
  std::string tool_version;  // bootseal-sign's version, in the scripts' header
  std::string policy_name;
  std::string policy_description;
  uint64_t generation = 0;
  Kid kid{};
  std::vector<uint8_t> blob;  // the sealed blob, byte for byte
};

// PACKAGE_GENERATION_all.deb
std::string deb_file_name(const PolicyPackage& p);
// /var/lib/bootseal/packages/PACKAGE.sealed
std::string installed_blob_path(const PolicyPackage& p);

// The control file, the two maintainer scripts, and the whole .deb.
std::string control_text(const PolicyPackage& p);
std::string preinst_text(const PolicyPackage& p);
std::string postinst_text(const PolicyPackage& p);
deb::Package debian_package(const PolicyPackage& p);
Result<std::vector<uint8_t>> build_deb(const PolicyPackage& p, uint64_t mtime);

// RFC 4648 base64 in lines of 76 characters, each ending in "\n" (what
// `base64 -d` reads back).
std::string base64_lines(std::span<const uint8_t> data);

}  // namespace bootseal::sign

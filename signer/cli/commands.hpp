// SPDX-License-Identifier: GPL-2.0-only
// The bootseal-sign subcommands: each one's options and the function that
// runs it. main.cpp binds the options to the command line (CLI11 is
// compiled there alone); each cmd_*.cpp runs its command and returns the
// exit code (exit_codes.hpp).
#pragma once

#include <string>
#include <vector>

namespace bootseal::sign {

// bootseal-sign keygen (cmd_keygen.cpp)
struct KeygenOptions {
  std::string alg = "ed25519";
  std::string private_pem;
  std::string public_pem;
};
int run_keygen(const KeygenOptions& o);

// bootseal-sign seal (cmd_seal.cpp)
struct SealOptions {
  std::string key;
  std::string output;
  std::string policy;
};
int run_seal(const SealOptions& o);

// bootseal-sign verify (cmd_verify.cpp)
struct VerifyOptions {
  std::string trust;
  std::vector<std::string> blobs;
  bool quiet = false;
};
int run_verify(const VerifyOptions& o);

// bootseal-sign inspect (cmd_inspect.cpp)
struct InspectOptions {
  std::string blob;
  std::string trust;
  bool json = false;
};
int run_inspect(const InspectOptions& o);

// bootseal-sign check (cmd_check.cpp)
struct CheckOptions {
  std::vector<std::string> policies;
  bool canonical = false;
};
int run_check(const CheckOptions& o);

// bootseal-sign package (cmd_package.cpp)
struct PackageOptions {
  std::string output = ".";
  std::string maintainer;
  std::string name;
  std::string trust;
  std::string blob;
  bool force = false;
};
int run_package(const PackageOptions& o);

}  // namespace bootseal::sign

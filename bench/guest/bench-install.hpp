// SPDX-License-Identifier: GPL-2.0-only
// The guest benchmarks' use of the loader's install(): into a bpffs of
// their own, so that they can take the enforcer down again in the same
// boot. Never run outside a QEMU guest.
#pragma once
#include <dirent.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "bootseal/loader/compiler.hpp"
#include "bootseal/seal.hpp"
#include "install.hpp"

namespace bootseal::bench {

// Where a benchmark pins the enforcer it installs: BPFFS/bootseal, BPFFS
// a bpffs install() mounts.
struct BenchPins {
  std::string bpffs;
  std::string dir() const { return bpffs + "/bootseal"; }
};

// install() as the loader calls it, for `compiled` from `v`, resolved
// under `root`. Each step's name and milliseconds go to `log`.
inline loader::EnforcerInstall install_for_bench(const Verified& v, const loader::Compiled& compiled,
                                                 const std::string& root, const BenchPins& pins,
                                                 const loader::StepLog& log) {
  loader::InstallRequest req;
  req.compiled = &compiled;
  req.document = &v.document;
  req.kid = v.kid;
  req.mode = compiled.mode;
  req.pin_dir = pins.dir();
  req.new_root = root;
  return loader::install(req, log);
}

// Unpins everything and unmounts the bpffs: with no pin and no fd left the
// links go and the programs detach. The task that installed is trusted by
// the enforcer, which lets it do so.
inline bool take_down(const BenchPins& pins) {
  bool ok = true;
  const std::string dir = pins.dir();
  if (DIR* d = ::opendir(dir.c_str())) {
    while (dirent* e = ::readdir(d)) {
      if (!std::strcmp(e->d_name, ".") || !std::strcmp(e->d_name, "..")) continue;
      if (::unlink((dir + "/" + e->d_name).c_str()) != 0) ok = false;
    }
    ::closedir(d);
  }
  if (::rmdir(dir.c_str()) != 0) ok = false;
  if (::umount2(pins.bpffs.c_str(), 0) != 0) ok = false;
  return ok;
}

}  // namespace bootseal::bench

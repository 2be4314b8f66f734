// SPDX-License-Identifier: GPL-2.0-only
// bootseal update (its command line is in main.cpp).
//
// Installs a sealed policy into the store this machine's loader.conf names:
// what a policy package's maintainer scripts run (docs/FLEET.md).
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <variant>

#include "bootseal/fileio.hpp"
#include "bootseal/language.hpp"
#include "bootseal/trailer.hpp"
#include "commands.hpp"
#include "common.hpp"
#include "error_exits.hpp"
#include "exit_codes.hpp"
#include "store.hpp"

extern char** environ;

namespace bootseal::tool {
namespace {

Result<std::vector<uint8_t>> read_blob(const std::string& path) {
  if (path != "-") return read_file(path, kMaxBlobSize);
  return read_file(STDIN_FILENO, "standard input", kMaxBlobSize);
}

std::string blob_name(const std::string& path) { return path == "-" ? "the blob on standard input" : path; }

// The policy a store holds already: its generation, and whether it is this
// very blob. Parsed without the trust store: a newer policy there, even
// one signed by a key this machine no longer trusts, is not rolled back.
struct Held {
  std::string name;
  uint64_t generation = 0;
  bool same = false;
};
std::optional<Held> held_in(std::span<const uint8_t> bytes, std::span<const uint8_t> blob) {
  Document doc;
  Envelope env;
  if (parse_sealed_unverified(bytes, &doc, &env) != VerifyStatus::ok) return std::nullopt;
  return Held{doc.name, doc.generation, std::equal(bytes.begin(), bytes.end(), blob.begin(), blob.end())};
}

// What a store may not be given, whatever the signature: an older
// generation than it holds; another blob under the generation it holds (two
// blobs of one generation would take turns serving); another policy (a blob
// signed by the same key for another class of machines), unless
// loader.conf names the new one or --rename says so. Returns an exit code,
// or nullopt when the blob may go in.
std::optional<int> refused_by(const UpdateOptions& o, const std::string& where, const Held& h, const Verified& v,
                              const std::string& what) {
  const uint64_t gen = v.document.generation;
  auto no = [&](const std::string& why) {
    return fail(kExitRefused, where + ": refused: " + why + "; nothing was written");
  };
  if (h.same) return std::nullopt;
  if (h.name != v.document.name && o.policy.empty() && !o.rename)
    return no("it holds policy " + quote(h.name) + " (" + what + "), and " + quote(v.document.name) +
              " is another policy; to switch this machine to it, set 'policy = " + v.document.name + "' in " +
              o.config + " (and regenerate the initramfs) or pass --rename");
  if (h.generation > gen)
    return no("generation " + std::to_string(gen) + " is older than " + what + " (generation " +
              std::to_string(h.generation) + ")");
  if (h.generation == gen)
    return no("generation " + std::to_string(gen) + " is already there (" + what +
              ") with other contents; seal a higher generation");
  return std::nullopt;
}

// What the file at `path` holds, checked as refused_by() checks it: an exit
// code when the blob may not replace it; else whether it is this blob.
std::variant<int, bool> held_file(const UpdateOptions& o, const std::string& path, std::span<const uint8_t> blob,
                                  const Verified& v) {
  auto bytes = read_file(path, kMaxBlobSize);
  if (!bytes) return false;
  auto h = held_in(*bytes, blob);
  if (!h) return false;
  if (auto rc = refused_by(o, path, *h, v, "the policy there")) return *rc;
  return h->same;
}

// dpkg's update-initramfs trigger, which initramfs-tools and Debian's
// dracut both answer once the packages are configured.
int activate_trigger() {
  const char* argv[] = {"dpkg-trigger", "--no-await", "update-initramfs", nullptr};
  pid_t pid = 0;
  if (int e = posix_spawnp(&pid, argv[0], nullptr, nullptr, const_cast<char**>(argv), environ); e != 0)
    return fail(kExitFailure, std::string("cannot run dpkg-trigger: ") + std::strerror(e) +
                                  "; " + kRegenerate + " before the next boot");
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return fail(kExitFailure, "dpkg-trigger --no-await update-initramfs failed; " + std::string(kRegenerate) +
                                  " before the next boot");
  std::cout << "the initramfs will be regenerated (dpkg trigger update-initramfs)\n";
  return kExitOk;
}

int initramfs_changed(const UpdateOptions& o, const std::string& why) {
  if (o.check) return kExitOk;
  if (o.trigger) return activate_trigger();
  std::cout << "note: " << why << ": " << kRegenerate << " before the next boot\n";
  return kExitOk;
}

int update_partition(const UpdateOptions& o, const Store& st, std::span<const uint8_t> blob, const Trust& trust,
                     const Verified& v) {
  auto dev = open_target(st.partition, !o.check);
  if (!dev) return fail(dev);
  if (auto ps = read_partition(**dev, trust.get()); ps && ps->serving_slot()) {
    const SlotInfo& s = *ps->serving_slot();
    if (std::equal(s.blob.begin(), s.blob.end(), blob.begin(), blob.end())) {
      std::cout << st.name << ": slot " << kSlotNames[s.index] << " already serves this policy ("
                << quote(v.document.name) << ", generation " << v.document.generation << "); nothing written\n";
      return kExitOk;
    }
    if (s.document) {
      const Held h{s.document->name, s.document->generation, false};
      if (auto rc = refused_by(o, st.name, h, v, "the policy slot " + std::string(kSlotNames[s.index]) + " serves"))
        return *rc;
    }
  }
  const auto r = install_blob(**dev, blob, *trust.get(), o.check ? InstallMode::check_only : InstallMode::write);
  if (!r.ok()) {
    const char* hint = r.kind() == WriteFailure::refused      ? "; nothing was written"
                       : r.kind() == WriteFailure::unreadable ? " (run 'bootseal format' on a new partition)"
                                                              : "";
    return fail(exit_code_for(r.kind()), (r.kind() == WriteFailure::refused ? "refused: " : "") + r.error() + hint);
  }
  if (o.check) {
    std::cout << st.name << ": policy " << quote(v.document.name) << " generation " << v.document.generation
              << " can be installed into slot " << kSlotNames[r->slot] << " (checked; nothing written)\n";
    return kExitOk;
  }
  std::cout << st.name << ": installed policy " << quote(v.document.name) << " generation " << r->generation
            << " into slot " << kSlotNames[r->slot] << "; it serves from the next boot\n";
  if (r->previous_serving)
    std::cout << "slot " << kSlotNames[*r->previous_serving] << " keeps the previous policy as the fallback\n";
  return kExitOk;
}

int update_trailer(const UpdateOptions& o, const Store& st, std::span<const uint8_t> blob, const Verified& v) {
  const uint64_t gen = v.document.generation;
  // What kernel.sealed and each image hold now.
  std::vector<std::string> to_write;
  const auto file = held_file(o, st.file, blob, v);
  if (const int* rc = std::get_if<int>(&file)) return *rc;
  const bool file_same = std::get<bool>(file);
  for (const auto& image : st.kernel_images) {
    auto t = read_trailer(image);
    if (!t) return fail(exit_code_for(t.kind()), image + ": " + t.error());
    if (t->location.status == TrailerStatus::corrupt)
      return fail(kExitCorrupt, image + ": corrupt trailer footer: " + t->location.error->message +
                                    "; nothing was written");
    if (t->location.status == TrailerStatus::present) {
      if (auto h = held_in(t->blob, blob)) {
        if (auto rc = refused_by(o, image, *h, v, "the policy in its trailer")) return *rc;
        if (h->same) continue;
      }
    }
    to_write.push_back(image);
  }
  if (file_same && to_write.empty()) {
    std::cout << st.name << ": already carries this policy (" << quote(v.document.name) << ", generation " << gen
              << "), and so does " << st.file << "; nothing written\n";
    return kExitOk;
  }
  if (o.check) {
    std::cout << st.name << ": policy " << quote(v.document.name) << " generation " << gen << " can be installed ("
              << to_write.size() << " kernel images and " << st.file << "; checked; nothing written)\n";
    return kExitOk;
  }
  // kernel.sealed first: a cut before the images leaves the file the
  // kernel hooks append to new kernels at the new generation, and a rerun
  // finishes the images.
  if (!file_same) {
    if (auto w = write_file_atomic(st.file, blob, 0644); !w) return fail(w);
    std::cout << st.file << ": now holds policy " << quote(v.document.name) << " generation " << gen
              << " (appended to every kernel installed from now on)\n";
  }
  for (const auto& image : to_write) {
    auto r = append_trailer(image, blob, AppendMode::replace_existing);
    if (!r) return fail(exit_code_for(r.kind()), image + ": " + r.error());
    std::cout << image << ": " << (r->replaced ? "replaced its trailer with" : "appended") << " policy "
              << quote(v.document.name) << " generation " << gen << "; it serves from the next boot of it\n";
  }
  return kExitOk;
}

int update_file(const UpdateOptions& o, const Store& st, std::span<const uint8_t> blob, const Verified& v) {
  const uint64_t gen = v.document.generation;
  const auto held = held_file(o, st.file, blob, v);
  if (const int* rc = std::get_if<int>(&held)) return *rc;
  if (std::get<bool>(held)) {
    std::cout << st.name << ": already holds this policy (" << quote(v.document.name) << ", generation " << gen
              << "); nothing written\n";
    return kExitOk;
  }
  if (o.check) {
    std::cout << st.name << ": policy " << quote(v.document.name) << " generation " << gen
              << " can be installed (checked; nothing written)\n";
    return kExitOk;
  }
  if (auto w = write_file_atomic(st.file, blob, 0644); !w) return fail(w);
  std::cout << st.name << ": installed policy " << quote(v.document.name) << " generation " << gen
            << "; it serves from the next boot\n";
  if (st.in_initramfs) return initramfs_changed(o, "the initramfs carries " + st.file);
  return kExitOk;
}

}  // namespace

int run_update(UpdateOptions o) {
  auto mc = load_machine_config(o.config);
  if (!mc) return fail(kExitFailure, mc.error());
  o.policy = mc->conf.policy;
  auto trust = load_trust(o.trust.empty() ? mc->conf.trust : o.trust, true);
  if (!trust) return fail(trust);
  auto blob = read_blob(o.blob);
  if (!blob) return fail(kExitBadBlob, blob.error());
  Verified v;
  if (const VerifyStatus st = verify_sealed(*blob, *trust->get(), &v); st != VerifyStatus::ok) {
    std::string kid;
    Document doc;
    Envelope env;
    if (parse_sealed_unverified(*blob, &doc, &env) == VerifyStatus::ok)
      kid = " (policy " + quote(doc.name) + " generation " + std::to_string(doc.generation) + ", key " +
            to_hex(env.kid) + ")";
    return fail(exit_code_for(st), blob_name(o.blob) + kid + ": does not verify against this machine's trust store " +
                                       trust->origin + ": " + std::string(to_string(st)) + "; nothing was written");
  }
  const uint64_t gen = v.document.generation;
  if (!mc->conf.policy.empty() && v.document.name != mc->conf.policy)
    return fail(kExitRefused, blob_name(o.blob) + ": refused: policy " + quote(v.document.name) + " is not " +
                                  quote(mc->conf.policy) + ", the policy " + mc->path +
                                  " names for this machine; nothing was written");
  if (gen < mc->conf.floor)
    return fail(kExitRefused, blob_name(o.blob) + ": refused: generation " + std::to_string(gen) +
                                  " is below the floor " + std::to_string(mc->conf.floor) + " in " + mc->path +
                                  "; nothing was written");
  auto store = find_store(*mc, store_env(*mc));
  if (!store) return fail(kExitFailure, store.error());
  int rc = kExitOk;
  switch (store->kind) {
    case StoreKind::partition: rc = update_partition(o, *store, *blob, *trust, v); break;
    case StoreKind::trailer: rc = update_trailer(o, *store, *blob, v); break;
    case StoreKind::file: rc = update_file(o, *store, *blob, v); break;
  }
  if (rc != kExitOk || o.check) return rc;
  // The key must be in the trust store the initramfs carries, as the
  // loader reads it.
  if (auto note = initramfs_trust_note(v.kid, blob_name(o.blob), mc->conf.trust)) {
    if (o.trigger && note->stale) return activate_trigger();
    std::cout << note->text;
  }
  return kExitOk;
}

}  // namespace bootseal::tool

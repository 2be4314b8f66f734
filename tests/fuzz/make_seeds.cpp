// SPDX-License-Identifier: GPL-2.0-only
// Writes the seed corpora of the fuzz-* targets, from the project's own
// valid examples; nothing is downloaded. Run by the build:
//
//     make-fuzz-seeds OUTDIR SOURCE_ROOT STAMP
//
// OUTDIR/NAME/ gets the seeds of fuzz-NAME:
//   policy_language  every examples/*.policy as written, and its canonical text;
//                    and policies with bpf-load statements and with a default
//                    per boot phase, which no example has
//   document_cbor    the CBOR document of every example
//   cose             every example sealed with the fixed Ed25519 key that
//                    fuzz-cose trusts, and with ES256, ES384 and PS256 keys
//                    generated now (untrusted by fuzz-cose: the kid path)
//   partition        partition images: freshly formatted, one slot, both
//                    slots, after mark-good (trailing zero bytes cut: the
//                    target pads its input back to the minimum size)
//   trailer          an image with a sealed blob appended, and without one
//   loader_config    loader.conf files and kernel command lines
//   cmdline          the same kernel command lines, and the tokenizer's
//                    corners: quotes, its whitespace, "--", a NUL
//   tpm_log          measurement logs (a policy record, a no-policy
//                    record, a sealed record, another tool's record),
//                    floor requests and a boot assessment record
//   fstab            fstab files: Debian's layout (UUID=, LABEL=, PARTLABEL=,
//                    tmpfs, swap, escapes) and UUIDs alone
// Every seed is checked to be accepted by its parser before it is written,
// so an example that stops being valid fails the build. STAMP is written
// last.
#include <openssl/evp.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "bootseal/cmdline.hpp"
#include "bootseal/tpm_log.hpp"
#include "bootseal/language.hpp"
#include "bootseal/loader/config.hpp"
#include "bootseal/partition.hpp"
#include "bootseal/seal.hpp"
#include "bootseal/trailer.hpp"

namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<uint8_t>;

// The fixed key of fuzz_cose.cpp (RFC 8032 section 7.1, test 1).
constexpr uint8_t kFuzzCoseSeed[32] = {0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a,
                                       0xf4, 0x92, 0xec, 0x2c, 0xc4, 0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32,
                                       0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60};

[[noreturn]] void die(const std::string& what) { throw std::runtime_error(what); }

template <typename T>
T must(bootseal::Result<T> r, const std::string& what) {
  if (!r) die(what + ": " + r.error());
  return std::move(r).value();
}

bootseal::SigningKey key_from(EVP_PKEY* k, const std::string& what) {
  if (k == nullptr) die("cannot make the " + what + " key");
  return must(bootseal::make_signing_key(
                  std::shared_ptr<void>(k, [](void* p) { EVP_PKEY_free(static_cast<EVP_PKEY*>(p)); })),
              what);
}

void write(const fs::path& dir, const std::string& name, std::span<const uint8_t> bytes) {
  std::ofstream f(dir / name, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!f) die("cannot write " + (dir / name).string());
}

void write(const fs::path& dir, const std::string& name, std::string_view text) {
  write(dir, name, std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

// A partition held in memory, for format/install/mark-good.
class MemoryDevice final : public bootseal::BlockDevice {
 public:
  explicit MemoryDevice(uint64_t size) : bytes_(size, 0) {}
  const std::string& name() const override { return name_; }
  uint64_t size() const override { return bytes_.size(); }
  bootseal::Result<void> read(uint64_t offset, std::span<uint8_t> out) override {
    if (offset > bytes_.size() || out.size() > bytes_.size() - offset) return bootseal::make_error("beyond the end");
    std::copy_n(bytes_.begin() + static_cast<std::ptrdiff_t>(offset), out.size(), out.begin());
    return {};
  }
  bootseal::Result<void> write(uint64_t offset, std::span<const uint8_t> data) override {
    if (offset > bytes_.size() || data.size() > bytes_.size() - offset) return bootseal::make_error("beyond the end");
    std::copy(data.begin(), data.end(), bytes_.begin() + static_cast<std::ptrdiff_t>(offset));
    return {};
  }
  bootseal::Result<void> sync() override { return {}; }

  // The image without its trailing zero bytes.
  Bytes trimmed() const {
    auto end = std::find_if(bytes_.rbegin(), bytes_.rend(), [](uint8_t b) { return b != 0; });
    return Bytes(bytes_.begin(), end.base());
  }

 private:
  Bytes bytes_;
  std::string name_ = "seed.img";
};

// loader.conf files as docs/LOADER.md describes them.
constexpr std::string_view kLoaderConfigs[] = {
    "# defaults spelled out\n"
    "source = partitions\n"
    "source = kernel\n"
    "trust = /etc/bootseal/trusted.d\n"
    "floor = 0\n"
    "mode = policy\n"
    "on-failure = stop\n"
    "cmdline-may-weaken = no\n"
    "audit-buffer = 262144\n"
    "pin-dir = /sys/fs/bpf/bootseal\n",

    "source = device /dev/disk/by-partlabel/bootseal\n"
    "source = kernel-image /boot/vmlinuz\n"
    "source = file /etc/bootseal/policy.sealed\n"
    "source = root-file /etc/bootseal/policy.sealed\n"
    "trust = /etc/bootseal/trusted.d/signing.pub.pem\n"
    "floor = 12\n"
    "mode = enforce\n"
    "on-failure = continue\n"
    "audit-buffer = 4096\n",

    "# a lab machine\n"
    "source = file /etc/bootseal/policy.sealed   # baked into the initramfs\n"
    "mode = permissive\n"
    "cmdline-may-weaken = yes\n",

    "",
};

constexpr std::string_view kCmdlines[] = {
    "BOOT_IMAGE=/boot/vmlinuz-6.1.0-18-amd64 root=UUID=0b1c ro quiet lsm=landlock,lockdown,yama,apparmor,bpf",
    "console=ttyS0 bootseal.mode=enforce bootseal.floor=7 bootseal.on_failure=stop",
    "bootseal.mode=permissive bootseal.on_failure=continue bootseal.device=/dev/vdb bootseal.device=/dev/vdc2",
    "root=/dev/vda1 bootseal.floor=18446744073709551615 \"bootseal.device=/dev/disk/by-label/policy\"",
};

constexpr std::string_view kCmdlineCorners[] = {
    "a=\"x y\" \"b=z\" c\"d e\"f =g=h \"i=\"j\"\"",
    "a=1\vb=2\fc=3\rd=4\240e=5",  // \240: the byte 0xA0
    "ro -- bootseal.mode=permissive \"--\" x",
    "root=/dev/vda \"bootseal.mode=enforce ro",
    std::string_view("ro\0bootseal.floor=3", 19),
};

void policy_seeds(const fs::path& out, const fs::path& examples, std::vector<bootseal::Document>* docs) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(examples))
    if (e.path().extension() == ".policy") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  if (files.empty()) die("no *.policy in " + examples.string());
  for (const auto& p : files) {
    std::ifstream f(p, std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(f)), {});
    auto parsed = must(bootseal::parse_policy_source(text, p.string()), "parse");
    const std::string stem = p.stem().string();
    write(out / "policy_language", stem + ".policy", text);
    write(out / "policy_language", stem + ".canonical.policy", bootseal::format_policy(parsed.document));
    const Bytes cbor = bootseal::encode_document(parsed.document);
    must(bootseal::decode_document(cbor), stem + ": CBOR round trip");
    write(out / "document_cbor", stem + ".cbor", cbor);
    docs->push_back(std::move(parsed.document));
  }
  // Statements no example uses: the bpf-load grant (schema 3, key 9), and
  // defaults that differ between the boot phases (schema 4, key 10).
  const std::pair<const char*, std::string> extra[] = {
      {"seed-bpf-load",
       "policy \"seed-bpf-load\"\ngeneration 1\nmode enforce\nlockdown integrity\n"
       "deny write subtree /usr\nallow bpf-load lsm by /usr/lib/systemd/systemd\n"
       "allow bpf-load lsm by \"/opt/a b/loader\"\n"},
      {"seed-phases",
       "policy \"seed-phases\"\ngeneration 2\nmode enforce\nseal-by /usr/lib/bootseal/bootseal-seal\n"
       "seal-after 5m\nphase boot default kexec allow\nphase running default kexec deny\n"
       "phase running default module-load deny\ndeny write subtree /usr\n"
       "phase boot allow write subtree /etc except /usr/bin/passwd\nphase running deny write subtree /etc\n"},
  };
  for (const auto& [stem, text] : extra) {
    auto parsed = must(bootseal::parse_policy_source(text, std::string(stem) + ".policy"), "parse");
    write(out / "policy_language", std::string(stem) + ".policy", text);
    write(out / "policy_language", std::string(stem) + ".canonical.policy", bootseal::format_policy(parsed.document));
    const Bytes cbor = bootseal::encode_document(parsed.document);
    must(bootseal::decode_document(cbor), std::string(stem) + ": CBOR round trip");
    write(out / "document_cbor", std::string(stem) + ".cbor", cbor);
    docs->push_back(std::move(parsed.document));
  }
}

void run(const fs::path& out, const fs::path& root) {
  for (const char* d : {"policy_language", "document_cbor", "cose", "partition", "trailer", "loader_config", "cmdline",
                        "tpm_log", "fstab"})
    fs::create_directories(out / d);

  std::vector<bootseal::Document> docs;
  policy_seeds(out, root / "examples", &docs);

  // Sealed blobs: the key fuzz-cose trusts, and one of each other algorithm.
  const bootseal::SigningKey trusted =
      key_from(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, kFuzzCoseSeed, sizeof kFuzzCoseSeed),
               "fixed Ed25519");
  bootseal::TrustStore trust;
  trust.add(must(bootseal::public_key_of(trusted), "public key"));
  const std::pair<const char*, bootseal::SigningKey> others[] = {
      {"es256", key_from(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"), "P-256")},
      {"es384", key_from(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"), "P-384")},
      {"ps256", key_from(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048)), "RSA")},
  };
  std::vector<Bytes> blobs;
  for (size_t i = 0; i < docs.size(); ++i) {
    const Bytes blob = must(bootseal::seal(docs[i], trusted), "seal");
    bootseal::Verified v;
    if (bootseal::verify_sealed(blob, trust, &v) != bootseal::VerifyStatus::ok) die("a fresh seal does not verify");
    write(out / "cose", "example-" + std::to_string(i) + ".eddsa.sealed", blob);
    blobs.push_back(blob);
  }
  for (const auto& [name, key] : others)
    write(out / "cose", std::string("example-0.") + name + ".sealed", must(bootseal::seal(docs[0], key), "seal"));

  // Partition images: generations 1 and 2 of the first example.
  bootseal::Document d1 = docs[0], d2 = docs[0];
  d1.generation = 1;
  d2.generation = 2;
  const Bytes g1 = must(bootseal::seal(d1, trusted), "seal"), g2 = must(bootseal::seal(d2, trusted), "seal");
  MemoryDevice dev(bootseal::kMinPartitionSize);
  must(bootseal::format_partition(dev), "format");
  write(out / "partition", "formatted.img", dev.trimmed());
  auto install = [&](const Bytes& blob) {
    auto r = bootseal::install_blob(dev, blob, trust);
    if (!r.ok()) die("install: " + r.error());
  };
  install(g1);
  write(out / "partition", "slot-a.img", dev.trimmed());
  install(g2);
  write(out / "partition", "slot-a-and-b.img", dev.trimmed());
  if (!bootseal::mark_good(dev, trust).ok()) die("mark-good failed");
  const Bytes marked = dev.trimmed();
  auto st = must(bootseal::read_partition(dev, &trust), "read back");
  if (!st.serving || st.header.floor != 2) die("the seed partition does not serve generation 2 at floor 2");
  write(out / "partition", "marked-good.img", marked);

  // Kernel images with and without a trailer.
  Bytes image(4096);
  for (size_t i = 0; i < image.size(); ++i) image[i] = static_cast<uint8_t>(i * 31 + 7);
  image[0] = 'M';
  image[1] = 'Z';
  write(out / "trailer", "plain-image", image);
  for (size_t i = 0; i < blobs.size(); ++i) {
    Bytes with = image;
    with.insert(with.end(), blobs[i].begin(), blobs[i].end());
    const auto footer = bootseal::encode_trailer_footer(blobs[i].size());
    with.insert(with.end(), footer.begin(), footer.end());
    const auto loc = bootseal::locate_trailer(with);
    if (loc.status != bootseal::TrailerStatus::present || loc.image_length != image.size())
      die("an appended trailer is not found");
    write(out / "trailer", "image-with-trailer-" + std::to_string(i), with);
  }

  // loader.conf and the kernel command line.
  int n = 0;
  for (std::string_view conf : kLoaderConfigs) {
    must(bootseal::loader::parse_config(conf, "seed.conf"), "loader.conf sample " + std::to_string(n));
    write(out / "loader_config", "loader-" + std::to_string(n++) + ".conf", conf);
  }
  n = 0;
  for (std::string_view line : kCmdlines) {
    must(bootseal::loader::parse_cmdline(line), "command line sample " + std::to_string(n));
    write(out / "loader_config", "cmdline-" + std::to_string(n), line);
    write(out / "cmdline", "cmdline-" + std::to_string(n++), line);
  }
  // The tokenizer's own corners (test_cmdline.cpp): quotes, its whitespace,
  // "--" and a NUL.
  n = 0;
  for (std::string_view line : kCmdlineCorners) {
    if (bootseal::split_kernel_cmdline(line).params.empty()) die("command line corner " + std::to_string(n));
    write(out / "cmdline", "corner-" + std::to_string(n++), line);
  }

  // fstab files as Debian's installer writes them, and UUIDs.
  write(out / "fstab", "debian",
        "# /etc/fstab: static file system information.\n"
        "UUID=0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9 /               ext4    errors=remount-ro 0       1\n"
        "UUID=5e1f0c4a-2b7d-4c11-9a3e-0d6f2b8c7a91 /boot           ext4    defaults        0       2\n"
        "UUID=ABCD-1234  /boot/efi       vfat    umask=0077      0       1\n"
        "/dev/mapper/vg-home /home ext4 defaults 0 2\n"
        "/dev/mapper/vg-swap none swap sw 0 0\n"
        "/dev/sr0        /media/cdrom0   udf,iso9660 user,noauto     0       0\n");
  write(out / "fstab", "labels",
        "LABEL=My\\040Boot /boot/ ext4 defaults 0 2\nPARTLABEL=srv /srv/My\\040Site xfs defaults\n"
        "tmpfs /tmp tmpfs defaults 0 0\n/srv/a /var/a none bind\n/dev/vda5 /short\n");
  write(out / "fstab", "uuid", "0A1B2C3D-4e5f-6071-8293-a4b5c6d7e8f9");

  // The TPM measurement log and the floor request.
  bootseal::tpm::MeasureEvent pe;
  pe.event = "policy";
  pe.digest = bootseal::sha256(blobs[0]);
  pe.policy = docs[0].name;
  pe.generation = docs[0].generation;
  pe.kid = "00112233445566778899aabbccddeeff";
  pe.source = "partition /dev/vda3 slot A";
  pe.nv_index = 0x01D10250;
  bootseal::tpm::MeasureEvent ne;
  ne.event = "no-policy";
  ne.digest = bootseal::tpm::no_policy_digest();
  const std::string other =
      "\x1e{\"pcr\":15,\"digests\":[{\"hashAlg\":\"sha256\",\"digest\":\"" + std::string(64, 'a') +
      "\"}],\"content_type\":\"systemd\",\"content\":{\"string\":\"machine-id\"}}\n";
  bootseal::tpm::MeasureEvent se = pe;
  se.event = "sealed";
  se.source.clear();
  se.nv_index = 0;
  se.reason = "trigger";
  se.digest = bootseal::tpm::sealed_digest(se.reason);
  bootseal::tpm::MeasureEvent we = pe;
  we.event = "permissive";
  we.source.clear();
  we.digest = bootseal::tpm::permissive_digest();
  const std::string logs[] = {format_event(pe), format_event(pe) + format_event(ne), other + format_event(pe),
                              format_event(pe) + format_event(se),
                              format_event(pe) + format_event(we) + format_event(se)};
  n = 0;
  for (const auto& log : logs) {
    must(bootseal::tpm::parse_measure_log(log, "seed.log"), "measurement log sample " + std::to_string(n));
    write(out / "tpm_log", "measure-" + std::to_string(n++) + ".log", log);
  }
  for (std::string_view req : {"5\n", "18446744073709551615"}) {
    must(bootseal::tpm::parse_floor_request(req, "seed.req"), "floor request sample");
    write(out / "tpm_log", "request-" + std::to_string(n++), req);
  }
  // The boot assessment record (bootseal mark-good --booted).
  bootseal::tpm::Assessment a;
  a.boot_id = "0f9e8d7c-6b5a-4938-8271-605f4e3d2c1b";
  a.policy = "debian-server";
  a.generation = 3;
  a.kid = std::string(64, 'a');
  a.time = 1796378400;
  a.floor = 3;
  a.store = "/dev/vda1";
  const std::string rec = bootseal::tpm::format_assessment(a);
  must(bootseal::tpm::parse_assessment(rec, "seed.assessment"), "assessment sample");
  write(out / "tpm_log", "assessment-" + std::to_string(n++), rec);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: make-fuzz-seeds OUTDIR SOURCE_ROOT STAMP\n");
    return 2;
  }
  try {
    run(argv[1], argv[2]);
    std::ofstream(argv[3]) << "seeds written\n";
  } catch (const std::exception& e) {
    std::fprintf(stderr, "make-fuzz-seeds: %s\n", e.what());
    return 1;
  }
  return 0;
}

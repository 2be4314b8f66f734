// SPDX-License-Identifier: GPL-2.0-only
// loader.conf and the bootseal.* kernel options: what they accept, each way
// they reject input, and that the command line only tightens.
#include "bootseal/loader/config.hpp"

#include <gtest/gtest.h>

namespace bootseal::loader {
namespace {

constexpr const char* kFull = R"(# bootseal-loader configuration
source = device /dev/disk/by-partlabel/bootseal
source = partitions
source = kernel
source = kernel-image /boot/vmlinuz-6.1.0
source = file /etc/bootseal/policy.sealed
source = root-file /boot/bootseal.sealed   # next to the kernel
trust = /etc/bootseal/keys
policy = web server
floor = 7
mode = enforce
on-failure = stop
cmdline-may-weaken = no
audit-buffer = 1048576
pin-dir = /sys/fs/bpf/bootseal
tpm = required
tpm-pcr = 13
tpm-nv-index = 0x01d105ff
tpm-tcti = swtpm:path=/run/swtpm.sock
)";

TEST(LoaderConfig, ParsesEveryKey) {
  auto c = parse_config(kFull, "loader.conf");
  ASSERT_TRUE(c.ok()) << c.error();
  ASSERT_EQ(c->sources.size(), 6u);
  EXPECT_EQ(c->sources[0], (SourceSpec{SourceType::device, "/dev/disk/by-partlabel/bootseal"}));
  EXPECT_EQ(c->sources[1], (SourceSpec{SourceType::partitions, ""}));
  EXPECT_EQ(c->sources[2], (SourceSpec{SourceType::kernel, ""}));
  EXPECT_EQ(c->sources[3], (SourceSpec{SourceType::kernel_image, "/boot/vmlinuz-6.1.0"}));
  EXPECT_EQ(c->sources[4], (SourceSpec{SourceType::file, "/etc/bootseal/policy.sealed"}));
  EXPECT_EQ(c->sources[5], (SourceSpec{SourceType::root_file, "/boot/bootseal.sealed"}));
  EXPECT_EQ(c->trust, "/etc/bootseal/keys");
  EXPECT_EQ(c->policy, "web server");
  EXPECT_EQ(c->floor, 7u);
  EXPECT_EQ(c->mode, ModeSetting::enforce);
  EXPECT_EQ(c->on_failure, OnFailure::stop);
  EXPECT_FALSE(c->cmdline_may_weaken);
  EXPECT_EQ(c->ringbuf_size, 1048576u);
  EXPECT_EQ(c->tpm, TpmSetting::required);
  EXPECT_EQ(c->tpm_pcr, 13u);
  EXPECT_EQ(c->tpm_nv_index, 0x01D105FFu);
  EXPECT_EQ(c->tpm_tcti, "swtpm:path=/run/swtpm.sock");
}

TEST(LoaderConfig, EmptyMeansDefaults) {
  auto c = parse_config("\n# nothing\n   \n", "x");
  ASSERT_TRUE(c.ok()) << c.error();
  ASSERT_EQ(c->sources.size(), 2u);
  EXPECT_EQ(c->sources[0].type, SourceType::partitions);
  EXPECT_EQ(c->sources[1].type, SourceType::kernel);
  EXPECT_EQ(c->mode, ModeSetting::policy);
  EXPECT_EQ(c->on_failure, OnFailure::stop);
  EXPECT_EQ(c->floor, 0u);
  EXPECT_EQ(c->pin_dir, "/sys/fs/bpf/bootseal");
  EXPECT_EQ(c->tpm, TpmSetting::off);
  EXPECT_EQ(c->tpm_pcr, 12u);
  EXPECT_EQ(c->tpm_nv_index, 0x01D10250u);
  EXPECT_EQ(c->tpm_tcti, "device:/dev/tpmrm0");
}

TEST(LoaderConfig, CrLfLinesAccepted) {
  auto c = parse_config("floor = 3\r\nmode = permissive\r\n", "x");
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(c->floor, 3u);
  EXPECT_EQ(c->mode, ModeSetting::permissive);
}

struct Rejection {
  const char* name;
  std::string text;
  std::string error;
};

class LoaderConfigRejects : public ::testing::TestWithParam<Rejection> {};

TEST_P(LoaderConfigRejects, WithFileAndLine) {
  auto c = parse_config(GetParam().text, "/etc/bootseal/loader.conf");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error(), GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, LoaderConfigRejects,
    ::testing::Values(
        Rejection{"UnknownKey", "floor = 1\nsorce = kernel\n", "/etc/bootseal/loader.conf:2: unknown key 'sorce'"},
        Rejection{"NoEquals", "mode enforce\n", "/etc/bootseal/loader.conf:1: expected 'key = value'"},
        Rejection{"TwicePolicy", "policy = web\npolicy = db\n", "/etc/bootseal/loader.conf:2: 'policy' given twice"},
        Rejection{"LongPolicy", "policy = " + std::string(256, 'p') + "\n",
                  "/etc/bootseal/loader.conf:1: policy needs the policy's name (printable, at most 255 bytes)"},
        Rejection{"NoKey", "= enforce\n", "/etc/bootseal/loader.conf:1: missing key before '='"},
        Rejection{"NoValue", "mode =   # later\n", "/etc/bootseal/loader.conf:1: missing value for 'mode'"},
        Rejection{"TwiceMode", "mode = enforce\nmode = permissive\n",
                  "/etc/bootseal/loader.conf:2: 'mode' given twice"},
        Rejection{"BadMode", "mode = strict\n",
                  "/etc/bootseal/loader.conf:1: mode 'strict' is not policy, enforce or permissive"},
        Rejection{"BadFloor", "floor = 12a\n", "/etc/bootseal/loader.conf:1: floor '12a' is not a generation number"},
        Rejection{"NegativeFloor", "floor = -1\n",
                  "/etc/bootseal/loader.conf:1: floor '-1' is not a generation number"},
        Rejection{"HugeFloor", "floor = 99999999999999999999999\n",
                  "/etc/bootseal/loader.conf:1: floor '99999999999999999999999' is not a generation number"},
        Rejection{"BadOnFailure", "on-failure = ignore\n",
                  "/etc/bootseal/loader.conf:1: on-failure 'ignore' is not stop or continue"},
        Rejection{"BadBool", "cmdline-may-weaken = maybe\n",
                  "/etc/bootseal/loader.conf:1: cmdline-may-weaken 'maybe' is not yes or no"},
        Rejection{"UnknownSource", "source = network\n",
                  "/etc/bootseal/loader.conf:1: unknown source 'network' (partitions, kernel, device PATH, "
                  "kernel-image PATH, file PATH, root-file PATH)"},
        Rejection{"SourceWithoutPath", "source = device\n",
                  "/etc/bootseal/loader.conf:1: source device needs an absolute path"},
        Rejection{"RelativeSourcePath", "source = file policy.sealed\n",
                  "/etc/bootseal/loader.conf:1: source file needs an absolute path"},
        Rejection{"SourceExtraArgument", "source = partitions /dev/vda\n",
                  "/etc/bootseal/loader.conf:1: source partitions takes no argument"},
        Rejection{"RelativeTrust", "trust = keys\n", "/etc/bootseal/loader.conf:1: trust needs an absolute path"},
        Rejection{"ControlCharacter", "floor = 1\nmode = en\x01force\n",
                  "/etc/bootseal/loader.conf:2: control character"},
        Rejection{"NulByte", std::string("floor = 1\0\n", 11), "/etc/bootseal/loader.conf:1: NUL byte"},
        Rejection{"BufferNotPowerOfTwo", "audit-buffer = 5000\n",
                  "/etc/bootseal/loader.conf:1: audit-buffer '5000' is not a power of two from 4096 to 1073741824"},
        Rejection{"BufferTooSmall", "audit-buffer = 1024\n",
                  "/etc/bootseal/loader.conf:1: audit-buffer '1024' is not a power of two from 4096 to 1073741824"},
        Rejection{"PinDirDotDot", "pin-dir = /sys/fs/bpf/../x\n",
                  "/etc/bootseal/loader.conf:1: pin-dir needs an absolute path without '..'"},
        Rejection{"BadTpm", "tpm = yes\n", "/etc/bootseal/loader.conf:1: tpm 'yes' is not off, auto or required"},
        Rejection{"ResettablePcr", "tpm-pcr = 16\n",
                  "/etc/bootseal/loader.conf:1: tpm-pcr '16' is not a PCR from 8 to 15 (0-7 are the firmware's, 16 "
                  "and 23 resettable, 17-22 the DRTM's)"},
        Rejection{"FirmwarePcr", "tpm-pcr = 7\n",
                  "/etc/bootseal/loader.conf:1: tpm-pcr '7' is not a PCR from 8 to 15 (0-7 are the firmware's, 16 "
                  "and 23 resettable, 17-22 the DRTM's)"},
        Rejection{"IndexOutsideLinuxRange", "tpm-nv-index = 0x01d10600\n",
                  "/etc/bootseal/loader.conf:1: tpm-nv-index '0x01d10600' is not a hex NV index from 0x01D10200 to "
                  "0x01D105FF"},
        Rejection{"IndexNotHex", "tpm-nv-index = 30474832\n",
                  "/etc/bootseal/loader.conf:1: tpm-nv-index '30474832' is not a hex NV index from 0x01D10200 to "
                  "0x01D105FF"},
        Rejection{"TwiceTpm", "tpm = auto\ntpm = off\n", "/etc/bootseal/loader.conf:2: 'tpm' given twice"},
        Rejection{"TooLarge", std::string(kMaxConfigSize + 1, '#'),
                  "/etc/bootseal/loader.conf: larger than 65536 bytes"}),
    [](const ::testing::TestParamInfo<Rejection>& i) { return std::string(i.param.name); });

TEST(LoaderConfig, LoadNamesMissingFile) {
  auto c = load_config("/nonexistent/loader.conf");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error(), "Failed to open /nonexistent/loader.conf: No such file or directory");
}

// ---------------------------------------------------------------------------

TEST(Cmdline, PicksBootsealOptionsOnly) {
  auto o = parse_cmdline(
      "BOOT_IMAGE=/vmlinuz root=/dev/vda2 quiet bootseal.mode=enforce bootseal.floor=9 "
      "bootseal.device=/dev/vdb \"bootseal.on_failure=stop\" lsm=bpf\n");
  ASSERT_TRUE(o.ok()) << o.error();
  EXPECT_EQ(o->mode, ModeSetting::enforce);
  EXPECT_EQ(o->floor, 9u);
  EXPECT_EQ(o->on_failure, OnFailure::stop);
  ASSERT_EQ(o->devices.size(), 1u);
  EXPECT_EQ(o->devices[0], "/dev/vdb");
  EXPECT_TRUE(o->warnings.empty());
}

TEST(Cmdline, QuotedValueKeepsSpaces) {
  auto o = parse_cmdline("a=\"x y\" bootseal.device=\"/dev/disk/by-label/my disk\"");
  ASSERT_TRUE(o.ok()) << o.error();
  ASSERT_EQ(o->devices.size(), 1u);
  EXPECT_EQ(o->devices[0], "/dev/disk/by-label/my disk");
}

// Split as the kernel splits it (test_cmdline.cpp): \v separates options,
// and what follows "--" belongs to init.
TEST(Cmdline, KernelsSplitting) {
  auto o = parse_cmdline("bootseal.floor=4\vro -- bootseal.mode=permissive");
  ASSERT_TRUE(o.ok()) << o.error();
  EXPECT_EQ(o->floor, 4u);
  EXPECT_FALSE(o->mode);
  ASSERT_EQ(o->warnings.size(), 1u);
  EXPECT_EQ(o->warnings[0], "kernel command line: bootseal.mode after '--' is an argument of init, ignored");
}

// A diagnostic, so any command line may ask for it; the configuration
// takes it whatever cmdline-may-weaken says.
TEST(Cmdline, VerifierStats) {
  for (const char* text : {"bootseal.verifier_stats", "bootseal.verifier_stats=1"}) {
    auto o = parse_cmdline(text);
    ASSERT_TRUE(o.ok()) << o.error();
    EXPECT_TRUE(o->verifier_stats) << text;
    LoaderConfig base;
    EXPECT_FALSE(base.verifier_stats);
    EXPECT_TRUE(apply_cmdline(base, *o, nullptr).verifier_stats);
  }
  auto none = parse_cmdline("quiet");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->verifier_stats);
}

TEST(Cmdline, UnknownOptionIsAWarning) {
  auto o = parse_cmdline("bootseal.moed=permissive");
  ASSERT_TRUE(o.ok());
  ASSERT_EQ(o->warnings.size(), 1u);
  EXPECT_EQ(o->warnings[0], "kernel command line: unknown option bootseal.moed ignored");
  EXPECT_FALSE(o->mode);
}

TEST(Cmdline, Rejections) {
  struct Case {
    const char* text;
    const char* error;
  } cases[] = {
      {"bootseal.mode=policy", "kernel command line: bootseal.mode: 'policy' is not enforce or permissive"},
      {"bootseal.mode=", "kernel command line: bootseal.mode: '' is not enforce or permissive"},
      {"bootseal.mode", "kernel command line: bootseal.mode: '' is not enforce or permissive"},
      {"bootseal.floor=x1", "kernel command line: bootseal.floor: 'x1' is not a generation number"},
      {"bootseal.on_failure=later", "kernel command line: bootseal.on_failure: 'later' is not stop or continue"},
      {"bootseal.device=vdb", "kernel command line: bootseal.device: 'vdb' is not an absolute path"},
      {"bootseal.verifier_stats=yes", "kernel command line: bootseal.verifier_stats: 'yes' is not 1 (or no value)"},
      {"root=/dev/vda \"bootseal.mode=enforce", "kernel command line: unterminated quote"},
  };
  for (const auto& c : cases) {
    auto o = parse_cmdline(c.text);
    ASSERT_FALSE(o.ok()) << c.text;
    EXPECT_EQ(o.error(), c.error) << c.text;
  }
}

TEST(Cmdline, OnlyTightensByDefault) {
  LoaderConfig base;
  base.mode = ModeSetting::policy;
  base.floor = 5;
  base.on_failure = OnFailure::stop;
  CmdlineOptions weaker;
  weaker.mode = ModeSetting::permissive;
  weaker.floor = 2;
  weaker.on_failure = OnFailure::cont;
  std::vector<std::string> warnings;
  LoaderConfig c = apply_cmdline(base, weaker, &warnings);
  EXPECT_EQ(c.mode, ModeSetting::policy);
  EXPECT_EQ(c.floor, 5u);
  EXPECT_EQ(c.on_failure, OnFailure::stop);
  ASSERT_EQ(warnings.size(), 3u);
  EXPECT_EQ(warnings[0],
            "kernel command line: bootseal.mode=permissive is weaker than the configuration; ignored "
            "(cmdline-may-weaken is no)");
  EXPECT_NE(warnings[1].find("bootseal.floor=2"), std::string::npos);
  EXPECT_NE(warnings[2].find("bootseal.on_failure=continue"), std::string::npos);

  CmdlineOptions stricter;
  stricter.mode = ModeSetting::enforce;
  stricter.floor = 8;
  warnings.clear();
  c = apply_cmdline(base, stricter, &warnings);
  EXPECT_EQ(c.mode, ModeSetting::enforce);
  EXPECT_EQ(c.floor, 8u);
  EXPECT_TRUE(warnings.empty());

  base.on_failure = OnFailure::cont;
  CmdlineOptions stop;
  stop.on_failure = OnFailure::stop;
  c = apply_cmdline(base, stop, &warnings);
  EXPECT_EQ(c.on_failure, OnFailure::stop);
}

TEST(Cmdline, WeakensWhenTheConfigurationAllows) {
  LoaderConfig base;
  base.mode = ModeSetting::enforce;
  base.floor = 5;
  base.cmdline_may_weaken = true;
  CmdlineOptions weaker;
  weaker.mode = ModeSetting::permissive;
  weaker.floor = 1;
  std::vector<std::string> warnings;
  LoaderConfig c = apply_cmdline(base, weaker, &warnings);
  EXPECT_EQ(c.mode, ModeSetting::permissive);
  EXPECT_EQ(c.floor, 1u);
  EXPECT_TRUE(warnings.empty());
}

// bootseal.tpm: off < auto < required; never weaker, even where the
// command line may weaken the mode (the PCR is what shows that).
TEST(Cmdline, TpmOnlyTightens) {
  auto o = parse_cmdline("quiet bootseal.tpm=required");
  ASSERT_TRUE(o.ok()) << o.error();
  ASSERT_TRUE(o->tpm.has_value());
  LoaderConfig base;
  base.tpm = TpmSetting::automatic;
  std::vector<std::string> warnings;
  EXPECT_EQ(apply_cmdline(base, *o, &warnings).tpm, TpmSetting::required);
  EXPECT_TRUE(warnings.empty());

  auto off = parse_cmdline("bootseal.tpm=off");
  ASSERT_TRUE(off.ok()) << off.error();
  EXPECT_EQ(apply_cmdline(base, *off, &warnings).tpm, TpmSetting::automatic);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0],
            "kernel command line: bootseal.tpm=off is weaker than the configuration; ignored "
            "(the command line never lowers tpm)");
  base.cmdline_may_weaken = true;
  EXPECT_EQ(apply_cmdline(base, *off, nullptr).tpm, TpmSetting::automatic);
  auto both = parse_cmdline("bootseal.mode=permissive bootseal.tpm=off");
  ASSERT_TRUE(both.ok()) << both.error();
  const LoaderConfig weak = apply_cmdline(base, *both, nullptr);
  EXPECT_EQ(weak.mode, ModeSetting::permissive) << "cmdline-may-weaken lets the mode go";
  EXPECT_EQ(weak.tpm, TpmSetting::automatic) << "but not the measurement that shows it";

  auto bad = parse_cmdline("bootseal.tpm=maybe");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error(), "kernel command line: bootseal.tpm: 'maybe' is not off, auto or required");
}

// With no TPM to measure them, the command line's weakenings are dropped
// even where cmdline-may-weaken allows them; its tightenings still apply.
TEST(Cmdline, UnmeasuredWeakeningsAreDropped) {
  LoaderConfig base;
  base.cmdline_may_weaken = true;
  base.tpm = TpmSetting::automatic;
  base.floor = 4;
  auto weak = parse_cmdline("bootseal.mode=permissive bootseal.floor=1 bootseal.on_failure=continue");
  ASSERT_TRUE(weak.ok()) << weak.error();
  const LoaderConfig measured = apply_cmdline(base, *weak, nullptr);
  EXPECT_EQ(measured.mode, ModeSetting::permissive);
  EXPECT_EQ(measured.floor, 1u);
  std::vector<std::string> warnings;
  const LoaderConfig unmeasured = apply_cmdline_unmeasured(base, *weak, &warnings);
  EXPECT_EQ(unmeasured.mode, base.mode);
  EXPECT_EQ(unmeasured.floor, 4u);
  EXPECT_EQ(unmeasured.on_failure, base.on_failure);
  EXPECT_TRUE(unmeasured.cmdline_may_weaken) << "the file's setting itself is kept";
  EXPECT_EQ(warnings.size(), 3u);
  auto strict = parse_cmdline("bootseal.floor=9 bootseal.mode=enforce");
  ASSERT_TRUE(strict.ok()) << strict.error();
  EXPECT_EQ(apply_cmdline_unmeasured(base, *strict, nullptr).floor, 9u);
  EXPECT_EQ(apply_cmdline_unmeasured(base, *strict, nullptr).mode, ModeSetting::enforce);
}

TEST(Cmdline, NamedDevicesComeFirst) {
  LoaderConfig base;
  base.sources = {SourceSpec{SourceType::kernel, ""}};
  CmdlineOptions o;
  o.devices = {"/dev/vdb"};
  LoaderConfig c = apply_cmdline(base, o, nullptr);
  ASSERT_EQ(c.sources.size(), 2u);
  EXPECT_EQ(c.sources[0], (SourceSpec{SourceType::device, "/dev/vdb"}));
  EXPECT_EQ(c.sources[1].type, SourceType::kernel);
}

}  // namespace
}  // namespace bootseal::loader

// SPDX-License-Identifier: GPL-2.0-only
// The kernel command-line tokenizer (bootseal/cmdline.hpp). Each expected
// result is what the kernel's next_arg() and parse_args() make of the line;
// the cases are those where the loader's and discovery's former tokenizers
// disagreed with each other or with the kernel, and the kernel's quirks that
// a reimplementation gets wrong first.
#include "bootseal/cmdline.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace bootseal {

// How gtest shows a parameter in a failure (found by argument lookup).
void PrintTo(const KernelParam& p, std::ostream* os);
void PrintTo(const KernelParam& p, std::ostream* os) {
  *os << "{" << p.name << (p.value ? "=[" + *p.value + "]" : std::string(" (no value)")) << "}";
}

namespace {

KernelParam flag(const std::string& name) { return KernelParam{name, std::nullopt}; }
KernelParam kv(const std::string& name, const std::string& value) { return KernelParam{name, value}; }

std::vector<KernelParam> params(std::string_view text) { return split_kernel_cmdline(text).params; }

TEST(KernelCmdline, PlainWords) {
  EXPECT_EQ(params("BOOT_IMAGE=/vmlinuz root=/dev/vda2 ro quiet\n"),
            (std::vector<KernelParam>{kv("BOOT_IMAGE", "/vmlinuz"), kv("root", "/dev/vda2"), flag("ro"),
                                      flag("quiet")}));
  EXPECT_TRUE(params("").empty());
  EXPECT_TRUE(params(" \t\n").empty());
}

// The kernel's isspace() has six ASCII spaces and Latin-1's no-break
// space; the loader split only on space, tab and newline.
TEST(KernelCmdline, WhitespaceIsTheKernelsIsspace) {
  EXPECT_EQ(params("a=1\vb=2\fc=3\rd=4\te=5\nf=6 g=7"),
            (std::vector<KernelParam>{kv("a", "1"), kv("b", "2"), kv("c", "3"), kv("d", "4"), kv("e", "5"),
                                      kv("f", "6"), kv("g", "7")}));
  EXPECT_EQ(params("bootseal.floor=3\xA0ro"), (std::vector<KernelParam>{kv("bootseal.floor", "3"), flag("ro")}));
  EXPECT_TRUE(is_kernel_space(0xA0));
  EXPECT_FALSE(is_kernel_space(0x85));  // not in the kernel's table
  EXPECT_FALSE(is_kernel_space(0x1C));  // C's isspace() family leaves it out too
  EXPECT_FALSE(is_kernel_space('\0'));
}

TEST(KernelCmdline, QuotedValueKeepsSpacesAndLosesItsQuotes) {
  EXPECT_EQ(params("a=\"x y\" bootseal.device=\"/dev/disk/by-label/my disk\" ro"),
            (std::vector<KernelParam>{kv("a", "x y"), kv("bootseal.device", "/dev/disk/by-label/my disk"),
                                      flag("ro")}));
  EXPECT_EQ(params("a=\"\""), (std::vector<KernelParam>{kv("a", "")}));
}

TEST(KernelCmdline, QuotedParameterLosesItsQuotes) {
  EXPECT_EQ(params("\"bootseal.on_failure=stop\" \"quiet\""),
            (std::vector<KernelParam>{kv("bootseal.on_failure", "stop"), flag("quiet")}));
  EXPECT_EQ(params("\"a=x y\""), (std::vector<KernelParam>{kv("a", "x y")}));
}

// Both former tokenizers dropped every quote. The kernel drops only a
// leading one and its partner at the end; the others stay.
TEST(KernelCmdline, QuotesInsideAWordStay) {
  EXPECT_EQ(params("a\"b c\"d"), (std::vector<KernelParam>{flag("a\"b c\"d")}));
  EXPECT_EQ(params("BOOT_IMAGE=/boot/a\"b c\" ro"),
            (std::vector<KernelParam>{kv("BOOT_IMAGE", "/boot/a\"b c\""), flag("ro")}));
  EXPECT_EQ(params("a=\"abc\"def"), (std::vector<KernelParam>{kv("a", "abc\"def")}));
  // Value quotes first; the leading quote's partner is then gone.
  EXPECT_EQ(params("\"a=\"b\"\""), (std::vector<KernelParam>{kv("a", "b\"")}));
}

TEST(KernelCmdline, NameEndsAtTheFirstEqualsSignButNotALeadingOne) {
  EXPECT_EQ(params("root=UUID=0b1c"), (std::vector<KernelParam>{kv("root", "UUID=0b1c")}));
  EXPECT_EQ(params("=a=b"), (std::vector<KernelParam>{kv("=a", "b")}));
  EXPECT_EQ(params("=x"), (std::vector<KernelParam>{flag("=x")}));
  EXPECT_EQ(params("a="), (std::vector<KernelParam>{kv("a", "")}));
}

// The loader refused the line; discovery took the rest as one word without
// the quote; the kernel takes the rest as one parameter.
TEST(KernelCmdline, UnterminatedQuoteRunsToTheEnd) {
  KernelCmdline c = split_kernel_cmdline("root=/dev/vda \"bootseal.mode=enforce ro");
  EXPECT_TRUE(c.unterminated_quote);
  EXPECT_EQ(c.params, (std::vector<KernelParam>{kv("root", "/dev/vda"), kv("bootseal.mode", "enforce ro")}));

  c = split_kernel_cmdline("a=\"x y  ");
  EXPECT_TRUE(c.unterminated_quote);
  EXPECT_EQ(c.params, (std::vector<KernelParam>{kv("a", "x y  ")}));

  c = split_kernel_cmdline("ro \"");
  EXPECT_TRUE(c.unterminated_quote);
  EXPECT_EQ(c.params, (std::vector<KernelParam>{flag("ro"), flag("")}));

  EXPECT_FALSE(split_kernel_cmdline("a=\"x\" \"b\"").unterminated_quote);
}

TEST(KernelCmdline, DoubleDashStartsInitsArguments) {
  KernelCmdline c = split_kernel_cmdline("ro -- bootseal.mode=permissive single -- x");
  EXPECT_EQ(c.params, (std::vector<KernelParam>{flag("ro")}));
  EXPECT_EQ(c.init_args,
            (std::vector<KernelParam>{kv("bootseal.mode", "permissive"), flag("single"), flag("--"), flag("x")}));
  // Only a bare "--" counts; quotes around it are dropped first.
  c = split_kernel_cmdline("--=1 \"--\" a");
  EXPECT_EQ(c.params, (std::vector<KernelParam>{kv("--", "1")}));
  EXPECT_EQ(c.init_args, (std::vector<KernelParam>{flag("a")}));
}

TEST(KernelCmdline, EndsAtTheFirstNul) {
  const std::string text("ro\0bootseal.mode=permissive", 27);
  EXPECT_EQ(params(text), (std::vector<KernelParam>{flag("ro")}));
}

}  // namespace
}  // namespace bootseal

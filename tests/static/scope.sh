# Sourced by clang-tidy.sh and cppcheck.sh: what the static analysis covers.
# cppcheck: the libraries (lib/), the programs and tests of signer,
# tools and kernel-loader, and the fuzz targets. clang-tidy: the same
# without tests/unit, whose GoogleTest sources take clang-tidy's analyzer
# longer than all the rest together (they run under ASan and UBSan instead).
# enforcer/ is read through its headers (bootseal.h, bootseal_contract.hpp),
# which the loader's and the tools' sources include; enforcer/*.bpf.c is BPF
# C that neither tool models (the verifier checks it at load time), so the
# directory itself is not listed.
static_dirs="lib signer tools kernel-loader tests/unit tests/fuzz"
tidy_dirs="lib signer tools kernel-loader tests/fuzz"
static_excluded=""

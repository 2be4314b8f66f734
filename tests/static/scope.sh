# Sourced by clang-tidy.sh and cppcheck.sh: what the static analysis covers.
# cppcheck: the libraries, programs and tests of store-format, signer and
# tools, and the fuzz targets. clang-tidy: the same without tests/unit,
# whose GoogleTest sources take clang-tidy's analyzer longer than all the
# rest together (they run under ASan and UBSan instead).
# Left out for now (docs/HARDENING.md): kernel-loader/ and enforcer/ and the
# loader's own tests, which are still being finished; enforcer/*.bpf.c is
# BPF C that neither tool models (the verifier checks it at load time).
static_dirs="store-format signer tools tests/unit tests/fuzz"
tidy_dirs="store-format signer tools tests/fuzz"
static_excluded="tests/unit/test_compiler.cpp tests/unit/test_loader_config.cpp tests/unit/test_loader_dry_run.cpp"

# m68k-linux-gnu: 32-bit big-endian Linux, run under qemu-m68k.
# harness-apt: gcc-m68k-linux-gnu g++-m68k-linux-gnu libc6-dev-m68k-cross
set(HARNESS_TRIPLE m68k-linux-gnu)
set(CMAKE_SYSTEM_PROCESSOR m68k)
set(HARNESS_DATA_MODEL "32-bit big-endian")
set(HARNESS_QEMU qemu-m68k)

# Clang compiles for m68k but cannot link: its build is compile-only, which
# is enough for the ABI probes (compile-time manifests, docs/abi-audit.md).
set(HARNESS_CLANG_COMPILE_ONLY "clang 14's experimental m68k backend cannot link against Debian's libc (relocation truncated to fit: R_68K_PC16)")
include(${CMAKE_CURRENT_LIST_DIR}/common/linux-cross.cmake)

# hppa-linux-gnu: 32-bit big-endian Linux, run under qemu-hppa.
# harness-apt: gcc-hppa-linux-gnu libc6-dev-hppa-cross
set(HARNESS_TRIPLE hppa-linux-gnu)
set(CMAKE_SYSTEM_PROCESSOR hppa)
set(HARNESS_DATA_MODEL "32-bit big-endian")
set(HARNESS_QEMU qemu-hppa)

set(HARNESS_CLANG_UNAVAILABLE "clang has no hppa (PA-RISC) target")
include(${CMAKE_CURRENT_LIST_DIR}/common/linux-cross.cmake)

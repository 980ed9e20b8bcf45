# riscv64-linux-gnu: 64-bit little-endian Linux, run under qemu-riscv64.
# harness-apt: gcc-riscv64-linux-gnu g++-riscv64-linux-gnu libc6-dev-riscv64-cross
set(HARNESS_TRIPLE riscv64-linux-gnu)
set(CMAKE_SYSTEM_PROCESSOR riscv64)
set(HARNESS_DATA_MODEL "64-bit little-endian")
set(HARNESS_QEMU qemu-riscv64)
include(${CMAKE_CURRENT_LIST_DIR}/common/linux-cross.cmake)

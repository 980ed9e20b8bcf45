# aarch64-linux-gnu: 64-bit little-endian Linux, run under qemu-aarch64.
# harness-apt: gcc-aarch64-linux-gnu g++-aarch64-linux-gnu libc6-dev-arm64-cross
set(HARNESS_TRIPLE aarch64-linux-gnu)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(HARNESS_DATA_MODEL "64-bit little-endian")
set(HARNESS_QEMU qemu-aarch64)
include(${CMAKE_CURRENT_LIST_DIR}/common/linux-cross.cmake)

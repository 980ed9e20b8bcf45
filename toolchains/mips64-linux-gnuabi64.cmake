# mips64-linux-gnuabi64: 64-bit big-endian Linux, run under qemu-mips64.
# harness-apt: gcc-mips64-linux-gnuabi64 g++-mips64-linux-gnuabi64 libc6-dev-mips64-cross
set(HARNESS_TRIPLE mips64-linux-gnuabi64)
set(CMAKE_SYSTEM_PROCESSOR mips64)
set(HARNESS_DATA_MODEL "64-bit big-endian")
set(HARNESS_QEMU qemu-mips64)

set(HARNESS_CLANG_FLAGS "-nostdlibinc -isystem /usr/mips64-linux-gnuabi64/include")
include(${CMAKE_CURRENT_LIST_DIR}/common/linux-cross.cmake)

# mipsel-linux-gnu: 32-bit little-endian Linux, run under qemu-mipsel.
# harness-apt: gcc-mipsel-linux-gnu g++-mipsel-linux-gnu libc6-dev-mipsel-cross
set(HARNESS_TRIPLE mipsel-linux-gnu)
set(CMAKE_SYSTEM_PROCESSOR mipsel)
set(HARNESS_DATA_MODEL "32-bit little-endian")
set(HARNESS_QEMU qemu-mipsel)
include(${CMAKE_CURRENT_LIST_DIR}/common/linux-cross.cmake)

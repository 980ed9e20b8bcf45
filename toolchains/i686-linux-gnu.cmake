# i686-linux-gnu: 32-bit little-endian Linux, run under qemu-i386.
# harness-apt: gcc-i686-linux-gnu libc6-dev-i386-cross
# harness-data-model: 32-bit little-endian
set(HARNESS_TRIPLE i686-linux-gnu)
set(CMAKE_SYSTEM_PROCESSOR i686)
set(HARNESS_QEMU qemu-i386)

include(${CMAKE_CURRENT_LIST_DIR}/common/linux-cross.cmake)

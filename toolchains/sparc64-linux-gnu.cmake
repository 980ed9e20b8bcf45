# sparc64-linux-gnu: 64-bit big-endian Linux, run under qemu-sparc64.
# harness-apt: gcc-sparc64-linux-gnu g++-sparc64-linux-gnu libc6-dev-sparc64-cross
set(HARNESS_TRIPLE sparc64-linux-gnu)
set(CMAKE_SYSTEM_PROCESSOR sparc64)
set(HARNESS_DATA_MODEL "64-bit big-endian")
set(HARNESS_QEMU qemu-sparc64)
include(${CMAKE_CURRENT_LIST_DIR}/common/linux-cross.cmake)

# mips-linux-gnu: 32-bit big-endian Linux, run under qemu-mips.
# harness-apt: gcc-mips-linux-gnu g++-mips-linux-gnu libc6-dev-mips-cross
set(HARNESS_TRIPLE mips-linux-gnu)
set(CMAKE_SYSTEM_PROCESSOR mips)
set(HARNESS_DATA_MODEL "32-bit big-endian")
set(HARNESS_QEMU qemu-mips)

# Only for this triple the clang driver puts GCC's include directory on the
# path; -nostdlibinc keeps clang's own headers in front of the C library's.
set(HARNESS_CLANG_FLAGS "-nostdlibinc -isystem /usr/mips-linux-gnu/include")
include(${CMAKE_CURRENT_LIST_DIR}/common/linux-cross.cmake)

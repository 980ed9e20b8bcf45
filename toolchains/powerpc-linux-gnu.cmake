# powerpc-linux-gnu: 32-bit big-endian Linux, run under qemu-ppc.
# harness-apt: gcc-powerpc-linux-gnu libc6-dev-powerpc-cross
# harness-data-model: 32-bit big-endian
set(HARNESS_TRIPLE powerpc-linux-gnu)
set(CMAKE_SYSTEM_PROCESSOR powerpc)
set(HARNESS_QEMU qemu-ppc)

# qemu-user maps a 32-bit guest at an offset in the 64-bit host, so
# /proc/self/smaps lists host addresses, not the program's.
set(HARNESS_NO_SMAPS "qemu-user maps 32-bit guests at an offset: /proc/self/smaps shows host, not guest, addresses")
include(${CMAKE_CURRENT_LIST_DIR}/common/linux-cross.cmake)

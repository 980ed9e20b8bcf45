# powerpc64-linux-gnu: 64-bit big-endian Linux, run under qemu-ppc64.
# harness-apt: gcc-powerpc64-linux-gnu g++-powerpc64-linux-gnu libc6-dev-ppc64-cross
set(HARNESS_TRIPLE powerpc64-linux-gnu)
set(CMAKE_SYSTEM_PROCESSOR ppc64)
set(HARNESS_DATA_MODEL "64-bit big-endian")
set(HARNESS_QEMU qemu-ppc64)
include(${CMAKE_CURRENT_LIST_DIR}/common/linux-cross.cmake)

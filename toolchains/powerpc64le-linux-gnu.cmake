# powerpc64le-linux-gnu: 64-bit little-endian Linux, run under qemu-ppc64le.
# harness-apt: gcc-powerpc64le-linux-gnu g++-powerpc64le-linux-gnu libc6-dev-ppc64el-cross
set(HARNESS_TRIPLE powerpc64le-linux-gnu)
set(CMAKE_SYSTEM_PROCESSOR ppc64le)
set(HARNESS_DATA_MODEL "64-bit little-endian")
set(HARNESS_QEMU qemu-ppc64le)
include(${CMAKE_CURRENT_LIST_DIR}/common/linux-cross.cmake)

# arm-linux-gnueabihf: 32-bit little-endian Linux, run under qemu-arm.
# harness-apt: gcc-arm-linux-gnueabihf g++-arm-linux-gnueabihf libc6-dev-armhf-cross
set(HARNESS_TRIPLE arm-linux-gnueabihf)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(HARNESS_DATA_MODEL "32-bit little-endian")
set(HARNESS_QEMU qemu-arm)
include(${CMAKE_CURRENT_LIST_DIR}/common/linux-cross.cmake)

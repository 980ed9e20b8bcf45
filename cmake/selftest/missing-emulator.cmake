# A target whose emulator does not exist, for ci/test.sh: configuring with it
# must stop with a clear "harness: unavailable:" message.
set(HARNESS_TRIPLE s390x-linux-gnu)
set(CMAKE_SYSTEM_PROCESSOR s390x)
set(HARNESS_QEMU qemu-nosuch)
include(${CMAKE_CURRENT_LIST_DIR}/../../toolchains/common/linux-cross.cmake)

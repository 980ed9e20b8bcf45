# s390x-linux-gnu: 64-bit big-endian Linux, run under qemu-s390x.
# harness-apt: gcc-s390x-linux-gnu g++-s390x-linux-gnu libc6-dev-s390x-cross
set(HARNESS_TRIPLE s390x-linux-gnu)
set(CMAKE_SYSTEM_PROCESSOR s390x)
set(HARNESS_DATA_MODEL "64-bit big-endian")
set(HARNESS_QEMU qemu-s390x)
# Its data model's CBMC proofs of the real headers run in its GCC build (docs/proofs.md).
set(HARNESS_PROOFS ON)
# The limited-API generations (every header set x Py_LIMITED_API x runtime) run in its
# GCC build (the MSVC ABI: clang-cl), one configuration per data model (cases/CMakeLists.txt).
set(HARNESS_GENERATIONS ON)
include(${CMAKE_CURRENT_LIST_DIR}/common/linux-cross.cmake)

# powerpc-linux-gnu: 32-bit big-endian Linux, run under qemu-ppc.
# harness-apt: gcc-powerpc-linux-gnu g++-powerpc-linux-gnu libc6-dev-powerpc-cross
set(HARNESS_TRIPLE powerpc-linux-gnu)
set(CMAKE_SYSTEM_PROCESSOR powerpc)
set(HARNESS_DATA_MODEL "32-bit big-endian")
set(HARNESS_QEMU qemu-ppc)
# Its data model's CBMC proofs of the real headers run in its GCC build (docs/proofs.md).
set(HARNESS_PROOFS ON)
# The limited-API generations (every header set x Py_LIMITED_API x runtime) run in its
# GCC build (the MSVC ABI: clang-cl), one configuration per data model (cases/CMakeLists.txt).
set(HARNESS_GENERATIONS ON)
include(${CMAKE_CURRENT_LIST_DIR}/common/linux-cross.cmake)

# i686-linux-gnu: 32-bit little-endian Linux, run under qemu-i386.
# harness-apt: gcc-i686-linux-gnu g++-i686-linux-gnu libc6-dev-i386-cross
set(HARNESS_TRIPLE i686-linux-gnu)
set(CMAKE_SYSTEM_PROCESSOR i686)
set(HARNESS_DATA_MODEL "32-bit little-endian")
set(HARNESS_MULTIARCH i386-linux-gnu) # Debian's name for its libraries and pyconfig.h
set(HARNESS_QEMU qemu-i386)

# qemu-i386 (Debian 12's 7.2, Debian 13's 10.0 alike) hangs in fork()
# children and new threads of dynamically linked programs; statically linked
# ones fork and start threads. So the case programs are linked -static, all
# but legacy_abi, which dlopen()s the legacy extension (its checks run
# without fork, CK_FORK=no, as every case program's under an emulator).
set(HARNESS_CLONE_NEEDS_STATIC ON)
# Its data model's CBMC proofs of the real headers run in its GCC build (docs/proofs.md).
set(HARNESS_PROOFS ON)
# The limited-API generations (every header set x Py_LIMITED_API x runtime) run in its
# GCC build (the MSVC ABI: clang-cl), one configuration per data model (cases/CMakeLists.txt).
set(HARNESS_GENERATIONS ON)
include(${CMAKE_CURRENT_LIST_DIR}/common/linux-cross.cmake)

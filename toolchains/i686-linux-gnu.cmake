# i686-linux-gnu: 32-bit little-endian Linux, run under qemu-i386.
# harness-apt: gcc-i686-linux-gnu g++-i686-linux-gnu libc6-dev-i386-cross
set(HARNESS_TRIPLE i686-linux-gnu)
set(CMAKE_SYSTEM_PROCESSOR i686)
set(HARNESS_DATA_MODEL "32-bit little-endian")
set(HARNESS_MULTIARCH i386-linux-gnu) # Debian's name for its libraries and pyconfig.h
set(HARNESS_QEMU qemu-i386)

# qemu-i386 (Debian 12, 7.2) hangs in fork() children and new threads of dynamically
# linked programs (static ones fork fine; the cases must be dynamic to
# dlopen() the legacy extension). Check then runs without fork, and the
# fork-based cases are skipped with this reason.
set(HARNESS_NO_CLONE "qemu-i386 7.2 hangs in the child of fork() and in new threads (clone) of dynamically linked i386 programs")
include(${CMAKE_CURRENT_LIST_DIR}/common/linux-cross.cmake)

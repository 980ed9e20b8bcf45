# The table of targets (ci/tables.py) reads these two lines:
# harness-compilers: gcc clang
# harness-runs: under QEMU
#
# Shared part of every Linux cross toolchain file (see cross.cmake for what a
# target file sets). Linux targets also set:
#   HARNESS_QEMU            qemu-user binary that runs the target
# and optionally:
#   HARNESS_QEMU_FLAGS      extra qemu flags (e.g. -cpu)
#   HARNESS_CLONE_NEEDS_STATIC  ON where the emulator forks and starts threads
#                           only in statically linked programs

set(CMAKE_SYSTEM_NAME Linux)
include(${CMAKE_CURRENT_LIST_DIR}/cross.cmake)

if(HARNESS_COMPILER STREQUAL "clang")
  # --sysroot for compiles only: Debian's libc.so linker scripts hold absolute
  # paths that a link-time sysroot would break; without any sysroot the host's
  # /usr/local/include would leak into the search path.
  set(CMAKE_SYSROOT_COMPILE /usr/${HARNESS_TRIPLE})
endif()

find_program(HARNESS_QEMU_PATH ${HARNESS_QEMU} NO_CACHE)
if(NOT HARNESS_QEMU_PATH)
  harness_unavailable("${HARNESS_QEMU} not found (package qemu-user; ci/setup.sh installs it)")
endif()
# No binfmt_misc here: every foreign binary runs through this emulator, with
# the Debian cross sysroot as the loader prefix (the cases are dynamically
# linked because the legacy-ABI case dlopen()s a real shared library).
set(CMAKE_CROSSCOMPILING_EMULATOR ${HARNESS_QEMU_PATH} ${HARNESS_QEMU_FLAGS} -L /usr/${HARNESS_TRIPLE})

# qemu-user places a 32-bit guest at an offset inside the 64-bit host, so
# /proc/self/smaps lists host addresses: the smaps cases find their heap by
# the name of its memfd (cases/platform_posix.c), not by its address.

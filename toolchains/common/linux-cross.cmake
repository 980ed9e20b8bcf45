# Shared part of every Linux cross toolchain file. A target file sets:
#   HARNESS_TRIPLE          Debian multiarch triple (also the cross tool prefix)
#   CMAKE_SYSTEM_PROCESSOR
#   HARNESS_DATA_MODEL      "32-bit little-endian", ... (checked against the
#                           compiler once the project is configured)
#   HARNESS_QEMU            qemu-user binary that runs the target
# and optionally its quirks:
#   HARNESS_CLANG_UNAVAILABLE  why Clang cannot build for this target
#   HARNESS_CLANG_FLAGS        extra Clang compile flags
#   HARNESS_QEMU_FLAGS         extra qemu flags (e.g. -cpu)
#   HARNESS_NO_CLONE            why fork() and threads cannot be used under the emulator
# HARNESS_COMPILER (gcc|clang) comes from the preset.
#
# A missing tool is reported with the prefix "harness: unavailable:" so the
# matrix runner can count the configuration as a skip with that reason.

set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_C_COMPILER_TARGET ${HARNESS_TRIPLE})

if(NOT DEFINED HARNESS_COMPILER)
  set(HARNESS_COMPILER gcc)
endif()
set(HARNESS_COMPILER ${HARNESS_COMPILER} CACHE STRING "gcc or clang")
# try_compile projects re-read this file and need the same choice.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES HARNESS_COMPILER HARNESS_CACHE_DIR)

if(NOT DEFINED HARNESS_CACHE_DIR)
  if(DEFINED ENV{HARNESS_CACHE})
    set(HARNESS_CACHE_DIR "$ENV{HARNESS_CACHE}")
  else()
    get_filename_component(HARNESS_CACHE_DIR "${CMAKE_CURRENT_LIST_DIR}/../../.cache" ABSOLUTE)
  endif()
endif()

function(harness_unavailable why)
  message(FATAL_ERROR "harness: unavailable: ${why}")
endfunction()

if(HARNESS_COMPILER STREQUAL "gcc")
  find_program(HARNESS_CC ${HARNESS_TRIPLE}-gcc NO_CACHE)
  if(NOT HARNESS_CC)
    harness_unavailable("${HARNESS_TRIPLE}-gcc not found (ci/setup.sh installs it)")
  endif()
  set(CMAKE_C_COMPILER ${HARNESS_CC})
  find_program(CMAKE_AR ${HARNESS_TRIPLE}-ar)
  find_program(CMAKE_RANLIB ${HARNESS_TRIPLE}-ranlib)
elseif(HARNESS_COMPILER STREQUAL "clang")
  if(DEFINED HARNESS_CLANG_UNAVAILABLE)
    harness_unavailable("clang for ${HARNESS_TRIPLE}: ${HARNESS_CLANG_UNAVAILABLE}")
  endif()
  find_program(HARNESS_CC clang NO_CACHE)
  if(NOT HARNESS_CC)
    harness_unavailable("clang not found (ci/setup.sh installs it)")
  endif()
  if(NOT EXISTS /usr/${HARNESS_TRIPLE}/include/stdio.h)
    harness_unavailable("no ${HARNESS_TRIPLE} C library headers in /usr/${HARNESS_TRIPLE} (ci/setup.sh installs them)")
  endif()
  set(CMAKE_C_COMPILER ${HARNESS_CC})
  find_program(CMAKE_AR llvm-ar)
  find_program(CMAKE_RANLIB llvm-ranlib)
  # --sysroot for compiles only: Debian's libc.so linker scripts hold absolute
  # paths that a link-time sysroot would break; without any sysroot the host's
  # /usr/local/include would leak into the search path.
  set(CMAKE_SYSROOT_COMPILE /usr/${HARNESS_TRIPLE})
  set(CMAKE_C_FLAGS_INIT "${HARNESS_CLANG_FLAGS}")
else()
  message(FATAL_ERROR "harness: HARNESS_COMPILER must be gcc or clang, not '${HARNESS_COMPILER}'")
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
# /proc/self/smaps lists host addresses, not the program's.
if(HARNESS_DATA_MODEL MATCHES "^32-bit")
  set(HARNESS_NO_SMAPS "qemu-user maps 32-bit guests at an offset: /proc/self/smaps shows host, not guest, addresses")
endif()

# Check for the target is built from Debian's source package by ci/setup.sh.
set(CMAKE_FIND_ROOT_PATH /usr/${HARNESS_TRIPLE} ${HARNESS_CACHE_DIR}/check/${HARNESS_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

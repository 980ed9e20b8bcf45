# What every cross toolchain file shares: the compiler choice, the cache
# where ci/setup.sh puts each target's Check, and how a missing tool is
# reported. Included by linux-cross.cmake and windows-cross.cmake.
#
# A target file sets HARNESS_TRIPLE (Debian's triple, also the cross tool
# prefix), CMAKE_SYSTEM_PROCESSOR and HARNESS_DATA_MODEL ("32-bit
# little-endian", ...; checked against the compiler once the project is
# configured), optionally HARNESS_CLANG_UNAVAILABLE (why Clang cannot build
# for it) and HARNESS_CLANG_FLAGS. HARNESS_COMPILER (gcc|clang) comes from the
# preset.
#
# A missing tool is reported with the prefix "harness: unavailable:" so that
# the matrix runner can count the configuration as a skip with that reason.

set(CMAKE_C_COMPILER_TARGET ${HARNESS_TRIPLE})
if(NOT DEFINED HARNESS_COMPILER)
  set(HARNESS_COMPILER gcc)
endif()
set(HARNESS_COMPILER ${HARNESS_COMPILER} CACHE STRING "gcc or clang")
# try_compile projects re-read the toolchain file and need the same choice.
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
  set(CMAKE_C_FLAGS_INIT "${HARNESS_CLANG_FLAGS}")
else()
  message(FATAL_ERROR "harness: HARNESS_COMPILER must be gcc or clang, not '${HARNESS_COMPILER}'")
endif()

set(CMAKE_FIND_ROOT_PATH /usr/${HARNESS_TRIPLE} ${HARNESS_CACHE_DIR}/check/${HARNESS_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# The table of targets (ci/tables.py) reads these two lines:
# harness-compilers: gcc clang
# harness-runs: under Wine
#
# Shared part of the MinGW-w64 toolchain files (see cross.cmake for what a
# target file sets, and windows.cmake for what every Windows target shares).

set(CMAKE_SYSTEM_NAME Windows)
include(${CMAKE_CURRENT_LIST_DIR}/cross.cmake)
find_program(CMAKE_RC_COMPILER ${HARNESS_TRIPLE}-windres)
# msvcrt's printf has no %zu or %llu; MinGW's own C99 stdio has.
if(NOT CMAKE_C_FLAGS_INIT MATCHES "__USE_MINGW_ANSI_STDIO")
  string(APPEND CMAKE_C_FLAGS_INIT " -D__USE_MINGW_ANSI_STDIO=1")
endif()

if(HARNESS_COMPILER STREQUAL "gcc")
  # The free-threaded headers' _Py_ThreadId() reads the TEB with
  # __readgsqword(48); GCC 12 takes any constant address below a page for a
  # null pointer's and warns (-Warray-bounds, GCC PR 99578) unless told
  # that pages may start at 0.
  if(NOT CMAKE_C_FLAGS_INIT MATCHES "min-pagesize") # this file is read more than once
    string(APPEND CMAKE_C_FLAGS_INIT " --param=min-pagesize=0")
  endif()
endif()

set(link_flags "-static") # no MinGW runtime DLLs for Wine to look for
if(HARNESS_COMPILER STREQUAL "clang")
  # Debian names GCC's MinGW directory "12-win32", which clang's driver does
  # not search, so libgcc is not found without this.
  file(GLOB gcc_dirs /usr/lib/gcc/${HARNESS_TRIPLE}/*-win32)
  list(GET gcc_dirs 0 gcc_dir)
  string(APPEND link_flags " -L${gcc_dir}")
  # Nor its libstdc++ headers (g++-mingw-w64-*-win32), for C++.
  if(NOT CMAKE_CXX_FLAGS_INIT MATCHES "include/c\\+\\+") # this file is read more than once
    string(APPEND CMAKE_CXX_FLAGS_INIT " -isystem ${gcc_dir}/include/c++ -isystem ${gcc_dir}/include/c++/${HARNESS_TRIPLE}")
  endif()
endif()
set(CMAKE_EXE_LINKER_FLAGS_INIT "${link_flags}")
set(CMAKE_MODULE_LINKER_FLAGS_INIT "${link_flags}")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "${link_flags}")

include(${CMAKE_CURRENT_LIST_DIR}/windows.cmake)

# The GCC-or-Clang cross toolchains: the compiler choice and where to find
# the target's libraries. Included by linux-cross.cmake and
# windows-cross.cmake (msvc-abi.cmake has its own compiler, clang-cl).
#
# A target file sets HARNESS_TRIPLE (Debian's triple, also the cross tool
# prefix), CMAKE_SYSTEM_PROCESSOR and HARNESS_DATA_MODEL ("32-bit
# little-endian", ...; checked against the compiler once the project is
# configured), optionally HARNESS_CLANG_UNAVAILABLE (why Clang cannot build
# for it), HARNESS_CLANG_COMPILE_ONLY (why Clang can compile for it but not
# link: only what needs no link is built, the ABI probes, and the tests are
# skips with that reason) and HARNESS_CLANG_FLAGS. HARNESS_COMPILER (gcc|clang) comes from the
# preset.

set(HARNESS_DEFAULT_COMPILER gcc)
include(${CMAKE_CURRENT_LIST_DIR}/target.cmake)
set(CMAKE_C_COMPILER_TARGET ${HARNESS_TRIPLE})

if(HARNESS_COMPILER STREQUAL "gcc")
  find_program(HARNESS_CC ${HARNESS_TRIPLE}-gcc NO_CACHE)
  if(NOT HARNESS_CC)
    harness_unavailable("${HARNESS_TRIPLE}-gcc not found (ci/setup.sh installs it)")
  endif()
  set(CMAKE_C_COMPILER ${HARNESS_CC})
  # C++ only for the header hygiene cases, and only if the target's g++ is
  # installed (it is not required: those cases are then skips).
  find_program(HARNESS_CXX ${HARNESS_TRIPLE}-g++ NO_CACHE)
  if(HARNESS_CXX)
    set(CMAKE_CXX_COMPILER ${HARNESS_CXX})
  endif()
  find_program(CMAKE_AR ${HARNESS_TRIPLE}-ar)
  find_program(CMAKE_RANLIB ${HARNESS_TRIPLE}-ranlib)
elseif(HARNESS_COMPILER STREQUAL "clang")
  if(DEFINED HARNESS_CLANG_UNAVAILABLE)
    harness_unavailable("clang for ${HARNESS_TRIPLE}: ${HARNESS_CLANG_UNAVAILABLE}")
  endif()
  if(DEFINED HARNESS_CLANG_COMPILE_ONLY)
    set(HARNESS_COMPILE_ONLY "clang for ${HARNESS_TRIPLE} compiles only: ${HARNESS_CLANG_COMPILE_ONLY}")
    set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
  endif()
  find_program(HARNESS_CC clang NO_CACHE)
  if(NOT HARNESS_CC)
    harness_unavailable("clang not found (ci/setup.sh installs it)")
  endif()
  if(NOT EXISTS /usr/${HARNESS_TRIPLE}/include/stdio.h)
    harness_unavailable("no ${HARNESS_TRIPLE} C library headers in /usr/${HARNESS_TRIPLE} (ci/setup.sh installs them)")
  endif()
  set(CMAKE_C_COMPILER ${HARNESS_CC})
  find_program(HARNESS_CXX clang++ NO_CACHE)
  if(HARNESS_CXX)
    set(CMAKE_CXX_COMPILER ${HARNESS_CXX})
    set(CMAKE_CXX_COMPILER_TARGET ${HARNESS_TRIPLE})
    set(CMAKE_CXX_FLAGS_INIT "${HARNESS_CLANG_FLAGS}")
    # -nostdlibinc (mips) hides the target's libstdc++ too: C++ gets it back,
    # ahead of the C library's directory (its <cmath> #include_next-s <math.h>).
    file(GLOB libstdcxx_dirs /usr/${HARNESS_TRIPLE}/include/c++/*)
    if(HARNESS_CLANG_FLAGS MATCHES "-nostdlibinc" AND libstdcxx_dirs)
      list(GET libstdcxx_dirs 0 libstdcxx)
      set(CMAKE_CXX_FLAGS_INIT "-isystem ${libstdcxx} -isystem ${libstdcxx}/${HARNESS_TRIPLE} ${HARNESS_CLANG_FLAGS}")
    endif()
  endif()
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

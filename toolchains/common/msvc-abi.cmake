# The table of targets (ci/tables.py) reads these three lines:
# harness-compilers: clang-cl
# harness-runs: under Wine
# harness-label: MSVC ABI
#
# The MSVC ABI (*-pc-windows-msvc) without MSVC: clang-cl with the MSVC
# driver's flags and warnings (/W4 /WX from the top CMakeLists.txt), linked
# by lld-link, run under Wine. There is no MSVC C runtime SDK here, so
# ../msvc-abi-crt declares the UCRT functions and provides the entry point,
# the import libraries come from MinGW-w64's packages, and the cases run on
# the in-tree minicheck runner instead of Check (see ../msvc-abi-crt/README.md).
#
# A target file sets HARNESS_TRIPLE, CMAKE_SYSTEM_PROCESSOR,
# HARNESS_DATA_MODEL, HARNESS_IMPORT_LIBS (MinGW-w64's lib directory for the
# same CPU) and HARNESS_ABI_PEER (the MinGW-w64 target whose layouts must be
# the same), optionally HARNESS_EXTRA_LIBRARIES (more for the linker).

set(CMAKE_SYSTEM_NAME Windows)
set(HARNESS_DEFAULT_COMPILER clang-cl)
include(${CMAKE_CURRENT_LIST_DIR}/target.cmake)
if(NOT HARNESS_COMPILER STREQUAL "clang-cl")
  message(FATAL_ERROR "harness: ${HARNESS_TRIPLE} is built with clang-cl here, not '${HARNESS_COMPILER}'")
endif()

set(versions 19 18 17 16 15 14)
list(TRANSFORM versions PREPEND "clang-cl-" OUTPUT_VARIABLE clang_cl_names)
find_program(HARNESS_CLANG_CL NAMES clang-cl ${clang_cl_names} NO_CACHE)
find_program(HARNESS_LLD_LINK lld-link NO_CACHE)
find_program(HARNESS_LLVM_LIB llvm-lib NO_CACHE)
if(NOT HARNESS_CLANG_CL OR NOT HARNESS_LLD_LINK OR NOT HARNESS_LLVM_LIB)
  harness_unavailable("clang-cl, lld-link or llvm-lib not found (packages clang, lld, llvm; ci/setup.sh installs them)")
endif()
foreach(lib ucrt kernel32)
  if(NOT EXISTS ${HARNESS_IMPORT_LIBS}/lib${lib}.a)
    harness_unavailable("no ${HARNESS_IMPORT_LIBS}/lib${lib}.a (the MinGW-w64 import library for ${lib}; ci/setup.sh installs it)")
  endif()
endforeach()

set(CMAKE_C_COMPILER ${HARNESS_CLANG_CL})
set(CMAKE_LINKER ${HARNESS_LLD_LINK})
set(CMAKE_AR ${HARNESS_LLVM_LIB})
find_program(CMAKE_RC_COMPILER llvm-rc)
find_program(CMAKE_MT llvm-mt)
# Nothing links before the project's own startup code exists.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(crt ${CMAKE_CURRENT_LIST_DIR}/../msvc-abi-crt)
# /GS-: the stack cookie's checks live in vcruntime, which is not here.
# Freestanding: clang's own stddef.h, stdint.h, ... and ../msvc-abi-crt's
# declarations, no hosted headers searched for.
set(CMAKE_C_FLAGS_INIT "--target=${HARNESS_TRIPLE} /GS- /Zl -Xclang -ffreestanding -imsvc ${crt}/include")
set(CMAKE_C_STANDARD_LIBRARIES "${HARNESS_IMPORT_LIBS}/libucrt.a ${HARNESS_IMPORT_LIBS}/libkernel32.a ${HARNESS_EXTRA_LIBRARIES}"
    CACHE STRING "the UCRT and kernel32, through MinGW-w64's import libraries" FORCE)
# No vcruntime, hence no __chkstk: commit the whole stack up front, so that
# frames need no probing.
set(CMAKE_EXE_LINKER_FLAGS_INIT "/NODEFAULTLIB /ENTRY:mainCRTStartup /STACK:4194304,4194304")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "/NODEFAULTLIB /NOENTRY")
set(CMAKE_MODULE_LINKER_FLAGS_INIT "/NODEFAULTLIB /NOENTRY")
# startup.c, linked into every executable (it adds the target itself).
set(CMAKE_PROJECT_INCLUDE ${crt}/startup.cmake)
set(HARNESS_CHECK_IMPL minicheck)

include(${CMAKE_CURRENT_LIST_DIR}/windows.cmake)

# The CBMC proofs of the real headers (cases/proofs, where the target file
# sets HARNESS_PROOFS): CBMC's C front end reads GCC's dialect, not MSVC's,
# so the MSVC keywords that clang-cl's preprocessed code still holds are
# defined away for it. They carry linkage and calling conventions, not
# arithmetic; __int64 and its kin are the integers of those widths.
set(HARNESS_PROOF_DEFINITIONS "__declspec(x)=" "__cdecl=" "__forceinline=inline" "__int64=long long"
    "__int32=int" "__int16=short" "__int8=char")

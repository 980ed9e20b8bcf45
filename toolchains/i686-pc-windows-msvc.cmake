# i686-pc-windows-msvc: 32-bit Windows, MSVC's ABI, built with clang-cl and
# lld-link, run under Wine's wine32 (in an i386 Debian root where the system
# has none: docs/targets.md).
# harness-runs: under Wine (wine32)
# harness-apt: clang clang-tools lld llvm mingw-w64-i686-dev wine64 wine debootstrap eatmydata
# harness-i386-root: wine wine32
# harness-check: minicheck
set(HARNESS_TRIPLE i686-pc-windows-msvc)
set(CMAKE_SYSTEM_PROCESSOR X86)
set(HARNESS_DATA_MODEL "32-bit little-endian")
set(HARNESS_IMPORT_LIBS /usr/i686-w64-mingw32/lib)
set(HARNESS_ABI_PEER i686-w64-mingw32)
# 64-bit division and multiplication helpers (__aulldiv, ...) come with
# MSVC's CRT, which is not here; ntdll.dll exports them, and MinGW-w64's
# import library names the callee-pops ones with a stdcall suffix.
set(HARNESS_EXTRA_LIBRARIES ${HARNESS_IMPORT_LIBS}/libntdllcrt.a)
foreach(helper alldvrm allmul allrem aulldiv aulldvrm aullrem)
  string(APPEND HARNESS_EXTRA_LIBRARIES " /ALTERNATENAME:__${helper}=__${helper}@16")
endforeach()
# MinGW-w64's import libraries carry no SafeSEH table marker, which lld-link
# demands of every object on x86 unless told otherwise.
string(APPEND HARNESS_EXTRA_LIBRARIES " /SAFESEH:NO")
include(${CMAKE_CURRENT_LIST_DIR}/common/msvc-abi.cmake)

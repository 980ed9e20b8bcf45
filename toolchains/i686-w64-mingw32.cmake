# i686-w64-mingw32: 32-bit Windows, MinGW-w64, run under Wine's wine32 (in
# an i386 Debian root where the system has none: docs/targets.md);
# the legacy extension is a real DLL.
# harness-runs: under Wine (wine32)
# harness-apt: gcc-mingw-w64-i686-win32 g++-mingw-w64-i686-win32 wine64 wine debootstrap eatmydata
# harness-i386-root: wine wine32
set(HARNESS_TRIPLE i686-w64-mingw32)
set(CMAKE_SYSTEM_PROCESSOR i686)
set(HARNESS_DATA_MODEL "32-bit little-endian")

include(${CMAKE_CURRENT_LIST_DIR}/common/windows-cross.cmake)

# i686-w64-mingw32: 32-bit Windows, MinGW-w64, built with compile-time layout
# checks and ABI manifests (the real headers' too); not runnable here (no
# wine32: see common/windows.cmake), reported as skips.
# harness-runs: built only
# harness-apt: gcc-mingw-w64-i686-win32 g++-mingw-w64-i686-win32
set(HARNESS_TRIPLE i686-w64-mingw32)
set(CMAKE_SYSTEM_PROCESSOR i686)
set(HARNESS_DATA_MODEL "32-bit little-endian")

include(${CMAKE_CURRENT_LIST_DIR}/common/windows-cross.cmake)

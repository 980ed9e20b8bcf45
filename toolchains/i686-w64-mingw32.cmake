# i686-w64-mingw32: 32-bit little-endian Windows; built, not run (no wine32:
# see common/windows.cmake).
# harness-apt: gcc-mingw-w64-i686-win32
set(HARNESS_TRIPLE i686-w64-mingw32)
set(CMAKE_SYSTEM_PROCESSOR i686)
set(HARNESS_DATA_MODEL "32-bit little-endian")

include(${CMAKE_CURRENT_LIST_DIR}/common/windows-cross.cmake)

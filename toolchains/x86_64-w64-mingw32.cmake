# x86_64-w64-mingw32: 64-bit Windows (LLP64: long is 32 bits), MinGW-w64, run
# under Wine (wine64); the legacy extension is a real DLL.
# harness-apt: gcc-mingw-w64-x86-64-win32 g++-mingw-w64-x86-64-win32 wine64 wine
set(HARNESS_TRIPLE x86_64-w64-mingw32)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(HARNESS_DATA_MODEL "64-bit little-endian")
# The limited-API generations run in its GCC build: LLP64 through MinGW-w64 (cases/CMakeLists.txt).
set(HARNESS_GENERATIONS ON)
include(${CMAKE_CURRENT_LIST_DIR}/common/windows-cross.cmake)

# x86_64-pc-windows-msvc: 64-bit Windows, MSVC's ABI, built with clang-cl and
# lld-link, run under wine64. Its layouts must equal x86_64-w64-mingw32's.
# harness-apt: clang clang-tools lld llvm mingw-w64-x86-64-dev wine64 wine
# harness-check: minicheck
set(HARNESS_TRIPLE x86_64-pc-windows-msvc)
set(CMAKE_SYSTEM_PROCESSOR AMD64)
set(HARNESS_DATA_MODEL "64-bit little-endian")
set(HARNESS_IMPORT_LIBS /usr/x86_64-w64-mingw32/lib)
set(HARNESS_ABI_PEER x86_64-w64-mingw32)
include(${CMAKE_CURRENT_LIST_DIR}/common/msvc-abi.cmake)

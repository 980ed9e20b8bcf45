# x86_64-pc-windows-msvc: MSVC's ABI, built by clang-cl (/W4 /WX) and
# lld-link without the MSVC SDK, run under Wine (wine64) on the in-tree
# minicheck runner; its layouts and byte images must equal x86_64-w64-mingw32's.
# harness-apt: clang clang-tools lld llvm mingw-w64-x86-64-dev wine64 wine
# harness-check: minicheck
set(HARNESS_TRIPLE x86_64-pc-windows-msvc)
set(CMAKE_SYSTEM_PROCESSOR AMD64)
set(HARNESS_DATA_MODEL "64-bit little-endian")
set(HARNESS_IMPORT_LIBS /usr/x86_64-w64-mingw32/lib)
set(HARNESS_ABI_PEER x86_64-w64-mingw32)
# Its data model's (LLP64) CBMC proofs of the real headers run here (docs/proofs.md).
set(HARNESS_PROOFS ON)
# The limited-API generations (every header set x Py_LIMITED_API x runtime) run in its
# GCC build (the MSVC ABI: clang-cl), one configuration per data model (cases/CMakeLists.txt).
set(HARNESS_GENERATIONS ON)
include(${CMAKE_CURRENT_LIST_DIR}/common/msvc-abi.cmake)

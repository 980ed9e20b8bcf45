# i686-w64-mingw32: 32-bit little-endian Windows; built, not run.
# harness-apt: gcc-mingw-w64-i686-win32
set(HARNESS_TRIPLE i686-w64-mingw32)
set(CMAKE_SYSTEM_PROCESSOR i686)
set(HARNESS_DATA_MODEL "32-bit little-endian")

# 32-bit Windows programs need Debian's wine32 through i386 multiarch, which
# this machine's mirror cannot serve (its i386 security index is stale and
# apt-get update fails while i386 is enabled); wine64 given a 32-bit program
# prints nothing and exits 0.
set(HARNESS_NO_RUN "no wine32: 32-bit Windows programs need i386 multiarch, which this Debian mirror cannot serve (stale bookworm-security i386 index)")
include(${CMAKE_CURRENT_LIST_DIR}/common/windows-cross.cmake)

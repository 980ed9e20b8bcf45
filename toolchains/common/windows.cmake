# What every Windows target shares, whatever its compiler: no fork(), and
# Wine as the emulator, unless HARNESS_NO_RUN says why the programs cannot
# run here (they are then built, their layouts checked at compile time, and
# every test is a skip with that reason). Included by windows-cross.cmake
# (MinGW-w64) and msvc-abi.cmake (clang-cl).

# No fork(): copy-on-write after fork does not apply (its cases are not
# registered, cases/CMakeLists.txt).
set(HARNESS_NO_FORK "Windows has no fork(), and copy-on-write after fork is a POSIX scenario")

# 32-bit Windows programs need Debian's wine32 through i386 multiarch, which
# this machine's mirror cannot serve (its i386 security index is stale and
# apt-get update fails while i386 is enabled); wine64 given a 32-bit program
# prints nothing and exits 0.
if(HARNESS_DATA_MODEL MATCHES "^32-bit" AND NOT DEFINED HARNESS_NO_RUN)
  set(HARNESS_NO_RUN "no wine32: 32-bit Windows programs need i386 multiarch, which this Debian mirror cannot serve (stale bookworm-security i386 index)")
endif()

if(NOT DEFINED HARNESS_NO_RUN)
  find_program(HARNESS_WINE wine NO_CACHE)
  if(NOT HARNESS_WINE)
    harness_unavailable("wine not found (packages wine64 and wine; ci/setup.sh installs them)")
  endif()
  # The prefix ci/setup.sh creates, headless; WINEDEBUG keeps Wine's own
  # chatter out of the case output.
  set(CMAKE_CROSSCOMPILING_EMULATOR /usr/bin/env WINEPREFIX=${HARNESS_CACHE_DIR}/wine WINEDEBUG=-all ${HARNESS_WINE})
  # Run once before the cases (a CTest fixture): one persistent server and
  # Wine's helper processes, detached from any test's output. Otherwise every
  # short test starts or meets a server that is starting or stopping; under
  # load one client failed with "recvmsg: Connection reset by peer".
  # It passes only if Wine itself prints "wine ready" (a Windows program,
  # cmd.exe, ran): Wine can exit 0 having run nothing.
  set(HARNESS_EMULATOR_WARMUP "export WINEPREFIX='${HARNESS_CACHE_DIR}/wine' WINEDEBUG=-all; wineserver -p120 </dev/null >/dev/null 2>&1; wine wineboot </dev/null >/dev/null 2>&1; wine cmd /c echo wine ready </dev/null 2>/dev/null")
endif()

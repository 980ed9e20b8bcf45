# What every Windows target shares, whatever its compiler: no fork(), and
# Wine as the emulator, unless HARNESS_NO_RUN says why the programs cannot
# run here (they are then built, their layouts checked at compile time, and
# every test is a skip with that reason). Included by windows-cross.cmake
# (MinGW-w64) and msvc-abi.cmake (clang-cl).

# No fork(): copy-on-write after fork does not apply (its cases are not
# registered, cases/CMakeLists.txt).
set(HARNESS_NO_FORK "Windows has no fork(), and copy-on-write after fork is a POSIX scenario")

# 32-bit Windows programs need wine32 (wine64 given one prints nothing and
# exits 0). Where Debian's wine32 is installed (i386 multiarch: GitHub's
# runners) the system's Wine runs them. This machine's mirror cannot serve
# i386 multiarch (its i386 security index is stale and apt-get update fails
# while i386 is enabled), so ci/setup.sh makes an i386 Debian root with
# wine32 in the cache (harness-i386-root in the toolchain file), and
# wine32-root (wine32-root.c, which ci/setup.sh builds into the cache) runs
# Wine inside it, with the host's directories bound at their own paths.
set(HARNESS_WINE32_ROOT ${HARNESS_CACHE_DIR}/i386-root)
set(HARNESS_WINE32_ENTER ${HARNESS_CACHE_DIR}/wine32-root/wine32-root)
# wine_env: what runs Wine's commands (wine, wineserver) with its prefix,
# headless; WINEDEBUG keeps Wine's own chatter out of the case output.
# wine_program: the launcher, by absolute path where it is the system's (its
# package's version then keys the reuse of passes, cases/CMakeLists.txt).
set(wine_env)
if(HARNESS_DATA_MODEL MATCHES "^32-bit" AND NOT DEFINED HARNESS_NO_RUN AND NOT EXISTS /usr/lib/wine/wine)
  if(EXISTS ${HARNESS_WINE32_ROOT}/.ready AND EXISTS ${HARNESS_WINE32_ENTER})
    file(READ ${HARNESS_WINE32_ROOT}/.ready HARNESS_EMULATOR_IDENTITY) # its Wine's version, for reusing passes
    string(STRIP "${HARNESS_EMULATOR_IDENTITY}" HARNESS_EMULATOR_IDENTITY)
    set(wine_env ${HARNESS_WINE32_ENTER} ${HARNESS_WINE32_ROOT}
                 /usr/bin/env WINEPREFIX=/root/wine32 WINEDEBUG=-all)
    set(wine_program wine)
  else()
    set(HARNESS_NO_RUN "no wine32: Debian's wine32 is not installed (this mirror cannot serve i386 multiarch), and there is no i386 root with it in ${HARNESS_WINE32_ROOT} or no ${HARNESS_WINE32_ENTER} to run it (ci/setup.sh makes both, or says why not in ${HARNESS_WINE32_ROOT}.log)")
  endif()
elseif(NOT DEFINED HARNESS_NO_RUN)
  find_program(HARNESS_WINE wine NO_CACHE)
  if(NOT HARNESS_WINE)
    harness_unavailable("wine not found (packages wine64 and wine; ci/setup.sh installs them)")
  endif()
  # The prefix ci/setup.sh creates.
  set(wine_env /usr/bin/env WINEPREFIX=${HARNESS_CACHE_DIR}/wine WINEDEBUG=-all)
  set(wine_program ${HARNESS_WINE})
endif()

if(wine_env)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${wine_env} ${wine_program})
  # Wine rarely exits 1 in well under 0.2 s having printed nothing, for a
  # case that passes on every run after (about once in 1,100 Wine runs of a
  # full matrix, never in 5,315 outside it: docs/targets.md). A case
  # program's first line comes before any check, so such a run never started
  # it: the case is run once more, counted, and never reused
  # (cmake/run-case.cmake).
  set(HARNESS_EMULATOR_RETRIES_SILENT_EXIT ON)
  # Run once before the cases (a CTest fixture): one persistent server and
  # Wine's helper processes, detached from any test's output. Otherwise every
  # short test starts or meets a server that is starting or stopping; under
  # load one client failed with "recvmsg: Connection reset by peer".
  # It passes only if Wine itself prints "wine ready" (a Windows program,
  # cmd.exe, ran): Wine can exit 0 having run nothing.
  string(REPLACE ";" " " env "${wine_env}")
  set(HARNESS_EMULATOR_WARMUP "${env} wineserver -p120 </dev/null >/dev/null 2>&1; ${env} wine wineboot </dev/null >/dev/null 2>&1; ${env} wine cmd /c echo wine ready </dev/null 2>/dev/null")
endif()

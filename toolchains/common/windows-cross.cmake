# Shared part of the MinGW-w64 toolchain files (see cross.cmake for what a
# target file sets). Windows targets also set, optionally:
#   HARNESS_NO_RUN   why the target's programs cannot run on this machine:
#                    they are built (and their layout checked at compile
#                    time), and every test is a skip with this reason.

set(CMAKE_SYSTEM_NAME Windows)
include(${CMAKE_CURRENT_LIST_DIR}/cross.cmake)
find_program(CMAKE_RC_COMPILER ${HARNESS_TRIPLE}-windres)
# msvcrt's printf has no %zu or %llu; MinGW's own C99 stdio has.
if(NOT CMAKE_C_FLAGS_INIT MATCHES "__USE_MINGW_ANSI_STDIO")
  string(APPEND CMAKE_C_FLAGS_INIT " -D__USE_MINGW_ANSI_STDIO=1")
endif()

set(link_flags "-static") # no MinGW runtime DLLs for Wine to look for
if(HARNESS_COMPILER STREQUAL "clang")
  # Debian names GCC's MinGW directory "12-win32", which clang's driver does
  # not search, so libgcc is not found without this.
  file(GLOB gcc_dirs /usr/lib/gcc/${HARNESS_TRIPLE}/*-win32)
  list(GET gcc_dirs 0 gcc_dir)
  string(APPEND link_flags " -L${gcc_dir}")
endif()
set(CMAKE_EXE_LINKER_FLAGS_INIT "${link_flags}")
set(CMAKE_MODULE_LINKER_FLAGS_INIT "${link_flags}")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "${link_flags}")

# Windows has no fork(); threads are fine.
set(HARNESS_NO_FORK "Windows has no fork(), and copy-on-write after fork is a POSIX scenario")

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
  set(HARNESS_EMULATOR_WARMUP "export WINEPREFIX='${HARNESS_CACHE_DIR}/wine' WINEDEBUG=-all; wineserver -p120 </dev/null >/dev/null 2>&1; wine wineboot </dev/null >/dev/null 2>&1; echo wine ready")
endif()

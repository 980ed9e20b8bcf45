# run-case.cmake -- run one case binary and decide pass/fail from its output.
#
# Required: COMMAND   the command line (emulator first, if any), ;-separated
#           TIMEOUT   seconds
# Optional: SKIP_REASON  report the test as skipped with this reason, run nothing
#           RETRY_SILENT_EXIT  run once more if the first run printed nothing
#                        and failed (below; the emulator never started it)
#           RESULT_CACHE directory where passes are kept for reuse
#           IDENTITY     what else the run depends on (cases/CMakeLists.txt:
#                        the kernel, the emulator's and the loaded libraries'
#                        packages), part of the reuse key
#           BATCH        true: run the program once for IMPLEMENTATIONS (below)
#           IMPLEMENTATIONS  the batch: the implementations of this one's kind
#                        that this program and mode run with this
#                        environment, this one included, ','-separated
#
# A run passes only if the program exits 0, prints "N checks registered", and
# Check's summary shows exactly N checks with no failure and no error. An
# emulator that exits 0 without running the program (wine64 with a 32-bit
# .exe does) therefore fails, as does any sanitizer report.
#
# A program skips by exiting 77 with a "harness-skip: <reason>" line and no
# check registered; anything else that prints the marker (and exits 0, or
# crashes, or fails, or has a sanitizer report) fails. The verdict is this
# script's line (cmake/verdict.cmake); a program's own marker, or a verdict
# line it printed, is shown defused.
include(${CMAKE_CURRENT_LIST_DIR}/verdict.cmake)
if(DEFINED SKIP_REASON)
  harness_verdict(skip "${SKIP_REASON}")
  return()
endif()

# A pass is reused when nothing it depends on changed: the exact command;
# the content of every file it runs (case binary, emulator, interpreter,
# the modules it loads: HARNESS_*_MODULE, this script); IDENTITY; and the
# environment that steers the program, the runner or the emulator
# (HARNESS_STEERING_NAMES: HARNESS_*_MODULE, the sanitizers' *SAN_OPTIONS,
# Check's CK_*, QEMU_*, WINE*; one definition, ci/harness/reuse.py, which
# the configuration's reuse key shares). Set HARNESS_RERUN=1 to run
# everything again.
#
# A file's digest is kept beside the passes, under its path, size and
# modification time to the microsecond (what Ninja trusts to rebuild):
# hashing the emulator and the program anew for every test was about a
# tenth of an emulated test's CPU.
function(harness_file_digest out file)
  file(SIZE "${file}" size)
  file(TIMESTAMP "${file}" mtime "%s%f" UTC)
  string(SHA256 id "${file}|${size}|${mtime}")
  set(kept "${RESULT_CACHE}/digests/${id}")
  if(EXISTS "${kept}")
    file(READ "${kept}" sum)
  else()
    file(SHA256 "${file}" sum)
    string(RANDOM LENGTH 12 nonce)
    file(WRITE "${kept}.${nonce}" "${sum}") # then renamed: parallel tests never read half a digest
    file(RENAME "${kept}.${nonce}" "${kept}")
  endif()
  set(${out} "${sum}" PARENT_SCOPE)
endfunction()
# The command of another implementation of the same program and mode (a
# case program's command ends ";IMPLEMENTATION;MODE", MODE maybe empty).
function(harness_command_of out impl)
  string(REGEX REPLACE ";[^;]*(;[^;]*)$" ";${impl}\\1" command "${COMMAND}")
  set(${out} "${command}" PARENT_SCOPE)
endfunction()

if(DEFINED RESULT_CACHE)
  include(${CMAKE_CURRENT_LIST_DIR}/harness_tables.cmake)
  # This process's own environment: read from /proc where there is one (a
  # process to ask, env(1), cost a fifth of this script's CPU), from env(1)
  # or from a second CMake elsewhere. One entry per line either way.
  if(EXISTS /proc/self/environ)
    file(STRINGS /proc/self/environ steering REGEX "^(${HARNESS_STEERING_NAMES})=" ENCODING UTF-8)
  else()
    if(CMAKE_HOST_UNIX)
      execute_process(COMMAND env OUTPUT_VARIABLE environment)
    else()
      execute_process(COMMAND ${CMAKE_COMMAND} -E environment OUTPUT_VARIABLE environment)
    endif()
    string(REGEX MATCHALL "(^|\n)(${HARNESS_STEERING_NAMES})=[^\n]*" steering "${environment}")
    list(TRANSFORM steering REPLACE "^\n" "")
  endif()
  list(SORT steering)
  # All but the command: the same for every implementation of a batch.
  set(key_rest "|${TIMEOUT}|${IDENTITY}|${steering}")
  set(modules ${steering})
  list(FILTER modules INCLUDE REGEX "^HARNESS_[A-Z0-9]+_MODULE=")
  list(TRANSFORM modules REPLACE "^HARNESS_[A-Z0-9]+_MODULE=" "")
  foreach(file IN LISTS COMMAND modules ITEMS "${CMAKE_CURRENT_LIST_FILE}" "${CMAKE_CURRENT_LIST_DIR}/harness_tables.cmake"
                                              "${CMAKE_CURRENT_LIST_DIR}/verdict.cmake")
    if(IS_ABSOLUTE "${file}" AND EXISTS "${file}" AND NOT IS_DIRECTORY "${file}")
      harness_file_digest(sum "${file}")
      string(APPEND key_rest "|${sum}")
    endif()
  endforeach()
  # harness_kept_pass(OUT COMMAND): where the pass of COMMAND is kept.
  function(harness_kept_pass out command)
    string(SHA256 key "${command}${key_rest}")
    set(${out} "${RESULT_CACHE}/${key}.pass" PARENT_SCOPE)
  endfunction()
  harness_kept_pass(cached "${COMMAND}")
  if(EXISTS "${cached}" AND NOT "$ENV{HARNESS_RERUN}")
    file(READ "${cached}" out)
    message("harness: reused the pass of an identical earlier run (same command and files)\n${out}")
    harness_verdict(pass "reused")
    return()
  endif()
endif()

# A batch (BATCH: IMPLEMENTATIONS, the implementations of one kind that this
# program and mode run with this environment): the first to get here starts the
# program once for all that have neither a kept pass nor a record yet
# (cases/case_main.c, --batch: each in a child process of its own, as if
# started alone), and each then judges its own record below, as it would
# its own run. The records' directory is named by everything the key holds
# but the implementation, so a record left by an interrupted run is never
# read for a changed program. CTest runs a batch's tests one at a time
# (their RESOURCE_LOCK); the file lock guards two ctest processes too.
if(BATCH AND DEFINED RESULT_CACHE)
  string(REPLACE "," ";" IMPLEMENTATIONS "${IMPLEMENTATIONS}")
  string(REGEX MATCH ";([^;]*);([^;]*)$" _ "${COMMAND}")
  set(impl "${CMAKE_MATCH_1}")
  set(mode "${CMAKE_MATCH_2}")
  if(mode STREQUAL "")
    set(mode -)
  endif()
  string(REGEX REPLACE ";[^;]*;[^;]*$" "" program "${COMMAND}")
  string(SHA256 records "${program}|${mode}${key_rest}|${IMPLEMENTATIONS}")
  set(records "${RESULT_CACHE}/batch/${records}")
  file(MAKE_DIRECTORY "${records}")
  list(LENGTH IMPLEMENTATIONS group_size)
  math(EXPR batch_timeout "${TIMEOUT} * ${group_size} + 30")
  file(LOCK "${records}/lock" GUARD PROCESS TIMEOUT ${batch_timeout} RESULT_VARIABLE locked)
  if(NOT locked STREQUAL "0")
    harness_verdict(fail "the batch's records (${records}) stayed locked: ${locked}")
  endif()
  if(NOT EXISTS "${records}/${impl}.rc")
    set(run ${impl})
    foreach(other IN LISTS IMPLEMENTATIONS)
      harness_command_of(other_command ${other})
      harness_kept_pass(other_cached "${other_command}")
      if(NOT other STREQUAL impl AND NOT EXISTS "${records}/${other}.rc"
         AND (NOT EXISTS "${other_cached}" OR "$ENV{HARNESS_RERUN}"))
        list(APPEND run ${other})
      endif()
    endforeach()
    execute_process(COMMAND ${program} --batch ${records} ${TIMEOUT} ${mode} ${run}
      RESULT_VARIABLE batch_rc OUTPUT_VARIABLE batch_out ERROR_VARIABLE batch_out TIMEOUT ${batch_timeout})
    if(NOT batch_rc STREQUAL "0")
      message("harness: the batch run of ${run} exited '${batch_rc}':\n${batch_out}")
    endif()
  endif()
  if(NOT EXISTS "${records}/${impl}.rc")
    harness_verdict(fail "the batch run left no record of ${impl} in ${records}")
  endif()
  file(READ "${records}/${impl}.rc" rc)
  string(STRIP "${rc}" rc)
  file(READ "${records}/${impl}.out" out)
  file(REMOVE "${records}/${impl}.rc" "${records}/${impl}.out")
  file(LOCK "${records}/lock" RELEASE)
else()
  execute_process(COMMAND ${COMMAND}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out TIMEOUT ${TIMEOUT})
  # An emulator that exits non-zero having printed nothing at all never
  # started the program: a case program prints its first line, flushed,
  # before any check runs. Where the toolchain file says so
  # (HARNESS_EMULATOR_RETRIES_SILENT_EXIT: Wine), that run is reported and
  # made once more, and the second is judged on its own (and never reused).
  if(RETRY_SILENT_EXIT AND NOT rc STREQUAL "0" AND NOT rc MATCHES "timeout" AND out MATCHES "^[ \t\r\n]*$")
    message("harness-retry: the emulator exited '${rc}' having printed nothing (the program never started): run once more")
    execute_process(COMMAND ${COMMAND}
      RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out TIMEOUT ${TIMEOUT})
    set(retried TRUE)
  endif()
endif()
string(REPLACE "harness-skip: " "harness-skip (claimed): " defused "${out}")
string(REPLACE "harness-verdict: " "harness-verdict (claimed): " defused "${defused}")
message("${defused}")

string(REPLACE ";" " " shown "${COMMAND}")
set(sanitizer_report "(ERROR: AddressSanitizer|ERROR: LeakSanitizer|WARNING: ThreadSanitizer|runtime error:)")
if(rc STREQUAL "77" AND out MATCHES "harness-skip: ([^\n]*)")
  set(reason "${CMAKE_MATCH_1}")
  if(out MATCHES "${sanitizer_report}")
    harness_verdict(fail "a skip with a sanitizer report (${CMAKE_MATCH_1}): ${shown}")
  endif()
  if(out MATCHES "([1-9][0-9]*) checks registered")
    harness_verdict(fail "a skip after registering ${CMAKE_MATCH_1} checks: ${shown}")
  endif()
  harness_verdict(skip "${reason}") # CTest's SKIP_REGULAR_EXPRESSION reports it
  return()
endif()
if(out MATCHES "harness-skip: ")
  harness_verdict(fail "the program claimed a skip but exited '${rc}', not 77: ${shown}")
endif()
if(NOT rc STREQUAL "0")
  if(rc MATCHES "timeout")
    harness_verdict(fail "timed out after ${TIMEOUT} s: ${shown}")
  endif()
  harness_verdict(fail "exited with '${rc}': ${shown}")
endif()
if(out MATCHES "${sanitizer_report}")
  harness_verdict(fail "sanitizer report (${CMAKE_MATCH_1}): ${shown}")
endif()
if(NOT out MATCHES "([0-9]+) checks registered")
  harness_verdict(fail "the program printed nothing it should (did the emulator run it?): ${shown}")
endif()
set(registered ${CMAKE_MATCH_1})
if(NOT out MATCHES "([0-9]+)%: Checks: ([0-9]+), Failures: ([0-9]+), Errors: ([0-9]+)")
  harness_verdict(fail "no Check summary line: ${shown}")
endif()
if(NOT CMAKE_MATCH_2 EQUAL registered OR NOT CMAKE_MATCH_3 EQUAL 0 OR NOT CMAKE_MATCH_4 EQUAL 0)
  harness_verdict(fail "${CMAKE_MATCH_2} of ${registered} checks ran, ${CMAKE_MATCH_3} failed, ${CMAKE_MATCH_4} errors: ${shown}")
endif()
# A pass that needed the retry is not kept for reuse: the next run must
# show whether the emulator starts the program the first time.
if(DEFINED RESULT_CACHE AND NOT retried)
  file(WRITE "${cached}" "${out}")
endif()
harness_verdict(pass "${registered} checks passed")

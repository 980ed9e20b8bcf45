# run-case.cmake -- run one case binary and decide pass/fail from its output.
#
# Required: COMMAND   the command line (emulator first, if any), ;-separated
#           TIMEOUT   seconds
# Optional: SKIP_REASON  report the test as skipped with this reason, run nothing
#           RESULT_CACHE directory where passes are kept for reuse
#
# A run passes only if the program exits 0, prints "N checks registered", and
# Check's summary shows exactly N checks with no failure and no error. An
# emulator that exits 0 without running the program (wine64 with a 32-bit
# .exe does) therefore fails, as does any sanitizer report.
if(DEFINED SKIP_REASON)
  message("harness-skip: ${SKIP_REASON}")
  return()
endif()

# A pass is reused when nothing it depends on changed: the exact command and
# the content of every file it runs (case binary, emulator, legacy module,
# this script). Set HARNESS_RERUN=1 to run everything again.
set(key "${COMMAND}|${TIMEOUT}|$ENV{HARNESS_LEGACY_MODULE}|$ENV{CK_FORK}")
foreach(file IN LISTS COMMAND ITEMS "$ENV{HARNESS_LEGACY_MODULE}" "${CMAKE_CURRENT_LIST_FILE}")
  if(IS_ABSOLUTE "${file}" AND EXISTS "${file}" AND NOT IS_DIRECTORY "${file}")
    file(SHA256 "${file}" sum)
    string(APPEND key "|${sum}")
  endif()
endforeach()
string(SHA256 key "${key}")
if(DEFINED RESULT_CACHE)
  set(cached "${RESULT_CACHE}/${key}.pass")
  if(EXISTS "${cached}" AND NOT "$ENV{HARNESS_RERUN}")
    file(READ "${cached}" out)
    message("harness: reused the pass of an identical earlier run (same command and files)\n${out}")
    return()
  endif()
endif()

execute_process(COMMAND ${COMMAND}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out TIMEOUT ${TIMEOUT})
message("${out}")

string(REPLACE ";" " " shown "${COMMAND}")
if(out MATCHES "harness-skip: ")
  return() # the case says why; CTest's SKIP_REGULAR_EXPRESSION reports it
endif()
if(NOT rc STREQUAL "0")
  if(rc MATCHES "timeout")
    message(FATAL_ERROR "harness: FAIL: timed out after ${TIMEOUT} s: ${shown}")
  endif()
  message(FATAL_ERROR "harness: FAIL: exited with '${rc}': ${shown}")
endif()
if(out MATCHES "(ERROR: AddressSanitizer|ERROR: LeakSanitizer|WARNING: ThreadSanitizer|runtime error:)")
  message(FATAL_ERROR "harness: FAIL: sanitizer report (${CMAKE_MATCH_1}): ${shown}")
endif()
if(NOT out MATCHES "([0-9]+) checks registered")
  message(FATAL_ERROR "harness: FAIL: the program printed nothing it should (did the emulator run it?): ${shown}")
endif()
set(registered ${CMAKE_MATCH_1})
if(NOT out MATCHES "([0-9]+)%: Checks: ([0-9]+), Failures: ([0-9]+), Errors: ([0-9]+)")
  message(FATAL_ERROR "harness: FAIL: no Check summary line: ${shown}")
endif()
if(NOT CMAKE_MATCH_2 EQUAL registered OR NOT CMAKE_MATCH_3 EQUAL 0 OR NOT CMAKE_MATCH_4 EQUAL 0)
  message(FATAL_ERROR "harness: FAIL: ${CMAKE_MATCH_2} of ${registered} checks ran, "
                      "${CMAKE_MATCH_3} failed, ${CMAKE_MATCH_4} errors: ${shown}")
endif()
if(DEFINED RESULT_CACHE)
  file(WRITE "${cached}" "${out}")
endif()

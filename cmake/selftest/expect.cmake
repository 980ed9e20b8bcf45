# expect.cmake -- one self-test: run COMMAND and require its exit status and
# output (zlib-ng's test/cmake/test-tools.cmake runs its tools this way).
#
# Required: COMMAND  the command line, ;-separated
#           WANT_RC  the exit status it must have
# Optional: MATCH     a regular expression its output (stdout and stderr)
#                     must match
#           NO_MATCH  one it must not match
# CTest's PASS_REGULAR_EXPRESSION alone would ignore the exit status, and
# WILL_FAIL the output: this checks both.
# Its verdict is a runner's line (cmake/verdict.cmake), after the command's
# own output (whose verdict lines, if it is a runner, come before).
include(${CMAKE_CURRENT_LIST_DIR}/../verdict.cmake)
execute_process(COMMAND ${COMMAND} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
message("${out}")
set(why "")
if(NOT rc STREQUAL "${WANT_RC}")
  string(APPEND why " exit status ${rc}, not ${WANT_RC};")
endif()
if(DEFINED MATCH AND NOT out MATCHES "${MATCH}")
  string(APPEND why " no output matches '${MATCH}';")
endif()
if(DEFINED NO_MATCH AND out MATCHES "${NO_MATCH}")
  string(APPEND why " the output matches '${NO_MATCH}', which it must not;")
endif()
if(why)
  message("selftest: FAILED:${why}")
  harness_verdict(fail "selftest:${why}")
endif()
message("selftest: ok")
harness_verdict(pass "selftest: ok")

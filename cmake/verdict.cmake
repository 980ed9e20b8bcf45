# verdict.cmake -- the one line in which every test's runner states the
# test's verdict, and which everything else reads: CTest (its
# SKIP_REGULAR_EXPRESSION, HARNESS_SKIP_REGEX) and the reports
# (ci/harness/report.py, verdict()). One line per test, the runner's last:
#
#   harness-verdict: pass: <what held>
#   harness-verdict: skip: <reason>
#   harness-verdict: fail: <why>        (and the runner exits non-zero)
#
# A test without it failed, whatever its exit status: its runner never
# reached a verdict. The runners: cmake/run-case.cmake, run-proof.cmake,
# expect-compile-error.cmake, hygiene.cmake, undefined-symbols.cmake,
# run-warmup.cmake. The top-level CMakeLists.txt includes this file for
# HARNESS_SKIP_REGEX; each runner (cmake -P) for harness_verdict().
set(HARNESS_SKIP_REGEX "harness-verdict: skip: ")

# harness_verdict(pass|skip|fail TEXT): the verdict line; fail then stops
# the runner with a non-zero exit.
function(harness_verdict verdict text)
  if(NOT verdict MATCHES "^(pass|skip|fail)$")
    message(FATAL_ERROR "harness_verdict: '${verdict}' is not pass, skip or fail")
  endif()
  message("harness-verdict: ${verdict}: ${text}")
  if(verdict STREQUAL "fail")
    message(FATAL_ERROR "harness: the test failed: see its harness-verdict line")
  endif()
endfunction()

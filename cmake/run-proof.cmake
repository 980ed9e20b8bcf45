# run-proof.cmake -- one proof (cases/proofs/): preprocess proofs.c for a
# data model, run CBMC on one property's entry point, and judge every claim
# it reports against what the fact sheet says: proved, or refuted where
# REFUTED names it. A refuted claim's counterexample trace is printed.
#
#   cmake -DCBMC=<command list> -DPREPROCESS=<command list> -DOUTPUT=<.i>
#         -DFUNCTION=<entry> "-DCBMC_FLAGS=<list>" "-DREFUTED=<claim|claim>"
#         [-DSKIP_REASON=...] [-DTIMEOUT=s] -P run-proof.cmake
#
# Passes only if CBMC reported at least one claim, every claim came out as
# expected, and CBMC's verdict agrees; anything else (a preprocessing error,
# a parse error, a timeout, a claim with an unexpected result) fails.
cmake_minimum_required(VERSION 3.20)
if(DEFINED SKIP_REASON)
  message("harness-skip: ${SKIP_REASON}")
  return()
endif()
foreach(var CBMC PREPROCESS OUTPUT FUNCTION)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run-proof.cmake: ${var} is not set")
  endif()
endforeach()
if(NOT DEFINED TIMEOUT)
  set(TIMEOUT 300)
endif()
string(REPLACE "|" ";" refuted "${REFUTED}")

# To stdout: GCC, clang and clang-cl (whose source comes after "--") alike.
execute_process(COMMAND ${PREPROCESS} OUTPUT_FILE ${OUTPUT} RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "harness: proof ${FUNCTION}: preprocessing failed (${rc}):\n${err}")
endif()

string(TIMESTAMP t0 "%s%f")
execute_process(COMMAND ${CBMC} --no-library --unwind 48 --unwinding-assertions --compact-trace
                        ${CBMC_FLAGS} --function ${FUNCTION} ${OUTPUT}
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc TIMEOUT ${TIMEOUT})
string(TIMESTAMP t1 "%s%f")
math(EXPR ms "(${t1} - ${t0}) / 1000")
file(REMOVE ${OUTPUT})
if(rc MATCHES "timeout|Child")
  message(FATAL_ERROR "harness: proof ${FUNCTION}: CBMC ${rc} after ${TIMEOUT} s")
endif()

# "[proof_x.assertion.2] line 137 <claim>: SUCCESS" -- CBMC's own checks
# (pointer, unwinding) are claims too, all expected to hold.
string(REGEX MATCHALL "\n\\[[^]\n]+\\] line [0-9]+ [^\n]*: (SUCCESS|FAILURE)" claims "\n${out}")
list(LENGTH claims n)
if(n EQUAL 0)
  message(FATAL_ERROR "harness: proof ${FUNCTION}: CBMC reported no claim (exit ${rc}):\n${out}\n${err}")
endif()
set(proved 0)
set(as_expected 0)
set(wrong "")
set(seen_refuted "")
foreach(line IN LISTS claims)
  string(REGEX REPLACE "^\n\\[[^]]+\\] line [0-9]+ (.*): (SUCCESS|FAILURE)$" "\\1" claim "${line}")
  string(REGEX REPLACE ".*: (SUCCESS|FAILURE)$" "\\1" result "${line}")
  list(FIND refuted "${claim}" expected_refuted)
  if(result STREQUAL "SUCCESS" AND expected_refuted EQUAL -1)
    math(EXPR proved "${proved} + 1")
  elseif(result STREQUAL "FAILURE" AND NOT expected_refuted EQUAL -1)
    math(EXPR as_expected "${as_expected} + 1")
    list(APPEND seen_refuted "${claim}")
  elseif(result STREQUAL "FAILURE")
    string(APPEND wrong "\n  REFUTED, expected to hold: ${claim}")
  else()
    string(APPEND wrong "\n  HOLDS, expected to be refuted: ${claim}")
  endif()
endforeach()
foreach(claim IN LISTS refuted)
  if(NOT claim IN_LIST seen_refuted AND NOT wrong MATCHES "expected to be refuted: ${claim}")
    string(APPEND wrong "\n  not reported, expected to be refuted: ${claim}")
  endif()
endforeach()

# The counterexamples: CBMC's traces, one per refuted claim, each cut to
# what decides it: every nondeterministic choice (the header's bytes, the
# thread, the operation, n), the proof's own variables, and the violated
# claim.
string(FIND "${out}" "\nTrace for " at)
set(traces "")
if(NOT at EQUAL -1)
  string(SUBSTRING "${out}" ${at} -1 all)
  string(REGEX REPLACE "\n\n\\*\\* [0-9]+ of [0-9]+ failed.*" "" all "${all}")
  string(REPLACE ";" "," all "${all}")
  string(REPLACE "\n" ";" lines "${all}")
  set(keep 0)
  set(bytes "") # a run of nondet header bytes, shown as one line of hex
  foreach(line IN LISTS lines ITEMS "")
    if(line MATCHES "^ +[0-9]+: return_value_nondet_(uint8|uchar)=([0-9]+)")
      math(EXPR byte "${CMAKE_MATCH_2}" OUTPUT_FORMAT HEXADECIMAL)
      string(REGEX REPLACE "^0x(.)$" "0\\1" byte "${byte}")
      string(REGEX REPLACE "^0x" "" byte "${byte}")
      string(APPEND bytes " ${byte}")
      continue()
    endif()
    if(bytes AND (line STREQUAL "" OR line MATCHES "^Violated property|^Trace for |^ +[0-9]+: (return_value_nondet_|(n|w|up|op|count|moved|cur|next|local|by_owner)=)"))
      string(APPEND traces "\n    nondet header bytes:${bytes}")
      set(bytes "")
    endif()
    if(line MATCHES "^Violated property")
      string(APPEND traces "\n${line}")
      set(keep 2)
    elseif(line MATCHES "^Trace for ")
      string(APPEND traces "\n${line}")
    elseif(keep GREATER 0 AND line MATCHES "^  [^ ]")
      string(APPEND traces "\n${line}")
      math(EXPR keep "${keep} - 1")
    elseif(line MATCHES "^ +[0-9]+: (return_value_nondet_[a-z0-9_]+|n|w|up|op|count|moved|cur|next|local|by_owner)=")
      string(REGEX REPLACE " \\([01 ]+\\)$" "" line "${line}")
      string(REGEX REPLACE "^ +[0-9]+: return_value_nondet_" "    nondet " line "${line}")
      string(APPEND traces "\n${line}")
    endif()
  endforeach()
endif()
# Kept beside the preprocessed source's name for the reports (ctest keeps
# only the start of a passing test's output).
string(REGEX REPLACE "\\.i$" ".trace" trace_file "${OUTPUT}")
file(WRITE ${trace_file} "${traces}\n")
if(wrong)
  message(FATAL_ERROR "harness: proof ${FUNCTION} (${CBMC_FLAGS}): ${proved} claims proved, but:${wrong}\n"
                      "harness-proof-trace:${traces}")
endif()
if(out MATCHES "VERIFICATION FAILED" AND as_expected EQUAL 0)
  message(FATAL_ERROR "harness: proof ${FUNCTION}: CBMC says VERIFICATION FAILED with no claim refuted")
endif()
message("harness-proof: ${FUNCTION} (${CBMC_FLAGS}): ${proved} claims proved, ${as_expected} refuted as expected, in ${ms} ms")
if(as_expected)
  message("harness-proof-trace:${traces}")
endif()

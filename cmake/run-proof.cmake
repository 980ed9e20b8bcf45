# run-proof.cmake -- the proofs (cases/proofs/): make one proof input
# (proofs.c for an implementation and a data model, or real_proofs.c for a
# version's headers) once, then run CBMC on one property's entry point in
# it, and judge every claim it reports against what the fact sheet says:
# proved, or refuted where REFUTED names it. A refuted claim's
# counterexample trace is printed.
#
#   cmake -DCBMC=<command list> -DINPUT=<path without suffix> "-DCBMC_FLAGS=<list>"
#         [-DGOTO_CC=<command list> -DSYMTAB2GB=<command list> -DPREPROCESS=<command list>]
#         [-DFUNCTION=<entry> "-DREFUTED=<claim|claim>" [-DTRACE=<file>]]
#         [-DSKIP_REASON=...] [-DTIMEOUT=s] -P run-proof.cmake
#
# With PREPROCESS, the input is made first: preprocessed (INPUT.deps lists
# what it read) and compiled into a goto binary (INPUT.gb), so that CBMC
# parses CPython's preprocessed headers once, not once per proof (two
# thirds of a proof's time, five sixths on LLP64's real headers). goto-cc
# compiles it; but goto-cc spells LLP64 only as --winx64, which also
# switches its parser to Visual Studio's dialect, where neither the
# model's offsetof nor clang's headers parse. A large LLP64 input (the
# real headers', 340 KB: 0.8 s of parsing per proof) is parsed by CBMC
# itself, which reads --LLP64, once, and its symbol table compiled by
# symtab2gb (1.5 s); a small one (the model's, 50 KB: 0.03 s per proof)
# stays preprocessed (INPUT.i), parsed by each proof. With FUNCTION, that
# entry is proved. The one input per (implementation, data model) is a
# CTest fixture its proofs require (cases/proofs/CMakeLists.txt).
#
# A compiled input passes only if its data model, as CBMC sees it, is the
# one the preprocessor targeted (proof_data_model, cases/proofs/data_model.h).
# A proof passes only if CBMC reported at least one claim, every claim came
# out as expected, and CBMC's verdict agrees; anything else (a preprocessing
# error, a parse error, a timeout, a claim with an unexpected result) fails.
cmake_minimum_required(VERSION 3.20)
include(${CMAKE_CURRENT_LIST_DIR}/verdict.cmake)
if(DEFINED SKIP_REASON)
  harness_verdict(skip "${SKIP_REASON}")
  return()
endif()
foreach(var CBMC INPUT)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run-proof.cmake: ${var} is not set")
  endif()
endforeach()
if(NOT DEFINED PREPROCESS AND NOT DEFINED FUNCTION)
  message(FATAL_ERROR "run-proof.cmake: nothing to do: neither PREPROCESS nor FUNCTION is set")
endif()
if(NOT DEFINED TIMEOUT)
  set(TIMEOUT 300)
endif()
set(cbmc_options --no-library --drop-unused-functions --unwind 48 --unwinding-assertions --compact-trace ${CBMC_FLAGS})

if(DEFINED PREPROCESS)
  if(NOT DEFINED GOTO_CC OR NOT DEFINED SYMTAB2GB)
    message(FATAL_ERROR "run-proof.cmake: PREPROCESS needs GOTO_CC and SYMTAB2GB")
  endif()
  # Nothing of an earlier input survives a failure to make this one.
  file(REMOVE ${INPUT}.gb ${INPUT}.i ${INPUT}.symtab.json)
  # To stdout: GCC, clang and clang-cl (whose source comes after "--") alike.
  execute_process(COMMAND ${PREPROCESS} OUTPUT_FILE ${INPUT}.i RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    harness_verdict(fail "proof input ${INPUT}: preprocessing failed (${rc}):\n${err}")
  endif()

  # The files the proofs read, from the preprocessed source's line markers
  # ('# 12 "file"', '#line 12 "file"'): the reuse key (ci/harness/reuse.py)
  # hashes them, so that an edited header runs the proofs again.
  file(STRINGS ${INPUT}.i markers REGEX "^#(line)? *[0-9]+ \"[^\"<]")
  list(TRANSFORM markers REPLACE "^#(line)? *[0-9]+ \"([^\"]*)\".*" "\\2")
  list(TRANSFORM markers REPLACE "\\\\\\\\" "/") # clang-cl's doubled backslashes
  list(REMOVE_DUPLICATES markers)
  string(REPLACE ";" "\n" markers "${markers}")
  file(WRITE ${INPUT}.deps "${markers}\n")

  # CBMC's data-model options as goto-cc (GCC's mode) spells them: it
  # ignores --ILP32 (and whatever else it does not know) and takes the
  # byte order from -mbig-endian. LLP64 it cannot spell (above).
  set(goto_cc_flags)
  set(llp64 NO)
  set(symbol_table_above 131072) # bytes of preprocessed LLP64 input
  foreach(flag IN LISTS CBMC_FLAGS)
    if(flag STREQUAL "--ILP32")
      list(APPEND goto_cc_flags -m32)
    elseif(flag STREQUAL "--LP64")
      list(APPEND goto_cc_flags -m64)
    elseif(flag STREQUAL "--LLP64")
      set(llp64 YES)
    elseif(flag STREQUAL "--big-endian")
      list(APPEND goto_cc_flags -mbig-endian)
    elseif(NOT flag STREQUAL "--little-endian")
      message(FATAL_ERROR "run-proof.cmake: no goto-cc spelling for CBMC's option ${flag}")
    endif()
  endforeach()
  file(SIZE ${INPUT}.i size)
  if(llp64 AND size LESS_EQUAL symbol_table_above)
    message("harness-proof-input: ${INPUT}.i (${CBMC_FLAGS}): preprocessed once for its proofs (${size} bytes)")
  else()
    if(llp64)
      # CBMC's symbol table as JSON: at verbosity 0, [{"program": ...},
      # {"symbolTable": ...}], whose second element symtab2gb reads.
      execute_process(COMMAND ${CBMC} ${CBMC_FLAGS} --show-symbol-table --json-ui --verbosity 0 ${INPUT}.i
                      OUTPUT_VARIABLE table ERROR_VARIABLE err RESULT_VARIABLE rc TIMEOUT ${TIMEOUT})
      if(rc EQUAL 0)
        string(JSON table ERROR_VARIABLE json_error GET "${table}" 1)
      endif()
      if(NOT rc EQUAL 0 OR json_error)
        harness_verdict(fail "proof input ${INPUT}: CBMC did not parse it (${rc}${json_error}):\n${err}")
      endif()
      file(WRITE ${INPUT}.symtab.json "${table}")
      execute_process(COMMAND ${SYMTAB2GB} ${INPUT}.symtab.json --out ${INPUT}.gb
                      OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc TIMEOUT ${TIMEOUT})
      file(REMOVE ${INPUT}.symtab.json)
      set(compiler symtab2gb)
    else()
      execute_process(COMMAND ${GOTO_CC} ${goto_cc_flags} -c ${INPUT}.i -o ${INPUT}.gb
                      OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc TIMEOUT ${TIMEOUT})
      set(compiler goto-cc)
    endif()
    file(REMOVE ${INPUT}.i)
    if(NOT rc EQUAL 0 OR NOT EXISTS ${INPUT}.gb)
      harness_verdict(fail "proof input ${INPUT}: ${compiler} failed (${rc}):\n${out}${err}")
    endif()
    # The data model CBMC will use is the one the preprocessor targeted.
    execute_process(COMMAND ${CBMC} ${cbmc_options} --function proof_data_model ${INPUT}.gb
                    OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc TIMEOUT ${TIMEOUT})
    string(REGEX MATCHALL "\n\\[proof_data_model\\.assertion\\.[0-9]+\\] [^\n]*: SUCCESS" held "\n${out}")
    list(LENGTH held n)
    if(NOT rc EQUAL 0 OR NOT n EQUAL 3)
      string(REGEX MATCHALL "data model: [^\n]*: FAILURE" wrong "${out}")
      string(REPLACE ";" "\n  " wrong "${wrong}")
      harness_verdict(fail "proof input ${INPUT} (${CBMC_FLAGS}, compiled by ${compiler}): CBMC's data model is not the preprocessor's (${n} of 3 data-model claims held, exit ${rc}):\n  ${wrong}\n${err}")
    endif()
    message("harness-proof-input: ${INPUT}.gb (${CBMC_FLAGS}): compiled once for its proofs (${compiler}); its data model is the preprocessor's")
  endif()
  if(NOT DEFINED FUNCTION)
    harness_verdict(pass "proof input made")
    return()
  endif()
endif()
set(input ${INPUT}.gb)
if(NOT EXISTS ${input})
  set(input ${INPUT}.i)
endif()
if(NOT EXISTS ${input})
  harness_verdict(fail "proof ${FUNCTION}: no input ${INPUT}.gb or .i (its fixture did not run)")
endif()
if(NOT DEFINED TRACE)
  set(TRACE ${INPUT}.trace)
endif()
string(REPLACE "|" ";" refuted "${REFUTED}")

string(TIMESTAMP t0 "%s%f")
execute_process(COMMAND ${CBMC} ${cbmc_options} --function ${FUNCTION} ${input}
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc TIMEOUT ${TIMEOUT})
string(TIMESTAMP t1 "%s%f")
math(EXPR ms "(${t1} - ${t0}) / 1000")
if(rc MATCHES "timeout|Child")
  harness_verdict(fail "proof ${FUNCTION}: CBMC ${rc} after ${TIMEOUT} s")
endif()
# Every result line, "[proof_x.assertion.2] line 137 <claim>: SUCCESS", of
# the functions the entry reaches (--drop-unused-functions: the rest would
# be claims no proof exercises). The proof's own claims are its PROVE()s
# (".assertion."); CBMC's own checks (pointer, overflow, unwinding) are
# claims too, all expected to hold, and counted apart. Each ASSUME() is
# followed by a reachability witness, "reachable: <assumption>", that must
# be refuted: a path that no input takes would make every claim after it
# hold vacuously.
string(REGEX MATCHALL "\n\\[[^]\n]+\\] (line [0-9]+ )?[^\n]*: [A-Z]+" claims "\n${out}")
list(LENGTH claims n)
if(n EQUAL 0)
  harness_verdict(fail "proof ${FUNCTION}: CBMC reported no claim (exit ${rc}):\n${out}\n${err}")
endif()
set(proved 0)
set(checks 0)
set(as_expected 0)
set(reachable 0)
set(failures 0)
set(wrong "")
set(seen_refuted "")
set(witness_ids "")
foreach(line IN LISTS claims)
  # One expression per line: the claims of a proof number in the hundreds.
  string(REGEX MATCH "^\n\\[([^]]+)\\] (line [0-9]+ )?(.*): ([A-Z]+)$" _ "${line}")
  set(id "${CMAKE_MATCH_1}")
  set(claim "${CMAKE_MATCH_3}")
  set(result "${CMAKE_MATCH_4}")
  if(result STREQUAL "FAILURE")
    math(EXPR failures "${failures} + 1")
  endif()
  list(FIND refuted "${claim}" expected_refuted)
  if(NOT result MATCHES "^(SUCCESS|FAILURE)$")
    string(APPEND wrong "\n  ${result}: CBMC did not decide: ${claim}")
  elseif(id MATCHES "\\.no-body\\.")
    # Under --no-library a call to a function without a body does nothing,
    # and a property after it could hold vacuously.
    string(APPEND wrong "\n  ${claim}: a call with no effect (only the declared nondet_* may have no body)")
  elseif(claim MATCHES "^reachable: ")
    list(APPEND witness_ids "${id}")
    if(result STREQUAL "FAILURE")
      math(EXPR reachable "${reachable} + 1")
    else()
      string(REGEX REPLACE "^reachable: " "" assumption "${claim}")
      string(APPEND wrong "\n  unreachable: no input gets past ASSUME(${assumption}), so every claim after it holds vacuously")
    endif()
  elseif(result STREQUAL "SUCCESS" AND expected_refuted EQUAL -1)
    if(id MATCHES "\\.assertion\\.")
      math(EXPR proved "${proved} + 1")
    else()
      math(EXPR checks "${checks} + 1")
    endif()
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
# CBMC's own count must be what was read: a result line in a form the
# runner does not parse would otherwise go unjudged.
if(NOT out MATCHES "\n\\*\\* ([0-9]+) of ([0-9]+) failed")
  string(APPEND wrong "\n  CBMC printed no '** K of M failed' summary")
elseif(NOT CMAKE_MATCH_1 EQUAL failures OR NOT CMAKE_MATCH_2 EQUAL n)
  string(APPEND wrong "\n  CBMC says ${CMAKE_MATCH_1} of ${CMAKE_MATCH_2} failed; the runner read ${failures} of ${n}")
endif()
# Older CBMCs warn instead of reporting a no-body property.
string(REGEX MATCHALL "no body for function [A-Za-z_0-9]+" bodiless "${out}\n${err}")
foreach(warning IN LISTS bodiless)
  if(NOT warning MATCHES " nondet_[A-Za-z_0-9]+$")
    string(APPEND wrong "\n  ${warning}: a call with no effect (only the declared nondet_* may have no body)")
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
  # One block per trace; a reachability witness's shows only that the path
  # is taken, and is passed over whole, not line by line.
  string(ASCII 1 trace_start)
  string(REPLACE "\nTrace for " "${trace_start}Trace for " all "${all}")
  string(REPLACE "${trace_start}" ";" blocks "${all}")
  set(lines "")
  foreach(block IN LISTS blocks)
    if(block MATCHES "^Trace for ([^:\n]+):")
      list(FIND witness_ids "${CMAKE_MATCH_1}" witness)
      if(NOT witness EQUAL -1)
        continue()
      endif()
    endif()
    string(REPLACE "\n" ";" block_lines "${block}")
    list(APPEND lines ${block_lines})
  endforeach()
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
# Kept under the proof's name for the reports (ctest keeps only the start
# of a passing test's output).
file(WRITE ${TRACE} "${traces}\n")
if(wrong)
  harness_verdict(fail "proof ${FUNCTION} (${CBMC_FLAGS}): ${proved} claims proved, but:${wrong}\nharness-proof-trace:${traces}")
endif()
if(out MATCHES "VERIFICATION FAILED" AND as_expected EQUAL 0 AND reachable EQUAL 0)
  harness_verdict(fail "proof ${FUNCTION}: CBMC says VERIFICATION FAILED with no claim refuted")
endif()
message("harness-proof: ${FUNCTION} (${CBMC_FLAGS}): ${proved} claims proved, ${as_expected} refuted as expected, "
        "${reachable} assumptions reachable, ${checks} CBMC checks held, in ${ms} ms")
if(as_expected)
  message("harness-proof-trace:${traces}")
endif()
harness_verdict(pass "every claim as the fact sheet says")

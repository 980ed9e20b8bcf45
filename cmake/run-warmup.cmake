# run-warmup.cmake -- an emulator's warm-up (a toolchain file's
# HARNESS_EMULATOR_WARMUP: a shell command), the fixture every case of its
# target requires: it passes when the emulator says it is ready.
#
# Required: WARMUP (the command), TIMEOUT (seconds)
include(${CMAKE_CURRENT_LIST_DIR}/verdict.cmake)
execute_process(COMMAND /bin/sh -c "${WARMUP}" RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out
  TIMEOUT ${TIMEOUT})
message("${out}")
if(out MATCHES "ready")
  harness_verdict(pass "the emulator is ready")
else()
  harness_verdict(fail "the emulator's warm-up never said it is ready (exit '${rc}'): ${WARMUP}")
endif()

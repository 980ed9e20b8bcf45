# batch-stopped.cmake -- a batch stopped by a signal stops its child with
# it (cases/platform_posix.c, platform_run_child): the child runs in a
# process group of its own, which Ctrl-C or a runner's kill of the batch's
# group does not reach, so the batch passes SIGTERM on. The batch of one
# implementation that never returns (hang-3.14, with a child timeout of 60 s)
# gets SIGTERM after 2 s; 2 s later no process of that batch may be left.
#
#   cmake -DPROGRAM=<batch_misbehaving> -DDIR=<a records directory of its own> -P batch-stopped.cmake
foreach(var PROGRAM DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "batch-stopped.cmake: ${var} is not set")
  endif()
endforeach()
file(REMOVE_RECURSE ${DIR})
file(MAKE_DIRECTORY ${DIR})
# The batch and its child have the same command line (the child is a fork).
set(pattern "--batch ${DIR} 60 ")
execute_process(COMMAND timeout -s TERM 2 ${PROGRAM} --batch ${DIR} 60 - hang-3.14
                RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
execute_process(COMMAND sleep 2)
execute_process(COMMAND pgrep -f -- "${pattern}" OUTPUT_VARIABLE left RESULT_VARIABLE found)
if(found EQUAL 0)
  execute_process(COMMAND pkill -KILL -f -- "${pattern}")
  string(REPLACE "\n" " " left "${left}")
  message(FATAL_ERROR "selftest-batch: the batch got SIGTERM (timeout's exit ${rc}) and left processes running: ${left}")
endif()
message("selftest-batch: the batch got SIGTERM (timeout's exit ${rc}) and its child went with it")

# build-target.cmake -- harness_build_target(RC OUT): build TARGET in the
# tree BUILD_DIR (its exit status and output), for the cases that judge a
# compile (hygiene.cmake, expect-compile-error.cmake). With BUILD_TOOL (the
# tree's ninja, where its generator is Ninja: cases/CMakeLists.txt) the
# tool is run directly; a CMake between them cost as much CPU as the
# compile's own start. Otherwise through cmake --build.
function(harness_build_target rc_var out_var)
  if(BUILD_TOOL)
    set(command ${BUILD_TOOL} -C ${BUILD_DIR} ${TARGET})
  else()
    set(command ${CMAKE_COMMAND} --build ${BUILD_DIR} --target ${TARGET})
  endif()
  execute_process(COMMAND ${command} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  set(${rc_var} "${rc}" PARENT_SCOPE)
  set(${out_var} "${out}" PARENT_SCOPE)
endfunction()

# The target's compiler run directly at configure time, for what CMake's
# try_compile would do at several times the cost: a try_compile writes,
# generates and builds a project of its own (about 0.15 s of CPU), the
# compiler alone takes a third of that. Used where configure asks many
# such questions: whether CPython's headers compile here and describe this
# target (pyconfig.cmake, CMakeLists.txt), and what a binding library's
# copy defines itself (harness/bindings/bindings.cmake). Visual Studio's
# generators keep try_compile for the compile checks (below).
#
# harness_compiler_command(OUT LANG [DIRS dir...] [DEFINITIONS def...]): the
# compiler of LANG (C or CXX) and the options every compile for this target
# carries: the toolchain's target and sysroot, CMAKE_<LANG>_FLAGS (where a
# toolchain file puts its own: clang's --target, clang-cl's CRT); then DIRS
# on the include path and DEFINITIONS defined.
function(harness_compiler_command out lang)
  cmake_parse_arguments(PARSE_ARGV 2 arg "" "" "DIRS;DEFINITIONS")
  set(command ${CMAKE_${lang}_COMPILER})
  if(CMAKE_${lang}_COMPILER_ID STREQUAL "Clang" AND CMAKE_${lang}_COMPILER_TARGET AND NOT MSVC)
    list(APPEND command --target=${CMAKE_${lang}_COMPILER_TARGET})
  endif()
  if(CMAKE_SYSROOT_COMPILE)
    list(APPEND command --sysroot=${CMAKE_SYSROOT_COMPILE})
  elseif(CMAKE_SYSROOT)
    list(APPEND command --sysroot=${CMAKE_SYSROOT})
  endif()
  separate_arguments(flags NATIVE_COMMAND "${CMAKE_${lang}_FLAGS}")
  list(APPEND command ${flags})
  foreach(d IN LISTS arg_DIRS)
    list(APPEND command -I${d})
  endforeach()
  foreach(d IN LISTS arg_DEFINITIONS)
    list(APPEND command -D${d})
  endforeach()
  set(${out} "${command}" PARENT_SCOPE)
endfunction()

# harness_compile_check(OUT_OK OUT_FIRST_ERROR NAME SOURCE_TEXT [DIRS dir...] [DEFINITIONS def...]):
# whether SOURCE_TEXT compiles to an object for this target (as C, with
# DIRS on the include path and DEFINITIONS defined), as a try_compile of a
# static library would say; on no, the compiler's first error line. NAME
# names the files it leaves in CMakeFiles/harness-compile/. Under Visual
# Studio's generators it is that try_compile: there cl.exe finds its own
# headers through MSBuild, not through the environment that a compiler run
# directly would need.
function(harness_compile_check out_ok out_first name text)
  cmake_parse_arguments(PARSE_ARGV 4 arg "" "" "DIRS;DEFINITIONS")
  set(dir ${CMAKE_BINARY_DIR}/CMakeFiles/harness-compile)
  file(MAKE_DIRECTORY ${dir})
  file(WRITE ${dir}/${name}.c "${text}")
  if(CMAKE_GENERATOR MATCHES "^Visual Studio")
    set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
    list(TRANSFORM arg_DEFINITIONS PREPEND "-D" OUTPUT_VARIABLE defs)
    try_compile(ok ${dir}/${name} SOURCES ${dir}/${name}.c COMPILE_DEFINITIONS ${defs}
                CMAKE_FLAGS "-DINCLUDE_DIRECTORIES=${arg_DIRS}" OUTPUT_VARIABLE log)
    set(rc 0)
    if(NOT ok)
      set(rc 1)
    endif()
  else()
    harness_compile_direct(rc log ${dir}/${name} DIRS ${arg_DIRS} DEFINITIONS ${arg_DEFINITIONS})
  endif()
  if(rc EQUAL 0)
    set(${out_ok} TRUE PARENT_SCOPE)
    set(${out_first} "" PARENT_SCOPE)
  else()
    string(REGEX MATCH "[^\n]*(error|Error)[^\n]*" first "${log}")
    string(STRIP "${first}" first)
    if(NOT first)
      set(first "the compiler failed (${rc}) without an error line: ${log}")
    endif()
    set(${out_ok} FALSE PARENT_SCOPE)
    set(${out_first} "${first}" PARENT_SCOPE)
  endif()
endfunction()

# harness_compile_direct(RC_VAR LOG_VAR STEM [DIRS dir...] [DEFINITIONS def...]):
# STEM.c compiled to STEM.o (STEM.obj with MSVC's drivers) by the compiler
# alone; its exit status and what it said.
function(harness_compile_direct rc_var log_var stem)
  cmake_parse_arguments(PARSE_ARGV 3 arg "" "" "DIRS;DEFINITIONS")
  harness_compiler_command(command C DIRS ${arg_DIRS} DEFINITIONS ${arg_DEFINITIONS})
  if(CMAKE_C_STANDARD)
    # The project's standard and extensions, as try_compile adds them
    # (-std=c11 for GCC and Clang: CMAKE_C_EXTENSIONS is OFF).
    if(CMAKE_C_EXTENSIONS)
      list(APPEND command ${CMAKE_C${CMAKE_C_STANDARD}_EXTENSION_COMPILE_OPTION})
    else()
      list(APPEND command ${CMAKE_C${CMAKE_C_STANDARD}_STANDARD_COMPILE_OPTION})
    endif()
  endif()
  if(MSVC)
    # cl and clang-cl: /Fo names the object. clang-cl reads a path that
    # starts with '/' as an option unless "--" comes before it.
    list(APPEND command /c /Fo${stem}.obj)
    if(CMAKE_C_COMPILER_ID STREQUAL "Clang")
      list(APPEND command --)
    endif()
    list(APPEND command ${stem}.c)
  else()
    list(APPEND command -c -o ${stem}.o ${stem}.c)
  endif()
  execute_process(COMMAND ${command} RESULT_VARIABLE rc OUTPUT_VARIABLE log ERROR_VARIABLE log)
  set(${rc_var} "${rc}" PARENT_SCOPE)
  set(${log_var} "${log}" PARENT_SCOPE)
endfunction()

# Binding libraries' own copies of the refcount code as implementations
# (harness/bindings/bindings.txt; docs/implementations.md, "Binding
# libraries"). Included by harness/real/CMakeLists.txt once CPython's real
# headers are registered: each copy runs over the real headers of every
# version linked here, as "<name>-<version>", providing the operations it
# defines itself for that version; the case programs take the others from
# "real-<version>", its base.
#
# Which operations are its own is read from the copy, per version: a
# configure-time preprocessing of it with those headers, each of its
# functions renamed, tells which it defines itself (in its own file: not
# CPython's, not in a header it merely includes). A copy with no operation
# of its own for a version is not registered, and the report says so
# (bindings.txt in the build tree, read by ci/report-bindings.py). A Rust
# copy (PyO3) is built in setup instead (ci/harness/rustshims.py), which
# reads its own operations off the objects (harness_binding_rust). Each C
# and C++ copy is also compiled under abi3t (harness_binding_abi3t).

set(HARNESS_BINDINGS_ROOT "${HARNESS_CACHE_DIR}/bindings" CACHE PATH
    "where ci/setup.sh unpacked the binding libraries' sources")
set(HARNESS_RUST_SHIMS_ROOT "${HARNESS_CACHE_DIR}/rust-shims" CACHE PATH
    "where ci/setup.sh built the Rust copies' shims (ci/harness/rustshims.py)")
set(bindings_dir ${CMAKE_CURRENT_LIST_DIR})
set(HARNESS_BINDINGS_TABLE "${bindings_dir}/bindings.txt" CACHE FILEPATH
    "the binding libraries' table (a self-test gives its own: cmake/selftest/fake-binding)")
if(NOT EXISTS "${HARNESS_BINDINGS_TABLE}")
  message(FATAL_ERROR "harness: HARNESS_BINDINGS_TABLE: no binding table at '${HARNESS_BINDINGS_TABLE}'")
endif()
get_filename_component(table_dir "${HARNESS_BINDINGS_TABLE}" DIRECTORY)
set(HARNESS_BINDINGS_OWN "${table_dir}/own-operations.txt" CACHE FILEPATH
    "what the scan must find each copy defines itself, per version (beside the table by default)")
if(NOT EXISTS "${HARNESS_BINDINGS_OWN}")
  message(FATAL_ERROR "harness: HARNESS_BINDINGS_OWN: no expected own operations at '${HARNESS_BINDINGS_OWN}'")
endif()
# What each C and C++ copy does under abi3t (abi3t.txt), checked per
# configuration by harness_binding_abi3t.
set(HARNESS_BINDINGS_ABI3T "${table_dir}/abi3t.txt" CACHE FILEPATH
    "what each copy does under abi3t (beside the table by default; a self-test gives its own)")
if(NOT EXISTS "${HARNESS_BINDINGS_ABI3T}")
  message(FATAL_ERROR "harness: HARNESS_BINDINGS_ABI3T: no abi3t table at '${HARNESS_BINDINGS_ABI3T}'")
endif()
set(binding_tables ${HARNESS_BINDINGS_TABLE} ${HARNESS_BINDINGS_OWN} ${bindings_dir}/known-divergences.txt
    ${HARNESS_BINDINGS_ABI3T})
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${binding_tables})

# The four tables are parsed once, by ci/harness/tables.py (binding_cmake):
# the committed ones into cmake/harness_tables.cmake, which harness/
# versions.cmake includes (a table edited since is caught by its digest);
# tables given in their place (the self-tests' fake binding) here, by
# running it. Either way: HARNESS_BINDING_ROWS, HARNESS_BINDING_OWN_ROWS,
# HARNESS_BINDING_DIVERGENCE_ROWS, one '|'-joined row each, and
# HARNESS_BINDING_ABI3T_COPIES with HARNESS_BINDING_ABI3T_RESULT_<copy> and
# HARNESS_BINDING_ABI3T_DIAGNOSTIC_<copy>.
if(HARNESS_BINDINGS_TABLE STREQUAL "${bindings_dir}/bindings.txt"
   AND HARNESS_BINDINGS_OWN STREQUAL "${bindings_dir}/own-operations.txt"
   AND HARNESS_BINDINGS_ABI3T STREQUAL "${bindings_dir}/abi3t.txt")
  set(digests)
  foreach(table IN LISTS binding_tables)
    file(READ ${table} text)
    string(REPLACE "\r" "" text "${text}")
    string(SHA256 digest "${text}")
    list(APPEND digests ${digest})
  endforeach()
  if(NOT digests STREQUAL HARNESS_BINDING_TABLES_SHA256)
    message(FATAL_ERROR "harness: a table in ${bindings_dir} changed since cmake/harness_tables.cmake was generated: "
                        "run python3 ci/tables.py generate (it also says what is wrong with a row)")
  endif()
else()
  find_program(HARNESS_PYTHON3 python3 REQUIRED)
  set(given ${CMAKE_BINARY_DIR}/harness_binding_tables.cmake)
  execute_process(COMMAND ${HARNESS_PYTHON3} ${PROJECT_SOURCE_DIR}/ci/tables.py binding-cmake ${binding_tables}
                  OUTPUT_FILE ${given} ERROR_VARIABLE err RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "harness: the binding tables given cannot be read: ${err}")
  endif()
  include(${given})
endif()

# CPython's function for each operation a copy may define itself: a copy's
# function whose body calls it (pybind11's try_incref from 3.14t: "return
# PyUnstable_TryIncRef(obj);") is CPython's code, not the copy's own.
set(harness_cpython_function_try_incref PyUnstable_TryIncRef)
set(harness_cpython_function_enable_try_incref PyUnstable_EnableTryIncRef)
set(harness_cpython_function_immortalize PyUnstable_SetImmortal)
set(harness_cpython_function_is_uniquely_referenced PyUnstable_Object_IsUniquelyReferenced)

# harness_binding_scan(OUT LANG SOURCE DIRS DEFS OPS OWN_REGEX [OPTION...]):
# the functions of OPS (operation=function pairs) that the file matching
# OWN_REGEX defines itself, when SOURCE is preprocessed by this target's
# compiler with DIRS, DEFS and the preprocessor OPTIONs; or "error: <first
# complaint>". A definition whose body calls CPython's function for its
# operation (before the next definition the scan reads) delegates: not
# its own; OUT_delegating lists those.
function(harness_binding_scan out lang source dirs defs ops own_regex)
  harness_compiler_command(compiler ${lang} DIRS ${dirs} DEFINITIONS ${defs})
  list(POP_FRONT compiler compiler_path)
  set(args ${ARGN} ${compiler} -E -w)
  if(lang STREQUAL "CXX")
    list(APPEND args -std=c++17)
  endif()
  foreach(op IN LISTS ops)
    string(REGEX REPLACE "=.*" "" op_name "${op}")
    string(REGEX REPLACE ".*=" "" f "${op}")
    list(APPEND args -D${f}=harness_own_${f})
    set(cpython ${harness_cpython_function_${op_name}})
    if(cpython AND NOT cpython STREQUAL f) # pythoncapi_compat's are named as CPython's
      list(APPEND args -D${cpython}=harness_cpython_${cpython})
    endif()
  endforeach()
  string(MD5 key "${source};${args}")
  set(output ${CMAKE_BINARY_DIR}/CMakeFiles/harness-bindings/${key}.i)
  file(MAKE_DIRECTORY ${CMAKE_BINARY_DIR}/CMakeFiles/harness-bindings)
  if(MSVC)
    list(APPEND args --) # clang-cl reads an absolute path (/work/...) as an option
  endif()
  execute_process(COMMAND ${compiler_path} ${args} ${source} OUTPUT_FILE ${output}
                  ERROR_VARIABLE errors RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    string(REGEX MATCH "[^\n]*(error|Error)[^\n]*" first "${errors}")
    string(STRIP "${first}" first)
    set(${out} "error: ${first}" PARENT_SCOPE)
    return()
  endif()
  file(STRINGS ${output} lines REGEX "^#(line)? *[0-9]+ \"|harness_own_|harness_cpython_")
  file(REMOVE ${output})
  # A renamed function's line belongs to the file of the line marker before
  # it. Only the markers that some such line follows matter: each with the
  # lines after it, found by one regular expression over the whole output
  # (a loop over all 77,000 markers took two seconds a configuration). The
  # list's elements are joined by newlines, so no ';' is left in the text.
  list(JOIN lines "\n" text)
  string(REGEX MATCHALL "#(line)? *[0-9]+ \"[^\"\n]*\"[^\n]*(\n[^#\n][^\n]*)+" runs "${text}")
  set(own)
  set(delegating)
  set(defining "")
  foreach(run IN LISTS runs)
    string(REGEX MATCH "^#(line)? *[0-9]+ \"([^\"]*)\"" marker "${run}")
    if(NOT CMAKE_MATCH_2 MATCHES "${own_regex}")
      set(defining "") # another file's text: a body does not reach past it
      continue()
    endif()
    string(REPLACE "\n" ";" run_lines "${run}")
    list(REMOVE_AT run_lines 0)
    foreach(line IN LISTS run_lines)
      if(NOT line MATCHES "extern"
         AND line MATCHES "harness_own_([A-Za-z_0-9]+)[ \t]*\\([ \t]*(PyObject|struct _object)[ \t]*\\*")
        set(defining ${CMAKE_MATCH_1})
        list(APPEND own ${defining})
      elseif(defining AND line MATCHES "harness_cpython_[A-Za-z_0-9]+[ \t]*\\(")
        list(APPEND delegating ${defining})
      endif()
    endforeach()
  endforeach()
  list(REMOVE_DUPLICATES own)
  if(delegating)
    list(REMOVE_DUPLICATES delegating)
    list(REMOVE_ITEM own ${delegating})
  endif()
  set(${out} "${own}" PARENT_SCOPE)
  set(${out}_delegating "${delegating}" PARENT_SCOPE)
endfunction()

set(binding_rows ${HARNESS_BINDING_ROWS})
# The own operations each copy is expected to define, per version: a scan
# that finds other ones (a reformatted definition it no longer reads, a new
# guard) fails configure with both lists, rather than quietly registering
# fewer or more operations (and the cases that test them).
set(own_rows ${HARNESS_BINDING_OWN_ROWS})
set(own_expected_impls)
foreach(row IN LISTS own_rows)
  string(REPLACE "|" ";" f "${row}")
  list(GET f 0 impl)
  list(GET f 1 ops)
  list(APPEND own_expected_impls ${impl})
  set(own_expected_${impl} "${ops}")
endforeach()
# harness_binding_own_found(IMPL OPS): the scan found OPS (op names, a
# list; empty for none) for IMPL; a difference from the committed list is
# recorded (the global HARNESS_BINDING_OWN_MISMATCHES) for the error at the end.
function(harness_binding_own_found impl ops)
  if(ops)
    string(REPLACE ";" "," found "${ops}")
  else()
    set(found "-")
  endif()
  if(NOT impl IN_LIST own_expected_impls)
    set_property(GLOBAL APPEND_STRING PROPERTY HARNESS_BINDING_OWN_MISMATCHES
                 "\n  ${impl}: found ${found}; ${HARNESS_BINDINGS_OWN} has no row for it")
  elseif(NOT own_expected_${impl} STREQUAL found)
    set_property(GLOBAL APPEND_STRING PROPERTY HARNESS_BINDING_OWN_MISMATCHES
                 "\n  ${impl}: found ${found}; expected ${own_expected_${impl}}")
  endif()
endfunction()
set(divergence_rows ${HARNESS_BINDING_DIVERGENCE_ROWS})
# harness_binding_known(OUT IMPL): IMPL's known divergences
# (known-divergences.txt), "operation:field^mask ...".
function(harness_binding_known out impl)
  set(known "")
  foreach(d IN LISTS divergence_rows)
    string(REPLACE "|" ";" df "${d}")
    list(GET df 0 pattern)
    list(GET df 1 what)
    if(impl MATCHES "${pattern}")
      string(APPEND known " ${what}")
    endif()
  endforeach()
  string(STRIP "${known}" known)
  set(${out} "${known}" PARENT_SCOPE)
endfunction()

# harness_binding_abi3t(NAME PROJECT LANG HEADER SCAN_DIRS OWN_FUNCTIONS):
# the copy compiled as an abi3t extension would (3.15's headers,
# Py_TARGET_ABI3T=0x030F0000), calling each function it has of its own on
# 3.15 (C), or its source as it ships (C++): an expected compile failure or
# an expected compile (abi3t.txt), registered as the test abi3t.<copy>.
function(harness_binding_abi3t name project lang header scan_dirs own_functions)
  if(NOT name IN_LIST HARNESS_BINDING_ABI3T_COPIES)
    message(FATAL_ERROR "harness: ${HARNESS_BINDINGS_ABI3T} has no row for ${name}: add what it does under abi3t")
  endif()
  string(MAKE_C_IDENTIFIER "abi3t_binding_${name}" target)
  set(source ${CMAKE_BINARY_DIR}/CMakeFiles/harness-bindings/${target}.c)
  set(text "#include <Python.h>\n#include \"${header}\"\n")
  if(lang STREQUAL "CXX")
    set(source ${source}pp)
  else()
    string(APPEND text "void harness_abi3t_use(PyObject *o);\nvoid harness_abi3t_use(PyObject *o)\n{\n    (void)o;\n")
    foreach(fn IN LISTS own_functions)
      string(APPEND text "    ${fn}(o);\n")
    endforeach()
    string(APPEND text "}\n")
  endif()
  file(WRITE ${source} "${text}")
  add_library(${target} OBJECT EXCLUDE_FROM_ALL ${source})
  harness_use_real_headers(${target} real-3.15 SYSTEM)
  target_include_directories(${target} SYSTEM PRIVATE ${scan_dirs})
  target_compile_definitions(${target} PRIVATE Py_TARGET_ABI3T=0x030F0000)
  # The errors that answer the question come first (abi3t.txt pins one of
  # them); pybind11's headers go on parsing for another second after them.
  if(CMAKE_${lang}_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${target} PRIVATE -fmax-errors=8)
  elseif(CMAKE_${lang}_COMPILER_FRONTEND_VARIANT STREQUAL "MSVC")
    target_compile_options(${target} PRIVATE /clang:-ferror-limit=8)
  elseif(CMAKE_${lang}_COMPILER_ID MATCHES "Clang")
    target_compile_options(${target} PRIVATE -ferror-limit=8)
  endif()
  if(lang STREQUAL "CXX")
    set_target_properties(${target} PROPERTIES CXX_STANDARD 17 CXX_STANDARD_REQUIRED ON CXX_EXTENSIONS OFF)
  endif()
  set(impl ${name}-abi3t)
  set(diagnostic "${HARNESS_BINDING_ABI3T_DIAGNOSTIC_${name}}")
  set_property(GLOBAL PROPERTY HARNESS_BINDING_PROJECT_${impl} ${project})
  set_property(GLOBAL APPEND PROPERTY HARNESS_ABI3T_BINDINGS
               "abi3t.${name}|abi3t|${impl}|${target}|${HARNESS_BINDING_ABI3T_RESULT_${name}}|${diagnostic}")
endfunction()

# harness_binding_own_api(API DEFS OPS OWN BY): of OPS (operation=function
# pairs), those OWN names (BY "operation" or "function"): API, "op=fn ..."
# as the reports give it, and DEFS, a HARNESS_OWN_<name> definition each
# for the adapter.
function(harness_binding_own_api api_out defs_out ops own by)
  set(api "")
  set(defs)
  foreach(op IN LISTS ops)
    string(REGEX REPLACE "=.*" "" op_name "${op}")
    string(REGEX REPLACE ".*=" "" fn "${op}")
    set(name ${fn})
    if(by STREQUAL "operation")
      set(name ${op_name})
    endif()
    if(name IN_LIST own)
      string(APPEND api " ${op}")
      list(APPEND defs HARNESS_OWN_${name})
    endif()
  endforeach()
  string(STRIP "${api}" api)
  set(${api_out} "${api}" PARENT_SCOPE)
  set(${defs_out} "${defs}" PARENT_SCOPE)
endfunction()

# harness_binding_report(IMPL STATUS TEXT): a line of the build tree's
# bindings.txt (own, none or skip, and why), which ci/report-bindings.py reads.
function(harness_binding_report impl status text)
  set_property(GLOBAL APPEND_STRING PROPERTY HARNESS_BINDING_REPORT "${impl}|${status}|${text}\n")
endfunction()
# harness_binding_skip(IMPL PROJECT REASON): IMPL cannot build here: one
# skipped test that says why, and the report's line.
function(harness_binding_skip impl project reason)
  harness_binding_report(${impl} skip "${reason}")
  harness_add_implementation(NAME ${impl} SKIP_REASON "${reason}" BINDING ${project})
endfunction()

# harness_binding_register(SYMBOL IMPL PROJECT VERSION DESCRIPTION OWN_API
# OWN_DEFS): the adapter object SYMBOL (its source and anything of its own
# added by the caller) as IMPL, an implementation of PROJECT over CPython
# VERSION's real headers (its base, real-VERSION) whose own operations are
# OWN_API (HARNESS_OWN_* in OWN_DEFS): compiled with the macros every
# adapter's description reads (binding.h, binding_cxx.h), linked with the
# model, built as an extension is, registered with the case programs, and
# reported as DESCRIPTION's.
function(harness_binding_register symbol impl project version description own_api own_defs)
  harness_binding_known(known ${impl})
  harness_use_real_headers(${symbol} real-${version} SYSTEM)
  target_include_directories(${symbol} PRIVATE ${PROJECT_SOURCE_DIR}/harness)
  target_compile_definitions(${symbol} PRIVATE ${own_defs}
    HARNESS_BINDING_SYMBOL=${symbol} "HARNESS_BINDING_VERSION=\"${version}\"" "HARNESS_BINDING_BASE=\"real-${version}\""
    "HARNESS_BINDING_PROJECT=\"${description}\"" "HARNESS_BINDING_OWN_API=\"${own_api}\""
    "HARNESS_BINDING_KNOWN=\"${known}\"")
  target_link_libraries(${symbol} PRIVATE refmodel)
  target_compile_options(${symbol} PRIVATE ${HARNESS_EXTENSION_CFLAGS})
  set_target_properties(${symbol} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  harness_add_implementation(NAME ${impl} SYMBOL ${symbol} TARGET ${symbol} BINDING ${project})
  set_property(GLOBAL PROPERTY HARNESS_BINDING_OWN_${impl} "${own_api}")
  harness_binding_report(${impl} own "${description}: ${own_api}")
endfunction()

# harness_binding_rust(NAME PROJECT PACKAGE SUITE OPS): a Rust copy's
# implementations, one per version, from the shims ci/setup.sh built for
# this target's architecture (ci/harness/rustshims.py): each the shim's
# object and binding_rust.c over the version's real headers. Which of OPS
# are its own was read off the object (<version>.own); a version its build
# script refuses has none (<version>.none). A shim setup could not build is
# a configure error; an architecture Debian builds no Rust standard library
# for, a skip that says so.
function(harness_binding_rust name project package suite ops)
  get_property(multiarch GLOBAL PROPERTY HARNESS_TARGET_MULTIARCH)
  set(shims ${HARNESS_RUST_SHIMS_ROOT}/${name}/${multiarch})
  set(skip "")
  if(EXISTS ${shims}.FAILED)
    file(READ ${shims}.FAILED why)
    string(STRIP "${why}" why)
    message(FATAL_ERROR "harness: ${name} (Debian ${suite}'s ${package}) could not be built for ${multiarch} in "
                        "setup: ${why}")
  elseif(EXISTS ${shims}.NONE)
    file(READ ${shims}.NONE skip)
    string(STRIP "${skip}" skip)
  elseif(WIN32)
    set(skip "Debian builds no Rust standard library for Windows (libstd-rust-dev is built for Linux only)")
  elseif(NOT EXISTS ${shims}/.key OR NOT EXISTS ${shims}/ORIGIN)
    message(FATAL_ERROR "harness: no ${name} shims for ${multiarch} in ${HARNESS_RUST_SHIMS_ROOT} (Debian ${suite}'s "
                        "${package}): run ci/setup.sh for this target")
  endif()
  if(skip)
    harness_binding_skip(${name} ${project} "${skip}")
    return()
  endif()
  file(STRINGS ${shims}/ORIGIN origin LIMIT_COUNT 1)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${shims}/.key)
  foreach(version IN LISTS HARNESS_REAL_VERSIONS HARNESS_LOCAL_VERSIONS)
    set(impl ${name}-${version})
    set(base real-${version})
    get_property(dirs GLOBAL PROPERTY HARNESS_REAL_HEADER_DIRS_${base})
    if(EXISTS ${shims}/${version}.none)
      file(STRINGS ${shims}/${version}.none why LIMIT_COUNT 1)
      harness_binding_report(${impl} none "${why}")
      harness_binding_own_found(${impl} "")
      continue()
    elseif(NOT EXISTS ${shims}/${version}.own OR NOT EXISTS ${shims}/${version}.o)
      message(FATAL_ERROR "harness: ${shims} has no shim for CPython ${version}: run ci/setup.sh for this target")
    elseif(NOT dirs)
      set(skip "its base ${base} is not built here (see ${base}'s skip)")
      harness_binding_skip(${impl} ${project} "${skip}")
      continue()
    endif()
    file(STRINGS ${shims}/${version}.own own LIMIT_COUNT 1)
    separate_arguments(own)
    harness_binding_own_found(${impl} "${own}")
    if(NOT own)
      harness_binding_report(${impl} none "${origin}: nothing of its own for ${version}")
      continue()
    endif()
    harness_binding_own_api(own_api own_defs "${ops}" "${own}" operation)
    string(MAKE_C_IDENTIFIER "harness_${impl}" symbol)
    add_library(${symbol} OBJECT ${bindings_dir}/binding_rust.c)
    # The shim's object goes with the adapter into every program that links it.
    target_link_libraries(${symbol} INTERFACE ${shims}/${version}.o)
    harness_binding_register(${symbol} ${impl} ${project} ${version} "${origin}" "${own_api}" "${own_defs}")
  endforeach()
endfunction()

# What a C++ copy needs of the C++ standard library beyond C++17's headers,
# by project: a source that must compile here (the compiler alone, once per
# configure: a try_compile project cost five times as much), else its
# implementations are skips that say so. pybind11 3's internals hold a
# std::mutex, which MinGW-w64 GCC's win32 thread model (Debian's
# g++-mingw-w64-*-win32) lacks.
set(harness_cxx_need_pybind11 "std::mutex")
set(harness_cxx_need_source_pybind11 "#include <mutex>\nstd::mutex harness_mutex;\n")
# harness_cxx_has_need(OUT PROJECT): whether this target's C++ compiler and
# library compile what PROJECT needs.
function(harness_cxx_has_need out project)
  set(probe ${CMAKE_BINARY_DIR}/CMakeFiles/harness-bindings/needs-of-${project}.cpp)
  file(WRITE ${probe} "${harness_cxx_need_source_${project}}")
  harness_compiler_command(compiler CXX)
  execute_process(COMMAND ${compiler} -std=c++17 -fsyntax-only ${probe} RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
  if(rc EQUAL 0)
    set(${out} TRUE PARENT_SCOPE)
  else()
    set(${out} FALSE PARENT_SCOPE)
  endif()
endfunction()

# Where the C++ copies are compiled under abi3t: the configurations that are
# not cross-compiled (the host's GCC and Clang) and x86_64 MinGW-w64's (GCC
# and Clang), one per compiler and OS. What it answers is the copy's source
# meeting an opaque PyObject, which no data model changes, and each compile
# is 0.4-0.6 s of parsing the standard library before the first error: on
# all 34 configurations with C++ the four copies cost 72 s of the matrix's
# CPU. (The C copies, at 0.06 s and with code that 32- and 64-bit builds
# take differently, are compiled everywhere.)
if(NOT CMAKE_CROSSCOMPILING OR HARNESS_TRIPLE STREQUAL "x86_64-w64-mingw32")
  set(abi3t_cxx_here TRUE)
else()
  set(abi3t_cxx_here FALSE)
endif()

# harness_binding_cython(NAME PROJECT PACKAGE SUITE HEADER OPS): a Cython
# copy's implementations, from the module setup code Cython generated in
# setup (ci/harness/cythongen.py) and binding_cython.c over each version's
# real headers. Its operations are macros: one is the copy's own on a
# version where its expansion there reads Py_REFCNT itself (Cython 3.1's
# CYTHON_COMPILING_IN_CPYTHON, free-threaded builds included), not where it
# is CPython's function alone (3.0's free-threaded mode: PySequence_List).
# With the GIL, Cython's Py_REFCNT(obj) == 1 is CPython's own definition of
# uniquely referenced there (_PyObject_IsUniquelyReferenced): not
# registered. Under abi3t its setup code is compiled as a C copy's header.
function(harness_binding_cython name project package suite header ops)
  set(generated ${HARNESS_BINDINGS_ROOT}/${package}_${suite}/harness-generated)
  string(REGEX REPLACE "\\.pyx$" "_setup.h" setup ${header})
  if(NOT EXISTS ${generated}/${setup})
    message(FATAL_ERROR "harness: ${name} (Debian ${suite}'s ${package}): no ${setup} in ${generated}: run "
                        "ci/setup.sh (Cython generates it there from harness/bindings/${header})")
  endif()
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${generated}/${setup})
  file(READ ${HARNESS_BINDINGS_ROOT}/${package}_${suite}/ORIGIN origin)
  string(STRIP "${origin}" origin)
  set(project_text "${setup} of ${origin}")
  foreach(version IN LISTS HARNESS_REAL_VERSIONS HARNESS_LOCAL_VERSIONS)
    set(impl ${name}-${version})
    set(base real-${version})
    get_property(dirs GLOBAL PROPERTY HARNESS_REAL_HEADER_DIRS_${base})
    get_property(defs GLOBAL PROPERTY HARNESS_REAL_HEADER_DEFS_${base})
    if(NOT version MATCHES "t$")
      harness_binding_report(${impl} none
                             "${project_text}: with the GIL its Py_REFCNT(obj) == 1 is CPython's definition")
      harness_binding_own_found(${impl} "")
      if(version STREQUAL "3.15" AND dirs)
        harness_binding_abi3t(${name} ${project} C ${setup} "${generated}" "")
      endif()
      continue()
    elseif(NOT dirs)
      set(skip "its base ${base} is not built here (see ${base}'s skip)")
      harness_binding_skip(${impl} ${project} "${skip}")
      continue()
    endif()
    # Each operation's macro expanded with this version's headers.
    set(probe ${CMAKE_BINARY_DIR}/CMakeFiles/harness-bindings/${name}-${version}-probe.c)
    set(text "#include \"${setup}\"\n")
    foreach(op IN LISTS ops)
      string(REGEX REPLACE "=.*" "" op_name "${op}")
      string(REGEX REPLACE ".*=" "" macro "${op}")
      string(APPEND text "harness_probe_${op_name}: ${macro}(harness_probe_object)\n")
    endforeach()
    file(WRITE ${probe} "${text}")
    harness_compiler_command(compiler C DIRS ${dirs} ${generated} DEFINITIONS ${defs})
    if(MSVC)
      list(APPEND compiler -E -w --)
    else()
      list(APPEND compiler -E -w)
    endif()
    execute_process(COMMAND ${compiler} ${probe} RESULT_VARIABLE rc OUTPUT_VARIABLE expanded ERROR_VARIABLE errors)
    if(NOT rc EQUAL 0)
      string(REGEX MATCH "[^\n]*(error|Error)[^\n]*" first "${errors}")
      string(STRIP "${first}" first)
      set(skip "${project_text} does not preprocess with CPython ${version}'s headers here: ${first}")
      harness_binding_skip(${impl} ${project} "${skip}")
      continue()
    endif()
    set(own_ops)
    set(own_api "")
    set(own_defs)
    foreach(op IN LISTS ops)
      string(REGEX REPLACE "=.*" "" op_name "${op}")
      string(REGEX REPLACE ".*=" "" macro "${op}")
      string(REGEX MATCH "harness_probe_${op_name}:[^\n]*" line "${expanded}")
      if(line MATCHES "Py_REFCNT[ \t]*\\(")
        list(APPEND own_ops ${op_name})
        string(APPEND own_api " ${op}")
        list(APPEND own_defs HARNESS_OWN_${macro})
      endif()
    endforeach()
    string(STRIP "${own_api}" own_api)
    harness_binding_own_found(${impl} "${own_ops}")
    if(NOT own_ops)
      string(CONCAT why "${project_text} has no operation of its own for ${version} (its macro there reads no "
             "Py_REFCNT: a call of CPython's)")
      harness_binding_report(${impl} none "${why}")
      continue()
    endif()
    string(MAKE_C_IDENTIFIER "harness_${impl}" symbol)
    add_library(${symbol} OBJECT ${bindings_dir}/binding_cython.c)
    target_include_directories(${symbol} SYSTEM PRIVATE ${generated})
    target_compile_definitions(${symbol} PRIVATE "HARNESS_BINDING_HEADER=\"${setup}\""
      # libpython's, which the uniqueness macro names: the adapter's own.
      PyList_Type=${symbol}_PyList_Type PySequence_List=${symbol}_PySequence_List)
    harness_binding_register(${symbol} ${impl} ${project} ${version} "${project_text}" "${own_api}" "${own_defs}")
  endforeach()
endfunction()

foreach(row IN LISTS binding_rows)
  string(REPLACE "|" ";" f "${row}")
  list(GET f 0 name)
  list(GET f 1 project)
  list(GET f 2 package)
  list(GET f 3 suite)
  list(GET f 4 dir)
  list(GET f 5 lang)
  list(GET f 6 header)
  list(GET f 7 own_regex)
  list(GET f 8 ops)
  set(src ${HARNESS_BINDINGS_ROOT}/${package}_${suite}/${dir})
  set(origin "")
  if(EXISTS ${HARNESS_BINDINGS_ROOT}/${package}_${suite}/ORIGIN)
    file(READ ${HARNESS_BINDINGS_ROOT}/${package}_${suite}/ORIGIN origin)
    string(STRIP "${origin}" origin)
  endif()
  string(REPLACE "," ";" ops "${ops}")
  set(functions)
  foreach(op IN LISTS ops)
    string(REGEX REPLACE ".*=" "" fn "${op}")
    list(APPEND functions ${fn})
  endforeach()
  if(lang STREQUAL "Rust")
    harness_binding_rust(${name} ${project} ${package} ${suite} "${ops}")
    continue()
  elseif(lang STREQUAL "Cython")
    harness_binding_cython(${name} ${project} ${package} ${suite} ${header} "${ops}")
    continue()
  endif()
  get_filename_component(header_name ${header} NAME)
  # A copy none of whose own files (OWN_REGEX) so much as names one of its
  # functions has nothing of its own on any version (pybind11 2.13: no
  # try_incref yet), and its scans, a preprocessing each, are not run.
  # (Only a name pasted together by the preprocessor could escape this.)
  set(names_a_function FALSE)
  if(IS_DIRECTORY ${src})
    file(GLOB_RECURSE own_files LIST_DIRECTORIES false ${src}/*)
    list(FILTER own_files INCLUDE REGEX "${own_regex}")
    list(JOIN functions "|" any_function)
    foreach(file IN LISTS own_files)
      file(STRINGS ${file} naming REGEX "(^|[^A-Za-z_0-9])(${any_function})([^A-Za-z_0-9]|$)" LIMIT_COUNT 1)
      if(naming)
        set(names_a_function TRUE)
        break()
      endif()
    endforeach()
  endif()
  if(WIN32 AND dir MATCHES "-linux-gnu(/|$)")
    # Headers of a Linux build (numpy's: its _numpyconfig.h names endian.h
    # and sys/types.h): Debian has no Windows build of the copy.
    set(skip "${header_name} of ${origin} is its Linux build (${dir}): Debian has no Windows build of it")
    harness_binding_skip(${name} ${project} "${skip}")
    continue()
  endif()
  foreach(version IN LISTS HARNESS_REAL_VERSIONS HARNESS_LOCAL_VERSIONS)
    set(impl ${name}-${version})
    set(base real-${version})
    set(skip "")
    get_property(dirs GLOBAL PROPERTY HARNESS_REAL_HEADER_DIRS_${base})
    get_property(defs GLOBAL PROPERTY HARNESS_REAL_HEADER_DEFS_${base})
    set(cxx_dirs ${src}/include ${src}/src ${src})
    if(lang STREQUAL "CXX" AND NOT version MATCHES "t$")
      # The C++ copies' code of their own is for the free-threaded build:
      # with the GIL, nanobind's helpers are nb_ft.h's trivial versions and
      # pybind11's try_incref is Py_INCREF on an object its registry holds
      # alive (docs/implementations.md): not registered. Under abi3t (3.15's
      # GIL headers) Python.h defines Py_GIL_DISABLED: the source as it
      # ships is what an abi3t extension would compile.
      harness_binding_report(${impl} none "${header_name} of ${origin}: nothing of its own with the GIL")
      harness_binding_own_found(${impl} "")
      if(version STREQUAL "3.15" AND dirs AND NOT cxx_skip AND abi3t_cxx_here AND EXISTS ${src}/${header})
        harness_binding_abi3t(${name} ${project} CXX ${header} "${cxx_dirs}" "")
      endif()
      continue()
    elseif(NOT EXISTS ${src}/${header})
      set(skip "no ${header} in ${src} (ci/setup.sh unpacks Debian's ${package} from ${suite})")
    elseif(NOT dirs)
      set(skip "its base ${base} is not built here (see ${base}'s skip)")
    elseif(lang STREQUAL "CXX" AND cxx_skip)
      set(skip "${header_name} is C++: ${cxx_skip}")
    endif()
    if(skip)
      harness_binding_skip(${impl} ${project} "${skip}")
      continue()
    endif()
    if(NOT names_a_function)
      list(JOIN functions ", " named)
      harness_binding_report(${impl} none
                             "${header_name} of ${origin}: no file of its own (${own_regex}) names ${named}")
      harness_binding_own_found(${impl} "")
      if(version STREQUAL "3.15" AND lang STREQUAL "C")
        harness_binding_abi3t(${name} ${project} C ${header} "${src}" "")
      endif()
      continue()
    endif()
    if(lang STREQUAL "CXX")
      set(scan_source ${src}/${header})
      set(scan_dirs ${dirs} ${cxx_dirs})
      set(scan_options)
    else()
      set(scan_source ${CMAKE_BINARY_DIR}/CMakeFiles/harness-bindings/${header_name}.c)
      set(scan_dirs ${dirs} ${src})
      if(MSVC)
        file(WRITE ${scan_source} "#include <Python.h>\n#include \"${header}\"\n")
        set(scan_options)
      else()
        # Python.h's macros without its text (-imacros): the copy sees the
        # same definitions, and the output to read is a sixth of the size.
        file(WRITE ${scan_source} "#include \"${header}\"\n")
        set(scan_options -imacros Python.h)
      endif()
    endif()
    harness_binding_scan(own ${lang} ${scan_source} "${scan_dirs}" "${defs}" "${ops}" "${own_regex}"
                         ${scan_options})
    if(own MATCHES "^error: ")
      string(REGEX REPLACE "^error: " "" why "${own}")
      set(skip "${header_name} of ${origin} does not compile with CPython ${version}'s headers here: ${why}")
      harness_binding_skip(${impl} ${project} "${skip}")
      continue()
    endif()
    set(own_ops)
    foreach(op IN LISTS ops)
      string(REGEX REPLACE "=.*" "" op_name "${op}")
      string(REGEX REPLACE ".*=" "" fn "${op}")
      if(fn IN_LIST own)
        list(APPEND own_ops ${op_name})
      endif()
    endforeach()
    harness_binding_own_found(${impl} "${own_ops}")
    if(version STREQUAL "3.15" AND lang STREQUAL "C")
      harness_binding_abi3t(${name} ${project} C ${header} "${src}" "${own}")
    endif()
    if(NOT own)
      set(why "")
      if(own_delegating)
        list(JOIN own_delegating ", " why)
        set(why " (${why}: CPython's, called)")
      endif()
      harness_binding_report(${impl} none
                             "${header_name} of ${origin} has no operation of its own for ${version}${why}")
      continue()
    endif()
    if(lang STREQUAL "CXX" AND DEFINED harness_cxx_need_${project})
      if(NOT DEFINED cxx_has_need_of_${project})
        harness_cxx_has_need(cxx_has_need_of_${project} ${project})
      endif()
      if(NOT cxx_has_need_of_${project})
        string(CONCAT skip "${header_name} of ${origin} needs ${harness_cxx_need_${project}}, which "
               "${CMAKE_CXX_COMPILER_ID}'s C++ standard library for ${HARNESS_TRIPLE} does not provide")
        harness_binding_skip(${impl} ${project} "${skip}")
        continue()
      endif()
    endif()
    harness_binding_own_api(own_api own_defs "${ops}" "${own}" function)
    string(MAKE_C_IDENTIFIER "harness_${impl}" symbol)
    set(project_text "${header_name} of ${origin}")
    if(lang STREQUAL "CXX")
      # The project's adapter, which includes the binding's own source as it
      # ships (from a SYSTEM directory: its warnings are not the harness's).
      set(adapter ${bindings_dir}/binding_${project}.cpp)
      if(NOT EXISTS ${adapter})
        message(FATAL_ERROR "harness: ${name} is C++ and has no adapter: ${adapter} (harness/bindings/"
                            "binding_nanobind.cpp is one)")
      endif()
      add_library(${symbol} OBJECT ${adapter})
      target_compile_definitions(${symbol} PRIVATE "HARNESS_BINDING_SOURCE=<${header}>")
      set_target_properties(${symbol} PROPERTIES CXX_STANDARD 17 CXX_STANDARD_REQUIRED ON CXX_EXTENSIONS OFF)
      target_include_directories(${symbol} SYSTEM PRIVATE ${cxx_dirs})
      # The C++ runtime's support (the exception personality nb_ft.cpp's
      # noexcept functions name) for case programs that a C compiler links:
      # GCC's libsupc++, static on every target, so nothing more to ship.
      target_link_libraries(${symbol} PRIVATE supc++)
    else()
      add_library(${symbol} OBJECT ${bindings_dir}/binding_c.c)
      target_include_directories(${symbol} SYSTEM PRIVATE ${src})
    endif()
    target_compile_definitions(${symbol} PRIVATE "HARNESS_BINDING_HEADER=\"${header}\""
      # libpython's functions that the copy calls, defined by the adapter
      # under this implementation's own names.
      _Py_Dealloc=${symbol}__Py_Dealloc _Py_SetImmortal=${symbol}__Py_SetImmortal
      PyObject_GC_IsTracked=${symbol}_PyObject_GC_IsTracked PyObject_GC_UnTrack=${symbol}_PyObject_GC_UnTrack
      PyObject_IS_GC=${symbol}_PyObject_IS_GC
      PyUnstable_Object_IsUniquelyReferenced=${symbol}_PyUnstable_Object_IsUniquelyReferenced)
    harness_binding_register(${symbol} ${impl} ${project} ${version} "${project_text}" "${own_api}" "${own_defs}")
  endforeach()
endforeach()
get_property(binding_report GLOBAL PROPERTY HARNESS_BINDING_REPORT)
file(WRITE ${CMAKE_BINARY_DIR}/bindings.txt "${binding_report}")
get_property(own_mismatches GLOBAL PROPERTY HARNESS_BINDING_OWN_MISMATCHES)
if(own_mismatches)
  message(FATAL_ERROR "harness: the binding copies' own operations are not what ${HARNESS_BINDINGS_OWN} says "
                      "(docs/findings.md's table):${own_mismatches}\n"
                      "A scan that no longer reads a definition would drop its cases silently: find out why, "
                      "then update the file and docs/findings.md.")
endif()

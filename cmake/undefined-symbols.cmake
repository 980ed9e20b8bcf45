# undefined-symbols.cmake -- an extension's undefined symbols of CPython's,
# read by the target's own binutils. ELF: `nm -D --undefined-only`, the
# names of CPython's (_Py*, Py*); PE: `objdump -p`, the names imported from
# the runtime module's DLL.
#   - with OUTPUT: writes them there, one per line (the limited-API
#     generations' modules: cases/generations.c reads the list);
#   - else the abi3t check: the extension's refcount operations are the four
#     functions the runtime exports (_Py_IncRef, _Py_DecRef, _Py_SetRefcnt,
#     Py_REFCNT), and it needs no other function of CPython's (no
#     _Py_Dealloc: no inline Py_DECREF of its own).
#
# Required: MODULE (the extension), TOOL (nm for ELF, objdump for PE),
#           FORMAT (ELF or PE), RUNTIME (the runtime module's file name, PE)
# Optional: OUTPUT
cmake_policy(VERSION 3.25)
include(${CMAKE_CURRENT_LIST_DIR}/verdict.cmake)
set(wanted Py_REFCNT _Py_DecRef _Py_IncRef _Py_SetRefcnt)
if(FORMAT STREQUAL "ELF")
  execute_process(COMMAND ${TOOL} -D --undefined-only ${MODULE} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  string(REGEX MATCHALL "U [^ \n@]+" undefined "${out}")
  list(TRANSFORM undefined REPLACE "^U " "")
else()
  execute_process(COMMAND ${TOOL} -p ${MODULE} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  # The names under "DLL Name: <runtime>", up to the next DLL or table.
  string(REGEX MATCH "DLL Name: ${RUNTIME}\n(([^\n]*[^:\n]\n)*)" _ "${out}")
  string(REGEX MATCHALL "[A-Za-z_][A-Za-z0-9_]*\n" undefined "${CMAKE_MATCH_1}")
  list(TRANSFORM undefined STRIP)
  list(REMOVE_ITEM undefined Hint Ord Name Member Bound To vma)
  string(REGEX MATCHALL "DLL Name: [^\n]+" dlls "${out}")
  message("harness: ${MODULE} imports from: ${dlls}")
endif()
if(NOT rc EQUAL 0)
  harness_verdict(fail "${TOOL} could not read ${MODULE}: ${err}")
endif()
list(SORT undefined)
list(REMOVE_DUPLICATES undefined)
list(FILTER undefined INCLUDE REGEX "^_?Py")
if(DEFINED OUTPUT)
  list(JOIN undefined "\n" lines)
  file(WRITE ${OUTPUT} "${lines}\n")
  return()
endif()
message("harness: the abi3t extension's undefined symbols (${FORMAT}): ${undefined}")
set(missing)
foreach(symbol IN LISTS wanted)
  if(NOT symbol IN_LIST undefined)
    list(APPEND missing ${symbol})
  endif()
endforeach()
set(python_symbols ${undefined})
list(REMOVE_ITEM python_symbols ${wanted})
if(missing)
  harness_verdict(fail "the abi3t extension does not call ${missing}: its refcount operations must be the runtime's exported functions")
endif()
if(python_symbols)
  harness_verdict(fail "the abi3t extension needs CPython's ${python_symbols} besides the four refcount functions")
endif()
harness_verdict(pass "abi3t symbols: the extension calls exactly ${wanted} of CPython's, from the runtime")

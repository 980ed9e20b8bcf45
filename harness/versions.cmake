# Reads harness/versions.txt, the one table of CPython versions, into the
# lists the build needs, and writes harness_versions.h for the C code.
#
#   HARNESS_MODEL_VERSIONS     every row: the model's implementations
#   HARNESS_CPYTHON_VERSIONS   every row but "legacy"
#   HARNESS_GIL_VERSIONS       CPython versions with the GIL ("3.14")
#   HARNESS_FT_VERSIONS        free-threaded ones ("3.14t")
#   HARNESS_IMMORTAL_VERSIONS  those with immortal objects (expect not 311)
#   HARNESS_KNOWN_VERSIONS     = HARNESS_GIL_VERSIONS: what a CPython Include/
#                              directory may hold to be run at all
#   HARNESS_REAL_VERSIONS      real headers from Debian (headers debian:<suite>)
#   HARNESS_LOCAL_VERSIONS     real headers from an install here (headers local)
#   HARNESS_VERSION_<field>_<version> for field HEX, EXPECT, PROBE, HEADERS

set(HARNESS_VERSIONS_FILE ${CMAKE_CURRENT_LIST_DIR}/versions.txt)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${HARNESS_VERSIONS_FILE})
file(STRINGS ${HARNESS_VERSIONS_FILE} version_lines)
foreach(list IN ITEMS MODEL CPYTHON GIL FT IMMORTAL)
  set(HARNESS_${list}_VERSIONS)
endforeach()
set(HARNESS_REAL_VERSIONS)
set(HARNESS_LOCAL_VERSIONS)
set(version_rows "")
foreach(line IN LISTS version_lines)
  if(line MATCHES "^[ \t]*(#|$)")
    continue()
  endif()
  if(NOT line MATCHES "^([0-9]+\\.[0-9]+t?|legacy)[ \t]+(0x[0-9A-Fa-f]+)[ \t]+([A-Z]*[0-9]+)[ \t]+([0-9]+)[ \t]+(debian:[a-z]+|local|-)[ \t]*$")
    message(FATAL_ERROR "harness: ${HARNESS_VERSIONS_FILE}: a row must be 'version hex expect probe headers', not '${line}'")
  endif()
  set(v ${CMAKE_MATCH_1})
  if(v IN_LIST HARNESS_MODEL_VERSIONS)
    message(FATAL_ERROR "harness: ${HARNESS_VERSIONS_FILE}: ${v} has two rows")
  endif()
  set(HARNESS_VERSION_HEX_${v} ${CMAKE_MATCH_2})
  set(HARNESS_VERSION_EXPECT_${v} ${CMAKE_MATCH_3})
  set(HARNESS_VERSION_PROBE_${v} ${CMAKE_MATCH_4})
  set(HARNESS_VERSION_HEADERS_${v} ${CMAKE_MATCH_5})
  list(APPEND HARNESS_MODEL_VERSIONS ${v})
  if(NOT v STREQUAL "legacy")
    list(APPEND HARNESS_CPYTHON_VERSIONS ${v})
    if(v MATCHES "t$")
      list(APPEND HARNESS_FT_VERSIONS ${v})
    else()
      list(APPEND HARNESS_GIL_VERSIONS ${v})
    endif()
    if(NOT HARNESS_VERSION_EXPECT_${v} STREQUAL "311")
      list(APPEND HARNESS_IMMORTAL_VERSIONS ${v})
    endif()
    if(HARNESS_VERSION_HEADERS_${v} MATCHES "^debian:")
      list(APPEND HARNESS_REAL_VERSIONS ${v})
    elseif(HARNESS_VERSION_HEADERS_${v} STREQUAL "local")
      list(APPEND HARNESS_LOCAL_VERSIONS ${v})
    endif()
  endif()
  string(APPEND version_rows "    X(\"${v}\", ${HARNESS_VERSION_HEX_${v}}, ${HARNESS_VERSION_EXPECT_${v}}) \\\n")
endforeach()
set(HARNESS_KNOWN_VERSIONS ${HARNESS_GIL_VERSIONS})
foreach(v IN LISTS HARNESS_FT_VERSIONS)
  string(REGEX REPLACE "t$" "" gil ${v})
  if(NOT gil IN_LIST HARNESS_GIL_VERSIONS)
    message(FATAL_ERROR "harness: ${HARNESS_VERSIONS_FILE}: free-threaded ${v} needs a row for ${gil}")
  endif()
endforeach()

set(HARNESS_VERSIONS_INCLUDE ${CMAKE_BINARY_DIR}/generated)
file(CONFIGURE OUTPUT ${HARNESS_VERSIONS_INCLUDE}/harness_versions.h CONTENT [[/* Generated from harness/versions.txt by harness/versions.cmake. */
#ifndef HARNESS_VERSIONS_H
#define HARNESS_VERSIONS_H
/* X(name, PY_VERSION_HEX, expectation family), one per version. */
#define HARNESS_VERSION_ROWS(X) \
@version_rows@
#endif
]] @ONLY)

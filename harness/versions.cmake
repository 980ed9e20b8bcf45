# The lists the build needs of harness/versions.txt, the one table of CPython
# versions (from cmake/harness_tables.cmake, which ci/tables.py generates),
# and harness_versions.h for the C code.
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
set(HARNESS_TABLES_FILE ${PROJECT_SOURCE_DIR}/cmake/harness_tables.cmake)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${HARNESS_VERSIONS_FILE} ${HARNESS_TABLES_FILE})
# The table is parsed once, by ci/harness/tables.py, which writes the lists
# into cmake/harness_tables.cmake (and refuses a malformed row there, naming
# its line). A table edited since is caught here by its digest.
include(${HARNESS_TABLES_FILE})
file(READ ${HARNESS_VERSIONS_FILE} versions_text)
string(REPLACE "\r" "" versions_text "${versions_text}")
string(SHA256 versions_sha256 "${versions_text}")
if(NOT versions_sha256 STREQUAL HARNESS_VERSIONS_TXT_SHA256)
  message(FATAL_ERROR "harness: ${HARNESS_VERSIONS_FILE} changed since cmake/harness_tables.cmake was generated: "
                      "run python3 ci/tables.py generate (it also says what is wrong with a row)")
endif()
set(version_rows "")
foreach(v IN LISTS HARNESS_MODEL_VERSIONS)
  string(APPEND version_rows "    X(\"${v}\", ${HARNESS_VERSION_HEX_${v}}, ${HARNESS_VERSION_EXPECT_${v}}) \\\n")
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

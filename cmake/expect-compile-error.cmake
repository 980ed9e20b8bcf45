# expect-compile-error.cmake -- a case that passes only if an object target
# does not compile, with a diagnostic that names what it must; or, with
# EXPECT=compiles, only if it compiles.
#
# Required: BUILD_DIR, TARGET (the object library), NAME (the test's),
#           DIAGNOSTIC (a regular expression one of the compiler's error lines must match)
# Optional: BUILD_TOOL (build-target.cmake), EXPECT (error, the default, or compiles)
include(${CMAKE_CURRENT_LIST_DIR}/verdict.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/build-target.cmake)
harness_build_target(rc out)
# Only an error counts: a warning that -Werror made one says "error" too,
# so the targets that must fail for their own reason build without it.
string(REGEX MATCHALL "[^\n]*error[^\n]*" errors "${out}")
list(JOIN errors "\n  " shown)
if(EXPECT STREQUAL "compiles")
  if(NOT rc EQUAL 0)
    harness_verdict(fail "${NAME}: it does not compile, and it must:\n  ${shown}")
  endif()
  harness_verdict(pass "${NAME}: compiles, as it must")
  return()
endif()
if(rc EQUAL 0)
  harness_verdict(fail "${NAME}: it compiled, and it must not:\n${out}")
endif()
if(NOT shown MATCHES "${DIAGNOSTIC}")
  harness_verdict(fail "${NAME}: it failed to compile, but not with '${DIAGNOSTIC}':\n  ${shown}")
endif()
harness_verdict(pass "${NAME}: does not compile, as it must not:\n  ${shown}")

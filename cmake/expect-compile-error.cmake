# expect-compile-error.cmake -- a case that passes only if an object target
# does not compile, with a diagnostic that names what it must.
#
# Required: BUILD_DIR, TARGET (the object library), NAME (the test's),
#           DIAGNOSTIC (a regular expression one of the compiler's error lines must match)
# Optional: BUILD_TOOL (build-target.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/verdict.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/build-target.cmake)
harness_build_target(rc out)
if(rc EQUAL 0)
  harness_verdict(fail "${NAME}: it compiled, and it must not:\n${out}")
endif()
# Only an error counts: a warning that -Werror made one says "error" too,
# so the targets that must fail for their own reason build without it.
string(REGEX MATCHALL "[^\n]*error[^\n]*" errors "${out}")
list(JOIN errors "\n  " shown)
if(NOT shown MATCHES "${DIAGNOSTIC}")
  harness_verdict(fail "${NAME}: it failed to compile, but not with '${DIAGNOSTIC}':\n  ${shown}")
endif()
harness_verdict(pass "${NAME}: does not compile, as it must not:\n  ${shown}")

# ci/test.sh: an implementation of a version cases/expect.h has no
# expectations for (-DHARNESS_IMPLEMENTATIONS=this file). The cases must
# refuse it by name, not judge it as 3.11.
add_library(harness_selftest_316 STATIC ${CMAKE_CURRENT_LIST_DIR}/unknown_version.c)
target_link_libraries(harness_selftest_316 PRIVATE refmodel)
harness_add_implementation(NAME selftest-3.16 SYMBOL harness_selftest_316 TARGET harness_selftest_316)

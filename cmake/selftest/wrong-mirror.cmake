# Bindings with deliberately wrong or declared-different operations, added
# through -DHARNESS_IMPLEMENTATIONS as a user adds one (ci/test.sh's
# self-test build; wrong_mirror.c says what each is).
if(TARGET harness_real_3_14)
  add_library(selftest_wrong_mirror STATIC ${CMAKE_CURRENT_LIST_DIR}/wrong_mirror.c)
  harness_use_real_headers(selftest_wrong_mirror real-3.14 SYSTEM)
  target_link_libraries(selftest_wrong_mirror PRIVATE refmodel)
  harness_add_implementation(NAME wrong-mirror-3.14 SYMBOL harness_selftest_wrong_mirror
                             TARGET selftest_wrong_mirror BINDING selftest)
  harness_add_implementation(NAME misdeclared-mirror-3.14 SYMBOL harness_selftest_misdeclared_mirror
                             TARGET selftest_wrong_mirror BINDING selftest)
  harness_add_implementation(NAME stale-mirror-3.14 SYMBOL harness_selftest_stale_mirror
                             TARGET selftest_wrong_mirror BINDING selftest)
  if(CMAKE_SIZEOF_VOID_P EQUAL 8)
    harness_add_implementation(NAME flagging-mirror-3.14 SYMBOL harness_selftest_flagging_mirror
                               TARGET selftest_wrong_mirror BINDING selftest)
    harness_add_implementation(NAME misflagging-mirror-3.14 SYMBOL harness_selftest_misflagging_mirror
                               TARGET selftest_wrong_mirror BINDING selftest)
    harness_add_implementation(NAME greedy-mirror-3.14 SYMBOL harness_selftest_greedy_mirror
                               TARGET selftest_wrong_mirror BINDING selftest)
  endif()
endif()

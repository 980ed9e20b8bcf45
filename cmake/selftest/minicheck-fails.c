/* For ci/test.sh: a minicheck program with one passing check, one failing
 * directly and one failing in a helper (longjmp out of two frames). The
 * runner must count all three, report two failures as Check would, and the
 * run must fail. */
#include <check.h>
#include <stdio.h>

static void helper_fails(int x) { ck_assert_int_eq(x, 2); }

START_TEST(passes) { ck_assert_uint_eq(1u + 1u, 2u); }
END_TEST

START_TEST(fails_directly) { ck_assert_msg(_i == 7, "loop index %d", _i); }
END_TEST

START_TEST(fails_in_helper) { helper_fails(1); }
END_TEST

int main(void)
{
    Suite *s = suite_create("selftest");
    TCase *tc = tcase_create("minicheck");
    tcase_add_test(tc, passes);
    tcase_add_loop_test(tc, fails_directly, 3, 4);
    tcase_add_test(tc, fails_in_helper);
    suite_add_tcase(s, tc);
    printf("harness: selftest: 3 checks registered\n");
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}

/* check.h -- the part of Check's API that the cases use, for targets where
 * Check itself cannot be linked: the MSVC ABI built without the MSVC C
 * runtime (toolchains/common/msvc-abi.cmake), and real MSVC.
 *
 * Same names, same output lines (failures as "file:line:F:tcase:test:i:
 * message", then "N%: Checks: N, Failures: N, Errors: N"), so that
 * cmake/run-case.cmake judges both runners alike.  Differences from Check:
 * checks run in one process, one after another (as Check's CK_FORK=no), so
 * a crash ends the run without a summary line, which run-case.cmake fails;
 * there are no per-check timeouts, the process has run-case.cmake's. */
#ifndef MINICHECK_CHECK_H
#define MINICHECK_CHECK_H

#include <stdint.h>

typedef struct minicheck_test {
    const char *name;
    void (*fn)(int _i);
} minicheck_test;
typedef struct TCase TCase;
typedef struct Suite Suite;
typedef struct SRunner SRunner;
enum print_output { CK_SILENT, CK_MINIMAL, CK_NORMAL, CK_VERBOSE, CK_ENV };

#if defined(__GNUC__) || defined(__clang__)
#define MINICHECK_UNUSED __attribute__((unused))
#define MINICHECK_NORETURN __attribute__((noreturn))
#define MINICHECK_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define MINICHECK_UNUSED
#define MINICHECK_NORETURN __declspec(noreturn)
#define MINICHECK_PRINTF(fmt, args)
#pragma warning(disable : 4100) /* a check need not use its loop index _i */
#endif

#define START_TEST(name)                                                                                               \
    static void name##_fn(int _i MINICHECK_UNUSED);                                                                    \
    static const minicheck_test name##_test = { #name, name##_fn };                                                    \
    static const minicheck_test *const name = &name##_test;                                                            \
    static void name##_fn(int _i MINICHECK_UNUSED)
#define END_TEST

Suite *suite_create(const char *name);
TCase *tcase_create(const char *name);
void suite_add_tcase(Suite *s, TCase *tc);
void tcase_add_test(TCase *tc, const minicheck_test *t);
void tcase_add_loop_test(TCase *tc, const minicheck_test *t, int start, int end);
void tcase_set_timeout(TCase *tc, double seconds);
SRunner *srunner_create(Suite *s);
void srunner_run_all(SRunner *sr, enum print_output print_mode);
int srunner_ntests_failed(SRunner *sr);
void srunner_free(SRunner *sr);

/* Ends the running check as failed (longjmp back into the runner). */
MINICHECK_NORETURN void minicheck_fail(const char *file, int line, const char *fmt, ...) MINICHECK_PRINTF(3, 4);

#define ck_abort_msg(...) minicheck_fail(__FILE__, __LINE__, __VA_ARGS__)
#define ck_assert_msg(expr, ...)                                                                                       \
    ((expr) ? (void)0 : minicheck_fail(__FILE__, __LINE__, "Assertion '" #expr "' failed: " __VA_ARGS__))
#define ck_assert(expr) ((expr) ? (void)0 : minicheck_fail(__FILE__, __LINE__, "%s", "Assertion '" #expr "' failed"))

#define MINICHECK_COMPARE(X, OP, Y, type, fmt)                                                                         \
    do {                                                                                                               \
        type minicheck_x_ = (type)(X);                                                                                 \
        type minicheck_y_ = (type)(Y);                                                                                 \
        if (!(minicheck_x_ OP minicheck_y_))                                                                           \
            minicheck_fail(__FILE__, __LINE__, "Assertion '%s' failed: %s == " fmt ", %s == " fmt, #X " " #OP " " #Y,  \
                           #X, minicheck_x_, #Y, minicheck_y_);                                                        \
    } while (0)
#define ck_assert_int_eq(X, Y) MINICHECK_COMPARE(X, ==, Y, intmax_t, "%jd")
#define ck_assert_int_ge(X, Y) MINICHECK_COMPARE(X, >=, Y, intmax_t, "%jd")
#define ck_assert_int_le(X, Y) MINICHECK_COMPARE(X, <=, Y, intmax_t, "%jd")
#define ck_assert_uint_eq(X, Y) MINICHECK_COMPARE(X, ==, Y, uintmax_t, "%ju")
#define ck_assert_ptr_eq(X, Y) MINICHECK_COMPARE(X, ==, Y, const void *, "%p")
#define ck_assert_ptr_nonnull(X) MINICHECK_COMPARE(X, !=, NULL, const void *, "%p")

#endif

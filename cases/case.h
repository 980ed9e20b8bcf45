/* case.h -- what every case family shares: options from the command line,
 * check registration that counts what it adds, and small assertion helpers. */
#ifndef HARNESS_CASE_H
#define HARNESS_CASE_H

#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "implementations.h" /* harness_dealloc_runtime */
#include "refmodel.h"

typedef struct case_options {
    const rm_implementation *impl;
    const char *mode; /* family-specific sub-mode ("exhaustive", "smaps"), or NULL */
    /* A binding (impl->base set): its own operations as it declares them
     * (impl is then the composition, its base's filling the rest), and what
     * they are compared with: the base, with the model's operations of the
     * same version where the base has none (try_incref, ...). NULL otherwise. */
    const rm_implementation *binding;
    const rm_implementation *reference;
} case_options;

/* Set by main() before the suite runs; forked Check children inherit it. */
extern case_options case_opts;

/* Implemented by each family: add the checks for case_opts to tc (a TCase
 * named after the implementation), or return false after saying on stderr why the
 * family does not apply to that implementation/mode (a usage error, exit 2), or
 * return case_skip(reason) before registering anything: a skip, reported
 * as such only for exit CASE_SKIP_EXIT with no check registered
 * (cmake/run-case.cmake). */
bool case_family_add_tests(TCase *tc);
#define CASE_SKIP_EXIT 77
bool case_skip(const char *reason); /* prints "harness-skip: reason"; returns false */
extern const char *const case_family_name;

/* Registration that counts, so the runner can demand that Check's summary
 * shows exactly as many checks as were registered. */
extern int case_registered;
#define CASE_TEST(tc, fn) (tcase_add_test((tc), (fn)), case_registered++)
#define CASE_LOOP(tc, fn, n) (tcase_add_loop_test((tc), (fn), 0, (n)), case_registered += (n))

/* The data models a loop test runs on, indexed by its _i: the model's four
 * (32/64-bit x LE/BE), or only this target's for an implementation that
 * knows no other (RM_NATIVE_ONLY: real headers). */
#define CASE_ABI_COUNT case_abi_count()
int case_abi_count(void);
rm_data_model case_abi(int i);

/* Storage for one object header: zeroed, aligned for any PyObject, and
 * allocated, so that it has no declared type and the real headers may
 * access it as a PyObject (C11 6.5p6-7), which a uint8_t array would not
 * allow. RM_MAX_HEADER bytes; slots are reused in turn (256 of them), so a
 * test may hold a few at once. Main thread only. */
uint8_t *case_object(void);

/* A fresh runtime for the modelled data model, with a nonzero thread id. */
rm_runtime case_runtime(rm_data_model dm);

/* Decimal text of a 64-bit value, for assertion messages: Check declares its
 * messages with the platform's printf format, and msvcrt's has no %llu or
 * %zu. Four buffers rotate, so up to four may appear in one message. */
const char *case_u64(uint64_t v);
const char *case_i64(int64_t v);

/* Assertions for loops.  Check marks a point at every assertion that passes
 * (one write() to its report file), so a loop of 80,000 ck_assert() calls is
 * 80,000 system calls: seconds under an emulator.  These are silent until
 * they fail, and then report as ck_assert_msg() does, with file and line. */
#define case_require(expr)                                                                                             \
    do {                                                                                                               \
        if (!(expr))                                                                                                   \
            ck_abort_msg("Assertion '%s' failed", #expr);                                                              \
    } while (0)
#define case_require_msg(expr, ...)                                                                                    \
    do {                                                                                                               \
        if (!(expr))                                                                                                   \
            ck_abort_msg(__VA_ARGS__);                                                                                 \
    } while (0)

#define CASE_HEX(buf, n) case_hex((const uint8_t *)(buf), (n))
const char *case_hex(const uint8_t *bytes, size_t n); /* static buffer */

#define ck_assert_bytes_eq(a, b, n)                                                                                    \
    do {                                                                                                               \
        if (memcmp((a), (b), (n)) != 0) {                                                                              \
            char case_hex_a_[3 * RM_MAX_HEADER + 1];                                                                   \
            strcpy(case_hex_a_, CASE_HEX((a), (n)));                                                                   \
            ck_abort_msg("bytes differ: %s is [%s], %s is [%s]", #a, case_hex_a_, #b, CASE_HEX((b), (n)));             \
        }                                                                                                              \
    } while (0)

#endif

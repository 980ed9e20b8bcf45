/* minicheck.c -- the runner behind check.h (see there for how it differs
 * from Check).  Standard C only, so that it builds against a bare C
 * runtime. */
#include "check.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct entry {
    const minicheck_test *test;
    int start, end;
} entry;

struct TCase {
    const char *name;
    entry *entries;
    int count, capacity;
    TCase *next;
};

struct Suite {
    const char *name;
    TCase *first, *last;
};

struct SRunner {
    Suite *suite;
    int checks, failures;
};

static jmp_buf failed_check;
static const char *failed_file;
static int failed_line;
static char failure[1024];

static void *allocate(size_t bytes)
{
    void *p = calloc(1, bytes);
    if (!p) {
        fputs("minicheck: out of memory\n", stderr);
        abort();
    }
    return p;
}

Suite *suite_create(const char *name)
{
    Suite *s = allocate(sizeof *s);
    s->name = name;
    return s;
}

TCase *tcase_create(const char *name)
{
    TCase *tc = allocate(sizeof *tc);
    tc->name = name;
    return tc;
}

void suite_add_tcase(Suite *s, TCase *tc)
{
    if (s->last)
        s->last->next = tc;
    else
        s->first = tc;
    s->last = tc;
}

void tcase_add_loop_test(TCase *tc, const minicheck_test *t, int start, int end)
{
    if (tc->count == tc->capacity) {
        int capacity = tc->capacity ? 2 * tc->capacity : 16;
        entry *grown = allocate((size_t)capacity * sizeof *grown);
        for (int i = 0; i < tc->count; i++)
            grown[i] = tc->entries[i];
        free(tc->entries);
        tc->entries = grown;
        tc->capacity = capacity;
    }
    tc->entries[tc->count++] = (entry){ t, start, end };
}

void tcase_add_test(TCase *tc, const minicheck_test *t) { tcase_add_loop_test(tc, t, 0, 1); }

void tcase_set_timeout(TCase *tc, double seconds)
{
    (void)tc, (void)seconds; /* the whole process has run-case.cmake's timeout */
}

SRunner *srunner_create(Suite *s)
{
    SRunner *sr = allocate(sizeof *sr);
    sr->suite = s;
    return sr;
}

void minicheck_fail(const char *file, int line, const char *fmt, ...)
{
    failed_file = file;
    failed_line = line;
    va_list args;
    va_start(args, fmt);
    vsnprintf(failure, sizeof failure, fmt, args);
    va_end(args);
    longjmp(failed_check, 1);
}

/* One check: 0 if it passed, 1 if it failed (and says so as Check does). */
static int run_one(const TCase *tc, const minicheck_test *t, int i)
{
    if (setjmp(failed_check) == 0) {
        t->fn(i);
        return 0;
    }
    printf("%s:%d:F:%s:%s:%d: %s\n", failed_file, failed_line, tc->name, t->name, i, failure);
    return 1;
}

void srunner_run_all(SRunner *sr, enum print_output print_mode)
{
    if (print_mode != CK_SILENT)
        printf("Running suite(s): %s\n", sr->suite->name);
    for (TCase *tc = sr->suite->first; tc; tc = tc->next)
        for (int e = 0; e < tc->count; e++)
            for (int i = tc->entries[e].start; i < tc->entries[e].end; i++) {
                sr->checks++;
                sr->failures += run_one(tc, tc->entries[e].test, i);
                fflush(stdout);
            }
    if (print_mode != CK_SILENT) {
        int percent = sr->checks ? 100 * (sr->checks - sr->failures) / sr->checks : 0;
        printf("%d%%: Checks: %d, Failures: %d, Errors: 0\n", percent, sr->checks, sr->failures);
    }
    fflush(stdout);
}

int srunner_ntests_failed(SRunner *sr) { return sr->failures; }

void srunner_free(SRunner *sr)
{
    for (TCase *tc = sr->suite->first, *next; tc; tc = next) {
        next = tc->next;
        free(tc->entries);
        free(tc);
    }
    free(sr->suite);
    free(sr);
}

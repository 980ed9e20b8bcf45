/* threads.c -- threads hammer incref/decref on shared immortal objects with
 * no lock: nothing is stored, so nothing races and no byte changes.  The
 * objects sit in read-only pages too, so a single store would fault. */
#include <stdio.h>

#include "case.h"
#include "platform.h"

const char *const case_family_name = "threads";

/* A store under these threads shows within a few rounds: a fault on the
 * read-only pages, a changed Py_REFCNT seen by another thread on the
 * writable ones.  50,000 rounds (800,000 operations per thread) leave a wide
 * margin at a quarter of the emulated time 200,000 took. */
enum { THREADS = 4, ROUNDS = 50000, OBJECTS = 4 };

typedef struct shared {
    uint8_t *objs[OBJECTS];
    int64_t refcnt[OBJECTS];
} shared;

typedef struct worker {
    const shared *sh;
    rm_runtime rt;
    unsigned long lost_immortality;
    unsigned long refcnt_changed;
} worker;

static void hammer(void *arg)
{
    worker *w = arg;
    const rm_implementation *s = case_opts.impl;
    for (int round = 0; round < ROUNDS; round++) {
        for (int i = 0; i < OBJECTS; i++) {
            uint8_t *obj = w->sh->objs[i];
            s->incref(&w->rt, obj);
            s->decref(&w->rt, obj);
            if (round % 7 == 0)
                s->decref(&w->rt, obj); /* unbalanced */
            w->lost_immortality += !s->is_immortal(&w->rt, obj);
            w->refcnt_changed += s->refcnt(&w->rt, obj) != w->sh->refcnt[i];
        }
    }
}

static void run(bool readonly)
{
    const rm_implementation *s = case_opts.impl;
    size_t bytes = platform_page_size();
    uint8_t *page = platform_pages(bytes);
    ck_assert_ptr_nonnull(page);
    rm_runtime owner = case_runtime(rm_native_data_model());
    shared sh;
    for (int i = 0; i < OBJECTS; i++) {
        sh.objs[i] = page + (size_t)i * 64;
        if (i % 2) {
            s->new_reference(&owner, sh.objs[i]);
            s->immortalize(&owner, sh.objs[i]);
        } else {
            s->init_static(&owner, sh.objs[i], RM_ORIGIN_CORE);
        }
        sh.refcnt[i] = s->refcnt(&owner, sh.objs[i]);
    }
    uint8_t before[OBJECTS * 64];
    memcpy(before, page, sizeof before);
    if (readonly)
        ck_assert(platform_protect_readonly(page, bytes));

    worker w[THREADS];
    platform_thread *thread[THREADS];
    for (int t = 0; t < THREADS; t++) {
        w[t].sh = &sh;
        rm_runtime_init(&w[t].rt, owner.dm, 100 + (uint64_t)t); /* distinct ob_tid owners */
        w[t].lost_immortality = w[t].refcnt_changed = 0;
        thread[t] = platform_thread_start(hammer, &w[t]);
        ck_assert_ptr_nonnull(thread[t]);
    }
    for (int t = 0; t < THREADS; t++) {
        ck_assert(platform_thread_join(thread[t]));
        ck_assert_uint_eq(w[t].rt.deallocs, 0);
        ck_assert_uint_eq(w[t].rt.merges_queued, 0);
        ck_assert_uint_eq(w[t].lost_immortality, 0);
        ck_assert_uint_eq(w[t].refcnt_changed, 0);
    }
    ck_assert_int_eq(memcmp(page, before, sizeof before), 0);
    platform_free_pages(page, bytes);
}

START_TEST(hammer_writable_pages) { run(false); }
END_TEST

START_TEST(hammer_readonly_pages) { run(true); }
END_TEST

bool case_family_add_tests(TCase *tc)
{
    if (!(case_opts.impl->flags & RM_HAS_IMMORTALITY) || case_opts.mode) {
        fprintf(stderr, "cases_threads: applies to implementations with immortality, with no mode\n");
        return false;
    }
    tcase_set_timeout(tc, 120);
    CASE_TEST(tc, hammer_writable_pages);
    CASE_TEST(tc, hammer_readonly_pages);
    return true;
}

/* threads.c -- threads hammer incref/decref on shared immortal objects with
 * no lock: nothing is stored, so nothing races and no byte changes.  The
 * objects sit in read-only pages too, so a single store would fault. */
#include <stdio.h>

#include "case.h"
#include "platform.h"

const char *const case_family_name = "threads";

/* A store on the read-only pages faults at once. On the writable ones a
 * store that a second store undoes shows only to another thread reading in
 * between, so the storms must run together: the threads leave a gate at
 * once, each goes on until every thread has done MIN_ROUNDS (so that each
 * thread's first MIN_ROUNDS run while all the others hammer too), and each
 * reads the count after every increment as well as after the pair.
 * Measured under qemu-aarch64 on a model whose immortal increment stores
 * the count plus one and then the count (cmake/selftest: the thread storms'
 * mutant): rounds counted alone, without the gate, missed it in 3 of 10 runs
 * at 5,000 rounds (0 of 10 at 50,000); together, 4,096 rounds with the
 * extra read missed it in 0 of 80, at a quarter of 50,000 rounds' CPU. */
enum { THREADS = 4, OBJECTS = 4, MIN_ROUNDS = 4096, ROUNDS_BETWEEN_LOOKS = 64 };

typedef struct shared {
    uint8_t *objs[OBJECTS];
    int64_t refcnt[OBJECTS];
    platform_gate *gate;
    platform_count *finished; /* threads that have done MIN_ROUNDS */
    long threads;             /* how many started */
} shared;

typedef struct worker {
    shared *sh;
    rm_runtime rt;
    long rounds;
    unsigned long lost_immortality;
    unsigned long refcnt_changed;
} worker;

static void hammer(void *arg)
{
    worker *w = arg;
    const rm_implementation *s = case_opts.impl;
    platform_gate_wait(w->sh->gate);
    long round = 0;
    for (;; round++) {
        if (round >= MIN_ROUNDS && round % ROUNDS_BETWEEN_LOOKS == 0 &&
            platform_count_add(w->sh->finished, round == MIN_ROUNDS) == w->sh->threads)
            break;
        for (int i = 0; i < OBJECTS; i++) {
            uint8_t *obj = w->sh->objs[i];
            s->incref(&w->rt, obj);
            w->refcnt_changed += s->refcnt(&w->rt, obj) != w->sh->refcnt[i];
            s->decref(&w->rt, obj);
            if (round % 7 == 0)
                s->decref(&w->rt, obj); /* unbalanced */
            w->lost_immortality += !s->is_immortal(&w->rt, obj);
            w->refcnt_changed += s->refcnt(&w->rt, obj) != w->sh->refcnt[i];
        }
    }
    w->rounds = round;
}

static void run(bool readonly)
{
    _Static_assert(MIN_ROUNDS % ROUNDS_BETWEEN_LOOKS == 0, "a thread counts itself finished at MIN_ROUNDS exactly");
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

    sh.gate = platform_gate_create();
    sh.finished = platform_count_create();
    ck_assert_ptr_nonnull(sh.gate);
    ck_assert_ptr_nonnull(sh.finished);
    worker w[THREADS];
    platform_thread *thread[THREADS];
    sh.threads = 0;
    for (int t = 0; t < THREADS; t++) {
        w[t].sh = &sh;
        rm_runtime_init(&w[t].rt, owner.dm, 100 + (uint64_t)t); /* distinct ob_tid owners */
        w[t].rounds = 0;
        w[t].lost_immortality = w[t].refcnt_changed = 0;
        thread[t] = platform_thread_start(hammer, &w[t]);
        if (!thread[t])
            break; /* the ones started still run, together, and are joined */
        sh.threads++;
    }
    platform_gate_open(sh.gate);
    for (int t = 0; t < sh.threads; t++)
        ck_assert(platform_thread_join(thread[t]));
    ck_assert_msg(sh.threads == THREADS, "only %ld of %d threads started", sh.threads, THREADS);
    printf("harness: %s: rounds per thread, %s pages:", s->name, readonly ? "read-only" : "writable");
    for (int t = 0; t < THREADS; t++)
        printf(" %ld", w[t].rounds);
    printf("\n");
    for (int t = 0; t < THREADS; t++) {
        ck_assert_uint_eq(w[t].rt.deallocs, 0);
        ck_assert_uint_eq(w[t].rt.merges_queued, 0);
        ck_assert_msg(w[t].lost_immortality == 0, "%s: thread %d saw an object not immortal %lu times", s->name, t,
                      w[t].lost_immortality);
        ck_assert_msg(w[t].refcnt_changed == 0,
                      "%s: thread %d saw Py_REFCNT other than its value before the storm %lu times: another thread "
                      "saw a store",
                      s->name, t, w[t].refcnt_changed);
    }
    platform_count_free(sh.finished);
    platform_gate_free(sh.gate);
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

/* saturation.c -- overflow saturation: a mortal count that reaches the
 * immortal range becomes immortal and stays so; an immortal object never
 * reaches zero.  Every boundary is reached by setting the counting word next
 * to it, on all four modelled data models (loop index = case_abi()).
 * Mode "exhaustive" sweeps all 2^32 counting-word values on the native data
 * model instead, in a build with the sweeps (HARNESS_EXHAUSTIVE). */
#include <stdio.h>

#include "case.h"
#include "expect.h"
#include "platform.h"
#ifdef HARNESS_EXHAUSTIVE
#include "sweep.h"
#endif

const char *const case_family_name = "saturation";

typedef struct fixture {
    const rm_implementation *s;
    rm_data_model dm;
    rm_runtime rt;
    rm_layout l;
    expect_saturation e;
    uint8_t *obj; /* case_object(): real headers access it as a PyObject */
} fixture;

static void fx_init(fixture *f, rm_data_model dm)
{
    memset(f, 0, sizeof *f);
    f->obj = case_object();
    f->s = case_opts.impl;
    f->dm = dm;
    f->rt = case_runtime(dm);
    f->l = f->s->layout(dm);
    f->e = expect_saturation_of(f->s, dm);
    f->s->new_reference(&f->rt, f->obj); /* owned by this thread */
}

static uint32_t count(const fixture *f)
{
    return (uint32_t)rm_load(f->obj, f->l.field[RM_F_COUNT_WORD], f->dm.big_endian);
}

static void set_count(fixture *f, uint32_t v) { rm_store(f->obj, f->l.field[RM_F_COUNT_WORD], f->dm.big_endian, v); }

static bool immortal(const fixture *f) { return f->s->is_immortal(&f->rt, f->obj); }

/* The incref/decref that must not store: the whole header stays as it was. */
static void assert_no_store(fixture *f, void (*op)(rm_runtime *, uint8_t *), int times)
{
    uint8_t before[RM_MAX_HEADER];
    memcpy(before, f->obj, sizeof before);
    for (int i = 0; i < times; i++)
        op(&f->rt, f->obj);
    ck_assert_bytes_eq(f->obj, before, f->l.object_size);
    ck_assert_uint_eq(f->rt.deallocs, 0);
}

START_TEST(mortal_to_immortal_at_threshold)
{
    fixture f;
    fx_init(&f, case_abi(_i));
    if (!f.e.immortality) {
        /* 3.11: every value counts; the word wraps like any integer. */
        uint32_t probes[] = { 0x3FFFFFFFu, 0x40000000u, 0x7FFFFFFFu, 0x80000000u, 0xC0000000u, 0xFFFFFFFFu };
        for (size_t k = 0; k < sizeof probes / sizeof probes[0]; k++) {
            set_count(&f, probes[k]);
            ck_assert_msg(!immortal(&f), "%s: 0x%08x reads immortal", f.s->name, probes[k]);
            f.s->incref(&f.rt, f.obj);
            ck_assert_uint_eq(count(&f), (uint32_t)(probes[k] + 1));
        }
        return;
    }
    uint32_t first = f.e.first_immortal;
    set_count(&f, first - 2);
    ck_assert_msg(!immortal(&f), "0x%08x is already immortal", first - 2);
    f.s->incref(&f.rt, f.obj);
    ck_assert_uint_eq(count(&f), first - 1);
    ck_assert(!immortal(&f));
    ck_assert_int_eq(f.s->refcnt(&f.rt, f.obj),
                     (int64_t)(first - 1) - (f.dm.word_bytes == 4 && first - 1 > INT32_MAX ? 4294967296 : 0));
    f.s->incref(&f.rt, f.obj);
    ck_assert_uint_eq(count(&f), first);
    ck_assert_msg(immortal(&f), "%s on %s: 0x%08x is not immortal", f.s->name, rm_data_model_name(f.dm), first);
    if (first < UINT32_MAX) {
        set_count(&f, f.e.last_immortal + 1u);
        ck_assert_msg(!immortal(&f), "0x%08x past the immortal range reads immortal", f.e.last_immortal + 1u);
    }
}
END_TEST

START_TEST(sticky_up_to_ceiling)
{
    fixture f;
    fx_init(&f, case_abi(_i));
    ck_assert(f.e.immortality); /* registered for versions with immortality only */
    uint32_t c = f.e.ceiling;
    if (c - 2 >= f.e.first_immortal) {
        /* Immortal increfs below the ceiling still climb toward it. */
        set_count(&f, c - 2);
        f.s->incref(&f.rt, f.obj);
        ck_assert_uint_eq(count(&f), c - 1);
        ck_assert(immortal(&f));
        f.s->incref(&f.rt, f.obj);
        ck_assert_uint_eq(count(&f), c);
    } else {
        set_count(&f, c);
    }
    ck_assert(immortal(&f));
    assert_no_store(&f, f.s->incref, 1000);
    /* Stickiness from the lowest immortal value: increfs never leave the
     * immortal range and decrefs never store. */
    set_count(&f, f.e.first_immortal);
    for (int k = 0; k < 1000; k++) {
        f.s->incref(&f.rt, f.obj);
        case_require(immortal(&f));
    }
    assert_no_store(&f, f.s->decref, 1000);
}
END_TEST

START_TEST(immortal_decref_never_reaches_zero)
{
    fixture f;
    fx_init(&f, case_abi(_i));
    ck_assert(f.e.immortality);                     /* registered for versions with immortality only */
    for (int runtime = 0; runtime < 2; runtime++) { /* static, then runtime immortal */
        fx_init(&f, case_abi(_i));
        if (runtime)
            f.s->immortalize(&f.rt, f.obj);
        else
            f.s->init_static(&f.rt, f.obj, RM_ORIGIN_CORE);
        ck_assert(immortal(&f));
        assert_no_store(&f, f.s->decref, 10000);
    }
    uint32_t edges[] = { f.e.first_immortal, f.e.ceiling, f.e.last_immortal };
    for (size_t k = 0; k < 3; k++) {
        fx_init(&f, case_abi(_i));
        set_count(&f, edges[k]);
        ck_assert(immortal(&f));
        assert_no_store(&f, f.s->decref, 100);
    }
}
END_TEST

START_TEST(mortal_decref_deallocates_once)
{
    fixture f;
    fx_init(&f, case_abi(_i));
    ck_assert_int_eq(f.s->refcnt(&f.rt, f.obj), 1);
    f.s->incref(&f.rt, f.obj);
    ck_assert_int_eq(f.s->refcnt(&f.rt, f.obj), 2);
    f.s->decref(&f.rt, f.obj);
    ck_assert_uint_eq(f.rt.deallocs, 0);
    f.s->decref(&f.rt, f.obj);
    ck_assert_uint_eq(f.rt.deallocs, 1);
    ck_assert_ptr_eq(f.rt.last_dealloc, f.obj);
}
END_TEST

START_TEST(reported_refcount)
{
    fixture f;
    fx_init(&f, case_abi(_i));
    f.s->init_static(&f.rt, f.obj, RM_ORIGIN_CORE);
    ck_assert_int_eq(f.s->refcnt(&f.rt, f.obj), f.e.static_refcnt);
    fx_init(&f, case_abi(_i));
    f.s->immortalize(&f.rt, f.obj);
    ck_assert_int_eq(f.s->refcnt(&f.rt, f.obj), f.e.runtime_refcnt);
    /* 3.12 made PyObject_HEAD_INIT immortal for the core only. */
    fx_init(&f, case_abi(_i));
    f.s->init_static(&f.rt, f.obj, RM_ORIGIN_EXTENSION);
    ck_assert_int_eq(immortal(&f), !expect_extension_static_is_mortal(f.s));
    ck_assert_int_eq(f.s->refcnt(&f.rt, f.obj), expect_extension_static_refcnt(f.s, f.rt.dm));
}
END_TEST

START_TEST(set_refcnt)
{
    fixture f;
    fx_init(&f, case_abi(_i));
    f.s->set_refcnt(&f.rt, f.obj, 5);
    ck_assert_int_eq(f.s->refcnt(&f.rt, f.obj), 5);
    if (f.e.immortality) {
        f.s->immortalize(&f.rt, f.obj);
        assert_no_store(&f, f.s->incref, 1);
        uint8_t before[RM_MAX_HEADER];
        memcpy(before, f.obj, sizeof before);
        f.s->set_refcnt(&f.rt, f.obj, 7); /* silently ignored on immortals */
        ck_assert_bytes_eq(f.obj, before, f.l.object_size);
    }
    if (f.dm.word_bytes != 8 || (f.s->flags & RM_FREE_THREADED))
        return;
    /* 64-bit GIL: 3.11-3.13 store the whole Py_ssize_t, 3.14+ truncate. */
    fx_init(&f, case_abi(_i));
    f.s->set_refcnt(&f.rt, f.obj, INT64_C(0x100000005));
    bool truncates = expect_family_of(f.s) == EXPECT_314;
    ck_assert_int_eq(f.s->refcnt(&f.rt, f.obj), truncates ? 5 : INT64_C(0x100000005));
    ck_assert(!immortal(&f));
    if (truncates) {
        /* [2^31, 2^32) makes the object immortal without setting ob_flags. */
        f.s->set_refcnt(&f.rt, f.obj, INT64_C(0x80000000));
        ck_assert(immortal(&f));
        ck_assert_uint_eq(rm_load(f.obj, f.l.field[RM_F_FLAGS], f.dm.big_endian), 0);
    }
}
END_TEST

START_TEST(static_versus_runtime_immortal)
{
    fixture f;
    fx_init(&f, case_abi(_i));
    ck_assert(f.s->is_static_immortal != NULL); /* registered where the version has _Py_IsStaticImmortal */
    uint8_t *stat = case_object();
    f.s->init_static(&f.rt, stat, RM_ORIGIN_EXTENSION);
    ck_assert(f.s->is_static_immortal(&f.rt, stat));
    f.s->immortalize(&f.rt, f.obj);
    ck_assert(!f.s->is_static_immortal(&f.rt, f.obj));
    ck_assert(immortal(&f));
    /* Immortalising a static object must not degrade it. */
    memcpy(f.obj, stat, RM_MAX_HEADER);
    assert_no_store(&f, f.s->immortalize, 1);
}
END_TEST

/* Free-threaded: the owner counts in ob_ref_local, every other thread in
 * ob_ref_shared (4 per reference, 2 flag bits). */
START_TEST(ft_owner_and_shared_paths)
{
    fixture f;
    fx_init(&f, case_abi(_i));
    rm_runtime other = case_runtime(f.dm);
    other.thread_id = f.rt.thread_id + 1;
    rm_field local = f.l.field[RM_F_REF_LOCAL], shared = f.l.field[RM_F_REF_SHARED];
    bool be = f.dm.big_endian;

    f.s->incref(&other, f.obj); /* shared += 4 */
    ck_assert_uint_eq(rm_load(f.obj, shared, be), 4);
    ck_assert_uint_eq(rm_load(f.obj, local, be), 1);
    ck_assert_int_eq(f.s->refcnt(&f.rt, f.obj), 2);
    f.s->decref(&f.rt, f.obj); /* local 0, shared 4: merge, no dealloc */
    ck_assert_uint_eq(f.rt.deallocs, 0);
    ck_assert_uint_eq(rm_load(f.obj, f.l.field[RM_F_TID], be), 0);
    ck_assert_uint_eq(rm_load(f.obj, shared, be), 4 | 3); /* MERGED */
    f.s->decref(&other, f.obj);                           /* merged and zero: dealloc */
    ck_assert_uint_eq(other.deallocs, 1);

    /* A non-owner decref of a zero shared count queues the object for the
     * owner to merge, without subtracting. */
    fx_init(&f, case_abi(_i));
    f.s->decref(&other, f.obj);
    ck_assert_uint_eq(other.merges_queued, 1);
    ck_assert_uint_eq(rm_load(f.obj, shared, be), 2); /* QUEUED */

    /* Owner set_refcnt above UINT32_MAX immortalises; a non-owner's merges. */
    fx_init(&f, case_abi(_i));
    f.s->set_refcnt(&other, f.obj, 3);
    ck_assert_uint_eq(rm_load(f.obj, shared, be), (3u << 2) | 3u);
    ck_assert_int_eq(f.s->refcnt(&f.rt, f.obj), 3);
    if (f.dm.word_bytes == 8) {
        fx_init(&f, case_abi(_i));
        f.s->set_refcnt(&f.rt, f.obj, INT64_C(0x100000000));
        ck_assert(immortal(&f));
        ck_assert_uint_eq(rm_load(f.obj, f.l.field[RM_F_TID], be), 0);
    } else {
        /* Cython#7742: (Py_ssize_t)UINT32_MAX is -1 on 32-bit, so the
         * overflow branch is never taken; ob_ref_local becomes 0xFFFFFFFF
         * (immortal) and the owner's tid stays. */
        fx_init(&f, case_abi(_i));
        f.s->set_refcnt(&f.rt, f.obj, -1);
        ck_assert(immortal(&f));
        ck_assert_uint_eq(rm_load(f.obj, f.l.field[RM_F_TID], be), f.rt.thread_id);
    }
}
END_TEST

#ifdef HARNESS_EXHAUSTIVE
/* Exhaustive: every counting-word value, on the native data model, against
 * the expected ranges (not against the model's own code).  The 2^32 values
 * are cut into slices swept on SWEEP_THREADS threads by the loop compiled
 * for the implementation (cases/sweep.c); a slice stops at its first wrong
 * value and the main thread reports the lowest one. */
#define SWEEP_THREADS 4

static void sweep_slice_run(void *arg)
{
    sweep_slice *sl = arg;
    sweep_loop_for(case_opts.impl)(sl);
}

START_TEST(exhaustive_counting_word)
{
    fixture base;
    fx_init(&base, rm_native_data_model());
    ck_assert_msg(sweep_loop_for(base.s), "%s: no sweep loop is compiled for it (cases/sweep.c)", base.s->name);
    /* What the sweep's loops assume of the counting word (cases/sweep.c). */
    ck_assert_uint_eq(base.l.field[RM_F_COUNT_WORD].size, 4);
    ck_assert_uint_eq(base.l.field[RM_F_COUNT_WORD].offset % 4, 0);
    ck_assert(base.l.field[RM_F_COUNT_WORD].offset / 8 * 8 + 8 <= RM_MAX_HEADER);
    sweep_slice slice[SWEEP_THREADS];
    platform_thread *thread[SWEEP_THREADS];
    const uint64_t all = UINT64_C(1) << 32;
    for (int t = 0; t < SWEEP_THREADS; t++) {
        memset(&slice[t], 0, sizeof slice[t]);
        slice[t].header = base.obj;
        slice[t].word = base.l.field[RM_F_COUNT_WORD];
        slice[t].rt = base.rt;
        slice[t].e = base.e;
        slice[t].from = all / SWEEP_THREADS * (uint64_t)t;
        slice[t].to = all / SWEEP_THREADS * (uint64_t)(t + 1);
        thread[t] = platform_thread_start(sweep_slice_run, &slice[t]);
        if (!thread[t]) /* no threads here: sweep the slice on this one */
            sweep_slice_run(&slice[t]);
    }
    uint64_t immortals = 0;
    for (int t = 0; t < SWEEP_THREADS; t++) {
        if (thread[t])
            ck_assert(platform_thread_join(thread[t]));
        immortals += slice[t].immortals;
    }
    for (int t = 0; t < SWEEP_THREADS; t++) {
        const sweep_slice *sl = &slice[t];
        if (!sl->wrong)
            continue;
        if (!strcmp(sl->what, "immortal"))
            ck_abort_msg("%s: 0x%08x immortal=%u, expected %u", base.s->name, sl->value, sl->got, sl->want);
        if (!strcmp(sl->what, "incref"))
            ck_abort_msg("%s: incref of 0x%08x gave 0x%08x, expected 0x%08x", base.s->name, sl->value, sl->got,
                         sl->want);
        ck_abort_msg("%s: decref of 0x%08x gave 0x%08x with %s deallocs, expected 0x%08x with %s", base.s->name,
                     sl->value, sl->got, case_u64(sl->got_deallocs), sl->want, case_u64(sl->want_deallocs));
    }
    uint64_t want_count = base.e.immortality ? (uint64_t)base.e.last_immortal - base.e.first_immortal + 1 : 0;
    ck_assert_uint_eq(immortals, want_count);
    printf("harness: %s on %s: %llu of 2^32 counting-word values are immortal (%d slices)\n", base.s->name,
           rm_data_model_name(base.dm), (unsigned long long)immortals, SWEEP_THREADS);
}
END_TEST

static bool add_exhaustive(TCase *tc)
{
    /* Sweeping the very same incref/decref/is_immortal code twice would
     * prove nothing new; say where it was swept instead. */
    const rm_implementation *s = case_opts.impl;
    for (size_t i = 0; rm_implementations[i] != s; i++) {
        const rm_implementation *e = rm_implementations[i];
        if (e->incref == s->incref && e->decref == s->decref && e->is_immortal == s->is_immortal) {
            char why[160];
            snprintf(why, sizeof why, "%s has the same incref/decref/is_immortal code as %s, swept there", s->name,
                     e->name);
            return case_skip(why);
        }
    }
    tcase_set_timeout(tc, 3600);
    CASE_TEST(tc, exhaustive_counting_word);
    return true;
}
#endif

bool case_family_add_tests(TCase *tc)
{
    if (case_opts.mode) {
#ifdef HARNESS_EXHAUSTIVE
        if (!strcmp(case_opts.mode, "exhaustive"))
            return add_exhaustive(tc);
        fprintf(stderr, "cases_saturation: unknown mode '%s' (known: exhaustive)\n", case_opts.mode);
#else
        fprintf(stderr,
                "cases_saturation: unknown mode '%s' (none in this build; exhaustive needs -DHARNESS_EXHAUSTIVE=ON)\n",
                case_opts.mode);
#endif
        return false;
    }
    CASE_LOOP(tc, mortal_to_immortal_at_threshold, CASE_ABI_COUNT);
    if (expect_family_of(case_opts.impl) != EXPECT_311) { /* no immortality in 3.11 */
        CASE_LOOP(tc, sticky_up_to_ceiling, CASE_ABI_COUNT);
        CASE_LOOP(tc, immortal_decref_never_reaches_zero, CASE_ABI_COUNT);
    }
    CASE_LOOP(tc, mortal_decref_deallocates_once, CASE_ABI_COUNT);
    CASE_LOOP(tc, reported_refcount, CASE_ABI_COUNT);
    CASE_LOOP(tc, set_refcnt, CASE_ABI_COUNT);
    if (case_opts.impl->is_static_immortal)
        CASE_LOOP(tc, static_versus_runtime_immortal, CASE_ABI_COUNT);
    /* Another thread's operations, by its thread id: for an
     * implementation whose ownership test is the real thread's
     * (thread_id), agreement.c covers the same paths byte for byte. */
    if (case_opts.impl->flags & RM_FREE_THREADED && !case_opts.impl->thread_id)
        CASE_LOOP(tc, ft_owner_and_shared_paths, CASE_ABI_COUNT);
    return true;
}

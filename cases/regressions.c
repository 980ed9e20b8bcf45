/* regressions.c -- known upstream bugs as named cases. Each asserts the
 * buggy behaviour on the versions that have it and the fixed behaviour on
 * the others, on whichever implementation it is given: the model (all four
 * data models; the only way to reach versions no Debian package carries,
 * such as 3.12 and 3.13.0) and CPython's real headers (this target's data
 * model). Each prints what it found. */
#include <stdio.h>

#include "case.h"
#include "expect.h"

const char *const case_family_name = "regressions";

typedef struct subject {
    const rm_scheme *s;
    rm_runtime rt;
    rm_layout l;
    uint8_t *obj; /* case_object() */
} subject;

static void subject_init(subject *x, rm_abi abi)
{
    memset(x, 0, sizeof *x);
    x->obj = case_object();
    x->s = case_opts.scheme;
    x->rt = case_runtime(abi);
    x->l = x->s->layout(abi);
}

/* n net legacy (<= 3.11 ++) increfs on the whole Py_ssize_t, in one step. */
static void legacy_increfs(subject *x, uint64_t n)
{
    rm_field word = { 0, x->rt.abi.word_bytes };
    uint64_t mask = x->rt.abi.word_bytes == 8 ? UINT64_MAX : UINT32_MAX;
    rm_store(x->obj, word, x->rt.abi.big_endian, (rm_load(x->obj, word, x->rt.abi.big_endian) + n) & mask);
}

/* gh-125174 "'Immortal' objects aren't immortal": on 3.12/3.13 a single
 * legacy incref turns an immortal object mortal (64-bit: the full word
 * becomes 2^32; 32-bit: 2^30); 3.14 starts in the middle of the immortal
 * range, so 2^30 - 1 legacy increfs are tolerated, and on 64-bit the 2^30th
 * leaves Py_REFCNT 0, after which one incref/decref pair deallocates. */
START_TEST(gh_125174_legacy_increfs_deimmortalise)
{
    subject x;
    subject_init(&x, case_abi(_i));
    expect_family fam = expect_family_of(x.s);
    bool w64 = x.rt.abi.word_bytes == 8;
    x.s->init_static(&x.rt, x.obj, RM_ORIGIN_CORE);
    ck_assert(x.s->is_immortal(&x.rt, x.obj));
    legacy_increfs(&x, 1);
    if (fam == EXPECT_312) {
        ck_assert_msg(!x.s->is_immortal(&x.rt, x.obj), "%s: one legacy incref should de-immortalise (gh-125174)",
                      x.s->name);
        printf("harness: gh-125174 present in %s on %s: one legacy incref de-immortalises a static object\n",
               x.s->name, rm_abi_name(x.rt.abi));
        return;
    }
    ck_assert_msg(x.s->is_immortal(&x.rt, x.obj), "%s: one legacy incref de-immortalised (gh-125174 fixed in 3.14)",
                  x.s->name);
    x.s->init_static(&x.rt, x.obj, RM_ORIGIN_CORE);
    uint64_t tolerated = w64 ? (UINT64_C(1) << 30) - 1 : (UINT64_C(1) << 28) - 1;
    legacy_increfs(&x, tolerated);
    ck_assert(x.s->is_immortal(&x.rt, x.obj));
    legacy_increfs(&x, 1);
    if (w64) {
        ck_assert_int_eq(x.s->refcnt(&x.rt, x.obj), 0);
        x.s->incref(&x.rt, x.obj);
        x.s->decref(&x.rt, x.obj);
        ck_assert_uint_eq(x.rt.deallocs, 1);
        printf("harness: gh-125174 fixed in %s on %s for up to 2^30-1 legacy increfs; the 2^30th leaves Py_REFCNT 0 "
               "and one incref/decref pair deallocates (the remaining hazard)\n",
               x.s->name, rm_abi_name(x.rt.abi));
    } else {
        ck_assert(!x.s->is_immortal(&x.rt, x.obj)); /* 7<<28 + 2^28 is negative */
        printf("harness: gh-125174 fixed in %s on %s for up to 2^28-1 legacy increfs of a static object\n",
               x.s->name, rm_abi_name(x.rt.abi));
    }
}
END_TEST

/* gh-128058: on 32-bit builds 3.14's static and runtime immortals report
 * different counts (7<<28 and 5<<28), and free-threaded ones 5<<28 for
 * both; a test that expected one value failed on 32-bit free-threaded. */
START_TEST(gh_128058_32bit_initial_values)
{
    subject x;
    subject_init(&x, case_abi(_i));
    if (x.rt.abi.word_bytes != 4)
        return; /* registered for 32-bit data models only; see case_family_add_tests */
    expect_family fam = expect_family_of(x.s);
    x.s->init_static(&x.rt, x.obj, RM_ORIGIN_CORE);
    int64_t stat = x.s->refcnt(&x.rt, x.obj);
    memset(x.obj, 0, RM_MAX_HEADER);
    x.s->new_reference(&x.rt, x.obj);
    x.s->immortalize(&x.rt, x.obj);
    int64_t runtime = x.s->refcnt(&x.rt, x.obj);
    int64_t want_static = fam == EXPECT_314 ? 7 << 28 : fam == EXPECT_FT314 ? 5 << 28 : 0x3FFFFFFF;
    int64_t want_runtime = fam == EXPECT_314 || fam == EXPECT_FT314 ? 5 << 28 : 0x3FFFFFFF;
    ck_assert_int_eq(stat, want_static);
    ck_assert_int_eq(runtime, want_runtime);
    printf("harness: gh-128058 on %s, %s: Py_REFCNT of a static immortal %s, of a runtime immortal %s\n", x.s->name,
           rm_abi_name(x.rt.abi), case_i64(stat), case_i64(runtime));
}
END_TEST

/* gh-134989: Py_RETURN_NONE under a limited API older than 3.12 must incref
 * (the extension may run on <= 3.11, where None is mortal). The real
 * headers' own Py_RETURN_NONE, compiled for Py_LIMITED_API 3.11
 * (harness/real/real_return_none.c), is run on a mortal None and watched;
 * the fact sheet says which versions incref (cases/expect.h). Then what
 * that does to a 3.11 runtime: a wheel whose Py_RETURN_NONE does not
 * incref loses one reference per call, and None is deallocated once they
 * are gone. */
START_TEST(gh_134989_return_none_old_limited_api)
{
    const rm_scheme *s = case_opts.scheme;
    rm_runtime rt = case_runtime(rm_native_abi());
    uint8_t *none = s->return_none_limited_311();
    s->set_refcnt(&rt, none, 100); /* a mortal None: 100 references held elsewhere */
    ck_assert_ptr_eq(s->return_none_limited_311(), none);
    int64_t increfs = s->refcnt(&rt, none) - 100;
    bool want = expect_limited_311_return_none_increfs(s->version_hex);
    ck_assert_msg(increfs == (want ? 1 : 0), "%s: Py_RETURN_NONE (limited API 3.11) added %s references, expected %d",
                  s->summary, case_i64(increfs), want ? 1 : 0);
    /* The consequence on a 3.11 runtime, 100 calls, each caller dropping
     * the reference it was returned. */
    const rm_scheme *old = rm_find_scheme("3.11");
    rm_runtime rt311 = case_runtime(rm_native_abi());
    uint8_t *none311 = case_object();
    old->new_reference(&rt311, none311);
    old->set_refcnt(&rt311, none311, 100);
    for (int call = 0; call < 100; call++) {
        for (int64_t k = 0; k < increfs; k++)
            old->incref(&rt311, none311);
        old->decref(&rt311, none311);
    }
    ck_assert_uint_eq(rt311.deallocs, want ? 0 : 1);
    printf("harness: gh-134989 %s, %s: Py_RETURN_NONE under the limited API of 3.11 %s; a 3.11 runtime "
           "calling such a wheel 100 times %s\n", want ? "absent" : "PRESENT", s->summary,
           want ? "increfs None" : "returns None without a reference",
           want ? "keeps None" : "deallocates None");
}
END_TEST

/* PyO3#5175: 3.14's union of ob_refcnt_full with {ob_refcnt, ob_overflow,
 * ob_flags} exists on 64-bit only; on 32-bit ob_refcnt is the whole
 * Py_ssize_t and there are no flags, so a binding that mirrors the 64-bit
 * union everywhere reads past the count on 32-bit. */
START_TEST(pyo3_5175_union_is_64bit_only)
{
    subject x;
    subject_init(&x, case_abi(_i));
    uint8_t w = x.rt.abi.word_bytes;
    if (w == 8) {
        ck_assert_uint_eq(x.l.field[RM_F_REFCNT].size, 8);
        ck_assert_uint_eq(x.l.field[RM_F_OVERFLOW].size, 2);
        ck_assert_uint_eq(x.l.field[RM_F_FLAGS].size, 2);
    } else {
        ck_assert_uint_eq(x.l.field[RM_F_REFCNT].offset, 0);
        ck_assert_uint_eq(x.l.field[RM_F_REFCNT].size, 4);
        ck_assert_uint_eq(x.l.field[RM_F_OVERFLOW].size, 0);
        ck_assert_uint_eq(x.l.field[RM_F_FLAGS].size, 0);
    }
    ck_assert_uint_eq(x.l.object_size, 2 * w);
    printf("harness: PyO3#5175 on %s, %s: %s\n", x.s->name, rm_abi_name(x.rt.abi),
           w == 8 ? "the refcnt/overflow/flags union is there" : "no union: ob_refcnt is the whole word, no flags");
}
END_TEST

/* Cython#7742: immortalising with Py_SET_REFCNT(op, (Py_ssize_t)UINT32_MAX)
 * on a free-threaded build. On 32-bit the value is -1: it breaks the
 * function's n >= 0 precondition (an assert in debug builds), and a release
 * build stores ob_ref_local = 0xFFFFFFFF without clearing ob_tid, so the
 * object reads as immortal yet is still owned by a thread. */
START_TEST(cython_7742_uint32_max_as_ssize_t)
{
    subject x;
    subject_init(&x, case_abi(_i));
    bool w32 = x.rt.abi.word_bytes == 4;
    int64_t n = w32 ? (int64_t)(int32_t)UINT32_MAX : (int64_t)UINT32_MAX; /* (Py_ssize_t)UINT32_MAX */
    ck_assert_int_eq(n < 0, w32);
    x.s->new_reference(&x.rt, x.obj); /* owned by this thread */
    x.s->set_refcnt(&x.rt, x.obj, n);
    ck_assert(x.s->is_immortal(&x.rt, x.obj));
    ck_assert_uint_eq(rm_load(x.obj, x.l.field[RM_F_REF_LOCAL], x.rt.abi.big_endian), 0xFFFFFFFFu);
    ck_assert_msg(rm_load(x.obj, x.l.field[RM_F_TID], x.rt.abi.big_endian) != 0,
                  "%s: ob_tid was cleared: this is not the state Cython#7742 left", x.s->name);
    printf("harness: Cython#7742 on %s, %s: (Py_ssize_t)UINT32_MAX is %s%s; the object is immortal but still owned\n",
           x.s->name, rm_abi_name(x.rt.abi), case_i64(n), w32 ? " (breaks n >= 0)" : "");
}
END_TEST

bool case_family_add_tests(TCase *tc)
{
    const rm_scheme *s = case_opts.scheme;
    if (case_opts.mode) {
        fprintf(stderr, "cases_regressions: no modes\n");
        return false;
    }
    expect_family fam = expect_family_of(s);
    bool immortal_gil = fam == EXPECT_312 || fam == EXPECT_314;
    int added = 0;
    if (immortal_gil) {
        CASE_LOOP(tc, gh_125174_legacy_increfs_deimmortalise, CASE_ABI_COUNT);
        added++;
    }
    /* 32-bit data models only: the model's two; real headers when native. */
    if (fam != EXPECT_311 && fam != EXPECT_FT313) {
        for (int i = 0; i < CASE_ABI_COUNT; i++)
            if (case_abi(i).word_bytes == 4) {
                tcase_add_loop_test(tc, gh_128058_32bit_initial_values, i, i + 1);
                case_registered++, added++;
            }
    }
    if (s->return_none_limited_311) { /* compiled headers of a GIL build */
        CASE_TEST(tc, gh_134989_return_none_old_limited_api);
        added++;
    }
    if (fam == EXPECT_314) {
        CASE_LOOP(tc, pyo3_5175_union_is_64bit_only, CASE_ABI_COUNT);
        added++;
    }
    if (s->flags & RM_FREE_THREADED) {
        CASE_LOOP(tc, cython_7742_uint32_max_as_ssize_t, CASE_ABI_COUNT);
        added++;
    }
    if (!added) {
        char why[160];
        snprintf(why, sizeof why, "no known upstream regression concerns %s on %s", s->name,
                 rm_abi_name(rm_native_abi()));
        return case_skip(why);
    }
    return true;
}

/* legacy_abi.c -- a modern runtime (the implementation under test) holding immortal
 * objects that a legacy stable-ABI extension (<= 3.11 ++/--) increfs and
 * decrefs without balance.  Measures how many unbalanced legacy operations
 * each immortal object tolerates (fact sheet §4) and asserts the numbers:
 *   - natively, with the real shared library cases/legacy_ext.c, loaded at
 *     run time, on this target's own data model;
 *   - through the model's legacy implementation on all four data models.
 * Large counts are reached by jumping next to the boundary and are then
 * crossed one real operation at a time. */
#include <stdio.h>
#include <stdlib.h>

#include "case.h"
#include "expect.h"
#include "platform.h"

const char *const case_family_name = "legacy_abi";

/* The legacy operations, real (the shared library) or modelled. */
typedef struct legacy_ops {
    const char *what;
    rm_runtime *rt; /* the modern runtime; legacy deallocs land in it too */
    void (*incref)(rm_runtime *rt, uint8_t *obj);
    void (*decref)(rm_runtime *rt, uint8_t *obj);
    void (*advance)(rm_runtime *rt, uint8_t *obj, int64_t n);
} legacy_ops;

/* -- the real extension ---------------------------------------------------- */

static void (*ext_incref)(void *);
static void (*ext_decref)(void *);
static void (*ext_advance)(void *, int64_t);
static char ext_what[128] = "real extension"; /* and its file name, once loaded */
/* The extension's _Py_Dealloc is case_main.c's, as it would be libpython's. */
static void real_incref(rm_runtime *rt, uint8_t *obj) { harness_dealloc_runtime = rt, ext_incref(obj); }
static void real_decref(rm_runtime *rt, uint8_t *obj) { harness_dealloc_runtime = rt, ext_decref(obj); }
static void real_advance(rm_runtime *rt, uint8_t *obj, int64_t n) { harness_dealloc_runtime = rt, ext_advance(obj, n); }

static void load_extension(void)
{
    const char *path = getenv("HARNESS_LEGACY_MODULE");
    ck_assert_msg(path != NULL, "HARNESS_LEGACY_MODULE is not set (the CTest test sets it)");
    const char *why = "?";
    void *lib = platform_load_library(path, &why);
    ck_assert_msg(lib != NULL, "cannot load the legacy extension %s: %s", path, why);
    /* Each converted back to its own type (legacy_ext.c's definitions). */
    ext_incref = (void (*)(void *))platform_symbol(lib, "legacy_incref");
    ext_decref = (void (*)(void *))platform_symbol(lib, "legacy_decref");
    ext_advance = (void (*)(void *, int64_t))platform_symbol(lib, "legacy_advance");
    ck_assert_msg(ext_incref && ext_decref && ext_advance, "legacy extension %s lacks its exports", path);
    const char *name = path;
    for (const char *p = path; *p; p++)
        if (*p == '/' || *p == '\\')
            name = p + 1;
    snprintf(ext_what, sizeof ext_what, "real extension %s", name);
}

/* -- the modelled extension --------------------------------------------------- */

static void model_advance(rm_runtime *rt, uint8_t *obj, int64_t n)
{
    rm_field word = { 0, rt->dm.word_bytes };
    rm_store(obj, word, rt->dm.big_endian, rm_load(obj, word, rt->dm.big_endian) + (uint64_t)n);
}

static legacy_ops ops_for(rm_runtime *rt, bool real)
{
    const rm_implementation *legacy = rm_find_implementation("legacy");
    legacy_ops ops = { "model", rt, legacy->incref, legacy->decref, model_advance };
    if (real) {
        legacy_ops r = { ext_what, rt, real_incref, real_decref, real_advance };
        ops = r;
    }
    return ops;
}

/* -- measuring ---------------------------------------------------------------- */

typedef struct subject {
    const rm_implementation *s;
    rm_runtime rt;
    bool runtime_immortal; /* else static */
    uint8_t *obj;          /* case_object(): real code accesses it as a PyObject */
} subject;

static void fresh(subject *x)
{
    if (!x->obj)
        x->obj = case_object();
    memset(x->obj, 0, RM_MAX_HEADER);
    x->rt.deallocs = 0;
    if (x->runtime_immortal) {
        x->s->new_reference(&x->rt, x->obj);
        x->s->immortalize(&x->rt, x->obj);
    } else {
        x->s->init_static(&x->rt, x->obj, RM_ORIGIN_CORE); /* the runtime's own statics: None, small ints */
    }
}

static int64_t signed_word(const subject *x)
{
    rm_field word = { 0, x->rt.dm.word_bytes };
    uint64_t w = rm_load(x->obj, word, x->rt.dm.big_endian);
    if (x->rt.dm.word_bytes == 4)
        return (int32_t)(w & 0x80000000u ? w | ~UINT64_C(0xFFFFFFFF) : w);
    return (int64_t)w;
}

/* Smallest m in [1, hi] for which pred(m) holds, pred monotone. */
static uint64_t search_first(subject *x, const legacy_ops *ops, int dir, uint64_t hi,
                             bool (*pred)(subject *, const legacy_ops *, int, uint64_t))
{
    uint64_t lo = 1;
    ck_assert_msg(pred(x, ops, dir, hi), "no boundary below %s", case_u64(hi));
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (pred(x, ops, dir, mid))
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* After m net legacy operations in direction dir, is the object mortal? */
static bool mortal_after(subject *x, const legacy_ops *ops, int dir, uint64_t m)
{
    fresh(x);
    ops->advance(ops->rt, x->obj, dir * (int64_t)m);
    return !x->s->is_immortal(&x->rt, x->obj);
}

/* After m net legacy decrefs, has the word reached zero or below? */
static bool exhausted_after(subject *x, const legacy_ops *ops, int dir, uint64_t m)
{
    (void)dir;
    fresh(x);
    ops->advance(ops->rt, x->obj, -(int64_t)m);
    return signed_word(x) <= 0;
}

/* Walk the last two operations before m one by one with the real operation:
 * the object must be immortal after m-1 and mortal after m. */
static void confirm_loss(subject *x, const legacy_ops *ops, int dir, uint64_t m)
{
    void (*op)(rm_runtime *, uint8_t *) = dir > 0 ? ops->incref : ops->decref;
    fresh(x);
    if (m >= 2) {
        ops->advance(ops->rt, x->obj, dir * (int64_t)(m - 2));
        op(ops->rt, x->obj);
    }
    ck_assert_msg(x->s->is_immortal(&x->rt, x->obj), "%s: mortal already after %s", ops->what, case_u64(m - 1));
    op(ops->rt, x->obj);
    ck_assert_msg(!x->s->is_immortal(&x->rt, x->obj), "%s: still immortal after %s", ops->what, case_u64(m));
    ck_assert_uint_eq(x->rt.deallocs, 0);
}

/* The m-th real legacy decref deallocates, and the one before does not. */
static void confirm_dealloc(subject *x, const legacy_ops *ops, uint64_t m)
{
    fresh(x);
    ops->advance(ops->rt, x->obj, -(int64_t)(m - 2));
    ops->decref(ops->rt, x->obj);
    ck_assert_uint_eq(x->rt.deallocs, 0);
    ops->decref(ops->rt, x->obj);
    ck_assert_uint_eq(x->rt.deallocs, 1);
}

/* Legacy decrefs until the object looks mortal, then the runtime's own
 * decrefs until it deallocates.  The modern phase is jumped with legacy
 * advances (on a mortal count both subtract one from the counting word, and
 * no borrow can occur), then walked one real modern decref at a time. */
static uint64_t dealloc_with_mixing(subject *x, const legacy_ops *ops, uint64_t lose)
{
    fresh(x);
    ops->advance(ops->rt, x->obj, -(int64_t)lose);
    int64_t k = x->s->refcnt(&x->rt, x->obj);
    ck_assert_msg(k >= 2, "Py_REFCNT %s after losing immortality", case_i64(k));
    ops->advance(ops->rt, x->obj, -(k - 2));
    x->s->decref(&x->rt, x->obj);
    ck_assert_uint_eq(x->rt.deallocs, 0);
    x->s->decref(&x->rt, x->obj);
    ck_assert_uint_eq(x->rt.deallocs, 1);
    return lose + (uint64_t)k;
}

static void measure_and_assert(rm_data_model dm, bool real)
{
    expect_tolerance rows[2];
    int n = expect_tolerance_of(case_opts.impl, dm, rows);
    if (n == 0) {
        /* 3.11: nothing is immortal; legacy and runtime ops agree exactly. */
        subject x = { case_opts.impl, case_runtime(dm), false, NULL };
        legacy_ops ops = ops_for(&x.rt, real);
        fresh(&x);
        ops.incref(&x.rt, x.obj);
        ck_assert_int_eq(x.s->refcnt(&x.rt, x.obj), 2);
        x.s->decref(&x.rt, x.obj);
        ops.decref(&x.rt, x.obj);
        ck_assert_uint_eq(x.rt.deallocs, 1);
        return;
    }
    /* Search windows: wide enough to hold every boundary, narrow enough that
     * the count cannot wrap back into the immortal range inside them (each
     * search also checks that its window's end is past the boundary). */
    const uint64_t decref_window = UINT64_C(1) << 31, incref_window = UINT64_C(1) << 30;
    const uint64_t exhaust_window = dm.word_bytes == 8 ? UINT64_C(1) << 62 : UINT64_C(1) << 31;
    for (int r = 0; r < n; r++) {
        subject x = { case_opts.impl, case_runtime(dm), r == 1, NULL };
        legacy_ops ops = ops_for(&x.rt, real);
        fresh(&x);
        rm_field word = { 0, dm.word_bytes };
        ck_assert_uint_eq(rm_load(x.obj, word, dm.big_endian), rows[r].initial_word);

        uint64_t lose_dec = search_first(&x, &ops, -1, decref_window, mortal_after);
        confirm_loss(&x, &ops, -1, lose_dec);
        uint64_t lose_inc = search_first(&x, &ops, +1, incref_window, mortal_after);
        confirm_loss(&x, &ops, +1, lose_inc);
        uint64_t dealloc_only = search_first(&x, &ops, -1, exhaust_window, exhausted_after);
        confirm_dealloc(&x, &ops, dealloc_only);
        uint64_t mixing = dealloc_with_mixing(&x, &ops, lose_dec);

        printf("harness: %s %s on %s, %s immortal: loses immortality after %llu legacy decrefs "
               "or %llu increfs; deallocated after %llu legacy decrefs, %llu with mixing\n",
               ops.what, x.s->name, rm_data_model_name(dm), rows[r].object, (unsigned long long)lose_dec,
               (unsigned long long)lose_inc, (unsigned long long)dealloc_only, (unsigned long long)mixing);
        ck_assert_uint_eq(lose_dec, rows[r].lose_after_decrefs);
        ck_assert_uint_eq(lose_inc, rows[r].lose_after_increfs);
        ck_assert_uint_eq(dealloc_only, rows[r].dealloc_legacy_only);
        ck_assert_uint_eq(mixing, rows[r].dealloc_with_mixing);
    }
}

START_TEST(tolerance_real_extension)
{
    load_extension();
    measure_and_assert(rm_native_data_model(), true);
}
END_TEST

START_TEST(tolerance_model) { measure_and_assert(case_abi(_i), false); }
END_TEST

/* The real extension's ++/-- and the model's legacy implementation leave the same
 * bytes on any header of this implementation. */
START_TEST(extension_matches_model)
{
    load_extension();
    subject real = { case_opts.impl, case_runtime(rm_native_data_model()), false, NULL };
    legacy_ops ext = ops_for(&real.rt, true);
    legacy_ops model = ops_for(&real.rt, false);
    for (int kind = 0; kind < 2; kind++) {
        real.runtime_immortal = kind == 1;
        fresh(&real);
        uint8_t *copy = case_object();
        memcpy(copy, real.obj, RM_MAX_HEADER);
        for (int k = 0; k < 64; k++) {
            bool up = (k * 7) % 3 != 0;
            (up ? ext.incref : ext.decref)(&real.rt, real.obj);
            (up ? model.incref : model.decref)(&real.rt, copy);
            ck_assert_bytes_eq(real.obj, copy, real.s->layout(real.rt.dm).object_size);
        }
    }
}
END_TEST

/* What happens when the runtime's own operations interleave with legacy ones
 * (fact sheet §4), and 3.14's known 64-bit weakness: after 2^30 legacy
 * increfs the counting word wraps to 0 and one modern incref/decref pair
 * deallocates an "immortal" object. */
START_TEST(interleaving_and_hazard)
{
    rm_data_model dm = case_abi(_i);
    rm_data_model native = rm_native_data_model();
    bool real = dm.word_bytes == native.word_bytes && dm.big_endian == native.big_endian;
    if (real)
        load_extension();
    subject x = { case_opts.impl, case_runtime(dm), false, NULL };
    legacy_ops ops = ops_for(&x.rt, real);
    expect_family fam = expect_family_of(x.s);
    bool w64 = dm.word_bytes == 8;
    fresh(&x);
    if (fam == EXPECT_312 && w64) {
        ops.decref(&x.rt, x.obj); /* 0xFFFFFFFE: still immortal */
        x.s->incref(&x.rt, x.obj);
        ck_assert_int_eq(x.s->refcnt(&x.rt, x.obj), INT64_C(0xFFFFFFFF));
        ops.incref(&x.rt, x.obj); /* full word 2^32: mortal, harmless */
        ck_assert(!x.s->is_immortal(&x.rt, x.obj));
        x.s->decref(&x.rt, x.obj); /* restores 0xFFFFFFFF */
        ck_assert(x.s->is_immortal(&x.rt, x.obj));
        ck_assert_uint_eq(x.rt.deallocs, 0);
    } else if (fam == EXPECT_312) {
        ops.decref(&x.rt, x.obj);
        ck_assert(!x.s->is_immortal(&x.rt, x.obj));
        x.s->incref(&x.rt, x.obj);
        ck_assert(x.s->is_immortal(&x.rt, x.obj));
        ops.incref(&x.rt, x.obj);
        ck_assert(!x.s->is_immortal(&x.rt, x.obj));
        x.s->decref(&x.rt, x.obj);
        ck_assert(x.s->is_immortal(&x.rt, x.obj));
    } else if (fam == EXPECT_314 && w64) {
        ops.advance(&x.rt, x.obj, -0x30000000); /* low word 0x90000000 */
        x.s->incref(&x.rt, x.obj);
        ck_assert_int_eq(x.s->refcnt(&x.rt, x.obj), INT64_C(0x90000001));
        /* The hazard. */
        fresh(&x);
        ops.advance(&x.rt, x.obj, (INT64_C(1) << 30) - 1);
        ck_assert(x.s->is_immortal(&x.rt, x.obj));
        ops.incref(&x.rt, x.obj);
        ck_assert_int_eq(x.s->refcnt(&x.rt, x.obj), 0);
        ck_assert(!x.s->is_immortal(&x.rt, x.obj));
        rm_layout l = x.s->layout(dm);
        ck_assert_uint_eq(rm_load(x.obj, l.field[RM_F_OVERFLOW], dm.big_endian), 1);
        x.s->incref(&x.rt, x.obj);
        x.s->decref(&x.rt, x.obj);
        ck_assert_uint_eq(x.rt.deallocs, 1);
        printf("harness: KNOWN WEAKNESS of %s on %s (%s): after 2^30 legacy increfs Py_REFCNT reads 0 and one "
               "incref/decref pair deallocates a static immortal object (gh-125174)\n",
               x.s->name, rm_data_model_name(dm), ops.what);
    } else if (fam == EXPECT_314) {
        ops.decref(&x.rt, x.obj); /* 0x6FFFFFFF: immortal, never restored */
        x.s->incref(&x.rt, x.obj);
        ck_assert_int_eq(x.s->refcnt(&x.rt, x.obj), 0x6FFFFFFF);
    } else {
        ck_abort_msg("%s: interleaving is registered for versions with immortality only", x.s->name);
    }
}
END_TEST

bool case_family_add_tests(TCase *tc)
{
    if (case_opts.impl->flags & (RM_FREE_THREADED | RM_LEGACY_OPS) || case_opts.mode) {
        fprintf(stderr, "cases_legacy_abi: applies to the GIL versions of harness/versions.txt, with no mode\n");
        return false;
    }
    CASE_TEST(tc, tolerance_real_extension);
    CASE_TEST(tc, extension_matches_model);
    CASE_LOOP(tc, tolerance_model, CASE_ABI_COUNT);
    /* 3.11 has no immortality: its legacy and runtime operations are the
     * same ++/--, which tolerance_* already show agree. */
    if (expect_family_of(case_opts.impl) != EXPECT_311)
        CASE_LOOP(tc, interleaving_and_hazard, CASE_ABI_COUNT);
    return true;
}

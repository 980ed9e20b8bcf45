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
    const rm_implementation *s;
    rm_runtime rt;
    rm_layout l;
    uint8_t *obj; /* case_object() */
} subject;

static void subject_init(subject *x, rm_data_model dm)
{
    memset(x, 0, sizeof *x);
    x->obj = case_object();
    x->s = case_opts.impl;
    x->rt = case_runtime(dm);
    x->l = x->s->layout(dm);
}

/* PY_VERSION_HEX of an implementation's version (harness/versions.txt). */
static unsigned long version_hex_of(const rm_implementation *s)
{
#define HEX_ROW(version, hex, family)                                                                                  \
    if (!strcmp(s->name, version))                                                                                     \
        return hex;
    HARNESS_VERSION_ROWS(HEX_ROW)
#undef HEX_ROW
    return 0;
}

/* n net legacy (<= 3.11 ++) increfs on the whole Py_ssize_t, in one step. */
static void legacy_increfs(subject *x, uint64_t n)
{
    rm_field word = { 0, x->rt.dm.word_bytes };
    uint64_t mask = x->rt.dm.word_bytes == 8 ? UINT64_MAX : UINT32_MAX;
    rm_store(x->obj, word, x->rt.dm.big_endian, (rm_load(x->obj, word, x->rt.dm.big_endian) + n) & mask);
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
    bool w64 = x.rt.dm.word_bytes == 8;
    x.s->init_static(&x.rt, x.obj, RM_ORIGIN_CORE);
    ck_assert(x.s->is_immortal(&x.rt, x.obj));
    legacy_increfs(&x, 1);
    if (fam == EXPECT_312) {
        ck_assert_msg(!x.s->is_immortal(&x.rt, x.obj), "%s: one legacy incref should de-immortalise (gh-125174)",
                      x.s->name);
        printf("harness: gh-125174 present in %s on %s: one legacy incref de-immortalises a static object\n", x.s->name,
               rm_data_model_name(x.rt.dm));
        return;
    }
    ck_assert_msg(x.s->is_immortal(&x.rt, x.obj), "%s: one legacy incref de-immortalised (gh-125174 fixed in 3.14)",
                  x.s->name);
    x.s->init_static(&x.rt, x.obj, RM_ORIGIN_CORE);
    /* The legacy increfs a static object survives (§4's table: one fewer
     * than lose it): 2^30 - 1 on 64-bit, 2^28 - 1 on 32-bit. */
    expect_tolerance rows[2];
    memset(rows, 0, sizeof rows);
    ck_assert_int_eq(expect_tolerance_of(x.s, x.rt.dm, rows), 2);
    uint64_t tolerated = rows[0].lose_after_increfs - 1;
    legacy_increfs(&x, tolerated);
    ck_assert(x.s->is_immortal(&x.rt, x.obj));
    legacy_increfs(&x, 1);
    if (w64) {
        ck_assert_int_eq(x.s->refcnt(&x.rt, x.obj), 0);
        x.s->incref(&x.rt, x.obj);
        x.s->decref(&x.rt, x.obj);
        ck_assert_uint_eq(x.rt.deallocs, 1);
        printf("harness: gh-125174 fixed in %s on %s for up to %s legacy increfs; one more leaves Py_REFCNT 0 "
               "and one incref/decref pair deallocates (the remaining hazard)\n",
               x.s->name, rm_data_model_name(x.rt.dm), case_i64((int64_t)tolerated));
    } else {
        ck_assert(!x.s->is_immortal(&x.rt, x.obj)); /* 7<<28 + 2^28 is negative */
        printf("harness: gh-125174 fixed in %s on %s for up to %s legacy increfs of a static object\n", x.s->name,
               rm_data_model_name(x.rt.dm), case_i64((int64_t)tolerated));
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
    if (x.rt.dm.word_bytes != 4)
        return; /* registered for 32-bit data models only; see case_family_add_tests */
    expect_saturation e = expect_saturation_of(x.s, x.rt.dm); /* 3.14: 7<<28 and 5<<28; ft: 5<<28 */
    x.s->init_static(&x.rt, x.obj, RM_ORIGIN_CORE);
    int64_t stat = x.s->refcnt(&x.rt, x.obj);
    memset(x.obj, 0, RM_MAX_HEADER);
    x.s->new_reference(&x.rt, x.obj);
    x.s->immortalize(&x.rt, x.obj);
    int64_t runtime = x.s->refcnt(&x.rt, x.obj);
    ck_assert_int_eq(stat, e.static_refcnt);
    ck_assert_int_eq(runtime, e.runtime_refcnt);
    printf("harness: gh-128058 on %s, %s: Py_REFCNT of a static immortal %s, of a runtime immortal %s\n", x.s->name,
           rm_data_model_name(x.rt.dm), case_i64(stat), case_i64(runtime));
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
    const rm_implementation *s = case_opts.impl;
    rm_runtime rt = case_runtime(rm_native_data_model());
    uint8_t *none = s->return_none_limited_311();
    s->set_refcnt(&rt, none, 100); /* a mortal None: 100 references held elsewhere */
    ck_assert_ptr_eq(s->return_none_limited_311(), none);
    int64_t increfs = s->refcnt(&rt, none) - 100;
    bool want = expect_limited_311_return_none_increfs(s->version_hex);
    ck_assert_msg(increfs == (want ? 1 : 0), "%s: Py_RETURN_NONE (limited API 3.11) added %s references, expected %d",
                  s->summary, case_i64(increfs), want ? 1 : 0);
    /* The consequence on a 3.11 runtime, 100 calls, each caller dropping
     * the reference it was returned. */
    const rm_implementation *old = rm_find_implementation("3.11");
    rm_runtime rt311 = case_runtime(rm_native_data_model());
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
           "calling such a wheel 100 times %s\n",
           want ? "absent" : "PRESENT", s->summary, want ? "increfs None" : "returns None without a reference",
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
    uint8_t w = x.rt.dm.word_bytes;
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
    printf("harness: PyO3#5175 on %s, %s: %s\n", x.s->name, rm_data_model_name(x.rt.dm),
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
    bool w32 = x.rt.dm.word_bytes == 4;
    int64_t n = w32 ? (int64_t)(int32_t)UINT32_MAX : (int64_t)UINT32_MAX; /* (Py_ssize_t)UINT32_MAX */
    ck_assert_int_eq(n < 0, w32);
    x.s->new_reference(&x.rt, x.obj); /* owned by this thread */
    x.s->set_refcnt(&x.rt, x.obj, n);
    ck_assert(x.s->is_immortal(&x.rt, x.obj));
    ck_assert_uint_eq(rm_load(x.obj, x.l.field[RM_F_REF_LOCAL], x.rt.dm.big_endian), 0xFFFFFFFFu);
    ck_assert_msg(rm_load(x.obj, x.l.field[RM_F_TID], x.rt.dm.big_endian) != 0,
                  "%s: ob_tid was cleared: this is not the state Cython#7742 left", x.s->name);
    /* Py_SET_REFCNT's branch for counts above UINT32_MAX, which clears
     * ob_tid and immortalises: on 64-bit it fires, on 32-bit no
     * non-negative Py_ssize_t reaches it (fact sheet §9): the largest one
     * is stored as a count, the object still owned. */
    subject y;
    subject_init(&y, case_abi(_i));
    int64_t largest = w32 ? INT32_MAX : (int64_t)UINT32_MAX + 1;
    y.s->new_reference(&y.rt, y.obj);
    y.s->set_refcnt(&y.rt, y.obj, largest);
    bool branch_fired = rm_load(y.obj, y.l.field[RM_F_TID], y.rt.dm.big_endian) == 0;
    ck_assert_msg(branch_fired == !w32, "%s, %s: Py_SET_REFCNT(%s) by the owner %s the tid", y.s->name,
                  rm_data_model_name(y.rt.dm), case_i64(largest), branch_fired ? "cleared" : "kept");
    ck_assert(y.s->is_immortal(&y.rt, y.obj) == !w32);
    if (w32)
        ck_assert_uint_eq(rm_load(y.obj, y.l.field[RM_F_REF_LOCAL], y.rt.dm.big_endian), (uint32_t)INT32_MAX);
    printf("harness: Cython#7742 on %s, %s: (Py_ssize_t)UINT32_MAX is %s%s; the object is immortal but still owned; "
           "Py_SET_REFCNT's branch above UINT32_MAX %s\n",
           x.s->name, rm_data_model_name(x.rt.dm), case_i64(n), w32 ? " (breaks n >= 0)" : "",
           w32 ? "cannot fire (PY_SSIZE_T_MAX is stored as a count)" : "fires for UINT32_MAX + 1");
}
END_TEST

/* gh-118997 (PR #119001, 3.12.4): an extension built with old headers ran
 * an inlined Py_DECREF on an immortal object; CPython's exit-time assertion
 * that its count equals _Py_IMMORTAL_REFCNT then failed. One legacy decref:
 * on 64-bit the low half is 0xFFFFFFFE, still immortal by _Py_IsImmortal
 * but no longer the constant; on 32-bit 0x3FFFFFFE is not immortal at all
 * (the exact match). 3.12 and 3.13, which have _Py_IMMORTAL_REFCNT. */
START_TEST(gh_118997_one_legacy_decref)
{
    subject x;
    subject_init(&x, case_abi(_i));
    bool w64 = x.rt.dm.word_bytes == 8;
    int64_t constant = expect_saturation_of(x.s, x.rt.dm).static_refcnt; /* _Py_IMMORTAL_REFCNT, §2 */
    x.s->init_static(&x.rt, x.obj, RM_ORIGIN_CORE);
    ck_assert_int_eq(x.s->refcnt(&x.rt, x.obj), constant);
    legacy_increfs(&x, w64 ? UINT64_MAX : UINT32_MAX); /* one legacy --, on the whole word */
    ck_assert_int_eq(x.s->refcnt(&x.rt, x.obj), constant - 1);
    expect_tolerance rows[2]; /* §4: immortality is lost after one legacy decref on 32-bit, 2^31 on 64-bit */
    memset(rows, 0, sizeof rows);
    ck_assert_int_eq(expect_tolerance_of(x.s, x.rt.dm, rows), 2);
    ck_assert_int_eq(x.s->is_immortal(&x.rt, x.obj), rows[0].lose_after_decrefs > 1);
    printf("harness: gh-118997 on %s, %s: after one legacy decref Py_REFCNT is %s, %s, and != _Py_IMMORTAL_REFCNT\n",
           x.s->name, rm_data_model_name(x.rt.dm), case_i64(constant - 1),
           w64 ? "still immortal" : "no longer immortal");
}
END_TEST

/* gh-121528, gh-123091 (PR #123602), gh-124887 (a 3.12.7 regression, PR
 * #124938): interpreter assertions on objects a stable-ABI extension built
 * with old headers had touched. 3.13's internal pycore_object.h answers
 * with _Py_IMMORTAL_REFCNT_LOOSE = (_Py_IMMORTAL_REFCNT >> 1) + 1 and
 * _Py_IsImmortalLoose(op) = ob_refcnt >= it (GIL builds; the free-threaded
 * build keeps the strict test): core-internal, so modelled here from that
 * header. One legacy ++ on an immortal: strict-mortal, loose-immortal. */
START_TEST(gh_121528_loose_immortality)
{
    subject x;
    subject_init(&x, case_abi(_i));
    int64_t loose = expect_immortal_refcnt_loose(x.s, x.rt.dm);
    x.s->init_static(&x.rt, x.obj, RM_ORIGIN_CORE);
    legacy_increfs(&x, 1);
    int64_t refcnt = x.s->refcnt(&x.rt, x.obj);
    ck_assert_msg(!x.s->is_immortal(&x.rt, x.obj), "%s: one legacy incref left it strictly immortal", x.s->name);
    ck_assert_msg(refcnt >= loose, "%s: Py_REFCNT %s is below _Py_IMMORTAL_REFCNT_LOOSE %s", x.s->name,
                  case_i64(refcnt), case_i64(loose));
    printf("harness: gh-121528 on %s, %s: one legacy incref: Py_REFCNT %s, mortal by _Py_IsImmortal, immortal by "
           "_Py_IsImmortalLoose (>= %s)\n",
           x.s->name, rm_data_model_name(x.rt.dm), case_i64(refcnt), case_i64(loose));
}
END_TEST

/* gh-133261 (PR #133431, 3.14): the trashcan stores pointers in the
 * refcount field of objects it defers; a pointer could read as immortal,
 * and the collector then untracked the object. The fix stores them encoded
 * so that they never read as 0 nor as immortal, and decodes them back
 * (pointer_to_safe_refcount and safe_refcount_to_pointer in
 * Objects/object.c: libpython code, modelled here after that PR; GIL
 * builds). Asserted with this implementation's own _Py_IsImmortal and
 * Py_REFCNT, over pointers at and around every threshold of the counting
 * word and pseudo-random ones: the raw pointer does read as immortal
 * somewhere (the bug), the encoded one never does. */
static uint64_t trashcan_encode(uint64_t ptr, bool w64)
{
    if (!w64)
        return (ptr >> 2) + 1;                 /* the top two bits 0: below 1 << 30, mortal */
    if ((uint32_t)ptr >= UINT32_C(0x80000000)) /* the low half would read immortal */
        ptr = ptr - UINT64_C(0x80000000) + 1;
    return ptr + 2;
}

static uint64_t trashcan_decode(uint64_t word, bool w64)
{
    if (!w64)
        return (word - 1) << 2 & UINT32_MAX;
    if (word & 1)
        word += UINT64_C(0x80000000) - 1;
    return word - 2;
}

START_TEST(gh_133261_trashcan_pointers_never_immortal)
{
    subject x;
    subject_init(&x, case_abi(_i));
    bool w64 = x.rt.dm.word_bytes == 8;
    rm_field word = { 0, x.rt.dm.word_bytes };
    uint64_t rng = UINT64_C(0x2545F4914F6CDD1D);
    int raw_immortal = 0;
    for (int k = 0; k < 4000; k++) {
        /* An object's address: 4-aligned (the encoding needs it), room for
         * the header below the top of the address space. */
        uint64_t ptr;
        if (k < 64) {
            static const uint64_t around[] = { 0x3FFFFFFC, 0x40000000, 0x7FFFFFFC, 0x80000000,
                                               0xBFFFFFFC, 0xC0000000, 0xFFFFFFF0, 0x0 };
            ptr = around[k % 8] + (uint64_t)(k / 8) * (w64 ? UINT64_C(0x100000000) : 0);
        } else {
            rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
            ptr = rng;
        }
        ptr &= w64 ? ~UINT64_C(3) : UINT64_C(0xFFFFFFFC);
        if (!w64 && ptr > 0xFFFFFFFFu - 2 * x.rt.dm.word_bytes)
            ptr = 0xFFFFFFFFu - 2 * x.rt.dm.word_bytes + 1 - 4;
        if (ptr == 0)
            ptr = 16;
        x.s->new_reference(&x.rt, x.obj);
        rm_store(x.obj, word, x.rt.dm.big_endian, ptr);
        raw_immortal += x.s->is_immortal(&x.rt, x.obj);
        uint64_t encoded = trashcan_encode(ptr, w64);
        rm_store(x.obj, word, x.rt.dm.big_endian, encoded);
        case_require_msg(!x.s->is_immortal(&x.rt, x.obj), "%s: pointer 0x%llx encoded as 0x%llx reads immortal",
                         x.s->name, (unsigned long long)ptr, (unsigned long long)encoded);
        case_require_msg(x.s->refcnt(&x.rt, x.obj) != 0, "%s: pointer 0x%llx encoded as 0x%llx reads as count 0",
                         x.s->name, (unsigned long long)ptr, (unsigned long long)encoded);
        case_require_msg(trashcan_decode(rm_load(x.obj, word, x.rt.dm.big_endian), w64) == ptr,
                         "%s: 0x%llx does not decode back", x.s->name, (unsigned long long)ptr);
    }
    ck_assert_msg(raw_immortal > 0, "%s: no raw pointer read as immortal: the bug would not show here", x.s->name);
    printf("harness: gh-133261 on %s, %s: %d of 4000 raw pointers read immortal; encoded, none does, none reads 0, "
           "all decode back\n",
           x.s->name, rm_data_model_name(x.rt.dm), raw_immortal);
}
END_TEST

/* mypy #18459 (PR #19127): mypyc's CPy_INCREF_NO_IMM is op->ob_refcnt++
 * (Debian's mypy 2.4 lib-rt, run here as the binding's own incref_mortal),
 * for objects known to be mortal: here outside that precondition. Compiled
 * with these headers (the free-threaded ones have no ob_refcnt: the
 * mypyc_no_imm case shows that mypy 1.16's copy does not compile there;
 * 2.4's falls back to Py_INCREF there): on 3.14+
 * 64-bit ob_refcnt is the uint32 half, so from 0xFFFFFFFF it wraps to 0
 * with no carry into ob_overflow and no saturation; on 3.12/3.13 64-bit it
 * is the whole Py_ssize_t and carries; on 32-bit the whole word wraps. */
START_TEST(mypy_18459_incref_no_imm_wraps)
{
    subject x;
    subject_init(&x, rm_native_data_model());
    bool w64 = x.rt.dm.word_bytes == 8;
    expect_family fam = expect_family_of(x.s);
    x.s->new_reference(&x.rt, x.obj);
    rm_field count = x.l.field[RM_F_COUNT_WORD], word = { 0, x.rt.dm.word_bytes };
    rm_store(x.obj, count, x.rt.dm.big_endian, 0xFFFFFFFFu);
    x.s->incref_mortal(&x.rt, x.obj);
    ck_assert_uint_eq(rm_load(x.obj, count, x.rt.dm.big_endian), 0);
    if (w64 && fam == EXPECT_314) {
        ck_assert_uint_eq(rm_load(x.obj, x.l.field[RM_F_OVERFLOW], x.rt.dm.big_endian), 0);
        ck_assert_int_eq(x.s->refcnt(&x.rt, x.obj), 0);
    } else if (w64) {
        ck_assert_uint_eq(rm_load(x.obj, word, x.rt.dm.big_endian), UINT64_C(0x100000000));
    } else {
        ck_assert_uint_eq(rm_load(x.obj, word, x.rt.dm.big_endian), 0);
    }
    printf("harness: mypy#18459 on %s, %s: op->ob_refcnt++ from 0xFFFFFFFF %s\n", x.s->name,
           rm_data_model_name(x.rt.dm),
           w64 && fam == EXPECT_314 ? "wraps the uint32 ob_refcnt to 0: no carry, no saturation, Py_REFCNT 0"
           : w64                    ? "carries into the upper half (the whole Py_ssize_t)"
                                    : "wraps the whole word to 0");
}
END_TEST

/* mypyc's _NO_IMM operations assume an object that cannot be immortal, but
 * a count they raise reaches the immortal range like any other: on every
 * version with immortality, the last mortal count plus one CPy_INCREF_NO_IMM
 * reads as immortal (as with Py_INCREF), and then one CPy_DECREF_NO_IMM
 * makes it mortal again, where Py_DECREF leaves a saturated object alone.
 * Immortality reached this way holds only until mypyc's next decref
 * (docs/findings.md). */
START_TEST(mypyc_no_imm_saturation_not_sticky)
{
    subject x, ref;
    subject_init(&x, rm_native_data_model());
    subject_init(&ref, rm_native_data_model());
    ref.s = case_opts.reference;
    /* The last mortal count (§4: saturation of mortal objects), and CPython
     * must agree that it is the last: mortal, and immortal after Py_INCREF. */
    int64_t last_mortal = (int64_t)expect_saturation_of(ref.s, ref.rt.dm).first_immortal - 1;
    ref.s->new_reference(&ref.rt, ref.obj);
    ref.s->set_refcnt(&ref.rt, ref.obj, last_mortal);
    ck_assert_msg(!ref.s->is_immortal(&ref.rt, ref.obj), "%s: CPython reads the last mortal count %s as immortal",
                  ref.s->name, case_i64(last_mortal));
    ref.s->incref(&ref.rt, ref.obj);
    ck_assert_msg(ref.s->is_immortal(&ref.rt, ref.obj),
                  "%s: CPython's Py_INCREF from the last mortal count %s "
                  "does not reach immortality",
                  ref.s->name, case_i64(last_mortal));
    x.s->new_reference(&x.rt, x.obj), ref.s->new_reference(&ref.rt, ref.obj);
    x.s->set_refcnt(&x.rt, x.obj, last_mortal), ref.s->set_refcnt(&ref.rt, ref.obj, last_mortal);
    x.s->incref_mortal(&x.rt, x.obj), ref.s->incref(&ref.rt, ref.obj);
    ck_assert_msg(x.s->is_immortal(&x.rt, x.obj), "%s: CPy_INCREF_NO_IMM from %s does not reach immortality", x.s->name,
                  case_i64(last_mortal));
    ck_assert_msg(memcmp(x.obj, ref.obj, x.l.object_size) == 0, "%s: CPy_INCREF_NO_IMM from %s: binding [%s]",
                  x.s->name, case_i64(last_mortal), CASE_HEX(x.obj, x.l.object_size));
    x.s->decref_mortal(&x.rt, x.obj), ref.s->decref(&ref.rt, ref.obj);
    ck_assert_msg(ref.s->is_immortal(&ref.rt, ref.obj), "%s: Py_DECREF un-saturated an immortal", x.s->name);
    ck_assert_msg(!x.s->is_immortal(&x.rt, x.obj) && x.s->refcnt(&x.rt, x.obj) == last_mortal,
                  "%s: CPy_DECREF_NO_IMM after saturation: immortal %d, Py_REFCNT %s", x.s->name,
                  x.s->is_immortal(&x.rt, x.obj), case_i64(x.s->refcnt(&x.rt, x.obj)));
    printf("harness-finding: %s: %s on %s: CPy_INCREF_NO_IMM from %s reads immortal; one CPy_DECREF_NO_IMM makes "
           "it mortal again (Py_REFCNT %s), where Py_DECREF leaves it immortal (Py_REFCNT %s)\n",
           x.s->name, case_opts.binding->project, rm_data_model_name(x.rt.dm), case_i64(last_mortal),
           case_i64(x.s->refcnt(&x.rt, x.obj)), case_i64(ref.s->refcnt(&ref.rt, ref.obj)));
}
END_TEST

/* Free-threaded shared-count states, by field (fact sheet §1b). */
static void ft_state(subject *x, uint64_t tid, uint64_t local, uint64_t shared)
{
    bool be = x->rt.dm.big_endian;
    rm_store(x->obj, x->l.field[RM_F_TID], be, tid);
    rm_store(x->obj, x->l.field[RM_F_REF_LOCAL], be, local);
    rm_store(x->obj, x->l.field[RM_F_REF_SHARED], be, shared);
}

/* PyUnstable_TryIncRef's shared path refuses an object whose shared field
 * is 0 or "merged, count 0" (3): the states of an object being freed
 * (cython#7769, PR #7770). Libpython code, modelled from those. */
static bool try_incref_refuses(const subject *x)
{
    uint64_t shared = rm_load(x->obj, x->l.field[RM_F_REF_SHARED], x->rt.dm.big_endian);
    return shared == 0 || shared == 3;
}

/* Cython #7769 / PR #7770 (fixed in Cython 3.3.0b1): around a user
 * __dealloc__, Cython's guard Py_SET_REFCNT(o, Py_REFCNT(o) + 1) on the
 * dying object, unowned and merged at count 0 (ob_ref_shared 3, which
 * TryIncRef refuses), takes Py_SET_REFCNT's unowned branch and writes
 * ob_ref_shared = 7 ("merged, shared count 1"): it looks alive to other
 * threads, whose TryIncRef now succeeds on an object being freed. The fix
 * keeps it alive owner-locally (ob_tid = this thread, ob_ref_local = 1,
 * ob_ref_shared = 0, as CPython's _PyObject_ResurrectStart does): other
 * threads still refuse, and the __dealloc__'s own temporaries count in
 * ob_ref_local. With this implementation's Py_REFCNT and Py_SET_REFCNT. */
START_TEST(cython_7769_dealloc_guard_resurrects)
{
    subject x;
    subject_init(&x, case_abi(_i));
    uint64_t self = x.rt.thread_id & (x.rt.dm.word_bytes == 8 ? UINT64_MAX : UINT32_MAX);
    x.s->new_reference(&x.rt, x.obj);
    ft_state(&x, 0, 0, 3); /* in tp_dealloc: unowned, merged, count 0 */
    ck_assert_int_eq(x.s->refcnt(&x.rt, x.obj), 0);
    ck_assert(try_incref_refuses(&x));
    /* Before: the guard. */
    x.s->set_refcnt(&x.rt, x.obj, x.s->refcnt(&x.rt, x.obj) + 1);
    ck_assert_uint_eq(rm_load(x.obj, x.l.field[RM_F_REF_SHARED], x.rt.dm.big_endian), 7);
    ck_assert_msg(!try_incref_refuses(&x), "%s: the guard should make the dying object look alive (cython#7769)",
                  x.s->name);
    x.s->set_refcnt(&x.rt, x.obj, x.s->refcnt(&x.rt, x.obj) - 1);
    ck_assert_uint_eq(rm_load(x.obj, x.l.field[RM_F_REF_SHARED], x.rt.dm.big_endian), 3);
    /* After: owner-local keep-alive; a temporary reference taken and
     * dropped inside __dealloc__ stays in ob_ref_local. */
    ft_state(&x, self, 1, 0);
    ck_assert(try_incref_refuses(&x));
    x.s->incref(&x.rt, x.obj);
    ck_assert_uint_eq(rm_load(x.obj, x.l.field[RM_F_REF_LOCAL], x.rt.dm.big_endian), 2);
    x.s->decref(&x.rt, x.obj);
    ck_assert_uint_eq(rm_load(x.obj, x.l.field[RM_F_REF_LOCAL], x.rt.dm.big_endian), 1);
    ck_assert(try_incref_refuses(&x));
    ck_assert_uint_eq(x.rt.deallocs, 0);
    printf("harness: cython#7769 on %s, %s: the guard writes ob_ref_shared 7 (alive to TryIncRef); the fix's "
           "owner-local keep-alive leaves it 0 (refused)\n",
           x.s->name, rm_data_model_name(x.rt.dm));
}
END_TEST

/* gh-140061 (free-threaded): Py_REFCNT(o) == 1 does not mean "uniquely
 * referenced": that needs ob_tid == this thread, ob_ref_local == 1 and
 * ob_ref_shared == 0 (PyUnstable_Object_IsUniquelyReferenced, libpython).
 * Three states whose Py_REFCNT is 1, of which only the last is unique. */
START_TEST(gh_140061_refcnt_one_is_not_unique)
{
    subject x;
    subject_init(&x, case_abi(_i));
    uint64_t mask = x.rt.dm.word_bytes == 8 ? UINT64_MAX : UINT32_MAX;
    uint64_t self = x.rt.thread_id & mask, other = (x.rt.thread_id ^ 0x40) & mask;
    struct {
        uint64_t tid, local, shared;
        bool unique;
        const char *what;
    } states[] = {
        { other, 1, 0, false, "owned by another thread" },
        { self, 0, 1 << 2, false, "its one reference shared" },
        { self, 1, 0, true, "owned here, one local reference" },
    };
    x.s->new_reference(&x.rt, x.obj);
    for (size_t k = 0; k < 3; k++) {
        ft_state(&x, states[k].tid, states[k].local, states[k].shared);
        ck_assert_msg(x.s->refcnt(&x.rt, x.obj) == 1, "%s, %s: Py_REFCNT %s", x.s->name, states[k].what,
                      case_i64(x.s->refcnt(&x.rt, x.obj)));
        bool unique = rm_load(x.obj, x.l.field[RM_F_TID], x.rt.dm.big_endian) == self &&
                      rm_load(x.obj, x.l.field[RM_F_REF_LOCAL], x.rt.dm.big_endian) == 1 &&
                      rm_load(x.obj, x.l.field[RM_F_REF_SHARED], x.rt.dm.big_endian) == 0;
        ck_assert_int_eq(unique, states[k].unique);
    }
    printf("harness: gh-140061 on %s, %s: Py_REFCNT 1 in three states, uniquely referenced in one\n", x.s->name,
           rm_data_model_name(x.rt.dm));
}
END_TEST

/* numpy #30681 / PR #30686: a hand-written mirror of PyObject with the GIL
 * layout crashed on 3.14t: the first field after the header is elsewhere in
 * the free-threaded build (fact sheet §1a, §1b: 16 and 32 bytes on 64-bit,
 * 8 and 20 on 32-bit). This implementation's header against its version's
 * GIL build (the model's, on the same data model). */
START_TEST(numpy_30681_header_size_differs)
{
    subject x;
    subject_init(&x, case_abi(_i));
    char gil_name[8];
    snprintf(gil_name, sizeof gil_name, "%.*s", (int)strlen(x.s->name) - 1, x.s->name); /* "3.14t" -> "3.14" */
    const rm_implementation *gil = rm_find_implementation(gil_name);
    ck_assert_msg(gil != NULL, "no GIL build %s in the model", gil_name);
    ck_assert_uint_eq(x.l.object_size, expect_object_size(true, x.rt.dm));
    ck_assert_uint_eq(gil->layout(x.rt.dm).object_size, expect_object_size(false, x.rt.dm));
    printf("harness: numpy#30681 on %s, %s: the first field after the header is at %u free-threaded, %u with the "
           "GIL\n",
           x.s->name, rm_data_model_name(x.rt.dm), x.l.object_size, gil->layout(x.rt.dm).object_size);
}
END_TEST

/* gh-137956 / PR #137957 (3.15, Objects/moduleobject.c): the free-threaded
 * PyModuleDef_Init refuses a def built for a GIL build, judging it by the
 * free-threaded ob_flags: accepted only if (ob_flags & (_Py_STATICALLY_-
 * ALLOCATED_FLAG | _Py_LEGACY_ABI_CHECK_FLAG)) == _Py_STATICALLY_ALLOCATED_-
 * FLAG (libpython code, modelled here from that source). Every version's
 * PyModuleDef_HEAD_INIT image (the model's, an extension's static header and
 * NULL m_init, m_index 0, m_copy NULL) is laid over this implementation's
 * free-threaded layout. The source comment argues that no byte of a GIL
 * refcount has a nibble _10_; that claim is checked apart: false on 64-bit
 * 3.14/3.15 (a finding about the comment), while the check holds because
 * the free-threaded ob_flags lies over the GIL ob_type, NULL in the def. */
static bool moduledef_init_accepts(const rm_layout *ft, const uint8_t *def, bool big_endian)
{
    uint64_t flags = rm_load(def, ft->field[RM_F_FLAGS], big_endian);
    return (flags & (EXPECT_STATICALLY_ALLOCATED_FLAG | EXPECT_LEGACY_ABI_CHECK_FLAG)) ==
           EXPECT_STATICALLY_ALLOCATED_FLAG;
}

static bool has_10_nibble(uint8_t b) { return (b & 6) == 4 || (b >> 4 & 6) == 4; }

START_TEST(gh_137956_moduledef_init_refuses_gil_defs)
{
    subject x;
    subject_init(&x, case_abi(_i));
    rm_data_model dm = x.rt.dm;
    char accepted[96] = "", nibbles[96] = "";
#define DEF_ROW(version, hex, family)                                                                                  \
    {                                                                                                                  \
        const rm_implementation *v = rm_find_implementation(version);                                                  \
        if (v && strcmp(version, "legacy")) {                                                                          \
            uint8_t def[2 * RM_MAX_HEADER] = { 0 };                                                                    \
            rm_runtime rt = case_runtime(dm);                                                                          \
            v->init_static(&rt, def, RM_ORIGIN_EXTENSION); /* PyObject_HEAD_INIT(_Py_NULL), then NULL, 0, NULL */      \
            bool accepts = moduledef_init_accepts(&x.l, def, dm.big_endian);                                           \
            ck_assert_msg(accepts == expect_moduledef_init_accepts(v), "%s, %s: %s's PyModuleDef_HEAD_INIT is %s",     \
                          x.s->name, rm_data_model_name(dm), version, accepts ? "accepted" : "refused");               \
            if (accepts)                                                                                               \
                snprintf(accepted + strlen(accepted), sizeof accepted - strlen(accepted), " %s", version);             \
            if (!(v->flags & RM_FREE_THREADED)) {                                                                      \
                bool nibble = false;                                                                                   \
                for (int b = 0; b < dm.word_bytes; b++)                                                                \
                    nibble = nibble || has_10_nibble(def[b]);                                                          \
                ck_assert_msg(nibble == expect_gil_static_refcount_has_10_nibble(v, dm),                               \
                              "%s: %s's static refcount %s a byte with the nibble _10_", rm_data_model_name(dm),       \
                              version, nibble ? "has" : "has no");                                                     \
                rm_layout g = v->layout(dm);                                                                           \
                ck_assert_msg(x.l.field[RM_F_FLAGS].offset >= g.field[RM_F_TYPE].offset &&                             \
                                  x.l.field[RM_F_FLAGS].offset + x.l.field[RM_F_FLAGS].size <=                         \
                                      g.field[RM_F_TYPE].offset + g.field[RM_F_TYPE].size,                             \
                              "%s: the free-threaded ob_flags (at %u) is not within %s's ob_type",                     \
                              rm_data_model_name(dm), x.l.field[RM_F_FLAGS].offset, version);                          \
                if (nibble)                                                                                            \
                    snprintf(nibbles + strlen(nibbles), sizeof nibbles - strlen(nibbles), " %s", version);             \
            }                                                                                                          \
        }                                                                                                              \
    }
    HARNESS_VERSION_ROWS(DEF_ROW)
#undef DEF_ROW
    printf("harness: gh-137956 on %s, %s: PyModuleDef_Init accepts the defs of%s only; every GIL def is refused by "
           "its NULL ob_type, which the free-threaded ob_flags (offset %u) lies over\n",
           x.s->name, rm_data_model_name(dm), accepted, x.l.field[RM_F_FLAGS].offset);
    if (nibbles[0])
        printf("harness-finding: gh-137956 on %s: the comment's claim that no byte of a GIL refcount has the nibble "
               "_10_ is false for%s (static refcount bytes 0x05, 0xC0); the check holds for the reason above\n",
               rm_data_model_name(dm), nibbles);
}
END_TEST

/* Deferred reference counting (free-threaded 3.14+; internal
 * _PyObject_SetDeferredRefcount, modelled from fact sheet §9): the shared
 * count holds a huge constant, so Py_REFCNT of a mortal, deferred object is
 * huge, yet the object is not immortal: "a large count means immortal" is
 * wrong there (pybind11 #5646). */
START_TEST(deferred_refcnt_is_huge_yet_mortal)
{
    subject x;
    subject_init(&x, case_abi(_i));
    rm_data_model dm = x.rt.dm;
    x.s->new_reference(&x.rt, x.obj);
    rm_field gc = x.l.field[RM_F_GC_BITS];
    rm_store(x.obj, gc, dm.big_endian, rm_load(x.obj, gc, dm.big_endian) | 64); /* _PyGC_BITS_DEFERRED */
    rm_store(x.obj, x.l.field[RM_F_REF_SHARED], dm.big_endian, (uint64_t)expect_deferred_shared(dm));
    int64_t n = x.s->refcnt(&x.rt, x.obj);
    ck_assert_msg(n == expect_deferred_refcnt(dm, 1), "%s, %s: Py_REFCNT of a deferred object is %s, expected %s",
                  x.s->name, rm_data_model_name(dm), case_i64(n), case_i64(expect_deferred_refcnt(dm, 1)));
    ck_assert_msg(!x.s->is_immortal(&x.rt, x.obj), "%s: a deferred object reads as immortal", x.s->name);
    x.s->incref(&x.rt, x.obj);
    x.s->decref(&x.rt, x.obj);
    x.s->decref(&x.rt, x.obj); /* the owner's last: merged, the deferred share remains */
    ck_assert_uint_eq(x.rt.deallocs, 0);
    printf("harness: deferred refcount on %s, %s: Py_REFCNT %s, not immortal, not freed by its owner's last decref\n",
           x.s->name, rm_data_model_name(dm), case_i64(n));
}
END_TEST

/* PyUnstable_SetImmortal (3.15, gh-143300 / PR #144543; libpython code in
 * Objects/object.c, modelled here from the fact sheet §9): it refuses an
 * object that is not uniquely referenced (PyUnstable_Object_IsUniquely-
 * Referenced, as 3.14's Objects/object.c has it: the model's, on this
 * implementation's bytes) or is a str (by its type: a stand-in
 * PyUnicode_Type here), and otherwise leaves what _Py_SetImmortal leaves
 * (the implementation's immortalize). A binding's copy of it (3.13/3.14
 * pythoncapi_compat) is called instead where it has one, refusal paths
 * included, and held to the same: what it leaves when it accepts is
 * compared with CPython's immortalisation (the reference), not its own. */
static const char harness_unicode_type[1]; /* stands for &PyUnicode_Type */

static int unstable_set_immortal(subject *x, const rm_implementation *model, bool is_str)
{
    if (case_opts.binding && case_opts.binding->unstable_set_immortal) /* its PyUnicode_Check needs a real type */
        return case_opts.binding->unstable_set_immortal(&x->rt, x->obj, is_str);
    bool typed_str = rm_load(x->obj, x->l.field[RM_F_TYPE], x->rt.dm.big_endian) ==
                     ((uint64_t)(uintptr_t)harness_unicode_type & (x->rt.dm.word_bytes == 8 ? UINT64_MAX : UINT32_MAX));
    if (!model->is_uniquely_referenced(&x->rt, x->obj) || typed_str)
        return 0;
    x->s->immortalize(&x->rt, x->obj);
    return 1;
}

START_TEST(pyunstable_set_immortal_refuses)
{
    subject x;
    subject_init(&x, case_abi(_i));
    const rm_implementation *model = rm_find_implementation(x.s->name);
    ck_assert_msg(model && model->is_uniquely_referenced, "no model of %s's IsUniquelyReferenced", x.s->name);
    rm_data_model dm = x.rt.dm;
    size_t n = x.l.object_size;
    uint8_t before[RM_MAX_HEADER], want[RM_MAX_HEADER];
    static const char *const states[] = { "a fresh object", "an object with a second reference", "a str",
                                          "an object another thread owns" };
    int n_states = x.s->flags & RM_FREE_THREADED ? 4 : 3;
    for (int k = 0; k < n_states; k++) {
        x.obj = case_object(); /* zeroed: no type left from the state before */
        x.s->new_reference(&x.rt, x.obj);
        if (k == 1)
            x.s->incref(&x.rt, x.obj);
        if (k == 2)
            rm_store(x.obj, x.l.field[RM_F_TYPE], dm.big_endian, (uint64_t)(uintptr_t)harness_unicode_type);
        if (k == 3)
            rm_store(x.obj, x.l.field[RM_F_TID], dm.big_endian, x.rt.thread_id ^ 0x40);
        memcpy(before, x.obj, n);
        memcpy(want, x.obj, n);
        bool accepts = expect_unstable_set_immortal_accepts(k == 0, k == 2);
        if (accepts) { /* what _Py_SetImmortal leaves, on a twin: CPython's, for a binding's copy */
            const rm_implementation *by = case_opts.binding ? case_opts.reference : x.s;
            uint8_t *twin = case_object();
            memcpy(twin, before, n);
            by->immortalize(&x.rt, twin);
            memcpy(want, twin, n);
        }
        int got = unstable_set_immortal(&x, model, k == 2);
        ck_assert_msg(got == accepts, "%s, %s: PyUnstable_SetImmortal of %s returned %d", x.s->name,
                      rm_data_model_name(dm), states[k], got);
        ck_assert_bytes_eq(x.obj, want, n);
        ck_assert_msg(x.s->is_immortal(&x.rt, x.obj) == accepts, "%s: %s is %simmortal after PyUnstable_SetImmortal",
                      x.s->name, states[k], accepts ? "not " : "");
    }
    printf("harness: PyUnstable_SetImmortal%s%s on %s, %s: immortalises a fresh object as _Py_SetImmortal does; "
           "refuses %s\n",
           case_opts.binding ? " of " : "", case_opts.binding ? case_opts.binding->project : "", x.s->name,
           rm_data_model_name(dm),
           n_states == 4 ? "a second reference, a str, another thread's object" : "a second reference, a str");
}
END_TEST

bool case_family_add_tests(TCase *tc)
{
    const rm_implementation *s = case_opts.impl;
    if (case_opts.mode) {
        fprintf(stderr, "cases_regressions: no modes\n");
        return false;
    }
    expect_family fam = expect_family_of(s);
    bool immortal_gil = fam == EXPECT_312 || fam == EXPECT_314;
    int added = 0;
    /* A binding's copy: the regressions of its own operations. abi3t, whose
     * own operations are the runtime's functions, meets every regression of
     * the runtime's version through them. */
    if (case_opts.binding && !(s->flags & RM_CALLS_RUNTIME)) {
        if (case_opts.binding->incref_mortal && !(s->flags & RM_FREE_THREADED)) {
            CASE_TEST(tc, mypy_18459_incref_no_imm_wraps);
            added++;
        }
        if (case_opts.binding->incref_mortal && case_opts.binding->decref_mortal && immortal_gil) {
            CASE_TEST(tc, mypyc_no_imm_saturation_not_sticky);
            added++;
        }
        if (case_opts.binding->unstable_set_immortal) { /* pythoncapi_compat's backport: its refusals too */
            CASE_LOOP(tc, pyunstable_set_immortal_refuses, CASE_ABI_COUNT);
            added++;
        }
        if (!added) {
            char why[200];
            snprintf(why, sizeof why, "no known upstream regression concerns the own operations of %s",
                     case_opts.binding->project);
            return case_skip(why);
        }
        return true;
    }
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
    if (fam == EXPECT_312) { /* 3.12, 3.13: _Py_IMMORTAL_REFCNT */
        CASE_LOOP(tc, gh_118997_one_legacy_decref, CASE_ABI_COUNT);
        CASE_LOOP(tc, gh_121528_loose_immortality, CASE_ABI_COUNT);
        added++;
    }
    if (fam == EXPECT_314) { /* the trashcan's encoding is 3.14's */
        CASE_LOOP(tc, gh_133261_trashcan_pointers_never_immortal, CASE_ABI_COUNT);
        added++;
    }
    if (s->flags & RM_FREE_THREADED) {
        CASE_LOOP(tc, cython_7742_uint32_max_as_ssize_t, CASE_ABI_COUNT);
        CASE_LOOP(tc, cython_7769_dealloc_guard_resurrects, CASE_ABI_COUNT);
        CASE_LOOP(tc, gh_140061_refcnt_one_is_not_unique, CASE_ABI_COUNT);
        CASE_LOOP(tc, numpy_30681_header_size_differs, CASE_ABI_COUNT);
        added++;
    }
    if (fam == EXPECT_FT314) { /* 3.14t and later: the static flag, deferred refcounts */
        CASE_LOOP(tc, deferred_refcnt_is_huge_yet_mortal, CASE_ABI_COUNT);
        added++;
    }
    if (version_hex_of(s) >= 0x030F0000) { /* public from 3.15 */
        CASE_LOOP(tc, pyunstable_set_immortal_refuses, CASE_ABI_COUNT);
        added++;
    }
    if (s->flags & RM_FREE_THREADED && version_hex_of(s) >= 0x030F0000) { /* 3.15's PyModuleDef_Init */
        CASE_LOOP(tc, gh_137956_moduledef_init_refuses_gil_defs, CASE_ABI_COUNT);
        added++;
    }
    if (!added) {
        char why[160];
        snprintf(why, sizeof why, "no known upstream regression concerns %s on %s", s->name,
                 rm_data_model_name(rm_native_data_model()));
        return case_skip(why);
    }
    return true;
}

/* expect.h -- expected values from shared/docs/cpython-refcount-facts.md
 * (§2 constants, §3 semantics, §4 measured tolerance), written down here
 * independently of the model so that the cases can catch the model out. */
#ifndef HARNESS_EXPECT_H
#define HARNESS_EXPECT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "refmodel.h"

#include "harness_versions.h" /* generated from harness/versions.txt */

/* The families of expectations; harness/versions.txt's "expect" column
 * puts each version in one (EXPECT_<expect>). */
typedef enum expect_family {
    EXPECT_311, /* no immortality: 3.11, legacy */
    EXPECT_312, /* 3.12's encoding: 3.12, 3.13 */
    EXPECT_314, /* 3.14's split word: 3.14, 3.15 */
    EXPECT_FT313,
    EXPECT_FT314,
} expect_family;

/* The expectations of an implementation's version (rm_implementation.name). A
 * version with no row in harness/versions.txt is a harness error, never
 * 3.11's "no immortality" by default: a new CPython version needs its row. */
static inline expect_family expect_family_of(const rm_implementation *s)
{
#define EXPECT_ROW(version, hex, family)                                                                               \
    if (!strcmp(s->name, version))                                                                                     \
        return EXPECT_##family;
    HARNESS_VERSION_ROWS(EXPECT_ROW)
#undef EXPECT_ROW
#define KNOWN_ROW(version, hex, family) " " version
    fprintf(stderr, "harness: no expectations for version '%s' (%s): harness/versions.txt knows%s\n", s->name,
            s->summary, HARNESS_VERSION_ROWS(KNOWN_ROW));
#undef KNOWN_ROW
    fflush(stderr);
    abort();
}

/* Immortality of the 32-bit counting word (the low half on 64-bit GIL
 * builds, the whole word on 32-bit, ob_ref_local when free-threaded). */
typedef struct expect_saturation {
    bool immortality;
    uint32_t first_immortal; /* immortal values are [first, last] */
    uint32_t last_immortal;
    uint32_t ceiling;       /* an immortal incref at or above it stores nothing */
    int64_t static_refcnt;  /* Py_REFCNT of a static PyObject_HEAD_INIT object */
    int64_t runtime_refcnt; /* Py_REFCNT after runtime immortalisation */
} expect_saturation;

static inline expect_saturation expect_saturation_of(const rm_implementation *s, rm_data_model dm)
{
    bool w64 = dm.word_bytes == 8;
    expect_saturation e = { 0 };
    switch (expect_family_of(s)) {
    case EXPECT_311:
        e.static_refcnt = 1;
        e.runtime_refcnt = 999999999;
        break;
    case EXPECT_312:
        e.immortality = true;
        e.first_immortal = w64 ? 0x80000000u : 0x3FFFFFFFu;
        e.last_immortal = w64 ? 0xFFFFFFFFu : 0x3FFFFFFFu;
        e.ceiling = e.last_immortal;
        e.static_refcnt = e.runtime_refcnt = w64 ? 4294967295 : 1073741823;
        break;
    case EXPECT_314:
        e.immortality = true;
        e.first_immortal = w64 ? 0x80000000u : 0x40000000u;
        e.last_immortal = w64 ? 0xFFFFFFFFu : 0x7FFFFFFFu;
        e.ceiling = w64 ? 0xC0000000u : 0x40000000u;
        e.static_refcnt = w64 ? 3221225472 : 1879048192;
        e.runtime_refcnt = w64 ? 3221225472 : 1342177280;
        break;
    case EXPECT_FT313:
    case EXPECT_FT314:
        e.immortality = true;
        e.first_immortal = e.last_immortal = e.ceiling = 0xFFFFFFFFu;
        if (expect_family_of(s) == EXPECT_FT313)
            e.static_refcnt = e.runtime_refcnt = w64 ? 4294967295 : 1073741823;
        else
            e.static_refcnt = e.runtime_refcnt = w64 ? 3221225472 : 1342177280;
        break;
    }
    return e;
}

/* §2: 3.12's public PyObject_HEAD_INIT is immortal only under
 * Py_BUILD_CORE; an extension's static object counts 1 (and 3.11 has no
 * immortality). From 3.13 on, an extension's is the core's. */
static inline bool expect_extension_static_is_mortal(const rm_implementation *s)
{
    return expect_family_of(s) == EXPECT_311 || !strcmp(s->name, "3.12");
}
static inline int64_t expect_extension_static_refcnt(const rm_implementation *s, rm_data_model dm)
{
    return expect_extension_static_is_mortal(s) ? 1 : expect_saturation_of(s, dm).static_refcnt;
}

/* §8, gh-121528 (PR #123602): 3.13's internal _Py_IMMORTAL_REFCNT_LOOSE =
 * (_Py_IMMORTAL_REFCNT >> 1) + 1, _Py_IMMORTAL_REFCNT being 3.12/3.13's
 * immortal constant (§2). */
static inline int64_t expect_immortal_refcnt_loose(const rm_implementation *s, rm_data_model dm)
{
    return (expect_saturation_of(s, dm).static_refcnt >> 1) + 1;
}

/* §1a, §1b: sizeof(PyObject), where the first field after the header lies
 * (numpy#30681): 16 / 8 bytes with the GIL (64-bit / 32-bit), 32 / 20
 * free-threaded. */
static inline unsigned expect_object_size(bool free_threaded, rm_data_model dm)
{
    bool w64 = dm.word_bytes == 8;
    return free_threaded ? (w64 ? 32u : 20u) : (w64 ? 16u : 8u);
}

/* §3 (Py_RETURN_NONE in the limited API) and §5, gh-134989: whether
 * Py_RETURN_NONE, compiled by headers of this PY_VERSION_HEX for the
 * limited API of 3.11, increfs None. 3.11 does (return Py_NewRef(...));
 * 3.12 (every 3.12.x, as far as known) and 3.13.0 to 3.13.4 return the bare
 * singleton; 3.13.5 (PR #135182) and 3.14+ (PR #135165) incref again. */
static inline bool expect_limited_311_return_none_increfs(unsigned long version_hex)
{
    unsigned long minor = version_hex >> 16 & 0xFF, micro = version_hex >> 8 & 0xFF;
    if (minor == 12)
        return false;
    if (minor == 13)
        return micro >= 5;
    return true;
}

/* §4: the legacy (<= 3.11 ++/--) tolerance of an immortal object, in net
 * unbalanced legacy operations. */
typedef struct expect_tolerance {
    const char *object;    /* "static" or "runtime" */
    uint64_t initial_word; /* the Py_ssize_t word at offset 0 */
    uint64_t lose_after_decrefs;
    uint64_t dealloc_legacy_only;
    uint64_t dealloc_with_mixing;
    uint64_t lose_after_increfs;
} expect_tolerance;

/* Fills out[0..1] (static, runtime); returns how many rows apply (0 for
 * implementations without immortality). */
static inline int expect_tolerance_of(const rm_implementation *s, rm_data_model dm, expect_tolerance out[2])
{
    bool w64 = dm.word_bytes == 8;
    switch (expect_family_of(s)) {
    case EXPECT_312:
        if (w64) {
            expect_tolerance t = { "static", 0xFFFFFFFFu, 2147483648u, 4294967295u, 4294967295u, 1 };
            out[0] = t;
            out[1] = t;
        } else {
            expect_tolerance t = { "static", 0x3FFFFFFFu, 1, 1073741823u, 1073741823u, 1 };
            out[0] = t;
            out[1] = t;
        }
        out[1].object = "runtime";
        return 2;
    case EXPECT_314:
        if (w64) {
            /* clang-format off */
            expect_tolerance st = { "static", UINT64_C(0x00050000C0000000), 1073741825u,
                                    UINT64_C(1407378104778752), 3221225472u, 1073741824u };
            expect_tolerance rt = { "runtime", UINT64_C(0x00010000C0000000), 1073741825u,
                                    UINT64_C(281478197936128), 3221225472u, 1073741824u };
            /* clang-format on */
            out[0] = st;
            out[1] = rt;
        } else {
            expect_tolerance st = { "static", 0x70000000u, 805306369u, 1879048192u, 1879048192u, 268435456u };
            expect_tolerance rt = { "runtime", 0x50000000u, 268435457u, 1342177280u, 1342177280u, 805306368u };
            out[0] = st;
            out[1] = rt;
        }
        return 2;
    default:
        return 0;
    }
}

/* ---- §9: the limited-API generations -------------------------------------
 * An extension built with the headers of CPython 3.<h> for Py_LIMITED_API
 * 3.<l> (l = 2 for 3.2) either calls the function the runtime exports for an
 * operation or carries 3.<h>'s inline code (fact sheet §9's table, read
 * from the real headers and checked there with objdump, release builds). */
typedef enum expect_gen_op { GEN_INCREF, GEN_DECREF, GEN_SET_REFCNT, GEN_REFCNT, GEN_OPS } expect_gen_op;

static inline bool expect_generation_calls(int h, int l, expect_gen_op op)
{
    switch (op) {
    case GEN_INCREF:
    case GEN_DECREF:
        return h >= 12 && l >= 12; /* _Py_IncRef/_Py_DecRef (gh-105387) */
    case GEN_SET_REFCNT:
        return h >= 13 && l >= 13; /* _Py_SetRefcnt (gh-111506) */
    default:
        return h >= 14 && l >= 14; /* the exported Py_REFCNT (gh-140153) */
    }
}

/* What h's inline code makes of a runtime's object, from §3's rules for
 * each encoding (EXPECT_311/312/314 of the header version), as words:
 * whether it takes the Py_ssize_t word at offset 0 (and, on 64-bit 3.14,
 * the low half of it) for immortal, what Py_REFCNT reads, and what
 * Py_SET_REFCNT stores. */
static inline uint64_t expect_gen_word_mask(rm_data_model dm)
{
    return dm.word_bytes == 8 ? UINT64_MAX : UINT64_C(0xFFFFFFFF);
}
static inline bool expect_gen_sees_immortal(expect_family h, rm_data_model dm, uint64_t word)
{
    bool w64 = dm.word_bytes == 8;
    uint32_t low = (uint32_t)word;
    switch (h) {
    case EXPECT_312:
        return w64 ? (low & 0x80000000u) != 0 : low == 0x3FFFFFFFu;
    case EXPECT_314:
        return w64 ? (low & 0x80000000u) != 0 : low >= 0x40000000u && low < 0x80000000u;
    default:
        return false; /* 3.11: none */
    }
}
static inline int64_t expect_gen_reads_refcnt(expect_family h, rm_data_model dm, uint64_t word)
{
    if (dm.word_bytes == 8)
        return h == EXPECT_314 ? (int64_t)(uint32_t)word : (int64_t)word; /* 3.14: the uint32 ob_refcnt */
    return (int32_t)(uint32_t)word;
}
static inline uint64_t expect_gen_set_refcnt(expect_family h, rm_data_model dm, uint64_t word, int64_t n)
{
    if (expect_gen_sees_immortal(h, dm, word))
        return word;                           /* immortal to h: no store */
    if (h == EXPECT_314 && dm.word_bytes == 8) /* truncated to the uint32 ob_refcnt */
        return (word & UINT64_C(0xFFFFFFFF00000000)) | (uint32_t)n;
    return (uint64_t)n & expect_gen_word_mask(dm);
}

/* How many unbalanced inline Py_INCREFs (Py_DECREFs) of h's code an
 * immortal object of runtime r (its static or runtime-immortal one)
 * tolerates before r takes it for mortal; 0 where it never does. False
 * where h's encoding is r's (exact) or r has no immortal objects.
 * Derivations, from §3 and §4:
 *   - h 3.11 (plain ++/-- on the whole word): §4's measured legacy bounds;
 *   - h 3.12/3.13 on r 3.14/3.15, 64-bit: r's low half (0xC0000000) is
 *     negative as int32, so h takes it for immortal: Py_DECREF stores
 *     nothing, Py_INCREF climbs the low half to 0xFFFFFFFF and stops there
 *     (the wrap to 0 is skipped), all immortal to r: never;
 *   - the same on 32-bit: h's immortal is exactly 0x3FFFFFFF, which r's
 *     0x70000000 and 0x50000000 are not, so h does plain ++/-- and r loses
 *     them at §4's legacy bounds (decrefs stop at 0x3FFFFFFF, which h then
 *     takes for immortal: the object stays mortal to r, never freed);
 *   - h 3.14/3.15 on r 3.12/3.13, 64-bit: r's 0xFFFFFFFF is at or above
 *     0xC0000000, so h's Py_INCREF stores nothing, and its Py_DECREF sees
 *     immortal: never;
 *   - the same on 32-bit: r's 0x3FFFFFFF is below h's 2^30, so h does
 *     plain ++/--: one Py_INCREF makes 0x40000000 (immortal to h, no
 *     longer to r, which wants exactly 0x3FFFFFFF), one Py_DECREF makes
 *     0x3FFFFFFE: 1 and 1. */
typedef struct expect_gen_tolerance {
    uint64_t increfs, decrefs; /* 0: never */
    uint32_t climbs_to;        /* a never-losing Py_INCREF that stores: where it stops (the low half); 0 if none */
} expect_gen_tolerance;

static inline bool expect_generation_tolerance(const rm_implementation *h_impl, const rm_implementation *r_impl,
                                               rm_data_model dm, bool runtime_object, expect_gen_tolerance *out)
{
    expect_family h = expect_family_of(h_impl), r = expect_family_of(r_impl);
    bool w64 = dm.word_bytes == 8;
    expect_gen_tolerance none = { 0, 0, 0 };
    *out = none;
    if (h == r || r == EXPECT_311)
        return false;
    expect_tolerance legacy[2];
    if (h == EXPECT_311 || (h == EXPECT_312 && r == EXPECT_314 && !w64)) {
        expect_tolerance_of(r_impl, dm, legacy);
        out->increfs = legacy[runtime_object].lose_after_increfs;
        out->decrefs = legacy[runtime_object].lose_after_decrefs;
    } else if (h == EXPECT_312 && r == EXPECT_314) {
        out->climbs_to = 0xFFFFFFFFu;
    } else if (h == EXPECT_314 && r == EXPECT_312 && !w64) {
        out->increfs = out->decrefs = 1;
    }
    return true;
}

/* ---- §1c, §9: gh-137956 (PR #137957), 3.15's free-threaded PyModuleDef_Init
 * reads a def's ob_flags in the free-threaded layout and accepts it only if
 * (ob_flags & (_Py_STATICALLY_ALLOCATED_FLAG | _Py_LEGACY_ABI_CHECK_FLAG))
 * == _Py_STATICALLY_ALLOCATED_FLAG. */
#define EXPECT_STATICALLY_ALLOCATED_FLAG 4 /* _Py_STATICALLY_ALLOCATED_FLAG */
#define EXPECT_LEGACY_ABI_CHECK_FLAG 2     /* _Py_LEGACY_ABI_CHECK_FLAG (3.15) */
/* Whose PyModuleDef_HEAD_INIT it accepts: the free-threaded 3.14t and 3.15t
 * ones (ob_flags = the static flag); never a GIL build's (the free-threaded
 * ob_flags lies over the GIL ob_type, NULL in the def), nor 3.13t's (its
 * _padding is 0). */
static inline bool expect_moduledef_init_accepts(const rm_implementation *s)
{
    return expect_family_of(s) == EXPECT_FT314;
}
/* The source comment's claim, that no byte of a GIL build's static refcount
 * has a nibble _10_ (bit 2 set, bit 1 clear): false for 64-bit 3.14/3.15,
 * whose 0x00050000C0000000 has 0x05 (and 0xC0, in its high nibble). */
static inline bool expect_gil_static_refcount_has_10_nibble(const rm_implementation *s, rm_data_model dm)
{
    return expect_family_of(s) == EXPECT_314 && dm.word_bytes == 8;
}

/* §9, free-threaded 3.14+: _PyObject_SetDeferredRefcount (internal) sets
 * ob_ref_shared to _Py_REF_SHARED(_Py_REF_DEFERRED, 0), _Py_REF_DEFERRED =
 * PY_SSIZE_T_MAX / 8 (internal/pycore_object.h 3.14.10): Py_REFCNT of a
 * fresh deferred object is 1 + PY_SSIZE_T_MAX / 8, yet it is not immortal
 * (pybind11 #5646 saw 1152921504606846979 on 3.14t 64-bit). */
static inline int64_t expect_deferred_shared(rm_data_model dm)
{
    int64_t ssize_max = dm.word_bytes == 8 ? INT64_MAX : INT32_MAX;
    return (ssize_max / 8) << 2;
}
static inline int64_t expect_deferred_refcnt(rm_data_model dm, uint32_t local)
{
    return (int64_t)local + expect_deferred_shared(dm) / 4;
}

/* §9, gh-143300 / PR #144543: 3.15's PyUnstable_SetImmortal(op) makes op
 * immortal, as _Py_SetImmortal does, and returns 1 only for an object that
 * is uniquely referenced and not a str; otherwise it returns 0 and leaves
 * the object as it was. */
static inline bool expect_unstable_set_immortal_accepts(bool uniquely_referenced, bool is_str)
{
    return uniquely_referenced && !is_str;
}

#endif

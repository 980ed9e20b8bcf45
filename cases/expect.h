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
    EXPECT_311,  /* no immortality: 3.11, legacy */
    EXPECT_312,  /* 3.12's encoding: 3.12, 3.13 */
    EXPECT_314,  /* 3.14's split word: 3.14, 3.15 */
    EXPECT_FT313,
    EXPECT_FT314,
} expect_family;

/* The expectations of an implementation's version (rm_implementation.name). A
 * version with no row in harness/versions.txt is a harness error, never
 * 3.11's "no immortality" by default: a new CPython version needs its row. */
static inline expect_family expect_family_of(const rm_implementation *s)
{
#define EXPECT_ROW(version, hex, family) \
    if (!strcmp(s->name, version))    \
        return EXPECT_##family;
    HARNESS_VERSION_ROWS(EXPECT_ROW)
#undef EXPECT_ROW
#define KNOWN_ROW(version, hex, family) " " version
    fprintf(stderr, "harness: no expectations for version '%s' (%s): harness/versions.txt knows%s\n",
            s->name, s->summary, HARNESS_VERSION_ROWS(KNOWN_ROW));
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
    uint32_t ceiling;        /* an immortal incref at or above it stores nothing */
    int64_t static_refcnt;   /* Py_REFCNT of a static PyObject_HEAD_INIT object */
    int64_t runtime_refcnt;  /* Py_REFCNT after runtime immortalisation */
} expect_saturation;

static inline expect_saturation expect_saturation_of(const rm_implementation *s, rm_abi abi)
{
    bool w64 = abi.word_bytes == 8;
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
    const char *object;          /* "static" or "runtime" */
    uint64_t initial_word;       /* the Py_ssize_t word at offset 0 */
    uint64_t lose_after_decrefs;
    uint64_t dealloc_legacy_only;
    uint64_t dealloc_with_mixing;
    uint64_t lose_after_increfs;
} expect_tolerance;

/* Fills out[0..1] (static, runtime); returns how many rows apply (0 for
 * implementations without immortality). */
static inline int expect_tolerance_of(const rm_implementation *s, rm_abi abi, expect_tolerance out[2])
{
    bool w64 = abi.word_bytes == 8;
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
            expect_tolerance st = { "static", UINT64_C(0x00050000C0000000), 1073741825u,
                                    UINT64_C(1407378104778752), 3221225472u, 1073741824u };
            expect_tolerance rt = { "runtime", UINT64_C(0x00010000C0000000), 1073741825u,
                                    UINT64_C(281478197936128), 3221225472u, 1073741824u };
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

#endif

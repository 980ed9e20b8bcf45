/* model_structs.h -- the model's object headers as C declarations, the way
 * each CPython version's public headers declare them for the compiler at
 * hand (fact sheet §1, §2).  The layout case checks the model's byte-level
 * view (refmodel.c) against these; the ABI probe (abi/probe) measures them
 * at compile time and compares them with CPython's real headers.
 * Field names are CPython's, so that the two can be compared field by field. */
#ifndef HARNESS_MODEL_STRUCTS_H
#define HARNESS_MODEL_STRUCTS_H

#include <stddef.h>
#include <stdint.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define MODEL_BIG_ENDIAN 1
#else
#define MODEL_BIG_ENDIAN 0 /* GCC/Clang little-endian; MSVC targets are all little-endian */
#endif
#define MODEL_64 (UINTPTR_MAX > 0xFFFFFFFFu)

/* A deliberate break, for proving that the ABI audit bites (ci/test.sh):
 * 3.14's split fields in the other byte order's sequence. */
#if defined(HARNESS_MODEL_BREAK_314_ORDER)
#define MODEL_314_BIG_ENDIAN_ORDER (!MODEL_BIG_ENDIAN)
#else
#define MODEL_314_BIG_ENDIAN_ORDER MODEL_BIG_ENDIAN
#endif

/* 3.11 and earlier (and "legacy"): a plain Py_ssize_t. */
typedef struct obj311 {
    intptr_t ob_refcnt;
    void *ob_type;
} obj311;
typedef struct var311 {
    obj311 ob_base;
    intptr_t ob_size;
} var311;

/* 3.12: on 64-bit, a union with the two 32-bit halves. */
typedef struct obj312 {
    union {
        intptr_t ob_refcnt;
#if MODEL_64
        uint32_t ob_refcnt_split[2];
#endif
    };
    void *ob_type;
} obj312;
typedef struct var312 {
    obj312 ob_base;
    intptr_t ob_size;
} var312;

/* 3.13.6+: the same, with Py_ALIGNED(4) on struct _object (gh-127545). */
typedef struct obj313 {
    union {
        _Alignas(4) _Alignas(intptr_t) intptr_t ob_refcnt;
#if MODEL_64
        uint32_t ob_refcnt_split[2];
#endif
    };
    void *ob_type;
} obj313;
typedef struct var313 {
    obj313 ob_base;
    intptr_t ob_size;
} var313;

/* 3.14, 3.15: on 64-bit the count, the overflow catcher and the flags, in
 * an order that keeps the count in the low bits of the whole word. */
typedef struct obj314 {
    union {
#if MODEL_64
        int64_t ob_refcnt_full;
        struct {
#if MODEL_314_BIG_ENDIAN_ORDER
            uint16_t ob_flags;
            uint16_t ob_overflow;
            uint32_t ob_refcnt;
#else
            uint32_t ob_refcnt;
            uint16_t ob_overflow;
            uint16_t ob_flags;
#endif
        };
#else
        intptr_t ob_refcnt;
#endif
        _Alignas(4) _Alignas(char) char _aligner; /* _Py_ALIGNED_DEF(_PyObject_MIN_ALIGNMENT, char) */
    };
    void *ob_type;
} obj314;
typedef struct var314 {
    obj314 ob_base;
    intptr_t ob_size;
} var314;

/* Free-threaded: 3.13 calls the flags word _padding. */
typedef struct objft313 {
    _Alignas(4) _Alignas(uintptr_t) uintptr_t ob_tid; /* Py_ALIGNED(4) on the struct */
    uint16_t _padding;
    uint8_t ob_mutex; /* PyMutex: one byte */
    uint8_t ob_gc_bits;
    uint32_t ob_ref_local;
    intptr_t ob_ref_shared;
    void *ob_type;
} objft313;
typedef struct varft313 {
    objft313 ob_base;
    intptr_t ob_size;
} varft313;

typedef struct objft314 {
    _Alignas(4) _Alignas(uintptr_t) uintptr_t ob_tid; /* min-aligned 4 */
    uint16_t ob_flags;
    uint8_t ob_mutex;
    uint8_t ob_gc_bits;
    uint32_t ob_ref_local;
    intptr_t ob_ref_shared;
    void *ob_type;
} objft314;
typedef struct varft314 {
    objft314 ob_base;
    intptr_t ob_size;
} varft314;

/* Constants (fact sheet §2), under CPython's names with a MODEL_ prefix. */
#define MODEL_311_CORE_IMMORTAL_REFCNT 999999999 /* 3.11's internal _PyObject_IMMORTAL_INIT */
#define MODEL_312_IMMORTAL_REFCNT (MODEL_64 ? (intptr_t)0xFFFFFFFFu : (intptr_t)0x3FFFFFFF)
#if MODEL_64
#define MODEL_314_IMMORTAL_INITIAL_REFCNT (3ULL << 30)
#define MODEL_314_IMMORTAL_MINIMUM_REFCNT (1ULL << 31)
#define MODEL_314_STATIC_IMMORTAL_INITIAL_REFCNT ((intptr_t)MODEL_314_IMMORTAL_INITIAL_REFCNT | ((intptr_t)5 << 48))
#else
#define MODEL_314_IMMORTAL_INITIAL_REFCNT ((intptr_t)(5L << 28))
#define MODEL_314_IMMORTAL_MINIMUM_REFCNT ((intptr_t)(1L << 30))
#define MODEL_314_STATIC_IMMORTAL_INITIAL_REFCNT ((intptr_t)(7L << 28))
#define MODEL_314_STATIC_IMMORTAL_MINIMUM_REFCNT ((intptr_t)(6L << 28))
#endif
#define MODEL_314_IMMORTAL_FLAGS 1
#define MODEL_314_STATICALLY_ALLOCATED_FLAG 4
#define MODEL_315_LEGACY_ABI_CHECK_FLAG 2
#define MODEL_FT_IMMORTAL_REFCNT_LOCAL UINT32_MAX
#define MODEL_FT_REF_SHARED_SHIFT 2
#define MODEL_FT_GC_BITS_DEFERRED 64 /* internal/pycore_gc.h */

#endif

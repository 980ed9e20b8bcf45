/* refmodel.c -- the encodings of shared/docs/cpython-refcount-facts.md, §1-3.
 *
 * Every implementation reads and stores only the bytes that CPython's inline code
 * reads and stores, in the modelled byte order.  Arithmetic is unsigned and
 * wraps modulo the field width, as the hardware does for CPython's signed
 * Py_ssize_t; signed views are formed explicitly, never by overflow. */
#include "refmodel.h"

/* ---- raw access --------------------------------------------------------- */

/* One load or store of the field's width, swapped when the modelled byte
 * order is not the host's: the exhaustive sweep runs these 2^32 times an
 * implementation, and compilers turn memcpy plus the shift idiom below into
 * single (byte-swapping) moves. */
#if defined(__BYTE_ORDER__) && defined(__ORDER_BIG_ENDIAN__)
#define HOST_BIG_ENDIAN (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__)
#elif defined(_WIN32)
#define HOST_BIG_ENDIAN 0 /* every Windows target is little-endian */
#else
#error "refmodel.c: cannot tell the host's byte order (no __BYTE_ORDER__)"
#endif

/* A fixed-size copy the compiler turns into one move. GCC and Clang have it
 * built in, so the model still needs no header beyond the freestanding
 * ones; MSVC makes memcpy an intrinsic. */
#if defined(__GNUC__) || defined(__clang__)
#define COPY_BYTES(dst, src, n) __builtin_memcpy((dst), (src), (n))
#else
#include <string.h>
#define COPY_BYTES(dst, src, n) memcpy((dst), (src), (n))
#endif

static uint16_t swap16(uint16_t v) { return (uint16_t)(v >> 8 | v << 8); }
static uint32_t swap32(uint32_t v) { return v >> 24 | (v >> 8 & 0xFF00u) | (v << 8 & 0xFF0000u) | v << 24; }
static uint64_t swap64(uint64_t v) { return (uint64_t)swap32((uint32_t)v) << 32 | swap32((uint32_t)(v >> 32)); }

static inline uint64_t load_bytes(const uint8_t *p, unsigned n, bool be)
{
    bool swap = be != HOST_BIG_ENDIAN;
    switch (n) {
    case 1:
        return p[0];
    case 2: {
        uint16_t v;
        COPY_BYTES(&v, p, 2);
        return swap ? swap16(v) : v;
    }
    case 4: {
        uint32_t v;
        COPY_BYTES(&v, p, 4);
        return swap ? swap32(v) : v;
    }
    default: {
        uint64_t v;
        COPY_BYTES(&v, p, 8);
        return swap ? swap64(v) : v;
    }
    }
}

static inline void store_bytes(uint8_t *p, unsigned n, bool be, uint64_t v)
{
    bool swap = be != HOST_BIG_ENDIAN;
    switch (n) {
    case 1:
        p[0] = (uint8_t)v;
        return;
    case 2: {
        uint16_t w = swap ? swap16((uint16_t)v) : (uint16_t)v;
        COPY_BYTES(p, &w, 2);
        return;
    }
    case 4: {
        uint32_t w = swap ? swap32((uint32_t)v) : (uint32_t)v;
        COPY_BYTES(p, &w, 4);
        return;
    }
    default: {
        uint64_t w = swap ? swap64(v) : v;
        COPY_BYTES(p, &w, 8);
        return;
    }
    }
}

uint64_t rm_load(const uint8_t *obj, rm_field f, bool big_endian)
{
    return load_bytes(obj + f.offset, f.size, big_endian);
}

void rm_store(uint8_t *obj, rm_field f, bool big_endian, uint64_t value)
{
    store_bytes(obj + f.offset, f.size, big_endian, value);
}

rm_data_model rm_native_data_model(void)
{
    union {
        uint32_t word;
        uint8_t bytes[4];
    } probe = { 0x01020304u };
    struct word_alignment {
        char c;
        void *p;
    };
    rm_data_model dm = { (uint8_t)sizeof(void *), probe.bytes[0] == 0x01, (uint8_t)offsetof(struct word_alignment, p) };
    return dm;
}

const char *rm_data_model_name(rm_data_model dm)
{
    if (dm.word_bytes == 8)
        return dm.big_endian ? "64-bit big-endian" : "64-bit little-endian";
    return dm.big_endian ? "32-bit big-endian" : "32-bit little-endian";
}

const char *rm_field_name(rm_field_id f)
{
    /* clang-format off */
    static const char *const names[RM_F_COUNT] = {
        [RM_F_REFCNT] = "ob_refcnt",         [RM_F_COUNT_WORD] = "counting word",
        [RM_F_OVERFLOW] = "ob_overflow",     [RM_F_FLAGS] = "ob_flags",
        [RM_F_TID] = "ob_tid",               [RM_F_MUTEX] = "ob_mutex",
        [RM_F_GC_BITS] = "ob_gc_bits",       [RM_F_REF_LOCAL] = "ob_ref_local",
        [RM_F_REF_SHARED] = "ob_ref_shared", [RM_F_TYPE] = "ob_type",
        [RM_F_SIZE] = "ob_size",
    };
    /* clang-format on */
    return (unsigned)f < RM_F_COUNT ? names[f] : "?";
}

void rm_runtime_init(rm_runtime *rt, rm_data_model dm, uint64_t thread_id)
{
    rm_runtime zero = { 0 };
    *rt = zero;
    rt->dm = dm;
    rt->thread_id = thread_id;
}

void rm_record_dealloc(rm_runtime *rt, uint8_t *obj)
{
    rt->deallocs++;
    rt->last_dealloc = obj;
    if (rt->on_dealloc)
        rt->on_dealloc(rt, obj);
}

/* ---- helpers shared by the implementations -------------------------------------- */

static uint64_t word_mask(rm_data_model dm) { return dm.word_bytes == 8 ? UINT64_MAX : UINT32_MAX; }

/* The value of a word-sized field as a signed Py_ssize_t. */
static int64_t as_ssize(rm_data_model dm, uint64_t w)
{
    if (dm.word_bytes == 4)
        w = (uint32_t)w >= 0x80000000u ? w | ~UINT64_C(0xFFFFFFFF) : (uint32_t)w;
    /* Out-of-range unsigned-to-signed conversion is implementation-defined
     * (C11 6.3.1.3); every compiler we target wraps, as CPython assumes. */
    return (int64_t)w;
}

static bool int32_negative(uint32_t v) { return v >= 0x80000000u; }

static rm_field fld(uint8_t offset, uint8_t size)
{
    rm_field f = { offset, size };
    return f;
}

/* ---- where each field lives ----------------------------------------------
 * One definition per field, used by the layouts and by the implementations' hot
 * paths alike. */

static rm_field gil_word(rm_data_model dm) { return fld(0, dm.word_bytes); }

/* The 32-bit word that counts: the whole word on 32-bit; on 64-bit the low
 * half (3.12/3.13 ob_refcnt_split[PY_BIG_ENDIAN], 3.14+ ob_refcnt). */
static rm_field gil_count_word(rm_data_model dm) { return fld(dm.word_bytes == 8 && dm.big_endian ? 4 : 0, 4); }

/* 3.14+ 64-bit: the struct order flips with the byte order so that, read as
 * one int64, bits 0-31 are ob_refcnt, 32-47 ob_overflow, 48-63 ob_flags. */
static rm_field gil_overflow(rm_data_model dm) { return fld(dm.big_endian ? 2 : 4, 2); }
static rm_field gil_flags(rm_data_model dm) { return fld(dm.big_endian ? 0 : 6, 2); }

/* Free-threaded header: identical on both byte orders. */
static rm_field ft_field(rm_data_model dm, rm_field_id id)
{
    uint8_t w = dm.word_bytes;
    switch (id) {
    case RM_F_TID:
        return fld(0, w);
    case RM_F_FLAGS:
        return fld(w, 2);
    case RM_F_MUTEX:
        return fld((uint8_t)(w + 2), 1);
    case RM_F_GC_BITS:
        return fld((uint8_t)(w + 3), 1);
    case RM_F_REF_LOCAL:
    case RM_F_COUNT_WORD:
        return fld((uint8_t)(w + 4), 4);
    case RM_F_REF_SHARED:
        return fld((uint8_t)(w + 8), w);
    case RM_F_TYPE:
        return fld((uint8_t)(2 * w + 8), w);
    case RM_F_SIZE:
        return fld((uint8_t)(3 * w + 8), w);
    default:
        return fld(0, 0); /* not in this header */
    }
}

/* ---- layouts -------------------------------------------------------------- */

/* gh-127545: headers whose alignment is only the pointer's (2 on m68k) broke
 * low-bit tagging; later 3.13.x force 4 with Py_ALIGNED on struct _object,
 * 3.14+ with the _aligner member (_PyObject_MIN_ALIGNMENT). */
#define PYOBJECT_MIN_ALIGNMENT 4

static rm_layout with_min_alignment(rm_layout l)
{
    if (l.align < PYOBJECT_MIN_ALIGNMENT)
        l.align = PYOBJECT_MIN_ALIGNMENT;
    return l;
}

/* 3.11, 3.12 and legacy (3.12 adds only the ob_refcnt_split view). */
static rm_layout layout_311(rm_data_model dm)
{
    uint8_t w = dm.word_bytes;
    rm_layout l = { 0 };
    l.object_size = (uint8_t)(2 * w);
    l.var_object_size = (uint8_t)(3 * w);
    l.align = dm.word_align;
    l.field[RM_F_REFCNT] = gil_word(dm);
    l.field[RM_F_COUNT_WORD] = gil_count_word(dm);
    l.field[RM_F_TYPE] = fld(w, w);
    l.field[RM_F_SIZE] = fld((uint8_t)(2 * w), w);
    return l;
}

/* 3.13 as its later releases (3.13.6+) declare it; 3.13.0-3.13.5 were
 * aligned like 3.12. */
static rm_layout layout_313(rm_data_model dm) { return with_min_alignment(layout_311(dm)); }

static rm_layout layout_314(rm_data_model dm)
{
    rm_layout l = with_min_alignment(layout_311(dm));
    if (dm.word_bytes == 8) {
        l.field[RM_F_OVERFLOW] = gil_overflow(dm);
        l.field[RM_F_FLAGS] = gil_flags(dm);
    }
    return l;
}

static rm_layout layout_ft(rm_data_model dm)
{
    rm_layout l = { 0 };
    for (int id = 0; id < RM_F_COUNT; id++)
        l.field[id] = ft_field(dm, (rm_field_id)id);
    l.object_size = (uint8_t)(3 * dm.word_bytes + 8);
    l.var_object_size = (uint8_t)(4 * dm.word_bytes + 8);
    l.align = dm.word_align;
    return with_min_alignment(l); /* 3.13.6+ and 3.14+ alike */
}

static rm_field f_word(const rm_runtime *rt) { return gil_word(rt->dm); }
static rm_field f_low(const rm_runtime *rt) { return gil_count_word(rt->dm); }
static rm_field f_flags(const rm_runtime *rt) { return gil_flags(rt->dm); }
static rm_field ft(const rm_runtime *rt, rm_field_id id) { return ft_field(rt->dm, id); }

static uint64_t ld(const rm_runtime *rt, const uint8_t *obj, rm_field f) { return rm_load(obj, f, rt->dm.big_endian); }
/* Every store of an implementation goes through here: the proofs
 * (cases/proofs/) count them with RM_COUNT_STORE. */
#ifndef RM_COUNT_STORE
#define RM_COUNT_STORE() ((void)0)
#endif
static void st(const rm_runtime *rt, uint8_t *obj, rm_field f, uint64_t v)
{
    RM_COUNT_STORE();
    rm_store(obj, f, rt->dm.big_endian, v);
}

static void zero_header(const rm_runtime *rt, uint8_t *obj, rm_layout (*make)(rm_data_model))
{
    rm_layout l = make(rt->dm);
    for (unsigned i = 0; i < l.object_size; i++)
        obj[i] = 0;
}

/* ---- 3.11 and legacy: plain ++/-- on the whole Py_ssize_t ---------------- */

static void init_static_311(const rm_runtime *rt, uint8_t *obj, rm_origin origin)
{
    (void)origin;
    zero_header(rt, obj, layout_311);
    st(rt, obj, f_word(rt), 1);
}

static void new_reference_gil(const rm_runtime *rt, uint8_t *obj)
{
    st(rt, obj, f_word(rt), 1); /* 3.14: ob_refcnt_full = 1 clears the flags */
}

static void immortalize_311(rm_runtime *rt, uint8_t *obj)
{
    st(rt, obj, f_word(rt), 999999999u); /* _PyObject_IMMORTAL_INIT, core-only */
}

static void incref_legacy(rm_runtime *rt, uint8_t *obj)
{
    st(rt, obj, f_word(rt), (ld(rt, obj, f_word(rt)) + 1) & word_mask(rt->dm));
}

static void decref_legacy(rm_runtime *rt, uint8_t *obj)
{
    uint64_t w = (ld(rt, obj, f_word(rt)) - 1) & word_mask(rt->dm);
    st(rt, obj, f_word(rt), w);
    if (w == 0)
        rm_record_dealloc(rt, obj);
}

static bool never_immortal(const rm_runtime *rt, const uint8_t *obj)
{
    (void)rt, (void)obj;
    return false;
}

static int64_t refcnt_full(const rm_runtime *rt, const uint8_t *obj)
{
    return as_ssize(rt->dm, ld(rt, obj, f_word(rt)));
}

static void set_refcnt_legacy(rm_runtime *rt, uint8_t *obj, int64_t n)
{
    st(rt, obj, f_word(rt), (uint64_t)n & word_mask(rt->dm));
}

/* ---- 3.12 and 3.13 ------------------------------------------------------ */

#define IMMORTAL_REFCNT_312_64 UINT64_C(0xFFFFFFFF) /* UINT_MAX      */
#define IMMORTAL_REFCNT_312_32 UINT64_C(0x3FFFFFFF) /* UINT_MAX >> 2 */

static uint64_t immortal_refcnt_312(rm_data_model dm)
{
    return dm.word_bytes == 8 ? IMMORTAL_REFCNT_312_64 : IMMORTAL_REFCNT_312_32;
}

static bool is_immortal_312(const rm_runtime *rt, const uint8_t *obj)
{
    if (rt->dm.word_bytes == 8)
        return int32_negative((uint32_t)ld(rt, obj, f_low(rt)));
    return ld(rt, obj, f_word(rt)) == IMMORTAL_REFCNT_312_32; /* exact match */
}

static void incref_312(rm_runtime *rt, uint8_t *obj)
{
    if (rt->dm.word_bytes == 8) {
        /* Add to the low half only; a wrap to 0 skips the store. */
        uint32_t next = (uint32_t)(ld(rt, obj, f_low(rt)) + 1);
        if (next == 0)
            return;
        st(rt, obj, f_low(rt), next);
        return;
    }
    if (is_immortal_312(rt, obj))
        return;
    st(rt, obj, f_word(rt), (ld(rt, obj, f_word(rt)) + 1) & UINT32_MAX);
}

static void decref_312(rm_runtime *rt, uint8_t *obj)
{
    if (is_immortal_312(rt, obj))
        return;
    decref_legacy(rt, obj); /* full Py_ssize_t decrement */
}

static void set_refcnt_312(rm_runtime *rt, uint8_t *obj, int64_t n)
{
    if (is_immortal_312(rt, obj))
        return;
    set_refcnt_legacy(rt, obj, n);
}

static void immortalize_312(rm_runtime *rt, uint8_t *obj) { st(rt, obj, f_word(rt), immortal_refcnt_312(rt->dm)); }

static void init_static_312(const rm_runtime *rt, uint8_t *obj, rm_origin origin)
{
    zero_header(rt, obj, layout_311);
    st(rt, obj, f_word(rt), origin == RM_ORIGIN_CORE ? immortal_refcnt_312(rt->dm) : 1);
}

static void init_static_313(const rm_runtime *rt, uint8_t *obj, rm_origin origin)
{
    (void)origin;
    zero_header(rt, obj, layout_311);
    st(rt, obj, f_word(rt), immortal_refcnt_312(rt->dm));
}

/* ---- 3.14 and 3.15 ------------------------------------------------------ */

#define IMMORTAL_INITIAL_64 UINT64_C(0xC0000000) /* 3ULL << 30 */
#define STATIC_FLAG_BITS UINT64_C(5)             /* STATIC | IMMORTAL */
#define IMMORTAL_FLAGS UINT64_C(1)
#define STATICALLY_ALLOCATED UINT64_C(4)
#define IMMORTAL_INITIAL_32 UINT64_C(0x50000000)        /* 5L << 28 */
#define IMMORTAL_MINIMUM_32 INT64_C(0x40000000)         /* 1L << 30 */
#define STATIC_IMMORTAL_INITIAL_32 UINT64_C(0x70000000) /* 7L << 28 */
#define STATIC_IMMORTAL_MINIMUM_32 INT64_C(0x60000000)  /* 6L << 28 */

static bool is_immortal_314(const rm_runtime *rt, const uint8_t *obj)
{
    if (rt->dm.word_bytes == 8)
        return int32_negative((uint32_t)ld(rt, obj, f_low(rt)));
    return as_ssize(rt->dm, ld(rt, obj, f_word(rt))) >= IMMORTAL_MINIMUM_32;
}

static bool is_static_immortal_314(const rm_runtime *rt, const uint8_t *obj)
{
    if (rt->dm.word_bytes == 8)
        return (ld(rt, obj, f_flags(rt)) & STATICALLY_ALLOCATED) != 0;
    return as_ssize(rt->dm, ld(rt, obj, f_word(rt))) >= STATIC_IMMORTAL_MINIMUM_32;
}

static void incref_314(rm_runtime *rt, uint8_t *obj)
{
    if (rt->dm.word_bytes == 8) {
        /* Sticky: at or above the initial value nothing is stored; below it,
         * counts in [2^31, 3<<30) keep climbing toward it. */
        uint32_t cur = (uint32_t)ld(rt, obj, f_low(rt));
        if (cur >= IMMORTAL_INITIAL_64)
            return;
        st(rt, obj, f_low(rt), (uint32_t)(cur + 1));
        return;
    }
    if (is_immortal_314(rt, obj))
        return;
    st(rt, obj, f_word(rt), (ld(rt, obj, f_word(rt)) + 1) & UINT32_MAX);
}

static void decref_314(rm_runtime *rt, uint8_t *obj)
{
    if (is_immortal_314(rt, obj))
        return;
    if (rt->dm.word_bytes == 8) {
        /* Decrements and tests the uint32 ob_refcnt only. */
        uint32_t next = (uint32_t)(ld(rt, obj, f_low(rt)) - 1);
        st(rt, obj, f_low(rt), next);
        if (next == 0)
            rm_record_dealloc(rt, obj);
        return;
    }
    decref_legacy(rt, obj);
}

static int64_t refcnt_314(const rm_runtime *rt, const uint8_t *obj)
{
    if (rt->dm.word_bytes == 8)
        return (int64_t)ld(rt, obj, f_low(rt)); /* the uint32 only, no clamping */
    return refcnt_full(rt, obj);
}

static void set_refcnt_314(rm_runtime *rt, uint8_t *obj, int64_t n)
{
    if (is_immortal_314(rt, obj))
        return;
    if (rt->dm.word_bytes == 8) {
        st(rt, obj, f_low(rt), (uint32_t)(uint64_t)n); /* truncates to uint32 */
        return;
    }
    set_refcnt_legacy(rt, obj, n);
}

static void immortalize_314(rm_runtime *rt, uint8_t *obj)
{
    if (is_immortal_314(rt, obj))
        return; /* a static immortal keeps its flags */
    if (rt->dm.word_bytes == 8) {
        st(rt, obj, f_flags(rt), IMMORTAL_FLAGS);
        st(rt, obj, f_low(rt), IMMORTAL_INITIAL_64);
        return;
    }
    st(rt, obj, f_word(rt), IMMORTAL_INITIAL_32);
}

static void init_static_314(const rm_runtime *rt, uint8_t *obj, rm_origin origin)
{
    (void)origin;
    zero_header(rt, obj, layout_314);
    if (rt->dm.word_bytes == 8)
        st(rt, obj, f_word(rt), IMMORTAL_INITIAL_64 | (STATIC_FLAG_BITS << 48));
    else
        st(rt, obj, f_word(rt), STATIC_IMMORTAL_INITIAL_32);
}

/* ---- free-threaded 3.13t, 3.14t and 3.15t ---------------------------------------- */

#define REF_LOCAL_IMMORTAL UINT64_C(0xFFFFFFFF) /* _Py_IMMORTAL_REFCNT_LOCAL */
#define REF_SHARED_SHIFT 2
#define REF_SHARED_FLAG_MASK UINT64_C(3)
#define REF_MAYBE_WEAKREF UINT64_C(1)
#define REF_QUEUED UINT64_C(2)
#define REF_MERGED UINT64_C(3)
#define GC_BITS_DEFERRED UINT64_C(64)

static bool is_immortal_ft(const rm_runtime *rt, const uint8_t *obj)
{
    return ld(rt, obj, ft(rt, RM_F_REF_LOCAL)) == REF_LOCAL_IMMORTAL;
}

static bool owned_by_caller(const rm_runtime *rt, const uint8_t *obj)
{
    return ld(rt, obj, ft(rt, RM_F_TID)) == (rt->thread_id & word_mask(rt->dm));
}

static void incref_ft(rm_runtime *rt, uint8_t *obj)
{
    uint32_t next = (uint32_t)(ld(rt, obj, ft(rt, RM_F_REF_LOCAL)) + 1);
    if (next == 0)
        return; /* immortal */
    if (owned_by_caller(rt, obj)) {
        st(rt, obj, ft(rt, RM_F_REF_LOCAL), next);
        return;
    }
    rm_field shared = ft(rt, RM_F_REF_SHARED);
    st(rt, obj, shared, (ld(rt, obj, shared) + (1u << REF_SHARED_SHIFT)) & word_mask(rt->dm));
}

/* _Py_MergeZeroLocalRefcount */
static void merge_zero_local(rm_runtime *rt, uint8_t *obj)
{
    rm_field shared_f = ft(rt, RM_F_REF_SHARED);
    uint64_t shared = ld(rt, obj, shared_f);
    if (shared == 0) {
        rm_record_dealloc(rt, obj);
        return;
    }
    st(rt, obj, ft(rt, RM_F_TID), 0);
    uint64_t merged = (shared & ~REF_SHARED_FLAG_MASK & word_mask(rt->dm)) | REF_MERGED;
    st(rt, obj, shared_f, merged);
    if (merged == REF_MERGED)
        rm_record_dealloc(rt, obj);
}

/* _Py_DecRefShared */
static void decref_shared(rm_runtime *rt, uint8_t *obj)
{
    rm_field shared_f = ft(rt, RM_F_REF_SHARED);
    uint64_t shared = ld(rt, obj, shared_f);
    bool queue = shared == 0 || shared == REF_MAYBE_WEAKREF;
    uint64_t next = queue ? REF_QUEUED : (shared - (1u << REF_SHARED_SHIFT)) & word_mask(rt->dm);
    st(rt, obj, shared_f, next);
    if (queue)
        rt->merges_queued++;
    else if (next == REF_MERGED)
        rm_record_dealloc(rt, obj);
}

void rm_ft_decref_shared(rm_runtime *rt, uint8_t *obj) { decref_shared(rt, obj); }
void rm_ft_merge_zero_local(rm_runtime *rt, uint8_t *obj) { merge_zero_local(rt, obj); }

static void decref_ft(rm_runtime *rt, uint8_t *obj)
{
    rm_field local_f = ft(rt, RM_F_REF_LOCAL);
    uint64_t local = ld(rt, obj, local_f);
    if (local == REF_LOCAL_IMMORTAL)
        return;
    if (owned_by_caller(rt, obj)) {
        local = (local - 1) & UINT32_MAX;
        st(rt, obj, local_f, local);
        if (local == 0)
            merge_zero_local(rt, obj);
        return;
    }
    decref_shared(rt, obj);
}

static int64_t refcnt_ft_common(const rm_runtime *rt, const uint8_t *obj, int64_t immortal_value)
{
    uint64_t local = ld(rt, obj, ft(rt, RM_F_REF_LOCAL));
    if (local == REF_LOCAL_IMMORTAL)
        return immortal_value;
    int64_t shared = as_ssize(rt->dm, ld(rt, obj, ft(rt, RM_F_REF_SHARED)));
    /* Py_ARITHMETIC_RIGHT_SHIFT, spelled without shifting a negative value. */
    int64_t shared_count = shared >= 0 ? shared / 4 : -((-shared + 3) / 4);
    return as_ssize(rt->dm, ((uint64_t)(int64_t)local + (uint64_t)shared_count) & word_mask(rt->dm));
}

static int64_t refcnt_313t(const rm_runtime *rt, const uint8_t *obj)
{
    return refcnt_ft_common(rt, obj, (int64_t)immortal_refcnt_312(rt->dm));
}

static int64_t refcnt_314t(const rm_runtime *rt, const uint8_t *obj)
{
    return refcnt_ft_common(rt, obj, (int64_t)(rt->dm.word_bytes == 8 ? IMMORTAL_INITIAL_64 : IMMORTAL_INITIAL_32));
}

static void set_refcnt_ft(rm_runtime *rt, uint8_t *obj, int64_t n)
{
    if (is_immortal_ft(rt, obj))
        return;
    uint64_t un = (uint64_t)n & word_mask(rt->dm); /* (size_t)refcnt */
    rm_field shared_f = ft(rt, RM_F_REF_SHARED);
    if (owned_by_caller(rt, obj)) {
        if (un > UINT32_MAX) { /* never true on 32-bit: Cython#7742 */
            st(rt, obj, ft(rt, RM_F_TID), 0);
            st(rt, obj, ft(rt, RM_F_REF_LOCAL), REF_LOCAL_IMMORTAL);
            st(rt, obj, shared_f, 0);
        } else {
            st(rt, obj, ft(rt, RM_F_REF_LOCAL), (uint32_t)un);
            st(rt, obj, shared_f, ld(rt, obj, shared_f) & REF_SHARED_FLAG_MASK);
        }
        return;
    }
    st(rt, obj, ft(rt, RM_F_TID), 0);
    st(rt, obj, ft(rt, RM_F_REF_LOCAL), 0);
    st(rt, obj, shared_f, ((un << REF_SHARED_SHIFT) | REF_MERGED) & word_mask(rt->dm));
}

static void immortalize_ft(rm_runtime *rt, uint8_t *obj, bool deferred_gc)
{
    st(rt, obj, ft(rt, RM_F_TID), 0);
    st(rt, obj, ft(rt, RM_F_REF_LOCAL), REF_LOCAL_IMMORTAL);
    st(rt, obj, ft(rt, RM_F_REF_SHARED), 0);
    if (deferred_gc) {
        rm_field gc = ft(rt, RM_F_GC_BITS);
        st(rt, obj, gc, ld(rt, obj, gc) | GC_BITS_DEFERRED);
    }
}

static void immortalize_313t(rm_runtime *rt, uint8_t *obj) { immortalize_ft(rt, obj, false); }
/* 3.14 returns early for an already immortal object (on both builds), so a
 * static immortal is not degraded. */
static void immortalize_314t(rm_runtime *rt, uint8_t *obj)
{
    if (!is_immortal_ft(rt, obj))
        immortalize_ft(rt, obj, true);
}

static void init_static_ft(const rm_runtime *rt, uint8_t *obj, uint64_t flags)
{
    zero_header(rt, obj, layout_ft);
    st(rt, obj, ft(rt, RM_F_FLAGS), flags);
    st(rt, obj, ft(rt, RM_F_REF_LOCAL), REF_LOCAL_IMMORTAL);
}

static void init_static_313t(const rm_runtime *rt, uint8_t *obj, rm_origin origin)
{
    (void)origin;
    init_static_ft(rt, obj, 0); /* _padding */
}

static void init_static_314t(const rm_runtime *rt, uint8_t *obj, rm_origin origin)
{
    (void)origin;
    init_static_ft(rt, obj, STATICALLY_ALLOCATED);
}

static void new_reference_ft(const rm_runtime *rt, uint8_t *obj)
{
    st(rt, obj, ft(rt, RM_F_FLAGS), 0);
    st(rt, obj, ft(rt, RM_F_MUTEX), 0);
    st(rt, obj, ft(rt, RM_F_GC_BITS), 0);
    st(rt, obj, ft(rt, RM_F_REF_LOCAL), 1);
    st(rt, obj, ft(rt, RM_F_REF_SHARED), 0);
    st(rt, obj, ft(rt, RM_F_TID), rt->thread_id & word_mask(rt->dm));
}

static bool is_static_immortal_314t(const rm_runtime *rt, const uint8_t *obj)
{
    return (ld(rt, obj, ft(rt, RM_F_FLAGS)) & STATICALLY_ALLOCATED) != 0;
}

/* ---- PyUnstable_TryIncRef, PyUnstable_Object_IsUniquelyReferenced ------
 * As 3.14's Objects/object.c has them (_Py_TryIncref, _PyObject_IsUniquely-
 * Referenced in internal/pycore_object.h), on each version's encoding: the
 * reference for binding libraries' copies (pythoncapi_compat.h, nanobind),
 * which bring them to versions that have none. */
#define GIL_UNSTABLE_API(v, refcnt_fn, incref_fn)                                                                      \
    static bool try_incref_##v(rm_runtime *rt, uint8_t *obj)                                                           \
    {                                                                                                                  \
        if (refcnt_fn(rt, obj) <= 0)                                                                                   \
            return false;                                                                                              \
        incref_fn(rt, obj);                                                                                            \
        return true;                                                                                                   \
    }                                                                                                                  \
    static bool uniquely_referenced_##v(const rm_runtime *rt, const uint8_t *obj) { return refcnt_fn(rt, obj) == 1; }
GIL_UNSTABLE_API(311, refcnt_full, incref_legacy)
GIL_UNSTABLE_API(312, refcnt_full, incref_312)
GIL_UNSTABLE_API(314, refcnt_314, incref_314)

/* _Py_TryIncrefFast, then _Py_TryIncRefShared: the shared count can take a
 * reference unless it is zero or merged (the object may be going away). */
static bool try_incref_ft(rm_runtime *rt, uint8_t *obj)
{
    uint32_t next = (uint32_t)(ld(rt, obj, ft(rt, RM_F_REF_LOCAL)) + 1);
    if (next == 0)
        return true; /* immortal */
    if (owned_by_caller(rt, obj)) {
        st(rt, obj, ft(rt, RM_F_REF_LOCAL), next);
        return true;
    }
    rm_field shared = ft(rt, RM_F_REF_SHARED);
    uint64_t s = ld(rt, obj, shared);
    if (s == 0 || s == REF_MERGED)
        return false;
    st(rt, obj, shared, (s + (1u << REF_SHARED_SHIFT)) & word_mask(rt->dm));
    return true;
}

/* PyUnstable_EnableTryIncRef (3.14's Objects/object.c: _PyObject_SetMaybe-
 * Weakref): marks the shared count "may have weak references" so that
 * TryIncRef's shared path accepts the object at shared count 0; nothing
 * for an immortal object or one whose shared field has a flag already
 * (weakrefs, queued, merged). Nothing with the GIL. */
static void enable_try_incref_ft(rm_runtime *rt, uint8_t *obj)
{
    if (is_immortal_ft(rt, obj))
        return;
    rm_field shared = ft(rt, RM_F_REF_SHARED);
    uint64_t s = ld(rt, obj, shared);
    if ((s & REF_SHARED_FLAG_MASK) == 0)
        st(rt, obj, shared, s | REF_MAYBE_WEAKREF);
}
static void enable_try_incref_gil(rm_runtime *rt, uint8_t *obj) { (void)rt, (void)obj; }

/* The whole ob_ref_shared must be zero, flags included (gh-140061). */
static bool uniquely_referenced_ft(const rm_runtime *rt, const uint8_t *obj)
{
    return owned_by_caller(rt, obj) && ld(rt, obj, ft(rt, RM_F_REF_LOCAL)) == 1 &&
           ld(rt, obj, ft(rt, RM_F_REF_SHARED)) == 0;
}

/* ---- the descriptor table ------------------------------------------------ */

static const rm_implementation model_311 = {
    .name = "3.11",
    .summary = "mortal baseline: ++/-- on the whole Py_ssize_t, no immortality",
    .flags = 0,
    .layout = layout_311,
    .init_static = init_static_311,
    .new_reference = new_reference_gil,
    .immortalize = immortalize_311,
    .incref = incref_legacy,
    .decref = decref_legacy,
    .is_immortal = never_immortal,
    .refcnt = refcnt_full,
    .set_refcnt = set_refcnt_legacy,
    .try_incref = try_incref_311,
    .enable_try_incref = enable_try_incref_gil,
    .is_uniquely_referenced = uniquely_referenced_311,
};

static const rm_implementation model_312 = {
    .name = "3.12",
    .summary = "low 32 bits count, saturating at 0xFFFFFFFF (32-bit: exact 0x3FFFFFFF); "
               "static PyObject_HEAD_INIT immortal for the core only",
    .flags = RM_HAS_IMMORTALITY,
    .layout = layout_311,
    .init_static = init_static_312,
    .new_reference = new_reference_gil,
    .immortalize = immortalize_312,
    .incref = incref_312,
    .decref = decref_312,
    .is_immortal = is_immortal_312,
    .refcnt = refcnt_full,
    .set_refcnt = set_refcnt_312,
    .try_incref = try_incref_312,
    .enable_try_incref = enable_try_incref_gil,
    .is_uniquely_referenced = uniquely_referenced_312,
};

static const rm_implementation model_313 = {
    .name = "3.13",
    .summary = "as 3.12, and every static PyObject_HEAD_INIT is immortal",
    .flags = RM_HAS_IMMORTALITY,
    .layout = layout_313,
    .init_static = init_static_313,
    .new_reference = new_reference_gil,
    .immortalize = immortalize_312,
    .incref = incref_312,
    .decref = decref_312,
    .is_immortal = is_immortal_312,
    .refcnt = refcnt_full,
    .set_refcnt = set_refcnt_312,
    .try_incref = try_incref_312,
    .enable_try_incref = enable_try_incref_gil,
    .is_uniquely_referenced = uniquely_referenced_312,
};

static const rm_implementation model_314 = {
    .name = "3.14",
    .summary = "ob_refcnt/ob_overflow/ob_flags word, sticky saturation at 0xC0000000 "
               "(32-bit: >= 2^30, initial 5<<28 / 7<<28)",
    .flags = RM_HAS_IMMORTALITY,
    .layout = layout_314,
    .init_static = init_static_314,
    .new_reference = new_reference_gil,
    .immortalize = immortalize_314,
    .incref = incref_314,
    .decref = decref_314,
    .is_immortal = is_immortal_314,
    .is_static_immortal = is_static_immortal_314,
    .refcnt = refcnt_314,
    .set_refcnt = set_refcnt_314,
    .try_incref = try_incref_314,
    .enable_try_incref = enable_try_incref_gil,
    .is_uniquely_referenced = uniquely_referenced_314,
};

/* 3.15 keeps 3.14's encoding; it adds flag bits (LEGACY_ABI_CHECK 2,
 * TYPE_REVEALED 8) that no refcount operation reads or writes. */
static const rm_implementation model_315 = {
    .name = "3.15",
    .summary = "same refcount encoding as 3.14",
    .flags = RM_HAS_IMMORTALITY,
    .layout = layout_314,
    .init_static = init_static_314,
    .new_reference = new_reference_gil,
    .immortalize = immortalize_314,
    .incref = incref_314,
    .decref = decref_314,
    .is_immortal = is_immortal_314,
    .is_static_immortal = is_static_immortal_314,
    .refcnt = refcnt_314,
    .set_refcnt = set_refcnt_314,
    .try_incref = try_incref_314,
    .enable_try_incref = enable_try_incref_gil,
    .is_uniquely_referenced = uniquely_referenced_314,
};

static const rm_implementation model_313t = {
    .name = "3.13t",
    .summary = "free-threaded: ob_ref_local (owner) + ob_ref_shared (others, 2 flag bits)",
    .flags = RM_HAS_IMMORTALITY | RM_FREE_THREADED,
    .layout = layout_ft,
    .init_static = init_static_313t,
    .new_reference = new_reference_ft,
    .immortalize = immortalize_313t,
    .incref = incref_ft,
    .decref = decref_ft,
    .is_immortal = is_immortal_ft,
    .refcnt = refcnt_313t,
    .set_refcnt = set_refcnt_ft,
    .try_incref = try_incref_ft,
    .enable_try_incref = enable_try_incref_ft,
    .is_uniquely_referenced = uniquely_referenced_ft,
};

static const rm_implementation model_314t = {
    .name = "3.14t",
    .summary = "free-threaded as 3.13t; static flag, deferred GC bit on immortalisation",
    .flags = RM_HAS_IMMORTALITY | RM_FREE_THREADED,
    .layout = layout_ft,
    .init_static = init_static_314t,
    .new_reference = new_reference_ft,
    .immortalize = immortalize_314t,
    .incref = incref_ft,
    .decref = decref_ft,
    .is_immortal = is_immortal_ft,
    .is_static_immortal = is_static_immortal_314t,
    .refcnt = refcnt_314t,
    .set_refcnt = set_refcnt_ft,
    .try_incref = try_incref_ft,
    .enable_try_incref = enable_try_incref_ft,
    .is_uniquely_referenced = uniquely_referenced_ft,
};

/* 3.15t keeps 3.14t's header and inline operations (fact sheet §9: a diff of
 * the two refcount.h shows only the abi3t gating); the flag bits 3.15 adds
 * (LEGACY_ABI_CHECK 2, TYPE_REVEALED 8) are read by PyModuleDef_Init and the
 * debug build, never by a refcount operation. */
static const rm_implementation model_315t = {
    .name = "3.15t",
    .summary = "free-threaded, same refcount encoding as 3.14t",
    .flags = RM_HAS_IMMORTALITY | RM_FREE_THREADED,
    .layout = layout_ft,
    .init_static = init_static_314t,
    .new_reference = new_reference_ft,
    .immortalize = immortalize_314t,
    .incref = incref_ft,
    .decref = decref_ft,
    .is_immortal = is_immortal_ft,
    .is_static_immortal = is_static_immortal_314t,
    .refcnt = refcnt_314t,
    .set_refcnt = set_refcnt_ft,
    .try_incref = try_incref_ft,
    .enable_try_incref = enable_try_incref_ft,
    .is_uniquely_referenced = uniquely_referenced_ft,
};

static const rm_implementation model_legacy = {
    .name = "legacy",
    .summary = "code compiled with <= 3.11 headers: ++/-- on the whole Py_ssize_t of any GIL header",
    .flags = RM_LEGACY_OPS,
    .layout = layout_311,
    .init_static = init_static_311,
    .new_reference = new_reference_gil,
    .immortalize = immortalize_311,
    .incref = incref_legacy,
    .decref = decref_legacy,
    .is_immortal = never_immortal,
    .refcnt = refcnt_full,
    .set_refcnt = set_refcnt_legacy,
};

/* Every model implementation, once: the table below, and the exhaustive
 * sweep (cases/sweep.c), which compiles a loop of its own per entry. */
#define RM_MODELS(X)                                                                                                   \
    X(model_311)                                                                                                       \
    X(model_312) X(model_313) X(model_314) X(model_315) X(model_313t) X(model_314t) X(model_315t) X(model_legacy)

#define RM_MODEL_ADDRESS(model) &model,
const rm_implementation *const rm_implementations[] = { RM_MODELS(RM_MODEL_ADDRESS) };
#undef RM_MODEL_ADDRESS
const size_t rm_implementation_count = sizeof rm_implementations / sizeof rm_implementations[0];

static bool same_name(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

const rm_implementation *rm_find_implementation(const char *name)
{
    for (size_t i = 0; i < rm_implementation_count; i++)
        if (same_name(rm_implementations[i]->name, name))
            return rm_implementations[i];
    return NULL;
}

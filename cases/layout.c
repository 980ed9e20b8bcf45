/* layout.c -- sizes, offsets and byte images of object headers.
 *   - the model's layout and images against the fact sheet (§1, §2) on all
 *     four data models;
 *   - the model against this target's compiler: C structs declared the way
 *     CPython declares them, their offsetof/sizeof/alignof and the bytes of
 *     statically initialised instances. */
#include <stdalign.h>
#include <stdio.h>

#include "case.h"
#include "expect.h"
#include "model_structs.h"

const char *const case_family_name = "layout";

/* ---- expected layout (fact sheet §1) ------------------------------------ */

typedef struct want_field {
    rm_field_id id;
    uint8_t offset, size;
} want_field;

static int expected_fields(const rm_implementation *s, rm_data_model dm, want_field out[RM_F_COUNT], uint8_t *obj_size)
{
    uint8_t w = dm.word_bytes;
    bool be = dm.big_endian;
    int n = 0;
    if (s->flags & RM_FREE_THREADED) {
        want_field ft[] = {
            { RM_F_TID, 0, w },
            { RM_F_FLAGS, w, 2 },
            { RM_F_MUTEX, (uint8_t)(w + 2), 1 },
            { RM_F_GC_BITS, (uint8_t)(w + 3), 1 },
            { RM_F_REF_LOCAL, (uint8_t)(w + 4), 4 },
            { RM_F_COUNT_WORD, (uint8_t)(w + 4), 4 }, /* ob_ref_local counts */
            { RM_F_REF_SHARED, w == 8 ? 16 : 12, w },
            { RM_F_TYPE, w == 8 ? 24 : 16, w },
            { RM_F_SIZE, w == 8 ? 32 : 20, w },
        };
        for (size_t i = 0; i < sizeof ft / sizeof ft[0]; i++)
            out[n++] = ft[i];
        *obj_size = w == 8 ? 32 : 20;
        return n;
    }
    want_field gil[] = { { RM_F_REFCNT, 0, w },
                         { RM_F_TYPE, w, w },
                         { RM_F_SIZE, (uint8_t)(2 * w), w },
                         { RM_F_COUNT_WORD, (uint8_t)(w == 8 && be ? 4 : 0), 4 } };
    for (size_t i = 0; i < sizeof gil / sizeof gil[0]; i++)
        out[n++] = gil[i];
    if (expect_family_of(s) == EXPECT_314 && w == 8) {
        want_field split[] = { { RM_F_OVERFLOW, be ? 2 : 4, 2 }, { RM_F_FLAGS, be ? 0 : 6, 2 } };
        out[n++] = split[0];
        out[n++] = split[1];
    }
    *obj_size = (uint8_t)(2 * w);
    return n;
}

/* alignof(PyObject): the pointer's, raised to 4 from 3.13.6 and 3.14
 * (gh-127545; it matters where pointers are 2-aligned, as on m68k). */
static unsigned expected_align(const rm_implementation *s, rm_data_model dm)
{
    bool forced = strcmp(s->name, "3.11") && strcmp(s->name, "3.12") && strcmp(s->name, "legacy");
    return forced && dm.word_align < 4 ? 4 : dm.word_align;
}

START_TEST(model_layout_matches_fact_sheet)
{
    rm_data_model dm = case_abi(_i);
    const rm_implementation *s = case_opts.impl;
    rm_layout l = s->layout(dm);
    want_field want[RM_F_COUNT];
    uint8_t size;
    int n = expected_fields(s, dm, want, &size);
    ck_assert_uint_eq(l.object_size, size);
    ck_assert_uint_eq(l.var_object_size, size + dm.word_bytes);
    ck_assert_uint_eq(l.align, expected_align(s, dm));
    int present = 0;
    for (int f = 0; f < RM_F_COUNT; f++)
        present += l.field[f].size != 0;
    ck_assert_int_eq(present, n);
    for (int i = 0; i < n; i++) {
        rm_field got = l.field[want[i].id];
        ck_assert_msg(got.offset == want[i].offset && got.size == want[i].size,
                      "%s on %s: %s at %u size %u, expected at %u size %u", s->name, rm_data_model_name(dm),
                      rm_field_name(want[i].id), got.offset, got.size, want[i].offset, want[i].size);
    }
}
END_TEST

/* ---- expected byte images (fact sheet §2) --------------------------------- */

static void put(uint8_t *p, unsigned n, bool be, uint64_t v)
{
    for (unsigned i = 0; i < n; i++)
        p[be ? n - 1 - i : i] = (uint8_t)(v >> (8 * i));
}

/* The header image the fact sheet gives, built here field by field. */
static void expected_image(const rm_implementation *s, rm_data_model dm, bool runtime, uint8_t img[RM_MAX_HEADER])
{
    uint8_t w = dm.word_bytes;
    bool be = dm.big_endian, w64 = w == 8;
    memset(img, 0, RM_MAX_HEADER);
    expect_family fam = expect_family_of(s);
    if (s->flags & RM_FREE_THREADED) {
        if (fam == EXPECT_FT314 && !runtime)
            put(img + w, 2, be, 4); /* ob_flags = _Py_STATICALLY_ALLOCATED_FLAG */
        if (fam == EXPECT_FT314 && runtime)
            img[w + 3] = 64; /* ob_gc_bits: _PyGC_BITS_DEFERRED */
        put(img + w + 4, 4, be, 0xFFFFFFFFu);
        return;
    }
    uint64_t word;
    switch (fam) {
    case EXPECT_312:
        word = w64 ? 0xFFFFFFFFu : 0x3FFFFFFFu;
        break;
    case EXPECT_314:
        if (w64)
            word = runtime ? UINT64_C(0x00010000C0000000) : UINT64_C(0x00050000C0000000);
        else
            word = runtime ? 0x50000000u : 0x70000000u;
        break;
    default:
        word = runtime ? 999999999u : 1u;
        break;
    }
    put(img, w, be, word);
}

START_TEST(byte_images)
{
    rm_data_model dm = case_abi(_i);
    const rm_implementation *s = case_opts.impl;
    rm_runtime rt = case_runtime(dm);
    uint8_t size = s->layout(dm).object_size;
    uint8_t *got = case_object();
    uint8_t want[RM_MAX_HEADER];
    s->init_static(&rt, got, RM_ORIGIN_CORE);
    expected_image(s, dm, false, want);
    ck_assert_bytes_eq(got, want, size);
    memset(got, 0, RM_MAX_HEADER);
    s->new_reference(&rt, got);
    s->immortalize(&rt, got);
    expected_image(s, dm, true, want);
    ck_assert_bytes_eq(got, want, size);
    if (expect_family_of(s) == EXPECT_314 && dm.word_bytes == 8) {
        /* Spelled out in the fact sheet: 3.14 static, LE and BE. */
        static const uint8_t le[8] = { 0x00, 0x00, 0x00, 0xc0, 0x00, 0x00, 0x05, 0x00 };
        static const uint8_t be[8] = { 0x00, 0x05, 0x00, 0x00, 0xc0, 0x00, 0x00, 0x00 };
        s->init_static(&rt, got, RM_ORIGIN_CORE);
        ck_assert_bytes_eq(got, dm.big_endian ? be : le, 8);
    }
}
END_TEST

/* Fact sheet §2, "Initializers": in 3.12 PyObject_HEAD_INIT is immortal only
 * under Py_BUILD_CORE, an extension's static object gets refcount 1; before
 * (3.11) both are 1, from 3.13 both are the immortal image. An
 * implementation must give each origin its own image. */
START_TEST(head_init_by_origin)
{
    rm_data_model dm = case_abi(_i);
    const rm_implementation *s = case_opts.impl;
    rm_runtime rt = case_runtime(dm);
    uint8_t size = s->layout(dm).object_size;
    uint8_t *core = case_object(), *extension = case_object();
    uint8_t want[RM_MAX_HEADER];
    s->init_static(&rt, core, RM_ORIGIN_CORE);
    s->init_static(&rt, extension, RM_ORIGIN_EXTENSION);
    expected_image(s, dm, false, want);
    ck_assert_bytes_eq(core, want, size);
    if (expect_extension_static_is_mortal(s) && expect_saturation_of(s, dm).immortality) { /* 3.12 */
        memset(want, 0, sizeof want);
        put(want, dm.word_bytes, dm.big_endian, (uint64_t)expect_extension_static_refcnt(s, dm));
        ck_assert_msg(s->is_immortal(&rt, core) && !s->is_immortal(&rt, extension),
                      "%s: the core's PyObject_HEAD_INIT must be immortal, an extension's mortal", s->name);
        ck_assert_int_eq(s->refcnt(&rt, extension), 1);
    }
    ck_assert_bytes_eq(extension, want, size);
}
END_TEST

/* ---- the target compiler's own view ---------------------------------------- */

/* The structs are the model's C declarations (harness/model_structs.h). */
#define NATIVE_BIG_ENDIAN MODEL_BIG_ENDIAN
#define NATIVE_64 MODEL_64
typedef objft314 objft;
typedef varft314 varft;

/* Fact sheet §1 as compile-time facts: they hold on every target, including
 * those whose programs are built here but cannot run (32-bit Windows). */
#define WORD sizeof(void *)
_Static_assert(sizeof(obj311) == 2 * WORD && offsetof(obj311, ob_type) == WORD, "3.11 PyObject");
_Static_assert(sizeof(var311) == 3 * WORD && offsetof(var311, ob_size) == 2 * WORD, "PyVarObject");
_Static_assert(sizeof(obj312) == 2 * WORD && offsetof(obj312, ob_type) == WORD, "3.12 PyObject");
_Static_assert(sizeof(obj314) == 2 * WORD && offsetof(obj314, ob_type) == WORD, "3.14 PyObject");
_Static_assert(alignof(obj313) >= 4 && alignof(obj314) >= 4 && alignof(objft) >= 4, "3.13.6+/3.14 minimum alignment");
#if NATIVE_64
_Static_assert(offsetof(obj314, ob_refcnt) == (NATIVE_BIG_ENDIAN ? 4 : 0), "3.14 ob_refcnt is the low half");
_Static_assert(offsetof(obj314, ob_overflow) == (NATIVE_BIG_ENDIAN ? 2 : 4), "3.14 ob_overflow");
_Static_assert(offsetof(obj314, ob_flags) == (NATIVE_BIG_ENDIAN ? 0 : 6), "3.14 ob_flags");
_Static_assert(sizeof(objft) == 32 && offsetof(objft, ob_ref_local) == 12 && offsetof(objft, ob_ref_shared) == 16 &&
                   offsetof(objft, ob_type) == 24 && sizeof(varft) == 40,
               "free-threaded, 64-bit");
#else
_Static_assert(sizeof(objft) == 20 && offsetof(objft, ob_ref_local) == 8 && offsetof(objft, ob_ref_shared) == 12 &&
                   offsetof(objft, ob_type) == 16 && sizeof(varft) == 24,
               "free-threaded, 32-bit");
#endif
_Static_assert(offsetof(objft, ob_flags) == WORD && offsetof(objft, ob_mutex) == WORD + 2 &&
                   offsetof(objft, ob_gc_bits) == WORD + 3,
               "free-threaded flags, mutex, gc bits");
#undef WORD

/* PyObject_HEAD_INIT(NULL) as each version's public header spells it
 * (3.12's only under Py_BUILD_CORE: the model's statics are the core's). */
static const obj311 static311 = { 1, NULL };
static const obj312 static312 = { { MODEL_312_IMMORTAL_REFCNT }, NULL };
static const obj313 static313 = { { MODEL_312_IMMORTAL_REFCNT }, NULL };
#if NATIVE_64
static const obj314 static314 = { { .ob_refcnt_full = MODEL_314_STATIC_IMMORTAL_INITIAL_REFCNT }, NULL };
#else
static const obj314 static314 = { { .ob_refcnt = MODEL_314_STATIC_IMMORTAL_INITIAL_REFCNT }, NULL };
#endif
static const objft313 static313t = { 0, 0, 0, 0, MODEL_FT_IMMORTAL_REFCNT_LOCAL, 0, NULL };
static const objft314 static314t = { 0,   MODEL_314_STATICALLY_ALLOCATED_FLAG, 0, 0, MODEL_FT_IMMORTAL_REFCNT_LOCAL, 0,
                                     NULL };

START_TEST(native_structs_match_model)
{
    const rm_implementation *s = case_opts.impl;
    rm_data_model dm = rm_native_data_model();
    ck_assert_uint_eq(dm.big_endian, NATIVE_BIG_ENDIAN);
    rm_layout l = s->layout(dm);
    rm_runtime rt = case_runtime(dm);
    uint8_t *img = case_object();
    s->init_static(&rt, img, RM_ORIGIN_CORE);
    expect_family fam = expect_family_of(s);
    const void *native = NULL;
    size_t native_size = 0, native_var_size = 0, native_align = 0;
#define CHECK_FIELD(type, member, id)                                                                                  \
    ck_assert_msg(l.field[id].offset == offsetof(type, member) && l.field[id].size == sizeof(((type *)0)->member),     \
                  "%s: model puts %s at %u size %u, the compiler at %u size %u", s->name, #member, l.field[id].offset, \
                  l.field[id].size, (unsigned)offsetof(type, member), (unsigned)sizeof(((type *)0)->member))
    if (s->flags & RM_FREE_THREADED) {
        CHECK_FIELD(objft, ob_tid, RM_F_TID);
        CHECK_FIELD(objft, ob_flags, RM_F_FLAGS);
        CHECK_FIELD(objft, ob_mutex, RM_F_MUTEX);
        CHECK_FIELD(objft, ob_gc_bits, RM_F_GC_BITS);
        CHECK_FIELD(objft, ob_ref_local, RM_F_REF_LOCAL);
        CHECK_FIELD(objft, ob_ref_shared, RM_F_REF_SHARED);
        CHECK_FIELD(objft, ob_type, RM_F_TYPE);
        native = fam == EXPECT_FT313 ? (const void *)&static313t : (const void *)&static314t;
        native_size = sizeof(objft);
        native_var_size = sizeof(varft);
        native_align = alignof(objft);
    } else if (fam == EXPECT_314) {
        CHECK_FIELD(obj314, ob_type, RM_F_TYPE);
#if NATIVE_64
        CHECK_FIELD(obj314, ob_refcnt_full, RM_F_REFCNT);
        CHECK_FIELD(obj314, ob_refcnt, RM_F_COUNT_WORD);
        CHECK_FIELD(obj314, ob_overflow, RM_F_OVERFLOW);
        CHECK_FIELD(obj314, ob_flags, RM_F_FLAGS);
#else
        CHECK_FIELD(obj314, ob_refcnt, RM_F_REFCNT);
#endif
        native = &static314;
        native_size = sizeof(obj314);
        native_var_size = sizeof(obj314) + sizeof(intptr_t);
        native_align = alignof(obj314);
    } else {
        CHECK_FIELD(obj312, ob_refcnt, RM_F_REFCNT);
        CHECK_FIELD(obj312, ob_type, RM_F_TYPE);
#if NATIVE_64
        ck_assert_uint_eq(l.field[RM_F_COUNT_WORD].offset, offsetof(obj312, ob_refcnt_split) + 4 * NATIVE_BIG_ENDIAN);
#endif
        CHECK_FIELD(var311, ob_size, RM_F_SIZE);
        native = fam != EXPECT_312         ? (const void *)&static311
                 : strcmp(s->name, "3.12") ? (const void *)&static313
                                           : (const void *)&static312;
        native_size = sizeof(obj312);
        native_var_size = sizeof(var311);
        native_align = fam == EXPECT_312 && strcmp(s->name, "3.12") ? alignof(obj313) : alignof(obj312);
    }
#undef CHECK_FIELD
    ck_assert_uint_eq(l.object_size, native_size);
    ck_assert_uint_eq(l.var_object_size, native_var_size);
    ck_assert_uint_eq(l.align, native_align);
    ck_assert_bytes_eq(img, native, native_size);

    /* The model's counting word is what the compiler's member reads. */
#if NATIVE_64
    if (fam == EXPECT_314) {
        obj314 o;
        memcpy(&o, img, sizeof o);
        ck_assert_uint_eq(o.ob_refcnt, 0xC0000000u);
        ck_assert_uint_eq(o.ob_flags, 5);
        ck_assert_uint_eq(o.ob_overflow, 0);
    }
#endif
}
END_TEST

bool case_family_add_tests(TCase *tc)
{
    if (case_opts.mode) {
        fprintf(stderr, "cases_layout: no modes\n");
        return false;
    }
    CASE_LOOP(tc, model_layout_matches_fact_sheet, CASE_ABI_COUNT);
    CASE_LOOP(tc, byte_images, CASE_ABI_COUNT);
    CASE_LOOP(tc, head_init_by_origin, CASE_ABI_COUNT);
    CASE_TEST(tc, native_structs_match_model);
    return true;
}

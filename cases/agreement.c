/* agreement.c -- a linked implementation (CPython's real headers, or a
 * third party's) against the model implementation of the same version, on this
 * target: the same layout, the same byte images, and the same bytes,
 * deallocations, immortality and Py_REFCNT after every operation of a
 * differential walk from start states at and around every threshold of
 * every version, and from pseudo-random ones; free-threaded objects also
 * pass to other owners on the way, so that the shared paths run. Any
 * difference fails and shows both sides. */
#include <stdio.h>

#include "case.h"

const char *const case_family_name = "agreement";

typedef struct side {
    const rm_implementation *s;
    rm_runtime rt;
    uint8_t *obj; /* case_object() */
} side;

static const rm_implementation *model_of(const rm_implementation *s)
{
    const rm_implementation *m = rm_find_implementation(s->name);
    ck_assert_msg(m != NULL, "no model implementation named %s to compare with", s->name);
    return m;
}

START_TEST(same_layout)
{
    rm_abi abi = rm_native_abi();
    const rm_implementation *impl = case_opts.impl, *model = model_of(impl);
    rm_layout a = impl->layout(abi), b = model->layout(abi);
    ck_assert_msg(a.object_size == b.object_size && a.var_object_size == b.var_object_size && a.align == b.align,
                  "%s: implementation size %u, var size %u, align %u; model %u, %u, %u", impl->name,
                  a.object_size, a.var_object_size, a.align, b.object_size, b.var_object_size, b.align);
    for (int f = 0; f < RM_F_COUNT; f++)
        ck_assert_msg(a.field[f].offset == b.field[f].offset && a.field[f].size == b.field[f].size,
                      "%s: %s is at %u size %u in the implementation, at %u size %u in the model", impl->name,
                      rm_field_name((rm_field_id)f), a.field[f].offset, a.field[f].size, b.field[f].offset,
                      b.field[f].size);
}
END_TEST

static void start(side *x, const rm_implementation *s)
{
    x->s = s;
    x->rt = case_runtime(rm_native_abi());
    x->obj = case_object();
}

static void assert_same(const side *impl, const side *model, const char *after)
{
    size_t n = impl->s->layout(impl->rt.abi).object_size;
    if (memcmp(impl->obj, model->obj, n) != 0) {
        char a[3 * RM_MAX_HEADER + 1];
        strcpy(a, CASE_HEX(impl->obj, n));
        ck_abort_msg("%s after %s: implementation [%s], model [%s]", impl->s->name, after, a,
                     CASE_HEX(model->obj, n));
    }
    case_require_msg(impl->rt.deallocs == model->rt.deallocs, "%s after %s: %lu deallocations, model %lu",
                     impl->s->name, after, impl->rt.deallocs, model->rt.deallocs);
    bool ia = impl->s->is_immortal(&impl->rt, impl->obj), ib = model->s->is_immortal(&model->rt, model->obj);
    case_require_msg(ia == ib, "%s after %s: immortal %d, model %d", impl->s->name, after, ia, ib);
    int64_t ra = impl->s->refcnt(&impl->rt, impl->obj), rb = model->s->refcnt(&model->rt, model->obj);
    case_require_msg(ra == rb, "%s after %s: Py_REFCNT %s, model %s", impl->s->name, after, case_i64(ra),
                     case_i64(rb));
    if (impl->s->is_static_immortal || model->s->is_static_immortal) {
        case_require_msg(impl->s->is_static_immortal && model->s->is_static_immortal,
                         "%s: only one side has _Py_IsStaticImmortal", impl->s->name);
        case_require_msg(impl->s->is_static_immortal(&impl->rt, impl->obj) ==
                             model->s->is_static_immortal(&model->rt, model->obj),
                         "%s after %s: _Py_IsStaticImmortal differs", impl->s->name, after);
    }
}

START_TEST(same_images)
{
    side a, b;
    const rm_implementation *impl = case_opts.impl, *model = model_of(impl);
    /* The core's (Py_BUILD_CORE) and an extension's: they differ in 3.12. */
    start(&a, impl), start(&b, model);
    impl->init_static(&a.rt, a.obj, RM_ORIGIN_CORE);
    model->init_static(&b.rt, b.obj, RM_ORIGIN_CORE);
    assert_same(&a, &b, "the core's PyObject_HEAD_INIT");
    start(&a, impl), start(&b, model);
    impl->init_static(&a.rt, a.obj, RM_ORIGIN_EXTENSION);
    model->init_static(&b.rt, b.obj, RM_ORIGIN_EXTENSION);
    assert_same(&a, &b, "an extension's PyObject_HEAD_INIT");
    start(&a, impl), start(&b, model);
    impl->new_reference(&a.rt, a.obj);
    model->new_reference(&b.rt, b.obj);
    assert_same(&a, &b, "_Py_NewReference");
    impl->immortalize(&a.rt, a.obj);
    model->immortalize(&b.rt, b.obj);
    assert_same(&a, &b, "immortalisation");
}
END_TEST

/* Start states: counting words at and next to every version's thresholds,
 * whole words with high bits set, and pseudo-random ones. */
static const uint64_t boundary_words[] = {
    0, 1, 2, 3, 0x3FFFFFFE, 0x3FFFFFFF, 0x40000000, 0x40000001, 0x4FFFFFFF, 0x50000000, 0x50000001,
    0x5FFFFFFF, 0x60000000, 0x6FFFFFFF, 0x70000000, 0x70000001, 0x7FFFFFFE, 0x7FFFFFFF, 0x80000000,
    0x80000001, 0xBFFFFFFF, 0xC0000000, 0xC0000001, 0xFFFFFFFE, 0xFFFFFFFF, UINT64_C(0x100000000),
    UINT64_C(0x1000000000), UINT64_C(0x00010000C0000000), UINT64_C(0x00050000C0000000),
    UINT64_C(0x0005FFFFFFFFFFFF), UINT64_C(0x7FFFFFFFFFFFFFFF),
};
enum { RANDOM_STARTS = 300, STEPS = 12 };

static uint64_t next_random(uint64_t *state)
{
    *state ^= *state << 13, *state ^= *state >> 7, *state ^= *state << 17;
    return *state;
}

START_TEST(same_operations)
{
    const rm_implementation *impl = case_opts.impl, *model = model_of(impl);
    rm_abi abi = rm_native_abi();
    rm_layout l = model->layout(abi);
    rm_field word = l.field[RM_F_REFCNT].size ? l.field[RM_F_REFCNT] : l.field[RM_F_COUNT_WORD];
    uint64_t mask = word.size == 8 ? UINT64_MAX : (UINT64_C(1) << (8 * word.size)) - 1;
    uint64_t rng = UINT64_C(0x9E3779B97F4A7C15);
    size_t nb = sizeof boundary_words / sizeof boundary_words[0];
    unsigned long operations = 0;
    char after[96];
    for (size_t i = 0; i < nb + RANDOM_STARTS; i++) {
        uint64_t w = (i < nb ? boundary_words[i] : next_random(&rng)) & mask;
        uint64_t script = next_random(&rng);
        for (int origin = 0; origin < 3; origin++) {
            side a, b;
            start(&a, impl), start(&b, model);
            if (origin == 0) { /* a heap object whose count word is w */
                impl->new_reference(&a.rt, a.obj);
                model->new_reference(&b.rt, b.obj);
                rm_store(a.obj, word, abi.big_endian, w);
                rm_store(b.obj, word, abi.big_endian, w);
            } else if (origin == 1) { /* a static object, as a legacy extension may leave it */
                rm_origin by = i % 2 ? RM_ORIGIN_CORE : RM_ORIGIN_EXTENSION;
                impl->init_static(&a.rt, a.obj, by);
                model->init_static(&b.rt, b.obj, by);
                if (i)
                    rm_store(a.obj, word, abi.big_endian, w), rm_store(b.obj, word, abi.big_endian, w);
            } else { /* a runtime-immortalised object */
                impl->new_reference(&a.rt, a.obj), impl->immortalize(&a.rt, a.obj);
                model->new_reference(&b.rt, b.obj), model->immortalize(&b.rt, b.obj);
            }
            snprintf(after, sizeof after, "start %d from 0x%llx", origin, (unsigned long long)w);
            assert_same(&a, &b, after);
            for (int step = 0; step < STEPS; step++) {
                unsigned op = (unsigned)(script >> (2 * step)) & 3;
                /* Free-threaded: now and then the object passes to another
                 * owner, so that this thread's operations take the shared
                 * paths (ownership is ob_tid == the caller's id, in both). */
                rm_field tid = l.field[RM_F_TID];
                if (tid.size && (next_random(&rng) & 7) == 0 &&
                    rm_load(a.obj, tid, abi.big_endian) == a.rt.thread_id) {
                    uint64_t other = a.rt.thread_id ^ 0x40;
                    rm_store(a.obj, tid, abi.big_endian, other);
                    rm_store(b.obj, tid, abi.big_endian, other);
                }
                if (op == 3) {
                    int64_t n = (int64_t)(next_random(&rng) & 0xFFFF) + 1;
                    impl->set_refcnt(&a.rt, a.obj, n);
                    model->set_refcnt(&b.rt, b.obj, n);
                } else if (op == 2 || op == 0) {
                    impl->incref(&a.rt, a.obj);
                    model->incref(&b.rt, b.obj);
                } else {
                    impl->decref(&a.rt, a.obj);
                    model->decref(&b.rt, b.obj);
                }
                operations++;
                snprintf(after, sizeof after, "start %d from 0x%llx, step %d (%s)", origin, (unsigned long long)w,
                         step, op == 3 ? "Py_SET_REFCNT" : op == 1 ? "Py_DECREF" : "Py_INCREF");
                assert_same(&a, &b, after);
            }
        }
    }
    printf("harness-agreement: %s: the implementation and the model agree on %lu operations from %zu start "
           "states on %s\n",
           impl->summary, operations, 3 * (nb + RANDOM_STARTS), rm_abi_name(abi));
}
END_TEST

bool case_family_add_tests(TCase *tc)
{
    if (case_opts.mode || !(case_opts.impl->flags & RM_NATIVE_ONLY)) {
        fprintf(stderr, "cases_agreement: compares a linked implementation with the model, with no mode\n");
        return false;
    }
    CASE_TEST(tc, same_layout);
    CASE_TEST(tc, same_images);
    CASE_TEST(tc, same_operations);
    return true;
}

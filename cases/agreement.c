/* agreement.c -- a linked implementation (CPython's real headers, or a
 * third party's) against the model implementation of the same version, on this
 * target (a binding library's copy against CPython's real headers of its
 * version, its base, with the model's operations where the headers have
 * none: docs/implementations.md): the same layout, the same byte images, and the same bytes,
 * deallocations, immortality and Py_REFCNT after every operation of a
 * differential walk from start states at and around every threshold of
 * every version, and from pseudo-random ones; free-threaded objects also
 * pass to other owners on the way, so that the shared paths run. Any
 * difference fails and shows both sides. */
#include <stdio.h>
#include <stdlib.h>

#include "case.h"

const char *const case_family_name = "agreement";

typedef struct side {
    const rm_implementation *s;
    rm_runtime rt;
    uint8_t *obj; /* case_object() */
} side;

static const rm_implementation *model_of(const rm_implementation *s)
{
    if (case_opts.reference)
        return case_opts.reference;
    const rm_implementation *m = rm_find_implementation(s->name);
    ck_assert_msg(m != NULL, "no model implementation named %s to compare with", s->name);
    return m;
}

/* What the two sides are called in a failure. */
static const char *impl_side(void) { return case_opts.binding ? "binding" : "implementation"; }
static const char *ref_side(void) { return case_opts.binding ? "CPython" : "model"; }

/* A known difference of a binding (its known_divergences: "operation:field^mask
 * ...", harness/bindings/known-divergences.txt): pinned to the exact bits in
 * which the binding's field differs from CPython's after that operation
 * (the XOR of the two, read as the field's integer). Reported with both
 * sides as a finding, then the field is set to CPython's so that the walk
 * goes on comparing everything else. Each must show in the walk
 * (same_operations), or what docs/findings.md says is no longer true. */
enum { MAX_DIVERGENCES = 8 };
typedef struct divergence {
    char operation[32], field[32];
    uint64_t mask;
    unsigned long seen;
} divergence;
static divergence declared[MAX_DIVERGENCES];
static size_t n_declared;

static void parse_divergences(void)
{
    const char *list = case_opts.binding ? case_opts.binding->known_divergences : NULL;
    n_declared = 0;
    for (const char *p = list; p && *p;) {
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, " ");
        if (!n)
            break;
        ck_assert_msg(n_declared < MAX_DIVERGENCES, "more than %d known divergences", MAX_DIVERGENCES);
        divergence *d = &declared[n_declared++];
        char entry[96], *end = NULL;
        snprintf(entry, sizeof entry, "%.*s", (int)n, p);
        char *colon = strchr(entry, ':'), *caret = strchr(entry, '^');
        ck_assert_msg(colon && caret && caret > colon + 1 && colon > entry,
                      "known divergence '%s' is not operation:field^mask", entry);
        d->mask = strtoull(caret + 1, &end, 16);
        ck_assert_msg(end && !*end && d->mask, "known divergence '%s': '%s' is no non-zero hexadecimal mask", entry,
                      caret + 1);
        snprintf(d->operation, sizeof d->operation, "%.*s", (int)(colon - entry), entry);
        snprintf(d->field, sizeof d->field, "%.*s", (int)(caret - colon - 1), colon + 1);
        d->seen = 0;
        p += n;
    }
}

/* The declaration for (operation, field) whose mask is exactly the bits that
 * differ, or NULL. */
static divergence *known_divergence(const char *operation, const char *field, uint64_t differing)
{
    for (size_t i = 0; i < n_declared; i++)
        if (!strcmp(declared[i].operation, operation) && !strcmp(declared[i].field, field) &&
            declared[i].mask == differing)
            return &declared[i];
    return NULL;
}

START_TEST(same_layout)
{
    rm_data_model dm = rm_native_data_model();
    const rm_implementation *impl = case_opts.impl, *model = model_of(impl);
    rm_layout a = impl->layout(dm), b = model->layout(dm);
    ck_assert_msg(a.object_size == b.object_size && a.var_object_size == b.var_object_size && a.align == b.align,
                  "%s: implementation size %u, var size %u, align %u; model %u, %u, %u", impl->name, a.object_size,
                  a.var_object_size, a.align, b.object_size, b.var_object_size, b.align);
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
    x->rt = case_runtime(rm_native_data_model());
    x->obj = case_object();
}

/* Whether a known divergence is new (operation, field): each is reported
 * once, with the bytes it first showed, however often the walk meets it. */
static bool note_finding(const char *operation, int field)
{
    static char seen[256][48];
    static unsigned n_seen;
    char key[48];
    snprintf(key, sizeof key, "%s/%d", operation, field);
    for (unsigned i = 0; i < n_seen; i++)
        if (!strcmp(seen[i], key))
            return false;
    if (n_seen < sizeof seen / sizeof seen[0])
        strcpy(seen[n_seen++], key);
    return true;
}

static void assert_same(const side *impl, const side *model, const char *after)
{
    const char *operation = case_opts.binding ? strrchr(after, '(') : NULL; /* "... (immortalize)" */
    rm_layout l = impl->s->layout(impl->rt.dm);
    size_t n = l.object_size;
    if (memcmp(impl->obj, model->obj, n) != 0 && operation) {
        char op[32];
        snprintf(op, sizeof op, "%.*s", (int)strcspn(operation + 1, ":)"), operation + 1);
        /* Known only if every differing byte lies in a field known to differ
         * after this operation (the whole-word fields overlap the others). */
        divergence *known[RM_F_COUNT] = { NULL };
        bool covered[RM_MAX_HEADER] = { false }, all_known = true;
        for (int f = 0; f < RM_F_COUNT; f++) {
            rm_field fd = l.field[f];
            if (!fd.size || f == RM_F_REFCNT || f == RM_F_COUNT_WORD)
                continue;
            uint64_t differing =
                rm_load(impl->obj, fd, impl->rt.dm.big_endian) ^ rm_load(model->obj, fd, model->rt.dm.big_endian);
            if (differing && (known[f] = known_divergence(op, rm_field_name((rm_field_id)f), differing)))
                memset(covered + fd.offset, 1, fd.size);
        }
        for (size_t i = 0; i < n; i++)
            all_known = all_known && (impl->obj[i] == model->obj[i] || covered[i]);
        for (int f = 0; f < RM_F_COUNT && all_known; f++) {
            if (!known[f])
                continue;
            known[f]->seen++;
            rm_field fd = l.field[f];
            if (note_finding(op, f)) {
                char a[3 * RM_MAX_HEADER + 1];
                strcpy(a, CASE_HEX(impl->obj + fd.offset, fd.size));
                printf("harness-finding: %s: %s on %s: %s leaves %s [%s], CPython [%s] (first seen after %s; known: "
                       "harness/bindings/known-divergences.txt)\n",
                       impl->s->name, case_opts.binding->project, rm_data_model_name(impl->rt.dm), op,
                       rm_field_name((rm_field_id)f), a, CASE_HEX(model->obj + fd.offset, fd.size), after);
            }
            memcpy(impl->obj + fd.offset, model->obj + fd.offset, fd.size);
        }
    }
    if (memcmp(impl->obj, model->obj, n) != 0) {
        char a[3 * RM_MAX_HEADER + 1];
        strcpy(a, CASE_HEX(impl->obj, n));
        ck_abort_msg("%s after %s: %s [%s], %s [%s]", impl->s->name, after, impl_side(), a, ref_side(),
                     CASE_HEX(model->obj, n));
    }
    case_require_msg(impl->rt.deallocs == model->rt.deallocs, "%s after %s: %lu deallocations, %s %lu", impl->s->name,
                     after, impl->rt.deallocs, ref_side(), model->rt.deallocs);
    bool ia = impl->s->is_immortal(&impl->rt, impl->obj), ib = model->s->is_immortal(&model->rt, model->obj);
    case_require_msg(ia == ib, "%s after %s: immortal %d, %s %d", impl->s->name, after, ia, ref_side(), ib);
    int64_t ra = impl->s->refcnt(&impl->rt, impl->obj), rb = model->s->refcnt(&model->rt, model->obj);
    case_require_msg(ra == rb, "%s after %s: Py_REFCNT %s, %s %s", impl->s->name, after, case_i64(ra), ref_side(),
                     case_i64(rb));
    if (case_opts.binding && case_opts.binding->is_uniquely_referenced) {
        bool ua = impl->s->is_uniquely_referenced(&impl->rt, impl->obj);
        bool ub = model->s->is_uniquely_referenced(&model->rt, model->obj);
        case_require_msg(ua == ub, "%s after %s: PyUnstable_Object_IsUniquelyReferenced %d, %s %d", impl->s->name,
                         after, ua, ref_side(), ub);
    }
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
    parse_divergences();
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
    assert_same(&a, &b, "immortalisation (immortalize)");
}
END_TEST

/* Start states: counting words at and next to every version's thresholds,
 * whole words with high bits set, and pseudo-random ones. */
/* clang-format off */
static const uint64_t boundary_words[] = {
    0, 1, 2, 3, 0x3FFFFFFE, 0x3FFFFFFF, 0x40000000, 0x40000001, 0x4FFFFFFF, 0x50000000, 0x50000001,
    0x5FFFFFFF, 0x60000000, 0x6FFFFFFF, 0x70000000, 0x70000001, 0x7FFFFFFE, 0x7FFFFFFF, 0x80000000,
    0x80000001, 0xBFFFFFFF, 0xC0000000, 0xC0000001, 0xFFFFFFFE, 0xFFFFFFFF, UINT64_C(0x100000000),
    UINT64_C(0x1000000000), UINT64_C(0x00010000C0000000), UINT64_C(0x00050000C0000000),
    UINT64_C(0x0005FFFFFFFFFFFF), UINT64_C(0x7FFFFFFFFFFFFFFF),
};
/* clang-format on */
enum { RANDOM_STARTS = 300, STEPS = 12 };

/* The operations of the walk; a known divergence names the part before ':'. */
typedef enum walk_op { W_INCREF, W_DECREF, W_SET_REFCNT, W_INCREF_MORTAL, W_DECREF_MORTAL, W_TRY_INCREF } walk_op;
static const char *const walk_names[] = {
    [W_INCREF] = "incref: Py_INCREF",
    [W_DECREF] = "decref: Py_DECREF",
    [W_SET_REFCNT] = "set_refcnt: Py_SET_REFCNT",
    [W_INCREF_MORTAL] = "incref_mortal: the binding's, on a mortal object; CPython's Py_INCREF",
    [W_DECREF_MORTAL] = "decref_mortal: the binding's, on a mortal object; CPython's Py_DECREF",
    [W_TRY_INCREF] = "try_incref: PyUnstable_TryIncRef",
};

static uint64_t next_random(uint64_t *state)
{
    *state ^= *state << 13, *state ^= *state >> 7, *state ^= *state << 17;
    return *state;
}

START_TEST(same_operations)
{
    const rm_implementation *impl = case_opts.impl, *model = model_of(impl);
    rm_data_model dm = rm_native_data_model();
    rm_layout l = model->layout(dm);
    parse_divergences();
    rm_field word = l.field[RM_F_REFCNT].size ? l.field[RM_F_REFCNT] : l.field[RM_F_COUNT_WORD];
    uint64_t mask = word.size == 8 ? UINT64_MAX : (UINT64_C(1) << (8 * word.size)) - 1;
    uint64_t rng = UINT64_C(0x9E3779B97F4A7C15);
    /* The operations walked: Py_INCREF twice as often as the others, as
     * before; a binding's own operations besides. */
    walk_op ops[8] = { W_INCREF, W_DECREF, W_INCREF, W_SET_REFCNT };
    size_t n_ops = 4;
    const rm_implementation *own = case_opts.binding;
    if (own && own->incref_mortal)
        ops[n_ops++] = W_INCREF_MORTAL;
    if (own && own->decref_mortal)
        ops[n_ops++] = W_DECREF_MORTAL;
    if (own && own->try_incref)
        ops[n_ops++] = W_TRY_INCREF;
    size_t nb = sizeof boundary_words / sizeof boundary_words[0];
    unsigned long operations = 0;
    char after[192];
    for (size_t i = 0; i < nb + RANDOM_STARTS; i++) {
        uint64_t w = (i < nb ? boundary_words[i] : next_random(&rng)) & mask;
        uint64_t script = next_random(&rng);
        for (int origin = 0; origin < 3; origin++) {
            side a, b;
            start(&a, impl), start(&b, model);
            if (origin == 0) { /* a heap object whose count word is w */
                impl->new_reference(&a.rt, a.obj);
                model->new_reference(&b.rt, b.obj);
                rm_store(a.obj, word, dm.big_endian, w);
                rm_store(b.obj, word, dm.big_endian, w);
            } else if (origin == 1) { /* a static object, as a legacy extension may leave it */
                rm_origin by = i % 2 ? RM_ORIGIN_CORE : RM_ORIGIN_EXTENSION;
                impl->init_static(&a.rt, a.obj, by);
                model->init_static(&b.rt, b.obj, by);
                if (i)
                    rm_store(a.obj, word, dm.big_endian, w), rm_store(b.obj, word, dm.big_endian, w);
            } else { /* a runtime-immortalised object */
                impl->new_reference(&a.rt, a.obj), impl->immortalize(&a.rt, a.obj);
                model->new_reference(&b.rt, b.obj), model->immortalize(&b.rt, b.obj);
            }
            snprintf(after, sizeof after, "start %d from 0x%llx%s", origin, (unsigned long long)w,
                     origin == 2 ? " (immortalize)" : "");
            assert_same(&a, &b, after);
            for (int step = 0; step < STEPS; step++) {
                walk_op op = n_ops == 4 ? ops[(script >> (2 * step)) & 3] : ops[(script >> (5 * step)) % n_ops];
                /* Free-threaded: now and then the object passes to another
                 * owner, so that this thread's operations take the shared
                 * paths (ownership is ob_tid == the caller's id, in both). */
                rm_field tid = l.field[RM_F_TID];
                if (tid.size && (next_random(&rng) & 7) == 0 && rm_load(a.obj, tid, dm.big_endian) == a.rt.thread_id) {
                    uint64_t other = a.rt.thread_id ^ 0x40;
                    rm_store(a.obj, tid, dm.big_endian, other);
                    rm_store(b.obj, tid, dm.big_endian, other);
                }
                if (op == W_SET_REFCNT) {
                    int64_t n = (int64_t)(next_random(&rng) & 0xFFFF) + 1;
                    impl->set_refcnt(&a.rt, a.obj, n);
                    model->set_refcnt(&b.rt, b.obj, n);
                } else if (op == W_INCREF) {
                    impl->incref(&a.rt, a.obj);
                    model->incref(&b.rt, b.obj);
                } else if (op == W_DECREF) {
                    impl->decref(&a.rt, a.obj);
                    model->decref(&b.rt, b.obj);
                } else if (op == W_TRY_INCREF) {
                    bool ra = impl->try_incref(&a.rt, a.obj), rb = model->try_incref(&b.rt, b.obj);
                    case_require_msg(ra == rb,
                                     "%s: start %d from 0x%llx, step %d: PyUnstable_TryIncRef returned %d, "
                                     "%s %d",
                                     impl->name, origin, (unsigned long long)w, step, ra, ref_side(), rb);
                } else if (model->is_immortal(&b.rt, b.obj)) {
                    continue; /* the *_mortal operations' precondition does not hold */
                } else if (op == W_INCREF_MORTAL) {
                    impl->incref_mortal(&a.rt, a.obj);
                    model->incref(&b.rt, b.obj);
                } else {
                    impl->decref_mortal(&a.rt, a.obj);
                    model->decref(&b.rt, b.obj);
                }
                operations++;
                snprintf(after, sizeof after, "start %d from 0x%llx, step %d (%s)", origin, (unsigned long long)w, step,
                         walk_names[op]);
                assert_same(&a, &b, after);
            }
        }
    }
    /* A declared divergence that no longer shows: the binding changed, or
     * the harness stopped walking where it does; either way what
     * docs/findings.md says of it is no longer known to be true. */
    for (size_t i = 0; i < n_declared; i++)
        ck_assert_msg(declared[i].seen > 0,
                      "%s: the declared divergence %s:%s^%llx (harness/bindings/known-divergences.txt) did not show in "
                      "%lu operations on %s: docs/findings.md no longer holds; find out why, then update both",
                      case_opts.binding->project, declared[i].operation, declared[i].field,
                      (unsigned long long)declared[i].mask, operations, rm_data_model_name(dm));
    if (own)
        printf("harness-agreement: %s: its own operations (%s) agree with %s's on %lu operations from %zu start "
               "states on %s\n",
               own->project, own->own_api, own->base, operations, 3 * (nb + RANDOM_STARTS), rm_data_model_name(dm));
    else
        printf("harness-agreement: %s: the implementation and the model agree on %lu operations from %zu start "
               "states on %s\n",
               impl->summary, operations, 3 * (nb + RANDOM_STARTS), rm_data_model_name(dm));
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

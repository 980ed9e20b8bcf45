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
#include "expect.h"

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

/* A known difference of a binding (its known_divergences, harness/bindings/
 * known-divergences.txt), pinned exactly, in one of these forms:
 *   operation:field^mask  the binding's field differs from CPython's after
 *                         that operation in exactly these bits (the XOR of
 *                         the two, read as the field's integer);
 *   operation:field=kept  the binding left the field as it was before the
 *                         operation, where CPython changed it;
 *   operation:ob_refcnt=whole  the binding applied the operation (incref,
 *                         decref) to the whole ob_refcnt word, its carry or
 *                         borrow reaching the fields above the counting word,
 *                         where CPython's stays in the counting word;
 *   refcnt:field=reads    the binding's Py_REFCNT is the whole field (read as
 *                         a signed integer of its size), where CPython's is not;
 *   operation:field=0xV   the binding's field is V, where CPython's is not;
 *   refcnt:Py_REFCNT=0xV  the binding's Py_REFCNT is V (as a Py_ssize_t
 *                         of this data model: 0xffffffff is -1 on 32-bit);
 *   is_uniquely_referenced:Py_REFCNT=0xV  where the binding's uniqueness
 *                         test and CPython's differ, the binding's answer is
 *                         "CPython's Py_REFCNT is V" (Cython's == 1).
 * A declaration ending in @<text> applies only to the data models whose
 * name has that text ("@64-bit": where only that one diverges).
 * A field name's '_' stands for a space ("counting_word"). Reported with
 * both sides as a finding, then the field (or the reading) is taken as
 * CPython's so that the walk goes on comparing everything else. Each must
 * show in the walk (same_operations), or what docs/findings.md says is no
 * longer true. */
enum { MAX_DIVERGENCES = 8 };
typedef enum divergence_kind {
    DIVERGES_BY_MASK,
    DIVERGES_KEPT,
    DIVERGES_WHOLE,
    DIVERGES_READS,
    DIVERGES_TO_VALUE
} divergence_kind;
typedef struct divergence {
    char text[96], operation[32], field[32];
    divergence_kind kind;
    rm_field_id field_id; /* the field named, RM_F_COUNT for none (Py_REFCNT) */
    uint64_t mask;
    unsigned long seen;
} divergence;
static divergence declared[MAX_DIVERGENCES];
static size_t n_declared;
/* The binding's object before the walk's current operation (for =kept). */
static uint8_t before_op[RM_MAX_HEADER];
static bool before_op_known;

/* Whether a declared field name ('_' for a space) is NAME. */
static bool field_is(const char *declared_name, const char *name)
{
    for (; *declared_name && *name; declared_name++, name++)
        if (*declared_name != *name && !(*declared_name == '_' && *name == ' '))
            return false;
    return !*declared_name && !*name;
}

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
        snprintf(d->text, sizeof d->text, "%s", entry);
        p += n;
        char *at = strchr(entry, '@');
        if (at) { /* for some data models only */
            *at = '\0';
            if (!strstr(rm_data_model_name(rm_native_data_model()), at + 1)) {
                n_declared--;
                continue;
            }
        }
        char *colon = strchr(entry, ':'), *sep = colon ? colon + strcspn(colon, "^=") : NULL;
        ck_assert_msg(colon && *sep && sep > colon + 1 && colon > entry,
                      "known divergence '%s' is not operation:field^mask or operation:field=kept|whole|reads|0xV",
                      entry);
        if (*sep == '^' || !strncmp(sep, "=0x", 3)) {
            d->kind = *sep == '^' ? DIVERGES_BY_MASK : DIVERGES_TO_VALUE;
            d->mask = strtoull(sep + (*sep == '^' ? 1 : 3), &end, 16);
            ck_assert_msg(end && !*end && (d->mask || d->kind == DIVERGES_TO_VALUE),
                          "known divergence '%s': '%s' is no (non-zero) hexadecimal number", entry, sep + 1);
        } else {
            bool kept = !strcmp(sep + 1, "kept"), whole = !strcmp(sep + 1, "whole");
            bool reads = !strcmp(sep + 1, "reads") && !strncmp(entry, "refcnt:", 7);
            ck_assert_msg(kept || whole || reads,
                          "known divergence '%s': '=%s' is not =kept, =whole or refcnt's =reads", entry, sep + 1);
            d->kind = kept ? DIVERGES_KEPT : whole ? DIVERGES_WHOLE : DIVERGES_READS;
            d->mask = 0;
        }
        snprintf(d->operation, sizeof d->operation, "%.*s", (int)(colon - entry), entry);
        snprintf(d->field, sizeof d->field, "%.*s", (int)(sep - colon - 1), colon + 1);
        d->field_id = RM_F_COUNT;
        for (int f = 0; f < RM_F_COUNT; f++)
            if (field_is(d->field, rm_field_name((rm_field_id)f)))
                d->field_id = (rm_field_id)f;
        d->seen = 0;
    }
}

/* The declaration for (operation, field) that the difference matches
 * (MINE: the binding's field; DIFFERING: the XOR of the two sides;
 * WAS_KEPT: the binding's field is what it was before the operation), or
 * NULL. */
static divergence *known_divergence(const char *operation, rm_field_id field, uint64_t mine, uint64_t differing,
                                    bool was_kept)
{
    for (size_t i = 0; i < n_declared; i++) {
        const divergence *d = &declared[i];
        if (d->field_id != field || strcmp(d->operation, operation))
            continue;
        if ((d->kind == DIVERGES_BY_MASK && d->mask == differing) || (d->kind == DIVERGES_KEPT && was_kept) ||
            (d->kind == DIVERGES_TO_VALUE && d->mask == mine))
            return &declared[i];
    }
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

/* The operations compared, by the name a known divergence gives them and
 * the API they stand for. */
typedef enum walk_op {
    W_INCREF,
    W_DECREF,
    W_SET_REFCNT,
    W_INCREF_MORTAL,
    W_DECREF_MORTAL,
    W_TRY_INCREF,
    W_ENABLE_TRY_INCREF,
    W_AS_SET /* shared_states: no operation, the state as set */
} walk_op;
static const char *const walk_ops[] = {
    [W_INCREF] = "incref",
    [W_DECREF] = "decref",
    [W_SET_REFCNT] = "set_refcnt",
    [W_INCREF_MORTAL] = "incref_mortal",
    [W_DECREF_MORTAL] = "decref_mortal",
    [W_TRY_INCREF] = "try_incref",
    [W_ENABLE_TRY_INCREF] = "enable_try_incref",
    [W_AS_SET] = "is_uniquely_referenced",
};
static const char *const walk_apis[] = {
    [W_INCREF] = "Py_INCREF",
    [W_DECREF] = "Py_DECREF",
    [W_SET_REFCNT] = "Py_SET_REFCNT",
    [W_INCREF_MORTAL] = "the binding's, on a mortal object; CPython's Py_INCREF",
    [W_DECREF_MORTAL] = "the binding's, on a mortal object; CPython's Py_DECREF",
    [W_TRY_INCREF] = "PyUnstable_TryIncRef",
    [W_ENABLE_TRY_INCREF] = "PyUnstable_EnableTryIncRef",
    [W_AS_SET] = "the state as set",
};

/* What was just done, put into words only when something is reported:
 * formatting it at each of a walk's 36,000 steps took most of the walk's
 * time. OPERATION is the name a known divergence may give it ("incref"),
 * or NULL: nothing a binding may declare (_Py_NewReference). */
typedef struct where {
    const char *operation;
    const char *text; /* a fixed description, or NULL: the walk's */
    int origin, step; /* the walk's start (0 heap, 1 static, 2 immortalised) and step, -1 for the start state */
    uint64_t start_word;
    walk_op op;
} where;

static const char *where_text(const where *at)
{
    static char text[192];
    if (at->text)
        return at->text;
    if (at->step < 0)
        snprintf(text, sizeof text, "start %d from 0x%llx%s", at->origin, (unsigned long long)at->start_word,
                 at->origin == 2   ? " (immortalize)"
                 : at->origin == 1 ? " (init_static)"
                                   : "");
    else
        snprintf(text, sizeof text, "start %d from 0x%llx, step %d (%s: %s)", at->origin,
                 (unsigned long long)at->start_word, at->step, walk_ops[at->op], walk_apis[at->op]);
    return text;
}

/* Whether a known divergence is new (operation, field): each is reported
 * once, with the bytes it first showed, however often the walk meets it. */
static bool note_finding(const char *operation, int field)
{
    static struct {
        char operation[32];
        int field;
    } seen[256];
    static unsigned n_seen;
    for (unsigned i = 0; i < n_seen; i++)
        if (seen[i].field == field && !strcmp(seen[i].operation, operation))
            return false;
    if (n_seen < sizeof seen / sizeof seen[0]) {
        snprintf(seen[n_seen].operation, sizeof seen[n_seen].operation, "%s", operation);
        seen[n_seen++].field = field;
    }
    return true;
}

static void assert_same(const side *impl, const side *model, const where *at)
{
    const char *op = case_opts.binding ? at->operation : NULL;
    rm_layout l = impl->s->layout(impl->rt.dm);
    size_t n = l.object_size;
    if (memcmp(impl->obj, model->obj, n) != 0 && op) {
        /* Known only if every differing byte lies in a field known to differ
         * after this operation. The whole word (ob_refcnt) overlaps the
         * others, and so does the counting word where it is ob_ref_local. */
        divergence *known[RM_F_COUNT] = { NULL };
        bool covered[RM_MAX_HEADER] = { false }, all_known = true;
        for (int f = 0; f < RM_F_COUNT; f++) {
            rm_field fd = l.field[f];
            if (!fd.size || f == RM_F_REFCNT ||
                (f == RM_F_COUNT_WORD && fd.offset == l.field[RM_F_REF_LOCAL].offset && l.field[RM_F_REF_LOCAL].size))
                continue;
            bool be = impl->rt.dm.big_endian;
            uint64_t mine = rm_load(impl->obj, fd, be), differing = mine ^ rm_load(model->obj, fd, be);
            bool was_kept = before_op_known && mine == rm_load(before_op, fd, be);
            if (differing && (known[f] = known_divergence(op, (rm_field_id)f, mine, differing, was_kept)))
                memset(covered + fd.offset, 1, fd.size);
        }
        /* =whole: the binding's ob_refcnt is the word before the operation
         * plus or minus one, and its counting word is CPython's. */
        rm_field wf = l.field[RM_F_REFCNT], cw = l.field[RM_F_COUNT_WORD];
        int delta = !strcmp(op, "incref") ? 1 : !strcmp(op, "decref") ? -1 : 0;
        for (size_t i = 0; i < n_declared && wf.size && cw.size && delta && before_op_known; i++) {
            bool be = impl->rt.dm.big_endian;
            uint64_t m = wf.size == 8 ? UINT64_MAX : (UINT64_C(1) << (8 * wf.size)) - 1;
            if (declared[i].kind == DIVERGES_WHOLE && declared[i].field_id == RM_F_REFCNT &&
                !strcmp(declared[i].operation, op) &&
                rm_load(impl->obj, wf, be) == ((rm_load(before_op, wf, be) + (uint64_t)(int64_t)delta) & m) &&
                rm_load(impl->obj, cw, be) == rm_load(model->obj, cw, be)) {
                known[RM_F_REFCNT] = &declared[i];
                memset(covered + wf.offset, 1, wf.size);
            }
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
                       rm_field_name((rm_field_id)f), a, CASE_HEX(model->obj + fd.offset, fd.size), where_text(at));
            }
            memcpy(impl->obj + fd.offset, model->obj + fd.offset, fd.size);
        }
    }
    if (memcmp(impl->obj, model->obj, n) != 0) {
        char a[3 * RM_MAX_HEADER + 1];
        strcpy(a, CASE_HEX(impl->obj, n));
        ck_abort_msg("%s after %s: %s [%s], %s [%s]", impl->s->name, where_text(at), impl_side(), a, ref_side(),
                     CASE_HEX(model->obj, n));
    }
    case_require_msg(impl->rt.deallocs == model->rt.deallocs, "%s after %s: %lu deallocations, %s %lu", impl->s->name,
                     where_text(at), impl->rt.deallocs, ref_side(), model->rt.deallocs);
    bool ia = impl->s->is_immortal(&impl->rt, impl->obj), ib = model->s->is_immortal(&model->rt, model->obj);
    case_require_msg(ia == ib, "%s after %s: immortal %d, %s %d", impl->s->name, where_text(at), ia, ref_side(), ib);
    int64_t ra = impl->s->refcnt(&impl->rt, impl->obj), rb = model->s->refcnt(&model->rt, model->obj);
    for (size_t i = 0; i < n_declared && ra != rb; i++) { /* refcnt:field=reads */
        rm_field fd = declared[i].field_id < RM_F_COUNT ? l.field[declared[i].field_id] : (rm_field){ 0, 0 };
        uint64_t ssize_mask = impl->rt.dm.word_bytes == 8 ? UINT64_MAX : UINT32_MAX;
        bool by_value = declared[i].kind == DIVERGES_TO_VALUE && !strcmp(declared[i].operation, "refcnt") &&
                        !strcmp(declared[i].field, "Py_REFCNT") && declared[i].mask == ((uint64_t)ra & ssize_mask);
        if (!by_value && (declared[i].kind != DIVERGES_READS || !fd.size))
            continue;
        uint64_t v = fd.size ? rm_load(impl->obj, fd, impl->rt.dm.big_endian) : 0;
        int64_t whole = fd.size == 8 ? (int64_t)v
                        : fd.size    ? (int64_t)(v << (64 - 8 * fd.size)) >> (64 - 8 * fd.size)
                                     : 0; /* no field: a refcnt:Py_REFCNT=0xV declaration */
        if (!by_value && whole != ra)
            continue;
        declared[i].seen++;
        if (note_finding("refcnt", RM_F_COUNT))
            printf("harness-finding: %s: %s on %s: Py_REFCNT reads %s%s, where CPython's reads %s (first seen "
                   "after %s; "
                   "known: harness/bindings/known-divergences.txt)\n",
                   impl->s->name, case_opts.binding->project, rm_data_model_name(impl->rt.dm), case_i64(ra),
                   by_value ? "" : " (the whole field, as its own declaration says)", case_i64(rb), where_text(at));
        ra = rb;
    }
    case_require_msg(ra == rb, "%s after %s: Py_REFCNT %s, %s %s", impl->s->name, where_text(at), case_i64(ra),
                     ref_side(), case_i64(rb));
    if (case_opts.binding && case_opts.binding->is_uniquely_referenced) {
        bool ua = impl->s->is_uniquely_referenced(&impl->rt, impl->obj);
        bool ub = model->s->is_uniquely_referenced(&model->rt, model->obj);
        /* is_uniquely_referenced:Py_REFCNT=0xV: the binding's answer is
         * "CPython's Py_REFCNT is V" (Cython's Py_REFCNT(o) == 1). */
        for (size_t i = 0; i < n_declared && ua != ub; i++) {
            const divergence *d = &declared[i];
            if (d->kind != DIVERGES_TO_VALUE || strcmp(d->operation, "is_uniquely_referenced") ||
                strcmp(d->field, "Py_REFCNT") || ua != (rb == (int64_t)d->mask))
                continue;
            declared[i].seen++;
            if (note_finding("is_uniquely_referenced", RM_F_COUNT))
                printf("harness-finding: %s: %s on %s: uniquely referenced %d where CPython's "
                       "PyUnstable_Object_IsUniquelyReferenced says %d: its test is Py_REFCNT == %s (first seen after "
                       "%s; known: harness/bindings/known-divergences.txt)\n",
                       impl->s->name, case_opts.binding->project, rm_data_model_name(impl->rt.dm), ua, ub,
                       case_i64((int64_t)d->mask), where_text(at));
            ub = ua;
        }
        case_require_msg(ua == ub, "%s after %s: PyUnstable_Object_IsUniquelyReferenced %d, %s %d", impl->s->name,
                         where_text(at), ua, ref_side(), ub);
    }
    if (impl->s->is_static_immortal || model->s->is_static_immortal) {
        case_require_msg(impl->s->is_static_immortal && model->s->is_static_immortal,
                         "%s: only one side has _Py_IsStaticImmortal", impl->s->name);
        case_require_msg(impl->s->is_static_immortal(&impl->rt, impl->obj) ==
                             model->s->is_static_immortal(&model->rt, model->obj),
                         "%s after %s: _Py_IsStaticImmortal differs", impl->s->name, where_text(at));
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
    assert_same(&a, &b, &(where){ .operation = "init_static", .text = "the core's PyObject_HEAD_INIT (init_static)" });
    start(&a, impl), start(&b, model);
    impl->init_static(&a.rt, a.obj, RM_ORIGIN_EXTENSION);
    model->init_static(&b.rt, b.obj, RM_ORIGIN_EXTENSION);
    assert_same(&a, &b,
                &(where){ .operation = "init_static", .text = "an extension's PyObject_HEAD_INIT (init_static)" });
    start(&a, impl), start(&b, model);
    impl->new_reference(&a.rt, a.obj);
    model->new_reference(&b.rt, b.obj);
    assert_same(&a, &b, &(where){ .text = "_Py_NewReference" });
    impl->immortalize(&a.rt, a.obj);
    model->immortalize(&b.rt, b.obj);
    assert_same(&a, &b, &(where){ .operation = "immortalize", .text = "immortalisation (immortalize)" });
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
    if (own && own->enable_try_incref)
        ops[n_ops++] = W_ENABLE_TRY_INCREF;
    size_t nb = sizeof boundary_words / sizeof boundary_words[0];
    unsigned long operations = 0;
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
            where at = { .operation = origin == 2   ? "immortalize"
                                      : origin == 1 ? "init_static"
                                                    : NULL,
                         .origin = origin,
                         .step = -1,
                         .start_word = w };
            before_op_known = false;
            assert_same(&a, &b, &at);
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
                memcpy(before_op, a.obj, l.object_size);
                before_op_known = true;
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
                } else if (op == W_ENABLE_TRY_INCREF) {
                    impl->enable_try_incref(&a.rt, a.obj);
                    model->enable_try_incref(&b.rt, b.obj);
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
                at.operation = walk_ops[op], at.step = step, at.op = op;
                assert_same(&a, &b, &at);
                before_op_known = false;
            }
        }
    }
    /* A declared divergence that no longer shows: the binding changed, or
     * the harness stopped walking where it does; either way what
     * docs/findings.md says of it is no longer known to be true. */
    for (size_t i = 0; i < n_declared; i++)
        ck_assert_msg(declared[i].seen > 0,
                      "%s: the declared divergence %s (harness/bindings/known-divergences.txt) did not show in "
                      "%lu operations on %s: docs/findings.md no longer holds; find out why, then update both",
                      case_opts.binding->project, declared[i].text, operations, rm_data_model_name(dm));
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

/* Free-threaded states the walk seldom or never reaches (its shared field
 * changes only through decref's slow paths), for a binding's own
 * PyUnstable_TryIncRef and PyUnstable_EnableTryIncRef (nanobind,
 * pybind11, pythoncapi_compat), and its uniqueness test on each state as
 * set (Cython, pythoncapi_compat): every owner (this thread, another, none)
 * with local counts 0, 1, 2, the last mortal and the immortal one, and
 * shared fields of counts -1, 0, 1 and 2 with each flag (0 "no flag", 1
 * "may have weak references", 2 "queued", 3 "merged": a merged zero is an
 * object being freed). Each operation on a fresh pair; the result, the
 * bytes and everything assert_same compares must agree. */
START_TEST(shared_states)
{
    const rm_implementation *impl = case_opts.impl, *model = model_of(impl), *own = case_opts.binding;
    rm_data_model dm = rm_native_data_model();
    rm_layout l = model->layout(dm);
    parse_divergences();
    static const uint64_t locals[] = { 0, 1, 2, 0xFFFFFFFE, 0xFFFFFFFF };
    static const int counts[] = { -1, 0, 1, 2 };
    uint64_t word = dm.word_bytes == 8 ? UINT64_MAX : UINT32_MAX;
    unsigned long states = 0;
    char after[192];
    for (int owner = 0; owner < 3; owner++)
        for (size_t li = 0; li < sizeof locals / sizeof locals[0]; li++)
            for (size_t ci = 0; ci < sizeof counts / sizeof counts[0]; ci++)
                for (uint64_t flag = 0; flag < 4; flag++)
                    for (walk_op op = W_TRY_INCREF; op <= W_AS_SET; op++) {
                        if ((op == W_TRY_INCREF && !own->try_incref) ||
                            (op == W_ENABLE_TRY_INCREF && !own->enable_try_incref) ||
                            (op == W_AS_SET && !own->is_uniquely_referenced))
                            continue;
                        side a, b;
                        start(&a, impl), start(&b, model);
                        impl->new_reference(&a.rt, a.obj), model->new_reference(&b.rt, b.obj);
                        uint64_t tid = owner == 0 ? a.rt.thread_id : owner == 1 ? a.rt.thread_id ^ 0x40 : 0;
                        uint64_t shared = ((uint64_t)(int64_t)counts[ci] * 4 + flag) & word;
                        for (side *x = &a; x; x = x == &a ? &b : NULL) {
                            rm_store(x->obj, l.field[RM_F_TID], dm.big_endian, tid & word);
                            rm_store(x->obj, l.field[RM_F_REF_LOCAL], dm.big_endian, locals[li]);
                            rm_store(x->obj, l.field[RM_F_REF_SHARED], dm.big_endian, shared);
                        }
                        snprintf(after, sizeof after, "%s owner, ob_ref_local 0x%llx, ob_ref_shared 0x%llx (%s: %s)",
                                 owner == 0   ? "this thread as"
                                 : owner == 1 ? "another thread as"
                                              : "no",
                                 (unsigned long long)locals[li], (unsigned long long)shared, walk_ops[op],
                                 walk_apis[op]);
                        memcpy(before_op, a.obj, l.object_size);
                        before_op_known = true;
                        if (op == W_TRY_INCREF) {
                            bool ra = impl->try_incref(&a.rt, a.obj), rb = model->try_incref(&b.rt, b.obj);
                            case_require_msg(ra == rb, "%s: %s: PyUnstable_TryIncRef returned %d, %s %d", impl->name,
                                             after, ra, ref_side(), rb);
                        } else if (op == W_ENABLE_TRY_INCREF) {
                            impl->enable_try_incref(&a.rt, a.obj);
                            model->enable_try_incref(&b.rt, b.obj);
                        }
                        assert_same(&a, &b, &(where){ .operation = walk_ops[op], .text = after });
                        before_op_known = false;
                        states++;
                    }
    printf("harness-agreement: %s: its copies of%s%s%s agree with %s's on %lu free-threaded states (owners, local "
           "counts, shared counts and flags) on %s\n",
           own->project, own->try_incref ? " PyUnstable_TryIncRef" : "",
           own->enable_try_incref ? " PyUnstable_EnableTryIncRef" : "",
           own->is_uniquely_referenced ? " PyUnstable_Object_IsUniquelyReferenced" : "", own->base, states,
           rm_data_model_name(dm));
}
END_TEST

/* Whether the binding declares DECLARATION (known-divergences.txt) for this
 * data model (no @ qualifier, or one this data model's name has). */
static bool declares(const char *declaration)
{
    const char *list = case_opts.binding ? case_opts.binding->known_divergences : NULL;
    size_t n = strlen(declaration);
    for (const char *p = list ? strstr(list, declaration) : NULL; p; p = strstr(p + 1, declaration)) {
        if ((p != list && p[-1] != ' ') || (p[n] && p[n] != ' ' && p[n] != '@'))
            continue;
        if (p[n] != '@')
            return true;
        char qualifier[32];
        snprintf(qualifier, sizeof qualifier, "%.*s", (int)strcspn(p + n + 1, " "), p + n + 1);
        if (strstr(rm_data_model_name(rm_native_data_model()), qualifier))
            return true;
    }
    return false;
}

/* What incref:counting_word=kept means for an extension (PyO3 0.28 on
 * 3.14+, 64-bit: its Py_INCREF returns once the count reads immortal, bit
 * 31, where CPython's counts on to _Py_IMMORTAL_INITIAL_REFCNT, 3<<30, so
 * that an object saturated by increments stays away from the edge): from
 * the last mortal count, 1000 of the binding's increments leave the object
 * at the first immortal count, one legacy decrement (an extension built
 * with 3.11's headers: a plain -- of the whole word) away from mortality;
 * the same 1000 of CPython's leave it 1000 legacy decrements away. */
START_TEST(kept_increments_then_legacy_decrements)
{
    rm_data_model dm = rm_native_data_model();
    const rm_implementation *impl = case_opts.impl, *ref = case_opts.reference,
                            *legacy = rm_find_implementation("legacy");
    ck_assert_msg(legacy != NULL, "no legacy model to decrement with");
    expect_saturation e = expect_saturation_of(ref, dm);
    side a, b;
    start(&a, impl), start(&b, ref);
    rm_field cw = ref->layout(dm).field[RM_F_COUNT_WORD];
    uint32_t last_mortal = e.first_immortal - 1;
    enum { INCREMENTS = 1000 };
    impl->new_reference(&a.rt, a.obj), ref->new_reference(&b.rt, b.obj);
    ref->set_refcnt(&a.rt, a.obj, last_mortal), ref->set_refcnt(&b.rt, b.obj, last_mortal);
    ck_assert_msg(!ref->is_immortal(&b.rt, b.obj), "%s: CPython reads the last mortal count 0x%x as immortal",
                  impl->name, (unsigned)last_mortal);
    for (int i = 0; i < INCREMENTS; i++)
        impl->incref(&a.rt, a.obj), ref->incref(&b.rt, b.obj);
    uint64_t mine = rm_load(a.obj, cw, dm.big_endian), theirs = rm_load(b.obj, cw, dm.big_endian);
    ck_assert_msg(mine == e.first_immortal && ref->is_immortal(&a.rt, a.obj),
                  "%s: %d of the binding's Py_INCREF from 0x%x: counting word 0x%llx, not the first immortal 0x%x",
                  impl->name, INCREMENTS, (unsigned)last_mortal, (unsigned long long)mine, (unsigned)e.first_immortal);
    ck_assert_msg(theirs == (uint64_t)last_mortal + INCREMENTS,
                  "%s: %d of CPython's Py_INCREF from 0x%x: counting word 0x%llx", impl->name, INCREMENTS,
                  (unsigned)last_mortal, (unsigned long long)theirs);
    legacy->decref(&a.rt, a.obj), legacy->decref(&b.rt, b.obj);
    ck_assert_msg(!ref->is_immortal(&a.rt, a.obj) && ref->is_immortal(&b.rt, b.obj),
                  "%s: after one legacy decrement: the binding's object immortal %d, CPython's %d", impl->name,
                  ref->is_immortal(&a.rt, a.obj), ref->is_immortal(&b.rt, b.obj));
    int legacy_decrements = 1;
    while (ref->is_immortal(&b.rt, b.obj) && legacy_decrements < 2 * INCREMENTS)
        legacy->decref(&b.rt, b.obj), legacy_decrements++;
    ck_assert_int_eq(legacy_decrements, INCREMENTS);
    printf("harness-finding: %s: %s on %s: %d Py_INCREF from the last mortal count 0x%x leave 0x%llx (CPython's: "
           "0x%llx); one legacy decrement makes it mortal again, where CPython's needs %d\n",
           impl->name, case_opts.binding->project, rm_data_model_name(dm), INCREMENTS, (unsigned)last_mortal,
           (unsigned long long)mine, (unsigned long long)theirs, legacy_decrements);
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
    if (case_opts.binding && (case_opts.impl->flags & RM_FREE_THREADED) &&
        (case_opts.binding->try_incref || case_opts.binding->enable_try_incref ||
         case_opts.binding->is_uniquely_referenced))
        CASE_TEST(tc, shared_states);
    if (declares("incref:counting_word=kept"))
        CASE_TEST(tc, kept_increments_then_legacy_decrements);
    return true;
}

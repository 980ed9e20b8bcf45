/* proofs.c -- the properties of docs/proofs.md, for CBMC (bounded model
 * checking over every value of the header's bytes), on the model's
 * encodings (harness/refmodel.c, included whole).
 *
 * One entry point per property; cases/proofs/CMakeLists.txt runs each per
 * (implementation, data model) through cmake/run-proof.cmake, with
 *   PROOF_MODEL         the model's descriptor (model_314, model_313t, ...)
 *   PROOF_WORD          the data model's word: 4 (ILP32) or 8 (LP64, LLP64)
 *   PROOF_FREE_THREADED 1 for a free-threaded implementation, else 0
 *   PROOF_BE            1 for big-endian
 *   PROOF_MODEL_SOURCE  the model's source ("refmodel.c", or a mutant's)
 * A nondet_* function has no body: CBMC gives it every value. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

static unsigned long proof_stores; /* every store the model makes (RM_COUNT_STORE) */
#define RM_COUNT_STORE() (proof_stores++)

/* CBMC runs without its C library (--no-library: the library's models
 * would need the data model's libc headers to preprocess): the few
 * functions the model and cases/expect.h call have their bodies here. */
static void *proof_copy(void *to, const void *from, size_t n)
{
    unsigned char *t = to;
    const unsigned char *f = from;
    for (size_t i = 0; i < n; i++)
        t[i] = f[i];
    return to;
}
#define __builtin_memcpy proof_copy /* the model's one-move loads and stores */

static int proof_strcmp(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return (unsigned char)*a - (unsigned char)*b;
}
#define strcmp proof_strcmp

#ifndef PROOF_MODEL_SOURCE
#define PROOF_MODEL_SOURCE "refmodel.c"
#endif
#include PROOF_MODEL_SOURCE

#include "expect.h"
#include "data_model.h"

uint8_t nondet_uint8(void);
uint64_t nondet_uint64(void);
int64_t nondet_int64(void);
unsigned nondet_unsigned(void);

#define PROVE(cond, what) __CPROVER_assert((cond), what)
/* Every assumption is followed by a reachability witness, which CBMC must
 * refute (cmake/run-proof.cmake): a path no input takes would make every
 * claim after it hold vacuously. */
#define ASSUME(cond)                                                                                                   \
    do {                                                                                                               \
        __CPROVER_assume(cond);                                                                                        \
        __CPROVER_assert(0, "reachable: " #cond);                                                                      \
    } while (0)

static const rm_implementation *const M = &PROOF_MODEL;
static uint8_t obj[RM_MAX_HEADER];
static uint8_t before[RM_MAX_HEADER];
static rm_runtime rt;

static rm_data_model proof_abi(void)
{
    rm_data_model a = { PROOF_WORD, PROOF_BE != 0, PROOF_WORD };
    return a;
}

/* Any thread: a nonzero id, as _Py_ThreadId() never is 0. */
static uint64_t any_thread(void)
{
    uint64_t t = nondet_uint64();
    ASSUME(t != 0 && (PROOF_WORD == 8 || t <= UINT32_MAX));
    return t;
}

/* Every header: every byte any value, called by any thread. */
static void any_state(void)
{
    rm_runtime_init(&rt, proof_abi(), any_thread());
    for (size_t i = 0; i < RM_MAX_HEADER; i++)
        obj[i] = nondet_uint8();
}

/* Read once per loop: a call per iteration made CBMC build the layout
 * anew each time (a third of the free-threaded proofs' symbolic steps). */
static size_t header_size(void) { return M->layout(rt.dm).object_size; }

static bool unchanged(void)
{
    for (size_t i = 0, n = header_size(); i < n; i++)
        if (obj[i] != before[i])
            return false;
    return true;
}

static void remember(void)
{
    for (size_t i = 0; i < RM_MAX_HEADER; i++)
        before[i] = obj[i];
    proof_stores = 0;
}

/* Py_INCREF (0), Py_DECREF (1) or Py_SET_REFCNT (2, any n >= 0), by any
 * thread; returns which. */
static unsigned any_operation(void)
{
    rt.thread_id = any_thread();
    unsigned op = nondet_unsigned() % 3;
    if (op == 0) {
        M->incref(&rt, obj);
    } else if (op == 1) {
        M->decref(&rt, obj);
    } else {
        int64_t n = nondet_int64();
        ASSUME(n >= 0 && (PROOF_WORD == 8 || n <= INT32_MAX));
        M->set_refcnt(&rt, obj, n);
    }
    return op;
}

/* 1. Immortality is inductive: from any immortal state, any operation by
 * any thread leaves it immortal; so does any sequence, of any length. */
void proof_immortal_stays_immortal(void)
{
    any_state();
    ASSUME(M->is_immortal(&rt, obj));
    (void)any_operation();
    PROVE(M->is_immortal(&rt, obj), "still immortal after any operation");
}

/* 2. From any immortal state, no operation deallocates; Py_DECREF and
 * Py_SET_REFCNT store nothing; Py_INCREF stores nothing at or above the
 * version's ceiling, and below it (64-bit GIL builds, fact sheet §3) stores
 * only the counting word, one step towards the ceiling. The bare claim
 * "Py_INCREF never stores to an immortal object" is checked too: it is
 * refuted exactly there, and the trace shows the store. */
void proof_immortal_never_deallocated_nor_stored(void)
{
    any_state();
    ASSUME(M->is_immortal(&rt, obj));
    expect_saturation e = expect_saturation_of(M, rt.dm);
    rm_layout l = M->layout(rt.dm);
    uint64_t count = rm_load(obj, l.field[RM_F_COUNT_WORD], rt.dm.big_endian);
    remember();
    unsigned op = any_operation();
    if (op == 0)
        PROVE(proof_stores == 0, "Py_INCREF stores nothing to an immortal object");
    PROVE(rt.deallocs == 0 && rt.merges_queued == 0, "an immortal object is never deallocated nor queued");
    if (op != 0 || count >= e.ceiling) {
        PROVE(proof_stores == 0 && unchanged(), "no store to an immortal object at or above the ceiling");
    } else {
        rm_field f = l.field[RM_F_COUNT_WORD];
        PROVE(proof_stores == 1 && rm_load(obj, f, rt.dm.big_endian) == count + 1,
              "below the ceiling, Py_INCREF stores once: the counting word, plus one");
        for (size_t i = 0, n = header_size(); i < n; i++)
            PROVE(obj[i] == before[i] || (i >= f.offset && i < (size_t)f.offset + f.size),
                  "below the ceiling, nothing but the counting word changes");
    }
}

/* 3. Saturation: a mortal count one below the first immortal value, owned
 * by the caller, becomes immortal on Py_INCREF, and nothing but the
 * counting word changes (3.14+ 64-bit: ob_overflow and ob_flags keep their
 * bytes, on both byte orders). With 1., it stays immortal. */
void proof_saturates(void)
{
    any_state();
    expect_saturation e = expect_saturation_of(M, rt.dm);
    rm_layout l = M->layout(rt.dm);
    rm_field count = l.field[RM_F_COUNT_WORD];
    if (l.field[RM_F_TID].size) /* free-threaded: the owner's local count */
        rm_store(obj, l.field[RM_F_TID], rt.dm.big_endian, rt.thread_id);
    rm_store(obj, count, rt.dm.big_endian, (uint64_t)e.first_immortal - 1);
    ASSUME(!M->is_immortal(&rt, obj));
    remember();
    M->incref(&rt, obj);
    PROVE(M->is_immortal(&rt, obj), "the last mortal count plus one is immortal");
    for (size_t i = 0, n = header_size(); i < n; i++)
        PROVE(obj[i] == before[i] || (i >= count.offset && i < (size_t)count.offset + count.size),
              "saturation changes the counting word only");
}

/* 4. Py_REFCNT of an immortal object is the documented constant: of a
 * static object (the core's PyObject_HEAD_INIT) and of a runtime-
 * immortalised one; free-threaded, of every immortal state. */
void proof_refcnt_is_the_constant(void)
{
    expect_saturation e = expect_saturation_of(M, proof_abi());
    any_state();
    M->init_static(&rt, obj, RM_ORIGIN_CORE);
    PROVE(M->refcnt(&rt, obj) == e.static_refcnt, "Py_REFCNT of a static immortal");
    any_state();
    M->new_reference(&rt, obj);
    M->immortalize(&rt, obj);
    PROVE(M->refcnt(&rt, obj) == e.runtime_refcnt, "Py_REFCNT of a runtime immortal");
    /* Decided when preprocessing, not by a branch that a GIL model never
     * takes: an assumption on a dead path would be unreachable. */
    PROVE(!(M->flags & RM_FREE_THREADED) == !PROOF_FREE_THREADED, "the model is built as free-threaded or not");
#if PROOF_FREE_THREADED
    any_state();
    ASSUME(M->is_immortal(&rt, obj));
    PROVE(M->refcnt(&rt, obj) == e.runtime_refcnt, "Py_REFCNT of any free-threaded immortal");
#endif
}

/* 5. The legacy tolerance (fact sheet §4). First the step: a legacy
 * (<= 3.11) incref or decref of any GIL header adds or subtracts one on
 * the whole Py_ssize_t, so n of them move it by n (by induction); then,
 * for each row's object and direction, every count of fewer than the bound
 * leaves it immortal, and the bound itself does not
 * (proof_legacy_bounds_are_exact). */
void proof_legacy_step(void)
{
    any_state();
    rm_field word = { 0, PROOF_WORD };
    uint64_t mask = PROOF_WORD == 8 ? UINT64_MAX : UINT32_MAX;
    uint64_t w = rm_load(obj, word, rt.dm.big_endian);
    ASSUME(w != 1); /* a decref from 1 deallocates: not a step of the tolerance */
    bool up = nondet_unsigned() % 2;
    if (up)
        model_legacy.incref(&rt, obj);
    else
        model_legacy.decref(&rt, obj);
    PROVE(rm_load(obj, word, rt.dm.big_endian) == ((up ? w + 1 : w - 1) & mask), "one legacy op moves the word by one");
}

/* The word of the row's object (0 static, 1 runtime) after n legacy
 * operations in the given direction. */
static void legacy_moved(const expect_tolerance *row, int object, int direction, uint64_t n)
{
    any_state();
    if (object == 0)
        M->init_static(&rt, obj, RM_ORIGIN_CORE);
    else
        M->new_reference(&rt, obj), M->immortalize(&rt, obj);
    rm_field word = { 0, PROOF_WORD };
    uint64_t mask = PROOF_WORD == 8 ? UINT64_MAX : UINT32_MAX;
    PROVE(rm_load(obj, word, rt.dm.big_endian) == row->initial_word, "the row's initial word");
    uint64_t moved = direction > 0 ? row->initial_word + n : row->initial_word - n;
    rm_store(obj, word, rt.dm.big_endian, moved & mask);
}

/* Each row and direction: fewer operations than the bound leave the object
 * immortal (proved); the bound itself does not (refuted: the bound is
 * exact, and the trace shows the word). The rows are read once: each read
 * is a search of the versions' table, executed symbolically. */
void proof_legacy_bounds_are_exact(void)
{
    expect_tolerance rows[2];
    PROVE(expect_tolerance_of(M, proof_abi(), rows) == 2, "the version has legacy tolerance rows");
#define LEGACY_ROW(object, direction, what)                                                                            \
    do {                                                                                                               \
        const expect_tolerance *row = &rows[object];                                                                   \
        uint64_t bound = direction > 0 ? row->lose_after_increfs : row->lose_after_decrefs;                            \
        uint64_t n = nondet_uint64();                                                                                  \
        ASSUME(n < bound);                                                                                             \
        legacy_moved(row, object, direction, n);                                                                       \
        PROVE(M->is_immortal(&rt, obj), "within the bound: " what);                                                    \
        legacy_moved(row, object, direction, bound);                                                                   \
        PROVE(M->is_immortal(&rt, obj), "at the bound: " what);                                                        \
    } while (0)
    LEGACY_ROW(0, +1, "static object, legacy increfs");
    LEGACY_ROW(0, -1, "static object, legacy decrefs");
    LEGACY_ROW(1, +1, "runtime immortal, legacy increfs");
    LEGACY_ROW(1, -1, "runtime immortal, legacy decrefs");
#undef LEGACY_ROW
}

/* 6. Free-threaded: whatever thread owns it, and whatever thread acts, an
 * immortal object's local and shared counts never make a zero total: it
 * stays immortal, Py_REFCNT is never 0, nothing is deallocated, merged or
 * queued. */
void proof_ft_never_zero(void)
{
    any_state();
    ASSUME(M->is_immortal(&rt, obj));
    (void)any_operation();
    PROVE(M->is_immortal(&rt, obj) && M->refcnt(&rt, obj) != 0, "immortal, Py_REFCNT nonzero");
    PROVE(rt.deallocs == 0 && rt.merges_queued == 0, "never deallocated, merged or queued");
}

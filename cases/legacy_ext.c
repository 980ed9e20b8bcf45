/* legacy_ext.c -- stands in for an extension built with <= 3.11 headers and
 * the stable ABI: its Py_INCREF/Py_DECREF are inline ++/-- on the whole
 * Py_ssize_t ob_refcnt, whatever header the runtime that loads it uses.
 * Built as a MODULE and loaded at run time; _Py_Dealloc comes from the
 * runtime, as it would from libpython. */
#include <stdint.h>

#include "export.h"

typedef struct LegacyObject {
    intptr_t ob_refcnt; /* Py_ssize_t */
    void *ob_type;
} LegacyObject;

HARNESS_IMPORT void _Py_Dealloc(LegacyObject *op);

/* 3.11's inline bodies; the arithmetic is done unsigned so that the wrap
 * CPython relies on is defined behaviour here. */
static inline void Py_INCREF(LegacyObject *op) { op->ob_refcnt = (intptr_t)((uintptr_t)op->ob_refcnt + 1u); }

static inline void Py_DECREF(LegacyObject *op)
{
    op->ob_refcnt = (intptr_t)((uintptr_t)op->ob_refcnt - 1u);
    if (op->ob_refcnt == 0)
        _Py_Dealloc(op);
}

HARNESS_EXPORT void legacy_incref(void *op) { Py_INCREF(op); }
HARNESS_EXPORT void legacy_decref(void *op) { Py_DECREF(op); }
HARNESS_EXPORT intptr_t legacy_refcnt(const void *op) { return ((const LegacyObject *)op)->ob_refcnt; }

/* The net effect of n unbalanced increfs (n < 0: decrefs) that never pass
 * through zero: what a loop of ++/-- in the extension leaves behind, in one
 * step, so that counts of 2^30 and more need not be walked one by one. */
HARNESS_EXPORT void legacy_advance(void *op, int64_t n)
{
    LegacyObject *o = op;
    o->ob_refcnt = (intptr_t)((uintptr_t)o->ob_refcnt + (uintptr_t)(uint64_t)n);
}

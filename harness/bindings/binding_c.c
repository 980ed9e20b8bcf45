/* binding_c.c -- a binding library's own C copy of refcount code (mypyc's
 * mypyc_util.h, the pythoncapi_compat.h it vendors) as an implementation
 * (harness/refmodel.h) over CPython's real headers of one version: only the
 * operations the copy defines itself for that version are provided; the
 * case programs take the rest from the base, "real-<version>"
 * (docs/implementations.md, "Binding libraries").
 * Compiled once per (binding, version) by harness/bindings/bindings.cmake, with
 *   HARNESS_BINDING_SYMBOL   the rm_implementation this file defines
 *   HARNESS_BINDING_HEADER   the binding's header ("pythoncapi_compat.h")
 *   HARNESS_BINDING_VERSION  the CPython version ("3.13t")
 *   HARNESS_BINDING_BASE     the base implementation ("real-3.13t")
 *   HARNESS_BINDING_PROJECT  what it is and where it came from
 *   HARNESS_BINDING_OWN_API  "operation=function ..." of its own operations
 *   HARNESS_BINDING_KNOWN    known divergences (known-divergences.txt)
 *   HARNESS_OWN_<function>   for each function the copy defines itself here
 *                            (the configure-time scan of bindings.cmake).
 * libpython functions the copies call (_Py_Dealloc, _Py_SetImmortal,
 * PyObject_GC_IsTracked, PyObject_GC_UnTrack) are defined below under this
 * implementation's own names, doing what the runtime does to the header. */
#include <Python.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include HARNESS_BINDING_HEADER

#include "binding.h"

/* ---- libpython, as far as the copies reach it -------------------------- */
void _Py_Dealloc(PyObject *op) { rm_record_dealloc(harness_active_runtime("_Py_Dealloc"), (uint8_t *)op); }

/* 3.14's exported _Py_SetImmortal, which pythoncapi_compat.h calls there:
 * Objects/object.c's, written here from the fact sheet (§2, §1c) on the real
 * headers' own fields and constants, apart from the model's immortalize that
 * the copy is compared with. GC untracking first (the cases' objects are not
 * tracked), then _Py_SetImmortalUntracked, which returns early on an
 * immortal object (unreachable through the copy: an immortal object is
 * never uniquely referenced). */
void _Py_SetImmortal(PyObject *op);
void _Py_SetImmortal(PyObject *op)
{
#if PY_VERSION_HEX >= 0x030E0000
    if (_Py_IsImmortal(op))
        return;
#if defined(Py_GIL_DISABLED)
    op->ob_tid = _Py_UNOWNED_TID;
    op->ob_ref_local = _Py_IMMORTAL_REFCNT_LOCAL;
    op->ob_ref_shared = 0;
    op->ob_gc_bits |= 0x40; /* _PyGC_BITS_DEFERRED (internal/pycore_gc.h) */
#elif SIZEOF_VOID_P > 4
    op->ob_flags = _Py_IMMORTAL_FLAGS;
    op->ob_refcnt = (uint32_t)_Py_IMMORTAL_INITIAL_REFCNT;
#else
    op->ob_refcnt = _Py_IMMORTAL_INITIAL_REFCNT;
#endif
#else
    (void)op;
    fprintf(stderr, "harness: %s calls _Py_SetImmortal, which CPython %s does not export\n", HARNESS_BINDING_PROJECT,
            PY_VERSION);
    abort();
#endif
}

/* 3.14's exported PyUnstable_Object_IsUniquelyReferenced, which the copy
 * calls where it does not define its own: CPython's, as the model has it. */
#if PY_VERSION_HEX >= 0x030E0000 && !defined(HARNESS_OWN_PyUnstable_Object_IsUniquelyReferenced)
int PyUnstable_Object_IsUniquelyReferenced(PyObject *op)
{
    const rm_implementation *r = harness_binding_reference;
    return r->is_uniquely_referenced(harness_active_runtime("PyUnstable_Object_IsUniquelyReferenced"), (uint8_t *)op);
}
#endif

/* The cases' objects are not tracked by a garbage collector. */
int PyObject_GC_IsTracked(PyObject *op)
{
    (void)op;
    return 0;
}
void PyObject_GC_UnTrack(void *op) { (void)op; }

/* ---- the copy's own operations ------------------------------------------ */
#if defined(HARNESS_OWN_CPy_INCREF_NO_IMM)
static void incref_mortal(rm_runtime *rt, uint8_t *obj)
{
    harness_dealloc_runtime = rt;
    CPy_INCREF_NO_IMM(as_object(obj));
}
#define OWN_INCREF_MORTAL incref_mortal
#else
#define OWN_INCREF_MORTAL NULL
#endif

#if defined(HARNESS_OWN_CPy_DECREF_NO_IMM)
static void decref_mortal(rm_runtime *rt, uint8_t *obj)
{
    harness_dealloc_runtime = rt;
    CPy_DECREF_NO_IMM(as_object(obj));
}
#define OWN_DECREF_MORTAL decref_mortal
#else
#define OWN_DECREF_MORTAL NULL
#endif

#if defined(HARNESS_OWN_PyUnstable_SetImmortal)
/* PyUnicode_Check reads the object's type: for the call, an ordinary one
 * (no flags), or one flagged as a str subclass; the cases' objects have
 * none. */
static PyTypeObject plain_type, str_type = { .tp_flags = Py_TPFLAGS_UNICODE_SUBCLASS };

static int unstable_set_immortal(rm_runtime *rt, uint8_t *obj, bool is_str)
{
    harness_dealloc_runtime = rt;
    PyObject *op = as_object(obj);
    PyTypeObject *type = op->ob_type;
    op->ob_type = is_str ? &str_type : &plain_type;
    int done = PyUnstable_SetImmortal(op);
    op->ob_type = type;
    return done;
}

static void immortalize(rm_runtime *rt, uint8_t *obj)
{
    (void)unstable_set_immortal(rt, obj, false); /* 0 where it refuses: the comparison shows it */
}
#define OWN_IMMORTALIZE immortalize
#define OWN_UNSTABLE_SET_IMMORTAL unstable_set_immortal
#else
#define OWN_IMMORTALIZE NULL
#define OWN_UNSTABLE_SET_IMMORTAL NULL
#endif

#if defined(HARNESS_OWN_PyUnstable_TryIncRef)
static bool try_incref(rm_runtime *rt, uint8_t *obj)
{
    harness_dealloc_runtime = rt;
    return PyUnstable_TryIncRef(as_object(obj)) != 0;
}
#define OWN_TRY_INCREF try_incref
#else
#define OWN_TRY_INCREF NULL
#endif

#if defined(HARNESS_OWN_PyUnstable_Object_IsUniquelyReferenced)
static bool is_uniquely_referenced(const rm_runtime *rt, const uint8_t *obj)
{
    (void)rt;
    return PyUnstable_Object_IsUniquelyReferenced(as_object(obj)) != 0;
}
#define OWN_IS_UNIQUELY_REFERENCED is_uniquely_referenced
#else
#define OWN_IS_UNIQUELY_REFERENCED NULL
#endif

const rm_implementation HARNESS_BINDING_SYMBOL = {
    HARNESS_BINDING_DESCRIPTION,
    .immortalize = OWN_IMMORTALIZE,
    .unstable_set_immortal = OWN_UNSTABLE_SET_IMMORTAL,
    .try_incref = OWN_TRY_INCREF,
    .is_uniquely_referenced = OWN_IS_UNIQUELY_REFERENCED,
    .incref_mortal = OWN_INCREF_MORTAL,
    .decref_mortal = OWN_DECREF_MORTAL,
};

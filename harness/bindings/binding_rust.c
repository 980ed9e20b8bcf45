/* binding_rust.c -- a binding library's Rust copy of the refcount code
 * (PyO3's pyo3-ffi: harness/bindings/pyo3_shim.rs, built per architecture
 * and CPython version by ci/harness/rustshims.py) as an implementation
 * (harness/refmodel.h) over CPython's real headers of that version: only
 * the operations the copy has of its own there (read off the object in
 * setup) are provided; the case programs take the rest from the base.
 * Compiled once per (binding, version) by harness/bindings/bindings.cmake,
 * with binding_c.c's macros, and HARNESS_OWN_<operation> for each own
 * operation. The shim's functions are HARNESS_BINDING_SYMBOL_<operation>.
 *
 * PyO3 reads none of CPython's headers (its structs are its own), and
 * neither does this file beyond the version (patchlevel.h): the header's
 * PyObject, its size and alignment, is the base's layout, which is compiled
 * from them (real_impl.c). Python.h was two thirds of each compile's time,
 * eleven compiles a configuration. */
#define HARNESS_PYOBJECT_OPAQUE
#include <patchlevel.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct _object PyObject; /* as object.h names it */

#include "binding.h"

#define SHIM_PASTE(a, b) a##b
#define SHIM_JOIN(a, b) SHIM_PASTE(a, b)
#define SHIM(op) SHIM_JOIN(HARNESS_BINDING_SYMBOL, SHIM_PASTE(_, op))

/* libpython's _Py_Dealloc, which the shim's Py_DECREF calls (renamed in
 * setup to this implementation's own). */
void SHIM(_Py_Dealloc)(PyObject *op);
void SHIM(_Py_Dealloc)(PyObject *op) { rm_record_dealloc(harness_active_runtime("_Py_Dealloc"), (uint8_t *)op); }

/* The size of the copy's own PyObject: a copy whose struct is not the
 * header's (the base's layout) shows in the agreement's same_layout. */
size_t SHIM(object_size)(void);
static rm_layout layout(rm_data_model dm)
{
    rm_layout l = harness_binding_reference->layout(dm);
    l.object_size = (unsigned)SHIM(object_size)();
    return l;
}

#if defined(HARNESS_OWN_incref)
void SHIM(incref)(PyObject *op);
static void incref(rm_runtime *rt, uint8_t *obj)
{
    harness_dealloc_runtime = rt;
    SHIM(incref)(as_object(obj));
}
#define OWN_INCREF incref
#else
#define OWN_INCREF NULL
#endif

#if defined(HARNESS_OWN_decref)
void SHIM(decref)(PyObject *op);
static void decref(rm_runtime *rt, uint8_t *obj)
{
    harness_dealloc_runtime = rt;
    SHIM(decref)(as_object(obj));
}
#define OWN_DECREF decref
#else
#define OWN_DECREF NULL
#endif

#if defined(HARNESS_OWN_refcnt)
intptr_t SHIM(refcnt)(PyObject *op); /* pyo3-ffi's Py_ssize_t is Rust's isize */
static int64_t refcnt(const rm_runtime *rt, const uint8_t *obj)
{
    (void)rt;
    return (int64_t)SHIM(refcnt)(as_object(obj));
}
#define OWN_REFCNT refcnt
#else
#define OWN_REFCNT NULL
#endif

#if defined(HARNESS_OWN_init_static)
void SHIM(init_static)(PyObject *op);
/* An extension's static object, as the copy writes its header; the core's
 * is CPython's own (a binding is never the core). */
static void init_static(const rm_runtime *rt, uint8_t *obj, rm_origin origin)
{
    if (origin == RM_ORIGIN_CORE)
        harness_binding_reference->init_static(rt, obj, origin);
    else
        SHIM(init_static)(as_object(obj));
}
#define OWN_INIT_STATIC init_static
#else
#define OWN_INIT_STATIC NULL
#endif

const rm_implementation HARNESS_BINDING_SYMBOL = {
    HARNESS_BINDING_DESCRIPTION, .layout = layout,     .init_static = OWN_INIT_STATIC,
    .incref = OWN_INCREF,        .decref = OWN_DECREF, .refcnt = OWN_REFCNT,
};

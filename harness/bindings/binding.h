/* binding.h -- what the C adapters of binding copies (binding_c.c,
 * binding_rust.c, binding_cython.c) share, after Python.h (binding_rust.c:
 * patchlevel.h and an opaque PyObject): the cases'
 * objects as PyObjects, and the description every binding implementation
 * gives, from the macros harness/bindings/bindings.cmake sets. (The C++
 * adapters' counterpart is binding_cxx.h.) */
#ifndef HARNESS_BINDING_H
#define HARNESS_BINDING_H

#include "implementations.h"
#include "real/as_object.h"
#include "refmodel.h"

#if defined(HARNESS_PYOBJECT_OPAQUE)
/* binding_rust.c, where PyObject is opaque: the alignment is the base's
 * layout's, which real_impl.c compiles from the header. */
static inline PyObject *as_object(const uint8_t *obj)
{
    static size_t align;
    if (!align)
        align = harness_binding_reference->layout(rm_native_data_model()).align;
    return (PyObject *)harness_aligned_object(obj, align, HARNESS_BINDING_PROJECT);
}
#else
static inline PyObject *as_object(const uint8_t *obj) { return harness_as_object(obj, HARNESS_BINDING_PROJECT); }
#endif

/* The first fields of an adapter's rm_implementation; it adds its copy's
 * own operations. */
#define HARNESS_BINDING_DESCRIPTION                                                                                    \
    .name = HARNESS_BINDING_VERSION, .summary = HARNESS_BINDING_PROJECT ", over CPython " PY_VERSION " headers",       \
    .base = HARNESS_BINDING_BASE, .project = HARNESS_BINDING_PROJECT, .own_api = HARNESS_BINDING_OWN_API,              \
    .known_divergences = HARNESS_BINDING_KNOWN

#endif

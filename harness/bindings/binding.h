/* binding.h -- what the C adapters of binding copies (binding_c.c,
 * binding_rust.c, binding_cython.c) share, after Python.h: the cases'
 * objects as PyObjects, and the description every binding implementation
 * gives, from the macros harness/bindings/bindings.cmake sets. (The C++
 * adapters' counterpart is binding_cxx.h.) */
#ifndef HARNESS_BINDING_H
#define HARNESS_BINDING_H

#include "implementations.h"
#include "real/as_object.h"
#include "refmodel.h"

static inline PyObject *as_object(const uint8_t *obj) { return harness_as_object(obj, HARNESS_BINDING_PROJECT); }

/* The first fields of an adapter's rm_implementation; it adds its copy's
 * own operations. */
#define HARNESS_BINDING_DESCRIPTION                                                                                    \
    .name = HARNESS_BINDING_VERSION, .summary = HARNESS_BINDING_PROJECT ", over CPython " PY_VERSION " headers",       \
    .base = HARNESS_BINDING_BASE, .project = HARNESS_BINDING_PROJECT, .own_api = HARNESS_BINDING_OWN_API,              \
    .known_divergences = HARNESS_BINDING_KNOWN

#endif

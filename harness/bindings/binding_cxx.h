// binding_cxx.h -- what the C++ adapters (binding_<project>.cpp) share:
// Python.h, the cases' objects as PyObjects, and the description every
// binding implementation gives (harness/refmodel.h), from the macros
// harness/bindings/bindings.cmake sets (binding_c.c's). Included first.
#ifndef HARNESS_BINDING_CXX_H
#define HARNESS_BINDING_CXX_H

// MinGW-w64's GCC: a copy's free-threaded code, inlined in the adapter,
// reads the thread id with __readfsdword/__readgsqword (CPython's
// _Py_ThreadId), and GCC 12's -Warray-bounds takes that absolute address
// for an array of size 0: a false positive in MinGW-w64's and CPython's
// headers, not in the adapters.
#if defined(__MINGW32__) && defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Warray-bounds"
#endif
#include <Python.h>

#include "real/as_object.h"
extern "C" {
#include "refmodel.h"
}

#if !defined(Py_GIL_DISABLED)
#error "the C++ copies' code of their own is for the free-threaded build"
#endif

static inline PyObject *as_object(const uint8_t *obj) { return harness_as_object(obj, HARNESS_BINDING_PROJECT); }

// The implementation's name and provenance; the adapter adds its copy's own
// operations.
static inline rm_implementation harness_binding_description()
{
    rm_implementation i = {};
    i.name = HARNESS_BINDING_VERSION;
    i.summary = HARNESS_BINDING_PROJECT ", over CPython " PY_VERSION " headers";
    i.base = HARNESS_BINDING_BASE;
    i.project = HARNESS_BINDING_PROJECT;
    i.own_api = HARNESS_BINDING_OWN_API;
    i.known_divergences = HARNESS_BINDING_KNOWN;
    return i;
}

#endif

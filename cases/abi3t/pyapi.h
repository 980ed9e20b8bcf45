/* pyapi.h -- the one module a stable-ABI extension imports its refcount
 * functions from, as a real one imports them from libpython (python3.dll,
 * python3t.dll on Windows): _Py_IncRef, _Py_DecRef, _Py_SetRefcnt and
 * Py_REFCNT, the exported functions Python.h calls under abi3t (3.15, PEP
 * 803) and for a high enough Py_LIMITED_API, and _Py_Dealloc, which an
 * older limited API's inline Py_DECREF calls. Each forwards to the runtime
 * the loading program installs, chosen at run time: for abi3t the GIL 3.15
 * runtime or the free-threaded 3.15t one, model or real headers; for the
 * limited-API generations each GIL runtime in turn. One file, loaded by
 * every runtime, as one wheel is. */
#ifndef HARNESS_ABI3T_PYAPI_H
#define HARNESS_ABI3T_PYAPI_H

#include <stdint.h>

#if defined(_WIN32)
#if defined(HARNESS_PYAPI_BUILD)
#define HARNESS_PYAPI __declspec(dllexport)
#else
#define HARNESS_PYAPI __declspec(dllimport)
#endif
#else
#define HARNESS_PYAPI __attribute__((visibility("default")))
#endif

/* The runtime's operations; a PyObject * is opaque here, as it is to the
 * extension, and Py_ssize_t is pointer-sized on every data model. */
typedef struct harness_pyapi_runtime {
    const char *name; /* "3.15t", "real-3.15", ... */
    void (*incref)(void *op);
    void (*decref)(void *op);
    void (*set_refcnt)(void *op, intptr_t refcnt);
    intptr_t (*refcnt)(void *op);
    void (*dealloc)(void *op);
} harness_pyapi_runtime;

/* Installs the runtime (NULL uninstalls). Returns the name of the first
 * operation it lacks, or NULL if it has them all; a runtime that lacks one
 * is not installed. */
HARNESS_PYAPI const char *harness_pyapi_install(const harness_pyapi_runtime *runtime);

#endif

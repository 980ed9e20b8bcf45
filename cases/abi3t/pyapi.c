/* pyapi.c -- the exported refcount functions of an abi3t runtime (pyapi.h).
 * Calling one with no runtime installed is a harness bug: it aborts, naming
 * the function. */
#define HARNESS_PYAPI_BUILD
#include "pyapi.h"

#include <stdio.h>
#include <stdlib.h>

static const harness_pyapi_runtime *installed;

const char *harness_pyapi_install(const harness_pyapi_runtime *runtime)
{
    if (runtime) {
        const char *missing = !runtime->incref       ? "_Py_IncRef"
                              : !runtime->decref     ? "_Py_DecRef"
                              : !runtime->set_refcnt ? "_Py_SetRefcnt"
                              : !runtime->refcnt     ? "Py_REFCNT"
                              : !runtime->dealloc    ? "_Py_Dealloc"
                                                     : NULL;
        if (missing)
            return missing;
    }
    installed = runtime;
    return NULL;
}

static const harness_pyapi_runtime *runtime_for(const char *function)
{
    if (!installed) {
        fprintf(stderr, "harness: %s called with no abi3t runtime installed\n", function);
        fflush(stderr);
        abort();
    }
    return installed;
}

/* Python.h's declarations, with PyObject * as the opaque pointer it is. */
HARNESS_PYAPI void _Py_IncRef(void *op);
HARNESS_PYAPI void _Py_DecRef(void *op);
HARNESS_PYAPI void _Py_SetRefcnt(void *op, intptr_t refcnt);
HARNESS_PYAPI intptr_t Py_REFCNT(void *op);
HARNESS_PYAPI void _Py_Dealloc(void *op);

void _Py_IncRef(void *op) { runtime_for("_Py_IncRef")->incref(op); }
void _Py_DecRef(void *op) { runtime_for("_Py_DecRef")->decref(op); }
void _Py_SetRefcnt(void *op, intptr_t refcnt) { runtime_for("_Py_SetRefcnt")->set_refcnt(op, refcnt); }
intptr_t Py_REFCNT(void *op) { return runtime_for("Py_REFCNT")->refcnt(op); }
void _Py_Dealloc(void *op) { runtime_for("_Py_Dealloc")->dealloc(op); }

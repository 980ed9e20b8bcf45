/* gen_ext.c -- one small stable-ABI extension, built as a real shared
 * library once per (header set H, Py_LIMITED_API L): CPython H's real
 * headers with the limited API of L (cases/CMakeLists.txt). Whether each
 * operation is H's inline code or a call to the runtime's exported function
 * is H's and L's business (fact sheet §9); the generations family loads the
 * file into every runtime the stable ABI promises it (L and later) and
 * holds each operation to that runtime's own. Built for abi3t too (3.15's
 * headers, Py_TARGET_ABI3T), then loaded into the free-threaded runtimes as
 * well. */
#include <Python.h>

#include "export.h"

#if !defined(Py_LIMITED_API) || (defined(Py_GIL_DISABLED) && !defined(_Py_OPAQUE_PYOBJECT))
#error "a generation module is built with Py_LIMITED_API on GIL headers, or for abi3t (Py_TARGET_ABI3T)"
#endif

HARNESS_EXPORT void gen_incref(PyObject *op);
HARNESS_EXPORT void gen_decref(PyObject *op);
HARNESS_EXPORT void gen_set_refcnt(PyObject *op, Py_ssize_t refcnt);
HARNESS_EXPORT Py_ssize_t gen_refcnt(PyObject *op);
HARNESS_EXPORT unsigned long gen_headers_version(void);
HARNESS_EXPORT unsigned long gen_limited_api(void);

void gen_incref(PyObject *op) { Py_INCREF(op); }
void gen_decref(PyObject *op) { Py_DECREF(op); }
void gen_set_refcnt(PyObject *op, Py_ssize_t refcnt) { Py_SET_REFCNT(op, refcnt); }
Py_ssize_t gen_refcnt(PyObject *op) { return Py_REFCNT(op); }
unsigned long gen_headers_version(void) { return PY_VERSION_HEX; }
unsigned long gen_limited_api(void) { return Py_LIMITED_API; }

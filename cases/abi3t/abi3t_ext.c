/* abi3t_ext.c -- an extension built once for abi3t (CPython 3.15's real
 * headers, Py_TARGET_ABI3T=0x030f0000; PEP 803): PyObject is opaque, and its
 * Py_INCREF, Py_DECREF, Py_SET_REFCNT and Py_REFCNT are calls to the
 * functions the runtime exports (cases/abi3t/pyapi.h). The same file is
 * loaded into the GIL 3.15 runtime and the free-threaded 3.15t one
 * (cases/abi3t/runtime.c); its undefined symbols are checked apart
 * (cmake/abi3t-symbols.cmake). */
#include <Python.h>

#include "export.h"

#if !defined(_Py_OPAQUE_PYOBJECT) || PY_VERSION_HEX < 0x030F0000
#error "this extension is built for abi3t: CPython 3.15's headers with Py_TARGET_ABI3T"
#endif

HARNESS_EXPORT void abi3t_incref(PyObject *op);
HARNESS_EXPORT void abi3t_decref(PyObject *op);
HARNESS_EXPORT void abi3t_set_refcnt(PyObject *op, Py_ssize_t refcnt);
HARNESS_EXPORT Py_ssize_t abi3t_refcnt(PyObject *op);

void abi3t_incref(PyObject *op) { Py_INCREF(op); }
void abi3t_decref(PyObject *op) { Py_DECREF(op); }
void abi3t_set_refcnt(PyObject *op, Py_ssize_t refcnt) { Py_SET_REFCNT(op, refcnt); }
Py_ssize_t abi3t_refcnt(PyObject *op) { return Py_REFCNT(op); }

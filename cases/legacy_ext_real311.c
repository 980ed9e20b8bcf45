/* legacy_ext_real311.c -- the legacy extension built against CPython 3.11's
 * real headers with the stable ABI (Py_LIMITED_API 3.11), so that its
 * Py_INCREF/Py_DECREF are 3.11's own inline ++/-- on ob_refcnt. Loaded by
 * the cases running on the real 3.13, 3.14 and 3.15 headers
 * (harness_case_families legacy_abi); _Py_Dealloc comes from the runtime.
 * Built with -fwrapv, as CPython and its extensions are, so that the
 * wrap-around a long legacy walk reaches is defined. */
#define Py_LIMITED_API 0x030B0000
#include <Python.h>

#include "export.h"

#if PY_VERSION_HEX >= 0x030C0000
#error "this extension stands for one built with 3.11 headers"
#endif

HARNESS_EXPORT void legacy_incref(void *op);
HARNESS_EXPORT void legacy_decref(void *op);
HARNESS_EXPORT void legacy_advance(void *op, int64_t n);

void legacy_incref(void *op) { Py_INCREF((PyObject *)op); }
void legacy_decref(void *op) { Py_DECREF((PyObject *)op); }

/* The net effect of n unbalanced Py_INCREFs (n < 0: Py_DECREFs) that never
 * pass through zero, in one step (see legacy_ext.c). */
void legacy_advance(void *op, int64_t n) { ((PyObject *)op)->ob_refcnt += (Py_ssize_t)n; }

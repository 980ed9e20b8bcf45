/* fake_compat.h -- the self-test's fake binding copy (../../README.md): its
 * own definitions are guarded by version, as a compat header's are. */
#ifndef FAKE_COMPAT_H
#define FAKE_COMPAT_H
#include "fake_other.h"

/* Its own before 3.14; from 3.14 a call of CPython's, which is not. */
static inline int fake_try_inc_ref(PyObject *op)
{
#if PY_VERSION_HEX < 0x030E0000
    Py_INCREF(op);
    return 1;
#else
    return PyUnstable_TryIncRef(op);
#endif
}

#if defined(Py_GIL_DISABLED) && PY_VERSION_HEX < 0x030E0000
static inline int PyUnstable_Object_IsUniquelyReferenced(PyObject *op) { return Py_REFCNT(op) == 1; }
#endif
#endif

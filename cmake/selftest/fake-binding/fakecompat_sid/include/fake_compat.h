/* fake_compat.h -- the self-test's fake binding copy (../../README.md): its
 * own definitions are guarded by version, as a compat header's are. */
#ifndef FAKE_COMPAT_H
#define FAKE_COMPAT_H
#include "fake_other.h"

#if PY_VERSION_HEX < 0x030E0000
static inline int PyUnstable_TryIncRef(PyObject *op)
{
    Py_INCREF(op);
    return 1;
}
#endif

#if defined(Py_GIL_DISABLED) && PY_VERSION_HEX < 0x030E0000
static inline int PyUnstable_Object_IsUniquelyReferenced(PyObject *op) { return Py_REFCNT(op) == 1; }
#endif
#endif

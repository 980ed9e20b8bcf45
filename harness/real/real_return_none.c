/* real_return_none.c -- Py_RETURN_NONE as an extension built for the
 * limited API of 3.11 (Py_LIMITED_API=0x030B0000) compiles it with these
 * headers (GIL builds: the free-threaded ones refuse the limited API).
 * gh-134989: 3.12 and 3.13.0-3.13.4 return the bare singleton, which a
 * 3.11 runtime, where None is mortal, loses a reference to on every call.
 * _Py_NoneStruct is renamed to this implementation's own (harness/real/
 * CMakeLists.txt), defined here: the case sets its count and watches it. */
#if !defined(Py_LIMITED_API) || Py_LIMITED_API != 0x030B0000
#error "real_return_none.c is an extension for the limited API of 3.11"
#endif
#include <Python.h>

#include "real_impl.h"

PyObject _Py_NoneStruct;

static PyObject *return_none(void) { Py_RETURN_NONE; }

uint8_t *HARNESS_REAL_RETURN_NONE(void) { return (uint8_t *)return_none(); }

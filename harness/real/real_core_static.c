/* real_core_static.c -- PyObject_HEAD_INIT(NULL) as CPython's core compiles
 * it: this translation unit is built with Py_BUILD_CORE, real_impl.c
 * without it (an extension's view). In 3.12 the two differ: the macro is
 * immortal only under Py_BUILD_CORE, an extension's static object gets
 * refcount 1 (fact sheet §2, "Initializers"); from 3.13 they are equal. */
#ifndef Py_BUILD_CORE
#error "real_core_static.c is the core's view: build it with Py_BUILD_CORE"
#endif
#include <Python.h>

#include "real_impl.h"

HARNESS_HEADER_CONSTANTS_BEGIN
const PyObject HARNESS_REAL_CORE_STATIC[1] = { PyObject_HEAD_INIT(NULL) };
HARNESS_HEADER_CONSTANTS_END

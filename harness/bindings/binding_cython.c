/* binding_cython.c -- Cython's uniqueness test as an implementation
 * (harness/refmodel.h) over CPython's real headers of one free-threaded
 * version: the module setup code Cython generates (HARNESS_BINDING_HEADER,
 * ci/harness/cythongen.py) decides in __Pyx_PySequence_ListKeepNew that a
 * list is referenced only by the caller, and may be reused as the new list,
 * when PyList_CheckExact(obj) && Py_REFCNT(obj) == 1. That, as
 * PyUnstable_Object_IsUniquelyReferenced; the case programs take the rest
 * from the base. The macros are binding_c.c's (bindings.cmake sets them). */
#include HARNESS_BINDING_HEADER /* Cython's module setup code: Python.h first */

#include <stdbool.h>
#include <string.h>

#include "binding.h"

#if !defined(Py_GIL_DISABLED)
#error "the Cython copies run on free-threaded builds (docs/implementations.md)"
#endif
#if !defined(HARNESS_OWN___Pyx_PySequence_ListKeepNew)
#error "configure registers a Cython copy only where its uniqueness test reads Py_REFCNT"
#endif

/* libpython's, which the macro names (bindings.cmake renames them to this
 * implementation's own): the list type, which the object is given for the
 * test, and PySequence_List, the copy it makes of a list it does not reuse
 * (NULL here: "not reused"). */
PyTypeObject PyList_Type;
PyObject *PySequence_List(PyObject *o)
{
    (void)o;
    return NULL;
}

/* On a copy of the header with a list type: a list the macro reuses gets
 * the caller's new reference (__Pyx_NewRef), which the object under test
 * must not. */
static bool is_uniquely_referenced(const rm_runtime *rt, const uint8_t *obj)
{
    (void)rt;
    PyObject copy;
    memcpy(&copy, as_object(obj), sizeof copy);
    copy.ob_type = &PyList_Type;
    return __Pyx_PySequence_ListKeepNew(&copy) == &copy;
}

const rm_implementation HARNESS_BINDING_SYMBOL = {
    HARNESS_BINDING_DESCRIPTION,
    .is_uniquely_referenced = is_uniquely_referenced,
};

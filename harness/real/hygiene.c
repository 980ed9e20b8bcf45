/* hygiene.c -- CPython's headers alone, as an extension includes them
 * (harness/real/CMakeLists.txt compiles it under each hygiene variant),
 * with a static object as an extension defines its types and modules: the
 * initializer's constants must fit the target's types too. Under abi3t
 * (3.15, PEP 803: Py_TARGET_ABI3T, or the limited API of a free-threaded
 * build) PyObject is opaque: an extension holds pointers only, and its
 * refcount operations are calls. */
#include <Python.h>

int harness_hygiene(PyObject *op);
#if defined(_Py_OPAQUE_PYOBJECT)
int harness_hygiene(PyObject *op)
{
    Py_INCREF(op);
    Py_DECREF(op);
    return PY_VERSION_HEX > 0 && Py_REFCNT(op) > 0;
}
#else
static PyObject harness_static_object[1] = { PyObject_HEAD_INIT(NULL) };

int harness_hygiene(PyObject *op) { return PY_VERSION_HEX > 0 && op == NULL && Py_TYPE(harness_static_object) == NULL; }
#endif

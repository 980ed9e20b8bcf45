// hygiene.cpp -- CPython's headers alone, as a C++ extension includes them,
// with a static object as such an extension defines its types (see hygiene.c).
#include <Python.h>

static PyObject harness_static_object[1] = { PyObject_HEAD_INIT(NULL) };

int harness_hygiene();
int harness_hygiene() { return PY_VERSION_HEX > 0 && Py_TYPE(harness_static_object) == NULL; }

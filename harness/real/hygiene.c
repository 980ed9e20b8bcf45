/* hygiene.c -- CPython's headers alone, as an extension includes them
 * (harness/real/CMakeLists.txt compiles it under each hygiene variant),
 * with a static object as an extension defines its types and modules: the
 * initializer's constants must fit the target's types too. */
#include <Python.h>

static PyObject harness_static_object[1] = { PyObject_HEAD_INIT(NULL) };

int harness_hygiene(void);
int harness_hygiene(void) { return PY_VERSION_HEX > 0 && Py_TYPE(harness_static_object) == NULL; }

/* inline_probe.c -- Py_INCREF and Py_DECREF as each version's headers
 * inline them, alone in a function each, compiled for a target by its
 * compiler (cases/CMakeLists.txt); ci/results.sh reads the size and the
 * instruction count of each from the object with the target's binutils. */
#include <Python.h>

void harness_probe_incref(PyObject *op);
void harness_probe_decref(PyObject *op);
void harness_probe_incref(PyObject *op) { Py_INCREF(op); }
void harness_probe_decref(PyObject *op) { Py_DECREF(op); }

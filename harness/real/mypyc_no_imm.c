/* mypyc_no_imm.c -- mypyc's CPy_INCREF_NO_IMM (op->ob_refcnt++), compiled
 * alone with free-threaded headers, which have no ob_refcnt: mypy #18459
 * (fixed by PR #19127, which falls back to Py_INCREF there). The case
 * (cmake/expect-compile-error.cmake) passes only if this does not build. */
#include <Python.h>

void harness_mypyc_incref_no_imm(PyObject *op);
void harness_mypyc_incref_no_imm(PyObject *op) { op->ob_refcnt++; }

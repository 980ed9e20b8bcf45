/* facts.c -- the fact sheet's expectations for a real interpreter, as
 * cases/expect.h holds them (the one place they are written), for the data
 * model this module is compiled for: a small abi3 module (CPython 3.11's
 * headers, so that every interpreter loads it) that drive.py asks instead
 * of spelling the values again in Python.
 *
 * facts(version) -> {"data_model", "immortality", "static_refcnt",
 *                    "tolerance": [(object, initial_word, lose_after_decrefs,
 *                                   lose_after_increfs), ...]} */
#define Py_LIMITED_API 0x030B0000
#include <Python.h>

#include "expect.h"

static PyObject *facts(PyObject *self, PyObject *arg)
{
    (void)self;
    const char *version = PyUnicode_AsUTF8AndSize(arg, NULL);
    if (!version)
        return NULL;
    rm_implementation s = { 0 };
    s.name = version;
    s.summary = "a real interpreter (cases/interpreters/drive.py)";
    rm_data_model dm = rm_native_data_model();
    expect_saturation e = expect_saturation_of(&s, dm); /* an unknown version aborts, naming the table */
    expect_tolerance rows[2];
    int n = expect_tolerance_of(&s, dm, rows);
    PyObject *tolerance = PyList_New(0);
    if (!tolerance)
        return NULL;
    for (int i = 0; i < n; i++) {
        PyObject *row = Py_BuildValue("(sKKK)", rows[i].object, (unsigned long long)rows[i].initial_word,
                                      (unsigned long long)rows[i].lose_after_decrefs,
                                      (unsigned long long)rows[i].lose_after_increfs);
        if (!row || PyList_Append(tolerance, row) < 0) {
            Py_XDECREF(row);
            Py_DECREF(tolerance);
            return NULL;
        }
        Py_DECREF(row);
    }
    return Py_BuildValue("{s:s,s:O,s:L,s:N}", "data_model", rm_data_model_name(dm), "immortality",
                         e.immortality ? Py_True : Py_False, "static_refcnt", (long long)e.static_refcnt, "tolerance",
                         tolerance);
}

static PyMethodDef methods[] = {
    { "facts", facts, METH_O, "the fact sheet's expectations of a version on this data model (cases/expect.h)" },
    { NULL, NULL, 0, NULL },
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "harness_facts", NULL, -1, methods, NULL, NULL, NULL, NULL
};

PyMODINIT_FUNC PyInit_harness_facts(void);
PyMODINIT_FUNC PyInit_harness_facts(void) { return PyModule_Create(&module); }

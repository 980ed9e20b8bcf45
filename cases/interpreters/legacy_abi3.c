/* legacy_abi3.c -- a real abi3 extension module built with CPython 3.11's
 * headers and Py_LIMITED_API 3.11, as wheels built for "cp311-abi3" are:
 * its Py_INCREF/Py_DECREF are 3.11's inline ++/-- on ob_refcnt. drive.py
 * imports it into each real interpreter on the machine and drives
 * unbalanced increments on None and small ints from it. */
#define Py_LIMITED_API 0x030B0000
#include <Python.h>

static void incref_once(PyObject *obj) { Py_INCREF(obj); }
static void decref_once(PyObject *obj) { Py_DECREF(obj); }

/* (obj, n): n of op on obj, then None. */
static PyObject *repeat(PyObject *args, void (*op)(PyObject *))
{
    PyObject *obj;
    long long n;
    if (!PyArg_ParseTuple(args, "OL", &obj, &n))
        return NULL;
    for (long long i = 0; i < n; i++)
        op(obj);
    Py_INCREF(Py_None);
    return Py_None;
}

static PyObject *legacy_incref(PyObject *self, PyObject *args)
{
    (void)self;
    return repeat(args, incref_once);
}

static PyObject *legacy_decref(PyObject *self, PyObject *args)
{
    (void)self;
    return repeat(args, decref_once);
}

/* The whole ob_refcnt as 3.11's inline Py_REFCNT reads it: the raw word. */
static PyObject *legacy_refcnt(PyObject *self, PyObject *obj)
{
    (void)self;
    return PyLong_FromSsize_t(Py_REFCNT(obj));
}

static PyMethodDef methods[] = {
    { "refcnt", legacy_refcnt, METH_O, "ob_refcnt as 3.11's inline Py_REFCNT reads it" },
    { "incref", legacy_incref, METH_VARARGS, "n legacy Py_INCREFs on obj (3.11 inline ++)" },
    { "decref", legacy_decref, METH_VARARGS, "n legacy Py_DECREFs on obj (3.11 inline --)" },
    { NULL, NULL, 0, NULL },
};

static struct PyModuleDef module = { PyModuleDef_HEAD_INIT, "legacy_abi3", NULL, -1, methods, NULL, NULL, NULL, NULL };

PyMODINIT_FUNC PyInit_legacy_abi3(void);
PyMODINIT_FUNC PyInit_legacy_abi3(void) { return PyModule_Create(&module); }

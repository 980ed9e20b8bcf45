/* calls_ext.c -- a real extension module whose reference counting is the
 * runtime's exported functions (fact sheet §9): built with CPython 3.13's
 * headers for Py_LIMITED_API 3.12 (Py_INCREF/Py_DECREF call _Py_IncRef/
 * _Py_DecRef), and with 3.15's for abi3t (Py_TARGET_ABI3T: every operation
 * is a call, and PyObject is opaque). Under abi3t there is no PyModuleDef:
 * the module exports PyModExport_<name>, its slots (PEP 793). drive.py
 * imports each into the interpreters the stable ABI promises it to and
 * holds its operations to the interpreter's own. CALLS_MODULE names it. */
#include <Python.h>

#ifndef CALLS_MODULE
#error "CALLS_MODULE names the module (cases/CMakeLists.txt)"
#endif
#if !defined(Py_LIMITED_API)
#error "built for the limited API or abi3t"
#endif
#define CALLS_STRINGIFY(x) #x
#define CALLS_NAME(x) CALLS_STRINGIFY(x)
#define CALLS_JOIN(a, b) a##b
#define CALLS_INIT(prefix, name) CALLS_JOIN(prefix, name)

/* (obj, n): n of op on obj, then None. */
static PyObject *repeat(PyObject *args, int incref)
{
    PyObject *obj;
    long long n;
    if (!PyArg_ParseTuple(args, "OL", &obj, &n))
        return NULL;
    for (long long i = 0; i < n; i++) {
        if (incref)
            Py_INCREF(obj);
        else
            Py_DECREF(obj);
    }
    Py_RETURN_NONE;
}

static PyObject *calls_incref(PyObject *self, PyObject *args)
{
    (void)self;
    return repeat(args, 1);
}

static PyObject *calls_decref(PyObject *self, PyObject *args)
{
    (void)self;
    return repeat(args, 0);
}

static PyObject *calls_refcnt(PyObject *self, PyObject *obj)
{
    (void)self;
    return PyLong_FromSsize_t(Py_REFCNT(obj));
}

/* The limited API these headers compiled for, and whether PyObject was opaque. */
static PyObject *calls_built_for(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
#ifdef _Py_OPAQUE_PYOBJECT
    int opaque = 1;
#else
    int opaque = 0;
#endif
    return Py_BuildValue("(kki)", (unsigned long)PY_VERSION_HEX, (unsigned long)Py_LIMITED_API, opaque);
}

static PyMethodDef methods[] = {
    { "incref", calls_incref, METH_VARARGS, "n Py_INCREFs on obj, as these headers compile them" },
    { "decref", calls_decref, METH_VARARGS, "n Py_DECREFs on obj, as these headers compile them" },
    { "refcnt", calls_refcnt, METH_O, "Py_REFCNT, as these headers compile it" },
    { "built_for", calls_built_for, METH_NOARGS, "(PY_VERSION_HEX, Py_LIMITED_API, opaque PyObject)" },
    { NULL, NULL, 0, NULL },
};

#ifdef _Py_OPAQUE_PYOBJECT
PyABIInfo_VAR(abi_info);
static PySlot slots[] = {
    PySlot_DATA(Py_mod_name, CALLS_NAME(CALLS_MODULE)),
    PySlot_PTR_STATIC(Py_mod_methods, methods), /* the runtime keeps the pointer */
    PySlot_DATA(Py_mod_abi, &abi_info),
    PySlot_END,
};
PyMODEXPORT_FUNC CALLS_INIT(PyModExport_, CALLS_MODULE)(void);
PyMODEXPORT_FUNC CALLS_INIT(PyModExport_, CALLS_MODULE)(void) { return slots; }
#else
static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, CALLS_NAME(CALLS_MODULE), NULL, -1, methods, NULL, NULL, NULL, NULL
};
PyMODINIT_FUNC CALLS_INIT(PyInit_, CALLS_MODULE)(void);
PyMODINIT_FUNC CALLS_INIT(PyInit_, CALLS_MODULE)(void) { return PyModule_Create(&module); }
#endif

/* legacy_abi3.c -- a real abi3 extension module built with CPython 3.11's
 * headers and Py_LIMITED_API 3.11, as wheels built for "cp311-abi3" are:
 * its Py_INCREF/Py_DECREF are 3.11's inline ++/-- on ob_refcnt. drive.py
 * imports it into each real interpreter (the host's and Debian's, under
 * each target's emulator) and drives unbalanced increments on None and
 * small ints from it; probe() reaches the fact sheet's tolerance bounds by
 * storing the count next to one and stepping over it. */
#define Py_LIMITED_API 0x030B0000
#include <Python.h>

#include <dlfcn.h>

static void incref_once(PyObject *obj) { Py_INCREF(obj); }
static void decref_once(PyObject *obj) { Py_DECREF(obj); }

/* (obj, n): n of op on obj, then 0. */
static PyObject *repeat(PyObject *args, void (*op)(PyObject *))
{
    PyObject *obj;
    long long n;
    if (!PyArg_ParseTuple(args, "OL", &obj, &n))
        return NULL;
    for (long long i = 0; i < n; i++)
        op(obj);
    return PyLong_FromLong(0); /* not None: a legacy ++ on it would add one to a count being driven */
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

/* The runtime's own verdict on an object, without the interpreter touching
 * it in between: its exported PyUnstable_IsImmortal where it has one (3.14+),
 * -1 elsewhere. */
static int runtime_is_immortal(PyObject *obj)
{
    int (*is_immortal)(PyObject *) = NULL;
    *(void **)&is_immortal = dlsym(RTLD_DEFAULT, "PyUnstable_IsImmortal");
    return is_immortal ? is_immortal(obj) : -1;
}

/* (obj, start, ops): stores the whole word START in obj's ob_refcnt, does
 * |ops| legacy increments (ops > 0) or decrements (ops < 0), and reads what
 * they left; then asks the runtime: PyUnstable_IsImmortal, and whether its
 * own Py_DecRef changes the word (it does not for an object it holds
 * immortal; a decrement first, so that no state stepped to here reaches a
 * deallocation: the lowest is a low word of 0, which a 3.14 64-bit decref
 * takes to 0xFFFFFFFF). Everything happens in this one call and the word
 * the call began with is stored back before it returns, so the
 * interpreter's own references around the call balance as before.
 * Returns (word after the legacy ops, word after the runtime's Py_DecRef,
 * PyUnstable_IsImmortal or -1). */
static PyObject *legacy_probe(PyObject *self, PyObject *args)
{
    PyObject *obj;
    long long start, ops;
    (void)self;
    if (!PyArg_ParseTuple(args, "OLL", &obj, &start, &ops))
        return NULL;
    Py_ssize_t kept = obj->ob_refcnt;
    obj->ob_refcnt = (Py_ssize_t)start;
    for (long long i = 0; i < ops; i++)
        Py_INCREF(obj);
    for (long long i = 0; i > ops; i--)
        Py_DECREF(obj); /* never reaches 0 here: dealloc would need it */
    Py_ssize_t stepped = obj->ob_refcnt;
    int immortal = runtime_is_immortal(obj);
    Py_DecRef(obj);
    Py_ssize_t after_decref = obj->ob_refcnt;
    obj->ob_refcnt = kept;
    return Py_BuildValue("(nni)", stepped, after_decref, immortal);
}

/* (obj, word): stores the whole word, as legacy code that stepped there
 * would leave it; for the end of a run, where the interpreter then goes on
 * with the object so. */
static PyObject *legacy_store(PyObject *self, PyObject *args)
{
    PyObject *obj;
    long long word;
    (void)self;
    if (!PyArg_ParseTuple(args, "OL", &obj, &word))
        return NULL;
    obj->ob_refcnt = (Py_ssize_t)word;
    return PyLong_FromLong(0); /* as repeat() */
}

/* The runtime's verdict on obj as it is (see runtime_is_immortal). */
static PyObject *legacy_runtime_is_immortal(PyObject *self, PyObject *obj)
{
    (void)self;
    return PyLong_FromLong(runtime_is_immortal(obj));
}

static PyMethodDef methods[] = {
    { "probe", legacy_probe, METH_VARARGS, "(obj, start, ops): step from a stored count, ask the runtime, restore" },
    { "store", legacy_store, METH_VARARGS, "(obj, word): store the whole ob_refcnt" },
    { "runtime_is_immortal", legacy_runtime_is_immortal, METH_O, "PyUnstable_IsImmortal, or -1 where absent" },
    { "refcnt", legacy_refcnt, METH_O, "ob_refcnt as 3.11's inline Py_REFCNT reads it" },
    { "incref", legacy_incref, METH_VARARGS, "n legacy Py_INCREFs on obj (3.11 inline ++)" },
    { "decref", legacy_decref, METH_VARARGS, "n legacy Py_DECREFs on obj (3.11 inline --)" },
    { NULL, NULL, 0, NULL },
};

static struct PyModuleDef module = { PyModuleDef_HEAD_INIT, "legacy_abi3", NULL, -1, methods, NULL, NULL, NULL, NULL };

PyMODINIT_FUNC PyInit_legacy_abi3(void);
PyMODINIT_FUNC PyInit_legacy_abi3(void) { return PyModule_Create(&module); }

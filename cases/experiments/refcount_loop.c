/* refcount_loop.c -- the cost of the immortality check, measured on
 * CPython's real inline Py_INCREF/Py_DECREF (built once per version by
 * cases/CMakeLists.txt, with that version's headers):
 *
 *   refcount_loop mortal|immortal
 *
 * runs ROUNDS x (an incref, then a decref, of each of OBJECTS objects) in
 * harness_refcount_loop, which ci/results.sh counts instructions of with
 * callgrind (--toggle-collect). No object reaches zero. */
#include <Python.h>
#include <stdlib.h>
#include <string.h>

enum { OBJECTS = 1000, ROUNDS = 1000 };

/* Never reached (counts stay >= 1); here because Py_DECREF names them. */
void _Py_Dealloc(PyObject *op) { (void)op, abort(); }
#if defined(Py_GIL_DISABLED)
void _Py_DecRefShared(PyObject *op) { (void)op, abort(); }
void _Py_MergeZeroLocalRefcount(PyObject *op) { (void)op, abort(); }
uintptr_t _Py_GetThreadLocal_Addr(void)
{
    static _Thread_local char here;
    return (uintptr_t)&here;
}
#endif

__attribute__((noinline)) void harness_refcount_loop(PyObject **objs, size_t n, int rounds);
__attribute__((noinline)) void harness_refcount_loop(PyObject **objs, size_t n, int rounds)
{
    for (int r = 0; r < rounds; r++) {
        for (size_t i = 0; i < n; i++)
            Py_INCREF(objs[i]);
        for (size_t i = 0; i < n; i++)
            Py_DECREF(objs[i]);
    }
}

int main(int argc, char **argv)
{
    int immortal = argc > 1 && !strcmp(argv[1], "immortal");
    PyObject *heap = calloc(OBJECTS, sizeof(PyObject));
    PyObject **objs = malloc(OBJECTS * sizeof *objs);
    if (!heap || !objs)
        return 1;
    for (size_t i = 0; i < OBJECTS; i++) {
        objs[i] = &heap[i];
#if defined(Py_GIL_DISABLED)
        heap[i].ob_tid = _Py_ThreadId();
        heap[i].ob_ref_local = immortal ? _Py_IMMORTAL_REFCNT_LOCAL : 1;
#elif PY_VERSION_HEX >= 0x030c0000
        if (immortal) {
            static const PyObject immortal_header[1] = { PyObject_HEAD_INIT(NULL) };
            heap[i] = immortal_header[0];
        } else {
            Py_SET_REFCNT(&heap[i], 1);
        }
#else
        Py_SET_REFCNT(&heap[i], immortal ? 999999999 : 1);
#endif
    }
    harness_refcount_loop(objs, OBJECTS, ROUNDS);
    free(objs);
    free(heap);
    return 0;
}

/* abi3t_opaque.c -- what an extension cannot do under abi3t (3.15, PEP 803:
 * Py_TARGET_ABI3T hides the object header), one expected compile failure
 * per HARNESS_OPAQUE value (harness/real/CMakeLists.txt registers each with
 * the diagnostic it must stop with). Compiled without -Werror: each must be
 * an error of its own, not a warning made one. */
#include <Python.h>
#include <stddef.h>

#if HARNESS_OPAQUE == 1 /* sizeof(PyObject): an incomplete type */
size_t harness_opaque(void);
size_t harness_opaque(void) { return sizeof(PyObject); }
#elif HARNESS_OPAQUE == 2 /* PyObject_HEAD: not defined, so no object struct */
typedef struct harness_object {
    PyObject_HEAD int value;
} harness_object;
#elif HARNESS_OPAQUE == 3 /* PyObject_HEAD_INIT: not defined (named bare, so that the error names it
                           * rather than a non-constant initializer of an implicit call) */
static void *harness_opaque[4] = { PyObject_HEAD_INIT };
#elif HARNESS_OPAQUE == 4 /* PyModuleDef_HEAD_INIT: not defined (abi3t modules export slots, PEP 793) */
static void *harness_opaque[8] = { PyModuleDef_HEAD_INIT };
#elif HARNESS_OPAQUE == 5 /* _Py_IsImmortal: not declared (an implicit declaration would only warn) */
void harness_opaque(void);
void harness_opaque(void) { (void)&_Py_IsImmortal; }
#elif HARNESS_OPAQUE == 6 /* ->ob_refcnt: no member of an incomplete type */
Py_ssize_t harness_opaque(PyObject *op);
Py_ssize_t harness_opaque(PyObject *op) { return op->ob_refcnt; }
#elif HARNESS_OPAQUE == 7 /* _Py_IMMORTAL_INITIAL_REFCNT: not defined */
unsigned long long harness_opaque(void);
unsigned long long harness_opaque(void) { return _Py_IMMORTAL_INITIAL_REFCNT; }
#elif HARNESS_OPAQUE == 8 /* Py_TARGET_ABI3T below 3.15: Python.h's #error (the build sets 0x030e0000) */
int harness_opaque(void);
int harness_opaque(void) { return 0; }
#else
#error "HARNESS_OPAQUE names the case (1 to 8)"
#endif

/* oracle.c -- the model's side of the libpython oracle (drive.py --oracle):
 * what the harness's model of a version does to an object header, for the
 * functions libpython exports, so that each real interpreter can hold the
 * model to its own libpython, byte for byte, from the same start state:
 * _Py_IncRef, _Py_DecRef, _Py_SetRefcnt, Py_REFCNT, _Py_SetImmortal and
 * PyUnstable_SetImmortal. A shared library for ctypes, built per target
 * (the model of this data model). */
#include <string.h>

#include "expect.h"
#include "export.h"
#include "refmodel.h"

HARNESS_EXPORT int harness_oracle_header_size(const char *version);
HARNESS_EXPORT int harness_oracle_apply(const char *version, const char *operation, unsigned char *header,
                                        long long argument, long long *result);

/* sizeof(PyObject) of VERSION's model on this data model; -1 for a version
 * the model does not have. */
int harness_oracle_header_size(const char *version)
{
    const rm_implementation *s = rm_find_implementation(version);
    return s ? s->layout(rm_native_data_model()).object_size : -1;
}

/* Applies OPERATION of VERSION's model to HEADER (sizeof(PyObject) bytes, in
 * place), with ARGUMENT (set_refcnt: the count; unstable_set_immortal:
 * whether the object is a str), and stores what the function returns
 * (Py_REFCNT: the count; PyUnstable_SetImmortal: 1 or 0; else 0) in RESULT.
 * Returns 0, 1 if the operation deallocated the object, or -1 for an
 * unknown version or operation, or one the model has no code for. */
int harness_oracle_apply(const char *version, const char *operation, unsigned char *header, long long argument,
                         long long *result)
{
    const rm_implementation *s = rm_find_implementation(version);
    if (!s)
        return -1;
    rm_runtime rt;
    rm_runtime_init(&rt, rm_native_data_model(), 1);
    uint8_t *obj = header;
    *result = 0;
    if (!strcmp(operation, "_Py_IncRef"))
        s->incref(&rt, obj);
    else if (!strcmp(operation, "_Py_DecRef"))
        s->decref(&rt, obj);
    else if (!strcmp(operation, "_Py_SetRefcnt"))
        s->set_refcnt(&rt, obj, argument);
    else if (!strcmp(operation, "Py_REFCNT"))
        *result = s->refcnt(&rt, obj);
    else if (!strcmp(operation, "_Py_SetImmortal"))
        s->immortalize(&rt, obj);
    else if (!strcmp(operation, "PyUnstable_SetImmortal")) {
        /* 3.15's, as the regressions case models it from the fact sheet (§9):
         * it refuses an object that is not uniquely referenced, or a str,
         * and otherwise leaves what _Py_SetImmortal leaves. */
        if (!s->is_uniquely_referenced)
            return -1;
        *result = expect_unstable_set_immortal_accepts(s->is_uniquely_referenced(&rt, obj), argument != 0);
        if (*result)
            s->immortalize(&rt, obj);
    } else
        return -1;
    return rt.deallocs ? 1 : 0;
}

/* as_object.h -- the cases' object storage as CPython's PyObject, for the
 * code compiled against real headers (real_impl.c, the binding libraries'
 * adapters in harness/bindings/), after Python.h. The storage has no
 * declared type (case_object(), mapped pages), so it may be accessed as a
 * PyObject once it has PyObject's alignment, which a misaligned start would
 * silently break on strict-alignment targets: checked, loudly. Where
 * PyObject is opaque (HARNESS_PYOBJECT_OPAQUE: binding_rust.c), the caller
 * gives the alignment. */
#ifndef HARNESS_AS_OBJECT_H
#define HARNESS_AS_OBJECT_H

#ifdef __cplusplus
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#define HARNESS_PYOBJECT_ALIGN alignof(PyObject)
#define HARNESS_PYOBJECT_FROM(p) reinterpret_cast<PyObject *>(p)
#else
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#define HARNESS_PYOBJECT_ALIGN _Alignof(PyObject)
#define HARNESS_PYOBJECT_FROM(p) (PyObject *)(p)
#endif

/* OBJ's address, checked to be a multiple of ALIGN, PyObject's alignment;
 * WHO (the implementation) names it if it is not. */
static inline uintptr_t harness_aligned_object(const uint8_t *obj, size_t align, const char *who)
{
    uintptr_t at = (uintptr_t)obj;
    if (at % align != 0) {
        fprintf(stderr, "harness: %s given a PyObject at %p, not %u-aligned\n", who, (const void *)obj,
                (unsigned)align);
        abort();
    }
    return at;
}

/* OBJ as a PyObject, with the alignment of the PyObject compiled here. */
#if !defined(HARNESS_PYOBJECT_OPAQUE)
static inline PyObject *harness_as_object(const uint8_t *obj, const char *who)
{
    return HARNESS_PYOBJECT_FROM(harness_aligned_object(obj, HARNESS_PYOBJECT_ALIGN, who));
}
#endif

#endif

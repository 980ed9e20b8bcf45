/* real_impl.c -- an implementation (harness/refmodel.h's rm_implementation) whose
 * refcount operations are CPython's own inline code, from the real headers
 * of one version, built for this target with the target's pyconfig.h.
 * Compiled once per version (harness/real/CMakeLists.txt), with
 *   HARNESS_REAL_SYMBOL  the name of the rm_implementation this file defines
 *   HARNESS_REAL_VERSION  the version whose expectations apply ("3.14", ...)
 *   HARNESS_REAL_ORIGIN  where the headers came from, for the reports.
 *
 * Py_INCREF, Py_DECREF, Py_REFCNT, Py_SET_REFCNT, _Py_IsImmortal,
 * _Py_IsStaticImmortal and PyObject_HEAD_INIT are the headers' own. What is
 * not in the headers is runtime code in libpython; the harness does what
 * it does, and says so:
 *   - _Py_Dealloc, and the free-threaded slow paths _Py_DecRefShared and
 *     _Py_MergeZeroLocalRefcount, record into the runtime of the caller
 *     (the slow paths are the model's). They are defined below under names
 *     of this implementation's own (harness/real/CMakeLists.txt renames
 *     them), so that each is declared once, by these headers, with their
 *     PyObject;
 *   - free-threaded ownership is the real _Py_ThreadId(), which the runtimes
 *     for this implementation carry (rm_implementation.thread_id);
 *   - immortalize: Objects/object.c's _Py_SetImmortalUntracked, with the
 *     headers' public constants (3.11 had none: its core objects were
 *     statically 999999999);
 *   - new_reference: _Py_NewReference's refcount store.
 * A static PyObject_HEAD_INIT comes in both origins the cases ask for: an
 * extension's (this file, without Py_BUILD_CORE) and the core's
 * (real_core_static.c, with it); they differ in 3.12 only.
 * Only this target's data model exists here (RM_NATIVE_ONLY). */
#include <Python.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "implementations.h"
#include "real/as_object.h"
#include "real_impl.h"
#include "refmodel.h"

#if PY_VERSION_HEX < 0x030b0000
#error "the harness knows the headers of CPython 3.11 and later"
#endif
#if defined(Py_LIMITED_API)
#error "the implementation is CPython's own inline code: build it without Py_LIMITED_API"
#endif
#if defined(Py_GIL_DISABLED) && PY_VERSION_HEX < 0x030d0000
#error "free-threaded headers start with 3.13"
#endif

/* The real code needs a real, aligned PyObject (real/as_object.h). */
static PyObject *as_object(const uint8_t *obj)
{
    return harness_as_object(obj, "real " HARNESS_REAL_VERSION " headers");
}

#define FIELD(type, member)                                                                                            \
    {                                                                                                                  \
        (uint8_t) offsetof(type, member), (uint8_t)sizeof(((type *)0)->member)                                         \
    }

static rm_layout layout(rm_data_model dm)
{
    (void)dm; /* RM_NATIVE_ONLY: always this target's */
    rm_layout l;
    memset(&l, 0, sizeof l);
    l.object_size = sizeof(PyObject);
    l.var_object_size = sizeof(PyVarObject);
    l.align = _Alignof(PyObject);
    l.field[RM_F_TYPE] = (rm_field)FIELD(PyObject, ob_type);
    l.field[RM_F_SIZE] = (rm_field)FIELD(PyVarObject, ob_size);
#if defined(Py_GIL_DISABLED)
    l.field[RM_F_TID] = (rm_field)FIELD(PyObject, ob_tid);
#if PY_VERSION_HEX >= 0x030e0000
    l.field[RM_F_FLAGS] = (rm_field)FIELD(PyObject, ob_flags);
#else
    l.field[RM_F_FLAGS] = (rm_field)FIELD(PyObject, _padding); /* ob_flags from 3.14 */
#endif
    l.field[RM_F_MUTEX] = (rm_field)FIELD(PyObject, ob_mutex);
    l.field[RM_F_GC_BITS] = (rm_field)FIELD(PyObject, ob_gc_bits);
    l.field[RM_F_REF_LOCAL] = (rm_field)FIELD(PyObject, ob_ref_local);
    l.field[RM_F_COUNT_WORD] = l.field[RM_F_REF_LOCAL];
    l.field[RM_F_REF_SHARED] = (rm_field)FIELD(PyObject, ob_ref_shared);
#elif PY_VERSION_HEX >= 0x030e0000 && SIZEOF_VOID_P > 4
    l.field[RM_F_REFCNT] = (rm_field)FIELD(PyObject, ob_refcnt_full);
    l.field[RM_F_COUNT_WORD] = (rm_field)FIELD(PyObject, ob_refcnt);
    l.field[RM_F_OVERFLOW] = (rm_field)FIELD(PyObject, ob_overflow);
    l.field[RM_F_FLAGS] = (rm_field)FIELD(PyObject, ob_flags);
#else
    l.field[RM_F_REFCNT] = (rm_field)FIELD(PyObject, ob_refcnt);
#if PY_VERSION_HEX >= 0x030c0000 && SIZEOF_VOID_P > 4
    /* ob_refcnt_split[PY_BIG_ENDIAN]: the half that counts. */
    l.field[RM_F_COUNT_WORD] = (rm_field){ (uint8_t)(offsetof(PyObject, ob_refcnt_split) + 4 * PY_BIG_ENDIAN), 4 };
#else
    /* 3.11 has no split member; the low 32 bits, as the model counts them. */
    l.field[RM_F_COUNT_WORD] = (rm_field){ (uint8_t)(SIZEOF_VOID_P > 4 && PY_BIG_ENDIAN ? 4 : 0), 4 };
#endif
#endif
    return l;
}

/* An extension's PyObject_HEAD_INIT; the core's is in real_core_static.c. */
HARNESS_HEADER_CONSTANTS_BEGIN
static const PyObject extension_static[1] = { PyObject_HEAD_INIT(NULL) };
HARNESS_HEADER_CONSTANTS_END

static void init_static(const rm_runtime *rt, uint8_t *obj, rm_origin origin)
{
    (void)rt;
    memcpy(as_object(obj), origin == RM_ORIGIN_CORE ? HARNESS_REAL_CORE_STATIC : extension_static, sizeof(PyObject));
}

void _Py_Dealloc(PyObject *op) { rm_record_dealloc(harness_active_runtime("_Py_Dealloc"), (uint8_t *)op); }

#if defined(Py_GIL_DISABLED)
void _Py_DecRefShared(PyObject *op) { rm_ft_decref_shared(harness_active_runtime("_Py_DecRefShared"), (uint8_t *)op); }
void _Py_MergeZeroLocalRefcount(PyObject *op)
{
    rm_ft_merge_zero_local(harness_active_runtime("_Py_MergeZeroLocalRefcount"), (uint8_t *)op);
}

static uint64_t thread_id(void) { return (uint64_t)_Py_ThreadId(); }
#define THREAD_ID thread_id
#else
#define THREAD_ID NULL
#endif

static void new_reference(const rm_runtime *rt, uint8_t *obj)
{
    (void)rt;
    PyObject *op = as_object(obj);
    memset(op, 0, sizeof *op);
#if defined(Py_GIL_DISABLED)
    op->ob_tid = _Py_ThreadId();
    op->ob_ref_local = 1;
#elif PY_VERSION_HEX >= 0x030e0000 && SIZEOF_VOID_P > 4
    op->ob_refcnt_full = 1; /* also clears ob_flags, as _Py_NewReference does */
#else
    op->ob_refcnt = 1;
#endif
}

static void immortalize(rm_runtime *rt, uint8_t *obj)
{
    (void)rt;
    PyObject *op = as_object(obj);
#if PY_VERSION_HEX >= 0x030e0000
    if (_Py_IsImmortal(op))
        return; /* 3.14+: a static immortal keeps its flags */
#endif
#if PY_VERSION_HEX < 0x030c0000
    op->ob_refcnt = 999999999; /* 3.11's _PyObject_IMMORTAL_INIT value */
#elif defined(Py_GIL_DISABLED)
    op->ob_tid = 0;
    op->ob_ref_local = _Py_IMMORTAL_REFCNT_LOCAL;
    op->ob_ref_shared = 0;
#if PY_VERSION_HEX >= 0x030e0000
    op->ob_gc_bits |= 64; /* _PyGC_BITS_DEFERRED (internal/pycore_gc.h) */
#endif
#elif PY_VERSION_HEX >= 0x030e0000 && SIZEOF_VOID_P > 4
    op->ob_flags = _Py_IMMORTAL_FLAGS;
    op->ob_refcnt = (uint32_t)_Py_IMMORTAL_INITIAL_REFCNT;
#elif PY_VERSION_HEX >= 0x030e0000
    op->ob_refcnt = _Py_IMMORTAL_INITIAL_REFCNT;
#else
    op->ob_refcnt = _Py_IMMORTAL_REFCNT;
#endif
}

static void incref(rm_runtime *rt, uint8_t *obj)
{
    harness_dealloc_runtime = rt;
    Py_INCREF(as_object(obj));
}

static void decref(rm_runtime *rt, uint8_t *obj)
{
    harness_dealloc_runtime = rt;
    Py_DECREF(as_object(obj));
}

static bool is_immortal(const rm_runtime *rt, const uint8_t *obj)
{
    (void)rt;
#if PY_VERSION_HEX >= 0x030c0000
    return _Py_IsImmortal(as_object(obj));
#else
    (void)obj;
    return false;
#endif
}

#if PY_VERSION_HEX >= 0x030e0000
static bool is_static_immortal(const rm_runtime *rt, const uint8_t *obj)
{
    (void)rt;
    return _Py_IsStaticImmortal(as_object(obj));
}
#define IS_STATIC_IMMORTAL is_static_immortal
#else
#define IS_STATIC_IMMORTAL NULL
#endif

static int64_t refcnt(const rm_runtime *rt, const uint8_t *obj)
{
    (void)rt;
    return Py_REFCNT(as_object(obj));
}

static void set_refcnt(rm_runtime *rt, uint8_t *obj, int64_t n)
{
    harness_dealloc_runtime = rt;
    Py_SET_REFCNT(as_object(obj), (Py_ssize_t)n);
}

const rm_implementation HARNESS_REAL_SYMBOL = {
    .name = HARNESS_REAL_VERSION,
    .summary = "CPython " PY_VERSION " headers (" HARNESS_REAL_ORIGIN ")",
    .flags =
#if PY_VERSION_HEX >= 0x030c0000
        RM_HAS_IMMORTALITY |
#endif
#if defined(Py_GIL_DISABLED)
        RM_FREE_THREADED |
#endif
        RM_NATIVE_ONLY,
    .layout = layout,
    .init_static = init_static,
    .new_reference = new_reference,
    .immortalize = immortalize,
    .incref = incref,
    .decref = decref,
    .is_immortal = is_immortal,
    .is_static_immortal = IS_STATIC_IMMORTAL,
    .refcnt = refcnt,
    .set_refcnt = set_refcnt,
    .thread_id = THREAD_ID,
    .version_hex = PY_VERSION_HEX,
#if !defined(Py_GIL_DISABLED)
    .return_none_limited_311 = HARNESS_REAL_RETURN_NONE,
#endif
};

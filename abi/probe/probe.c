/* probe.c -- one implementation's ABI manifest, measured by the target's
 * compiler at compile time: nothing here runs, so targets that can only be
 * compiled (the MSVC ABI, 32-bit Windows) get a manifest too.
 *
 * The object file carries three records that the audit (ci/harness/audit.py)
 * reads back and writes as JSON (docs/abi-audit.md):
 *   - a table of (key, 16 hex digits) entries between two marker entries:
 *     sizes, alignments and offsets of PyObject and PyVarObject and of every
 *     refcount-related field, the counting word, the data model, the
 *     constants the headers define;
 *   - the bytes of a static PyObject_HEAD_INIT(NULL) header, after a
 *     16-byte tag;
 *   - the bytes of a runtime-immortalised header (what
 *     _Py_SetImmortalUntracked stores, from the headers' constants), after
 *     its tag.
 * Compiled against CPython's real headers (HARNESS_PROBE_REAL) or the
 * model's declarations (abi/probe/model_python.h): the same code measures
 * both. Under abi3t (3.15's Py_TARGET_ABI3T) PyObject is opaque: the record
 * says so, with the module structs an abi3t extension still sees, and has
 * no header images. From 3.15 a fourth record: a PySlot whose sl_ptr is 1,
 * after its tag, so that the audit sees which half of sl_uint64 it fills.  With HARNESS_PROBE_EXPORTS it is also the shared library that
 * libabigail's abidw describes: functions that take the header types. */
#if defined(HARNESS_PROBE_REAL)
#include <Python.h>
#else
#include "model_python.h"
#endif
#include <stddef.h>
#include <stdint.h>

#include "export.h"
#include "header_constants.h"

#define PROBE_64 (SIZEOF_VOID_P > 4)
#define PROBE_AT_LEAST(minor) (PY_VERSION_HEX >= (0x03000000 | ((minor) << 16)))

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define PROBE_COMPILER_BIG_ENDIAN 1
#else
#define PROBE_COMPILER_BIG_ENDIAN 0
#endif

typedef struct probe_entry {
    char key[48];
    char value[17]; /* 16 lower-case hex digits and a NUL */
} probe_entry;

#define PROBE_NIBBLE(v, s) ((unsigned)(((uint64_t)(v) >> (s)) & 15u))
#define PROBE_HEX(v, s) (char)(PROBE_NIBBLE(v, s) < 10 ? '0' + PROBE_NIBBLE(v, s) : 'a' - 10 + PROBE_NIBBLE(v, s))
#define PROBE_HEX16(v)                                                                                                 \
    {                                                                                                                  \
        PROBE_HEX(v, 60), PROBE_HEX(v, 56), PROBE_HEX(v, 52), PROBE_HEX(v, 48), PROBE_HEX(v, 44), PROBE_HEX(v, 40),    \
            PROBE_HEX(v, 36), PROBE_HEX(v, 32), PROBE_HEX(v, 28), PROBE_HEX(v, 24), PROBE_HEX(v, 20),                  \
            PROBE_HEX(v, 16), PROBE_HEX(v, 12), PROBE_HEX(v, 8), PROBE_HEX(v, 4), PROBE_HEX(v, 0), 0                   \
    }
#define ENTRY(key, v)                                                                                                  \
    {                                                                                                                  \
        key, PROBE_HEX16(v)                                                                                            \
    }
#define MEMBER(type, m)                                                                                                \
    ENTRY(#type ".fields." #m ".offset", offsetof(type, m)), ENTRY(#type ".fields." #m ".size", sizeof(((type *)0)->m))
#define CONSTANT(name) ENTRY("constants." #name, name)

/* The refcount word of GIL builds that the compiler stores as one Py_ssize_t
 * (3.14+ 64-bit: ob_refcnt_full), and the 32-bit word that counts. */
#if defined(Py_GIL_DISABLED)
#define PROBE_COUNT_OFFSET offsetof(PyObject, ob_ref_local)
#define PROBE_COUNT_SIZE sizeof(((PyObject *)0)->ob_ref_local)
#elif PROBE_AT_LEAST(14) && PROBE_64
#define PROBE_COUNT_OFFSET offsetof(PyObject, ob_refcnt)
#define PROBE_COUNT_SIZE sizeof(((PyObject *)0)->ob_refcnt)
#elif PROBE_AT_LEAST(12) && PROBE_64
#define PROBE_COUNT_OFFSET (offsetof(PyObject, ob_refcnt_split) + 4 * PY_BIG_ENDIAN)
#define PROBE_COUNT_SIZE sizeof(((PyObject *)0)->ob_refcnt_split[0])
#else /* 3.11 counts the whole word; 32-bit builds have one word */
#define PROBE_COUNT_OFFSET offsetof(PyObject, ob_refcnt)
#define PROBE_COUNT_SIZE sizeof(((PyObject *)0)->ob_refcnt)
#endif

#if defined(_Py_OPAQUE_PYOBJECT)
#define PROBE_OPAQUE 1
#else
#define PROBE_OPAQUE 0
#endif

const probe_entry harness_abi_record[] = {
    ENTRY("HARNESS-ABI-PROBE-BEGIN", 1),
    /* The version's, not the release's: a Debian update is no ABI change. */
    ENTRY("python.major", (PY_VERSION_HEX >> 24) & 0xff),
    ENTRY("python.minor", (PY_VERSION_HEX >> 16) & 0xff),
#if defined(Py_GIL_DISABLED)
    ENTRY("free_threaded", 1),
#else
    ENTRY("free_threaded", 0),
#endif
    ENTRY("data_model.sizeof_void_p", sizeof(void *)),
    ENTRY("data_model.sizeof_long", sizeof(long)),
    ENTRY("data_model.sizeof_Py_ssize_t", sizeof(Py_ssize_t)),
    ENTRY("data_model.alignof_void_p", _Alignof(void *)),
    ENTRY("data_model.compiler_big_endian", PROBE_COMPILER_BIG_ENDIAN),
    ENTRY("data_model.PY_BIG_ENDIAN", PY_BIG_ENDIAN),
#if PROBE_AT_LEAST(15)
    ENTRY("PyABIInfo.size", sizeof(PyABIInfo)),
    MEMBER(PyABIInfo, abiinfo_major_version),
    MEMBER(PyABIInfo, abiinfo_minor_version),
    MEMBER(PyABIInfo, flags),
    MEMBER(PyABIInfo, build_version),
    MEMBER(PyABIInfo, abi_version),
    ENTRY("PySlot.size", sizeof(PySlot)),
    MEMBER(PySlot, sl_id),
    MEMBER(PySlot, sl_flags),
    MEMBER(PySlot, sl_ptr),
    MEMBER(PySlot, sl_uint64),
#endif
#if PROBE_OPAQUE
    ENTRY("PyObject.opaque", 1),
    ENTRY("PyModuleDef_Base.absent", 1),
#else
    ENTRY("PyModuleDef_Base.size", sizeof(PyModuleDef_Base)),
    MEMBER(PyModuleDef_Base, m_init),
    MEMBER(PyModuleDef_Base, m_index),
    MEMBER(PyModuleDef_Base, m_copy),
    ENTRY("PyObject.size", sizeof(PyObject)),
    ENTRY("PyObject.align", _Alignof(PyObject)),
    ENTRY("PyVarObject.size", sizeof(PyVarObject)),
    ENTRY("PyVarObject.align", _Alignof(PyVarObject)),
    MEMBER(PyVarObject, ob_base),
    MEMBER(PyVarObject, ob_size),
    ENTRY("counting_word.offset", PROBE_COUNT_OFFSET),
    ENTRY("counting_word.size", PROBE_COUNT_SIZE),
#if defined(Py_GIL_DISABLED)
    MEMBER(PyObject, ob_tid),
#if PROBE_AT_LEAST(14)
    MEMBER(PyObject, ob_flags),
#else
    MEMBER(PyObject, _padding),
#endif
    MEMBER(PyObject, ob_mutex),
    MEMBER(PyObject, ob_gc_bits),
    MEMBER(PyObject, ob_ref_local),
    MEMBER(PyObject, ob_ref_shared),
#else
    MEMBER(PyObject, ob_refcnt),
#if PROBE_AT_LEAST(14) && PROBE_64
    MEMBER(PyObject, ob_refcnt_full),
    MEMBER(PyObject, ob_overflow),
    MEMBER(PyObject, ob_flags),
#elif PROBE_AT_LEAST(12) && PROBE_64
    MEMBER(PyObject, ob_refcnt_split),
#endif
#endif
    MEMBER(PyObject, ob_type),
#endif /* !PROBE_OPAQUE */
#ifdef _Py_IMMORTAL_REFCNT
    CONSTANT(_Py_IMMORTAL_REFCNT),
#endif
#ifdef _Py_IMMORTAL_INITIAL_REFCNT
    CONSTANT(_Py_IMMORTAL_INITIAL_REFCNT),
#endif
#ifdef _Py_IMMORTAL_MINIMUM_REFCNT
    CONSTANT(_Py_IMMORTAL_MINIMUM_REFCNT),
#endif
#ifdef _Py_STATIC_IMMORTAL_INITIAL_REFCNT
    CONSTANT(_Py_STATIC_IMMORTAL_INITIAL_REFCNT),
#endif
#ifdef _Py_STATIC_IMMORTAL_MINIMUM_REFCNT
    CONSTANT(_Py_STATIC_IMMORTAL_MINIMUM_REFCNT),
#endif
#ifdef _Py_IMMORTAL_FLAGS
    CONSTANT(_Py_IMMORTAL_FLAGS),
#endif
#ifdef _Py_STATICALLY_ALLOCATED_FLAG
    CONSTANT(_Py_STATICALLY_ALLOCATED_FLAG),
#endif
#ifdef _Py_LEGACY_ABI_CHECK_FLAG
    CONSTANT(_Py_LEGACY_ABI_CHECK_FLAG),
#endif
#ifdef _Py_IMMORTAL_REFCNT_LOCAL
    CONSTANT(_Py_IMMORTAL_REFCNT_LOCAL),
#endif
#ifdef _Py_REF_SHARED_SHIFT
    CONSTANT(_Py_REF_SHARED_SHIFT),
#endif
    ENTRY("HARNESS-ABI-PROBE-END", 1),
};

#if PROBE_AT_LEAST(15)
/* sl_ptr = 1: which half of sl_uint64 a pointer fills (fact sheet §9). */
typedef struct probe_slot_image {
    char tag[16];
    PySlot slot;
} probe_slot_image;
const probe_slot_image harness_abi_slot_image = { "HARNESS-PYSLOT:", { .sl_id = 0, .sl_ptr = (void *)1 } };
#endif

#if !PROBE_OPAQUE
/* The two header images, each right after a 16-byte tag. */
typedef struct probe_image {
    char tag[16];
    PyObject header;
} probe_image;
_Static_assert(offsetof(probe_image, header) == 16, "the image must follow its tag directly");

HARNESS_HEADER_CONSTANTS_BEGIN
const probe_image harness_abi_static_image = { "HARNESS-STATIC:", PyObject_HEAD_INIT(NULL) };
HARNESS_HEADER_CONSTANTS_END

/* _PyGC_BITS_DEFERRED is core-internal (internal/pycore_gc.h): fact sheet §1b. */
#ifndef _PyGC_BITS_DEFERRED
#define _PyGC_BITS_DEFERRED 64
#endif

#if defined(Py_GIL_DISABLED) && PROBE_AT_LEAST(14)
#define PROBE_RUNTIME_IMMORTAL                                                                                         \
    {                                                                                                                  \
        .ob_tid = 0, .ob_gc_bits = _PyGC_BITS_DEFERRED, .ob_ref_local = _Py_IMMORTAL_REFCNT_LOCAL, .ob_ref_shared = 0, \
        .ob_type = NULL                                                                                                \
    }
#elif defined(Py_GIL_DISABLED)
#define PROBE_RUNTIME_IMMORTAL                                                                                         \
    {                                                                                                                  \
        .ob_tid = 0, .ob_ref_local = _Py_IMMORTAL_REFCNT_LOCAL, .ob_ref_shared = 0, .ob_type = NULL                    \
    }
#elif PROBE_AT_LEAST(14) && PROBE_64
#define PROBE_RUNTIME_IMMORTAL                                                                                         \
    {                                                                                                                  \
        .ob_refcnt = (uint32_t)_Py_IMMORTAL_INITIAL_REFCNT, .ob_overflow = 0, .ob_flags = _Py_IMMORTAL_FLAGS,          \
        .ob_type = NULL                                                                                                \
    }
#elif PROBE_AT_LEAST(14)
#define PROBE_RUNTIME_IMMORTAL                                                                                         \
    {                                                                                                                  \
        .ob_refcnt = _Py_IMMORTAL_INITIAL_REFCNT, .ob_type = NULL                                                      \
    }
#elif PROBE_AT_LEAST(12)
#define PROBE_RUNTIME_IMMORTAL                                                                                         \
    {                                                                                                                  \
        .ob_refcnt = _Py_IMMORTAL_REFCNT, .ob_type = NULL                                                              \
    }
#endif

#ifdef PROBE_RUNTIME_IMMORTAL
HARNESS_HEADER_CONSTANTS_BEGIN
const probe_image harness_abi_runtime_image = { "HARNESS-RUNTIME", PROBE_RUNTIME_IMMORTAL };
HARNESS_HEADER_CONSTANTS_END
#endif

#endif /* !PROBE_OPAQUE */

#if defined(HARNESS_PROBE_EXPORTS)
/* For abidw: the header types reach the library's ABI only through
 * functions that take them (under abi3t, as declarations only). */
HARNESS_EXPORT size_t harness_abi_object(PyObject *object);
HARNESS_EXPORT size_t harness_abi_var_object(PyVarObject *object);
#if PROBE_OPAQUE
HARNESS_EXPORT size_t harness_abi_object(PyObject *object) { return object ? 1 : 0; }
HARNESS_EXPORT size_t harness_abi_var_object(PyVarObject *object) { return object ? 1 : 0; }
#else
HARNESS_EXPORT size_t harness_abi_object(PyObject *object) { return object ? sizeof *object : 0; }
HARNESS_EXPORT size_t harness_abi_var_object(PyVarObject *object) { return object ? sizeof *object : 0; }
#endif
#endif

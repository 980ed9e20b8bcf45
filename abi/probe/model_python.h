/* model_python.h -- what probe.c needs of Python.h, from the model's
 * declarations (harness/model_structs.h), for the version HARNESS_PROBE_MODEL
 * names (311, 312, 313, 314, 315), free-threaded under Py_GIL_DISABLED.
 * Names, values and initialisers are those of each version's public headers
 * as an extension sees them (no Py_BUILD_CORE), so that a model manifest and
 * a real-header manifest of the same version must be equal. */
#ifndef HARNESS_MODEL_PYTHON_H
#define HARNESS_MODEL_PYTHON_H

#ifndef HARNESS_PROBE_MODEL
#error "HARNESS_PROBE_MODEL names the model version to probe (311, 312, 313, 314 or 315)"
#endif

/* The probed version's struct gets CPython's tag, struct _object, so that
 * abidiff sees the model's versions as it sees CPython's; its PyVarObject
 * is the model's var struct of that version. */
#if defined(Py_GIL_DISABLED) && HARNESS_PROBE_MODEL == 313
#define objft313 _object
#define varft313 PyVarObject
#elif defined(Py_GIL_DISABLED)
#define objft314 _object
#define varft314 PyVarObject
#elif HARNESS_PROBE_MODEL == 311
#define obj311 _object
#define var311 PyVarObject
#elif HARNESS_PROBE_MODEL == 312
#define obj312 _object
#define var312 PyVarObject
#elif HARNESS_PROBE_MODEL == 313
#define obj313 _object
#define var313 PyVarObject
#else
#define obj314 _object
#define var314 PyVarObject
#endif
#include "model_structs.h"

/* The version's own (harness/versions.txt), which a later version probed
 * with an earlier one's declarations does not share. */
#ifdef HARNESS_PROBE_VERSION_HEX
#define PY_VERSION_HEX HARNESS_PROBE_VERSION_HEX
#else
#define PY_VERSION_HEX (0x03000000 | ((HARNESS_PROBE_MODEL % 100) << 16))
#endif
#define PY_BIG_ENDIAN MODEL_BIG_ENDIAN
#define SIZEOF_VOID_P (MODEL_64 ? 8 : 4)
typedef intptr_t Py_ssize_t;

#if defined(Py_GIL_DISABLED) && HARNESS_PROBE_MODEL == 313
typedef struct objft313 PyObject;
#define PyObject_HEAD_INIT(type) { 0, 0, 0, 0, _Py_IMMORTAL_REFCNT_LOCAL, 0, (type) },
#elif defined(Py_GIL_DISABLED) && HARNESS_PROBE_MODEL >= 314
typedef struct objft314 PyObject;
#define PyObject_HEAD_INIT(type) { 0, _Py_STATICALLY_ALLOCATED_FLAG, 0, 0, _Py_IMMORTAL_REFCNT_LOCAL, 0, (type) },
#elif defined(Py_GIL_DISABLED)
#error "the model has no free-threaded build before 3.13"
#elif HARNESS_PROBE_MODEL == 311
typedef struct obj311 PyObject;
#define PyObject_HEAD_INIT(type) { 1, (type) },
#elif HARNESS_PROBE_MODEL == 312
typedef struct obj312 PyObject;
/* Immortal only under Py_BUILD_CORE in 3.12: an extension's is 1. */
#define PyObject_HEAD_INIT(type) { { 1 }, (type) },
#elif HARNESS_PROBE_MODEL == 313
typedef struct obj313 PyObject;
#define PyObject_HEAD_INIT(type) { { _Py_IMMORTAL_REFCNT }, (type) },
#elif HARNESS_PROBE_MODEL == 314 || HARNESS_PROBE_MODEL == 315
typedef struct obj314 PyObject;
#define PyObject_HEAD_INIT(type) { { _Py_STATIC_IMMORTAL_INITIAL_REFCNT }, (type) },
#else
#error "unknown HARNESS_PROBE_MODEL"
#endif

/* Defined whatever the build kind, as the headers do. */
#if HARNESS_PROBE_MODEL >= 312 && HARNESS_PROBE_MODEL < 314
#define _Py_IMMORTAL_REFCNT MODEL_312_IMMORTAL_REFCNT
#endif
#if HARNESS_PROBE_MODEL >= 314
#define _Py_IMMORTAL_INITIAL_REFCNT MODEL_314_IMMORTAL_INITIAL_REFCNT
#define _Py_IMMORTAL_MINIMUM_REFCNT MODEL_314_IMMORTAL_MINIMUM_REFCNT
#define _Py_STATIC_IMMORTAL_INITIAL_REFCNT MODEL_314_STATIC_IMMORTAL_INITIAL_REFCNT
#if !MODEL_64
#define _Py_STATIC_IMMORTAL_MINIMUM_REFCNT MODEL_314_STATIC_IMMORTAL_MINIMUM_REFCNT
#endif
#endif
#if HARNESS_PROBE_MODEL >= 314
#define _Py_IMMORTAL_FLAGS MODEL_314_IMMORTAL_FLAGS
#define _Py_STATICALLY_ALLOCATED_FLAG MODEL_314_STATICALLY_ALLOCATED_FLAG
#endif
#if HARNESS_PROBE_MODEL >= 315
#define _Py_LEGACY_ABI_CHECK_FLAG MODEL_315_LEGACY_ABI_CHECK_FLAG
#endif
/* What a module's definition starts with (moduleobject.h), every version;
 * and 3.15's module ABI structs (modsupport.h, slots.h): fact sheet §9. */
typedef struct PyModuleDef_Base {
    PyObject ob_base;
    PyObject *(*m_init)(void);
    Py_ssize_t m_index;
    PyObject *m_copy;
} PyModuleDef_Base;
#if HARNESS_PROBE_MODEL >= 315
typedef struct PyABIInfo {
    uint8_t abiinfo_major_version;
    uint8_t abiinfo_minor_version;
    uint16_t flags;
    uint32_t build_version;
    uint32_t abi_version;
} PyABIInfo;
typedef struct PySlot {
    uint16_t sl_id;
    uint16_t sl_flags;
    union {
        uint32_t sl_reserved;
    };
    union {
        void *sl_ptr;
        void (*sl_func)(void);
        Py_ssize_t sl_size;
        int64_t sl_int64;
        uint64_t sl_uint64;
    };
#if defined(HARNESS_MODEL_BREAK_315_SLOT) /* ci/test.sh's proof that the audit bites */
    uint64_t sl_broken;
#endif
} PySlot;
#endif

#if defined(Py_GIL_DISABLED)
#define _Py_IMMORTAL_REFCNT_LOCAL MODEL_FT_IMMORTAL_REFCNT_LOCAL
#define _Py_REF_SHARED_SHIFT MODEL_FT_REF_SHARED_SHIFT
#endif

#endif

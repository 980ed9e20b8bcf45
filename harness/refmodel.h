/* refmodel.h -- executable model of CPython's object-header refcount encodings.
 *
 * Each CPython version's encoding is a named implementation (a descriptor in
 * rm_implementations[]) that works on a header held as raw bytes, for any modelled
 * data model: 4- or 8-byte Py_ssize_t, little- or big-endian.  Fields are
 * read and written through explicit byte-order loads and stores, so the same
 * code is right on ILP32, LP64 and LLP64 hosts of either byte order, and a
 * store happens exactly where CPython's inline code stores (which is what the
 * read-only-page cases rely on).
 *
 * Needs only <stdint.h>, <stddef.h> and <stdbool.h>, so that it also builds
 * freestanding (and preprocesses for any data model without a C library:
 * the proofs, cases/proofs/).  Facts: shared/docs/cpython-refcount-facts.md.
 */
#ifndef HARNESS_REFMODEL_H
#define HARNESS_REFMODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The data model of the build being modelled. */
typedef struct rm_data_model {
    uint8_t word_bytes; /* sizeof(Py_ssize_t) == sizeof(void *): 4 or 8 */
    bool big_endian;    /* WORDS_BIGENDIAN of the modelled pyconfig.h */
    uint8_t word_align; /* alignof(void *): word_bytes, but 2 on m68k */
} rm_data_model;

rm_data_model rm_native_data_model(void);
const char *rm_data_model_name(rm_data_model dm); /* "64-bit big-endian", ... */

/* Largest header modelled: the free-threaded PyVarObject on 64-bit. */
#define RM_MAX_HEADER 40

typedef enum rm_field_id {
    RM_F_REFCNT,     /* the Py_ssize_t-sized word at offset 0 of GIL builds  */
    RM_F_COUNT_WORD, /* the 32-bit word that counts (low half, ref_local)    */
    RM_F_OVERFLOW,   /* 3.14+ 64-bit ob_overflow                             */
    RM_F_FLAGS,      /* 3.14+ 64-bit / free-threaded ob_flags                */
    RM_F_TID,        /* free-threaded fields                                 */
    RM_F_MUTEX,
    RM_F_GC_BITS,
    RM_F_REF_LOCAL,
    RM_F_REF_SHARED,
    RM_F_TYPE,
    RM_F_SIZE, /* PyVarObject ob_size                                  */
    RM_F_COUNT
} rm_field_id;

typedef struct rm_field {
    uint8_t offset;
    uint8_t size; /* 0: the field does not exist in this layout */
} rm_field;

typedef struct rm_layout {
    uint8_t object_size;     /* sizeof(PyObject)    */
    uint8_t var_object_size; /* sizeof(PyVarObject) */
    uint8_t align;           /* alignof(PyObject)   */
    rm_field field[RM_F_COUNT];
} rm_layout;

const char *rm_field_name(rm_field_id f);

/* Raw field access, in the modelled byte order (for setting up states and
 * for inspecting them; the implementations use the same primitives). */
uint64_t rm_load(const uint8_t *obj, rm_field f, bool big_endian);
void rm_store(uint8_t *obj, rm_field f, bool big_endian, uint64_t value);

/* What the runtime around the objects provides: the calling thread's id for
 * free-threaded ownership, and the slow paths CPython's inline code calls,
 * which the model records. */
typedef struct rm_runtime rm_runtime;
struct rm_runtime {
    rm_data_model dm;
    uint64_t thread_id;          /* _Py_ThreadId() of the caller; never 0 */
    unsigned long deallocs;      /* _Py_Dealloc calls        */
    unsigned long merges_queued; /* _Py_brc_queue_object     */
    const uint8_t *last_dealloc;
    void (*on_dealloc)(rm_runtime *rt, uint8_t *obj); /* optional */
    void *user;
};

void rm_runtime_init(rm_runtime *rt, rm_data_model dm, uint64_t thread_id);
/* What the model's _Py_Dealloc does; for runtimes that bridge real code. */
void rm_record_dealloc(rm_runtime *rt, uint8_t *obj);

/* Who compiled a static PyObject_HEAD_INIT: 3.12 made it immortal only for
 * the core (Py_BUILD_CORE); extensions got refcount 1. */
typedef enum rm_origin { RM_ORIGIN_CORE, RM_ORIGIN_EXTENSION } rm_origin;

enum rm_implementation_flags {
    RM_HAS_IMMORTALITY = 1u << 0,
    RM_FREE_THREADED = 1u << 1,
    RM_LEGACY_OPS = 1u << 2,    /* <= 3.11 ++/-- applied to any GIL header */
    RM_NATIVE_ONLY = 1u << 3,   /* knows only this target's data model (real headers) */
    RM_CALLS_RUNTIME = 1u << 4, /* its own operations are calls of the runtime's exported functions (abi3t) */
};

typedef struct rm_implementation {
    const char *name; /* "3.11", "3.12", ..., "3.14t", "legacy" */
    const char *summary;
    unsigned flags;
    rm_layout (*layout)(rm_data_model dm);
    /* PyObject_HEAD_INIT(NULL) of a static object (type pointer NULL). */
    void (*init_static)(const rm_runtime *rt, uint8_t *obj, rm_origin origin);
    /* _Py_NewReference: a fresh heap object with refcount 1, owned by the
     * calling thread. */
    void (*new_reference)(const rm_runtime *rt, uint8_t *obj);
    /* _Py_SetImmortal at run time (3.11: the core's 999999999 pseudo-
     * immortal value, which is still an ordinary count). */
    void (*immortalize)(rm_runtime *rt, uint8_t *obj);
    void (*incref)(rm_runtime *rt, uint8_t *obj);
    void (*decref)(rm_runtime *rt, uint8_t *obj);
    bool (*is_immortal)(const rm_runtime *rt, const uint8_t *obj);
    /* _Py_IsStaticImmortal (3.14+); NULL where the version has none. */
    bool (*is_static_immortal)(const rm_runtime *rt, const uint8_t *obj);
    int64_t (*refcnt)(const rm_runtime *rt, const uint8_t *obj); /* Py_REFCNT */
    void (*set_refcnt)(rm_runtime *rt, uint8_t *obj, int64_t n); /* Py_SET_REFCNT */
    /* The caller's thread id as the implementation's ownership test sees it
     * (real free-threaded headers: _Py_ThreadId()), which runtimes for it
     * must carry; NULL where rt->thread_id decides (the model). */
    uint64_t (*thread_id)(void);
    /* Compiled CPython headers only (NULL/0 for the model): */
    unsigned long version_hex; /* their PY_VERSION_HEX (3.13.5: 0x030D05F0) */
    /* Py_RETURN_NONE as an extension built with Py_LIMITED_API 3.11 compiles
     * it: runs it once and returns what it returned (that build's None). */
    uint8_t *(*return_none_limited_311)(void);
    /* PyUnstable_TryIncRef and PyUnstable_Object_IsUniquelyReferenced, as
     * 3.14's Objects/object.c has them (the model, for every version) or a
     * binding's own copy (pythoncapi_compat.h, nanobind); NULL elsewhere. */
    bool (*try_incref)(rm_runtime *rt, uint8_t *obj);
    bool (*is_uniquely_referenced)(const rm_runtime *rt, const uint8_t *obj);
    /* PyUnstable_EnableTryIncRef, as 3.14's Objects/object.c has it (the
     * model, every version: nothing with the GIL) or a binding's own copy
     * (pybind11's enable_try_inc_ref before 3.14). */
    void (*enable_try_incref)(rm_runtime *rt, uint8_t *obj);
    /* Operations with a precondition, the object is mortal: mypyc's
     * CPy_INCREF_NO_IMM and CPy_DECREF_NO_IMM. Compared with incref and
     * decref where the precondition holds. */
    /* PyUnstable_SetImmortal as a binding's copy defines it (3.13/3.14
     * pythoncapi_compat): 1 having immortalised the object, 0 having
     * refused it; is_str gives the object a str type for the call. NULL
     * elsewhere (the regressions model 3.15's from the fact sheet). */
    int (*unstable_set_immortal)(rm_runtime *rt, uint8_t *obj, bool is_str);
    void (*incref_mortal)(rm_runtime *rt, uint8_t *obj);
    void (*decref_mortal)(rm_runtime *rt, uint8_t *obj);
    /* Binding libraries' copies of the refcount code (docs/implementations.md):
     * an implementation with a base provides only its own operations; the
     * case programs fill the others from the base ("real-3.14"), and the
     * agreement family compares the own ones with the base. */
    const char *base;
    const char *project; /* "pythoncapi_compat.h of mypy 2.4.0 (Debian unstable's python3-mypy)" */
    const char *own_api; /* what each own operation is called there: "try_incref=PyUnstable_TryIncRef ..." */
    /* Known differences from the base, "operation:field ..." (harness/bindings/known-divergences.txt):
     * reported as findings with both sides, not failures. */
    const char *known_divergences;
} rm_implementation;

/* The free-threaded runtime's slow paths, libpython code that the inline
 * Py_DECREF calls: _Py_DecRefShared and _Py_MergeZeroLocalRefcount. The
 * model's own, for implementations that bridge real headers to a runtime. */
void rm_ft_decref_shared(rm_runtime *rt, uint8_t *obj);
void rm_ft_merge_zero_local(rm_runtime *rt, uint8_t *obj);

extern const rm_implementation *const rm_implementations[];
extern const size_t rm_implementation_count;
const rm_implementation *rm_find_implementation(const char *name); /* NULL if unknown */

#endif

/* real_proofs.c -- the properties of docs/proofs.md on CPython's real
 * headers: their own inline Py_INCREF, Py_DECREF, Py_SET_REFCNT,
 * _Py_IsImmortal, Py_REFCNT and PyObject_HEAD_INIT, preprocessed by the
 * configuration's compiler (the target's GCC; clang-cl for the MSVC ABI)
 * with the target's paired pyconfig.h, for CBMC with the target's data
 * model (cases/proofs/CMakeLists.txt). GIL and free-threaded
 * builds; the expectations are cases/expect.h's, as for the model
 * (proofs.c).
 *   HARNESS_REAL_VERSION  the version ("3.14", "3.14t")
 * The claims are proofs.c's, word for word, where they mean the same; a
 * header's bytes are compared where the model counts stores. */
#include <Python.h>
#include <stddef.h>
#include <string.h>

#include "expect.h"
#include "data_model.h"
#include "refmodel.h"

#define PROVE(cond, what) __CPROVER_assert((cond), what)
/* Every assumption is followed by a reachability witness, which CBMC must
 * refute (cmake/run-proof.cmake): a path no input takes would make every
 * claim after it hold vacuously. */
#define ASSUME(cond)                                                                                                   \
    do {                                                                                                               \
        __CPROVER_assume(cond);                                                                                        \
        __CPROVER_assert(0, "reachable: " #cond);                                                                      \
    } while (0)

unsigned char nondet_uchar(void);
long long nondet_longlong(void);
unsigned nondet_unsigned(void);

/* CBMC runs --no-library: the library calls made here and in
 * cases/expect.h have their bodies here, as in proofs.c. */
int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return (unsigned char)*a - (unsigned char)*b;
}

void *memcpy(void *__restrict to, const void *__restrict from, size_t n)
{
    unsigned char *t = to;
    const unsigned char *f = from;
    for (size_t i = 0; i < n; i++)
        t[i] = f[i];
    return to;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    return 0;
}

static const rm_implementation version = { .name = HARNESS_REAL_VERSION };
static PyObject obj;
static unsigned char before[sizeof(PyObject)];
static unsigned long deallocs, merges_queued;

/* libpython's, as the case programs provide it: counted. */
void _Py_Dealloc(PyObject *op)
{
    (void)op;
    deallocs++;
}

#if defined(Py_GIL_DISABLED)
/* libpython's: a local count's merge at zero, and another thread's decref,
 * which may queue the object for its owner. Counted. */
void _Py_MergeZeroLocalRefcount(PyObject *op)
{
    (void)op;
    merges_queued++;
}

void _Py_DecRefShared(PyObject *op)
{
    (void)op;
    merges_queued++;
}

/* The acting thread. _Py_ThreadId() reads the thread pointer: with inline
 * assembly (x86, ARM, POWER), __builtin_thread_pointer() (s390x), or
 * MSVC's intrinsic __readgsqword() (x64 Windows). CBMC executes no
 * assembly: it gives the output any value, on every call, so every
 * operation is by any thread, the owner or another. The builtin and the
 * intrinsic are given that meaning here. proof_saturates shows that both
 * the owner's path and another thread's are taken. */
uintptr_t nondet_uintptr(void);

void *__builtin_thread_pointer(void) { return (void *)nondet_uintptr(); }

#if defined(_MSC_VER) && defined(_M_X64)
unsigned long long __readgsqword(unsigned long offset)
{
    (void)offset;
    return nondet_uintptr();
}
#endif

/* CBMC expands the headers' __atomic_* builtins into calls of this, whose
 * body is in its library (not loaded: --no-library). A proof runs one
 * thread, so a fence orders nothing. */
void __atomic_thread_fence(int order) { (void)order; }
#endif

static rm_data_model native_abi(void)
{
    rm_data_model a = { (uint8_t)sizeof(void *), PY_BIG_ENDIAN != 0, (uint8_t)sizeof(void *) };
    return a;
}

static void any_header(void)
{
    unsigned char *b = (unsigned char *)&obj;
    for (size_t i = 0; i < sizeof obj; i++)
        b[i] = nondet_uchar();
    deallocs = merges_queued = 0;
}

static void remember(void) { memcpy(before, &obj, sizeof obj); }
static bool unchanged(void) { return memcmp(before, &obj, sizeof obj) == 0; }

/* Where the counting word is: free-threaded, ob_ref_local; on 64-bit GIL
 * builds the low 32 bits (in the byte order's half); on 32-bit the whole
 * word. */
static size_t counting_word_at(void)
{
#if defined(Py_GIL_DISABLED)
    return offsetof(PyObject, ob_ref_local);
#else
    return sizeof(Py_ssize_t) == 8 && PY_BIG_ENDIAN ? 4 : 0;
#endif
}

static uint64_t count_word(void)
{
    uint32_t w;
    memcpy(&w, (unsigned char *)&obj + counting_word_at(), 4);
    return w;
}

/* Whether no byte outside [at, at + size) changed. */
static bool only_changed(size_t at, size_t size)
{
    const unsigned char *b = (const unsigned char *)&obj;
    for (size_t i = 0; i < sizeof obj; i++)
        if (b[i] != before[i] && !(i >= at && i < at + size))
            return false;
    return true;
}

static bool only_the_counting_word_changed(void) { return only_changed(counting_word_at(), 4); }

static unsigned any_operation(void)
{
    unsigned op = nondet_unsigned() % 3;
    if (op == 0) {
        Py_INCREF(&obj);
    } else if (op == 1) {
        Py_DECREF(&obj);
    } else {
        long long n = nondet_longlong();
        ASSUME(n >= 0 && (unsigned long long)n <= (unsigned long long)PY_SSIZE_T_MAX);
        Py_SET_REFCNT(&obj, (Py_ssize_t)n);
    }
    return op;
}

void proof_immortal_stays_immortal(void)
{
    any_header();
    ASSUME(_Py_IsImmortal(&obj));
    (void)any_operation();
    PROVE(_Py_IsImmortal(&obj), "still immortal after any operation");
}

void proof_immortal_never_deallocated_nor_stored(void)
{
    expect_saturation e = expect_saturation_of(&version, native_abi());
    any_header();
    ASSUME(_Py_IsImmortal(&obj));
    uint64_t count = count_word();
    remember();
    unsigned op = any_operation();
    if (op == 0)
        PROVE(unchanged(), "Py_INCREF changes no byte of an immortal object");
    PROVE(deallocs == 0 && merges_queued == 0, "an immortal object is never deallocated nor queued");
    if (op != 0 || count >= e.ceiling) {
        PROVE(unchanged(), "no store to an immortal object at or above the ceiling");
    } else {
        PROVE(count_word() == count + 1, "below the ceiling, Py_INCREF stores once: the counting word, plus one");
        PROVE(only_the_counting_word_changed(), "below the ceiling, nothing but the counting word changes");
    }
}

#if !defined(Py_GIL_DISABLED)
void proof_saturates(void)
{
    expect_saturation e = expect_saturation_of(&version, native_abi());
    any_header();
    ASSUME(!_Py_IsImmortal(&obj));
    Py_SET_REFCNT(&obj, (Py_ssize_t)e.first_immortal - 1);
    ASSUME(!_Py_IsImmortal(&obj));
    remember();
    Py_INCREF(&obj);
    PROVE(_Py_IsImmortal(&obj), "the last mortal count plus one is immortal");
    PROVE(only_the_counting_word_changed(), "saturation changes the counting word only");
}
#else
/* Free-threaded: the last mortal local count of an owned object. Its
 * owner's Py_INCREF saturates it; another thread's adds one reference to
 * the shared count and leaves it mortal. The acting thread is any thread
 * (above), so which one acted is read from what changed; the last two
 * claims, refuted, show that both did. */
void proof_saturates(void)
{
    expect_saturation e = expect_saturation_of(&version, native_abi());
    any_header();
    ASSUME(obj.ob_tid != 0); /* owned: a local count is its owner's */
    obj.ob_ref_local = (uint32_t)(e.first_immortal - 1);
    ASSUME(!_Py_IsImmortal(&obj));
    Py_ssize_t shared = obj.ob_ref_shared;
    ASSUME(shared <= PY_SSIZE_T_MAX - ((Py_ssize_t)1 << _Py_REF_SHARED_SHIFT)); /* room for one more reference */
    remember();
    Py_INCREF(&obj);
    bool by_owner = count_word() != (uint64_t)(e.first_immortal - 1);
    PROVE(!by_owner || _Py_IsImmortal(&obj), "the last mortal count plus one is immortal");
    PROVE(!by_owner || only_the_counting_word_changed(), "saturation changes the counting word only");
    PROVE(by_owner || (!_Py_IsImmortal(&obj) && obj.ob_ref_shared == shared + ((Py_ssize_t)1 << _Py_REF_SHARED_SHIFT) &&
                       only_changed(offsetof(PyObject, ob_ref_shared), sizeof(Py_ssize_t))),
          "another thread's Py_INCREF adds one reference to the shared count");
    PROVE(!by_owner, "no thread's Py_INCREF saturates it");
    PROVE(by_owner, "every thread's Py_INCREF saturates it");
}
#endif

/* An extension's static object (3.12: the core's alone is immortal, and an
 * extension's counts 1: fact sheet §2). */
static PyObject extension_static[1] = { PyObject_HEAD_INIT(NULL) };

void proof_refcnt_is_the_constant(void)
{
    expect_saturation e = expect_saturation_of(&version, native_abi());
    PROVE(Py_REFCNT(extension_static) == expect_extension_static_refcnt(&version, native_abi()),
          "Py_REFCNT of an extension's static object");
#if defined(Py_GIL_DISABLED)
    any_header();
    ASSUME(_Py_IsImmortal(&obj));
    PROVE(Py_REFCNT(&obj) == e.runtime_refcnt, "Py_REFCNT of any free-threaded immortal");
#endif
}

#if !defined(Py_GIL_DISABLED)
/* 5. The legacy tolerance: GIL builds (a free-threaded build has no
 * stable ABI of 3.11 to load). */
static void legacy_moved(const expect_tolerance *t, int direction, uint64_t n)
{
    uint64_t w = direction > 0 ? t->initial_word + n : t->initial_word - n;
    Py_ssize_t word = (Py_ssize_t)(sizeof(Py_ssize_t) == 8 ? w : (uint32_t)w);
    any_header();
    memcpy(&obj, &word, sizeof word);
}

void proof_legacy_bounds_are_exact(void)
{
    expect_tolerance rows[2];
    PROVE(expect_tolerance_of(&version, native_abi(), rows) == 2, "the version has legacy tolerance rows");
#define LEGACY_ROW(object, direction, bound, what)                                                                     \
    do {                                                                                                               \
        uint64_t n = (uint64_t)nondet_longlong();                                                                      \
        ASSUME(n < rows[object].bound);                                                                                \
        legacy_moved(&rows[object], direction, n);                                                                     \
        PROVE(_Py_IsImmortal(&obj), "within the bound: " what);                                                        \
        legacy_moved(&rows[object], direction, rows[object].bound);                                                    \
        PROVE(_Py_IsImmortal(&obj), "at the bound: " what);                                                            \
    } while (0)
    LEGACY_ROW(0, +1, lose_after_increfs, "static object, legacy increfs");
    LEGACY_ROW(0, -1, lose_after_decrefs, "static object, legacy decrefs");
    LEGACY_ROW(1, +1, lose_after_increfs, "runtime immortal, legacy increfs");
    LEGACY_ROW(1, -1, lose_after_decrefs, "runtime immortal, legacy decrefs");
#undef LEGACY_ROW
}
#else
/* 6. Whatever thread owns it, and whatever thread acts, an immortal
 * object's local and shared counts never make a zero total. */
void proof_ft_never_zero(void)
{
    any_header();
    ASSUME(_Py_IsImmortal(&obj));
    (void)any_operation();
    PROVE(_Py_IsImmortal(&obj) && Py_REFCNT(&obj) != 0, "immortal, Py_REFCNT nonzero");
    PROVE(deallocs == 0 && merges_queued == 0, "never deallocated, merged or queued");
}
#endif

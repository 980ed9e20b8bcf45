/* runtime.c -- "abi3t-<runtime>": the abi3t extension (abi3t_ext.c, one
 * file per configuration, HARNESS_ABI3T_MODULE) loaded at run time into a
 * 3.15 runtime, GIL or free-threaded, model or real headers ("abi3t-3.15t",
 * "abi3t-real-3.15"). Its own operations are the extension's Py_INCREF,
 * Py_DECREF, Py_SET_REFCNT and Py_REFCNT; everything else (layout, static
 * images, immortalisation) is the runtime's, and the agreement family holds
 * the extension's effect on the runtime's objects to the runtime's own
 * operations, byte for byte. The runtime's exported functions live in one
 * module (pyapi.c, HARNESS_RUNTIME_MODULE), which forwards to the runtime
 * installed here and counts the calls: every operation of the extension
 * must be exactly one call of its own function, so that it never touches
 * the header itself. Linked into the abi3t variant of each case program
 * (cases/CMakeLists.txt); the others take case_no_extra.c from the
 * case_main archive. */
#include <stdio.h>
#include <stdlib.h>

#include "case.h"
#include "loaded.h"
#include "pyapi.h"

enum { API_INCREF, API_DECREF, API_SET_REFCNT, API_REFCNT, API_COUNT };
static const char *const api_names[API_COUNT] = { "_Py_IncRef", "_Py_DecRef", "_Py_SetRefcnt", "Py_REFCNT" };
/* This thread's calls into the runtime, per function and in all. */
static HARNESS_THREAD_LOCAL unsigned long api_calls[API_COUNT], api_calls_all;

/* The runtime the exported functions forward to: the extension's base, with
 * the runtime of the calling operation (harness_active_runtime). */
static const rm_implementation *runtime(void) { return harness_binding_reference; }
static void api_incref(void *op)
{
    api_calls[API_INCREF]++, api_calls_all++;
    runtime()->incref(harness_active_runtime("_Py_IncRef"), op);
}
static void api_decref(void *op)
{
    api_calls[API_DECREF]++, api_calls_all++;
    runtime()->decref(harness_active_runtime("_Py_DecRef"), op);
}
static void api_set_refcnt(void *op, intptr_t n)
{
    api_calls[API_SET_REFCNT]++, api_calls_all++;
    runtime()->set_refcnt(harness_active_runtime("_Py_SetRefcnt"), op, n);
}
static intptr_t api_refcnt(void *op)
{
    api_calls[API_REFCNT]++, api_calls_all++;
    return (intptr_t)runtime()->refcnt(harness_active_runtime("Py_REFCNT"), op);
}
/* No abi3t operation deallocates by itself: only through _Py_DecRef. */
static void api_dealloc(void *op)
{
    case_require_msg(0, "abi3t: the extension called _Py_Dealloc itself (at %p): it has an inline Py_DECREF", op);
}

static void (*ext_incref)(void *);
static void (*ext_decref)(void *);
static void (*ext_set_refcnt)(void *, intptr_t);
static intptr_t (*ext_refcnt)(void *);

/* One operation of the extension made exactly one call, of its own function:
 * one more call to it, and one more in all (two counts, not a copy of every
 * function's: the threads family makes millions of operations). */
#define THROUGH(api, operation, call)                                                                                  \
    do {                                                                                                               \
        unsigned long own_ = api_calls[api], all_ = api_calls_all;                                                     \
        call;                                                                                                          \
        case_require_msg(api_calls[api] == own_ + 1 && api_calls_all == all_ + 1,                                      \
                         "abi3t: the extension's %s made %lu calls to %s and %lu calls in all to the runtime's "       \
                         "refcount functions (one call to %s expected, and nothing else: under abi3t it cannot "       \
                         "touch the object header)",                                                                   \
                         operation, api_calls[api] - own_, api_names[api], api_calls_all - all_, api_names[api]);      \
    } while (0)

static void own_incref(rm_runtime *rt, uint8_t *obj)
{
    harness_dealloc_runtime = rt;
    THROUGH(API_INCREF, "Py_INCREF", ext_incref(obj));
}
static void own_decref(rm_runtime *rt, uint8_t *obj)
{
    harness_dealloc_runtime = rt;
    THROUGH(API_DECREF, "Py_DECREF", ext_decref(obj));
}
static void own_set_refcnt(rm_runtime *rt, uint8_t *obj, int64_t n)
{
    harness_dealloc_runtime = rt;
    THROUGH(API_SET_REFCNT, "Py_SET_REFCNT", ext_set_refcnt(obj, (intptr_t)n));
}
static int64_t own_refcnt(const rm_runtime *rt, const uint8_t *obj)
{
    intptr_t n;
    harness_dealloc_runtime = (rm_runtime *)(uintptr_t)rt;
    THROUGH(API_REFCNT, "Py_REFCNT", n = ext_refcnt((void *)(uintptr_t)obj));
    return n;
}

const rm_implementation *case_extra_implementation(const char *name);
const rm_implementation *case_extra_implementation(const char *name)
{
    static rm_implementation abi3t;
    static char summary[256], project[256];
    static const harness_pyapi_runtime api = { "the abi3t runtime", api_incref, api_decref,
                                               api_set_refcnt,      api_refcnt, api_dealloc };
    if (strncmp(name, "abi3t-", 6) != 0)
        return NULL;
    case_install_runtime(&api);
    void *ext = case_load_module("HARNESS_ABI3T_MODULE", "abi3t extension");
    ext_incref = (void (*)(void *))case_module_symbol(ext, "HARNESS_ABI3T_MODULE", "abi3t_incref");
    ext_decref = (void (*)(void *))case_module_symbol(ext, "HARNESS_ABI3T_MODULE", "abi3t_decref");
    ext_set_refcnt = (void (*)(void *, intptr_t))case_module_symbol(ext, "HARNESS_ABI3T_MODULE", "abi3t_set_refcnt");
    ext_refcnt = (intptr_t(*)(void *))case_module_symbol(ext, "HARNESS_ABI3T_MODULE", "abi3t_refcnt");
    const char *file = case_module_file("HARNESS_ABI3T_MODULE");
    snprintf(summary, sizeof summary, "the abi3t extension %s over the %s runtime", file, name + 6);
    snprintf(project, sizeof project, "abi3t extension %s (CPython 3.15's headers, Py_TARGET_ABI3T=0x030f0000)", file);
    abi3t.name = strrchr(name, '-') + 1; /* the version, whose expectations apply: "3.15t" */
    abi3t.summary = summary;
    /* Built for this target: a Py_ssize_t of its own data model only. */
    abi3t.flags = RM_NATIVE_ONLY | RM_CALLS_RUNTIME;
    abi3t.incref = own_incref;
    abi3t.decref = own_decref;
    abi3t.set_refcnt = own_set_refcnt;
    abi3t.refcnt = own_refcnt;
    abi3t.base = name + 6;
    abi3t.project = project;
    abi3t.own_api = "incref=Py_INCREF>_Py_IncRef decref=Py_DECREF>_Py_DecRef set_refcnt=Py_SET_REFCNT>_Py_SetRefcnt "
                    "refcnt=Py_REFCNT>Py_REFCNT";
    return &abi3t;
}

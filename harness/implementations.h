/* implementations.h -- the implementations linked into a case program
 * besides the model (docs/implementations.md); generated from
 * harness/implementations.cmake. */
#ifndef HARNESS_IMPLEMENTATIONS_H
#define HARNESS_IMPLEMENTATIONS_H

#include "refmodel.h"

typedef struct harness_implementation {
    const char *name; /* "real-3.14", ... */
    const rm_implementation *impl;
} harness_implementation;

/* Ends with { NULL, NULL }. */
extern const harness_implementation harness_implementations[];

/* Where _Py_Dealloc (provided by every case program, as libpython provides
 * it) records: an implementation sets it to the runtime of the operation
 * before running code that may deallocate. One per thread. */
#if defined(_MSC_VER) && !defined(__clang__)
#define HARNESS_THREAD_LOCAL __declspec(thread)
#else
#define HARNESS_THREAD_LOCAL _Thread_local
#endif
extern HARNESS_THREAD_LOCAL rm_runtime *harness_dealloc_runtime;
/* It, for libpython's functions that implementations define (what names
 * the caller); a call with none set aborts, naming what was called. */
rm_runtime *harness_active_runtime(const char *what);

/* What a binding's operations are compared with, and what the libpython
 * functions a binding calls (3.14's _Py_SetImmortal, ...) do: its base, with
 * the model's operations where the base has none. Set by the case program
 * before any operation of a binding runs. */
extern const rm_implementation *harness_binding_reference;

#endif

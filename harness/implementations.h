/* implementations.h -- the implementations linked into a case program
 * besides the model (docs/implementations.md); generated from
 * harness/implementations.cmake. */
#ifndef HARNESS_IMPLEMENTATIONS_H
#define HARNESS_IMPLEMENTATIONS_H

#include "refmodel.h"

typedef struct harness_implementation {
    const char *name; /* "real-3.14", ... */
    const rm_scheme *scheme;
} harness_implementation;

/* Ends with { NULL, NULL }. */
extern const harness_implementation harness_implementations[];

#endif

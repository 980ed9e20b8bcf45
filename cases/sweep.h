/* sweep.h -- the exhaustive sweep's inner loop (cases/sweep.c), one compiled
 * per model implementation: saturation.c cuts the 2^32 counting-word values
 * into slices, runs the loop on each, and reports. */
#ifndef HARNESS_SWEEP_H
#define HARNESS_SWEEP_H

#include "expect.h"
#include "refmodel.h"

typedef struct sweep_slice {
    /* What the loop is given. */
    const uint8_t *header; /* the object before each value: RM_MAX_HEADER bytes */
    rm_field word;         /* the counting word in it */
    rm_runtime rt;         /* the runtime of the operations, on the host's data model */
    expect_saturation e;   /* the ranges every value is held to */
    uint64_t from, to;     /* the values [from, to) */
    /* What it found. */
    uint64_t immortals;
    bool wrong;
    uint32_t value, got, want; /* the first wrong value, and what it gave */
    unsigned long got_deallocs, want_deallocs;
    const char *what; /* "immortal", "incref" or "decref" */
} sweep_slice;

typedef void (*sweep_loop)(sweep_slice *sl);

/* The loop compiled with impl's own incref, decref and is_immortal inlined
 * and the host's data model folded in; NULL for an implementation that is
 * not one of the model's (rm_implementations[]). */
sweep_loop sweep_loop_for(const rm_implementation *impl);

#endif

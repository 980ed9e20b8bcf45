/* sweep.c -- the exhaustive sweep's inner loop, compiled once per model
 * implementation with the model's own source (harness/refmodel.c, included
 * whole, as the proofs include it): the implementation's incref, decref and
 * is_immortal are direct calls the compiler inlines, and the host's data
 * model is a constant, so its byte order and word size fold away. An
 * indirect call per operation and the runtime's data model read back after
 * every store made the loop four to six times slower.
 *
 * The program that links this file uses this copy of the model for every
 * case: its definitions come before the refmodel archive, whose object is
 * then never pulled in. SWEEP_MODEL_SOURCE names a mutant of the model
 * instead (cmake/selftest). */
#ifndef SWEEP_MODEL_SOURCE
#define SWEEP_MODEL_SOURCE "refmodel.c"
#endif
#include SWEEP_MODEL_SOURCE

#include <stddef.h>

#include "sweep.h"

/* flatten: every call in a loop is inlined, the implementation's operations
 * and the model's loads and stores they make included. MSVC has no such
 * attribute; its configurations never sweep (only host-gcc does). */
#if defined(__GNUC__) || defined(__clang__)
#define SWEEP_ALWAYS_INLINE inline __attribute__((always_inline))
#define SWEEP_FLATTEN __attribute__((flatten))
#else
#define SWEEP_ALWAYS_INLINE __forceinline
#define SWEEP_FLATTEN
#endif

struct sweep_word_alignment {
    char c;
    void *p;
};

/* rm_native_data_model(), as constants the compiler can fold. */
static const rm_data_model sweep_host = {
    (uint8_t)sizeof(void *),
    HOST_BIG_ENDIAN,
    (uint8_t)offsetof(struct sweep_word_alignment, p),
};

/* Where the counting word lies: the 8-byte-aligned chunk of the header that
 * holds it, as the fixture has it, and the word's bits in that chunk read as
 * one host-order uint64_t. */
typedef struct sweep_chunk {
    unsigned offset;
    uint64_t base;
    unsigned shift;
} sweep_chunk;

static sweep_chunk sweep_chunk_of(const uint8_t *header, unsigned word_offset)
{
    sweep_chunk c;
    c.offset = word_offset / 8 * 8;
    COPY_BYTES(&c.base, header + c.offset, 8);
    unsigned at = word_offset - c.offset; /* 0 or 4: the word is 4-aligned */
    c.shift = 8 * (sweep_host.big_endian ? 4 - at : at);
    return c;
}

/* The object before each operation: the fixture's header with the counting
 * word v. The chunk holding the word is stored whole, so that an
 * implementation reading the full Py_ssize_t (or the word's neighbours) is
 * served from one store: after a 4-byte store, an 8-byte load over it
 * stalls the CPU, and made the 3.11 sweep three times slower. */
static SWEEP_ALWAYS_INLINE void sweep_object(uint8_t *obj, const uint8_t *header, sweep_chunk c, uint32_t v)
{
    COPY_BYTES(obj, header, RM_MAX_HEADER);
    uint64_t chunk = (c.base & ~(UINT64_C(0xFFFFFFFF) << c.shift)) | (uint64_t)v << c.shift;
    COPY_BYTES(obj + c.offset, &chunk, 8);
}

static SWEEP_ALWAYS_INLINE void sweep_values(const rm_implementation *s, sweep_slice *sl)
{
    const expect_saturation e = sl->e;
    /* The counting word is 32 bits wide in every layout (saturation.c
     * asserts it); a constant width lets the compiler fold the access. */
    const rm_field word = { sl->word.offset, 4 };
    const bool be = sweep_host.big_endian;
    const sweep_chunk chunk = sweep_chunk_of(sl->header, word.offset);
    rm_runtime fresh = sl->rt;
    fresh.dm = sweep_host;   /* what sl->rt has (the sweep runs on the host), as constants */
    fresh.on_dealloc = NULL; /* the loop counts deallocations itself */
    fresh.deallocs = 0;
    uint8_t storage[RM_MAX_HEADER + 16];
    /* Aligned as the model's object storage is: 16 bytes is enough for every header. */
    uint8_t *obj = storage + (16 - (uintptr_t)storage % 16) % 16;
    for (uint64_t i = sl->from; i < sl->to; i++) {
        uint32_t v = (uint32_t)i;
        /* A runtime per operation: no callback can have changed it, so its
         * data model stays a constant through the operation. */
        rm_runtime rt = fresh;
        sweep_object(obj, sl->header, chunk, v);
        bool imm = s->is_immortal(&rt, obj);
        bool want = e.immortality && v >= e.first_immortal && v <= e.last_immortal;
        if (imm != want) {
            sl->what = "immortal";
            sl->got = imm, sl->want = want;
            goto wrong;
        }
        sl->immortals += imm;
        s->incref(&rt, obj);
        uint32_t up = (uint32_t)rm_load(obj, word, be);
        uint32_t want_up = imm ? (v < e.ceiling ? v + 1 : v) : v + 1;
        if (up != want_up) {
            sl->what = "incref";
            sl->got = up, sl->want = want_up;
            goto wrong;
        }
        rt = fresh;
        sweep_object(obj, sl->header, chunk, v);
        s->decref(&rt, obj);
        uint32_t down = (uint32_t)rm_load(obj, word, be);
        uint32_t want_down = imm ? v : v - 1;
        unsigned long want_deallocs = !imm && v == 1;
        if (down != want_down || rt.deallocs != want_deallocs) {
            sl->what = "decref";
            sl->got = down, sl->want = want_down;
            sl->got_deallocs = rt.deallocs, sl->want_deallocs = want_deallocs;
            goto wrong;
        }
        continue;
    wrong:
        sl->wrong = true;
        sl->value = v;
        return;
    }
}

#define SWEEP_LOOP(model)                                                                                              \
    static SWEEP_FLATTEN void sweep_##model(sweep_slice *sl) { sweep_values(&model, sl); }
RM_MODELS(SWEEP_LOOP)

sweep_loop sweep_loop_for(const rm_implementation *impl)
{
#define SWEEP_FIND(model)                                                                                              \
    if (impl == &model)                                                                                                \
        return sweep_##model;
    RM_MODELS(SWEEP_FIND)
    return NULL;
}

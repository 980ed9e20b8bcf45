/* generations.c -- every limited-API generation against every runtime
 * (fact sheet §9). The program is given one extension, built once from
 * CPython H's real headers with Py_LIMITED_API L (generations/gen_ext.c,
 * HARNESS_GENERATION_MODULE, as "gen-<H>-<L>"), and loads it into every GIL
 * runtime the stable ABI promises it runs on, the model's, from max(L, 3.11)
 * to the newest, through the runtime module it imports from
 * (abi3t/pyapi.c, HARNESS_RUNTIME_MODULE); and the abi3t one ("gen-3.15-
 * abi3t": 3.15's headers with Py_TARGET_ABI3T), into 3.15 and later, GIL and
 * free-threaded: abi3t's promise. One check per runtime R:
 *   - how each operation is made: a call of the runtime's function (counted
 *     here, and among the module's undefined symbols, which the build
 *     listed: HARNESS_GENERATION_SYMBOLS) or H's inline code, as
 *     cases/expect.h says for (H, L);
 *   - calls, and inline code of R's own encoding, behave exactly as R's own
 *     operations: bytes, deallocations, immortality and Py_REFCNT, from
 *     start states at every threshold and R's static and runtime immortals;
 *   - inline code of another encoding: exact on mortal counts below every
 *     threshold; on R's immortal objects, Py_INCREF and Py_DECREF tolerate
 *     the numbers cases/expect.h derives, Py_REFCNT reads and Py_SET_REFCNT
 *     stores what H's rules make of R's words.
 * Each runtime's cell is printed ("harness-generation: ...") for the
 * report's table: rows (H, L), columns R. */
#include <stdio.h>
#include <stdlib.h>

#include "abi3t/pyapi.h"
#include "case.h"
#include "expect.h"
#include "loaded.h"

const char *const case_family_name = "generations";

static int h_minor, l_minor;                  /* 3.<h> headers, Py_LIMITED_API 3.<l> */
static bool abi3t;                            /* Py_TARGET_ABI3T (its limited API is 3.15's) */
static char limited_name[8];                  /* "3.2", "abi3t": L as the report shows it */
static const rm_implementation *headers;      /* the model of 3.<h>: its encoding's expectations */
static const rm_implementation *runtimes[16]; /* the runtimes it is promised to, oldest first */
static int n_runtimes;
static char symbols[512]; /* the module's undefined symbols of CPython's */

/* -- the runtime module's functions, forwarding to the runtime under test -- */

static const rm_implementation *current;                      /* R */
static HARNESS_THREAD_LOCAL unsigned long calls[GEN_OPS + 1]; /* + _Py_Dealloc */
static const char *const call_names[GEN_OPS + 1] = { "_Py_IncRef", "_Py_DecRef", "_Py_SetRefcnt", "Py_REFCNT",
                                                     "_Py_Dealloc" };
static void api_incref(void *op) { calls[GEN_INCREF]++, current->incref(harness_active_runtime("_Py_IncRef"), op); }
static void api_decref(void *op) { calls[GEN_DECREF]++, current->decref(harness_active_runtime("_Py_DecRef"), op); }
static void api_set_refcnt(void *op, intptr_t n)
{
    calls[GEN_SET_REFCNT]++, current->set_refcnt(harness_active_runtime("_Py_SetRefcnt"), op, n);
}
static intptr_t api_refcnt(void *op)
{
    calls[GEN_REFCNT]++;
    return (intptr_t)current->refcnt(harness_active_runtime("Py_REFCNT"), op);
}
static void api_dealloc(void *op) { calls[GEN_OPS]++, rm_record_dealloc(harness_active_runtime("_Py_Dealloc"), op); }

/* -- the module's operations ------------------------------------------------ */

static void (*gen_incref)(void *);
static void (*gen_decref)(void *);
static void (*gen_set_refcnt)(void *, intptr_t);
static intptr_t (*gen_refcnt)(void *);
static const char *const op_names[GEN_OPS] = { "Py_INCREF", "Py_DECREF", "Py_SET_REFCNT", "Py_REFCNT" };

/* One operation of the module on obj in rt; returns Py_REFCNT's value. */
static int64_t module_op(expect_gen_op op, rm_runtime *rt, uint8_t *obj, int64_t n)
{
    harness_dealloc_runtime = rt;
    switch (op) {
    case GEN_INCREF:
        gen_incref(obj);
        return 0;
    case GEN_DECREF:
        gen_decref(obj);
        return 0;
    case GEN_SET_REFCNT:
        gen_set_refcnt(obj, (intptr_t)n);
        return 0;
    default:
        return gen_refcnt(obj);
    }
}

static int64_t own_op(expect_gen_op op, rm_runtime *rt, uint8_t *obj, int64_t n)
{
    switch (op) {
    case GEN_INCREF:
        current->incref(rt, obj);
        return 0;
    case GEN_DECREF:
        current->decref(rt, obj);
        return 0;
    case GEN_SET_REFCNT:
        current->set_refcnt(rt, obj, n);
        return 0;
    default:
        return current->refcnt(rt, obj);
    }
}

/* -- objects of the runtime ------------------------------------------------- */

typedef enum origin { HEAP, STATIC, RUNTIME_IMMORTAL } origin;
typedef struct obj {
    rm_runtime rt;
    uint8_t *bytes;
} obj;

/* The word a count is set in: the Py_ssize_t at offset 0 of a GIL build,
 * ob_ref_local of a free-threaded one. */
static rm_field count_word(rm_data_model dm)
{
    rm_layout l = current->layout(dm);
    return l.field[RM_F_REFCNT].size ? l.field[RM_F_REFCNT] : l.field[RM_F_COUNT_WORD];
}

static obj make(origin from, uint64_t word)
{
    obj o = { case_runtime(rm_native_data_model()), case_object() };
    if (from == STATIC) {
        current->init_static(&o.rt, o.bytes, RM_ORIGIN_CORE);
    } else {
        current->new_reference(&o.rt, o.bytes);
        if (from == RUNTIME_IMMORTAL)
            current->immortalize(&o.rt, o.bytes);
        else
            rm_store(o.bytes, count_word(o.rt.dm), o.rt.dm.big_endian, word);
    }
    return o;
}
static uint64_t word_of(const obj *o) { return rm_load(o->bytes, count_word(o->rt.dm), o->rt.dm.big_endian); }
static bool immortal(const obj *o) { return current->is_immortal(&o->rt, o->bytes); }

/* The module's op and R's own on twins: the same bytes, deallocations,
 * immortality and value after. */
static void assert_exact(expect_gen_op op, origin from, uint64_t word, int64_t n)
{
    obj a = make(from, word), b = make(from, word);
    int64_t va = module_op(op, &a.rt, a.bytes, n), vb = own_op(op, &b.rt, b.bytes, n);
    size_t size = current->layout(a.rt.dm).object_size;
    char before[24];
    snprintf(before, sizeof before, "%s",
             from == HEAP     ? "a heap object"
             : from == STATIC ? "the static"
                              : "the runtime immortal");
    if (memcmp(a.bytes, b.bytes, size)) {
        char x[3 * RM_MAX_HEADER + 1];
        strcpy(x, CASE_HEX(a.bytes, size));
        ck_abort_msg("3.%d headers, limited %s, on %s: %s of %s (word 0x%llx): module [%s], runtime's own [%s]",
                     h_minor, limited_name, current->name, op_names[op], before, (unsigned long long)word, x,
                     CASE_HEX(b.bytes, size));
    }
    case_require_msg(va == vb && a.rt.deallocs == b.rt.deallocs && immortal(&a) == immortal(&b),
                     "3.%d headers, limited %s, on %s: %s of %s (word 0x%llx): module returns %s, %lu deallocations; "
                     "runtime's own %s, %lu",
                     h_minor, limited_name, current->name, op_names[op], before, (unsigned long long)word, case_i64(va),
                     a.rt.deallocs, case_i64(vb), b.rt.deallocs);
}

/* Start states: every version's thresholds, and counts below all of them. */
/* clang-format off */
static const uint64_t thresholds[] = { 0x3FFFFFFE, 0x3FFFFFFF, 0x40000000, 0x4FFFFFFF, 0x50000000, 0x6FFFFFFF,
                                       0x70000000, 0x7FFFFFFF, 0x80000000, 0xBFFFFFFF, 0xC0000000, 0xFFFFFFFE,
                                       0xFFFFFFFF, UINT64_C(0x100000000), UINT64_C(0x00050000C0000000) };
/* clang-format on */
static const uint64_t mortal_counts[] = { 1, 2, 3, 7, 1000, 0x10000, 0x1FFFFFFF };
static const int64_t set_values[] = { 1, 2, 5, 0x12345 };

static void exact_everywhere(expect_gen_op op)
{
    uint64_t mask = expect_gen_word_mask(rm_native_data_model());
    for (size_t i = 0; i < sizeof thresholds / sizeof thresholds[0]; i++)
        for (size_t k = 0; k < sizeof set_values / sizeof set_values[0]; k++)
            assert_exact(op, HEAP, thresholds[i] & mask, set_values[k]);
    for (origin from = STATIC; from <= RUNTIME_IMMORTAL; from++)
        assert_exact(op, from, 0, 7);
}

static void exact_on_mortal_counts(expect_gen_op op)
{
    for (size_t i = 0; i < sizeof mortal_counts / sizeof mortal_counts[0]; i++)
        for (size_t k = 0; k < sizeof set_values / sizeof set_values[0]; k++)
            assert_exact(op, HEAP, mortal_counts[i], set_values[k]);
}

/* -- inline code of another encoding on R's immortal objects ---------------- */

/* Unbalanced ops of one direction on R's static or runtime immortal: lost
 * after exactly n (jump next to it on the whole word, where the derivation
 * has h's code doing plain +-1, and cross one real op), or never (0). Says
 * how it differs from R's own op into out ("" where it does not). */
static void tolerance(expect_gen_op op, origin from, uint64_t n, uint32_t climbs_to, char *out, size_t size)
{
    const char *plural = op == GEN_INCREF ? "increfs" : "decrefs";
    int dir = op == GEN_INCREF ? 1 : -1;
    const char *what = from == STATIC ? "static" : "runtime";
    obj o = make(from, 0);
    uint64_t initial = word_of(&o), mask = expect_gen_word_mask(o.rt.dm);
    if (n) {
        /* One op is +-1 on the whole word... */
        module_op(op, &o.rt, o.bytes, 0);
        if (n > 1)
            case_require_msg(word_of(&o) == ((initial + (uint64_t)dir) & mask),
                             "3.%d headers on %s: one %s of the %s immortal made 0x%llx of 0x%llx", h_minor,
                             current->name, op_names[op], what, (unsigned long long)word_of(&o),
                             (unsigned long long)initial);
        /* ...n-1 of them leave it immortal, the n-th does not. */
        obj x = make(from, 0);
        rm_store(x.bytes, count_word(x.rt.dm), x.rt.dm.big_endian, (initial + (uint64_t)dir * (n - 1)) & mask);
        case_require_msg(immortal(&x), "3.%d headers on %s: the %s immortal is mortal after %s %ss, not %s", h_minor,
                         current->name, what, case_u64(n - 1), op_names[op], case_u64(n));
        module_op(op, &x.rt, x.bytes, 0);
        case_require_msg(!immortal(&x), "3.%d headers on %s: the %s immortal is still immortal after %s %ss", h_minor,
                         current->name, what, case_u64(n), op_names[op]);
        snprintf(out, size, "mortal after %s %s", case_u64(n), plural);
        return;
    }
    /* Never: a few from the start stay immortal, and each stores nothing
     * or climbs the low half by one, which stops where h's code stops. */
    obj twin = make(from, 0);
    bool stores = false;
    for (int k = 0; k < 3; k++) {
        uint64_t before = word_of(&o);
        module_op(op, &o.rt, o.bytes, 0);
        own_op(op, &twin.rt, twin.bytes, 0);
        uint64_t after = word_of(&o);
        stores = stores || word_of(&twin) != after;
        case_require_msg(immortal(&o), "3.%d headers on %s: the %s immortal is mortal after %d %ss", h_minor,
                         current->name, what, k + 1, op_names[op]);
        case_require_msg(after == before || (climbs_to && after == ((before + 1) & mask)),
                         "3.%d headers on %s: a %s of the %s immortal made 0x%llx of 0x%llx", h_minor, current->name,
                         op_names[op], what, (unsigned long long)after, (unsigned long long)before);
    }
    if (climbs_to) {
        obj top = make(from, 0);
        uint64_t w = (word_of(&top) & ~UINT64_C(0xFFFFFFFF)) | climbs_to;
        rm_store(top.bytes, count_word(top.rt.dm), top.rt.dm.big_endian, w);
        module_op(op, &top.rt, top.bytes, 0);
        case_require_msg(word_of(&top) == w && immortal(&top), "3.%d headers on %s: %s at 0x%llx made 0x%llx", h_minor,
                         current->name, op_names[op], (unsigned long long)w, (unsigned long long)word_of(&top));
    }
    case_require_msg(!stores || climbs_to, "3.%d headers on %s: %s of the %s immortal differ from the runtime's own",
                     h_minor, current->name, plural, what);
    if (stores)
        snprintf(out, size, "%s climb the low half to 0x%X, still immortal (the runtime's own store nothing)", plural,
                 (unsigned)climbs_to);
    else
        out[0] = '\0';
}

/* Py_REFCNT and Py_SET_REFCNT of h's inline code on R's immortals: what h's
 * rules make of the word (cases/expect.h); a difference from R's own is
 * said into cell. */
static void read_and_set(expect_gen_op op, origin from, char *cell, size_t size)
{
    expect_family h = expect_family_of(headers);
    const char *what = from == STATIC ? "static" : "runtime";
    obj o = make(from, 0);
    uint64_t word = word_of(&o);
    rm_data_model dm = o.rt.dm;
    if (op == GEN_REFCNT) {
        int64_t got = module_op(op, &o.rt, o.bytes, 0), want = expect_gen_reads_refcnt(h, dm, word);
        int64_t own = current->refcnt(&o.rt, o.bytes);
        case_require_msg(got == want, "3.%d headers on %s: Py_REFCNT of the %s immortal reads %s, expected %s", h_minor,
                         current->name, what, case_i64(got), case_i64(want));
        if (got != own)
            snprintf(cell + strlen(cell), size - strlen(cell), "%sPy_REFCNT of the %s immortal reads %s, not %s",
                     cell[0] ? "; " : "", what, case_i64(got), case_i64(own));
        return;
    }
    module_op(op, &o.rt, o.bytes, 5);
    uint64_t want = expect_gen_set_refcnt(h, dm, word, 5);
    case_require_msg(word_of(&o) == want,
                     "3.%d headers on %s: Py_SET_REFCNT(5) of the %s immortal made 0x%llx, expected 0x%llx", h_minor,
                     current->name, what, (unsigned long long)word_of(&o), (unsigned long long)want);
    if (!immortal(&o))
        snprintf(cell + strlen(cell), size - strlen(cell), "%sPy_SET_REFCNT makes the %s immortal mortal",
                 cell[0] ? "; " : "", what);
}

START_TEST(generation_on_runtime)
{
    current = runtimes[_i];
    rm_data_model dm = rm_native_data_model();
    char cell[640] = "";
    bool inline_other[GEN_OPS] = { false };
    for (expect_gen_op op = 0; op < GEN_OPS; op++) {
        /* How it is made: counted here, and read from the module's symbols. */
        bool want_call = expect_generation_calls(h_minor, l_minor, op);
        obj o = make(HEAP, 5);
        unsigned long before[GEN_OPS + 1];
        memcpy(before, calls, sizeof before);
        module_op(op, &o.rt, o.bytes, 3);
        for (int i = 0; i < GEN_OPS; i++)
            case_require_msg(calls[i] - before[i] == (unsigned long)(want_call && i == (int)op),
                             "3.%d headers, limited %s: %s made %lu calls to %s; it should be %s", h_minor,
                             limited_name, op_names[op], calls[i] - before[i], call_names[i],
                             want_call ? "one call of its own function" : "inline code");
        bool listed = strstr(symbols, call_names[op]) != NULL;
        case_require_msg(listed == want_call, "3.%d headers, limited %s: %s is %s, yet the module %s %s", h_minor,
                         limited_name, op_names[op], want_call ? "a call" : "inline",
                         listed ? "imports" : "does not import", call_names[op]);
        if (want_call || expect_family_of(headers) == expect_family_of(current)) {
            exact_everywhere(op);
        } else {
            inline_other[op] = true;
            exact_on_mortal_counts(op);
        }
    }
    /* An inline Py_DECREF carries _Py_Dealloc; calls alone never name it. */
    bool inline_decref = !expect_generation_calls(h_minor, l_minor, GEN_DECREF);
    case_require_msg((strstr(symbols, "_Py_Dealloc") != NULL) == inline_decref,
                     "3.%d headers, limited %s: the module %s _Py_Dealloc, with %s Py_DECREF", h_minor, limited_name,
                     inline_decref ? "does not import" : "imports", inline_decref ? "an inline" : "a called");
    /* Inline code of another encoding on R's immortal objects. */
    for (int r = 0; r < 2; r++) {
        expect_gen_tolerance t;
        origin from = r ? RUNTIME_IMMORTAL : STATIC;
        if (!expect_generation_tolerance(headers, current, dm, r, &t))
            continue;
        char said[2][96] = { "", "" };
        if (inline_other[GEN_INCREF])
            tolerance(GEN_INCREF, from, t.increfs, t.climbs_to, said[0], sizeof said[0]);
        if (inline_other[GEN_DECREF])
            tolerance(GEN_DECREF, from, t.decrefs, 0, said[1], sizeof said[1]);
        if (said[0][0] || said[1][0])
            snprintf(cell + strlen(cell), sizeof cell - strlen(cell), "%s%s immortal: %s%s%s", cell[0] ? "; " : "",
                     r ? "runtime" : "static", said[0], said[0][0] && said[1][0] ? ", " : "", said[1]);
        for (expect_gen_op op = GEN_SET_REFCNT; op <= GEN_REFCNT; op++)
            if (inline_other[op])
                read_and_set(op, from, cell, sizeof cell);
    }
    bool any_inline_other = false;
    for (int op = 0; op < GEN_OPS; op++)
        any_inline_other = any_inline_other || inline_other[op];
    const char *verdict = "agrees";
    if (cell[0])
        verdict = "tolerates: ";
    else if (any_inline_other && !(current->flags & RM_HAS_IMMORTALITY))
        verdict = "agrees on mortal counts (no immortal objects)";
    printf("harness-generation: H=3.%d L=%s R=%s on %s: %s%s\n", h_minor, limited_name, current->name,
           rm_data_model_name(dm), verdict, cell);
    fflush(stdout);
}
END_TEST

bool case_family_add_tests(TCase *tc)
{
    if (case_opts.mode) {
        fprintf(stderr, "cases_generations: no modes\n");
        return false;
    }
    CASE_LOOP(tc, generation_on_runtime, n_runtimes);
    return true;
}

/* "gen-3.13-3.2": the module, loaded; the runtimes; an implementation
 * naming the headers' version, whose expectations the family uses. */
const rm_implementation *case_extra_implementation(const char *name);
const rm_implementation *case_extra_implementation(const char *name)
{
    static rm_implementation module;
    static char summary[256];
    static const harness_pyapi_runtime api = {
        "the generations' runtime", api_incref, api_decref, api_set_refcnt, api_refcnt, api_dealloc
    };
    char tail[8] = "";
    if (sscanf(name, "gen-3.%d-3.%d", &h_minor, &l_minor) == 2) {
        snprintf(limited_name, sizeof limited_name, "3.%d", l_minor);
    } else if (sscanf(name, "gen-3.%d-%7s", &h_minor, tail) == 2 && !strcmp(tail, "abi3t") && h_minor >= 15) {
        abi3t = true, l_minor = 15; /* pyabi.h: Py_LIMITED_API is Py_TARGET_ABI3T's */
        snprintf(limited_name, sizeof limited_name, "abi3t");
    } else {
        return NULL;
    }
    case_install_runtime(&api);
    void *ext = case_load_module("HARNESS_GENERATION_MODULE", "generation module");
    gen_incref = (void (*)(void *))case_module_symbol(ext, "HARNESS_GENERATION_MODULE", "gen_incref");
    gen_decref = (void (*)(void *))case_module_symbol(ext, "HARNESS_GENERATION_MODULE", "gen_decref");
    gen_set_refcnt = (void (*)(void *, intptr_t))case_module_symbol(ext, "HARNESS_GENERATION_MODULE", "gen_set_refcnt");
    gen_refcnt = (intptr_t(*)(void *))case_module_symbol(ext, "HARNESS_GENERATION_MODULE", "gen_refcnt");
    unsigned long (*built_h)(void) =
        (unsigned long (*)(void))case_module_symbol(ext, "HARNESS_GENERATION_MODULE", "gen_headers_version");
    unsigned long (*built_l)(void) =
        (unsigned long (*)(void))case_module_symbol(ext, "HARNESS_GENERATION_MODULE", "gen_limited_api");
    if ((int)(built_h() >> 16 & 0xFF) != h_minor || (int)(built_l() >> 16 & 0xFF) != l_minor) {
        fprintf(stderr, "cases_generations: %s was built with headers 0x%08lx and Py_LIMITED_API 0x%08lx, not %s\n",
                case_module_file("HARNESS_GENERATION_MODULE"), built_h(), built_l(), name);
        exit(2);
    }
    /* Its undefined symbols, as the build read them with the target's binutils. */
    const char *path = getenv("HARNESS_GENERATION_SYMBOLS");
    FILE *f = path ? fopen(path, "r") : NULL;
    if (!f) {
        fprintf(stderr,
                "cases_generations: no list of the module's undefined symbols (HARNESS_GENERATION_SYMBOLS=%s)\n",
                path ? path : "(unset)");
        exit(2);
    }
    char line[128];
    symbols[0] = '\0';
    while (fgets(line, sizeof line, f)) /* one symbol a line (cmake/undefined-symbols.cmake) */
        snprintf(symbols + strlen(symbols), sizeof symbols - strlen(symbols), "%s", line);
    fclose(f);
    char version[8];
    snprintf(version, sizeof version, "3.%d", h_minor);
    headers = rm_find_implementation(version);
    if (!headers) {
        fprintf(stderr, "cases_generations: no model of CPython %s\n", version);
        exit(2);
    }
    /* The GIL runtimes, max(L, 3.11) and later, from harness/versions.txt;
     * for abi3t the free-threaded ones too. */
    int from = l_minor > 11 ? l_minor : 11;
#define RUNTIME_ROW(v, hex, family)                                                                                    \
    if (strcmp(v, "legacy") && (abi3t || !strchr(v, 't')) && (int)((hex) >> 16 & 0xFF) >= from && n_runtimes < 16)     \
        runtimes[n_runtimes++] = rm_find_implementation(v);
    HARNESS_VERSION_ROWS(RUNTIME_ROW)
#undef RUNTIME_ROW
    snprintf(summary, sizeof summary, "%s: CPython 3.%d's headers, %s %s, loaded into %d runtimes",
             case_module_file("HARNESS_GENERATION_MODULE"), h_minor, abi3t ? "Py_TARGET_ABI3T" : "Py_LIMITED_API",
             limited_name, n_runtimes);
    module = *headers;
    module.summary = summary;
    module.flags = headers->flags | RM_NATIVE_ONLY;
    return &module;
}

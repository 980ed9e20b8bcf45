/* case_main.c -- main() shared by every case family, and what libpython
 * would provide to the code under test.
 *
 *   cases_<family> IMPLEMENTATION [MODE]
 *
 * IMPLEMENTATION is a model implementation ("3.14") or a linked implementation
 * ("real-3.14": CPython's headers; see docs/implementations.md).
 * Prints how many checks it registered; the CTest wrapper
 * (cmake/run-case.cmake) passes a run only if Check's summary line then
 * shows that many checks with no failure and no error. */
#include "case.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"
#include "export.h"
#include "implementations.h"
#include "platform.h"

case_options case_opts;
int case_registered;
static bool case_skipped;

bool case_skip(const char *reason)
{
    if (case_registered) {
        fprintf(stderr, "harness: cases_%s skips after registering %d checks: a harness bug\n", case_family_name,
                case_registered);
        abort();
    }
    printf("harness-skip: %s\n", reason);
    case_skipped = true;
    return false;
}

int case_abi_count(void) { return case_opts.impl->flags & RM_NATIVE_ONLY ? 1 : 4; }

rm_data_model case_abi(int i)
{
    if (case_opts.impl->flags & RM_NATIVE_ONLY)
        return rm_native_data_model();
    uint8_t w = (uint8_t)(i & 2 ? 8 : 4);
    rm_data_model dm = { w, (i & 1) != 0, w };
    return dm;
}

enum { CASE_OBJECT_SLOT = 64, CASE_OBJECT_SLOTS = 256 };
_Static_assert(RM_MAX_HEADER <= CASE_OBJECT_SLOT, "a slot holds the largest header");

uint8_t *case_object(void)
{
    static uint8_t *allocated, *pool; /* kept: the pool lives as long as the program */
    static unsigned next;
    if (!pool) {
        allocated = malloc(CASE_OBJECT_SLOT * CASE_OBJECT_SLOTS + 16);
        if (!allocated) {
            fprintf(stderr, "harness: out of memory for object storage\n");
            abort();
        }
        pool = allocated + (16 - (uintptr_t)allocated % 16) % 16;
    }
    uint8_t *slot = pool + (next++ % CASE_OBJECT_SLOTS) * CASE_OBJECT_SLOT;
    memset(slot, 0, CASE_OBJECT_SLOT);
    return slot;
}

rm_runtime case_runtime(rm_data_model dm)
{
    rm_runtime rt;
    const rm_implementation *s = case_opts.impl;
    rm_runtime_init(&rt, dm, s && s->thread_id ? s->thread_id() : 0x5EED);
    return rt;
}

const char *case_hex(const uint8_t *bytes, size_t n)
{
    static char out[3 * RM_MAX_HEADER + 1];
    size_t at = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && i < RM_MAX_HEADER; i++)
        at += (size_t)snprintf(out + at, sizeof out - at, i ? " %02x" : "%02x", bytes[i]);
    return out;
}

static char *next_number_buffer(void)
{
    static char buffers[4][24];
    static unsigned next;
    return buffers[next++ % 4];
}

const char *case_u64(uint64_t v)
{
    char digits[24], *out = next_number_buffer();
    int n = 0;
    do
        digits[n++] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    for (int i = 0; i < n; i++)
        out[i] = digits[n - 1 - i];
    out[n] = '\0';
    return out;
}

const char *case_i64(int64_t v)
{
    if (v >= 0)
        return case_u64((uint64_t)v);
    const char *magnitude = case_u64(0 - (uint64_t)v);
    char *out = next_number_buffer();
    /* Copied by hand: GCC 12's -Wrestrict at -O3 takes snprintf's source,
     * another of the same buffers, for the destination. */
    size_t n = 0;
    out[n++] = '-';
    for (const char *d = magnitude; *d != '\0'; d++)
        out[n++] = *d;
    out[n] = '\0';
    return out;
}

/* _Py_Dealloc, as libpython exports it, for the legacy extension (a real
 * shared library, which knows it only by name). The real headers' inline
 * Py_DECREF calls its implementation's own (harness/real/real_impl.c). Per
 * thread: each thread's operations record into its own runtime. */
HARNESS_THREAD_LOCAL rm_runtime *harness_dealloc_runtime;
const rm_implementation *harness_binding_reference;

rm_runtime *harness_active_runtime(const char *what)
{
    if (!harness_dealloc_runtime) {
        fprintf(stderr, "harness: %s called with no runtime active\n", what);
        abort();
    }
    return harness_dealloc_runtime;
}
HARNESS_EXPORT void _Py_Dealloc(void *op);
void _Py_Dealloc(void *op)
{
    ck_assert_msg(harness_dealloc_runtime != NULL, "_Py_Dealloc called with no runtime active");
    rm_record_dealloc(harness_dealloc_runtime, op);
}

/* Where the free-threaded headers have no instruction for the thread
 * pointer (m68k, hppa, sparc, mips, ...), _Py_ThreadId() asks libpython for
 * the address of a thread-local variable, as this does. */
uintptr_t _Py_GetThreadLocal_Addr(void);
uintptr_t _Py_GetThreadLocal_Addr(void)
{
    static HARNESS_THREAD_LOCAL char here;
    return (uintptr_t)&here;
}

static const rm_implementation *find_implementation(const char *name)
{
    for (const harness_implementation *i = harness_implementations; i->name; i++)
        if (!strcmp(i->name, name))
            return i->impl;
    return rm_find_implementation(name);
}

/* The operations a binding may provide, by name, for composing and reporting. */
#define BINDING_OPERATIONS(X)                                                                                          \
    X(init_static)                                                                                                     \
    X(new_reference)                                                                                                   \
    X(immortalize)                                                                                                     \
    X(incref)                                                                                                          \
    X(decref)                                                                                                          \
    X(is_immortal)                                                                                                     \
    X(is_static_immortal)                                                                                              \
    X(refcnt)                                                                                                          \
    X(set_refcnt)                                                                                                      \
    X(try_incref)                                                                                                      \
    X(is_uniquely_referenced)                                                                                          \
    X(enable_try_incref)                                                                                               \
    X(incref_mortal)                                                                                                   \
    X(decref_mortal)

/* Each operation a binding leaves NULL comes from 'from'. */
static void fill_from(rm_implementation *into, const rm_implementation *from)
{
#define FILL(op)                                                                                                       \
    if (!into->op)                                                                                                     \
        into->op = from->op;
    BINDING_OPERATIONS(FILL)
#undef FILL
    if (!into->layout)
        into->layout = from->layout;
    if (!into->thread_id)
        into->thread_id = from->thread_id;
}

/* "immortalize try_incref": the operations that are the binding's own. */
static const char *own_operations(const rm_implementation *b)
{
    static char out[256];
    out[0] = '\0';
#define NAME(op)                                                                                                       \
    if (b->op)                                                                                                         \
        snprintf(out + strlen(out), sizeof out - strlen(out), "%s%s", out[0] ? " " : "", #op);
    BINDING_OPERATIONS(NAME)
#undef NAME
    return out;
}

/* A binding runs as its own operations over its base's (docs/implementations.md). */
static const rm_implementation *compose_binding(const rm_implementation *b)
{
    static rm_implementation composed, reference;
    const rm_implementation *base = find_implementation(b->base);
    if (!base || base->base) {
        fprintf(stderr, "cases_%s: %s names base '%s', which is %s\n", case_family_name, b->name, b->base,
                base ? "itself a binding" : "not linked into this program");
        exit(2);
    }
    const rm_implementation *model = rm_find_implementation(b->name);
    composed = *b;
    composed.flags = base->flags | (b->flags & (RM_NATIVE_ONLY | RM_CALLS_RUNTIME)); /* built for this target only */
    composed.version_hex = base->version_hex;
    fill_from(&composed, base);
    reference = *base;
    if (model)
        fill_from(&reference, model);
    case_opts.binding = b;
    case_opts.reference = harness_binding_reference = &reference;
    return &composed;
}

/* Implementations a case program makes at run time from what it loads, as
 * a binding with its base (cases/abi3t/runtime.c: "abi3t-real-3.15t"), or
 * NULL: case_no_extra.c, in the programs that make none. */
const rm_implementation *case_extra_implementation(const char *name);

static void usage(void)
{
    fprintf(stderr,
            "usage: cases_%s IMPLEMENTATION [MODE]\n"
            "       cases_%s --batch DIR TIMEOUT MODE|- IMPLEMENTATION...\n"
            "model implementations:",
            case_family_name, case_family_name);
    for (size_t i = 0; i < rm_implementation_count; i++)
        fprintf(stderr, " %s", rm_implementations[i]->name);
    fprintf(stderr, "\nlinked implementations:");
    for (const harness_implementation *i = harness_implementations; i->name; i++)
        fprintf(stderr, " %s", i->name);
    fprintf(stderr, "\n");
}

/* One implementation's checks (mode: NULL for none): the program's exit status. */
static int run_one(const char *name, const char *mode)
{
    case_opts.impl = find_implementation(name);
    if (!case_opts.impl)
        case_opts.impl = case_extra_implementation(name);
    if (!case_opts.impl) {
        fprintf(stderr, "cases_%s: unknown implementation '%s'\n", case_family_name, name);
        usage();
        return 2;
    }
    if (case_opts.impl->base)
        case_opts.impl = compose_binding(case_opts.impl);
    (void)expect_family_of(case_opts.impl); /* aborts, naming it, on a version without expectations */
    case_opts.mode = mode;

    Suite *suite = suite_create(case_family_name);
    TCase *tc = tcase_create(case_opts.impl->name);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(suite, tc);
    if (!case_family_add_tests(tc)) {
        fflush(stdout); /* a "harness-skip:" line must survive a sanitizer's exit */
        srunner_free(srunner_create(suite));
        return case_skipped ? CASE_SKIP_EXIT : 2;
    }
    printf("harness: %s %s%s%s on %s: %d checks registered\n", case_family_name, name, mode ? " " : "",
           mode ? mode : "", rm_data_model_name(rm_native_data_model()), case_registered);
    if (case_opts.impl->flags & RM_NATIVE_ONLY)
        printf("harness: implementation: %s\n", case_opts.impl->summary);
    if (case_opts.binding)
        printf("harness-%s: %s: %s; own operations: %s (%s); the rest from %s\n",
               case_opts.impl->flags & RM_CALLS_RUNTIME ? "abi3t" : "binding", name, case_opts.binding->project,
               own_operations(case_opts.binding), case_opts.binding->own_api, case_opts.binding->base);
    fflush(stdout);

    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_ENV); /* CK_NORMAL, or CK_VERBOSITY=verbose to name every check that ran */
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

typedef struct one_run {
    const char *name, *mode;
} one_run;

static int run_one_in_child(void *arg)
{
    const one_run *r = arg;
    return run_one(r->name, r->mode);
}

/* --batch DIR TIMEOUT MODE|- IMPLEMENTATION...: each implementation's
 * checks in a child process of its own, as if the program had been started
 * for it alone (cmake/run-case.cmake judges each): its output to
 * DIR/<implementation>.out, then what became of it (platform_run_child) to
 * DIR/<implementation>.rc. One start of the program (and of its emulator)
 * serves them all; a crash or a hang ends only its own child. */
static int run_batch(int argc, char **argv)
{
    char *end = NULL;
    unsigned long timeout = argc >= 6 ? strtoul(argv[3], &end, 10) : 0;
    if (argc < 6 || *end != '\0' || timeout == 0 || timeout > 86400) {
        usage();
        return 2;
    }
    const char *dir = argv[2], *mode = strcmp(argv[4], "-") ? argv[4] : NULL;
    for (int i = 5; i < argc; i++) {
        /* Static: on the stack, 12 kB would need the MSVC ABI's stack probe. */
        static char out[4096], rc[4096], rc_part[4096];
        char status[96];
        const char *why = "";
        if (strchr(argv[i], '/') || strchr(argv[i], '\\') ||
            (size_t)snprintf(rc_part, sizeof rc_part, "%s/%s.rc.part", dir, argv[i]) >= sizeof rc_part) {
            fprintf(stderr, "cases_%s: --batch: '%s' in '%s' is no file name\n", case_family_name, argv[i], dir);
            return 2;
        }
        snprintf(out, sizeof out, "%s/%s.out", dir, argv[i]);
        snprintf(rc, sizeof rc, "%s/%s.rc", dir, argv[i]);
        one_run r = { argv[i], mode };
        if (!platform_run_child(run_one_in_child, &r, out, (unsigned)timeout, status, sizeof status, &why)) {
            fprintf(stderr, "cases_%s: --batch: no child process for %s: %s\n", case_family_name, argv[i], why);
            return 2;
        }
        /* Written whole, then renamed: the runner never reads half a status. */
        FILE *f = fopen(rc_part, "w");
        bool written = f && fprintf(f, "%s\n", status) > 0;
        if (f && fclose(f) != 0)
            written = false;
        if (!written || rename(rc_part, rc) != 0) {
            fprintf(stderr, "cases_%s: --batch: cannot write %s\n", case_family_name, rc);
            return 2;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "--batch"))
        return run_batch(argc, argv);
    if (argc < 2 || argc > 3) {
        usage();
        return 2;
    }
    return run_one(argv[1], argc == 3 ? argv[2] : NULL);
}

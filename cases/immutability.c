/* immutability.c -- immortal objects are never written:
 *   - refcount storms on immortal headers in read-only pages: no fault, no
 *     byte changed;
 *   - mode "fork": after fork, a child's refcount traffic on an immortal heap writes none
 *     of its pages, while on a mortal heap (and on 3.11's pseudo-immortal
 *     one) it writes every page: counted by write faults (every target), and
 *     in mode "smaps" by the kernel's Private_Dirty (real kernels). */
#include <stdio.h>
#include <stdlib.h>

#include "case.h"
#include "platform.h"

const char *const case_family_name = "immutability";

enum { OBJECT_STRIDE = 64, HEAP_BYTES = 1 << 20 };

typedef struct heap {
    const rm_implementation *s;
    rm_runtime rt;
    uint8_t *base;
    size_t bytes;
} heap;

static heap make_heap(bool immortal)
{
    heap h = { case_opts.impl, case_runtime(rm_native_data_model()), platform_pages(HEAP_BYTES), HEAP_BYTES };
    ck_assert_ptr_nonnull(h.base);
    for (size_t at = 0; at < h.bytes; at += OBJECT_STRIDE) {
        h.s->new_reference(&h.rt, h.base + at);
        if (immortal)
            h.s->immortalize(&h.rt, h.base + at);
    }
    return h;
}

/* What a worker does to every object: balanced increfs and decrefs, and
 * the reads a collector makes. */
static void traffic(void *ctx)
{
    heap *h = ctx;
    for (size_t at = 0; at < h->bytes; at += OBJECT_STRIDE) {
        uint8_t *obj = h->base + at;
        for (int k = 0; k < 3; k++)
            h->s->incref(&h->rt, obj);
        for (int k = 0; k < 3; k++)
            h->s->decref(&h->rt, obj);
        (void)h->s->is_immortal(&h->rt, obj);
        (void)h->s->refcnt(&h->rt, obj);
    }
    if (h->rt.deallocs != 0)
        abort(); /* balanced traffic must never deallocate */
}

START_TEST(readonly_storm)
{
    const rm_implementation *s = case_opts.impl;
    size_t bytes = 2 * platform_page_size();
    uint8_t *pages = platform_pages(bytes);
    ck_assert_ptr_nonnull(pages);
    rm_runtime rt = case_runtime(rm_native_data_model());
    /* A static and a runtime immortal on each page, at the page's edges. */
    size_t page = platform_page_size();
    uint8_t *objs[4] = { pages, pages + page - 64, pages + page, pages + bytes - 64 };
    for (int i = 0; i < 4; i++) {
        if (i % 2 == 0) {
            s->init_static(&rt, objs[i], RM_ORIGIN_CORE);
        } else {
            s->new_reference(&rt, objs[i]);
            s->immortalize(&rt, objs[i]);
        }
    }
    uint8_t *snapshot = malloc(bytes);
    ck_assert_ptr_nonnull(snapshot);
    memcpy(snapshot, pages, bytes);
    ck_assert(platform_protect_readonly(pages, bytes));
    for (int round = 0; round < 20000; round++) {
        for (int i = 0; i < 4; i++) {
            s->incref(&rt, objs[i]);
            s->decref(&rt, objs[i]);
            s->set_refcnt(&rt, objs[i], 1); /* ignored on immortals */
            case_require(s->is_immortal(&rt, objs[i]));
        }
        s->decref(&rt, objs[round % 4]); /* unbalanced, as a stray DECREF of None */
    }
    ck_assert_uint_eq(rt.deallocs, 0);
    ck_assert_int_eq(memcmp(pages, snapshot, bytes), 0);
    free(snapshot);
    platform_free_pages(pages, bytes);
}
END_TEST

static long pages_of(const heap *h) { return (long)(h->bytes / platform_page_size()); }

START_TEST(fork_writes_no_immortal_page)
{
    bool immortal_scheme = case_opts.impl->flags & RM_HAS_IMMORTALITY;
    const char *why = "";
    heap imm = make_heap(true);
    long written = platform_child_pages_written(imm.base, imm.bytes, traffic, &imm, &why);
    ck_assert_msg(written >= 0, "write-fault count failed: %s", why);
    printf("harness: %s: child wrote %ld of %ld pages of an immortalised heap\n", imm.s->name, written, pages_of(&imm));
    /* 3.11's core "immortal" value is an ordinary count: every page copies. */
    ck_assert_int_eq(written, immortal_scheme ? 0 : pages_of(&imm));
    platform_free_pages(imm.base, imm.bytes);

    heap mortal = make_heap(false);
    written = platform_child_pages_written(mortal.base, mortal.bytes, traffic, &mortal, &why);
    ck_assert_msg(written >= 0, "write-fault count failed: %s", why);
    printf("harness: %s: child wrote %ld of %ld pages of a mortal heap\n", mortal.s->name, written, pages_of(&mortal));
    ck_assert_int_eq(written, pages_of(&mortal));
    platform_free_pages(mortal.base, mortal.bytes);
}
END_TEST

START_TEST(fork_private_dirty)
{
    bool immortal_scheme = case_opts.impl->flags & RM_HAS_IMMORTALITY;
    const char *why = "";
    long heap_kb = HEAP_BYTES / 1024;
    heap imm = make_heap(true);
    long imm_kb = platform_child_private_dirty_kb(imm.base, imm.bytes, traffic, &imm, &why);
    ck_assert_msg(imm_kb >= 0, "smaps measurement failed: %s", why);
    heap mortal = make_heap(false);
    long mortal_kb = platform_child_private_dirty_kb(mortal.base, mortal.bytes, traffic, &mortal, &why);
    ck_assert_msg(mortal_kb >= 0, "smaps measurement failed: %s", why);
    printf("harness: %s: child Private_Dirty of a %ld kB heap: immortal %ld kB, mortal %ld kB\n", imm.s->name, heap_kb,
           imm_kb, mortal_kb);
    if (immortal_scheme)
        ck_assert_int_le(imm_kb * 100, heap_kb * 1); /* at most 1% copied */
    else
        ck_assert_int_ge(imm_kb * 100, heap_kb * 95);
    ck_assert_int_ge(mortal_kb * 100, heap_kb * 95); /* at least 95% copied */
    platform_free_pages(imm.base, imm.bytes);
    platform_free_pages(mortal.base, mortal.bytes);
}
END_TEST

bool case_family_add_tests(TCase *tc)
{
    const rm_implementation *s = case_opts.impl;
    const char *mode = case_opts.mode ? case_opts.mode : "";
    tcase_set_timeout(tc, 120);
    if (!strcmp(mode, "") && (s->flags & RM_HAS_IMMORTALITY)) {
        CASE_TEST(tc, readonly_storm);
    } else if (!strcmp(mode, "fork") && !(s->flags & RM_LEGACY_OPS)) {
        CASE_TEST(tc, fork_writes_no_immortal_page);
    } else if (!strcmp(mode, "smaps") && !(s->flags & RM_LEGACY_OPS)) {
        CASE_TEST(tc, fork_private_dirty);
    } else {
        fprintf(stderr, "cases_immutability: no mode (implementations with immortality), or mode fork or smaps "
                        "(3.11 and implementations with immortality)\n");
        return false;
    }
    return true;
}

/* unknown_version.c -- for ci/test.sh: the model's 3.14 encoding under a
 * version name ("3.16") that cases/expect.h does not know. */
#include "refmodel.h"

static const rm_implementation *model(void) { return rm_find_implementation("3.14"); }
static rm_layout layout(rm_data_model dm) { return model()->layout(dm); }
static void init_static(const rm_runtime *rt, uint8_t *obj, rm_origin origin) { model()->init_static(rt, obj, origin); }
static void new_reference(const rm_runtime *rt, uint8_t *obj) { model()->new_reference(rt, obj); }
static void immortalize(rm_runtime *rt, uint8_t *obj) { model()->immortalize(rt, obj); }
static void incref(rm_runtime *rt, uint8_t *obj) { model()->incref(rt, obj); }
static void decref(rm_runtime *rt, uint8_t *obj) { model()->decref(rt, obj); }
static bool is_immortal(const rm_runtime *rt, const uint8_t *obj) { return model()->is_immortal(rt, obj); }
static int64_t refcnt(const rm_runtime *rt, const uint8_t *obj) { return model()->refcnt(rt, obj); }
static void set_refcnt(rm_runtime *rt, uint8_t *obj, int64_t n) { model()->set_refcnt(rt, obj, n); }

const rm_implementation harness_selftest_316 = {
    .name = "3.16",
    .summary = "self-test: the model's 3.14 under a version without expectations",
    .flags = RM_HAS_IMMORTALITY,
    .layout = layout,
    .init_static = init_static,
    .new_reference = new_reference,
    .immortalize = immortalize,
    .incref = incref,
    .decref = decref,
    .is_immortal = is_immortal,
    .refcnt = refcnt,
    .set_refcnt = set_refcnt,
};

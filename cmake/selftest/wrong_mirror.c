/* wrong_mirror.c -- bindings' mirrors of mypyc's CPy_INCREF_NO_IMM, added as
 * a user would add a binding (cmake/selftest/wrong-mirror.cmake,
 * docs/implementations.md), for the agreement case's self-tests:
 *   - a deliberate mistake (+2): reported as diverging from CPython's
 *     headers, with both sides;
 *   - the same mistake, declared as a known divergence of another field:
 *     still a divergence, since a declaration covers its own field only;
 *   - a right increment that also sets a bit of ob_flags, declared as
 *     known there: a finding with both sides, not a failure;
 *   - the same, declared with another bit: a divergence, since a
 *     declaration covers its own bits only;
 *   - a right increment declared as setting that bit: a stale declaration,
 *     which fails because the divergence never shows;
 *   - a PyUnstable_SetImmortal that never refuses (below). */
#include <Python.h>

#include "refmodel.h"

static void incref_mortal_by_two(rm_runtime *rt, uint8_t *obj)
{
    (void)rt;
    ((PyObject *)(uintptr_t)obj)->ob_refcnt += 2;
}

const rm_implementation harness_selftest_wrong_mirror = {
    .name = "3.14",
    .summary = "a mirror whose CPy_INCREF_NO_IMM adds 2 (self-test)",
    .base = "real-3.14",
    .project = "wrong mirror (self-test)",
    .own_api = "incref_mortal=CPy_INCREF_NO_IMM",
    .incref_mortal = incref_mortal_by_two,
};

const rm_implementation harness_selftest_misdeclared_mirror = {
    .name = "3.14",
    .summary = "a mirror whose CPy_INCREF_NO_IMM adds 2, declared as differing in ob_flags (self-test)",
    .base = "real-3.14",
    .project = "misdeclared mirror (self-test)",
    .own_api = "incref_mortal=CPy_INCREF_NO_IMM",
    .known_divergences = "incref_mortal:ob_flags^4000",
    .incref_mortal = incref_mortal_by_two,
};

#if SIZEOF_VOID_P > 4 /* 3.14's ob_flags: 64-bit builds */
static void incref_mortal_flagging(rm_runtime *rt, uint8_t *obj)
{
    (void)rt;
    PyObject *op = (PyObject *)(uintptr_t)obj;
    op->ob_refcnt += 1;
    op->ob_flags |= 0x4000;
}

const rm_implementation harness_selftest_flagging_mirror = {
    .name = "3.14",
    .summary = "a mirror whose CPy_INCREF_NO_IMM also sets a bit of ob_flags, declared known (self-test)",
    .base = "real-3.14",
    .project = "flagging mirror (self-test)",
    .own_api = "incref_mortal=CPy_INCREF_NO_IMM",
    .known_divergences = "incref_mortal:ob_flags^4000",
    .incref_mortal = incref_mortal_flagging,
};

const rm_implementation harness_selftest_misflagging_mirror = {
    .name = "3.14",
    .summary = "a mirror whose CPy_INCREF_NO_IMM sets bit 0x4000 of ob_flags, declared as setting 0x2000 (self-test)",
    .base = "real-3.14",
    .project = "misflagging mirror (self-test)",
    .own_api = "incref_mortal=CPy_INCREF_NO_IMM",
    .known_divergences = "incref_mortal:ob_flags^2000",
    .incref_mortal = incref_mortal_flagging,
};
#endif

static void incref_mortal_right(rm_runtime *rt, uint8_t *obj)
{
    (void)rt;
    ((PyObject *)(uintptr_t)obj)->ob_refcnt += 1;
}

const rm_implementation harness_selftest_stale_mirror = {
    .name = "3.14",
    .summary = "a right CPy_INCREF_NO_IMM, declared as setting a bit of ob_flags (self-test)",
    .base = "real-3.14",
    .project = "stale mirror (self-test)",
    .own_api = "incref_mortal=CPy_INCREF_NO_IMM",
    .known_divergences = "incref_mortal:ob_flags^4000",
    .incref_mortal = incref_mortal_right,
};

#if SIZEOF_VOID_P > 4 /* 3.14's 64-bit immortal fields */
/* A PyUnstable_SetImmortal backport that never refuses: the refusal paths
 * (a second reference, a str) must catch it. */
static int set_immortal_always(rm_runtime *rt, uint8_t *obj, bool is_str)
{
    (void)rt, (void)is_str;
    PyObject *op = (PyObject *)(uintptr_t)obj;
    op->ob_flags = _Py_IMMORTAL_FLAGS;
    op->ob_refcnt = (uint32_t)_Py_IMMORTAL_INITIAL_REFCNT;
    return 1;
}

static void immortalize_always(rm_runtime *rt, uint8_t *obj) { (void)set_immortal_always(rt, obj, false); }

const rm_implementation harness_selftest_greedy_mirror = {
    .name = "3.14",
    .summary = "a PyUnstable_SetImmortal that never refuses (self-test)",
    .base = "real-3.14",
    .project = "greedy mirror (self-test)",
    .own_api = "immortalize=PyUnstable_SetImmortal",
    .immortalize = immortalize_always,
    .unstable_set_immortal = set_immortal_always,
};
#endif

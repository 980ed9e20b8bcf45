/* wrong_mirror.c -- a binding's mirror of mypyc's CPy_INCREF_NO_IMM with a
 * deliberate mistake (+2), added as a user would add a binding
 * (cmake/selftest/wrong-mirror.cmake, docs/implementations.md): the
 * agreement case must report it as diverging from CPython's headers, with
 * both sides. */
#include <Python.h>

#include "refmodel.h"

static void incref_mortal(rm_runtime *rt, uint8_t *obj)
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
    .incref_mortal = incref_mortal,
};

/* misbehaving.c -- implementations that misbehave, for the batch runner's
 * self-tests (cmake/selftest/CMakeLists.txt): the model's 3.14 whose first
 * incref crashes ("crash-3.14") or never returns ("hang-3.14"). In place of
 * cases/case_no_extra.c, as cases/abi3t/runtime.c is. */
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "case.h"

static void incref_crashes(rm_runtime *rt, uint8_t *obj)
{
    (void)rt, (void)obj;
    raise(SIGSEGV);
}

static void incref_hangs(rm_runtime *rt, uint8_t *obj)
{
    (void)rt, (void)obj;
    for (;;)
        sleep(1);
}

const rm_implementation *case_extra_implementation(const char *name);
const rm_implementation *case_extra_implementation(const char *name)
{
    static rm_implementation misbehaving;
    misbehaving = *rm_find_implementation("3.14");
    if (!strcmp(name, "crash-3.14")) {
        misbehaving.summary = "the model's 3.14, whose incref crashes (self-test)";
        misbehaving.incref = incref_crashes;
    } else if (!strcmp(name, "hang-3.14")) {
        misbehaving.summary = "the model's 3.14, whose incref never returns (self-test)";
        misbehaving.incref = incref_hangs;
    } else {
        return NULL;
    }
    return &misbehaving;
}

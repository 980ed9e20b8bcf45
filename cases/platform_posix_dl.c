/* platform_posix_dl.c -- platform.h's run-time loading on POSIX systems, in
 * an object of its own: a program linked -static that never loads a library
 * (toolchains' HARNESS_CLONE_NEEDS_STATIC) does not pull in dlopen. */
#include "platform.h"

#include <dlfcn.h>
#include <string.h>

void *platform_load_library(const char *path, const char **why)
{
    void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!lib)
        *why = dlerror();
    return lib;
}

platform_function platform_symbol(void *library, const char *name)
{
    /* POSIX makes dlsym's object pointer a function's address; moved over
     * as bytes, not converted. */
    void *address = dlsym(library, name);
    platform_function f;
    _Static_assert(sizeof f == sizeof address, "function and object pointers differ in size");
    memcpy(&f, &address, sizeof f);
    return f;
}

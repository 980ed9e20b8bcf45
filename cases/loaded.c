/* loaded.c -- loaded.h. */
#include "loaded.h"

#include <stdio.h>
#include <stdlib.h>

#include "case.h"

void *case_load_module(const char *variable, const char *what)
{
    const char *path = getenv(variable), *why = "?";
    if (!path) {
        fprintf(stderr, "cases_%s: %s is not set (the CTest test sets it to the %s)\n", case_family_name, variable,
                what);
        exit(2);
    }
    void *lib = platform_load_library(path, &why);
    if (!lib) {
        fprintf(stderr, "cases_%s: cannot load the %s %s: %s\n", case_family_name, what, path, why);
        exit(2);
    }
    return lib;
}

platform_function case_module_symbol(void *module, const char *variable, const char *name)
{
    platform_function f = platform_symbol(module, name);
    if (!f) {
        fprintf(stderr, "cases_%s: %s (%s) does not export %s\n", case_family_name, getenv(variable), variable, name);
        exit(2);
    }
    return f;
}

const char *case_module_file(const char *variable)
{
    const char *path = getenv(variable), *name = path ? path : "?";
    for (const char *p = name; *p; p++)
        if (*p == '/' || *p == '\\')
            name = p + 1;
    return name;
}

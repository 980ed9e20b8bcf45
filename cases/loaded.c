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

void case_install_runtime(const harness_pyapi_runtime *api)
{
    static const char *const exported[] = { "_Py_IncRef", "_Py_DecRef", "_Py_SetRefcnt", "Py_REFCNT", "_Py_Dealloc" };
    void *module = case_load_module("HARNESS_RUNTIME_MODULE", "runtime module");
    for (size_t i = 0; i < sizeof exported / sizeof exported[0]; i++)
        (void)case_module_symbol(module, "HARNESS_RUNTIME_MODULE", exported[i]);
    const char *(*install)(const harness_pyapi_runtime *) =
        (const char *(*)(const harness_pyapi_runtime *))case_module_symbol(module, "HARNESS_RUNTIME_MODULE",
                                                                           "harness_pyapi_install");
    const char *missing = install(api);
    if (missing) {
        fprintf(stderr, "cases_%s: %s lacks %s\n", case_family_name, api->name, missing);
        exit(2);
    }
}

/* loaded.h -- the shared libraries a case program loads by the paths its
 * CTest test gives in the environment (HARNESS_<WHAT>_MODULE): loaded, or
 * the program ends naming the loader's error; their symbols found, or it
 * ends naming the symbol (exit 2, a failure of the test). */
#ifndef HARNESS_LOADED_H
#define HARNESS_LOADED_H

#include "abi3t/pyapi.h"
#include "platform.h"

void *case_load_module(const char *variable, const char *what);
platform_function case_module_symbol(void *module, const char *variable, const char *name);
const char *case_module_file(const char *variable); /* the file name of the path, for messages */

/* The runtime module (HARNESS_RUNTIME_MODULE, cases/abi3t/pyapi.c), the one
 * a stable-ABI extension imports its refcount functions from: loaded, each
 * function an extension may import from it there (a missing one named),
 * and the runtime API installed in it. */
void case_install_runtime(const harness_pyapi_runtime *api);

#endif

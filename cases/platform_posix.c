/* platform_posix.c -- platform.h on Linux and other POSIX systems. */
#define _DEFAULT_SOURCE
#include "platform.h"

#include <dlfcn.h>
#include <sys/mman.h>
#include <unistd.h>

void *platform_load_library(const char *path, const char **why)
{
    void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!lib)
        *why = dlerror();
    return lib;
}

void *platform_symbol(void *library, const char *name) { return dlsym(library, name); }

size_t platform_page_size(void) { return (size_t)sysconf(_SC_PAGESIZE); }

void *platform_pages(size_t bytes)
{
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

bool platform_protect_readonly(void *pages, size_t bytes) { return mprotect(pages, bytes, PROT_READ) == 0; }

void platform_free_pages(void *pages, size_t bytes) { munmap(pages, bytes); }

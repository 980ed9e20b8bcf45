/* platform_win.c -- platform.h on Windows (MinGW-w64, MSVC). */
#include "platform.h"

#include <stdio.h>
#include <string.h>
#include <windows.h>

void *platform_load_library(const char *path, const char **why)
{
    static char message[64];
    HMODULE lib = LoadLibraryA(path);
    if (!lib) {
        snprintf(message, sizeof message, "LoadLibrary failed with error %lu", (unsigned long)GetLastError());
        *why = message;
    }
    return (void *)lib;
}

void *platform_symbol(void *library, const char *name)
{
    FARPROC proc = GetProcAddress((HMODULE)library, name);
    void *symbol;
    memcpy(&symbol, &proc, sizeof symbol); /* function to object pointer, as dlsym returns */
    return symbol;
}

size_t platform_page_size(void)
{
    SYSTEM_INFO info;
    GetSystemInfo(&info);
    return info.dwPageSize;
}

void *platform_pages(size_t bytes)
{
    return VirtualAlloc(NULL, bytes, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
}

bool platform_protect_readonly(void *pages, size_t bytes)
{
    DWORD old;
    return VirtualProtect(pages, bytes, PAGE_READONLY, &old) != 0;
}

void platform_free_pages(void *pages, size_t bytes)
{
    (void)bytes;
    VirtualFree(pages, 0, MEM_RELEASE);
}

long platform_child_pages_written(void *heap, size_t bytes, void (*traffic)(void *ctx), void *ctx,
                                  const char **why)
{
    (void)heap, (void)bytes, (void)traffic, (void)ctx;
    *why = "Windows has no fork()";
    return -1;
}

long platform_child_private_dirty_kb(void *heap, size_t bytes, void (*traffic)(void *ctx), void *ctx,
                                     const char **why)
{
    return platform_child_pages_written(heap, bytes, traffic, ctx, why);
}

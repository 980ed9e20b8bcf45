/* platform.h -- the few OS services the cases need, one implementation per
 * OS family (platform_posix.c; Windows comes with its toolchains). */
#ifndef HARNESS_PLATFORM_H
#define HARNESS_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>

/* A shared library loaded at run time; NULL with a message in *why. */
void *platform_load_library(const char *path, const char **why);
void *platform_symbol(void *library, const char *name);

/* Whole pages, zeroed, writable; and switching them to read-only. */
size_t platform_page_size(void);
void *platform_pages(size_t bytes);
bool platform_protect_readonly(void *pages, size_t bytes);
void platform_free_pages(void *pages, size_t bytes);

#endif

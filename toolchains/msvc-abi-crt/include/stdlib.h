/* stdlib.h for the MSVC ABI without the MSVC SDK (see ../README.md). */
#ifndef HARNESS_UCRT_STDLIB_H
#define HARNESS_UCRT_STDLIB_H
#include <stddef.h>

#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1
__declspec(dllimport) void *__cdecl malloc(size_t bytes);
__declspec(dllimport) void *__cdecl calloc(size_t count, size_t bytes);
__declspec(dllimport) void *__cdecl realloc(void *p, size_t bytes);
__declspec(dllimport) void __cdecl free(void *p);
__declspec(dllimport) __declspec(noreturn) void __cdecl abort(void);
__declspec(dllimport) __declspec(noreturn) void __cdecl exit(int status);
__declspec(dllimport) char *__cdecl getenv(const char *name);
__declspec(dllimport) unsigned long __cdecl strtoul(const char *s, char **end, int base);
__declspec(dllimport) unsigned long long __cdecl strtoull(const char *s, char **end, int base);
#endif

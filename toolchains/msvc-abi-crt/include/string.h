/* string.h for the MSVC ABI without the MSVC SDK (see ../README.md). */
#ifndef HARNESS_UCRT_STRING_H
#define HARNESS_UCRT_STRING_H
#include <stddef.h>

__declspec(dllimport) void *__cdecl memcpy(void *to, const void *from, size_t n);
__declspec(dllimport) void *__cdecl memmove(void *to, const void *from, size_t n);
__declspec(dllimport) void *__cdecl memset(void *p, int c, size_t n);
__declspec(dllimport) int __cdecl memcmp(const void *a, const void *b, size_t n);
__declspec(dllimport) size_t __cdecl strlen(const char *s);
__declspec(dllimport) int __cdecl strcmp(const char *a, const char *b);
__declspec(dllimport) int __cdecl strncmp(const char *a, const char *b, size_t n);
__declspec(dllimport) char *__cdecl strcpy(char *to, const char *from);
__declspec(dllimport) char *__cdecl strchr(const char *s, int c);
__declspec(dllimport) char *__cdecl strstr(const char *s, const char *find);
__declspec(dllimport) char *__cdecl strrchr(const char *s, int c);
__declspec(dllimport) size_t __cdecl strcspn(const char *s, const char *reject);
#endif

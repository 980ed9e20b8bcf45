/* wchar.h for the MSVC ABI without the MSVC SDK (see ../README.md):
 * wchar_t is 16 bits (UTF-16), as on every Windows compiler. */
#ifndef HARNESS_UCRT_WCHAR_H
#define HARNESS_UCRT_WCHAR_H
#include <stddef.h>
typedef unsigned short wint_t;
typedef struct {
    unsigned long state;
} mbstate_t;
#define WEOF ((wint_t)0xFFFF)
__declspec(dllimport) size_t __cdecl wcslen(const wchar_t *s);
__declspec(dllimport) int __cdecl wcscmp(const wchar_t *a, const wchar_t *b);
__declspec(dllimport) wchar_t *__cdecl wcschr(const wchar_t *s, wchar_t c);
#endif

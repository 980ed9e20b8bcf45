/* stdio.h for the MSVC ABI without the MSVC SDK (see ../README.md). */
#ifndef HARNESS_UCRT_STDIO_H
#define HARNESS_UCRT_STDIO_H
#include <stdarg.h>
#include <stddef.h>

typedef struct _iobuf {
    void *_Placeholder;
} FILE;
__declspec(dllimport) FILE *__cdecl __acrt_iob_func(unsigned index);
#define stdin (__acrt_iob_func(0))
#define stdout (__acrt_iob_func(1))
#define stderr (__acrt_iob_func(2))

__declspec(dllimport) int __cdecl __stdio_common_vfprintf(unsigned __int64 options, FILE *stream, const char *format,
                                                          void *locale, va_list args);
__declspec(dllimport) int __cdecl __stdio_common_vsprintf(unsigned __int64 options, char *buffer, size_t count,
                                                          const char *format, void *locale, va_list args);
__declspec(dllimport) int __cdecl __stdio_common_vsscanf(unsigned __int64 options, const char *buffer, size_t count,
                                                         const char *format, void *locale, va_list args);
__declspec(dllimport) int __cdecl fputs(const char *s, FILE *stream);
__declspec(dllimport) int __cdecl puts(const char *s);
__declspec(dllimport) int __cdecl fflush(FILE *stream);
__declspec(dllimport) FILE *__cdecl fopen(const char *path, const char *mode);
__declspec(dllimport) int __cdecl fclose(FILE *stream);
__declspec(dllimport) char *__cdecl fgets(char *s, int n, FILE *stream);
__declspec(dllimport) int __cdecl rename(const char *from, const char *to);

/* _CRT_INTERNAL_PRINTF_STANDARD_SNPRINTF_BEHAVIOR: C99 snprintf semantics. */
#define HARNESS_UCRT_STANDARD_SNPRINTF 2ULL

__attribute__((format(printf, 2, 0))) static inline int vfprintf(FILE *stream, const char *format, va_list args)
{
    return __stdio_common_vfprintf(0, stream, format, NULL, args);
}

__attribute__((format(printf, 1, 2))) static inline int printf(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    int n = vfprintf(stdout, format, args);
    va_end(args);
    return n;
}

__attribute__((format(printf, 2, 3))) static inline int fprintf(FILE *stream, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    int n = vfprintf(stream, format, args);
    va_end(args);
    return n;
}

__attribute__((format(printf, 3, 0))) static inline int vsnprintf(char *buffer, size_t count, const char *format,
                                                                  va_list args)
{
    int n = __stdio_common_vsprintf(HARNESS_UCRT_STANDARD_SNPRINTF, buffer, count, format, NULL, args);
    return n < 0 ? -1 : n;
}

__attribute__((format(printf, 3, 4))) static inline int snprintf(char *buffer, size_t count, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    int n = vsnprintf(buffer, count, format, args);
    va_end(args);
    return n;
}

__attribute__((format(scanf, 2, 3))) static inline int sscanf(const char *buffer, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    int n = __stdio_common_vsscanf(0, buffer, (size_t)-1, format, NULL, args);
    va_end(args);
    return n;
}
#endif

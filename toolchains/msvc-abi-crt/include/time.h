/* time.h for the MSVC ABI without the MSVC SDK (see ../README.md): the
 * UCRT's 64-bit time_t. */
#ifndef HARNESS_UCRT_TIME_H
#define HARNESS_UCRT_TIME_H
#include <stddef.h>
typedef __int64 time_t;
typedef long clock_t;
struct tm {
    int tm_sec, tm_min, tm_hour, tm_mday, tm_mon, tm_year, tm_wday, tm_yday, tm_isdst;
};
struct timespec {
    time_t tv_sec;
    long tv_nsec;
};
#define CLOCKS_PER_SEC ((clock_t)1000)
__declspec(dllimport) clock_t __cdecl clock(void);
__declspec(dllimport) time_t __cdecl _time64(time_t *t);
static __inline time_t __cdecl time(time_t *t) { return _time64(t); }
#endif

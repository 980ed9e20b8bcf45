/* errno.h for the MSVC ABI without the MSVC SDK (see ../README.md): errno
 * is the UCRT's per-thread variable, reached through _errno(). */
#ifndef HARNESS_UCRT_ERRNO_H
#define HARNESS_UCRT_ERRNO_H
__declspec(dllimport) int *__cdecl _errno(void);
#define errno (*_errno())
#define EINTR 4
#define EAGAIN 11
#define ENOMEM 12
#define EINVAL 22
#define EDOM 33
#define ERANGE 34
#endif

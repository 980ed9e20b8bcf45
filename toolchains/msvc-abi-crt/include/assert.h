/* assert.h for the MSVC ABI without the MSVC SDK (see ../README.md): the
 * UCRT reports a failed assertion through _wassert, as corecrt's assert.h. */
#undef assert
#ifdef NDEBUG
#define assert(e) ((void)0)
#else
__declspec(dllimport) void __cdecl _wassert(const unsigned short *message, const unsigned short *file, unsigned line);
#define HARNESS_UCRT_WIDE_(s) L##s
#define HARNESS_UCRT_WIDE(s) HARNESS_UCRT_WIDE_(s)
#define assert(e)                                                                                                      \
    ((void)((!!(e)) || (_wassert((const unsigned short *)HARNESS_UCRT_WIDE(#e),                                        \
                                 (const unsigned short *)HARNESS_UCRT_WIDE(__FILE__), (unsigned)__LINE__),             \
                        0)))
#endif
#ifndef __cplusplus
#define static_assert _Static_assert
#endif

/* inttypes.h for the MSVC ABI without the MSVC SDK (see ../README.md):
 * the UCRT's format macros (long is 32 bits, long long 64). */
#ifndef HARNESS_UCRT_INTTYPES_H
#define HARNESS_UCRT_INTTYPES_H
#include <stdint.h>
#define PRId8 "hhd"
#define PRId16 "hd"
#define PRId32 "d"
#define PRId64 "lld"
#define PRIu8 "hhu"
#define PRIu16 "hu"
#define PRIu32 "u"
#define PRIu64 "llu"
#define PRIx32 "x"
#define PRIx64 "llx"
#ifdef _WIN64
#define PRIdPTR PRId64
#define PRIuPTR PRIu64
#define PRIxPTR PRIx64
#else
#define PRIdPTR PRId32
#define PRIuPTR PRIu32
#define PRIxPTR PRIx32
#endif
#endif

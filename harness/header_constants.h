/* header_constants.h -- for code that compiles CPython's headers (real_impl.c,
 * real_core_static.c, abi/probe/probe.c). */
#ifndef HARNESS_HEADER_CONSTANTS_H
#define HARNESS_HEADER_CONSTANTS_H

/* Around a PyObject_HEAD_INIT: a header set whose constants do not fit the
 * target's types (a 64-bit value in a 32-bit long on LLP64) must fail the
 * layout and agreement checks, which show both sides, and the hygiene
 * cases, not the harness's own build. GCC blames the conversion on the
 * line that uses the macro, not on the header. */
#if defined(__GNUC__) && !defined(__clang__)
#define HARNESS_HEADER_CONSTANTS_BEGIN _Pragma("GCC diagnostic push") _Pragma("GCC diagnostic ignored \"-Woverflow\"")
#define HARNESS_HEADER_CONSTANTS_END _Pragma("GCC diagnostic pop")
#else
#define HARNESS_HEADER_CONSTANTS_BEGIN
#define HARNESS_HEADER_CONSTANTS_END
#endif

#endif

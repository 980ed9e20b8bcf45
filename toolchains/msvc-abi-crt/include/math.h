/* math.h for the MSVC ABI without the MSVC SDK (see ../README.md): what
 * CPython's headers name (pymath.h), the classification macros as clang's
 * builtins. */
#ifndef HARNESS_UCRT_MATH_H
#define HARNESS_UCRT_MATH_H
#define HUGE_VAL __builtin_huge_val()
#define INFINITY __builtin_inff()
#define NAN __builtin_nanf("")
#define isnan(x) __builtin_isnan(x)
#define isinf(x) __builtin_isinf(x)
#define isfinite(x) __builtin_isfinite(x)
#define signbit(x) __builtin_signbit(x)
__declspec(dllimport) double __cdecl fabs(double x);
__declspec(dllimport) double __cdecl floor(double x);
__declspec(dllimport) double __cdecl ceil(double x);
__declspec(dllimport) double __cdecl fmod(double x, double y);
__declspec(dllimport) double __cdecl frexp(double x, int *exponent);
__declspec(dllimport) double __cdecl ldexp(double x, int exponent);
__declspec(dllimport) double __cdecl modf(double x, double *integral);
__declspec(dllimport) double __cdecl pow(double x, double y);
__declspec(dllimport) double __cdecl sqrt(double x);
__declspec(dllimport) double __cdecl copysign(double x, double y);
__declspec(dllimport) double __cdecl round(double x);
#endif

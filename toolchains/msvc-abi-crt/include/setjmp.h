/* setjmp.h for the MSVC ABI without the MSVC SDK (see ../README.md).
 * The UCRT's own entry points, as MSVC's compiler calls them for setjmp. */
#ifndef HARNESS_UCRT_SETJMP_H
#define HARNESS_UCRT_SETJMP_H

#if defined(_M_X64)
typedef struct {
    __declspec(align(16)) unsigned __int64 part[2];
} harness_jmp_slot;
typedef harness_jmp_slot jmp_buf[16];
__attribute__((returns_twice)) __declspec(dllimport) int __cdecl __intrinsic_setjmp(jmp_buf buf, void *frame);
#define setjmp(buf) __intrinsic_setjmp((buf), __builtin_frame_address(0))
#elif defined(_M_IX86)
typedef int jmp_buf[16];
__attribute__((returns_twice)) __declspec(dllimport) int __cdecl _setjmp3(jmp_buf buf, int count, ...);
#define setjmp(buf) _setjmp3((buf), 0)
#else
#error "setjmp: only x64 and x86 are described here"
#endif
__declspec(dllimport) __declspec(noreturn) void __cdecl longjmp(jmp_buf buf, int value);
#endif

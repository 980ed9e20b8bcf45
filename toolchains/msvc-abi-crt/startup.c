/* startup.c -- the console entry point that MSVC's vcruntime would provide,
 * for the MSVC ABI without the MSVC SDK (see README.md). */
#include <stdint.h>
#include <stdlib.h>

int main(int argc, char **argv);

/* _crt_argv_unexpanded_arguments, _crt_console_app (corecrt_startup.h) */
enum { UNEXPANDED_ARGUMENTS = 1, CONSOLE_APP = 1 };
__declspec(dllimport) int __cdecl _configure_narrow_argv(int mode);
__declspec(dllimport) int __cdecl _initialize_narrow_environment(void);
__declspec(dllimport) void __cdecl _set_app_type(int type);
__declspec(dllimport) int *__cdecl __p___argc(void);
__declspec(dllimport) char ***__cdecl __p___argv(void);

/* The compiler references it whenever floating point is used. */
int _fltused = 0;

/* Implicit thread-local storage (_Thread_local), as vcruntime's tlssup
 * provides it: the loader finds the TLS template between _tls_start and
 * _tls_end (the compiler's .tls$ sections sort between them) through the
 * directory _tls_used, to which lld-link points the executable. */
unsigned long _tls_index = 0;
__attribute__((section(".tls"))) char _tls_start = 0;
__attribute__((section(".tls$ZZZ"))) char _tls_end = 0;
static void *const tls_callbacks[1] = { 0 };
typedef struct tls_directory { /* IMAGE_TLS_DIRECTORY */
    uintptr_t start, end, index, callbacks;
    unsigned int zero_fill, characteristics;
} tls_directory;
extern const tls_directory _tls_used;
const tls_directory _tls_used = {
    (uintptr_t)&_tls_start, (uintptr_t)&_tls_end, (uintptr_t)&_tls_index, (uintptr_t)tls_callbacks, 0, 0
};
#if defined(_M_IX86)
/* x86 code finds the thread's TLS array at fs:[__tls_array], offset 0x2C
 * of the thread environment block: an absolute symbol, as in vcruntime. */
__asm__(".globl __tls_array\n.set __tls_array, 44");
#endif

void mainCRTStartup(void);
void mainCRTStartup(void)
{
    _set_app_type(CONSOLE_APP);
    if (_configure_narrow_argv(UNEXPANDED_ARGUMENTS) != 0 || _initialize_narrow_environment() != 0)
        abort();
    exit(main(*__p___argc(), *__p___argv()));
}

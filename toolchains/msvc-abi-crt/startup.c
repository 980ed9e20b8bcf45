/* startup.c -- the console entry point that MSVC's vcruntime would provide,
 * for the MSVC ABI without the MSVC SDK (see README.md). */
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

void mainCRTStartup(void);
void mainCRTStartup(void)
{
    _set_app_type(CONSOLE_APP);
    if (_configure_narrow_argv(UNEXPANDED_ARGUMENTS) != 0 || _initialize_narrow_environment() != 0)
        abort();
    exit(main(*__p___argc(), *__p___argv()));
}

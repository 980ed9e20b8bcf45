/* ctype.h for the MSVC ABI without the MSVC SDK (see ../README.md). */
#ifndef HARNESS_UCRT_CTYPE_H
#define HARNESS_UCRT_CTYPE_H
__declspec(dllimport) int __cdecl isalnum(int c);
__declspec(dllimport) int __cdecl isalpha(int c);
__declspec(dllimport) int __cdecl isdigit(int c);
__declspec(dllimport) int __cdecl islower(int c);
__declspec(dllimport) int __cdecl isspace(int c);
__declspec(dllimport) int __cdecl isupper(int c);
__declspec(dllimport) int __cdecl isxdigit(int c);
__declspec(dllimport) int __cdecl tolower(int c);
__declspec(dllimport) int __cdecl toupper(int c);
#endif

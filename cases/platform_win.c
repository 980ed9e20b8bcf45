/* platform_win.c -- platform.h on Windows: MinGW-w64, the MSVC ABI built
 * without the Windows SDK (toolchains/msvc-abi-crt), and MSVC.  The few
 * Win32 functions it needs are declared here, as documented, instead of
 * through <windows.h>, which only the first and the last have. */
#include "platform.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void *win_handle;
typedef unsigned long win_dword; /* DWORD: 32 bits, as long is on Windows */
typedef struct win_system_info {
    uint16_t processor_architecture, reserved;
    win_dword page_size;
    void *minimum_application_address, *maximum_application_address;
    uintptr_t active_processor_mask;
    win_dword number_of_processors, processor_type, allocation_granularity;
    uint16_t processor_level, processor_revision;
} win_system_info; /* SYSTEM_INFO */

#define WINAPI __stdcall
#define WIN_IMPORT __declspec(dllimport)
WIN_IMPORT win_handle WINAPI LoadLibraryA(const char *path);
typedef intptr_t(WINAPI *win_farproc)(void); /* FARPROC */
WIN_IMPORT win_farproc WINAPI GetProcAddress(win_handle module, const char *name);
WIN_IMPORT win_dword WINAPI GetLastError(void);
WIN_IMPORT void WINAPI GetSystemInfo(win_system_info *info);
WIN_IMPORT void *WINAPI VirtualAlloc(void *address, size_t bytes, win_dword type, win_dword protect);
WIN_IMPORT int WINAPI VirtualProtect(void *address, size_t bytes, win_dword protect, win_dword *old_protect);
WIN_IMPORT int WINAPI VirtualFree(void *address, size_t bytes, win_dword type);
WIN_IMPORT win_handle WINAPI CreateThread(void *security, size_t stack_bytes, win_dword(WINAPI *start)(void *arg),
                                          void *arg, win_dword flags, win_dword *thread_id);
WIN_IMPORT win_dword WINAPI WaitForSingleObject(win_handle handle, win_dword milliseconds);
WIN_IMPORT int WINAPI CloseHandle(win_handle handle);
WIN_IMPORT win_handle WINAPI CreateEventA(void *security, int manual_reset, int initial_state, const char *name);
WIN_IMPORT int WINAPI SetEvent(win_handle event);
typedef struct win_srwlock {
    void *ptr;
} win_srwlock; /* SRWLOCK: all zeros is SRWLOCK_INIT */
WIN_IMPORT void WINAPI AcquireSRWLockExclusive(win_srwlock *lock);
WIN_IMPORT void WINAPI ReleaseSRWLockExclusive(win_srwlock *lock);
enum {
    WIN_MEM_COMMIT = 0x1000,
    WIN_MEM_RESERVE = 0x2000,
    WIN_MEM_RELEASE = 0x8000,
    WIN_PAGE_READONLY = 0x02,
    WIN_PAGE_READWRITE = 0x04,
};
#define WIN_INFINITE 0xFFFFFFFFu
#define WIN_WAIT_OBJECT_0 0u

_Static_assert(sizeof(win_dword) == 4, "DWORD is 32 bits");
_Static_assert(sizeof(win_system_info) == (sizeof(void *) == 8 ? 48 : 36), "SYSTEM_INFO");

void *platform_load_library(const char *path, const char **why)
{
    static char message[64];
    win_handle lib = LoadLibraryA(path);
    if (!lib) {
        snprintf(message, sizeof message, "LoadLibrary failed with error %lu", GetLastError());
        *why = message;
    }
    return lib;
}

platform_function platform_symbol(void *library, const char *name)
{
    return (platform_function)GetProcAddress(library, name);
}

size_t platform_page_size(void)
{
    win_system_info info;
    GetSystemInfo(&info);
    return info.page_size;
}

void *platform_pages(size_t bytes)
{
    return VirtualAlloc(NULL, bytes, WIN_MEM_RESERVE | WIN_MEM_COMMIT, WIN_PAGE_READWRITE);
}

bool platform_protect_readonly(void *pages, size_t bytes)
{
    win_dword old;
    return VirtualProtect(pages, bytes, WIN_PAGE_READONLY, &old) != 0;
}

void platform_free_pages(void *pages, size_t bytes)
{
    (void)bytes;
    VirtualFree(pages, 0, WIN_MEM_RELEASE);
}

struct platform_thread {
    win_handle handle;
    void (*fn)(void *arg);
    void *arg;
};

static win_dword WINAPI thread_main(void *thread)
{
    platform_thread *t = thread;
    t->fn(t->arg);
    return 0;
}

platform_thread *platform_thread_start(void (*fn)(void *arg), void *arg)
{
    platform_thread *t = malloc(sizeof *t);
    if (!t)
        return NULL;
    t->fn = fn;
    t->arg = arg;
    t->handle = CreateThread(NULL, 0, thread_main, t, 0, NULL);
    if (!t->handle) {
        free(t);
        return NULL;
    }
    return t;
}

bool platform_thread_join(platform_thread *thread)
{
    bool joined = WaitForSingleObject(thread->handle, WIN_INFINITE) == WIN_WAIT_OBJECT_0;
    CloseHandle(thread->handle);
    free(thread);
    return joined;
}

/* A manual-reset event: once set, it releases every waiter, now and later. */
platform_gate *platform_gate_create(void) { return (platform_gate *)CreateEventA(NULL, 1, 0, NULL); }

void platform_gate_wait(platform_gate *gate) { WaitForSingleObject((win_handle)gate, WIN_INFINITE); }

void platform_gate_open(platform_gate *gate) { SetEvent((win_handle)gate); }

void platform_gate_free(platform_gate *gate) { CloseHandle((win_handle)gate); }

struct platform_count {
    win_srwlock lock;
    long value;
};

platform_count *platform_count_create(void) { return calloc(1, sizeof(platform_count)); }

long platform_count_add(platform_count *count, long n)
{
    AcquireSRWLockExclusive(&count->lock);
    long value = count->value += n;
    ReleaseSRWLockExclusive(&count->lock);
    return value;
}

void platform_count_free(platform_count *count) { free(count); }

bool platform_run_child(int (*fn)(void *arg), void *arg, const char *out_path, unsigned timeout_s, char *status,
                        size_t status_size, const char **why)
{
    (void)fn, (void)arg, (void)out_path, (void)timeout_s, (void)status, (void)status_size;
    *why = "Windows has no fork()";
    return false;
}

long platform_child_pages_written(void *heap, size_t bytes, void (*traffic)(void *ctx), void *ctx, const char **why)
{
    (void)heap, (void)bytes, (void)traffic, (void)ctx;
    *why = "Windows has no fork()";
    return -1;
}

long platform_child_private_dirty_kb(void *heap, size_t bytes, void (*traffic)(void *ctx), void *ctx, const char **why)
{
    return platform_child_pages_written(heap, bytes, traffic, ctx, why);
}

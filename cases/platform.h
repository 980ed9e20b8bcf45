/* platform.h -- the few OS services the cases need, one implementation per
 * OS family: platform_posix.c, platform_win.c. */
#ifndef HARNESS_PLATFORM_H
#define HARNESS_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>

/* A shared library loaded at run time; NULL with a message in *why. Its
 * functions come as a generic function pointer (NULL if absent), which the
 * caller converts to the function's own type: a function pointer never
 * passes through a void * (ISO C leaves that conversion undefined). */
void *platform_load_library(const char *path, const char **why);
typedef void (*platform_function)(void);
platform_function platform_symbol(void *library, const char *name);

/* Whole pages, zeroed, writable; and switching them to read-only. */
size_t platform_page_size(void);
void *platform_pages(size_t bytes);
bool platform_protect_readonly(void *pages, size_t bytes);
void platform_free_pages(void *pages, size_t bytes);

/* A thread running fn(arg), and waiting for it to end (which frees it).
 * platform_thread_start returns NULL if no thread could be started. */
typedef struct platform_thread platform_thread;
platform_thread *platform_thread_start(void (*fn)(void *arg), void *arg);
bool platform_thread_join(platform_thread *thread);

/* A gate threads wait at until it is opened, all released at once: a storm
 * of threads started one after another can run one at a time, which proves
 * nothing about races. NULL if none could be made. */
typedef struct platform_gate platform_gate;
platform_gate *platform_gate_create(void);
void platform_gate_wait(platform_gate *gate);
void platform_gate_open(platform_gate *gate);
void platform_gate_free(platform_gate *gate);

/* A count that threads add to and read safely; add returns the new value
 * (add 0 to read it). NULL if none could be made. */
typedef struct platform_count platform_count;
platform_count *platform_count_create(void);
long platform_count_add(platform_count *count, long n);
void platform_count_free(platform_count *count);

/* fn(arg) in a child process, its standard output and error written to the
 * file out_path, killed after timeout_s seconds. What became of it goes to
 * status: its exit status ("0" to "255"), "signal N (name)" or "timeout
 * after N s". False, with *why, where no child can be made (Windows has no
 * fork()). */
bool platform_run_child(int (*fn)(void *arg), void *arg, const char *out_path, unsigned timeout_s, char *status,
                        size_t status_size, const char **why);

/* Copy-on-write evidence from a child process.  The child runs traffic(ctx)
 * on `heap` and reports:
 *   - platform_child_pages_written: how many of the heap's pages it wrote,
 *     counted by write faults on the heap made read-only in the child (works
 *     under any emulator that models page protection);
 *   - platform_child_private_dirty_kb: the kernel's Private_Dirty for the
 *     heap's mapping after the traffic (/proc/self/smaps; real kernels only).
 * Both return -1 and set *why when the platform cannot do it.  The heap must
 * come from platform_pages() so that it is a mapping of its own. */
long platform_child_pages_written(void *heap, size_t bytes, void (*traffic)(void *ctx), void *ctx, const char **why);
long platform_child_private_dirty_kb(void *heap, size_t bytes, void (*traffic)(void *ctx), void *ctx, const char **why);

#endif

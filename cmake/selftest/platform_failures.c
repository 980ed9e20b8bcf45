/* platform_failures.c -- for ci/test.sh: cases/platform_posix.c when
 * fork() or waitpid() fail. fork and waitpid are interposed (this program's
 * definitions win over libc's); the real ones are reached through dlsym.
 * Prints one verdict line per scenario. */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "platform.h"

static int fail_fork, fail_waitpid;

pid_t fork(void)
{
    if (fail_fork) {
        errno = EAGAIN;
        return -1;
    }
    pid_t (*real)(void) = (pid_t(*)(void))dlsym(RTLD_NEXT, "fork");
    return real();
}

pid_t waitpid(pid_t pid, int *status, int options)
{
    pid_t (*real)(pid_t, int *, int) = (pid_t(*)(pid_t, int *, int))dlsym(RTLD_NEXT, "waitpid");
    if (fail_waitpid) {
        real(pid, status, options); /* reap it, then say nothing is known */
        errno = ECHILD;
        return -1;
    }
    return real(pid, status, options);
}

static int open_descriptors(void)
{
    int n = 0;
    DIR *d = opendir("/proc/self/fd");
    for (struct dirent *e; d && (e = readdir(d));)
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    return n;
}

static void traffic(void *ctx) { (void)ctx; }

int main(void)
{
    size_t bytes = platform_page_size();
    void *heap = platform_pages(bytes);
    const char *why = "";
    int before = open_descriptors();
    fail_fork = 1;
    for (int k = 0; k < 10; k++)
        platform_child_pages_written(heap, bytes, traffic, NULL, &why);
    fail_fork = 0;
    printf("fork fails: %d descriptors leaked; %s\n", open_descriptors() - before, why);
    fail_waitpid = 1;
    long got = platform_child_pages_written(heap, bytes, traffic, NULL, &why);
    printf("waitpid fails: result %ld; %s\n", got, got < 0 ? why : "reported as a measurement");
    return 0;
}

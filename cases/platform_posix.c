/* platform_posix.c -- platform.h on Linux and other POSIX systems. */
#define _GNU_SOURCE /* memfd_create */
#include "platform.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

struct platform_thread {
    pthread_t id;
    void (*fn)(void *arg);
    void *arg;
};

static void *thread_main(void *thread)
{
    platform_thread *t = thread;
    t->fn(t->arg);
    return NULL;
}

platform_thread *platform_thread_start(void (*fn)(void *arg), void *arg)
{
    platform_thread *t = malloc(sizeof *t);
    if (!t)
        return NULL;
    t->fn = fn;
    t->arg = arg;
    if (pthread_create(&t->id, NULL, thread_main, t) != 0) {
        free(t);
        return NULL;
    }
    return t;
}

bool platform_thread_join(platform_thread *thread)
{
    bool joined = pthread_join(thread->id, NULL) == 0;
    free(thread);
    return joined;
}

struct platform_gate {
    pthread_mutex_t lock;
    pthread_cond_t opened;
    bool open;
};

platform_gate *platform_gate_create(void)
{
    platform_gate *g = malloc(sizeof *g);
    if (!g)
        return NULL;
    g->open = false;
    if (pthread_mutex_init(&g->lock, NULL) != 0) {
        free(g);
        return NULL;
    }
    if (pthread_cond_init(&g->opened, NULL) != 0) {
        pthread_mutex_destroy(&g->lock);
        free(g);
        return NULL;
    }
    return g;
}

void platform_gate_wait(platform_gate *gate)
{
    pthread_mutex_lock(&gate->lock);
    while (!gate->open)
        pthread_cond_wait(&gate->opened, &gate->lock);
    pthread_mutex_unlock(&gate->lock);
}

void platform_gate_open(platform_gate *gate)
{
    pthread_mutex_lock(&gate->lock);
    gate->open = true;
    pthread_cond_broadcast(&gate->opened);
    pthread_mutex_unlock(&gate->lock);
}

void platform_gate_free(platform_gate *gate)
{
    pthread_cond_destroy(&gate->opened);
    pthread_mutex_destroy(&gate->lock);
    free(gate);
}

struct platform_count {
    pthread_mutex_t lock;
    long value;
};

platform_count *platform_count_create(void)
{
    platform_count *c = malloc(sizeof *c);
    if (c && pthread_mutex_init(&c->lock, NULL) != 0) {
        free(c);
        return NULL;
    }
    if (c)
        c->value = 0;
    return c;
}

long platform_count_add(platform_count *count, long n)
{
    pthread_mutex_lock(&count->lock);
    long value = count->value += n;
    pthread_mutex_unlock(&count->lock);
    return value;
}

void platform_count_free(platform_count *count)
{
    pthread_mutex_destroy(&count->lock);
    free(count);
}

static void alarm_interrupts(int sig) { (void)sig; }

/* The child runs in a process group of its own, which the signals that
 * stop a run (Ctrl-C, a runner's kill of its group) do not reach: passed
 * on to it as SIGTERM, on which Check ends the check it forked (a process
 * group of Check's own), then taken as they would have been. */
static volatile sig_atomic_t running_child;

static void stop_child_too(int sig)
{
    if (running_child > 0)
        kill(-(pid_t)running_child, SIGTERM);
    signal(sig, SIG_DFL);
    raise(sig);
}

bool platform_run_child(int (*fn)(void *arg), void *arg, const char *out_path, unsigned timeout_s, char *status,
                        size_t status_size, const char **why)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        *why = strerror(errno);
        return false;
    }
    if (pid == 0) {
        /* Unbuffered: what a child that crashes printed is kept. exit(), not
         * _exit(): a sanitizer's leak check runs at exit. */
        if (!freopen(out_path, "w", stdout) || dup2(fileno(stdout), STDERR_FILENO) < 0)
            _exit(125);
        setpgid(0, 0); /* a group of its own: the timeout ends all of it */
        setvbuf(stdout, NULL, _IONBF, 0);
        exit(fn(arg));
    }
    /* The alarm interrupts waitpid (no SA_RESTART): at the timeout the
     * child's group gets SIGTERM (Check then ends its own forked check), and
     * SIGKILL two seconds later if it is still there. */
    struct sigaction on_alarm, before, on_stop, before_stop[3];
    memset(&on_alarm, 0, sizeof on_alarm);
    on_alarm.sa_handler = alarm_interrupts;
    sigemptyset(&on_alarm.sa_mask);
    sigaction(SIGALRM, &on_alarm, &before);
    static const int stops[3] = { SIGINT, SIGTERM, SIGHUP };
    memset(&on_stop, 0, sizeof on_stop);
    on_stop.sa_handler = stop_child_too;
    sigemptyset(&on_stop.sa_mask);
    running_child = (sig_atomic_t)pid;
    for (int i = 0; i < 3; i++)
        sigaction(stops[i], &on_stop, &before_stop[i]);
    alarm(timeout_s);
    bool timed_out = false, reaped = true;
    int st = 0;
    while (waitpid(pid, &st, 0) < 0) {
        if (errno != EINTR) {
            *why = strerror(errno);
            reaped = false;
            break;
        }
        if (!timed_out) {
            timed_out = true;
            kill(-pid, SIGTERM);
            alarm(2);
        } else {
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
        }
    }
    alarm(0);
    sigaction(SIGALRM, &before, NULL);
    for (int i = 0; i < 3; i++)
        sigaction(stops[i], &before_stop[i], NULL);
    running_child = 0;
    if (!reaped)
        return false;
    if (timed_out)
        snprintf(status, status_size, "timeout after %u s", timeout_s);
    else if (WIFSIGNALED(st))
        snprintf(status, status_size, "signal %d (%s)", WTERMSIG(st), strsignal(WTERMSIG(st)));
    else
        snprintf(status, status_size, "%d", WEXITSTATUS(st));
    return true;
}

size_t platform_page_size(void) { return (size_t)sysconf(_SC_PAGESIZE); }

/* Guard pages on both sides keep the heap a mapping of its own, so that
 * /proc/self/smaps reports it alone.  The heap is a private mapping of a
 * memfd named after its address, so smaps also names it: qemu-user lists a
 * 32-bit guest's mappings in smaps at host addresses (guest base added), and
 * the name finds the heap there all the same.  Where memfd_create fails the
 * heap is anonymous, found by its address alone. */
#define HEAP_NAME_FORMAT "harness-heap-%lx"

void *platform_pages(size_t bytes)
{
    size_t page = platform_page_size();
    uint8_t *p = mmap(NULL, bytes + 2 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    char name[64];
    snprintf(name, sizeof name, HEAP_NAME_FORMAT, (unsigned long)(uintptr_t)(p + page));
    int fd = memfd_create(name, MFD_CLOEXEC);
    void *heap = MAP_FAILED;
    if (fd >= 0 && ftruncate(fd, (off_t)bytes) == 0)
        heap = mmap(p + page, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, fd, 0);
    if (fd >= 0)
        close(fd); /* the mapping keeps the memfd */
    if (heap == MAP_FAILED && mprotect(p + page, bytes, PROT_READ | PROT_WRITE) != 0) {
        munmap(p, bytes + 2 * page);
        return NULL;
    }
    return p + page;
}

bool platform_protect_readonly(void *pages, size_t bytes) { return mprotect(pages, bytes, PROT_READ) == 0; }

void platform_free_pages(void *pages, size_t bytes)
{
    size_t page = platform_page_size();
    munmap((uint8_t *)pages - page, bytes + 2 * page);
}

/* ---- children ------------------------------------------------------------ */

static uint8_t *fault_heap;
static size_t fault_bytes, fault_page; /* set before the handler is installed */
static volatile sig_atomic_t faulted_pages;

/* Only what a signal handler may do: arithmetic on what was set before,
 * mprotect (one system call, the technique itself) and signal(). */
static void on_write_fault(int sig, siginfo_t *info, void *uc)
{
    (void)uc;
    uintptr_t at = (uintptr_t)info->si_addr, heap = (uintptr_t)fault_heap;
    if (at >= heap && at - heap < fault_bytes) {
        uint8_t *start = fault_heap + (at - heap) / fault_page * fault_page;
        if (mprotect(start, fault_page, PROT_READ | PROT_WRITE) == 0) {
            faulted_pages++;
            return; /* the write is retried and now succeeds */
        }
    }
    signal(sig, SIG_DFL); /* a real crash: let it happen */
}

/* Runs body in a child; the child's result travels back through a pipe. */
static long in_child(long (*body)(void *heap, size_t bytes, void (*traffic)(void *), void *ctx), void *heap,
                     size_t bytes, void (*traffic)(void *), void *ctx, const char **why)
{
    int fds[2];
    if (pipe(fds) != 0) {
        *why = "pipe() failed";
        return -1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        *why = "fork() failed";
        return -1;
    }
    if (pid == 0) {
        close(fds[0]);
        long result = body(heap, bytes, traffic, ctx);
        _exit(write(fds[1], &result, sizeof result) == (ssize_t)sizeof result ? 0 : 3);
    }
    close(fds[1]);
    long result = -1;
    ssize_t got = read(fds[0], &result, sizeof result);
    close(fds[0]);
    int status = 0;
    pid_t waited;
    do
        waited = waitpid(pid, &status, 0);
    while (waited < 0 && errno == EINTR);
    if (waited != pid) {
        *why = "waitpid() failed: the child's end is unknown";
        return -1;
    }
    if (got != (ssize_t)sizeof result || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        *why = WIFSIGNALED(status) ? "the child died from a signal" : "the child reported nothing";
        return -1;
    }
    if (result < 0)
        *why = "the child could not take the measurement (for smaps: no mapping of exactly the heap)";
    return result;
}

static long count_written(void *heap, size_t bytes, void (*traffic)(void *), void *ctx)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_write_fault;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    fault_heap = heap;
    fault_bytes = bytes;
    fault_page = platform_page_size();
    faulted_pages = 0;
    if (sigaction(SIGSEGV, &sa, NULL) != 0 || !platform_protect_readonly(heap, bytes))
        return -1;
    traffic(ctx);
    return faulted_pages;
}

long platform_child_pages_written(void *heap, size_t bytes, void (*traffic)(void *ctx), void *ctx, const char **why)
{
    return in_child(count_written, heap, bytes, traffic, ctx, why);
}

static long private_dirty_kb(void *heap, size_t bytes, void (*traffic)(void *), void *ctx)
{
    traffic(ctx);
    FILE *smaps = fopen("/proc/self/smaps", "r");
    if (!smaps)
        return -1;
    char line[512], name[64];
    snprintf(name, sizeof name, "/memfd:" HEAP_NAME_FORMAT " ", (unsigned long)(uintptr_t)heap);
    bool in_heap = false;
    long kb = -1;
    while (fgets(line, sizeof line, smaps)) {
        unsigned long start, end;
        const char *dash = strchr(line, '-'), *space = strchr(line, ' ');
        if (dash && space && dash < space && sscanf(line, "%lx-%lx ", &start, &end) == 2) {
            /* Exactly the heap's own mapping, or the numbers mean nothing:
             * at the heap's address, or named after it (an emulator may
             * list host addresses, not the program's), and of its size. */
            line[strcspn(line, "\n")] = ' ';
            in_heap = end - start == bytes && (start == (unsigned long)(uintptr_t)heap || strstr(line, name));
            continue;
        }
        if (in_heap && sscanf(line, "Private_Dirty: %ld kB", &kb) == 1)
            break;
    }
    fclose(smaps);
    return kb;
}

long platform_child_private_dirty_kb(void *heap, size_t bytes, void (*traffic)(void *ctx), void *ctx, const char **why)
{
    return in_child(private_dirty_kb, heap, bytes, traffic, ctx, why);
}

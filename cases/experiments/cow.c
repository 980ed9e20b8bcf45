/* cow.c -- the pre-fork copy-on-write experiment (docs/results.md).
 *
 *   cow_experiment SCHEME HEAP_MIB WORKERS
 *
 * A parent builds a heap of HEAP_MIB MiB of 64-byte objects under a model
 * scheme: each is a 16-byte GC pre-header (PyGC_Head: _gc_next, _gc_prev)
 * followed by the object header, and is GC-tracked. Immortal schemes
 * immortalise the whole heap before forking, as a pre-forking server would
 * (3.11 cannot: its objects stay mortal). WORKERS children then each walk
 * the heap twice doing what a request does to shared objects: an incref and
 * a decref per object, and a collector-like pass that reads every header
 * and, for mortal tracked objects, writes the GC bits in _gc_prev as
 * CPython's collector does (gc_refs). Then each child measures the heap's
 * mapping in /proc/self/smaps (private = copied, shared = still shared) and
 * its whole process in /proc/self/smaps_rollup, and reports.
 *
 * Output: one CSV line per worker,
 *   scheme,heap_mib,workers,worker,heap_private_kb,heap_shared_kb,rollup_private_kb,rollup_shared_kb
 * Linux only (fork, smaps). Exit 0 if every worker reported. */
#define _DEFAULT_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "refmodel.h"

enum { OBJECT_BYTES = 64, GC_HEAD_BYTES = 16, ROUNDS = 2, MAX_WORKERS = 64 };

typedef struct measurement {
    long heap_private_kb, heap_shared_kb, rollup_private_kb, rollup_shared_kb;
} measurement;

/* Sum of the named smaps fields ("Private_Clean:", ...) in one block. */
static long field_kb(const char *block, const char *a, const char *b)
{
    long total = 0;
    const char *names[2] = { a, b };
    for (int i = 0; i < 2; i++) {
        const char *at = strstr(block, names[i]);
        if (at)
            total += strtol(at + strlen(names[i]), NULL, 10);
    }
    return total;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, len = 0;
    char *text = malloc(cap);
    size_t got;
    while (text && (got = fread(text + len, 1, cap - len - 1, f)) > 0) {
        len += got;
        if (cap - len - 1 == 0) {
            char *grown = realloc(text, cap *= 2);
            if (!grown) {
                free(text);
                text = NULL;
            }
            text = grown;
        }
    }
    fclose(f);
    if (text)
        text[len] = '\0';
    return text;
}

/* The smaps block of the mapping that starts exactly at heap. */
static int measure(uint8_t *heap, measurement *m)
{
    char *smaps = read_file("/proc/self/smaps"), *rollup = read_file("/proc/self/smaps_rollup");
    if (!smaps || !rollup)
        return -1;
    char start[32];
    snprintf(start, sizeof start, "%lx-", (unsigned long)(uintptr_t)heap);
    const char *block = NULL;
    for (const char *line = smaps; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
        if (!strncmp(line, start, strlen(start))) {
            block = line;
            break;
        }
    if (!block)
        return -1;
    const char *next = strstr(block + 1, "VmFlags:"); /* the block's last line */
    char *copy = strndup(block, next ? (size_t)(next - block) : strlen(block));
    m->heap_private_kb = field_kb(copy, "Private_Clean:", "Private_Dirty:");
    m->heap_shared_kb = field_kb(copy, "Shared_Clean:", "Shared_Dirty:");
    m->rollup_private_kb = field_kb(rollup, "Private_Clean:", "Private_Dirty:");
    m->rollup_shared_kb = field_kb(rollup, "Shared_Clean:", "Shared_Dirty:");
    free(copy);
    free(smaps);
    free(rollup);
    return 0;
}

static void request_traffic(const rm_implementation *s, rm_runtime *rt, uint8_t *heap, size_t objects)
{
    for (int round = 0; round < ROUNDS; round++)
        for (size_t i = 0; i < objects; i++) {
            uint8_t *gc = heap + i * OBJECT_BYTES, *obj = gc + GC_HEAD_BYTES;
            s->incref(rt, obj);
            s->decref(rt, obj);
            /* The collector: gc_refs in _gc_prev of each mortal tracked
             * object (immortal ones are frozen/untracked; reading is free). */
            if (!s->is_immortal(rt, obj)) {
                volatile uint64_t *gc_prev = (volatile uint64_t *)(gc + 8);
                *gc_prev = (*gc_prev & 3) | ((uint64_t)s->refcnt(rt, obj) << 2);
            }
        }
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: cow_experiment SCHEME HEAP_MIB WORKERS\n");
        return 2;
    }
    const rm_implementation *s = rm_find_implementation(argv[1]);
    long mib = strtol(argv[2], NULL, 10), workers = strtol(argv[3], NULL, 10);
    if (!s || mib < 1 || mib > 4096 || workers < 1 || workers > MAX_WORKERS) {
        fprintf(stderr, "cow_experiment: bad arguments (scheme %s, %ld MiB, %ld workers)\n", argv[1], mib, workers);
        return 2;
    }
    size_t bytes = (size_t)mib << 20, objects = bytes / OBJECT_BYTES;
    uint8_t *heap = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (heap == MAP_FAILED) {
        perror("cow_experiment: mmap");
        return 1;
    }
    rm_runtime rt;
    rm_runtime_init(&rt, rm_native_data_model(), 0x5EED);
    for (size_t i = 0; i < objects; i++) {
        uint8_t *obj = heap + i * OBJECT_BYTES + GC_HEAD_BYTES;
        s->new_reference(&rt, obj);
        if (s->flags & RM_HAS_IMMORTALITY)
            s->immortalize(&rt, obj);
    }

    int pipes[MAX_WORKERS][2];
    pid_t pids[MAX_WORKERS];
    for (long w = 0; w < workers; w++) {
        if (pipe(pipes[w]) != 0 || (pids[w] = fork()) < 0) {
            perror("cow_experiment: fork");
            return 1;
        }
        if (pids[w] == 0) {
            rm_runtime child_rt;
            rm_runtime_init(&child_rt, rm_native_data_model(), 0x5EED); /* the parent's thread, as after fork */
            request_traffic(s, &child_rt, heap, objects);
            measurement m;
            int ok = measure(heap, &m) == 0 && child_rt.deallocs == 0;
            if (!ok)
                memset(&m, 0xff, sizeof m);
            ssize_t wrote = write(pipes[w][1], &m, sizeof m);
            _exit(ok && wrote == (ssize_t)sizeof m ? 0 : 1);
        }
        close(pipes[w][1]);
    }
    int failed = 0;
    for (long w = 0; w < workers; w++) {
        measurement m;
        int status;
        ssize_t got = read(pipes[w][0], &m, sizeof m);
        waitpid(pids[w], &status, 0);
        if (got != (ssize_t)sizeof m || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "cow_experiment: worker %ld of %s failed\n", w, s->name);
            failed = 1;
            continue;
        }
        printf("%s,%ld,%ld,%ld,%ld,%ld,%ld,%ld\n", s->name, mib, workers, w, m.heap_private_kb, m.heap_shared_kb,
               m.rollup_private_kb, m.rollup_shared_kb);
    }
    return failed;
}

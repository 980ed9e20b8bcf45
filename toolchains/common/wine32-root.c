/* wine32-root.c -- wine32-root ROOT COMMAND [ARG...]
 *
 * Runs COMMAND (Wine, for a 32-bit Windows program) inside ROOT, an i386
 * Debian root with wine32 that ci/setup.sh makes where the system itself
 * cannot install wine32 (this mirror's stale i386 security index). It runs in
 * a mount namespace of its own, with /proc, /dev and every top-level host
 * directory the root does not have of its own (/work, /tmp, /home, ...)
 * bound at the same path, so that a path means the same inside and out.
 * Every call binds the same set: Wine's server, started by one call, lives
 * on in that call's namespace and opens files for the next ones. The root's
 * own /root, /etc, /usr, ... stay its own (its Wine prefix is /root/wine32).
 * Needs root (mount and chroot), as ci/setup.sh does.
 *
 * A program of its own, built by ci/setup.sh with the host's compiler: the
 * same steps as a shell script took a shell, unshare, chroot and a mount
 * process per directory, 25-30 ms of CPU for every 32-bit Windows test
 * (docs/speed.md); this takes about 2 ms. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

/* The root's own top-level directories: never the host's. */
static const char *const root_owns[] = { "bin",  "boot", "dev", "etc",  "lib", "lib32", "lib64", "libx32",
                                         "proc", "root", "run", "sbin", "sys", "usr",   "var" };

static int fail(const char *what, const char *path)
{
    fprintf(stderr, "wine32-root: %s %s: %s\n", what, path, strerror(errno));
    return 125;
}

static int owned_by_root(const char *name)
{
    for (size_t i = 0; i < sizeof root_owns / sizeof root_owns[0]; i++)
        if (!strcmp(name, root_owns[i]))
            return 1;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "wine32-root: usage: ROOT COMMAND [ARG...]\n");
        return 2;
    }
    const char *root = argv[1];
    char path[PATH_MAX], cwd[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/bin/sh", root) >= (int)sizeof path || access(path, X_OK) != 0) {
        fprintf(stderr, "wine32-root: no i386 root at %s (ci/setup.sh makes it)\n", root);
        return 2;
    }
    if (!getcwd(cwd, sizeof cwd))
        strcpy(cwd, "/");
    if (unshare(CLONE_NEWNS) != 0)
        return fail("unshare", "(a mount namespace)");
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
        return fail("make private", "/");
    snprintf(path, sizeof path, "%s/proc", root);
    if (mount("proc", path, "proc", 0, NULL) != 0)
        return fail("mount proc on", path);
    snprintf(path, sizeof path, "%s/dev", root);
    if (mount("/dev", path, NULL, MS_BIND, NULL) != 0)
        return fail("bind /dev on", path);
    DIR *top = opendir("/");
    if (!top)
        return fail("list", "/");
    for (struct dirent *e; (e = readdir(top));) {
        char host[PATH_MAX];
        struct stat st;
        if (e->d_name[0] == '.' || owned_by_root(e->d_name))
            continue;
        snprintf(host, sizeof host, "/%s", e->d_name);
        if (lstat(host, &st) != 0 || !S_ISDIR(st.st_mode)) /* a symbolic link is not bound */
            continue;
        if (snprintf(path, sizeof path, "%s%s", root, host) >= (int)sizeof path)
            return fail("bind (path too long)", host);
        if (mkdir(path, 0755) != 0 && errno != EEXIST)
            return fail("make", path);
        if (mount(host, path, NULL, MS_BIND, NULL) != 0)
            return fail("bind", path);
    }
    closedir(top);
    if (chroot(root) != 0)
        return fail("chroot", root);
    if (chdir(cwd) != 0 && chdir("/") != 0) /* back to the caller's directory where it is bound */
        return fail("chdir", "/");
    execvp(argv[2], argv + 2);
    fprintf(stderr, "wine32-root: cannot run %s in %s: %s\n", argv[2], root, strerror(errno));
    return 127;
}

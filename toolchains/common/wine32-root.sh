#!/bin/sh
# wine32-root.sh ROOT COMMAND [ARG...]
#
# Runs COMMAND (Wine, for a 32-bit Windows program) inside ROOT, an i386
# Debian root with wine32 that ci/setup.sh makes where the system itself
# cannot install wine32 (this mirror's stale i386 security index). It runs in
# a mount namespace of its own, with /proc, /dev and every top-level host
# directory the root does not have of its own (/work, /tmp, /home, ...)
# bound at the same path, so that a path means the same inside and out.
# Every call binds the same set: Wine's server, started by one call, lives
# on in that call's namespace and opens files for the next ones. The root's
# own /root, /etc, /usr, ... stay its own (its Wine prefix is /root/wine32).
# Needs root (mount and chroot), as ci/setup.sh does.
set -eu
[ $# -ge 2 ] || { echo "wine32-root.sh: usage: ROOT COMMAND [ARG...]" >&2; exit 2; }
root=$1
shift
[ -x "$root/bin/sh" ] || { echo "wine32-root.sh: no i386 root at $root (ci/setup.sh makes it)" >&2; exit 2; }
# shellcheck disable=SC2016 # the inner shells' own variables
exec unshare --mount --propagation private /bin/sh -c '
  set -eu
  root=$1; shift
  mount -t proc proc "$root/proc"
  mount --bind /dev "$root/dev"
  for dir in /*; do
    case $dir in
      /bin|/boot|/dev|/etc|/lib|/lib32|/lib64|/libx32|/proc|/root|/run|/sbin|/sys|/usr|/var) continue ;;
    esac
    [ -d "$dir" ] && [ ! -L "$dir" ] || continue
    mkdir -p "$root$dir"
    mount --bind "$dir" "$root$dir"
  done
  # chroot starts in /: back to the caller'"'"'s directory where it is bound.
  exec chroot "$root" /bin/sh -c '"'"'cd "$0" 2>/dev/null || cd /; exec "$@"'"'"' "$PWD" "$@"' wine32-root "$root" "$@"

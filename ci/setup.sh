#!/usr/bin/env bash
# setup.sh -- install what the chosen targets need and build Check for them.
#
#   ci/setup.sh [TRIPLE...]     default: every target in toolchains/, and the host
#   ci/setup.sh --host-only     only what the host presets need
#   ci/setup.sh --with-host TRIPLE...   these targets and what the host presets need
#
# Idempotent: installs only missing Debian packages, fetches Check's source
# once (Debian's `check` source package, through a private apt configuration
# that leaves the system's sources alone) and builds it once per target into
# the cache ($HARNESS_CACHE, default .cache/ in the repo).
# The host presets use Debian's binary `check` package.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/ci/lib.sh"

started=$SECONDS
need_python3 # the tables (ci/tables.py) are read with Python
setup_host=0 # the host presets' own needs (the proofs' CBMC root): with no target named, --host-only or --with-host
[ $# -eq 0 ] && setup_host=1
if [ "${1:-}" = "--with-host" ]; then
  setup_host=1; shift
fi
targets=("$@")
if [ "${1:-}" = "--host-only" ]; then
  targets=(); setup_host=1
elif [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(harness_all_targets)
fi
for t in "${targets[@]}"; do
  [ -f "$here/toolchains/$t.cmake" ] || die "unknown target '$t' (known: $(harness_all_targets | tr '\n' ' '))"
done

# --- Debian packages -------------------------------------------------------
# Host tools: compilers for the host presets (g++ for the header hygiene
# cases' C++), the build system, Check for the host, dpkg-dev to unpack
# source packages, qemu-user for foreign CPUs, Python with YAML for
# ci/test.sh's checks of the reports and the CI workflow, pytest and coverage
# for the unit tests of ci/harness, valgrind and
# gnuplot for ci/results.sh, libabigail for ci/abi-audit.sh,
# debootstrap and eatmydata for the proofs' CBMC root (and the i386 root),
# and the unit tests' check of the scripts, shellcheck.
packages=(cmake ninja-build make pkg-config gcc g++ libc6-dev clang lld llvm debootstrap eatmydata
          check libsubunit-dev dpkg-dev xz-utils qemu-user python3 python3-yaml python3-pytest python3-coverage
          valgrind gnuplot-nox abigail-tools shellcheck)
for t in "${targets[@]}"; do
  read -r -a extra <<<"$(python3 "$here/ci/tables.py" apt "$t")"
  packages+=("${extra[@]}")
done
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "setup: installing ${#missing[@]} Debian packages: ${missing[*]}"
  [ "$(id -u)" = 0 ] || die "setup: installing packages needs root (run as root, or install: ${missing[*]})"
  t0=$SECONDS
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  say "setup: packages installed in $((SECONDS - t0)) s"
else
  say "setup: all ${#packages[@]} Debian packages already installed"
fi

# --- an i386 root with wine32, where the system has none --------------------
# 32-bit Windows programs need wine32. Debian installs it through i386
# multiarch, which this machine's mirror cannot serve (its stale i386
# security index breaks apt-get update, so i386 is never added to this
# system). An i386 Debian 12 root made by debootstrap (main, no security
# suite) holds it instead, in the cache; toolchains/common/wine32-root.sh
# runs Wine inside it. Made in the background while the rest of setup runs
# (mostly downloads), and waited for at the end.
cache=$(harness_cache)
# Setup's background jobs report their status through files here
# (in_background and finished, ci/lib.sh).
jobs_dir=$(mktemp -d)
trap 'rm -rf "$jobs_dir"' EXIT
read -r -a i386_packages <<<"$(python3 "$here/ci/tables.py" i386-root "${targets[@]}")"
make_i386_root() {
  local root="$cache/i386-root" t0=$SECONDS key version
  key="debootstrap bookworm i386 minbase: ${i386_packages[*]}"
  if [ -f "$root/.ready" ] && [ "$(cat "$root/.key" 2>/dev/null)" = "$key" ]; then return 0; fi
  [ "$(id -u)" = 0 ] || { say "setup: making the i386 root needs root (debootstrap, mount, chroot)"; return 1; }
  rm -rf "$root" "$root.tmp"
  mkdir -p "$cache"
  eatmydata debootstrap --arch=i386 --variant=minbase --include="$(IFS=,; echo "${i386_packages[*]}")" \
    bookworm "$root.tmp" http://deb.debian.org/debian >"$cache/i386-root.log" 2>&1 ||
    { say "setup: debootstrap of the i386 root FAILED:"; tail -n 5 "$cache/i386-root.log" >&2; return 1; }
  mv "$root.tmp" "$root"
  echo "$key" >"$root/.key"
  local in_root=("$here/toolchains/common/wine32-root.sh" "$root" /usr/bin/env HOME=/root WINEPREFIX=/root/wine32
                 WINEDEBUG=-all)
  # Headless; no Mono or Gecko downloads (there is no network for them).
  timeout 600 "${in_root[@]}" WINEDLLOVERRIDES="mscoree,mshtml=" wineboot --init >>"$cache/i386-root.log" 2>&1 ||
    { say "setup: creating the i386 root's Wine prefix FAILED (see $cache/i386-root.log)"; return 1; }
  timeout 120 "${in_root[@]}" wineserver --wait || true
  version=$("${in_root[@]}" wine --version 2>/dev/null) || true
  [ -n "$version" ] || { say "setup: Wine does not run in the i386 root (see $cache/i386-root.log)"; return 1; }
  echo "$version (wine32, i386 Debian 12 root)" >"$root/.ready"
  say "setup: i386 root with $version made in $((SECONDS - t0)) s"
}
i386_root=0
if [ ${#i386_packages[@]} -gt 0 ] && [ ! -e /usr/lib/wine/wine ]; then
  in_background i386-root make_i386_root; i386_root=1
fi

# --- a Debian 13 root with CBMC, for the proofs ------------------------------
# CBMC is in Debian 13 only; a minbase root of it (debootstrap, cached) holds
# it, and cases/proofs/ runs it with the root's own loader and libraries: no
# chroot. Made in the background; a failure is a warning, and the proofs
# are skips that say where to look.
make_cbmc_root() {
  local root="$cache/cbmc-root" t0=$SECONDS key="debootstrap trixie amd64 minbase: cbmc" version
  if [ -f "$root/.ready" ] && [ "$(cat "$root/.key" 2>/dev/null)" = "$key" ]; then return 0; fi
  [ "$(id -u)" = 0 ] || { say "setup: making the CBMC root needs root (debootstrap)"; return 1; }
  rm -rf "$root" "$root.tmp"
  mkdir -p "$cache"
  eatmydata debootstrap --arch=amd64 --variant=minbase --include=cbmc trixie "$root.tmp" \
    http://deb.debian.org/debian >"$cache/cbmc-root.log" 2>&1 ||
    { say "setup: debootstrap of the CBMC root FAILED:"; tail -n 5 "$cache/cbmc-root.log" >&2; return 1; }
  local libs="$root.tmp/lib/x86_64-linux-gnu:$root.tmp/usr/lib/x86_64-linux-gnu:$root.tmp/usr/lib"
  version=$("$root.tmp/lib64/ld-linux-x86-64.so.2" --library-path "$libs" "$root.tmp/usr/bin/cbmc" --version 2>>"$cache/cbmc-root.log") ||
    { say "setup: CBMC does not run from its root (see $cache/cbmc-root.log)"; return 1; }
  mv "$root.tmp" "$root"
  echo "$key" >"$root/.key"
  echo "cbmc $version (Debian 13 root)" >"$root/.ready"
  say "setup: CBMC root with cbmc $version made in $((SECONDS - t0)) s"
}
cbmc_root=0
need_cbmc=$setup_host # and a target whose toolchain file runs proofs (HARNESS_PROOFS)
mapfile -t proof_targets < <(python3 "$here/ci/tables.py" proof-targets)
for t in "${targets[@]}"; do
  for p in "${proof_targets[@]}"; do [ "$t" = "$p" ] && need_cbmc=1; done
done
if [ "$(uname -m)" = x86_64 ] && [ "$need_cbmc" = 1 ]; then
  in_background cbmc-root make_cbmc_root; cbmc_root=1
fi

# --- Check's source --------------------------------------------------------
src="$cache/src/check"
if [ ${#targets[@]} -gt 0 ] && [ ! -f "$src/CMakeLists.txt" ]; then
  say "setup: fetching Debian's check source package"
  t0=$SECONDS
  apt_dir="$cache/apt"
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$cache/src"
  echo 'deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main' \
    >"$apt_dir/sources.list"
  apt_opts=(-o "Dir::Etc::sourcelist=$apt_dir/sources.list" -o Dir::Etc::sourceparts=/dev/null
            -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir" -o APT::Sandbox::User=root)
  apt-get "${apt_opts[@]}" update -qq
  rm -rf "$cache/src/dl" && mkdir -p "$cache/src/dl"
  (cd "$cache/src/dl" && apt-get "${apt_opts[@]}" source --download-only -qq check 2>&1)
  dsc=$(compgen -G "$cache/src/dl/check_*.dsc" | head -n 1)
  [ -n "$dsc" ] || die "setup: could not download Debian's check source package"
  rm -rf "$src.tmp"
  dpkg-source --no-check -x "$dsc" "$src.tmp" >/dev/null
  mv "$src.tmp" "$src"
  say "setup: $(basename "$dsc" .dsc) unpacked in $((SECONDS - t0)) s"
fi

# --- CPython's real headers, from Debian's packages --------------------------
# libpython3.X-dev for every Debian architecture a target here matches, one
# download through a private apt configuration (parsing several suites and
# architectures is slow, so it happens once and the unpacked result is
# cached). Unpacked as cpython/<version>/include (the headers, without
# Debian's pyconfig.h dispatcher) and cpython/<version>/pyconfig/<multiarch>/
# (each architecture's own pyconfig.h and where it came from).
# The versions and suites are harness/versions.txt's, the architectures
# every target's (ci/tables.py cpython-debs); Debian builds a suite's
# packages for each architecture it releases, known from the Packages
# indices the update fetched.
# The binding libraries' sources (harness/bindings/bindings.txt) come in the
# same download, unpacked as bindings/<package>_<suite>/<dir>, with an
# ORIGIN file naming the package and its version.
mapfile -t cpython_debs < <(python3 "$here/ci/tables.py" cpython-debs)
mapfile -t binding_debs < <(python3 "$here/ci/tables.py" binding-debs)
fetch_cpython_headers() {
  local root="$cache/cpython" broot="$cache/bindings" apt_dir="$cache/apt-cpython" t0=$SECONDS
  local key; key=$(printf '%s\n' "${cpython_debs[@]}" "${binding_debs[@]}" | sha256sum)
  if [ -f "$root/.fetched" ] && [ "$(cat "$root/.fetched")" = "$key" ]; then return 0; fi
  local archs suites package arch suite
  archs=$(printf '%s\n' "${cpython_debs[@]}" | cut -d' ' -f2 | sort -u | paste -sd,)
  suites=$(printf '%s\n' "${cpython_debs[@]}" | cut -d' ' -f3 | sort -u)
  say "setup: fetching CPython's headers (Debian $(paste -sd" " - <<<"$suites"), for $archs: one download)"
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial"
  local keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  for suite in $suites; do
    echo "deb [arch=$archs signed-by=$keyring] http://deb.debian.org/debian $suite main"
  done >"$apt_dir/sources.list"
  local opts=(-o "Dir::Etc::sourcelist=$apt_dir/sources.list" -o Dir::Etc::sourceparts=/dev/null
              -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir" -o APT::Sandbox::User=root
              -o Acquire::Languages=none -o APT::Architectures="$archs")
  apt-get "${opts[@]}" update -qq 2>&1 | grep -v "support architecture" >&2
  [ "${PIPESTATUS[0]}" = 0 ] || { say "setup: apt-get update for CPython's headers FAILED"; return 1; }
  local cpython_packages=() line
  for line in "${cpython_debs[@]}"; do
    read -r package arch suite <<<"$line"
    if compgen -G "$apt_dir/lists/*_dists_${suite}_main_binary-${arch}_Packages*" >/dev/null; then
      cpython_packages+=("$package:$arch/$suite")
    fi
  done
  for line in "${binding_debs[@]}"; do
    read -r package suite _ <<<"$line"
    cpython_packages+=("$package:amd64/$suite")
  done
  local dl="$cache/cpython-debs" wanted=("${cpython_packages[@]}") out w
  rm -rf "$dl"; mkdir -p "$dl"
  # One call normally. Should Debian stop building one of them for an
  # architecture, the call fails as a whole: then each is fetched alone
  # (slow, but rare), and a target whose package is missing derives its
  # pyconfig.h from its compiler instead.
  if ! out=$(cd "$dl" && apt-get "${opts[@]}" download "${wanted[@]}" 2>&1); then
    say "setup: the combined download failed ($(grep -m1 '^E:' <<<"$out")); fetching one by one"
    out=
    for w in "${wanted[@]}"; do
      out+=$(cd "$dl" && apt-get "${opts[@]}" download "$w" 2>&1)$'\n' ||
        setup_shortfall "$w is not in Debian: targets needing it derive their pyconfig.h, bindings needing it are skips"
    done
  fi
  compgen -G "$dl/libpython3.*_amd64.deb" >/dev/null || { say "setup: no CPython headers could be downloaded"; tail -n 5 <<<"$out"; return 1; }
  rm -rf "$root.tmp" "$broot.tmp"; mkdir -p "$root.tmp" "$broot.tmp"
  local deb version arch package suite x multiarch dir
  for deb in "$dl"/*.deb; do
    package=$(dpkg-deb -f "$deb" Package); version=$(dpkg-deb -f "$deb" Version); arch=$(dpkg-deb -f "$deb" Architecture)
    if [[ $package != libpython* ]]; then
      # A binding's package: its suite is the one apt fetched this version from
      # ("Get:3 http://... trixie/main amd64 python3-mypy amd64 1.15.0-5 [...]").
      suite=$(awk -v p="$package" -v v="$version" '$1 ~ /^Get:/ && $5 == p && $7 == v { split($3, s, "/"); print s[1]; exit }' <<<"$out")
      dir=$(printf '%s\n' "${binding_debs[@]}" | awk -v p="$package" -v s="$suite" '$1 == p && $2 == s { print $3; exit }')
      [ -n "$dir" ] || { say "setup: $package $version: from which suite? (not in apt's output)"; return 1; }
      mkdir -p "$broot.tmp/${package}_$suite"
      dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$broot.tmp/${package}_$suite" "./$dir"
      echo "Debian's $package $version ($suite)" >"$broot.tmp/${package}_$suite/ORIGIN"
      continue
    fi
    x=${package#libpython}; x=${x%-dev}
    suite=$(printf '%s\n' "${cpython_debs[@]}" | awk -v p="$package" '$1 == p { print $3; exit }')
    case $suite in bookworm) suite="Debian 12 (bookworm)" ;; trixie) suite="Debian 13 (trixie)" ;; sid) suite="Debian unstable (sid)" ;; esac
    rm -rf "$dl/x"; mkdir -p "$dl/x"
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dl/x" --wildcards './usr/include/*'
    if [ "$arch" = amd64 ]; then
      mkdir -p "$root.tmp/$x"
      cp -a "$dl/x/usr/include/python$x" "$root.tmp/$x/include"
      rm -f "$root.tmp/$x/include/pyconfig.h" # Debian's dispatcher: the harness pairs each target itself
    fi
    for pc in "$dl"/x/usr/include/*/python"$x"/pyconfig.h; do
      multiarch=$(basename "$(dirname "$(dirname "$pc")")")
      mkdir -p "$root.tmp/$x/pyconfig/$multiarch"
      cp "$pc" "$root.tmp/$x/pyconfig/$multiarch/"
      echo "Debian's $package $version ($arch, $suite)" >"$root.tmp/$x/pyconfig/$multiarch/ORIGIN"
    done
  done
  rm -rf "$dl" "$root" "$broot"; mv "$root.tmp" "$root"; mv "$broot.tmp" "$broot"
  echo "$key" >"$root/.fetched"
  say "setup: CPython headers for $(cd "$root" && echo *) and binding sources ($(cd "$broot" && echo *)) unpacked in $((SECONDS - t0)) s"
}
fetch_cpython_headers || die "setup: CPython's headers could not be fetched"

# --- the GitHub workflow's validator (ci/test.sh checks matrix.yml with it) --
# npm's @action-validator/cli checks a workflow against GitHub's schema.
action_validator=0.6.0
if [ "$(cat "$cache/npm/.installed" 2>/dev/null)" != "$action_validator" ]; then
  t0=$SECONDS
  if ! command -v npm >/dev/null; then
    [ "$(id -u)" = 0 ] || die "setup: the workflow validator needs npm (install Debian's npm)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm >/dev/null ||
      die "setup: npm could not be installed"
  fi
  rm -rf "$cache/npm"
  { npm install --silent --no-audit --no-fund --prefix "$cache/npm" "@action-validator/cli@$action_validator" >/dev/null 2>&1 &&
      [ -x "$cache/npm/node_modules/.bin/action-validator" ]; } ||
    die "setup: npm could not install @action-validator/cli@$action_validator"
  echo "$action_validator" >"$cache/npm/.installed"
  say "setup: @action-validator/cli $action_validator installed in $((SECONDS - t0)) s"
fi

# --- Check per target (built once with the target's GCC, reused by Clang) ---
build_check() {
  local t=$1 prefix="$cache/check/$1"
  local stamp="$prefix/.built-from"
  local key
  key="$(cat "$src/debian/changelog" "$here/toolchains/$t.cmake" "$here"/toolchains/common/*.cmake | sha256sum)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ]; then
    return 0
  fi
  local t0=$SECONDS bdir="$cache/build/check-$t" log="$cache/build/check-$t.log"
  rm -rf "$bdir" "$prefix"; mkdir -p "$bdir"
  if ! { cmake -S "$src" -B "$bdir" -G Ninja -DCMAKE_TOOLCHAIN_FILE="$here/toolchains/$t.cmake" \
           -DHARNESS_COMPILER=gcc -DHARNESS_CACHE_DIR="$cache" -DBUILD_TESTING=OFF \
           -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$prefix" &&
         cmake --build "$bdir" --target install; } >"$log" 2>&1; then
    say "setup: building Check for $t FAILED (log: $log)"; tail -n 20 "$log"; return 1
  fi
  echo "$key" >"$stamp"
  rm -rf "$bdir"
  say "setup: Check built for $t in $((SECONDS - t0)) s"
}
building=() ; fail=0
for t in "${targets[@]}"; do
  # Targets that cannot link Check run the cases on cases/minicheck.
  grep -q '^# harness-check: minicheck' "$here/toolchains/$t.cmake" && continue
  in_background "check-$t" build_check "$t"; building+=("check-$t")
  if [ ${#building[@]} -ge "$(nproc)" ]; then finished "${building[0]}" || fail=1; building=("${building[@]:1}"); fi
done
for b in "${building[@]}"; do finished "$b" || fail=1; done
[ $fail = 0 ] || die "setup: Check could not be built for every target"
# --- a Wine prefix for the Windows targets that run --------------------------
for t in "${targets[@]}"; do
  f="$here/toolchains/$t.cmake"
  grep -q '^# harness-apt:.*wine64' "$f" || continue
  if [ ! -f "$cache/wine/system.reg" ]; then
    t0=$SECONDS
    # Headless; no Mono or Gecko downloads (there is no network for them).
    WINEPREFIX="$cache/wine" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" \
      timeout 600 wineboot --init >/dev/null 2>&1 || die "setup: creating the Wine prefix failed"
    WINEPREFIX="$cache/wine" timeout 120 wineserver --wait || true
    say "setup: Wine prefix created in $((SECONDS - t0)) s"
  fi
  break
done

# Without it the 32-bit Windows configurations still build and audit, and
# each of their tests is a skip that says why (toolchains/common/windows.cmake).
if [ "$i386_root" = 1 ] && ! finished i386-root; then
  setup_shortfall "no i386 root with wine32 (see $cache/i386-root.log): the 32-bit Windows tests will be skips"
fi

if [ "$cbmc_root" = 1 ] && ! finished cbmc-root; then
  setup_shortfall "no CBMC root (see $cache/cbmc-root.log): the proofs will be skips"
fi

say "setup: done in $((SECONDS - started)) s (targets: ${targets[*]:-host only})"

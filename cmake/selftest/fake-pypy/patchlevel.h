/* A fake PyPy patchlevel.h (README.md): CPython's macros and PyPy's own. */
#define PY_MAJOR_VERSION 3
#define PY_MINOR_VERSION 11
#define PY_MICRO_VERSION 11
#define PY_VERSION "3.11.11"
#define PYPY_VERSION "7.3.19"

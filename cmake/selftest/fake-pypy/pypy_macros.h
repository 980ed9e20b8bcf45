/* A fake PyPy pypy_macros.h (README.md). */

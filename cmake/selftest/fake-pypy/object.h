/* A fake PyPy object.h (README.md). */

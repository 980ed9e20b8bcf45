/* A fake PyPy Python.h (README.md). */
#include "patchlevel.h"
#include <pypy_macros.h>
#include "object.h"

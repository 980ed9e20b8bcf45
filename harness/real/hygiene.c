/* hygiene.c -- CPython's headers alone, as an extension includes them
 * (harness/real/CMakeLists.txt compiles it under each hygiene variant). */
#include <Python.h>

int harness_hygiene(void);
int harness_hygiene(void) { return PY_VERSION_HEX > 0; }

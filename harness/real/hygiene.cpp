// hygiene.cpp -- CPython's headers alone, as a C++ extension includes them.
#include <Python.h>

int harness_hygiene();
int harness_hygiene() { return PY_VERSION_HEX > 0; }

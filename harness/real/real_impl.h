/* real_impl.h -- what real_impl.c and real_core_static.c share: the name
 * of the core's static header for the implementation being built
 * (HARNESS_REAL_SYMBOL), defined in real_core_static.c. */
#ifndef HARNESS_REAL_IMPL_H
#define HARNESS_REAL_IMPL_H

#include "header_constants.h"

#define HARNESS_REAL_CONCAT_(a, b) a##b
#define HARNESS_REAL_CONCAT(a, b) HARNESS_REAL_CONCAT_(a, b)
#define HARNESS_REAL_CORE_STATIC HARNESS_REAL_CONCAT(HARNESS_REAL_SYMBOL, _core_static)

extern const PyObject HARNESS_REAL_CORE_STATIC[1];

/* real_return_none.c (GIL builds). */
#define HARNESS_REAL_RETURN_NONE HARNESS_REAL_CONCAT(HARNESS_REAL_SYMBOL, _return_none_limited_311)
uint8_t *HARNESS_REAL_RETURN_NONE(void);

#endif

/* case_no_extra.c -- a case program that makes no implementation at run
 * time. A member of the case_main archive, so the linker takes it only
 * where the program does not define case_extra_implementation itself (the
 * abi3t variants do: cases/abi3t/runtime.c). */
#include "refmodel.h"

const rm_implementation *case_extra_implementation(const char *name);
const rm_implementation *case_extra_implementation(const char *name)
{
    (void)name;
    return 0;
}

/* fake_other.h -- included by the fake copy's own file, but not its own:
 * what it defines must never count as the copy's. */
#ifndef FAKE_OTHER_H
#define FAKE_OTHER_H
#if PY_VERSION_HEX < 0x030F0000
static inline int PyUnstable_SetImmortal(PyObject *op)
{
    (void)op;
    return 0;
}
#endif
#endif

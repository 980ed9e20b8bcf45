# cython: language_level=3
# The module Cython compiles for the Cython binding copies (harness/bindings/
# bindings.txt; ci/harness/cythongen.py). What the harness compiles of its C
# is the module setup code every module Cython generates begins with, which
# holds Cython's uniqueness test: __Pyx_PySequence_ListKeepNew, the list
# reused as the new one when Py_REFCNT(obj) == 1, as sorted() below.


def sorted_copy(items):
    return sorted(list(items))

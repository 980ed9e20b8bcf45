// binding_nanobind.cpp -- nanobind's free-threaded helpers (src/nb_ft.cpp, as
// Debian's nanobind-dev ships it) as an implementation (harness/refmodel.h)
// over CPython's real headers of one free-threaded version: make_immortal
// and, where nb_ft.cpp defines it itself, nb_try_inc_ref; the case programs
// take the rest from the base.
#include "binding_cxx.h"

// The copy's own source, HARNESS_BINDING_SOURCE (<src/nb_ft.cpp>, which
// brings its nb_ft.h), compiled in this translation unit: CPython's and
// nanobind's headers parsed once instead of twice. It is found in a SYSTEM
// include directory, so its warnings are not the harness's. Its functions
// are this version's own (an unnamed namespace): a case program links every
// version's copy, and with one external make_immortal for all of them, the
// linker took the first archive's for every version.
#include <nanobind/nanobind.h> // included inside the namespace, it would be empty
namespace
{
#include HARNESS_BINDING_SOURCE
}

// libpython's functions that make_immortal calls: the cases' objects are
// not tracked by a garbage collector.
extern "C" int PyObject_IS_GC(PyObject *op)
{
    (void)op;
    return 0;
}
extern "C" void PyObject_GC_UnTrack(void *op) { (void)op; }

static void immortalize(rm_runtime *rt, uint8_t *obj)
{
    (void)rt;
    make_immortal(as_object(obj));
}

#if defined(HARNESS_OWN_nb_try_inc_ref)
static bool try_incref(rm_runtime *rt, uint8_t *obj)
{
    (void)rt;
    return nb_try_inc_ref(as_object(obj));
}
#define OWN_TRY_INCREF try_incref
#else
#define OWN_TRY_INCREF nullptr
#endif

#if !defined(HARNESS_OWN_make_immortal)
#error "nb_ft.cpp defines make_immortal for every free-threaded build"
#endif

static rm_implementation describe()
{
    rm_implementation i = harness_binding_description();
    i.immortalize = immortalize;
    i.try_incref = OWN_TRY_INCREF;
    return i;
}

extern "C" const rm_implementation HARNESS_BINDING_SYMBOL;
const rm_implementation HARNESS_BINDING_SYMBOL = describe();

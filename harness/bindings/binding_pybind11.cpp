// binding_pybind11.cpp -- pybind11's own free-threaded reference-count code
// (Debian's pybind11-dev headers) as an implementation (harness/refmodel.h)
// over CPython's real headers of one free-threaded version: try_incref
// (detail/type_caster_base.h) and enable_try_inc_ref (detail/class.h),
// where pybind11 defines them itself rather than calling CPython's
// PyUnstable_TryIncRef and PyUnstable_EnableTryIncRef (3.13t); the case
// programs take the rest from the base.
#include "binding_cxx.h"

// The copy's own header, HARNESS_BINDING_SOURCE (<pybind11/detail/class.h>,
// which brings detail/type_caster_base.h), as an extension includes it,
// from a SYSTEM include directory: its warnings are not the harness's.
// pybind11's functions are inline functions of namespace pybind11::detail,
// one definition per program whichever version's adapter defined it (its
// headers name ::pybind11 throughout: no namespace of the adapter's own can
// hold them). So at most one pybind11 adapter may be linked into a program:
// the definition below makes a second one a duplicate symbol at link time
// rather than a silent merge.
#include HARNESS_BINDING_SOURCE
extern "C" const char harness_pybind11_adapter_linked_once[] = HARNESS_BINDING_VERSION;

#if defined(HARNESS_OWN_try_incref)
static bool try_incref(rm_runtime *rt, uint8_t *obj)
{
    (void)rt;
    return pybind11::detail::try_incref(as_object(obj));
}
#define OWN_TRY_INCREF try_incref
#else
#define OWN_TRY_INCREF nullptr
#endif

#if defined(HARNESS_OWN_enable_try_inc_ref)
static void enable_try_incref(rm_runtime *rt, uint8_t *obj)
{
    (void)rt;
    pybind11::detail::enable_try_inc_ref(as_object(obj));
}
#define OWN_ENABLE_TRY_INCREF enable_try_incref
#else
#define OWN_ENABLE_TRY_INCREF nullptr
#endif

static rm_implementation describe()
{
    rm_implementation i = harness_binding_description();
    i.try_incref = OWN_TRY_INCREF;
    i.enable_try_incref = OWN_ENABLE_TRY_INCREF;
    return i;
}

extern "C" const rm_implementation HARNESS_BINDING_SYMBOL;
const rm_implementation HARNESS_BINDING_SYMBOL = describe();

//! pyo3_shim.rs -- PyO3's own refcount code (pyo3-ffi, as Debian's
//! librust-pyo3-ffi-dev ships it) exported `extern "C"` for the harness:
//! the crate a static library of which ci/harness/rustshims.py builds per
//! (architecture, CPython version), with pyo3-ffi configured by PyO3's own
//! pyo3-build-config. Each function is named HARNESS_SHIM_PREFIX + the
//! harness operation (harness/bindings/bindings.txt), so that every
//! version's copy links into one case program; harness/bindings/
//! binding_rust.c adapts them to an implementation.
#![allow(clippy::missing_safety_doc)]
use pyo3_ffi::{PyObject, Py_ssize_t};

macro_rules! exported {
    ($op:literal) => {
        concat!(env!("HARNESS_SHIM_PREFIX"), $op)
    };
}

/// Py_INCREF: PyO3's own where it inlines the count (GIL, not limited),
/// else its call of libpython's _Py_IncRef (the shim's own-operation test
/// sees that call).
#[export_name = exported!("incref")]
pub unsafe extern "C" fn incref(op: *mut PyObject) {
    pyo3_ffi::Py_INCREF(op)
}

#[export_name = exported!("decref")]
pub unsafe extern "C" fn decref(op: *mut PyObject) {
    pyo3_ffi::Py_DECREF(op)
}

#[export_name = exported!("refcnt")]
pub unsafe extern "C" fn refcnt(op: *mut PyObject) -> Py_ssize_t {
    pyo3_ffi::Py_REFCNT(op)
}

/// PyObject_HEAD_INIT: PyO3's image of a static object's header, as its
/// static PyModuleDef and type objects start.
#[export_name = exported!("init_static")]
pub unsafe extern "C" fn init_static(op: *mut PyObject) {
    std::ptr::write(op, pyo3_ffi::PyObject_HEAD_INIT)
}

#[export_name = exported!("object_size")]
pub extern "C" fn object_size() -> usize {
    std::mem::size_of::<PyObject>()
}

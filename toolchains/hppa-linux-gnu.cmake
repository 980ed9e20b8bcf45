# hppa-linux-gnu: 32-bit big-endian Linux, run under qemu-hppa.
# harness-apt: gcc-hppa-linux-gnu g++-hppa-linux-gnu libc6-dev-hppa-cross
set(HARNESS_TRIPLE hppa-linux-gnu)
set(CMAKE_SYSTEM_PROCESSOR hppa)
set(HARNESS_DATA_MODEL "32-bit big-endian")
set(HARNESS_QEMU qemu-hppa)

set(HARNESS_CLANG_UNAVAILABLE "clang has no hppa (PA-RISC) target")
# Atomic operations are calls into the kernel's light-weight syscall page
# (libgcc's __sync_*), which return EFAULT on a read-only page instead of
# faulting, so the write-fault count cannot watch them: the free-threaded
# real headers (atomic refcount stores) skip immutability.fork here.
set(HARNESS_NO_ATOMIC_FAULTS "hppa's atomics are kernel light-weight syscalls, which return EFAULT on a read-only page instead of faulting, so the write-fault count cannot watch the free-threaded headers' atomic stores")
include(${CMAKE_CURRENT_LIST_DIR}/common/linux-cross.cmake)

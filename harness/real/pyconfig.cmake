# harness_derive_pyconfig(base out): a pyconfig.h for a target Debian builds
# no CPython for. The base (Debian's x86_64 one, same version) supplies the
# feature macros (HAVE_*: the same glibc-based Linux); every macro that
# depends on the CPU, and that the public headers read, is replaced by what
# this target's compiler reports. Byte order above all: PY_BIG_ENDIAN comes
# only from WORDS_BIGENDIAN here.
include(CheckTypeSize)
include(CheckCSourceCompiles)

function(harness_derive_pyconfig base out)
  set(CMAKE_EXTRA_INCLUDE_FILES "stddef.h;stdint.h;stdio.h;time.h;wchar.h;sys/types.h;pthread.h")
  set(sizes "")
  foreach(type IN ITEMS "void *" size_t long int short "long long" float double "long double" time_t
                        wchar_t pid_t off_t fpos_t uintptr_t _Bool pthread_t)
    string(MAKE_C_IDENTIFIER "${type}" id)
    string(TOUPPER "${id}" id)
    string(REGEX REPLACE "_+$" "" id "${id}")
    if(type STREQUAL "void *")
      set(id VOID_P)
    endif()
    check_type_size("${type}" HARNESS_SIZEOF_${id})
    if(NOT HARNESS_SIZEOF_${id})
      message(FATAL_ERROR "harness: cannot derive pyconfig.h: the compiler does not report sizeof(${type})")
    endif()
    string(APPEND sizes "#define SIZEOF_${id} ${HARNESS_SIZEOF_${id}}\n")
  endforeach()
  foreach(type IN ITEMS long size_t max_align_t)
    string(TOUPPER "${type}" id)
    foreach(n 1 2 4 8 16 32)
      check_c_source_compiles("#include <stddef.h>\n_Static_assert(_Alignof(${type}) == ${n}, \"\");\nint main(void) { return 0; }"
                              HARNESS_ALIGNOF_${id}_${n})
      if(HARNESS_ALIGNOF_${id}_${n})
        string(APPEND sizes "#define ALIGNOF_${id} ${n}\n")
        break()
      endif()
    endforeach()
  endforeach()
  if(CMAKE_C_BYTE_ORDER STREQUAL "BIG_ENDIAN")
    string(APPEND sizes "#define WORDS_BIGENDIAN 1\n#define DOUBLE_IS_BIG_ENDIAN_IEEE754 1\n")
  else()
    string(APPEND sizes "#define DOUBLE_IS_LITTLE_ENDIAN_IEEE754 1\n")
  endif()

  file(READ "${base}" text)
  # Drop the CPU-dependent definitions of the base...
  string(REGEX REPLACE "\n#define (SIZEOF_[A-Z0-9_]+|ALIGNOF_[A-Z0-9_]+|WORDS_BIGENDIAN|DOUBLE_IS_[A-Z0-9_]+|HAVE_GCC_ASM_FOR_[A-Z0-9_]+)[ \t][^\n]*"
                       "\n/* (derived: see below) */" text "${text}")
  string(REGEX REPLACE "\n#define (WORDS_BIGENDIAN|HAVE_GCC_ASM_FOR_[A-Z0-9_]+)\n" "\n" text "${text}")
  # ...and append this target's, inside the include guard.
  string(REGEX REPLACE "#endif[^#]*$" "" text "${text}")
  file(WRITE "${out}" "/* Derived by harness/real/pyconfig.cmake from ${base}\n * for ${CMAKE_C_COMPILER_TARGET}${HARNESS_TRIPLE}: sizes, alignments and byte order from its compiler. */\n${text}\n/* This target's, from its compiler: */\n${sizes}\n#endif\n")
endfunction()

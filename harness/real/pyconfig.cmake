# Which pyconfig.h a target gets (fact sheet §7: CPython's byte order, word
# size and OS come only from pyconfig.h, so every target is paired with one
# that describes it):
#
# harness_select_pyconfig(OUT_DIR OUT_ORIGIN VERSION NAME CANDIDATE_DIR CANDIDATE_ORIGIN)
#   CANDIDATE_DIR holds a pyconfig.h offered for this target (Debian's for its
#   architecture, an install's, or the user's), or is empty. If it fits this
#   target (compiled by this target's compiler, its SIZEOF_VOID_P, SIZEOF_LONG
#   and SIZEOF_SIZE_T are the compiler's, its byte order and its OS too) it is
#   used; otherwise one is derived for the target and the origin says
#   "derived pyconfig", and why (with no candidate, CANDIDATE_ORIGIN is why). A derived one keeps the candidate's build
#   kind (Py_GIL_DISABLED).
# harness_pyconfig_free_threaded(DIR OUT): whether DIR/pyconfig.h defines Py_GIL_DISABLED.
include(CheckTypeSize)
include(CheckCSourceCompiles)

function(harness_pyconfig_free_threaded dir out)
  file(STRINGS "${dir}/pyconfig.h" lines REGEX "^[ \t]*#[ \t]*define[ \t]+Py_GIL_DISABLED([ \t]+1)?[ \t]*$")
  if(lines)
    set(${out} TRUE PARENT_SCOPE)
  else()
    set(${out} FALSE PARENT_SCOPE)
  endif()
endfunction()

# harness_headers_free_threaded(INCLUDE PYCONFIG_DIR OUT): whether Python.h,
# with that pyconfig.h and nothing else defined, ends up free-threaded:
# preprocessed by this target's compiler, so that Python.h's own logic
# decides (a pyconfig.h may define Py_GIL_DISABLED in any spelling, and
# abi3t defines it by itself, which an extension asks for, not the build).
function(harness_headers_free_threaded include pyconfig_dir out)
  set(source ${CMAKE_BINARY_DIR}/CMakeFiles/harness-headers/free-threaded.c)
  file(WRITE ${source} "#include <Python.h>\n#ifndef Py_GIL_DISABLED\n#error \"a GIL build\"\n#endif\n")
  set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
  list(TRANSFORM windows_defs PREPEND "-D" OUTPUT_VARIABLE defs)
  try_compile(free_threaded ${CMAKE_BINARY_DIR}/CMakeFiles/harness-headers/free-threaded SOURCES ${source}
              CMAKE_FLAGS "-DINCLUDE_DIRECTORIES=${pyconfig_dir};${include}" COMPILE_DEFINITIONS ${defs})
  set(${out} ${free_threaded} PARENT_SCOPE)
endfunction()

# This target's data model as pyconfig.h macros, from its compiler.
function(harness_target_pyconfig_macros out)
  if(WIN32)
    set(CMAKE_EXTRA_INCLUDE_FILES "stddef.h;stdint.h")
    set(types "void *" size_t long int short "long long" float double wchar_t _Bool uintptr_t)
  else()
    set(CMAKE_EXTRA_INCLUDE_FILES "stddef.h;stdint.h;stdio.h;time.h;wchar.h;sys/types.h;pthread.h")
    set(types "void *" size_t long int short "long long" float double "long double" time_t
              wchar_t pid_t off_t fpos_t uintptr_t _Bool pthread_t)
  endif()
  set(sizes "")
  foreach(type IN LISTS types)
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
      check_c_source_compiles("#include <stddef.h>\ntypedef char harness_align_check[_Alignof(${type}) == ${n} ? 1 : -1];\nint main(void) { return 0; }"
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
  set(${out} "${sizes}" PARENT_SCOPE)
endfunction()

# harness_derive_pyconfig(BASE OUT): a Linux pyconfig.h for this target. The
# base (a Linux one, ideally of the same version) supplies the feature macros
# (HAVE_*: the same glibc-based Linux); every macro that depends on the CPU,
# and that the public headers read, is replaced by what this target's
# compiler reports. Byte order above all: PY_BIG_ENDIAN comes only from
# WORDS_BIGENDIAN here.
function(harness_derive_pyconfig base out)
  harness_target_pyconfig_macros(sizes)
  file(READ "${base}" text)
  # Drop the CPU-dependent definitions of the base, indented ones too
  # (autoconf defines WORDS_BIGENDIAN as "#  define" inside an #if)...
  string(REGEX REPLACE "\n#[ \t]*define[ \t]+(SIZEOF_[A-Z0-9_]+|ALIGNOF_[A-Z0-9_]+|WORDS_BIGENDIAN|DOUBLE_IS_[A-Z0-9_]+|HAVE_GCC_ASM_FOR_[A-Z0-9_]+)([ \t][^\n]*)?"
                       "\n/* (derived: see below) */" text "${text}")
  # ...and append this target's, inside the include guard.
  string(REGEX REPLACE "#endif[^#]*$" "" text "${text}")
  file(WRITE "${out}" "/* Derived by harness/real/pyconfig.cmake from ${base}\n * for ${CMAKE_C_COMPILER_TARGET}${HARNESS_TRIPLE}: sizes, alignments and byte order from its compiler. */\n${text}\n/* This target's, from its compiler: */\n${sizes}\n#endif\n")
endfunction()

# harness_derive_windows_pyconfig(OUT FREE_THREADED): what CPython's headers
# read of Windows' pyconfig.h (PC/pyconfig.h: MS_WINDOWS, MS_WIN32, MS_WIN64,
# the SIZEOF_* of the compiler, long of 4 bytes on 32- and 64-bit alike),
# for this target. No Py_ENABLE_SHARED: there is no pythonXY.dll to import
# from, the case programs provide libpython's functions themselves, as for
# a Py_NO_ENABLE_SHARED build.
function(harness_derive_windows_pyconfig out free_threaded)
  harness_target_pyconfig_macros(sizes)
  set(win64 "")
  if(CMAKE_SIZEOF_VOID_P EQUAL 8)
    set(win64 "#define MS_WIN64\n")
  endif()
  set(ft "")
  if(free_threaded)
    set(ft "#define Py_GIL_DISABLED 1\n")
  endif()
  file(WRITE "${out}" "/* Derived by harness/real/pyconfig.cmake for ${HARNESS_TRIPLE}: what CPython's headers\n * read of Windows' pyconfig.h (PC/pyconfig.h), with sizes and alignments from its compiler. */
#ifndef Py_CONFIG_H
#define Py_CONFIG_H
#define MS_WIN32
#define MS_WINDOWS
${win64}#define NT_THREADS
#define WITH_THREAD
#define PLATFORM \"win32\"
#define WITH_PYMALLOC 1
#define HAVE_DECLSPEC_DLL
${ft}${sizes}#endif
")
endfunction()

# Whether DIR/pyconfig.h describes this target, as its compiler sees it; on
# no, OUT_WHY says what differs.
function(harness_pyconfig_fits dir out out_why)
  file(SHA256 "${dir}/pyconfig.h" sum)
  string(SUBSTRING "${sum}" 0 16 sum)
  if(CMAKE_C_BYTE_ORDER STREQUAL "BIG_ENDIAN")
    set(be 1)
  else()
    set(be 0)
  endif()
  if(WIN32)
    set(os "#ifndef MS_WINDOWS\n#error not a Windows pyconfig.h\n#endif")
  else()
    set(os "#ifdef MS_WINDOWS\n#error a Windows pyconfig.h\n#endif")
  endif()
  set(CMAKE_REQUIRED_INCLUDES "${dir}")
  set(CMAKE_REQUIRED_QUIET ON)
  check_c_source_compiles("#include \"pyconfig.h\"
#include <stddef.h>
${os}
#ifdef WORDS_BIGENDIAN
#define HARNESS_PY_BE 1
#else
#define HARNESS_PY_BE 0
#endif
#if HARNESS_PY_BE != ${be}
#error byte order
#endif
typedef char harness_void_p[SIZEOF_VOID_P == sizeof(void *) ? 1 : -1];
typedef char harness_size_t[SIZEOF_SIZE_T == sizeof(size_t) ? 1 : -1];
typedef char harness_long[SIZEOF_LONG == sizeof(long) ? 1 : -1];
int main(void) { return 0; }" HARNESS_PYCONFIG_FITS_${sum})
  set(${out} ${HARNESS_PYCONFIG_FITS_${sum}} PARENT_SCOPE)
  if(HARNESS_PYCONFIG_FITS_${sum})
    return()
  endif()
  # What it describes instead, as this compiler reads it (the same words as
  # ci/tables.py pyconfig-fits), for the report's "not used" row.
  file(STRINGS "${dir}/pyconfig.h" windows REGEX "^[ \t]*#[ \t]*define[ \t]+MS_WINDOWS")
  if(windows)
    set(theirs "Windows")
  else()
    check_c_source_compiles("#include \"pyconfig.h\"
#if SIZEOF_VOID_P != 8
#error 32-bit
#endif
int main(void) { return 0; }" HARNESS_PYCONFIG_64_${sum})
    check_c_source_compiles("#include \"pyconfig.h\"
#ifndef WORDS_BIGENDIAN
#error little-endian
#endif
int main(void) { return 0; }" HARNESS_PYCONFIG_BE_${sum})
    if(HARNESS_PYCONFIG_64_${sum})
      set(theirs "64-bit")
    else()
      set(theirs "32-bit")
    endif()
    if(HARNESS_PYCONFIG_BE_${sum})
      string(APPEND theirs " big-endian")
    else()
      string(APPEND theirs " little-endian")
    endif()
  endif()
  math(EXPR bits "${CMAKE_SIZEOF_VOID_P} * 8")
  string(TOLOWER "${CMAKE_C_BYTE_ORDER}" order)
  string(REGEX REPLACE "_endian$" "-endian" order "${order}")
  if(WIN32)
    set(ours "${bits}-bit Windows")
  else()
    set(ours "${bits}-bit ${order} ${CMAKE_SYSTEM_NAME}")
  endif()
  set(${out_why} "it describes ${theirs}, this target is ${ours}" PARENT_SCOPE)
endfunction()

function(harness_select_pyconfig out_dir out_origin version name candidate candidate_origin)
  set(dir "")
  if(candidate)
    harness_pyconfig_fits("${candidate}" fits why)
    if(fits)
      set(${out_dir} "${candidate}" PARENT_SCOPE)
      set(${out_origin} "${candidate_origin}" PARENT_SCOPE)
      return()
    endif()
    set(why "derived pyconfig: ${candidate}/pyconfig.h (${candidate_origin}) is not this target's: ${why}")
    harness_pyconfig_free_threaded("${candidate}" ft)
  else()
    set(why "derived pyconfig: ${candidate_origin}")
    set(ft FALSE)
  endif()
  set(derived "${CMAKE_BINARY_DIR}/pyconfig/${name}")
  if(WIN32)
    harness_derive_windows_pyconfig("${derived}/pyconfig.h" ${ft})
  else()
    # A Linux base: the candidate if it is one, else Debian's x86_64 one of
    # this version, else of the nearest version Debian has.
    set(base "")
    if(candidate)
      file(STRINGS "${candidate}/pyconfig.h" windows REGEX "MS_WINDOWS")
      if(NOT windows)
        set(base "${candidate}/pyconfig.h")
      endif()
    endif()
    if(NOT base)
      file(GLOB bases "${HARNESS_CPYTHON_ROOT}/*/pyconfig/x86_64-linux-gnu/pyconfig.h")
      set(best "")
      string(REGEX REPLACE "t$" "" minor "${version}")
      string(REGEX REPLACE "^3\\." "" minor "${minor}")
      foreach(b IN LISTS bases)
        string(REGEX REPLACE ".*/3\\.([0-9]+)/pyconfig/.*" "\\1" m "${b}")
        math(EXPR d "${m} - ${minor}")
        string(REPLACE "-" "" d "${d}")
        if(best STREQUAL "" OR d LESS best_distance)
          set(best "${b}")
          set(best_distance ${d})
        endif()
      endforeach()
      set(base "${best}")
    endif()
    if(NOT base)
      message(FATAL_ERROR "harness: no Linux pyconfig.h to derive one for ${HARNESS_TRIPLE} from "
                          "(${name}: give one with HARNESS_CPYTHON_PYCONFIG, or run ci/setup.sh)")
    endif()
    harness_derive_pyconfig("${base}" "${derived}/pyconfig.h")
    harness_pyconfig_free_threaded("${derived}" derived_ft)
    if(ft AND NOT derived_ft)
      file(READ "${derived}/pyconfig.h" text)
      string(REGEX REPLACE "#endif[^#]*$" "#define Py_GIL_DISABLED 1\n#endif\n" text "${text}")
      file(WRITE "${derived}/pyconfig.h" "${text}")
    endif()
  endif()
  set(${out_dir} "${derived}" PARENT_SCOPE)
  set(${out_origin} "${why}" PARENT_SCOPE)
endfunction()

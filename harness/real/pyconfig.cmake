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
include(${CMAKE_CURRENT_LIST_DIR}/compile.cmake)

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
  harness_compile_check(free_threaded first free-threaded
                        "#include <Python.h>\n#ifndef Py_GIL_DISABLED\n#error \"a GIL build\"\n#endif\n"
                        DIRS ${pyconfig_dir} ${include} DEFINITIONS ${windows_defs})
  set(${out} ${free_threaded} PARENT_SCOPE)
endfunction()

# This target's data model as pyconfig.h macros, from its compiler. One
# compile, whose object holds every size and alignment as three-digit text
# ("HARNESS_PYCONFIG_INFO: 008 008 ..."), read back from its bytes: nothing
# runs, so a cross compiler serves (CheckTypeSize reads its one size so,
# with one try_compile per type: 38 of them cost about 4 s of CPU in each
# configuration that derives a pyconfig.h). Once per configure.
function(harness_target_pyconfig_macros out)
  get_property(known GLOBAL PROPERTY HARNESS_TARGET_PYCONFIG_MACROS SET)
  if(known)
    get_property(sizes GLOBAL PROPERTY HARNESS_TARGET_PYCONFIG_MACROS)
    set(${out} "${sizes}" PARENT_SCOPE)
    return()
  endif()
  if(WIN32)
    set(headers stddef.h stdint.h)
    set(types "void *" size_t long int short "long long" float double wchar_t _Bool uintptr_t)
  else()
    set(headers stddef.h stdint.h stdio.h time.h wchar.h sys/types.h pthread.h)
    set(types "void *" size_t long int short "long long" float double "long double" time_t
              wchar_t pid_t off_t fpos_t uintptr_t _Bool pthread_t)
  endif()
  set(aligned long size_t max_align_t)
  set(source "")
  foreach(header IN LISTS headers)
    string(APPEND source "#include <${header}>\n")
  endforeach()
  string(APPEND source "#define HARNESS_DIGITS(n) (char)('0' + (n) / 100 % 10), (char)('0' + (n) / 10 % 10), (char)('0' + (n) % 10), ' '\n"
                       "const char harness_pyconfig_info[] = {\n"
                       "    'H', 'A', 'R', 'N', 'E', 'S', 'S', '_', 'P', 'Y', 'C', 'O', 'N', 'F', 'I', 'G', '_', 'I', 'N', 'F', 'O', ':', ' ',\n")
  set(names "")
  foreach(type IN LISTS types)
    string(MAKE_C_IDENTIFIER "${type}" id)
    string(TOUPPER "${id}" id)
    string(REGEX REPLACE "_+$" "" id "${id}")
    if(type STREQUAL "void *")
      set(id VOID_P)
    endif()
    list(APPEND names SIZEOF_${id})
    string(APPEND source "    HARNESS_DIGITS(sizeof(${type})),\n")
  endforeach()
  foreach(type IN LISTS aligned)
    string(TOUPPER "${type}" id)
    list(APPEND names ALIGNOF_${id})
    string(APPEND source "    HARNESS_DIGITS(_Alignof(${type})),\n")
  endforeach()
  string(APPEND source "    '\\0'};\n")
  set(dir ${CMAKE_BINARY_DIR}/CMakeFiles/harness-headers/pyconfig-info)
  file(WRITE ${dir}.c "${source}")
  set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
  try_compile(compiles ${dir} SOURCES ${dir}.c OUTPUT_VARIABLE log COPY_FILE ${dir}.bin)
  if(compiles)
    file(STRINGS ${dir}.bin info REGEX "HARNESS_PYCONFIG_INFO: [0-9 ]+")
  endif()
  if(NOT compiles OR NOT info MATCHES "HARNESS_PYCONFIG_INFO: ([0-9 ]+)")
    string(REGEX MATCH "[^\n]*(error|Error)[^\n]*" first "${log}")
    message(FATAL_ERROR "harness: cannot derive pyconfig.h: the compiler does not report the sizes of ${types} "
                        "and the alignments of ${aligned}: ${first}")
  endif()
  string(STRIP "${CMAKE_MATCH_1}" values)
  string(REPLACE " " ";" values "${values}")
  set(sizes "")
  foreach(name value IN ZIP_LISTS names values)
    math(EXPR value "${value}") # "008" -> 8
    string(APPEND sizes "#define ${name} ${value}\n")
  endforeach()
  if(CMAKE_C_BYTE_ORDER STREQUAL "BIG_ENDIAN")
    string(APPEND sizes "#define WORDS_BIGENDIAN 1\n#define DOUBLE_IS_BIG_ENDIAN_IEEE754 1\n")
  else()
    string(APPEND sizes "#define DOUBLE_IS_LITTLE_ENDIAN_IEEE754 1\n")
  endif()
  set_property(GLOBAL PROPERTY HARNESS_TARGET_PYCONFIG_MACROS "${sizes}")
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
  harness_compile_check(fits first pyconfig-fits "#include \"pyconfig.h\"
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
int main(void) { return 0; }" DIRS ${dir})
  set(${out} ${fits} PARENT_SCOPE)
  if(fits)
    return()
  endif()
  # What it describes instead, as this compiler reads it (the same words as
  # ci/tables.py pyconfig-fits), for the report's "not used" row.
  file(STRINGS "${dir}/pyconfig.h" windows REGEX "^[ \t]*#[ \t]*define[ \t]+MS_WINDOWS")
  if(windows)
    set(theirs "Windows")
  else()
    harness_compile_check(is_64 first pyconfig-64 "#include \"pyconfig.h\"
#if SIZEOF_VOID_P != 8
#error 32-bit
#endif
int main(void) { return 0; }" DIRS ${dir})
    harness_compile_check(is_be first pyconfig-be "#include \"pyconfig.h\"
#ifndef WORDS_BIGENDIAN
#error little-endian
#endif
int main(void) { return 0; }" DIRS ${dir})
    if(is_64)
      set(theirs "64-bit")
    else()
      set(theirs "32-bit")
    endif()
    if(is_be)
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

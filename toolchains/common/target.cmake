# What every toolchain file shares, whatever its compiler: the cache where
# ci/setup.sh puts each target's Check and Wine prefix, and how a missing
# tool is reported: with the prefix "harness: unavailable:", so that the
# matrix runner counts the configuration as a skip with that reason.
# HARNESS_COMPILER comes from the preset.
if(NOT DEFINED HARNESS_COMPILER)
  set(HARNESS_COMPILER ${HARNESS_DEFAULT_COMPILER})
endif()
set(HARNESS_COMPILER ${HARNESS_COMPILER} CACHE STRING "the compiler family: gcc, clang or clang-cl")
# try_compile projects re-read the toolchain file and need the same choice.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES HARNESS_COMPILER HARNESS_CACHE_DIR)

if(NOT DEFINED HARNESS_CACHE_DIR)
  if(DEFINED ENV{HARNESS_CACHE})
    set(HARNESS_CACHE_DIR "$ENV{HARNESS_CACHE}")
  else()
    get_filename_component(HARNESS_CACHE_DIR "${CMAKE_CURRENT_LIST_DIR}/../../.cache" ABSOLUTE)
  endif()
endif()

function(harness_unavailable why)
  message(FATAL_ERROR "harness: unavailable: ${why}")
endfunction()


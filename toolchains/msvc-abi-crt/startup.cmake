# Included right after project() by toolchains/common/msvc-abi.cmake: the
# entry point every executable of an MSVC-ABI build links (an archive, so a
# DLL, which has no entry point, pulls nothing from it).
add_library(harness_msvc_abi_startup STATIC ${CMAKE_CURRENT_LIST_DIR}/startup.c)
target_compile_options(harness_msvc_abi_startup PRIVATE /W4 /WX)
link_libraries(harness_msvc_abi_startup)

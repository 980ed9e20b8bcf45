/* export.h -- what a shared library (a DLL on Windows) exports, and what a
 * module imports from the program that loads it. */
#ifndef HARNESS_EXPORT_H
#define HARNESS_EXPORT_H

#if defined(_WIN32)
#define HARNESS_EXPORT __declspec(dllexport)
#define HARNESS_IMPORT __declspec(dllimport)
#else
#define HARNESS_EXPORT __attribute__((visibility("default")))
#define HARNESS_IMPORT
#endif

#endif

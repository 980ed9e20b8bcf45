/* What cases/expect.h uses of <stdio.h>, for the proofs: they preprocess for
 * any data model with no C library (CBMC models these functions). */
#ifndef HARNESS_PROOF_STDIO_H
#define HARNESS_PROOF_STDIO_H
typedef struct harness_proof_file FILE;
extern FILE *stderr;
int fprintf(FILE *f, const char *format, ...);
int fflush(FILE *f);
#endif

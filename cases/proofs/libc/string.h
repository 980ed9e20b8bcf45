/* What cases/expect.h uses of <string.h>, for the proofs (see stdio.h). */
#ifndef HARNESS_PROOF_STRING_H
#define HARNESS_PROOF_STRING_H
#include <stddef.h>
int strcmp(const char *a, const char *b);
void *memcpy(void *to, const void *from, size_t n);
int memcmp(const void *a, const void *b, size_t n);
#endif

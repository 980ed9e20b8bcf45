/* What cases/expect.h uses of <stdlib.h>, for the proofs (see stdio.h). */
#ifndef HARNESS_PROOF_STDLIB_H
#define HARNESS_PROOF_STDLIB_H
void abort(void);
#endif

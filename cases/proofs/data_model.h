/* data_model.h -- the entry cmake/run-proof.cmake proves first on each
 * compiled proof input, before any property: CBMC's data model (goto-cc's
 * options, from the proof's CBMC options) must be the one the preprocessor
 * targeted, or every proof of that input would speak of another target.
 * goto-cc silently ignores options it does not know (--ILP32 among them). */
#ifndef HARNESS_PROOF_DATA_MODEL_H
#define HARNESS_PROOF_DATA_MODEL_H

void proof_data_model(void)
{
    union {
        unsigned int word;
        unsigned char bytes[sizeof(unsigned int)];
    } probe = { 0x01020304u };
    __CPROVER_assert(sizeof(void *) == __SIZEOF_POINTER__, "data model: a pointer's size is the preprocessor's");
    __CPROVER_assert(sizeof(long) == __SIZEOF_LONG__, "data model: long's size is the preprocessor's");
    __CPROVER_assert(probe.bytes[0] == (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ? 0x01 : 0x04),
                     "data model: the byte order is the preprocessor's");
}

#endif

/* An error message built up the call chain ("unimplemented: planning gemm: unimplemented: cpu/openblas
 * gemm: ...") says once what happened: each layer prefixes its context and, often, the status word
 * again. No HAL: the caller passes the status words. */
#ifndef BENCH_ERROR_CHAIN_H
#define BENCH_ERROR_CHAIN_H

#include <stddef.h>

/* In place, on the ": "-separated segments of text: drops a status word (a segment equal to one of
 * words) that an earlier segment already said, and a segment equal to the one before it. */
void bench_error_chain_tidy(char *text, const char *const *words, size_t nwords);

/* text without a leading "<word>: " (or text itself when it does not start so). */
const char *bench_error_chain_skip(const char *text, const char *word);

#endif

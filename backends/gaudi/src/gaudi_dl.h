/* Loading a vendor library by name and filling a function table from an X-macro symbol list: the
 * only place this backend calls dlopen/dlsym (the shared backends/common helper will replace it). */
#ifndef ACCEL_GAUDI_DL_H
#define ACCEL_GAUDI_DL_H

#include <stddef.h>

typedef struct accel_gaudi_symbol {
    const char *name;
    size_t slot; /* byte offset of the function pointer in its table */
} accel_gaudi_symbol;

#define ACCEL_GAUDI_SYMBOL(table_type, ret, name, params) {#name, offsetof(table_type, name)},

/* The first of candidates (NULL-terminated) that opens; *which names it. On failure NULL, with the
 * loader's message for the first candidate (the one a user is told to install) in why. */
void *accel_gaudi_dl_open(const char *const *candidates, const char **which, char *why,
                          size_t why_len);

/* Fills every slot it finds; returns how many are missing and names the first in first_missing. */
int accel_gaudi_dl_fill(void *lib, const accel_gaudi_symbol *symbols, size_t count, void *table,
                        char *first_missing, size_t first_missing_len);

#endif

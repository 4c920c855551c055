/* dlopen a vendor library by its known names and fill a symbol table from an X-macro list. */
#ifndef ACCEL_CUDA_DL_H
#define ACCEL_CUDA_DL_H

#include <stddef.h>

typedef struct accel_cuda_symbol {
    const char *name;
    size_t offset; /* of the function-pointer slot in the table */
} accel_cuda_symbol;

#define ACCEL_CUDA_SYMBOL_ENTRY(table_type, ret, name, params) {#name, offsetof(table_type, name)},

/* Tries names in order (NULL-terminated); returns the handle and which name opened, or NULL with
 * the last dlerror() text in err. */
void *accel_cuda_dl_open(const char *const *names, const char **opened, char *err, size_t err_len);

/* An exported name newer than the oldest library the backend accepts, and the original export of
 * the same signature that older libraries have instead ({"cuEventElapsedTime_v2",
 * "cuEventElapsedTime"}). */
typedef struct accel_cuda_alias {
    const char *name, *legacy;
} accel_cuda_alias;

/* Resolves every symbol into table, falling back to an alias's legacy name when the exported one
 * is absent (aliases may be NULL). Returns the number missing; the first missing name goes into
 * missing (when non-NULL). Missing slots are left NULL. */
int accel_cuda_dl_resolve(void *lib, const accel_cuda_symbol *syms, size_t count, void *table,
                          const accel_cuda_alias *aliases, size_t naliases, char *missing, size_t missing_len);

void accel_cuda_dl_close(void *lib);

#endif

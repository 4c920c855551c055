/* Loading a vendor library at run time: the one dlopen/dlsym path of every plugin.
 *
 * A backend lists the entry points it calls as an X-macro X(return, name, params), declares a table
 * of function pointers from it, and describes the library with up to three tiers of symbols:
 *   bootstrap  resolved first; present in every release, so a library lacking one is not the
 *              library meant at all ("libcuda.so.1 lacks cuInit: not an NVIDIA driver library");
 *   required   every one must resolve, or the library is too old for the backend;
 *   optional   NULL when absent; each caller checks its slot (graphs, telemetry, fp16 GEMM ...).
 * Names are the exported symbols dlsym sees. An alias maps an exported name newer than the oldest
 * library accepted to the older export of the same signature ({"cuEventElapsedTime_v2",
 * "cuEventElapsedTime"}).
 *
 * Every dlopen attempt is traced through the host's log at ACCEL_LOG_DEBUG (printed under
 * ACCEL_DEBUG=1): "dlopen(libze_loader.so.1): ok" or the loader's message.
 *
 * Part of accel_backend_common, linked statically into each plugin (plugins must not call libaccel).
 * A backend's symbols-check test (backends/cuda/tests/cuda_symbols_check.c) assigns each header
 * prototype to its table slot inside sizeof(), so a wrong name or signature fails the build. */
#ifndef ACCEL_COMMON_DL_H
#define ACCEL_COMMON_DL_H

#include <stddef.h>

#include "accel/plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One slot of a function table: the exported name and the slot's byte offset in the table. */
typedef struct accel_dl_symbol {
    const char *name;
    size_t offset;
} accel_dl_symbol;

/* An X-macro entry for table type T: {"name", offsetof(T, name)},. Use as
 * #define SYM(ret, name, params) ACCEL_DL_SYMBOL(my_table, ret, name, params) */
#define ACCEL_DL_SYMBOL(table_type, ret, name, params) {#name, offsetof(table_type, name)},
/* The field a table declares for an X-macro entry. */
#define ACCEL_DL_FIELD(ret, name, params) ret(*name) params;

typedef struct accel_dl_alias {
    const char *name, *legacy;
} accel_dl_alias;

/* A list of symbols (and the aliases that apply to it). */
typedef struct accel_dl_tier {
    const accel_dl_symbol *symbols;
    size_t count;
    const accel_dl_alias *aliases;
    size_t naliases;
} accel_dl_tier;

/* {array, its length, no aliases}: a tier from a static array. */
#define ACCEL_DL_TIER(array) {(array), sizeof(array) / sizeof((array)[0]), NULL, 0}

/* dlopen flags beyond RTLD_NOW | RTLD_LOCAL. */
enum {
    /* RTLD_NODELETE: the library is never unmapped, even by accel_dl_close. For runtimes that start
     * threads of their own or register exit handlers (HIP, rocBLAS, SynapseAI). */
    ACCEL_DL_NODELETE = 1u << 0
};

/* Where the traces go: the host's log under the backend's name. host may be NULL (no trace). */
typedef struct accel_dl_log {
    const accel_host_services *host;
    const char *backend;
} accel_dl_log;

/* A library and its tiers. candidates is NULL-terminated, tried in order (sonames or paths). When
 * override_env names a set, non-empty environment variable, that one file is tried instead (tests
 * hide the real library with it; users point it at a second install). */
typedef struct accel_dl_library {
    const char *const *candidates;
    const char *override_env;
    unsigned flags;
    accel_dl_tier bootstrap, required, optional;
} accel_dl_library;

typedef enum accel_dl_outcome {
    ACCEL_DL_LOADED = 0,
    ACCEL_DL_NOT_FOUND,        /* no candidate opened: why holds the loader's message */
    ACCEL_DL_NOT_THIS_LIBRARY, /* a bootstrap symbol is missing: missing names it */
    ACCEL_DL_TOO_OLD           /* a required symbol is missing: missing names it */
} accel_dl_outcome;

typedef struct accel_dl_handle {
    void *lib;          /* NULL unless loaded */
    const char *name;   /* the candidate that opened (points into the library's candidates or the
                         * environment); NULL when none did */
    char missing[96];   /* the first symbol missing from the tier that failed */
    char why[384];      /* the loader's message for the first candidate when none opened */
} accel_dl_handle;

/* Opens the first candidate that loads; *opened names it. On failure NULL, with the loader's
 * message for the first candidate (the one an install hint names) in why. */
void *accel_dl_open(const accel_dl_log *log, const char *const *candidates, unsigned flags,
                    const char **opened, char *why, size_t why_len);

/* Resolves every symbol of the tier into table, trying an alias's legacy name when the exported
 * one is absent. Missing slots are set to NULL. Returns how many are missing and names the first in
 * missing (when missing_len > 0). */
int accel_dl_resolve(void *lib, const accel_dl_tier *tier, void *table, char *missing, size_t missing_len);

/* Sets every slot of the tier in table to NULL. */
void accel_dl_clear(const accel_dl_tier *tier, void *table);

/* The usual sequence: open (the override or the candidates), bootstrap, required, optional. On
 * anything but ACCEL_DL_LOADED the library is closed again and every slot of table it touched is
 * NULL. Backends that must call into the library between tiers (a version query) use
 * accel_dl_open and accel_dl_resolve instead. */
accel_dl_outcome accel_dl_load(const accel_dl_log *log, const accel_dl_library *library, void *table,
                               accel_dl_handle *out);

/* dlclose (NULL is ignored). Libraries opened with ACCEL_DL_NODELETE stay mapped. */
void accel_dl_close(void *lib);

#ifdef __cplusplus
}
#endif
#endif

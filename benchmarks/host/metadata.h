/* Who, where and when a run happened: run id, build identity, host, OS, CPU model, UTC time. */
#ifndef BENCH_METADATA_H
#define BENCH_METADATA_H

#include <stddef.h>

#include "json.h"

typedef struct bench_metadata {
    char run_id[40];          /* uuid-like random (version 4 layout) */
    char started_utc[32];     /* "2026-11-26T23:15:55Z" */
    char hostname[256];
    char os_sysname[64], os_release[128], os_version[256], os_machine[64];
    char cpu_model[256];
    const char *version;      /* accelbench version */
    const char *git_sha;      /* configure-time `git rev-parse --short HEAD`, or "unknown" */
    const char *compiler;     /* "GNU 12.2.0" */
    const char *c_flags;
    const char *build_type;
} bench_metadata;

void bench_metadata_init(bench_metadata *m);
/* "2026-11-26T23:15:55Z" (ISO 8601, UTC) and "20261126-231555" (file names). */
void bench_utc_iso(char *buf, size_t n);
void bench_utc_compact(char *buf, size_t n);
/* 16 random bytes formatted as 8-4-4-4-12 hex. */
void bench_run_id_make(char *buf, size_t n);
void bench_metadata_to_json(bench_json *j, const bench_metadata *m);

#endif

/* Reading an existing results CSV before a run: is its header ours, and which rows already
 * stand with status ok (the --resume key). */
#ifndef BENCH_RESUME_H
#define BENCH_RESUME_H

#include <stddef.h>

#include "columns.h"
#include "util.h"

typedef enum bench_csv_state {
    BENCH_CSV_ABSENT,      /* no such file: it will be created with the header */
    BENCH_CSV_EMPTY,       /* zero bytes: the header is written first */
    BENCH_CSV_APPENDABLE,  /* exact header, well-formed rows: append */
    BENCH_CSV_BAD          /* different header or malformed: refuse (exit 2) */
} bench_csv_state;

typedef struct bench_existing_csv {
    bench_csv_state state;
    char problem[512];     /* why BAD */
    bench_strlist ok_keys; /* bench_resume_key of every ok row, and the same key with library
                              "*" (rows planned with the default library match any) */
    size_t rows;
    bench_row *roof_rows;  /* ok peak and stream rows (the measured roofs, for --resume) */
    size_t roof_row_count;
} bench_existing_csv;

/* The resume key: (device_uuid, or backend:device_index when the uuid is empty; workload;
 * config; dtype; library), joined with an ASCII unit separator. */
void bench_resume_key(const char *uuid, const char *backend, const char *device_index,
                      const char *workload, const char *config, const char *dtype,
                      const char *library, bench_strbuf *out);
void bench_resume_key_of_row(const bench_row *row, bench_strbuf *out);

/* Inspects path; fills out (free with bench_existing_csv_free). */
void bench_existing_csv_load(const char *path, bench_existing_csv *out);
void bench_existing_csv_free(bench_existing_csv *e);

#endif

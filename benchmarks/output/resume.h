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
    BENCH_CSV_APPENDABLE,  /* the exact header of a known schema version, well-formed rows: append */
    BENCH_CSV_BAD          /* different header or malformed: refuse (exit 2) */
} bench_csv_state;

typedef struct bench_existing_csv {
    bench_csv_state state;
    char problem[512];     /* why BAD */
    bench_strlist ok_keys; /* bench_resume_key_of_row of every own ok row, and the same key with
                              library "*" (rows planned with the default library match any) */
    size_t rows;
    size_t foreign_rows;   /* rows of another host or accelbench version: kept, never trusted */
    bench_row *roof_rows;  /* own ok peak and stream rows (the measured roofs, for --resume) */
    size_t roof_row_count;
    /* The file's schema: rows appended to it keep its column set (a version 1 file gets version 1
     * rows, so it stays one valid CSV). The newest version for a new or empty file. */
    size_t columns;
    const char *schema_version;
} bench_existing_csv;

/* Whose rows a run trusts: those of its own host and accelbench version. A file edited, copied
 * or shared between machines keeps the other rows, but they neither count as done nor serve as
 * roofs. */
typedef struct bench_row_owner {
    const char *hostname;
    const char *version;
} bench_row_owner;

/* The device part of the key: the uuid when the device has one, else its PCI bus id and name,
 * else backend:index and name. */
void bench_device_identity(const bench_row *row, bench_strbuf *out);
/* The resume key: (hostname, accelbench_version, device identity, workload, config, dtype,
 * library, and peer_device for a pair's row), joined with an ASCII unit separator. library NULL
 * takes the row's. */
void bench_resume_key_of_row(const bench_row *row, const char *library, bench_strbuf *out);
int bench_row_is_own(const bench_row *row, const bench_row_owner *owner);

/* Inspects path; fills out (free with bench_existing_csv_free). owner NULL trusts every row. */
void bench_existing_csv_load(const char *path, const bench_row_owner *owner, bench_existing_csv *out);
/* The same over a file's text already read (path only names it in messages). */
void bench_existing_csv_parse(const char *text, size_t len, const char *path,
                              const bench_row_owner *owner, bench_existing_csv *out);
void bench_existing_csv_free(bench_existing_csv *e);

#endif

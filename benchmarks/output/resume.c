#define _POSIX_C_SOURCE 200809L
#include "resume.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "outpath.h"

void bench_device_identity(const bench_row *r, bench_strbuf *out)
{
    const char *uuid = bench_row_get(r, BENCH_COL_DEVICE_UUID);
    const char *pci = bench_row_get(r, BENCH_COL_PCI_BUS_ID);
    if (uuid[0])
        bench_strbuf_appendf(out, "uuid=%s", uuid);
    else if (pci[0])
        bench_strbuf_appendf(out, "pci=%s\x1fname=%s", pci, bench_row_get(r, BENCH_COL_DEVICE_NAME));
    else
        bench_strbuf_appendf(out, "dev=%s:%s\x1fname=%s", bench_row_get(r, BENCH_COL_BACKEND),
                             bench_row_get(r, BENCH_COL_DEVICE_INDEX),
                             bench_row_get(r, BENCH_COL_DEVICE_NAME));
}

void bench_resume_key_of_row(const bench_row *r, const char *library, bench_strbuf *out)
{
    bench_strbuf_appendf(out, "host=%s\x1fversion=%s\x1f", bench_row_get(r, BENCH_COL_HOSTNAME),
                         bench_row_get(r, BENCH_COL_ACCELBENCH_VERSION));
    bench_device_identity(r, out);
    bench_strbuf_appendf(out, "\x1f%s\x1f%s\x1f%s\x1f%s", bench_row_get(r, BENCH_COL_WORKLOAD),
                         bench_row_get(r, BENCH_COL_CONFIG), bench_row_get(r, BENCH_COL_DTYPE),
                         library ? library : bench_row_get(r, BENCH_COL_LIBRARY));
    /* A pair's row (transfer p2p) is done for its peer only. */
    if (bench_row_get(r, BENCH_COL_PEER_DEVICE)[0])
        bench_strbuf_appendf(out, "\x1fpeer=%s", bench_row_get(r, BENCH_COL_PEER_DEVICE));
}

int bench_row_is_own(const bench_row *r, const bench_row_owner *owner)
{
    return strcmp(bench_row_get(r, BENCH_COL_HOSTNAME), owner->hostname) == 0 &&
           strcmp(bench_row_get(r, BENCH_COL_ACCELBENCH_VERSION), owner->version) == 0;
}

/* Records what an accepted row tells a run: done (ok), and a measured roof (ok peak/stream). */
static void take_row(bench_existing_csv *out, const bench_row *row, const bench_row_owner *owner)
{
    if (owner && !bench_row_is_own(row, owner)) {
        out->foreign_rows++;
        return;
    }
    if (strcmp(bench_row_get(row, BENCH_COL_STATUS), "ok") != 0)
        return;
    bench_strbuf key = {0};
    bench_resume_key_of_row(row, NULL, &key);
    bench_strlist_add(&out->ok_keys, bench_strbuf_str(&key));
    bench_strbuf_free(&key);
    bench_resume_key_of_row(row, "*", &key);
    bench_strlist_add(&out->ok_keys, bench_strbuf_str(&key));
    bench_strbuf_free(&key);
    const char *wl = bench_row_get(row, BENCH_COL_WORKLOAD);
    if (strcmp(wl, "peak") == 0 || strcmp(wl, "stream") == 0) {
        out->roof_rows = realloc(out->roof_rows, (out->roof_row_count + 1) * sizeof *out->roof_rows);
        if (!out->roof_rows)
            abort();
        bench_row *copy = &out->roof_rows[out->roof_row_count++];
        memset(copy, 0, sizeof *copy);
        for (int c = 0; c < BENCH_COL_COUNT; c++)
            bench_row_set(copy, (bench_column)c, bench_row_get(row, (bench_column)c));
    }
}

/* The column count of the schema version whose header this is exactly, or 0. Every version's
 * header is a prefix of the newest one's. */
static size_t known_header_columns(const bench_strlist *header)
{
    const char *version = bench_schema_of_column_count(header->count);
    if (!version)
        return 0;
    for (size_t i = 0; i < header->count; i++)
        if (strcmp(header->items[i], bench_column_names[i]) != 0)
            return 0;
    return header->count;
}

static void reset_to_newest_schema(bench_existing_csv *out)
{
    memset(out, 0, sizeof *out);
    out->columns = BENCH_COL_COUNT;
    out->schema_version = BENCH_SCHEMA_VERSION;
}

void bench_existing_csv_load(const char *path, const bench_row_owner *owner, bench_existing_csv *out)
{
    reset_to_newest_schema(out);
    size_t len = 0;
    char *text = bench_file_read_all(path, &len);
    if (!text) {
        if (errno == ENOENT) {
            out->state = BENCH_CSV_ABSENT;
        } else {
            out->state = BENCH_CSV_BAD;
            snprintf(out->problem, sizeof out->problem, "%s: cannot read (%s)", path, strerror(errno));
        }
        return;
    }
    bench_existing_csv_parse(text, len, path, owner, out);
    free(text);
}

void bench_existing_csv_parse(const char *text, size_t len, const char *path,
                              const bench_row_owner *owner, bench_existing_csv *out)
{
    reset_to_newest_schema(out);
    if (len == 0) {
        out->state = BENCH_CSV_EMPTY;
        return;
    }
    out->state = BENCH_CSV_BAD;
    bench_strlist fields = {0};
    size_t pos = 0;
    int rc = bench_csv_parse_record(text, len, &pos, &fields);
    size_t columns = rc == 1 ? known_header_columns(&fields) : 0;
    char shown[256];
    bench_path_for_message(path, shown, sizeof shown);
    if (!columns) {
        snprintf(out->problem, sizeof out->problem,
                 "%s exists with a different header (not accelbench schema_version 1 to %s); "
                 "choose another --csv file", shown, BENCH_SCHEMA_VERSION);
        goto done;
    }
    out->columns = columns;
    out->schema_version = bench_schema_of_column_count(columns);
    size_t line = 2;
    for (;;) {
        size_t start = pos;
        rc = bench_csv_parse_record(text, len, &pos, &fields);
        if (rc == 0)
            break;
        if (rc < 0 || fields.count != columns) {
            snprintf(out->problem, sizeof out->problem,
                     "%s: record starting on line %zu is malformed or truncated (%zu fields); "
                     "fix or move the file", shown, line, rc < 0 ? (size_t)0 : fields.count);
            goto done;
        }
        for (size_t i = start; i < pos; i++)
            line += text[i] == '\n';
        out->rows++;
        bench_row row = {0};
        for (size_t c = 0; c < columns; c++)
            row.fields[c] = fields.items[c];
        take_row(out, &row, owner);
    }
    out->state = BENCH_CSV_APPENDABLE;
done:
    bench_strlist_free(&fields);
}

void bench_existing_csv_free(bench_existing_csv *e)
{
    bench_strlist_free(&e->ok_keys);
    for (size_t i = 0; i < e->roof_row_count; i++)
        bench_row_free(&e->roof_rows[i]);
    free(e->roof_rows);
    e->roof_rows = NULL;
    e->roof_row_count = 0;
}

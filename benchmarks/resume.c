#define _POSIX_C_SOURCE 200809L
#include "resume.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

void bench_resume_key(const char *uuid, const char *backend, const char *device_index,
                      const char *workload, const char *config, const char *dtype,
                      const char *library, bench_strbuf *out)
{
    if (uuid && uuid[0])
        bench_strbuf_appendf(out, "uuid=%s", uuid);
    else
        bench_strbuf_appendf(out, "dev=%s:%s", backend, device_index);
    bench_strbuf_appendf(out, "\x1f%s\x1f%s\x1f%s\x1f%s", workload, config, dtype, library);
}

void bench_resume_key_of_row(const bench_row *r, bench_strbuf *out)
{
    bench_resume_key(bench_row_get(r, BENCH_COL_DEVICE_UUID), bench_row_get(r, BENCH_COL_BACKEND),
                     bench_row_get(r, BENCH_COL_DEVICE_INDEX), bench_row_get(r, BENCH_COL_WORKLOAD),
                     bench_row_get(r, BENCH_COL_CONFIG), bench_row_get(r, BENCH_COL_DTYPE),
                     bench_row_get(r, BENCH_COL_LIBRARY), out);
}

void bench_existing_csv_load(const char *path, bench_existing_csv *out)
{
    memset(out, 0, sizeof *out);
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
    if (len == 0) {
        out->state = BENCH_CSV_EMPTY;
        free(text);
        return;
    }
    out->state = BENCH_CSV_BAD;
    bench_strlist fields = {0};
    size_t pos = 0;
    int rc = bench_csv_parse_record(text, len, &pos, &fields);
    int header_ok = rc == 1 && fields.count == BENCH_COL_COUNT;
    for (size_t i = 0; header_ok && i < BENCH_COL_COUNT; i++)
        header_ok = strcmp(fields.items[i], bench_column_names[i]) == 0;
    if (!header_ok) {
        snprintf(out->problem, sizeof out->problem,
                 "%s exists with a different header (not accelbench schema_version %s); "
                 "choose another --csv file", path, BENCH_SCHEMA_VERSION);
        goto done;
    }
    size_t line = 2;
    for (;;) {
        size_t start = pos;
        rc = bench_csv_parse_record(text, len, &pos, &fields);
        if (rc == 0)
            break;
        if (rc < 0 || fields.count != BENCH_COL_COUNT) {
            snprintf(out->problem, sizeof out->problem,
                     "%s: record starting on line %zu is malformed or truncated (%zu fields); "
                     "fix or move the file", path, line, rc < 0 ? (size_t)0 : fields.count);
            goto done;
        }
        for (size_t i = start; i < pos; i++)
            line += text[i] == '\n';
        out->rows++;
        bench_row row = {0};
        for (int c = 0; c < BENCH_COL_COUNT; c++)
            row.fields[c] = fields.items[c];
        if (strcmp(bench_row_get(&row, BENCH_COL_STATUS), "ok") == 0) {
            bench_strbuf key = {0};
            bench_resume_key_of_row(&row, &key);
            bench_strlist_add(&out->ok_keys, bench_strbuf_str(&key));
            bench_strbuf_free(&key);
            bench_resume_key(bench_row_get(&row, BENCH_COL_DEVICE_UUID),
                             bench_row_get(&row, BENCH_COL_BACKEND),
                             bench_row_get(&row, BENCH_COL_DEVICE_INDEX),
                             bench_row_get(&row, BENCH_COL_WORKLOAD), bench_row_get(&row, BENCH_COL_CONFIG),
                             bench_row_get(&row, BENCH_COL_DTYPE), "*", &key);
            bench_strlist_add(&out->ok_keys, bench_strbuf_str(&key));
            bench_strbuf_free(&key);
            const char *wl = bench_row_get(&row, BENCH_COL_WORKLOAD);
            if (strcmp(wl, "peak") == 0 || strcmp(wl, "stream") == 0) {
                out->roof_rows = realloc(out->roof_rows, (out->roof_row_count + 1) * sizeof *out->roof_rows);
                if (!out->roof_rows)
                    abort();
                bench_row *copy = &out->roof_rows[out->roof_row_count++];
                memset(copy, 0, sizeof *copy);
                for (int c = 0; c < BENCH_COL_COUNT; c++)
                    bench_row_set(copy, (bench_column)c, row.fields[c]);
            }
        }
    }
    out->state = BENCH_CSV_APPENDABLE;
done:
    bench_strlist_free(&fields);
    free(text);
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

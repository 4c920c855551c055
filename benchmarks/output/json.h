/* A small streaming JSON writer (objects, arrays, strings, numbers) and an atomic file write. */
#ifndef BENCH_JSON_H
#define BENCH_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define BENCH_JSON_MAX_DEPTH 32

typedef struct bench_json {
    bench_strbuf out;
    int depth;
    int need_comma[BENCH_JSON_MAX_DEPTH];
    int after_key;
} bench_json;

void bench_json_object_begin(bench_json *j);
void bench_json_object_end(bench_json *j);
void bench_json_array_begin(bench_json *j);
void bench_json_array_end(bench_json *j);
void bench_json_key(bench_json *j, const char *key);
void bench_json_string(bench_json *j, const char *s); /* NULL writes null */
void bench_json_number(bench_json *j, double v);      /* non-finite writes null */
void bench_json_int(bench_json *j, int64_t v);
void bench_json_bool(bench_json *j, int v);
void bench_json_null(bench_json *j);
/* Key-value shorthands inside an object. */
void bench_json_kv_string(bench_json *j, const char *key, const char *s);
void bench_json_kv_number(bench_json *j, const char *key, double v);
void bench_json_kv_int(bench_json *j, const char *key, int64_t v);
void bench_json_kv_bool(bench_json *j, const char *key, int v);
const char *bench_json_text(const bench_json *j);
void bench_json_free(bench_json *j);

/* Appends s as a JSON string literal (quotes and escapes). */
void bench_json_escape(bench_strbuf *out, const char *s);

/* Writes data to path through a temporary file in its directory + rename, so readers never see
 * half a file.
 * Returns 0, or -1 with errno set. */
int bench_file_write_atomic(const char *path, const char *data, size_t len);

#endif

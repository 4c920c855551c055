/* CSV quoting round trip, the strict reader, and the resume reader over a written file. */
#define _POSIX_C_SOURCE 200809L
#include <unistd.h>

#include "cli_check.h"
#include "columns.h"
#include "csv.h"
#include "resume.h"

static void round_trip(const char *const *fields, size_t n)
{
    bench_strbuf sb = {0};
    bench_csv_format_record(&sb, fields, n);
    bench_strlist got = {0};
    size_t pos = 0;
    CHECK(bench_csv_parse_record(sb.data, sb.len, &pos, &got) == 1);
    CHECK(pos == sb.len);
    CHECK(got.count == n);
    for (size_t i = 0; i < n && i < got.count; i++)
        CHECK_STR(got.items[i], fields[i]);
    CHECK(bench_csv_parse_record(sb.data, sb.len, &pos, &got) == 0);
    bench_strlist_free(&got);
    bench_strbuf_free(&sb);
}

static int parse_status(const char *text)
{
    bench_strlist f = {0};
    size_t pos = 0;
    int rc = bench_csv_parse_record(text, strlen(text), &pos, &f);
    bench_strlist_free(&f);
    return rc;
}

/* A schema_version 1 file (written before the attainable columns were appended) is read for
 * --resume and appended to in its own column set; a header of no known version is refused. */
static void check_v1_file(void)
{
    char path[] = "/tmp/accelbench-test-csv-v1-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    FILE *f = fdopen(fd, "w");
    CHECK(bench_csv_append(f, bench_column_names, BENCH_COL_COUNT_V1) == 0);
    bench_row row = {0};
    bench_row_set(&row, BENCH_COL_SCHEMA_VERSION, "1");
    bench_row_set(&row, BENCH_COL_BACKEND, "cpu");
    bench_row_set(&row, BENCH_COL_DEVICE_INDEX, "0");
    bench_row_set(&row, BENCH_COL_WORKLOAD, "peak");
    bench_row_set(&row, BENCH_COL_CONFIG, "matrix");
    bench_row_set(&row, BENCH_COL_DTYPE, "fp32");
    bench_row_set(&row, BENCH_COL_LIBRARY, "onednn");
    bench_row_set(&row, BENCH_COL_TFLOPS, "0.2");
    bench_row_set(&row, BENCH_COL_STATUS, "ok");
    CHECK(bench_csv_append(f, (const char *const *)row.fields, BENCH_COL_COUNT_V1) == 0);
    fclose(f);
    bench_existing_csv e;
    bench_existing_csv_load(path, NULL, &e);
    CHECK(e.state == BENCH_CSV_APPENDABLE);
    CHECK(e.columns == BENCH_COL_COUNT_V1);
    CHECK_STR(e.schema_version, "1");
    CHECK(e.rows == 1 && e.roof_row_count == 1);
    CHECK_STR(bench_row_get(&e.roof_rows[0], BENCH_COL_TFLOPS), "0.2");
    CHECK_STR(bench_row_get(&e.roof_rows[0], BENCH_COL_PCT_ATTAINABLE), "");
    bench_strbuf key = {0};
    bench_resume_key_of_row(&row, "onednn", &key);
    CHECK(bench_strlist_contains(&e.ok_keys, key.data));
    bench_strbuf_free(&key);
    bench_existing_csv_free(&e);
    /* A row of the newer column set in a version 1 file is malformed there. */
    f = fopen(path, "a");
    CHECK(bench_csv_append(f, (const char *const *)row.fields, BENCH_COL_COUNT) == 0);
    fclose(f);
    bench_existing_csv_load(path, NULL, &e);
    CHECK(e.state == BENCH_CSV_BAD);
    bench_existing_csv_free(&e);
    /* One column past version 1 is no version's header. */
    f = fopen(path, "w");
    CHECK(bench_csv_append(f, bench_column_names, BENCH_COL_COUNT_V1 + 1) == 0);
    fclose(f);
    bench_existing_csv_load(path, NULL, &e);
    CHECK(e.state == BENCH_CSV_BAD && strstr(e.problem, "schema_version 1 to 4"));
    bench_existing_csv_free(&e);
    /* A new file takes the newest schema. */
    unlink(path);
    bench_existing_csv_load(path, NULL, &e);
    CHECK(e.state == BENCH_CSV_ABSENT && e.columns == BENCH_COL_COUNT);
    CHECK_STR(e.schema_version, BENCH_SCHEMA_VERSION);
    bench_existing_csv_free(&e);
    bench_row_free(&row);
}

int main(void)
{
    bench_strbuf sb = {0};
    const char *plain[] = {"a", "b c", ""};
    bench_csv_format_record(&sb, plain, 3);
    CHECK_STR(sb.data, "a,b c,\n");
    bench_strbuf_free(&sb);

    const char *tricky[] = {"x,y", "say \"hi\"", "two\nlines", "cr\r\nlf", " lead", "", "\"", ","};
    bench_csv_format_record(&sb, tricky, 8);
    CHECK_STR(sb.data, "\"x,y\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\r\nlf\",\" lead\",,\"\"\"\",\",\"\n");
    bench_strbuf_free(&sb);
    round_trip(tricky, 8);
    round_trip(plain, 3);

    CHECK(parse_status("a,\"b\n") == -1);       /* unterminated quote */
    CHECK(parse_status("a,\"b\"x\n") == -1);    /* text after the closing quote */
    CHECK(parse_status("a,b") == -1);           /* torn record: no newline */
    CHECK(parse_status("a,b\"c\n") == -1);      /* quote inside an unquoted field */
    CHECK(parse_status("a,b\r\n") == 1);        /* CRLF accepted */
    CHECK(parse_status("") == 0);

    /* A file with our header: ok rows become resume keys, other statuses do not. */
    char path[] = "/tmp/accelbench-test-csv-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    FILE *f = fdopen(fd, "w");
    CHECK(bench_csv_append(f, bench_column_names, BENCH_COL_COUNT) == 0);
    bench_row row = {0};
    bench_row_set(&row, BENCH_COL_SCHEMA_VERSION, "1");
    bench_row_set(&row, BENCH_COL_BACKEND, "cpu");
    bench_row_set(&row, BENCH_COL_DEVICE_INDEX, "0");
    bench_row_set(&row, BENCH_COL_WORKLOAD, "gemm");
    bench_row_set(&row, BENCH_COL_CONFIG, "1024");
    bench_row_set(&row, BENCH_COL_DTYPE, "fp32");
    bench_row_set(&row, BENCH_COL_LIBRARY, "onednn");
    bench_row_set(&row, BENCH_COL_STATUS, "ok");
    bench_row_set(&row, BENCH_COL_NOTES, "multi\nline, \"quoted\" note");
    CHECK(bench_csv_append(f, (const char *const *)row.fields, BENCH_COL_COUNT) == 0);
    bench_row_set(&row, BENCH_COL_CONFIG, "2048");
    bench_row_set(&row, BENCH_COL_STATUS, "error");
    CHECK(bench_csv_append(f, (const char *const *)row.fields, BENCH_COL_COUNT) == 0);
    fclose(f);

    bench_existing_csv e;
    bench_existing_csv_load(path, NULL, &e);
    CHECK(e.state == BENCH_CSV_APPENDABLE);
    CHECK(e.rows == 2);
    CHECK(e.ok_keys.count == 2); /* exact library and the "*" wildcard */
    bench_strbuf key = {0};
    bench_resume_key_of_row(&row, "onednn", &key);
    CHECK(!bench_strlist_contains(&e.ok_keys, key.data)); /* the row now written is config 2048 */
    bench_strbuf_free(&key);
    bench_row_set(&row, BENCH_COL_CONFIG, "1024");
    bench_resume_key_of_row(&row, "onednn", &key);
    CHECK(bench_strlist_contains(&e.ok_keys, key.data));
    bench_strbuf_free(&key);
    bench_resume_key_of_row(&row, "*", &key);
    CHECK(bench_strlist_contains(&e.ok_keys, key.data));
    bench_strbuf_free(&key);
    bench_resume_key_of_row(&row, "openblas", &key);
    CHECK(!bench_strlist_contains(&e.ok_keys, key.data));
    bench_strbuf_free(&key);
    /* Another host's, another version's or another device's row is not this row. */
    const struct { bench_column col; const char *value; } others[] = {
        {BENCH_COL_HOSTNAME, "elsewhere"}, {BENCH_COL_ACCELBENCH_VERSION, "9.9.9"},
        {BENCH_COL_DEVICE_NAME, "Other CPU"}};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        bench_row other = {0};
        for (int c = 0; c < BENCH_COL_COUNT; c++)
            bench_row_set(&other, (bench_column)c, bench_row_get(&row, (bench_column)c));
        bench_row_set(&other, others[i].col, others[i].value);
        bench_resume_key_of_row(&other, "onednn", &key);
        CHECK(!bench_strlist_contains(&e.ok_keys, key.data));
        bench_strbuf_free(&key);
        bench_row_free(&other);
    }
    bench_existing_csv_free(&e);
    /* Trusting only this host: the other host's ok row is counted as foreign, not done. */
    bench_row_owner me = {"here", "0.1.0"};
    bench_existing_csv_load(path, &me, &e);
    CHECK(e.state == BENCH_CSV_APPENDABLE && e.rows == 2 && e.foreign_rows == 2 && e.ok_keys.count == 0);
    bench_existing_csv_free(&e);
    bench_row_owner them = {"", ""};
    bench_existing_csv_load(path, &them, &e);
    CHECK(e.foreign_rows == 0 && e.ok_keys.count == 2);
    bench_existing_csv_free(&e);
    /* A uuid identifies the device by itself; without one, the PCI slot and the name do. */
    bench_row_set(&row, BENCH_COL_DEVICE_UUID, "GPU-1");
    bench_device_identity(&row, &key);
    CHECK_STR(key.data, "uuid=GPU-1");
    bench_strbuf_free(&key);
    bench_row_set(&row, BENCH_COL_DEVICE_UUID, "");
    bench_row_set(&row, BENCH_COL_PCI_BUS_ID, "0000:1b:00.0");
    bench_row_set(&row, BENCH_COL_DEVICE_NAME, "H100");
    bench_device_identity(&row, &key);
    CHECK_STR(key.data, "pci=0000:1b:00.0\x1fname=H100");
    bench_strbuf_free(&key);

    /* A torn last row makes the file unusable for appending. */
    f = fopen(path, "a");
    fputs("1,partial", f);
    fclose(f);
    bench_existing_csv_load(path, NULL, &e);
    CHECK(e.state == BENCH_CSV_BAD);
    bench_existing_csv_free(&e);

    /* A different header is refused; an empty file and a missing one are fine. */
    f = fopen(path, "w");
    fputs("a,b,c\n1,2,3\n", f);
    fclose(f);
    bench_existing_csv_load(path, NULL, &e);
    CHECK(e.state == BENCH_CSV_BAD);
    CHECK(strstr(e.problem, "different header") != NULL);
    bench_existing_csv_free(&e);
    f = fopen(path, "w");
    fclose(f);
    bench_existing_csv_load(path, NULL, &e);
    CHECK(e.state == BENCH_CSV_EMPTY);
    bench_existing_csv_free(&e);
    unlink(path);
    bench_existing_csv_load(path, NULL, &e);
    CHECK(e.state == BENCH_CSV_ABSENT);
    bench_existing_csv_free(&e);
    bench_row_free(&row);

    CHECK(BENCH_COL_COUNT == 73);
    CHECK_STR(bench_column_names[0], "schema_version");
    CHECK_STR(bench_column_names[BENCH_COL_COUNT_V1 - 1], "notes");
    CHECK_STR(bench_column_names[BENCH_COL_COUNT_V2 - 1], "pct_attainable");
    CHECK_STR(bench_column_names[BENCH_COL_COUNT_V3 - 1], "instance_type");
    CHECK_STR(bench_column_names[BENCH_COL_COUNT - 1], "scaling_efficiency");
    check_v1_file();
    CHECK(bench_column_find("pct_peak") == BENCH_COL_PCT_PEAK);
    CHECK_DONE();
}

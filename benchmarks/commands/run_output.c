#define _POSIX_C_SOURCE 200809L
#include "run_output.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "columns.h"
#include "csv.h"
#include "outpath.h"
#include "util.h"

#define DEFAULT_DIR "results"
#define MAX_SAME_SECOND 999

static char *default_json_path(const char *csv)
{
    size_t n = strlen(csv);
    bench_strbuf sb = {0};
    if (n > 4 && strcmp(csv + n - 4, ".csv") == 0)
        bench_strbuf_appendn(&sb, csv, n - 4);
    else
        bench_strbuf_append(&sb, csv);
    bench_strbuf_append(&sb, ".json");
    return sb.data;
}

/* "<host>-<YYYYMMDD-HHMMSS>[-quick][-N].csv" in results/: the host made safe for a file name, N
 * from 2 on when runs started in the same second. */
static char *default_csv_path(const bench_metadata *meta, int quick, int k)
{
    char stamp[32];
    const char *hook = getenv("ACCEL_TEST_FILE_STAMP"); /* test hook: docs/cli.md */
    if (hook && *hook && strlen(hook) < 20 && strspn(hook, "0123456789-") == strlen(hook))
        bench_copy(stamp, sizeof stamp, hook);
    else
        bench_utc_compact(stamp, sizeof stamp);
    char host[256];
    bench_copy(host, sizeof host, meta->hostname);
    for (char *p = host; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '-' || *p == '_'))
            *p = '_';
    bench_strbuf sb = {0};
    bench_strbuf_appendf(&sb, DEFAULT_DIR "/%s-%s%s", host, stamp, quick ? "-quick" : "");
    if (k > 1)
        bench_strbuf_appendf(&sb, "-%d", k);
    bench_strbuf_append(&sb, ".csv");
    return sb.data;
}

static int check_default_location(const bench_run_args *a, const bench_metadata *meta, char *err,
                                  size_t n)
{
    struct stat st;
    if (stat(DEFAULT_DIR, &st) == 0) {
        if (!S_ISDIR(st.st_mode)) {
            snprintf(err, n, "'" DEFAULT_DIR "' exists and is not a directory (give --csv FILE)");
            return 2;
        }
        if (access(DEFAULT_DIR, W_OK | X_OK) != 0) {
            snprintf(err, n, "directory '" DEFAULT_DIR "' is not writable (give --csv FILE)");
            return 2;
        }
    } else if (access(".", W_OK | X_OK) != 0) {
        snprintf(err, n, "the current directory is not writable (give --csv FILE)");
        return 2;
    }
    /* The longest name it may take: sidecar name, same-second suffix. */
    char *longest = default_csv_path(meta, a->quick, MAX_SAME_SECOND);
    size_t base = strlen(longest) - strlen(DEFAULT_DIR "/") + strlen(".json") - strlen(".csv");
    free(longest);
    if (base > NAME_MAX) {
        snprintf(err, n, "the default results file name would be %zu bytes long (the host name is "
                 "long); the system takes at most %d: give --csv FILE", base, NAME_MAX);
        return 2;
    }
    return 0;
}

/* Two names of one file (a link, "./x.csv" and "x.csv") are caught when both exist. */
static int same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    if (strcmp(a, b) == 0)
        return 1;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int bench_run_output_check(const bench_run_args *a, const bench_metadata *meta,
                           const bench_row_owner *owner, bench_run_output *o, char *err, size_t n)
{
    memset(o, 0, sizeof *o);
    o->csv.fd = -1;
    if (a->csv_path) {
        if (bench_output_path_check(a->csv_path, "--csv", err, n) != 0)
            return 2;
        o->csv_path = bench_strdup(a->csv_path);
        bench_existing_csv_load(o->csv_path, owner, &o->existing);
        if (o->existing.state == BENCH_CSV_BAD) {
            bench_copy(err, n, o->existing.problem);
            return 2;
        }
    } else {
        if (check_default_location(a, meta, err, n) != 0)
            return 2;
        o->default_name = 1;
        o->csv_path = default_csv_path(meta, a->quick, 1);
    }
    o->json_path = a->json_path ? bench_strdup(a->json_path) : default_json_path(o->csv_path);
    if (same_file(o->json_path, o->csv_path)) {
        snprintf(err, n, "--json and --csv name the same file");
        return 2;
    }
    /* A default sidecar next to a default CSV lives in results/, which may not exist yet. */
    if (!(o->default_name && !a->json_path) &&
        bench_output_path_check(o->json_path, "--json", err, n) != 0)
        return 2;
    return 0;
}

int bench_run_output_open(const bench_run_args *a, const bench_metadata *meta,
                          const bench_row_owner *owner, bench_run_output *o, char *err, size_t n)
{
    int rc = 0;
    if (o->default_name) {
        if (mkdir(DEFAULT_DIR, 0777) != 0 && errno != EEXIST) {
            snprintf(err, n, "cannot create " DEFAULT_DIR "/: %s", strerror(errno));
            return 1;
        }
        /* O_EXCL picks a name no other run has: two suites started in the same second get a file
         * each instead of sharing one. */
        for (int k = 1;; k++) {
            free(o->csv_path);
            o->csv_path = default_csv_path(meta, a->quick, k);
            rc = bench_results_open(&o->csv, o->csv_path, 1, err, n);
            if (rc != -1)
                break;
            if (k == MAX_SAME_SECOND) {
                snprintf(err, n, "cannot find a free results file name in " DEFAULT_DIR "/ (give --csv FILE)");
                return 1;
            }
        }
        if (!a->json_path) {
            free(o->json_path);
            o->json_path = default_json_path(o->csv_path);
        }
    } else {
        rc = bench_results_open(&o->csv, o->csv_path, 0, err, n);
    }
    if (rc != 0)
        return rc;
    size_t len = 0;
    char *text = bench_results_read(&o->csv, &len);
    char shown[256];
    bench_path_for_message(o->csv_path, shown, sizeof shown);
    if (!text) {
        snprintf(err, n, "cannot read %s: %s", shown, strerror(errno));
        bench_run_output_close(o, 1);
        return 1;
    }
    /* Read again under the lock: a run that finished meanwhile may have added rows. */
    bench_existing_csv_free(&o->existing);
    bench_existing_csv_parse(text, len, o->csv_path, owner, &o->existing);
    free(text);
    if (o->existing.state == BENCH_CSV_BAD) {
        bench_copy(err, n, o->existing.problem);
        bench_run_output_close(o, 1);
        return 2;
    }
    if (len == 0) {
        bench_strbuf header = {0};
        bench_csv_format_record(&header, bench_column_names, BENCH_COL_COUNT);
        char why[512];
        bench_append_result r = bench_results_append(&o->csv, header.data, header.len, why, sizeof why);
        bench_strbuf_free(&header);
        if (r != BENCH_APPEND_OK) {
            snprintf(err, n, "cannot write the header to %s: %s", shown, why);
            bench_run_output_close(o, 1);
            return 1;
        }
    }
    return 0;
}

void bench_run_output_close(bench_run_output *o, int discard)
{
    if (o->csv.fd >= 0 || o->csv.path)
        bench_results_close(&o->csv, discard);
}

void bench_run_output_free(bench_run_output *o)
{
    bench_run_output_close(o, 0);
    bench_existing_csv_free(&o->existing);
    free(o->csv_path);
    free(o->json_path);
    o->csv_path = o->json_path = NULL;
}

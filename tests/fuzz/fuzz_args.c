/* libFuzzer entry point over the CLI's input parsers: the run/suite argument parser, the
 * comma-list parser (--workload/--config/--dtype), tag and device-spec checks, strict numbers,
 * and the CSV record reader that --resume feeds with whatever file it is given.
 *
 * Input layout: the bytes split at NUL or newline into argv words (at most 64). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "csv.h"
#include "utf8.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void parse_words(char *text, size_t size)
{
    char *argv[64];
    int argc = 0;
    size_t start = 0;
    for (size_t i = 0; i <= size && argc < 64; i++) {
        if (i == size || text[i] == '\0' || text[i] == '\n') {
            text[i] = '\0';
            argv[argc++] = text + start;
            start = i + 1;
        }
    }
    for (int suite = 0; suite < 2; suite++) {
        bench_run_args a;
        char err[256];
        int rc = bench_run_args_parse(argc, argv, 0, suite, &a, err, sizeof err);
        if (rc != 0 && rc != 2)
            abort();
        if (rc == 2 && (err[0] == '\0' || strchr(err, '\n')))
            abort(); /* a rejection is always one non-empty line */
        bench_run_args_free(&a);
    }
    for (int i = 0; i < argc; i++) {
        bench_strlist l = {0};
        if (bench_list_split(argv[i], &l) == 0) {
            for (size_t k = 0; k < l.count; k++)
                if (l.items[k][0] == '\0' || strchr(l.items[k], ','))
                    abort(); /* elements are non-empty and comma-free */
        }
        bench_strlist_free(&l);
        (void)bench_tag_check(argv[i]);
        (void)bench_device_spec_check(argv[i]);
        uint64_t u;
        double d;
        (void)bench_parse_u64(argv[i], &u);
        (void)bench_parse_double(argv[i], &d);
    }
}

static void parse_csv(const char *text, size_t size)
{
    bench_strlist fields = {0};
    size_t pos = 0;
    for (int guard = 0; guard < 100000; guard++) {
        size_t before = pos;
        int rc = bench_csv_parse_record(text, size, &pos, &fields);
        if (rc <= 0)
            break;
        if (pos <= before)
            abort(); /* a record always consumes input */
        /* Formatting the fields and parsing them back gives the same fields, each as the CSV
         * writes it: bytes that are not UTF-8 as the text \xNN (utf8.h). */
        bench_strbuf sb = {0};
        bench_csv_format_record(&sb, (const char *const *)fields.items, fields.count);
        bench_strlist again = {0};
        size_t p2 = 0;
        if (bench_csv_parse_record(sb.data, sb.len, &p2, &again) != 1 || again.count != fields.count)
            abort();
        for (size_t i = 0; i < fields.count; i++) {
            bench_strbuf written = {0};
            bench_utf8_escape(fields.items[i], &written);
            if (strcmp(again.items[i], bench_strbuf_str(&written)) != 0)
                abort();
            bench_strbuf_free(&written);
        }
        bench_strlist_free(&again);
        bench_strbuf_free(&sb);
    }
    bench_strlist_free(&fields);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    parse_csv(text, size);
    parse_words(text, size);
    free(text);
    return 0;
}

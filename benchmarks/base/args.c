#define _POSIX_C_SOURCE 200809L
#include "args.h"

#include "duration.h"
#include "utf8.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

enum opt_kind { OPT_FLAG, OPT_VALUE };

typedef struct opt_spec {
    const char *name;
    enum opt_kind kind;
} opt_spec;

static const opt_spec OPTIONS[] = {
    {"--help", OPT_FLAG},          {"-h", OPT_FLAG},
    {"--quick", OPT_FLAG},         {"--workload", OPT_VALUE},
    {"--backend", OPT_VALUE},      {"--device", OPT_VALUE},
    {"--dtype", OPT_VALUE},        {"--config", OPT_VALUE},
    {"--library", OPT_VALUE},      {"--cold", OPT_FLAG},
    {"--warmup-ms", OPT_VALUE},    {"--min-time-ms", OPT_VALUE},
    {"--max-samples", OPT_VALUE},  {"--csv", OPT_VALUE},
    {"--json", OPT_VALUE},         {"--tag", OPT_VALUE},
    {"--price-per-hour", OPT_VALUE}, {"--resume", OPT_FLAG},
    {"--quiet", OPT_FLAG},         {"--timeout-s", OPT_VALUE},
    {"--seed", OPT_VALUE},         {"--dry-run", OPT_FLAG},
    {"--verbose", OPT_FLAG},       {"--budget", OPT_VALUE},
    {"--sequential", OPT_FLAG},
    {"--prices", OPT_VALUE},       {"--instance-type", OPT_VALUE},
    {"--region", OPT_VALUE},       {"--grid-gco2-per-kwh", OPT_VALUE},
    {"--cloud-metadata", OPT_FLAG},
    {"--min-bytes", OPT_VALUE},    {"--max-bytes", OPT_VALUE},
    {"--factor", OPT_VALUE},
};

/* The message stays one printable UTF-8 line even when it echoes a value with control characters
 * or bytes that are not UTF-8. */
static void sanitize(char *err)
{
    for (char *p = err; *p;) {
        size_t n = bench_utf8_sequence(p);
        if (n == 0 || (unsigned char)*p < 0x20 || *p == 0x7f) {
            *p++ = '?';
            continue;
        }
        p += n;
    }
}

#define BENCH_STR_(x) #x
#define BENCH_STR(x) BENCH_STR_(x)

static int fail(char *err, size_t err_len, const char *fmt, const char *a, const char *b)
{
    snprintf(err, err_len, fmt, a, b);
    sanitize(err);
    return 2;
}

int bench_tag_check(const char *tag)
{
    const char *eq = strchr(tag, '=');
    if (!eq || eq == tag)
        return -1;
    for (const char *p = tag; p < eq; p++)
        if (!(isalnum((unsigned char)*p) || *p == '_' || *p == '.' || *p == '-'))
            return -1;
    for (const char *p = eq + 1; *p; p++)
        if (*p == ';' || (unsigned char)*p < 0x20 || *p == 0x7f)
            return -1;
    /* Tags go into every row and the sidecar, both UTF-8 files. */
    if (!bench_utf8_valid(eq + 1))
        return -1;
    return 0;
}

int bench_device_spec_check(const char *spec)
{
    const char *colon = strchr(spec, ':');
    if (!colon || colon == spec || colon[1] == '\0')
        return -1;
    for (const char *p = spec; p < colon; p++)
        if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_'))
            return -1;
    if (strcmp(colon + 1, "all") == 0)
        return 0;
    uint64_t idx;
    int rc = bench_parse_u64(colon + 1, &idx);
    if (rc == -2 || (rc == 0 && idx > 1000000))
        return -2;
    return rc;
}

/* A non-negative integer no larger than max. */
static int parse_bounded(const char *opt, const char *text, uint64_t min, uint64_t max, int64_t *out,
                         char *err, size_t err_len)
{
    uint64_t v;
    int rc = bench_parse_u64(text, &v);
    if (rc == -2) {
        snprintf(err, err_len, "%s: '%s' overflows (the largest value it takes is %llu)", opt, text,
                 (unsigned long long)max);
        sanitize(err);
        return 2;
    }
    if (rc != 0) {
        snprintf(err, err_len, "%s: '%s' is not a non-negative integer", opt, text);
        sanitize(err);
        return 2;
    }
    if (v < min || v > max) {
        snprintf(err, err_len, "%s: %s is out of range (%llu..%llu)", opt, text,
                 (unsigned long long)min, (unsigned long long)max);
        return 2;
    }
    *out = (int64_t)v;
    return 0;
}

static int split_into(const char *opt, const char *text, bench_strlist *l, char *err, size_t err_len)
{
    if (bench_list_split(text, l) != 0)
        return fail(err, err_len, "%s: empty name in list '%s'", opt, text);
    return 0;
}

static int apply_value(bench_run_args *a, const char *opt, const char *val, char *err, size_t err_len)
{
    if (strcmp(opt, "--workload") == 0)
        return split_into(opt, val, &a->workloads, err, err_len);
    if (strcmp(opt, "--dtype") == 0)
        return split_into(opt, val, &a->dtypes, err, err_len);
    if (strcmp(opt, "--config") == 0)
        return split_into(opt, val, &a->configs, err, err_len);
    if (strcmp(opt, "--backend") == 0) {
        if (split_into(opt, val, &a->backends, err, err_len) != 0)
            return 2;
        for (size_t i = 0; i < a->backends.count; i++)
            for (const char *p = a->backends.items[i]; *p; p++)
                if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_'))
                    return fail(err, err_len, "%s: '%s' is not a backend name", opt, a->backends.items[i]);
        return 0;
    }
    if (strcmp(opt, "--device") == 0) {
        int rc = bench_device_spec_check(val);
        if (rc == -2)
            return fail(err, err_len, "%s: the index in '%s' overflows (the largest index it takes is "
                        "1000000)", opt, val);
        if (rc != 0)
            return fail(err, err_len, "%s: '%s' is not BACKEND:INDEX or BACKEND:all", opt, val);
        if (!bench_strlist_contains(&a->devices, val))
            bench_strlist_add(&a->devices, val);
        return 0;
    }
    if (strcmp(opt, "--tag") == 0) {
        if (strchr(val, '=') && !bench_utf8_valid(val))
            return fail(err, err_len, "%s: '%s' is not UTF-8 text (tags go into the CSV and the JSON "
                        "sidecar)", opt, val);
        if (bench_tag_check(val) != 0)
            return fail(err, err_len,
                        "%s: '%s' is not key=value (key of letters, digits, '_', '.', '-'; value "
                        "without ';' or control characters)", opt, val);
        /* The CSV joins tags with ';' into one cell and the sidecar makes them an object: a key
         * given twice would be ambiguous in both, and an over-long list would be cut. */
        const size_t key_len = (size_t)(strchr(val, '=') - val);
        size_t total = strlen(val);
        for (size_t i = 0; i < a->tags.count; i++) {
            const char *t = a->tags.items[i];
            if (strncmp(t, val, key_len + 1) == 0) {
                char key[BENCH_TAG_KEY_MAX + 1];
                snprintf(key, sizeof key, "%.*s", (int)(key_len < BENCH_TAG_KEY_MAX ? key_len : BENCH_TAG_KEY_MAX), val);
                return fail(err, err_len, "%s: key '%s' given twice", opt, key);
            }
            total += strlen(t) + 1;
        }
        if (key_len > BENCH_TAG_KEY_MAX || total > BENCH_TAGS_MAX)
            return fail(err, err_len, "%s: tags too long (keys up to " BENCH_STR(BENCH_TAG_KEY_MAX)
                        " characters, all tags together up to " BENCH_STR(BENCH_TAGS_MAX) ")%s", opt, "");
        bench_strlist_add(&a->tags, val);
        return 0;
    }
    const char **slot = NULL;
    if (strcmp(opt, "--library") == 0)
        slot = &a->library;
    else if (strcmp(opt, "--csv") == 0)
        slot = &a->csv_path;
    else if (strcmp(opt, "--json") == 0)
        slot = &a->json_path;
    if (slot) {
        if (*slot)
            return fail(err, err_len, "%s given twice%s", opt, "");
        if (val[0] == '\0')
            return fail(err, err_len, "%s: empty value%s", opt, "");
        *slot = val;
        return 0;
    }
    int64_t *num = NULL;
    uint64_t min = 0, max = BENCH_MAX_MS;
    if (strcmp(opt, "--warmup-ms") == 0)
        num = &a->warmup_ms;
    else if (strcmp(opt, "--min-time-ms") == 0)
        num = &a->min_time_ms;
    else if (strcmp(opt, "--max-samples") == 0) {
        num = &a->max_samples;
        min = 1;
        max = BENCH_MAX_SAMPLES_LIMIT;
    } else if (strcmp(opt, "--timeout-s") == 0) {
        num = &a->timeout_s;
        min = 1;
        max = BENCH_MAX_MS / 1000;
    } else if (strcmp(opt, "--min-bytes") == 0 || strcmp(opt, "--max-bytes") == 0) {
        /* The collective sweep (docs/scale-out.md): its configs span 8 B .. 1 GiB. */
        num = strcmp(opt, "--min-bytes") == 0 ? &a->min_bytes : &a->max_bytes;
        min = 1;
        max = 1ull << 40;
    } else if (strcmp(opt, "--factor") == 0) {
        num = &a->factor;
        min = 2;
        max = 1u << 20;
    }
    if (num) {
        if (*num >= 0)
            return fail(err, err_len, "%s given twice%s", opt, "");
        return parse_bounded(opt, val, min, max, num, err, err_len);
    }
    if (strcmp(opt, "--seed") == 0) {
        if (a->has_seed)
            return fail(err, err_len, "%s given twice%s", opt, "");
        int rc = bench_parse_u64(val, &a->seed);
        if (rc == -2)
            return fail(err, err_len, "%s: '%s' overflows an unsigned 64-bit integer (the largest is "
                        "18446744073709551615)", opt, val);
        if (rc != 0)
            return fail(err, err_len, "%s: '%s' is not an unsigned 64-bit integer", opt, val);
        a->has_seed = 1;
        return 0;
    }
    if (strcmp(opt, "--price-per-hour") == 0) {
        if (a->price_per_hour >= 0)
            return fail(err, err_len, "%s given twice%s", opt, "");
        double v;
        int rc = bench_parse_double(val, &v);
        if (rc == -2 || (rc == 0 && v > 1e9))
            return fail(err, err_len, "%s: '%s' overflows (the largest price it takes is 1e9 USD)",
                        opt, val);
        if (rc != 0)
            return fail(err, err_len, "%s: '%s' is not a non-negative price in USD", opt, val);
        a->price_per_hour = v;
        return 0;
    }
    if (strcmp(opt, "--grid-gco2-per-kwh") == 0) {
        if (a->grid_gco2_per_kwh >= 0)
            return fail(err, err_len, "%s given twice%s", opt, "");
        double v;
        int rc = bench_parse_double(val, &v);
        if (rc == -2 || (rc == 0 && v > 1e5))
            return fail(err, err_len, "%s: '%s' is out of range (the largest intensity it takes is "
                        "100000 g CO2/kWh)", opt, val);
        if (rc != 0)
            return fail(err, err_len, "%s: '%s' is not a non-negative number of g CO2 per kWh", opt,
                        val);
        a->grid_gco2_per_kwh = v;
        return 0;
    }
    const char **text = strcmp(opt, "--prices") == 0          ? &a->prices_path
                        : strcmp(opt, "--instance-type") == 0 ? &a->instance_type
                        : strcmp(opt, "--region") == 0        ? &a->region
                                                              : NULL;
    if (text) {
        if (*text)
            return fail(err, err_len, "%s given twice%s", opt, "");
        /* Instance types and regions go into CSV cells: one printable word. */
        for (const char *p = val; text != &a->prices_path && *p; p++)
            if (!(isalnum((unsigned char)*p) || strchr("._-/", *p)))
                return fail(err, err_len, "%s: '%s' is not a name of letters, digits and ._-/", opt,
                            val);
        if (!val[0])
            return fail(err, err_len, "%s: empty value%s", opt, "");
        *text = val;
        return 0;
    }
    if (strcmp(opt, "--budget") == 0) {
        if (a->budget_text)
            return fail(err, err_len, "%s given twice%s", opt, "");
        int rc = bench_parse_duration(val, &a->budget_s);
        if (rc == -2)
            return fail(err, err_len, "%s: '%s' is out of range (more than 0 s, at most 7 days)", opt, val);
        if (rc != 0)
            return fail(err, err_len, "%s: '%s' is not a duration (a number with s, m or h: 90s, 10m, 1.5h)",
                        opt, val);
        a->budget_text = val;
        return 0;
    }
    return fail(err, err_len, "internal: unhandled option %s%s", opt, "");
}

static int apply_flag(bench_run_args *a, const char *opt, char *err, size_t err_len)
{
    int *slot = NULL;
    if (strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0)
        slot = &a->help;
    else if (strcmp(opt, "--quick") == 0) {
        if (!a->is_suite)
            return fail(err, err_len, "--quick is a suite option (use: accelbench suite --quick)%s%s",
                        "", "");
        slot = &a->quick;
    } else if (strcmp(opt, "--cold") == 0)
        slot = &a->cold;
    else if (strcmp(opt, "--resume") == 0)
        slot = &a->resume;
    else if (strcmp(opt, "--quiet") == 0)
        slot = &a->quiet;
    else if (strcmp(opt, "--dry-run") == 0)
        slot = &a->dry_run;
    else if (strcmp(opt, "--verbose") == 0)
        slot = &a->verbose;
    else if (strcmp(opt, "--cloud-metadata") == 0)
        slot = &a->cloud_metadata;
    else if (strcmp(opt, "--sequential") == 0)
        slot = &a->sequential;
    if (!slot)
        return fail(err, err_len, "internal: unhandled flag %s%s", opt, "");
    *slot = 1;
    return 0;
}

int bench_run_args_parse(int argc, char *const *argv, int first, int is_suite, bench_run_args *out,
                         char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    out->is_suite = is_suite;
    out->warmup_ms = out->min_time_ms = out->max_samples = out->timeout_s = -1;
    out->min_bytes = out->max_bytes = out->factor = -1;
    out->price_per_hour = -1;
    out->grid_gco2_per_kwh = -1;
    if (err_len)
        err[0] = '\0';
    for (int i = first; i < argc; i++) {
        const char *word = argv[i];
        char name[64];
        const char *inline_val = NULL;
        const char *eq = strchr(word, '=');
        if (strncmp(word, "--", 2) == 0 && eq) {
            size_t n = (size_t)(eq - word);
            if (n >= sizeof name)
                return fail(err, err_len, "unknown option '%s'%s", word, "");
            memcpy(name, word, n);
            name[n] = '\0';
            inline_val = eq + 1;
        } else {
            bench_copy(name, sizeof name, word);
        }
        const opt_spec *spec = NULL;
        for (size_t j = 0; j < sizeof OPTIONS / sizeof OPTIONS[0]; j++)
            if (strcmp(OPTIONS[j].name, name) == 0)
                spec = &OPTIONS[j];
        if (!spec) {
            if (word[0] == '-')
                return fail(err, err_len, "unknown option '%s' (see --help)%s", word, "");
            return fail(err, err_len, "unexpected argument '%s' (see --help)%s", word, "");
        }
        int rc;
        if (spec->kind == OPT_FLAG) {
            if (inline_val)
                return fail(err, err_len, "%s takes no value%s", name, "");
            rc = apply_flag(out, name, err, err_len);
        } else {
            const char *val = inline_val;
            if (!val) {
                if (i + 1 >= argc)
                    return fail(err, err_len, "%s needs a value%s", name, "");
                val = argv[++i];
            }
            rc = apply_value(out, name, val, err, err_len);
        }
        if (rc != 0)
            return rc;
    }
    if (out->backends.count && out->devices.count)
        return fail(err, err_len, "--backend and --device are exclusive; give one of them%s%s", "", "");
    if (!out->workloads.count && !is_suite && !out->help)
        return fail(err, err_len, "run needs --workload W[,W] (see: accelbench list)%s%s", "", "");
    if (out->min_bytes > 0 && out->max_bytes > 0 && out->min_bytes > out->max_bytes)
        return fail(err, err_len, "--min-bytes is larger than --max-bytes%s%s", "", "");
    return 0;
}

void bench_run_args_free(bench_run_args *a)
{
    bench_strlist_free(&a->workloads);
    bench_strlist_free(&a->devices);
    bench_strlist_free(&a->backends);
    bench_strlist_free(&a->dtypes);
    bench_strlist_free(&a->configs);
    bench_strlist_free(&a->tags);
}

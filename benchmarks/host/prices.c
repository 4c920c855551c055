/* The prices file (prices.h). */
#define _POSIX_C_SOURCE 200809L
#include "prices.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

#define PRICES_HEADER "instance_type,provider,region,usd_per_hour"
#define PRICES_MAX_ROWS 100000

typedef struct price_row {
    char type[128], provider[32], region[64];
    double usd;
    int line;
} price_row;

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

static int parse_row(char *line, price_row *r, const char **why)
{
    if (strchr(line, '"')) {
        *why = "quoted fields are not supported";
        return -1;
    }
    char *field[5];
    int n = 0;
    for (char *p = line; n < 5;) {
        field[n++] = p;
        char *comma = strchr(p, ',');
        if (!comma)
            break;
        *comma = '\0';
        p = comma + 1;
    }
    if (n != 4) {
        *why = "not 4 fields (instance_type,provider,region,usd_per_hour)";
        return -1;
    }
    const char *type = trim(field[0]), *provider = trim(field[1]), *region = trim(field[2]);
    if (!type[0]) {
        *why = "empty instance_type";
        return -1;
    }
    if (strlen(type) >= sizeof r->type || strlen(provider) >= sizeof r->provider ||
        strlen(region) >= sizeof r->region) {
        *why = "a field is too long";
        return -1;
    }
    double v;
    if (bench_parse_double(trim(field[3]), &v) != 0 || !(v >= 0) || v > 1e9) {
        *why = "usd_per_hour is not a non-negative number of at most 1e9";
        return -1;
    }
    bench_copy(r->type, sizeof r->type, type);
    bench_copy(r->provider, sizeof r->provider, provider);
    bench_copy(r->region, sizeof r->region, region);
    r->usd = v;
    return 0;
}

static int load(const char *path, price_row **rows, size_t *count, char *err, size_t err_len)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, err_len, "--prices: cannot read '%s': %s", path, strerror(errno));
        return 2;
    }
    char buf[1024];
    int lineno = 0, have_header = 0, rc = 0;
    size_t cap = 0;
    *rows = NULL;
    *count = 0;
    while (rc == 0 && fgets(buf, sizeof buf, f)) {
        lineno++;
        if (!strchr(buf, '\n') && !feof(f)) {
            snprintf(err, err_len, "--prices: %s:%d: line longer than %zu bytes", path, lineno,
                     sizeof buf - 2);
            rc = 2;
            break;
        }
        char *line = trim(buf);
        if (!line[0] || line[0] == '#')
            continue;
        if (!have_header) {
            if (strcmp(line, PRICES_HEADER) != 0) {
                snprintf(err, err_len, "--prices: %s:%d: the header must be '%s'", path, lineno,
                         PRICES_HEADER);
                rc = 2;
            }
            have_header = 1;
            continue;
        }
        price_row r;
        const char *why = "";
        if (parse_row(line, &r, &why) != 0) {
            snprintf(err, err_len, "--prices: %s:%d: %s", path, lineno, why);
            rc = 2;
            break;
        }
        r.line = lineno;
        for (size_t i = 0; i < *count; i++) {
            const price_row *o = &(*rows)[i];
            if (strcasecmp(o->type, r.type) == 0 && strcasecmp(o->provider, r.provider) == 0 &&
                strcasecmp(o->region, r.region) == 0) {
                snprintf(err, err_len, "--prices: %s:%d: %s,%s,%s is already on line %d", path,
                         lineno, r.type, r.provider, r.region, o->line);
                rc = 2;
            }
        }
        if (rc)
            break;
        if (*count == cap) {
            cap = cap ? 2 * cap : 16;
            price_row *grown = cap <= PRICES_MAX_ROWS ? realloc(*rows, cap * sizeof *grown) : NULL;
            if (!grown) {
                snprintf(err, err_len, "--prices: %s: more than %d rows", path, PRICES_MAX_ROWS);
                rc = 2;
                break;
            }
            *rows = grown;
        }
        (*rows)[(*count)++] = r;
    }
    if (rc == 0 && ferror(f)) {
        snprintf(err, err_len, "--prices: %s: read error", path);
        rc = 2;
    }
    if (rc == 0 && !have_header) {
        snprintf(err, err_len, "--prices: %s: no header line ('%s')", path, PRICES_HEADER);
        rc = 2;
    }
    fclose(f);
    if (rc) {
        free(*rows);
        *rows = NULL;
        *count = 0;
    }
    return rc;
}

int bench_prices_lookup(const char *path, const char *instance_type, const char *provider,
                        const char *region, bench_price *out, char *err, size_t err_len)
{
    price_row *rows;
    size_t count;
    int rc = load(path, &rows, &count, err, err_len);
    if (rc)
        return rc;
    const price_row *exact = NULL, *any_region = NULL, *first = NULL;
    size_t matches = 0;
    bench_strbuf regions = {0};
    for (size_t i = 0; i < count; i++) {
        const price_row *r = &rows[i];
        if (strcasecmp(r->type, instance_type) != 0)
            continue;
        if (provider[0] && r->provider[0] && strcasecmp(r->provider, provider) != 0)
            continue;
        if (region[0]) {
            if (strcasecmp(r->region, region) == 0) {
                if (exact) {
                    snprintf(err, err_len, "--prices: %s: lines %d and %d both price %s in %s for "
                             "different providers, and this instance's provider is unknown", path,
                             exact->line, r->line, instance_type, region);
                    rc = 2;
                }
                exact = r;
            } else if (!r->region[0]) {
                any_region = r;
            }
            continue;
        }
        matches++;
        if (!first)
            first = r;
        bench_strbuf_appendf(&regions, "%s%d (%s/%s)", regions.data ? ", " : "", r->line,
                             r->provider[0] ? r->provider : "-", r->region[0] ? r->region : "-");
    }
    const price_row *pick = NULL;
    if (rc == 0) {
        if (region[0]) {
            pick = exact ? exact : any_region;
        } else if (matches > 1) {
            snprintf(err, err_len, "--prices: %s: %zu rows price %s (lines %s): name the region "
                     "with --region", path, matches, instance_type, regions.data);
            rc = 2;
        } else {
            pick = first;
        }
    }
    if (rc == 0 && !pick) {
        snprintf(err, err_len, "--prices: %s has no row for instance type %s%s%s%s%s", path,
                 instance_type, provider[0] ? " of " : "", provider, region[0] ? " in " : "", region);
        rc = 1;
    }
    if (rc == 0) {
        out->usd_per_hour = pick->usd;
        out->line = pick->line;
        bench_copy(out->provider, sizeof out->provider, pick->provider);
        bench_copy(out->region, sizeof out->region, pick->region);
    }
    bench_strbuf_free(&regions);
    free(rows);
    return rc;
}

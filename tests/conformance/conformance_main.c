/* Runs the conformance table against every device found (or those named with --device), prints one
 * line per check, and proves each passing check can fail by running it again on a corrupted output.
 * The op checks run once per op library the device offers. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conformance.h"

#define SKIP_RETURN_CODE 77

typedef struct totals {
    int passed, failed, skipped;
    int required_seen; /* checks matching --require-run that ran on a default library */
} totals;

/* --only and --require-run: name prefixes (NULL: every check runs; none is required to). */
typedef struct selection {
    const char *only;
    const char *require_run;
} selection;

static int has_prefix(const char *name, const char *prefix) {
    return prefix && strncmp(name, prefix, strlen(prefix)) == 0;
}

static const char *result_name(conf_result r) {
    return r == CONF_PASS ? "PASS" : r == CONF_FAIL ? "FAIL" : "SKIP";
}

/* required: a check named by --require-run that skips is a failure (on the default library only:
 * other libraries may lack an op by design). */
static void run_table(conf_ctx *c, const conf_check *table, totals *t, int self_test, const selection *sel) {
    for (const conf_check *k = table; k->name; ++k) {
        if (sel->only && !has_prefix(k->name, sel->only)) continue;
        c->why[0] = '\0';
        c->corrupt = 0;
        accel_clear_error();
        conf_result r = k->fn(c);
        char name[96];
        snprintf(name, sizeof name, "%s%s%s", k->name, c->library[0] ? "@" : "", c->library);
        printf("  %-10s %-22s %s%s%s\n", accel_device_id(c->dev), name, result_name(r),
               c->why[0] ? "  " : "", c->why);
        if (!c->library[0] && has_prefix(k->name, sel->require_run)) t->required_seen++;
        if (r == CONF_SKIP && !c->library[0] && has_prefix(k->name, sel->require_run)) {
            printf("  %-10s %-22s FAIL  required to run (--require-run %s), but skipped\n", accel_device_id(c->dev),
                   name, sel->require_run);
            r = CONF_FAIL;
        }
        if (r == CONF_PASS) t->passed++;
        else if (r == CONF_FAIL) t->failed++;
        else t->skipped++;
        if (r != CONF_PASS || !self_test) continue;
        c->why[0] = '\0';
        c->corrupt = 1;
        conf_result bad = k->fn(c);
        c->corrupt = 0;
        if (bad != CONF_FAIL) {
            printf("  %-10s %-22s FAIL  self-test: a corrupted output was not detected (%s)\n",
                   accel_device_id(c->dev), name, result_name(bad));
            t->failed++;
        }
    }
}

static int run_device(accel_runtime *rt, const char *id, totals *t, int self_test, const selection *sel) {
    conf_ctx c = {0};
    accel_status st = accel_device_open(rt, id, &c.dev);
    if (st != ACCEL_OK) {
        printf("  %-10s %-22s FAIL  %s\n", id, "open", accel_last_error());
        t->failed++;
        return 0;
    }
    c.info.struct_size = sizeof c.info;
    accel_device_info_get(c.dev, &c.info);
    printf("%s: %s (%s)\n", id, c.info.name, c.info.vendor);
    if (accel_stream_create(c.dev, &c.stream) != ACCEL_OK) {
        printf("  %-10s %-22s FAIL  %s\n", id, "stream", accel_last_error());
        t->failed++;
    } else {
        run_table(&c, conf_memory_checks, t, self_test, sel);
        run_table(&c, conf_kernel_checks, t, self_test, sel);
        run_table(&c, conf_graph_checks, t, self_test, sel);
        /* The ops through the default path, then again through every other library the device
         * offers (op_libraries lists the default first): a library that is nobody's default (our
         * own GPU kernels beside cuBLASLt, OpenBLAS beside oneDNN) is verified too. An op a library
         * does not offer is a skip with its reason. */
        printf("  %-10s ops through the default library (%s)\n", id, c.info.op_libraries[0] ? c.info.op_libraries : "-");
        run_table(&c, conf_op_checks, t, self_test, sel);
        run_table(&c, conf_train_checks, t, self_test, sel);
        char libs[sizeof c.info.op_libraries];
        snprintf(libs, sizeof libs, "%s", c.info.op_libraries);
        char *save = NULL;
        int first = 1;
        for (char *lib = strtok_r(libs, ",", &save); lib; lib = strtok_r(NULL, ",", &save), first = 0) {
            if (first) continue;
            snprintf(c.library, sizeof c.library, "%s", lib);
            printf("  %-10s ops through library %s\n", id, lib);
            run_table(&c, conf_op_checks, t, self_test, sel);
            run_table(&c, conf_train_checks, t, self_test, sel);
        }
        c.library[0] = '\0';
        accel_stream_destroy(c.stream);
    }
    accel_device_close(c.dev);
    return 1;
}

static void usage(const char *argv0) {
    fprintf(stderr,
            "usage: %s [--device BACKEND:N]... [--no-self-test] [--only PREFIX] [--require-run PREFIX]\n"
            "Runs the backend conformance suite on every device found (ACCEL_BACKENDS filters).\n"
            "  --only PREFIX         run only the checks whose name starts with PREFIX\n"
            "  --require-run PREFIX  a check so named that skips on the default library fails\n",
            argv0);
}

int main(int argc, char **argv) {
    const char *devices[64];
    int ndev = 0, self_test = 1;
    selection sel = {NULL, NULL};
    for (int i = 1; i < argc; ++i) {
        if (strcmp(argv[i], "--device") == 0 && i + 1 < argc && ndev < 64) devices[ndev++] = argv[++i];
        else if (strcmp(argv[i], "--no-self-test") == 0) self_test = 0;
        else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) sel.only = argv[++i];
        else if (strcmp(argv[i], "--require-run") == 0 && i + 1 < argc) sel.require_run = argv[++i];
        else {
            usage(argv[0]);
            return 2;
        }
    }
    accel_runtime *rt = NULL;
    if (accel_runtime_open(NULL, &rt) != ACCEL_OK) {
        fprintf(stderr, "conformance: %s\n", accel_last_error());
        return 1;
    }
    const accel_backend_report *reports = NULL;
    size_t nrep = 0;
    accel_runtime_backends(rt, &reports, &nrep);
    for (size_t i = 0; i < nrep; ++i)
        if (reports[i].status != ACCEL_OK || reports[i].device_count == 0)
            printf("backend %-10s skipped: %s\n", reports[i].name, reports[i].reason);
    totals t = {0};
    int tested = 0;
    if (ndev) {
        for (int i = 0; i < ndev; ++i) tested += run_device(rt, devices[i], &t, self_test, &sel);
    } else {
        int count = 0;
        accel_runtime_device_count(rt, &count);
        for (int i = 0; i < count; ++i) {
            char id[64];
            if (accel_runtime_device_id(rt, i, id, sizeof id) == ACCEL_OK)
                tested += run_device(rt, id, &t, self_test, &sel);
        }
    }
    accel_runtime_close(rt);
    if (sel.require_run && tested && !t.required_seen) {
        printf("conformance: --require-run %s matched no check\n", sel.require_run);
        t.failed++;
    }
    printf("conformance: %d passed, %d failed, %d skipped\n", t.passed, t.failed, t.skipped);
    if (!tested) {
        printf("conformance: no device found, nothing tested\n");
        return SKIP_RETURN_CODE;
    }
    return t.failed ? 1 : 0;
}

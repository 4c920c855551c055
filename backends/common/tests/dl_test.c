/* The shared loader (accel_common/dl.h) against fake vendor libraries: each tier's outcome and the
 * first missing name, aliases, the override variable, NODELETE, and the trace path.
 * Usage: backend_common_dl_test <folder of libfake_vendor_{old,new,wrong}.so> */
#define _GNU_SOURCE
#include "accel_common/dl.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define FV_BOOTSTRAP(X) X(int, fv_init, (int))
#define FV_REQUIRED(X) X(int, fv_version, (void)) X(int, fv_compute, (int)) X(double, fv_elapsed_v2, (void))
#define FV_OPTIONAL(X) X(int, fv_extra, (void)) X(int, fv_absent, (void))

typedef struct fv_table {
    FV_BOOTSTRAP(ACCEL_DL_FIELD)
    FV_REQUIRED(ACCEL_DL_FIELD)
    FV_OPTIONAL(ACCEL_DL_FIELD)
} fv_table;

#define FV_SYM(ret, name, params) ACCEL_DL_SYMBOL(fv_table, ret, name, params)
static const accel_dl_symbol bootstrap[] = {FV_BOOTSTRAP(FV_SYM)};
static const accel_dl_symbol required[] = {FV_REQUIRED(FV_SYM)};
static const accel_dl_symbol optional[] = {FV_OPTIONAL(FV_SYM)};
static const accel_dl_alias aliases[] = {{"fv_elapsed_v2", "fv_elapsed"}};

static char lines[8][512];
static int nlines, nlevels_not_debug;
static void capture(int level, const char *backend, const char *message) {
    if (level != ACCEL_LOG_DEBUG) ++nlevels_not_debug;
    if (nlines < 8) snprintf(lines[nlines++], sizeof lines[0], "%s|%s", backend, message);
}
static accel_status no_error(accel_status st, const char *fmt, ...) {
    (void)fmt;
    return st;
}

static accel_dl_library library(const char *const *candidates, unsigned flags) {
    accel_dl_library l = {candidates, "ACCEL_TEST_FAKE_VENDOR", flags, ACCEL_DL_TIER(bootstrap), ACCEL_DL_TIER(required),
                          ACCEL_DL_TIER(optional)};
    l.required.aliases = aliases;
    l.required.naliases = 1;
    return l;
}

static int table_is_clear(const fv_table *t) {
    return !t->fv_init && !t->fv_version && !t->fv_compute && !t->fv_elapsed_v2 && !t->fv_extra && !t->fv_absent;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s <fake library folder>\n", argv[0]);
        return 2;
    }
    char path_old[4096], path_new[4096], path_wrong[4096];
    snprintf(path_old, sizeof path_old, "%s/libfake_vendor_old.so", argv[1]);
    snprintf(path_new, sizeof path_new, "%s/libfake_vendor_new.so", argv[1]);
    snprintf(path_wrong, sizeof path_wrong, "%s/libfake_vendor_wrong.so", argv[1]);
    accel_host_services host = {.debug = 1, .log = capture, .set_error = no_error};
    const accel_dl_log log = {&host, "fake"};
    fv_table t;
    accel_dl_handle h;

    /* Nothing opens: the first candidate's message (the one an install hint names), traced each. */
    const char *const missing[] = {"libaccel-fake-missing-one.so.9", "libaccel-fake-missing-two.so.1", NULL};
    accel_dl_library lib = library(missing, 0);
    memset(&t, 0xff, sizeof t);
    CHECK(accel_dl_load(&log, &lib, &t, &h) == ACCEL_DL_NOT_FOUND, "outcome");
    CHECK(h.lib == NULL && h.name == NULL, "no handle");
    CHECK(strstr(h.why, "libaccel-fake-missing-one.so.9") != NULL, "why '%s'", h.why);
    const char *first = "fake|dlopen(libaccel-fake-missing-one.so.9): ", *second = "fake|dlopen(libaccel-fake-missing-two.so.1): ";
    CHECK(nlines == 2 && strncmp(lines[0], first, strlen(first)) == 0 && strncmp(lines[1], second, strlen(second)) == 0,
          "trace: %d lines, '%s'", nlines, lines[0]);
    CHECK(nlevels_not_debug == 0, "traces are DEBUG");

    /* Not the library meant: the bootstrap symbol is missing. */
    const char *const wrong[] = {path_wrong, NULL};
    lib = library(wrong, 0);
    memset(&t, 0xff, sizeof t);
    CHECK(accel_dl_load(&log, &lib, &t, &h) == ACCEL_DL_NOT_THIS_LIBRARY, "outcome");
    CHECK(strcmp(h.missing, "fv_init") == 0, "missing '%s'", h.missing);
    CHECK(h.lib == NULL && h.name && strcmp(h.name, path_wrong) == 0, "closed, named");
    CHECK(t.fv_init == NULL, "bootstrap slot cleared");

    /* Too old: bootstrap resolves, a required symbol does not; what was resolved is cleared. */
    const char *const old[] = {path_old, NULL};
    lib = library(old, 0);
    memset(&t, 0, sizeof t);
    CHECK(accel_dl_load(&log, &lib, &t, &h) == ACCEL_DL_TOO_OLD, "outcome");
    CHECK(strcmp(h.missing, "fv_compute") == 0, "missing '%s'", h.missing);
    CHECK(table_is_clear(&t), "slots cleared");

    /* Loaded: the alias's legacy export fills the newer name; an absent optional slot is NULL. The
     * second candidate opens after the first fails. */
    const char *const both[] = {"libaccel-fake-missing-one.so.9", path_new, NULL};
    lib = library(both, 0);
    CHECK(accel_dl_load(&log, &lib, &t, &h) == ACCEL_DL_LOADED, "outcome, missing '%s'", h.missing);
    CHECK(h.lib && h.name == both[1], "handle and name");
    CHECK(t.fv_init && t.fv_init(1) == 2 && t.fv_version() == 2 && t.fv_compute(2) == 6, "required");
    CHECK(t.fv_elapsed_v2 && t.fv_elapsed_v2() == 1.5, "alias resolved through fv_elapsed");
    CHECK(t.fv_extra && t.fv_extra() == 7 && t.fv_absent == NULL, "optional");
    accel_dl_close(h.lib);
    CHECK(dlopen(path_new, RTLD_NOW | RTLD_NOLOAD) == NULL, "without NODELETE the library is unmapped");

    /* NODELETE keeps it mapped after close. */
    const char *const only_new[] = {path_new, NULL};
    lib = library(only_new, ACCEL_DL_NODELETE);
    CHECK(accel_dl_load(&log, &lib, &t, &h) == ACCEL_DL_LOADED, "outcome");
    accel_dl_close(h.lib);
    void *still = dlopen(path_new, RTLD_NOW | RTLD_NOLOAD);
    CHECK(still != NULL, "NODELETE: still mapped after accel_dl_close");
    if (still) dlclose(still);

    /* The override variable replaces the candidates. */
    setenv("ACCEL_TEST_FAKE_VENDOR", path_old, 1);
    lib = library(only_new, 0);
    CHECK(accel_dl_load(&log, &lib, &t, &h) == ACCEL_DL_TOO_OLD && strcmp(h.name, path_old) == 0,
          "override tried alone: name '%s'", h.name ? h.name : "(null)");
    setenv("ACCEL_TEST_FAKE_VENDOR", "", 1);
    CHECK(accel_dl_load(&log, &lib, &t, &h) == ACCEL_DL_LOADED, "an empty override is no override");
    accel_dl_close(h.lib);

    /* No trace without debug. */
    host.debug = 0;
    nlines = 0;
    lib = library(missing, 0);
    (void)accel_dl_load(&log, &lib, &t, &h);
    CHECK(nlines == 0, "traced without debug");

    printf("%s\n", failures ? "FAIL" : "PASS");
    return failures ? 1 : 0;
}

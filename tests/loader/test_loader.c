/* Loader rules (docs/backends.md 2): every broken plugin is reported with its reason, none crashes
 * the host, good plugins keep working beside them, and the backends filter and search paths hold. */
#define _POSIX_C_SOURCE 200809L
#include <stddef.h>
#include <stdlib.h>

#include <unistd.h>

#include "accel/plugin.h"
#include "check.h"

TEST_DEFINE_COUNTS;

static const accel_backend_report *find(const accel_backend_report *r, size_t n, const char *name) {
    for (size_t i = 0; i < n; ++i)
        if (strcmp(r[i].name, name) == 0) return &r[i];
    return NULL;
}

static void expect(const accel_backend_report *r, size_t n, const char *name, accel_status st,
                   const char *reason_part) {
    const accel_backend_report *b = find(r, n, name);
    CHECK(b != NULL);
    if (!b) {
        fprintf(stderr, "  no report for plugin '%s'\n", name);
        return;
    }
    int ok = b->status == st && strstr(b->reason, reason_part) != NULL;
    CHECK(ok);
    if (!ok)
        fprintf(stderr, "  %s: status %s reason '%s' (wanted %s containing '%s')\n", name,
                accel_status_str(b->status), b->reason, accel_status_str(st), reason_part);
}

static accel_runtime *open_with(const char *dir, const char *filter) {
    const char *paths[] = {dir};
    accel_runtime_options o = {.struct_size = sizeof o, .plugin_paths = paths,
                               .plugin_path_count = 1, .backends = filter, .no_default_paths = 1};
    accel_runtime *rt = NULL;
    CHECK_OK(accel_runtime_open(&o, &rt));
    return rt;
}

/* accel_plugin_files lists without loading; a file the caller refuses is reported, never opened;
 * a file not named like a plugin is refused unopened; callers of the shorter options struct work. */
static void check_listing_and_refusals(const char *dir) {
    const char *paths[] = {dir};
    accel_runtime_options o = {.struct_size = sizeof o, .plugin_paths = paths,
                               .plugin_path_count = 1, .no_default_paths = 1};
    char **files = NULL;
    size_t count = 0;
    CHECK_OK(accel_plugin_files(&o, &files, &count));
    CHECK(count == 10);
    char good[4096] = "";
    for (size_t i = 0; i < count; ++i) {
        CHECK(strstr(files[i], "libaccel-backend-") != NULL);
        CHECK(i == 0 || strcmp(files[i - 1], files[i]) < 0);
        if (strstr(files[i], "libaccel-backend-good.so")) snprintf(good, sizeof good, "%s", files[i]);
    }
    accel_plugin_files_free(files, count);
    o.backends = "good,refuses";
    CHECK_OK(accel_plugin_files(&o, &files, &count));
    CHECK(count == 2);
    accel_plugin_files_free(files, count);
    o.backends = NULL;

    accel_plugin_refusal verdict = {good, ACCEL_ERR_TIMEOUT, "probe timed out after 3 s"};
    o.refused = &verdict;
    o.refused_count = 1;
    accel_runtime *rt = NULL;
    CHECK_OK(accel_runtime_open(&o, &rt));
    if (rt) {
        const accel_backend_report *r = NULL;
        size_t n = 0;
        CHECK_OK(accel_runtime_backends(rt, &r, &n));
        expect(r, n, "good", ACCEL_ERR_TIMEOUT, "probe timed out after 3 s");
        accel_device *d = NULL;
        CHECK_FAILS(accel_device_open(rt, "good:0", &d), ACCEL_ERR_UNAVAILABLE);
        CHECK(strstr(accel_last_error(), "probe timed out") != NULL);
        accel_runtime_close(rt);
    }
    /* The options struct as it was before `refused`: accepted, and nothing is refused. */
    o.struct_size = offsetof(accel_runtime_options, refused);
    rt = NULL;
    CHECK_OK(accel_runtime_open(&o, &rt));
    if (rt) {
        const accel_backend_report *r = NULL;
        size_t n = 0;
        CHECK_OK(accel_runtime_backends(rt, &r, &n));
        expect(r, n, "good", ACCEL_OK, "no devices");
        accel_runtime_close(rt);
    }

    char unnamed[4200];
    snprintf(unnamed, sizeof unnamed, "%s/unnamed-plugin.so", dir);
    rt = open_with(unnamed, NULL);
    if (rt) {
        const accel_backend_report *r = NULL;
        size_t n = 0;
        CHECK_OK(accel_runtime_backends(rt, &r, &n));
        expect(r, n, "unnamed-plugin.so", ACCEL_ERR_INCOMPATIBLE, "file name is not libaccel-backend-");
        accel_runtime_close(rt);
    }
}

/* A plugin one ABI minor older (1.0, shorter table) and one newer (longer table, slots unknown to
 * this host) than the host: both load, report their version, and work; the host reads neither
 * table past its struct_size (the test plugin aborts if it does) and takes absent slots as absent. */
static void check_versions(const char *dir) {
    accel_runtime *rt = open_with(dir, NULL);
    if (!rt) return;
    const accel_backend_report *r = NULL;
    size_t n = 0;
    CHECK_OK(accel_runtime_backends(rt, &r, &n));
    const accel_backend_report *old = find(r, n, "abiold"), *newer = find(r, n, "abinewer");
    CHECK(old && old->status == ACCEL_OK && old->abi_major == 1 && old->abi_minor == 0 &&
          old->device_count == 2);
    CHECK(newer && newer->status == ACCEL_OK && newer->abi_major == 1 &&
          newer->abi_minor == ACCEL_PLUGIN_ABI_MINOR + 1 && newer->device_count == 2);
    const char *ids[] = {"abiold:0", "abinewer:0"};
    for (int v = 0; v < 2; ++v) {
        accel_device *d = NULL;
        CHECK_OK(accel_device_open(rt, ids[v], &d));
        if (!d) continue;
        accel_device_info info = {.struct_size = sizeof info};
        CHECK_OK(accel_device_info_get(d, &info));
        /* 1.1's field: zero (unknown) from the plugin that predates it, written by the newer. */
        CHECKF(info.vendor_peak_fp8_tflops == (v == 0 ? 0.0 : 42.0), "%s: fp8 peak %g", ids[v],
               info.vendor_peak_fp8_tflops);
        CHECK(info.compute_units == 1 && strstr(info.name, "test device"));
        accel_stream *s = NULL;
        CHECK_OK(accel_stream_create(d, &s));
        accel_graph *g = NULL;
        if (v == 0) {
            /* Record/replay lies past the 1.0 table: absent, however the table's bytes go on. */
            CHECK_FAILS(accel_stream_capture_begin(s), ACCEL_ERR_UNIMPLEMENTED);
            CHECK(strstr(accel_last_error(), "no record/replay") != NULL);
        } else {
            CHECK_OK(accel_stream_capture_begin(s));
            CHECK_OK(accel_stream_capture_end(s, &g));
            accel_graph_destroy(g);
        }
        accel_op_desc desc = {.kind = ACCEL_OP_SOFTMAX};
        desc.u.softmax = (accel_softmax_desc){.dtype = ACCEL_DTYPE_F32, .rows = 2, .cols = 3,
                                              .scale = 1};
        accel_op_plan *plan = NULL;
        CHECK_OK(accel_op_plan_create(d, &desc, &plan));
        CHECK(strcmp(accel_op_plan_algorithm(plan), "softmax: planned, runs nothing") == 0);
        accel_op_plan_destroy(plan);
        /* 1.3's attention.causal: the 1.0 plugin would read the desc as non-causal, so the host
         * refuses the plan before it gets there, naming the ABIs; the newer plugin is handed it. */
        accel_op_desc causal = {.kind = ACCEL_OP_ATTENTION};
        causal.u.attention = (accel_attention_desc){.dtype = ACCEL_DTYPE_F32, .batch = 1, .heads = 1, .seq = 4,
                                                    .head_dim = 2, .scale = 1, .causal = 1};
        plan = NULL;
        if (v == 0) {
            CHECK_FAILS(accel_op_plan_create(d, &causal, &plan), ACCEL_ERR_UNIMPLEMENTED);
            CHECKF(strstr(accel_last_error(), "causal needs plugin ABI 1.3") &&
                       strstr(accel_last_error(), "ABI 1.0"),
                   "old plugin, causal attention: '%s'", accel_last_error());
            causal.u.attention.causal = 0;
        }
        CHECK_OK(accel_op_plan_create(d, &causal, &plan));
        accel_op_plan_destroy(plan);
        CHECK_OK(accel_stream_destroy(s));
        CHECK_OK(accel_device_close(d));
    }
    CHECK_OK(accel_runtime_close(rt));
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s PLUGIN_DIR VERSION_PLUGIN_DIR\n", argv[0]);
        return 2;
    }
    const char *dir = argv[1];
    /* The caller's environment (CI filters backends) must not decide what this test sees. */
    unsetenv("ACCEL_BACKENDS");
    unsetenv("ACCEL_BACKEND_PATH");
    accel_runtime *rt = open_with(dir, NULL);
    if (!rt) return test_finish("loader");
    const accel_backend_report *r = NULL;
    size_t n = 0;
    CHECK_OK(accel_runtime_backends(rt, &r, &n));
    for (size_t i = 0; i < n; ++i)
        printf("  %-16s %-14s %s\n", r[i].name, accel_status_str(r[i].status), r[i].reason);
    expect(r, n, "badmajor", ACCEL_ERR_INCOMPATIBLE, "majors differ");
    expect(r, n, "shortstruct", ACCEL_ERR_INCOMPATIBLE, "required slots need");
    expect(r, n, "nosymbol", ACCEL_ERR_INCOMPATIBLE, "missing entry symbol accel_plugin_query_v1");
    expect(r, n, "refuses", ACCEL_ERR_INCOMPATIBLE, "cannot serve host ABI");
    expect(r, n, "missingslot", ACCEL_ERR_INCOMPATIBLE, "op_plan_create");
    expect(r, n, "needsvendor", ACCEL_ERR_UNAVAILABLE, "libaccel_fake_vendor.so");
    expect(r, n, "initunavailable", ACCEL_ERR_UNAVAILABLE, "libaccel-no-such-vendor.so.1");
    expect(r, n, "garbage", ACCEL_ERR_UNAVAILABLE, "dlopen failed");
    expect(r, n, "good", ACCEL_OK, "no devices");
    /* docs/backends.md: the declared name must equal the file's <name>. */
    expect(r, n, "misnamed", ACCEL_ERR_INCOMPATIBLE, "declares the name 'other'");
    CHECK(find(r, n, "other") == NULL);
    const accel_backend_report *good = find(r, n, "good");
    CHECK(good && good->abi_major == ACCEL_PLUGIN_ABI_MAJOR && good->device_count == 0);
    /* A refused backend is explained when a user asks for its device. */
    accel_device *d = NULL;
    CHECK_FAILS(accel_device_open(rt, "badmajor:0", &d), ACCEL_ERR_UNAVAILABLE);
    CHECK(strstr(accel_last_error(), "majors differ") != NULL);
    CHECK_FAILS(accel_device_open(rt, "good:0", &d), ACCEL_ERR_NOT_FOUND);
    int count = -1;
    CHECK_OK(accel_runtime_device_count(rt, &count));
    CHECK(count == 0);
    accel_runtime_close(rt);

    /* The filter loads only what is named; the rest are not even opened. */
    rt = open_with(dir, "good,refuses");
    if (rt) {
        CHECK_OK(accel_runtime_backends(rt, &r, &n));
        CHECK(n == 2 && find(r, n, "good") && find(r, n, "refuses"));
        accel_runtime_close(rt);
    }
    /* The environment filter applies when the options give none. */
    setenv("ACCEL_BACKENDS", "good", 1);
    rt = open_with(dir, NULL);
    if (rt) {
        CHECK_OK(accel_runtime_backends(rt, &r, &n));
        CHECK(n == 1 && find(r, n, "good"));
        accel_runtime_close(rt);
    }
    unsetenv("ACCEL_BACKENDS");
    /* ACCEL_BACKEND_PATH is searched, a missing directory is not an error, and the current
     * directory is never searched by default. */
    char env[4096];
    snprintf(env, sizeof env, "/nonexistent/accel:%s", dir);
    setenv("ACCEL_BACKEND_PATH", env, 1);
    setenv("ACCEL_BACKENDS", "good", 1);
    accel_runtime_options o = {.struct_size = sizeof o};
    rt = NULL;
    CHECK_OK(accel_runtime_open(&o, &rt));
    if (rt) {
        CHECK_OK(accel_runtime_backends(rt, &r, &n));
        CHECK(find(r, n, "good") != NULL);
        accel_runtime_close(rt);
    }
    unsetenv("ACCEL_BACKEND_PATH");
    if (chdir(dir) == 0) {
        rt = NULL;
        CHECK_OK(accel_runtime_open(&o, &rt));
        if (rt) {
            CHECK_OK(accel_runtime_backends(rt, &r, &n));
            CHECK(find(r, n, "good") == NULL);
            accel_runtime_close(rt);
        }
    }
    unsetenv("ACCEL_BACKENDS");
    check_listing_and_refusals(dir);
    check_versions(argv[2]);
    return test_finish("loader");
}

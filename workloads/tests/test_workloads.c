/* Workload tests. `static`: registry, config ids, dtype names, FLOP counts of docs/workloads.md, and the
 * fit check. `run <workload> [all]`: every quick config (all configs with `all`) x defined dtype x
 * library on every device found: set up, run, verify (must pass), corrupt the output, verify (must
 * fail); `run <workload> id,id` picks configs. Devices or ops a backend does not offer are reported as skipped. Exit 77 = nothing ran. */
#include "common/wl_common.h"
#include "bert_layer.h"
#include "collective.h"
#include "gemm.h"
#include "resnet_block.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: FAILED %s: ", __FILE__, __LINE__, #cond);                      \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

static int near_rel(double got, double want, double rel) { return fabs(got - want) <= rel * fabs(want); }

/* --cold sets start 256-byte aligned (cuBLASLt): operands whose size is no multiple of 256, from
 * the shapes that were misaligned (gemm 6145 fp32/bf16; deepbench-35x700x2048's D in bf16/fp16). */
static void test_cold_set_stride(void) {
    const size_t sizes[] = {6145ull * 6145 * 4, 6145ull * 6145 * 2, 35ull * 700 * 2, 1, 255, 256, 257};
    for (size_t i = 0; i < WL_ARRAY_LEN(sizes); i++) {
        size_t s = wl_set_stride(sizes[i]);
        CHECK(s % WL_SET_ALIGN == 0 && s >= sizes[i] && s - sizes[i] < WL_SET_ALIGN,
              "stride %zu for %zu bytes", s, sizes[i]);
        for (size_t set = 1; set < 4; set++)
            CHECK((set * s) % 256 == 0, "set %zu of %zu-byte operands starts at %zu", set, sizes[i], set * s);
    }
    CHECK(wl_set_stride(256) == 256 && wl_set_stride(6145ull * 6145 * 4) == 151044352ull, "exact strides");
}

static void test_static(void) {
    test_cold_set_stride();
    CHECK(awl_workload_count() == 8, "%zu workloads", awl_workload_count());
    const char *names[] = {"gemm",  "bert_layer", "resnet_block", "stream",
                           "transfer", "peak",    "collective",   "dp_step"};
    for (size_t i = 0; i < WL_ARRAY_LEN(names); i++) {
        const awl_workload *w = awl_workload_find(names[i]);
        CHECK(w && w == awl_workload_at(i), "workload %s", names[i]);
        if (!w)
            continue;
        CHECK(w->config_count() > 0 && w->setup && w->run && w->verify && w->teardown &&
                  w->corrupt_output && w->libraries,
              "%s slots", names[i]);
        int quick = 0;
        for (size_t a = 0; a < w->config_count(); a++) {
            const awl_config *c = w->config_at(a);
            quick += c->quick;
            CHECK(c->id && c->id[0] && c->description && c->dtypes, "%s config %zu", names[i], a);
            CHECK(awl_config_find(w, c->id) == c, "%s: config id %s is not unique", names[i], c->id);
            CHECK(strpbrk(c->id, " ,") == NULL, "%s: config id '%s' has a space or comma", names[i], c->id);
        }
        CHECK(quick > 0 || strcmp(names[i], "transfer") == 0 || strcmp(names[i], "collective") == 0,
              "%s has no quick config", names[i]);
        const int across = strcmp(names[i], "collective") == 0 || strcmp(names[i], "dp_step") == 0;
        CHECK(awl_workload_needs_ranks(w) == across, "%s ranks", names[i]);
        /* Only dp_step has a one-rank run (its scaling efficiency) and configs without a size. */
        CHECK(awl_workload_runs_alone(w) == (strcmp(names[i], "dp_step") == 0), "%s runs alone", names[i]);
        if (strcmp(names[i], "dp_step") == 0)
            CHECK(awl_collective_size_bytes(w->config_at(0)) == 0 && awl_run_alone(awl_workload_find("gemm"), NULL, NULL) ==
                                                                          ACCEL_ERR_UNIMPLEMENTED,
                  "dp_step is no collective size sweep; gemm has no one-rank run");
    }
    CHECK(awl_workload_find("nope") == NULL, "unknown workload found");
    CHECK(awl_config_find(awl_workload_find("gemm"), "nope") == NULL, "unknown config found");
    /* Ids docs/workloads.md and the CLI name. */
    CHECK(awl_config_find(awl_workload_find("gemm"), "deepbench-5124x9124x2560-TN") != NULL, "deepbench id");
    CHECK(awl_config_find(awl_workload_find("gemm"), "bert-base-qkv-b8") != NULL, "bert-base-qkv-b8");
    CHECK(awl_config_find(awl_workload_find("gemm"), "2048-bias-gelu") != NULL, "2048-bias-gelu");
    CHECK(awl_config_find(awl_workload_find("bert_layer"), "base-s128-b8") != NULL, "base-s128-b8");
    CHECK(awl_config_find(awl_workload_find("resnet_block"), "conv3_x-identity-b32-nhwc") != NULL, "resnet id");
    CHECK(awl_config_find(awl_workload_find("resnet_block"), "conv2_x-first-b1-nchw") != NULL, "resnet id 2");
    /* nccl-tests' bus bandwidth factors and sizes (docs/scale-out.md). */
    const awl_workload *coll = awl_workload_find("collective");
    const struct { const char *id; int ranks; double factor; uint64_t bytes; } bus[] = {
        {"all_reduce-oop-8B", 4, 1.5, 8},           {"all_reduce-inplace-1GiB", 2, 1.0, 1ull << 30},
        {"all_gather-oop-64MiB", 4, 0.75, 64ull << 20}, {"reduce_scatter-inplace-1KiB", 2, 0.5, 1024},
        {"alltoall-oop-512B", 8, 0.875, 512},       {"broadcast-oop-2MiB", 4, 1.0, 2ull << 20},
        {"sendrecv-oop-16B", 3, 1.0, 16},
    };
    for (size_t b = 0; b < WL_ARRAY_LEN(bus); b++) {
        const awl_config *c = awl_config_find(coll, bus[b].id);
        CHECK(c && awl_collective_bus_factor(c, bus[b].ranks) == bus[b].factor &&
                  awl_collective_size_bytes(c) == bus[b].bytes,
              "collective %s", bus[b].id);
    }
    CHECK(coll->config_count() == 11 * 28, "%zu collective configs", coll->config_count());
    CHECK(awl_config_find(coll, "sendrecv-inplace-8B") == NULL, "in-place sendrecv");
    CHECK(awl_collective_bus_factor(awl_workload_find("gemm")->config_at(0), 2) == 0, "gemm factor");
    /* dtype names round-trip */
    for (int d = 0; d < AWL_DTYPE_COUNT; d++) {
        awl_dtype back = AWL_DTYPE_COUNT;
        CHECK(awl_dtype_parse(awl_dtype_name((awl_dtype)d), &back) == 0 && back == (awl_dtype)d, "dtype %d", d);
    }
    awl_dtype dummy;
    CHECK(awl_dtype_parse("float", &dummy) != 0, "bad dtype parsed");
    CHECK(strcmp(awl_dtype_name(AWL_BF16), "bf16") == 0, "bf16 name");

    /* FLOP counts of docs/workloads.md. */
    double base = wl_bert_flop_per_sequence(128, 768, 3072);
    double large = wl_bert_flop_per_sequence(384, 1024, 4096);
    CHECK(near_rel(base, 1.86e9, 0.01), "bert-base S=128: %.4g FLOP per sequence", base);
    CHECK(near_rel(large, 10.3e9, 0.01), "bert-large S=384: %.4g FLOP per sequence", large);
    const awl_config *id3 = awl_config_find(awl_workload_find("resnet_block"), "conv3_x-identity-b32-nhwc");
    if (id3) {
        double f = wl_resnet_flop_per_image(id3);
        CHECK(near_rel(f, 0.437e9, 0.01), "conv3_x identity: %.4g FLOP per image", f);
    }
    const awl_config *g2 = awl_config_find(awl_workload_find("gemm"), "bert-base-ffn1-b8-bias-gelu");
    CHECK(g2 && g2->m == 1024 && g2->n == 3072 && g2->k == 768, "bert ffn1 shape");

    /* A config too big for a device is refused with a reason before any allocation. */
    accel_device_info small;
    memset(&small, 0, sizeof small);
    small.memory_bytes = 1ull << 30;
    small.max_alloc_bytes = 256ull << 20;
    uint64_t es = 4, m = 8448, n = 24000, k = 2816;
    accel_status s = wl_check_fit(&small, (m * k + k * n + m * n) * es, m * n * es, "gemm 8448x24000x2816 fp32");
    CHECK(s == ACCEL_ERR_OUT_OF_MEMORY, "too-big gemm not refused (%d)", (int)s);
    CHECK(strstr(awl_last_error(), "8448x24000x2816") && strstr(awl_last_error(), "GiB"),
          "reason: '%s'", awl_last_error());
    s = wl_check_fit(&small, 100ull << 20, 300ull << 20, "one big buffer");
    CHECK(s == ACCEL_ERR_OUT_OF_MEMORY && strstr(awl_last_error(), "per allocation"), "max_alloc: '%s'",
          awl_last_error());
    CHECK(wl_check_fit(&small, 100ull << 20, 50ull << 20, "fits") == ACCEL_OK, "fits");
    small.memory_bytes = 0; /* unknown limits pass */
    small.max_alloc_bytes = 0;
    CHECK(wl_check_fit(&small, 1ull << 40, 1ull << 40, "unknown") == ACCEL_OK, "unknown limits");
}

static int skip_status(accel_status s) {
    return s == ACCEL_ERR_UNIMPLEMENTED || s == ACCEL_ERR_UNAVAILABLE || s == ACCEL_ERR_OUT_OF_MEMORY;
}

/* One (device, config, dtype, library): returns 1 when it ran and checked, 0 when skipped. */
static int run_one(const awl_workload *w, accel_device *dev, accel_stream *stream, const awl_config *c,
                   awl_dtype d, const char *lib, int cold) {
    const char *dev_id = accel_device_id(dev);
    awl_options opt = {cold, 42, lib, NULL};
    awl_setup_info info;
    memset(&info, 0, sizeof info);
    void *state = NULL;
    accel_status s = w->setup(dev, stream, c, d, &opt, &state, &info);
    if (skip_status(s)) {
        printf("  skip %s %s/%s %s lib='%s': %s\n", dev_id, w->name, c->id, awl_dtype_name(d), lib,
               awl_last_error());
        CHECK(state == NULL, "state left after a failed setup");
        CHECK(awl_last_error()[0] != '\0', "%s/%s: refused without a reason", w->name, c->id);
        return 0;
    }
    CHECK(s == ACCEL_OK, "%s %s/%s %s lib='%s' setup: %s: %s", dev_id, w->name, c->id, awl_dtype_name(d),
          lib, accel_status_str(s), awl_last_error());
    if (s != ACCEL_OK)
        return 0;
    CHECK(info.items > 0 && info.item && info.item[0], "%s/%s items", w->name, c->id);
    CHECK(info.bandwidth ? info.bytes > 0 : info.flop > 0, "%s/%s flop/bytes", w->name, c->id);
    for (int r = 0; r < 2 && s == ACCEL_OK; r++)
        s = w->run(state, stream);
    CHECK(s == ACCEL_OK, "%s/%s run: %s", w->name, c->id, awl_last_error());
    if (s == ACCEL_OK)
        s = accel_stream_synchronize(stream);
    awl_verify_result v;
    memset(&v, 0, sizeof v);
    if (s == ACCEL_OK)
        s = w->verify(state, stream, &v);
    CHECK(s == ACCEL_OK && v.checked && v.passed, "%s %s/%s %s lib='%s' verify: %s (err %.3g tol %.3g) %s",
          dev_id, w->name, c->id, awl_dtype_name(d), lib, v.detail, v.max_rel_err, v.tolerance,
          s == ACCEL_OK ? "" : awl_last_error());
    printf("  ok   %s %s/%s %s lib=%s (%s) err %.3g tol %.3g %s\n", dev_id, w->name, c->id,
           awl_dtype_name(d), info.library, info.compute_type, v.max_rel_err, v.tolerance, info.notes);
    if (s == ACCEL_OK) {
        s = w->corrupt_output(state, stream);
        CHECK(s == ACCEL_OK, "%s/%s corrupt_output: %s", w->name, c->id, awl_last_error());
        memset(&v, 0, sizeof v);
        if (s == ACCEL_OK)
            s = w->verify(state, stream, &v);
        CHECK(s == ACCEL_OK && v.checked && !v.passed, "%s/%s: verify passed a corrupted output", w->name, c->id);
        CHECK(v.detail[0] != '\0', "%s/%s: failed verify gives no detail", w->name, c->id);
    }
    w->teardown(state);
    return 1;
}

/* select: NULL = quick configs, "all", or a comma-separated list of config ids. */
static int selected(const awl_config *c, const char *select) {
    if (!select)
        return c->quick;
    if (strcmp(select, "all") == 0)
        return 1;
    size_t len = strlen(c->id);
    for (const char *p = select; (p = strstr(p, c->id)) != NULL; p += len)
        if ((p == select || p[-1] == ',') && (p[len] == '\0' || p[len] == ','))
            return 1;
    return 0;
}

/* The GEMM check on device data written by hand: the exact answer passes, and a 5% systematic error
 * (a wrong scale, say) in bf16 at K = 2048 fails through the normwise criterion, where the
 * elementwise bound alone (about 12 |ref| wide there) would have let it through. */
static void check_gemm_normwise(accel_device *dev, accel_stream *stream) {
    accel_gemm_desc g;
    memset(&g, 0, sizeof g);
    g.a_type = g.b_type = g.c_type = g.d_type = ACCEL_DTYPE_BF16;
    g.compute = ACCEL_COMPUTE_BF16;
    g.m = 16, g.n = 16, g.k = 2048, g.batch = 1, g.alpha = 1.0;
    void *a = wl_host_random(ACCEL_DTYPE_BF16, g.m * g.k, 7, -1.0, 1.0, 0);
    void *b = wl_host_random(ACCEL_DTYPE_BF16, g.k * g.n, 8, -1.0, 1.0, 0);
    uint16_t good[256], bad[256];
    for (int64_t i = 0; a && b && i < g.m; i++)
        for (int64_t j = 0; j < g.n; j++) {
            double ref, abs_sum;
            accel_ref_gemm_element(&g, a, b, NULL, NULL, 0, i, j, &ref, &abs_sum);
            accel_ref_store(ACCEL_DTYPE_BF16, good, i * g.n + j, ref);
            accel_ref_store(ACCEL_DTYPE_BF16, bad, i * g.n + j, ref * 1.05);
        }
    accel_buffer *d = NULL;
    CHECK(a && b && accel_buffer_alloc(dev, 2 * sizeof good, ACCEL_MEMORY_DEVICE, &d) == ACCEL_OK, "gemm check setup");
    if (d && accel_buffer_write(stream, d, 0, good, sizeof good) == ACCEL_OK &&
        accel_buffer_write(stream, d, sizeof good, bad, sizeof bad) == ACCEL_OK &&
        accel_stream_synchronize(stream) == ACCEL_OK) {
        wl_gemm_check chk = {&g, a, b, NULL, NULL, WL_GEMM_BOUND_G};
        awl_verify_result v;
        memset(&v, 0, sizeof v);
        CHECK(wl_verify_gemm(&chk, stream, d, 0, &v) == ACCEL_OK && v.checked && v.passed,
              "exact bf16 GEMM output rejected: %s", v.detail);
        memset(&v, 0, sizeof v);
        CHECK(wl_verify_gemm(&chk, stream, d, sizeof good, &v) == ACCEL_OK && v.checked && !v.passed &&
                  strstr(v.detail, "normwise"),
              "a 5%% systematic error passed the bf16 GEMM check (%s)", v.detail);
    }
    accel_buffer_free(d);
    free(a);
    free(b);
}

static int test_run(const char *workload, const char *select) {
    const awl_workload *w = awl_workload_find(workload);
    if (!w) {
        fprintf(stderr, "unknown workload %s\n", workload);
        return 2;
    }
    accel_runtime *rt = NULL;
    if (accel_runtime_open(NULL, &rt) != ACCEL_OK) {
        fprintf(stderr, "accel_runtime_open: %s\n", accel_last_error());
        return 1;
    }
    int count = 0, ran = 0;
    accel_runtime_device_count(rt, &count);
    for (int i = 0; i < count; i++) {
        char id[64];
        accel_device *dev = NULL;
        accel_stream *stream = NULL;
        if (accel_runtime_device_id(rt, i, id, sizeof id) != ACCEL_OK ||
            accel_device_open(rt, id, &dev) != ACCEL_OK) {
            printf("skip device %d: %s\n", i, accel_last_error());
            continue;
        }
        if (accel_stream_create(dev, &stream) != ACCEL_OK) {
            printf("skip %s: stream: %s\n", id, accel_last_error());
            accel_device_close(dev);
            continue;
        }
        printf("device %s\n", id);
        if (strcmp(w->name, "gemm") == 0)
            check_gemm_normwise(dev, stream);
        /* ACCEL_SMALL=1 (sanitizer CI): only the first selected config of the workload. */
        int small = getenv("ACCEL_SMALL") && strcmp(getenv("ACCEL_SMALL"), "0") != 0, taken = 0;
        for (size_t a = 0; a < w->config_count(); a++) {
            const awl_config *c = w->config_at(a);
            if (!selected(c, select) || (small && taken))
                continue;
            taken = 1;
            for (int d = 0; d < AWL_DTYPE_COUNT; d++) {
                if (!(c->dtypes & (1u << d)))
                    continue;
                const char *libs[8];
                size_t nl = w->libraries(dev, c, libs, 8);
                CHECK(nl >= 1, "%s: no library names", w->name);
                for (size_t l = 0; l < nl; l++)
                    ran += run_one(w, dev, stream, c, (awl_dtype)d, libs[l], 0);
            }
        }
        /* --cold: gemm rotates buffer sets; the last run's set is the one verified. */
        if (strcmp(w->name, "gemm") == 0 && !select && !small)
            ran += run_one(w, dev, stream, awl_config_find(w, "1024"), AWL_FP32, "", 1);
        accel_stream_destroy(stream);
        accel_device_close(dev);
    }
    accel_runtime_close(rt);
    if (failures)
        return 1;
    if (!ran) {
        printf("%s: nothing ran on any device (skipped)\n", workload);
        return 77;
    }
    printf("%s: %d runs verified and failed when corrupted\n", workload, ran);
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "static") == 0) {
        test_static();
    } else if (argc >= 3 && strcmp(argv[1], "run") == 0) {
        int rc = test_run(argv[2], argc >= 4 ? argv[3] : NULL);
        if (rc != 0 || failures)
            return rc ? rc : 1;
    } else {
        fprintf(stderr, "usage: %s static | run <workload> [all]\n", argv[0]);
        return 2;
    }
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("passed\n");
    return 0;
}

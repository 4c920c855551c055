/* cpu:0 through the public API: device info, buffers and transfers, timers, events, telemetry, and
 * the ops the backend refuses. */
#include <stdlib.h>
#include <string.h>

#include "cpu_test_util.h"

static void check_info(const test_env *env) {
    const accel_device_info *info = &env->info;
    CHECK(strcmp(info->backend, "cpu") == 0, "backend %s", info->backend);
    CHECK(info->type == ACCEL_DEVICE_CPU, "type %d", (int)info->type);
    CHECK(info->name[0] != '\0', "empty name");
    CHECK(info->compute_units >= 1, "compute_units %d", info->compute_units);
    CHECK(info->memory_bytes > 0, "memory_bytes 0");
    CHECK(info->cache_bytes > 0, "cache_bytes 0");
    CHECK(info->driver_version[0] != '\0', "no kernel release in driver_version");
    CHECK(info->features & ACCEL_FEATURE_UNIFIED_MEMORY, "no UNIFIED_MEMORY");
    CHECK(info->features & ACCEL_FEATURE_FP64, "no FP64");
    CHECK(!(info->features & ACCEL_FEATURE_TF32), "TF32 claimed on a CPU");
    CHECK(info->module_formats == (1u << ACCEL_MODULE_CPU_TABLE), "module_formats 0x%x",
          info->module_formats);
    CHECK(test_env_has_library(env, "accel"), "op_libraries %s", info->op_libraries);
    /* features must agree with the ISA string */
    int bf16_isa = strstr(info->isa, "AVX512_BF16") || strstr(info->isa, "AMX-BF16");
    CHECK(!!(info->features & ACCEL_FEATURE_BF16) == bf16_isa, "BF16 flag vs isa \"%s\"", info->isa);
    CHECK(!!(info->features & ACCEL_FEATURE_FP16) == !!strstr(info->isa, "AVX512_FP16"),
          "FP16 flag vs isa \"%s\"", info->isa);
    CHECK(!!(info->features & ACCEL_FEATURE_MATRIX_UNITS) == !!strstr(info->isa, "AMX-TILE"),
          "MATRIX_UNITS flag vs isa \"%s\"", info->isa);
    /* The theoretical peak bounds every row: fp32 from the FMA units, bf16/fp16 at least that
     * (widened to fp32 without their own instructions), fp8 the fastest of them, bandwidth unknown. */
    const double *t = info->vendor_peak.tflops;
    CHECK(strncmp(info->vendor_peak.source, "theoretical:", 12) == 0, "peak source \"%s\"",
          info->vendor_peak.source);
    CHECK(t[ACCEL_COMPUTE_F32] > 0 && t[ACCEL_COMPUTE_F64] * 2 == t[ACCEL_COMPUTE_F32] &&
              t[ACCEL_COMPUTE_BF16] >= t[ACCEL_COMPUTE_F32] && t[ACCEL_COMPUTE_F16] >= t[ACCEL_COMPUTE_F32],
          "peak fp32 %g fp64 %g bf16 %g fp16 %g", t[ACCEL_COMPUTE_F32], t[ACCEL_COMPUTE_F64],
          t[ACCEL_COMPUTE_BF16], t[ACCEL_COMPUTE_F16]);
    CHECK(info->vendor_peak_fp8_tflops >= t[ACCEL_COMPUTE_BF16] && info->vendor_peak_fp8_tflops >= t[ACCEL_COMPUTE_F16],
          "fp8 peak %g", info->vendor_peak_fp8_tflops);
    CHECK(info->vendor_peak.memory_gbps == 0, "memory bandwidth claimed: %g", info->vendor_peak.memory_gbps);
    CHECK(strstr(info->notes, "peak = ") != NULL, "notes do not say how the peak was computed: %s", info->notes);
    /* The measured bf16 dot rate is there exactly when the CPU has the instruction, and plausible. */
    const char *dot = strstr(info->notes, "bf16 dot ");
    CHECK(!!dot == !!strstr(info->isa, "AVX512_BF16"), "bf16 dot rate vs isa \"%s\": %s", info->isa, info->notes);
    if (dot) {
        const double r = strtod(dot + strlen("bf16 dot "), NULL);
        CHECK(r > 0.05 && r < 16.0, "bf16 dot rate %g: %s", r, info->notes);
        CHECK(strstr(dot, "bf16 on fp32 kernels") || strstr(dot, "bf16 on bf16 kernels"),
              "no kernel choice: %s", info->notes);
    }
    if (test_env_has_library(env, "onednn"))
        CHECK(strncmp(info->runtime_version, "oneDNN ", 7) == 0, "runtime_version %s",
              info->runtime_version);
    printf("cpu:0 \"%s\" vendor %s, %d cores, %llu MiB, LLC %llu KiB, isa \"%s\", libraries %s, "
           "kernel %s, %s\n",
           info->name, info->vendor, info->compute_units,
           (unsigned long long)(info->memory_bytes >> 20), (unsigned long long)(info->cache_bytes >> 10),
           info->isa, info->op_libraries, info->driver_version, info->runtime_version);
}

static void check_buffers(test_env *env) {
    enum { N = 1000 };
    float src[N], back[N];
    for (int i = 0; i < N; i++) src[i] = (float)i * 0.5f;
    accel_buffer *a = test_alloc(env, N * sizeof(float));
    accel_buffer *pinned = NULL;
    CHECK_OK(accel_buffer_alloc(env->dev, N * sizeof(float), ACCEL_MEMORY_HOST_PINNED, &pinned));
    CHECK_OK(accel_buffer_write(env->stream, a, 0, src, sizeof src));
    CHECK_OK(accel_buffer_copy(env->stream, pinned, 0, a, 0, sizeof src));
    void *host = NULL;
    CHECK_OK(accel_buffer_host_ptr(pinned, &host));
    CHECK(host && memcmp(host, src, sizeof src) == 0, "pinned copy differs");
    void *dev_host = NULL;
    CHECK_OK(accel_buffer_host_ptr(a, &dev_host)); /* unified memory */
    CHECK(dev_host && ((uintptr_t)dev_host % 64) == 0, "device host pointer not 64-byte aligned");
    /* copy with offsets, fill with a 4-byte pattern */
    CHECK_OK(accel_buffer_copy(env->stream, a, 16, pinned, 0, 100 * sizeof(float)));
    float pattern = -3.0f;
    CHECK_OK(accel_buffer_fill(env->stream, a, 800 * sizeof(float), 100 * sizeof(float), &pattern,
                               sizeof pattern));
    test_download(env, a, back, sizeof back);
    int bad = 0;
    for (int i = 0; i < N; i++) {
        float want = i >= 4 && i < 104 ? src[i - 4] : i >= 800 && i < 900 ? -3.0f : src[i];
        bad += back[i] != want;
    }
    CHECK(bad == 0, "%d elements wrong after copy/fill", bad);
    /* a large write goes through the parallel copy */
    size_t big = (size_t)9 << 20;
    unsigned char *h = malloc(big), *h2 = malloc(big);
    for (size_t i = 0; i < big; i++) h[i] = (unsigned char)(i * 7 + 3);
    accel_buffer *b = test_alloc(env, big);
    CHECK_OK(accel_buffer_write(env->stream, b, 0, h, big));
    test_download(env, b, h2, big);
    CHECK(memcmp(h, h2, big) == 0, "9 MiB round trip differs");
    free(h);
    free(h2);
    accel_buffer_free(b);
    accel_buffer_free(a);
    accel_buffer_free(pinned);
}

static void check_timing(test_env *env) {
    accel_timer *t = NULL;
    CHECK_OK(accel_timer_create(env->dev, &t));
    double res = 0, ms = -1;
    const char *name = NULL;
    CHECK_OK(accel_timer_properties(env->dev, &res, &name));
    CHECK(name && strcmp(name, "clock-monotonic") == 0, "timer name %s", name ? name : "(null)");
    CHECK(res > 0, "resolution %g", res);
    CHECK_OK(accel_timer_begin(t, env->stream));
    float x[4096];
    accel_buffer *b = test_alloc(env, sizeof x);
    for (int i = 0; i < 10; i++) CHECK_OK(accel_buffer_write(env->stream, b, 0, x, sizeof x));
    CHECK_OK(accel_timer_end(t, env->stream));
    CHECK_OK(accel_timer_elapsed_ms(t, &ms));
    CHECK(ms >= 0, "elapsed %g", ms);
    accel_timer_destroy(t);
    accel_event *e = NULL;
    CHECK_OK(accel_event_create(env->dev, &e));
    CHECK_OK(accel_event_record(e, env->stream));
    CHECK_OK(accel_stream_wait_event(env->stream, e));
    CHECK_OK(accel_event_synchronize(e));
    accel_event_destroy(e);
    accel_buffer_free(b);
    CHECK_OK(accel_device_synchronize(env->dev));
    accel_device_telemetry tel;
    memset(&tel, 0, sizeof tel);
    tel.struct_size = sizeof tel;
    accel_status st = accel_device_telemetry_get(env->dev, &tel);
    CHECK(st == ACCEL_OK || st == ACCEL_ERR_UNIMPLEMENTED, "telemetry %s", accel_status_str(st));
    if (st == ACCEL_OK) printf("telemetry: clock %.0f MHz, energy %.3f J\n", tel.clock_mhz, tel.energy_j);
}

static void check_refusals(test_env *env) {
    accel_op_desc desc;
    memset(&desc, 0, sizeof desc);
    desc.kind = ACCEL_OP_ATTENTION;
    desc.u.attention = (accel_attention_desc){ACCEL_DTYPE_F32, ACCEL_COMPUTE_DEFAULT, 1, 2, 8, 4, 0.5, 0};
    snprintf(desc.library, sizeof desc.library, "openblas");
    accel_op_plan *plan = NULL;
    /* With OpenBLAS loaded the refusal names the op; without it (a GPU host, ACCEL_HIDE_DEPS), it
     * names the missing library, before any op is looked at. */
    const char *reason = test_env_has_library(env, "openblas") ? "attention" : "openblas unavailable";
    CHECK(accel_op_plan_create(env->dev, &desc, &plan) == ACCEL_ERR_UNIMPLEMENTED &&
              strstr(accel_last_error(), reason),
          "attention through openblas should be UNIMPLEMENTED naming \"%s\": %s", reason, accel_last_error());
    if (plan) accel_op_plan_destroy(plan);
    plan = NULL;
    desc.library[0] = '\0'; /* the default path runs it (library accel) */
    CHECK(accel_op_plan_create(env->dev, &desc, &plan) == ACCEL_OK && plan &&
              strcmp(accel_op_plan_library(plan), "accel") == 0,
          "attention on the default path: %s", accel_last_error());
    if (plan) accel_op_plan_destroy(plan);
    plan = NULL;
    memset(&desc, 0, sizeof desc);
    desc.kind = ACCEL_OP_LAYERNORM;
    snprintf(desc.library, sizeof desc.library, "openblas");
    desc.u.layernorm = (accel_layernorm_desc){ACCEL_DTYPE_F32, 4, 8, 1e-5, 0};
    accel_status st = accel_op_plan_create(env->dev, &desc, &plan);
    CHECK(st == ACCEL_ERR_UNIMPLEMENTED, "layernorm on openblas: %s", accel_status_str(st));
    if (plan) accel_op_plan_destroy(plan);
}

int main(void) {
    test_env env;
    test_env_open(&env);
    check_info(&env);
    check_buffers(&env);
    check_timing(&env);
    check_refusals(&env);
    test_env_close(&env);
    return test_finish("cpu_device_test");
}

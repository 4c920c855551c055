/* Compiles every embedded shared kernel source (backends/gpu_common/kernels, *.cu) with hiprtc for
 * one ISA (default gfx90a), with no GPU needed. Exits 1 with the compile log on any failure, 77
 * (ctest SKIP_RETURN_CODE) with the reason when hiprtc itself is absent. */
#include "hip_api.h"
#include "hip_kernel_params.h"
#include "hip_kernel_sources.h"
#include "hip_rtc.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SKIP = 77 };

/* The host mirrors of the by-value parameter structs (hip_kernel_params.h) must match what the
 * device compiler lays out: the sources that take one are compiled with static_asserts on the
 * size and a few offsets appended. Returns the text to append ("" for the other sources). */
static void layout_asserts(const char *name, char *out, size_t len) {
    out[0] = '\0';
    size_t used = 0;
    /* Every kernel the plugin launches from this source, with the parameters the host packs. */
    for (size_t i = 0; i < hip_kernel_signature_count && used < len; ++i) {
        const hip_kernel_signature *k = &hip_kernel_signatures[i];
        if (strcmp(k->source, name) == 0)
            used += (size_t)snprintf(out + used, len - used,
                                     "\nstatic_assert(__is_same(decltype(&%s), %s), \"the HIP "
                                     "plugin packs %s's arguments as %s\");",
                                     k->kernel, k->type, k->kernel, k->type);
    }
    if (used >= len)
        return;
    out += used;
    len -= used;
    if (strcmp(name, "gemm.cu") == 0)
        snprintf(out, len,
                 "\nstatic_assert(sizeof(accel_gemm_params) == %zu, \"gemm size\");"
                 "\nstatic_assert(__builtin_offsetof(accel_gemm_params, alpha) == %zu, \"alpha\");"
                 "\nstatic_assert(__builtin_offsetof(accel_gemm_params, trans_a) == %zu, \"trans_a\");"
                 "\nstatic_assert(__builtin_offsetof(accel_gemm_params, round_tf32) == %zu, \"tf32\");\n",
                 sizeof(hip_gemm_params), offsetof(hip_gemm_params, alpha),
                 offsetof(hip_gemm_params, trans_a), offsetof(hip_gemm_params, round_tf32));
    else if (strcmp(name, "conv2d.cu") == 0)
        snprintf(out, len,
                 "\nstatic_assert(sizeof(accel_conv2d_params) == %zu, \"conv size\");"
                 "\nstatic_assert(__builtin_offsetof(accel_conv2d_params, dil_w) == %zu, \"dil_w\");"
                 "\nstatic_assert(__builtin_offsetof(accel_conv2d_params, relu) == %zu, \"relu\");\n",
                 sizeof(hip_conv2d_params), offsetof(hip_conv2d_params, dil_w),
                 offsetof(hip_conv2d_params, relu));
    else if (strcmp(name, "attention.cu") == 0)
        snprintf(out, len,
                 "\nstatic_assert(sizeof(accel_attention_params) == %zu, \"attention size\");"
                 "\nstatic_assert(__builtin_offsetof(accel_attention_params, scale) == %zu, \"scale\");\n",
                 sizeof(hip_attention_params), offsetof(hip_attention_params, scale));
    else if (strcmp(name, "permute.cu") == 0)
        snprintf(out, len,
                 "\nstatic_assert(sizeof(accel_permute_params) == %zu, \"permute size\");"
                 "\nstatic_assert(__builtin_offsetof(accel_permute_params, in_strides) == %zu, \"strides\");"
                 "\nstatic_assert(__builtin_offsetof(accel_permute_params, ndims) == %zu, \"ndims\");\n",
                 sizeof(hip_permute_params), offsetof(hip_permute_params, in_strides),
                 offsetof(hip_permute_params, ndims));
}

int main(int argc, char **argv) {
    const char *arch = argc > 1 ? argv[1] : "gfx90a";
    hip_api api;
    char reason[512] = "";
    if (hip_api_open(&api, 0, reason, sizeof reason) != ACCEL_OK) {
        printf("SKIP: %s\n", reason);
        return SKIP;
    }
    if (!hip_api_has_rtc(&api)) {
        printf("SKIP: no hiprtc in libhiprtc.so.6/.so.5 or %s\n", api.hip_lib_name);
        hip_api_close(&api);
        return SKIP;
    }
    if (hip_kernel_sources_count == 0) {
        printf("FAIL: no kernel sources embedded (backends/gpu_common/kernels/*.cu)\n");
        hip_api_close(&api);
        return 1;
    }
    char version[96];
    hip_rtc_version(&api, version, sizeof version);
    int failures = 0;
    for (size_t i = 0; i < hip_kernel_sources_count; ++i) {
        const hip_source *src = &hip_kernel_sources[i];
        char asserts[8192];
        layout_asserts(src->name, asserts, sizeof asserts);
        size_t n = src->size + strlen(asserts) + 1;
        char *text = malloc(n);
        if (!text)
            return 1;
        snprintf(text, n, "%s%s", src->text, asserts);
        hip_rtc_result r;
        accel_status st = hip_rtc_compile(&api, src->name, text, arch, NULL, &r);
        free(text);
        if (st != ACCEL_OK) {
            printf("FAIL %s for %s with %s:\n%s\n", src->name, arch, version,
                   r.log ? r.log : r.message);
            free(r.log);
            ++failures;
            continue;
        }
        /* A code object is an ELF or a clang offload bundle of ELFs. */
        int elf = r.code_size > 4 && memcmp(r.code, "\177ELF", 4) == 0;
        int bundle = r.code_size > 24 && memcmp(r.code, "__CLANG_OFFLOAD_BUNDLE__", 24) == 0;
        if (!elf && !bundle) {
            printf("FAIL %s: hiprtc returned %zu bytes that are neither ELF nor an offload bundle\n",
                   src->name, r.code_size);
            ++failures;
        } else {
            printf("ok   %s -> %zu bytes (%s)%s\n", src->name, r.code_size, elf ? "ELF" : "bundle",
                   asserts[0] ? ", launched kernels' parameters match the host packing" : "");
        }
        free(r.code);
    }
    hip_api_close(&api);
    printf("%d of %zu sources failed (%s, %s)\n", failures, hip_kernel_sources_count, arch, version);
    return failures ? 1 : 0;
}

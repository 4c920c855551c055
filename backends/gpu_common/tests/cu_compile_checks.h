/* What the compile tests (NVRTC: backends/cuda/tests/cuda_nvrtc_compile_test.c, hipRTC:
 * backends/hip/tests/hip_rtc_compile_test.c) append to a kernel source before compiling it, so the
 * device compiler itself checks the two contracts between the kernels and the planner:
 * - every entry the planner names in this source has the parameter list it launches it with
 *   (accel_cu_entries), and
 * - every by-value parameter struct (accel_cu_params.h) has the size and, field by field, the
 *   offsets the host compiler gave it, since the plugins copy the host's bytes into the launch.
 *   NVRTC has no constant offsetof (neither offsetof nor __builtin_offsetof): there the offsets
 *   are skipped (#ifndef __CUDACC_RTC__) and sizes and signatures checked; hipRTC (clang) checks
 *   all three.
 * Header-only, for the two tests. */
#ifndef ACCEL_CU_COMPILE_CHECKS_H
#define ACCEL_CU_COMPILE_CHECKS_H

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "accel_cu_planner.h"

/* The new fill after snprintf wrote n bytes at used (len: out of room). */
static size_t accel_cu_checks_add(size_t len, size_t used, int n) {
    if (n < 0) return len;
    return used + (size_t)n < len ? used + (size_t)n : len;
}

/* Writes the checks for kernel source `source` ("gemm.cu") into out; returns the bytes written, or
 * len when out was too small (the caller fails the test). Counts the checks in *checks. */
static size_t accel_cu_compile_checks(const char *source, char *out, size_t len, int *checks) {
    size_t used = 0;
    out[0] = '\0';
    used = accel_cu_checks_add(len, used,
                               snprintf(out + used, len - used,
                                        "\ntemplate <class A, class B> struct accel_check_same { enum { value = 0 }; };"
                                        "\ntemplate <class A> struct accel_check_same<A, A> { enum { value = 1 }; };\n"));
    for (size_t i = 0; i < accel_cu_entry_count && used < len; ++i) {
        const accel_cu_entry *e = &accel_cu_entries[i];
        if (strcmp(e->source, source) != 0) continue;
        used = accel_cu_checks_add(len, used,
                                   snprintf(out + used, len - used,
                                            "static_assert(accel_check_same<decltype(&%s), %s>::value, \"the planner "
                                            "launches %s with the arguments %s\");\n",
                                            e->entry, e->signature, e->entry, e->signature));
        ++*checks;
    }
#define ACCEL_CU_CHECK_FIELD(type, name, extent)                                                  \
    used = accel_cu_checks_add(len, used,                                                     \
                               snprintf(out + used, len - used,                                    \
                                        "#ifndef __CUDACC_RTC__\n"                                 \
                                        "static_assert(__builtin_offsetof(%s, " #name ") == %zu, "  \
                                        "\"%s." #name ": the host puts it at %zu\");\n#endif\n",   \
                                        sname, offsetof(host_t, name), sname,                      \
                                        offsetof(host_t, name)));                                  \
    ++*checks;
#define ACCEL_CU_CHECK_STRUCT(type_name, fields)                                                   \
    {                                                                                              \
        typedef type_name host_t;                                                                  \
        const char *sname = #type_name;                                                            \
        fields(ACCEL_CU_CHECK_FIELD) used = accel_cu_checks_add(                                   \
            len, used,                                                                             \
            snprintf(out + used, len - used,                                                       \
                     "static_assert(sizeof(%s) == %zu, \"%s: the host's size is %zu\");\n", sname,  \
                     sizeof(host_t), sname, sizeof(host_t)));                                      \
        ++*checks;                                                                                 \
    }
    if (used < len) {
        ACCEL_CU_PARAM_STRUCTS(ACCEL_CU_CHECK_STRUCT)
    }
#undef ACCEL_CU_CHECK_STRUCT
#undef ACCEL_CU_CHECK_FIELD
    return used;
}

#endif

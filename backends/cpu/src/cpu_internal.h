/* Objects of the CPU backend. Everything runs on the host: buffers are host memory, streams run work
 * synchronously in order on the calling thread, and the ops spread themselves over OpenMP threads. */
#ifndef ACCEL_CPU_INTERNAL_H
#define ACCEL_CPU_INTERNAL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "accel/cpu_kernel.h"
#include "accel/plugin.h"
#include "cpu_rapl.h"

/* Host allocations are page aligned: vector loads never split a line and huge pages may apply. */
#define CPU_ALIGNMENT 4096u

typedef struct cpu_openblas cpu_openblas; /* dlopen'ed OpenBLAS symbol table, NULL when absent */
typedef struct cpu_onednn cpu_onednn;     /* oneDNN engine + stream, NULL when not built in */

typedef struct cpu_context {
    const accel_host_services *host;
    int cores;                /* CPUs this process may run on */
    int threads;              /* OpenMP threads the ops use (OMP_NUM_THREADS, else one per CPU) */
    cpu_openblas *openblas;
    char openblas_reason[256];
    cpu_onednn *onednn;
    char onednn_reason[256];
    /* Theoretical peak (backends/common), measured once at the first device open. */
    int physical_cores;       /* cores behind `cores` CPUs (SMT siblings share FMA pipes) */
    int peak_known;
    accel_peak_table peak;
    double peak_fp8_tflops;
    char peak_how[256];
    /* vdpbf16ps multiply-adds per second over the fp32 FMA's (backends/common cpu_bf16_rate.c),
     * measured with the peak at the first open; 0 without AVX512_BF16. Decides whether bf16 ops run
     * on the bf16 kernels; the peak's bf16 roof already follows from it. */
    double bf16_dot_vs_fp32;
    atomic_uint_least64_t buffer_serials; /* the last cpu_buffer.serial handed out */
} cpu_context;

/* 1 when this CPU's bf16 ops are faster on fp32 kernels (the bf16 data widened, fp32 accumulation
 * either way): no AMX, and a bf16 dot product that does not out-run the fp32 FMA by enough to pay
 * for the conversions. */
int cpu_bf16_prefers_f32(const cpu_context *ctx);

typedef struct cpu_device {
    cpu_context *ctx;
    cpu_rapl rapl; /* package energy (telemetry); $ACCEL_SYSFS_ROOT stands for /sys in tests */
} cpu_device;

typedef struct cpu_buffer {
    void *data;
    size_t bytes;
    int locked; /* mlock succeeded (HOST_PINNED) */
    /* Unique per allocation in this context, never reused (an address may be, after a free): what
     * a weights cache under the constant hint keys a binding on (cpu_weights_cache.h). */
    uint64_t serial;
} cpu_buffer;

typedef struct cpu_stream {
    cpu_device *dev;
} cpu_stream;

typedef struct cpu_timer {
    cpu_device *dev;
    double begin_ns, end_ns;
    int begun, ended;
} cpu_timer;

typedef struct cpu_plan cpu_plan;
typedef accel_status (*cpu_plan_execute_fn)(cpu_plan *plan, const accel_plugin_ref *operands,
                                            void *workspace);
typedef void (*cpu_plan_destroy_fn)(cpu_plan *plan);

/* Every op plan starts with this header; each implementation extends it. */
struct cpu_plan {
    cpu_context *ctx;
    cpu_plan_execute_fn execute;
    cpu_plan_destroy_fn destroy;
    size_t workspace_bytes;
};

static inline void *cpu_ref_ptr(accel_plugin_ref ref) {
    return ref.buffer ? (char *)((cpu_buffer *)ref.buffer)->data + ref.offset : NULL;
}

static inline uint64_t cpu_ref_serial(accel_plugin_ref ref) {
    return ref.buffer ? ((const cpu_buffer *)ref.buffer)->serial : 0;
}

/* Library selection: "" = default (oneDNN when built in, else ours). */
typedef enum cpu_library { CPU_LIB_ONEDNN, CPU_LIB_OPENBLAS, CPU_LIB_ACCEL } cpu_library;
const char *cpu_library_name(cpu_library lib);

/* Plan constructors, one per (op, library). Each answers UNIMPLEMENTED with a reason for what it
 * does not run. `info` gets the library/algorithm strings. */
accel_status cpu_gemm_plan_accel(cpu_context *ctx, const accel_gemm_desc *d, cpu_plan **out,
                                 accel_plugin_plan_info *info);
accel_status cpu_gemm_plan_openblas(cpu_context *ctx, const accel_gemm_desc *d, cpu_plan **out,
                                    accel_plugin_plan_info *info);
accel_status cpu_conv_plan_accel(cpu_context *ctx, const accel_conv2d_desc *d, cpu_plan **out,
                                 accel_plugin_plan_info *info);
/* The row-wise family (accel_op_is_row_wise), cpu_rowwise_ops.c. */
accel_status cpu_rowwise_plan(cpu_context *ctx, const accel_op_desc *desc, cpu_plan **out,
                              accel_plugin_plan_info *info);
accel_status cpu_attention_plan(cpu_context *ctx, const accel_attention_desc *d, cpu_plan **out,
                                accel_plugin_plan_info *info);
accel_status cpu_eltwise_plan(cpu_context *ctx, const accel_eltwise_desc *d, cpu_plan **out,
                              accel_plugin_plan_info *info);
accel_status cpu_permute_plan(cpu_context *ctx, const accel_permute_desc *d, cpu_plan **out,
                              accel_plugin_plan_info *info);
#ifdef ACCEL_CPU_HAVE_ONEDNN
accel_status cpu_onednn_open(cpu_context *ctx);
void cpu_onednn_close(cpu_context *ctx);
const char *cpu_onednn_version(char *buf, size_t len);
accel_status cpu_gemm_plan_onednn(cpu_context *ctx, const accel_gemm_desc *d, cpu_plan **out,
                                  accel_plugin_plan_info *info);
accel_status cpu_conv_plan_onednn(cpu_context *ctx, const accel_conv2d_desc *d, cpu_plan **out,
                                  accel_plugin_plan_info *info);
/* NCHW 1x1 stride-1 unpadded convs as a oneDNN matmul (cpu_conv_onednn_1x1.c) */
int cpu_conv_onednn_1x1_applies(const accel_conv2d_desc *d);
accel_status cpu_conv_plan_onednn_1x1(cpu_context *ctx, const accel_conv2d_desc *d, cpu_plan **out,
                                      accel_plugin_plan_info *info);
#endif

accel_status cpu_openblas_open(cpu_context *ctx);
void cpu_openblas_close(cpu_context *ctx);

/* Slots living in their own files. */
accel_status cpu_device_info_fill(cpu_device *dev, accel_device_info *info);
accel_status cpu_device_telemetry_read(void *dev, accel_device_telemetry *out);
accel_status cpu_module_load(void *dev, accel_module_format format, const void *bytes,
                             size_t size, const char *options, void **module);
void cpu_module_unload(void *module);
accel_status cpu_kernel_get(void *module, const char *name, void **kernel);
void cpu_kernel_release(void *kernel);
accel_status cpu_kernel_launch(void *stream, void *kernel, const uint32_t grid[3],
                               const uint32_t group[3], const accel_plugin_arg *args, size_t nargs,
                               size_t shared_bytes);
accel_status cpu_op_plan_create(void *dev, const accel_op_desc *desc, void **plan,
                                accel_plugin_plan_info *info);
void cpu_op_plan_destroy(void *plan);
accel_status cpu_op_plan_execute(void *plan, void *stream, const accel_plugin_ref *operands,
                                 size_t noperands, accel_plugin_ref workspace);

void *cpu_aligned_alloc(size_t bytes);
void cpu_aligned_free(void *p);
double cpu_now_ns(void);
int cpu_max_threads(void);

#endif

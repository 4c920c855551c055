/* Helpers shared by the workloads: dtype mapping, error reasons, device fit checks, buffer lists,
 * uploads of seeded random data, and op plans with a shared workspace. Public HAL API only. */
#ifndef WL_COMMON_H
#define WL_COMMON_H

#include "accel/reference.h"
#include "accel_workload.h"

#include <stdarg.h>

#define WL_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Storage and compute types of a CSV dtype (tf32 = fp32 storage, TF32 compute). */
accel_dtype wl_storage_type(awl_dtype d);
accel_compute_type wl_compute_type(awl_dtype d);

/* Records the reason for a workload-level failure (the HAL offers no public setter for
 * accel_last_error(), so the reason lives here: see awl_last_error()) and returns status. */
accel_status wl_fail(accel_status status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Same for a failing HAL call: keeps the HAL's own message with what we were doing. */
accel_status wl_fail_hal(accel_status status, const char *what);
void wl_clear_error(void);

accel_status wl_device_info(accel_device *dev, accel_device_info *info);

/* Does a working set of `total` bytes whose largest single buffer is `largest` fit the device?
 * Unknown limits (0) pass. OUT_OF_MEMORY with the reason otherwise. */
accel_status wl_check_fit(const accel_device_info *info, uint64_t total, uint64_t largest,
                          const char *what);

/* wl_check_fit for n buffers of counts[i] elements of es bytes plus `extra` bytes, against the
 * device's limits (a layer's whole working set). */
accel_status wl_check_counts_fit(accel_device *dev, const int64_t *counts, int n, size_t es, uint64_t extra,
                                 const char *what);

/* Every buffer a workload allocates goes on one list so teardown and failed setups free all. */
#define WL_MAX_BUFFERS 64
typedef struct wl_buffers {
    accel_buffer *items[WL_MAX_BUFFERS];
    int count;
    size_t bytes;
} wl_buffers;
accel_status wl_alloc(wl_buffers *list, accel_device *dev, size_t bytes, accel_memory_kind kind,
                      accel_buffer **out);
void wl_free_all(wl_buffers *list);

/* --cold rotates copies of an operand packed in one buffer. Each copy starts on a 256-byte boundary
 * (cuBLASLt and the tensor-core paths want 256-byte aligned operands; buffers themselves are
 * aligned at least that much): the distance between copies of an operand of `bytes`. */
#define WL_SET_ALIGN 256u
size_t wl_set_stride(size_t bytes);

/* Host array of `count` seeded random values in [lo, hi), representable in `dtype` (and in TF32 when
 * tf32 is set). NULL on allocation failure. */
void *wl_host_random(accel_dtype dtype, int64_t count, uint64_t seed, double lo, double hi, int tf32);
/* wl_host_random of `count` values into *host (kept for verification), uploaded to dst; `what`
 * names the inputs in the out-of-memory message. */
accel_status wl_upload_random(accel_stream *s, accel_buffer *dst, accel_dtype dtype, int64_t count, uint64_t seed,
                              double lo, double hi, int tf32, void **host, const char *what);
/* Upload host data and wait (setup only). */
accel_status wl_upload(accel_stream *s, accel_buffer *dst, size_t offset, const void *src, size_t bytes);
/* malloc + read + synchronize; the caller frees *out. */
accel_status wl_download(accel_stream *s, accel_buffer *src, size_t offset, size_t bytes, void **out);

/* Plan an op; keeps the largest workspace need in *max_workspace. */
accel_status wl_plan(accel_device *dev, const accel_op_desc *desc, accel_op_plan **out,
                     size_t *max_workspace);
accel_buffer_ref wl_ref(accel_buffer *b, size_t offset);
/* Append "lib:algorithm" of a plan to a library/notes description (deduplicated, truncated). */
void wl_note_plan(char *library, size_t library_len, const accel_op_plan *plan);
void wl_appendf(char *dst, size_t len, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Overwrite element `index` of a dtype buffer with a value far from any plausible result (test hook). */
accel_status wl_corrupt_element(accel_stream *s, accel_buffer *buf, size_t offset, accel_dtype dtype,
                                int64_t index);

/* Library list for workloads that do not choose a library: the device default only. */
size_t wl_default_library(accel_device *dev, const awl_config *cfg, const char **names, size_t max);
/* Every op library the device offers (the device's default first), "" when it lists none. The names
 * point into storage owned by the caller-supplied info copy kept per thread. */
size_t wl_device_libraries(accel_device *dev, const char **names, size_t max);

/* Verification helpers (common/verify.c). */
typedef struct wl_gemm_check {
    const accel_gemm_desc *desc;
    const void *a, *b, *c, *bias; /* host copies, as the device saw them */
    double g;                     /* safety factor of the docs/workloads.md bound */
} wl_gemm_check;
/* Samples ~1000 outputs of D (all when small; always index 0 of batch 0 and the last element),
 * reads each from the device buffer and checks it against the fp64 bound. */
accel_status wl_verify_gemm(const wl_gemm_check *chk, accel_stream *s, accel_buffer *d_buf,
                            size_t d_offset, awl_verify_result *out);
/* Normwise check of one output block read from the device against an fp64 reference; keeps the
 * worst error in out (call once per checked block). */
void wl_verify_normwise(accel_dtype t, const void *got, const double *ref, int64_t count, double tol,
                        const char *what, awl_verify_result *out);
/* A layer's check: the first and the last batch entry of the output (per_item elements of type t
 * each, at out_buf) against reference(state, entry, ref), normwise at the dtype's layer tolerance;
 * reference returns 0 when out of host memory. item names an entry in messages ("sequence"). */
typedef int (*wl_item_reference_fn)(void *state, int64_t entry, double *ref);
accel_status wl_verify_layer_items(accel_stream *stream, accel_buffer *out_buf, accel_dtype t, awl_dtype dtype,
                                   int64_t batch, int64_t per_item, const char *item,
                                   wl_item_reference_fn reference, void *state, awl_verify_result *out);
/* Normwise thresholds per dtype for whole-layer checks (documented in docs/workloads.md). */
double wl_layer_tolerance(awl_dtype d);

/* Dense fp64 helpers used by the layer references (common/ref_dense.c). */
void wl_dgemm(int64_t m, int64_t n, int64_t k, const double *a, int trans_a, const double *b,
              int trans_b, double *c);
double *wl_to_double(accel_dtype t, const void *src, int64_t count);

#endif

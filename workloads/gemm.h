/* gemm workload, and the GEMM runner that peak's "matrix" configs reuse. */
#ifndef WL_GEMM_H
#define WL_GEMM_H

#include "common/wl_common.h"

extern const awl_workload awl_gemm_workload;

typedef struct wl_gemm_shape {
    int64_t m, n, k, batch;
    int trans_a, trans_b;
    uint32_t epilogue;
} wl_gemm_shape;

/* Setup/run/verify/teardown/corrupt of one GEMM shape; the gemm workload's slots wrap these. */
accel_status wl_gemm_setup_shape(accel_device *dev, accel_stream *stream, const wl_gemm_shape *shape,
                                 awl_dtype dtype, const awl_options *opt, void **state,
                                 awl_setup_info *info);
accel_status wl_gemm_run(void *state, accel_stream *stream);
accel_status wl_gemm_verify(void *state, accel_stream *stream, awl_verify_result *out);
void wl_gemm_teardown(void *state);
accel_status wl_gemm_corrupt(void *state, accel_stream *stream);

/* Safety factor g of the sampled bound |c - ref| <= g sqrt(K) u sum|a||b| + u_out |ref|. */
#define WL_GEMM_BOUND_G 2.0

#endif

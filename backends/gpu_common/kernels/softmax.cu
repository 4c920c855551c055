/* Softmax over the last dimension with scale and an additive fp32 mask, one block per row:
 * Y[r, j] = softmax_j(scale * X[r, j] + mask[r / rows_per_mask_row, j]). Y may alias X. */
#include "accel_gpu_port.h"

template <typename T>
__device__ void accel_softmax_impl(const T *x, const float *mask, T *y, accel_i64 cols,
                                   float scale, accel_i64 rows_per_mask_row) {
    __shared__ float scratch[32];
    const accel_i64 row = blockIdx.x;
    const T *xr = x + row * cols;
    const float *mr = mask ? mask + (row / rows_per_mask_row) * cols : (const float *)0;
    T *yr = y + row * cols;

    float best = ACCEL_NEG_INF;
    for (accel_i64 j = threadIdx.x; j < cols; j += blockDim.x)
        best = fmaxf(best, scale * accel_load(xr + j) + (mr ? mr[j] : 0.0f));
    best = accel_block_max(best, scratch);
    /* A row masked out entirely with -inf would give NaN; keep exp finite instead. */
    if (best == ACCEL_NEG_INF) best = 0.0f;

    float sum = 0.0f;
    for (accel_i64 j = threadIdx.x; j < cols; j += blockDim.x)
        sum += __expf(scale * accel_load(xr + j) + (mr ? mr[j] : 0.0f) - best);
    const float inv = 1.0f / accel_block_sum(sum, scratch);

    for (accel_i64 j = threadIdx.x; j < cols; j += blockDim.x)
        accel_store(yr + j, __expf(scale * accel_load(xr + j) + (mr ? mr[j] : 0.0f) - best) * inv);
}

#define ACCEL_SOFTMAX_ENTRY(T, sfx)                                                           \
    extern "C" __global__ void accel_softmax_##sfx(const T *x, const float *mask, T *y,       \
                                                   accel_i64 cols, float scale,               \
                                                   accel_i64 rows_per_mask_row) {             \
        accel_softmax_impl<T>(x, mask, y, cols, scale, rows_per_mask_row);                    \
    }
ACCEL_FOR_FLOAT_TYPES(ACCEL_SOFTMAX_ENTRY)

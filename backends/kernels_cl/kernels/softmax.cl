/* softmax.cl: softmax over the last dimension with scale and additive mask, one work-group per row.
 *
 * Kernel accel_softmax(int cols, float scale, int has_mask, long rows_per_mask_row,
 *                      global const T *X, long x_off, global const float *mask, long mask_off,
 *                      global T *Y, long y_off)
 *   Y[r, j] = softmax_j(scale * X[r, j] + mask[r / rows_per_mask_row, j]); max-subtracted, fp32
 *   sums. Y may alias X. Work-group (WG, 1, 1), WG a power of two; grid rows x 1 x 1.
 *
 * Compile-time options: WG (default 256), DTYPE (0 f32, 1 f16 storage via vload_half, 2 bf16). */

#ifndef WG
#define WG 256
#endif
#include "accel_storage.h"

#include "accel_group.h"

__kernel __attribute__((reqd_work_group_size(WG, 1, 1))) void
accel_softmax(const int cols, const float scale, const int has_mask, const long rows_per_mask_row,
              __global const T *X, const long x_off, __global const float *mask,
              const long mask_off, __global T *Y, const long y_off) {
    __local float scratch[WG];
    const long row = get_group_id(0);
    const int lid = get_local_id(0);
    X += x_off + row * cols;
    Y += y_off + row * cols;
    mask += mask_off + (has_mask ? (row / rows_per_mask_row) * cols : 0);

    float mx = -INFINITY;
    for (int j = lid; j < cols; j += WG)
        mx = fmax(mx, scale * LOAD(X, j) + (has_mask ? mask[j] : 0.0f));
    mx = accel_group_reduce(mx, 1, scratch);

    float sum = 0.0f;
    for (int j = lid; j < cols; j += WG)
        sum += exp(scale * LOAD(X, j) + (has_mask ? mask[j] : 0.0f) - mx);
    const float inv = 1.0f / accel_group_reduce(sum, 0, scratch);

    for (int j = lid; j < cols; j += WG)
        STORE(Y, j, exp(scale * LOAD(X, j) + (has_mask ? mask[j] : 0.0f) - mx) * inv);
}

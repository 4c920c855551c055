/* eltwise.cl: element-wise ops (accel_eltwise_desc), one element per work-item.
 *
 * Kernel accel_eltwise(int kind, long count, long cols, float alpha, float beta,
 *                      global const T *X, long x_off, global const T *Z, long z_off,
 *                      global T *Y, long y_off)
 *   kind: 1 copy, 2 scale (alpha X), 3 add (alpha X + beta Z), 4 mul (alpha X Z), 5 relu,
 *   6 gelu (erf), 7 gelu (tanh), 8 bias add (X[i] + Z[i % cols]); backward of the activations
 *   with X the forward input and Z the output gradient: 9 relu, 10 gelu (erf), 11 gelu (tanh).
 *   Y may alias X or Z.
 *   Any 1-D work-group; grid covers count (extra work-items return).
 *
 * Compile-time options: DTYPE (0 f32, 1 f16 storage via vload_half, 2 bf16). */

#include "accel_storage.h"

__kernel void accel_eltwise(const int kind, const long count, const long cols, const float alpha,
                            const float beta, __global const T *X, const long x_off,
                            __global const T *Z, const long z_off, __global T *Y,
                            const long y_off) {
    const long i = get_global_id(0);
    if (i >= count)
        return;
    X += x_off;
    Z += z_off;
    Y += y_off;
    const float x = LOAD(X, i);
    float v;
    switch (kind) {
    case 1:
        v = x;
        break;
    case 2:
        v = alpha * x;
        break;
    case 3:
        v = alpha * x + beta * LOAD(Z, i);
        break;
    case 4:
        v = alpha * x * LOAD(Z, i);
        break;
    case 5:
        v = fmax(x, 0.0f);
        break;
    case 6:
        v = 0.5f * x * (1.0f + erf(x * 0.70710678118654752f));
        break;
    case 7:
        v = 0.5f * x * (1.0f + tanh(0.79788456080286536f * (x + 0.044715f * x * x * x)));
        break;
    case 8:
        v = x + LOAD(Z, i % cols);
        break;
    case 9:
        v = x > 0.0f ? LOAD(Z, i) : 0.0f;
        break;
    case 10:
        v = LOAD(Z, i) * (0.5f * (1.0f + erf(x * 0.70710678118654752f)) + x * 0.39894228040143268f * exp(-0.5f * x * x));
        break;
    default: { /* 11; hosts refuse other kinds at plan time */
        const float c = 0.79788456080286536f, t = tanh(c * (x + 0.044715f * x * x * x));
        v = LOAD(Z, i) * (0.5f * (1.0f + t) + 0.5f * x * (1.0f - t * t) * c * (1.0f + 3.0f * 0.044715f * x * x));
        break;
    }
    }
    STORE(Y, i, v);
}

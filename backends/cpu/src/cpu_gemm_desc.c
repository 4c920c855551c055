#include "cpu_gemm_desc.h"

#include "cpu_dtype.h"

cpu_gemm_dims cpu_gemm_dims_resolve(const accel_gemm_desc *d) {
    cpu_gemm_dims r;
    r.lda = d->lda ? d->lda : (d->trans_a ? d->m : d->k);
    r.ldb = d->ldb ? d->ldb : (d->trans_b ? d->k : d->n);
    r.ldc = d->ldc ? d->ldc : d->n;
    r.ldd = d->ldd ? d->ldd : d->n;
    r.stride_a = d->stride_a ? d->stride_a : (d->trans_a ? d->k : d->m) * r.lda;
    r.stride_b = d->stride_b ? d->stride_b : (d->trans_b ? d->n : d->k) * r.ldb;
    r.stride_c = d->stride_c ? d->stride_c : d->m * r.ldc;
    r.stride_d = d->stride_d ? d->stride_d : d->m * r.ldd;
    r.stride_bias = d->stride_bias; /* 0: one bias shared by every batch entry */
    r.bias_type = d->bias_type == ACCEL_DTYPE_INVALID ? d->d_type : d->bias_type;
    r.compute = d->compute;
    if (r.compute == ACCEL_COMPUTE_DEFAULT)
        r.compute = d->a_type == ACCEL_DTYPE_BF16  ? ACCEL_COMPUTE_BF16
                    : d->a_type == ACCEL_DTYPE_F16 ? ACCEL_COMPUTE_F16
                                                   : ACCEL_COMPUTE_F32;
    return r;
}

accel_status cpu_gemm_check_types(const accel_host_services *host, const char *path,
                                  const accel_gemm_desc *d, int fp8_inputs) {
    cpu_gemm_dims r = cpu_gemm_dims_resolve(d);
    if (r.compute == ACCEL_COMPUTE_TF32)
        return host->set_error(ACCEL_ERR_UNIMPLEMENTED, "%s: no tf32 hardware on CPU", path);
    if (accel_dtype_is_fp8(d->a_type)) { /* the HAL has checked the rest of the fp8 rules */
        if (!fp8_inputs)
            return host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                   "%s: no fp8 matmul in this library (library \"accel\" widens "
                                   "fp8 to fp32 while packing)", path);
        return ACCEL_OK;
    }
    const accel_dtype types[5] = {d->a_type, d->b_type, d->c_type, d->d_type, r.bias_type};
    const char *names[5] = {"A", "B", "C", "D", "bias"};
    for (int i = 0; i < 5; i++) {
        if (i == 2 && d->beta == 0.0) continue; /* C unread */
        if (i == 4 && !(d->epilogue & ACCEL_EPILOGUE_BIAS)) continue;
        if (!cpu_dtype_is_float(types[i]))
            return host->set_error(ACCEL_ERR_UNIMPLEMENTED, "%s: %s storage %s not supported", path,
                                   names[i], accel_dtype_label(types[i]));
    }
    switch (r.compute) {
    case ACCEL_COMPUTE_F32: return ACCEL_OK; /* any of f32/bf16/f16 widen exactly to fp32 */
    case ACCEL_COMPUTE_BF16:
        if (d->a_type == ACCEL_DTYPE_BF16 && d->b_type == ACCEL_DTYPE_BF16) return ACCEL_OK;
        break;
    case ACCEL_COMPUTE_F16:
        if (d->a_type == ACCEL_DTYPE_F16 && d->b_type == ACCEL_DTYPE_F16) return ACCEL_OK;
        break;
    default: break;
    }
    return host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                           "%s: compute type %d with A %s, B %s not supported (bf16/f16 compute needs "
                           "A and B stored in that type; fp16 accumulation and f64 are not offered)",
                           path, (int)r.compute, accel_dtype_label(d->a_type), accel_dtype_label(d->b_type));
}

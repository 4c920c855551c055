/* Op plan dispatch: pick the library (cuBLASLt for GEMM by default, our kernels otherwise), build
 * the plan once, and only enqueue at execute. */
#include <stdlib.h>
#include <string.h>

#include "cuda_ops.h"

const char *accel_cuda_dtype_suffix(accel_dtype t, int allow_f64) {
    switch (t) {
    case ACCEL_DTYPE_F32: return "f32";
    case ACCEL_DTYPE_F16: return "f16";
    case ACCEL_DTYPE_BF16: return "bf16";
    case ACCEL_DTYPE_F64: return allow_f64 ? "f64" : NULL;
    default: return NULL;
    }
}

size_t accel_cuda_dtype_size(accel_dtype t) {
    switch (t) {
    case ACCEL_DTYPE_F32: case ACCEL_DTYPE_I32: return 4;
    case ACCEL_DTYPE_F16: case ACCEL_DTYPE_BF16: return 2;
    case ACCEL_DTYPE_F64: return 8;
    case ACCEL_DTYPE_I8: case ACCEL_DTYPE_F8_E4M3: case ACCEL_DTYPE_F8_E5M2: return 1;
    default: return 0;
    }
}

int accel_cuda_act_from_epilogue(uint32_t e) {
    if (e & ACCEL_EPILOGUE_RELU) return 1;      /* ACCEL_ACT_RELU */
    if (e & ACCEL_EPILOGUE_GELU_ERF) return 2;  /* ACCEL_ACT_GELU_ERF */
    if (e & ACCEL_EPILOGUE_GELU_TANH) return 3; /* ACCEL_ACT_GELU_TANH */
    return 0;
}

accel_status accel_cuda_run_gemm_epilogue(accel_cuda_plan *plan, accel_cuda_stream *stream,
                                          CUdeviceptr d, CUdeviceptr bias) {
    accel_gemm_desc g;
    accel_cuda_gemm_resolve(&plan->desc.u.gemm, &g);
    long long rows = g.m, cols = g.n, ld = g.ldd, batch = g.batch, sd = g.stride_d, sb = g.stride_bias;
    int act = plan->act;
    void *params[] = {&d, &bias, &rows, &cols, &ld, &batch, &sd, &sb, &act};
    const unsigned threads = 256;
    unsigned long long blocks = ((unsigned long long)rows * cols * batch + threads - 1) / threads;
    const unsigned long long cap = (unsigned long long)plan->dev->sm_count * 32ull;
    if (blocks > cap && cap) blocks = cap;
    return ACCEL_CUDA_CALL(plan->dev->ctx,
                           cuLaunchKernel(plan->epilogue_fn, (unsigned)blocks, 1, 1, threads, 1, 1, 0,
                                          stream->stream, params, NULL),
                           "cuLaunchKernel(accel_bias_act)");
}

accel_status accel_cuda_op_plan_create(void *p, const accel_op_desc *desc, void **out,
                                       accel_plugin_plan_info *info) {
    accel_cuda_device *dev = p;
    accel_cuda_ctx *ctx = dev->ctx;
    accel_status st = accel_cuda_make_current(dev);
    if (st != ACCEL_OK) return st;

    const char *lib = desc->library;
    const int want_lt = strcmp(lib, "cublaslt") == 0 || (!lib[0] && desc->kind == ACCEL_OP_GEMM && dev->lt_handle);
    const int want_ours = strcmp(lib, "accel") == 0 || (!lib[0] && !want_lt);
    if (!want_lt && !want_ours)
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "cuda has no op library '%s' (it has: cublaslt, accel)", lib);
    if (want_lt && desc->kind != ACCEL_OP_GEMM)
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "library cublaslt runs GEMM only");
    if (want_lt && !dev->lt_handle)
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "library cublaslt: %s",
                                    ctx->lt_ok ? "cublasLtCreate failed on this device" : ctx->lt_reason);
    if (want_ours && !ctx->nvrtc_ok)
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "library accel needs NVRTC: %s", ctx->nvrtc_reason);

    accel_cuda_plan *plan = calloc(1, sizeof *plan);
    if (!plan) return ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "out of host memory");
    plan->dev = dev;
    plan->desc = *desc;
    memset(info, 0, sizeof *info);
    switch (desc->kind) {
    case ACCEL_OP_GEMM:
        st = want_lt ? accel_cuda_plan_gemm_cublaslt(plan, info) : accel_cuda_plan_gemm_accel(plan, info);
        break;
    case ACCEL_OP_CONV2D: st = accel_cuda_plan_conv2d(plan, info); break;
    case ACCEL_OP_LAYERNORM: st = accel_cuda_plan_layernorm(plan, info); break;
    case ACCEL_OP_SOFTMAX: st = accel_cuda_plan_softmax(plan, info); break;
    case ACCEL_OP_ELTWISE: st = accel_cuda_plan_eltwise(plan, info); break;
    case ACCEL_OP_PERMUTE: st = accel_cuda_plan_permute(plan, info); break;
    case ACCEL_OP_ATTENTION: st = accel_cuda_plan_attention(plan, info); break;
    default: st = ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "op kind %d", (int)desc->kind); break;
    }
    if (st != ACCEL_OK) {
        if (plan->release) plan->release(plan);
        free(plan);
        return st;
    }
    *out = plan;
    return ACCEL_OK;
}

void accel_cuda_op_plan_destroy(void *p) {
    accel_cuda_plan *plan = p;
    if (plan->release && accel_cuda_make_current(plan->dev) == ACCEL_OK) plan->release(plan);
    free(plan);
}

accel_status accel_cuda_op_plan_execute(void *p, void *s, const accel_plugin_ref *operands,
                                        size_t noperands, accel_plugin_ref workspace) {
    accel_cuda_plan *plan = p;
    accel_cuda_stream *stream = s;
    accel_status st = accel_cuda_make_current(stream->dev);
    if (st != ACCEL_OK) return st;
    /* Plans index every operand slot of their kind; an older host passes fewer (see plugin.h). */
    accel_plugin_ref all[ACCEL_OP_MAX_OPERANDS] = {{NULL, 0}};
    for (size_t i = 0; i < noperands && i < ACCEL_OP_MAX_OPERANDS; i++) all[i] = operands[i];
    return plan->execute(plan, stream, all, workspace);
}

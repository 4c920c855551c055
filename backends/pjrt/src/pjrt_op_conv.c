/* conv2d as one stablehlo.convolution in the description's layout, with bias, residual and ReLU
 * fused behind it. */
#include <stdio.h>

#include "pjrt_ops.h"

static void dims4(const accel_conv2d_desc *c, int64_t n, int64_t ch, int64_t h, int64_t w, int64_t *out) {
    const int nhwc = c->layout == ACCEL_LAYOUT_NHWC;
    out[0] = n;
    out[1] = nhwc ? h : ch;
    out[2] = nhwc ? w : h;
    out[3] = nhwc ? ch : w;
}

accel_status pj_conv_describe(const accel_conv2d_desc *c, const char *platform, pj_op_spec *s, char *why, size_t n) {
    if (!pj_float_ok(c->x_type, platform, "conv2d", why, n) || !pj_float_ok(c->y_type, platform, "conv2d", why, n))
        return ACCEL_ERR_UNIMPLEMENTED;
    const char *precision;
    if (c->w_type != c->x_type || !pj_compute_precision(c->compute, c->x_type, &precision)) {
        snprintf(why, n, "pjrt: conv2d with x %s, w %s, compute %s is not offered", accel_dtype_label(c->x_type),
                 accel_dtype_label(c->w_type), accel_compute_type_label(c->compute));
        return ACCEL_ERR_UNIMPLEMENTED;
    }
    int64_t p, q, d[4];
    accel_conv2d_out_hw(c, &p, &q);
    pjrt_element_type xe = pj_element_of(c->x_type), ye = pj_element_of(c->y_type);
    dims4(c, c->n, c->c, c->h, c->w, d);
    pj_spec_set(s, 0, 0, xe, 4, d);
    dims4(c, c->k, c->c, c->r, c->s, d); /* KCRS or KRSC: the weights follow the activations' layout */
    pj_spec_set(s, 1, 0, xe, 4, d);
    if (c->epilogue & ACCEL_EPILOGUE_BIAS) pj_spec_set(s, 2, 0, ye, 1, &c->k);
    dims4(c, c->n, c->k, p, q, d);
    if (c->epilogue & ACCEL_EPILOGUE_RESIDUAL) pj_spec_set(s, 3, 0, ye, 4, d);
    pj_spec_set(s, 4, 0, ye, 4, d);
    s->output = 4;
    snprintf(s->summary, sizeof s->summary, "stablehlo convolution %s %s precision %s%s%s%s",
             c->layout == ACCEL_LAYOUT_NHWC ? "nhwc" : "nchw", accel_dtype_label(c->x_type), precision,
             c->epilogue & ACCEL_EPILOGUE_BIAS ? " +bias" : "", c->epilogue & ACCEL_EPILOGUE_RESIDUAL ? " +residual" : "",
             c->epilogue & ACCEL_EPILOGUE_RELU ? " +relu" : "");
    return ACCEL_OK;
}

pj_val pj_conv_emit(pj_text *t, const accel_conv2d_desc *c, const pj_val *const *in) {
    const char *precision;
    pj_compute_precision(c->compute, c->x_type, &precision);
    const pjrt_element_type acc = pj_accumulator(c->x_type);
    const int nhwc = c->layout == ACCEL_LAYOUT_NHWC;
    int64_t p, q, d[4];
    accel_conv2d_out_hw(c, &p, &q);
    dims4(c, c->n, c->k, p, q, d);
    pj_val y = {{0}, pj_shape_make(acc, 4, d)};
    snprintf(y.name, sizeof y.name, "%%v%d", t->next_id++);
    char xt[160], wt[160], yt[160];
    pj_shape_mlir(&in[0]->shape, xt, sizeof xt);
    pj_shape_mlir(&in[1]->shape, wt, sizeof wt);
    pj_shape_mlir(&y.shape, yt, sizeof yt);
    pj_text_printf(t,
                   "    %s = stablehlo.convolution(%s, %s) dim_numbers = %s, window = {stride = [%lld, %lld], "
                   "pad = [[%lld, %lld], [%lld, %lld]], rhs_dilate = [%lld, %lld]} {batch_group_count = 1 : i64, "
                   "feature_group_count = 1 : i64, precision_config = [#stablehlo<precision %s>, "
                   "#stablehlo<precision %s>]} : (%s, %s) -> %s\n",
                   y.name, in[0]->name, in[1]->name,
                   nhwc ? "[b, 0, 1, f]x[o, 0, 1, i]->[b, 0, 1, f]" : "[b, f, 0, 1]x[o, i, 0, 1]->[b, f, 0, 1]",
                   (long long)c->stride_h, (long long)c->stride_w, (long long)c->pad_h, (long long)c->pad_h,
                   (long long)c->pad_w, (long long)c->pad_w, (long long)(c->dil_h ? c->dil_h : 1),
                   (long long)(c->dil_w ? c->dil_w : 1), precision, precision, xt, wt, yt);
    if (c->epilogue & ACCEL_EPILOGUE_BIAS) {
        pj_val bias = pj_convert(t, in[2], acc);
        const int64_t feature[1] = {nhwc ? 3 : 1};
        pj_val bb = pj_broadcast(t, &bias, 4, y.shape.dims, feature);
        y = pj_binary(t, "add", &y, &bb);
    }
    if (c->epilogue & ACCEL_EPILOGUE_RESIDUAL) {
        pj_val r = pj_convert(t, in[3], acc);
        y = pj_binary(t, "add", &y, &r);
    }
    y = pj_activation(t, &y, c->epilogue & ACCEL_EPILOGUE_RELU);
    return pj_convert(t, &y, pj_element_of(c->y_type));
}

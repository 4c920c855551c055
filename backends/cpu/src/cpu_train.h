/* Plan constructors of the training ops (accel/ops_train.h) on the CPU. Each answers UNIMPLEMENTED
 * with a reason for what it does not run; `info` gets the library and algorithm strings. */
#ifndef ACCEL_CPU_TRAIN_H
#define ACCEL_CPU_TRAIN_H

#include "cpu_internal.h"

accel_status cpu_layernorm_backward_plan(cpu_context *ctx, const accel_layernorm_backward_desc *d, cpu_plan **out,
                                         accel_plugin_plan_info *info);
accel_status cpu_softmax_backward_plan(cpu_context *ctx, const accel_softmax_desc *d, cpu_plan **out,
                                       accel_plugin_plan_info *info);
accel_status cpu_reduce_plan(cpu_context *ctx, const accel_reduce_desc *d, cpu_plan **out, accel_plugin_plan_info *info);
/* backward = 0: training-mode forward; 1: backward. */
accel_status cpu_batchnorm_plan(cpu_context *ctx, const accel_batchnorm_desc *d, int backward, cpu_plan **out,
                                accel_plugin_plan_info *info);
accel_status cpu_adamw_plan(cpu_context *ctx, const accel_adamw_desc *d, cpu_plan **out, accel_plugin_plan_info *info);
accel_status cpu_amp_scale_plan(cpu_context *ctx, const accel_amp_scale_desc *d, cpu_plan **out,
                                accel_plugin_plan_info *info);
accel_status cpu_amp_update_plan(cpu_context *ctx, const accel_amp_update_desc *d, cpu_plan **out,
                                 accel_plugin_plan_info *info);
/* kind: ACCEL_OP_CONV2D_BACKWARD_DATA or _WEIGHTS, on our GEMM engine (im2col / col2im). */
accel_status cpu_conv_backward_plan_accel(cpu_context *ctx, accel_op_kind kind, const accel_conv2d_desc *d,
                                          cpu_plan **out, accel_plugin_plan_info *info);
#ifdef ACCEL_CPU_HAVE_ONEDNN
accel_status cpu_conv_backward_plan_onednn(cpu_context *ctx, accel_op_kind kind, const accel_conv2d_desc *d,
                                           cpu_plan **out, accel_plugin_plan_info *info);
#endif

#endif

/* What the training steps of bert_layer and resnet_block share: parameter groups in flat buffers
 * (an fp32 master, the compute-dtype model copy the forward reads, gradients, AdamW moments),
 * on-device loss scaling for fp16, the optimizer ops at the end of a step, and the verification of
 * one step from a known state. Public HAL API only. docs/workloads.md describes the step. */
#ifndef WL_TRAIN_H
#define WL_TRAIN_H

#include "../common/wl_steps.h"

/* AdamW hyper-parameters of every training step (BERT's usual ones). */
#define WL_TRAIN_LR 1e-4
#define WL_TRAIN_BETA1 0.9
#define WL_TRAIN_BETA2 0.999
#define WL_TRAIN_EPS 1e-8
#define WL_TRAIN_WEIGHT_DECAY 0.01
/* The optimizer's step count, as if in the middle of training (the moments start non-zero). */
#define WL_TRAIN_STEP 10
/* fp16 loss scaling as torch.cuda.amp.GradScaler does it by default; verification runs its one
 * step at WL_TRAIN_VERIFY_SCALE, which no input of ours overflows. */
#define WL_TRAIN_INIT_SCALE 65536.0
#define WL_TRAIN_VERIFY_SCALE 1024.0
#define WL_TRAIN_GROWTH_INTERVAL 2000

/* One tensor of a group: where it sits, and the uniform range its initial values are drawn from. */
typedef struct wl_param_tensor {
    const char *name;
    int64_t offset, count;
    double lo, hi;
} wl_param_tensor;

#define WL_MAX_PARAM_TENSORS 12

/* Parameters updated by one AdamW op: every tensor end to end in one flat buffer per role. With
 * fp32 compute the model copy is the master itself. */
typedef struct wl_param_group {
    wl_param_tensor tensors[WL_MAX_PARAM_TENSORS];
    int ntensors;
    int64_t count;
    accel_dtype model_type, grad_type;
    accel_buffer *model, *master, *grad, *m, *v;
    /* Per tensor: the number of planned steps after which its gradient is final (the backward's
     * hook for data-parallel steps, which all-reduce a bucket once all its gradients are). */
    int grad_ready[WL_MAX_PARAM_TENSORS];
    float *master0, *m0, *v0; /* the initial state, for verification */
    void *model0;             /* the initial model copy as the device reads it (model_type) */
} wl_param_group;

typedef struct wl_amp {
    int enabled;         /* fp16: loss scaling on */
    accel_buffer *state; /* f32 scale, i32 growth tracker, i32 found_inf, i32 skipped */
} wl_amp;

/* Adds a tensor of count elements to the group (before wl_group_alloc). */
void wl_group_add(wl_param_group *g, const char *name, int64_t count, double lo, double hi);
/* Allocates the group's buffers and uploads its initial state (model values representable in
 * model_type, master = model exactly, small random moments). */
accel_status wl_group_init(wl_param_group *g, wl_buffers *bufs, accel_device *dev, accel_stream *stream,
                           accel_dtype model_type, accel_dtype grad_type, uint64_t seed);
/* Marks the tensor's gradient final once the steps planned so far have run. */
void wl_group_grad_ready(wl_param_group *g, int tensor, const wl_steps *steps);
accel_buffer_ref wl_group_model(const wl_param_group *g, int tensor);
accel_buffer_ref wl_group_grad(const wl_param_group *g, int tensor);
void wl_group_free_host(wl_param_group *g);

accel_status wl_amp_init(wl_amp *amp, int enabled, wl_buffers *bufs, accel_device *dev, accel_stream *stream);
accel_buffer_ref wl_amp_scale(const wl_amp *amp);
accel_buffer_ref wl_amp_found(const wl_amp *amp);
/* Before the backward pass: dst = src * scale (a copy, since the given gradient must not change). */
accel_status wl_amp_add_scaled_copy(wl_steps *steps, accel_device *dev, const char *lib, const wl_amp *amp,
                                    accel_dtype t, int64_t count, accel_buffer_ref src, accel_buffer_ref dst);
/* After the backward pass: unscale every group's gradients and check them (fp16), AdamW each group
 * (skipping on overflow), then update the scale (fp16). */
accel_status wl_train_add_optimizer(wl_steps *steps, accel_device *dev, const char *lib, const wl_amp *amp,
                                    wl_param_group *const *groups, int ngroups);

/* What setup reports for a training step: its FLOPs (docs/workloads.md), samples per step (the
 * row's items), and the notes, led by "training step: <what>" and the precision mode. */
void wl_train_describe(wl_steps *steps, wl_buffers *bufs, awl_dtype dtype, const awl_options *opt, const char *what,
                       double flop, double samples, awl_setup_info *info);

/* The state a verification step starts from: the groups' initial values, zero found_inf, the
 * verification scale. */
accel_status wl_train_restore(accel_stream *stream, wl_param_group *const *groups, int ngroups, const wl_amp *amp);
/* Test hook: the loss scale the next steps start from (fp16; a no-op otherwise). An infinite scale
 * overflows every step, a huge finite one overflows until enough steps have halved it. */
accel_status wl_amp_set_scale(accel_stream *stream, const wl_amp *amp, double scale);
/* The factor the input gradient carries: loss scaling unscales the parameters' gradients only (as
 * GradScaler does), so with fp16 the gradient the step hands back is still scaled, by the
 * verification step's scale; 1 otherwise. */
double wl_amp_input_grad_factor(const wl_amp *amp);
/* How many steps were skipped for overflow, and the scale now (fp16); 0 and 1 otherwise. */
accel_status wl_amp_read(accel_stream *stream, const wl_amp *amp, int32_t *skipped, float *scale);

/* What a data-parallel step needs of a training step: its parameter groups, loss scaling, planned
 * steps (forward and backward in [0, backward_end), the optimizer after) and its step counter. */
typedef struct wl_train_view {
    wl_param_group *groups[2];
    int ngroups;
    wl_amp *amp;
    wl_steps *steps;
    int backward_end;
    int64_t *runs;
} wl_train_view;
/* Turns each rank's fp64 reference gradient (n values) into the one every rank applies. */
typedef accel_status (*wl_train_combine)(void *ctx, double *values, size_t n);

/* Gradient checks: one group tensor against its fp64 reference, normwise at tol. */
accel_status wl_train_check_grad(accel_stream *stream, const wl_param_group *g, int tensor, const double *ref,
                                 double tol, awl_verify_result *out);
/* After the verified step: the update master - master0 of each tensor against AdamW applied in fp64
 * to the gradients the device computed (checked on their own), normwise at tol plus the fp32
 * master's own rounding relative to the update. */
accel_status wl_train_check_update(accel_stream *stream, const wl_param_group *g, double tol, awl_verify_result *out);
/* The optimizer computes in fp32 whatever the model's precision: one threshold for every mode. */
#define WL_TRAIN_UPDATE_TOL 1e-4
/* Normwise thresholds for the gradients of a training step, per precision mode (docs/workloads.md). */
double wl_train_tolerance(awl_dtype d);

#endif

/* The resnet_block training step (train/resnet_train.c), behind resnet_block's "-train" configs. */
#ifndef WL_RESNET_TRAIN_H
#define WL_RESNET_TRAIN_H

#include "../common/wl_common.h"

/* FLOP of one image's step through an identity block (stride 1, channels -> mid -> mid -> channels). */
double wl_resnet_train_flop_per_image(int64_t hw, int64_t channels, int64_t mid);
accel_status wl_resnet_train_setup(accel_device *dev, accel_stream *stream, accel_layout layout, int64_t batch,
                                   int64_t hw, int64_t channels, int64_t mid, awl_dtype dtype, const awl_options *opt,
                                   void **state, awl_setup_info *info);
accel_status wl_resnet_train_run(void *state, accel_stream *stream);
/* awl_workload.profile_steps of a training step (one of its runs). */
accel_status wl_resnet_train_profile_steps(void *state, accel_stream *stream, double *step_ms, size_t cap,
                                           size_t *count);
accel_status wl_resnet_train_verify(void *state, accel_stream *stream, awl_verify_result *out);
void wl_resnet_train_teardown(void *state);
/* Test hook: the next verification perturbs one weight gradient after the step. */
accel_status wl_resnet_train_corrupt(void *state, accel_stream *stream);
accel_status wl_resnet_train_set_loss_scale(void *state, accel_stream *stream, double scale);

#endif

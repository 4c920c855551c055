/* The bert_layer training step (train/bert_train.c), behind bert_layer's "-train" configs. */
#ifndef WL_BERT_TRAIN_H
#define WL_BERT_TRAIN_H

#include "../bert_layer.h"
#include "../common/wl_common.h"
#include "wl_train.h"

double wl_bert_train_flop_per_sequence(int64_t seq, int64_t hidden, int64_t ffn);
accel_status wl_bert_train_setup(accel_device *dev, accel_stream *stream, int64_t batch, int64_t seq, int64_t hidden,
                                 int64_t heads, int64_t ffn, awl_dtype dtype, const awl_options *opt, int data_rank,
                                 void **state, awl_setup_info *info);
accel_status wl_bert_train_run(void *state, accel_stream *stream);
accel_status wl_bert_train_verify(void *state, accel_stream *stream, awl_verify_result *out);
void wl_bert_train_teardown(void *state);
/* Test hook: the next verification perturbs one weight gradient after the step. */
accel_status wl_bert_train_corrupt(void *state, accel_stream *stream);
accel_status wl_bert_train_set_loss_scale(void *state, accel_stream *stream, double scale);
/* For the data-parallel step (dp_step.c): the step's parts, and the checks verify() makes after
 * the step it ran (the fp64 reference's parameter gradients passed through combine first). */
void wl_bert_train_view(void *state, wl_train_view *out);
accel_status wl_bert_train_check_step(void *state, accel_stream *stream, wl_train_combine combine, void *ctx,
                                      awl_verify_result *out);

#endif

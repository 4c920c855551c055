/* bert_layer workload: one post-LN BERT encoder layer, inference. */
#ifndef WL_BERT_LAYER_H
#define WL_BERT_LAYER_H

#include "common/wl_common.h"

extern const awl_workload awl_bert_layer_workload;

/* FLOP of one sequence per docs/workloads.md (GEMMs only, attention at full S^2). */
double wl_bert_flop_per_sequence(int64_t seq, int64_t hidden, int64_t ffn);

#endif

/* The workload registry in CLI listing order, and the CSV dtype names. */
#include "bert_layer.h"
#include "collective.h"
#include "gemm.h"
#include "peak.h"
#include "resnet_block.h"
#include "stream.h"
#include "train/dp_step.h"
#include "transfer.h"

#include <string.h>

static const awl_workload *const workloads[] = {
    &awl_gemm_workload,   &awl_bert_layer_workload, &awl_resnet_block_workload,
    &awl_stream_workload, &awl_transfer_workload,   &awl_peak_workload,
    &awl_collective_workload, &awl_dp_step_workload,
};

/* Workloads whose rows are one measurement across the ranks of an MPI launch. */
static const awl_workload *const multi_rank[] = {&awl_collective_workload, &awl_dp_step_workload};

int awl_config_needs_peer(const awl_config *cfg) { return cfg && transfer_config_is_p2p(cfg); }

int awl_workload_needs_ranks(const awl_workload *w) {
    for (size_t i = 0; i < WL_ARRAY_LEN(multi_rank); i++)
        if (multi_rank[i] == w)
            return 1;
    return 0;
}

static const char *const dtype_names[AWL_DTYPE_COUNT] = {"fp32", "tf32", "fp16", "bf16", "fp8"};

size_t awl_workload_count(void) { return WL_ARRAY_LEN(workloads); }

const awl_workload *awl_workload_at(size_t i) {
    return i < WL_ARRAY_LEN(workloads) ? workloads[i] : NULL;
}

const awl_workload *awl_workload_find(const char *name) {
    if (!name)
        return NULL;
    for (size_t i = 0; i < WL_ARRAY_LEN(workloads); i++)
        if (strcmp(workloads[i]->name, name) == 0)
            return workloads[i];
    return NULL;
}

const awl_config *awl_config_find(const awl_workload *w, const char *id) {
    if (!w || !id)
        return NULL;
    for (size_t i = 0; i < w->config_count(); i++) {
        const awl_config *c = w->config_at(i);
        if (strcmp(c->id, id) == 0)
            return c;
    }
    return NULL;
}

const char *awl_dtype_name(awl_dtype d) {
    return (unsigned)d < AWL_DTYPE_COUNT ? dtype_names[d] : "unknown";
}

int awl_dtype_parse(const char *name, awl_dtype *out) {
    if (!name)
        return -1;
    for (int i = 0; i < AWL_DTYPE_COUNT; i++)
        if (strcmp(name, dtype_names[i]) == 0) {
            if (out)
                *out = (awl_dtype)i;
            return 0;
        }
    return -1;
}

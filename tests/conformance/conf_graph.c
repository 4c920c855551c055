/* Record/replay: an op captured on a stream, then replayed as a graph on new inputs. Devices without
 * the GRAPHS feature skip it; CUDA runs it on the fake driver, whose capture records launches. */
#include <stdlib.h>
#include <string.h>

#include "conformance.h"

#define COUNT 1001

static void add_reference(const conf_tensor *x, const conf_tensor *z, double *ref) {
    for (int64_t i = 0; i < COUNT; ++i)
        ref[i] = accel_ref_load(ACCEL_DTYPE_F32, x->host, i) + accel_ref_load(ACCEL_DTYPE_F32, z->host, i);
}

/* New random input in x (host and device): a replay must read the buffer, not what it held when
 * captured. */
static accel_status refill(conf_ctx *c, conf_tensor *x, uint64_t seed) {
    accel_ref_fill_random(ACCEL_DTYPE_F32, x->host, COUNT, seed, -1, 1);
    return accel_buffer_write(c->stream, x->buf, 0, x->host, COUNT * sizeof(float));
}

static conf_result check_graph_replay(conf_ctx *c) {
    if (!(c->info.features & ACCEL_FEATURE_GRAPHS))
        return conf_skip(c, "the device offers no record/replay (GRAPHS feature)");
    accel_op_desc d = {.kind = ACCEL_OP_ELTWISE};
    d.u.eltwise = (accel_eltwise_desc){.kind = ACCEL_ELTWISE_ADD, .dtype = ACCEL_DTYPE_F32, .count = COUNT, .alpha = 1, .beta = 1};
    conf_tensor x = {0}, z = {0}, y = {0};
    accel_op_plan *plan = NULL;
    accel_graph *graph = NULL;
    double *ref = malloc(sizeof(double) * COUNT);
    accel_status st = ref ? accel_op_plan_create(c->dev, &d, &plan) : ACCEL_ERR_OUT_OF_MEMORY;
    if (st == ACCEL_OK) st = conf_tensor_random(c, &x, ACCEL_DTYPE_F32, COUNT, 7, -1, 1);
    if (st == ACCEL_OK) st = conf_tensor_random(c, &z, ACCEL_DTYPE_F32, COUNT, 8, -1, 1);
    if (st == ACCEL_OK) st = conf_tensor_empty(c, &y, ACCEL_DTYPE_F32, COUNT);
    if (st == ACCEL_OK) st = accel_stream_synchronize(c->stream);
    conf_result r = CONF_PASS;
    if (st != ACCEL_OK) {
        r = conf_from_status(c, st, "setup");
        goto done;
    }
    const accel_buffer_ref ops[3] = {conf_ref(&x), conf_ref(&z), conf_ref(&y)};
    st = accel_stream_capture_begin(c->stream);
    if (st == ACCEL_OK) {
        accel_status ex = accel_op_plan_execute(plan, c->stream, ops, 3, (accel_buffer_ref){NULL, 0});
        st = accel_stream_capture_end(c->stream, &graph);
        if (st == ACCEL_OK) st = ex;
    }
    if (st != ACCEL_OK) {
        r = conf_from_status(c, st, "capture");
        goto done;
    }
    /* Replayed twice, each time on inputs written after the capture. */
    for (uint64_t round = 0; round < 2 && r == CONF_PASS; ++round) {
        st = refill(c, round ? &z : &x, 20 + round);
        if (st == ACCEL_OK) st = accel_graph_launch(graph, c->stream);
        if (st == ACCEL_OK) st = conf_tensor_download(c, &y);
        if (st != ACCEL_OK) {
            r = conf_from_status(c, st, "replay");
            break;
        }
        add_reference(&x, &z, ref);
        r = conf_compare_normwise(c, &y, ref, conf_tolerance(ACCEL_DTYPE_F32));
        if (r != CONF_PASS) conf_prefix(c, "replay %d", (int)round + 1);
    }
done:
    accel_graph_destroy(graph);
    accel_op_plan_destroy(plan);
    conf_tensor_free(&x);
    conf_tensor_free(&z);
    conf_tensor_free(&y);
    free(ref);
    return r;
}

const conf_check conf_graph_checks[] = {
    {"graph-replay", check_graph_replay},
    {NULL, NULL},
};

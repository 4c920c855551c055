/* Plans: a StableHLO module per op, compiled once at plan time for the binding every caller in this
 * project uses (each operand a whole buffer of its own, as written by the op that produced it), and
 * once more, at the first execution that needs it, for any other binding (an operand at an offset,
 * in a larger buffer, or sharing a buffer with another operand). See docs/backend-pjrt.md.
 *
 * A binding lists the module's parameters: one per distinct buffer, in the element type and shape
 * that buffer's current PJRT value has. Each operand is read from its parameter (as is, or through
 * a flatten, slice and bitcast at its byte offset). The output buffer's parameter is always donated
 * and the result written into it in place, so an execution allocates nothing: without donation
 * every run would get a fresh output buffer from the plugin, and page faults on it would be timed. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pjrt_compile.h"
#include "pjrt_init.h"
#include "pjrt_internal.h"
#include "pjrt_module.h"
#include "pjrt_ops.h"

#define PJ_MAX_VARIANTS 8

typedef struct pj_variant {
    pj_binding key;
    pjrt_loaded_executable *exe;
} pj_variant;

typedef struct pj_plan {
    pj_device *dev;
    accel_op_desc desc;
    pj_op_spec spec;
    pj_variant variants[PJ_MAX_VARIANTS];
    int nvariants, next_evict;
} pj_plan;

static accel_status compile_variant(pj_plan *p, const pj_binding *b, pjrt_loaded_executable **out) {
    pj_device *dev = p->dev;
    size_t len = 0;
    char *text = pj_module_emit(&p->desc, &p->spec, b, &len);
    if (!text) return dev->ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "pjrt: out of host memory writing a module");
    if (getenv("ACCEL_PJRT_DUMP")) fprintf(stderr, "%s", text); /* the module as XLA receives it */
    pjrt_error *err = pj_compile_mlir(dev->api, dev->client, text, len, out);
    free(text);
    if (err) {
        char what[96];
        snprintf(what, sizeof what, "PJRT_Client_Compile of the %s module", accel_op_kind_label(p->desc.kind));
        return pj_fail(dev, err, ACCEL_ERR_DEVICE, what);
    }
    return ACCEL_OK;
}

static void destroy_exe(const pj_device *dev, pjrt_loaded_executable *exe) {
    pjrt_loaded_executable_destroy_args a = {.struct_size = sizeof a, .executable = exe};
    pjrt_error *err = dev->api->loaded_executable_destroy(&a);
    if (err) pj_fail(dev, err, ACCEL_ERR_DEVICE, "PJRT_LoadedExecutable_Destroy");
}

static accel_status find_or_compile(pj_plan *p, const pj_binding *b, pjrt_loaded_executable **out) {
    for (int i = 0; i < p->nvariants; ++i)
        if (pj_binding_equal(&p->variants[i].key, b)) {
            *out = p->variants[i].exe;
            return ACCEL_OK;
        }
    pjrt_loaded_executable *exe = NULL;
    accel_status st = compile_variant(p, b, &exe);
    if (st != ACCEL_OK) return st;
    int slot = p->nvariants < PJ_MAX_VARIANTS ? p->nvariants++ : p->next_evict++ % PJ_MAX_VARIANTS;
    if (p->variants[slot].exe) destroy_exe(p->dev, p->variants[slot].exe);
    p->variants[slot].key = *b;
    p->variants[slot].exe = exe;
    *out = exe;
    return ACCEL_OK;
}

accel_status pj_op_plan_create(void *vdev, const accel_op_desc *desc, void **out, accel_plugin_plan_info *info) {
    pj_device *dev = vdev;
    const accel_host_services *host = dev->ctx->host;
    if (desc->library[0] && strcmp(desc->library, "xla") != 0)
        return host->set_error(ACCEL_ERR_UNIMPLEMENTED, "pjrt: library '%s' is not offered (this backend's only one is 'xla')",
                               desc->library);
    pj_plan *p = calloc(1, sizeof *p);
    if (!p) return host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "pjrt: out of host memory");
    p->dev = dev;
    p->desc = *desc;
    char why[256];
    accel_status st = pj_op_describe(desc, dev->plugin->platform, &p->spec, why, sizeof why);
    if (st != ACCEL_OK) {
        free(p);
        return host->set_error(st, "%s", why);
    }
    pj_binding b = pj_binding_primary(&p->spec);
    pjrt_loaded_executable *exe = NULL;
    st = find_or_compile(p, &b, &exe);
    if (st != ACCEL_OK) {
        free(p);
        return st;
    }
    info->workspace_bytes = 0;
    snprintf(info->library, sizeof info->library, "xla");
    snprintf(info->algorithm, sizeof info->algorithm, "%s", p->spec.summary);
    *out = p;
    return ACCEL_OK;
}

void pj_op_plan_destroy(void *vplan) {
    pj_plan *p = vplan;
    pj_device_drain(p->dev);
    for (int i = 0; i < p->nvariants; ++i) destroy_exe(p->dev, p->variants[i].exe);
    free(p);
}

/* Gives a buffer an operand uses a typed value: a buffer holding raw bytes (written from the host,
 * or never written) becomes the operand's shape when the operand alone covers it, else a flat array
 * of its element type. A host round trip, once per buffer: afterwards every execution finds it
 * typed, and the output keeps the shape the op gives it. */
static accel_status prepare(pj_device *dev, pj_buffer *b, size_t offset, const pj_shape *want, int sole_use) {
    if (b->shape.type == PJRT_ELEM_U8 && want->type != PJRT_ELEM_U8) {
        size_t w = pj_element_size(want->type);
        pj_shape typed = b->shape;
        if (sole_use && offset == 0 && pj_shape_bytes(want) == b->bytes) typed = *want;
        else if (b->bytes % w == 0) typed = pj_shape_1d(want->type, (int64_t)(b->bytes / w));
        accel_status st = pj_buffer_retype(dev, b, &typed);
        if (st != ACCEL_OK) return st;
    }
    return pj_buffer_materialize(dev, b);
}

accel_status pj_op_plan_execute(void *vplan, void *vstream, const accel_plugin_ref *operands, size_t noperands,
                                accel_plugin_ref workspace) {
    pj_plan *p = vplan;
    pj_stream *s = vstream;
    pj_device *dev = p->dev;
    const pj_op_spec *spec = &p->spec;
    const accel_host_services *host = dev->ctx->host;
    (void)workspace;
    accel_plugin_ref refs[PJ_MAX_PARAMS];
    memset(refs, 0, sizeof refs);
    memcpy(refs, operands, sizeof *refs * (noperands < PJ_MAX_PARAMS ? noperands : PJ_MAX_PARAMS));
    const int out = spec->output;
    pj_buffer *ob = refs[out].buffer;
    const int whole = refs[out].offset == 0 && pj_shape_bytes(&spec->operand[out].shape) == ob->bytes;

    /* 1. every buffer holds a typed value: the inputs to read, the output to update in place */
    for (int i = 0; i < spec->noperands; ++i) {
        pj_buffer *b = refs[i].buffer;
        if (!b) continue;
        int sole = i != out || whole;
        for (int k = 0; k < spec->noperands; ++k)
            if (k != i && refs[k].buffer == b) sole = 0;
        accel_status st = prepare(dev, b, refs[i].offset, &spec->operand[i].shape, sole);
        if (st != ACCEL_OK) return st;
    }

    /* 2. the binding: one parameter per distinct buffer, in operand order */
    pj_binding b;
    memset(&b, 0, sizeof b);
    pj_buffer *param_buf[PJ_MAX_PARAMS];
    char why[320];
    for (int i = 0; i < PJ_MAX_PARAMS; ++i) b.operand_param[i] = -1;
    for (int i = 0; i < spec->noperands; ++i) {
        pj_buffer *buf = refs[i].buffer;
        if (!buf) continue;
        int j = 0;
        while (j < b.nparams && param_buf[j] != buf) ++j;
        if (j == b.nparams) {
            param_buf[j] = buf;
            b.param[b.nparams++] = buf->shape;
        }
        b.operand_param[i] = j;
        b.operand_offset[i] = refs[i].offset;
        if (!pj_binding_fits(&buf->shape, refs[i].offset, &spec->operand[i].shape, why, sizeof why))
            return host->set_error(ACCEL_ERR_UNIMPLEMENTED, "%s", why);
    }
    pjrt_loaded_executable *exe = NULL;
    accel_status st = find_or_compile(p, &b, &exe);
    if (st != ACCEL_OK) return st;

    /* 3. run */
    pjrt_buffer *args[PJ_MAX_PARAMS], *result = NULL;
    for (int j = 0; j < b.nparams; ++j) args[j] = param_buf[j]->value;
    pjrt_buffer *const *arg_list = args;
    pjrt_buffer **out_list = &result;
    pjrt_event *done = NULL;
    pjrt_execute_options options = {.struct_size = sizeof options};
    pjrt_execute_args ex = {.struct_size = sizeof ex,
                            .executable = exe,
                            .options = &options,
                            .argument_lists = &arg_list,
                            .num_devices = 1,
                            .num_args = (size_t)b.nparams,
                            .output_lists = &out_list,
                            .device_complete_events = &done,
                            .execute_device = dev->device}; /* the module is compiled portable */
    pjrt_error *err = dev->api->loaded_executable_execute(&ex);
    if (err) return pj_fail(dev, err, ACCEL_ERR_DEVICE, "PJRT_LoadedExecutable_Execute");

    /* 4. the output buffer's old value was donated to the execution; the result, of the same shape,
     * takes its place */
    pj_value_destroy(dev, ob->value);
    ob->value = result;
    (void)s;
    return done ? pj_device_track(dev, done) : ACCEL_OK;
}

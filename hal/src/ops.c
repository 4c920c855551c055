/* Op plans: validate once at creation, check operands cheaply at every execute. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "hal_internal.h"
#include "op_validate.h"

typedef struct plan_extra {
    size_t operand_bytes[ACCEL_OP_MAX_OPERANDS];
    operand_use use[ACCEL_OP_MAX_OPERANDS];
    int noperands;
} plan_extra;

/* The public struct is private to libaccel; keep the per-operand facts beside it. Executes of one
 * plan are serialised here, so no plugin has to guard what its plans share between executes (the
 * descriptor cublaslt rebinds per execute, the kernel arguments OpenCL and Level Zero set). */
typedef struct hal_plan {
    struct accel_op_plan pub;
    plan_extra x;
    pthread_mutex_t execute_lock;
} hal_plan;

/* A description field newer than the plugin's ABI minor reads as "as before" to the plugin, which
 * would then compute another op than asked (a non-causal attention for a causal one): refuse it. */
static accel_status refuse_fields_unknown_to_plugin(const accel_device *dev, const accel_op_desc *desc) {
    const unsigned minor = dev->be->ops->abi_minor;
    if (desc->kind == ACCEL_OP_ATTENTION && desc->u.attention.causal && minor < 3)
        return hal_error(ACCEL_ERR_UNIMPLEMENTED,
                         "%s: attention: causal needs plugin ABI 1.3; the %s backend is ABI %u.%u and would "
                         "ignore the flag",
                         dev->id, dev->be->ops->name, dev->be->ops->abi_major, minor);
    return ACCEL_OK;
}

ACCEL_API accel_status accel_op_plan_create(accel_device *dev, const accel_op_desc *desc,
                                            accel_op_plan **out_plan) {
    HAL_CHECK_OUT(out_plan);
    *out_plan = NULL;
    HAL_CHECK_HANDLE(dev, TAG_DEVICE, "device");
    if (!desc) return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "accel_op_plan_create: desc is NULL");
    accel_status st = hal_op_validate(desc);
    if (st != ACCEL_OK) return st;
    st = refuse_fields_unknown_to_plugin(dev, desc);
    if (st != ACCEL_OK) return st;
    hal_plan *p = calloc(1, sizeof *p);
    if (!p) return hal_error(ACCEL_ERR_OUT_OF_MEMORY, "accel_op_plan_create: out of host memory");
    p->pub.desc = *desc;
    p->x.noperands = accel_op_operand_count(desc->kind);
    for (int i = 0; i < p->x.noperands; ++i) {
        p->x.use[i] = hal_op_operand_use(desc, i);
        st = accel_op_operand_bytes(desc, i, &p->x.operand_bytes[i]);
        if (st != ACCEL_OK) {
            free(p);
            return st;
        }
    }
    accel_clear_error();
    st = dev->be->ops->op_plan_create(dev->slot->handle, desc, &p->pub.handle, &p->pub.info);
    if (st != ACCEL_OK) {
        if (!accel_last_error()[0])
            hal_error(st, "%s: %s: the %s backend answered %s", dev->id,
                      accel_op_kind_name(desc->kind), dev->be->ops->name, accel_status_str(st));
        free(p);
        return st;
    }
    p->pub.info.library[sizeof p->pub.info.library - 1] = '\0';
    p->pub.info.algorithm[sizeof p->pub.info.algorithm - 1] = '\0';
    pthread_mutex_init(&p->execute_lock, NULL);
    p->pub.tag = TAG_PLAN;
    p->pub.dev = dev;
    hal_device_adopt(dev, HAL_OWNED_PLAN);
    *out_plan = &p->pub;
    return ACCEL_OK;
}

ACCEL_API void accel_op_plan_destroy(accel_op_plan *plan) {
    if (!plan || plan->tag != TAG_PLAN) return;
    plan->dev->be->ops->op_plan_destroy(plan->handle);
    hal_device_release(plan->dev, HAL_OWNED_PLAN);
    plan->tag = 0;
    pthread_mutex_destroy(&((hal_plan *)plan)->execute_lock);
    free((hal_plan *)plan);
}

ACCEL_API size_t accel_op_plan_workspace_size(const accel_op_plan *plan) {
    return plan && plan->tag == TAG_PLAN ? plan->info.workspace_bytes : 0;
}

ACCEL_API const char *accel_op_plan_library(const accel_op_plan *plan) {
    return plan && plan->tag == TAG_PLAN ? plan->info.library : "";
}

ACCEL_API const char *accel_op_plan_algorithm(const accel_op_plan *plan) {
    return plan && plan->tag == TAG_PLAN ? plan->info.algorithm : "";
}

static accel_status check_operand(const accel_op_plan *plan, const accel_stream *s,
                                  const accel_buffer_ref *ref, size_t need, int i) {
    const accel_buffer *b = ref->buffer;
    if (b->tag != TAG_BUFFER)
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "%s: operand %d is not a valid buffer",
                         accel_op_kind_name(plan->desc.kind), i);
    if (!hal_same_device(b->dev, s->dev))
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "%s: operand %d is a buffer of %s, the stream's device is %s",
                         accel_op_kind_name(plan->desc.kind), i, b->dev->id, s->dev->id);
    if (!hal_range_ok(b->size, ref->offset, need))
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT,
                         "%s: operand %d needs %zu bytes from offset %zu, the buffer has %zu",
                         accel_op_kind_name(plan->desc.kind), i, need, ref->offset, b->size);
    return ACCEL_OK;
}

ACCEL_API accel_status accel_op_plan_execute(accel_op_plan *plan, accel_stream *stream,
                                             const accel_buffer_ref *operands, size_t noperands,
                                             accel_buffer_ref workspace) {
    HAL_CHECK_HANDLE(plan, TAG_PLAN, "plan");
    HAL_CHECK_HANDLE(stream, TAG_STREAM, "stream");
    const plan_extra *x = &((const hal_plan *)plan)->x;
    if (!hal_same_device(plan->dev, stream->dev))
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "accel_op_plan_execute: plan of %s, stream of %s",
                         plan->dev->id, stream->dev->id);
    if (!operands)
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "%s: operands is NULL",
                         accel_op_kind_name(plan->desc.kind));
    if (noperands > (size_t)x->noperands)
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "%s takes at most %d operands, got %zu",
                         accel_op_kind_name(plan->desc.kind), x->noperands, noperands);
    accel_plugin_ref refs[ACCEL_OP_MAX_OPERANDS];
    for (int i = 0; i < x->noperands; ++i) {
        refs[i].buffer = NULL;
        refs[i].offset = 0;
        if (x->use[i] == OPERAND_UNUSED) continue;
        const int given = (size_t)i < noperands && operands[i].buffer;
        if (x->use[i] == OPERAND_REJECTED) {
            if (given)
                return hal_error(ACCEL_ERR_INVALID_ARGUMENT,
                                 "%s: operand %d must be absent for this description (fp8 scales "
                                 "belong to fp8 inputs only)", accel_op_kind_name(plan->desc.kind), i);
            continue;
        }
        if (!given) {
            if (x->use[i] == OPERAND_REQUIRED)
                return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "%s: operand %d is required",
                                 accel_op_kind_name(plan->desc.kind), i);
            continue;
        }
        accel_status st = check_operand(plan, stream, &operands[i], x->operand_bytes[i], i);
        if (st != ACCEL_OK) return st;
        refs[i].buffer = operands[i].buffer->handle;
        refs[i].offset = operands[i].offset;
    }
    accel_plugin_ref ws = {NULL, 0};
    if (plan->info.workspace_bytes) {
        if (!workspace.buffer)
            return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "%s: the plan needs a %zu-byte workspace",
                             accel_op_kind_name(plan->desc.kind), plan->info.workspace_bytes);
        accel_status st = check_operand(plan, stream, &workspace, plan->info.workspace_bytes, -1);
        if (st != ACCEL_OK) return st;
        ws.buffer = workspace.buffer->handle;
        ws.offset = workspace.offset;
    }
    hal_plan *hp = (hal_plan *)plan;
    pthread_mutex_lock(&hp->execute_lock);
    const accel_status st = stream->dev->be->ops->op_plan_execute(plan->handle, stream->handle, refs,
                                                                  (size_t)x->noperands, ws);
    pthread_mutex_unlock(&hp->execute_lock);
    return st;
}

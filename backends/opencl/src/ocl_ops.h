/* Op plans: our kernels through the .cl family's planner (backends/kernels_cl), whose launch recipe
 * this plugin builds from source and turns into clSetKernelArg / clEnqueueNDRangeKernel, or a
 * CLBlast call for GEMM (library "clblast"). */
#ifndef OCL_OPS_H
#define OCL_OPS_H

#include "accel_cl_planner.h"
#include "ocl_internal.h"

typedef struct ocl_plan ocl_plan;
typedef accel_status (*ocl_plan_exec_fn)(ocl_plan *plan, ocl_stream *s,
                                         const accel_plugin_ref *operands);

struct ocl_plan {
    ocl_device *dev;
    accel_op_desc desc;
    accel_recipe recipe;                         /* our kernels */
    cl_kernel kernels[ACCEL_RECIPE_MAX_LAUNCHES]; /* one per recipe launch */
    accel_plugin_ref workspace;                  /* set for the duration of one execute */
    ocl_plan_exec_fn exec;
    pthread_mutex_t lock; /* kernel arguments are per kernel object: one execute at a time */
};

/* Our kernels (library "accel"): plan, build, warm up, set the arguments that do not change. */
accel_status ocl_plan_recipe(ocl_plan *plan, accel_plugin_plan_info *info);
/* GEMM through CLBlast (library "clblast"). */
accel_status ocl_plan_gemm_clblast(ocl_plan *plan, accel_plugin_plan_info *info);

#endif

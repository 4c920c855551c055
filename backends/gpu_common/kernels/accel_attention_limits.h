/* The fused attention kernels keep one query row's scores (and its scaled query) in on-chip memory,
 * so they take sequences and head sizes up to these. One definition for the kernels (attention.cu,
 * and kernels_cl/kernels/attention.cl, which includes this file) and for every host that launches them
 * and must refuse anything larger (cuda, hip, opencl, level_zero). Plain C: no types. */
#ifndef ACCEL_ATTENTION_LIMITS_H
#define ACCEL_ATTENTION_LIMITS_H

#define ACCEL_ATTENTION_MAX_SEQ 4096
#define ACCEL_ATTENTION_MAX_DIM 256

#endif

/* The fused attention kernels keep one query row's scores (and its scaled query) in on-chip memory,
 * so they take sequences and head sizes up to these. One definition for the kernels (attention.cu,
 * and kernels_cl/kernels/attention.cl, which includes this file) and for every host that launches them
 * and must refuse anything larger (cuda, hip, opencl, level_zero). Plain C: no types. */
#ifndef ACCEL_ATTENTION_LIMITS_H
#define ACCEL_ATTENTION_LIMITS_H

#define ACCEL_ATTENTION_MAX_SEQ 4096
#define ACCEL_ATTENTION_MAX_DIM 256

/* The tiled (flash-style) kernels of flash_attention.cu: a block of ACCEL_FLASH_THREADS threads
 * takes ACCEL_FLASH_ROWS query rows and walks the keys in tiles, so they take any sequence length
 * (the grid does the rest) but head sizes up to ACCEL_FLASH_MAX_DIM only (a tile row of K and V
 * per key sits in shared memory). ACCEL_FLASH_*_KEYS: keys per tile of each kernel. The planner
 * derives the grid from these; the kernels their static shared arrays. */
#define ACCEL_FLASH_ROWS 64
#define ACCEL_FLASH_THREADS 128
#define ACCEL_FLASH_MAX_DIM 128
#define ACCEL_FLASH_MMA_KEYS 64
#define ACCEL_FLASH_FMA_KEYS 16

#endif

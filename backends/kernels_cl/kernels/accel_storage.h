/* accel_storage.h: the storage-type plumbing every OpenCL C kernel here shares. Included by the
 * kernel files; the opencl backend inlines it when it embeds them (accel_embed_files
 * EXPAND_INCLUDES), the level_zero build and its mock pass -I to the compiler.
 *
 * DTYPE (compile-time option; default 0) picks T, the element type in memory, and LOAD / STORE,
 * which read and write it as float: 0 f32, 1 f16 via vload_half / vstore_half (core OpenCL C, no
 * cl_khr_fp16 needed), 2 bf16 as ushort (accel_bf16.h). */
#ifndef ACCEL_STORAGE_H
#define ACCEL_STORAGE_H

#ifndef DTYPE
#define DTYPE 0
#endif

#include "accel_bf16.h"

#if DTYPE == 0
#define T float
#define LOAD(p, i) ((p)[i])
#define STORE(p, i, v) ((p)[i] = (v))
#elif DTYPE == 1
#define T half
#define LOAD(p, i) vload_half((i), (p))
#define STORE(p, i, v) vstore_half((v), (i), (p))
#else
#define T ushort
#define LOAD(p, i) as_float(((uint)(p)[i]) << 16)
#define STORE(p, i, v) ((p)[i] = accel_f32_to_bf16(v))
#endif

#endif

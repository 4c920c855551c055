/* Compiling a StableHLO module on a PJRT client. */
#ifndef ACCEL_PJRT_COMPILE_H
#define ACCEL_PJRT_COMPILE_H

#include <stddef.h>

#include "pjrt_capi.h"

/* The serialized xla.CompileOptionsProto every compile sends: executable_build_options (field 3)
 * with num_replicas (4) = 1 and num_partitions (5) = 1, and compile_portable_executable (4) = true.
 * Nothing less works: an empty message leaves the replica count 0, which XLA's CPU client aborts
 * the process on. Returns its size (0 when out_len is too small). */
size_t pj_compile_options(unsigned char *out, size_t out_len);

/* Compiles MLIR text; NULL with err set (caller reports and destroys it). */
pjrt_error *pj_compile_mlir(const pjrt_api *api, pjrt_client *client, const char *text, size_t len,
                            pjrt_loaded_executable **out);

#endif

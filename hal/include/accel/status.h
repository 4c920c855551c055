/* Status codes and the per-thread error message every fallible call leaves behind. */
#ifndef ACCEL_STATUS_H
#define ACCEL_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum accel_status {
    ACCEL_OK = 0,
    ACCEL_ERR_INVALID_ARGUMENT = 1,
    ACCEL_ERR_NOT_FOUND = 2,
    ACCEL_ERR_UNAVAILABLE = 3,    /* vendor runtime or device absent: not an error of the caller */
    ACCEL_ERR_UNIMPLEMENTED = 4,  /* the backend does not run this op/dtype; never a silent fallback */
    ACCEL_ERR_OUT_OF_MEMORY = 5,
    ACCEL_ERR_INCOMPATIBLE = 6,   /* ABI or driver/toolkit version mismatch */
    ACCEL_ERR_DEVICE = 7,         /* the device or its runtime failed */
    ACCEL_ERR_TIMEOUT = 8,
    ACCEL_ERR_INTERNAL = 9
} accel_status;

/* "ok", "invalid argument", ...; never NULL. */
const char *accel_status_str(accel_status status);

/* The message left by the last failing accel_ call on this thread ("" if none). It names the vendor's
 * own error code where one was involved, e.g. "cuMemAlloc: CUDA_ERROR_OUT_OF_MEMORY (2)". The pointer
 * stays valid until the next accel_ call on this thread. */
const char *accel_last_error(void);

/* Clear the message; calls that succeed do not clear it by themselves. */
void accel_clear_error(void);

#ifdef __cplusplus
}
#endif
#endif

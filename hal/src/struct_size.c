/* The append-only growth rule of types.h, applied where a caller's struct crosses into libaccel, so
 * the rest of libaccel only ever sees structs of its own size. */
#include <string.h>

#include "hal_internal.h"

_Static_assert(offsetof(accel_runtime_options, struct_size) == 0, "struct_size leads");
_Static_assert(offsetof(accel_device_info, struct_size) == 0, "struct_size leads");
_Static_assert(offsetof(accel_device_telemetry, struct_size) == 0, "struct_size leads");
/* accel_op_desc has no struct_size, so its size is fixed for ABI major 1 (ops.h): a new op's
 * description must fit the union. */
_Static_assert(sizeof(void *) != 8 || sizeof(accel_op_desc) == 208,
               "accel_op_desc changed size: that breaks ABI 1");

static size_t caller_size(const void *caller) {
    size_t size;
    memcpy(&size, caller, sizeof size); /* struct_size is the first field of each of them */
    return size;
}

accel_status hal_struct_check(const void *caller, size_t known_size, size_t min_size,
                              const char *fn, const char *what) {
    const size_t size = caller_size(caller);
    if (size >= min_size) return ACCEL_OK;
    return hal_error(ACCEL_ERR_INVALID_ARGUMENT,
                     "%s: %s struct_size is %zu, smaller than any version of it (at least %zu; "
                     "set it to sizeof, %zu in this libaccel)",
                     fn, what, size, min_size, known_size);
}

accel_status hal_struct_in(void *known, size_t known_size, const void *caller, size_t min_size,
                           const char *fn, const char *what) {
    accel_status st = hal_struct_check(caller, known_size, min_size, fn, what);
    if (st != ACCEL_OK) return st;
    const size_t size = caller_size(caller);
    const unsigned char *bytes = caller;
    for (size_t i = known_size; i < size; ++i)
        if (bytes[i])
            return hal_error(ACCEL_ERR_INVALID_ARGUMENT,
                             "%s: %s struct_size is %zu and byte %zu is set, but this libaccel "
                             "knows only %zu bytes of it: the caller asks for something this "
                             "version does not have (built against a newer header?)",
                             fn, what, size, i, known_size);
    memset(known, 0, known_size);
    memcpy(known, caller, size < known_size ? size : known_size);
    return ACCEL_OK;
}

accel_status hal_struct_out(void *caller, const void *known, size_t known_size, size_t min_size,
                            const char *fn, const char *what) {
    accel_status st = hal_struct_check(caller, known_size, min_size, fn, what);
    if (st != ACCEL_OK) return st;
    const size_t size = caller_size(caller);
    unsigned char *bytes = caller;
    memcpy(bytes, known, size < known_size ? size : known_size);
    if (size > known_size) memset(bytes + known_size, 0, size - known_size);
    memcpy(bytes, &size, sizeof size);
    return ACCEL_OK;
}

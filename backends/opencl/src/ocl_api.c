#define _POSIX_C_SOURCE 200809L
#include "ocl_api.h"

#include <stdio.h>
#include <string.h>

#define OCL_SYM(name) {#name, offsetof(ocl_api, name)},
#define OCL_SKIP(name)
static const accel_dl_symbol ocl_required[] = {OCL_API_LIST(OCL_SYM, OCL_SKIP)};
static const accel_dl_symbol ocl_optional[] = {OCL_API_LIST(OCL_SKIP, OCL_SYM)};
/* The ICD loader's soname; the unversioned name only exists with the -dev package.
 * $ACCEL_OPENCL_LIBRARY names one loader to use instead (a vendor's own libOpenCL, tests). */
static const char *const ocl_library_names[] = {"libOpenCL.so.1", "libOpenCL.so", NULL};
static const accel_dl_library ocl_library = {ocl_library_names, "ACCEL_OPENCL_LIBRARY", 0, {0},
                                             ACCEL_DL_TIER(ocl_required), ACCEL_DL_TIER(ocl_optional)};

int ocl_api_open(ocl_api *api, const accel_dl_log *log, char *reason, size_t reason_len) {
    memset(api, 0, sizeof(*api));
    accel_dl_handle h;
    switch (accel_dl_load(log, &ocl_library, api, &h)) {
    case ACCEL_DL_LOADED:
        api->lib = h.lib;
        snprintf(api->lib_name, sizeof(api->lib_name), "%s", h.name);
        return 0;
    case ACCEL_DL_NOT_FOUND:
        snprintf(reason, reason_len,
                 "%s (install an OpenCL ICD loader and driver, e.g. apt install ocl-icd-libopencl1 "
                 "pocl-opencl-icd)",
                 h.why[0] ? h.why : "libOpenCL.so.1 not found");
        return -1;
    default:
        snprintf(reason, reason_len, "%s lacks %s (OpenCL 1.2 ICD loader needed)", h.name, h.missing);
        return -1;
    }
}

void ocl_api_close(ocl_api *api) {
    accel_dl_close(api->lib);
    memset(api, 0, sizeof(*api));
}

const char *ocl_error_name(cl_int code) {
    switch (code) {
#define E(c)                                                                                        \
    case c:                                                                                         \
        return #c;
        E(CL_SUCCESS) E(CL_DEVICE_NOT_FOUND) E(CL_DEVICE_NOT_AVAILABLE) E(CL_COMPILER_NOT_AVAILABLE)
        E(CL_MEM_OBJECT_ALLOCATION_FAILURE) E(CL_OUT_OF_RESOURCES) E(CL_OUT_OF_HOST_MEMORY)
        E(CL_PROFILING_INFO_NOT_AVAILABLE) E(CL_MEM_COPY_OVERLAP) E(CL_IMAGE_FORMAT_MISMATCH)
        E(CL_IMAGE_FORMAT_NOT_SUPPORTED) E(CL_BUILD_PROGRAM_FAILURE) E(CL_MAP_FAILURE)
        E(CL_MISALIGNED_SUB_BUFFER_OFFSET) E(CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST)
        E(CL_COMPILE_PROGRAM_FAILURE) E(CL_LINKER_NOT_AVAILABLE) E(CL_LINK_PROGRAM_FAILURE)
        E(CL_DEVICE_PARTITION_FAILED) E(CL_KERNEL_ARG_INFO_NOT_AVAILABLE) E(CL_INVALID_VALUE)
        E(CL_INVALID_DEVICE_TYPE) E(CL_INVALID_PLATFORM) E(CL_INVALID_DEVICE) E(CL_INVALID_CONTEXT)
        E(CL_INVALID_QUEUE_PROPERTIES) E(CL_INVALID_COMMAND_QUEUE) E(CL_INVALID_HOST_PTR)
        E(CL_INVALID_MEM_OBJECT) E(CL_INVALID_IMAGE_FORMAT_DESCRIPTOR) E(CL_INVALID_IMAGE_SIZE)
        E(CL_INVALID_SAMPLER) E(CL_INVALID_BINARY) E(CL_INVALID_BUILD_OPTIONS) E(CL_INVALID_PROGRAM)
        E(CL_INVALID_PROGRAM_EXECUTABLE) E(CL_INVALID_KERNEL_NAME) E(CL_INVALID_KERNEL_DEFINITION)
        E(CL_INVALID_KERNEL) E(CL_INVALID_ARG_INDEX) E(CL_INVALID_ARG_VALUE) E(CL_INVALID_ARG_SIZE)
        E(CL_INVALID_KERNEL_ARGS) E(CL_INVALID_WORK_DIMENSION) E(CL_INVALID_WORK_GROUP_SIZE)
        E(CL_INVALID_WORK_ITEM_SIZE) E(CL_INVALID_GLOBAL_OFFSET) E(CL_INVALID_EVENT_WAIT_LIST)
        E(CL_INVALID_EVENT) E(CL_INVALID_OPERATION) E(CL_INVALID_GL_OBJECT) E(CL_INVALID_BUFFER_SIZE)
        E(CL_INVALID_MIP_LEVEL) E(CL_INVALID_GLOBAL_WORK_SIZE) E(CL_INVALID_PROPERTY)
        E(CL_INVALID_IMAGE_DESCRIPTOR) E(CL_INVALID_COMPILER_OPTIONS) E(CL_INVALID_LINKER_OPTIONS)
        E(CL_INVALID_DEVICE_PARTITION_COUNT) E(CL_INVALID_PIPE_SIZE) E(CL_INVALID_DEVICE_QUEUE)
        E(CL_INVALID_SPEC_ID) E(CL_MAX_SIZE_RESTRICTION_EXCEEDED) E(CL_PLATFORM_NOT_FOUND_KHR)
#undef E
    default:
        return "CL_UNKNOWN_ERROR";
    }
}

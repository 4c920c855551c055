#define _POSIX_C_SOURCE 200809L
#include "ocl_api.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The ICD loader's soname; the unversioned name only exists with the -dev package. */
static const char *const ocl_library_names[] = {"libOpenCL.so.1", "libOpenCL.so"};

int ocl_api_open(ocl_api *api, int debug, char *reason, size_t reason_len) {
    memset(api, 0, sizeof(*api));
    const char *last_error = "";
    /* $ACCEL_OPENCL_LIBRARY names one loader to use instead (a vendor's own libOpenCL, tests). */
    const char *only = getenv("ACCEL_OPENCL_LIBRARY");
    const char *const *names = ocl_library_names;
    size_t count = sizeof(ocl_library_names) / sizeof(ocl_library_names[0]);
    if (only && only[0]) {
        names = &only;
        count = 1;
    }
    for (size_t i = 0; i < count; i++) {
        api->lib = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
        if (api->lib) {
            snprintf(api->lib_name, sizeof(api->lib_name), "%s", names[i]);
            break;
        }
        last_error = dlerror();
        if (debug)
            fprintf(stderr, "[opencl] dlopen %s: %s\n", names[i], last_error);
    }
    if (!api->lib) {
        snprintf(reason, reason_len,
                 "%s (install an OpenCL ICD loader and driver, e.g. apt install ocl-icd-libopencl1 "
                 "pocl-opencl-icd)",
                 last_error ? last_error : "libOpenCL.so.1 not found");
        return -1;
    }
    /* POSIX allows converting dlsym's void* to a function pointer; memcpy keeps -Wpedantic quiet. */
#define OCL_API_REQUIRED(name)                                                                      \
    {                                                                                               \
        void *sym = dlsym(api->lib, #name);                                                         \
        if (!sym) {                                                                                 \
            snprintf(reason, reason_len, "%s lacks %s (OpenCL 1.2 ICD loader needed)",            \
                     api->lib_name, #name);                                                         \
            ocl_api_close(api);                                                                     \
            return -1;                                                                              \
        }                                                                                           \
        memcpy(&api->name, &sym, sizeof(sym));                                                      \
    }
#define OCL_API_OPTIONAL(name)                                                                      \
    {                                                                                               \
        void *sym = dlsym(api->lib, #name);                                                         \
        if (sym)                                                                                    \
            memcpy(&api->name, &sym, sizeof(sym));                                                  \
    }
    OCL_API_LIST(OCL_API_REQUIRED, OCL_API_OPTIONAL)
#undef OCL_API_REQUIRED
#undef OCL_API_OPTIONAL
    return 0;
}

void ocl_api_close(ocl_api *api) {
    if (api->lib)
        dlclose(api->lib);
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

/* The OpenCL entry points this backend uses, resolved from libOpenCL.so.1 at run time so the plugin
 * builds with the Khronos headers only and loads on machines without any OpenCL installed. */
#ifndef OCL_API_H
#define OCL_API_H

#ifndef CL_TARGET_OPENCL_VERSION
#define CL_TARGET_OPENCL_VERSION 300
#endif
#define CL_USE_DEPRECATED_OPENCL_1_2_APIS
#include <CL/cl.h>
#include <CL/cl_ext.h>
#include <CL/cl_icd.h>

#include "accel_common/dl.h"

/* X(name): required; a library lacking one is refused. O(name): optional, NULL when absent. */
#define OCL_API_LIST(X, O)                                                                          \
    X(clGetPlatformIDs) X(clGetPlatformInfo) X(clGetDeviceIDs) X(clGetDeviceInfo)                 \
    X(clCreateContext) X(clReleaseContext) X(clCreateCommandQueue) X(clReleaseCommandQueue)       \
    X(clCreateBuffer) X(clCreateSubBuffer) X(clReleaseMemObject) X(clEnqueueWriteBuffer)          \
    X(clEnqueueReadBuffer) X(clEnqueueCopyBuffer) X(clEnqueueCopyBufferRect) X(clEnqueueFillBuffer) X(clEnqueueMapBuffer)    \
    X(clEnqueueUnmapMemObject) X(clEnqueueMarkerWithWaitList) X(clEnqueueBarrierWithWaitList)     \
    X(clWaitForEvents) X(clReleaseEvent) X(clGetEventProfilingInfo) X(clGetEventInfo) X(clFinish) \
    X(clFlush) X(clCreateProgramWithSource) X(clCreateProgramWithBinary) X(clBuildProgram)        \
    X(clGetProgramBuildInfo) X(clGetProgramInfo) X(clReleaseProgram) X(clCreateKernel)            \
    X(clReleaseKernel) X(clSetKernelArg) X(clGetKernelWorkGroupInfo) X(clEnqueueNDRangeKernel)    \
    O(clCreateProgramWithIL)

typedef struct ocl_api {
    void *lib;
    char lib_name[64];
#define OCL_API_FIELD(name) cl_api_##name name;
    OCL_API_LIST(OCL_API_FIELD, OCL_API_FIELD)
#undef OCL_API_FIELD
} ocl_api;

/* Opens libOpenCL and resolves every entry point, tracing each dlopen through log. On failure fills
 * reason (with an install hint) and returns nonzero; api is then closed. */
int ocl_api_open(ocl_api *api, const accel_dl_log *log, char *reason, size_t reason_len);
void ocl_api_close(ocl_api *api);

/* "CL_OUT_OF_RESOURCES" for -5; "CL_UNKNOWN_ERROR" for codes it does not know. */
const char *ocl_error_name(cl_int code);

#endif

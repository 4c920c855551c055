/* Execution for the mock Level Zero driver (mock_ze_driver.c built with MOCK_ZE_EXECUTE): USM
 * allocations are fine-grained OpenCL SVM buffers, and a module's SPIR-V is matched byte for byte
 * against the build's manifest ($MOCK_ZE_MANIFEST: "name|spv|source|A=1,B=2" lines) to find the
 * OpenCL C source and -D options it was compiled from, which the first OpenCL device (PoCL here) then
 * builds and runs with the launch geometry and arguments the plugin gave Level Zero. So the plugin's
 * op plans are checked numerically on a machine whose OpenCL takes no SPIR-V; the SPIR-V translation
 * itself is covered by spirv-val. */
#define _POSIX_C_SOURCE 200809L
#define CL_TARGET_OPENCL_VERSION 300
#include <CL/cl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mock_ze_opencl.h"

static cl_context context;
static cl_command_queue queue;
static cl_device_id device;

int mockcl_init(char *err, size_t len) {
    if (context) return 1;
    cl_platform_id platform;
    cl_uint n = 0;
    cl_int e = clGetPlatformIDs(1, &platform, &n);
    if (e != CL_SUCCESS || n == 0) {
        snprintf(err, len, "no OpenCL platform (%d)", (int)e);
        return 0;
    }
    e = clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 1, &device, &n);
    if (e != CL_SUCCESS || n == 0) {
        snprintf(err, len, "no OpenCL device (%d)", (int)e);
        return 0;
    }
    cl_device_svm_capabilities svm = 0;
    clGetDeviceInfo(device, CL_DEVICE_SVM_CAPABILITIES, sizeof svm, &svm, NULL);
    if (!(svm & CL_DEVICE_SVM_FINE_GRAIN_BUFFER)) {
        snprintf(err, len, "the OpenCL device has no fine-grained SVM buffers");
        return 0;
    }
    context = clCreateContext(NULL, 1, &device, NULL, NULL, &e);
    if (e == CL_SUCCESS) queue = clCreateCommandQueueWithProperties(context, device, NULL, &e);
    if (e != CL_SUCCESS) {
        snprintf(err, len, "OpenCL context/queue: %d", (int)e);
        return 0;
    }
    return 1;
}

void *mockcl_alloc(size_t bytes) {
    return clSVMAlloc(context, CL_MEM_READ_WRITE | CL_MEM_SVM_FINE_GRAIN_BUFFER, bytes, 128);
}

void mockcl_free(void *ptr) { clSVMFree(context, ptr); }

static char *read_file(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        *size = (size_t)n;
    }
    return buf;
}

void *mockcl_program_for_spirv(const void *spirv, size_t size, char *log, size_t len) {
    const char *manifest = getenv("MOCK_ZE_MANIFEST");
    size_t msize = 0;
    char *text = manifest ? read_file(manifest, &msize) : NULL;
    if (!text) {
        snprintf(log, len, "mock: MOCK_ZE_MANIFEST unreadable");
        return NULL;
    }
    cl_program program = NULL;
    int matched = 0;
    for (char *line = strtok(text, "\n"); line && !matched; line = strtok(NULL, "\n")) {
        char *fields[4] = {line, NULL, NULL, NULL};
        for (int i = 1; i < 4; i++) {
            char *bar = fields[i - 1] ? strchr(fields[i - 1], '|') : NULL;
            if (bar) *bar = '\0';
            fields[i] = bar ? bar + 1 : NULL;
        }
        if (!fields[3]) continue;
        size_t spv_size = 0;
        char *spv = read_file(fields[1], &spv_size);
        matched = spv && spv_size == size && memcmp(spv, spirv, size) == 0;
        free(spv);
        if (!matched) continue;
        size_t src_size = 0;
        char *src = read_file(fields[2], &src_size);
        if (!src) {
            snprintf(log, len, "mock: cannot read %s", fields[2]);
            break;
        }
        char options[512] = "";
        char *dir = strrchr(fields[2], '/');
        if (dir) snprintf(options, sizeof options, "-I%.*s", (int)(dir - fields[2]), fields[2]);
        for (char *d = fields[3]; *d;) {
            char *comma = strchr(d, ',');
            size_t used = strlen(options);
            snprintf(options + used, sizeof options - used, " -D%.*s",
                     (int)(comma ? (size_t)(comma - d) : strlen(d)), d);
            d = comma ? comma + 1 : d + strlen(d);
        }
        const char *srcs[1] = {src};
        cl_int e;
        program = clCreateProgramWithSource(context, 1, srcs, &src_size, &e);
        if (e == CL_SUCCESS) e = clBuildProgram(program, 1, &device, options, NULL, NULL);
        if (e != CL_SUCCESS) {
            char build_log[400] = "";
            if (program)
                clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, sizeof build_log,
                                      build_log, NULL);
            snprintf(log, len, "mock: %s %s: clBuildProgram %d: %s", fields[0], options, (int)e, build_log);
            if (program) clReleaseProgram(program);
            program = NULL;
        }
        free(src);
    }
    if (!matched) snprintf(log, len, "mock: SPIR-V not in the manifest");
    free(text);
    return program;
}

void mockcl_program_release(void *program) { clReleaseProgram(program); }

void *mockcl_kernel(void *program, const char *name) {
    cl_int e;
    cl_kernel k = clCreateKernel(program, name, &e);
    return e == CL_SUCCESS ? k : NULL;
}

void mockcl_kernel_release(void *kernel) { clReleaseKernel(kernel); }

int mockcl_launch(void *kernel, const mockcl_arg *args, int nargs, const uint32_t groups[3],
                  const uint32_t local[3], char *err, size_t len) {
    for (int i = 0; i < nargs; i++) {
        cl_int e;
        if (args[i].kind == MOCKCL_ARG_POINTER) {
            void *ptr;
            memcpy(&ptr, args[i].bytes, sizeof ptr);
            e = clSetKernelArgSVMPointer(kernel, (cl_uint)i, ptr);
        } else if (args[i].kind == MOCKCL_ARG_LOCAL) {
            e = clSetKernelArg(kernel, (cl_uint)i, args[i].size, NULL);
        } else {
            e = clSetKernelArg(kernel, (cl_uint)i, args[i].size, args[i].bytes);
        }
        if (e != CL_SUCCESS) {
            snprintf(err, len, "clSetKernelArg %d: %d", i, (int)e);
            return 0;
        }
    }
    size_t global[3], lsize[3];
    for (int d = 0; d < 3; d++) {
        global[d] = (size_t)groups[d] * local[d];
        lsize[d] = local[d];
    }
    cl_int e = clEnqueueNDRangeKernel(queue, kernel, 3, NULL, global, lsize, 0, NULL, NULL);
    if (e == CL_SUCCESS) e = clFinish(queue);
    if (e != CL_SUCCESS) {
        snprintf(err, len, "clEnqueueNDRangeKernel/clFinish: %d", (int)e);
        return 0;
    }
    return 1;
}

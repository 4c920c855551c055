/* OpenCL execution behind the mock Level Zero driver (see mock_ze_opencl.c). */
#ifndef MOCK_ZE_OPENCL_H
#define MOCK_ZE_OPENCL_H

#include <stddef.h>
#include <stdint.h>

enum { MOCKCL_ARG_VALUE = 0, MOCKCL_ARG_POINTER = 1, MOCKCL_ARG_LOCAL = 2 };
typedef struct mockcl_arg {
    int kind;
    size_t size;
    unsigned char bytes[16];
} mockcl_arg;

int mockcl_init(char *err, size_t len);
void *mockcl_alloc(size_t bytes);
void mockcl_free(void *ptr);
void *mockcl_program_for_spirv(const void *spirv, size_t size, char *log, size_t len);
void mockcl_program_release(void *program);
void *mockcl_kernel(void *program, const char *name);
void mockcl_kernel_release(void *kernel);
int mockcl_launch(void *kernel, const mockcl_arg *args, int nargs, const uint32_t groups[3],
                  const uint32_t local[3], char *err, size_t len);

#endif

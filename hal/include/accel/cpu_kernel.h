/* The CPU backend's module format (ACCEL_MODULE_CPU_TABLE): a table of C functions, each run once per
 * work-group, groups spread over the backend's threads. Pass a pointer to an accel_cpu_module_image
 * as `bytes` and sizeof(accel_cpu_module_image) as `size` to accel_module_load. */
#ifndef ACCEL_CPU_KERNEL_H
#define ACCEL_CPU_KERNEL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ACCEL_CPU_MODULE_MAGIC 0x4143504bu /* "ACPK" */

typedef struct accel_cpu_group {
    uint32_t group_id[3];
    uint32_t grid[3];       /* groups in each dimension */
    uint32_t group_size[3]; /* the kernel loops over its own work-items */
    void *const *args;      /* BUFFER: pointer to data + offset; SCALAR: pointer to the value bytes */
    size_t nargs;
    void *shared;           /* shared_bytes of scratch private to this group's thread */
} accel_cpu_group;

typedef void (*accel_cpu_kernel_fn)(const accel_cpu_group *group);

typedef struct accel_cpu_kernel_entry {
    const char *name;
    accel_cpu_kernel_fn fn;
    size_t nargs; /* expected argument count; checked at launch */
} accel_cpu_kernel_entry;

typedef struct accel_cpu_module_image {
    uint32_t magic; /* ACCEL_CPU_MODULE_MAGIC */
    uint32_t count;
    const accel_cpu_kernel_entry *entries;
} accel_cpu_module_image;

#ifdef __cplusplus
}
#endif
#endif

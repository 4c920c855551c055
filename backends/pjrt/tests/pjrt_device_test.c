/* The pjrt backend on a real PJRT plugin (ACCEL_PJRT_PLUGIN, XLA's CPU plugin in CI): what the
 * conformance suite does not reach. Device description, the refusals, and operands at byte offsets
 * inside shared and larger buffers (modules compiled at execute for those bindings, outputs written
 * in place with the bytes around them kept). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel/accel.h"
#include "pjrt_expect.h"

#define SKIP_RETURN_CODE 77

static void check_info(accel_device *dev) {
    accel_device_info info;
    memset(&info, 0, sizeof info);
    info.struct_size = sizeof info;
    EXPECT(accel_device_info_get(dev, &info) == ACCEL_OK, "device info");
    printf("pjrt:0 %s | %s | %s | %s | %d units | libs '%s' | %s\n", info.name, info.vendor, info.driver_version,
           info.runtime_version, info.compute_units, info.op_libraries, info.notes);
    EXPECT(info.type == ACCEL_DEVICE_CPU && strncmp(info.name, "XLA CPU", 7) == 0, "the CPU plugin's device '%s'", info.name);
    EXPECT(strncmp(info.driver_version, "PJRT C API 0.", 13) == 0, "driver_version '%s'", info.driver_version);
    EXPECT(strcmp(info.op_libraries, "xla") == 0, "op libraries '%s'", info.op_libraries);
    EXPECT(info.module_formats == 0, "module formats 0x%x", info.module_formats);
    EXPECT(info.vendor_peak.source[0] == '\0', "a CPU got vendor peak '%s'", info.vendor_peak.source);
    double res = 0;
    const char *timer = NULL;
    EXPECT(accel_timer_properties(dev, &res, &timer) == ACCEL_OK && timer && strcmp(timer, "host") == 0,
           "timer '%s'", timer ? timer : "(none)");
}

static void check_refusals(accel_device *dev) {
    const char ptx[] = ".version 8.0\n";
    accel_module *m = NULL;
    EXPECT(accel_module_load(dev, ACCEL_MODULE_PTX, ptx, sizeof ptx, NULL, &m) == ACCEL_ERR_UNIMPLEMENTED,
           "a kernel module was accepted");
    accel_op_desc d;
    memset(&d, 0, sizeof d);
    d.kind = ACCEL_OP_GEMM;
    d.u.gemm = (accel_gemm_desc){.a_type = ACCEL_DTYPE_F32, .b_type = ACCEL_DTYPE_F32, .d_type = ACCEL_DTYPE_F32,
                                 .m = 8, .n = 8, .k = 8, .batch = 1, .alpha = 1};
    accel_op_plan *plan = NULL;
    snprintf(d.library, sizeof d.library, "cublaslt");
    EXPECT(accel_op_plan_create(dev, &d, &plan) == ACCEL_ERR_UNIMPLEMENTED && strstr(accel_last_error(), "'xla'"),
           "library cublaslt not refused with the one offered");
    d.library[0] = '\0';
    d.u.gemm.compute = ACCEL_COMPUTE_F16_ACC16;
    d.u.gemm.a_type = d.u.gemm.b_type = d.u.gemm.d_type = ACCEL_DTYPE_F16;
    EXPECT(accel_op_plan_create(dev, &d, &plan) == ACCEL_ERR_UNIMPLEMENTED && strstr(accel_last_error(), "fp32"),
           "fp16 accumulation not refused with its reason");
    d.u.gemm.compute = ACCEL_COMPUTE_DEFAULT;
    d.u.gemm.a_type = d.u.gemm.b_type = d.u.gemm.d_type = ACCEL_DTYPE_I8;
    EXPECT(accel_op_plan_create(dev, &d, &plan) == ACCEL_ERR_UNIMPLEMENTED, "int8 gemm not refused");
}

/* Y = 2 X - Z with X and Z side by side in one buffer past a 64-byte header, and Y inside a larger
 * buffer between guard bytes; then Y = 2 Y - Z in place (Y aliasing X). */
static void check_offsets(accel_device *dev, accel_stream *s) {
    enum { N = 1000, XOFF = 64, YOFF = 48, YBYTES = N * 4 + 2 * YOFF };
    float x[N], z[N], y[N], want[N];
    unsigned char guard[YBYTES], got[YBYTES];
    for (int i = 0; i < N; ++i) {
        x[i] = (float)(i % 17) - 8.0f;
        z[i] = 0.25f * (float)(i % 5);
        want[i] = 2.0f * x[i] - z[i];
    }
    for (int i = 0; i < YBYTES; ++i) guard[i] = (unsigned char)(0xa5 ^ i);
    accel_buffer *xz = NULL, *yb = NULL;
    accel_status st = accel_buffer_alloc(dev, XOFF + 2 * N * 4, ACCEL_MEMORY_DEVICE, &xz);
    if (st == ACCEL_OK) st = accel_buffer_alloc(dev, YBYTES, ACCEL_MEMORY_DEVICE, &yb);
    if (st == ACCEL_OK) st = accel_buffer_write(s, xz, XOFF, x, sizeof x);
    if (st == ACCEL_OK) st = accel_buffer_write(s, xz, XOFF + N * 4, z, sizeof z);
    if (st == ACCEL_OK) st = accel_buffer_write(s, yb, 0, guard, YBYTES);
    EXPECT(st == ACCEL_OK, "setup");
    accel_op_desc d;
    memset(&d, 0, sizeof d);
    d.kind = ACCEL_OP_ELTWISE;
    d.u.eltwise = (accel_eltwise_desc){.kind = ACCEL_ELTWISE_ADD, .dtype = ACCEL_DTYPE_F32, .count = N, .alpha = 2, .beta = -1};
    accel_op_plan *plan = NULL;
    if (st == ACCEL_OK) st = accel_op_plan_create(dev, &d, &plan);
    EXPECT(st == ACCEL_OK, "plan");
    accel_buffer_ref ops[3] = {{xz, XOFF}, {xz, XOFF + N * 4}, {yb, YOFF}};
    for (int run = 0; run < 2 && st == ACCEL_OK; ++run) { /* the second run reuses the variant */
        st = accel_op_plan_execute(plan, s, ops, 3, (accel_buffer_ref){NULL, 0});
        EXPECT(st == ACCEL_OK, "execute at offsets, run %d", run);
    }
    if (st == ACCEL_OK) st = accel_buffer_read(s, yb, 0, got, YBYTES);
    if (st == ACCEL_OK) st = accel_stream_synchronize(s);
    EXPECT(st == ACCEL_OK, "read back");
    if (st == ACCEL_OK) {
        memcpy(y, got + YOFF, sizeof y);
        EXPECT(memcmp(y, want, sizeof y) == 0, "Y at an offset differs from 2X - Z");
        EXPECT(memcmp(got, guard, YOFF) == 0 && memcmp(got + YOFF + N * 4, guard + YOFF + N * 4, YOFF) == 0,
               "bytes around Y were changed");
    }
    /* in place: Y is X's own bytes */
    accel_buffer_ref inplace[3] = {{xz, XOFF}, {xz, XOFF + N * 4}, {xz, XOFF}};
    if (st == ACCEL_OK) st = accel_op_plan_execute(plan, s, inplace, 3, (accel_buffer_ref){NULL, 0});
    EXPECT(st == ACCEL_OK, "execute in place");
    if (st == ACCEL_OK) st = accel_buffer_read(s, xz, XOFF, y, sizeof y);
    if (st == ACCEL_OK) st = accel_stream_synchronize(s);
    if (st == ACCEL_OK)
        for (int i = 0; i < N; ++i)
            if (y[i] != want[i]) {
                EXPECT(0, "in-place Y[%d] = %g, want %g", i, y[i], want[i]);
                break;
            }
    /* an operand that does not start on an element boundary is refused, not misread */
    accel_buffer_ref odd[3] = {{xz, XOFF + 2}, {xz, XOFF + N * 4}, {yb, YOFF}};
    EXPECT(accel_op_plan_execute(plan, s, odd, 3, (accel_buffer_ref){NULL, 0}) == ACCEL_ERR_UNIMPLEMENTED &&
               strstr(accel_last_error(), "whole elements"), "a misaligned operand was not refused");
    accel_op_plan_destroy(plan);
    accel_buffer_free(xz);
    accel_buffer_free(yb);
}

int main(void) {
    accel_runtime_options opts;
    memset(&opts, 0, sizeof opts);
    opts.struct_size = sizeof opts;
    opts.backends = "pjrt";
    accel_runtime *rt = NULL;
    if (accel_runtime_open(&opts, &rt) != ACCEL_OK) {
        printf("FAIL: runtime: %s\n", accel_last_error());
        return 1;
    }
    accel_device *dev = NULL;
    if (accel_device_open(rt, "pjrt:0", &dev) != ACCEL_OK) {
        printf("no pjrt device (%s): set ACCEL_PJRT_PLUGIN to a PJRT plugin\n", accel_last_error());
        accel_runtime_close(rt);
        return SKIP_RETURN_CODE;
    }
    accel_stream *s = NULL;
    if (accel_stream_create(dev, &s) != ACCEL_OK) {
        printf("FAIL: stream: %s\n", accel_last_error());
        return 1;
    }
    check_info(dev);
    check_refusals(dev);
    check_offsets(dev, s);
    accel_stream_destroy(s);
    accel_device_close(dev);
    accel_runtime_close(rt);
    printf("pjrt device test: %s\n", failures ? "FAILED" : "ok");
    return failures ? 1 : 0;
}

/* The HAL's argument checking, exercised on the null backend's host-memory devices: every bad input
 * must come back as a status with a message, never reach a plugin, never crash. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdlib.h>

#include "check.h"

TEST_DEFINE_COUNTS;

static void test_status_strings(void) {
    for (int s = ACCEL_OK; s <= ACCEL_ERR_INTERNAL; ++s)
        CHECK(strcmp(accel_status_str((accel_status)s), "unknown status") != 0);
    CHECK(strcmp(accel_status_str((accel_status)99), "unknown status") == 0);
    CHECK(accel_dtype_size(ACCEL_DTYPE_BF16) == 2 && accel_dtype_size(ACCEL_DTYPE_INVALID) == 0);
    CHECK(strcmp(accel_dtype_name(ACCEL_DTYPE_F16), "f16") == 0);
}

static void test_runtime_args(const char *plugin) {
    accel_runtime *rt = (accel_runtime *)1;
    CHECK_FAILS(accel_runtime_open(NULL, NULL), ACCEL_ERR_INVALID_ARGUMENT);
    accel_runtime_options bad = {.struct_size = 3};
    CHECK_FAILS(accel_runtime_open(&bad, &rt), ACCEL_ERR_INVALID_ARGUMENT);
    CHECK(rt == NULL);
    accel_runtime_options bad2 = {.struct_size = sizeof bad2, .plugin_path_count = 1};
    CHECK_FAILS(accel_runtime_open(&bad2, &rt), ACCEL_ERR_INVALID_ARGUMENT);
    int n;
    CHECK_FAILS(accel_runtime_device_count(NULL, &n), ACCEL_ERR_INVALID_ARGUMENT);
    (void)plugin;
}

static accel_runtime *open_null_runtime(const char *plugin) {
    const char *paths[] = {plugin};
    accel_runtime_options o = {.struct_size = sizeof o, .plugin_paths = paths,
                               .plugin_path_count = 1, .no_default_paths = 1};
    accel_runtime *rt = NULL;
    CHECK_OK(accel_runtime_open(&o, &rt));
    return rt;
}

static void test_device_ids(accel_runtime *rt) {
    accel_device *d = (accel_device *)1;
    CHECK_FAILS(accel_device_open(rt, "null", &d), ACCEL_ERR_INVALID_ARGUMENT);
    CHECK(d == NULL);
    CHECK_FAILS(accel_device_open(rt, "null:-1", &d), ACCEL_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(accel_device_open(rt, "null:x", &d), ACCEL_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(accel_device_open(rt, ":0", &d), ACCEL_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(accel_device_open(rt, "null:99999999999999999999", &d), ACCEL_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(accel_device_open(rt, "null:7", &d), ACCEL_ERR_NOT_FOUND);
    CHECK_FAILS(accel_device_open(rt, "nosuch:0", &d), ACCEL_ERR_NOT_FOUND);
    CHECK_FAILS(accel_device_open(NULL, "null:0", &d), ACCEL_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(accel_device_open(rt, NULL, &d), ACCEL_ERR_INVALID_ARGUMENT);
    int count = 0;
    CHECK_OK(accel_runtime_device_count(rt, &count));
    CHECK(count == 2);
    char id[16];
    CHECK_OK(accel_runtime_device_id(rt, 1, id, sizeof id));
    CHECK(strcmp(id, "null:1") == 0);
    CHECK_FAILS(accel_runtime_device_id(rt, 2, id, sizeof id), ACCEL_ERR_NOT_FOUND);
    CHECK_FAILS(accel_runtime_device_id(rt, 0, id, 3), ACCEL_ERR_INVALID_ARGUMENT);
    accel_device_info info = {0};
    CHECK_OK(accel_device_open(rt, "null:0", &d));
    CHECK_FAILS(accel_device_info_get(d, &info), ACCEL_ERR_INVALID_ARGUMENT); /* struct_size 0 */
    info.struct_size = sizeof info;
    CHECK_OK(accel_device_info_get(d, &info));
    CHECK(strcmp(info.backend, "null") == 0 && info.index == 0);
    CHECK_FAILS(accel_device_info_get(NULL, &info), ACCEL_ERR_INVALID_ARGUMENT);
    accel_device_telemetry t = {.struct_size = sizeof t};
    CHECK_FAILS(accel_device_telemetry_get(d, &t), ACCEL_ERR_UNIMPLEMENTED);
    accel_device_close(d);
}

static void test_buffers(accel_device *d0, accel_device *d1) {
    accel_buffer *b = (accel_buffer *)1, *other = NULL, *b2 = NULL;
    CHECK_FAILS(accel_buffer_alloc(d0, 0, ACCEL_MEMORY_DEVICE, &b), ACCEL_ERR_INVALID_ARGUMENT);
    CHECK(b == NULL);
    CHECK_FAILS(accel_buffer_alloc(d0, SIZE_MAX, ACCEL_MEMORY_DEVICE, &b), ACCEL_ERR_OUT_OF_MEMORY);
    CHECK_FAILS(accel_buffer_alloc(d0, 64, (accel_memory_kind)7, &b), ACCEL_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(accel_buffer_alloc(NULL, 64, ACCEL_MEMORY_DEVICE, &b), ACCEL_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(accel_buffer_alloc(d0, 64, ACCEL_MEMORY_DEVICE, NULL), ACCEL_ERR_INVALID_ARGUMENT);
    /* A buffer handle where a device handle belongs is caught by the type tag. */
    CHECK_OK(accel_buffer_alloc(d0, 256, ACCEL_MEMORY_DEVICE, &b));
    CHECK_FAILS(accel_buffer_alloc((accel_device *)b, 64, ACCEL_MEMORY_DEVICE, &b2),
                ACCEL_ERR_INVALID_ARGUMENT);
    CHECK_OK(accel_buffer_alloc(d0, 256, ACCEL_MEMORY_HOST_PINNED, &b2));
    CHECK_OK(accel_buffer_alloc(d1, 256, ACCEL_MEMORY_DEVICE, &other));
    CHECK(accel_buffer_size(b) == 256 && accel_buffer_device(b) == d0);

    accel_stream *s = NULL;
    CHECK_OK(accel_stream_create(d0, &s));
    unsigned char host[512] = {0}, back[512] = {0};
    for (int i = 0; i < 512; ++i) host[i] = (unsigned char)i;
    CHECK_OK(accel_buffer_write(s, b, 0, host, 256));
    CHECK_OK(accel_buffer_read(s, b, 16, back, 32));
    CHECK(memcmp(back, host + 16, 32) == 0);
    CHECK_FAILS(accel_buffer_write(s, b, 200, host, 57), ACCEL_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(accel_buffer_write(s, b, SIZE_MAX, host, 2), ACCEL_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(accel_buffer_write(s, b, 8, host, SIZE_MAX - 4), ACCEL_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(accel_buffer_write(s, b, 0, host, 0), ACCEL_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(accel_buffer_write(s, b, 0, NULL, 4), ACCEL_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(accel_buffer_write(s, NULL, 0, host, 4), ACCEL_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(accel_buffer_write(NULL, b, 0, host, 4), ACCEL_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(accel_buffer_read(s, b, 0, NULL, 4), ACCEL_ERR_INVALID_ARGUMENT);
    /* Wrong device for a buffer. */
    CHECK_FAILS(accel_buffer_write(s, other, 0, host, 4), ACCEL_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(accel_buffer_copy(s, b, 0, other, 0, 4), ACCEL_ERR_INVALID_ARGUMENT);
    CHECK_OK(accel_buffer_copy(s, b2, 0, b, 0, 256));
    void *p = NULL;
    CHECK_OK(accel_buffer_host_ptr(b2, &p));
    CHECK(p && memcmp(p, host, 256) == 0);
    CHECK_FAILS(accel_buffer_copy(s, b2, 1, b, 0, 256), ACCEL_ERR_INVALID_ARGUMENT);

    uint32_t pat = 0xdeadbeefu;
    CHECK_OK(accel_buffer_fill(s, b, 4, 8, &pat, 4));
    CHECK_OK(accel_buffer_read(s, b, 0, back, 16));
    uint32_t words[4];
    memcpy(words, back, 16);
    CHECK(words[1] == pat && words[2] == pat && words[3] != pat);
    CHECK_FAILS(accel_buffer_fill(s, b, 0, 6, &pat, 4), ACCEL_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(accel_buffer_fill(s, b, 2, 8, &pat, 4), ACCEL_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(accel_buffer_fill(s, b, 0, 8, &pat, 3), ACCEL_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(accel_buffer_fill(s, b, 0, 8, NULL, 4), ACCEL_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(accel_buffer_fill(s, b, 252, 8, &pat, 4), ACCEL_ERR_INVALID_ARGUMENT);

    /* Timers: end before begin, elapsed before end, wrong device. */
    accel_timer *t = NULL, *t1 = NULL;
    CHECK_OK(accel_timer_create(d0, &t));
    CHECK_OK(accel_timer_create(d1, &t1));
    double ms = -1;
    CHECK_FAILS(accel_timer_end(t, s), ACCEL_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(accel_timer_elapsed_ms(t, &ms), ACCEL_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(accel_timer_begin(t1, s), ACCEL_ERR_INVALID_ARGUMENT);
    CHECK_OK(accel_timer_begin(t, s));
    CHECK_OK(accel_buffer_fill(s, b, 0, 256, &pat, 4));
    CHECK_OK(accel_timer_end(t, s));
    CHECK_OK(accel_timer_elapsed_ms(t, &ms));
    CHECK(ms >= 0);
    double res = 0;
    const char *tname = NULL;
    CHECK_OK(accel_timer_properties(d0, &res, &tname));
    CHECK(res > 0 && tname && *tname);
    accel_timer_destroy(t);
    accel_timer_destroy(t1);

    accel_event *e = NULL;
    CHECK_OK(accel_event_create(d0, &e));
    CHECK_OK(accel_event_record(e, s));
    CHECK_OK(accel_stream_wait_event(s, e));
    CHECK_OK(accel_event_synchronize(e));
    accel_event_destroy(e);

    /* Kernels: the null device declares no module format. */
    accel_module *m = (accel_module *)1;
    CHECK_FAILS(accel_module_load(d0, ACCEL_MODULE_OPENCL_C, "x", 1, NULL, &m),
                ACCEL_ERR_UNIMPLEMENTED);
    CHECK(m == NULL);
    CHECK_FAILS(accel_module_load(d0, (accel_module_format)42, "x", 1, NULL, &m),
                ACCEL_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(accel_module_load(d0, ACCEL_MODULE_OPENCL_C, NULL, 0, NULL, &m),
                ACCEL_ERR_INVALID_ARGUMENT);
    accel_graph *g = NULL;
    CHECK_FAILS(accel_stream_capture_begin(s), ACCEL_ERR_UNIMPLEMENTED);
    CHECK_FAILS(accel_stream_capture_end(s, &g), ACCEL_ERR_UNIMPLEMENTED);

    CHECK_OK(accel_stream_destroy(s));
    CHECK_OK(accel_buffer_free(b));
    CHECK_OK(accel_buffer_free(b2));
    CHECK_OK(accel_buffer_free(other));
    CHECK_OK(accel_buffer_free(NULL));
}

static accel_op_desc gemm_desc(int64_t m, int64_t n, int64_t k) {
    accel_op_desc d = {.kind = ACCEL_OP_GEMM};
    d.u.gemm = (accel_gemm_desc){.a_type = ACCEL_DTYPE_F32, .b_type = ACCEL_DTYPE_F32,
                                 .c_type = ACCEL_DTYPE_F32, .d_type = ACCEL_DTYPE_F32,
                                 .m = m, .n = n, .k = k, .batch = 1, .alpha = 1.0};
    return d;
}

static void test_op_validation(accel_device *d) {
    accel_op_plan *p = (accel_op_plan *)1;
    accel_op_desc g = gemm_desc(0, 4, 4);
    CHECK_FAILS(accel_op_plan_create(d, &g, &p), ACCEL_ERR_INVALID_ARGUMENT);
    CHECK(p == NULL);
    g = gemm_desc(4, 4, -3);
    CHECK_FAILS(accel_op_plan_create(d, &g, &p), ACCEL_ERR_INVALID_ARGUMENT);
    g = gemm_desc(INT64_MAX / 2, INT64_MAX / 2, 4);
    CHECK_FAILS(accel_op_plan_create(d, &g, &p), ACCEL_ERR_INVALID_ARGUMENT);
    g = gemm_desc(4, 4, 4);
    g.u.gemm.lda = 3; /* smaller than k */
    CHECK_FAILS(accel_op_plan_create(d, &g, &p), ACCEL_ERR_INVALID_ARGUMENT);
    g = gemm_desc(4, 4, 4);
    g.u.gemm.batch = 0;
    CHECK_FAILS(accel_op_plan_create(d, &g, &p), ACCEL_ERR_INVALID_ARGUMENT);
    g = gemm_desc(4, 4, 4);
    g.u.gemm.epilogue = ACCEL_EPILOGUE_RELU | ACCEL_EPILOGUE_GELU_ERF;
    CHECK_FAILS(accel_op_plan_create(d, &g, &p), ACCEL_ERR_INVALID_ARGUMENT);
    g = gemm_desc(4, 4, 4);
    g.u.gemm.epilogue = 1u << 20;
    CHECK_FAILS(accel_op_plan_create(d, &g, &p), ACCEL_ERR_INVALID_ARGUMENT);
    g = gemm_desc(4, 4, 4);
    g.u.gemm.a_type = (accel_dtype)77;
    CHECK_FAILS(accel_op_plan_create(d, &g, &p), ACCEL_ERR_INVALID_ARGUMENT);
    g = gemm_desc(4, 4, 4);
    g.u.gemm.compute = (accel_compute_type)77;
    CHECK_FAILS(accel_op_plan_create(d, &g, &p), ACCEL_ERR_INVALID_ARGUMENT);
    g = gemm_desc(4, 4, 4);
    memset(g.library, 'x', sizeof g.library);
    CHECK_FAILS(accel_op_plan_create(d, &g, &p), ACCEL_ERR_INVALID_ARGUMENT);
    /* fp8: inputs only, both of them, with a wider output and fp32 compute. */
    g = gemm_desc(4, 4, 4);
    g.u.gemm.a_type = ACCEL_DTYPE_F8_E4M3;
    CHECK_FAILS(accel_op_plan_create(d, &g, &p), ACCEL_ERR_INVALID_ARGUMENT); /* B is f32 */
    CHECK(strstr(accel_last_error(), "both A and B") != NULL);
    g.u.gemm.b_type = ACCEL_DTYPE_F8_E5M2;
    g.u.gemm.d_type = ACCEL_DTYPE_F8_E4M3;
    CHECK_FAILS(accel_op_plan_create(d, &g, &p), ACCEL_ERR_INVALID_ARGUMENT); /* fp8 output */
    g.u.gemm.d_type = ACCEL_DTYPE_BF16;
    g.u.gemm.compute = ACCEL_COMPUTE_BF16;
    CHECK_FAILS(accel_op_plan_create(d, &g, &p), ACCEL_ERR_INVALID_ARGUMENT);
    g.u.gemm.compute = ACCEL_COMPUTE_F32;
    g.u.gemm.beta = 1.0;
    g.u.gemm.c_type = ACCEL_DTYPE_I8;
    CHECK_FAILS(accel_op_plan_create(d, &g, &p), ACCEL_ERR_INVALID_ARGUMENT); /* C not a float */
    g.u.gemm.c_type = ACCEL_DTYPE_F32;
    CHECK_FAILS(accel_op_plan_create(d, &g, &p), ACCEL_ERR_UNIMPLEMENTED); /* valid: null says no */
    g = gemm_desc(4, 4, 4);
    g.u.gemm.bias_type = ACCEL_DTYPE_F8_E4M3;
    CHECK_FAILS(accel_op_plan_create(d, &g, &p), ACCEL_ERR_INVALID_ARGUMENT); /* fp8 bias */
    /* A valid description reaches the plugin, which answers UNIMPLEMENTED with a reason. */
    g = gemm_desc(4, 4, 4);
    CHECK_FAILS(accel_op_plan_create(d, &g, &p), ACCEL_ERR_UNIMPLEMENTED);
    CHECK(strstr(accel_last_error(), "gemm") != NULL);

    accel_op_desc c = {.kind = ACCEL_OP_CONV2D};
    c.u.conv2d = (accel_conv2d_desc){.x_type = ACCEL_DTYPE_F32, .w_type = ACCEL_DTYPE_F32,
                                     .y_type = ACCEL_DTYPE_F32, .n = 1, .c = 3, .h = 2, .w = 2,
                                     .k = 4, .r = 3, .s = 3, .stride_h = 1, .stride_w = 1};
    CHECK_FAILS(accel_op_plan_create(d, &c, &p), ACCEL_ERR_INVALID_ARGUMENT); /* kernel > input */
    c.u.conv2d.pad_h = c.u.conv2d.pad_w = 1;
    c.u.conv2d.epilogue = ACCEL_EPILOGUE_GELU_ERF;
    CHECK_FAILS(accel_op_plan_create(d, &c, &p), ACCEL_ERR_INVALID_ARGUMENT);
    c.u.conv2d.epilogue = 0;
    c.u.conv2d.stride_h = 0;
    CHECK_FAILS(accel_op_plan_create(d, &c, &p), ACCEL_ERR_INVALID_ARGUMENT);

    accel_op_desc perm = {.kind = ACCEL_OP_PERMUTE};
    perm.u.permute = (accel_permute_desc){.dtype = ACCEL_DTYPE_F32, .ndims = 3, .dims = {2, 3, 4},
                                          .perm = {0, 0, 1}};
    CHECK_FAILS(accel_op_plan_create(d, &perm, &p), ACCEL_ERR_INVALID_ARGUMENT);
    perm.u.permute.ndims = 9;
    CHECK_FAILS(accel_op_plan_create(d, &perm, &p), ACCEL_ERR_INVALID_ARGUMENT);

    accel_op_desc sm = {.kind = ACCEL_OP_SOFTMAX};
    sm.u.softmax = (accel_softmax_desc){.dtype = ACCEL_DTYPE_F32, .rows = 10, .cols = 4,
                                        .scale = 1, .rows_per_mask_row = 3};
    CHECK_FAILS(accel_op_plan_create(d, &sm, &p), ACCEL_ERR_INVALID_ARGUMENT);
    accel_op_desc el = {.kind = ACCEL_OP_ELTWISE};
    el.u.eltwise = (accel_eltwise_desc){.kind = (accel_eltwise_kind)99, .dtype = ACCEL_DTYPE_F32,
                                        .count = 4};
    CHECK_FAILS(accel_op_plan_create(d, &el, &p), ACCEL_ERR_INVALID_ARGUMENT);
    el.u.eltwise.kind = ACCEL_ELTWISE_BIAS_ADD;
    el.u.eltwise.cols = 3;
    CHECK_FAILS(accel_op_plan_create(d, &el, &p), ACCEL_ERR_INVALID_ARGUMENT);
    accel_op_desc bad = {.kind = (accel_op_kind)0};
    CHECK_FAILS(accel_op_plan_create(d, &bad, &p), ACCEL_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(accel_op_plan_create(d, NULL, &p), ACCEL_ERR_INVALID_ARGUMENT);

    /* Operand extents: packed, with leading dimensions, transposed, batched. */
    size_t bytes = 0;
    g = gemm_desc(3, 5, 7);
    CHECK_OK(accel_op_operand_bytes(&g, 0, &bytes));
    CHECK(bytes == 3 * 7 * 4);
    g.u.gemm.trans_a = 1;
    g.u.gemm.lda = 10;
    CHECK_OK(accel_op_operand_bytes(&g, 0, &bytes));
    CHECK(bytes == (6 * 10 + 3) * 4);
    g.u.gemm.batch = 2;
    g.u.gemm.stride_b = 100;
    CHECK_OK(accel_op_operand_bytes(&g, 1, &bytes));
    CHECK(bytes == (100 + 35) * 4);
    CHECK_OK(accel_op_operand_bytes(&g, 2, &bytes)); /* beta 0: C unused */
    CHECK(bytes == 0);
    CHECK_OK(accel_op_operand_bytes(&g, 5, &bytes)); /* a_scale: only for fp8 A */
    CHECK(bytes == 0);
    CHECK_FAILS(accel_op_operand_bytes(&g, 7, &bytes), ACCEL_ERR_INVALID_ARGUMENT);
    g.u.gemm.a_type = g.u.gemm.b_type = ACCEL_DTYPE_F8_E4M3;
    g.u.gemm.d_type = ACCEL_DTYPE_BF16;
    CHECK_OK(accel_op_operand_bytes(&g, 1, &bytes));
    CHECK(bytes == 100 + 35);
    CHECK_OK(accel_op_operand_bytes(&g, 6, &bytes));
    CHECK(bytes == 4);
    CHECK(accel_op_operand_count(ACCEL_OP_GEMM) == 7);
    c.u.conv2d.stride_h = 2;
    c.u.conv2d.h = 5;
    c.u.conv2d.w = 5;
    CHECK_OK(accel_op_operand_bytes(&c, 4, &bytes));
    CHECK(bytes == 1 * 4 * 3 * 5 * 4); /* p = (5+2-3)/2+1 = 3, q = 5 */
    CHECK(accel_op_operand_count(ACCEL_OP_SOFTMAX) == 3);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s path/to/libaccel-backend-null.so\n", argv[0]);
        return 2;
    }
    setenv("ACCEL_NULL_DEVICES", "2", 1);
    test_status_strings();
    test_runtime_args(argv[1]);
    accel_runtime *rt = open_null_runtime(argv[1]);
    if (!rt) return test_finish("hal_api");
    test_device_ids(rt);
    accel_device *d0 = NULL, *d1 = NULL, *d0b = NULL;
    CHECK_OK(accel_device_open(rt, "null:0", &d0));
    CHECK_OK(accel_device_open(rt, "null:1", &d1));
    CHECK_OK(accel_device_open(rt, "null:0", &d0b));
    if (d0 && d1 && d0b) {
        test_buffers(d0, d1);
        test_op_validation(d0);
        /* Two handles of one device share buffers. */
        accel_buffer *b = NULL;
        accel_stream *s = NULL;
        CHECK_OK(accel_buffer_alloc(d0, 16, ACCEL_MEMORY_DEVICE, &b));
        CHECK_OK(accel_stream_create(d0b, &s));
        CHECK_OK(accel_buffer_fill(s, b, 0, 16, "\x01", 1));
        accel_stream_destroy(s);
        accel_buffer_free(b);
    }
    accel_device_close(d0b);
    accel_device_close(d1);
    accel_device_close(d0);
    accel_runtime_close(rt);
    return test_finish("hal_api");
}

/* Ownership (device.h, runtime.h, kernel.h): a device handle closes only when nothing it created is
 * alive, a runtime only when its devices are closed, a module only when its kernels are released; a
 * refused close names what is alive and leaves every handle valid, so freeing a buffer after its
 * device's close touches no freed memory (CI runs this under ASan, where such a touch aborts the
 * test). On the null backend's host-memory devices, and for plans, modules, kernels and graphs
 * (which null does not make) on the loader tests' plugin that plans and loads dummies. */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>

#include "check.h"

TEST_DEFINE_COUNTS;

static accel_runtime *open_runtime(const char *plugin) {
    const char *paths[] = {plugin};
    accel_runtime_options o = {.struct_size = sizeof o, .plugin_paths = paths,
                               .plugin_path_count = 1, .backends = "", .no_default_paths = 1};
    accel_runtime *rt = NULL;
    CHECK_OK(accel_runtime_open(&o, &rt));
    return rt;
}

static void check_message_has(const char *part) {
    CHECKF(strstr(accel_last_error(), part) != NULL, "message '%s' lacks '%s'", accel_last_error(),
           part);
}

/* Round trip through the buffer: the device and the buffer still work. */
static void check_buffer_works(accel_stream *s, accel_buffer *b, unsigned char seed) {
    unsigned char out[64], back[64] = {0};
    for (int i = 0; i < 64; ++i) out[i] = (unsigned char)(seed + i);
    CHECK_OK(accel_buffer_write(s, b, 0, out, sizeof out));
    CHECK_OK(accel_buffer_read(s, b, 0, back, sizeof back));
    CHECK_OK(accel_stream_synchronize(s));
    CHECK(memcmp(out, back, sizeof out) == 0);
}

static void test_device_close_refused_then_free(accel_runtime *rt) {
    accel_device *d0 = NULL, *d0b = NULL, *d1 = NULL;
    CHECK_OK(accel_device_open(rt, "null:0", &d0));
    CHECK_OK(accel_device_open(rt, "null:0", &d0b));
    CHECK_OK(accel_device_open(rt, "null:1", &d1));
    if (!d0 || !d0b || !d1) return;
    accel_buffer *b = NULL, *b2 = NULL;
    accel_stream *s = NULL;
    accel_event *e = NULL;
    accel_timer *t = NULL;
    CHECK_OK(accel_buffer_alloc(d0, 64, ACCEL_MEMORY_DEVICE, &b));
    CHECK_OK(accel_buffer_alloc(d0, 32, ACCEL_MEMORY_HOST_PINNED, &b2));
    CHECK_OK(accel_stream_create(d0, &s));
    CHECK_OK(accel_event_create(d0, &e));
    CHECK_OK(accel_timer_create(d0, &t));
    if (!b || !b2 || !s || !e || !t) return;

    /* Refused, naming each kind and count; every handle stays valid, so the buffer freed right
     * after its device's close touches no freed memory, and the device stays usable. */
    CHECK_FAILS(accel_device_close(d0), ACCEL_ERR_INVALID_ARGUMENT);
    check_message_has("null:0 still has 2 buffers, 1 stream, 1 event, 1 timer alive");
    CHECK_OK(accel_buffer_free(b2));
    check_buffer_works(s, b, 1);
    /* The other handle onto the same hardware owns nothing: it closes, and the hardware stays
     * open for d0's objects. */
    CHECK_OK(accel_device_close(d0b));
    check_buffer_works(s, b, 2);

    /* The runtime refuses while devices are open, and names them. */
    CHECK_FAILS(accel_runtime_close(rt), ACCEL_ERR_INVALID_ARGUMENT);
    check_message_has("2 devices still open (null:0, null:1)");
    CHECK_OK(accel_buffer_free(b));
    CHECK_FAILS(accel_device_close(d0), ACCEL_ERR_INVALID_ARGUMENT);
    check_message_has("null:0 still has 1 stream, 1 event, 1 timer alive");
    accel_event_destroy(e);
    accel_timer_destroy(t);
    CHECK_OK(accel_stream_destroy(s));
    CHECK_OK(accel_device_close(d0));
    CHECK_FAILS(accel_runtime_close(rt), ACCEL_ERR_INVALID_ARGUMENT);
    check_message_has("1 device still open (null:1)");
    CHECK_OK(accel_device_close(d1));
}

static void test_plans_modules_graphs(accel_runtime *rt, const char *id) {
    accel_device *d = NULL;
    CHECK_OK(accel_device_open(rt, id, &d));
    if (!d) return;
    accel_stream *s = NULL;
    accel_op_plan *plan = NULL;
    accel_module *m = NULL;
    accel_kernel *k = NULL, *k2 = NULL;
    accel_graph *g = NULL;
    accel_op_desc desc = {.kind = ACCEL_OP_ELTWISE};
    desc.u.eltwise = (accel_eltwise_desc){.kind = ACCEL_ELTWISE_COPY, .dtype = ACCEL_DTYPE_F32,
                                          .count = 4};
    static const unsigned char image[16] = {1};
    CHECK_OK(accel_stream_create(d, &s));
    CHECK_OK(accel_op_plan_create(d, &desc, &plan));
    CHECK_OK(accel_module_load(d, ACCEL_MODULE_CPU_TABLE, image, sizeof image, NULL, &m));
    CHECK_OK(accel_kernel_get(m, "k", &k));
    CHECK_OK(accel_kernel_get(m, "k2", &k2));
    CHECK_OK(accel_stream_capture_begin(s));
    CHECK_OK(accel_stream_capture_end(s, &g));
    if (!s || !plan || !m || !k || !k2 || !g) return;

    CHECK_FAILS(accel_device_close(d), ACCEL_ERR_INVALID_ARGUMENT);
    check_message_has("still has 1 stream, 1 module, 1 op plan, 1 graph alive");
    /* A module with kernels out stays loaded: each kernel handle points at it. */
    CHECK_FAILS(accel_module_unload(m), ACCEL_ERR_INVALID_ARGUMENT);
    check_message_has("2 kernels taken from this module");
    accel_kernel_release(k);
    CHECK_FAILS(accel_module_unload(m), ACCEL_ERR_INVALID_ARGUMENT);
    check_message_has("1 kernel taken from this module");
    accel_kernel_release(k2);
    CHECK_OK(accel_module_unload(m));
    accel_op_plan_destroy(plan);
    accel_graph_destroy(g);
    CHECK_FAILS(accel_device_close(d), ACCEL_ERR_INVALID_ARGUMENT);
    check_message_has("still has 1 stream alive");
    CHECK_OK(accel_stream_destroy(s));
    CHECK_OK(accel_device_close(d));
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s path/to/libaccel-backend-null.so path/to/libaccel-backend-abinewer.so\n",
                argv[0]);
        return 2;
    }
    setenv("ACCEL_NULL_DEVICES", "2", 1);
    CHECK_OK(accel_device_close(NULL));
    CHECK_OK(accel_runtime_close(NULL));
    CHECK_OK(accel_module_unload(NULL));
    accel_runtime *rt = open_runtime(argv[1]);
    if (rt) {
        test_device_close_refused_then_free(rt);
        /* Everything closed in order: the runtime closes. */
        CHECK_OK(accel_runtime_close(rt));
    }
    rt = open_runtime(argv[2]);
    if (rt) {
        test_plans_modules_graphs(rt, "abinewer:0");
        CHECK_OK(accel_runtime_close(rt));
    }
    return test_finish("ownership");
}

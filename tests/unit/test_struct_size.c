/* The append-only growth rule of types.h, from the caller's side: a caller built against an older
 * header (smaller struct) works and finds nothing written past its struct; a caller built against a
 * newer header (larger struct) gets its unknown fields zeroed, and its options accepted only when
 * what this libaccel does not know is zero. On the null backend's host-memory devices. */
#define _POSIX_C_SOURCE 200809L
#include <stddef.h>
#include <stdlib.h>

#include "check.h"

TEST_DEFINE_COUNTS;

#define INFO_SIZE_1_0 offsetof(accel_device_info, vendor_peak_fp8_tflops)
#define CANARY 0xab
#define EXTRA 40 /* bytes a newer header might have appended */

/* A caller's struct of `size` bytes in a larger buffer whose bytes all start as CANARY. */
typedef union info_buffer {
    accel_device_info info;
    unsigned char raw[sizeof(accel_device_info) + EXTRA + 16];
} info_buffer;

static int all_bytes(const unsigned char *p, size_t from, size_t to, unsigned char v) {
    for (size_t i = from; i < to; ++i)
        if (p[i] != v) return 0;
    return 1;
}

static void test_device_info(accel_device *d) {
    accel_device_info full = {.struct_size = sizeof full};
    CHECK_OK(accel_device_info_get(d, &full));

    /* ABI 1.0 caller: everything up to its size, nothing past it. */
    info_buffer old;
    memset(&old, CANARY, sizeof old);
    old.info.struct_size = INFO_SIZE_1_0;
    CHECK_OK(accel_device_info_get(d, &old.info));
    CHECK(old.info.struct_size == INFO_SIZE_1_0);
    CHECK(strcmp(old.info.name, full.name) == 0 && strcmp(old.info.backend, "null") == 0);
    CHECK(memcmp(old.raw + sizeof(size_t), (const unsigned char *)&full + sizeof(size_t),
                 INFO_SIZE_1_0 - sizeof(size_t)) == 0);
    CHECKF(all_bytes(old.raw, INFO_SIZE_1_0, sizeof old.raw, CANARY),
           "bytes past a 1.0 caller's %zu-byte struct were written", (size_t)INFO_SIZE_1_0);

    /* A newer caller: the fields this libaccel knows, then zeros up to its size, nothing past. */
    info_buffer newer;
    memset(&newer, CANARY, sizeof newer);
    newer.info.struct_size = sizeof(accel_device_info) + EXTRA;
    CHECK_OK(accel_device_info_get(d, &newer.info));
    CHECK(newer.info.struct_size == sizeof(accel_device_info) + EXTRA);
    CHECK(strcmp(newer.info.name, full.name) == 0 &&
          newer.info.vendor_peak_fp8_tflops == full.vendor_peak_fp8_tflops);
    CHECKF(all_bytes(newer.raw, sizeof(accel_device_info), sizeof(accel_device_info) + EXTRA, 0),
           "a newer caller's unknown fields were not zeroed");
    CHECK(all_bytes(newer.raw, sizeof(accel_device_info) + EXTRA, sizeof newer.raw, CANARY));

    /* Smaller than any version: refused with the sizes, nothing written. */
    info_buffer tiny;
    memset(&tiny, CANARY, sizeof tiny);
    tiny.info.struct_size = 16;
    CHECK_FAILS(accel_device_info_get(d, &tiny.info), ACCEL_ERR_INVALID_ARGUMENT);
    CHECK(strstr(accel_last_error(), "struct_size is 16") != NULL);
    CHECK(all_bytes(tiny.raw, sizeof(size_t), sizeof tiny.raw, CANARY));

    /* Telemetry follows the same rule (the null backend reads none: UNIMPLEMENTED past the check). */
    accel_device_telemetry t = {.struct_size = 8};
    CHECK_FAILS(accel_device_telemetry_get(d, &t), ACCEL_ERR_INVALID_ARGUMENT);
    union {
        accel_device_telemetry t;
        unsigned char raw[sizeof(accel_device_telemetry) + EXTRA];
    } tnew;
    memset(&tnew, 0, sizeof tnew);
    tnew.t.struct_size = sizeof tnew.raw;
    CHECK_FAILS(accel_device_telemetry_get(d, &tnew.t), ACCEL_ERR_UNIMPLEMENTED);
}

/* Options are the caller's requests: a newer caller's tail is fine while zero, refused otherwise. */
static void test_options(const char *plugin) {
    const char *paths[] = {plugin};
    union {
        accel_runtime_options o;
        unsigned char raw[sizeof(accel_runtime_options) + EXTRA];
    } newer;
    memset(&newer, 0, sizeof newer);
    newer.o = (accel_runtime_options){.struct_size = sizeof newer.raw, .plugin_paths = paths,
                                      .plugin_path_count = 1, .no_default_paths = 1};
    accel_runtime *rt = NULL;
    CHECK_OK(accel_runtime_open(&newer.o, &rt));
    if (rt) {
        int n = 0;
        CHECK_OK(accel_runtime_backend_device_count(rt, "null", &n));
        CHECK(n == 2);
        CHECK_OK(accel_runtime_close(rt));
    }
    newer.raw[sizeof(accel_runtime_options) + 3] = 1;
    rt = NULL;
    CHECK_FAILS(accel_runtime_open(&newer.o, &rt), ACCEL_ERR_INVALID_ARGUMENT);
    CHECK(rt == NULL);
    char want[96];
    snprintf(want, sizeof want, "byte %zu is set", sizeof(accel_runtime_options) + 3);
    CHECKF(strstr(accel_last_error(), want) != NULL, "message '%s'", accel_last_error());
    char **files = NULL;
    size_t count = 0;
    CHECK_FAILS(accel_plugin_files(&newer.o, &files, &count), ACCEL_ERR_INVALID_ARGUMENT);
    /* The 1.0 size (before `refused`) opens; anything smaller is refused. */
    accel_runtime_options old = {.struct_size = offsetof(accel_runtime_options, refused),
                                 .plugin_paths = paths, .plugin_path_count = 1,
                                 .no_default_paths = 1};
    CHECK_OK(accel_runtime_open(&old, &rt));
    CHECK_OK(accel_runtime_close(rt));
    old.struct_size = offsetof(accel_runtime_options, refused) - 1;
    CHECK_FAILS(accel_runtime_open(&old, &rt), ACCEL_ERR_INVALID_ARGUMENT);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s path/to/libaccel-backend-null.so\n", argv[0]);
        return 2;
    }
    setenv("ACCEL_NULL_DEVICES", "2", 1);
    unsetenv("ACCEL_BACKENDS");
    test_options(argv[1]);
    const char *paths[] = {argv[1]};
    accel_runtime_options o = {.struct_size = sizeof o, .plugin_paths = paths,
                               .plugin_path_count = 1, .no_default_paths = 1};
    accel_runtime *rt = NULL;
    CHECK_OK(accel_runtime_open(&o, &rt));
    accel_device *d = NULL;
    if (rt) CHECK_OK(accel_device_open(rt, "null:0", &d));
    if (d) test_device_info(d);
    CHECK_OK(accel_device_close(d));
    CHECK_OK(accel_runtime_close(rt));
    return test_finish("struct_size");
}

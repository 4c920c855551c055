/* Pairs of devices (peer.h): the answers for pairs without a device path (the same device, two
 * plugins, a plugin without peer slots, one before ABI 1.3), the argument checks and refusals of
 * accel_buffer_copy_peer, and host-staged copies whose every byte is checked: null <-> ABI 1.0
 * plugin (memcpy), cpu:0 <-> opencl:0 (one transfer by the non-host side) when those plugins load.
 * Arguments: the null plugin, the ABI 1.0 test plugin, then optionally the cpu and opencl plugins. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdlib.h>

#include "check.h"

TEST_DEFINE_COUNTS;

/* backends names them all, so $ACCEL_BACKENDS (CI's sanitizer run sets cpu,null) filters none out. */
static accel_runtime *open_with(const char **paths, size_t n, const char *backends) {
    accel_runtime_options o = {.struct_size = sizeof o, .plugin_paths = paths,
                               .plugin_path_count = n, .no_default_paths = 1, .backends = backends};
    accel_runtime *rt = NULL;
    CHECK_OK(accel_runtime_open(&o, &rt));
    return rt;
}

static accel_peer_info query(accel_device *a, accel_device *b) {
    accel_peer_info pi;
    memset(&pi, 0x5a, sizeof pi);
    pi.struct_size = sizeof pi;
    CHECK_OK(accel_device_peer_query(a, b, &pi));
    return pi;
}

static int has(const char *text, const char *part) { return strstr(text, part) != NULL; }

static void fill_words(unsigned char *p, size_t bytes, uint32_t seed) {
    for (size_t i = 0; i < bytes; i++)
        p[i] = (unsigned char)((i * 2654435761u + seed) >> 13);
}

/* src -> dst at odd offsets through accel_buffer_copy_peer on `stream`, read back and compared. */
static void staged_round(accel_stream *stream, accel_stream *src_stream, accel_stream *dst_stream,
                         accel_buffer *src, accel_buffer *dst, size_t bytes, const char *what) {
    unsigned char *in = malloc(bytes + 3), *out = malloc(bytes + 3);
    if (!in || !out) abort();
    fill_words(in, bytes + 3, (uint32_t)bytes);
    CHECK_OK(accel_buffer_write(src_stream, src, 0, in, bytes + 3));
    CHECK_OK(accel_stream_synchronize(src_stream));
    const unsigned char zero = 0;
    CHECK_OK(accel_buffer_fill(dst_stream, dst, 0, accel_buffer_size(dst), &zero, 1));
    CHECK_OK(accel_stream_synchronize(dst_stream));
    CHECK_FAILS(accel_buffer_copy_peer(stream, dst, 1, src, 3, bytes, 0), ACCEL_ERR_UNIMPLEMENTED);
    CHECK_OK(accel_buffer_copy_peer(stream, dst, 1, src, 3, bytes, ACCEL_PEER_COPY_STAGED_OK));
    CHECK_OK(accel_stream_synchronize(stream));
    memset(out, 0xee, bytes + 3);
    CHECK_OK(accel_buffer_read(dst_stream, dst, 0, out, bytes + 2));
    CHECK_OK(accel_stream_synchronize(dst_stream));
    CHECKF(out[0] == 0 && memcmp(out + 1, in + 3, bytes) == 0 && out[bytes + 1] == 0,
           "%s: %zu staged bytes differ (first bytes %02x %02x, wanted 00 %02x)", what, bytes,
           out[0], out[1], in[3]);
    free(in);
    free(out);
}

static void test_null_and_old(const char *null_plugin, const char *old_plugin) {
    const char *paths[] = {null_plugin, old_plugin};
    accel_runtime *rt = open_with(paths, 2, "null,abiold");
    if (!rt) return;
    accel_device *n0 = NULL, *n0b = NULL, *n1 = NULL, *o0 = NULL, *o1 = NULL;
    CHECK_OK(accel_device_open(rt, "null:0", &n0));
    CHECK_OK(accel_device_open(rt, "null:0", &n0b));
    CHECK_OK(accel_device_open(rt, "null:1", &n1));
    CHECK_OK(accel_device_open(rt, "abiold:0", &o0));
    CHECK_OK(accel_device_open(rt, "abiold:1", &o1));
    if (!n0 || !n0b || !n1 || !o0 || !o1) {
        accel_device *opened[] = {n0, n0b, n1, o0, o1};
        for (size_t i = 0; i < 5; i++) accel_device_close(opened[i]);
        accel_runtime_close(rt);
        return;
    }

    accel_peer_info pi = query(n0, n0b);
    CHECK(pi.link == ACCEL_LINK_SAME_DEVICE && pi.can_access_peer == 1);
    pi = query(n0, n1);
    CHECKF(pi.link == ACCEL_LINK_HOST_STAGED && !pi.can_access_peer && pi.performance_rank == -1 &&
               pi.native_atomics == -1 && pi.link_count == 0 &&
               has(pi.detail, "null plugin has no device-to-device path"),
           "null:0 -> null:1: link %s, detail '%s'", accel_link_kind_name(pi.link), pi.detail);
    pi = query(o0, o1);
    CHECKF(pi.link == ACCEL_LINK_HOST_STAGED && has(pi.detail, "peer copies need plugin ABI 1.3") &&
               has(pi.detail, "ABI 1.0"),
           "abiold:0 -> abiold:1: detail '%s'", pi.detail);
    pi = query(n0, o0);
    CHECKF(pi.link == ACCEL_LINK_HOST_STAGED && has(pi.detail, "different plugins (null, abiold)"),
           "null:0 -> abiold:0: detail '%s'", pi.detail);
    CHECK(strcmp(accel_link_kind_name(ACCEL_LINK_NVLINK), "nvlink") == 0 &&
          strcmp(accel_link_kind_name(ACCEL_LINK_HOST_STAGED), "host-staged") == 0 &&
          strcmp(accel_link_kind_name((accel_link_kind)42), "unknown") == 0);

    /* Argument checks. */
    accel_peer_info small = {.struct_size = 8};
    CHECK_FAILS(accel_device_peer_query(n0, n1, &small), ACCEL_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(accel_device_peer_query(n0, NULL, &pi), ACCEL_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(accel_device_peer_query(n0, n1, NULL), ACCEL_ERR_INVALID_ARGUMENT);
    CHECK_OK(accel_device_peer_enable(n0, n0b));
    CHECK_FAILS(accel_device_peer_enable(n0, n1), ACCEL_ERR_UNIMPLEMENTED);
    CHECK_FAILS(accel_device_peer_enable(o0, o1), ACCEL_ERR_UNIMPLEMENTED);
    CHECK(has(accel_last_error(), "ABI 1.3"));

    accel_buffer *a = NULL, *b = NULL, *c = NULL;
    accel_stream *s_n0 = NULL, *s_n1 = NULL, *s_o0 = NULL;
    CHECK_OK(accel_buffer_alloc(n0, 4096, ACCEL_MEMORY_DEVICE, &a));
    CHECK_OK(accel_buffer_alloc(o0, 4096, ACCEL_MEMORY_DEVICE, &b));
    CHECK_OK(accel_buffer_alloc(o1, 4096, ACCEL_MEMORY_DEVICE, &c));
    CHECK_OK(accel_stream_create(n0, &s_n0));
    CHECK_OK(accel_stream_create(n1, &s_n1));
    CHECK_OK(accel_stream_create(o0, &s_o0));
    if (!a || !b || !c || !s_n0 || !s_n1 || !s_o0) return;
    const unsigned ok = ACCEL_PEER_COPY_STAGED_OK;
    CHECK_FAILS(accel_buffer_copy_peer(NULL, b, 0, a, 0, 16, ok), ACCEL_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(accel_buffer_copy_peer(s_n0, b, 0, a, 0, 0, ok), ACCEL_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(accel_buffer_copy_peer(s_n0, b, 0, a, 0, 16, 4u), ACCEL_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(accel_buffer_copy_peer(s_n0, NULL, 0, a, 0, 16, ok), ACCEL_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(accel_buffer_copy_peer(s_n0, b, 4090, a, 0, 16, ok), ACCEL_ERR_INVALID_ARGUMENT);
    CHECK_FAILS(accel_buffer_copy_peer(s_n0, b, 0, a, SIZE_MAX, 16, ok), ACCEL_ERR_INVALID_ARGUMENT);
    /* A stream of neither device. */
    CHECK_FAILS(accel_buffer_copy_peer(s_n1, b, 0, a, 0, 16, ok), ACCEL_ERR_INVALID_ARGUMENT);
    CHECK(has(accel_last_error(), "neither"));
    /* Different plugins, and an ABI 1.0 plugin's own pair: refused without staging. */
    CHECK_FAILS(accel_buffer_copy_peer(s_n0, b, 0, a, 0, 16, 0), ACCEL_ERR_UNIMPLEMENTED);
    CHECK(has(accel_last_error(), "different plugins") && has(accel_last_error(), "STAGED_OK"));
    CHECK_FAILS(accel_buffer_copy_peer(s_o0, c, 0, b, 0, 16, 0), ACCEL_ERR_UNIMPLEMENTED);
    CHECK(has(accel_last_error(), "peer copies need plugin ABI 1.3"));

    /* Staged: the ABI 1.0 plugin's buffers are host memory (it has no transfers of its own), so
     * both sides are one memcpy; the stream may be either side's. */
    void *pa = NULL, *pb = NULL, *pc = NULL;
    CHECK_OK(accel_buffer_host_ptr(a, &pa));
    CHECK_OK(accel_buffer_host_ptr(b, &pb));
    CHECK_OK(accel_buffer_host_ptr(c, &pc));
    if (pa && pb && pc) {
        fill_words(pa, 4096, 7);
        memset(pb, 0, 4096);
        CHECK_OK(accel_buffer_copy_peer(s_n0, b, 8, a, 16, 4000, ok));
        CHECK(memcmp((char *)pb + 8, (char *)pa + 16, 4000) == 0 && ((char *)pb)[7] == 0);
        memset(pc, 0, 4096);
        CHECK_OK(accel_buffer_copy_peer(s_o0, c, 0, b, 0, 4096, ok));
        CHECK(memcmp(pc, pb, 4096) == 0);
        /* The same device through the peer call is a plain copy. */
        accel_buffer *a2 = NULL;
        CHECK_OK(accel_buffer_alloc(n0b, 4096, ACCEL_MEMORY_DEVICE, &a2));
        CHECK_OK(accel_buffer_copy_peer(s_n0, a2, 0, a, 0, 4096, 0));
        CHECK_OK(accel_stream_synchronize(s_n0));
        void *pa2 = NULL;
        CHECK_OK(accel_buffer_host_ptr(a2, &pa2));
        CHECK(pa2 && memcmp(pa2, pa, 4096) == 0);
        accel_buffer_free(a2);
    }
    accel_stream_destroy(s_n0);
    accel_stream_destroy(s_n1);
    accel_stream_destroy(s_o0);
    accel_buffer_free(a);
    accel_buffer_free(b);
    accel_buffer_free(c);
    /* The staging stream s_o0's copy made on null... none was needed; every device closes. */
    CHECK_OK(accel_device_close(o1));
    CHECK_OK(accel_device_close(o0));
    CHECK_OK(accel_device_close(n1));
    CHECK_OK(accel_device_close(n0b));
    CHECK_OK(accel_device_close(n0));
    CHECK_OK(accel_runtime_close(rt));
}

/* cpu:0 <-> opencl:0: the opencl side reads or writes the CPU buffer in place, on a stream the
 * HAL keeps beside the caller's and destroys with it (the devices then close cleanly). */
static void test_cpu_opencl(const char *cpu_plugin, const char *ocl_plugin) {
    const char *paths[] = {cpu_plugin, ocl_plugin};
    accel_runtime *rt = open_with(paths, 2, "cpu,opencl");
    if (!rt) return;
    accel_device *cpu = NULL, *ocl = NULL;
    accel_clear_error();
    if (accel_device_open(rt, "opencl:0", &ocl) != ACCEL_OK) {
        printf("skipped: cpu <-> opencl staging: %s\n", accel_last_error());
        g_counts.skipped++;
        accel_runtime_close(rt);
        return;
    }
    CHECK_OK(accel_device_open(rt, "cpu:0", &cpu));
    if (!cpu) {
        accel_device_close(ocl);
        accel_runtime_close(rt);
        return;
    }
    accel_peer_info pi = query(cpu, ocl);
    CHECK(pi.link == ACCEL_LINK_HOST_STAGED && has(pi.detail, "different plugins (cpu, opencl)"));
    const size_t bytes = (1u << 20) + 4;
    accel_buffer *hb = NULL, *db = NULL;
    accel_stream *cs = NULL, *os = NULL;
    CHECK_OK(accel_buffer_alloc(cpu, bytes + 3, ACCEL_MEMORY_DEVICE, &hb));
    CHECK_OK(accel_buffer_alloc(ocl, bytes + 3, ACCEL_MEMORY_DEVICE, &db));
    CHECK_OK(accel_stream_create(cpu, &cs));
    CHECK_OK(accel_stream_create(ocl, &os));
    if (hb && db && cs && os) {
        staged_round(cs, cs, os, hb, db, bytes, "cpu:0 -> opencl:0 on the cpu stream");
        staged_round(os, os, cs, db, hb, bytes, "opencl:0 -> cpu:0 on the opencl stream");
        staged_round(cs, os, cs, db, hb, 4096, "opencl:0 -> cpu:0 on the cpu stream");
    }
    CHECK_OK(accel_stream_destroy(cs));
    CHECK_OK(accel_stream_destroy(os));
    CHECK_OK(accel_buffer_free(hb));
    CHECK_OK(accel_buffer_free(db));
    CHECK_OK(accel_device_close(ocl));
    CHECK_OK(accel_device_close(cpu));
    CHECK_OK(accel_runtime_close(rt));
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: test_peer <null plugin> <ABI 1.0 plugin> [cpu plugin opencl plugin]\n");
        return 2;
    }
    setenv("ACCEL_NULL_DEVICES", "2", 1);
    test_null_and_old(argv[1], argv[2]);
    if (argc >= 5)
        test_cpu_opencl(argv[3], argv[4]);
    return test_finish("hal_peer");
}

/* The rest of the shared plugin support: the dtype table and the conv2d/permute geometry (inline in
 * the public headers, checked against libaccel's exported answers and written-out values), the RTC
 * disk cache, the Python site folders and the embedding script's tables.
 * Usage: backend_common_support_test <scratch folder> */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "accel/accel.h"
#include "accel_common/embedded.h"
#include "accel_common/pysite.h"
#include "accel_common/rtc_cache.h"

#include "check.h"

extern const accel_embedded_file backend_common_test_cl[], backend_common_test_blobs[];
extern const size_t backend_common_test_cl_count, backend_common_test_blobs_count;

static void test_dtypes(void) {
    static const struct {
        accel_dtype t;
        size_t bytes;
        const char *name;
    } expected[] = {{ACCEL_DTYPE_INVALID, 0, "invalid"}, {ACCEL_DTYPE_F32, 4, "f32"},   {ACCEL_DTYPE_F16, 2, "f16"},
                    {ACCEL_DTYPE_BF16, 2, "bf16"},       {ACCEL_DTYPE_F64, 8, "f64"},   {ACCEL_DTYPE_I8, 1, "i8"},
                    {ACCEL_DTYPE_I32, 4, "i32"},         {ACCEL_DTYPE_F8_E4M3, 1, "f8e4m3"},
                    {ACCEL_DTYPE_F8_E5M2, 1, "f8e5m2"},  {ACCEL_DTYPE_COUNT_, 0, "invalid"}};
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; ++i) {
        const accel_dtype t = expected[i].t;
        CHECK(accel_dtype_bytes(t) == expected[i].bytes, "dtype %d: %zu bytes", (int)t, accel_dtype_bytes(t));
        CHECK(strcmp(accel_dtype_label(t), expected[i].name) == 0, "dtype %d: '%s'", (int)t, accel_dtype_label(t));
        /* libaccel's exported answers are the same table. */
        CHECK(accel_dtype_size(t) == expected[i].bytes, "accel_dtype_size(%d) = %zu", (int)t, accel_dtype_size(t));
        CHECK(strcmp(accel_dtype_name(t), expected[i].name) == 0, "accel_dtype_name(%d) = '%s'", (int)t,
              accel_dtype_name(t));
    }
    CHECK(ACCEL_DTYPE_COUNT_ == 9, "a new dtype needs a row here and in accel_dtype_traits_of");
}

static accel_conv2d_desc conv(int64_t h, int64_t w, int64_t r, int64_t s, int64_t stride, int64_t pad, int64_t dil) {
    accel_conv2d_desc c;
    memset(&c, 0, sizeof c);
    c.n = 1, c.c = 3, c.k = 8, c.h = h, c.w = w, c.r = r, c.s = s;
    c.stride_h = c.stride_w = stride, c.pad_h = c.pad_w = pad, c.dil_h = c.dil_w = dil;
    return c;
}

static void test_conv_geometry(void) {
    int64_t p = -1, q = -1;
    accel_conv2d_desc c = conv(224, 224, 7, 7, 2, 3, 1); /* ResNet stem */
    CHECK(accel_conv2d_out_hw(&c, &p, &q) && p == 112 && q == 112, "stem: %lld x %lld", (long long)p, (long long)q);
    c = conv(56, 30, 3, 3, 1, 1, 0); /* dil 0 is 1 */
    CHECK(accel_conv2d_out_hw(&c, &p, &q) && p == 56 && q == 30, "same: %lld x %lld", (long long)p, (long long)q);
    c = conv(17, 17, 3, 3, 2, 0, 2); /* (17 - 2*2 - 1) / 2 + 1 = 7 */
    CHECK(accel_conv2d_out_hw(&c, &p, &q) && p == 7 && q == 7, "dilated: %lld x %lld", (long long)p, (long long)q);
    c = conv(10, 12, 3, 5, 0, 0, 1); /* unvalidated stride 0 counts as 1 */
    CHECK(accel_conv2d_out_hw(&c, &p, &q) && p == 8 && q == 8, "stride 0: %lld x %lld", (long long)p, (long long)q);
    c = conv(2, 2, 5, 5, 1, 0, 1);
    CHECK(accel_conv2d_out_hw(&c, &p, &q) && p <= 0 && q <= 0, "too small: %lld x %lld", (long long)p, (long long)q);
    c = conv(8, 8, 3, 3, 1, INT64_MAX / 2 + 1, 1);
    CHECK(accel_conv2d_out_hw(&c, &p, &q) == 0 && p == 0 && q == 0, "overflow reported, with 0 x 0");
}

static void test_permute_walk(void) {
    /* BERT's [B,S,3,A,D] -> [3,B,A,S,D]. */
    accel_permute_desc d = {ACCEL_DTYPE_F16, 5, {2, 4, 3, 6, 8}, {2, 0, 3, 1, 4}};
    int64_t dims[ACCEL_PERMUTE_MAX_DIMS], strides[ACCEL_PERMUTE_MAX_DIMS];
    const int64_t total = accel_permute_walk(&d, dims, strides);
    const int64_t want_dims[6] = {3, 2, 6, 4, 8, 1}, want_strides[6] = {48, 576, 8, 144, 1, 0};
    CHECK(total == 2 * 4 * 3 * 6 * 8, "total %lld", (long long)total);
    for (int i = 0; i < ACCEL_PERMUTE_MAX_DIMS; ++i)
        CHECK(dims[i] == want_dims[i] && strides[i] == want_strides[i], "dim %d: %lld elements, stride %lld", i,
              (long long)dims[i], (long long)strides[i]);
}

static void test_rtc_cache(const char *scratch) {
    char dir[1024], path[1200];
    setenv("ACCEL_CACHE_DIR", "/c", 1);
    CHECK(accel_rtc_cache_dir("cuda", 0, dir, sizeof dir) == 0 && strcmp(dir, "/c/cuda") == 0, "'%s'", dir);
    CHECK(accel_rtc_cache_dir("opencl", ACCEL_RTC_CACHE_ENV_FLAT, dir, sizeof dir) == 0 && strcmp(dir, "/c") == 0,
          "'%s'", dir);
    unsetenv("ACCEL_CACHE_DIR");
    setenv("XDG_CACHE_HOME", "/x", 1);
    CHECK(accel_rtc_cache_dir("hip", ACCEL_RTC_CACHE_ENV_FLAT, dir, sizeof dir) == 0 &&
              strcmp(dir, "/x/accelbench/hip") == 0, "'%s'", dir);
    unsetenv("XDG_CACHE_HOME");
    setenv("HOME", "/h", 1);
    CHECK(accel_rtc_cache_dir("hip", 0, dir, sizeof dir) == 0 && strcmp(dir, "/h/.cache/accelbench/hip") == 0, "'%s'",
          dir);
    unsetenv("HOME");
    CHECK(accel_rtc_cache_dir("hip", 0, dir, sizeof dir) == -1, "no place");
    CHECK(accel_rtc_cache_dir("hip", 0, dir, 4) == -1, "does not fit");

    accel_rtc_key k1, k2;
    char h1[33], h2[33];
    accel_rtc_key_init(&k1);
    accel_rtc_key_add_str(&k1, "ab");
    accel_rtc_key_add_str(&k1, "c");
    accel_rtc_key_init(&k2);
    accel_rtc_key_add_str(&k2, "a");
    accel_rtc_key_add_str(&k2, "bc");
    accel_rtc_key_hex(&k1, h1);
    accel_rtc_key_hex(&k2, h2);
    CHECK(strlen(h1) == 32 && strcmp(h1, h2) != 0, "keys '%s' '%s'", h1, h2);

    snprintf(path, sizeof path, "%s/rtc/deeper/%s.bin", scratch, h1);
    const char payload[] = "\x7f" "ELF code object";
    size_t size = 0;
    CHECK(accel_rtc_cache_read(path, &size) == NULL, "absent file");
    CHECK(accel_rtc_cache_write(path, payload, sizeof payload - 1) == 0, "write (folders made)");
    char *got = accel_rtc_cache_read(path, &size);
    CHECK(got && size == sizeof payload - 1 && memcmp(got, payload, size) == 0 && got[size] == '\0', "round trip");
    free(got);
    /* One flipped payload byte, then a truncated file: both read as absent. */
    FILE *f = fopen(path, "r+b");
    if (f) {
        fseek(f, -3, SEEK_END);
        fputc('!', f);
        fclose(f);
    }
    CHECK(accel_rtc_cache_read(path, &size) == NULL, "corrupt payload accepted");
    CHECK(accel_rtc_cache_write(path, payload, sizeof payload - 1) == 0 && truncate(path, 20) == 0, "rewrite");
    CHECK(accel_rtc_cache_read(path, &size) == NULL, "truncated file accepted");
    CHECK(accel_rtc_cache_write(path, payload, 0) != 0, "empty payloads are not cached");
}

static void test_pysite(const char *scratch) {
    char site1[1024], site2[1024], link[1024], missing[1024], list[4200];
    snprintf(site1, sizeof site1, "%s/py/site1", scratch);
    snprintf(site2, sizeof site2, "%s/py/site2", scratch);
    snprintf(link, sizeof link, "%s/py/link", scratch);
    snprintf(missing, sizeof missing, "%s/py/missing", scratch);
    char py[1100];
    snprintf(py, sizeof py, "%s/py", scratch);
    mkdir(scratch, 0755);
    mkdir(py, 0755);
    mkdir(site1, 0755);
    mkdir(site2, 0755);
    unlink(link);
    CHECK(symlink(site1, link) == 0, "symlink");
    snprintf(list, sizeof list, "%s:%s:%s:%s", site1, missing, link, site2);
    setenv("PYTHONPATH", list, 1);
    unsetenv("VIRTUAL_ENV");
    unsetenv("CONDA_PREFIX");
    setenv("HOME", missing, 1);
    accel_pysite_list l;
    accel_pysite_find(0, &l);
    CHECK(l.count >= 2 && strcmp(l.dirs[0], site1) == 0 && strcmp(l.dirs[1], site2) == 0,
          "PYTHONPATH folders first, the link and the missing one left out: %d, '%s'", l.count,
          l.count ? l.dirs[0] : "");
    for (int i = 0; i < l.count; ++i) CHECK(strcmp(l.dirs[i], link) && strcmp(l.dirs[i], missing), "'%s'", l.dirs[i]);
    accel_pysite_free(&l);
    CHECK(l.count == 0, "freed");
}

static void test_embedded(void) {
    CHECK(backend_common_test_cl_count == 1, "%zu", backend_common_test_cl_count);
    const accel_embedded_file *cl = accel_embedded_find(backend_common_test_cl, backend_common_test_cl_count, "outer");
    const char *want = "// outer\n#ifndef INNER_H\n#define INNER_H\n#define INNER 2.0f\n#endif\n\n"
                       "kernel void k(global float *x) { x[0] = INNER; }\n";
    CHECK(cl && strcmp(cl->text, want) == 0 && cl->size == strlen(want), "expanded text '%s'", cl ? cl->text : "");
    CHECK(cl && strcmp(cl->origin, "backends/common/tests/embed/outer.cl") == 0 && cl->note[0] == '\0', "origin '%s'",
          cl ? cl->origin : "");
    CHECK(accel_embedded_find(backend_common_test_cl, backend_common_test_cl_count, "outer.cl") == NULL, "stripped");

    CHECK(backend_common_test_blobs_count == 2, "%zu", backend_common_test_blobs_count);
    const accel_embedded_file *b = accel_embedded_find(backend_common_test_blobs, 2, "blob \"one\"");
    const unsigned char bytes[] = {0x00, 0x7f, 0x80, 0xff, 0x22, 0x5c, 0x0a, 0x41};
    CHECK(b && b->size == 8 && memcmp(b->text, bytes, 8) == 0 && b->text[8] == '\0', "bytes");
    CHECK(b && strcmp(b->origin, "made/from/blob.src") == 0, "origin");
    CHECK(b && strcmp(b->note, "line one \"quoted\" \\ backslash\n\tline two\n") == 0, "note '%s'", b ? b->note : "");
    const accel_embedded_file *e = accel_embedded_find(backend_common_test_blobs, 2, "empty");
    CHECK(e && e->size == 0 && e->text[0] == '\0' && e->note[0] == '\0', "empty file");
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s <scratch folder>\n", argv[0]);
        return 2;
    }
    mkdir(argv[1], 0755);
    test_dtypes();
    test_conv_geometry();
    test_permute_walk();
    test_rtc_cache(argv[1]);
    test_pysite(argv[1]);
    test_embedded();
    printf("%s\n", failures ? "FAIL" : "PASS");
    return failures ? 1 : 0;
}

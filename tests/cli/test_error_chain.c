/* bench_error_chain_tidy: each status word and each context said once, nothing else changed. */
#include <stdio.h>
#include <string.h>

#include "error_chain.h"

static const char *const words[] = {"unimplemented", "invalid argument", "device error"};

static int check(const char *in, const char *want)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", in);
    bench_error_chain_tidy(buf, words, sizeof words / sizeof words[0]);
    if (strcmp(buf, want) != 0) {
        fprintf(stderr, "FAIL: '%s' -> '%s', want '%s'\n", in, buf, want);
        return 1;
    }
    return 0;
}

int main(void)
{
    int fails = 0;
    fails += check("unimplemented: planning gemm: unimplemented: cpu/openblas gemm: fp32 storage and compute only",
                   "unimplemented: planning gemm: cpu/openblas gemm: fp32 storage and compute only");
    fails += check("device error: cuda: cuda: launch failed (CUDA_ERROR_LAUNCH_FAILED)",
                   "device error: cuda: launch failed (CUDA_ERROR_LAUNCH_FAILED)");
    /* A status word said only once stays, wherever it is; different words all stay. */
    fails += check("planning conv2d: unimplemented: opencl: no TF32 compute",
                   "planning conv2d: unimplemented: opencl: no TF32 compute");
    fails += check("invalid argument: setup: device error: lost", "invalid argument: setup: device error: lost");
    /* Text that only looks like a word inside a segment, and no separators at all. */
    fails += check("unimplemented: oneDNN: dnnl_unimplemented: x", "unimplemented: oneDNN: dnnl_unimplemented: x");
    fails += check("plain message", "plain message");
    fails += check("", "");
    fails += check("a:b: a:c", "a:b: a:c");
    fails += check("x: a:b: a:b", "x: a:b");
    if (strcmp(bench_error_chain_skip("unimplemented: planning x", "unimplemented"), "planning x") != 0 ||
        strcmp(bench_error_chain_skip("unimplementedx: y", "unimplemented"), "unimplementedx: y") != 0 ||
        strcmp(bench_error_chain_skip("unimplemented", "unimplemented"), "unimplemented") != 0) {
        fprintf(stderr, "FAIL: bench_error_chain_skip\n");
        fails++;
    }
    if (fails)
        return 1;
    printf("PASS\n");
    return 0;
}

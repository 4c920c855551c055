/* Argument parsing: every accepted form, and every rejection with its message. */
#include "args.h"
#include "cli_check.h"

static int parse(int is_suite, bench_run_args *a, char *err, size_t n, int argc, char **argv)
{
    return bench_run_args_parse(argc, argv, 0, is_suite, a, err, n);
}

#define ARGV(...) (char *[]){__VA_ARGS__}, (int)(sizeof((char *[]){__VA_ARGS__}) / sizeof(char *))

static int rejects(const char *expect_in_msg, char **argv, int argc)
{
    bench_run_args a;
    char err[512];
    int rc = bench_run_args_parse(argc, argv, 0, 0, &a, err, sizeof err);
    bench_run_args_free(&a);
    if (rc != 2 || strstr(err, expect_in_msg) == NULL || strchr(err, '\n') != NULL) {
        fprintf(stderr, "expected rejection containing '%s', got rc=%d '%s'\n", expect_in_msg, rc, err);
        return 0;
    }
    return 1;
}

#define REJECTS(msg, ...) CHECK(rejects(msg, (char *[]){__VA_ARGS__}, \
                                        (int)(sizeof((char *[]){__VA_ARGS__}) / sizeof(char *))))

int main(void)
{
    bench_run_args a;
    char err[512];
    char *ok[] = {"--workload", "gemm,stream", "--device", "cpu:0", "--device=opencl:all",
                  "--dtype", "fp32,bf16", "--config=1024,2048", "--cold", "--warmup-ms", "0",
                  "--min-time-ms=50", "--max-samples", "12", "--csv", "out.csv", "--tag", "a=b",
                  "--tag", "run.id-2=x y", "--price-per-hour", "2.5", "--resume", "--quiet",
                  "--timeout-s", "30", "--seed", "18446744073709551615", "--library", "onednn"};
    CHECK(parse(0, &a, err, sizeof err, (int)(sizeof ok / sizeof ok[0]), ok) == 0);
    CHECK(a.workloads.count == 2);
    CHECK_STR(a.workloads.items[1], "stream");
    CHECK(a.devices.count == 2);
    CHECK_STR(a.devices.items[1], "opencl:all");
    CHECK(a.dtypes.count == 2 && a.configs.count == 2);
    CHECK(a.cold && a.resume && a.quiet && !a.quick);
    CHECK(a.warmup_ms == 0 && a.min_time_ms == 50 && a.max_samples == 12 && a.timeout_s == 30);
    CHECK(a.has_seed && a.seed == 18446744073709551615ull);
    CHECK_NEAR(a.price_per_hour, 2.5, 0);
    CHECK(a.tags.count == 2);
    CHECK_STR(a.csv_path, "out.csv");
    CHECK_STR(a.library, "onednn");
    CHECK(a.json_path == NULL && a.backends.count == 0);
    bench_run_args_free(&a);

    /* --budget and --sequential. */
    char *budget[] = {"--budget", "1.5h", "--sequential"};
    CHECK(parse(1, &a, err, sizeof err, 3, budget) == 0);
    CHECK_NEAR(a.budget_s, 5400, 0);
    CHECK_STR(a.budget_text, "1.5h");
    CHECK(a.sequential);
    bench_run_args_free(&a);

    /* --backend repeats and takes lists (CI: --backend cpu --backend opencl). */
    char *backends[] = {"--workload", "gemm", "--backend", "cpu", "--backend=opencl,cuda", "--backend", "cpu"};
    CHECK(parse(0, &a, err, sizeof err, 7, backends) == 0);
    CHECK(a.backends.count == 3);
    CHECK_STR(a.backends.items[2], "cuda");
    bench_run_args_free(&a);

    /* Defaults. */
    char *minimal[] = {"--workload", "gemm"};
    CHECK(parse(0, &a, err, sizeof err, 2, minimal) == 0);
    CHECK(a.warmup_ms == -1 && a.min_time_ms == -1 && a.max_samples == -1 && a.timeout_s == -1);
    CHECK(a.price_per_hour < 0 && !a.has_seed);
    bench_run_args_free(&a);

    /* suite needs no workload and takes --quick; run does not. */
    char *quick[] = {"--quick"};
    CHECK(parse(1, &a, err, sizeof err, 1, quick) == 0 && a.quick);
    bench_run_args_free(&a);
    CHECK(parse(0, &a, err, sizeof err, 0, NULL) == 2);
    CHECK(strstr(err, "--workload") != NULL);
    bench_run_args_free(&a);
    char *help[] = {"--help"};
    CHECK(parse(0, &a, err, sizeof err, 1, help) == 0 && a.help);
    bench_run_args_free(&a);

    REJECTS("--quick is a suite option", "--workload", "gemm", "--quick");
    REJECTS("unknown option '--bogus'", "--workload", "gemm", "--bogus");
    REJECTS("key 'cloud' given twice", "--workload", "gemm", "--tag", "cloud=aws", "--tag", "zone=a",
            "--tag", "cloud=gcp");
    {
        static char long_value[1100];
        memset(long_value, 'v', sizeof long_value - 1);
        memcpy(long_value, "k=", 2);
        REJECTS("tags too long", "--workload", "gemm", "--tag", long_value);
    }
    REJECTS("unexpected argument 'extra'", "--workload", "gemm", "extra");
    REJECTS("--csv needs a value", "--workload", "gemm", "--csv");
    REJECTS("empty name", "--workload", "gemm,,stream");
    REJECTS("empty name", "--workload", "gemm,");
    REJECTS("empty name", "--workload", "");
    REJECTS("not a non-negative integer", "--workload", "gemm", "--warmup-ms", "abc");
    REJECTS("not a non-negative integer", "--workload", "gemm", "--warmup-ms", "-5");
    REJECTS("not a non-negative integer", "--workload", "gemm", "--warmup-ms", "+5");
    REJECTS("not a non-negative integer", "--workload", "gemm", "--warmup-ms", "5ms");
    REJECTS("not a non-negative integer", "--workload", "gemm", "--warmup-ms", " 5");
    /* An overflowing number says it overflows, not that it is no number. */
    REJECTS("'99999999999999999999999' overflows (the largest value it takes is 86400000)",
            "--workload", "gemm", "--min-time-ms", "99999999999999999999999");
    REJECTS("out of range", "--workload", "gemm", "--min-time-ms", "18446744073709551615");
    REJECTS("out of range", "--workload", "gemm", "--max-samples", "0");
    REJECTS("out of range", "--workload", "gemm", "--timeout-s", "0");
    REJECTS("overflows an unsigned 64-bit integer", "--workload", "gemm", "--seed", "18446744073709551616");
    REJECTS("not an unsigned 64-bit integer", "--workload", "gemm", "--seed", "1.5");
    REJECTS("not a non-negative price", "--workload", "gemm", "--price-per-hour", "-1");
    REJECTS("'10x' is not a duration", "--workload", "gemm", "--budget", "10x");
    REJECTS("'-1m' is not a duration", "--workload", "gemm", "--budget", "-1m");
    REJECTS("'0s' is out of range", "--workload", "gemm", "--budget", "0s");
    REJECTS("'8d' is not a duration", "--workload", "gemm", "--budget", "8d");
    REJECTS("'200h' is out of range", "--workload", "gemm", "--budget", "200h");
    REJECTS("--budget given twice", "--workload", "gemm", "--budget", "1m", "--budget", "2m");
    REJECTS("--sequential takes no value", "--workload", "gemm", "--sequential=1");
    REJECTS("not a non-negative price", "--workload", "gemm", "--price-per-hour", "nan");
    REJECTS("'1e999' overflows", "--workload", "gemm", "--price-per-hour", "1e999");
    REJECTS("'2e9' overflows", "--workload", "gemm", "--price-per-hour", "2e9");
    REJECTS("not a non-negative price", "--workload", "gemm", "--price-per-hour", "1e-999");
    REJECTS("not a non-negative price", "--workload", "gemm", "--price-per-hour", "2$");
    REJECTS("is not key=value", "--workload", "gemm", "--tag", "novalue");
    REJECTS("is not key=value", "--workload", "gemm", "--tag", "=v");
    REJECTS("is not key=value", "--workload", "gemm", "--tag", "k y=v");
    REJECTS("is not key=value", "--workload", "gemm", "--tag", "k=a;b");
    REJECTS("is not key=value", "--workload", "gemm", "--tag", "k=a\nb");
    REJECTS("is not UTF-8 text", "--workload", "gemm", "--tag", "k=caf\xe9");
    REJECTS("is not UTF-8 text", "--workload", "gemm", "--tag", "k=\xed\xa0\x80"); /* a surrogate */
    REJECTS("is not BACKEND:INDEX", "--workload", "gemm", "--device", "cpu");
    REJECTS("is not BACKEND:INDEX", "--workload", "gemm", "--device", "cpu:");
    REJECTS("is not BACKEND:INDEX", "--workload", "gemm", "--device", "cpu:-1");
    REJECTS("is not BACKEND:INDEX", "--workload", "gemm", "--device", "cpu:x");
    REJECTS("is not BACKEND:INDEX", "--workload", "gemm", "--device", "CPU:0");
    REJECTS("exclusive", "--workload", "gemm", "--device", "cpu:0", "--backend", "cpu");
    REJECTS("given twice", "--workload", "gemm", "--csv", "a", "--csv", "b");
    REJECTS("given twice", "--workload", "gemm", "--seed", "1", "--seed", "2");
    REJECTS("takes no value", "--workload", "gemm", "--cold=1");
    REJECTS("empty value", "--workload", "gemm", "--csv=");
    REJECTS("not a backend name", "--workload", "gemm", "--backend", "c/pu");

    CHECK(bench_tag_check("k=") == 0); /* an empty value is allowed */
    CHECK(bench_device_spec_check("level_zero:all") == 0);
    CHECK(bench_device_spec_check("cuda:99999999999999999999") == -2);
    CHECK(bench_device_spec_check("cuda:x") == -1);
    CHECK(bench_tag_check("k=caf\xc3\xa9") == 0);
    CHECK(bench_tag_check("k=caf\xe9") != 0);
    REJECTS("the index in 'cuda:99999999999999999999' overflows", "--workload", "gemm", "--device",
            "cuda:99999999999999999999");
    CHECK_DONE();
}

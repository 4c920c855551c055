/* Roofs: pct_peak against the bounding roof (datasheet or theoretical, fp8 by its own figure), the
 * best measured figure as the attainable reference, and never a roof measured by the row's own op. */
#include "cli_check.h"
#include "roofs.h"

static void make_row(bench_row *r, const char *backend, const char *workload, const char *config,
                     const char *dtype, const char *tflops, const char *gbps, const char *status)
{
    memset(r, 0, sizeof *r);
    bench_row_set(r, BENCH_COL_BACKEND, backend);
    bench_row_set(r, BENCH_COL_DEVICE_INDEX, "0");
    bench_row_set(r, BENCH_COL_WORKLOAD, workload);
    bench_row_set(r, BENCH_COL_CONFIG, config);
    bench_row_set(r, BENCH_COL_DTYPE, dtype);
    bench_row_set(r, BENCH_COL_TFLOPS, tflops);
    bench_row_set(r, BENCH_COL_GBPS, gbps);
    bench_row_set(r, BENCH_COL_STATUS, status);
}

/* A gemm row of an n x n x n shape through library. */
static void make_gemm(bench_row *r, const char *library, int n, const char *dtype, const char *tflops)
{
    make_row(r, "cpu", "gemm", "x", dtype, tflops, "", "ok");
    char dim[16];
    snprintf(dim, sizeof dim, "%d", n);
    bench_row_set(r, BENCH_COL_CONFIG, dim);
    bench_row_set(r, BENCH_COL_M, dim);
    bench_row_set(r, BENCH_COL_N, dim);
    bench_row_set(r, BENCH_COL_K, dim);
    bench_row_set(r, BENCH_COL_BATCH, "1");
    bench_row_set(r, BENCH_COL_LIBRARY, library);
}

/* A peak/matrix row as the workload writes it: no m/n/k, flop = 2 n^3. */
static void make_matrix_peak(bench_row *r, const char *library, int n, const char *dtype, const char *tflops)
{
    make_row(r, "cpu", "peak", "matrix", dtype, tflops, "", "ok");
    bench_row_set(r, BENCH_COL_LIBRARY, library);
    bench_row_set_number(r, BENCH_COL_FLOP, 2.0 * n * n * (double)n);
}

static void check_schema_versions(void)
{
    CHECK(bench_schema_column_count("1") == 54);
    CHECK(bench_schema_column_count("2") == 58);
    CHECK(bench_schema_column_count("3") == 69);
    CHECK(bench_schema_column_count("4") == BENCH_COL_COUNT);
    CHECK(BENCH_COL_COUNT == 73);
    CHECK(bench_schema_column_count("5") == 0);
    CHECK_STR(bench_schema_of_column_count(54), "1");
    CHECK_STR(bench_schema_of_column_count(58), "2");
    CHECK_STR(bench_schema_of_column_count(69), "3");
    CHECK_STR(bench_schema_of_column_count(BENCH_COL_COUNT), "4");
    CHECK(bench_schema_of_column_count(55) == NULL);
    CHECK(bench_schema_of_column_count(70) == NULL);
    CHECK_STR(bench_column_names[BENCH_COL_COUNT_V1 - 1], "notes");
    CHECK_STR(bench_column_names[BENCH_COL_COUNT_V2 - 1], "pct_attainable");
    CHECK_STR(bench_column_names[BENCH_COL_COUNT_V3 - 1], "instance_type");
    CHECK_STR(bench_column_names[BENCH_COL_COUNT - 1], "scaling_efficiency");
}

int main(void)
{
    check_schema_versions();
    accel_device_info info;
    memset(&info, 0, sizeof info);
    info.vendor_peak.tflops[ACCEL_COMPUTE_F32] = 4.0;
    info.vendor_peak.tflops[ACCEL_COMPUTE_BF16] = 8.0;
    info.vendor_peak.memory_gbps = 100.0;
    snprintf(info.vendor_peak.source, sizeof info.vendor_peak.source, "test-datasheet");
    bench_roofs roofs = {0};
    bench_row r;

    /* No measured roof yet: pct_peak against the bound, no attainable. */
    make_gemm(&r, "onednn", 1024, "fp32", "1");
    bench_roofs_apply(&roofs, &info, "matrix-fp32", 0, &r);
    CHECK_STR(bench_row_get(&r, BENCH_COL_PEAK_SOURCE), "vendor:test-datasheet");
    CHECK_STR(bench_row_get(&r, BENCH_COL_PCT_PEAK), "25");
    CHECK_STR(bench_row_get(&r, BENCH_COL_PEAK_TFLOPS), "4");
    CHECK_STR(bench_row_get(&r, BENCH_COL_ATTAINABLE), "");
    CHECK_STR(bench_row_get(&r, BENCH_COL_ATTAINABLE_SOURCE), "");
    bench_row_free(&r);

    /* peak/matrix through two libraries at the device's size 1024: each row is measured against the
     * bound, and neither is its own reference. */
    make_matrix_peak(&r, "onednn", 1024, "fp32", "2");
    bench_roofs_apply(&roofs, &info, "matrix-fp32", 0, &r);
    CHECK_STR(bench_row_get(&r, BENCH_COL_PCT_PEAK), "50");
    CHECK_STR(bench_row_get(&r, BENCH_COL_ATTAINABLE), "");
    bench_roofs_record(&roofs, &r, "matrix-fp32");
    bench_row_free(&r);
    make_matrix_peak(&r, "openblas", 1024, "fp32", "1.5");
    bench_roofs_apply(&roofs, &info, "matrix-fp32", 0, &r);
    CHECK_STR(bench_row_get(&r, BENCH_COL_ATTAINABLE), "2"); /* another library's roof */
    CHECK_STR(bench_row_get(&r, BENCH_COL_ATTAINABLE_SOURCE), "measured:peak/matrix-fp32 onednn n=1024");
    CHECK_STR(bench_row_get(&r, BENCH_COL_PCT_ATTAINABLE), "75");
    bench_roofs_record(&roofs, &r, "matrix-fp32");
    bench_row_free(&r);
    /* A failed peak row is no roof; a lower repeat does not replace the best. */
    make_matrix_peak(&r, "onednn", 1024, "fp32", "9");
    bench_row_set(&r, BENCH_COL_STATUS, "error");
    bench_roofs_record(&roofs, &r, "matrix-fp32");
    bench_row_free(&r);
    make_matrix_peak(&r, "onednn", 1024, "fp32", "1.2");
    bench_roofs_record(&roofs, &r, "matrix-fp32");
    bench_row_free(&r);

    /* gemm 1024 through onednn is the very op of onednn's roof: the next library's roof serves. */
    make_gemm(&r, "onednn", 1024, "fp32", "2.4");
    bench_roofs_apply(&roofs, &info, "matrix-fp32", 0, &r);
    CHECK_STR(bench_row_get(&r, BENCH_COL_PEAK_SOURCE), "vendor:test-datasheet");
    CHECK_STR(bench_row_get(&r, BENCH_COL_PCT_PEAK), "60");
    CHECK_STR(bench_row_get(&r, BENCH_COL_ATTAINABLE), "1.5");
    CHECK_STR(bench_row_get(&r, BENCH_COL_ATTAINABLE_SOURCE), "measured:peak/matrix-fp32 openblas n=1024");
    CHECK_STR(bench_row_get(&r, BENCH_COL_PCT_ATTAINABLE), "160"); /* a reference: may exceed 100 */
    bench_row_free(&r);
    /* Another size through onednn, or another library at 1024: the best roof. */
    make_gemm(&r, "onednn", 2048, "fp32", "1");
    bench_roofs_apply(&roofs, &info, "matrix-fp32", 0, &r);
    CHECK_STR(bench_row_get(&r, BENCH_COL_ATTAINABLE), "2");
    CHECK_STR(bench_row_get(&r, BENCH_COL_ATTAINABLE_SOURCE), "measured:peak/matrix-fp32 onednn n=1024");
    bench_row_free(&r);
    make_gemm(&r, "accel", 1024, "fp32", "1");
    bench_roofs_apply(&roofs, &info, "matrix-fp32", 0, &r);
    CHECK_STR(bench_row_get(&r, BENCH_COL_ATTAINABLE), "2");
    CHECK_STR(bench_row_get(&r, BENCH_COL_PCT_ATTAINABLE), "50");
    bench_row_free(&r);
    /* A batched gemm of that shape is not the roof's op. */
    make_gemm(&r, "onednn", 1024, "fp32", "1");
    bench_row_set(&r, BENCH_COL_BATCH, "4");
    bench_roofs_apply(&roofs, &info, "matrix-fp32", 0, &r);
    CHECK_STR(bench_row_get(&r, BENCH_COL_ATTAINABLE), "2");
    bench_row_free(&r);

    /* Only the row's own op measured that roof: no attainable, the bound still applies. */
    make_matrix_peak(&r, "accel", 1024, "bf16", "3");
    bench_roofs_record(&roofs, &r, "matrix-bf16");
    bench_row_free(&r);
    make_gemm(&r, "accel", 1024, "bf16", "3.2");
    bench_row_set(&r, BENCH_COL_COMPUTE_TYPE, "bf16");
    bench_roofs_apply(&roofs, &info, "matrix-bf16", 0, &r);
    CHECK_STR(bench_row_get(&r, BENCH_COL_ATTAINABLE), "");
    CHECK_STR(bench_row_get(&r, BENCH_COL_PCT_PEAK), "40");
    bench_row_free(&r);

    /* Another device does not share the measured roofs. */
    make_gemm(&r, "accel", 2048, "fp32", "1");
    bench_row_set(&r, BENCH_COL_BACKEND, "opencl");
    bench_roofs_apply(&roofs, &info, "matrix-fp32", 0, &r);
    CHECK_STR(bench_row_get(&r, BENCH_COL_ATTAINABLE), "");
    CHECK_STR(bench_row_get(&r, BENCH_COL_PEAK_SOURCE), "vendor:test-datasheet");
    bench_row_free(&r);

    /* Bandwidth: the bound goes to peak_gbps (never peak_tflops); stream triad is the attainable
     * reference for copy, and not for itself. */
    make_row(&r, "cpu", "stream", "copy", "fp32", "", "80", "ok");
    bench_roofs_record(&roofs, &r, "triad");
    bench_row_free(&r);
    make_row(&r, "cpu", "stream", "triad", "fp32", "", "40", "ok");
    bench_row_set(&r, BENCH_COL_LIBRARY, "accel");
    bench_roofs_apply(&roofs, &info, "triad", 1, &r);
    CHECK_STR(bench_row_get(&r, BENCH_COL_PCT_PEAK), "40");
    CHECK_STR(bench_row_get(&r, BENCH_COL_PEAK_GBPS), "100");
    CHECK_STR(bench_row_get(&r, BENCH_COL_ATTAINABLE), "");
    bench_roofs_record(&roofs, &r, "triad");
    bench_row_free(&r);
    make_row(&r, "cpu", "stream", "copy", "fp32", "", "20", "ok");
    bench_row_set(&r, BENCH_COL_LIBRARY, "accel");
    bench_roofs_apply(&roofs, &info, "triad", 1, &r);
    CHECK_STR(bench_row_get(&r, BENCH_COL_PEAK_SOURCE), "vendor:test-datasheet");
    CHECK_STR(bench_row_get(&r, BENCH_COL_PCT_PEAK), "20");
    CHECK_STR(bench_row_get(&r, BENCH_COL_PEAK_GBPS), "100");
    CHECK_STR(bench_row_get(&r, BENCH_COL_PEAK_TFLOPS), "");
    CHECK_STR(bench_row_get(&r, BENCH_COL_ATTAINABLE), "40");
    CHECK_STR(bench_row_get(&r, BENCH_COL_ATTAINABLE_SOURCE), "measured:stream/triad accel");
    CHECK_STR(bench_row_get(&r, BENCH_COL_PCT_ATTAINABLE), "50");
    bench_row_free(&r);

    /* Rows read back from a CSV derive the roof name and the matrix size (from flop). */
    make_row(&r, "cpu", "peak", "fma", "fp32", "0.5", "", "ok");
    bench_row_set(&r, BENCH_COL_LIBRARY, "accel");
    bench_roofs_record(&roofs, &r, NULL);
    bench_row_free(&r);
    make_matrix_peak(&r, "onednn", 512, "fp16", "0.7");
    bench_roofs_record(&roofs, &r, NULL);
    bench_row_free(&r);
    make_gemm(&r, "openblas", 512, "fp16", "0.35");
    bench_roofs_apply(&roofs, &info, "matrix-fp16", 0, &r);
    CHECK_STR(bench_row_get(&r, BENCH_COL_ATTAINABLE_SOURCE), "measured:peak/matrix-fp16 onednn n=512");
    bench_row_free(&r);
    make_gemm(&r, "onednn", 512, "fp16", "0.35");
    bench_roofs_apply(&roofs, &info, "matrix-fp16", 0, &r);
    CHECK_STR(bench_row_get(&r, BENCH_COL_ATTAINABLE), ""); /* same library, same shape */
    bench_row_free(&r);
    make_row(&r, "cpu", "bert_layer", "base", "fp32", "0.25", "", "ok");
    bench_roofs_apply(&roofs, &info, "fma-fp32", 0, &r);
    CHECK_STR(bench_row_get(&r, BENCH_COL_ATTAINABLE_SOURCE), "measured:peak/fma-fp32 accel");
    bench_row_free(&r);

    /* fp8 rows: the fp8 figure bounds them, never the fp32 one their compute type names. */
    make_gemm(&r, "cublaslt", 4096, "fp8", "500");
    bench_row_set(&r, BENCH_COL_COMPUTE_TYPE, "f32");
    bench_roofs_apply(&roofs, &info, "matrix-fp8", 0, &r);
    CHECK_STR(bench_row_get(&r, BENCH_COL_PCT_PEAK), "");
    CHECK_STR(bench_row_get(&r, BENCH_COL_PEAK_TFLOPS), "");
    bench_row_free(&r);
    info.vendor_peak_fp8_tflops = 1979;
    snprintf(info.vendor_peak.source, sizeof info.vendor_peak.source, "vendor:H200-SXM-141GB datasheet (dense)");
    make_gemm(&r, "cublaslt", 4096, "fp8", "989.5");
    bench_row_set(&r, BENCH_COL_COMPUTE_TYPE, "f32");
    bench_roofs_apply(&roofs, &info, "matrix-fp8", 0, &r);
    CHECK_STR(bench_row_get(&r, BENCH_COL_PEAK_TFLOPS), "1979");
    CHECK_STR(bench_row_get(&r, BENCH_COL_PCT_PEAK), "50");
    CHECK_STR(bench_row_get(&r, BENCH_COL_PEAK_SOURCE), "vendor:H200-SXM-141GB datasheet (dense)");
    bench_row_free(&r);

    /* A CPU's theoretical source is kept as it is. */
    snprintf(info.vendor_peak.source, sizeof info.vendor_peak.source, "theoretical:2c*3.00GHz*64|128|128 f32|bf16|f16/cyc");
    make_gemm(&r, "accel", 64, "fp32", "1");
    bench_roofs_apply(&roofs, &info, "matrix-fp32", 0, &r);
    CHECK_STR(bench_row_get(&r, BENCH_COL_PEAK_SOURCE), "theoretical:2c*3.00GHz*64|128|128 f32|bf16|f16/cyc");
    bench_row_free(&r);

    /* No bound and no roof: the columns stay empty. */
    memset(&info, 0, sizeof info);
    make_gemm(&r, "accel", 64, "bf16", "1");
    bench_roofs_apply(&roofs, &info, "matrix-tf32", 0, &r);
    CHECK_STR(bench_row_get(&r, BENCH_COL_PEAK_SOURCE), "");
    CHECK_STR(bench_row_get(&r, BENCH_COL_PCT_PEAK), "");
    CHECK_STR(bench_row_get(&r, BENCH_COL_ATTAINABLE), "");
    bench_row_free(&r);
    bench_roofs_free(&roofs);
    CHECK_DONE();
}

/* pct_peak: measured roofs from peak/stream rows of the same device, else the vendor peak. */
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

int main(void)
{
    accel_device_info info;
    memset(&info, 0, sizeof info);
    info.vendor_peak.tflops[ACCEL_COMPUTE_F32] = 4.0;
    info.vendor_peak.memory_gbps = 100.0;
    snprintf(info.vendor_peak.source, sizeof info.vendor_peak.source, "test-datasheet");
    bench_roofs roofs = {0};
    bench_row r;

    /* No measured roof yet: the vendor's. */
    make_row(&r, "cpu", "gemm", "1024", "fp32", "1", "", "ok");
    bench_roofs_apply(&roofs, &info, "matrix-fp32", 0, &r);
    CHECK_STR(bench_row_get(&r, BENCH_COL_PEAK_SOURCE), "vendor:test-datasheet");
    CHECK_STR(bench_row_get(&r, BENCH_COL_PCT_PEAK), "25");
    CHECK_STR(bench_row_get(&r, BENCH_COL_PEAK_TFLOPS), "4");
    bench_row_free(&r);

    /* A peak row is measured against the vendor too, then becomes the roof. */
    make_row(&r, "cpu", "peak", "matrix", "fp32", "2", "", "ok");
    bench_roofs_record(&roofs, &r, "matrix-fp32");
    bench_roofs_apply(&roofs, &info, "matrix-fp32", 0, &r);
    CHECK_STR(bench_row_get(&r, BENCH_COL_PEAK_SOURCE), "vendor:test-datasheet");
    bench_row_free(&r);
    /* A failed peak row is no roof; a lower one does not replace the best. */
    make_row(&r, "cpu", "peak", "matrix", "fp32", "9", "", "error");
    bench_roofs_record(&roofs, &r, "matrix-fp32");
    bench_row_free(&r);
    make_row(&r, "cpu", "peak", "matrix", "fp32", "1.5", "", "ok");
    bench_roofs_record(&roofs, &r, "matrix-fp32");
    bench_row_free(&r);

    make_row(&r, "cpu", "gemm", "1024", "fp32", "1", "", "ok");
    bench_roofs_apply(&roofs, &info, "matrix-fp32", 0, &r);
    CHECK_STR(bench_row_get(&r, BENCH_COL_PEAK_SOURCE), "measured:peak/matrix-fp32");
    CHECK_STR(bench_row_get(&r, BENCH_COL_PCT_PEAK), "50");
    CHECK_STR(bench_row_get(&r, BENCH_COL_PEAK_TFLOPS), "2");
    bench_row_free(&r);

    /* Another device does not share the roof. */
    make_row(&r, "opencl", "gemm", "1024", "fp32", "1", "", "ok");
    bench_roofs_apply(&roofs, &info, "matrix-fp32", 0, &r);
    CHECK_STR(bench_row_get(&r, BENCH_COL_PEAK_SOURCE), "vendor:test-datasheet");
    bench_row_free(&r);

    /* Bandwidth: stream triad is the roof; copy is not; no peak_tflops for GB/s rows. */
    make_row(&r, "cpu", "stream", "copy", "fp32", "", "80", "ok");
    bench_roofs_record(&roofs, &r, "triad");
    bench_row_free(&r);
    make_row(&r, "cpu", "stream", "triad", "fp32", "", "40", "ok");
    bench_roofs_record(&roofs, &r, "triad");
    bench_row_free(&r);
    make_row(&r, "cpu", "stream", "copy", "fp32", "", "20", "ok");
    bench_roofs_apply(&roofs, &info, "triad", 1, &r);
    CHECK_STR(bench_row_get(&r, BENCH_COL_PEAK_SOURCE), "measured:stream/triad");
    CHECK_STR(bench_row_get(&r, BENCH_COL_PCT_PEAK), "50");
    CHECK_STR(bench_row_get(&r, BENCH_COL_PEAK_TFLOPS), "");
    bench_row_free(&r);

    /* Rows read back from a CSV derive the roof name ("fma-fp32"). */
    make_row(&r, "cpu", "peak", "fma", "fp32", "0.5", "", "ok");
    bench_roofs_record(&roofs, &r, NULL);
    bench_row_free(&r);
    make_row(&r, "cpu", "gemm", "1024", "fp32", "0.25", "", "ok");
    bench_roofs_apply(&roofs, &info, "fma-fp32", 0, &r);
    CHECK_STR(bench_row_get(&r, BENCH_COL_PEAK_SOURCE), "measured:peak/fma-fp32");
    bench_row_free(&r);

    /* No vendor number and no roof: the columns stay empty. */
    memset(&info, 0, sizeof info);
    make_row(&r, "cpu", "gemm", "1024", "bf16", "1", "", "ok");
    bench_roofs_apply(&roofs, &info, "matrix-bf16", 0, &r);
    CHECK_STR(bench_row_get(&r, BENCH_COL_PEAK_SOURCE), "");
    CHECK_STR(bench_row_get(&r, BENCH_COL_PCT_PEAK), "");
    bench_row_free(&r);
    bench_roofs_free(&roofs);
    CHECK_DONE();
}

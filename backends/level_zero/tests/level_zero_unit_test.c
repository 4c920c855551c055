/* Timestamp arithmetic and the peak table: everything of the backend that needs no driver. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ze_peak.h"
#include "ze_timestamp.h"

static int failures;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);               \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

static int near(double a, double b, double rel) { return fabs(a - b) <= rel * fabs(b); }

static void test_ns_per_tick(void) {
    CHECK(accel_ze_ns_per_tick(52, 0) == 52.0);                  /* 1.0 properties: ns per tick */
    CHECK(near(accel_ze_ns_per_tick(19200000, 1), 52.0833333, 1e-9)); /* 1.2: 19.2 MHz */
    CHECK(near(accel_ze_ns_per_tick(1000000000, 1), 1.0, 1e-12));
    CHECK(accel_ze_ns_per_tick(0, 1) == 0.0);
    CHECK(accel_ze_ns_per_tick(0, 0) == 0.0);
}

static void test_ticks_masking(void) {
    /* No wrap. */
    CHECK(accel_ze_timestamp_ticks(100, 350, 32) == 250);
    /* 32-bit counter wrapping between the stamps. */
    CHECK(accel_ze_timestamp_ticks(0xFFFFFF00u, 0x00000100u, 32) == 0x200u);
    /* Garbage above the valid bits is ignored. */
    CHECK(accel_ze_timestamp_ticks(0xABCD0000FFFFFF00ull, 0x1234000000000100ull, 32) == 0x200u);
    /* 36 valid bits (a common Intel value), wrapping. */
    CHECK(accel_ze_timestamp_ticks((1ull << 36) - 10u, 5u, 36) == 15u);
    /* Without masking the same pair would be a huge number: the mask matters. */
    CHECK(accel_ze_timestamp_ticks((1ull << 36) - 10u, 5u, 64) != 15u);
    /* 64 or 0 valid bits: a full 64-bit counter, which also wraps modulo 2^64. */
    CHECK(accel_ze_timestamp_ticks(UINT64_MAX - 1u, 3u, 64) == 5u);
    CHECK(accel_ze_timestamp_ticks(UINT64_MAX - 1u, 3u, 0) == 5u);
    CHECK(accel_ze_timestamp_ticks(7u, 7u, 32) == 0u);
}

static void test_elapsed_ms(void) {
    /* 1,000,000 ticks of a 19.2 MHz timer = 52.083 ms. */
    double ms = accel_ze_timestamp_elapsed_ms(1000u, 1001000u, 32,
                                              accel_ze_ns_per_tick(19200000, 1));
    CHECK(near(ms, 52.0833333, 1e-7));
    /* Wrapped 32-bit counter at 1 ns per tick: 0x200 ticks = 512 ns. */
    CHECK(near(accel_ze_timestamp_elapsed_ms(0xFFFFFF00u, 0x100u, 32, 1.0), 512e-6, 1e-12));
}

static void test_eu_count(void) {
    CHECK(accel_ze_eu_count(1, 64, 8) == 512u);
    CHECK(accel_ze_eu_count(2, 64, 8) == 1024u);
    CHECK(accel_ze_eu_count(0, 64, 8) == 0u);
    CHECK(accel_ze_eu_count(UINT32_MAX, UINT32_MAX, UINT32_MAX) == UINT32_MAX);
    CHECK(accel_ze_eu_count(65536, 65536, 2) == UINT32_MAX);
}

static void test_peak_table(void) {
    accel_peak_table p;
    CHECK(accel_ze_peak_lookup("Intel(R) Data Center GPU Max 1550", 1024, &p) == 1);
    CHECK(near(p.tflops[ACCEL_COMPUTE_F32], 52.4, 1e-9));
    CHECK(near(p.tflops[ACCEL_COMPUTE_F64], 52.4, 1e-9));
    CHECK(near(p.tflops[ACCEL_COMPUTE_BF16], 838.9, 1e-9));
    CHECK(near(p.tflops[ACCEL_COMPUTE_F16], 838.9, 1e-9));
    CHECK(near(p.tflops[ACCEL_COMPUTE_TF32], 419.4, 1e-9));
    CHECK(near(p.memory_gbps, 3276.8, 1e-9));
    CHECK(strstr(p.source, "1550") != NULL);
    /* XMX per-clock ratios: fp16 = 16x fp32 vector, tf32 = fp16 / 2. */
    CHECK(near(p.tflops[ACCEL_COMPUTE_F16] / p.tflops[ACCEL_COMPUTE_F32], 16.0, 0.01));
    CHECK(near(p.tflops[ACCEL_COMPUTE_F16] / p.tflops[ACCEL_COMPUTE_TF32], 2.0, 0.01));

    /* One stack of a 1550 (FLAT hierarchy): half the card, and the source says so. */
    CHECK(accel_ze_peak_lookup("Intel(R) Data Center GPU Max 1550", 512, &p) == 1);
    CHECK(near(p.tflops[ACCEL_COMPUTE_BF16], 838.9 / 2, 1e-9));
    CHECK(near(p.memory_gbps, 3276.8 / 2, 1e-9));
    CHECK(strstr(p.source, "x0.50") != NULL);

    /* Unknown EU count: the whole card. */
    CHECK(accel_ze_peak_lookup("Intel(R) Data Center GPU Max 1550", 0, &p) == 1);
    CHECK(near(p.tflops[ACCEL_COMPUTE_F32], 52.4, 1e-9));

    CHECK(accel_ze_peak_lookup("Intel(R) Data Center GPU Max 1100", 448, &p) == 1);
    CHECK(near(p.tflops[ACCEL_COMPUTE_F32], 22.2, 1e-9));
    CHECK(near(p.tflops[ACCEL_COMPUTE_BF16], 355.5, 1e-9));
    CHECK(near(p.memory_gbps, 1228.8, 1e-9));
    CHECK(near(p.tflops[ACCEL_COMPUTE_F16] / p.tflops[ACCEL_COMPUTE_F32], 16.0, 0.01));
    CHECK(strstr(p.source, "1100") != NULL);

    /* Anything else: not in the table, all zeros. */
    CHECK(accel_ze_peak_lookup("Intel(R) Arc(TM) A770 Graphics", 512, &p) == 0);
    CHECK(p.tflops[ACCEL_COMPUTE_F32] == 0.0 && p.memory_gbps == 0.0 && p.source[0] == '\0');
    CHECK(accel_ze_peak_lookup(NULL, 0, &p) == 0);
}

int main(void) {
    test_ns_per_tick();
    test_ticks_masking();
    test_elapsed_ms();
    test_eu_count();
    test_peak_table();
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("level_zero unit tests passed\n");
    return 0;
}

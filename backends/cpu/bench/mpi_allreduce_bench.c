/* The reference for the MPI host transport: a plain MPI_Allreduce loop beside accel_comm_all_reduce
 * on cpu:0, alternating sample by sample in one run so both see the same machine state, each timed
 * the way accelbench times a collective row (one run per sample, CLOCK_MONOTONIC around it as the
 * cpu timer does, each rank's median, the slowest rank's median reported).
 *   mpirun -np 2 mpi_allreduce_bench [bytes=67108864] [samples=20]
 * fp32 sum, out of place, on buffers of `bytes`. Prints both medians, algbw and busbw, and the
 * ratio of our throughput to MPI's (docs/scale-out.md records a measurement). */
#define _POSIX_C_SOURCE 200809L
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accel/accel.h"

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + 1e-6 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

#define CHECK(call)                                                                               \
    do {                                                                                          \
        accel_status st_ = (call);                                                                \
        if (st_ != ACCEL_OK) {                                                                    \
            fprintf(stderr, "%s: %s\n", #call, accel_last_error());                              \
            MPI_Abort(MPI_COMM_WORLD, 1);                                                         \
        }                                                                                         \
    } while (0)

int main(int argc, char **argv) {
    const size_t bytes = argc > 1 ? strtoull(argv[1], NULL, 10) : (size_t)64 << 20;
    const int samples = argc > 2 ? atoi(argv[2]) : 20;
    if (bytes < 4 || bytes % 4 || samples < 1) {
        fprintf(stderr, "usage: mpirun -np N mpi_allreduce_bench [bytes (multiple of 4)] [samples]\n");
        return 2;
    }
    accel_mpi_world w;
    CHECK(accel_mpi_init(&w)); /* MPI_Init_thread through libaccel; MPI is then usable directly */
    const size_t n = bytes / 4;
    accel_runtime *rt;
    accel_device *dev;
    accel_stream *s;
    accel_timer *t;
    accel_buffer *send, *recv;
    accel_comm *comm;
    CHECK(accel_runtime_open(NULL, &rt));
    CHECK(accel_device_open(rt, "cpu:0", &dev));
    CHECK(accel_stream_create(dev, &s));
    CHECK(accel_timer_create(dev, &t));
    CHECK(accel_buffer_alloc(dev, bytes, ACCEL_MEMORY_DEVICE, &send));
    CHECK(accel_buffer_alloc(dev, bytes, ACCEL_MEMORY_DEVICE, &recv));
    CHECK(accel_comm_create_world(dev, &comm));
    float *host_send = malloc(bytes), *host_recv = malloc(bytes);
    double *ref = malloc(sizeof(double) * (size_t)samples), *ours = malloc(sizeof(double) * (size_t)samples);
    if (!host_send || !host_recv || !ref || !ours) MPI_Abort(MPI_COMM_WORLD, 1);
    for (size_t i = 0; i < n; i++) host_send[i] = (float)((i + (size_t)w.rank) % 7);
    memset(host_recv, 0, bytes);
    CHECK(accel_buffer_write(s, send, 0, host_send, bytes));
    CHECK(accel_buffer_fill(s, recv, 0, bytes, &(float){0}, 4));
    CHECK(accel_stream_synchronize(s));
    const accel_buffer_ref sref = {send, 0}, rref = {recv, 0};
    for (int i = 0; i < 3; i++) { /* warm-up: first touch, MPI's connections */
        MPI_Allreduce(host_send, host_recv, (int)n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
        CHECK(accel_comm_all_reduce(comm, s, sref, rref, n, ACCEL_DTYPE_F32, ACCEL_REDUCE_SUM));
    }
    for (int i = 0; i < samples; i++) {
        const double t0 = now_ms();
        MPI_Allreduce(host_send, host_recv, (int)n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
        ref[i] = now_ms() - t0;
        CHECK(accel_timer_begin(t, s));
        CHECK(accel_comm_all_reduce(comm, s, sref, rref, n, ACCEL_DTYPE_F32, ACCEL_REDUCE_SUM));
        CHECK(accel_timer_end(t, s));
        CHECK(accel_timer_elapsed_ms(t, &ours[i]));
    }
    double med[2] = {median(ref, samples), median(ours, samples)};
    MPI_Allreduce(MPI_IN_PLACE, med, 2, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    if (w.rank == 0) {
        const double factor = 2.0 * (w.size - 1) / w.size;
        printf("all_reduce fp32 sum, %zu bytes, %d ranks, %d samples, %s\n", bytes, w.size, samples,
               w.library);
        for (int k = 0; k < 2; k++) {
            const double algbw = (double)bytes / (med[k] / 1e3) / 1e9;
            printf("  %-28s median %9.3f ms  algbw %7.3f GB/s  busbw %7.3f GB/s\n",
                   k ? "accel_comm_all_reduce (cpu)" : "MPI_Allreduce (reference)", med[k], algbw,
                   algbw * factor);
        }
        printf("  ratio (ours / reference throughput): %.3f\n", med[0] / med[1]);
    }
    accel_comm_destroy(comm);
    accel_buffer_free(send);
    accel_buffer_free(recv);
    accel_timer_destroy(t);
    accel_stream_destroy(s);
    accel_device_close(dev);
    accel_runtime_close(rt);
    free(host_send);
    free(host_recv);
    free(ref);
    free(ours);
    accel_mpi_finalize();
    return 0;
}

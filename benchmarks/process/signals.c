#define _POSIX_C_SOURCE 200809L
#include "signals.h"

#include <string.h>

volatile sig_atomic_t bench_interrupted;
volatile sig_atomic_t bench_interrupt_signal;

static void on_signal(int sig)
{
    bench_interrupt_signal = sig;
    bench_interrupted = bench_interrupted + 1;
}

void bench_signals_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    /* A closed terminal or ssh session: stop as for SIGTERM (row written, sidecar interrupted),
     * instead of dying with the worker left running. */
    sigaction(SIGHUP, &sa, NULL);
}

int bench_signals_exit_status(void)
{
    return 128 + (bench_interrupt_signal ? bench_interrupt_signal : SIGINT);
}

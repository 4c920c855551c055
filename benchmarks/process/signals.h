/* SIGINT / SIGTERM / SIGHUP: set a flag that the sampling loop and the parent's event loop check, so the
 * current sample finishes, its row is written whole, and the CSV stays valid. */
#ifndef BENCH_SIGNALS_H
#define BENCH_SIGNALS_H

#include <signal.h>

extern volatile sig_atomic_t bench_interrupted;   /* number of SIGINT/SIGTERM/SIGHUP received */
extern volatile sig_atomic_t bench_interrupt_signal; /* the last one */

/* Installs the handlers without SA_RESTART, so blocking calls return EINTR. */
void bench_signals_install(void);
/* Exit status for an interrupted run: 128 + signal number. */
int bench_signals_exit_status(void);

#endif

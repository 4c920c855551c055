/* Child processes of the CLI (device workers and plugin probes): how their end is described, and
 * how they are tied to the parent so that none outlives it. */
#ifndef BENCH_PROC_H
#define BENCH_PROC_H

#include <stddef.h>
#include <sys/types.h>

/* "SIGSEGV", "SIGABRT", ...; "SIG?" for a number it does not know. */
const char *bench_signal_abbrev(int sig);

/* "<who> killed by signal 11 (SIGSEGV, Segmentation fault)" or "<who> exited with status 3". */
void bench_describe_wait_status(int wstatus, const char *who, char *buf, size_t n);

/* In a freshly forked child, before exec: the kernel sends SIGKILL when the parent dies (a
 * SIGKILLed or hung-up parent must not leave a worker measuring), and a parent that died before
 * this call is caught by comparing with its pid. Only async-signal-safe calls. */
void bench_child_bind_to_parent(pid_t parent);

/* Deadline for each plugin probe (s): $ACCEL_PROBE_TIMEOUT_S when it is a whole number of seconds
 * in 1..86400, else fallback. */
long bench_probe_timeout_from_env(long fallback);

#endif

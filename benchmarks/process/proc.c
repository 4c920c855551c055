#define _GNU_SOURCE /* strsignal */
#include "proc.h"

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

const char *bench_signal_abbrev(int sig)
{
    static const struct { int sig; const char *name; } names[] = {
        {SIGHUP, "SIGHUP"},   {SIGINT, "SIGINT"},   {SIGQUIT, "SIGQUIT"}, {SIGILL, "SIGILL"},
        {SIGTRAP, "SIGTRAP"}, {SIGABRT, "SIGABRT"}, {SIGBUS, "SIGBUS"},   {SIGFPE, "SIGFPE"},
        {SIGKILL, "SIGKILL"}, {SIGUSR1, "SIGUSR1"}, {SIGSEGV, "SIGSEGV"}, {SIGUSR2, "SIGUSR2"},
        {SIGPIPE, "SIGPIPE"}, {SIGALRM, "SIGALRM"}, {SIGTERM, "SIGTERM"}, {SIGCHLD, "SIGCHLD"},
        {SIGXCPU, "SIGXCPU"}, {SIGXFSZ, "SIGXFSZ"}, {SIGSYS, "SIGSYS"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].sig == sig)
            return names[i].name;
    return "SIG?";
}

void bench_describe_wait_status(int wstatus, const char *who, char *buf, size_t n)
{
    if (WIFSIGNALED(wstatus)) {
        int sig = WTERMSIG(wstatus);
        const char *text = strsignal(sig);
        snprintf(buf, n, "%s killed by signal %d (%s, %s)", who, sig, bench_signal_abbrev(sig),
                 text ? text : "unknown signal");
    } else if (WIFEXITED(wstatus)) {
        snprintf(buf, n, "%s exited with status %d", who, WEXITSTATUS(wstatus));
    } else {
        snprintf(buf, n, "%s ended (wait status %d)", who, wstatus);
    }
}

void bench_child_bind_to_parent(pid_t parent)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(127); /* the parent is already gone: nobody would read what this child reports */
}

long bench_probe_timeout_from_env(long fallback)
{
    uint64_t v;
    const char *e = getenv("ACCEL_PROBE_TIMEOUT_S");
    if (e && bench_parse_u64(e, &v) == 0 && v >= 1 && v <= 86400)
        return (long)v;
    return fallback;
}

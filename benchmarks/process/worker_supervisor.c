/* Parent side of the worker protocol: spawn, read messages, watchdog, restart. */
#define _GNU_SOURCE /* pipe2, environ */
#include "worker_supervisor.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "measure.h"
#include "proc.h"
#include "signals.h"
#include "util.h"
#include "wire.h"

extern char **environ;

typedef struct child {
    pid_t pid;
    int fd;
    bench_strbuf pending;   /* bytes read but not yet a whole line */
} child;

/* The environment for a worker: the parent's, plus thread pinning for CPU rows unless the user
 * chose otherwise. Built before fork (setenv between fork and exec is not safe). */
static char **worker_environment(int pin_threads)
{
    size_t n = 0;
    while (environ[n])
        n++;
    char **env = calloc(n + 3, sizeof *env);
    if (!env)
        abort();
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        env[k++] = environ[i];
    if (pin_threads) {
        if (!getenv("OMP_PROC_BIND"))
            env[k++] = "OMP_PROC_BIND=close";
        if (!getenv("OMP_PLACES"))
            env[k++] = "OMP_PLACES=cores";
    }
    env[k] = NULL;
    return env;
}

static int spawn(const bench_worker_row *const *rows, size_t n, const bench_worker_settings *s,
                 child *c, char *why, size_t why_len)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        snprintf(why, why_len, "pipe: %s", strerror(errno));
        return -1;
    }
    bench_strlist args = {0};
    char num[32];
    bench_strlist_add(&args, "accelbench");
    bench_strlist_add(&args, "__worker");
    bench_strlist_add(&args, "--fd");
    snprintf(num, sizeof num, "%d", fds[1]);
    bench_strlist_add(&args, num);
    bench_strlist_add(&args, "--device");
    bench_strlist_add(&args, s->device_id);
    if (s->plugin_path) {
        /* Only its own plugin: another backend's faulty plugin cannot reach this device's rows. */
        bench_strlist_add(&args, "--plugin");
        bench_strlist_add(&args, s->plugin_path);
    }
    if (s->peer_device_id) {
        bench_strlist_add(&args, "--peer");
        bench_strlist_add(&args, s->peer_device_id);
        if (s->peer_plugin_path) {
            bench_strlist_add(&args, "--peer-plugin");
            bench_strlist_add(&args, s->peer_plugin_path);
        }
    }
    const struct { const char *flag; long long v; } nums[] = {
        {"--warmup-ms", s->warmup_ms}, {"--min-time-ms", s->min_time_ms},
        {"--max-samples", s->max_samples}, {"--cold", s->cold}, {"--profile-steps", s->profile_steps}};
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        bench_strlist_add(&args, nums[i].flag);
        snprintf(num, sizeof num, "%lld", nums[i].v);
        bench_strlist_add(&args, num);
    }
    bench_strlist_add(&args, "--seed");
    snprintf(num, sizeof num, "%llu", (unsigned long long)s->seed);
    bench_strlist_add(&args, num);
    bench_strlist_add(&args, "--");
    for (size_t i = 0; i < n; i++) {
        snprintf(num, sizeof num, "%zu", rows[i]->item);
        bench_strlist_add(&args, num);
        bench_strlist_add(&args, rows[i]->workload);
        bench_strlist_add(&args, rows[i]->config);
        bench_strlist_add(&args, rows[i]->dtype);
        bench_strlist_add(&args, rows[i]->library);
    }
    char **argv = calloc(args.count + 1, sizeof *argv);
    if (!argv)
        abort();
    for (size_t i = 0; i < args.count; i++)
        argv[i] = args.items[i];
    char **env = worker_environment(s->pin_threads);
    pid_t parent = getpid();
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        /* Only async-signal-safe calls from here to exec. */
        bench_child_bind_to_parent(parent);
        fcntl(fds[1], F_SETFD, 0);
        execve("/proc/self/exe", argv, env);
        _exit(127);
    }
    int fork_errno = errno;
    free(env);
    free(argv);
    bench_strlist_free(&args);
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        snprintf(why, why_len, "fork: %s", strerror(fork_errno));
        return -1;
    }
    c->pid = pid;
    c->fd = fds[0];
    c->pending = (bench_strbuf){0};
    return 0;
}

typedef struct session {
    bench_row_start on_start;
    bench_row_sink sink;
    void *ctx;
    const bench_worker_hooks *hooks;
    int *done;              /* per position in rows: row reported */
    unsigned char *given;   /* per position: in the current worker's list */
    const bench_worker_row *rows;
    size_t n;
    long current;           /* position of the row in flight, -1 none */
    char fatal[512];
    int stop;               /* the sink asked to stop */
    int replan;             /* the sink asked for a fresh worker with the rows now wanted */
} session;

static int wanted(const session *ss, size_t pos)
{
    return !ss->done[pos] &&
           (!ss->hooks->wanted || ss->hooks->wanted(ss->hooks->ctx, ss->rows[pos].item));
}

static long position_of(const session *ss, size_t item)
{
    for (size_t i = 0; i < ss->n; i++)
        if (ss->rows[i].item == item)
            return (long)i;
    return -1;
}

static void report_status(session *ss, size_t pos, const char *status, const char *why)
{
    if (ss->stop)
        return; /* nowhere to write it */
    bench_row row = {0};
    bench_row_set(&row, BENCH_COL_STATUS, status);
    bench_row_set(&row, BENCH_COL_NOTES, why);
    if (ss->sink(ss->ctx, ss->rows[pos].item, &row, "", 0) != 0)
        ss->stop = 1;
    bench_row_free(&row);
    ss->done[pos] = 1;
}

static void report_error(session *ss, size_t pos, const char *why)
{
    report_status(ss, pos, "error", why);
}

static void handle_line(void *vss, const char *line)
{
    session *ss = vss;
    bench_strlist f = {0};
    if (bench_wire_decode(line, &f) != 0 || f.count < 2) {
        bench_strlist_free(&f);
        return;
    }
    uint64_t item = 0;
    if (strcmp(f.items[0], "fatal") == 0) {
        bench_copy(ss->fatal, sizeof ss->fatal, f.items[1]);
    } else if (strcmp(f.items[0], "begin") == 0 && bench_parse_u64(f.items[1], &item) == 0) {
        ss->current = position_of(ss, (size_t)item);
        if (ss->current >= 0 && ss->on_start)
            ss->on_start(ss->ctx, (size_t)item);
    } else if (strcmp(f.items[0], "row") == 0 && f.count == 4 + BENCH_COL_COUNT &&
               bench_parse_u64(f.items[1], &item) == 0) {
        long pos = position_of(ss, (size_t)item);
        if (pos >= 0 && !ss->done[pos]) {
            bench_row row = {0};
            for (int c = 0; c < BENCH_COL_COUNT; c++)
                bench_row_set(&row, (bench_column)c, f.items[4 + c]);
            int r = ss->sink(ss->ctx, (size_t)item, &row, f.items[2], strcmp(f.items[3], "1") == 0);
            if (r == BENCH_SINK_REPLAN)
                ss->replan = 1;
            else if (r != 0)
                ss->stop = 1;
            bench_row_free(&row);
            ss->done[pos] = 1;
        }
        ss->current = -1;
    } else if (strcmp(f.items[0], "steps") == 0 && f.count == 3 && ss->hooks->on_steps &&
               bench_parse_u64(f.items[1], &item) == 0 && ss->current >= 0 &&
               position_of(ss, (size_t)item) == ss->current) {
        ss->hooks->on_steps(ss->ctx, (size_t)item, f.items[2]);
    } else if (strcmp(f.items[0], "step_times") == 0 && f.count == 5 && ss->hooks->on_step_times &&
               bench_parse_u64(f.items[1], &item) == 0 && ss->current >= 0 &&
               position_of(ss, (size_t)item) == ss->current) {
        uint64_t runs = 0;
        double median = 0;
        if (bench_parse_u64(f.items[2], &runs) == 0 && runs <= 1000 && bench_parse_double(f.items[3], &median) == 0)
            ss->hooks->on_step_times(ss->ctx, (size_t)item, (int)runs, median, f.items[4]);
    } else if (strcmp(f.items[0], "progress") == 0 && f.count == 5 && ss->hooks->on_progress &&
               bench_parse_u64(f.items[1], &item) == 0 && position_of(ss, (size_t)item) == ss->current &&
               ss->current >= 0) {
        uint64_t samples = 0;
        double elapsed = 0;
        if (bench_parse_u64(f.items[3], &samples) == 0 && bench_parse_double(f.items[4], &elapsed) == 0)
            ss->hooks->on_progress(ss->ctx, (size_t)item, strcmp(f.items[2], "1") == 0,
                                   (size_t)samples, elapsed);
    }
    bench_strlist_free(&f);
}

/* Reads until EOF (returns 0), a timeout of the row in flight (returns 1), the sink's stop
 * (returns 2), its request for a fresh worker (returns 3) or the end of the run's time (returns
 * 4). */
static int pump(session *ss, child *c, int64_t timeout_s, double stop_at_ms, int *forwarded_signal)
{
    double deadline = -1;
    long deadline_for = -2;
    for (;;) {
        if (ss->stop)
            return 2;
        if (ss->replan)
            return 3;
        if (bench_interrupted && *forwarded_signal < bench_interrupted) {
            /* First Ctrl-C: let the worker finish its sample; a second one: stop it now. */
            kill(c->pid, *forwarded_signal == 0 ? SIGINT : SIGKILL);
            *forwarded_signal = bench_interrupted;
        }
        if (ss->current != deadline_for) {
            deadline_for = ss->current;
            deadline = bench_monotonic_ms() + (double)timeout_s * 1000.0;
        }
        /* The deadline also covers the time before a row begins (worker start, device open)
         * and after the last one, so a worker stuck anywhere is killed. */
        double now = bench_monotonic_ms();
        if (stop_at_ms > 0 && now >= stop_at_ms)
            return 4;
        double left = deadline - now;
        if (stop_at_ms > 0 && stop_at_ms - now < left)
            left = stop_at_ms - now + 1;
        else if (left <= 0)
            return 1;
        int wait_ms = left < 1000 ? (int)left + 1 : 1000;
        struct pollfd pfd = {c->fd, POLLIN, 0};
        int r = poll(&pfd, 1, wait_ms);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            continue;
        char buf[8192];
        ssize_t k = read(c->fd, buf, sizeof buf);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return 0;
        bench_wire_take_lines(&c->pending, buf, (size_t)k, handle_line, ss);
    }
}

int bench_worker_run_device(const bench_worker_row *rows, size_t n, const bench_worker_settings *s,
                            bench_row_start on_start, bench_row_sink sink, void *ctx)
{
    bench_worker_hooks h = {on_start, sink, NULL, NULL, ctx, NULL, NULL};
    return bench_worker_run_rows(rows, n, s, &h);
}

int bench_worker_run_rows(const bench_worker_row *rows, size_t n, const bench_worker_settings *s,
                          const bench_worker_hooks *hooks)
{
    session ss = {hooks->on_start, hooks->sink, hooks->ctx, hooks, calloc(n ? n : 1, sizeof(int)),
                  calloc(n ? n : 1, 1), rows, n, -1, "", 0, 0};
    if (!ss.done || !ss.given)
        abort();
    int forwarded = 0;
    int interrupted = 0;
    for (;;) {
        const bench_worker_row *left[n ? n : 1];
        size_t nleft = 0;
        for (size_t i = 0; i < n; i++) {
            ss.given[i] = (unsigned char)wanted(&ss, i);
            if (ss.given[i])
                left[nleft++] = &rows[i];
        }
        if (nleft == 0 || bench_interrupted || ss.stop)
            break;
        child c = {0};
        char why[512];
        ss.current = -1;
        ss.fatal[0] = '\0';
        ss.replan = 0;
        if (spawn(left, nleft, s, &c, why, sizeof why) != 0) {
            for (size_t i = 0; i < n; i++)
                if (wanted(&ss, i))
                    report_error(&ss, i, why);
            break;
        }
        int ended = pump(&ss, &c, s->timeout_s, s->stop_at_ms, &forwarded);
        int replan = ended == 3;
        int timed_out = ended == 1;
        if (ended != 0)
            kill(c.pid, SIGKILL);
        close(c.fd);
        bench_strbuf_free(&c.pending);
        int wstatus = 0;
        while (waitpid(c.pid, &wstatus, 0) < 0 && errno == EINTR)
            ;
        if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == BENCH_WORKER_EXIT_INTERRUPTED)
            interrupted = 1;
        if (ss.stop)
            break;
        if (bench_interrupted || interrupted) {
            interrupted = 1;
            break;
        }
        if (ss.fatal[0]) {
            /* The device cannot be used at all: every remaining row says why. */
            for (size_t i = 0; i < n; i++)
                if (wanted(&ss, i))
                    report_error(&ss, i, ss.fatal);
            break;
        }
        if (replan)
            continue; /* stopped on purpose after a reported row: the next worker takes the rest */
        if (ended == 4) {
            /* The run's time is up: the row in flight is not a measurement; the rest never run. */
            if (ss.current >= 0)
                report_status(&ss, (size_t)ss.current, "skipped", s->stop_note ? s->stop_note : "stopped");
            break;
        }
        if (timed_out) {
            snprintf(why, sizeof why, "timed out after %lld s %s(worker killed; --timeout-s)",
                     (long long)s->timeout_s, ss.current < 0 ? "before the row began " : "");
        } else if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == BENCH_WORKER_EXIT_RESTART &&
                   ss.current < 0) {
            continue; /* sticky device error already reported: fresh process for the rest */
        } else {
            bench_describe_wait_status(wstatus, "worker", why, sizeof why);
        }
        /* The row in flight (or, if the worker died between rows, the next one) is lost; a
         * fresh worker takes the rest, so a crash costs one row and restarts always progress. */
        long victim = ss.current;
        for (size_t i = 0; victim < 0 && i < n; i++)
            if (ss.given[i] && !ss.done[i])
                victim = (long)i;
        /* None: the worker ran all it was given, and rows that came into a --budget plan since
         * then get the next worker. */
        if (victim >= 0)
            report_error(&ss, (size_t)victim, why);
    }
    free(ss.done);
    free(ss.given);
    return ss.stop ? 1 : interrupted ? 130 : 0;
}

/* Parent side of the plugin probes: spawn one child per plugin file, follow the stage each one
 * reports, and judge how it ended. */
#define _GNU_SOURCE /* pipe2, environ */
#include "probe_supervisor.h"

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
#include "utf8.h"
#include "util.h"
#include "wire.h"

/* What a probe said and printed. */
typedef struct probe_child {
    pid_t pid;
    int msg_fd;              /* the wire messages (stage, done) */
    int out_fd;              /* its stdout and stderr: the last line explains many crashes */
    bench_strbuf msg;        /* bytes of an unfinished message line */
    char stage[160];         /* the last stage it announced */
    char out_tail[512];      /* the end of its output */
    size_t out_tail_len;
    int done;
    int exited;
    int wstatus;
    int timed_out;
} probe_child;

static int spawn_probe(const char *path, probe_child *c, char *why, size_t why_len)
{
    int msg[2], out[2];
    if (pipe2(msg, O_CLOEXEC) != 0) {
        snprintf(why, why_len, "cannot start the probe: pipe: %s", strerror(errno));
        return -1;
    }
    if (pipe2(out, O_CLOEXEC) != 0) {
        snprintf(why, why_len, "cannot start the probe: pipe: %s", strerror(errno));
        close(msg[0]);
        close(msg[1]);
        return -1;
    }
    char fd_text[16];
    snprintf(fd_text, sizeof fd_text, "%d", msg[1]);
    char *argv[] = {"accelbench", "__probe", "--fd", fd_text, "--", (char *)path, NULL};
    int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    pid_t parent = getpid();
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        /* Only async-signal-safe calls from here to exec. */
        bench_child_bind_to_parent(parent);
        if (devnull >= 0)
            dup2(devnull, STDIN_FILENO);
        dup2(out[1], STDOUT_FILENO);
        dup2(out[1], STDERR_FILENO);
        fcntl(msg[1], F_SETFD, 0);
        execv("/proc/self/exe", argv);
        _exit(127);
    }
    int fork_errno = errno;
    if (devnull >= 0)
        close(devnull);
    close(msg[1]);
    close(out[1]);
    if (pid < 0) {
        close(msg[0]);
        close(out[0]);
        snprintf(why, why_len, "cannot start the probe: fork: %s", strerror(fork_errno));
        return -1;
    }
    fcntl(msg[0], F_SETFL, O_NONBLOCK);
    fcntl(out[0], F_SETFL, O_NONBLOCK);
    c->pid = pid;
    c->msg_fd = msg[0];
    c->out_fd = out[0];
    return 0;
}

static void handle_message(void *vc, const char *line)
{
    probe_child *c = vc;
    bench_strlist f = {0};
    if (bench_wire_decode(line, &f) == 0 && f.count >= 1) {
        if (strcmp(f.items[0], "done") == 0)
            c->done = 1;
        else if (strcmp(f.items[0], "stage") == 0 && f.count >= 2) {
            if (strcmp(f.items[1], "load") == 0)
                bench_copy(c->stage, sizeof c->stage,
                           "loading the plugin (constructors, accel_plugin_query_v1, init)");
            else if (strcmp(f.items[1], "device") == 0 && f.count >= 3)
                snprintf(c->stage, sizeof c->stage,
                         "opening device %.40s (device_open, device_info, timer_properties)",
                         f.items[2]);
            else if (strcmp(f.items[1], "unload") == 0)
                bench_copy(c->stage, sizeof c->stage,
                           "closing the plugin (device_close, shutdown, destructors at exit)");
        }
    }
    bench_strlist_free(&f);
}

/* Reads what is there without blocking; returns 0 at EOF (the fd is then closed). */
static int drain(probe_child *c, int *fd, int is_msg)
{
    char buf[4096];
    for (;;) {
        ssize_t k = read(*fd, buf, sizeof buf);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return 1; /* EAGAIN: nothing more for now */
        if (k == 0) {
            close(*fd);
            *fd = -1;
            return 0;
        }
        if (is_msg) {
            bench_wire_take_lines(&c->msg, buf, (size_t)k, handle_message, c);
        } else {
            /* Keep only the end: it holds the message of an assert or abort. */
            size_t n = (size_t)k, cap = sizeof c->out_tail - 1;
            if (n >= cap) {
                memcpy(c->out_tail, buf + n - cap, cap);
                c->out_tail_len = cap;
            } else {
                size_t keep = c->out_tail_len + n > cap ? cap - n : c->out_tail_len;
                memmove(c->out_tail, c->out_tail + c->out_tail_len - keep, keep);
                memcpy(c->out_tail + keep, buf, n);
                c->out_tail_len = keep + n;
            }
            c->out_tail[c->out_tail_len] = '\0';
        }
    }
}

/* The last non-empty line of the probe's output, made printable, or "". */
static void last_line(const probe_child *c, char *buf, size_t n)
{
    size_t end = c->out_tail_len;
    while (end > 0 && (c->out_tail[end - 1] == '\n' || c->out_tail[end - 1] == '\r' ||
                       c->out_tail[end - 1] == ' '))
        end--;
    size_t start = end;
    while (start > 0 && c->out_tail[start - 1] != '\n')
        start--;
    bench_strbuf raw = {0}, clean = {0};
    bench_strbuf_appendn(&raw, c->out_tail + start, end - start);
    bench_utf8_printable(bench_strbuf_str(&raw), &clean);
    snprintf(buf, n, "%.200s", bench_strbuf_str(&clean));
    bench_strbuf_free(&raw);
    bench_strbuf_free(&clean);
}

static void judge(const probe_child *c, long timeout_s, bench_probe_verdict *v)
{
    if (!c->timed_out && c->done && WIFEXITED(c->wstatus) && WEXITSTATUS(c->wstatus) == 0) {
        v->ok = 1;
        return;
    }
    const char *stage = c->stage[0] ? c->stage : "starting";
    char how[200];
    if (c->timed_out) {
        v->status = ACCEL_ERR_TIMEOUT;
        snprintf(how, sizeof how, "probe timed out after %ld s", timeout_s);
    } else {
        v->status = ACCEL_ERR_INTERNAL;
        bench_describe_wait_status(c->wstatus, "probe", how, sizeof how);
    }
    char tail[256];
    last_line(c, tail, sizeof tail);
    snprintf(v->reason, sizeof v->reason, "%s while %s%s%s%s; not loaded", how, stage,
             tail[0] ? " (last output: \"" : "", tail, tail[0] ? "\")" : "");
}

static int all_ended(const probe_child *kids, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (kids[i].pid > 0 && !kids[i].exited)
            return 0;
    return 1;
}

void bench_probe_plugins(char *const *paths, size_t count, long timeout_s, bench_probe_set *out)
{
    out->items = calloc(count ? count : 1, sizeof *out->items);
    probe_child *kids = calloc(count ? count : 1, sizeof *kids);
    if (!out->items || !kids)
        abort();
    out->count = count;
    for (size_t i = 0; i < count; i++) {
        out->items[i].path = bench_strdup(paths[i]);
        kids[i].msg_fd = kids[i].out_fd = -1;
        char why[256];
        if (spawn_probe(paths[i], &kids[i], why, sizeof why) != 0) {
            out->items[i].status = ACCEL_ERR_INTERNAL;
            bench_copy(out->items[i].reason, sizeof out->items[i].reason, why);
            kids[i].pid = -1;
        }
    }
    double deadline = bench_monotonic_ms() + (double)timeout_s * 1000.0;
    struct pollfd *pfd = calloc(2 * (count ? count : 1), sizeof *pfd);
    if (!pfd)
        abort();
    while (!all_ended(kids, count)) {
        double left = deadline - bench_monotonic_ms();
        if (left <= 0)
            break;
        size_t np = 0;
        for (size_t i = 0; i < count; i++) {
            if (kids[i].msg_fd >= 0)
                pfd[np++] = (struct pollfd){kids[i].msg_fd, POLLIN, 0};
            if (kids[i].out_fd >= 0)
                pfd[np++] = (struct pollfd){kids[i].out_fd, POLLIN, 0};
        }
        /* Exits are seen by waitpid, not by EOF (a plugin may hand its pipes to a daemon), so the
         * wait is short. */
        poll(pfd, np, left < 50 ? (int)left + 1 : 50);
        for (size_t i = 0; i < count; i++) {
            probe_child *c = &kids[i];
            if (c->pid <= 0 || c->exited)
                continue;
            if (c->msg_fd >= 0)
                drain(c, &c->msg_fd, 1);
            if (c->out_fd >= 0)
                drain(c, &c->out_fd, 0);
            if (waitpid(c->pid, &c->wstatus, WNOHANG) == c->pid)
                c->exited = 1;
        }
    }
    for (size_t i = 0; i < count; i++) {
        probe_child *c = &kids[i];
        if (c->pid > 0 && !c->exited) {
            c->timed_out = 1;
            kill(c->pid, SIGKILL);
            while (waitpid(c->pid, &c->wstatus, 0) < 0 && errno == EINTR)
                ;
            c->exited = 1;
        }
        if (c->msg_fd >= 0) {
            drain(c, &c->msg_fd, 1);
            if (c->msg_fd >= 0)
                close(c->msg_fd);
        }
        if (c->out_fd >= 0) {
            drain(c, &c->out_fd, 0);
            if (c->out_fd >= 0)
                close(c->out_fd);
        }
        if (c->pid > 0)
            judge(c, timeout_s, &out->items[i]);
        bench_strbuf_free(&c->msg);
    }
    free(pfd);
    free(kids);
}

void bench_probe_set_free(bench_probe_set *s)
{
    for (size_t i = 0; i < s->count; i++)
        free(s->items[i].path);
    free(s->items);
    s->items = NULL;
    s->count = 0;
}

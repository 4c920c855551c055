#define _POSIX_C_SOURCE 200809L
#include "plot_hint.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef ACCELBENCH_SOURCE_DIR
#define ACCELBENCH_SOURCE_DIR "."
#endif
#ifndef ACCELBENCH_DATA_DIR
#define ACCELBENCH_DATA_DIR "."
#endif

void bench_shell_quote(const char *s, bench_strbuf *out)
{
    static const char safe[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                               "_-./:=@%+,";
    if (*s && strspn(s, safe) == strlen(s)) {
        bench_strbuf_append(out, s);
        return;
    }
    bench_strbuf_append(out, "'");
    for (const char *p = s; *p; p++) {
        if (*p == '\'')
            bench_strbuf_append(out, "'\\''");
        else
            bench_strbuf_appendn(out, p, 1);
    }
    bench_strbuf_append(out, "'");
}

/* 1 when `python` (a path, or a name looked up in PATH) runs and finds matplotlib. Finding the
 * module's spec does not import it, so this takes tens of milliseconds, not seconds. */
static int has_matplotlib(const char *python)
{
    char *argv[] = {(char *)python, "-c",
                    "import importlib.util,sys;"
                    "sys.exit(0 if importlib.util.find_spec('matplotlib') else 1)",
                    NULL};
    int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        if (devnull >= 0) {
            dup2(devnull, STDIN_FILENO);
            dup2(devnull, STDOUT_FILENO);
            dup2(devnull, STDERR_FILENO);
        }
        execvp(python, argv);
        _exit(127);
    }
    if (devnull >= 0)
        close(devnull);
    if (pid < 0)
        return 0;
    int status = 0;
    for (int waited_ms = 0;; waited_ms += 10) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            break;
        if ((r < 0 && errno != EINTR) || waited_ms >= 10000) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return 0;
        }
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

void bench_plot_hint_print(const char *csv_path, FILE *out)
{
    const char *scripts[] = {ACCELBENCH_SOURCE_DIR "/scripts/plot.py", ACCELBENCH_DATA_DIR "/plot.py"};
    const char *script = NULL;
    for (size_t i = 0; i < 2 && !script; i++)
        if (access(scripts[i], R_OK) == 0)
            script = scripts[i];
    if (!script)
        return;
    /* What a user would type first, then the interpreter the build was configured with (Debian's
     * has python3-matplotlib where a pyenv or venv python3 may not). */
    const char *pythons[] = {"python3",
#ifdef ACCELBENCH_PYTHON
                             ACCELBENCH_PYTHON,
#endif
                             "/usr/bin/python3"};
    const char *python = NULL;
    for (size_t i = 0; i < sizeof pythons / sizeof pythons[0] && !python; i++)
        if (has_matplotlib(pythons[i]))
            python = pythons[i];
    bench_strbuf line = {0};
    bench_shell_quote(python ? python : "python3", &line);
    bench_strbuf_append(&line, " ");
    bench_shell_quote(script, &line);
    bench_strbuf_append(&line, " ");
    /* A leading '-' would read as an option of plot.py. */
    if (csv_path[0] == '-')
        bench_strbuf_append(&line, "./");
    bench_shell_quote(csv_path, &line);
    fprintf(out, "plot: %s\n", line.data);
    if (!python)
        fprintf(out, "      (plot.py needs matplotlib, which no python3 here has: "
                     "python3 -m pip install matplotlib, or apt install python3-matplotlib)\n");
    bench_strbuf_free(&line);
}

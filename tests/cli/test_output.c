/* The output safety pieces on their own: UTF-8 escaping, whole-row appends under a file size limit,
 * path checks and their messages, shell quoting of the plot hint, and how a child's end reads. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli_check.h"
#include "json.h"
#include "outpath.h"
#include "plot_hint.h"
#include "proc.h"
#include "results_file.h"
#include "utf8.h"

static void check_escape(const char *in, const char *want)
{
    bench_strbuf sb = {0};
    bench_utf8_escape(in, &sb);
    CHECK_STR(bench_strbuf_str(&sb), want);
    CHECK(bench_utf8_valid(bench_strbuf_str(&sb)));
    bench_strbuf_free(&sb);
}

static void utf8(void)
{
    CHECK(bench_utf8_valid("plain ascii"));
    CHECK(bench_utf8_valid("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
    CHECK(!bench_utf8_valid("caf\xe9"));              /* Latin-1 */
    CHECK(!bench_utf8_valid("\xc0\xaf"));             /* overlong '/' */
    CHECK(!bench_utf8_valid("\xe0\x80\xaf"));         /* overlong */
    CHECK(!bench_utf8_valid("\xed\xa0\x80"));         /* UTF-16 surrogate */
    CHECK(!bench_utf8_valid("\xf4\x90\x80\x80"));     /* above U+10FFFF */
    CHECK(!bench_utf8_valid("\xe2\x82"));             /* cut short */
    check_escape("caf\xe9", "caf\\xe9");
    check_escape("a\xff\xfe" "b", "a\\xff\\xfeb");
    check_escape("\xe2\x82", "\\xe2\\x82");
    check_escape("ok \xc3\xa9", "ok \xc3\xa9");
    bench_strbuf sb = {0};
    bench_utf8_printable("two\nlines\t\x7f", &sb);
    CHECK_STR(sb.data, "two\\x0alines\\x09\\x7f");
    bench_strbuf_free(&sb);
    char field[8] = "ab\xff\xff\xff";
    bench_utf8_sanitize_field(field, sizeof field);
    CHECK_STR(field, "ab\\xff\\"); /* cut to fit, still UTF-8 */
    /* JSON strings: the same escape, inside a valid document. */
    bench_json j = {0};
    bench_json_string(&j, "name \xff");
    CHECK_STR(bench_json_text(&j), "\"name \\\\xff\"");
    bench_json_free(&j);
}

/* Appends under RLIMIT_FSIZE: the row that does not fit leaves no trace. */
static void whole_rows(void)
{
    char path[] = "/tmp/accelbench-test-output-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    fd = open(path, O_WRONLY | O_APPEND);
    const char row[] = "1,2,three,\"four\"\n";
    CHECK(bench_append_whole(fd, row, sizeof row - 1) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        /* In a child: the limit must not reach the rest of this test. */
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit lim = {40, 40};
        setrlimit(RLIMIT_FSIZE, &lim);
        int ok = bench_append_whole(fd, row, sizeof row - 1) == 0;  /* 34 bytes: fits */
        int refused = bench_append_whole(fd, row, sizeof row - 1) != 0 && errno == EFBIG;
        _exit(ok && refused ? 0 : 1);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    struct stat st;
    CHECK(fstat(fd, &st) == 0 && st.st_size == 2 * (off_t)(sizeof row - 1));
    close(fd);

    /* The results file: opened only as a regular file, and the changes underneath are seen. */
    bench_results_file f;
    char err[512];
    CHECK(bench_results_open(&f, path, 0, err, sizeof err) == 0);
    bench_results_file again;
    CHECK(bench_results_open(&again, path, 1, err, sizeof err) == -1 && errno == EEXIST);
    char why[512];
    CHECK(bench_results_append(&f, row, sizeof row - 1, why, sizeof why) == BENCH_APPEND_OK);
    CHECK(truncate(path, 3) == 0);
    CHECK(bench_results_append(&f, row, sizeof row - 1, why, sizeof why) == BENCH_APPEND_CHANGED);
    CHECK(strstr(why, "changed size during the run") != NULL);
    unlink(path);
    CHECK(bench_results_append(&f, row, sizeof row - 1, why, sizeof why) == BENCH_APPEND_CHANGED);
    CHECK(strstr(why, "was deleted during the run") != NULL);
    CHECK(!bench_results_still_there(&f));
    bench_results_close(&f, 0);
    bench_results_file fifo;
    CHECK(bench_results_open(&fifo, "/dev/null", 0, err, sizeof err) == 2);
    CHECK(strstr(err, "is not a regular file") != NULL);
}

static void paths(void)
{
    char err[1024];
    CHECK(bench_output_path_check("/dev/null", "--csv", err, sizeof err) == 2);
    CHECK(strstr(err, "is a device") != NULL);
    CHECK(bench_output_path_check("/tmp", "--csv", err, sizeof err) == 2);
    CHECK(strstr(err, "is a directory") != NULL);
    CHECK(bench_output_path_check("/nonexistent-dir/x.csv", "--csv", err, sizeof err) == 2);
    CHECK(strstr(err, "does not exist") != NULL);
    CHECK(bench_output_path_check("/tmp/accelbench-new.csv", "--csv", err, sizeof err) == 0);
    /* A very long path: shortened in the message, the reason kept whole. */
    char longpath[3000] = "/nonexistent-dir/";
    for (size_t i = strlen(longpath); i < sizeof longpath - 10; i++)
        longpath[i] = (i % 200 == 0) ? '/' : 'x';
    strcpy(longpath + sizeof longpath - 10, "/y.csv");
    CHECK(bench_output_path_check(longpath, "--csv", err, sizeof err) == 2);
    CHECK(strstr(err, "does not exist") != NULL && strlen(err) < 400);
    char shown[256];
    bench_path_for_message("dir/na\xffme\n.csv", shown, sizeof shown);
    CHECK_STR(shown, "dir/na\\xffme\\x0a.csv");
}

static void quoting(void)
{
    const struct { const char *in, *out; } cases[] = {
        {"results/host-1.csv", "results/host-1.csv"},
        {"my results.csv", "'my results.csv'"},
        {"it's.csv", "'it'\\''s.csv'"},
        {"$(rm -rf ~).csv", "'$(rm -rf ~).csv'"},
        {"", "''"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bench_strbuf sb = {0};
        bench_shell_quote(cases[i].in, &sb);
        CHECK_STR(bench_strbuf_str(&sb), cases[i].out);
        bench_strbuf_free(&sb);
    }
}

static void child_ends(void)
{
    char buf[256];
    bench_describe_wait_status(SIGSEGV, "probe", buf, sizeof buf); /* a wait status: killed */
    CHECK(strncmp(buf, "probe killed by signal 11 (SIGSEGV, ", 36) == 0);
    bench_describe_wait_status(7 << 8, "worker", buf, sizeof buf);
    CHECK_STR(buf, "worker exited with status 7");
    CHECK_STR(bench_signal_abbrev(SIGABRT), "SIGABRT");
}

int main(void)
{
    utf8();
    whole_rows();
    paths();
    quoting();
    child_ends();
    CHECK_DONE();
}

#define _POSIX_C_SOURCE 200809L
#include "outpath.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "utf8.h"
#include "util.h"

#define SHOWN_HEAD 40
#define SHOWN_TAIL 40

/* Bytes of the first `chars` characters of s (s is valid UTF-8). */
static size_t prefix_bytes(const char *s, size_t chars)
{
    size_t at = 0;
    while (chars-- && s[at])
        at += bench_utf8_sequence(s + at);
    return at;
}

void bench_path_for_message(const char *path, char *buf, size_t n)
{
    bench_strbuf clean = {0};
    bench_utf8_printable(path, &clean);
    const char *s = bench_strbuf_str(&clean);
    size_t chars = 0;
    for (const char *p = s; *p; p += bench_utf8_sequence(p))
        chars++;
    if (chars <= SHOWN_HEAD + SHOWN_TAIL + 3) {
        bench_copy(buf, n, s);
    } else {
        size_t head = prefix_bytes(s, SHOWN_HEAD);
        size_t tail_at = prefix_bytes(s, chars - SHOWN_TAIL);
        snprintf(buf, n, "%.*s...%s", (int)head, s, s + tail_at);
    }
    bench_strbuf_free(&clean);
}

static const char *kind_of(mode_t m)
{
    if (S_ISDIR(m))
        return "a directory";
    if (S_ISFIFO(m))
        return "a FIFO (named pipe)";
    if (S_ISCHR(m) || S_ISBLK(m))
        return "a device";
    if (S_ISSOCK(m))
        return "a socket";
    return "not a regular file";
}

/* Longest name the directory's filesystem takes (NAME_MAX when it cannot say). */
static size_t name_max(const char *dir)
{
    long v = pathconf(dir, _PC_NAME_MAX);
    return v > 0 ? (size_t)v : NAME_MAX;
}

static int check_lengths(const char *path, const char *what, const char *shown, char *err, size_t n)
{
    size_t len = strlen(path);
    if (len >= PATH_MAX) {
        snprintf(err, n, "%s %s: the path is %zu bytes long; the system takes at most %d", what,
                 shown, len, PATH_MAX - 1);
        return 2;
    }
    for (const char *p = path; *p;) {
        const char *slash = strchr(p, '/');
        size_t part = slash ? (size_t)(slash - p) : strlen(p);
        if (part > NAME_MAX) {
            char name[128];
            char *copy = bench_strdup(p);
            copy[part] = '\0';
            bench_path_for_message(copy, name, sizeof name);
            free(copy);
            snprintf(err, n, "%s %s: the name '%s' in it is %zu bytes long; the system takes at "
                     "most %d per name", what, shown, name, part, NAME_MAX);
            return 2;
        }
        p += part;
        while (*p == '/')
            p++;
    }
    return 0;
}

int bench_output_path_check(const char *path, const char *what, char *err, size_t n)
{
    char shown[256];
    bench_path_for_message(path, shown, sizeof shown);
    if (check_lengths(path, what, shown, err, n) != 0)
        return 2;
    const char *hint = "; give a regular file or a new file in a writable directory";
    struct stat st, lst;
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            snprintf(err, n, "%s '%s' is a directory", what, shown);
            return 2;
        }
        if (!S_ISREG(st.st_mode)) {
            snprintf(err, n, "%s '%s' is %s%s", what, shown, kind_of(st.st_mode), hint);
            return 2;
        }
        if (access(path, W_OK) != 0) {
            snprintf(err, n, "%s '%s' is not writable", what, shown);
            return 2;
        }
        return 0;
    }
    if (errno != ENOENT) {
        snprintf(err, n, "%s '%s': %s", what, shown, strerror(errno));
        return 2;
    }
    if (lstat(path, &lst) == 0) { /* a symbolic link to nothing: writing would create its target */
        snprintf(err, n, "%s '%s' is a symbolic link to a file that does not exist%s", what, shown,
                 hint);
        return 2;
    }
    char *copy = bench_strdup(path);
    char *slash = strrchr(copy, '/');
    const char *dir = ".";
    const char *base = path;
    if (slash) {
        base = path + (slash - copy) + 1;
        if (slash == copy)
            slash[1] = '\0'; /* "/x.csv": the root */
        else
            *slash = '\0';
        dir = copy;
    }
    char dir_shown[256];
    bench_path_for_message(dir, dir_shown, sizeof dir_shown);
    int rc = 0;
    if (!*base) {
        snprintf(err, n, "%s '%s' names a directory, not a file", what, shown);
        rc = 2;
    } else if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(err, n, "%s '%s': directory '%s' does not exist", what, shown, dir_shown);
        rc = 2;
    } else if (access(dir, W_OK | X_OK) != 0) {
        snprintf(err, n, "%s '%s': directory '%s' is not writable", what, shown, dir_shown);
        rc = 2;
    } else if (strlen(base) > name_max(dir)) {
        snprintf(err, n, "%s '%s': the file name is %zu bytes long; directory '%s' takes at most "
                 "%zu", what, shown, strlen(base), dir_shown, name_max(dir));
        rc = 2;
    }
    free(copy);
    return rc;
}

#define _DEFAULT_SOURCE /* realpath, lstat, O_NOFOLLOW */
#include "json.h"

#include "utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void bench_json_escape(bench_strbuf *out, const char *s)
{
    bench_strbuf_append(out, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p >= 0x80) {
            /* JSON is UTF-8: a byte that is not part of a character is kept as the text \xNN. */
            size_t seq = bench_utf8_sequence((const char *)p);
            if (seq == 0)
                bench_strbuf_appendf(out, "\\\\x%02x", *p);
            else
                bench_strbuf_appendn(out, (const char *)p, seq);
            p += seq ? seq - 1 : 0;
            continue;
        }
        switch (*p) {
        case '"': bench_strbuf_append(out, "\\\""); break;
        case '\\': bench_strbuf_append(out, "\\\\"); break;
        case '\n': bench_strbuf_append(out, "\\n"); break;
        case '\r': bench_strbuf_append(out, "\\r"); break;
        case '\t': bench_strbuf_append(out, "\\t"); break;
        default:
            if (*p < 0x20 || *p == 0x7f)
                bench_strbuf_appendf(out, "\\u%04x", *p);
            else
                bench_strbuf_appendn(out, (const char *)p, 1);
        }
    }
    bench_strbuf_append(out, "\"");
}

/* Separator before a value: a comma after a sibling, nothing right after a key. */
static void before_value(bench_json *j)
{
    if (j->after_key) {
        j->after_key = 0;
        return;
    }
    if (j->depth > 0 && j->need_comma[j->depth - 1])
        bench_strbuf_append(&j->out, ",");
    if (j->depth > 0)
        j->need_comma[j->depth - 1] = 1;
}

static void open_scope(bench_json *j, const char *brace)
{
    before_value(j);
    bench_strbuf_append(&j->out, brace);
    if (j->depth < BENCH_JSON_MAX_DEPTH)
        j->need_comma[j->depth] = 0;
    j->depth++;
}

static void close_scope(bench_json *j, const char *brace)
{
    if (j->depth > 0)
        j->depth--;
    bench_strbuf_append(&j->out, brace);
}

void bench_json_object_begin(bench_json *j) { open_scope(j, "{"); }
void bench_json_object_end(bench_json *j) { close_scope(j, "}"); }
void bench_json_array_begin(bench_json *j) { open_scope(j, "["); }
void bench_json_array_end(bench_json *j) { close_scope(j, "]"); }

void bench_json_key(bench_json *j, const char *key)
{
    before_value(j);
    bench_json_escape(&j->out, key);
    bench_strbuf_append(&j->out, ":");
    j->after_key = 1;
}

void bench_json_string(bench_json *j, const char *s)
{
    before_value(j);
    if (s)
        bench_json_escape(&j->out, s);
    else
        bench_strbuf_append(&j->out, "null");
}

void bench_json_number(bench_json *j, double v)
{
    before_value(j);
    if (isfinite(v))
        bench_strbuf_appendf(&j->out, "%.17g", v);
    else
        bench_strbuf_append(&j->out, "null");
}

void bench_json_int(bench_json *j, int64_t v)
{
    before_value(j);
    bench_strbuf_appendf(&j->out, "%lld", (long long)v);
}

void bench_json_bool(bench_json *j, int v)
{
    before_value(j);
    bench_strbuf_append(&j->out, v ? "true" : "false");
}

void bench_json_null(bench_json *j)
{
    before_value(j);
    bench_strbuf_append(&j->out, "null");
}

void bench_json_kv_string(bench_json *j, const char *key, const char *s)
{
    bench_json_key(j, key);
    bench_json_string(j, s);
}

void bench_json_kv_number(bench_json *j, const char *key, double v)
{
    bench_json_key(j, key);
    bench_json_number(j, v);
}

void bench_json_kv_int(bench_json *j, const char *key, int64_t v)
{
    bench_json_key(j, key);
    bench_json_int(j, v);
}

void bench_json_kv_bool(bench_json *j, const char *key, int v)
{
    bench_json_key(j, key);
    bench_json_bool(j, v);
}

const char *bench_json_text(const bench_json *j)
{
    return bench_strbuf_str(&j->out);
}

void bench_json_free(bench_json *j)
{
    bench_strbuf_free(&j->out);
    j->depth = 0;
    j->after_key = 0;
}

/* The temporary file sits in the target's directory (rename stays atomic) under a short name of
 * its own, so a target name near the system's limit still gets one. A symbolic link is followed:
 * the file it names is replaced, not the link. */
int bench_file_write_atomic(const char *path, const char *data, size_t len)
{
    char target[PATH_MAX];
    struct stat lst;
    if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode) && realpath(path, target))
        path = target;
    const char *slash = strrchr(path, '/');
    int dir_len = slash ? (int)(slash - path) + 1 : 0;
    char tmp[PATH_MAX + 64];
    if (snprintf(tmp, sizeof tmp, "%.*s.accelbench-%ld.tmp", dir_len, path, (long)getpid()) >=
        (int)sizeof tmp) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0 && errno == EEXIST && unlink(tmp) == 0) /* left by a killed process of this pid */
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, data + done, len - done);
        if (n <= 0) {
            if (n < 0 && errno == EINTR)
                continue;
            int e = n < 0 ? errno : ENOSPC;
            close(fd);
            unlink(tmp);
            errno = e;
            return -1;
        }
        done += (size_t)n;
    }
    int rc = fsync(fd);
    int e = errno;
    if (close(fd) != 0 && rc == 0) {
        rc = -1;
        e = errno;
    }
    if (rc == 0 && rename(tmp, path) != 0) {
        rc = -1;
        e = errno;
    }
    if (rc != 0) {
        unlink(tmp);
        errno = e;
    }
    return rc;
}

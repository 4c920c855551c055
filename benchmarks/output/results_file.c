#define _GNU_SOURCE /* fallocate, FALLOC_FL_KEEP_SIZE */
#include "results_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outpath.h"
#include "util.h"

int bench_append_whole(int fd, const char *data, size_t len)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return -1;
    off_t before = st.st_size;
#ifdef FALLOC_FL_KEEP_SIZE
    /* Reserve the blocks first: on a full disk nothing is written at all. Filesystems without
     * fallocate fall through to the write, whose failure is undone below. */
    if (len && fallocate(fd, FALLOC_FL_KEEP_SIZE, before, (off_t)len) != 0 &&
        (errno == ENOSPC || errno == EDQUOT || errno == EFBIG))
        return -1;
#endif
    size_t done = 0;
    int err = 0;
    while (done < len) {
        ssize_t k = write(fd, data + done, len - done);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            err = k < 0 ? errno : ENOSPC;
            break;
        }
        done += (size_t)k; /* a short write (size limit reached) is retried: it then fails */
    }
    if (!err && fsync(fd) != 0)
        err = errno;
    if (err) {
        /* Back to the last complete record: the file stays valid CSV. */
        while (ftruncate(fd, before) != 0 && errno == EINTR)
            ;
        errno = err;
        return -1;
    }
    return 0;
}

static pid_t lock_holder(int fd)
{
    struct flock fl;
    memset(&fl, 0, sizeof fl);
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    if (fcntl(fd, F_GETLK, &fl) != 0 || fl.l_type == F_UNLCK)
        return 0;
    return fl.l_pid;
}

/* 0 locked (or the filesystem has no locks: then concurrent runs go unnoticed, said on stderr),
 * else the pid of the holder (-1 when unknown). */
static pid_t take_lock(int fd, const char *shown)
{
    for (int attempt = 0; attempt < 3; attempt++) {
        struct flock fl;
        memset(&fl, 0, sizeof fl);
        fl.l_type = F_WRLCK;
        fl.l_whence = SEEK_SET;
        if (fcntl(fd, F_SETLK, &fl) == 0)
            return 0;
        if (errno != EACCES && errno != EAGAIN) {
            fprintf(stderr, "accelbench: cannot lock %s (%s): a second run on it would not be noticed\n",
                    shown, strerror(errno));
            return 0;
        }
        pid_t holder = lock_holder(fd);
        if (holder != 0)
            return holder;
        /* Released between the two calls: try again. */
    }
    return -1;
}

int bench_results_open(bench_results_file *f, const char *path, int exclusive, char *err, size_t n)
{
    memset(f, 0, sizeof *f);
    f->fd = -1;
    char shown[256];
    bench_path_for_message(path, shown, sizeof shown);
    /* O_NONBLOCK: a FIFO put there after the checks must not block the open; it is refused
     * below like any other file that is not a regular one. */
    int flags = O_RDWR | O_APPEND | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
    int fd = open(path, flags | O_CREAT | O_EXCL, 0666);
    int created = fd >= 0;
    if (fd < 0 && errno == EEXIST) {
        if (exclusive)
            return -1;
        fd = open(path, flags);
    }
    if (fd < 0) {
        snprintf(err, n, "cannot open %s: %s", shown, strerror(errno));
        return 1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, n, "%s is not a regular file; give a regular file or a new file in a writable "
                 "directory", shown);
        close(fd);
        return 2;
    }
    fcntl(fd, F_SETFL, O_RDWR | O_APPEND);
    pid_t holder = take_lock(fd, shown);
    if (holder != 0) {
        if (holder > 0)
            snprintf(err, n, "%s is in use by another accelbench run (pid %ld); wait for it to "
                     "finish or choose another --csv file", shown, (long)holder);
        else
            snprintf(err, n, "%s is in use by another accelbench run; wait for it to finish or "
                     "choose another --csv file", shown);
        /* Not removed even if this call created it: the holder opened it since. */
        close(fd);
        return 2;
    }
    f->fd = fd;
    f->path = bench_strdup(path);
    f->dev = st.st_dev;
    f->ino = st.st_ino;
    f->size = st.st_size;
    f->created = created;
    return 0;
}

char *bench_results_read(bench_results_file *f, size_t *len)
{
    struct stat st;
    if (fstat(f->fd, &st) != 0)
        return NULL;
    size_t size = (size_t)st.st_size;
    char *buf = malloc(size + 1);
    if (!buf) {
        errno = ENOMEM;
        return NULL;
    }
    size_t got = 0;
    while (got < size) {
        ssize_t k = pread(f->fd, buf + got, size - got, (off_t)got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            free(buf);
            return NULL;
        }
        if (k == 0)
            break; /* shrank meanwhile: what is there */
        got += (size_t)k;
    }
    buf[got] = '\0';
    *len = got;
    f->size = (off_t)got;
    return buf;
}

static int file_changed(const bench_results_file *f, char *why, size_t n)
{
    char shown[256];
    bench_path_for_message(f->path, shown, sizeof shown);
    struct stat now, fst;
    if (stat(f->path, &now) != 0) {
        snprintf(why, n, "%s was deleted during the run (%s)", shown, strerror(errno));
        return 1;
    }
    if (now.st_dev != f->dev || now.st_ino != f->ino) {
        snprintf(why, n, "%s was replaced by another file during the run", shown);
        return 1;
    }
    if (fstat(f->fd, &fst) == 0 && fst.st_size != f->size) {
        snprintf(why, n, "%s changed size during the run (%lld bytes, this run left %lld): it was "
                 "truncated or written by another program", shown, (long long)fst.st_size,
                 (long long)f->size);
        return 1;
    }
    return 0;
}

bench_append_result bench_results_append(bench_results_file *f, const char *data, size_t len,
                                         char *why, size_t why_len)
{
    if (file_changed(f, why, why_len))
        return BENCH_APPEND_CHANGED;
    if (bench_append_whole(f->fd, data, len) != 0) {
        snprintf(why, why_len, "%s", strerror(errno));
        return BENCH_APPEND_LOST;
    }
    f->size += (off_t)len;
    return BENCH_APPEND_OK;
}

int bench_results_still_there(const bench_results_file *f)
{
    struct stat now;
    return f->path && stat(f->path, &now) == 0 && now.st_dev == f->dev && now.st_ino == f->ino;
}

void bench_results_close(bench_results_file *f, int discard)
{
    if (f->fd >= 0) {
        if (discard && f->created && bench_results_still_there(f))
            unlink(f->path); /* before close: the lock still keeps a second run out */
        close(f->fd);
    }
    free(f->path);
    memset(f, 0, sizeof *f);
    f->fd = -1;
}

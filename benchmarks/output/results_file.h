/* The results CSV while a run owns it: opened as a regular file only, locked against a second
 * accelbench run, appended to a whole row at a time (a row that does not fit leaves the file as it
 * was), and watched for being deleted, replaced or truncated underneath. */
#ifndef BENCH_RESULTS_FILE_H
#define BENCH_RESULTS_FILE_H

#include <stddef.h>
#include <sys/types.h>

typedef struct bench_results_file {
    int fd;             /* -1 when closed */
    char *path;
    dev_t dev;
    ino_t ino;
    off_t size;         /* the file's size as this run left it */
    int created;        /* this run created the file */
} bench_results_file;

/* Opens path for appending, creating it when absent (only creating it, O_EXCL, when exclusive),
 * refusing anything but a regular file, and takes an exclusive lock on it.
 * Returns 0; -1 with errno EEXIST when exclusive and the file exists; 2 with a one-line message in
 * err when the file is not a regular file or another process holds its lock (the message names
 * that process's pid); 1 with a message on any other failure. */
int bench_results_open(bench_results_file *f, const char *path, int exclusive, char *err, size_t n);

/* The whole file as it is now, read through the locked descriptor (opening it again would drop
 * the lock). NUL-terminated; NULL with errno set on failure. */
char *bench_results_read(bench_results_file *f, size_t *len);

typedef enum bench_append_result {
    BENCH_APPEND_OK,
    BENCH_APPEND_LOST,    /* not written (no space, file size limit, I/O error); file unchanged */
    BENCH_APPEND_CHANGED  /* the file was deleted, replaced, truncated or written by someone else */
} bench_append_result;

/* Appends data (whole records) at the end: checks the file is still the one this run owns and
 * has the size it left, reserves the space, writes in one call and syncs. On a failure the file
 * is cut back to its previous end, so it never holds part of a record. why gets the reason. */
bench_append_result bench_results_append(bench_results_file *f, const char *data, size_t len,
                                         char *why, size_t why_len);

/* 1 while path still names the file this run wrote. */
int bench_results_still_there(const bench_results_file *f);

/* Closes (and unlocks). With discard, a file this run created is removed first (nothing useful
 * was written to it). */
void bench_results_close(bench_results_file *f, int discard);

/* The primitive under bench_results_append: appends data to the regular file fd in one write
 * after reserving the space, syncs it, and on any failure truncates the file back to its size
 * before the call. Returns 0, or -1 with errno set (ENOSPC, EFBIG, EDQUOT, EIO...). SIGXFSZ
 * must be ignored by the caller for EFBIG to be seen instead of the process being killed. */
int bench_append_whole(int fd, const char *data, size_t len);

#endif

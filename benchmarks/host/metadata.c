#define _GNU_SOURCE /* gethostname, getrandom */
#include "metadata.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "utf8.h"
#include "util.h"

#ifndef ACCELBENCH_VERSION
#define ACCELBENCH_VERSION "0.0.0"
#endif
#include "accelbench_git_sha.h" /* generated at build time */
#ifndef ACCELBENCH_COMPILER
#define ACCELBENCH_COMPILER "unknown"
#endif
#ifndef ACCELBENCH_C_FLAGS
#define ACCELBENCH_C_FLAGS ""
#endif
#ifndef ACCELBENCH_BUILD_TYPE
#define ACCELBENCH_BUILD_TYPE ""
#endif

static void utc_format(char *buf, size_t n, const char *fmt)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    if (strftime(buf, n, fmt, &tm) == 0 && n)
        buf[0] = '\0';
}

void bench_utc_iso(char *buf, size_t n) { utc_format(buf, n, "%Y-%m-%dT%H:%M:%SZ"); }
void bench_utc_compact(char *buf, size_t n) { utc_format(buf, n, "%Y%m%d-%H%M%S"); }

void bench_run_id_make(char *buf, size_t n)
{
    uint8_t b[16] = {0};
    if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b) {
        /* No entropy syscall (old kernel, seccomp): time and pid still make ids distinct. */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ ((uint64_t)getpid() << 40);
        for (int i = 0; i < 16; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            b[i] = (uint8_t)x;
        }
    }
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
    snprintf(buf, n, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
}

static void read_cpu_model(char *buf, size_t n)
{
    bench_copy(buf, n, "");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "model name", 10) == 0 || strncmp(line, "Model", 5) == 0) {
            char *colon = strchr(line, ':');
            if (colon) {
                colon++;
                while (*colon == ' ' || *colon == '\t')
                    colon++;
                colon[strcspn(colon, "\n")] = '\0';
                bench_copy(buf, n, colon);
                break;
            }
        }
    }
    fclose(f);
}

void bench_metadata_init(bench_metadata *m)
{
    memset(m, 0, sizeof *m);
    bench_run_id_make(m->run_id, sizeof m->run_id);
    bench_utc_iso(m->started_utc, sizeof m->started_utc);
    if (gethostname(m->hostname, sizeof m->hostname - 1) != 0 || !m->hostname[0])
        bench_copy(m->hostname, sizeof m->hostname, "unknown-host");
    bench_utf8_sanitize_field(m->hostname, sizeof m->hostname); /* it reaches every row */
    struct utsname u;
    if (uname(&u) == 0) {
        bench_copy(m->os_sysname, sizeof m->os_sysname, u.sysname);
        bench_copy(m->os_release, sizeof m->os_release, u.release);
        bench_copy(m->os_version, sizeof m->os_version, u.version);
        bench_copy(m->os_machine, sizeof m->os_machine, u.machine);
    }
    read_cpu_model(m->cpu_model, sizeof m->cpu_model);
    bench_utf8_sanitize_field(m->cpu_model, sizeof m->cpu_model);
    m->version = ACCELBENCH_VERSION;
    m->git_sha = ACCELBENCH_GIT_SHA;
    m->compiler = ACCELBENCH_COMPILER;
    m->c_flags = ACCELBENCH_C_FLAGS;
    m->build_type = ACCELBENCH_BUILD_TYPE;
}

void bench_metadata_to_json(bench_json *j, const bench_metadata *m)
{
    bench_json_kv_string(j, "run_id", m->run_id);
    bench_json_kv_string(j, "started_utc", m->started_utc);
    bench_json_kv_string(j, "accelbench_version", m->version);
    bench_json_kv_string(j, "git_sha", m->git_sha);
    bench_json_key(j, "build");
    bench_json_object_begin(j);
    bench_json_kv_string(j, "compiler", m->compiler);
    bench_json_kv_string(j, "c_flags", m->c_flags);
    bench_json_kv_string(j, "build_type", m->build_type);
    bench_json_object_end(j);
    bench_json_kv_string(j, "hostname", m->hostname);
    bench_json_key(j, "os");
    bench_json_object_begin(j);
    bench_json_kv_string(j, "sysname", m->os_sysname);
    bench_json_kv_string(j, "release", m->os_release);
    bench_json_kv_string(j, "version", m->os_version);
    bench_json_kv_string(j, "machine", m->os_machine);
    bench_json_object_end(j);
    bench_json_kv_string(j, "cpu_model", m->cpu_model);
}

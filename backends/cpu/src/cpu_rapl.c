/* RAPL package energy through powercap (cpu_rapl.h). */
#define _POSIX_C_SOURCE 200809L
#include "cpu_rapl.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reads one unsigned decimal from a sysfs file; returns 0, or the errno of the failure (EINVAL for
 * text that is no number). */
static int read_u64(const char *path, uint64_t *out) {
    FILE *f = fopen(path, "r");
    if (!f) return errno ? errno : EIO;
    char text[64];
    int rc = EIO;
    if (fgets(text, sizeof text, f)) {
        char *end = NULL;
        errno = 0;
        unsigned long long v = strtoull(text, &end, 10);
        rc = (errno || end == text || (*end && *end != '\n') || text[0] == '-') ? EINVAL : 0;
        if (rc == 0) *out = v;
    } else if (ferror(f)) {
        rc = errno ? errno : EIO;
    }
    fclose(f);
    return rc;
}

/* The reason goes into a fixed field (the telemetry's energy_source): a long test path is cut. */
__attribute__((format(printf, 2, 3))) static void set_reason(cpu_rapl *r, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->reason, sizeof r->reason, fmt, ap);
    va_end(ap);
}

/* Paths built from a directory entry's name (up to 255 bytes): a cut path just fails to open. */
__attribute__((format(printf, 3, 4))) static void path_of(char *out, size_t len, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, len, fmt, ap);
    va_end(ap);
}

static int read_line(const char *path, char *out, size_t len) {
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    int ok = fgets(out, (int)len, f) != NULL;
    fclose(f);
    if (!ok) return -1;
    out[strcspn(out, "\n")] = '\0';
    return 0;
}

int cpu_rapl_delta(uint64_t last, uint64_t now, uint64_t max_range, uint64_t *delta) {
    if (now >= last) {
        *delta = now - last;
        return 0;
    }
    /* The counter wrapped at max_range (it counts 0..max_range). One wrap between two readings is
     * all that can be told apart: at a few hundred watts a 32-bit-era range of 262 kJ lasts
     * minutes, and readings come at least once per row. */
    if (max_range == 0 || last > max_range) return -1;
    *delta = (max_range - last) + now;
    return 0;
}

static int zone_name_cmp(const void *a, const void *b) {
    return strcmp(((const cpu_rapl_zone *)a)->dir, ((const cpu_rapl_zone *)b)->dir);
}

void cpu_rapl_open(cpu_rapl *r, const char *sysfs_root) {
    memset(r, 0, sizeof *r);
    pthread_mutex_init(&r->lock, NULL);
    snprintf(r->root, sizeof r->root, "%s", sysfs_root && sysfs_root[0] ? sysfs_root : "/sys");
    char dir[320];
    snprintf(dir, sizeof dir, "%s/class/powercap", r->root);
    DIR *d = opendir(dir);
    if (!d) {
        set_reason(r,
                 "none: %s not readable (%s: a kernel without powercap RAPL, or a VM that hides it)",
                 dir, strerror(errno));
        return;
    }
    int packages = 0, denied = 0;
    char denied_path[400] = "";
    struct dirent *e;
    while ((e = readdir(d)) && r->zones < CPU_RAPL_MAX_ZONES) {
        /* Top-level zones ("intel-rapl:0") have one ':'; their subzones (core, uncore, dram) are
         * parts of the package count or of other silicon, so only packages are summed. */
        const char *colon = strchr(e->d_name, ':');
        if (!colon || strchr(colon + 1, ':') || strlen(e->d_name) >= sizeof r->zone[0].dir) continue;
        char path[400], name[64];
        path_of(path, sizeof path, "%s/%s/name", dir, e->d_name);
        /* "psys" covers the whole SoC, packages included: summing it too would count twice. */
        if (read_line(path, name, sizeof name) != 0 || strncmp(name, "package", 7) != 0) continue;
        packages++;
        cpu_rapl_zone z;
        memset(&z, 0, sizeof z);
        memcpy(z.dir, e->d_name, strlen(e->d_name) + 1); /* its length was checked above */
        path_of(path, sizeof path, "%s/%s/energy_uj", dir, e->d_name);
        int rc = read_u64(path, &z.last_uj);
        if (rc != 0) {
            if (rc == EACCES || rc == EPERM) {
                denied = 1;
                snprintf(denied_path, sizeof denied_path, "%s", path);
            }
            continue;
        }
        path_of(path, sizeof path, "%s/%s/max_energy_range_uj", dir, e->d_name);
        if (read_u64(path, &z.max_range_uj) != 0) z.max_range_uj = 0;
        r->zone[r->zones++] = z;
    }
    closedir(d);
    if (r->zones == 0 || (denied && r->zones < packages)) {
        /* Part of the packages only would undercount: all or none. */
        r->zones = 0;
        if (denied)
            set_reason(r,
                     "none: %s not readable (permission denied: root only on kernels patched for "
                     "CVE-2020-8694)", denied_path);
        else if (packages)
            set_reason(r, "none: %s: no package zone's energy_uj reads as a "
                     "number", dir);
        else
            set_reason(r, "none: %s has no RAPL package zone", dir);
        return;
    }
    qsort(r->zone, (size_t)r->zones, sizeof r->zone[0], zone_name_cmp);
}

int cpu_rapl_read(cpu_rapl *r, double *joules, char *why, size_t why_len) {
    pthread_mutex_lock(&r->lock);
    int rc = 0;
    if (r->zones == 0) rc = -1;
    uint64_t now[CPU_RAPL_MAX_ZONES], delta[CPU_RAPL_MAX_ZONES];
    for (int i = 0; rc == 0 && i < r->zones; i++) {
        char path[400];
        snprintf(path, sizeof path, "%s/class/powercap/%s/energy_uj", r->root, r->zone[i].dir);
        int err = read_u64(path, &now[i]);
        if (err != 0) {
            set_reason(r, "none: %s: %s", path, strerror(err));
            rc = -1;
        } else if (cpu_rapl_delta(r->zone[i].last_uj, now[i], r->zone[i].max_range_uj, &delta[i]) != 0) {
            set_reason(r,
                     "none: %s went back from %llu to %llu without a max_energy_range_uj to unfold "
                     "the wrap", path, (unsigned long long)r->zone[i].last_uj,
                     (unsigned long long)now[i]);
            rc = -1;
        }
    }
    /* All zones or none advance, so that a failed read leaves no half-counted state. */
    if (rc == 0) {
        for (int i = 0; i < r->zones; i++) {
            r->zone[i].last_uj = now[i];
            r->total_uj += delta[i];
        }
        *joules = (double)r->total_uj * 1e-6;
    } else if (why_len) {
        snprintf(why, why_len, "%s", r->reason);
    }
    pthread_mutex_unlock(&r->lock);
    return rc;
}

void cpu_rapl_close(cpu_rapl *r) {
    pthread_mutex_destroy(&r->lock);
}

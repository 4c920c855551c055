/* cpu_rapl.c on fake sysfs trees: the package zones summed (psys and subzones left out), a counter
 * wrapping at max_energy_range_uj, a range-less counter going back, permission denied (as an
 * unprivileged user: root reads any file), and no powercap at all. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cpu_rapl.h"

static int failures;
#define CHECK(c)                                                              \
    do {                                                                      \
        if (!(c)) {                                                           \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #c); \
            failures++;                                                       \
        }                                                                     \
    } while (0)

static char root[] = "/tmp/accel-rapl-test-XXXXXX";

static void put(const char *rel, const char *text) {
    char path[512];
    snprintf(path, sizeof path, "%s/class/powercap/%s", root, rel);
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    fputs(text, f);
    fclose(f);
}

static void zone(const char *dir, const char *name, const char *energy, const char *range) {
    char path[512];
    snprintf(path, sizeof path, "%s/class/powercap/%s", root, dir);
    if (mkdir(path, 0755) != 0 && errno != EEXIST) {
        perror(path);
        exit(1);
    }
    char rel[256];
    snprintf(rel, sizeof rel, "%s/name", dir);
    put(rel, name);
    snprintf(rel, sizeof rel, "%s/energy_uj", dir);
    put(rel, energy);
    if (range) {
        snprintf(rel, sizeof rel, "%s/max_energy_range_uj", dir);
        put(rel, range);
    }
}

static void fresh_tree(void) {
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s/class' && mkdir -p '%s/class/powercap' && chmod -R 0755 '%s'",
             root, root, root);
    if (system(cmd) != 0) exit(1);
}

static void test_sum_and_wrap(void) {
    fresh_tree();
    zone("intel-rapl:0", "package-0\n", "1000000\n", "262143328850\n");
    zone("intel-rapl:1", "package-1\n", "262143000000\n", "262143328850\n");
    zone("intel-rapl:0:0", "core\n", "5\n", "262143328850\n");   /* part of package-0 */
    zone("intel-rapl:0:1", "dram\n", "5\n", "262143328850\n");   /* not the package */
    zone("intel-rapl:2", "psys\n", "99000000\n", "262143328850\n"); /* the SoC, packages included */
    cpu_rapl r;
    cpu_rapl_open(&r, root);
    CHECK(r.zones == 2);
    double j = -1;
    char why[160] = "";
    CHECK(cpu_rapl_read(&r, &j, why, sizeof why) == 0 && j == 0.0);
    /* package-0 +2.5 J; package-1 wraps: 328850 uJ to the top, then 171150 uJ: +0.5 J. */
    put("intel-rapl:0/energy_uj", "3500000\n");
    put("intel-rapl:1/energy_uj", "171150\n");
    put("intel-rapl:2/energy_uj", "999000000\n");
    put("intel-rapl:0:1/energy_uj", "999000000\n");
    CHECK(cpu_rapl_read(&r, &j, why, sizeof why) == 0);
    CHECK(fabs(j - 3.0) < 1e-9);
    put("intel-rapl:0/energy_uj", "4500000\n");
    CHECK(cpu_rapl_read(&r, &j, why, sizeof why) == 0 && fabs(j - 4.0) < 1e-9);
    cpu_rapl_close(&r);

    uint64_t d = 0;
    CHECK(cpu_rapl_delta(10, 30, 100, &d) == 0 && d == 20);
    CHECK(cpu_rapl_delta(90, 10, 100, &d) == 0 && d == 20);
    CHECK(cpu_rapl_delta(90, 10, 0, &d) == -1);   /* range unknown */
    CHECK(cpu_rapl_delta(190, 10, 100, &d) == -1); /* last beyond the range: not this counter */
}

static void test_no_range(void) {
    fresh_tree();
    zone("intel-rapl:0", "package-0\n", "5000000\n", NULL);
    cpu_rapl r;
    cpu_rapl_open(&r, root);
    CHECK(r.zones == 1);
    double j = -1;
    char why[160] = "";
    put("intel-rapl:0/energy_uj", "4000000\n");
    CHECK(cpu_rapl_read(&r, &j, why, sizeof why) == -1);
    CHECK(strstr(why, "went back from 5000000 to 4000000") != NULL);
    cpu_rapl_close(&r);
}

static void test_absent(void) {
    char missing[300];
    snprintf(missing, sizeof missing, "%s/nothing", root);
    cpu_rapl r;
    cpu_rapl_open(&r, missing);
    CHECK(r.zones == 0 && strncmp(r.reason, "none: ", 6) == 0 && strstr(r.reason, "not readable"));
    double j = -1;
    char why[160] = "";
    CHECK(cpu_rapl_read(&r, &j, why, sizeof why) == -1 && j == -1 && strcmp(why, r.reason) == 0);
    cpu_rapl_close(&r);
    fresh_tree();
    zone("intel-rapl:0", "psys\n", "1\n", "10\n");
    cpu_rapl_open(&r, root);
    CHECK(r.zones == 0 && strstr(r.reason, "has no RAPL package zone"));
    cpu_rapl_close(&r);
}

/* The kernels patched for CVE-2020-8694 make energy_uj 0400 root. Root reads it anyway, so the
 * check runs as nobody in a child. */
static void test_denied(void) {
    fresh_tree();
    zone("intel-rapl:0", "package-0\n", "1\n", "10\n");
    zone("intel-rapl:1", "package-1\n", "1\n", "10\n");
    char path[512];
    snprintf(path, sizeof path, "%s/class/powercap/intel-rapl:1/energy_uj", root);
    CHECK(chmod(path, 0400) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)) _exit(3);
        cpu_rapl r;
        cpu_rapl_open(&r, root);
        /* One package readable, the other not: none, rather than half the energy. */
        int ok = r.zones == 0 && strstr(r.reason, "intel-rapl:1/energy_uj not readable (permission denied") != NULL;
        if (!ok) fprintf(stderr, "reason: %s\n", r.reason);
        cpu_rapl_close(&r);
        _exit(ok ? 0 : 1);
    }
    int status = 0;
    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int main(void) {
    if (!mkdtemp(root)) {
        perror("mkdtemp");
        return 1;
    }
    test_sum_and_wrap();
    test_no_range();
    test_absent();
    test_denied();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", root);
    if (failures) fprintf(stderr, "%d check(s) failed\n", failures);
    else printf("cpu_rapl: ok\n");
    return failures ? 1 : 0;
}

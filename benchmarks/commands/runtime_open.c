/* Opening the runtime for a command: the plugins are listed, each one is probed in a child
 * process (process/probe_supervisor.c), and the runtime loads only those whose probe ended well;
 * the others are reported with what happened to their probe. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel/accel.h"
#include "commands.h"
#include "probe_supervisor.h"
#include "proc.h"
#include "utf8.h"
#include "util.h"

/* "libaccel-backend-cuda.so" -> "cuda" appended to names (once); others are skipped. */
static void add_backend_name(const char *path, bench_strlist *names)
{
    static const char prefix[] = "libaccel-backend-", suffix[] = ".so";
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base), pl = sizeof prefix - 1, sl = sizeof suffix - 1;
    if (n <= pl + sl || strncmp(base, prefix, pl) != 0 || strcmp(base + n - sl, suffix) != 0)
        return;
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int)(n - pl - sl), base + pl);
    if (!bench_strlist_contains(names, name))
        bench_strlist_add(names, name);
}

/* ACCEL_BACKENDS naming a plugin that does not exist is said, with the names that do. Returns 2
 * when it names none at all (nothing could be loaded), else 0. */
static int check_backends_filter(const char *command, size_t matched)
{
    const char *filter = getenv("ACCEL_BACKENDS");
    if (!filter || !*filter)
        return 0;
    accel_runtime_options all;
    memset(&all, 0, sizeof all);
    all.struct_size = sizeof all;
    all.backends = "";
    char **files = NULL;
    size_t count = 0;
    bench_strlist known = {0}, wanted = {0};
    if (accel_plugin_files(&all, &files, &count) == ACCEL_OK)
        for (size_t i = 0; i < count; i++)
            add_backend_name(files[i], &known);
    accel_plugin_files_free(files, count);
    bench_strbuf known_text = {0}, unknown = {0}, shown = {0};
    for (size_t i = 0; i < known.count; i++)
        bench_strbuf_appendf(&known_text, "%s%s", i ? ", " : "", known.items[i]);
    (void)bench_list_split(filter, &wanted);
    size_t n_unknown = 0;
    for (size_t i = 0; i < wanted.count; i++)
        if (!bench_strlist_contains(&known, wanted.items[i]))
            bench_strbuf_appendf(&unknown, "%s'%s'", n_unknown++ ? ", " : "", wanted.items[i]);
    int rc = 0;
    const char *known_list = known.count ? bench_strbuf_str(&known_text)
                                         : "none: no backend plugin was found; ACCEL_DEBUG=1 "
                                           "shows the paths searched";
    if (matched == 0) {
        bench_utf8_printable(filter, &shown);
        fprintf(stderr, "accelbench %s: ACCEL_BACKENDS=%.200s matches no backend plugin (known: %s)\n",
                command, bench_strbuf_str(&shown), known_list);
        rc = 2;
    } else if (n_unknown) {
        bench_utf8_printable(bench_strbuf_str(&unknown), &shown);
        fprintf(stderr, "accelbench %s: ACCEL_BACKENDS names %.200s, which match%s no backend plugin "
                        "(known: %s)\n",
                command, bench_strbuf_str(&shown), n_unknown == 1 ? "es" : "", known_list);
    }
    bench_strbuf_free(&known_text);
    bench_strbuf_free(&unknown);
    bench_strbuf_free(&shown);
    bench_strlist_free(&known);
    bench_strlist_free(&wanted);
    return rc;
}

int bench_runtime_open_probed(accel_runtime **out, const char *command, long timeout_s)
{
    *out = NULL;
    char **files = NULL;
    size_t count = 0;
    if (accel_plugin_files(NULL, &files, &count) != ACCEL_OK) {
        fprintf(stderr, "accelbench %s: cannot list the backend plugins: %s\n", command,
                accel_last_error());
        return 1;
    }
    int rc = check_backends_filter(command, count);
    if (rc != 0) {
        accel_plugin_files_free(files, count);
        return rc;
    }
    bench_probe_set probes = {0};
    bench_probe_plugins(files, count, timeout_s, &probes);
    accel_plugin_refusal *refused = calloc(count ? count : 1, sizeof *refused);
    if (!refused)
        abort();
    size_t nrefused = 0;
    for (size_t i = 0; i < probes.count; i++)
        if (!probes.items[i].ok)
            refused[nrefused++] = (accel_plugin_refusal){probes.items[i].path, probes.items[i].status,
                                                         probes.items[i].reason};
    accel_runtime_options o;
    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.refused = refused;
    o.refused_count = nrefused;
    rc = 0;
    if (accel_runtime_open(&o, out) != ACCEL_OK) {
        fprintf(stderr, "accelbench %s: cannot open the runtime: %s\n", command, accel_last_error());
        rc = 1;
    }
    free(refused);
    bench_probe_set_free(&probes);
    accel_plugin_files_free(files, count);
    return rc;
}

int bench_runtime_open(accel_runtime **out, const char *command)
{
    return bench_runtime_open_probed(out, command,
                                     bench_probe_timeout_from_env(BENCH_PROBE_DEFAULT_TIMEOUT_S));
}

const char *bench_backend_plugin_path(const accel_runtime *rt, const char *backend)
{
    const accel_backend_report *list = NULL;
    size_t count = 0;
    if (accel_runtime_backends(rt, &list, &count) != ACCEL_OK)
        return NULL;
    for (size_t i = 0; i < count; i++)
        if (list[i].status == ACCEL_OK && strcmp(list[i].name, backend) == 0)
            return list[i].path;
    return NULL;
}

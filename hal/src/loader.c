/* Plugin discovery (docs/backends.md 2): explicit paths, $ACCEL_BACKEND_PATH, <exe>/../lib/accel,
 * <libaccel>/accel (the install's plugin folder, wherever the prefix is); never the current
 * directory. Every file found is reported, loaded or refused, and one bad plugin never stops the
 * others. */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hal_internal.h"

#define PLUGIN_PREFIX "libaccel-backend-"
#define PLUGIN_SUFFIX ".so"

/* The last required slot: a table shorter than this cannot be used. */
#define REQUIRED_STRUCT_SIZE (offsetof(accel_backend_ops, op_plan_execute) + sizeof(void *))

typedef struct path_list {
    char **items;
    size_t count, cap;
} path_list;

static int path_list_add(path_list *l, const char *p) {
    for (size_t i = 0; i < l->count; ++i)
        if (strcmp(l->items[i], p) == 0) return 0;
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        char **n = realloc(l->items, cap * sizeof *n);
        if (!n) return -1;
        l->items = n;
        l->cap = cap;
    }
    l->items[l->count] = strdup(p);
    if (!l->items[l->count]) return -1;
    l->count++;
    return 0;
}

static void path_list_free(path_list *l) {
    for (size_t i = 0; i < l->count; ++i) free(l->items[i]);
    free(l->items);
}

static void trace(const accel_runtime *rt, const char *fmt, ...) ACCEL_PRINTF_LIKE(2, 3);
static void trace(const accel_runtime *rt, const char *fmt, ...) {
    if (!rt->debug) return;
    va_list ap;
    va_start(ap, fmt);
    fputs("accel[loader] ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* "libaccel-backend-cuda.so" -> "cuda"; 0 when the name is not a plugin's. */
static int plugin_name_from_file(const char *path, char *name, size_t len) {
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t pl = strlen(PLUGIN_PREFIX), sl = strlen(PLUGIN_SUFFIX), bl = strlen(base);
    if (bl <= pl + sl || strncmp(base, PLUGIN_PREFIX, pl) != 0 ||
        strcmp(base + bl - sl, PLUGIN_SUFFIX) != 0)
        return 0;
    size_t n = bl - pl - sl;
    if (n + 1 > len) return 0;
    memcpy(name, base + pl, n);
    name[n] = '\0';
    return 1;
}

static int name_in_filter(const char *filter, const char *name) {
    if (!filter || !*filter) return 1;
    size_t nl = strlen(name);
    for (const char *p = filter; *p;) {
        const char *e = strchr(p, ',');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l == nl && strncmp(p, name, l) == 0) return 1;
        if (!e) break;
        p = e + 1;
    }
    return 0;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A file is taken as given; a directory contributes its plugin files in name order. */
static void collect(accel_runtime *rt, path_list *files, const char *path) {
    struct stat st;
    if (stat(path, &st) != 0) {
        trace(rt, "skip %s: %s", path, strerror(errno));
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        path_list_add(files, path);
        return;
    }
    DIR *d = opendir(path);
    if (!d) {
        trace(rt, "skip directory %s: %s", path, strerror(errno));
        return;
    }
    path_list found = {0};
    struct dirent *e;
    char name[64];
    while ((e = readdir(d)) != NULL) {
        if (!plugin_name_from_file(e->d_name, name, sizeof name)) continue;
        char full[PATH_MAX];
        if (snprintf(full, sizeof full, "%s/%s", path, e->d_name) >= (int)sizeof full) continue;
        path_list_add(&found, full);
    }
    closedir(d);
    if (found.count) qsort(found.items, found.count, sizeof *found.items, cmp_str);
    for (size_t i = 0; i < found.count; ++i) path_list_add(files, found.items[i]);
    path_list_free(&found);
    trace(rt, "searched %s", path);
}

static void collect_colon_list(accel_runtime *rt, path_list *files, const char *list) {
    char *copy = strdup(list), *save = NULL;
    if (!copy) return;
    for (char *p = strtok_r(copy, ":", &save); p; p = strtok_r(NULL, ":", &save))
        if (*p) collect(rt, files, p);
    free(copy);
}

static void collect_relative_to(accel_runtime *rt, path_list *files, const char *file,
                                const char *suffix) {
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", file);
    char *slash = strrchr(dir, '/');
    if (!slash) return;
    *slash = '\0';
    char full[PATH_MAX + 32];
    snprintf(full, sizeof full, "%s/%s", dir, suffix);
    char real[PATH_MAX];
    if (realpath(full, real)) collect(rt, files, real);
    else trace(rt, "skip %s: %s", full, strerror(errno));
}

static accel_backend_report *new_report(accel_runtime *rt, const char *path) {
    accel_backend_report *n = realloc(rt->reports, (rt->report_count + 1) * sizeof *n);
    if (!n) return NULL;
    rt->reports = n;
    accel_backend_report *r = &rt->reports[rt->report_count++];
    memset(r, 0, sizeof *r);
    snprintf(r->path, sizeof r->path, "%s", path);
    if (!plugin_name_from_file(path, r->name, sizeof r->name))
        snprintf(r->name, sizeof r->name, "?");
    return r;
}

static void refuse(accel_runtime *rt, accel_backend_report *r, accel_status st, const char *fmt,
                   ...) ACCEL_PRINTF_LIKE(4, 5);
static void refuse(accel_runtime *rt, accel_backend_report *r, accel_status st, const char *fmt,
                   ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->reason, sizeof r->reason, fmt, ap);
    va_end(ap);
    r->status = st;
    trace(rt, "%s: %s: %s", r->path, accel_status_str(st), r->reason);
}

static const char *missing_required_slot(const accel_backend_ops *o) {
#define REQ(slot) if (!o->slot) return #slot
    REQ(init); REQ(shutdown); REQ(device_open); REQ(device_close); REQ(device_info);
    REQ(device_synchronize); REQ(buffer_alloc); REQ(buffer_free); REQ(stream_create);
    REQ(stream_destroy); REQ(stream_synchronize); REQ(buffer_write); REQ(buffer_read);
    REQ(buffer_copy); REQ(buffer_fill); REQ(timer_create); REQ(timer_destroy); REQ(timer_begin);
    REQ(timer_end); REQ(timer_elapsed_ms); REQ(timer_properties); REQ(op_plan_create);
    REQ(op_plan_destroy); REQ(op_plan_execute);
#undef REQ
    return NULL;
}

static int already_loaded(const accel_runtime *rt, const char *name) {
    for (size_t i = 0; i < rt->backend_count; ++i)
        if (strcmp(rt->backends[i].ops->name, name) == 0) return 1;
    return 0;
}

/* The caller's verdict on this file (see accel_runtime_options.refused), or NULL. */
static const accel_plugin_refusal *caller_refusal(const accel_runtime_options *opts,
                                                  const char *path) {
    if (!opts) return NULL;
    for (size_t i = 0; i < opts->refused_count && opts->refused; ++i)
        if (opts->refused[i].path && strcmp(opts->refused[i].path, path) == 0)
            return &opts->refused[i];
    return NULL;
}

static void load_one(accel_runtime *rt, const char *path, const char *filter,
                     const accel_runtime_options *opts) {
    char fname[64];
    int named = plugin_name_from_file(path, fname, sizeof fname);
    if (named && !name_in_filter(filter, fname)) {
        trace(rt, "skip %s: not in the backends filter", path);
        return;
    }
    if (named && already_loaded(rt, fname)) {
        trace(rt, "skip %s: a '%s' backend was already loaded from an earlier path", path, fname);
        return;
    }
    accel_backend_report *r = new_report(rt, path);
    if (!r) return;
    const accel_plugin_refusal *verdict = caller_refusal(opts, path);
    if (verdict) {
        refuse(rt, r, verdict->status, "%s", verdict->reason ? verdict->reason : "refused by the caller");
        return;
    }
    if (!named) {
        /* The backend's name comes from the file name; a file without one cannot be checked
         * against what it declares, so none of its code is run. */
        const char *base = strrchr(path, '/');
        snprintf(r->name, sizeof r->name, "%s", base ? base + 1 : path);
        refuse(rt, r, ACCEL_ERR_INCOMPATIBLE,
               "file name is not " PLUGIN_PREFIX "<name>" PLUGIN_SUFFIX " (the loader takes the "
               "backend's name from it)");
        return;
    }
    trace(rt, "trying %s", path);
    dlerror();
    void *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!dl) {
        const char *e = dlerror();
        refuse(rt, r, ACCEL_ERR_UNAVAILABLE, "dlopen failed: %s", e ? e : "unknown error");
        return;
    }
    accel_plugin_query_fn query;
    *(void **)&query = dlsym(dl, ACCEL_PLUGIN_QUERY_SYMBOL);
    if (!query) {
        refuse(rt, r, ACCEL_ERR_INCOMPATIBLE, "missing entry symbol %s", ACCEL_PLUGIN_QUERY_SYMBOL);
        dlclose(dl);
        return;
    }
    const accel_backend_ops *table = query(ACCEL_PLUGIN_ABI_MAJOR, &rt->host);
    if (!table) {
        refuse(rt, r, ACCEL_ERR_INCOMPATIBLE, "plugin cannot serve host ABI %u.%u",
               ACCEL_PLUGIN_ABI_MAJOR, ACCEL_PLUGIN_ABI_MINOR);
        dlclose(dl);
        return;
    }
    r->abi_major = table->abi_major;
    r->abi_minor = table->abi_minor;
    if (table->abi_major != ACCEL_PLUGIN_ABI_MAJOR) {
        refuse(rt, r, ACCEL_ERR_INCOMPATIBLE, "plugin ABI %u.%u, host ABI %u.%u: majors differ",
               table->abi_major, table->abi_minor, ACCEL_PLUGIN_ABI_MAJOR, ACCEL_PLUGIN_ABI_MINOR);
        dlclose(dl);
        return;
    }
    if (table->struct_size < REQUIRED_STRUCT_SIZE) {
        refuse(rt, r, ACCEL_ERR_INCOMPATIBLE,
               "plugin ops table is %zu bytes, the required slots need %zu (ABI %u.%u)",
               table->struct_size, (size_t)REQUIRED_STRUCT_SIZE, table->abi_major,
               table->abi_minor);
        dlclose(dl);
        return;
    }
    /* Only the bytes the plugin declares are read: an older plugin's table ends there, and a
     * newer one's tail holds slots this host does not know (types.h, growth). */
    accel_backend_ops *ops = calloc(1, sizeof *ops);
    if (!ops) {
        refuse(rt, r, ACCEL_ERR_OUT_OF_MEMORY, "out of host memory while loading");
        dlclose(dl);
        return;
    }
    memcpy(ops, table, table->struct_size < sizeof *ops ? table->struct_size : sizeof *ops);
    const char *missing = missing_required_slot(ops);
    if (!ops->name || !*ops->name || missing) {
        refuse(rt, r, ACCEL_ERR_INCOMPATIBLE, "plugin ops table lacks required slot %s",
               missing ? missing : "name");
        goto unusable;
    }
    snprintf(r->version, sizeof r->version, "%s", ops->version ? ops->version : "");
    if (strcmp(ops->name, fname) != 0) {
        /* Users select backends by the file's name and the HAL by the declared one: two names
         * for one plugin would make --backend, ACCEL_BACKENDS and device ids disagree. */
        refuse(rt, r, ACCEL_ERR_INCOMPATIBLE,
               "plugin declares the name '%.64s' but its file is named " PLUGIN_PREFIX "%s" PLUGIN_SUFFIX
               ": the two must match", ops->name, fname);
        goto unusable;
    }
    snprintf(r->name, sizeof r->name, "%s", ops->name);
    if (already_loaded(rt, ops->name)) {
        refuse(rt, r, ACCEL_ERR_INCOMPATIBLE, "a backend named '%s' is already loaded", ops->name);
        goto unusable;
    }
    void *ctx = NULL;
    int count = 0;
    accel_clear_error();
    accel_status st = ops->init(&rt->host, &ctx, &count, r->reason, sizeof r->reason);
    if (st != ACCEL_OK) {
        if (!r->reason[0]) snprintf(r->reason, sizeof r->reason, "%s", accel_last_error());
        r->status = st;
        trace(rt, "%s: init: %s: %s", path, accel_status_str(st), r->reason);
        /* Stay loaded: the plugin may have registered things (atexit, TLS) that outlive init. */
        free(ops);
        return;
    }
    if (count < 0) count = 0;
    if (count == 0 && !r->reason[0]) snprintf(r->reason, sizeof r->reason, "no devices");
    hal_backend *nb = realloc(rt->backends, (rt->backend_count + 1) * sizeof *nb);
    hal_device_slot *slots = count ? calloc((size_t)count, sizeof *slots) : NULL;
    if (!nb || (count && !slots)) {
        if (nb) rt->backends = nb;
        free(slots);
        ops->shutdown(ctx);
        refuse(rt, r, ACCEL_ERR_OUT_OF_MEMORY, "out of host memory while loading");
        free(ops);
        return;
    }
    rt->backends = nb;
    rt->backends[rt->backend_count++] =
        (hal_backend){.ops = ops, .ctx = ctx, .dl = dl, .device_count = count, .slots = slots};
    r->status = ACCEL_OK;
    r->device_count = count;
    trace(rt, "%s: loaded '%s' %s, %d device(s)%s%s", path, ops->name, r->version, count,
          count ? "" : ": ", count ? "" : r->reason);
    return;
unusable:
    free(ops);
    dlclose(dl);
}

/* Every candidate file in search order (docs/backends.md 2). */
static void collect_search_path(accel_runtime *rt, path_list *files,
                                const accel_runtime_options *opts) {
    for (size_t i = 0; opts && i < opts->plugin_path_count; ++i)
        if (opts->plugin_paths[i]) collect(rt, files, opts->plugin_paths[i]);
    if (!(opts && opts->no_default_paths)) {
        const char *env = getenv("ACCEL_BACKEND_PATH");
        if (env && *env) collect_colon_list(rt, files, env);
        char exe[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (n > 0) {
            exe[n] = '\0';
            collect_relative_to(rt, files, exe, "../lib/accel");
        }
        /* libaccel sits in <prefix>/<libdir> and its plugins in <prefix>/<libdir>/accel, wherever
         * the tree was installed (or in <build>/lib and <build>/lib/accel): no configure-time
         * path, which would pick up another install's plugins once this one is moved. */
        Dl_info info;
        if (dladdr((void *)&hal_loader_discover, &info) && info.dli_fname)
            collect_relative_to(rt, files, info.dli_fname, "accel");
    }
}

static const char *backends_filter(const accel_runtime_options *opts) {
    return opts && opts->backends ? opts->backends : getenv("ACCEL_BACKENDS");
}

accel_status hal_loader_list(accel_runtime *rt, const accel_runtime_options *opts,
                             char ***out_paths, size_t *out_count) {
    path_list files = {0}, chosen = {0};
    collect_search_path(rt, &files, opts);
    const char *filter = backends_filter(opts);
    char fname[64];
    for (size_t i = 0; i < files.count; ++i)
        if (!plugin_name_from_file(files.items[i], fname, sizeof fname) ||
            name_in_filter(filter, fname))
            if (path_list_add(&chosen, files.items[i]) != 0) {
                path_list_free(&files);
                path_list_free(&chosen);
                return hal_error(ACCEL_ERR_OUT_OF_MEMORY, "accel_plugin_files: out of host memory");
            }
    path_list_free(&files);
    *out_paths = chosen.items;
    *out_count = chosen.count;
    return ACCEL_OK;
}

accel_status hal_loader_discover(accel_runtime *rt, const accel_runtime_options *opts) {
    path_list files = {0};
    collect_search_path(rt, &files, opts);
    const char *filter = backends_filter(opts);
    for (size_t i = 0; i < files.count; ++i) load_one(rt, files.items[i], filter, opts);
    path_list_free(&files);
    for (size_t i = 0; i < rt->backend_count; ++i) rt->backends[i].rt = rt;
    return ACCEL_OK;
}

void hal_loader_unload(accel_runtime *rt) {
    for (size_t i = 0; i < rt->backend_count; ++i) {
        hal_backend *b = &rt->backends[i];
        /* No device is open: accel_runtime_close refuses while any handle is. */
        b->ops->shutdown(b->ctx);
        free(b->slots);
        free((void *)b->ops);
        /* Plugins stay mapped: vendor runtimes (CUDA, PoCL) install exit handlers and threads that
         * crash when their code is unmapped before exit. */
    }
    free(rt->backends);
    free(rt->reports);
}

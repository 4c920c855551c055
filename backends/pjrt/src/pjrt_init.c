/* init: find the plugins, initialise each, create its client and list its addressable devices. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pjrt_find.h"
#include "pjrt_init.h"
#include "pjrt_internal.h"

static void copy_text(char *dst, size_t len, const char *src, size_t n) {
    snprintf(dst, len, "%.*s", (int)(n < len ? n : len - 1), src ? src : "");
}

/* "path: why" after the reasons already there, "; "-separated. */
static void append(char *reason, size_t len, const char *path, const char *why) {
    size_t n = strlen(reason);
    if (n + 1 < len) snprintf(reason + n, len - n, "%s%s: %s", n ? "; " : "", path, why);
}

/* Everything after dlopen: PJRT_Plugin_Initialize, the client, its platform and devices. */
static accel_status start_plugin(const accel_host_services *host, pj_plugin *p, char *why, size_t why_len) {
    const pjrt_api *api = p->lib.api;
    char text[768];
    pjrt_plugin_initialize_args ia = {.struct_size = sizeof ia};
    pjrt_error *err = api->plugin_initialize(&ia);
    if (err) {
        pj_error_text(api, err, text, sizeof text);
        pj_fail_api(host, api, err, ACCEL_ERR_DEVICE, "PJRT_Plugin_Initialize");
        snprintf(why, why_len, "PJRT_Plugin_Initialize failed: %s", text);
        return ACCEL_ERR_DEVICE;
    }
    pjrt_client_create_args ca = {.struct_size = sizeof ca};
    err = api->client_create(&ca);
    if (err) {
        pj_error_text(api, err, text, sizeof text);
        pj_fail_api(host, api, err, ACCEL_ERR_DEVICE, "PJRT_Client_Create");
        snprintf(why, why_len, "client creation failed: %s", text);
        return ACCEL_ERR_UNAVAILABLE;
    }
    p->client = ca.client;
    pjrt_client_string_args s = {.struct_size = sizeof s, .client = p->client};
    if (!api->client_platform_name(&s)) copy_text(p->platform, sizeof p->platform, s.text, s.text_size);
    s = (pjrt_client_string_args){.struct_size = sizeof s, .client = p->client};
    if (!api->client_platform_version(&s))
        copy_text(p->platform_version, sizeof p->platform_version, s.text, s.text_size);
    pjrt_client_process_index_args pi = {.struct_size = sizeof pi, .client = p->client};
    if (!api->client_process_index(&pi)) p->process_index = pi.process_index;
    return ACCEL_OK;
}

static void stop_plugin(pj_plugin *p) {
    if (!p->client) return;
    pjrt_client_destroy_args d = {.struct_size = sizeof d, .client = p->client};
    pjrt_error *err = p->lib.api->client_destroy(&d);
    if (err) {
        pjrt_error_destroy_args e = {.struct_size = sizeof e, .error = err};
        p->lib.api->error_destroy(&e);
    }
    p->client = NULL;
}

/* Adds p's devices to ctx; the number added. */
static int add_devices(pj_ctx *ctx, int pi, char *why, size_t why_len) {
    pj_plugin *p = &ctx->plugins[pi];
    pjrt_client_devices_args da = {.struct_size = sizeof da, .client = p->client};
    pjrt_error *err = p->lib.api->client_addressable_devices(&da);
    if (err) {
        char text[512];
        pj_error_text(p->lib.api, err, text, sizeof text);
        pjrt_error_destroy_args e = {.struct_size = sizeof e, .error = err};
        p->lib.api->error_destroy(&e);
        snprintf(why, why_len, "PJRT_Client_AddressableDevices failed: %s", text);
        return 0;
    }
    size_t n = da.num_devices;
    /* XLA's CPU client splits one host into several logical devices that share every core; one
     * of them is the host measured once. */
    if (strcmp(p->platform, "cpu") == 0 && n > 1) n = 1;
    int added = 0;
    for (size_t i = 0; i < n && ctx->ndevices < PJ_MAX_DEVICES; ++i) {
        ctx->devices[ctx->ndevices].plugin = pi;
        ctx->devices[ctx->ndevices].device = da.devices[i];
        ctx->ndevices++;
        added++;
    }
    if (!added) snprintf(why, why_len, "no devices (platform %s)", p->platform);
    return added;
}

accel_status pj_init(const accel_host_services *host, void **out_ctx, int *device_count, char *reason,
                     size_t reason_len) {
    pj_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx) return host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "pjrt: out of host memory");
    ctx->host = host;
    pj_candidates *c = malloc(sizeof *c);
    if (!c) {
        free(ctx);
        return host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "pjrt: out of host memory");
    }
    pj_find_plugins(c);
    reason[0] = '\0';
    accel_status worst = ACCEL_ERR_UNAVAILABLE;
    if (c->count == 0) {
        snprintf(reason, reason_len,
                 "no PJRT plugin found: set ACCEL_PJRT_PLUGIN to a plugin .so, or pip install libtpu "
                 "(TPU), jax-cuda12-pjrt (NVIDIA) or lammps-jax-pjrt-cpu (CPU); looked in %s",
                 c->looked);
    }
    for (int i = 0; i < c->count && ctx->nplugins < PJ_MAX_PLUGINS; ++i) {
        pj_plugin *p = &ctx->plugins[ctx->nplugins];
        char why[640] = "";
        const accel_dl_log log = {host, "pjrt"};
        accel_status st = pjrt_plugin_open(&log, c->paths[i], &p->lib, why, sizeof why);
        if (st == ACCEL_OK) st = start_plugin(host, p, why, sizeof why);
        if (st == ACCEL_OK && add_devices(ctx, ctx->nplugins, why, sizeof why) == 0) st = ACCEL_ERR_UNAVAILABLE;
        if (st != ACCEL_OK) {
            stop_plugin(p);
            memset(p, 0, sizeof *p);
            if (st == ACCEL_ERR_INCOMPATIBLE || worst == ACCEL_ERR_UNAVAILABLE) worst = st;
            append(reason, reason_len, c->paths[i], why);
            if (c->explicit_list) host->log(ACCEL_LOG_WARN, "pjrt", reason);
            continue;
        }
        ctx->nplugins++;
        if (!c->explicit_list) break; /* known places: the first plugin with devices wins */
    }
    free(c);
    if (ctx->ndevices == 0) {
        free(ctx);
        return worst;
    }
    *out_ctx = ctx;
    *device_count = ctx->ndevices;
    return ACCEL_OK;
}

void pj_shutdown(void *vctx) {
    pj_ctx *ctx = vctx;
    for (int i = 0; i < ctx->nplugins; ++i) stop_plugin(&ctx->plugins[i]);
    free(ctx);
}

/* A tiny stand-in for a PJRT plugin, built several ways to drive the backend's load checks:
 *   FAKE_MAJOR / FAKE_MINOR   the API version GetPjrtApi reports
 *   FAKE_SHORT_TABLE          a function table that ends before the entries the backend calls
 *   FAKE_NO_ENTRY             no GetPjrtApi at all
 * Otherwise it initialises and then refuses to create a client, with a message of its own, the way
 * libtpu does on a machine without TPU chips. */
#include <stdlib.h>
#include <string.h>

#include "pjrt_capi.h"

#ifndef FAKE_NO_ENTRY
struct pjrt_error {
    int code;
    const char *message;
};

static void fake_error_destroy(pjrt_error_destroy_args *a) { free(a->error); }

static void fake_error_message(pjrt_error_message_args *a) {
    a->message = a->error->message;
    a->message_size = strlen(a->error->message);
}

static pjrt_error *fake_error_get_code(pjrt_error_get_code_args *a) {
    a->code = a->error->code;
    return NULL;
}

static pjrt_error *fake_plugin_initialize(pjrt_plugin_initialize_args *a) {
    (void)a;
    return NULL;
}

static pjrt_error *fake_client_create(pjrt_client_create_args *a) {
    (void)a;
    pjrt_error *e = malloc(sizeof *e);
    if (!e) abort();
    e->code = PJRT_CODE_NOT_FOUND;
    e->message = "fake: no accelerator chips attached to this host";
    return e;
}

static pjrt_api fake_api;

__attribute__((visibility("default"))) const pjrt_api *GetPjrtApi(void) {
    fake_api.struct_size = sizeof fake_api;
#ifdef FAKE_SHORT_TABLE
    fake_api.struct_size = offsetof(pjrt_api, client_compile);
#endif
    fake_api.version.struct_size = sizeof fake_api.version;
    fake_api.version.major_version = FAKE_MAJOR;
    fake_api.version.minor_version = FAKE_MINOR;
    fake_api.error_destroy = fake_error_destroy;
    fake_api.error_message = fake_error_message;
    fake_api.error_get_code = fake_error_get_code;
    fake_api.plugin_initialize = fake_plugin_initialize;
    fake_api.client_create = fake_client_create;
    return &fake_api;
}
#else
__attribute__((visibility("default"))) int not_a_pjrt_plugin(void) { return 0; }
#endif

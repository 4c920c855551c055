/* Instance identity and price for a run (identity.h). */
#define _POSIX_C_SOURCE 200809L
#include "identity.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloud_metadata.h"
#include "prices.h"
#include "util.h"

int bench_identity_resolve(const bench_run_args *a, bench_identity *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    out->usd_per_hour = -1;
    out->grid_gco2_per_kwh = a->grid_gco2_per_kwh;
    bench_instance *inst = &out->instance;
    bench_instance_from_dmi(getenv("ACCEL_SYSFS_ROOT"), inst);
    if (a->cloud_metadata) {
        char why[sizeof inst->metadata_error];
        if (bench_cloud_metadata_query(inst, BENCH_CLOUD_METADATA_TIMEOUT_MS, why, sizeof why) != 0)
            bench_copy(inst->metadata_error, sizeof inst->metadata_error, why);
    }
    if (a->instance_type) {
        bench_copy(inst->instance_type, sizeof inst->instance_type, a->instance_type);
        bench_copy(inst->source, sizeof inst->source, "--instance-type");
    }
    if (a->region)
        bench_copy(inst->region, sizeof inst->region, a->region);
    if (!a->prices_path) {
        if (a->price_per_hour >= 0) {
            out->usd_per_hour = a->price_per_hour;
            bench_copy(out->price_source, sizeof out->price_source, "--price-per-hour");
        }
        return 0;
    }
    if (!inst->instance_type[0] && a->price_per_hour < 0) {
        snprintf(err, err_len, "--prices: no instance type to look up (%s); name it with "
                 "--instance-type", inst->provider[0] ? "the DMI data names the provider only"
                                                     : "no cloud DMI data here");
        return 2;
    }
    /* An empty type matches no row (every row names one): the file is still checked whole. */
    bench_price price;
    int rc = bench_prices_lookup(a->prices_path, inst->instance_type, inst->provider, inst->region,
                                 &price, err, err_len);
    /* --price-per-hour overrides the file, which must still be a valid one. */
    if (a->price_per_hour >= 0) {
        if (rc == 2)
            return 2;
        err[0] = '\0';
        out->usd_per_hour = a->price_per_hour;
        bench_copy(out->price_source, sizeof out->price_source, "--price-per-hour");
        return 0;
    }
    if (rc != 0)
        return 2;
    out->usd_per_hour = price.usd_per_hour;
    if (!inst->provider[0] && price.provider[0])
        bench_copy(inst->provider, sizeof inst->provider, price.provider);
    snprintf(out->price_source, sizeof out->price_source, "--prices %s line %d", a->prices_path,
             price.line);
    return 0;
}

static void kv_or_null(bench_json *j, const char *key, const char *v)
{
    bench_json_kv_string(j, key, v[0] ? v : NULL);
}

void bench_identity_to_json(bench_json *j, const bench_identity *id)
{
    const bench_instance *in = &id->instance;
    bench_json_object_begin(j);
    kv_or_null(j, "provider", in->provider);
    kv_or_null(j, "instance_type", in->instance_type);
    kv_or_null(j, "instance_type_source", in->source);
    kv_or_null(j, "region", in->region);
    if (in->metadata_error[0])
        bench_json_kv_string(j, "cloud_metadata_error", in->metadata_error);
    bench_json_key(j, "dmi");
    bench_json_object_begin(j);
    kv_or_null(j, "sys_vendor", in->sys_vendor);
    kv_or_null(j, "product_name", in->product_name);
    kv_or_null(j, "board_vendor", in->board_vendor);
    kv_or_null(j, "bios_vendor", in->bios_vendor);
    kv_or_null(j, "bios_version", in->bios_version);
    kv_or_null(j, "chassis_asset_tag", in->chassis_asset_tag);
    bench_json_object_end(j);
    if (id->usd_per_hour >= 0)
        bench_json_kv_number(j, "usd_per_hour", id->usd_per_hour);
    else
        bench_json_kv_string(j, "usd_per_hour", NULL);
    kv_or_null(j, "price_source", id->price_source);
    if (id->grid_gco2_per_kwh >= 0)
        bench_json_kv_number(j, "grid_gco2_per_kwh", id->grid_gco2_per_kwh);
    else
        bench_json_kv_string(j, "grid_gco2_per_kwh", NULL);
    bench_json_object_end(j);
}

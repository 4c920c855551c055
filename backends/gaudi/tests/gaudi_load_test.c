/* Loads the Gaudi plugin through the real runtime (explicit path, no default search) and checks the
 * report for the situation named on the command line (tests/CMakeLists.txt sets the environment):
 *   host         whatever this machine has: loads, and any non-OK status or 0 devices has a reason;
 *                with a device, gaudi:0 opens and describes itself (the device check's probe)
 *   missing      libSynapse cannot be opened        -> UNAVAILABLE, names it, install hint
 *   not-synapse  a library without synInitialize    -> UNAVAILABLE, "not a SynapseAI library"
 *   old          SynapseAI without synLaunchExt     -> INCOMPATIBLE, names the missing call
 *   no-node      no /dev/accel/accel*, no /dev/hl*  -> OK, 0 devices, says so
 *   mismatch     driver 1.17 with SynapseAI 1.18    -> INCOMPATIBLE, both versions named
 *   nodevice     synDeviceGetCount answers 0        -> OK, 0 devices
 *   initfail     synInitialize fails                -> UNAVAILABLE, names synInitialize's status
 *   busy         another process holds the device   -> OK, 1 device; opening it is refused as busy
 *   gaudi2       a Gaudi 2 (HL-225): its description, peaks and telemetry
 *   gaudi3       two Gaudi 3 (HL-325L): gaudi:1 opens too, its description and peaks */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "accel/accel.h"
#include "check.h"

TEST_DEFINE_COUNTS;

static const accel_backend_report *gaudi_report(accel_runtime *rt) {
    const accel_backend_report *reports = NULL;
    size_t n = 0;
    accel_runtime_backends(rt, &reports, &n);
    for (size_t i = 0; i < n; ++i)
        if (strcmp(reports[i].name, "gaudi") == 0) return &reports[i];
    return NULL;
}

static void expect_report(const accel_backend_report *r, accel_status status, int devices, const char *a,
                          const char *b) {
    CHECKF(r->status == status, "status %s, want %s", accel_status_str(r->status), accel_status_str(status));
    CHECKF(r->device_count == devices, "%d devices, want %d", r->device_count, devices);
    CHECKF(strstr(r->reason, a) != NULL, "reason lacks '%s'", a);
    if (b) CHECKF(strstr(r->reason, b) != NULL, "reason lacks '%s'", b);
}

/* One line with everything gaudi:0 says about itself (scripts/device-check-gaudi.sh keeps it). */
static accel_device_info describe(accel_device *dev) {
    accel_device_info info;
    memset(&info, 0, sizeof info);
    info.struct_size = sizeof info;
    CHECKF(accel_device_info_get(dev, &info) == ACCEL_OK, "info: %s", accel_last_error());
    printf("gaudi:0 %s | %s | isa %s | %d TPCs | %llu bytes | sram %llu | pci %s | uuid %s | driver %s | %s | "
           "clock %d/%d MHz | power limit %.0f W | ecc %d | peak %s bf16 %.0f %.0f GB/s | libs %s | notes %s\n",
           info.name, info.vendor, info.isa, info.compute_units, (unsigned long long)info.memory_bytes,
           (unsigned long long)info.cache_bytes, info.pci_bus_id, info.uuid, info.driver_version,
           info.runtime_version, info.clock_mhz, info.max_clock_mhz, info.power_limit_w, info.ecc_enabled,
           info.vendor_peak.source, info.vendor_peak.tflops[ACCEL_COMPUTE_BF16], info.vendor_peak.memory_gbps,
           info.op_libraries, info.notes);
    return info;
}

static void check_gaudi(accel_runtime *rt, int gaudi3) {
    accel_device *dev = NULL;
    accel_status st = accel_device_open(rt, "gaudi:0", &dev);
    CHECKF(st == ACCEL_OK, "open gaudi:0: %s", accel_last_error());
    if (!dev) return;
    const accel_device_info info = describe(dev);
    CHECKF(info.type == ACCEL_DEVICE_ACCELERATOR, "type %d", (int)info.type);
    CHECKF(strcmp(info.name, gaudi3 ? "Intel Gaudi 3 (HL-325L)" : "Intel Gaudi 2 (HL-225)") == 0, "name '%s'", info.name);
    CHECKF(strcmp(info.isa, gaudi3 ? "gaudi3" : "gaudi2") == 0, "isa '%s'", info.isa);
    CHECKF(info.compute_units == (gaudi3 ? 64 : 24), "%d TPCs", info.compute_units);
    CHECKF(info.memory_bytes == (gaudi3 ? 128000000000ull : 96000000000ull), "memory %llu",
           (unsigned long long)info.memory_bytes);
    CHECKF(info.cache_bytes == (gaudi3 ? 96ull : 48ull) << 20, "sram %llu", (unsigned long long)info.cache_bytes);
    /* The mock numbers module ids (index * 3 + 2) % 8 and puts module m on bus 0x19 + 0x10 m. */
    CHECKF(strstr(info.notes, "module 2") != NULL, "notes lack the module id: %s", info.notes);
    CHECKF(strcmp(info.pci_bus_id, "0000:39:00.0") == 0, "pci '%s'", info.pci_bus_id);
    CHECKF(strcmp(info.driver_version, "1.18.0-ee698fb") == 0, "driver '%s'", info.driver_version);
    CHECKF(strcmp(info.runtime_version, "SynapseAI 1.18.0.524") == 0, "runtime '%s'", info.runtime_version);
    CHECKF(info.clock_mhz == 1600 && info.max_clock_mhz == 1800, "clocks %d/%d", info.clock_mhz, info.max_clock_mhz);
    CHECKF(info.power_limit_w == (gaudi3 ? 900.0 : 600.0), "power limit %g", info.power_limit_w);
    CHECKF(info.ecc_enabled == 1 && (info.features & ACCEL_FEATURE_ECC), "ecc %d", info.ecc_enabled);
    CHECKF(info.uuid[0] != '\0', "no uuid");
    CHECKF(info.module_formats == 0, "module formats 0x%x: TPC kernels are not loadable here", info.module_formats);
    CHECKF(strcmp(info.op_libraries, "synapse") == 0, "libraries '%s'", info.op_libraries);
    CHECKF(info.vendor_peak.tflops[ACCEL_COMPUTE_BF16] == (gaudi3 ? 1835.0 : 432.0), "bf16 peak %g",
           info.vendor_peak.tflops[ACCEL_COMPUTE_BF16]);
    CHECKF(info.vendor_peak.memory_gbps == (gaudi3 ? 3700.0 : 2460.0), "memory peak %g", info.vendor_peak.memory_gbps);
    CHECKF(strstr(info.notes, gaudi3 ? "fp8 matrix peak 1835" : "fp8 matrix peak 865") != NULL, "notes: %s", info.notes);

    accel_device_telemetry t1, t2;
    memset(&t1, 0, sizeof t1);
    t1.struct_size = sizeof t1;
    t2 = t1;
    CHECKF(accel_device_telemetry_get(dev, &t1) == ACCEL_OK, "telemetry: %s", accel_last_error());
    CHECKF(accel_device_telemetry_get(dev, &t2) == ACCEL_OK, "telemetry: %s", accel_last_error());
    CHECKF(t1.power_w == 212.5 && t1.clock_mhz == 1600 && t1.temperature_c == 41, "power %g clock %g temp %g",
           t1.power_w, t1.clock_mhz, t1.temperature_c);
    CHECKF(t1.energy_j > 0 && t2.energy_j >= t1.energy_j, "energy %g then %g J", t1.energy_j, t2.energy_j);
    CHECKF(strcmp(t1.throttle_reasons, "power") == 0, "throttle '%s'", t1.throttle_reasons);

    /* A Gaudi serves one process; in that process every open shares one acquisition. */
    accel_device *again = NULL;
    CHECKF(accel_device_open(rt, "gaudi:0", &again) == ACCEL_OK, "second open of gaudi:0: %s", accel_last_error());
    accel_device_close(again);
    if (gaudi3) {
        accel_device *second = NULL;
        CHECKF(accel_device_open(rt, "gaudi:1", &second) == ACCEL_OK, "open gaudi:1: %s", accel_last_error());
        accel_device_close(second);
    }
    accel_device_close(dev);
    /* Released: it opens again. */
    CHECKF(accel_device_open(rt, "gaudi:0", &dev) == ACCEL_OK, "reopen gaudi:0: %s", accel_last_error());
    accel_device_close(dev);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s PLUGIN MODE\n", argv[0]);
        return 2;
    }
    const char *mode = argv[2];
    const char *paths[] = {argv[1]};
    accel_runtime_options opts;
    memset(&opts, 0, sizeof opts);
    opts.struct_size = sizeof opts;
    opts.plugin_paths = paths;
    opts.plugin_path_count = 1;
    opts.no_default_paths = 1;
    opts.backends = "gaudi";
    accel_runtime *rt = NULL;
    if (accel_runtime_open(&opts, &rt) != ACCEL_OK) {
        printf("FAIL: accel_runtime_open: %s\n", accel_last_error());
        return 1;
    }
    const accel_backend_report *r = gaudi_report(rt);
    CHECKF(r != NULL, "no report named gaudi");
    if (!r) return 1;
    printf("gaudi: status=%s devices=%d abi=%u.%u reason='%s'\n", accel_status_str(r->status), r->device_count,
           r->abi_major, r->abi_minor, r->reason);
    CHECKF(r->abi_major == 1, "abi %u: the plugin itself did not load", r->abi_major);

    if (strcmp(mode, "host") == 0) {
        CHECKF(r->status == ACCEL_OK || r->reason[0], "status %s without a reason", accel_status_str(r->status));
        if (r->status == ACCEL_OK && r->device_count == 0) CHECKF(strstr(r->reason, "no devices") != NULL, "0 devices");
        if (r->status == ACCEL_OK && r->device_count > 0) {
            /* A Gaudi machine: describe gaudi:0 (the conformance suite does the rest). */
            accel_device *dev = NULL;
            CHECKF(accel_device_open(rt, "gaudi:0", &dev) == ACCEL_OK, "open gaudi:0: %s", accel_last_error());
            if (dev) {
                const accel_device_info info = describe(dev);
                CHECKF(info.isa[0] && info.memory_bytes > 0 && info.compute_units > 0, "gaudi:0 describes itself poorly");
                accel_device_close(dev);
            }
        }
    } else if (strcmp(mode, "missing") == 0) {
        expect_report(r, ACCEL_ERR_UNAVAILABLE, 0, "libSynapse-does-not-exist.so not found", "habanalabs-graph");
    } else if (strcmp(mode, "not-synapse") == 0) {
        expect_report(r, ACCEL_ERR_UNAVAILABLE, 0, "lacks synInitialize", "not a SynapseAI library");
    } else if (strcmp(mode, "old") == 0) {
        expect_report(r, ACCEL_ERR_INCOMPATIBLE, 0, "library mismatch", "lacks synLaunchExt");
    } else if (strcmp(mode, "no-node") == 0) {
        expect_report(r, ACCEL_OK, 0, "no devices: no Gaudi device node", "/dev/accel/accel*");
    } else if (strcmp(mode, "mismatch") == 0) {
        expect_report(r, ACCEL_ERR_INCOMPATIBLE, 0, "habanalabs driver 1.17.1-2c4d3b1", "SynapseAI 1.18.0.524");
    } else if (strcmp(mode, "nodevice") == 0) {
        expect_report(r, ACCEL_OK, 0, "no devices (synDeviceGetCount: 0)", NULL);
    } else if (strcmp(mode, "initfail") == 0) {
        expect_report(r, ACCEL_ERR_UNAVAILABLE, 0, "synInitialize: synFail (26)", "driver 1.18.0-ee698fb");
    } else if (strcmp(mode, "busy") == 0) {
        CHECKF(r->status == ACCEL_OK && r->device_count == 1, "status %s, %d devices", accel_status_str(r->status),
               r->device_count);
        accel_device *dev = NULL;
        accel_status st = accel_device_open(rt, "gaudi:0", &dev);
        printf("open: %s %s\n", accel_status_str(st), accel_last_error());
        CHECKF(st == ACCEL_ERR_UNAVAILABLE && !dev, "a held device opened (%s)", accel_status_str(st));
        CHECKF(strstr(accel_last_error(), "busy") && strstr(accel_last_error(), "synDeviceAlreadyAcquired (20)"),
               "'%s' does not say busy", accel_last_error());
    } else if (strcmp(mode, "gaudi2") == 0 || strcmp(mode, "gaudi3") == 0) {
        const int gaudi3 = strcmp(mode, "gaudi3") == 0;
        CHECKF(r->status == ACCEL_OK && r->device_count == (gaudi3 ? 2 : 1), "status %s, %d devices",
               accel_status_str(r->status), r->device_count);
        if (r->status == ACCEL_OK && r->device_count > 0) check_gaudi(rt, gaudi3);
    } else {
        fprintf(stderr, "unknown mode %s\n", mode);
        return 2;
    }
    if (r->status != ACCEL_OK || r->device_count == 0) {
        accel_device *dev = NULL;
        CHECKF(accel_device_open(rt, "gaudi:0", &dev) != ACCEL_OK && !dev, "gaudi:0 opened without a device");
    }
    accel_runtime_close(rt);
    return test_finish("gaudi_load");
}

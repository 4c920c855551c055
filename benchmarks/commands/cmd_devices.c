/* `accelbench devices`: every backend found (loaded or refused, with why) and every device. */
#include <stdio.h>
#include <string.h>

#include "accel/accel.h"
#include "commands.h"

static const char HELP[] =
    "usage: accelbench devices\n"
    "\n"
    "Lists every backend plugin found, loaded or refused with its reason, then one line per\n"
    "device: id, name, memory, compute units, ISA. Ids (\"cpu:0\") are what --device takes.\n"
    "Each plugin is first loaded in a child process that opens its devices; one that crashes,\n"
    "exits or hangs there is listed with what happened and is not loaded.\n"
    "Environment: ACCEL_BACKENDS=cpu,opencl filters backends; ACCEL_BACKEND_PATH adds plugin\n"
    "directories; ACCEL_DEBUG=1 prints every path tried; ACCEL_PROBE_TIMEOUT_S=N is how long\n"
    "each plugin's probe may take (default 60).\n";

int bench_cmd_devices(int argc, char **argv)
{
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(HELP, stdout);
            return 0;
        }
        fprintf(stderr, "accelbench devices: unexpected argument '%s' (see --help)\n", argv[i]);
        return 2;
    }
    accel_runtime *rt;
    int rc = bench_runtime_open(&rt, "devices");
    if (rc != 0)
        return rc;
    const accel_backend_report *list = NULL;
    size_t count = 0;
    accel_runtime_backends(rt, &list, &count);
    printf("backends:\n");
    if (count == 0)
        printf("  (no backend plugins found; set ACCEL_DEBUG=1 to see the paths searched)\n");
    for (size_t i = 0; i < count; i++) {
        const accel_backend_report *b = &list[i];
        char line[1400];
        snprintf(line, sizeof line, "  %-12s %-13s %d device%s  %s%s%s%s%s", b->name,
                 accel_status_str(b->status), b->device_count, b->device_count == 1 ? " " : "s",
                 b->version, b->version[0] && b->reason[0] ? "  " : "", b->reason[0] ? "(" : "",
                 b->reason, b->reason[0] ? ")" : "");
        size_t len = strlen(line);
        while (len && line[len - 1] == ' ')
            line[--len] = '\0';
        printf("%s\n", line);
    }
    int n = 0;
    accel_runtime_device_count(rt, &n);
    printf("devices:\n");
    if (n == 0)
        printf("  (none)\n");
    for (int i = 0; i < n; i++) {
        char id[64];
        accel_device *dev = NULL;
        accel_device_info info;
        memset(&info, 0, sizeof info);
        info.struct_size = sizeof info;
        if (accel_runtime_device_id(rt, i, id, sizeof id) != ACCEL_OK)
            continue;
        if (accel_device_open(rt, id, &dev) != ACCEL_OK || accel_device_info_get(dev, &info) != ACCEL_OK) {
            printf("  %-10s cannot open: %s\n", id, accel_last_error());
            accel_device_close(dev);
            continue;
        }
        printf("  %-10s %s  memory %.1f GiB  compute units %d  isa %s\n", id, info.name,
               (double)info.memory_bytes / (1024.0 * 1024.0 * 1024.0), info.compute_units,
               info.isa[0] ? info.isa : "?");
        accel_device_close(dev);
    }
    accel_runtime_close(rt);
    return 0;
}

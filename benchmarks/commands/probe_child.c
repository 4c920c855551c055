/* The probe process, the child's side of process/probe_supervisor.c (`accelbench __probe`): loads
 * one plugin file the way the parent would, opens and describes each of its devices, closes
 * everything and exits 0, announcing each stage first so that the parent can say where a crash or
 * a hang happened. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "accel/accel.h"
#include "commands.h"
#include "util.h"
#include "wire.h"

static void say(int fd, const char *const *fields, size_t n)
{
    if (bench_wire_send(fd, fields, n) != 0)
        _exit(4); /* the parent is gone */
}

int bench_probe_child_main(int argc, char **argv)
{
    uint64_t fd = 0;
    if (argc != 6 || strcmp(argv[2], "--fd") != 0 || bench_parse_u64(argv[3], &fd) != 0 ||
        fd > 1024 || strcmp(argv[4], "--") != 0) {
        fprintf(stderr, "accelbench __probe: internal command, started by accelbench itself\n");
        return 2;
    }
    int out = (int)fd;
    const char *plugin = argv[5];
    const char *load[] = {"stage", "load"};
    say(out, load, 2);
    /* The parent applied the backends filter already; "" keeps $ACCEL_BACKENDS from applying it
     * to a file it chose. */
    accel_runtime_options o;
    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.plugin_paths = &plugin;
    o.plugin_path_count = 1;
    o.no_default_paths = 1;
    o.backends = "";
    accel_runtime *rt = NULL;
    if (accel_runtime_open(&o, &rt) != ACCEL_OK) {
        fprintf(stderr, "accelbench __probe: %s\n", accel_last_error());
        return 1;
    }
    int count = 0;
    accel_runtime_device_count(rt, &count);
    for (int i = 0; i < count; i++) {
        char id[64];
        if (accel_runtime_device_id(rt, i, id, sizeof id) != ACCEL_OK)
            continue;
        const char *stage[] = {"stage", "device", id};
        say(out, stage, 3);
        /* Failures are answers, not crashes: the parent reports them when it opens the device. */
        accel_device *dev = NULL;
        if (accel_device_open(rt, id, &dev) == ACCEL_OK) {
            accel_device_info info;
            memset(&info, 0, sizeof info);
            info.struct_size = sizeof info;
            double resolution = 0;
            const char *timer = NULL;
            if (accel_device_info_get(dev, &info) == ACCEL_OK)
                (void)accel_timer_properties(dev, &resolution, &timer);
            accel_device_close(dev);
        }
    }
    const char *unload[] = {"stage", "unload"};
    say(out, unload, 2);
    accel_runtime_close(rt);
    const char *done[] = {"done"};
    say(out, done, 1);
    return 0;
}
